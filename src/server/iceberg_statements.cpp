// Statements that change Iceberg catalogs: CREATE / DROP DATABASE c.db, CREATE TABLE c.db.t
// (with Iceberg partition transforms, and AS SELECT), DROP TABLE [FORCE], INSERT INTO / INSERT
// OVERWRITE. Rows are written by lake/iceberg/data_file_writer.h and committed by
// lake/iceberg/table_transaction.h with the optimistic protocol.
//
// Privileges: reading an external catalog needs USAGE on it. Changing it needs USAGE and, for
// databases, CREATE DATABASE (create) or DROP (drop) on the catalog; for tables and their rows,
// ALTER on the catalog (Floe does not yet grant privileges on single objects inside external
// catalogs).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/physical_planner.h"
#include "function/cast.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/deletion_vector.h"
#include "lake/iceberg/single_value.h"
#include "lake/iceberg/table_purge.h"
#include "lake/iceberg/table_transaction.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/iceberg_write_support.h"
#include "server/instance.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

using iceberg::TableState;

std::string ResolveExternal(Session& session, const std::string& catalog) {
    if (AsciiEqualsIgnoreCase(catalog, "default_catalog")) return "";
    if (!catalog.empty()) {
        if (!session.instance().catalog().GetExternalCatalog(catalog)) {
            throw CatalogError("Unknown catalog '" + catalog + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        return catalog;
    }
    return session.current_catalog();
}

std::string DatabaseOf(Session& session, const std::string& database, const std::string& catalog) {
    if (!database.empty()) return database;
    if (!session.current_catalog().empty() && session.current_catalog() == catalog &&
        !session.current_database().empty()) {
        return session.current_database();
    }
    throw CatalogError("No database selected in catalog '" + catalog + "'", ErrorCode::NO_DATABASE_SELECTED);
}

void RequireWrite(Session& session, const std::string& catalog, const char* privilege = "ALTER") {
    session.RequirePrivilege("USAGE", ClientContext::CatalogObject(catalog));
    session.RequirePrivilege(privilege, ClientContext::CatalogObject(catalog));
}

/// Java's partition field names: the column for identity, else <column>_<transform>.
std::string PartitionFieldName(const std::string& column, const iceberg::Transform& t) {
    switch (t.kind) {
        case iceberg::TransformKind::IDENTITY:
            return column;
        case iceberg::TransformKind::BUCKET:
            return column + "_bucket";
        case iceberg::TransformKind::TRUNCATE:
            return column + "_trunc";
        case iceberg::TransformKind::YEAR:
            return column + "_year";
        case iceberg::TransformKind::MONTH:
            return column + "_month";
        case iceberg::TransformKind::DAY:
            return column + "_day";
        case iceberg::TransformKind::HOUR:
            return column + "_hour";
        default:
            return column + "_null";
    }
}

/// The table properties CREATE TABLE's PROPERTIES become, with StarRocks' names translated.
std::map<std::string, std::string> TableProperties(const std::vector<std::pair<std::string, std::string>>& given,
                                                   int& format_version, std::string& location) {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : given) {
        std::string k = AsciiLower(key);
        if (k == "format-version" || k == "format_version") {
            if (value != "1" && value != "2" && value != "3") {
                throw BinderError("Iceberg format-version must be 1, 2 or 3, not '" + value + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            format_version = value[0] - '0';
        } else if (k == "location") {
            location = value;
        } else if (k == "file_format" || k == "write.format.default") {
            if (!AsciiEqualsIgnoreCase(value, "parquet")) {
                throw NotSupportedError("Floe writes Iceberg data files as Parquet only, not '" + value + "'");
            }
            out["write.format.default"] = "parquet";
        } else if (k == "compression_codec" || k == "write.parquet.compression-codec") {
            std::string codec = AsciiLower(value);
            if (codec != "zstd" && codec != "snappy" && codec != "gzip" && codec != "lz4" && codec != "uncompressed" &&
                codec != "none" && codec != "brotli") {
                throw BinderError(
                    "compression_codec '" + value + "' is not one of zstd, snappy, gzip, lz4, uncompressed",
                    ErrorCode::WRONG_ARGUMENTS);
            }
            out["write.parquet.compression-codec"] = codec == "none" ? "uncompressed" : codec;
        } else if (k == "target_file_size" || k == "write.target-file-size-bytes") {
            int64_t n = 0;
            try {
                n = std::stoll(value);
            } catch (const std::exception&) {
                n = 0;
            }
            if (n <= 0) {
                throw BinderError("target_file_size must be a positive number of bytes, not '" + value + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            out["write.target-file-size-bytes"] = std::to_string(n);
        } else {
            out[key] = value;
        }
    }
    return out;
}

/// A fresh table's metadata from CREATE TABLE's columns, partitioning, order and properties.
iceberg::TableMetadata NewTableMetadata(const std::vector<std::pair<std::string, LogicalType>>& columns,
                                        const std::vector<bool>& required, const std::vector<std::string>& comments,
                                        const ast::CreateTableStatement& s, const std::string& default_location) {
    iceberg::TableMetadata m;
    m.format_version = 2;
    std::string location = default_location;
    m.properties = TableProperties(s.properties, m.format_version, location);
    // Floe tends the tables it creates (server/lake_maintenance.h) unless told not to.
    if (!m.properties.count("floe.maintenance")) m.properties["floe.maintenance"] = "true";
    while (location.size() > 1 && location.back() == '/') location.pop_back();
    m.location = location;
    m.table_uuid = iceberg::RandomUuid();
    m.last_updated_ms = iceberg::NowMillis();
    iceberg::Schema schema;
    schema.schema_id = 0;
    int32_t id = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (AsciiEqualsIgnoreCase(columns[j].first, columns[i].first)) {
                throw BinderError("Duplicate column name '" + columns[i].first + "'", ErrorCode::WRONG_ARGUMENTS);
            }
        }
        iceberg::NestedField f;
        f.id = ++id;
        f.name = columns[i].first;
        f.required = required[i];
        f.type = iceberg::FromFloeType(columns[i].second, columns[i].first);
        f.doc = comments[i];
        schema.fields.push_back(std::move(f));
    }
    m.last_column_id = id;
    m.schemas.push_back(schema);
    m.current_schema_id = 0;
    // The partition spec.
    iceberg::PartitionSpec spec;
    spec.spec_id = 0;
    int32_t field_id = 999;
    auto add_field = [&](const std::string& column, const std::string& transform_text) {
        const iceberg::NestedField* source = schema.FindTopLevel(column);
        if (!source) {
            throw BinderError("partition column '" + column + "' is not a column of the table",
                              ErrorCode::UNKNOWN_COLUMN);
        }
        iceberg::Transform t = iceberg::ParseTransform(transform_text);
        if (!iceberg::CanTransform(t, source->type)) {
            throw BinderError("partition transform " + t.ToString() + " cannot apply to column '" + source->name +
                                  "' of type " + source->type.ToString(),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        iceberg::PartitionField pf;
        pf.source_id = source->id;
        pf.source_ids = {source->id};
        pf.field_id = ++field_id;
        pf.name = PartitionFieldName(source->name, t);
        pf.transform = t;
        for (const auto& other : spec.fields) {
            if (AsciiEqualsIgnoreCase(other.name, pf.name)) {
                throw BinderError("partition field '" + pf.name + "' is given twice", ErrorCode::WRONG_ARGUMENTS);
            }
        }
        spec.fields.push_back(std::move(pf));
    };
    switch (s.partition.kind) {
        case ast::PartitionKind::NONE:
            break;
        case ast::PartitionKind::COLUMNS:
            for (size_t i = 0; i < s.partition.columns.size(); ++i) {
                add_field(s.partition.columns[i],
                          s.partition.transforms.empty() ? "identity" : s.partition.transforms[i]);
            }
            break;
        case ast::PartitionKind::TIME_EXPRESSION:
            // date_trunc('day', c) is Iceberg's day(c).
            if (s.partition.time_unit == "week") {
                throw NotSupportedError("Iceberg has no week partition transform; use day or month");
            }
            add_field(s.partition.columns.at(0), s.partition.time_unit);
            break;
        default:
            throw NotSupportedError(
                "Iceberg tables are partitioned by columns and transforms (PARTITION BY (day(ts), bucket(id, 16))), "
                "not by RANGE or LIST");
    }
    m.partition_specs.push_back(spec);
    m.default_spec_id = 0;
    m.last_partition_id = field_id;
    // The sort order (ORDER BY): ascending, nulls first.
    m.sort_orders.push_back(iceberg::SortOrder{0, {}});
    m.default_sort_order_id = 0;
    if (!s.order_by.empty()) {
        iceberg::SortOrder order;
        order.order_id = 1;
        for (const auto& c : s.order_by) {
            const iceberg::NestedField* source = schema.FindTopLevel(c);
            if (!source)
                throw BinderError("ORDER BY column '" + c + "' is not a column of the table",
                                  ErrorCode::UNKNOWN_COLUMN);
            iceberg::SortField f;
            f.transform = iceberg::ParseTransform("identity");
            f.source_id = source->id;
            f.source_ids = {source->id};
            order.fields.push_back(f);
        }
        m.sort_orders.push_back(order);
        m.default_sort_order_id = 1;
    }
    if (m.format_version >= 3) m.next_row_id = 0;
    return m;
}

}  // namespace

namespace iceberg_write {

/// Runs `SELECT <items> FROM catalog.db.table FOR VERSION AS OF <snapshot> [AS alias] WHERE <where>`,
/// where the items after `prefix` and the WHERE are the statement's own expressions, borrowed
/// for binding (binding copies what it needs) and given back.
std::vector<Chunk> RunSnapshotQuery(ClientContext& context, const std::string& catalog, const std::string& db,
                                    const std::string& table, int64_t snapshot, const std::string& alias,
                                    const std::string& prefix, const std::vector<const ast::ExprPtr*>& items,
                                    const ast::ExprPtr& where, bool check_privileges) {
    ast::StatementPtr parsed =
        Parser::ParseStatement("SELECT " + prefix + " FROM " + QuoteIdentifier(catalog) + "." + QuoteIdentifier(db) +
                               "." + QuoteIdentifier(table) + " FOR VERSION AS OF " + std::to_string(snapshot) +
                               (alias.empty() ? "" : " AS " + QuoteIdentifier(alias)));
    auto& node = static_cast<ast::SelectNode&>(*static_cast<ast::SelectStatement&>(*parsed).query);
    // A tiered table's cold tier (read without a privilege of its own) follows renames.
    if (!check_privileges && node.from && node.from->kind == ast::TableRefKind::BASE) {
        static_cast<ast::BaseTableRef&>(*node.from).time_travel.current_schema = true;
    }
    const size_t base = node.select_list.size();
    std::vector<ast::ExprPtr*> lent;
    for (const ast::ExprPtr* item : items) {
        auto* owner = const_cast<ast::ExprPtr*>(item);
        ast::SelectItem si;
        si.expr = std::move(*owner);
        si.text = "expr";
        node.select_list.push_back(std::move(si));
        lent.push_back(owner);
    }
    auto& borrowed_where = const_cast<ast::ExprPtr&>(where);
    node.where = std::move(borrowed_where);
    auto give_back = [&] {
        borrowed_where = std::move(node.where);
        for (size_t i = 0; i < lent.size(); ++i) *lent[i] = std::move(node.select_list[base + i].expr);
    };
    std::unique_ptr<BoundQueryNode> bound;
    Binder binder(context);
    if (!check_privileges) binder.ReadExternalAsGranted();
    try {
        bound = binder.BindQuery(node);
    } catch (...) {
        give_back();
        throw;
    }
    give_back();
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    return Executor::Run(*physical);
}

std::map<std::string, LiveFile> LiveDataFiles(const TableState& state) {
    std::map<std::string, LiveFile> out;
    const iceberg::Snapshot* snapshot = state.metadata->current_snapshot();
    if (!snapshot) return out;
    for (const auto& m : iceberg::ReadSnapshotManifests(*state.metadata, *snapshot)) {
        if (m.content != iceberg::ManifestContent::DATA) continue;
        for (auto& e : iceberg::ReadManifest(ReadWholeFile(m.path), "manifest '" + m.path + "'", m)) {
            if (e.status == iceberg::EntryStatus::DELETED) continue;
            out[e.file.file_path] = LiveFile{m.partition_spec_id, std::move(e.file.partition), e.file.record_count};
        }
    }
    return out;
}

/// Position deletes for the (_file, _pos) rows of `chunks` (columns 0 and 1): whole files whose
/// every row goes are removed instead. Adds them to `txn`; returns the rows deleted.
namespace {

/// The data directory new delete files go to.
std::string DataDirectory(const iceberg::TableMetadata& metadata) {
    std::string location = metadata.location;
    while (!location.empty() && location.back() == '/') location.pop_back();
    auto prop = metadata.properties.find("write.data.path");
    return prop == metadata.properties.end() ? location + "/data" : prop->second;
}

/// v3: one deletion vector per data file, absorbing the file's current one, all in one Puffin
/// file; a data file whose every row is then deleted is removed instead. `positions` are sorted
/// and unique, and name live files.
void StageDeletionVectors(const std::map<std::string, std::vector<int64_t>>& positions,
                          const std::map<std::string, LiveFile>& live, const TableState& state,
                          iceberg::TableTransaction& txn, std::vector<std::string>& written) {
    // The live deletes of the data files concerned.
    std::map<std::string, iceberg::DataFile> current_dv;
    // Position delete files from before the table became v3 that may hold rows of these data
    // files: their rows are merged into the new deletion vectors (spec: a DV absorbs the older
    // position deletes of its data file); those naming one data file go with the merge.
    std::vector<iceberg::DataFile> position_files;
    const iceberg::Snapshot* snapshot = state.metadata->current_snapshot();
    for (const auto& m : iceberg::ReadSnapshotManifests(*state.metadata, *snapshot)) {
        if (m.content != iceberg::ManifestContent::DELETES) continue;
        for (auto& e : iceberg::ReadManifest(ReadWholeFile(m.path), "manifest '" + m.path + "'", m)) {
            if (e.status == iceberg::EntryStatus::DELETED) continue;
            if (e.file.content != iceberg::DataFileContent::POSITION_DELETES) continue;
            if (e.file.referenced_data_file && !positions.count(*e.file.referenced_data_file)) continue;
            if (AsciiEqualsIgnoreCase(e.file.file_format, "puffin")) {
                if (e.file.referenced_data_file) current_dv[*e.file.referenced_data_file] = e.file;
            } else {
                position_files.push_back(e.file);  // names one of ours, or may cover any file
            }
        }
    }
    std::vector<std::pair<std::string, std::vector<int64_t>>> vectors;
    std::vector<std::vector<iceberg::PartitionValue>> partitions;
    std::vector<int32_t> specs;
    std::set<std::string> targets, removed;
    std::set<std::pair<std::string, std::string>> replaced;
    std::map<std::string, std::vector<int64_t>> earlier;  // rows of our data files in position files
    std::set<std::string> absorbed;                       // position files naming one of ours only
    for (const auto& f : position_files) {
        for (auto& [data_file, list] : iceberg::ReadPositionDeletes(f.file_path)) {
            if (!positions.count(data_file)) continue;
            auto& into = earlier[data_file];
            into.insert(into.end(), list.begin(), list.end());
        }
        if (f.referenced_data_file) absorbed.insert(f.file_path);
    }
    for (auto& [path, pos] : positions) {
        auto it = live.find(path);
        std::vector<int64_t> all = pos;
        if (auto e = earlier.find(path); e != earlier.end()) {
            all.insert(all.end(), e->second.begin(), e->second.end());
            std::sort(all.begin(), all.end());
            all.erase(std::unique(all.begin(), all.end()), all.end());
        }
        auto old = current_dv.find(path);
        if (old != current_dv.end()) {
            const iceberg::DataFile& dv = old->second;
            auto file = FileSystemFor(dv.file_path).Open(dv.file_path);
            std::string blob = file->ReadAt(static_cast<uint64_t>(dv.content_offset.value_or(0)),
                                            static_cast<size_t>(dv.content_size_in_bytes.value_or(0)));
            std::vector<int64_t> before =
                iceberg::DecodeDeletionVector(blob, "deletion vector in '" + dv.file_path + "'");
            all.insert(all.end(), before.begin(), before.end());
            std::sort(all.begin(), all.end());
            all.erase(std::unique(all.begin(), all.end()), all.end());
            replaced.insert({dv.file_path, path});
        }
        if (static_cast<int64_t>(all.size()) >= it->second.record_count) {
            removed.insert(path);  // every row of the file goes: the file (and its deletes) go
            continue;
        }
        targets.insert(path);
        vectors.emplace_back(path, std::move(all));
        partitions.push_back(it->second.partition);
        specs.push_back(it->second.spec_id);
    }
    if (!vectors.empty()) {
        std::string puffin = DataDirectory(*state.metadata) + "/" + iceberg::RandomUuid() + "-deletes.puffin";
        written.push_back(puffin);
        std::vector<iceberg::DataFile> files = iceberg::WriteDeletionVectors(puffin, vectors, partitions);
        txn.AddDeleteFiles(std::move(files), std::move(specs), targets);
    }
    if (!removed.empty()) txn.RemoveDataFiles(removed);
    if (!absorbed.empty()) txn.RemoveDeleteFiles(std::move(absorbed));
    std::set<std::pair<std::string, std::string>> replaced_kept;
    for (const auto& r : replaced) {
        if (!removed.count(r.second)) replaced_kept.insert(r);
    }
    txn.ReplaceDeletionVectors(targets, std::move(replaced_kept));
}

}  // namespace

std::map<std::string, std::vector<int64_t>> PositionsOf(const std::vector<Chunk>& chunks) {
    std::map<std::string, std::vector<int64_t>> positions;
    for (const auto& chunk : chunks) {
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            positions[std::string(chunk.column(0).Strings()[r].view())].push_back(chunk.column(1).Data<int64_t>()[r]);
        }
    }
    for (auto& [path, pos] : positions) {
        std::sort(pos.begin(), pos.end());
        pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
    }
    return positions;
}

int64_t StageDeletes(const std::vector<Chunk>& chunks, const TableState& state, iceberg::TableTransaction& txn,
                     std::vector<std::string>& written, bool remove_whole_files) {
    std::map<std::string, std::vector<int64_t>> positions = PositionsOf(chunks);
    if (positions.empty()) return 0;
    if (state.metadata->format_version < 2) {
        throw NotSupportedError("Iceberg v1 tables cannot hold row deletes; upgrade the table to format-version 2");
    }
    std::map<std::string, LiveFile> live = LiveDataFiles(state);
    int64_t deleted = 0;
    for (const auto& [path, pos] : positions) {
        deleted += static_cast<int64_t>(pos.size());
        if (!live.count(path)) throw InternalError("a deleted row names data file '" + path + "', which is not live");
    }
    if (state.metadata->format_version >= 3) {
        StageDeletionVectors(positions, live, state, txn, written);
        return deleted;
    }
    const std::string data_dir = DataDirectory(*state.metadata);
    const std::string operation = iceberg::RandomUuid();
    std::vector<iceberg::DataFile> files;
    std::vector<int32_t> specs;
    std::set<std::string> referenced, removed;
    int counter = 0;
    for (const auto& [path, pos] : positions) {
        auto it = live.find(path);
        if (remove_whole_files && static_cast<int64_t>(pos.size()) == it->second.record_count) {
            removed.insert(path);  // every row of the file goes: the file goes
            continue;
        }
        std::string delete_path = fmt::format("{}/{:05d}-deletes-{}.parquet", data_dir, counter++, operation);
        written.push_back(delete_path);
        files.push_back(iceberg::WritePositionDeletes(delete_path, path, pos, it->second.partition));
        specs.push_back(it->second.spec_id);
        referenced.insert(path);
    }
    if (!files.empty()) txn.AddDeleteFiles(std::move(files), std::move(specs), std::move(referenced));
    if (!removed.empty()) txn.RemoveDataFiles(std::move(removed));
    return deleted;
}

void DeleteQuietly(const std::vector<std::string>& paths) {
    if (paths.empty()) return;
    try {
        FileSystemFor(paths.front()).Delete(paths);
    } catch (const Exception&) {
        // Best effort (see the header).
    }
}

std::vector<Value> WriteDefaults(const iceberg::Schema& schema) {
    std::vector<Value> out;
    for (const auto& f : schema.fields) {
        out.push_back(f.write_default_json ? iceberg::ParseJsonSingleValue(f.type, *f.write_default_json,
                                                                           "write-default of column '" + f.name + "'")
                                           : Value::Null(iceberg::ToFloeType(f.type)));
    }
    return out;
}

Chunk ToTableRows(const Chunk& chunk, const std::vector<int>& source, const iceberg::Schema& schema,
                  const std::vector<LogicalType>& types, const std::vector<Value>* defaults) {
    size_t n = chunk.size();
    Chunk out(types, 0);
    for (size_t c = 0; c < schema.fields.size(); ++c) {
        if (source[c] < 0) {
            auto filled = std::make_shared<Column>(types[c], n);
            filled->Resize(n);
            const Value* value =
                defaults && c < defaults->size() && !(*defaults)[c].is_null() ? &(*defaults)[c] : nullptr;
            Value typed = value ? (value->type() == types[c] ? *value : CastValue(*value, types[c])) : Value();
            for (size_t r = 0; r < n; ++r) {
                if (value && !typed.is_null()) {
                    filled->SetValue(r, typed);
                } else {
                    filled->SetNull(r, true);
                }
            }
            out.SetColumn(c, filled);
        } else {
            const Column& in = chunk.column(static_cast<size_t>(source[c]));
            if (in.type() == types[c]) {
                out.SetColumn(c, chunk.shared_column(static_cast<size_t>(source[c])));
            } else {
                auto cast = std::make_shared<Column>(types[c], n);
                cast->Resize(n);
                CastColumn(in, n, *cast);
                for (size_t i = 0; i < chunk.live_rows(); ++i) {
                    uint32_t r = chunk.LiveRow(i);
                    if (!in.IsNull(r) && cast->IsNull(r)) {
                        throw ConversionError("Incorrect " + types[c].ToString() + " value: '" +
                                                  in.GetValue(r).ToString() + "' for column '" + schema.fields[c].name +
                                                  "'",
                                              ErrorCode::BAD_FIELD_VALUE);
                    }
                }
                out.SetColumn(c, cast);
            }
        }
        if (schema.fields[c].required) {
            const Column& col = out.column(c);
            for (size_t i = 0; i < chunk.live_rows(); ++i) {
                if (col.IsNull(chunk.LiveRow(i))) {
                    throw ConversionError("Column '" + schema.fields[c].name + "' cannot be null", ErrorCode::BAD_NULL);
                }
            }
        }
    }
    out.SetSize(n);
    if (chunk.selection()) out.SetSelection(std::make_unique<SelectionVector>(*chunk.selection()));
    return out;
}

}  // namespace iceberg_write

using iceberg_write::LiveDataFiles;
using iceberg_write::RunSnapshotQuery;
using iceberg_write::StageDeletes;
using iceberg_write::ToTableRows;

std::string StatementExecutor::ExternalCatalogOf(const std::string& catalog) {
    return ResolveExternal(session_, catalog);
}

QueryResult StatementExecutor::IcebergCreateDatabase(const ast::CreateDatabaseStatement& s,
                                                     const std::string& catalog) {
    RequireWrite(session_, catalog, "CREATE DATABASE");
    auto c = session_.instance().external_catalogs().IcebergCatalogFor(catalog);
    std::map<std::string, std::string> properties(s.properties.begin(), s.properties.end());
    // Asked of the catalog itself (not checked first): a new JDBC catalog's database is created
    // by its first change.
    try {
        c->CreateNamespace(s.name, properties);
    } catch (const CatalogError& e) {
        if (e.code() == ErrorCode::DATABASE_EXISTS && s.if_not_exists) return QueryResult{};
        if (e.code() == ErrorCode::DATABASE_EXISTS) {
            throw CatalogError("Can't create database '" + catalog + "." + s.name + "'; database exists",
                               ErrorCode::DATABASE_EXISTS);
        }
        throw;
    }
    return QueryResult{};
}

QueryResult StatementExecutor::IcebergDropDatabase(const ast::DropDatabaseStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog, "DROP");
    auto c = session_.instance().external_catalogs().IcebergCatalogFor(catalog);
    if (!c->NamespaceExists(s.name)) {
        if (s.if_exists) return QueryResult{};
        throw CatalogError("Can't drop database '" + catalog + "." + s.name + "'; database doesn't exist",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    c->DropNamespace(s.name);
    if (session_.current_catalog() == catalog && AsciiEqualsIgnoreCase(session_.current_database(), s.name)) {
        session_.SetCurrentDatabase("");
    }
    return QueryResult{};
}

QueryResult StatementExecutor::IcebergCreateTable(const ast::CreateTableStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog);
    std::string db = DatabaseOf(session_, s.database, catalog);
    std::string name = catalog + "." + db + "." + s.name;
    auto& externals = session_.instance().external_catalogs();
    auto c = externals.IcebergCatalogFor(catalog);
    if (!c->NamespaceExists(db)) {
        throw CatalogError("Unknown database '" + catalog + "." + db + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    if (c->TableMetadataLocation(db, s.name)) {
        if (s.if_not_exists) return QueryResult{};
        throw CatalogError("Table '" + name + "' already exists", ErrorCode::TABLE_EXISTS);
    }
    if (s.or_replace) throw NotSupportedError("CREATE OR REPLACE TABLE is not supported for Iceberg tables");
    if (s.keys_type && *s.keys_type != ast::KeysType::DUPLICATE) {
        throw NotSupportedError("Iceberg tables have no key model; drop the " +
                                std::string(*s.keys_type == ast::KeysType::PRIMARY     ? "PRIMARY"
                                            : *s.keys_type == ast::KeysType::AGGREGATE ? "AGGREGATE"
                                                                                       : "UNIQUE") +
                                " KEY clause");
    }
    std::vector<std::pair<std::string, LogicalType>> columns;
    std::vector<bool> required;
    std::vector<std::string> comments;
    std::unique_ptr<BoundQueryNode> bound;
    if (s.as_query) {
        if (!s.columns.empty()) {
            throw NotSupportedError(
                "CREATE TABLE ... AS SELECT takes its columns from the query; drop the column list");
        }
        Binder binder(context_);
        bound = binder.BindQuery(*s.as_query);
        for (const auto& out : bound->output) {
            LogicalType t = out.type.id == TypeId::NULL_TYPE ? LogicalType::Varchar() : out.type;
            columns.emplace_back(out.name, t);
            required.push_back(false);
            comments.emplace_back();
        }
    } else {
        if (s.columns.empty()) throw BinderError("CREATE TABLE needs at least one column", ErrorCode::WRONG_ARGUMENTS);
        for (const auto& col : s.columns) {
            if (!col.aggregation.empty()) {
                throw NotSupportedError("column '" + col.name + "': Iceberg tables have no aggregate columns");
            }
            columns.emplace_back(col.name, col.type);
            required.push_back(!col.nullable);
            comments.push_back(col.comment);
        }
    }
    iceberg::TableMetadata metadata =
        NewTableMetadata(columns, required, comments, s, c->DefaultTableLocation(db, s.name));
    TableState state;
    try {
        state = iceberg::CreateTableMetadata(*c, db, s.name, metadata);
    } catch (const iceberg::CommitFailedError&) {
        if (s.if_not_exists) return QueryResult{};
        throw CatalogError("Table '" + name + "' already exists", ErrorCode::TABLE_EXISTS);
    }
    externals.Remember(state);
    if (!bound) return QueryResult{};
    // CREATE TABLE AS SELECT: the rows, or no table at all.
    try {
        return IcebergWrite(catalog, db, s.name, state, *bound, {}, false);
    } catch (...) {
        try {
            std::vector<std::string> files = iceberg::FilesToPurge(state.metadata_location, *state.metadata);
            c->DropTable(db, s.name);
            iceberg::PurgeFiles(files, state.metadata->location);
        } catch (const Exception&) {
            // The failure that matters is the write's.
        }
        throw;
    }
}

QueryResult StatementExecutor::IcebergDropTable(const ast::DropTableStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog);
    std::string db = DatabaseOf(session_, s.database, catalog);
    auto& externals = session_.instance().external_catalogs();
    auto c = externals.IcebergCatalogFor(catalog);
    if (!c->TableMetadataLocation(db, s.name)) {
        if (s.if_exists) return QueryResult{};
        if (!c->NamespaceExists(db)) {
            throw CatalogError("Unknown database '" + catalog + "." + db + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        throw CatalogError("Unknown table '" + catalog + "." + db + "." + s.name + "'", ErrorCode::UNKNOWN_TABLE);
    }
    std::vector<std::string> files;
    std::string location;
    if (s.force) {
        TableState state = externals.LoadForWrite(catalog, db, s.name);
        files = iceberg::FilesToPurge(state.metadata_location, *state.metadata);
        location = state.metadata->location;
    }
    c->DropTable(db, s.name);
    QueryResult result;
    if (s.force) {
        result.info = fmt::format("Files purged: {}", iceberg::PurgeFiles(files, location));
    }
    return result;
}

QueryResult StatementExecutor::IcebergInsert(const ast::InsertStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog);
    if (!s.returning.empty()) throw NotSupportedError("INSERT ... RETURNING is not supported for Iceberg tables");
    if (!s.on_duplicate_key_update.empty() || s.or_replace) {
        throw NotSupportedError(
            "Iceberg tables have no keys: ON DUPLICATE KEY UPDATE and INSERT OR REPLACE do not apply");
    }
    if (!s.partitions.empty()) {
        throw NotSupportedError(
            "INSERT OVERWRITE ... PARTITION (...) is not supported for Iceberg tables; SET dynamic_overwrite = true "
            "replaces the partitions the rows fall in");
    }
    std::string db = DatabaseOf(session_, s.database, catalog);
    TableState state = session_.instance().external_catalogs().LoadForWrite(catalog, db, s.table);
    Binder binder(context_);
    auto bound = binder.BindQuery(*s.query);
    // Target columns: the list given, the query's names (BY NAME), or every column.
    const iceberg::Schema& schema = state.metadata->current_schema();
    std::vector<int> targets;
    auto find = [&](const std::string& n) -> int {
        for (size_t i = 0; i < schema.fields.size(); ++i) {
            if (AsciiEqualsIgnoreCase(schema.fields[i].name, n)) return static_cast<int>(i);
        }
        throw BinderError("Unknown column '" + n + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
    };
    if (s.by_name) {
        for (const auto& out : bound->output) targets.push_back(find(out.name));
    } else if (!s.columns.empty()) {
        for (const auto& n : s.columns) targets.push_back(find(n));
    } else {
        for (size_t i = 0; i < schema.fields.size(); ++i) targets.push_back(static_cast<int>(i));
    }
    for (size_t i = 0; i < targets.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (targets[i] == targets[j]) {
                throw BinderError("Column '" + schema.fields[targets[i]].name + "' specified twice",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
    }
    if (bound->output.size() != targets.size()) {
        throw BinderError("Column count doesn't match value count: " + std::to_string(targets.size()) +
                              " columns, the query returns " + std::to_string(bound->output.size()),
                          ErrorCode::WRONG_VALUE_COUNT);
    }
    bool dynamic = session_.variables().Get(ast::VariableScope::DEFAULT, "dynamic_overwrite").ToString() == "1";
    return IcebergWrite(catalog, db, s.table, state, *bound, targets, s.overwrite, dynamic);
}

QueryResult StatementExecutor::IcebergWrite(const std::string& catalog, const std::string& db, const std::string& table,
                                            const TableState& state, BoundQueryNode& bound, std::vector<int> targets,
                                            bool overwrite, bool dynamic_overwrite,
                                            const std::function<void(iceberg::TableTransaction&)>* prepare,
                                            int64_t* snapshot_out, bool file_per_partition) {
    const iceberg::Schema& schema = state.metadata->current_schema();
    if (targets.empty()) {
        for (size_t i = 0; i < bound.output.size(); ++i) targets.push_back(static_cast<int>(i));
    }
    // One writer per task of the query (tasks write their own files, in parallel).
    const std::string operation = iceberg::RandomUuid();
    const size_t dop = session_.PipelineDop();
    std::vector<std::unique_ptr<iceberg::DataFileWriter>> writers(dop + 2);
    writers[0] = std::make_unique<iceberg::DataFileWriter>(*state.metadata, operation, 0);
    const std::vector<LogicalType>& types = writers[0]->column_types();
    std::mutex single_lock;  // file_per_partition on one writer (unpartitioned table, dop 1)
    auto abort_all = [&] {
        for (auto& w : writers) {
            if (w) w->Abort();
        }
    };
    // Which query column feeds each table column (-1: none, NULL).
    std::vector<int> source(schema.fields.size(), -1);
    for (size_t i = 0; i < targets.size(); ++i) source[static_cast<size_t>(targets[i])] = static_cast<int>(i);
    // Columns the statement does not name take their write-default (v3), else NULL.
    std::vector<Value> defaults = iceberg_write::WriteDefaults(schema);
    for (size_t c = 0; c < schema.fields.size(); ++c) {
        if (source[c] < 0 && schema.fields[c].required && defaults[c].is_null()) {
            throw BinderError("Field '" + schema.fields[c].name + "' doesn't have a default value (it is required)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    std::atomic<uint64_t> rows{0};
    std::vector<iceberg::DataFile> files;
    // One file per partition: `dop` writers, each owning the partitions whose key hashes to it,
    // every task offering its rows to each (under that writer's lock).
    const bool sharded = file_per_partition && dop > 1 && !state.metadata->default_spec().IsUnpartitioned();
    std::vector<std::mutex> shard_locks(sharded ? dop : 0);
    if (sharded) {
        for (size_t i = 0; i < dop; ++i) {
            if (!writers[i]) {
                writers[i] = std::make_unique<iceberg::DataFileWriter>(*state.metadata, operation, static_cast<int>(i));
            }
            writers[i]->SetShard(i, dop);
        }
    }
    try {
        Executor::RunUnordered(
            *physical,
            [&](size_t task, Chunk& chunk) {
                if (sharded || file_per_partition) {
                    Chunk out = ToTableRows(chunk, source, schema, types, &defaults);
                    rows += out.live_rows();
                    if (!sharded) {
                        std::lock_guard<std::mutex> lock(shard_locks.empty() ? single_lock : shard_locks[0]);
                        writers[0]->Append(out);
                        return;
                    }
                    // Start with this task's own writer, then the others.
                    for (size_t k = 0; k < dop; ++k) {
                        size_t i = (task + k) % dop;
                        std::lock_guard<std::mutex> lock(shard_locks[i]);
                        writers[i]->Append(out);
                    }
                    return;
                }
                if (task >= writers.size()) throw InternalError("write task " + std::to_string(task) + " out of range");
                if (!writers[task]) {
                    writers[task] =
                        std::make_unique<iceberg::DataFileWriter>(*state.metadata, operation, static_cast<int>(task));
                }
                Chunk out = ToTableRows(chunk, source, schema, types, &defaults);
                rows += out.live_rows();
                writers[task]->Append(out);
            },
            session_.interrupted_flag(), dop);
        for (auto& w : writers) {
            if (!w) continue;
            for (auto& f : w->Finish()) files.push_back(std::move(f));
        }
    } catch (...) {
        abort_all();
        throw;
    }
    QueryResult result;
    result.affected_rows = rows.load();
    if (files.empty() && !overwrite && !prepare) {
        result.info = "Records: 0";
        return result;
    }
    auto& externals = session_.instance().external_catalogs();
    auto c = externals.IcebergCatalogFor(catalog);
    iceberg::TableLoader reload = [&externals, catalog, db, table] {
        return externals.LoadForWrite(catalog, db, table);
    };
    iceberg::TableTransaction txn(*c, db, table, state, reload);
    try {
        txn.AddDataFiles(std::move(files));
        if (prepare) (*prepare)(txn);
        if (overwrite) {
            txn.SetOverwrite(dynamic_overwrite && !state.metadata->default_spec().IsUnpartitioned()
                                 ? iceberg::TableTransaction::Overwrite::PARTITIONS
                                 : iceberg::TableTransaction::Overwrite::ALL);
        }
        TableState committed = txn.Commit();
        externals.Remember(committed);
        if (snapshot_out) *snapshot_out = txn.snapshot_id();
        result.info = fmt::format("Records: {}  Snapshot: {}", rows.load(), txn.snapshot_id());
    } catch (...) {
        // The data files go unless the swap may have happened (then a snapshot may list them).
        if (!txn.outcome_unknown()) abort_all();
        throw;
    }
    return result;
}

QueryResult StatementExecutor::IcebergDelete(const ast::DeleteStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog);
    if (!s.returning.empty() || s.using_from || !s.partitions.empty()) {
        throw NotSupportedError("DELETE from an Iceberg table takes a WHERE only (no USING, PARTITION or RETURNING)");
    }
    std::string db = DatabaseOf(session_, s.database, catalog);
    auto& externals = session_.instance().external_catalogs();
    TableState state = externals.LoadForWrite(catalog, db, s.table);
    QueryResult result;
    const iceberg::Snapshot* snapshot = state.metadata->current_snapshot();
    if (!snapshot) return result;  // an empty table
    std::vector<Chunk> rows =
        RunSnapshotQuery(context_, catalog, db, s.table, snapshot->snapshot_id, s.alias, "_file, _pos", {}, s.where);
    auto c = externals.IcebergCatalogFor(catalog);
    iceberg::TableLoader reload = [&externals, catalog, db, table = s.table] {
        return externals.LoadForWrite(catalog, db, table);
    };
    iceberg::TableTransaction txn(*c, db, s.table, state, reload);
    std::vector<std::string> written;
    try {
        int64_t deleted = iceberg_write::CopyOnWrite(*state.metadata, "write.delete.mode")
                              ? iceberg_write::StageRewrites(context_, catalog, db, s.table, rows, state, txn, written)
                              : StageDeletes(rows, state, txn, written);
        result.affected_rows = static_cast<uint64_t>(deleted);
        if (deleted == 0) return result;
        TableState committed = txn.Commit();
        externals.Remember(committed);
        result.info = fmt::format("Rows deleted: {}  Snapshot: {}", deleted, txn.snapshot_id());
    } catch (...) {
        if (!txn.outcome_unknown()) iceberg_write::DeleteQuietly(written);
        throw;
    }
    return result;
}

QueryResult StatementExecutor::IcebergUpdate(const ast::UpdateStatement& s, const std::string& catalog) {
    RequireWrite(session_, catalog);
    if (!s.returning.empty() || s.from) {
        throw NotSupportedError("UPDATE of an Iceberg table takes SET and WHERE only (no FROM or RETURNING)");
    }
    std::string db = DatabaseOf(session_, s.database, catalog);
    auto& externals = session_.instance().external_catalogs();
    TableState state = externals.LoadForWrite(catalog, db, s.table);
    QueryResult result;
    const iceberg::Snapshot* snapshot = state.metadata->current_snapshot();
    if (!snapshot) return result;
    const iceberg::Schema& schema = state.metadata->current_schema();
    // SELECT _file, _pos, then every column: its new value where SET assigns it.
    std::vector<const ast::ExprPtr*> assigned(schema.fields.size(), nullptr);
    for (const auto& a : s.assignments) {
        const iceberg::NestedField* f = schema.FindTopLevel(a.column);
        if (!f) throw BinderError("Unknown column '" + a.column + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
        size_t idx = static_cast<size_t>(f - schema.fields.data());
        if (assigned[idx]) throw BinderError("Column '" + a.column + "' is assigned twice", ErrorCode::WRONG_ARGUMENTS);
        assigned[idx] = &a.value;
    }
    std::string prefix = "_file, _pos";
    std::vector<const ast::ExprPtr*> items;
    std::vector<size_t> item_column;
    for (size_t c = 0; c < schema.fields.size(); ++c) {
        if (assigned[c]) {
            items.push_back(assigned[c]);
            item_column.push_back(c);
        }
    }
    // Unassigned columns read as themselves; assigned ones follow, in the order of `items`.
    std::vector<int> source(schema.fields.size(), -1);
    int next = 2;
    for (size_t c = 0; c < schema.fields.size(); ++c) {
        if (assigned[c]) continue;
        std::string qualifier = s.alias.empty() ? s.table : s.alias;
        prefix += ", " + QuoteIdentifier(qualifier) + "." + QuoteIdentifier(schema.fields[c].name);
        source[c] = next++;
    }
    for (size_t k = 0; k < item_column.size(); ++k) source[item_column[k]] = next++;
    std::vector<Chunk> rows =
        RunSnapshotQuery(context_, catalog, db, s.table, snapshot->snapshot_id, s.alias, prefix, items, s.where);
    // The new rows, in the table's column order and types.
    iceberg::DataFileWriter writer(*state.metadata, iceberg::RandomUuid());
    const std::vector<LogicalType>& types = writer.column_types();
    uint64_t updated = 0;
    for (auto& chunk : rows) {
        Chunk out = ToTableRows(chunk, source, schema, types);
        updated += out.live_rows();
        writer.Append(out);
    }
    std::vector<iceberg::DataFile> files = writer.Finish();
    result.affected_rows = updated;
    if (updated == 0) return result;
    auto c = externals.IcebergCatalogFor(catalog);
    iceberg::TableLoader reload = [&externals, catalog, db, table = s.table] {
        return externals.LoadForWrite(catalog, db, table);
    };
    iceberg::TableTransaction txn(*c, db, s.table, state, reload);
    std::vector<std::string> written;
    try {
        if (iceberg_write::CopyOnWrite(*state.metadata, "write.update.mode")) {
            iceberg_write::StageRewrites(context_, catalog, db, s.table, rows, state, txn, written);
        } else {
            StageDeletes(rows, state, txn, written);
        }
        txn.AddDataFiles(std::move(files));
        TableState committed = txn.Commit();
        externals.Remember(committed);
        result.info = fmt::format("Rows matched: {}  Changed: {}  Snapshot: {}", updated, updated, txn.snapshot_id());
    } catch (...) {
        if (!txn.outcome_unknown()) {
            writer.Abort();
            iceberg_write::DeleteQuietly(written);
        }
        throw;
    }
    return result;
}

}  // namespace floe
