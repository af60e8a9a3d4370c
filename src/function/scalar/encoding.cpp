// Encodings, digests and ciphers of strings: hex/unhex, base64, URL encoding, md5/sha2/sm3
// digests, BLAKE3 and AES-128-ECB with MySQL's key folding (OpenSSL), and the non-cryptographic hashes
// StarRocks documents (murmur_hash3_32 with its seed, xx_hash3_32/64, xx_hash64, crc32), md5sum_numeric
// and to_binary/from_binary. Invalid
// input to a decoder gives what StarRocks documents: unhex an empty string, from_base64 and
// aes_decrypt NULL.
#define XXH_INLINE_ALL
#include <openssl/evp.h>
#include <xxhash.h>

#include <array>
#include <cctype>
#include <optional>
#include <string>

#include "common/crc32.h"
#include "common/exception.h"
#include "function/base64.h"
#include "function/blake3.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/bitmap.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();
constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr char kLowerHexDigits[] = "0123456789abcdef";

template <typename Op>
ScalarKernel StringToString(Op op) {
    return
        [op](Args a, size_t rows, Column& out) { UnaryExecute<std::string_view, std::string>(*a[0], rows, out, op); };
}

std::string HexOfBytes(std::string_view s, const char* digits = kHexDigits) {
    std::string o(s.size() * 2, '0');
    for (size_t i = 0; i < s.size(); ++i) {
        auto b = static_cast<unsigned char>(s[i]);
        o[2 * i] = digits[b >> 4];
        o[2 * i + 1] = digits[b & 15];
    }
    return o;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// unhex: empty when the length is odd or a character is not a hex digit (StarRocks' rule).
std::string Unhex(std::string_view s) {
    if (s.size() % 2 != 0) return "";
    std::string o(s.size() / 2, '\0');
    for (size_t i = 0; i < o.size(); ++i) {
        int hi = HexValue(s[2 * i]), lo = HexValue(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return "";
        o[i] = static_cast<char>(hi * 16 + lo);
    }
    return o;
}

// application/x-www-form-urlencoded, as java.net.URLEncoder (which StarRocks' examples match):
// letters, digits and . - * _ stay, a space becomes '+', every other byte %XX.
std::string UrlEncode(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        auto b = static_cast<unsigned char>(c);
        if (std::isalnum(b) || c == '.' || c == '-' || c == '*' || c == '_') {
            o.push_back(c);
        } else if (c == ' ') {
            o.push_back('+');
        } else {
            o.push_back('%');
            o.push_back(kHexDigits[b >> 4]);
            o.push_back(kHexDigits[b & 15]);
        }
    }
    return o;
}

std::string UrlDecode(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            o.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
            o.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
            i += 2;
        } else if (s[i] == '%') {
            throw ExecutionError("url_decode(): invalid escape in '" + std::string(s) + "'",
                                 ErrorCode::WRONG_ARGUMENTS);
        } else {
            o.push_back(s[i]);
        }
    }
    return o;
}

/// Digest of the concatenation of `parts` with an OpenSSL message digest, as lowercase hex.
std::string DigestHex(const EVP_MD* md, const std::vector<std::string_view>& parts) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
    unsigned int len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1;
    for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, buf.data(), &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw InternalError("message digest failed");
    return HexOfBytes(std::string_view(reinterpret_cast<const char*>(buf.data()), len), kLowerHexDigits);
}

/// A function of any number of strings (at least one) where a NULL argument gives NULL: `op` gets
/// the row's values.
template <typename R, typename Op>
ScalarKernel VariadicStrings(Op op) {
    return [op](Args a, size_t rows, Column& out) {
        std::vector<std::string_view> parts(a.size());
        for (size_t i = 0; i < rows; ++i) {
            bool n = false;
            for (size_t k = 0; k < a.size() && !n; ++k) {
                n = a[k]->IsNull(i);
                if (!n) parts[k] = a[k]->Strings()[i].view();
            }
            out.SetNull(i, n);
            if (!n) WriteValue<R>(out, i, op(parts));
        }
    };
}

/// MySQL's AES key: the key bytes folded by XOR into 16 bytes.
std::array<unsigned char, 16> FoldAesKey(std::string_view key) {
    std::array<unsigned char, 16> k{};
    for (size_t i = 0; i < key.size(); ++i) k[i % 16] ^= static_cast<unsigned char>(key[i]);
    return k;
}

/// AES-128-ECB with PKCS#7 padding (MySQL's and StarRocks' default block_encryption_mode);
/// nullopt when decrypting bytes that are not a valid ciphertext for the key.
std::optional<std::string> Aes128Ecb(std::string_view in, std::string_view key, bool encrypt) {
    auto k = FoldAesKey(key);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (!ctx) throw InternalError("cipher context allocation failed");
    std::string out(in.size() + 32, '\0');
    int len = 0, tail = 0;
    bool ok = EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), nullptr, k.data(), nullptr, encrypt ? 1 : 0) == 1 &&
              EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                               reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) == 1 &&
              EVP_CipherFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &tail) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return std::nullopt;
    out.resize(static_cast<size_t>(len + tail));
    return out;
}

ScalarKernel AesKernel(bool encrypt) {
    return [encrypt](Args a, size_t rows, Column& out) {
        BinaryExecuteNullable<std::string_view, std::string_view, std::string>(
            *a[0], *a[1], rows, out, [encrypt](std::string_view s, std::string_view key, bool& n) {
                auto r = Aes128Ecb(s, key, encrypt);
                n = !r;
                return r.value_or(std::string());
            });
    };
}

BoundScalarFunction BindHex(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("hex() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.name = "hex";
    f.return_type = kStr;
    if (types[0].IsInteger() || types[0].id == TypeId::BOOLEAN) {
        // hex of a number: its two's-complement bits as 64-bit hex without leading zeros (MySQL).
        f.arg_types = {TypeId::BIGINT};
        f.kernel = [](Args a, size_t rows, Column& out) {
            UnaryExecute<int64_t, std::string>(*a[0], rows, out, [](int64_t v) {
                auto u = static_cast<uint64_t>(v);
                std::string o;
                do {
                    o.insert(o.begin(), kHexDigits[u & 15]);
                    u >>= 4;
                } while (u != 0);
                return o;
            });
        };
    } else {
        f.arg_types = {kStr};
        f.kernel = StringToString([](std::string_view s) { return HexOfBytes(s); });
    }
    return f;
}

BoundScalarFunction BindSha2(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("sha2() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.name = "sha2";
    f.arg_types = {kStr, TypeId::BIGINT};
    f.return_type = kStr;
    f.kernel = [](Args a, size_t rows, Column& out) {
        BinaryExecuteNullable<std::string_view, int64_t, std::string>(
            *a[0], *a[1], rows, out, [](std::string_view s, int64_t bits, bool& n) -> std::string {
                const EVP_MD* md = nullptr;
                switch (bits) {
                    case 0:
                    case 256:
                        md = EVP_sha256();
                        break;
                    case 224:
                        md = EVP_sha224();
                        break;
                    case 384:
                        md = EVP_sha384();
                        break;
                    case 512:
                        md = EVP_sha512();
                        break;
                    default:
                        n = true;  // StarRocks and MySQL: an unsupported length gives NULL
                        return {};
                }
                return DigestHex(md, {s});
            });
    };
    return f;
}

}  // namespace

void RegisterEncodingFunctions(FunctionRegistry& r) {
    r.AddScalar("hex", BindHex);
    r.AddScalar("unhex", Overloads("unhex", {{{kStr}, kStr, StringToString(Unhex)}}));
    r.AddAlias("hex_decode_string", "unhex");
    r.AddAlias("hex_decode_binary", "unhex");
    r.AddScalar("to_base64", Overloads("to_base64", {{{kStr}, kStr, StringToString(ToBase64)}}));
    r.AddScalar("from_base64", Overloads("from_base64", {{{kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                                              std::string buf;
                                                              UnaryExecuteNullable<std::string_view, std::string>(
                                                                  *a[0], rows, out,
                                                                  [&buf](std::string_view s, bool& n) {
                                                                      n = !FromBase64(s, buf);
                                                                      return buf;
                                                                  });
                                                          }}}));
    r.AddAlias("base64_decode_string", "from_base64");
    r.AddAlias("base64_decode_binary", "from_base64");
    r.AddScalar("url_encode", Overloads("url_encode", {{{kStr}, kStr, StringToString(UrlEncode)}}));
    r.AddScalar("url_decode", Overloads("url_decode", {{{kStr}, kStr, StringToString(UrlDecode)}}));
    r.AddScalar("md5", Overloads("md5", {{{kStr}, kStr, StringToString([](std::string_view s) {
                                              return DigestHex(EVP_md5(), {s});
                                          })}}));
    r.AddScalar("md5sum",
                Overloads("md5sum", {{{kStr},
                                      kStr,
                                      VariadicStrings<std::string>([](const std::vector<std::string_view>& p) {
                                          return DigestHex(EVP_md5(), p);
                                      }),
                                      true}}));
    // md5sum_numeric(s1, s2, ...): the MD5 of the arguments one after another as a 128-bit integer
    // (the digest's bytes big-endian, read as a signed LARGEINT).
    r.AddScalar("md5sum_numeric",
                Overloads("md5sum_numeric", {{{kStr},
                                              TypeId::LARGEINT,
                                              VariadicStrings<int128_t>([](const std::vector<std::string_view>& p) {
                                                  std::string hex = DigestHex(EVP_md5(), p);
                                                  unsigned __int128 v = 0;
                                                  for (char c : hex) v = (v << 4) | static_cast<unsigned>(HexValue(c));
                                                  return static_cast<int128_t>(v);
                                              }),
                                              true}}));
    // to_binary(s[, 'hex' | 'encode64' | 'utf8']) and from_binary(b[, ...]): text to bytes and back
    // (Floe keeps binary values as VARCHAR bytes). Text that is not valid hex or base64 gives empty
    // bytes, as StarRocks documents; an unknown format is an error.
    auto binary_format = [](const Column& c, size_t i) -> int {
        std::string f = c.Strings()[i].view().empty() ? "" : std::string(c.Strings()[i].view());
        for (auto& ch : f) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (f == "hex") return 0;
        if (f == "encode64") return 1;
        if (f == "utf8") return 2;
        throw ExecutionError("unknown binary format '" + f + "' (hex, encode64, utf8)", ErrorCode::WRONG_ARGUMENTS);
    };
    auto to_binary = [binary_format](Args a, size_t rows, Column& out) {
        std::string buf;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            int format = a.size() > 1 ? binary_format(*a[1], i) : 0;
            std::string_view s = a[0]->Strings()[i].view();
            if (format == 0) {
                out.SetString(i, Unhex(s));
            } else if (format == 1) {
                out.SetString(i, FromBase64(s, buf) ? std::string_view(buf) : std::string_view());
            } else {
                out.SetString(i, s);
            }
        }
    };
    r.AddScalar("to_binary", Overloads("to_binary", {{{kStr}, kStr, to_binary}, {{kStr, kStr}, kStr, to_binary}}));
    auto from_binary = [binary_format](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            int format = a.size() > 1 ? binary_format(*a[1], i) : 0;
            std::string_view s = a[0]->Strings()[i].view();
            out.SetString(i, format == 0 ? HexOfBytes(s) : format == 1 ? ToBase64(s) : std::string(s));
        }
    };
    r.AddScalar("from_binary",
                Overloads("from_binary", {{{kStr}, kStr, from_binary}, {{kStr, kStr}, kStr, from_binary}}));
    r.AddScalar("blake3",
                Overloads("blake3", {{{kStr}, kStr, StringToString([](std::string_view s) {
                                          auto h = Blake3(s);
                                          return HexOfBytes(
                                              std::string_view(reinterpret_cast<const char*>(h.data()), h.size()),
                                              kLowerHexDigits);
                                      })}}));
    r.AddScalar("sha2", BindSha2);
    r.AddScalar("sm3", Overloads("sm3", {{{kStr}, kStr, StringToString([](std::string_view s) {
                                              return DigestHex(EVP_sm3(), {s});
                                          })}}));
    r.AddScalar("aes_encrypt", Overloads("aes_encrypt", {{{kStr, kStr}, kStr, AesKernel(true)}}));
    r.AddScalar("aes_decrypt", Overloads("aes_decrypt", {{{kStr, kStr}, kStr, AesKernel(false)}}));
    r.AddScalar("crc32", Overloads("crc32", {{{kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                  UnaryExecute<std::string_view, int64_t>(
                                                      *a[0], rows, out, [](std::string_view s) {
                                                          return static_cast<int64_t>(Crc32(s.data(), s.size()));
                                                      });
                                              }}}));
    // murmur_hash3_32(s1, s2, ...): each argument hashed with the previous hash as its seed.
    r.AddScalar("murmur_hash3_32",
                Overloads("murmur_hash3_32", {{{kStr},
                                               TypeId::INT,
                                               VariadicStrings<int32_t>([](const std::vector<std::string_view>& p) {
                                                   uint32_t h = 104729;  // StarRocks' seed (also bitmap_hash's)
                                                   for (std::string_view s : p) h = Murmur3_32(s, h);
                                                   return static_cast<int32_t>(h);
                                               }),
                                               true}}));
    r.AddScalar("xx_hash3_64",
                Overloads("xx_hash3_64", {{{kStr},
                                           TypeId::BIGINT,
                                           VariadicStrings<int64_t>([](const std::vector<std::string_view>& p) {
                                               uint64_t h = 0;
                                               for (std::string_view s : p)
                                                   h = XXH3_64bits_withSeed(s.data(), s.size(), h);
                                               return static_cast<int64_t>(h);
                                           }),
                                           true}}));
    // xx_hash3_128(s1, s2, ...): XXH3-128 of the arguments one after another (StarRocks' value for
    // several arguments is the hash of their concatenation), as a LARGEINT.
    r.AddScalar("xx_hash3_128",
                Overloads("xx_hash3_128", {{{kStr},
                                            TypeId::LARGEINT,
                                            VariadicStrings<int128_t>([](const std::vector<std::string_view>& p) {
                                                XXH3_state_t state;
                                                XXH3_128bits_reset(&state);
                                                for (std::string_view s : p)
                                                    XXH3_128bits_update(&state, s.data(), s.size());
                                                XXH128_hash_t h = XXH3_128bits_digest(&state);
                                                auto u = (static_cast<unsigned __int128>(h.high64) << 64) | h.low64;
                                                return static_cast<int128_t>(u);
                                            }),
                                            true}}));
    // xx_hash3_32(s1, s2, ...): the low 32 bits of XXH3-64, each argument seeded with the previous
    // argument's 32-bit result (StarRocks' definition).
    r.AddScalar(
        "xx_hash3_32",
        Overloads("xx_hash3_32", {{{kStr},
                                   TypeId::INT,
                                   VariadicStrings<int32_t>([](const std::vector<std::string_view>& p) {
                                       uint32_t h = 0;
                                       for (std::string_view s : p)
                                           h = static_cast<uint32_t>(XXH3_64bits_withSeed(s.data(), s.size(), h));
                                       return static_cast<int32_t>(h);
                                   }),
                                   true}}));
    r.AddScalar("xx_hash64",
                Overloads("xx_hash64", {{{kStr},
                                         TypeId::BIGINT,
                                         VariadicStrings<int64_t>([](const std::vector<std::string_view>& p) {
                                             uint64_t h = 0;
                                             for (std::string_view s : p) h = XXH64(s.data(), s.size(), h);
                                             return static_cast<int64_t>(h);
                                         }),
                                         true}}));
    r.AddScalar("xx_hash32",
                Overloads("xx_hash32", {{{kStr},
                                         TypeId::INT,
                                         VariadicStrings<int32_t>([](const std::vector<std::string_view>& p) {
                                             uint32_t h = 0;
                                             for (std::string_view s : p) h = XXH32(s.data(), s.size(), h);
                                             return static_cast<int32_t>(h);
                                         }),
                                         true}}));
}

}  // namespace floe
