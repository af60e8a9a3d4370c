#pragma once
/// CSV (delimiter-separated text) into the engine's columns: each field becomes a VARCHAR value of
/// its column, a chunk of up to 4096 rows at a time. The separators are arbitrary byte strings
/// (StarRocks' column_separator / row_delimiter, e.g. "\t", ",", "\x01", "||"); an optional enclose
/// character quotes fields that contain separators or row delimiters (doubled inside a field to
/// stand for itself), and an optional escape character makes the next byte literal. A row with
/// the wrong number of fields, or an unterminated quote, is not returned: it is reported with its
/// line number, the reason and its raw text.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vector/chunk.h"

namespace floe {

struct CsvOptions {
    std::string column_separator = "\t";
    std::string row_delimiter = "\n";
    char enclose = 0;  // 0: none
    char escape = 0;   // 0: none
    size_t skip_header = 0;
    /// Treat the literal \N as NULL (StarRocks' convention for CSV).
    bool null_marker = true;
    /// Fields that need no unescaping reference the input instead of being copied: the input
    /// must then outlive every chunk read (and whatever shares their strings).
    bool reference_input = false;
};

struct CsvRowError {
    size_t line = 0;
    std::string reason;
    std::string raw;    // the row as it was (truncated to 1 KB)
    size_t source = 0;  // the input unit it came from (see CsvReader::TrackSources)
};

/// FILES() over CSV: the columns of the first `sample_rows` rows ($1, $2, ... as StarRocks names
/// them), each typed as the narrowest of BIGINT, DOUBLE, DATE, DATETIME and VARCHAR that holds
/// every sampled value (\N and empty fields say nothing). The column count is the first row's.
struct InferredColumn {
    std::string name;
    LogicalType type;
};
std::vector<InferredColumn> InferCsvColumns(std::string_view data, const CsvOptions& options,
                                            size_t sample_rows = 1000);

class CsvReader {
  public:
    /// `data` must outlive the reader; `columns` is the number of fields each row must have.
    CsvReader(std::string_view data, CsvOptions options, size_t columns);
    /// Fills `out` with up to kChunkCapacity good rows (VARCHAR columns); bad rows go to `errors`.
    /// Returns false when the input is exhausted and nothing was read.
    bool Next(Chunk& out, std::vector<CsvRowError>& errors);
    /// Data rows seen so far, good and bad (header lines excluded).
    size_t rows_seen() const { return rows_seen_; }
    /// Lines read so far (header lines included).
    size_t lines() const { return line_; }
    /// From now on, each Next() fills `sources` with the ordinal (0-based, among data rows) of
    /// each row it returns; CsvRowError::source holds a bad row's ordinal either way.
    void TrackSources(std::vector<uint32_t>* sources) { sources_ = sources; }
    /// The number of fields of the next row (consumes it); 0 at the end of the input.
    size_t CountNextRowFields();

  private:
    /// Splits the row starting at pos_ into fields_; advances pos_ past its delimiter. Returns
    /// false (with reason_) when the row is malformed.
    bool ParseRow(std::string_view& raw);
    /// ParseRow without enclose or escape: fields are views of the input (no copies).
    bool SplitRow(std::string_view& raw);
    /// Next() for one-byte separators, no enclose or escape, fields referencing the input: one
    /// vectorized pass finds every separator and delimiter.
    bool NextFast(Chunk& out, std::vector<CsvRowError>& errors);
    bool AtSeparator(size_t at, const std::string& sep) const { return data_.compare(at, sep.size(), sep) == 0; }

    std::string_view data_;
    CsvOptions options_;
    size_t columns_;
    size_t pos_ = 0;
    size_t line_ = 0;
    size_t rows_seen_ = 0;
    std::vector<std::string> fields_;
    std::vector<std::string_view> views_;  // the current row's fields (into data_ or fields_)
    std::vector<bool> field_null_;
    std::string reason_;
    std::vector<uint32_t>* sources_ = nullptr;
};

}  // namespace floe
