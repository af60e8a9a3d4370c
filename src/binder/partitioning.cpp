#include "binder/partitioning.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "common/ascii.h"
#include "common/exception.h"
#include "function/cast.h"
#include "types/date_time.h"
#include "vector/row_key.h"

namespace floe {

std::string CanonicalPartitionValue(const TableColumn& column, const std::string& text) {
    Value typed = CastValue(Value::Varchar(text), column.type);
    if (typed.is_null()) {
        throw BinderError(
            "partition value '" + text + "' is not a " + column.type.ToString() + " (column '" + column.name + "')",
            ErrorCode::WRONG_ARGUMENTS);
    }
    return typed.ToString();
}

bool IsRangeKeyType(const LogicalType& type) {
    return type.id == TypeId::TINYINT || type.id == TypeId::SMALLINT || type.id == TypeId::INT ||
           type.id == TypeId::BIGINT || type.id == TypeId::DATE || type.id == TypeId::DATETIME;
}

std::optional<int64_t> RangeKeyOfValue(const LogicalType& type, const Value& value) {
    if (value.is_null()) return std::nullopt;
    Value typed = value.type() == type ? value : CastValue(value, type);
    if (typed.is_null()) return std::nullopt;
    return typed.GetInt();
}

int64_t RangeKeyOfText(const LogicalType& type, const std::string& text) {
    auto key = RangeKeyOfValue(type, Value::Varchar(text));
    if (!key) throw InternalError("partition bound '" + text + "' is not a " + type.ToString());
    return *key;
}

int64_t RangeKeyOf(const Column& column, size_t row) {
    switch (column.type().id) {
        case TypeId::TINYINT:
            return column.Data<int8_t>()[row];
        case TypeId::SMALLINT:
            return column.Data<int16_t>()[row];
        case TypeId::INT:
        case TypeId::DATE:
            return column.Data<int32_t>()[row];
        default:
            return column.Data<int64_t>()[row];
    }
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/// Start of the unit holding `days`, and of the next one, in days.
std::pair<int32_t, int32_t> DayUnit(const std::string& unit, int32_t days) {
    if (unit == "day") return {days, days + 1};
    if (unit == "week") {  // weeks start on Monday; 1970-01-01 was a Thursday
        int32_t start = days - static_cast<int32_t>(((days + 3) % 7 + 7) % 7);
        return {start, start + 7};
    }
    CivilDate c = CivilFromDays(days);
    if (unit == "month") {
        int32_t start = DaysFromCivil(c.year, c.month, 1);
        int32_t next = c.month == 12 ? DaysFromCivil(c.year + 1, 1, 1) : DaysFromCivil(c.year, c.month + 1, 1);
        return {start, next};
    }
    return {DaysFromCivil(c.year, 1, 1), DaysFromCivil(c.year + 1, 1, 1)};  // year
}

std::string NameOfDay(const std::string& unit, int32_t days, int64_t hour) {
    CivilDate c = CivilFromDays(days);
    if (unit == "year") return fmt::format("p{:04d}", c.year);
    if (unit == "month") return fmt::format("p{:04d}{:02d}", c.year, c.month);
    if (unit == "hour") return fmt::format("p{:04d}{:02d}{:02d}{:02d}", c.year, c.month, c.day, hour);
    return fmt::format("p{:04d}{:02d}{:02d}", c.year, c.month, c.day);
}

std::string KeyText(const LogicalType& type, int64_t key) {
    if (type.id == TypeId::DATE) return FormatDate(static_cast<int32_t>(key));
    if (type.id == TypeId::DATETIME) return FormatDatetime(key);
    return std::to_string(key);
}

}  // namespace

PartitionInfo TimePartitionFor(const TableSchema& schema, int64_t key) {
    const LogicalType& type = schema.columns[schema.partition_columns[0]].type;
    const std::string& unit = schema.partition.time_unit;
    PartitionInfo p;
    if (type.id == TypeId::DATE) {
        auto [lo, hi] = DayUnit(unit, static_cast<int32_t>(key));
        p.name = NameOfDay(unit, lo, 0);
        p.lower = FormatDate(lo);
        p.upper = FormatDate(hi);
        return p;
    }
    int64_t day = FloorDiv(key, kMicrosPerDay);
    int64_t lo, hi;
    if (unit == "hour") {
        constexpr int64_t kHour = 3600 * kMicrosPerSecond;
        lo = FloorDiv(key, kHour) * kHour;
        hi = lo + kHour;
        p.name = NameOfDay(unit, static_cast<int32_t>(day), (lo - day * kMicrosPerDay) / kHour);
    } else {
        auto [dlo, dhi] = DayUnit(unit, static_cast<int32_t>(day));
        lo = dlo * kMicrosPerDay;
        hi = dhi * kMicrosPerDay;
        p.name = NameOfDay(unit, dlo, 0);
    }
    p.lower = FormatDatetime(lo);
    p.upper = FormatDatetime(hi);
    return p;
}

PartitionInfo ColumnPartitionFor(const std::vector<std::string>& values, const std::vector<PartitionInfo>& existing) {
    std::string name = "p";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) name += "_";
        for (char c : values[i]) name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    }
    if (name.size() > 48) name = name.substr(0, 40) + fmt::format("_{:x}", std::hash<std::string>{}(name)&0xffffff);
    std::string unique = name;
    for (int n = 2;; ++n) {
        bool taken = false;
        for (const auto& p : existing) taken |= AsciiEqualsIgnoreCase(p.name, unique);
        if (!taken) break;
        unique = name + "_" + std::to_string(n);
    }
    PartitionInfo p;
    p.name = unique;
    p.values.push_back(values);
    return p;
}

std::pair<int64_t, int64_t> PartitionRange(const TableSchema& schema, const PartitionInfo& partition) {
    const LogicalType& type = schema.columns[schema.partition_columns[0]].type;
    return {partition.lower ? RangeKeyOfText(type, *partition.lower) : INT64_MIN,
            partition.upper ? RangeKeyOfText(type, *partition.upper) : INT64_MAX};
}

std::vector<PartitionInfo> ResolvePartitions(const TableSchema& schema,
                                             const std::vector<ast::PartitionDefinition>& definitions,
                                             const std::vector<PartitionInfo>& existing) {
    std::vector<PartitionInfo> out;
    if (definitions.empty()) return out;
    if (!schema.partitioned()) {
        throw BinderError("the table is not partitioned", ErrorCode::WRONG_ARGUMENTS);
    }
    bool range = schema.partition.kind == ast::PartitionKind::RANGE ||
                 schema.partition.kind == ast::PartitionKind::TIME_EXPRESSION;
    std::vector<const TableColumn*> cols;
    for (size_t i : schema.partition_columns) cols.push_back(&schema.columns[i]);
    auto all = [&] {
        std::vector<PartitionInfo> v = existing;
        v.insert(v.end(), out.begin(), out.end());
        return v;
    };
    auto add = [&](PartitionInfo p) {
        for (const auto& e : all()) {
            if (AsciiEqualsIgnoreCase(e.name, p.name)) {
                throw BinderError("Duplicate partition name " + p.name, ErrorCode::TABLE_EXISTS);
            }
        }
        if (range) {
            auto [lo, hi] = PartitionRange(schema, p);
            if (lo >= hi) {
                throw BinderError("partition " + p.name + " has an empty range [" + p.lower.value_or("MINVALUE") +
                                      ", " + p.upper.value_or("MAXVALUE") + ")",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            for (const auto& e : all()) {
                auto [elo, ehi] = PartitionRange(schema, e);
                if (lo < ehi && elo < hi) {
                    throw BinderError("the range of partition " + p.name + " overlaps partition " + e.name,
                                      ErrorCode::WRONG_ARGUMENTS);
                }
            }
        } else {
            for (const auto& tuple : p.values) {
                for (const auto& e : all()) {
                    if (std::find(e.values.begin(), e.values.end(), tuple) != e.values.end()) {
                        throw BinderError("a value of partition " + p.name + " is already in partition " + e.name,
                                          ErrorCode::WRONG_ARGUMENTS);
                    }
                }
            }
        }
        out.push_back(std::move(p));
    };
    for (const auto& d : definitions) {
        if (range && !d.in_values.empty()) {
            throw BinderError("partition " + d.name + ": VALUES IN needs LIST partitioning",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!range && d.in_values.empty()) {
            throw BinderError("partition " + d.name + ": LIST partitions take VALUES IN (...)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (d.batch) {
            const TableColumn& col = *cols[0];
            int64_t start = RangeKeyOfText(col.type, CanonicalPartitionValue(col, d.start));
            int64_t end = RangeKeyOfText(col.type, CanonicalPartitionValue(col, d.end));
            if (d.every <= 0) throw BinderError("EVERY needs a positive step", ErrorCode::WRONG_ARGUMENTS);
            bool temporal = col.type.id == TypeId::DATE || col.type.id == TypeId::DATETIME;
            if (temporal != !d.every_unit.empty()) {
                throw BinderError("EVERY takes INTERVAL n unit for date columns and a number for integer columns",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            int count = 0;
            for (int64_t lo = start; lo < end;) {
                if (++count > 4096) {
                    throw BinderError("START/END/EVERY would create more than 4096 partitions",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                int64_t hi;
                std::string name;
                if (!temporal) {
                    hi = lo + d.every;
                    name = "p" + std::to_string(lo);
                } else {
                    bool date = col.type.id == TypeId::DATE;
                    int64_t per_day = date ? 1 : kMicrosPerDay;
                    int32_t day = static_cast<int32_t>(FloorDiv(lo, per_day));
                    const std::string& u = d.every_unit;
                    if (u == "hour") {
                        if (date)
                            throw BinderError("EVERY INTERVAL n hour needs a DATETIME column",
                                              ErrorCode::WRONG_ARGUMENTS);
                        hi = lo + d.every * 3600 * kMicrosPerSecond;
                        name = NameOfDay("hour", day, (lo - day * kMicrosPerDay) / (3600 * kMicrosPerSecond));
                    } else if (u == "day" || u == "week") {
                        hi = lo + d.every * (u == "week" ? 7 : 1) * per_day;
                        name = NameOfDay("day", day, 0);
                    } else if (u == "month" || u == "year") {
                        CivilDate c = CivilFromDays(day);
                        int64_t months = d.every * (u == "year" ? 12 : 1);
                        int64_t m = c.month - 1 + months;
                        int32_t next =
                            DaysFromCivil(c.year + static_cast<int32_t>(m / 12), static_cast<uint32_t>(m % 12 + 1), 1);
                        hi = next * per_day;
                        name = NameOfDay(u, day, 0);
                    } else {
                        throw BinderError("EVERY unit '" + u + "' is not one of hour, day, week, month, year",
                                          ErrorCode::WRONG_ARGUMENTS);
                    }
                }
                PartitionInfo p;
                p.name = name;
                p.lower = KeyText(col.type, lo);
                p.upper = KeyText(col.type, std::min(hi, end));
                add(std::move(p));
                lo = hi;
            }
            continue;
        }
        PartitionInfo p;
        p.name = d.name;
        if (range) {
            const TableColumn& col = *cols[0];
            if (d.upper) p.upper = CanonicalPartitionValue(col, *d.upper);
            if (d.less_than) {
                // The lower bound is the highest upper bound below this partition's upper bound.
                std::optional<int64_t> best;
                int64_t hi = p.upper ? RangeKeyOfText(col.type, *p.upper) : INT64_MAX;
                for (const auto& e : all()) {
                    if (!e.upper) continue;
                    int64_t eu = RangeKeyOfText(col.type, *e.upper);
                    if (eu < hi && (!best || eu > *best)) {
                        best = eu;
                        p.lower = e.upper;
                    }
                }
            } else if (d.lower) {
                p.lower = CanonicalPartitionValue(col, *d.lower);
            }
        } else {
            for (const auto& tuple : d.in_values) {
                if (tuple.size() != cols.size()) {
                    throw BinderError("partition " + d.name + ": each value needs " + std::to_string(cols.size()) +
                                          " parts, one per partition column",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                std::vector<std::string> canonical;
                for (size_t i = 0; i < tuple.size(); ++i)
                    canonical.push_back(CanonicalPartitionValue(*cols[i], tuple[i]));
                p.values.push_back(std::move(canonical));
            }
        }
        add(std::move(p));
    }
    return out;
}

std::string PartitionValuesText(const TableSchema& schema, const PartitionInfo& p) {
    auto quote = [](const std::string& v) { return "\"" + v + "\""; };
    if (schema.partition.kind == ast::PartitionKind::RANGE ||
        schema.partition.kind == ast::PartitionKind::TIME_EXPRESSION) {
        return "[" + (p.lower ? "(" + quote(*p.lower) + ")" : std::string("(MINVALUE)")) + ", " +
               (p.upper ? "(" + quote(*p.upper) + ")" : std::string("(MAXVALUE)")) + ")";
    }
    std::string out = "(";
    for (size_t i = 0; i < p.values.size(); ++i) {
        if (i) out += ", ";
        if (p.values[i].size() == 1) {
            out += quote(p.values[i][0]);
        } else {
            out += "(";
            for (size_t j = 0; j < p.values[i].size(); ++j) out += (j ? ", " : "") + quote(p.values[i][j]);
            out += ")";
        }
    }
    return out + ")";
}

std::string ShowCreateTableText(const std::string& definition, const TableSchema& schema, const TableVersion& version) {
    bool range = schema.partition.kind == ast::PartitionKind::RANGE;
    if (!range && schema.partition.kind != ast::PartitionKind::LIST) return definition;
    size_t at = definition.find(" ()\n");
    if (at == std::string::npos) at = definition.find(" ()");
    if (at == std::string::npos) return definition;
    std::vector<const PartitionInfo*> parts;
    for (const auto& p : version.partitions) parts.push_back(&p);
    if (range) {
        std::sort(parts.begin(), parts.end(), [&](const PartitionInfo* a, const PartitionInfo* b) {
            return PartitionRange(schema, *a).first < PartitionRange(schema, *b).first;
        });
    }
    std::string list = " (\n";
    for (size_t i = 0; i < parts.size(); ++i) {
        const PartitionInfo& p = *parts[i];
        list += "  PARTITION `" + p.name + "` VALUES ";
        if (range && !p.lower) {
            list += p.upper ? "LESS THAN (\"" + *p.upper + "\")" : std::string("LESS THAN MAXVALUE");
        } else if (range) {
            list += PartitionValuesText(schema, p);
        } else {
            list += "IN " + PartitionValuesText(schema, p);
        }
        list += i + 1 < parts.size() ? ",\n" : "\n";
    }
    list += ")";
    return definition.substr(0, at) + list + definition.substr(at + 3);
}

uint32_t BucketOf(const std::vector<const Column*>& columns, uint32_t row, uint32_t buckets, std::string& scratch) {
    scratch.clear();
    AppendRowKey(columns, row, scratch);
    return static_cast<uint32_t>(HashRowKey(scratch) % buckets);
}

}  // namespace floe
