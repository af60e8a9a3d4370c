#include "common/error_code.h"

namespace floe {

namespace {
struct ErrorInfo {
    uint16_t errno_value;
    std::string_view sqlstate;
};

ErrorInfo Lookup(ErrorCode code) {
    switch (code) {
        case ErrorCode::INTERNAL:
            return {1105, "HY000"};
        case ErrorCode::NOT_SUPPORTED:
            return {1235, "42000"};
        case ErrorCode::PARSE:
            return {1064, "42000"};
        case ErrorCode::ACCESS_DENIED:
            return {1045, "28000"};
        case ErrorCode::DB_ACCESS_DENIED:
            return {1044, "42000"};
        case ErrorCode::UNKNOWN_DATABASE:
            return {1049, "42000"};
        case ErrorCode::DATABASE_EXISTS:
            return {1007, "HY000"};
        case ErrorCode::DATABASE_NOT_EXISTS:
            return {1008, "HY000"};
        case ErrorCode::NO_DATABASE_SELECTED:
            return {1046, "3D000"};
        case ErrorCode::UNKNOWN_TABLE:
            return {1146, "42S02"};
        case ErrorCode::TABLE_EXISTS:
            return {1050, "42S01"};
        case ErrorCode::UNKNOWN_COLUMN:
            return {1054, "42S22"};
        case ErrorCode::AMBIGUOUS_COLUMN:
            return {1052, "23000"};
        case ErrorCode::UNKNOWN_FUNCTION:
            return {1305, "42000"};
        case ErrorCode::WRONG_ARGUMENTS:
            return {1582, "42000"};
        case ErrorCode::UNKNOWN_SYSTEM_VARIABLE:
            return {1193, "HY000"};
        case ErrorCode::WRONG_VALUE_FOR_VARIABLE:
            return {1231, "42000"};
        case ErrorCode::READ_ONLY_VARIABLE:
            return {1238, "HY000"};
        case ErrorCode::USER_EXISTS:
            return {1396, "HY000"};
        case ErrorCode::UNKNOWN_USER:
            return {1396, "HY000"};
        case ErrorCode::TYPE_MISMATCH:
            return {1210, "HY000"};
        case ErrorCode::CONVERSION:
            return {1292, "22007"};
        case ErrorCode::DIVISION_BY_ZERO:
            return {1365, "22012"};
        case ErrorCode::OUT_OF_RANGE:
            return {1690, "22003"};
        case ErrorCode::UNKNOWN_STATEMENT:
            return {1243, "HY000"};
        case ErrorCode::WRONG_PARAM_COUNT:
            return {1210, "HY000"};
        case ErrorCode::PACKET_TOO_LARGE:
            return {1153, "08S01"};
        case ErrorCode::MALFORMED_PACKET:
            return {1835, "HY000"};
        case ErrorCode::UNKNOWN_COMMAND:
            return {1047, "08S01"};
        case ErrorCode::OUT_OF_MEMORY:
            return {1037, "HY001"};
        case ErrorCode::IO:
            return {1030, "HY000"};
        case ErrorCode::QUERY_INTERRUPTED:
            return {1317, "70100"};
        case ErrorCode::TOO_MANY_CONNECTIONS:
            return {1040, "08004"};
        case ErrorCode::DATA_TOO_LONG:
            return {1406, "22001"};
        case ErrorCode::ILLEGAL_VALUE:
            return {1367, "22007"};
        case ErrorCode::TOO_BIG_DISPLAYWIDTH:
            return {1439, "42000"};
        case ErrorCode::TOO_BIG_PRECISION:
            return {1426, "42000"};
        case ErrorCode::NO_SUCH_THREAD:
            return {1094, "HY000"};
        case ErrorCode::INVALID_DEFAULT:
            return {1067, "42000"};
        case ErrorCode::PRIVILEGE_DENIED:
            return {5203, "42000"};
        case ErrorCode::SPECIFIC_ACCESS:
            return {1227, "42000"};
        case ErrorCode::FILE_ACCESS_DENIED:
            return {1290, "HY000"};
        case ErrorCode::ACCOUNT_LOCKED:
            return {3118, "HY000"};
        case ErrorCode::ACCOUNT_BLOCKED:
            return {3955, "HY000"};
        case ErrorCode::USER_CONNECTIONS:
            return {1203, "42000"};
        case ErrorCode::INSECURE_TRANSPORT:
            return {5205, "HY000"};
        case ErrorCode::UNKNOWN_TIME_ZONE:
            return {1298, "HY000"};
        case ErrorCode::WRONG_VALUE_COUNT:
            return {1136, "21S01"};
        case ErrorCode::BAD_NULL:
            return {1048, "23000"};
        case ErrorCode::BAD_FIELD_VALUE:
            return {1366, "HY000"};
        case ErrorCode::SUBQUERY_ROWS:
            return {1242, "21000"};
        case ErrorCode::LABEL_ALREADY_EXISTS:
            return {1062, "23000"};
    }
    return {1105, "HY000"};
}
}  // namespace

uint16_t MysqlErrno(ErrorCode code) {
    return Lookup(code).errno_value;
}
std::string_view SqlState(ErrorCode code) {
    return Lookup(code).sqlstate;
}

}  // namespace floe
