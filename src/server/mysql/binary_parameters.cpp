#include "server/mysql/binary_parameters.h"

#include <fmt/format.h>

#include <cstring>

#include "common/exception.h"
#include "server/mysql/packet_codec.h"
#include "server/mysql/protocol.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe::mysql {

uint32_t PeekStatementId(std::string_view payload) {
    PacketReader r(payload);
    r.ReadU8();  // command byte
    return r.ReadU32();
}

namespace {

Value DecodeTemporal(PacketReader& r, ColumnType type) {
    uint8_t len = r.ReadU8();
    if (len != 0 && len != 4 && len != 7 && len != 11) {
        throw ProtocolError("malformed packet: invalid DATE/DATETIME length " + std::to_string(len));
    }
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    uint32_t micros = 0;
    if (len >= 4) {
        year = r.ReadU16();
        month = r.ReadU8();
        day = r.ReadU8();
    }
    if (len >= 7) {
        hour = r.ReadU8();
        minute = r.ReadU8();
        second = r.ReadU8();
    }
    if (len == 11) micros = r.ReadU32();
    if (len == 0)
        return type == ColumnType::DATE ? Value::Date(DaysFromCivil(0, 1, 1))
                                        : Value::Datetime(DaysFromCivil(0, 1, 1) * kMicrosPerDay);
    if (!IsValidCivil(year, static_cast<uint32_t>(month), static_cast<uint32_t>(day)) || hour > 23 || minute > 59 ||
        second > 59 || micros > 999999) {
        throw ConversionError(fmt::format("invalid date/time parameter {:04}-{:02}-{:02} {:02}:{:02}:{:02}", year,
                                          month, day, hour, minute, second));
    }
    int32_t days = DaysFromCivil(year, static_cast<uint32_t>(month), static_cast<uint32_t>(day));
    if (type == ColumnType::DATE) return Value::Date(days);
    return Value::Datetime(static_cast<int64_t>(days) * kMicrosPerDay +
                           (hour * 3600LL + minute * 60 + second) * kMicrosPerSecond + micros);
}

Value DecodeTime(PacketReader& r) {
    uint8_t len = r.ReadU8();
    if (len == 0) return Value::Varchar("00:00:00");
    if (len != 8 && len != 12) throw ProtocolError("malformed packet: invalid TIME length " + std::to_string(len));
    bool negative = r.ReadU8() != 0;
    uint32_t days = r.ReadU32();
    int hours = r.ReadU8(), minutes = r.ReadU8(), seconds = r.ReadU8();
    uint32_t micros = len == 12 ? r.ReadU32() : 0;
    std::string s = fmt::format("{}{:02}:{:02}:{:02}", negative ? "-" : "", days * 24 + hours, minutes, seconds);
    if (micros) s += fmt::format(".{:06}", micros);
    return Value::Varchar(s);
}

Value DecimalFromText(std::string_view text) {
    size_t dot = text.find('.');
    int scale = dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
    int digits = 0;
    for (char c : text) digits += (c >= '0' && c <= '9');
    if (digits <= 38 && scale <= 38) {
        if (auto d = ParseDecimal(text, std::max(digits, 1), scale)) {
            return Value::Decimal(*d, static_cast<uint8_t>(std::max(digits, scale)), static_cast<uint8_t>(scale));
        }
    }
    return Value::Varchar(std::string(text));
}

}  // namespace

ExecuteRequest DecodeExecute(std::string_view payload, StatementParameters& state) {
    PacketReader r(payload);
    r.ReadU8();  // COM_STMT_EXECUTE
    ExecuteRequest req;
    req.statement_id = r.ReadU32();
    req.flags = r.ReadU8();
    r.ReadU32();  // iteration count, always 1
    uint32_t n = state.count;
    if (n == 0) return req;
    std::string_view null_bitmap = r.ReadBytes((n + 7) / 8);
    uint8_t new_bound = r.ReadU8();
    if (new_bound) {
        state.types.resize(n);
        for (uint32_t i = 0; i < n; ++i) state.types[i] = r.ReadU16();
    } else if (state.types.size() != n) {
        throw ProtocolError("malformed packet: parameter types were never sent for this statement");
    }
    req.params.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        bool is_null = (static_cast<uint8_t>(null_bitmap[i / 8]) >> (i % 8)) & 1;
        auto ld = state.long_data.find(static_cast<uint16_t>(i));
        if (ld != state.long_data.end()) {
            req.params.push_back(Value::Varchar(ld->second));
            continue;
        }
        if (is_null) {
            req.params.push_back(Value::Null());
            continue;
        }
        auto type = static_cast<ColumnType>(state.types[i] & 0xFF);
        bool is_unsigned = (state.types[i] >> 8) & 0x80;
        switch (type) {
            case ColumnType::NULL_TYPE:
                req.params.push_back(Value::Null());
                break;
            case ColumnType::TINY: {
                uint8_t v = r.ReadU8();
                req.params.push_back(Value::Integer(is_unsigned ? v : static_cast<int8_t>(v)));
                break;
            }
            case ColumnType::SHORT:
            case ColumnType::YEAR: {
                uint16_t v = r.ReadU16();
                req.params.push_back(Value::Integer(is_unsigned ? v : static_cast<int16_t>(v)));
                break;
            }
            case ColumnType::LONG:
            case ColumnType::INT24: {
                uint32_t v = r.ReadU32();
                req.params.push_back(Value::Integer(is_unsigned ? static_cast<int64_t>(v) : static_cast<int32_t>(v)));
                break;
            }
            case ColumnType::LONGLONG: {
                uint64_t v = r.ReadU64();
                if (is_unsigned && v > static_cast<uint64_t>(INT64_MAX)) {
                    req.params.push_back(Value::LargeInt(static_cast<int128_t>(v)));
                } else {
                    req.params.push_back(Value::Integer(static_cast<int64_t>(v)));
                }
                break;
            }
            case ColumnType::FLOAT: {
                uint32_t bits = r.ReadU32();
                float f;
                std::memcpy(&f, &bits, 4);
                req.params.push_back(Value::Double(f));
                break;
            }
            case ColumnType::DOUBLE: {
                uint64_t bits = r.ReadU64();
                double d;
                std::memcpy(&d, &bits, 8);
                req.params.push_back(Value::Double(d));
                break;
            }
            case ColumnType::DECIMAL:
            case ColumnType::NEWDECIMAL:
                req.params.push_back(DecimalFromText(r.ReadLenencString()));
                break;
            case ColumnType::DATE:
            case ColumnType::DATETIME:
            case ColumnType::TIMESTAMP:
                req.params.push_back(DecodeTemporal(r, type));
                break;
            case ColumnType::TIME:
                req.params.push_back(DecodeTime(r));
                break;
            case ColumnType::VARCHAR:
            case ColumnType::VAR_STRING:
            case ColumnType::STRING:
            case ColumnType::TINY_BLOB:
            case ColumnType::MEDIUM_BLOB:
            case ColumnType::LONG_BLOB:
            case ColumnType::BLOB:
            case ColumnType::JSON:
            case ColumnType::ENUM:
            case ColumnType::SET:
            case ColumnType::BIT:
            case ColumnType::GEOMETRY:
                req.params.push_back(Value::Varchar(std::string(r.ReadLenencString())));
                break;
            default:
                throw ProtocolError(
                    "malformed packet: unsupported parameter type " + std::to_string(static_cast<int>(type)),
                    ErrorCode::NOT_SUPPORTED);
        }
    }
    return req;
}

}  // namespace floe::mysql
