#pragma once
/// Stream Load: StarRocks' HTTP bulk load (PUT /api/{db}/{table}/_stream_load), independent of
/// the HTTP layer. The body is parsed into the engine's columns (format/csv), each target column
/// is computed by the engine's expressions (the `columns` header: reorder, skip, derived columns
/// such as `d = from_unixtime(ts)`), rows are filtered by `where`, rows that do not parse or
/// convert are filtered and reported, and the rest is one load transaction with its label
/// (LoadManager): visible entirely or not at all, and a label that finished is never loaded twice.

#include <map>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "ingest/load_manager.h"
#include "ingest/record_blocks.h"

namespace floe {

struct StreamLoadRequest {
    std::string database;
    std::string table;
    /// The authenticated user: the load needs INSERT on the table with the user's default roles,
    /// and its error log is readable by that user only.
    std::string user;
    std::map<std::string, std::string> headers;  // lower-case names
    /// The body: read from `source` as it arrives when given, else `body`.
    BodySource* source = nullptr;
    std::string_view body;
};

struct StreamLoadResponse {
    int http_status = 200;
    std::string status = "Success";  // Success, Fail, Label Already Exists
    std::string message = "OK";
    std::string label;
    std::string existing_job_status;
    int64_t txn_id = 0;
    int64_t total_rows = 0, loaded_rows = 0, filtered_rows = 0, unselected_rows = 0, load_bytes = 0;
    int64_t load_time_ms = 0, read_data_time_ms = 0, write_data_time_ms = 0, commit_time_ms = 0;
    std::string error_log;  // id of the rejected-rows log, when rows were filtered
    /// The response body StarRocks clients expect; `error_url_prefix` + id gives ErrorURL.
    std::string ToJson(const std::string& error_url_prefix) const;
};

class StreamLoader {
  public:
    StreamLoader(Catalog& catalog, LoadManager& loads, std::string data_dir);
    /// The size of the blocks a body is read and written in (tests make it small).
    void set_block_bytes(size_t bytes) { block_bytes_ = bytes; }
    StreamLoadResponse Run(const StreamLoadRequest& request);
    /// The rejected rows of a load (one line per row: line number, reason, row), or nullopt when
    /// there is no such log or `user` is not the user who ran the load.
    std::optional<std::string> ErrorLog(const std::string& id, const std::string& user) const;

  private:
    Catalog& catalog_;
    LoadManager& loads_;
    std::string data_dir_;
    size_t block_bytes_ = size_t{64} << 20;
};

}  // namespace floe
