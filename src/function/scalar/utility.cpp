// Utility functions: isnull/isnotnull, uuid()/uuid_numeric() (random, version 4), uuidv7() and
// uuid_v7_numeric() (time-ordered, version 7), sleep(seconds), host_name(). The uuids and sleep
// are not deterministic: each row gets its own call. Also bar(), equiwidth_bucket(), materialize()
// and encode_sort_key().
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
constexpr int64_t kMaxSleepSeconds = 3600;

ScalarFunctionBinder NullTest(std::string name, bool want_null) {
    return [name, want_null](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = types;  // any type: only the NULL flags are read
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [want_null](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                out.Data<uint8_t>()[i] = a[0]->IsNull(i) == want_null ? 1 : 0;
            }
        };
        return f;
    };
}

/// 128 random bits with the version (4) and variant (10xx) bits of RFC 4122 set.
unsigned __int128 RandomUuidBits() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    uint64_t hi = engine(), lo = engine();
    hi = (hi & ~uint64_t{0xF000}) | 0x4000;
    lo = (lo & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
    return (static_cast<unsigned __int128>(hi) << 64) | lo;
}

std::string UuidText(unsigned __int128 bits) {
    static const char* kDigits = "0123456789abcdef";
    std::string s(36, '-');
    int nibble = 31;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        s[i] = kDigits[static_cast<int>((bits >> (4 * nibble)) & 15)];
        --nibble;
    }
    return s;
}

/// UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits with the version
/// (7) and variant (10) set, so values sort by creation time.
unsigned __int128 UuidV7Bits() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    auto ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    uint64_t hi = (ms << 16) | 0x7000 | (engine() & 0x0FFF);
    uint64_t lo = (engine() & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
    return (static_cast<unsigned __int128>(hi) << 64) | lo;
}

/// Appends v big-endian with its sign bit flipped, so unsigned byte order is numeric order.
template <typename T, typename U>
void AppendOrderedInt(T v, std::string& out) {
    U u = static_cast<U>(v) ^ (U{1} << (sizeof(T) * 8 - 1));
    for (int b = static_cast<int>(sizeof(T)) - 1; b >= 0; --b) out.push_back(static_cast<char>((u >> (8 * b)) & 0xFF));
}

/// Floating point in byte order: positives with the sign bit set, negatives with every bit flipped.
template <typename F, typename U>
void AppendOrderedFloat(F v, std::string& out) {
    if (v == 0) v = 0;  // -0.0 sorts with 0.0
    U bits;
    std::memcpy(&bits, &v, sizeof(bits));
    constexpr U kSign = U{1} << (sizeof(U) * 8 - 1);
    bits = (bits & kSign) ? ~bits : (bits | kSign);
    for (int b = static_cast<int>(sizeof(U)) - 1; b >= 0; --b)
        out.push_back(static_cast<char>((bits >> (8 * b)) & 0xFF));
}

/// encode_sort_key(c1, ..., cn): per column a NULL marker (0 NULL, 1 not), the value in an
/// order-preserving encoding (strings with 0x00 escaped as 0x00 0x01 and, except in the last
/// column, ended by 0x00 0x00), and 0x00 between columns; byte order of keys is row order.
BoundScalarFunction BindEncodeSortKey(const std::vector<LogicalType>& types) {
    if (types.empty()) throw BinderError("encode_sort_key() takes one or more columns", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.name = "encode_sort_key";
    for (const auto& t : types) {
        switch (t.id) {
            case TypeId::BOOLEAN:
            case TypeId::TINYINT:
            case TypeId::SMALLINT:
            case TypeId::INT:
            case TypeId::BIGINT:
            case TypeId::LARGEINT:
            case TypeId::FLOAT:
            case TypeId::DOUBLE:
            case TypeId::VARCHAR:
            case TypeId::DATE:
            case TypeId::DATETIME:
                f.arg_types.push_back(t);
                break;
            case TypeId::NULL_TYPE:
                f.arg_types.push_back(TypeId::INT);
                break;
            case TypeId::DECIMAL:  // encoded as its DOUBLE value
                f.arg_types.push_back(TypeId::DOUBLE);
                break;
            default:
                throw BinderError("encode_sort_key() does not encode " + t.ToString(), ErrorCode::TYPE_MISMATCH);
        }
    }
    f.return_type = LogicalType::Varchar();
    f.kernel = [](Args a, size_t rows, Column& out) {
        std::string key;
        for (size_t i = 0; i < rows; ++i) {
            key.clear();
            for (size_t k = 0; k < a.size(); ++k) {
                const Column& c = *a[k];
                bool last = k + 1 == a.size();
                if (k > 0) key.push_back('\0');
                if (c.IsNull(i)) {
                    key.push_back('\0');
                    continue;
                }
                key.push_back('\1');
                switch (c.type().id) {
                    case TypeId::BOOLEAN:
                    case TypeId::TINYINT:
                        AppendOrderedInt<int8_t, uint8_t>(c.Data<int8_t>()[i], key);
                        break;
                    case TypeId::SMALLINT:
                        AppendOrderedInt<int16_t, uint16_t>(c.Data<int16_t>()[i], key);
                        break;
                    case TypeId::INT:
                    case TypeId::DATE:
                        AppendOrderedInt<int32_t, uint32_t>(c.Data<int32_t>()[i], key);
                        break;
                    case TypeId::BIGINT:
                    case TypeId::DATETIME:
                        AppendOrderedInt<int64_t, uint64_t>(c.Data<int64_t>()[i], key);
                        break;
                    case TypeId::LARGEINT:
                        AppendOrderedInt<__int128, unsigned __int128>(c.Data<int128_t>()[i], key);
                        break;
                    case TypeId::FLOAT:
                        AppendOrderedFloat<float, uint32_t>(c.Data<float>()[i], key);
                        break;
                    case TypeId::DOUBLE:
                        AppendOrderedFloat<double, uint64_t>(c.Data<double>()[i], key);
                        break;
                    default: {
                        for (char ch : c.Strings()[i].view()) {
                            key.push_back(ch);
                            if (ch == '\0') key.push_back('\1');
                        }
                        if (!last) key.append(2, '\0');
                        break;
                    }
                }
            }
            out.SetNull(i, false);
            out.SetString(i, key);
        }
    };
    return f;
}

}  // namespace

void RegisterUtilityFunctions(FunctionRegistry& r) {
    // bar(size, min, max, width): a bar of round((size - min) / (max - min) * width) '▓' characters;
    // size outside [min, max] or a width below 1 is an error.
    r.AddScalar("bar", Overloads("bar", {{{TypeId::DOUBLE, TypeId::DOUBLE, TypeId::DOUBLE, TypeId::BIGINT},
                                          LogicalType::Varchar(),
                                          [](Args a, size_t rows, Column& out) {
                                              for (size_t i = 0; i < rows; ++i) {
                                                  bool n = false;
                                                  for (const Column* c : a) n = n || c->IsNull(i);
                                                  out.SetNull(i, n);
                                                  if (n) continue;
                                                  double size = a[0]->Data<double>()[i], lo = a[1]->Data<double>()[i],
                                                         hi = a[2]->Data<double>()[i];
                                                  int64_t width = a[3]->Data<int64_t>()[i];
                                                  if (width < 1 || width > 1000) {
                                                      throw ExecutionError("bar(): width must be between 1 and 1000",
                                                                           ErrorCode::WRONG_ARGUMENTS);
                                                  }
                                                  if (!(lo < hi) || size < lo || size > hi) {
                                                      throw ExecutionError("bar(): size must be within [min, max]",
                                                                           ErrorCode::WRONG_ARGUMENTS);
                                                  }
                                                  auto blocks = static_cast<int64_t>(std::llround(
                                                      (size - lo) / (hi - lo) * static_cast<double>(width)));
                                                  std::string text;
                                                  for (int64_t b = 0; b < blocks; ++b) text += "\u2593";
                                                  out.SetString(i, text);
                                              }
                                          }}}));
    // equiwidth_bucket(value, min, max, buckets): (value - min) / max(1, (max - min) / buckets) in
    // integers; value outside [min, max] or buckets below 1 is an error.
    r.AddScalar("equiwidth_bucket",
                Overloads("equiwidth_bucket",
                          {{{TypeId::BIGINT, TypeId::BIGINT, TypeId::BIGINT, TypeId::BIGINT},
                            TypeId::BIGINT,
                            [](Args a, size_t rows, Column& out) {
                                for (size_t i = 0; i < rows; ++i) {
                                    bool n = false;
                                    for (const Column* c : a) n = n || c->IsNull(i);
                                    out.SetNull(i, n);
                                    if (n) continue;
                                    int64_t v = a[0]->Data<int64_t>()[i], lo = a[1]->Data<int64_t>()[i],
                                            hi = a[2]->Data<int64_t>()[i], buckets = a[3]->Data<int64_t>()[i];
                                    if (buckets < 1) {
                                        throw ExecutionError("equiwidth_bucket(): buckets must be positive",
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    }
                                    if (lo > hi || v < lo || v > hi) {
                                        throw ExecutionError("equiwidth_bucket(): value must be within [min, max]",
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    }
                                    int64_t width = std::max<int64_t>(1, (hi - lo) / buckets);
                                    out.Data<int64_t>()[i] = (v - lo) / width;
                                }
                            }}}));
    // materialize(x): x unchanged, but never folded to a constant (not deterministic to the
    // optimizer), so filters on it are not used for pruning.
    r.AddScalar("materialize", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError("materialize() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "materialize";
        f.arg_types = {types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::INT) : types[0]};
        f.return_type = f.arg_types[0];
        f.deterministic = false;
        f.kernel = [](Args a, size_t rows, Column& out) {
            const Column& in = *a[0];
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, in.IsNull(i));
                if (!in.IsNull(i)) out.SetValue(i, in.GetValue(i));
            }
        };
        return f;
    });
    r.AddScalar("encode_sort_key", BindEncodeSortKey);
    r.AddScalar("isnull", NullTest("isnull", true));
    r.AddScalar("isnotnull", NullTest("isnotnull", false));
    r.AddScalar("uuid", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (!types.empty()) throw BinderError("uuid() takes no arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "uuid";
        f.return_type = LogicalType::Varchar();
        f.deterministic = false;
        f.kernel = [](Args, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                out.SetString(i, UuidText(RandomUuidBits()));
            }
        };
        return f;
    });
    r.AddScalar("uuid_numeric", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (!types.empty()) throw BinderError("uuid_numeric() takes no arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "uuid_numeric";
        f.return_type = TypeId::LARGEINT;
        f.deterministic = false;
        f.kernel = [](Args, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                out.Data<int128_t>()[i] = static_cast<int128_t>(RandomUuidBits() >> 1);  // non-negative
            }
        };
        return f;
    });
    r.AddScalar("uuidv7", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (!types.empty()) throw BinderError("uuidv7() takes no arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "uuidv7";
        f.return_type = LogicalType::Varchar();
        f.deterministic = false;
        f.kernel = [](Args, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                out.SetString(i, UuidText(UuidV7Bits()));
            }
        };
        return f;
    });
    r.AddScalar("uuid_v7_numeric", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (!types.empty()) throw BinderError("uuid_v7_numeric() takes no arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "uuid_v7_numeric";
        f.return_type = TypeId::LARGEINT;
        f.deterministic = false;
        f.kernel = [](Args, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                out.Data<int128_t>()[i] = static_cast<int128_t>(UuidV7Bits() >> 1);  // non-negative, still ordered
            }
        };
        return f;
    });
    // sleep(seconds): waits, then returns true (NULL for NULL); at most an hour per call.
    r.AddScalar("sleep", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError("sleep() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "sleep";
        f.arg_types = {TypeId::BIGINT};
        f.return_type = TypeId::BOOLEAN;
        f.deterministic = false;
        f.kernel = [](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i);
                out.SetNull(i, n);
                if (n) continue;
                int64_t secs = std::clamp<int64_t>(a[0]->Data<int64_t>()[i], 0, kMaxSleepSeconds);
                std::this_thread::sleep_for(std::chrono::seconds(secs));
                out.Data<uint8_t>()[i] = 1;
            }
        };
        return f;
    });
    r.AddScalar("host_name", Overloads("host_name", {{{}, LogicalType::Varchar(), [](Args, size_t rows, Column& out) {
                                                          char buf[256] = {0};
                                                          if (gethostname(buf, sizeof(buf) - 1) != 0) buf[0] = 0;
                                                          for (size_t i = 0; i < rows; ++i) {
                                                              out.SetNull(i, false);
                                                              out.SetString(i, buf);
                                                          }
                                                      }}}));
}

}  // namespace floe
