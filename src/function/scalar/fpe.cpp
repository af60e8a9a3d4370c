// Format-preserving encryption: fpe_ff1_encrypt / fpe_ff1_decrypt(str, key, radix), NIST SP
// 800-38G's FF1 with AES (a 16-, 24- or 32-byte key), an empty tweak, and the digits 0-9a-z of
// radix 2..36, so a string of n digits encrypts to n digits. Numbers are handled as OpenSSL
// BIGNUMs, so any length works. fpe_encrypt / fpe_decrypt (and the _num names) apply FF1 to the
// integer and fraction digits of a decimal number, as StarRocks documents.
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();
constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
BigNum NewBig() {
    return BigNum(BN_new(), &BN_free);
}

/// AES in ECB mode over whole 16-byte blocks (FF1's PRF and CIPH).
class Aes {
  public:
    explicit Aes(std::string_view key) : ctx_(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free) {
        const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_ecb()
                                   : key.size() == 24 ? EVP_aes_192_ecb()
                                   : key.size() == 32 ? EVP_aes_256_ecb()
                                                      : nullptr;
        if (!cipher) {
            throw ExecutionError("FF1 keys are 16, 24 or 32 bytes, not " + std::to_string(key.size()),
                                 ErrorCode::WRONG_ARGUMENTS);
        }
        if (!ctx_ || EVP_EncryptInit_ex(ctx_.get(), cipher, nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                                        nullptr) != 1)
            throw InternalError("AES initialisation failed");
        EVP_CIPHER_CTX_set_padding(ctx_.get(), 0);
    }
    void Block(const uint8_t in[16], uint8_t out[16]) {
        int len = 0;
        if (EVP_EncryptUpdate(ctx_.get(), out, &len, in, 16) != 1 || len != 16) throw InternalError("AES failed");
    }

  private:
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx_;
};

/// NUM_radix: the digits of s as a number (nullopt-like false when a character is not a digit).
bool ToNumber(std::string_view s, uint32_t radix, BIGNUM* out) {
    BN_zero(out);
    for (char c : s) {
        const char* at = std::strchr(kDigits, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (c == '\0' || !at || static_cast<uint32_t>(at - kDigits) >= radix) return false;
        BN_mul_word(out, radix);
        BN_add_word(out, static_cast<BN_ULONG>(at - kDigits));
    }
    return true;
}

/// STR^m_radix: x as exactly m digits.
std::string ToDigits(const BIGNUM* x, uint32_t radix, size_t m) {
    BigNum v(BN_dup(x), &BN_free);
    std::string out(m, '0');
    for (size_t i = m; i-- > 0;) out[i] = kDigits[BN_div_word(v.get(), radix)];
    return out;
}

/// The FF1 rounds; `encrypt` false runs them backwards.
std::string Ff1(std::string_view key, uint32_t radix, std::string_view x, bool encrypt) {
    size_t n = x.size();
    if (radix < 2 || radix > 36) {
        throw ExecutionError("fpe radix must be between 2 and 36, not " + std::to_string(radix),
                             ErrorCode::WRONG_ARGUMENTS);
    }
    // FF1 needs radix^n >= 100 (and n >= 2).
    if (n < 2 || std::pow(static_cast<double>(radix), static_cast<double>(n)) < 100) {
        throw ExecutionError(
            "fpe needs at least " + std::to_string(radix < 10 ? 7 : 2) + " digits of radix " + std::to_string(radix),
            ErrorCode::WRONG_ARGUMENTS);
    }
    Aes aes(key);
    size_t u = n / 2, v = n - u;
    size_t b = static_cast<size_t>(std::ceil(std::ceil(static_cast<double>(v) * std::log2(radix)) / 8));
    size_t d = 4 * ((b + 3) / 4) + 4;
    uint8_t p[16] = {1, 2, 1, 0, 0, 0, 10, static_cast<uint8_t>(u % 256), 0, 0, 0, 0, 0, 0, 0, 0};
    p[3] = static_cast<uint8_t>(radix >> 16);
    p[4] = static_cast<uint8_t>(radix >> 8);
    p[5] = static_cast<uint8_t>(radix);
    for (int k = 0; k < 4; ++k) p[8 + k] = static_cast<uint8_t>(n >> (8 * (3 - k)));
    // P's encryption is the CBC-MAC state every round starts from.
    uint8_t p_state[16];
    aes.Block(p, p_state);

    std::string a(x.substr(0, u)), bstr(x.substr(u));
    auto num_a = NewBig(), num_b = NewBig(), y = NewBig(), c = NewBig(), modulus = NewBig(), radix_bn = NewBig();
    std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), &BN_CTX_free);
    BN_set_word(radix_bn.get(), radix);
    if (!ToNumber(a, radix, num_a.get()) || !ToNumber(bstr, radix, num_b.get())) {
        throw ExecutionError("'" + std::string(x) + "' is not a string of radix-" + std::to_string(radix) + " digits",
                             ErrorCode::WRONG_ARGUMENTS);
    }
    size_t q_len = ((b + 1 + 15) / 16) * 16;  // Q: zero padding, the round, NUM(B) in b bytes
    std::vector<uint8_t> q(q_len), num_bytes(b), s((d + 15) / 16 * 16);
    for (int step = 0; step < 10; ++step) {
        int i = encrypt ? step : 9 - step;
        // The half that feeds the round function: B when encrypting, A when decrypting.
        const BIGNUM* fed = encrypt ? num_b.get() : num_a.get();
        std::fill(q.begin(), q.end(), 0);
        q[q_len - b - 1] = static_cast<uint8_t>(i);
        std::fill(num_bytes.begin(), num_bytes.end(), 0);
        if (BN_num_bytes(fed) > static_cast<int>(b)) throw InternalError("FF1 number wider than b bytes");
        BN_bn2binpad(fed, num_bytes.data(), static_cast<int>(b));
        std::memcpy(q.data() + q_len - b, num_bytes.data(), b);
        // R = PRF(P || Q): CBC-MAC continuing from P's block.
        uint8_t r[16];
        std::memcpy(r, p_state, 16);
        for (size_t off = 0; off < q_len; off += 16) {
            uint8_t block[16];
            for (int k = 0; k < 16; ++k) block[k] = r[k] ^ q[off + k];
            aes.Block(block, r);
        }
        // S = R || CIPH(R xor [1]) || CIPH(R xor [2]) ..., its first d bytes.
        std::memcpy(s.data(), r, 16);
        for (size_t j = 1; j * 16 < d; ++j) {
            uint8_t block[16];
            std::memcpy(block, r, 16);
            for (int k = 0; k < 8; ++k) block[15 - k] ^= static_cast<uint8_t>(j >> (8 * k));
            aes.Block(block, s.data() + 16 * j);
        }
        BN_bin2bn(s.data(), static_cast<int>(d), y.get());
        size_t m = i % 2 == 0 ? u : v;
        BN_set_word(c.get(), static_cast<BN_ULONG>(m));
        BN_exp(modulus.get(), radix_bn.get(), c.get(), ctx.get());
        if (encrypt) {
            BN_mod_add(c.get(), num_a.get(), y.get(), modulus.get(), ctx.get());  // c = (A + y) mod radix^m
            a = bstr;
            bstr = ToDigits(c.get(), radix, m);
            std::swap(num_a, num_b);
            BN_copy(num_b.get(), c.get());
        } else {
            BN_mod_sub(c.get(), num_b.get(), y.get(), modulus.get(), ctx.get());  // c = (B - y) mod radix^m
            bstr = a;
            a = ToDigits(c.get(), radix, m);
            std::swap(num_a, num_b);
            BN_copy(num_a.get(), c.get());
        }
    }
    return a + bstr;
}

ScalarKernel Ff1Kernel(bool encrypt) {
    return [encrypt](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            int64_t radix = a[2]->Data<int64_t>()[i];
            out.SetString(i, Ff1(a[1]->Strings()[i].view(), static_cast<uint32_t>(std::clamp<int64_t>(radix, 0, 37)),
                                 a[0]->Strings()[i].view(), encrypt));
        }
    };
}

constexpr size_t kFractionDigits = 14;  // the fraction is encrypted as fraction * 10^14

std::string StripLeadingZeros(std::string s) {
    size_t k = s.find_first_not_of('0');
    return k == std::string::npos ? "0" : s.substr(k);
}

std::string PadToTwo(std::string s) {
    return s.size() < 2 ? std::string(2 - s.size(), '0') + s : s;
}

/// fpe_encrypt / fpe_encrypt_num of a decimal text [-]int[.frac]: '1' followed by FF1 of the
/// integer digits, then '.' and FF1 of fraction * 10^14 (as an integer) followed by '1' (the two
/// placeholders keep leading and trailing zeros through the round trip). Parts shorter than FF1's
/// two digits are zero-padded.
std::string FpeEncryptNumber(std::string_view key, std::string_view text, bool encrypt) {
    std::string_view s = text;
    bool negative = !s.empty() && s[0] == '-';
    if (negative || (!s.empty() && s[0] == '+')) s.remove_prefix(1);
    size_t dot = s.find('.');
    std::string int_part(s.substr(0, dot)), frac_part(dot == std::string_view::npos ? "" : s.substr(dot + 1));
    bool has_frac = dot != std::string_view::npos;
    auto all_digits = [](const std::string& d) { return d.find_first_not_of("0123456789") == std::string::npos; };
    if (int_part.empty() || !all_digits(int_part) || !all_digits(frac_part) || (has_frac && frac_part.empty())) {
        throw ExecutionError("fpe: '" + std::string(text) + "' is not a decimal number", ErrorCode::WRONG_ARGUMENTS);
    }
    std::string out = negative ? "-" : "";
    if (encrypt) {
        out += "1" + Ff1(key, 10, PadToTwo(StripLeadingZeros(int_part)), true);
        if (has_frac) {
            if (frac_part.size() > kFractionDigits) frac_part.resize(kFractionDigits);
            frac_part.append(kFractionDigits - frac_part.size(), '0');
            out += "." + Ff1(key, 10, PadToTwo(StripLeadingZeros(frac_part)), true) + "1";
        }
        return out;
    }
    if (int_part.size() < 3 || int_part[0] != '1' || (has_frac && (frac_part.size() < 3 || frac_part.back() != '1'))) {
        throw ExecutionError("fpe: '" + std::string(text) + "' was not made by fpe_encrypt",
                             ErrorCode::WRONG_ARGUMENTS);
    }
    out += StripLeadingZeros(Ff1(key, 10, int_part.substr(1), false));
    if (has_frac) {
        std::string frac = StripLeadingZeros(Ff1(key, 10, frac_part.substr(0, frac_part.size() - 1), false));
        if (frac.size() > kFractionDigits) {
            throw ExecutionError("fpe: '" + std::string(text) + "' was not made by fpe_encrypt",
                                 ErrorCode::WRONG_ARGUMENTS);
        }
        frac = std::string(kFractionDigits - frac.size(), '0') + frac;
        size_t last = frac.find_last_not_of('0');
        out += "." + (last == std::string::npos ? std::string("0") : frac.substr(0, last + 1));
    }
    return out;
}

ScalarKernel NumberKernel(bool encrypt) {
    return [encrypt](Args a, size_t rows, Column& out) {
        BinaryExecute<std::string_view, std::string_view, std::string>(
            *a[0], *a[1], rows, out,
            [encrypt](std::string_view text, std::string_view key) { return FpeEncryptNumber(key, text, encrypt); });
    };
}

}  // namespace

void RegisterFpeFunctions(FunctionRegistry& r) {
    for (const char* name : {"fpe_encrypt", "fpe_encrypt_num", "fpe_decrypt", "fpe_decrypt_num"}) {
        bool encrypt = std::string_view(name).find("encrypt") != std::string_view::npos;
        r.AddScalar(name, Overloads(name, {{{kStr, kStr}, kStr, NumberKernel(encrypt)}}));
    }
    r.AddScalar("fpe_ff1_encrypt",
                Overloads("fpe_ff1_encrypt", {{{kStr, kStr, TypeId::BIGINT}, kStr, Ff1Kernel(true)}}));
    r.AddScalar("fpe_ff1_decrypt",
                Overloads("fpe_ff1_decrypt", {{{kStr, kStr, TypeId::BIGINT}, kStr, Ff1Kernel(false)}}));
}

}  // namespace floe
