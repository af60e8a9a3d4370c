// Routine Load's Iceberg target (iceberg_sink.h).

#include "ingest/iceberg_sink.h"

#include <set>

#include "common/exception.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/table_transaction.h"

namespace floe {

IcebergSink::IcebergSink(ExternalCatalogs& externals, std::string catalog, std::string database, std::string table,
                         std::string job_key)
    : externals_(externals),
      catalog_(std::move(catalog)),
      database_(std::move(database)),
      table_(std::move(table)),
      job_key_(std::move(job_key)) {}

IcebergSink::~IcebergSink() {
    if (writer_) writer_->Abort();
}

TableSchema IcebergSink::Refresh() {
    if (writer_) writer_->Abort();
    writer_.reset();
    state_ = externals_.LoadForWrite(catalog_, database_, table_);
    writer_ = std::make_unique<iceberg::DataFileWriter>(*state_.metadata, iceberg::RandomUuid());
    const iceberg::Schema& schema = state_.metadata->current_schema();
    const std::vector<LogicalType>& types = writer_->column_types();
    TableSchema out;
    out.keys_type = ast::KeysType::DUPLICATE;
    out.properties.emplace_back(kChangeLogProperty, "true");
    for (size_t i = 0; i < schema.fields.size(); ++i) {
        TableColumn column;
        column.name = schema.fields[i].name;
        column.type = types[i];
        column.nullable = !schema.fields[i].required;
        out.columns.push_back(std::move(column));
    }
    return out;
}

int64_t IcebergSink::Commit(std::vector<Chunk>& rows, const std::map<int32_t, int64_t>& offsets) {
    if (!writer_) throw InternalError("IcebergSink::Commit before Refresh");
    const iceberg::TableState base = state_;  // the writer reads its metadata: destroyed after it
    std::unique_ptr<iceberg::DataFileWriter> writer = std::move(writer_);
    std::vector<iceberg::DataFile> files;
    try {
        for (const auto& chunk : rows) {
            if (chunk.live_rows() > 0) writer->Append(chunk);
        }
        files = writer->Finish();
    } catch (...) {
        writer->Abort();
        throw;
    }
    rows.clear();
    if (files.empty()) return 0;
    auto catalog = externals_.IcebergCatalogFor(catalog_);
    iceberg::TableLoader reload = [this] { return externals_.LoadForWrite(catalog_, database_, table_); };
    iceberg::TableTransaction txn(*catalog, database_, table_, base, reload);
    try {
        txn.AddDataFiles(std::move(files));
        txn.SetSummary(kJobKey, job_key_);
        txn.SetSummary(kOffsetsKey, FormatOffsets(offsets));
        state_ = txn.Commit();
        externals_.Remember(state_);
    } catch (...) {
        // The files go unless the swap may have happened (then a snapshot may list them).
        if (!txn.outcome_unknown()) writer->Abort();
        throw;
    }
    return txn.snapshot_id();
}

std::map<int32_t, int64_t> IcebergSink::CommittedOffsets(int64_t after_ms) {
    iceberg::TableState state = externals_.LoadForWrite(catalog_, database_, table_);
    std::map<int32_t, int64_t> out;
    std::set<int64_t> seen;  // a guard against a cycle in damaged metadata
    for (const iceberg::Snapshot* s = state.metadata->current_snapshot(); s && seen.insert(s->snapshot_id).second;
         s = s->parent_snapshot_id ? state.metadata->FindSnapshot(*s->parent_snapshot_id) : nullptr) {
        if (s->timestamp_ms <= after_ms) break;  // older than the offsets ALTER set
        auto job = s->summary.find(kJobKey);
        auto offsets = s->summary.find(kOffsetsKey);
        if (job == s->summary.end() || job->second != job_key_ || offsets == s->summary.end()) continue;
        // The newest snapshot that names a partition has its offset (a job with several
        // consumers commits each one's partitions in its own snapshots).
        for (const auto& [p, next] : ParseOffsets(offsets->second)) out.emplace(p, next);
    }
    return out;
}

std::string IcebergSink::FormatOffsets(const std::map<int32_t, int64_t>& offsets) {
    std::string out;
    for (const auto& [p, next] : offsets) {
        if (!out.empty()) out += ",";
        out += std::to_string(p) + ":" + std::to_string(next);
    }
    return out;
}

std::map<int32_t, int64_t> IcebergSink::ParseOffsets(const std::string& text) {
    std::map<int32_t, int64_t> out;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find(',', at);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(at, end - at);
        size_t colon = item.find(':');
        try {
            if (colon != std::string::npos) {
                out[static_cast<int32_t>(std::stol(item.substr(0, colon)))] = std::stoll(item.substr(colon + 1));
            }
        } catch (const std::exception&) {
            // Not written by Floe: ignored.
        }
        at = end + 1;
    }
    return out;
}

}  // namespace floe
