#include "ingest/stream_load.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "binder/binder.h"
#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "common/worker_pool.h"
#include "execution/expression_executor.h"
#include "format/csv/csv_reader.h"
#include "format/json/json_reader.h"
#include "format/utf8.h"
#include "function/cast.h"
#include "ingest/debezium.h"
#include "ingest/internal_context.h"
#include "ingest/load_transform.h"
#include "ingest/record_blocks.h"
#include "parser/parser.h"
#include "types/time_zone.h"

namespace floe {

namespace {
/// CSV and JSON-lines blocks from this size on are parsed by several tasks at once.
constexpr size_t kParallelBlockBytes = size_t{1} << 20;

/// Cuts records-one-after-another JSON text into about `pieces` runs of whole documents: at line
/// breaks outside every document (depth 0, not in a string). A document cut off at the end stays
/// in the last run.
std::vector<std::string_view> CutJsonDocuments(std::string_view text, size_t pieces) {
    std::vector<std::string_view> out;
    const size_t target = std::max<size_t>(text.size() / std::max<size_t>(pieces, 1), 1);
    size_t start = 0, depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        } else if (c == '\n' && depth == 0 && i + 1 - start >= target) {
            out.push_back(text.substr(start, i + 1 - start));
            start = i + 1;
        }
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}
}  // namespace

namespace {

int64_t MillisSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

std::string Header(const StreamLoadRequest& r, const std::string& name, const std::string& fallback = "") {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? fallback : it->second;
}

struct FilteredRow {
    size_t line;
    std::string reason;
    std::string row;
};

/// Debezium (envelope: debezium): the change events one after another in `text`, each decoded
/// into the row document it writes (ingest/debezium.h). An event that does not decode goes to
/// `errors` (its record number counted from `first_record`); a malformed document ends the input
/// like the JSON reader's. `allow_truncated`: a document cut off at the end is left for the next
/// block (its size in `*truncated`). `*events`: the events read.
std::vector<std::string> DecodeDebeziumEvents(std::string_view text, const DebeziumTarget& target, bool allow_truncated,
                                              std::vector<CsvRowError>& errors, size_t* truncated, size_t* events) {
    std::vector<std::string> out;
    simdjson::padded_string data(text);
    simdjson::dom::parser parser;
    simdjson::dom::document_stream stream;
    if (auto err = parser.parse_many(data).get(stream)) {
        errors.push_back({0, std::string("the body is not JSON: ") + simdjson::error_message(err), "", 0});
        return out;
    }
    for (auto it = stream.begin(); it != stream.end(); ++it) {
        simdjson::dom::element doc;
        if (auto err = (*it).get(doc)) {
            errors.push_back({*events, std::string("a change event is not JSON: ") + simdjson::error_message(err),
                              std::string(text.substr(it.current_index(), 1024)), 0});
            ++*events;
            return out;
        }
        std::string_view source = it.source();
        ++*events;
        try {
            DebeziumRow row = DecodeDebezium("", source, target);
            if (row.truncate) {
                // A Stream Load commits its rows as one transaction: there is no point between
                // two commits where the truncate could apply in order.
                throw LoadError(
                    "a truncate event (op 't') cannot apply inside a Stream Load; Routine Load applies "
                    "truncates between its commits (or drop them at the source: skipped.operations=t)");
            }
            if (!row.skip) out.push_back(std::move(row.document));
        } catch (const Exception& e) {
            errors.push_back(
                {*events - 1, std::string("Debezium event: ") + e.what(), std::string(source.substr(0, 1024)), 0});
        }
    }
    size_t cut = stream.truncated_bytes();
    if (cut > 0) {
        if (allow_truncated) {
            *truncated = cut;
        } else {
            errors.push_back(
                {*events, "the body ends inside a change event", std::string(text.substr(text.size() - cut, 1024)), 0});
        }
    }
    return out;
}

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

std::optional<std::string> StreamLoader::ErrorLog(const std::string& id, const std::string& user) const {
    if (id.empty()) return std::nullopt;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
    }
    // The rejected rows are the loader's data: only the user who ran the load reads them.
    std::ifstream owner(data_dir_ + "/load_errors/" + id + ".owner", std::ios::binary);
    std::string loaded_by(std::istreambuf_iterator<char>(owner), {});
    if (!owner || loaded_by != user) return std::nullopt;
    std::ifstream in(data_dir_ + "/load_errors/" + id + ".txt", std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

StreamLoadResponse StreamLoader::Run(const StreamLoadRequest& request) {
    auto started = std::chrono::steady_clock::now();
    StreamLoadResponse res;
    res.label = Header(request, "label");
    if (res.label.empty()) res.label = LoadManager::NewLabel("stream_load");
    LoadRecord record;
    record.kind = "STREAM_LOAD";
    record.label = res.label;
    record.create_time =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::optional<TableInfo> table;
    std::shared_ptr<const PrivilegeSet> loader;
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
        // INSERT on the table, with the loader's default roles (StarRocks answers 401 without it).
        AccessControl access(catalog_);
        loader = access.Effective(request.user, access.DefaultRoles(request.user));
        if (!loader->Has("INSERT", ClientContext::TableObject(*table))) {
            try {
                ThrowPrivilegeDenied("INSERT", ClientContext::TableObject(*table), access.DefaultRoles(request.user),
                                     {});
            } catch (const PermissionError& e) {
                table.reset();
                res.http_status = 401;
                return fail(e.what());
            }
        }
        if (auto existing = catalog_.GetLoad(request.database, res.label); existing && existing->state == "FINISHED") {
            res.status = "Label Already Exists";
            res.existing_job_status = "FINISHED";
            res.message = "Label [" + res.label + "] has already been used.";
            res.load_time_ms = MillisSince(started);
            return res;
        }
        auto lock = loads_.LockTable(table->id);
        auto version = catalog_.GetTableVersion(table->id);
        TableSchema schema = ParseTableDefinition(version->definition);
        std::optional<LoadTransform> transform;
        try {
            transform.emplace(catalog_, request.database, data_dir_, schema, request.headers, loader);
        } catch (const LoadError& e) {
            return fail(e.what());
        }

        LoadOptions options = transform->options();
        options.label = res.label;

        // The body is read block by block (whole records each) as it arrives, and each block is
        // parsed, transformed and written before the next is read: memory stays bounded by the
        // block size, whatever the body's. A block's CSV fields reference it, so a load that keeps
        // rows until its commit keeps the blocks too.
        const bool is_csv = transform->format() == "csv";
        CsvOptions csv = transform->csv_options();
        csv.reference_input = true;
        const JsonOptions& json = transform->json_options();
        // A document parsed whole (an outer array, or records under json_root) is held in memory:
        // StarRocks' 100 MB limit applies unless ignore_json_size is true. Records one after
        // another stream in bounded memory and have no limit.
        const bool whole_document = !is_csv && (json.strip_outer_array || !json.json_root.empty());
        const bool debezium = transform->envelope() == "debezium";
        constexpr size_t kMaxJsonDocument = size_t{100} << 20;
        const size_t document_limit =
            IsTrueProperty(Header(request, "ignore_json_size", "false")) ? SIZE_MAX : kMaxJsonDocument;
        const std::string delimiter = is_csv ? csv.row_delimiter : "\n";
        const char enclose = is_csv ? csv.enclose : 0, escape = is_csv ? csv.escape : 0;
        std::optional<RecordBlocks> body_blocks;
        if (request.source) {
            body_blocks.emplace(*request.source, delimiter, enclose, escape, block_bytes_);
        } else {
            body_blocks.emplace(request.body, delimiter, enclose, escape, block_bytes_);
        }
        RecordBlocks& blocks = *body_blocks;
        if (!LoadManager::StreamsBatches(schema, options)) blocks.KeepBlocks();
        size_t line_base = 0;    // lines of earlier blocks (CSV error line numbers)
        size_t rows_before = 0;  // records of earlier blocks
        bool first_block = true;
        std::vector<CsvRowError> csv_errors;
        std::vector<FilteredRow> filtered;
        std::vector<std::vector<uint8_t>> delete_rows;   // per chunk, when __op is given
        std::vector<std::vector<uint64_t>> keep_stored;  // per chunk: columns whose stored values rows keep
        int64_t selected_rows = 0;
        bool exhausted = false;
        // One piece of a block, parsed and transformed by one task.
        struct Piece {
            std::string_view text;
            std::vector<Chunk> rows;
            std::vector<CsvRowError> errors;
            std::vector<std::string> rejects;
            std::vector<std::vector<uint8_t>> flags;
            std::vector<std::vector<uint64_t>> keeps;  // per chunk: columns whose stored values rows keep
            int64_t unselected = 0, selected = 0;
            size_t lines = 0, records = 0;
            std::exception_ptr error;
        };
        // One block (about 64 MiB) is one batch handed to the load. A block of 1 MiB or more (CSV,
        // or JSON records one after another) is cut into pieces of whole records parsed and
        // transformed on the worker pool at once; their rows go to the load in body order.
        auto read_batch = [&](std::vector<Chunk>& rows) -> bool {
            if (exhausted) return false;
            std::string_view block;
            if (whole_document) {
                if (!first_block || !blocks.ReadAll(block, document_limit)) {
                    exhausted = true;
                    if (!first_block) return false;
                    std::string size =
                        Header(request, "content-length", "more than " + std::to_string(kMaxJsonDocument));
                    throw LoadError(
                        fmt::format("The size of this batch exceed the max size [{}] of json type data  data [{}]. "
                                    "Set ignore_json_size to skip the check, although it may lead huge memory "
                                    "consuming.",
                                    kMaxJsonDocument, size));
                }
            } else if (!blocks.Next(block)) {
                exhausted = true;
                return false;
            }
            const bool body_start = first_block;
            first_block = false;
            // Text must be UTF-8: one vectorized pass per block; rows are checked only when it fails.
            const bool block_is_utf8 = IsValidUtf8(block);
            const size_t tasks = WorkerPool::Instance().parallelism();
            std::vector<Piece> pieces;
            if (whole_document || tasks == 1 || block.size() < kParallelBlockBytes) {
                pieces.emplace_back().text = block;
            } else if (is_csv) {
                RecordBlocks cut(block, delimiter, enclose, escape,
                                 std::max<size_t>(block.size() / (tasks * 2), size_t{1} << 20));
                for (std::string_view text; cut.Next(text);) pieces.emplace_back().text = text;
            } else {
                for (std::string_view text : CutJsonDocuments(block, tasks * 2)) pieces.emplace_back().text = text;
            }
            size_t truncated = 0;  // JSON: bytes of a document cut off at the block's end
            WorkerPool::Instance().Run(pieces.size(), [&](size_t i) {
                Piece& p = pieces[i];
                try {
                    std::vector<std::string> decoded;  // envelope debezium: the events' rows
                    std::optional<CsvReader> csv_piece;
                    std::optional<JsonReader> json_piece;
                    size_t events = 0;
                    if (debezium) {
                        size_t cut = 0;
                        decoded =
                            DecodeDebeziumEvents(p.text, transform->debezium_target(),
                                                 i + 1 == pieces.size() && !blocks.at_end(), p.errors, &cut, &events);
                        if (i + 1 == pieces.size()) truncated = cut;
                        json_piece.emplace(std::vector<std::string_view>(decoded.begin(), decoded.end()), json,
                                           transform->source_columns());
                    } else if (is_csv) {
                        CsvOptions o = csv;
                        if (!(body_start && i == 0)) o.skip_header = 0;
                        csv_piece.emplace(p.text, o, transform->source_columns().size());
                    } else {
                        json_piece.emplace(p.text, json, transform->source_columns());
                        if (!whole_document && i + 1 == pieces.size() && !blocks.at_end()) {
                            json_piece->AllowTruncatedEnd();
                        }
                    }
                    auto next = [&](Chunk& chunk) {
                        return csv_piece ? csv_piece->Next(chunk, p.errors) : json_piece->Next(chunk, p.errors);
                    };
                    Chunk source;
                    std::vector<LoadTransform::Reject> rejected;
                    while (next(source)) {
                        if (source.size() == 0) continue;
                        Chunk out;
                        std::vector<uint8_t> flags;
                        rejected.clear();
                        std::vector<uint64_t> keeps;
                        transform->Apply(source, out, &flags, rejected, p.unselected, !block_is_utf8, &keeps);
                        if (transform->has_keep_stored()) p.keeps.push_back(std::move(keeps));
                        for (auto& r : rejected) p.rejects.push_back(std::move(r.reason));
                        if (transform->has_op()) p.flags.push_back(std::move(flags));
                        p.selected += static_cast<int64_t>(out.live_rows());
                        p.rows.push_back(std::move(out));
                    }
                    if (csv_piece) {
                        p.lines = csv_piece->lines();
                        p.records = csv_piece->rows_seen();
                    } else if (debezium) {
                        p.records = events;
                    } else {
                        p.records = json_piece->rows_seen();
                        if (i + 1 == pieces.size()) truncated = json_piece->truncated_bytes();
                    }
                } catch (...) {
                    p.error = std::current_exception();
                }
            });
            for (Piece& p : pieces) {
                if (p.error) std::rethrow_exception(p.error);
                for (auto& e : p.errors) {
                    e.line += is_csv ? line_base : rows_before;  // JSON errors count records
                    csv_errors.push_back(std::move(e));
                }
                line_base += p.lines;
                rows_before += p.records;
                for (auto& reason : p.rejects) filtered.push_back({0, std::move(reason), ""});
                for (auto& f : p.flags) delete_rows.push_back(std::move(f));
                for (auto& k : p.keeps) keep_stored.push_back(std::move(k));
                res.unselected_rows += p.unselected;
                selected_rows += p.selected;
                for (auto& c : p.rows) rows.push_back(std::move(c));
            }
            if (truncated) blocks.Unread(truncated);  // the cut-off document begins the next block
            return true;
        };
        const double max_filter_ratio = transform->max_filter_ratio();
        // Before the commit: count, keep the rejected rows, and refuse a load over its ratio.
        auto before_commit = [&]() -> std::string {
            for (const auto& e : csv_errors) filtered.push_back({e.line, e.reason, ShownValue(e.raw, 1024)});
            res.total_rows = static_cast<int64_t>(rows_before);
            res.load_bytes = record.load_bytes = static_cast<int64_t>(blocks.bytes());
            res.filtered_rows = static_cast<int64_t>(filtered.size());
            if (!filtered.empty()) {
                // Keep the rejected rows (the first 1000) for the ErrorURL.
                res.error_log =
                    fmt::format("{}_{:x}", table->id, std::chrono::system_clock::now().time_since_epoch().count());
                std::filesystem::create_directories(data_dir_ + "/load_errors");
                std::ofstream(data_dir_ + "/load_errors/" + res.error_log + ".owner", std::ios::binary) << request.user;
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
        if (transform->has_op()) options.delete_rows = &delete_rows;
        if (transform->has_keep_stored()) options.keep_stored = &keep_stored;
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
