#include "ingest/debezium.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/ascii.h"
#include "common/base64.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe {

namespace {

constexpr std::string_view kUnavailable = "__debezium_unavailable_value";

/// A field's schema: its Connect type, logical name and decimal scale.
struct FieldSchema {
    std::string type, name;
    int scale = 0;
};
using FieldSchemas = std::map<std::string, FieldSchema>;  // lower-case field name -> schema

/// The fields of the struct called `struct_name` ("after", "before") in a value schema, or of the
/// schema itself (a key schema).
FieldSchemas SchemaFields(simdjson::dom::element schema, std::string_view struct_name) {
    FieldSchemas out;
    simdjson::dom::array fields;
    if (schema["fields"].get_array().get(fields) != simdjson::SUCCESS) return out;
    if (!struct_name.empty()) {
        for (auto f : fields) {
            std::string_view name;
            if (f["field"].get_string().get(name) == simdjson::SUCCESS && name == struct_name) {
                return SchemaFields(f, "");
            }
        }
        return out;
    }
    for (auto f : fields) {
        std::string_view name, type, logical;
        if (f["field"].get_string().get(name) != simdjson::SUCCESS) continue;
        FieldSchema s;
        if (f["type"].get_string().get(type) == simdjson::SUCCESS) s.type = std::string(type);
        if (f["name"].get_string().get(logical) == simdjson::SUCCESS) s.name = std::string(logical);
        std::string_view scale;
        int64_t scale_number;
        if (f["parameters"]["scale"].get_string().get(scale) == simdjson::SUCCESS) {
            s.scale = std::atoi(std::string(scale).c_str());
        } else if (f["parameters"]["scale"].get_int64().get(scale_number) == simdjson::SUCCESS) {
            s.scale = static_cast<int>(scale_number);
        }
        out[AsciiLower(name)] = std::move(s);
    }
    return out;
}

/// A big-endian two's-complement integer (Connect's Decimal bytes) as a decimal with `scale`.
std::string UnscaledToText(const std::string& bytes, int scale, const std::string& field) {
    if (bytes.empty() || bytes.size() > 16) {
        throw LoadError("field '" + field + "': a decimal of " + std::to_string(bytes.size()) +
                        " bytes (1 to 16 are readable)");
    }
    int128_t v = (static_cast<signed char>(bytes[0]) < 0) ? -1 : 0;
    for (unsigned char b : bytes) v = (v << 8) | b;
    if (scale < 0 || scale > 38) throw LoadError("field '" + field + "': decimal scale " + std::to_string(scale));
    return FormatDecimal(v, scale);
}

std::string Base64Decimal(std::string_view text, int scale, const std::string& field) {
    auto bytes = Base64Decode(text);
    if (!bytes) throw LoadError("field '" + field + "': '" + std::string(text.substr(0, 64)) + "' is not base64");
    return UnscaledToText(*bytes, scale, field);
}

std::string TimeOfDay(int64_t micros) {
    if (micros < 0 || micros >= kMicrosPerDay) return std::to_string(micros);
    std::string t = FormatDatetime(micros, micros % kMicrosPerSecond ? 6 : 0);
    return t.substr(11);
}

std::string DatetimeOf(int64_t micros) {
    return FormatDatetime(micros, micros % kMicrosPerSecond ? 6 : 0);
}

/// ISO-8601 with a zone ("2026-01-02T03:04:05.123Z", "...+02:00") as a UTC DATETIME text.
std::string ZonedToUtc(std::string_view text, const std::string& field) {
    std::string s(text);
    int64_t offset_seconds = 0;
    if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
        s.pop_back();
    } else if (s.size() > 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') && s[s.size() - 3] == ':') {
        int sign = s[s.size() - 6] == '-' ? -1 : 1;
        offset_seconds = sign * (std::atoi(s.substr(s.size() - 5, 2).c_str()) * 3600 +
                                 std::atoi(s.substr(s.size() - 2, 2).c_str()) * 60);
        s.resize(s.size() - 6);
    }
    auto micros = ParseDatetime(s);
    if (!micros) throw LoadError("field '" + field + "': '" + std::string(text.substr(0, 64)) + "' is not a timestamp");
    return DatetimeOf(*micros - offset_seconds * kMicrosPerSecond);
}

/// An integer count since the epoch, in the unit its magnitude suggests (no schema to say):
/// milliseconds until year ~5138, then microseconds, then nanoseconds.
int64_t EpochMicrosByMagnitude(int64_t v) {
    int64_t a = v < 0 ? -v : v;
    if (a < 100'000'000'000'000LL) return v * 1000;
    if (a < 100'000'000'000'000'000LL) return v;
    return v / 1000;
}

std::string NumberText(simdjson::dom::element e) {
    int64_t i;
    uint64_t u;
    double d;
    if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
    if (e.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
    if (e.get_double().get(d) == simdjson::SUCCESS) return fmt::format("{}", d);
    return "";
}

/// One field's value as the JSON the load reads: the text form of its column type.
std::string ConvertValue(simdjson::dom::element e, const FieldSchema* schema, const LogicalType* column,
                         const std::string& field) {
    if (e.is_null()) return "null";
    std::string_view text;
    const bool is_string = e.get_string().get(text) == simdjson::SUCCESS;
    if (is_string && text == kUnavailable) return "";  // the caller keeps the stored value
    const std::string name = schema ? schema->name : "";
    int64_t i = 0;
    const bool is_int = e.get_int64().get(i) == simdjson::SUCCESS;
    if (name == "org.apache.kafka.connect.data.Decimal" && is_string) {
        return JsonString(Base64Decimal(text, schema->scale, field));
    }
    if (name == "io.debezium.data.VariableScaleDecimal") {
        int64_t scale = 0;
        std::string_view value;
        if (e["scale"].get_int64().get(scale) != simdjson::SUCCESS ||
            e["value"].get_string().get(value) != simdjson::SUCCESS) {
            throw LoadError("field '" + field + "': a VariableScaleDecimal needs scale and value");
        }
        return JsonString(Base64Decimal(value, static_cast<int>(scale), field));
    }
    if (is_int) {
        if (name == "io.debezium.time.Date" || name == "org.apache.kafka.connect.data.Date") {
            return JsonString(FormatDate(static_cast<int32_t>(i)));
        }
        if (name == "io.debezium.time.Time" || name == "org.apache.kafka.connect.data.Time") {
            return JsonString(TimeOfDay(i * 1000));
        }
        if (name == "io.debezium.time.MicroTime") return JsonString(TimeOfDay(i));
        if (name == "io.debezium.time.NanoTime") return JsonString(TimeOfDay(i / 1000));
        if (name == "io.debezium.time.Timestamp" || name == "org.apache.kafka.connect.data.Timestamp") {
            return JsonString(DatetimeOf(i * 1000));
        }
        if (name == "io.debezium.time.MicroTimestamp") return JsonString(DatetimeOf(i));
        if (name == "io.debezium.time.NanoTimestamp") return JsonString(DatetimeOf(i / 1000));
    }
    if (is_string && (name == "io.debezium.time.ZonedTimestamp" || name == "io.debezium.time.IsoTimestamp")) {
        return JsonString(ZonedToUtc(text, field));
    }
    if (name.empty() && column) {
        // No schema: the column's type says how to read the value.
        if (is_int && column->id == TypeId::DATE) return JsonString(FormatDate(static_cast<int32_t>(i)));
        if (is_int && column->id == TypeId::DATETIME) return JsonString(DatetimeOf(EpochMicrosByMagnitude(i)));
        if (is_string && column->id == TypeId::DATETIME && (text.find('T') != std::string_view::npos)) {
            return JsonString(ZonedToUtc(text, field));
        }
        if (is_string && column->id == TypeId::DECIMAL && !ParseDecimal(text, 38, column->scale) &&
            Base64Decode(text)) {
            return JsonString(Base64Decimal(text, column->scale, field));
        }
    }
    if (is_string) return JsonString(text);
    std::string number = NumberText(e);
    if (!number.empty()) return number;
    bool b;
    if (e.get_bool().get(b) == simdjson::SUCCESS) return b ? "1" : "0";
    return JsonString(simdjson::minify(e));  // a struct or array: its JSON text
}

/// The payload of a JsonConverter message (`{"schema":..,"payload":..}`), or the message itself;
/// the schema when there is one.
std::pair<simdjson::dom::element, std::optional<simdjson::dom::element>> Unwrap(simdjson::dom::element doc) {
    simdjson::dom::element payload, schema;
    if (doc.is_object() && doc["payload"].get(payload) == simdjson::SUCCESS &&
        doc["schema"].get(schema) == simdjson::SUCCESS) {
        return {payload, schema.is_null() ? std::nullopt : std::optional(schema)};
    }
    return {doc, std::nullopt};
}

bool Blank(std::string_view s) {
    for (char c : s) {
        if (!std::isspace(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

/// The event's source position (DebeziumTarget::position), or nullopt when it has none.
std::optional<int64_t> SourcePosition(simdjson::dom::element payload, const std::string& kind) {
    simdjson::dom::element source;
    if (payload["source"].get(source) != simdjson::SUCCESS || !source.is_object()) return std::nullopt;
    int64_t v;
    if ((kind == "auto" || kind == "lsn") && source["lsn"].get_int64().get(v) == simdjson::SUCCESS) return v;
    if (kind == "auto" || kind == "binlog") {
        std::string_view file;
        int64_t pos, row = 0;
        if (source["file"].get_string().get(file) == simdjson::SUCCESS &&
            source["pos"].get_int64().get(pos) == simdjson::SUCCESS) {
            if (source["row"].get_int64().get(row) != simdjson::SUCCESS) row = 0;
            size_t dot = file.rfind('.');
            int64_t number = 0;
            for (size_t i = dot == std::string_view::npos ? file.size() : dot + 1; i < file.size(); ++i) {
                if (file[i] < '0' || file[i] > '9') return std::nullopt;
                number = number * 10 + (file[i] - '0');
                if (number > (int64_t{1} << 22)) return std::nullopt;
            }
            if (pos < 0 || pos >= (int64_t{1} << 32)) return std::nullopt;
            return (number << 40) | (pos << 8) | std::clamp<int64_t>(row, 0, 255);
        }
    }
    if ((kind == "auto" || kind == "ts_ms") && source["ts_ms"].get_int64().get(v) == simdjson::SUCCESS) return v;
    return std::nullopt;
}

}  // namespace

DebeziumRow DecodeDebezium(std::string_view key, std::string_view value, const DebeziumTarget& target) {
    DebeziumRow row;
    if (Blank(value) || value == "null") {
        row.skip = true;  // a tombstone: only there for log compaction
        return row;
    }
    simdjson::dom::parser value_parser, key_parser;
    simdjson::dom::element doc;
    if (auto err = value_parser.parse(value.data(), value.size()).get(doc)) {
        throw LoadError(std::string("the change event is not JSON: ") + simdjson::error_message(err));
    }
    auto [payload, schema] = Unwrap(doc);
    if (payload.is_null()) {
        row.skip = true;
        return row;
    }
    if (!payload.is_object()) throw LoadError("the change event is not a JSON object");
    std::string_view op;
    if (payload["op"].get_string().get(op) != simdjson::SUCCESS) {
        // Heartbeats, transaction BEGIN/END markers and schema changes carry no op.
        row.skip = true;
        return row;
    }
    if (op == "m") {
        row.skip = true;
        return row;
    }
    if (op == "t") {
        row.truncate = true;
        if (!target.position_column.empty()) {
            row.position = SourcePosition(payload, target.position);
            if (!row.position) {
                throw LoadError("the truncate event has no source position (" + target.position +
                                "): set debezium.position to one the connector sends");
            }
        }
        return row;
    }
    if (op != "c" && op != "r" && op != "u" && op != "d") {
        throw LoadError("unknown Debezium op '" + std::string(op.substr(0, 16)) + "' (c, r, u, d, t and m are known)");
    }
    row.remove = op == "d";
    if (row.remove && !target.primary_key && !target.change_log) {
        throw LoadError(
            "a delete event (op 'd') for a table without a primary key: deletes apply to PRIMARY KEY "
            "tables only");
    }
    const char* image = row.remove ? "before" : "after";
    simdjson::dom::element data;
    bool have_data = payload[image].get(data) == simdjson::SUCCESS && data.is_object();
    if (!have_data && !row.remove) {
        throw LoadError(std::string("op '") + std::string(op) + "' without an \"after\" object");
    }
    FieldSchemas fields = schema ? SchemaFields(*schema, image) : FieldSchemas{};
    // The message key (the primary key's columns): what the row lacks comes from it.
    simdjson::dom::element key_payload;
    FieldSchemas key_fields;
    bool have_key = false;
    if (!Blank(key) && key != "null") {
        simdjson::dom::element key_doc;
        if (key_parser.parse(key.data(), key.size()).get(key_doc) == simdjson::SUCCESS) {
            auto [kp, ks] = Unwrap(key_doc);
            if (kp.is_object()) {
                key_payload = kp;
                have_key = true;
                if (ks) key_fields = SchemaFields(*ks, "");
            }
        }
    }
    if (!have_data && !have_key) {
        throw LoadError("a delete event without a \"before\" image or a message key: nothing says which row to delete");
    }
    std::string out = "{";
    std::map<std::string, bool> written;
    std::string unchanged;  // columns whose stored value stays (unchanged TOASTed values)
    auto add = [&](std::string_view field_name, simdjson::dom::element v, const FieldSchemas& schemas) {
        std::string lower = AsciiLower(field_name);
        auto column = target.columns.find(lower);
        if (column == target.columns.end() || written.count(lower)) return;  // not a column of the table
        if (lower == target.position_column) return;                         // the source position's
        if (!target.op_column.empty() && lower == target.op_column) return;  // the op letter's
        auto s = schemas.find(lower);
        std::string field(field_name);
        std::string value = ConvertValue(v, s == schemas.end() ? nullptr : &s->second, &column->second, field);
        written[lower] = true;
        if (value.empty()) {
            if (!target.primary_key) {
                throw LoadError("field '" + field +
                                "' holds Debezium's placeholder for an unchanged TOASTed value; keeping the stored "
                                "value needs a PRIMARY KEY table");
            }
            unchanged += (unchanged.empty() ? "" : ",") + column->first;
            return;
        }
        out += (out.size() == 1 ? "" : ",") + JsonString(column->first) + ":" + value;
    };
    if (have_data) {
        for (auto [k, v] : simdjson::dom::object(data)) add(k, v, fields);
    }
    if (have_key) {
        for (auto [k, v] : simdjson::dom::object(key_payload)) add(k, v, key_fields);
    }
    if (!target.position_column.empty()) {
        auto position = SourcePosition(payload, target.position);
        if (!position) {
            throw LoadError("the event has no source position (" + target.position +
                            "): set debezium.position to one the connector sends");
        }
        out += std::string(out.size() == 1 ? "" : ",") + JsonString(target.position_column) + ":" +
               std::to_string(*position);
        written[target.position_column] = true;
    }
    if (!target.op_column.empty()) {
        out +=
            std::string(out.size() == 1 ? "" : ",") + JsonString(target.op_column) + ":" + JsonString(std::string(op));
        written[target.op_column] = true;
    }
    if (target.change_log) row.remove = false;  // appended like any other event
    if (target.primary_key) {
        out += std::string(out.size() == 1 ? "" : ",") + "\"__op\":" + (row.remove ? "1" : "0");
        if (!unchanged.empty()) out += ",\"__unchanged\":" + JsonString(unchanged);
    }
    out += "}";
    row.document = std::move(out);
    return row;
}

}  // namespace floe
