#include "ingest/stream_load.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "execution/expression_executor.h"
#include "format/csv/csv_reader.h"
#include "format/json/json_reader.h"
#include "format/utf8.h"
#include "function/cast.h"
#include "ingest/internal_context.h"
#include "parser/parser.h"
#include "types/time_zone.h"

namespace floe {

namespace {

/// A value as error messages show it: at most `limit` bytes, and text that is not UTF-8 (or is a
/// control character) as \xNN escapes, so that responses and error logs stay valid UTF-8.
std::string Shown(std::string_view v, size_t limit = 200) {
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

int64_t MillisSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

/// Separator headers: literal text, or escapes such as \t, \n and \x01 (hex bytes).
std::string DecodeSeparator(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            char n = text[i + 1];
            if (n == 't') {
                out.push_back('\t');
                ++i;
                continue;
            }
            if (n == 'n') {
                out.push_back('\n');
                ++i;
                continue;
            }
            if (n == 'r') {
                out.push_back('\r');
                ++i;
                continue;
            }
            if ((n == 'x' || n == 'X') && i + 3 < text.size() + 1 &&
                std::isxdigit(static_cast<unsigned char>(text[i + 2])) && i + 3 < text.size() &&
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

/// Splits "a, b, c = f(x, y), d" at top-level commas.
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

std::string Header(const StreamLoadRequest& r, const std::string& name, const std::string& fallback = "") {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? fallback : it->second;
}

bool IsTrue(const std::string& v) {
    return AsciiEqualsIgnoreCase(v, "true") || v == "1";
}

struct FilteredRow {
    size_t line;
    std::string reason;
    std::string row;
};

}  // namespace

std::string StreamLoadResponse::ToJson(const std::string& error_url_prefix) const {
    std::string j = "{\n";
    j += "    \"TxnId\": " + std::to_string(txn_id) + ",\n";
    j += "    \"Label\": " + JsonString(label) + ",\n";
    j += "    \"Status\": " + JsonString(status) + ",\n";
    if (!existing_job_status.empty()) j += "    \"ExistingJobStatus\": " + JsonString(existing_job_status) + ",\n";
    j += "    \"Message\": " + JsonString(message) + ",\n";
    j += "    \"NumberTotalRows\": " + std::to_string(total_rows) + ",\n";
    j += "    \"NumberLoadedRows\": " + std::to_string(loaded_rows) + ",\n";
    j += "    \"NumberFilteredRows\": " + std::to_string(filtered_rows) + ",\n";
    j += "    \"NumberUnselectedRows\": " + std::to_string(unselected_rows) + ",\n";
    j += "    \"LoadBytes\": " + std::to_string(load_bytes) + ",\n";
    j += "    \"LoadTimeMs\": " + std::to_string(load_time_ms) + ",\n";
    j += "    \"BeginTxnTimeMs\": 0,\n";
    j += "    \"StreamLoadPlanTimeMs\": 0,\n";
    j += "    \"ReadDataTimeMs\": " + std::to_string(read_data_time_ms) + ",\n";
    j += "    \"WriteDataTimeMs\": " + std::to_string(write_data_time_ms) + ",\n";
    j += "    \"CommitAndPublishTimeMs\": " + std::to_string(commit_time_ms);
    if (!error_log.empty()) j += ",\n    \"ErrorURL\": " + JsonString(error_url_prefix + error_log);
    return j + "\n}\n";
}

StreamLoader::StreamLoader(Catalog& catalog, LoadManager& loads, std::string data_dir)
    : catalog_(catalog), loads_(loads), data_dir_(std::move(data_dir)) {}

std::optional<std::string> StreamLoader::ErrorLog(const std::string& id) const {
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
    }
    std::ifstream in(data_dir_ + "/load_errors/" + id + ".txt", std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

StreamLoadResponse StreamLoader::Run(const StreamLoadRequest& request) {
    auto started = std::chrono::steady_clock::now();
    StreamLoadResponse res;
    res.label = Header(request, "label");
    if (res.label.empty()) res.label = LoadManager::NewLabel("stream_load");
    res.load_bytes = static_cast<int64_t>(request.body.size());
    LoadRecord record;
    record.kind = "STREAM_LOAD";
    record.label = res.label;
    record.load_bytes = res.load_bytes;
    record.create_time =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::optional<TableInfo> table;
    auto fail = [&](const std::string& message) {
        res.status = "Fail";
        res.message = message;
        res.txn_id = 0;
        res.loaded_rows = 0;
        if (table) {
            record.total_rows = res.total_rows;
            record.filtered_rows = res.filtered_rows;
            record.unselected_rows = res.unselected_rows;
            record.error_msg = message;
            record.error_url = res.error_log.empty() ? "" : "/api/_load_error_log?file=" + res.error_log;
            try {
                catalog_.RecordFailedLoad(table->id, record);
            } catch (const std::exception& e) {
                Log::Warn("stream_load.record_failed", {{"error", e.what()}});
            }
        }
        res.load_time_ms = MillisSince(started);
        return res;
    };
    try {
        if (!catalog_.DatabaseExists(request.database))
            return fail("Database [" + request.database + "] does not exist");
        table = catalog_.GetTable(request.database, request.table);
        if (!table || table->kind != "TABLE") {
            table.reset();
            return fail("Table [" + request.table + "] does not exist in database [" + request.database + "]");
        }
        if (auto existing = catalog_.GetLoad(request.database, res.label); existing && existing->state == "FINISHED") {
            res.status = "Label Already Exists";
            res.existing_job_status = "FINISHED";
            res.message = "Label [" + res.label + "] has already been used.";
            res.load_time_ms = MillisSince(started);
            return res;
        }
        std::string format = AsciiLower(Header(request, "format", "csv"));
        if (format != "csv" && format != "json") {
            return fail("format '" + format + "' is not supported; Stream Load reads csv and json");
        }
        auto lock = loads_.LockTable(table->id);
        auto version = catalog_.GetTableVersion(table->id);
        TableSchema schema = ParseTableDefinition(version->definition);

        // The file's columns, and the target columns computed from them.
        std::vector<std::string> file_columns;
        std::map<std::string, std::string> derived;  // lower-case target name -> expression text
        std::string columns_header = Header(request, "columns");
        if (columns_header.empty()) {
            for (const auto& c : schema.columns) file_columns.push_back(c.name);
        } else {
            for (const auto& item : SplitTopLevel(columns_header)) {
                if (item.empty()) return fail("columns header has an empty item: '" + columns_header + "'");
                size_t eq = item.find('=');
                if (eq == std::string::npos) {
                    std::string name = item;
                    if (name.size() > 1 && name.front() == '`' && name.back() == '`')
                        name = name.substr(1, name.size() - 2);
                    file_columns.push_back(name);
                } else {
                    std::string name = item.substr(0, eq);
                    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
                    if (name.size() > 1 && name.front() == '`' && name.back() == '`')
                        name = name.substr(1, name.size() - 2);
                    derived[AsciiLower(name)] = item.substr(eq + 1);
                }
            }
        }
        InternalContext context(catalog_, request.database, data_dir_);
        // timezone: the zone of the time functions in columns and where (from_unixtime, now(), ...).
        std::string zone = Header(request, "timezone");
        if (!zone.empty()) {
            if (!TimeZone::Find(zone)) return fail("unknown time zone '" + zone + "'");
            context.set_time_zone(zone);
        }
        std::vector<ScopeColumn> file_scope;
        for (const auto& n : file_columns) file_scope.push_back({"", n, LogicalType::Varchar(), true});
        std::vector<BoundExprPtr> targets(schema.columns.size());
        std::vector<int> plain_source(schema.columns.size(), -1);  // a file column converted as is
        std::vector<bool> updated(schema.columns.size(), false);
        for (size_t c = 0; c < schema.columns.size(); ++c) {
            const TableColumn& col = schema.columns[c];
            auto d = derived.find(AsciiLower(col.name));
            Binder binder(context);
            if (d != derived.end()) {
                try {
                    targets[c] = AddCastIfNeeded(binder.BindExpression(*Parser::ParseExpression(d->second), file_scope),
                                                 col.type);
                } catch (const Exception& e) {
                    return fail("column '" + col.name + "' = " + d->second + ": " + e.what());
                }
                derived.erase(d);
                updated[c] = true;
                continue;
            }
            for (size_t f = 0; f < file_columns.size(); ++f) {
                if (AsciiEqualsIgnoreCase(file_columns[f], col.name)) {
                    plain_source[c] = static_cast<int>(f);
                    targets[c] = AddCastIfNeeded(
                        std::make_unique<BoundColumnRef>(f, LogicalType::Varchar(), file_columns[f]), col.type);
                    updated[c] = true;
                }
            }
        }
        // __op: 0 / upsert or 1 / delete per row (Primary Key tables), from a file column or an expression.
        BoundExprPtr op_expr;
        {
            auto d = derived.find("__op");
            int op_column = -1;
            for (size_t f = 0; f < file_columns.size(); ++f) {
                if (AsciiEqualsIgnoreCase(file_columns[f], "__op")) op_column = static_cast<int>(f);
            }
            if (d != derived.end() || op_column >= 0) {
                if (schema.keys_type != ast::KeysType::PRIMARY) return fail("__op needs a PRIMARY KEY table");
                Binder binder(context);
                try {
                    op_expr = d != derived.end()
                                  ? binder.BindExpression(*Parser::ParseExpression(d->second), file_scope)
                                  : std::make_unique<BoundColumnRef>(op_column, LogicalType::Varchar(), "__op");
                    op_expr = AddCastIfNeeded(std::move(op_expr), LogicalType::Varchar());
                } catch (const Exception& e) {
                    return fail("__op: " + std::string(e.what()));
                }
                if (d != derived.end()) derived.erase(d);
            }
        }
        if (!derived.empty())
            return fail("columns header derives '" + derived.begin()->first + "', which is not a column of the table");
        BoundExprPtr where;
        std::string where_text = Header(request, "where");
        if (!where_text.empty()) {
            std::vector<ScopeColumn> table_scope;
            for (const auto& c : schema.columns) table_scope.push_back({"", c.name, c.type, c.nullable});
            try {
                Binder binder(context);
                where = AddCastIfNeeded(binder.BindExpression(*Parser::ParseExpression(where_text), table_scope),
                                        TypeId::BOOLEAN);
            } catch (const Exception& e) {
                return fail("where: " + std::string(e.what()));
            }
        }
        bool strict = IsTrue(Header(request, "strict_mode", "false"));
        double max_filter_ratio = 0;
        try {
            max_filter_ratio = std::stod(Header(request, "max_filter_ratio", "0"));
        } catch (const std::exception&) {
            return fail("max_filter_ratio must be a number, not '" + Header(request, "max_filter_ratio") + "'");
        }
        CsvOptions csv;
        csv.column_separator = DecodeSeparator(Header(request, "column_separator", "\\t"));
        csv.row_delimiter = DecodeSeparator(Header(request, "row_delimiter", "\\n"));
        std::string enclose = Header(request, "enclose"), escape = Header(request, "escape");
        if (enclose.size() > 1 || escape.size() > 1) return fail("enclose and escape take one character");
        csv.enclose = enclose.empty() ? 0 : enclose[0];
        csv.escape = escape.empty() ? 0 : escape[0];
        try {
            csv.skip_header = std::stoul(Header(request, "skip_header", "0"));
        } catch (const std::exception&) {
            return fail("skip_header must be a number");
        }

        // Parse and transform, chunk by chunk.
        // The body outlives everything read from it here (it is written and committed before Run
        // returns), so fields reference it instead of being copied.
        csv.reference_input = true;
        std::optional<CsvReader> csv_reader;
        std::optional<JsonReader> json_reader;
        if (format == "csv") {
            csv_reader.emplace(request.body, csv, file_columns.size());
        } else {
            JsonOptions json;
            json.strip_outer_array = IsTrue(Header(request, "strip_outer_array", "false"));
            json.json_root = Header(request, "json_root");
            std::string paths = Header(request, "jsonpaths");
            if (!paths.empty()) {
                // A JSON array of path strings: ["$.a", "$.b.c"].
                std::string inner = paths;
                while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.front())))
                    inner.erase(inner.begin());
                while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.back()))) inner.pop_back();
                if (inner.size() < 2 || inner.front() != '[' || inner.back() != ']') {
                    return fail("jsonpaths must be a JSON array of paths, like [\"$.a\", \"$.b\"]");
                }
                for (auto item : SplitTopLevel(inner.substr(1, inner.size() - 2))) {
                    if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
                        item = item.substr(1, item.size() - 2);
                    json.jsonpaths.push_back(item);
                }
                if (json.jsonpaths.size() != file_columns.size()) {
                    return fail("jsonpaths has " + std::to_string(json.jsonpaths.size()) + " paths for " +
                                std::to_string(file_columns.size()) + " columns");
                }
            }
            // A document parsed whole (an outer array, or records under json_root) is held in memory:
            // StarRocks' 100 MB limit applies unless ignore_json_size is true. Records one after
            // another stream in bounded memory and have no limit.
            constexpr size_t kMaxJsonDocument = size_t{100} << 20;
            if ((json.strip_outer_array || !json.json_root.empty()) && request.body.size() > kMaxJsonDocument &&
                !IsTrue(Header(request, "ignore_json_size", "false"))) {
                return fail(
                    fmt::format("The size of this batch exceed the max size [{}] of json type data  data [{}]. "
                                "Set ignore_json_size to skip the check, although it may lead huge memory "
                                "consuming.",
                                kMaxJsonDocument, request.body.size()));
            }
            json_reader.emplace(request.body, json, file_columns);
        }
        auto next_chunk = [&](Chunk& out, std::vector<CsvRowError>& errors) {
            return csv_reader ? csv_reader->Next(out, errors) : json_reader->Next(out, errors);
        };
        // Text must be UTF-8: one vectorized pass over the body; rows are checked only when it fails.
        const bool body_is_utf8 = IsValidUtf8(request.body);
        std::vector<CsvRowError> csv_errors;
        std::vector<FilteredRow> filtered;
        std::vector<std::vector<uint8_t>> delete_rows;  // per chunk, when __op is given
        Chunk file_chunk;
        int64_t selected_rows = 0;
        bool exhausted = false;
        // Rows are parsed, transformed and handed to the load a batch (about 1M rows) at a time.
        constexpr size_t kBatchRows = size_t{1} << 20;
        auto read_batch = [&](std::vector<Chunk>& rows) -> bool {
            size_t batch_rows = 0;
            while (!exhausted && batch_rows < kBatchRows) {
                if (!next_chunk(file_chunk, csv_errors)) {
                    exhausted = true;
                    break;
                }
                size_t n = file_chunk.size();
                if (n == 0) continue;
                batch_rows += n;
                Chunk out;
                std::vector<uint8_t> keep(n, 1);
                for (size_t c = 0; c < schema.columns.size(); ++c) {
                    const TableColumn& col = schema.columns[c];
                    std::shared_ptr<Column> values;
                    if (targets[c]) {
                        values = ExpressionExecutor::Evaluate(*targets[c], file_chunk, n);
                    } else {
                        values = std::make_shared<Column>(col.type, n);
                        values->Resize(n);
                        Value d = col.default_value.value_or(Value::Null(col.type));
                        for (size_t r = 0; r < n; ++r) values->SetValue(r, d);
                    }
                    for (size_t r = 0; r < n; ++r) {
                        if (!keep[r] || !values->IsNull(r)) continue;
                        int src = plain_source[c];
                        bool conversion_failed = src >= 0 && !file_chunk.column(src).IsNull(r);
                        if (conversion_failed && strict) {
                            keep[r] = 0;
                            filtered.push_back({0,
                                                "column '" + col.name + "': '" +
                                                    Shown(file_chunk.column(src).Strings()[r].view()) +
                                                    "' is not a valid " + col.type.ToString(),
                                                ""});
                        } else if (!col.nullable) {
                            keep[r] = 0;
                            filtered.push_back({0,
                                                conversion_failed
                                                    ? "column '" + col.name + "': '" +
                                                          Shown(file_chunk.column(src).Strings()[r].view()) +
                                                          "' is not a valid " + col.type.ToString()
                                                    : "column '" + col.name + "' is NULL but declared NOT NULL",
                                                ""});
                        }
                    }
                    if (col.type.IsString() && col.type.length > 0) {
                        for (size_t r = 0; r < n; ++r) {
                            if (!keep[r] || values->IsNull(r) || values->Strings()[r].size() <= col.type.length)
                                continue;
                            keep[r] = 0;
                            filtered.push_back({0,
                                                fmt::format("column '{}': '{}' is {} bytes, longer than {}", col.name,
                                                            Shown(values->Strings()[r].view()),
                                                            values->Strings()[r].size(), col.type.ToString()),
                                                ""});
                        }
                    }
                    if (!body_is_utf8 && col.type.IsString()) {
                        // The body has invalid UTF-8 somewhere: find the rows whose text carries it.
                        for (size_t r = 0; r < n; ++r) {
                            if (!keep[r] || values->IsNull(r)) continue;
                            std::string_view v = values->Strings()[r].view();
                            if (IsValidUtf8(v)) continue;
                            keep[r] = 0;
                            filtered.push_back(
                                {0, "column '" + col.name + "': invalid UTF-8 in '" + Shown(v) + "'", ""});
                        }
                    }
                    out.AddColumn(std::move(values));
                }
                out.SetSize(n);
                if (op_expr) {
                    auto ops = ExpressionExecutor::Evaluate(*op_expr, file_chunk, n);
                    std::vector<uint8_t> flags(n, 0);
                    for (size_t r = 0; r < n; ++r) {
                        if (ops->IsNull(r)) continue;
                        std::string v = AsciiLower(std::string(ops->Strings()[r].view()));
                        if (v == "1" || v == "delete") {
                            flags[r] = 1;
                        } else if (v != "0" && v != "upsert") {
                            if (keep[r])
                                filtered.push_back({0, "__op must be 0 / upsert or 1 / delete, not '" + v + "'", ""});
                            keep[r] = 0;
                        }
                    }
                    delete_rows.push_back(std::move(flags));
                }
                auto selection = std::make_unique<SelectionVector>();
                std::shared_ptr<Column> pass;
                if (where) pass = ExpressionExecutor::Evaluate(*where, out, n);
                for (size_t r = 0; r < n; ++r) {
                    if (!keep[r]) continue;
                    if (pass && (pass->IsNull(r) || pass->Data<uint8_t>()[r] == 0)) {
                        ++res.unselected_rows;
                        continue;
                    }
                    selection->push_back(static_cast<uint32_t>(r));
                }
                selected_rows += static_cast<int64_t>(selection->size());
                if (selection->size() != n) out.SetSelection(std::move(selection));
                rows.push_back(std::move(out));
            }
            return !rows.empty() || !exhausted;
        };
        LoadOptions options;
        // Before the commit: count, keep the rejected rows, and refuse a load over its ratio.
        auto before_commit = [&]() -> std::string {
            for (const auto& e : csv_errors) filtered.push_back({e.line, e.reason, Shown(e.raw, 1024)});
            res.total_rows = static_cast<int64_t>(csv_reader ? csv_reader->rows_seen() : json_reader->rows_seen());
            res.filtered_rows = static_cast<int64_t>(filtered.size());
            if (!filtered.empty()) {
                // Keep the rejected rows (the first 1000) for the ErrorURL.
                res.error_log =
                    fmt::format("{}_{:x}", table->id, std::chrono::system_clock::now().time_since_epoch().count());
                std::filesystem::create_directories(data_dir_ + "/load_errors");
                std::ofstream log(data_dir_ + "/load_errors/" + res.error_log + ".txt", std::ios::binary);
                for (size_t i = 0; i < filtered.size() && i < 1000; ++i) {
                    const auto& f = filtered[i];
                    log << "Error: " << f.reason;
                    if (f.line) log << ". Line " << f.line;
                    if (!f.row.empty()) log << ". Row: " << f.row;
                    log << "\n";
                }
            }
            int64_t considered = res.total_rows - res.unselected_rows;
            if (considered > 0 &&
                static_cast<double>(res.filtered_rows) > max_filter_ratio * static_cast<double>(considered)) {
                return "too many filtered rows: " + std::to_string(res.filtered_rows) + " of " +
                       std::to_string(considered) + " (max_filter_ratio " + Header(request, "max_filter_ratio", "0") +
                       ")" + (filtered.empty() ? "" : "; first error: " + filtered.front().reason);
            }
            record.total_rows = res.total_rows;
            record.filtered_rows = res.filtered_rows;
            record.unselected_rows = res.unselected_rows;
            record.error_url = res.error_log.empty() ? "" : "/api/_load_error_log?file=" + res.error_log;
            record.loaded_rows = selected_rows;
            options.record = record;
            return "";
        };
        options.label = res.label;
        std::string partitions = Header(request, "partitions");
        if (!partitions.empty()) options.partitions = SplitTopLevel(partitions);
        std::string condition = Header(request, "merge_condition");
        if (!condition.empty()) {
            if (schema.keys_type != ast::KeysType::PRIMARY) return fail("merge_condition needs a PRIMARY KEY table");
            int idx = schema.Find(condition);
            if (idx < 0) return fail("merge_condition column '" + condition + "' is not a column of the table");
            if (static_cast<size_t>(idx) < schema.key_columns.size()) {
                return fail("merge_condition column '" + condition + "' cannot be a key column");
            }
            options.merge_condition = idx;
        }
        if (IsTrue(Header(request, "partial_update", "false"))) {
            if (schema.keys_type != ast::KeysType::PRIMARY) return fail("partial_update needs a PRIMARY KEY table");
            for (size_t k = 0; k < schema.key_columns.size(); ++k) updated[k] = true;
            options.update_columns = updated;
        }
        if (op_expr) options.delete_rows = &delete_rows;
        auto write_started = std::chrono::steady_clock::now();
        LoadResult load;
        try {
            load = loads_.LoadBatches(*table, schema, read_batch, options, before_commit);
        } catch (const LoadError& e) {
            return fail(e.what());
        }
        res.write_data_time_ms = MillisSince(write_started);
        res.txn_id = load.txn_id;
        res.loaded_rows = selected_rows;
    } catch (const CatalogError& e) {
        if (e.code() == ErrorCode::LABEL_ALREADY_EXISTS) {
            res.status = "Label Already Exists";
            res.existing_job_status = "FINISHED";
            res.message = e.what();
            res.loaded_rows = 0;
            res.load_time_ms = MillisSince(started);
            return res;
        }
        return fail(e.what());
    } catch (const Exception& e) {
        return fail(e.what());
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what());
    }
    res.load_time_ms = MillisSince(started);
    Log::Info("stream_load.finished", {{"label", res.label},
                                       {"table", request.database + "." + request.table},
                                       {"rows", res.loaded_rows},
                                       {"filtered", res.filtered_rows},
                                       {"ms", res.load_time_ms}});
    return res;
}

}  // namespace floe
