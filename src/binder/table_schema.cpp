#include "binder/table_schema.h"

#include <chrono>
#include <sstream>

#include "common/ascii.h"
#include "common/exception.h"
#include "function/cast.h"
#include "parser/parser.h"
#include "types/date_time.h"

namespace floe {

namespace {

std::string Quote(std::string_view name) {
    std::string out = "`";
    for (char c : name) {
        if (c == '`') out.push_back('`');
        out.push_back(c);
    }
    return out + "`";
}

std::string StringLiteral(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "'";
}

std::string TypeText(const LogicalType& t) {
    if (t.id == TypeId::VARCHAR) return t.length ? "VARCHAR(" + std::to_string(t.length) + ")" : "STRING";
    if (t.id == TypeId::DATETIME && t.scale) return "DATETIME(" + std::to_string(t.scale) + ")";
    return t.ToString();
}

std::string ColumnList(const std::vector<std::string>& cols) {
    std::string s = "(";
    for (size_t i = 0; i < cols.size(); ++i) s += (i ? ", " : "") + Quote(cols[i]);
    return s + ")";
}

}  // namespace

std::vector<LogicalType> TableSchema::Types() const {
    std::vector<LogicalType> out;
    for (const auto& c : columns) out.push_back(c.type);
    return out;
}

int TableSchema::Find(std::string_view name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (AsciiEqualsIgnoreCase(columns[i].name, name)) return static_cast<int>(i);
    }
    return -1;
}

const char* KeysTypeName(ast::KeysType keys) {
    switch (keys) {
        case ast::KeysType::DUPLICATE:
            return "DUPLICATE";
        case ast::KeysType::AGGREGATE:
            return "AGGREGATE";
        case ast::KeysType::UNIQUE:
            return "UNIQUE";
        case ast::KeysType::PRIMARY:
            return "PRIMARY";
    }
    return "DUPLICATE";
}

std::string CanonicalCreateTable(const ast::CreateTableStatement& t) {
    if (t.columns.empty()) throw BinderError("a table needs at least one column", ErrorCode::WRONG_ARGUMENTS);
    ast::KeysType keys = t.keys_type.value_or(ast::KeysType::DUPLICATE);
    const char* model = KeysTypeName(keys);
    if (keys != ast::KeysType::DUPLICATE && t.key_columns.empty()) {
        throw BinderError(std::string(model) + " KEY tables need their key columns: " + model + " KEY(col, ...)",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    // Key columns come first, in key order (as StarRocks requires): rows sort and merge by them.
    for (size_t k = 0; k < t.key_columns.size(); ++k) {
        if (k >= t.columns.size() || !AsciiEqualsIgnoreCase(t.columns[k].name, t.key_columns[k])) {
            throw BinderError("key columns must be the table's first columns, in key order: expected '" +
                                  t.key_columns[k] + "' as column " + std::to_string(k + 1),
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const auto& c = t.columns[i];
        for (size_t j = 0; j < i; ++j) {
            if (AsciiEqualsIgnoreCase(c.name, t.columns[j].name)) {
                throw BinderError("Duplicate column name '" + c.name + "'", ErrorCode::WRONG_ARGUMENTS);
            }
        }
        bool is_key = i < t.key_columns.size();
        if (!c.aggregation.empty() && (keys != ast::KeysType::AGGREGATE || is_key)) {
            throw BinderError("column '" + c.name + "' has an aggregate type, which only value columns of " +
                                  "AGGREGATE KEY tables allow",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (keys == ast::KeysType::AGGREGATE && !is_key && c.aggregation.empty()) {
            throw BinderError("value column '" + c.name +
                                  "' of an AGGREGATE KEY table needs an aggregate type: SUM, MAX, MIN, REPLACE or "
                                  "REPLACE_IF_NOT_NULL",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        bool sketch = c.type.id == TypeId::BITMAP || c.type.id == TypeId::HLL;
        if ((c.aggregation == "BITMAP_UNION" && c.type.id != TypeId::BITMAP) ||
            (c.aggregation == "HLL_UNION" && c.type.id != TypeId::HLL) ||
            (keys == ast::KeysType::AGGREGATE && !is_key && sketch &&
             c.aggregation != (c.type.id == TypeId::BITMAP ? "BITMAP_UNION" : "HLL_UNION"))) {
            throw BinderError(
                "column '" + c.name + "': BITMAP_UNION goes with BITMAP columns and HLL_UNION with HLL columns",
                ErrorCode::WRONG_ARGUMENTS);
        }
        bool array = c.type.id == TypeId::ARRAY;
        if (array && keys == ast::KeysType::AGGREGATE && !is_key && c.aggregation != "REPLACE" &&
            c.aggregation != "REPLACE_IF_NOT_NULL") {
            throw BinderError(
                "ARRAY column '" + c.name + "' of an AGGREGATE KEY table takes REPLACE or REPLACE_IF_NOT_NULL",
                ErrorCode::WRONG_ARGUMENTS);
        }
        if ((sketch || array) && is_key) {
            throw BinderError("column '" + c.name + "' of type " + c.type.ToString() + " cannot be a key column",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (c.aggregation == "SUM" && !c.type.IsNumeric()) {
            throw BinderError("SUM column '" + c.name + "' must be numeric, not " + c.type.ToString(),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!c.type.IsNumeric() && !c.type.IsString() && !c.type.IsTemporal() && !sketch && !array) {
            throw NotSupportedError("column type " + c.type.ToString() + " is not supported in tables yet");
        }
        // A default is a value of the column's type; CURRENT_TIMESTAMP fills DATETIME columns only
        // (as in StarRocks and MySQL: error 1067). Accepted, a LARGEINT DEFAULT CURRENT_TIMESTAMP
        // wrote a DATETIME value into a LARGEINT column at the first INSERT that omitted it.
        if (c.default_value && !c.default_value->is_null()) {
            bool now = c.default_value->type().IsString() && c.default_value->GetString() == "CURRENT_TIMESTAMP";
            bool valid = now && c.type.id == TypeId::DATETIME;
            if (!now) {
                try {
                    valid = !CastValue(*c.default_value, c.type).is_null();
                } catch (const Exception&) {  // no cast between the types at all (ARRAY DEFAULT -1)
                    valid = false;
                }
            }
            if (!valid) throw BinderError("Invalid default value for '" + c.name + "'", ErrorCode::INVALID_DEFAULT);
        }
    }
    auto check_columns = [&](const std::vector<std::string>& cols, const char* what) {
        for (const auto& c : cols) {
            bool found = false;
            for (const auto& col : t.columns) found |= AsciiEqualsIgnoreCase(col.name, c);
            if (!found)
                throw BinderError(std::string(what) + " column '" + c + "' does not exist", ErrorCode::UNKNOWN_COLUMN);
        }
    };
    check_columns(t.key_columns, "key");
    check_columns(t.distribution_columns, "distribution");
    if (t.buckets < 0 || t.buckets > 1024) {
        throw BinderError("BUCKETS must be between 1 and 1024, not " + std::to_string(t.buckets),
                          ErrorCode::WRONG_ARGUMENTS);
    }
    check_columns(t.order_by, "sort key");
    check_columns(t.partition.columns, "partition");
    std::string partition_clause;
    if (t.partition.kind != ast::PartitionKind::NONE) {
        const auto& pc = t.partition.columns;
        if (pc.empty()) throw BinderError("PARTITION BY needs a column", ErrorCode::WRONG_ARGUMENTS);
        for (const auto& name : pc) {
            const ast::ColumnDefinition* col = nullptr;
            size_t index = 0;
            for (size_t i = 0; i < t.columns.size(); ++i) {
                if (AsciiEqualsIgnoreCase(t.columns[i].name, name)) col = &t.columns[i], index = i;
            }
            const LogicalType& type = col->type;
            if (keys != ast::KeysType::DUPLICATE && index >= t.key_columns.size()) {
                throw BinderError("partition column '" + name + "' must be a key column of a " + model + " KEY table",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            if (t.partition.kind == ast::PartitionKind::RANGE && type.id == TypeId::LARGEINT) {
                // Range keys are 64-bit (partitioning.h): a LARGEINT value would be routed by half
                // of its bytes.
                throw NotSupportedError("RANGE partitions on LARGEINT column '" + name +
                                        "' are not supported yet; use BIGINT, or LIST partitions");
            }
            bool ok = t.partition.kind == ast::PartitionKind::RANGE
                          ? type.IsInteger() || type.id == TypeId::DATE || type.id == TypeId::DATETIME
                      : t.partition.kind == ast::PartitionKind::TIME_EXPRESSION
                          ? type.id == TypeId::DATE || type.id == TypeId::DATETIME
                          : type.IsInteger() || type.IsString() || type.id == TypeId::DATE ||
                                type.id == TypeId::DATETIME || type.id == TypeId::BOOLEAN;
            if (!ok) {
                throw BinderError("column '" + name + "' of type " + type.ToString() +
                                      " cannot be partitioned this way (RANGE: integers, DATE, DATETIME; date_trunc: "
                                      "DATE, DATETIME; LIST: integers, strings, dates, booleans)",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            if (t.partition.time_unit == "hour" && type.id == TypeId::DATE) {
                throw BinderError("date_trunc('hour', ...) partitions need a DATETIME column; '" + name + "' is DATE",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        if ((t.partition.kind == ast::PartitionKind::RANGE ||
             t.partition.kind == ast::PartitionKind::TIME_EXPRESSION) &&
            pc.size() != 1) {
            throw NotSupportedError("RANGE partitioning on more than one column is not supported");
        }
        std::vector<std::string> canonical;
        for (const auto& name : pc) {
            for (const auto& c : t.columns) {
                if (AsciiEqualsIgnoreCase(c.name, name)) canonical.push_back(c.name);
            }
        }
        switch (t.partition.kind) {
            case ast::PartitionKind::RANGE:
                partition_clause = "PARTITION BY RANGE" + ColumnList(canonical) + " ()";
                break;
            case ast::PartitionKind::LIST:
                partition_clause = "PARTITION BY LIST" + ColumnList(canonical) + " ()";
                break;
            case ast::PartitionKind::TIME_EXPRESSION:
                partition_clause =
                    "PARTITION BY date_trunc('" + t.partition.time_unit + "', " + Quote(canonical[0]) + ")";
                break;
            case ast::PartitionKind::COLUMNS:
                partition_clause = "PARTITION BY " + ColumnList(canonical);
                break;
            case ast::PartitionKind::NONE:
                break;
        }
    }
    for (const auto& [k, v] : t.properties) {
        if (AsciiEqualsIgnoreCase(k, "bloom_filter_columns")) {
            std::string name;
            std::istringstream names(v);
            while (std::getline(names, name, ',')) {
                while (!name.empty() && name.front() == ' ') name.erase(name.begin());
                while (!name.empty() && name.back() == ' ') name.pop_back();
                bool found = false;
                for (const auto& c : t.columns) found |= AsciiEqualsIgnoreCase(c.name, name);
                if (!found) {
                    throw BinderError("bloom_filter_columns names '" + name + "', which is not a column",
                                      ErrorCode::UNKNOWN_COLUMN);
                }
            }
        }
        if (AsciiEqualsIgnoreCase(k, "partition_ttl")) {
            if (!ParsePartitionTtl(v)) {
                throw BinderError(
                    "partition_ttl must be 'n unit' (MINUTE, HOUR, DAY, WEEK, MONTH or YEAR), not '" + v + "'",
                    ErrorCode::WRONG_ARGUMENTS);
            }
            bool temporal = (t.partition.kind == ast::PartitionKind::RANGE ||
                             t.partition.kind == ast::PartitionKind::TIME_EXPRESSION) &&
                            t.partition.columns.size() == 1;
            for (const auto& c : t.columns) {
                if (temporal && AsciiEqualsIgnoreCase(c.name, t.partition.columns[0])) {
                    temporal = c.type.id == TypeId::DATE || c.type.id == TypeId::DATETIME;
                }
            }
            if (!temporal) {
                throw BinderError(
                    "partition_ttl needs a table partitioned by time (RANGE or date_trunc over one DATE or DATETIME "
                    "column)",
                    ErrorCode::WRONG_ARGUMENTS);
            }
        }
        if (AsciiEqualsIgnoreCase(k, "partition_live_number")) {
            bool digits = !v.empty() && v.size() < 10;
            for (char c : v) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
            if (!digits || std::stoll(v) <= 0) {
                throw BinderError("partition_live_number must be a positive integer, not '" + v + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            if (t.partition.kind != ast::PartitionKind::RANGE &&
                t.partition.kind != ast::PartitionKind::TIME_EXPRESSION) {
                throw BinderError("partition_live_number needs a table partitioned by time (RANGE or date_trunc)",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
    }
    std::string s = "CREATE TABLE " + Quote(t.name) + " (\n";
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const auto& c = t.columns[i];
        // Primary key columns are NOT NULL, as in MySQL.
        bool nullable = c.nullable && !(keys == ast::KeysType::PRIMARY && i < t.key_columns.size());
        s += "  " + Quote(c.name) + " " + TypeText(c.type) + (c.aggregation.empty() ? "" : " " + c.aggregation) +
             (nullable ? " NULL" : " NOT NULL");
        if (c.default_value) {
            const Value& v = *c.default_value;
            if (v.type().IsString() && v.GetString() == "CURRENT_TIMESTAMP") {
                s += " DEFAULT CURRENT_TIMESTAMP";
            } else if (!v.is_null()) {
                Value typed = CastValue(v, c.type);
                if (typed.is_null()) {
                    throw BinderError("Invalid default value for '" + c.name + "'", ErrorCode::WRONG_ARGUMENTS);
                }
                s += " DEFAULT " + StringLiteral(typed.ToString());
            }
        }
        if (!c.comment.empty()) s += " COMMENT " + StringLiteral(c.comment);
        s += i + 1 < t.columns.size() ? ",\n" : "\n";
    }
    s += ") ENGINE=OLAP\n";
    std::vector<std::string> keys_cols = t.key_columns;
    if (keys_cols.empty()) keys_cols.push_back(t.columns[0].name);  // StarRocks defaults to the first column(s)
    s += std::string(model) + " KEY" + ColumnList(keys_cols) + "\n";
    if (!t.comment.empty()) s += "COMMENT " + StringLiteral(t.comment) + "\n";
    if (!partition_clause.empty()) s += partition_clause + "\n";
    if (!t.distribution_columns.empty()) {
        s += "DISTRIBUTED BY HASH" + ColumnList(t.distribution_columns);
    } else {
        s += "DISTRIBUTED BY RANDOM";
    }
    if (t.buckets > 0) s += " BUCKETS " + std::to_string(t.buckets);
    s += "\n";
    if (!t.order_by.empty()) s += "ORDER BY" + ColumnList(t.order_by) + "\n";
    if (!t.properties.empty()) {
        s += "PROPERTIES (\n";
        for (size_t i = 0; i < t.properties.size(); ++i) {
            s += "  \"" + t.properties[i].first + "\" = \"" + t.properties[i].second + "\"" +
                 (i + 1 < t.properties.size() ? ",\n" : "\n");
        }
        s += ")";
    }
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::optional<std::pair<int64_t, std::string>> ParsePartitionTtl(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    size_t digits = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == digits || i - digits > 9) return std::nullopt;
    int64_t amount = std::stoll(text.substr(digits, i - digits));
    while (i < text.size() && text[i] == ' ') ++i;
    std::string unit = AsciiUpper(text.substr(i));
    while (!unit.empty() && unit.back() == ' ') unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'S') unit.pop_back();
    static const char* const kUnits[] = {"MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"};
    bool known = false;
    for (const char* u : kUnits) known |= unit == u;
    if (!known || amount <= 0 || amount > 10000) return std::nullopt;  // 10,000 units: no overflow
    return std::make_pair(amount, unit);
}

int64_t PartitionTtlCutoff(const TableSchema& schema) {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const int64_t n = schema.partition_ttl_amount;
    const std::string& unit = schema.partition_ttl_unit;
    int64_t cutoff = now;
    if (unit == "MINUTE") cutoff = now - n * 60 * kMicrosPerSecond;
    if (unit == "HOUR") cutoff = now - n * 3600 * kMicrosPerSecond;
    if (unit == "DAY") cutoff = now - n * kMicrosPerDay;
    if (unit == "WEEK") cutoff = now - n * 7 * kMicrosPerDay;
    if (unit == "MONTH" || unit == "YEAR") {
        // Calendar months: the same day (clamped to the month's length) n months earlier.
        int64_t day = now / kMicrosPerDay, rest = now % kMicrosPerDay;
        CivilDate d = CivilFromDays(static_cast<int32_t>(day));
        int64_t months = static_cast<int64_t>(d.year) * 12 + (d.month - 1) - (unit == "YEAR" ? n * 12 : n);
        auto year = static_cast<int32_t>(months / 12);
        auto month = static_cast<uint32_t>(months % 12 + 1);
        uint32_t mday = d.day;
        while (mday > 28 && !IsValidCivil(year, month, mday)) --mday;
        cutoff = static_cast<int64_t>(DaysFromCivil(year, month, mday)) * kMicrosPerDay + rest;
    }
    const LogicalType& type = schema.columns[schema.partition_columns.empty() ? 0 : schema.partition_columns[0]].type;
    return type.id == TypeId::DATE ? cutoff / kMicrosPerDay : cutoff;
}

TableSchema ParseTableDefinition(const std::string& definition) {
    ast::StatementPtr parsed = Parser::ParseStatement(definition);
    if (parsed->kind != ast::StatementKind::CREATE_TABLE) throw InternalError("table definition is not CREATE TABLE");
    const auto& t = static_cast<const ast::CreateTableStatement&>(*parsed);
    TableSchema schema;
    schema.keys_type = t.keys_type.value_or(ast::KeysType::DUPLICATE);
    schema.key_columns = t.key_columns;
    schema.partition = t.partition;
    schema.properties = t.properties;
    for (const auto& [k, v] : t.properties) {
        if (AsciiEqualsIgnoreCase(k, "partition_live_number")) schema.partition_live_number = std::stoll(v);
        if (AsciiEqualsIgnoreCase(k, "partition_ttl")) {
            if (auto ttl = ParsePartitionTtl(v)) {
                schema.partition_ttl_amount = ttl->first;
                schema.partition_ttl_unit = ttl->second;
            }
        }
    }
    for (const auto& c : t.columns) {
        TableColumn col;
        col.name = c.name;
        col.type = c.type;
        col.nullable = c.nullable;
        col.aggregation = c.aggregation;
        if (c.default_value) {
            if (c.default_value->type().IsString() && c.default_value->GetString() == "CURRENT_TIMESTAMP") {
                col.default_current_timestamp = true;
            } else {
                col.default_value = CastValue(*c.default_value, c.type);
            }
        }
        schema.columns.push_back(std::move(col));
    }
    for (const auto& name : schema.partition.columns) schema.partition_columns.push_back(schema.Find(name));
    schema.bloom_columns.assign(schema.columns.size(), false);
    for (const auto& [k, v] : t.properties) {
        if (!AsciiEqualsIgnoreCase(k, "bloom_filter_columns")) continue;
        std::string name;
        std::istringstream names(v);
        while (std::getline(names, name, ',')) {
            while (!name.empty() && name.front() == ' ') name.erase(name.begin());
            while (!name.empty() && name.back() == ' ') name.pop_back();
            int idx = schema.Find(name);
            if (idx >= 0) schema.bloom_columns[idx] = true;
        }
    }
    for (const auto& name : t.order_by.empty() ? t.key_columns : t.order_by) {
        int idx = schema.Find(name);
        if (idx >= 0) schema.sort_columns.push_back(static_cast<size_t>(idx));
    }
    for (const auto& name : t.distribution_columns) {
        int idx = schema.Find(name);
        if (idx >= 0) schema.distribution_columns.push_back(static_cast<size_t>(idx));
    }
    schema.buckets = t.buckets > 0 ? static_cast<uint32_t>(t.buckets) : 1;
    return schema;
}

std::string TombstoneKey(const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "\x01" : "") + values[i];
    return out;
}

std::string TombstoneMatch(const TableSchema& schema, const std::vector<std::string>& tombstones,
                           const std::string& alias) {
    if (tombstones.empty() || schema.key_columns.empty()) return "";
    std::vector<std::pair<std::string, std::string>> keys;  // quoted column, type
    for (const auto& k : schema.key_columns) {
        int i = schema.Find(k);
        if (i < 0) return "";
        keys.emplace_back(QuoteIdentifier(alias) + "." + QuoteIdentifier(k),
                          schema.columns[static_cast<size_t>(i)].type.ToString());
    }
    auto literal = [](const std::string& text, const std::string& type) {
        return "CAST(" + QuoteString(text) + " AS " + type + ")";
    };
    std::string out;
    if (keys.size() == 1) {
        for (const auto& t : tombstones) out += (out.empty() ? "" : ", ") + literal(t, keys[0].second);
        return keys[0].first + " IN (" + out + ")";
    }
    for (const auto& t : tombstones) {
        std::vector<std::string> values;
        for (size_t pos = 0; pos <= t.size();) {
            size_t end = t.find('\x01', pos);
            if (end == std::string::npos) end = t.size();
            values.push_back(t.substr(pos, end - pos));
            pos = end + 1;
        }
        if (values.size() != keys.size()) continue;
        std::string one;
        for (size_t i = 0; i < keys.size(); ++i) {
            one += (i ? " AND " : "") + keys[i].first + " = " + literal(values[i], keys[i].second);
        }
        out += (out.empty() ? "(" : " OR (") + one + ")";
    }
    return out.empty() ? "" : "(" + out + ")";
}

}  // namespace floe
