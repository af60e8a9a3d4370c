#include "ingest/load_transform.h"

#include <fmt/format.h>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/number_text.h"
#include "execution/expression_executor.h"
#include "format/utf8.h"
#include "function/cast.h"
#include "parser/parser.h"
#include "types/time_zone.h"

namespace floe {

std::string ShownValue(std::string_view v, size_t limit) {
    v = v.substr(0, std::min<size_t>(v.size(), limit));
    if (IsValidUtf8(v)) {
        bool plain = true;
        for (unsigned char ch : v) plain = plain && ch >= 0x20;
        if (plain) return std::string(v);
    }
    std::string out;
    for (unsigned char ch : v) {
        if (ch >= 0x20 && ch < 0x7f) {
            out.push_back(static_cast<char>(ch));
        } else {
            out += fmt::format("\\x{:02x}", ch);
        }
    }
    return out;
}

std::string DecodeSeparator(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            char n = text[i + 1];
            if (n == 't' || n == 'n' || n == 'r') {
                out.push_back(n == 't' ? '\t' : n == 'n' ? '\n' : '\r');
                ++i;
                continue;
            }
            if ((n == 'x' || n == 'X') && i + 3 < text.size() &&
                std::isxdigit(static_cast<unsigned char>(text[i + 2])) &&
                std::isxdigit(static_cast<unsigned char>(text[i + 3]))) {
                out.push_back(static_cast<char>(std::stoi(text.substr(i + 2, 2), nullptr, 16)));
                i += 3;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::vector<std::string> SplitTopLevel(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    char quote = 0;
    for (char c : text) {
        if (quote) {
            cur.push_back(c);
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') quote = c;
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c == ',' && depth == 0) {
            out.push_back(cur);
            cur.clear();
            continue;
        }
        cur.push_back(c);
    }
    out.push_back(cur);
    for (auto& s : out) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    }
    return out;
}

bool IsTrueProperty(const std::string& v) {
    return AsciiEqualsIgnoreCase(v, "true") || v == "1";
}

namespace {

std::string Unquoted(std::string name) {
    if (name.size() > 1 && name.front() == '`' && name.back() == '`') name = name.substr(1, name.size() - 2);
    return name;
}

}  // namespace

std::string LoadTransform::Property(const std::string& name, const std::string& fallback) const {
    auto it = properties_.find(name);
    return it == properties_.end() ? fallback : it->second;
}

LoadTransform::LoadTransform(Catalog& catalog, const std::string& database, const std::string& data_dir,
                             const TableSchema& schema, std::map<std::string, std::string> properties,
                             std::shared_ptr<const PrivilegeSet> loader)
    : properties_(std::move(properties)), schema_(schema), context_(catalog, database, data_dir) {
    if (loader) context_.ActAs(std::move(loader), {});
    format_ = AsciiLower(Property("format", "csv"));
    if (format_ != "csv" && format_ != "json") {
        throw LoadError("format '" + format_ + "' is not supported; loads read csv and json");
    }
    envelope_ = AsciiLower(Property("envelope"));
    if (!envelope_.empty() && envelope_ != "debezium") {
        throw LoadError("envelope '" + envelope_ + "' is not supported; the known envelope is debezium");
    }
    if (envelope_ == "debezium") {
        if (format_ != "json") throw LoadError("envelope debezium needs format json");
        if (!Property("jsonpaths").empty() || !Property("json_root").empty() ||
            IsTrueProperty(Property("strip_outer_array"))) {
            throw LoadError(
                "envelope debezium reads each change event itself: jsonpaths, json_root and "
                "strip_outer_array do not apply");
        }
        for (const auto& c : schema.columns) debezium_.columns[AsciiLower(c.name)] = c.type;
        debezium_.primary_key = schema.keys_type == ast::KeysType::PRIMARY;
        for (const auto& [k, v] : schema.properties) {
            if (k == "floe.change_log" && IsTrueProperty(v)) debezium_.change_log = true;
        }
        debezium_.op_column = AsciiLower(Property("debezium.op_column"));
        if (!debezium_.op_column.empty()) {
            int c = schema.Find(debezium_.op_column);
            if (c < 0) {
                throw LoadError("debezium.op_column '" + debezium_.op_column + "' is not a column of the table");
            }
            if (schema.columns[static_cast<size_t>(c)].type.id != TypeId::VARCHAR) {
                throw LoadError("debezium.op_column '" + debezium_.op_column + "' must be a string column");
            }
        }
        // Ordering: each row keeps its event's source position in this column, and the load is
        // conditional on it (merge_condition), deletes included.
        debezium_.position_column = AsciiLower(Property("debezium.position_column"));
        debezium_.position = AsciiLower(Property("debezium.position", "auto"));
        if (debezium_.position != "auto" && debezium_.position != "lsn" && debezium_.position != "binlog" &&
            debezium_.position != "ts_ms") {
            throw LoadError("debezium.position '" + debezium_.position + "' is not auto, lsn, binlog or ts_ms");
        }
        if (!debezium_.position_column.empty()) {
            int c = schema.Find(debezium_.position_column);
            if (c < 0) {
                throw LoadError("debezium.position_column '" + debezium_.position_column +
                                "' is not a column of the table");
            }
            TypeId type = schema.columns[static_cast<size_t>(c)].type.id;
            if (type != TypeId::BIGINT) {
                throw LoadError("debezium.position_column '" + debezium_.position_column + "' must be BIGINT");
            }
            if (!debezium_.primary_key && !debezium_.change_log) {
                throw LoadError(
                    "debezium.position_column needs a PRIMARY KEY table (or an Iceberg table's change log)");
            }
            if (debezium_.primary_key && Property("merge_condition").empty()) {
                properties_["merge_condition"] = debezium_.position_column;
            }
        }
    }
    // The source's columns, and the table columns computed from them.
    std::map<std::string, std::string> derived;  // lower-case target name -> expression text
    std::string columns = Property("columns");
    if (columns.empty()) {
        for (const auto& c : schema.columns) source_columns_.push_back(c.name);
        // Decoded change events say per row whether it is an upsert or a delete.
        if (envelope_ == "debezium" && debezium_.primary_key) source_columns_.push_back("__op");
    } else {
        for (const auto& item : SplitTopLevel(columns)) {
            if (item.empty()) throw LoadError("columns has an empty item: '" + columns + "'");
            size_t eq = item.find('=');
            if (eq == std::string::npos) {
                source_columns_.push_back(Unquoted(item));
            } else {
                std::string name = item.substr(0, eq);
                while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
                derived[AsciiLower(Unquoted(name))] = item.substr(eq + 1);
            }
        }
    }
    if (envelope_ == "debezium" && debezium_.primary_key && !derived.count("__op") &&
        std::none_of(source_columns_.begin(), source_columns_.end(),
                     [](const std::string& c) { return AsciiEqualsIgnoreCase(c, "__op"); })) {
        source_columns_.push_back("__op");
    }
    if (envelope_ == "debezium" && debezium_.primary_key) {
        // The columns whose stored value an event keeps (unchanged TOASTed values).
        unchanged_source_ = static_cast<int>(source_columns_.size());
        source_columns_.push_back("__unchanged");
    }
    // timezone: the zone of the time functions in columns and where (from_unixtime, now(), ...).
    std::string zone = Property("timezone");
    if (!zone.empty()) {
        if (!TimeZone::Find(zone)) throw LoadError("unknown time zone '" + zone + "'");
        context_.set_time_zone(zone);
    }
    std::vector<ScopeColumn> source_scope;
    for (const auto& n : source_columns_) source_scope.push_back({"", n, LogicalType::Varchar(), true});
    targets_.resize(schema.columns.size());
    plain_source_.assign(schema.columns.size(), -1);
    std::vector<bool> updated(schema.columns.size(), false);
    for (size_t c = 0; c < schema.columns.size(); ++c) {
        const TableColumn& col = schema.columns[c];
        auto d = derived.find(AsciiLower(col.name));
        Binder binder(context_);
        if (d != derived.end()) {
            try {
                targets_[c] =
                    AddCastIfNeeded(binder.BindExpression(*Parser::ParseExpression(d->second), source_scope), col.type);
            } catch (const Exception& e) {
                throw LoadError("column '" + col.name + "' = " + d->second + ": " + e.what());
            }
            derived.erase(d);
            updated[c] = true;
            continue;
        }
        for (size_t f = 0; f < source_columns_.size(); ++f) {
            if (AsciiEqualsIgnoreCase(source_columns_[f], col.name)) {
                plain_source_[c] = static_cast<int>(f);
                targets_[c] = AddCastIfNeeded(
                    std::make_unique<BoundColumnRef>(f, LogicalType::Varchar(), source_columns_[f]), col.type);
                updated[c] = true;
            }
        }
    }
    // __op: 0 / upsert or 1 / delete per row (Primary Key tables), from a source column or an expression.
    {
        auto d = derived.find("__op");
        int op_column = -1;
        for (size_t f = 0; f < source_columns_.size(); ++f) {
            if (AsciiEqualsIgnoreCase(source_columns_[f], "__op")) op_column = static_cast<int>(f);
        }
        if (d != derived.end() || op_column >= 0) {
            if (schema.keys_type != ast::KeysType::PRIMARY) throw LoadError("__op needs a PRIMARY KEY table");
            Binder binder(context_);
            try {
                op_expr_ = d != derived.end()
                               ? binder.BindExpression(*Parser::ParseExpression(d->second), source_scope)
                               : std::make_unique<BoundColumnRef>(op_column, LogicalType::Varchar(), "__op");
                op_expr_ = AddCastIfNeeded(std::move(op_expr_), LogicalType::Varchar());
            } catch (const Exception& e) {
                throw LoadError("__op: " + std::string(e.what()));
            }
            if (d != derived.end()) derived.erase(d);
        }
    }
    if (!derived.empty()) {
        throw LoadError("columns derives '" + derived.begin()->first + "', which is not a column of the table");
    }
    std::string where_text = Property("where");
    if (!where_text.empty()) {
        // The table's columns, then the source columns that are not also table columns (WHERE
        // amount > 0 may test a source column the table does not keep).
        std::vector<ScopeColumn> table_scope;
        for (const auto& c : schema.columns) table_scope.push_back({"", c.name, c.type, c.nullable});
        for (size_t f = 0; f < source_columns_.size(); ++f) {
            if (schema.Find(source_columns_[f]) >= 0 || AsciiEqualsIgnoreCase(source_columns_[f], "__op")) continue;
            table_scope.push_back({"", source_columns_[f], LogicalType::Varchar(), true});
            where_sources_.push_back(f);
        }
        try {
            Binder binder(context_);
            where_ = AddCastIfNeeded(binder.BindExpression(*Parser::ParseExpression(where_text), table_scope),
                                     TypeId::BOOLEAN);
        } catch (const Exception& e) {
            throw LoadError("where: " + std::string(e.what()));
        }
    }
    strict_ = IsTrueProperty(Property("strict_mode", "false"));
    auto ratio = ParseFiniteDouble(Property("max_filter_ratio", "0"));
    if (!ratio || *ratio < 0 || *ratio > 1) {
        throw LoadError("max_filter_ratio must be a number between 0 and 1, not '" + Property("max_filter_ratio") +
                        "'");
    }
    max_filter_ratio_ = *ratio;

    csv_.column_separator = DecodeSeparator(Property("column_separator", "\\t"));
    csv_.row_delimiter = DecodeSeparator(Property("row_delimiter", "\\n"));
    if (csv_.column_separator.empty() || csv_.row_delimiter.empty()) {
        throw LoadError("column_separator and row_delimiter cannot be empty");
    }
    std::string enclose = Property("enclose"), escape = Property("escape");
    if (enclose.size() > 1 || escape.size() > 1) throw LoadError("enclose and escape take one character");
    csv_.enclose = enclose.empty() ? 0 : enclose[0];
    csv_.escape = escape.empty() ? 0 : escape[0];
    auto skip = ParseInt64(Property("skip_header", "0"));
    if (!skip || *skip < 0) {
        throw LoadError("skip_header must be a whole number of lines, 0 or more, not '" + Property("skip_header") +
                        "'");
    }
    csv_.skip_header = static_cast<size_t>(*skip);
    json_.strip_outer_array = IsTrueProperty(Property("strip_outer_array", "false"));
    json_.json_root = Property("json_root");
    std::string paths = Property("jsonpaths");
    if (!paths.empty()) {
        // A JSON array of path strings: ["$.a", "$.b.c"].
        std::string inner = paths;
        while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.front()))) inner.erase(inner.begin());
        while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.back()))) inner.pop_back();
        if (inner.size() < 2 || inner.front() != '[' || inner.back() != ']') {
            throw LoadError("jsonpaths must be a JSON array of paths, like [\"$.a\", \"$.b\"]");
        }
        for (auto item : SplitTopLevel(inner.substr(1, inner.size() - 2))) {
            if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
            json_.jsonpaths.push_back(item);
        }
        if (json_.jsonpaths.size() != source_columns_.size()) {
            throw LoadError("jsonpaths has " + std::to_string(json_.jsonpaths.size()) + " paths for " +
                            std::to_string(source_columns_.size()) + " columns");
        }
    }

    std::string partitions = Property("partitions");
    if (!partitions.empty()) options_.partitions = SplitTopLevel(partitions);
    std::string condition = Property("merge_condition");
    if (!condition.empty()) {
        if (schema.keys_type != ast::KeysType::PRIMARY) throw LoadError("merge_condition needs a PRIMARY KEY table");
        int idx = schema.Find(condition);
        if (idx < 0) throw LoadError("merge_condition column '" + condition + "' is not a column of the table");
        if (static_cast<size_t>(idx) < schema.key_columns.size()) {
            throw LoadError("merge_condition column '" + condition + "' cannot be a key column");
        }
        options_.merge_condition = idx;
    }
    if (IsTrueProperty(Property("partial_update", "false"))) {
        if (schema.keys_type != ast::KeysType::PRIMARY) throw LoadError("partial_update needs a PRIMARY KEY table");
        for (size_t k = 0; k < schema.key_columns.size(); ++k) updated[k] = true;
        options_.update_columns = updated;
    }
}

void LoadTransform::Apply(const Chunk& source, Chunk& out, std::vector<uint8_t>* delete_flags,
                          std::vector<Reject>& rejects, int64_t& unselected, bool check_utf8,
                          std::vector<uint64_t>* keep_stored) const {
    const size_t n = source.size();
    out = Chunk();
    std::vector<uint8_t> keep(n, 1);
    auto reject = [&](size_t r, std::string reason) {
        keep[r] = 0;
        rejects.push_back({static_cast<uint32_t>(r), std::move(reason)});
    };
    for (size_t c = 0; c < schema_.columns.size(); ++c) {
        const TableColumn& col = schema_.columns[c];
        std::shared_ptr<Column> values;
        if (targets_[c]) {
            values = ExpressionExecutor::Evaluate(*targets_[c], source, n);
        } else {
            values = std::make_shared<Column>(col.type, n);
            values->Resize(n);
            Value d = col.default_value.value_or(Value::Null(col.type));
            for (size_t r = 0; r < n; ++r) values->SetValue(r, d);
        }
        int src = plain_source_[c];
        for (size_t r = 0; r < n; ++r) {
            if (!keep[r] || !values->IsNull(r)) continue;
            bool conversion_failed = src >= 0 && !source.column(src).IsNull(r);
            std::string invalid = conversion_failed ? "column '" + col.name + "': '" +
                                                          ShownValue(source.column(src).Strings()[r].view()) +
                                                          "' is not a valid " + col.type.ToString()
                                                    : "";
            if (conversion_failed && strict_) {
                reject(r, invalid);
            } else if (!col.nullable) {
                reject(r, conversion_failed ? invalid : "column '" + col.name + "' is NULL but declared NOT NULL");
            }
        }
        if (col.type.IsString() && col.type.length > 0) {
            for (size_t r = 0; r < n; ++r) {
                if (!keep[r] || values->IsNull(r) || values->Strings()[r].size() <= col.type.length) continue;
                reject(r, fmt::format("column '{}': '{}' is {} bytes, longer than {}", col.name,
                                      ShownValue(values->Strings()[r].view()), values->Strings()[r].size(),
                                      col.type.ToString()));
            }
        }
        if (check_utf8 && col.type.IsString()) {
            for (size_t r = 0; r < n; ++r) {
                if (!keep[r] || values->IsNull(r)) continue;
                std::string_view v = values->Strings()[r].view();
                if (!IsValidUtf8(v)) reject(r, "column '" + col.name + "': invalid UTF-8 in '" + ShownValue(v) + "'");
            }
        }
        out.AddColumn(std::move(values));
    }
    out.SetSize(n);
    if (op_expr_) {
        auto ops = ExpressionExecutor::Evaluate(*op_expr_, source, n);
        delete_flags->assign(n, 0);
        for (size_t r = 0; r < n; ++r) {
            if (ops->IsNull(r)) continue;
            std::string v = AsciiLower(std::string(ops->Strings()[r].view()));
            if (v == "1" || v == "delete") {
                (*delete_flags)[r] = 1;
            } else if (v != "0" && v != "upsert" && keep[r]) {
                reject(r, "__op must be 0 / upsert or 1 / delete, not '" + v + "'");
            }
        }
    }
    if (keep_stored && unchanged_source_ >= 0) {
        const Column& names = source.column(static_cast<size_t>(unchanged_source_));
        keep_stored->assign(n, 0);
        for (size_t r = 0; r < n; ++r) {
            if (names.IsNull(r)) continue;
            for (const auto& name : SplitTopLevel(std::string(names.Strings()[r].view()))) {
                int c = schema_.Find(name);
                if (c < 0) continue;
                if (c >= 64) {
                    if (keep[r]) reject(r, "column '" + name + "' keeps its stored value, past the 64th column");
                    continue;
                }
                (*keep_stored)[r] |= uint64_t{1} << c;
            }
        }
    }
    auto selection = std::make_unique<SelectionVector>();
    std::shared_ptr<Column> pass;
    if (where_ && where_sources_.empty()) {
        pass = ExpressionExecutor::Evaluate(*where_, out, n);
    } else if (where_) {
        Chunk scope;
        for (size_t c = 0; c < out.column_count(); ++c) scope.AddColumn(out.shared_column(c));
        for (size_t f : where_sources_) scope.AddColumn(source.shared_column(f));
        scope.SetSize(n);
        pass = ExpressionExecutor::Evaluate(*where_, scope, n);
    }
    for (size_t r = 0; r < n; ++r) {
        if (!keep[r]) continue;
        if (pass && (pass->IsNull(r) || pass->Data<uint8_t>()[r] == 0)) {
            ++unselected;
            continue;
        }
        selection->push_back(static_cast<uint32_t>(r));
    }
    if (selection->size() != n) out.SetSelection(std::move(selection));
}

}  // namespace floe
