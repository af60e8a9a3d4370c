#pragma once
/// The part of a load that Stream Load and Routine Load share: from the load's properties
/// (Stream Load's headers; Routine Load's COLUMNS, WHERE, COLUMNS TERMINATED BY, PARTITION and
/// PROPERTIES, under the same names) to
/// - the source's format and reader options (csv: column_separator, row_delimiter, enclose,
///   escape, skip_header; json: jsonpaths, json_root, strip_outer_array),
/// - the source columns and each table column's expression over them (`columns`: reorder, skip,
///   derived columns such as `d = from_unixtime(ts)`, bound by the engine's binder, so a load can
///   compute whatever SQL can), the `where` filter (over the table's columns, and the source
///   columns the table does not have), `__op`,
/// - the LoadOptions of the write (partitions, partial_update, merge_condition),
/// and the per-chunk transform: source rows (VARCHAR columns) to table rows, with a reason for
/// each row that does not convert (strict_mode, NOT NULL, VARCHAR(n) length, invalid UTF-8).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binder/bound_expression.h"
#include "binder/table_schema.h"
#include "format/csv/csv_reader.h"
#include "format/json/json_reader.h"
#include "ingest/debezium.h"
#include "ingest/internal_context.h"
#include "ingest/load_manager.h"

namespace floe {

/// A value as error messages show it: at most `limit` bytes, and text that is not UTF-8 (or is a
/// control character) as \xNN escapes, so that responses and error logs stay valid UTF-8.
std::string ShownValue(std::string_view v, size_t limit = 200);

/// Separator texts: literal, or escapes such as \t, \n and \x01 (hex bytes).
std::string DecodeSeparator(const std::string& text);

/// Splits "a, b, c = f(x, y), d" at top-level commas (outside parentheses and quotes), trimmed.
std::vector<std::string> SplitTopLevel(const std::string& text);

bool IsTrueProperty(const std::string& value);

class LoadTransform {
  public:
    /// Compiles the properties (lower-case names) against the table. Throws LoadError with a
    /// message that names the property at fault. `loader`: the privileges of the user the load
    /// runs for (its expressions may read only what that user may); null for Floe's own loads.
    LoadTransform(Catalog& catalog, const std::string& database, const std::string& data_dir, const TableSchema& schema,
                  std::map<std::string, std::string> properties, std::shared_ptr<const PrivilegeSet> loader = nullptr);

    const std::string& format() const { return format_; }  // "csv" or "json"
    /// "debezium" when each record is a Debezium change event (ingest/debezium.h), else "".
    const std::string& envelope() const { return envelope_; }
    /// The table as the Debezium decoder needs it (with envelope() == "debezium").
    const DebeziumTarget& debezium_target() const { return debezium_; }
    const CsvOptions& csv_options() const { return csv_; }
    const JsonOptions& json_options() const { return json_; }
    const std::vector<std::string>& source_columns() const { return source_columns_; }
    double max_filter_ratio() const { return max_filter_ratio_; }
    /// A property's value, or `fallback`.
    std::string Property(const std::string& name, const std::string& fallback = "") const;
    /// Whether rows carry __op (upsert or delete).
    bool has_op() const { return op_expr_ != nullptr; }
    /// The write's options (partitions, partial update columns, merge condition); the caller adds
    /// the label, the record and, with has_op(), the delete flags.
    const LoadOptions& options() const { return options_; }

    struct Reject {
        uint32_t row;  // the source chunk's row
        std::string reason;
    };
    /// Computes the table's columns for the `source` chunk's rows into `out` (same row count);
    /// rows that fail are reported in `rejects` and rows `where` drops are counted in
    /// `unselected`: neither is in `out`'s selection. With has_op(), `delete_flags` receives one
    /// byte per row (1: delete). `check_utf8`: text columns are checked for invalid UTF-8.
    /// With has_keep_stored() and `keep_stored`, it receives per row a mask of the table columns
    /// (bit c: column c) whose stored values the row keeps.
    void Apply(const Chunk& source, Chunk& out, std::vector<uint8_t>* delete_flags, std::vector<Reject>& rejects,
               int64_t& unselected, bool check_utf8, std::vector<uint64_t>* keep_stored = nullptr) const;
    /// Whether rows may keep stored values of some columns (Debezium's unchanged TOASTed values).
    bool has_keep_stored() const { return unchanged_source_ >= 0; }

  private:
    std::map<std::string, std::string> properties_;
    const TableSchema& schema_;
    InternalContext context_;
    std::string format_;
    std::string envelope_;
    int unchanged_source_ = -1;  // the __unchanged source column (envelope debezium), or -1
    DebeziumTarget debezium_;
    CsvOptions csv_;
    JsonOptions json_;
    std::vector<std::string> source_columns_;
    std::vector<BoundExprPtr> targets_;  // per table column; null: its default
    std::vector<int> plain_source_;      // a source column converted as is, or -1
    BoundExprPtr op_expr_;
    BoundExprPtr where_;
    std::vector<size_t> where_sources_;  // source columns `where` may also name
    bool strict_ = false;
    double max_filter_ratio_ = 0;
    LoadOptions options_;
};

}  // namespace floe
