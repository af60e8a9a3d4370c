#pragma once
/// Error codes a user can cause, each mapped to the MySQL errno and SQLSTATE that clients expect.
/// The server turns an Exception's code into an ERR packet; keep this table the single source.

#include <cstdint>
#include <string_view>

namespace floe {

enum class ErrorCode : uint16_t {
    INTERNAL,                  // 1105 HY000: a bug in Floe
    NOT_SUPPORTED,             // 1235 42000
    PARSE,                     // 1064 42000
    ACCESS_DENIED,             // 1045 28000
    DB_ACCESS_DENIED,          // 1044 42000
    UNKNOWN_DATABASE,          // 1049 42000
    DATABASE_EXISTS,           // 1007 HY000
    DATABASE_NOT_EXISTS,       // 1008 HY000
    NO_DATABASE_SELECTED,      // 1046 3D000
    UNKNOWN_TABLE,             // 1146 42S02
    TABLE_EXISTS,              // 1050 42S01
    UNKNOWN_COLUMN,            // 1054 42S22
    AMBIGUOUS_COLUMN,          // 1052 23000
    UNKNOWN_FUNCTION,          // 1305 42000
    WRONG_ARGUMENTS,           // 1582 42000
    UNKNOWN_SYSTEM_VARIABLE,   // 1193 HY000
    WRONG_VALUE_FOR_VARIABLE,  // 1231 42000
    READ_ONLY_VARIABLE,        // 1238 HY000
    USER_EXISTS,               // 1396 HY000 (operation CREATE USER failed)
    UNKNOWN_USER,              // 1396 HY000 (operation DROP USER failed)
    TYPE_MISMATCH,             // 1210 HY000 (incorrect arguments)
    CONVERSION,                // 1292 22007 (truncated incorrect value)
    DIVISION_BY_ZERO,          // 1365 22012
    OUT_OF_RANGE,              // 1690 22003
    UNKNOWN_STATEMENT,         // 1243 HY000 (unknown prepared statement handler)
    WRONG_PARAM_COUNT,         // 1210 HY000
    PACKET_TOO_LARGE,          // 1153 08S01
    MALFORMED_PACKET,          // 1835 HY000
    UNKNOWN_COMMAND,           // 1047 08S01
    OUT_OF_MEMORY,             // 1037 HY001
    IO,                        // 1030 HY000
    QUERY_INTERRUPTED,         // 1317 70100
    TOO_MANY_CONNECTIONS,      // 1040 08004
    WRONG_VALUE_COUNT,         // 1136 21S01 (column count doesn't match value count)
    BAD_NULL,                  // 1048 23000 (column cannot be null)
    BAD_FIELD_VALUE,           // 1366 HY000 (incorrect value for column)
    SUBQUERY_ROWS,             // 1242 21000 (subquery returns more than 1 row)
    LABEL_ALREADY_EXISTS,      // 1062 23000 (a load label that already committed)
    UNKNOWN_TIME_ZONE,         // 1298 HY000
    DATA_TOO_LONG,             // 1406 22001
    ILLEGAL_VALUE,             // 1367 22007 (illegal double '1e309' value found during parsing)
    TOO_BIG_DISPLAYWIDTH,      // 1439 42000 (display width out of range)
    TOO_BIG_PRECISION,         // 1426 42000 (too-big precision specified)
    NO_SUCH_THREAD,            // 1094 HY000 (unknown thread id)
    INVALID_DEFAULT,           // 1067 42000 (invalid default value for a column)
    // Access control.
    PRIVILEGE_DENIED,    // 5203 42000 (StarRocks' ERR_ACCESS_DENIED: a privilege on an object)
    SPECIFIC_ACCESS,     // 1227 42000 (you need the ... privilege(s) for this operation)
    FILE_ACCESS_DENIED,  // 1290 HY000 (a path outside the file roots: MySQL's secure_file_priv error)
    ACCOUNT_LOCKED,      // 3118 HY000 (ACCOUNT LOCK)
    ACCOUNT_BLOCKED,     // 3955 HY000 (locked after FAILED_LOGIN_ATTEMPTS)
    USER_CONNECTIONS,    // 1203 42000 (max_user_connections)
    INSECURE_TRANSPORT,  // 5205 HY000 (require_secure_transport)
};

/// The MySQL errno sent to clients for `code`.
uint16_t MysqlErrno(ErrorCode code);
/// The five-character SQLSTATE sent to clients for `code`.
std::string_view SqlState(ErrorCode code);

}  // namespace floe
