#pragma once
/// JSON into the engine's columns, for Stream Load's format=json: each record (an object) gives
/// one row whose fields are VARCHAR values, a chunk of up to 4096 rows at a time. Records are
/// either the elements of a top-level array (strip_outer_array) or a sequence of top-level
/// objects (one per line, or concatenated); json_root picks the part of the document that holds
/// them. Fields come from `jsonpaths` ("$.a", "$.b.c", "$.d[0]") when given, else from the
/// object's keys named like the file columns. Strings keep their text, numbers their JSON text,
/// booleans become 1 and 0, null is NULL, and objects and arrays their JSON text. Parsed with
/// simdjson; a malformed document is reported and ends the input.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/csv/csv_reader.h"  // CsvRowError: one rejected record and why
#include "vector/chunk.h"

namespace floe {

struct JsonOptions {
    bool strip_outer_array = false;
    std::string json_root;               // "$.data" (empty: the document itself)
    std::vector<std::string> jsonpaths;  // one per field; empty: match keys by name
};

/// FILES() over JSON: the keys of the first `sample_rows` records in order of appearance, each
/// typed by its values (integers BIGINT, other numbers DOUBLE, booleans BOOLEAN, strings VARCHAR,
/// objects and arrays JSON; mixed kinds widen to DOUBLE or VARCHAR).
std::vector<InferredColumn> InferJsonColumns(std::string_view data, const JsonOptions& options,
                                             size_t sample_rows = 1000);

class JsonReader {
  public:
    /// `names` are the file columns (matched against keys when there are no jsonpaths). Throws
    /// ConversionError for a jsonpaths/json_root expression it cannot read.
    JsonReader(std::string_view data, JsonOptions options, std::vector<std::string> names);
    /// Separate documents (Kafka messages), each an object or (strip_outer_array) an array of
    /// them, under json_root when given. A document that does not parse is reported and the next
    /// one is read. The documents must outlive the reader.
    JsonReader(std::vector<std::string_view> documents, JsonOptions options, std::vector<std::string> names);
    ~JsonReader();
    bool Next(Chunk& out, std::vector<CsvRowError>& errors);
    size_t rows_seen() const { return rows_seen_; }
    /// From now on, each Next() fills `sources` with the input unit of each row it returns: the
    /// document's index (0-based) with separate documents, else the record's ordinal. A rejected
    /// record's CsvRowError::source holds the same.
    void TrackSources(std::vector<uint32_t>* sources) { sources_ = sources; }
    /// Records one after another: a document cut off at the end of the input is not an error but
    /// left unread (its bytes: truncated_bytes()), for a caller reading its input in blocks.
    void AllowTruncatedEnd();
    size_t truncated_bytes() const;

  private:
    friend std::vector<InferredColumn> InferJsonColumns(std::string_view, const JsonOptions&, size_t);
    struct State;
    std::unique_ptr<State> state_;
    size_t rows_seen_ = 0;
    std::vector<uint32_t>* sources_ = nullptr;
};

}  // namespace floe
