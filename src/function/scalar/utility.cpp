// Utility functions: isnull/isnotnull, uuid()/uuid_numeric() (random, version 4), uuidv7() and
// uuid_v7_numeric() (time-ordered, version 7), sleep(seconds), host_name(). The uuids and sleep
// are not deterministic: each row gets its own call.
#include <unistd.h>

#include <chrono>
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

}  // namespace

void RegisterUtilityFunctions(FunctionRegistry& r) {
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
