// ALTER TABLE: partitions (ADD/DROP), properties, COMPACT, and schema changes (ADD/DROP/MODIFY
// COLUMN, rename, re-bucketing), the last rewriting the table's rows into the new schema in one
// commit under the table's write lock.
#include <map>
#include <set>

#include "binder/partitioning.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser.h"
#include "server/instance.h"
#include "server/session.h"
#include "server/statement_executor.h"
#include "server/table_access.h"
#include "server/tiering_service.h"

namespace floe {

QueryResult StatementExecutor::AlterTable(const ast::AlterTableStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergAlterTable(s, external);
    TableInfo table = BaseTable(session_, s.database, s.table, "ALTER");
    switch (s.action) {
        case ast::AlterTableAction::ADD_COLUMN:
        case ast::AlterTableAction::DROP_COLUMN:
        case ast::AlterTableAction::MODIFY_COLUMN:
        case ast::AlterTableAction::RENAME_COLUMN:
            return ChangeSchema(table, s);
        case ast::AlterTableAction::COMPACT:
            session_.instance().compactor().Compact(table, true);
            break;
        case ast::AlterTableAction::ADD_PARTITION: {
            auto lock = session_.instance().loads().LockTable(table.id);
            TableSchema schema = CurrentSchema(session_, table);
            if (!schema.partitioned()) {
                throw BinderError("table '" + table.name + "' is not partitioned", ErrorCode::WRONG_ARGUMENTS);
            }
            if (schema.partition.kind == ast::PartitionKind::COLUMNS) {
                throw BinderError("partitions of '" + table.name +
                                      "' are created by loads; add LIST or RANGE "
                                      "partitions only to LIST or RANGE tables",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            auto version = session_.instance().catalog().GetTableVersion(table.id);
            std::vector<ast::PartitionDefinition> defs;
            for (const auto& d : s.partitions) {
                if (d.if_not_exists && version->FindPartition(d.name)) continue;
                defs.push_back(d);
            }
            LoadCommit commit;
            commit.label = LoadManager::NewLabel("add_partition");
            commit.create_partitions = ResolvePartitions(schema, defs, version->partitions);
            if (!commit.create_partitions.empty()) session_.instance().catalog().CommitLoad(table.id, commit);
            break;
        }
        case ast::AlterTableAction::DROP_PARTITION: {
            auto lock = session_.instance().loads().LockTable(table.id);
            auto version = session_.instance().catalog().GetTableVersion(table.id);
            LoadCommit commit;
            commit.label = LoadManager::NewLabel("drop_partition");
            for (const auto& name : s.partition_names) {
                const PartitionInfo* p = version->FindPartition(name);
                if (!p) {
                    if (s.if_exists) continue;
                    throw CatalogError("Unknown partition '" + name + "' in table '" + table.name + "'",
                                       ErrorCode::UNKNOWN_TABLE);
                }
                commit.drop_partitions.push_back(p->name);
            }
            if (!commit.drop_partitions.empty()) session_.instance().catalog().CommitLoad(table.id, commit);
            break;
        }
        case ast::AlterTableAction::SET_PROPERTIES: {
            for (const auto& [k, v] : s.properties) {
                if (!TieringService::IsTieringProperty(k)) {
                    throw NotSupportedError(
                        "ALTER TABLE ... SET on a hot table takes tiering properties "
                        "(tiering.cold_table, tiering.move_after, tiering.mode, "
                        "tiering.check_interval), not '" +
                        k + "'");
                }
            }
            session_.instance().tiering().SetPolicy(session_, table, s.properties);
            break;
        }
        case ast::AlterTableAction::EXECUTE: {
            if (s.procedure != "tier_move") {
                throw NotSupportedError("hot tables have one procedure, tier_move(), not '" + s.procedure + "'");
            }
            TaskRunInfo run = session_.instance().tiering().MoveNow(session_, table);
            if (run.state == "FAILED") {
                throw ExecutionError("tier move of '" + table.name + "' failed: " + run.error_message, ErrorCode::IO);
            }
            QueryResult r;
            r.info = run.state + (run.extra_message.empty() ? "" : ": " + run.extra_message);
            return r;
        }
        default:
            throw NotSupportedError(
                "this ALTER TABLE action (RENAME COLUMN, partition fields, branches, tags) applies "
                "to Iceberg tables only");
    }
    return QueryResult{};
}

QueryResult StatementExecutor::ChangeSchema(const TableInfo& table, const ast::AlterTableStatement& s) {
    auto lock = session_.instance().loads().LockTable(table.id);
    auto version = session_.instance().catalog().GetTableVersion(table.id);
    TableSchema old_schema = ParseTableDefinition(version->definition);
    ast::StatementPtr parsed = Parser::ParseStatement(version->definition);
    auto& create = static_cast<ast::CreateTableStatement&>(*parsed);
    auto find = [&](const std::string& name) -> int {
        for (size_t i = 0; i < create.columns.size(); ++i) {
            if (AsciiEqualsIgnoreCase(create.columns[i].name, name)) return static_cast<int>(i);
        }
        return -1;
    };
    auto is_key = [&](const std::string& name) {
        for (const auto& k : create.key_columns) {
            if (AsciiEqualsIgnoreCase(k, name)) return true;
        }
        return false;
    };
    auto is_partition_column = [&](const std::string& name) {
        for (const auto& c : create.partition.columns) {
            if (AsciiEqualsIgnoreCase(c, name)) return true;
        }
        return false;
    };
    // Where a column goes: FIRST, AFTER c, or at the end; never among the leading key columns.
    auto place = [&](const ast::AlterColumn& a, ast::ColumnDefinition def) {
        size_t at = create.columns.size();
        if (a.first) {
            at = 0;
        } else if (!a.after.empty()) {
            int after = find(a.after);
            if (after < 0) throw BinderError("Unknown column '" + a.after + "' in AFTER", ErrorCode::UNKNOWN_COLUMN);
            at = static_cast<size_t>(after) + 1;
        }
        if (at < create.key_columns.size() && !is_key(def.name)) {
            throw BinderError("column '" + def.name + "' cannot go before the key columns", ErrorCode::WRONG_ARGUMENTS);
        }
        create.columns.insert(create.columns.begin() + static_cast<std::ptrdiff_t>(at), std::move(def));
    };
    bool has_rows = version->live_rows() > 0;
    std::map<std::string, std::string, AsciiCaseLess> renamed;  // new name -> old name
    for (const auto& a : s.columns) {
        const std::string& name = a.definition.name;
        int index = find(name);
        switch (s.action) {
            case ast::AlterTableAction::RENAME_COLUMN:
                if (index < 0) throw BinderError("Unknown column '" + name + "'", ErrorCode::UNKNOWN_COLUMN);
                if (find(s.new_name) >= 0) {
                    throw BinderError("Duplicate column name '" + s.new_name + "'", ErrorCode::WRONG_ARGUMENTS);
                }
                if (is_key(name) || is_partition_column(name)) {
                    throw BinderError("key or partition column '" + name + "' cannot be renamed",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                renamed[s.new_name] = create.columns[static_cast<size_t>(index)].name;
                create.columns[static_cast<size_t>(index)].name = s.new_name;
                break;
            case ast::AlterTableAction::ADD_COLUMN:
                if (index >= 0) throw BinderError("Duplicate column name '" + name + "'", ErrorCode::WRONG_ARGUMENTS);
                if (!a.definition.nullable && !a.definition.default_value && has_rows) {
                    throw BinderError("NOT NULL column '" + name + "' needs a DEFAULT for the rows already stored",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                place(a, a.definition);
                break;
            case ast::AlterTableAction::DROP_COLUMN:
                if (index < 0) {
                    throw BinderError("Can't DROP '" + name + "'; check that column/key exists",
                                      ErrorCode::UNKNOWN_COLUMN);
                }
                if (is_key(name) || is_partition_column(name)) {
                    throw BinderError("key or partition column '" + name + "' cannot be dropped",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                if (create.columns.size() == 1) {
                    throw BinderError("a table needs at least one column", ErrorCode::WRONG_ARGUMENTS);
                }
                create.columns.erase(create.columns.begin() + index);
                break;
            default: {  // MODIFY
                if (index < 0) throw BinderError("Unknown column '" + name + "'", ErrorCode::UNKNOWN_COLUMN);
                const ast::ColumnDefinition& old = create.columns[index];
                bool same_type = old.type == a.definition.type;
                if ((is_key(name) && create.keys_type.value_or(ast::KeysType::DUPLICATE) != ast::KeysType::DUPLICATE &&
                     !same_type) ||
                    (is_partition_column(name) && !same_type)) {
                    throw BinderError("the type of key or partition column '" + name + "' cannot change",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                ast::ColumnDefinition def = a.definition;
                def.name = old.name;
                if (def.aggregation.empty()) def.aggregation = old.aggregation;
                if (is_key(name)) def.nullable = def.explicit_null ? def.nullable : old.nullable;
                if (a.first || !a.after.empty()) {
                    create.columns.erase(create.columns.begin() + index);
                    place(a, std::move(def));
                } else {
                    create.columns[index] = std::move(def);
                }
            }
        }
    }
    if (version->tier) {
        // One schema across the tiers (after the change was checked against the hot table): the
        // cold table gets new columns first (Iceberg reads its older files with NULL for them),
        // widened types and renames (by field id); dropped columns stay in the cold files, unread.
        std::vector<std::pair<std::string, std::string>> changed;
        for (const auto& a : s.columns) {
            if (s.action == ast::AlterTableAction::RENAME_COLUMN) {
                session_.instance().tiering().RenameColdColumn(table, a.definition.name, s.new_name);
            } else if (s.action != ast::AlterTableAction::DROP_COLUMN) {
                changed.emplace_back(a.definition.name, a.definition.type.ToString());
            }
        }
        // ADD COLUMN adds it to the cold table; MODIFY COLUMN widens it there first (a type
        // change Iceberg does not allow fails here, before the hot table changes).
        session_.instance().tiering().ChangeColdColumns(table, changed,
                                                        s.action == ast::AlterTableAction::MODIFY_COLUMN);
    }
    std::string definition = CanonicalCreateTable(create);
    TableSchema schema = ParseTableDefinition(definition);
    // Rewrite the rows in the new schema, partition by partition: stored values are cast to their
    // new types (a value that does not fit fails the ALTER), added columns take their defaults.
    std::vector<int> targets;
    std::string select;
    for (size_t i = 0; i < schema.columns.size(); ++i) {
        auto was = renamed.find(schema.columns[i].name);
        const std::string& source = was == renamed.end() ? schema.columns[i].name : was->second;
        if (old_schema.Find(source) < 0) continue;
        targets.push_back(static_cast<int>(i));
        select += (select.empty() ? "" : ", ") + QuoteIdentifier(source);
    }
    std::vector<std::pair<std::string, std::vector<Chunk>>> rows;
    std::vector<int64_t> partition_ids;
    for (const auto& r : version->rowsets) {
        if (std::find(partition_ids.begin(), partition_ids.end(), r.partition_id) == partition_ids.end()) {
            partition_ids.push_back(r.partition_id);
        }
    }
    for (int64_t partition_id : partition_ids) {
        auto part = std::make_shared<TableVersion>();
        part->table_id = version->table_id;
        part->definition = version->definition;
        std::string partition_name;
        for (const auto& p : version->partitions) {
            if (p.id == partition_id) {
                part->partitions.push_back(p);
                partition_name = p.name;
            }
        }
        for (const auto& r : version->rowsets) {
            if (r.partition_id == partition_id) part->rowsets.push_back(r);
        }
        std::vector<Chunk> source = RunTableQuery(context_, table.database, table.name, select, nullptr, false, part);
        rows.emplace_back(partition_name, ToTableRows(source, targets, schema, session_.statement_start_micros()));
    }
    session_.instance().loads().RewriteTable(table, schema, definition, rows);
    return QueryResult{};
}

}  // namespace floe
