#include "server/mysql/result_encoder.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "server/mysql/packet_codec.h"
#include "types/array.h"
#include "types/date_time.h"
#include "types/decimal.h"
#include "types/value.h"

namespace floe::mysql {

ColumnTypeInfo DescribeType(const LogicalType& type, bool nullable) {
    uint16_t nn = nullable ? 0 : kNotNullFlag;
    uint16_t num = nn | kBinaryFlag | kNumFlag;
    switch (type.id) {
        case TypeId::BOOLEAN:
            return {ColumnType::TINY, num, kCharsetBinary, 1, 0};
        case TypeId::TINYINT:
            return {ColumnType::TINY, num, kCharsetBinary, 4, 0};
        case TypeId::SMALLINT:
            return {ColumnType::SHORT, num, kCharsetBinary, 6, 0};
        case TypeId::INT:
            return {ColumnType::LONG, num, kCharsetBinary, 11, 0};
        case TypeId::BIGINT:
            return {ColumnType::LONGLONG, num, kCharsetBinary, 20, 0};
        case TypeId::LARGEINT:
            return {ColumnType::NEWDECIMAL, num, kCharsetBinary, 40, 0};
        case TypeId::FLOAT:
            return {ColumnType::FLOAT, num, kCharsetBinary, 12, 31};
        case TypeId::DOUBLE:
            return {ColumnType::DOUBLE, num, kCharsetBinary, 22, 31};
        case TypeId::DECIMAL:
            return {ColumnType::NEWDECIMAL, num, kCharsetBinary, static_cast<uint32_t>(type.precision + 2u),
                    type.scale};
        case TypeId::DATE:
            return {ColumnType::DATE, static_cast<uint16_t>(nn | kBinaryFlag), kCharsetBinary, 10, 0};
        case TypeId::DATETIME:
            return {ColumnType::DATETIME, static_cast<uint16_t>(nn | kBinaryFlag), kCharsetBinary,
                    static_cast<uint32_t>(19 + (type.scale ? type.scale + 1 : 0)), type.scale};
        case TypeId::NULL_TYPE:
            return {ColumnType::NULL_TYPE, static_cast<uint16_t>(kBinaryFlag), kCharsetBinary, 0, 0};
        default: {
            uint32_t len = type.length ? type.length * 3u : 65533u * 3u;
            return {ColumnType::VAR_STRING, nn, kCharsetUtf8, len, 31};
        }
    }
}

std::string EncodeOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status, uint16_t warnings,
                     std::string_view info, uint8_t header) {
    PacketWriter w;
    w.WriteU8(header);
    w.WriteLenencInt(affected_rows);
    w.WriteLenencInt(last_insert_id);
    w.WriteU16(status);
    w.WriteU16(warnings);
    // The info text as a length-encoded string, as MySQL servers write it (net_store_data):
    // MariaDB's client library reads it that way and rejects a bare string as a malformed packet.
    if (!info.empty()) w.WriteLenencString(info);
    return w.payload();
}

std::string EncodeErr(uint16_t error_number, std::string_view sqlstate, std::string_view message) {
    PacketWriter w;
    w.WriteU8(0xFF);
    w.WriteU16(error_number);
    w.WriteU8('#');
    w.WriteBytes(sqlstate.substr(0, 5));
    // Keep the message within what clients print comfortably.
    w.WriteBytes(message.substr(0, 16000));
    return w.payload();
}

std::string EncodeEof(uint16_t status, uint16_t warnings) {
    PacketWriter w;
    w.WriteU8(0xFE);
    w.WriteU16(warnings);
    w.WriteU16(status);
    return w.payload();
}

std::string EncodeResultEnd(bool deprecate_eof, uint16_t status) {
    return deprecate_eof ? EncodeOk(0, 0, status, 0, {}, 0xFE) : EncodeEof(status);
}

std::string EncodeColumnDefinition(const ResultColumn& c, bool field_list) {
    ColumnTypeInfo info = DescribeType(c.type, c.nullable);
    PacketWriter w;
    w.WriteLenencString("def");
    w.WriteLenencString(c.schema);
    w.WriteLenencString(c.table);
    w.WriteLenencString(c.org_table);
    w.WriteLenencString(c.name);
    w.WriteLenencString(c.org_name);
    w.WriteLenencInt(0x0c);
    w.WriteU16(info.charset);
    w.WriteU32(info.length);
    w.WriteU8(static_cast<uint8_t>(info.type));
    w.WriteU16(info.flags);
    w.WriteU8(info.decimals);
    w.WriteU16(0);
    if (field_list) w.WriteU8(0xFB);  // no default value
    return w.payload();
}

namespace {

template <typename T>
void AppendInteger(std::string& out, T v) {
    char buf[48];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, res.ptr);
}

/// Appends the text form of row `row` of `col` (not null).
void AppendText(const Column& col, size_t row, std::string& out) {
    switch (col.type().id) {
        case TypeId::BOOLEAN:
            out.push_back(col.Data<uint8_t>()[row] ? '1' : '0');
            break;
        case TypeId::TINYINT:
            AppendInteger(out, static_cast<int>(col.Data<int8_t>()[row]));
            break;
        case TypeId::SMALLINT:
            AppendInteger(out, col.Data<int16_t>()[row]);
            break;
        case TypeId::INT:
            AppendInteger(out, col.Data<int32_t>()[row]);
            break;
        case TypeId::BIGINT:
            AppendInteger(out, col.Data<int64_t>()[row]);
            break;
        case TypeId::LARGEINT:
            out += FormatInt128(col.Data<int128_t>()[row]);
            break;
        case TypeId::FLOAT: {
            float f = col.Data<float>()[row];
            std::string s = fmt::format("{}", f);
            if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
            out += s;
            break;
        }
        case TypeId::DOUBLE:
            out += FormatDouble(col.Data<double>()[row]);
            break;
        case TypeId::DECIMAL:
            out += FormatDecimal(col.Data<int128_t>()[row], col.type().scale);
            break;
        case TypeId::DATE:
            out += FormatDate(col.Data<int32_t>()[row]);
            break;
        case TypeId::DATETIME:
            out += FormatDatetime(col.Data<int64_t>()[row], col.type().scale);
            break;
        case TypeId::ARRAY:
            out += ArrayToText(col.Strings()[row].view(), col.type().Element());
            break;
        case TypeId::BITMAP:
        case TypeId::HLL:  // as the values show them (bitmap_to_string, the estimate), not their bytes
            out += col.GetValue(row).ToString();
            break;
        default:
            out.append(col.Strings()[row].view());
            break;
    }
}

void AppendLenencText(const Column& col, size_t row, std::string& out, std::string& scratch) {
    scratch.clear();
    AppendText(col, row, scratch);
    PacketWriter w;
    w.WriteLenencInt(scratch.size());
    out += w.payload();
    out += scratch;
}

void AppendBinaryDatetime(std::string& out, int64_t micros, bool date_only) {
    int64_t days = micros / kMicrosPerDay;
    int64_t rem = micros % kMicrosPerDay;
    if (rem < 0) {
        rem += kMicrosPerDay;
        --days;
    }
    CivilDate c = CivilFromDays(static_cast<int32_t>(days));
    int64_t secs = rem / kMicrosPerSecond;
    int64_t frac = rem % kMicrosPerSecond;
    PacketWriter w;
    if (date_only || (rem == 0)) {
        w.WriteU8(4);
        w.WriteU16(static_cast<uint16_t>(c.year));
        w.WriteU8(static_cast<uint8_t>(c.month));
        w.WriteU8(static_cast<uint8_t>(c.day));
    } else {
        w.WriteU8(frac ? 11 : 7);
        w.WriteU16(static_cast<uint16_t>(c.year));
        w.WriteU8(static_cast<uint8_t>(c.month));
        w.WriteU8(static_cast<uint8_t>(c.day));
        w.WriteU8(static_cast<uint8_t>(secs / 3600));
        w.WriteU8(static_cast<uint8_t>((secs / 60) % 60));
        w.WriteU8(static_cast<uint8_t>(secs % 60));
        if (frac) w.WriteU32(static_cast<uint32_t>(frac));
    }
    out += w.payload();
}

void AppendBinary(const Column& col, size_t row, std::string& out, std::string& scratch) {
    PacketWriter w;
    switch (col.type().id) {
        case TypeId::BOOLEAN:
            w.WriteU8(col.Data<uint8_t>()[row]);
            break;
        case TypeId::TINYINT:
            w.WriteU8(static_cast<uint8_t>(col.Data<int8_t>()[row]));
            break;
        case TypeId::SMALLINT:
            w.WriteU16(static_cast<uint16_t>(col.Data<int16_t>()[row]));
            break;
        case TypeId::INT:
            w.WriteU32(static_cast<uint32_t>(col.Data<int32_t>()[row]));
            break;
        case TypeId::BIGINT:
            w.WriteU64(static_cast<uint64_t>(col.Data<int64_t>()[row]));
            break;
        case TypeId::FLOAT: {
            float f = col.Data<float>()[row];
            uint32_t bits;
            std::memcpy(&bits, &f, 4);
            w.WriteU32(bits);
            break;
        }
        case TypeId::DOUBLE: {
            double d = col.Data<double>()[row];
            uint64_t bits;
            std::memcpy(&bits, &d, 8);
            w.WriteU64(bits);
            break;
        }
        case TypeId::DATE:
            AppendBinaryDatetime(out, static_cast<int64_t>(col.Data<int32_t>()[row]) * kMicrosPerDay, true);
            return;
        case TypeId::DATETIME:
            AppendBinaryDatetime(out, col.Data<int64_t>()[row], false);
            return;
        default:
            AppendLenencText(col, row, out, scratch);
            return;
    }
    out += w.payload();
}

}  // namespace

void AppendTextValue(const Column& col, size_t row, std::string& out) {
    AppendText(col, row, out);
}

void EncodeTextRows(const QueryResult& result, const std::function<void(const std::string&)>& emit) {
    std::string row_buf, scratch;
    for (const auto& chunk : result.chunks) {
        size_t live = chunk.live_rows();
        for (size_t i = 0; i < live; ++i) {
            uint32_t r = chunk.LiveRow(i);
            row_buf.clear();
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                const Column& col = chunk.column(c);
                if (col.IsNull(r) || col.type().id == TypeId::NULL_TYPE) {
                    row_buf.push_back(static_cast<char>(0xFB));
                } else {
                    AppendLenencText(col, r, row_buf, scratch);
                }
            }
            emit(row_buf);
        }
    }
}

void EncodeBinaryRows(const QueryResult& result, const std::function<void(const std::string&)>& emit) {
    std::string row_buf, scratch;
    size_t ncols = result.columns.size();
    size_t bitmap_bytes = (ncols + 7 + 2) / 8;
    for (const auto& chunk : result.chunks) {
        size_t live = chunk.live_rows();
        for (size_t i = 0; i < live; ++i) {
            uint32_t r = chunk.LiveRow(i);
            row_buf.assign(1 + bitmap_bytes, '\0');
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                const Column& col = chunk.column(c);
                if (col.IsNull(r) || col.type().id == TypeId::NULL_TYPE) {
                    size_t bit = c + 2;
                    row_buf[1 + bit / 8] = static_cast<char>(row_buf[1 + bit / 8] | (1 << (bit % 8)));
                } else {
                    AppendBinary(col, r, row_buf, scratch);
                }
            }
            emit(row_buf);
        }
    }
}

}  // namespace floe::mysql
