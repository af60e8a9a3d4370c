// Copy-on-write for Iceberg DELETE, UPDATE and MERGE (iceberg_write_support.h): the data files
// that hold changed rows are rewritten with their surviving rows instead of getting delete files.

#include <algorithm>
#include <set>

#include "common/ascii.h"
#include "common/exception.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/maintenance.h"
#include "lake/iceberg/table_metadata.h"
#include "parser/parser.h"
#include "server/iceberg_write_support.h"

namespace floe::iceberg_write {

bool CopyOnWrite(const iceberg::TableMetadata& metadata, const std::string& property) {
    auto it = metadata.properties.find(property);
    if (it == metadata.properties.end()) return false;
    std::string mode = AsciiLower(it->second);
    if (mode == "copy-on-write") return true;
    if (mode == "merge-on-read") return false;
    throw BinderError(
        "table property '" + property + "' is '" + it->second + "': it must be 'copy-on-write' or 'merge-on-read'",
        ErrorCode::WRONG_ARGUMENTS);
}

int64_t StageRewrites(ClientContext& context, const std::string& catalog, const std::string& db,
                      const std::string& table, const std::vector<Chunk>& chunks, const iceberg::TableState& state,
                      iceberg::TableTransaction& txn, std::vector<std::string>& written) {
    std::map<std::string, std::vector<int64_t>> positions = PositionsOf(chunks);
    if (positions.empty()) return 0;
    int64_t deleted = 0;
    std::set<std::string> affected;
    std::string in_list;
    for (const auto& [path, pos] : positions) {
        deleted += static_cast<int64_t>(pos.size());
        affected.insert(path);
        in_list += (in_list.empty() ? "" : ", ") + QuoteString(path);
    }
    // The affected files' surviving rows (their earlier deletes applied), at the same snapshot.
    const iceberg::Schema& schema = state.metadata->current_schema();
    std::string prefix = "_file, _pos";
    std::vector<int> source;
    for (size_t c = 0; c < schema.fields.size(); ++c) {
        prefix += ", " + QuoteIdentifier(table) + "." + QuoteIdentifier(schema.fields[c].name);
        source.push_back(static_cast<int>(c) + 2);
    }
    ast::ExprPtr where = Parser::ParseExpression("_file IN (" + in_list + ")");
    std::vector<Chunk> rows = RunSnapshotQuery(context, catalog, db, table,
                                               state.metadata->current_snapshot()->snapshot_id, "", prefix, {}, where);
    iceberg::DataFileWriter writer(*state.metadata, iceberg::RandomUuid());
    const std::vector<LogicalType>& types = writer.column_types();
    try {
        for (auto& chunk : rows) {
            auto keep = std::make_unique<SelectionVector>();
            for (size_t i = 0; i < chunk.live_rows(); ++i) {
                uint32_t r = chunk.LiveRow(i);
                const auto& pos = positions[std::string(chunk.column(0).Strings()[r].view())];
                if (!std::binary_search(pos.begin(), pos.end(), chunk.column(1).Data<int64_t>()[r])) keep->push_back(r);
            }
            if (keep->empty()) continue;
            chunk.SetSelection(std::move(keep));
            writer.Append(ToTableRows(chunk, source, schema, types));
        }
        std::vector<iceberg::DataFile> files = writer.Finish();
        for (const auto& f : files) written.push_back(f.file_path);
        std::set<std::string> deletes = iceberg::DeleteFilesOnlyFor(*state.metadata, affected);
        txn.RemoveDataFiles(std::move(affected));
        if (!deletes.empty()) txn.RemoveDeleteFiles(std::move(deletes));
        if (!files.empty()) txn.AddDataFiles(std::move(files));
    } catch (...) {
        writer.Abort();
        throw;
    }
    return deleted;
}

}  // namespace floe::iceberg_write
