// Binding of FROM items: base tables (and the merge-on-read query of Aggregate and Unique Key
// tables), views, CTE reads (recursive ones too), derived tables, table functions, unnest, and
// joins with their equi keys split out.
#include <fmt/format.h>

#include <functional>

#include "binder/binder.h"
#include "binder/binder_internal.h"
#include "binder/expression_walker.h"
#include "binder/system_tables.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "parser/parser.h"

namespace floe {

BoundSubqueryRef::BoundSubqueryRef() : BoundTableRef(BoundTableRefKind::SUBQUERY) {}
BoundSubqueryRef::~BoundSubqueryRef() = default;
BoundRecursiveCteRef::BoundRecursiveCteRef() : BoundTableRef(BoundTableRefKind::RECURSIVE_CTE) {}
BoundRecursiveCteRef::~BoundRecursiveCteRef() = default;

namespace {

using binder_internal::At;
using binder_internal::ConstantInteger;

}  // namespace

/// A cold tier that could not be opened: binds with the hot table's columns; planning a scan of
/// it (a query that needs the cold rows) fails with the reason.
class UnreachableSource : public TableSource {
  public:
    UnreachableSource(std::string name, std::vector<SourceColumn> columns, std::string error, ErrorCode code)
        : name_(std::move(name)), columns_(std::move(columns)), error_(std::move(error)), code_(code) {}
    std::string kind() const override { return "ICEBERG"; }
    std::string name() const override { return name_; }
    const std::vector<SourceColumn>& columns() const override { return columns_; }
    int64_t EstimatedRows() const override { return 0; }
    std::shared_ptr<const ScanPlan> PlanScan(const std::vector<size_t>&,
                                             const std::vector<ScanFilter>&) const override {
        throw IOError("the cold tier " + name_ + " cannot be read: " + error_, code_);
    }

  private:
    std::string name_;
    std::vector<SourceColumn> columns_;
    std::string error_;
    ErrorCode code_;
};

/// The query a tiered table reads as (TieringService's header has the design). `cold` lists the
/// cold table's columns at the snapshot read: hot columns it lacks (added later) read NULL.
static std::string TieredTableQuery(const std::string& database, const std::string& table, const TableSchema& schema,
                                    const TierState& tier, const std::vector<SourceColumn>& cold) {
    std::string hot_columns, cold_columns;
    for (const auto& c : schema.columns) {
        std::string col = QuoteIdentifier(c.name);
        hot_columns += (hot_columns.empty() ? "" : ", ") + col;
        bool in_cold = false;
        for (const auto& k : cold) in_cold |= AsciiEqualsIgnoreCase(k.name, c.name);
        cold_columns += (cold_columns.empty() ? "" : ", ") + std::string("CAST(") +
                        (in_cold ? "__cold." + col : std::string("NULL")) + " AS " + c.type.ToString() + ") AS " + col;
    }
    std::string type;
    for (const auto& c : schema.columns) {
        if (AsciiEqualsIgnoreCase(c.name, tier.column)) type = c.type.ToString();
    }
    std::string column = QuoteIdentifier(tier.column);
    std::string boundary = "CAST(" + QuoteString(*tier.boundary) + " AS " + type + ")";
    std::string hot_table = QuoteIdentifier(database) + "." + QuoteIdentifier(table);
    bool external = tier.mode == "external";
    std::string sql = "SELECT " + hot_columns + " FROM " + hot_table;
    if (external) sql += " WHERE " + column + " >= " + boundary;
    if (!external && tier.snapshot_id < 0) return sql;
    sql += " UNION ALL SELECT " + cold_columns + " FROM " + QuoteIdentifier(tier.cold_catalog) + "." +
           QuoteIdentifier(tier.cold_database) + "." + QuoteIdentifier(tier.cold_table);
    if (!external) sql += " FOR VERSION AS OF " + std::to_string(tier.snapshot_id);
    sql += " AS __cold WHERE __cold." + column + " < " + boundary;
    // Primary Key tables: a key upserted or deleted in the hot tier after it moved (a late row,
    // or a tombstone) hides its cold row, so the newest version wins and deletes stay deleted.
    if (!external && schema.keys_type == ast::KeysType::PRIMARY && !schema.key_columns.empty()) {
        std::string match;
        for (const auto& k : schema.key_columns) {
            std::string col = QuoteIdentifier(k);
            match += " AND __hot." + col + " = __cold." + col;
        }
        sql += " AND NOT EXISTS (SELECT 1 FROM " + hot_table + " AS __hot WHERE __hot." + column + " < " + boundary +
               match + ")";
        // Keys deleted by loads since the last move (not yet deleted in the cold table).
        std::string deleted = TombstoneMatch(schema, tier.tombstones, "__cold");
        if (!deleted.empty()) sql += " AND NOT " + deleted;
    }
    return sql;
}

BoundTableRefPtr Binder::BindView(const ast::BaseTableRef& base, const TableInfo& view) {
    if (view_depth_ == 0) context_.RequirePrivilege("SELECT", ClientContext::TableObject(view));
    // A SECURITY NONE view is read with its own SELECT: what it reads is not checked. A SECURITY
    // INVOKER view read by the user directly checks what it reads as the user's own query would.
    const int depth = view_depth_;
    if (!(view.security_invoker && depth == 0)) ++view_depth_;
    try {
        auto ref = BindDefinedQuery(base, view.name, view.database, view.definition, view.column_names, "view");
        view_depth_ = depth;
        return ref;
    } catch (...) {
        view_depth_ = depth;
        throw;
    }
}

BoundTableRefPtr Binder::BindDefinedQuery(const ast::BaseTableRef& base, const std::string& name,
                                          const std::string& database, const std::string& definition,
                                          const std::vector<std::string>& column_names, const char* what) {
    ast::StatementPtr parsed;
    try {
        parsed = Parser::ParseStatement(definition);
    } catch (const Exception& e) {
        throw BinderError(
            At(base.location) + what + " '" + database + "." + name + "' has an invalid definition: " + e.what(),
            ErrorCode::INTERNAL);
    }
    if (parsed->kind != ast::StatementKind::SELECT) throw InternalError("view definition is not a query");
    // A view sees only its own CTEs and its own database.
    std::vector<CteBinding> saved_ctes;
    saved_ctes.swap(ctes_);
    database_stack_.push_back(database);
    auto saved = scope_;
    std::unique_ptr<BoundQueryNode> bound;
    try {
        bound = BindQueryNode(*static_cast<const ast::SelectStatement&>(*parsed).query);
    } catch (...) {
        database_stack_.pop_back();
        ctes_.swap(saved_ctes);
        throw;
    }
    database_stack_.pop_back();
    ctes_.swap(saved_ctes);
    scope_ = std::move(saved);
    auto sub = std::make_unique<BoundSubqueryRef>();
    std::string alias = base.alias.empty() ? name : base.alias;
    for (size_t i = 0; i < bound->output.size(); ++i) {
        const auto& c = bound->output[i];
        std::string column = i < column_names.size() ? column_names[i] : c.name;
        scope_.push_back({alias, column, c.type, c.nullable});
        sub->types.push_back(c.type);
    }
    sub->query = std::move(bound);
    return sub;
}

namespace {

/// The query that merges an Aggregate (or Unique) Key table's rows on read: rows with equal keys
/// become one, each value column combined by its function (REPLACE: the last row loaded wins).
std::string MergeOnReadQuery(const std::string& table, const TableSchema& schema) {
    std::string select, group;
    for (const auto& c : schema.columns) {
        bool key = false;
        for (const auto& k : schema.key_columns) key |= AsciiEqualsIgnoreCase(k, c.name);
        std::string col = QuoteIdentifier(c.name);
        if (!select.empty()) select += ", ";
        if (key) {
            select += col + " AS " + col;
            group += (group.empty() ? "" : ", ") + col;
            continue;
        }
        std::string agg = schema.keys_type == ast::KeysType::UNIQUE ? "REPLACE" : c.aggregation;
        if (agg == "SUM") {
            select += "CAST(SUM(" + col + ") AS " + c.type.ToString() + ") AS " + col;
        } else if (agg == "MAX" || agg == "MIN") {
            select += agg + "(" + col + ") AS " + col;
        } else if (agg == "REPLACE_IF_NOT_NULL") {
            select += "__replace_if_not_null(" + col + ") AS " + col;
        } else if (agg == "BITMAP_UNION") {
            select += "bitmap_union(" + col + ") AS " + col;
        } else if (agg == "HLL_UNION") {
            select += "hll_union(" + col + ") AS " + col;
        } else {
            select += "__replace(" + col + ") AS " + col;
        }
    }
    return "SELECT " + select + " FROM " + QuoteIdentifier(table) + (group.empty() ? "" : " GROUP BY " + group);
}
}  // namespace

void Binder::ExposeRowId(const std::string& database, const std::string& table) {
    row_id_table_ = database + "." + table;
}

// ---------------------------------------------------------------- FROM

size_t Binder::CorrelatedUses() const {
    size_t uses = 0;
    for (const auto& f : subquery_frames_) uses += f.uses;
    return uses;
}

BoundTableRefPtr Binder::BindTableRef(const ast::TableRef& ref) {
    size_t first = scope_.size();
    BoundTableRefPtr bound = BindTableRefColumns(ref);
    if (!ref.column_aliases.empty()) {
        // AS t(a, b): the reference's first columns take these names.
        size_t width = scope_.size() - first;
        if (ref.column_aliases.size() > width) {
            throw BinderError(At(ref.location) + "table '" + ref.alias + "' has " + std::to_string(width) +
                                  " columns but " + std::to_string(ref.column_aliases.size()) + " column names",
                              ErrorCode::WRONG_VALUE_COUNT);
        }
        for (size_t i = 0; i < ref.column_aliases.size(); ++i) scope_[first + i].name = ref.column_aliases[i];
    }
    return bound;
}

BoundTableRefPtr Binder::BindTableRefColumns(const ast::TableRef& ref) {
    switch (ref.kind) {
        case ast::TableRefKind::BASE:
            return BindBaseTable(static_cast<const ast::BaseTableRef&>(ref));
        case ast::TableRefKind::JOIN:
            return BindJoin(static_cast<const ast::JoinTableRef&>(ref));
        case ast::TableRefKind::TABLE_FUNCTION:
            return BindTableFunction(static_cast<const ast::TableFunctionRef&>(ref));
        case ast::TableRefKind::SUBQUERY: {
            const auto& sq = static_cast<const ast::SubqueryTableRef&>(ref);
            auto saved = scope_;
            size_t uses = CorrelatedUses();
            auto bound = BindQueryNode(*sq.query);
            scope_ = std::move(saved);
            if (CorrelatedUses() != uses) {
                throw NotSupportedError(At(ref.location) +
                                        "a derived table inside a subquery cannot read the enclosing query's "
                                        "columns yet; move the condition to the subquery's WHERE");
            }
            auto sub = std::make_unique<BoundSubqueryRef>();
            for (const auto& c : bound->output) {
                scope_.push_back({ref.alias, c.name, c.type, c.nullable});
                sub->types.push_back(c.type);
            }
            sub->query = std::move(bound);
            return sub;
        }
    }
    throw InternalError("unknown table reference");
}

BoundTableRefPtr Binder::BindRecursiveCte(const ast::BaseTableRef& base, size_t index) {
    const ast::CommonTableExpr& cte = *ctes_[index].cte;
    const auto& setop = static_cast<const ast::SetOperationNode&>(*cte.query);
    std::vector<CteBinding> saved_ctes = ctes_;
    ctes_.resize(index);  // the CTEs declared before this one
    auto saved_scope = scope_;
    size_t uses = CorrelatedUses();
    auto restore = [&] {
        scope_ = saved_scope;
        ctes_ = saved_ctes;
    };
    std::unique_ptr<BoundQueryNode> anchor, recursive;
    CteBinding self;
    self.name = cte.name;
    self.cte = &cte;
    try {
        anchor = BindQueryNode(*setop.left);
        if (!cte.column_names.empty() && cte.column_names.size() != anchor->output.size()) {
            throw BinderError(At(base.location) + "CTE '" + cte.name + "' names " +
                                  std::to_string(cte.column_names.size()) + " columns but returns " +
                                  std::to_string(anchor->output.size()),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        self.working = std::make_shared<WorkingTable>();
        self.working->name = cte.name;
        self.working_reads = std::make_shared<size_t>(0);
        for (size_t i = 0; i < anchor->output.size(); ++i) {
            LogicalType t = anchor->output[i].type;
            if (t.id == TypeId::NULL_TYPE) t = LogicalType::Varchar();
            self.working_types.push_back(t);
            self.working_names.push_back(cte.column_names.empty() ? anchor->output[i].name : cte.column_names[i]);
        }
        ctes_.push_back(self);
        recursive = BindQueryNode(*setop.right);
    } catch (...) {
        restore();
        throw;
    }
    restore();
    if (*self.working_reads == 0) return nullptr;
    if (CorrelatedUses() != uses) {
        throw NotSupportedError(At(base.location) + "CTE '" + cte.name + "' cannot read the enclosing query's columns",
                                ErrorCode::NOT_SUPPORTED);
    }
    if (!setop.order_by.empty() || setop.limit || setop.offset) {
        throw NotSupportedError(At(base.location) + "recursive CTE '" + cte.name +
                                "' cannot have ORDER BY, LIMIT or OFFSET on its UNION; order and limit the query "
                                "that reads it");
    }
    if (recursive->output.size() != anchor->output.size()) {
        throw BinderError(At(base.location) + fmt::format("the operands of recursive CTE '{}' have {} and {} columns",
                                                          cte.name, anchor->output.size(), recursive->output.size()),
                          ErrorCode::WRONG_ARGUMENTS);
    }
    auto ref = std::make_unique<BoundRecursiveCteRef>();
    ref->types = self.working_types;
    ref->all = setop.all;
    ref->working = self.working;
    Value depth = context_.GetVariable(ast::VariableScope::DEFAULT, "cte_max_recursion_depth");
    if (!depth.is_null()) ref->max_depth = CastValue(depth, TypeId::BIGINT).GetInt();
    ref->anchor = std::move(anchor);
    ref->recursive = std::move(recursive);
    std::string alias = base.alias.empty() ? cte.name : base.alias;
    for (size_t i = 0; i < ref->types.size(); ++i)
        scope_.push_back({alias, self.working_names[i], ref->types[i], true});
    return ref;
}

BoundTableRefPtr Binder::BindBaseTable(const ast::BaseTableRef& base) {
    if (base.database.empty()) {
        for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
            if (!AsciiEqualsIgnoreCase(it->name, base.table)) continue;
            if (it->working) {
                // A recursive part reading its own CTE: the previous step's rows.
                auto ref = std::make_unique<BoundWorkingTableRef>();
                ref->working = it->working;
                ref->types = it->working_types;
                ++*it->working_reads;
                std::string alias = base.alias.empty() ? it->name : base.alias;
                for (size_t i = 0; i < ref->types.size(); ++i) {
                    scope_.push_back({alias, it->working_names[i], ref->types[i], true});
                }
                return ref;
            }
            const ast::CommonTableExpr& cte = *it->cte;
            if (cte.recursive && cte.query->kind == ast::QueryNodeKind::SET_OPERATION &&
                static_cast<const ast::SetOperationNode&>(*cte.query).op == ast::SetOpType::UNION) {
                size_t index = static_cast<size_t>(std::distance(ctes_.begin(), it.base())) - 1;
                if (auto ref = BindRecursiveCte(base, index)) return ref;
                it = std::make_reverse_iterator(ctes_.begin() + static_cast<std::ptrdiff_t>(index) +
                                                1);  // ctes_ was copied back
            }
            std::shared_ptr<BoundCte> cte_info = it->bound;
            // Bind the CTE where it was defined: hide CTEs declared after it (no recursion).
            std::vector<CteBinding> saved_ctes = ctes_;
            ctes_.resize(static_cast<size_t>(std::distance(ctes_.begin(), it.base())) - 1);
            auto saved = scope_;
            size_t uses = CorrelatedUses();
            auto bound = BindQueryNode(*cte.query);
            scope_ = std::move(saved);
            ctes_ = std::move(saved_ctes);
            if (CorrelatedUses() != uses) {
                throw NotSupportedError(At(base.location) + "CTE '" + cte.name +
                                        "' cannot read the enclosing query's columns yet; move the condition to "
                                        "the subquery's WHERE");
            }
            ++cte_info->references;
            if (!cte.column_names.empty() && cte.column_names.size() != bound->output.size()) {
                throw BinderError(At(base.location) + "CTE '" + cte.name + "' names " +
                                      std::to_string(cte.column_names.size()) + " columns but returns " +
                                      std::to_string(bound->output.size()),
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            auto sub = std::make_unique<BoundSubqueryRef>();
            std::string alias = base.alias.empty() ? cte.name : base.alias;
            for (size_t i = 0; i < bound->output.size(); ++i) {
                const auto& c = bound->output[i];
                scope_.push_back({alias, cte.column_names.empty() ? c.name : cte.column_names[i], c.type, c.nullable});
                sub->types.push_back(c.type);
            }
            sub->query = std::move(bound);
            sub->cte = std::move(cte_info);
            return sub;
        }
    }
    // A table of an external catalog: named with its catalog, or unqualified while SET CATALOG
    // (or USE catalog.db) has made an external catalog the session's.
    std::string catalog = base.catalog;
    bool system_name = AsciiEqualsIgnoreCase(base.database, kInformationSchema) ||
                       AsciiEqualsIgnoreCase(base.database, kSysDatabase) ||
                       (base.database.empty() && AsciiEqualsIgnoreCase(base.table, "dual"));
    if (catalog.empty() && database_stack_.empty() && !system_name) catalog = context_.CurrentCatalog();
    if (!catalog.empty() && !AsciiEqualsIgnoreCase(catalog, kDefaultCatalog)) {
        return BindSourceTable(base, catalog);
    }
    if (base.time_travel.kind != ast::TimeTravel::Kind::NONE) {
        throw NotSupportedError(At(base.location) + "FOR VERSION / TIMESTAMP AS OF reads Iceberg tables; '" +
                                base.table + "' is a table of default_catalog");
    }
    if (base.database.empty() && AsciiEqualsIgnoreCase(base.table, "dual")) {
        auto dual = std::make_unique<BoundValuesRef>();
        dual->rows.emplace_back();
        return dual;
    }
    std::string db = base.database.empty() ? DefaultDatabase() : base.database;
    if (db.empty()) throw CatalogError(At(base.location) + "No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (AsciiEqualsIgnoreCase(db, kAuditDatabase) && AsciiEqualsIgnoreCase(base.table, kAuditTable) &&
        !context_.catalog().DatabaseExists(db)) {
        auto audit = AuditTable(context_);
        return BindSystemRows(base, audit);
    }
    if (AsciiEqualsIgnoreCase(db, kSysDatabase) && !context_.catalog().DatabaseExists(db)) {
        if (auto sys = SysTable(context_, base.table)) return BindSystemRows(base, *sys);
        throw CatalogError(At(base.location) + "Table 'sys." + base.table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    if (!AsciiEqualsIgnoreCase(db, kInformationSchema)) {
        if (auto table = context_.catalog().GetTable(db, base.table)) {
            if (table->kind == "VIEW") return BindView(base, *table);
            if (view_depth_ == 0 && table->id != write_target_id_) {
                context_.RequirePrivilege("SELECT", ClientContext::TableObject(*table));
            }
            // The schema comes with the version, so a scan's columns always match its rowsets.
            std::shared_ptr<const TableVersion> version = pinned_version_ && pinned_version_->table_id == table->id
                                                              ? pinned_version_
                                                              : context_.catalog().GetTableVersion(table->id);
            if (DeltaScan* delta = context_.delta_scan(); delta && delta->table_id == table->id) {
                // An incremental MV refresh: the rows of the commits after the one it consumed.
                delta->read_sequence = delta->read_sequence == -1 || delta->read_sequence == version->data_sequence
                                           ? version->data_sequence
                                           : -2;
                if (delta->after >= 0) {
                    auto restricted = std::make_shared<TableVersion>(*version);
                    restricted->rowsets.clear();
                    for (const auto& r : version->rowsets) {
                        if (r.seq_lo > delta->after) {
                            restricted->rowsets.push_back(r);
                        } else if (r.seq_hi > delta->after) {
                            delta->mixed = true;
                        }
                    }
                    version = std::move(restricted);
                }
            }
            TableSchema schema = ParseTableDefinition(version->definition);
            bool merged = schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE;
            bool expose_row_id = !row_id_table_.empty() && AsciiEqualsIgnoreCase(row_id_table_, db + "." + table->name);
            // (A write that names rows by row id reads the hot tier alone; a Primary Key UPDATE
            // reads the logical table and upserts the new versions, also of cold rows.)
            if (version->tier && version->tier->boundary && raw_table_id_ != table->id && !expose_row_id &&
                hot_only_table_id_ != table->id) {
                // A tiered table: its hot rows and, below the boundary, its cold tier, read at the
                // snapshot this version records (one cut: every row once).
                int64_t saved_raw = raw_table_id_;
                auto saved_pin = pinned_version_;
                raw_table_id_ = table->id;
                pinned_version_ = version;
                ++tier_depth_;
                try {
                    const TierState& tier = *version->tier;
                    std::vector<SourceColumn> cold;
                    if (tier.mode == "external" || tier.snapshot_id >= 0) {
                        ast::TimeTravel travel;
                        if (tier.mode != "external") {
                            travel.kind = ast::TimeTravel::Kind::VERSION;
                            travel.value = std::to_string(tier.snapshot_id);
                            travel.numeric = true;
                            travel.current_schema = true;
                        }
                        try {
                            tier_cold_ = context_.OpenTable(tier.cold_catalog, tier.cold_database, tier.cold_table,
                                                            travel, false);
                        } catch (const Exception& e) {
                            // The cold tier cannot be reached: a query that needs it fails with
                            // the reason when planned; one its filter keeps in the hot tier runs.
                            std::vector<SourceColumn> columns;
                            for (const auto& c : schema.columns) columns.push_back({c.name, c.type, true, ""});
                            tier_cold_ = std::make_shared<UnreachableSource>(tier.ColdName(), std::move(columns),
                                                                             e.what(), e.code());
                        }
                        cold = tier_cold_->columns();
                    }
                    auto ref = BindDefinedQuery(base, table->name, db,
                                                TieredTableQuery(db, table->name, schema, tier, cold), {}, "table");
                    raw_table_id_ = saved_raw;
                    pinned_version_ = saved_pin;
                    --tier_depth_;
                    return ref;
                } catch (...) {
                    raw_table_id_ = saved_raw;
                    pinned_version_ = saved_pin;
                    --tier_depth_;
                    throw;
                }
            }
            if (merged && raw_table_id_ != table->id && !expose_row_id) {
                int64_t saved_raw = raw_table_id_;
                raw_table_id_ = table->id;
                try {
                    auto ref =
                        BindDefinedQuery(base, table->name, db, MergeOnReadQuery(table->name, schema), {}, "table");
                    raw_table_id_ = saved_raw;
                    return ref;
                } catch (...) {
                    raw_table_id_ = saved_raw;
                    throw;
                }
            }
            auto scan = std::make_unique<BoundTableScanRef>();
            scan->table = db + "." + table->name;
            scan->types = schema.Types();
            scan->version = version;
            scan->data_dir = context_.DataDirectory();
            scan->schema = std::make_shared<const TableSchema>(schema);
            std::string alias = base.alias.empty() ? table->name : base.alias;
            for (const auto& c : schema.columns) scope_.push_back({alias, c.name, c.type, c.nullable});
            // rowid (DuckDB, SQLite): the row's position in the table, unless a column has the name.
            if (schema.Find("rowid") < 0) {
                scan->row_ordinal = true;
                scan->types.push_back(TypeId::BIGINT);
                ScopeColumn rowid{alias, "rowid", TypeId::BIGINT, false};
                rowid.hidden = true;
                scope_.push_back(rowid);
            }
            if (expose_row_id) {
                row_id_table_.clear();
                scan->row_id = true;
                scan->types.push_back(TypeId::BIGINT);
                scope_.push_back({alias, "__row_id", TypeId::BIGINT, false});
            }
            return scan;
        }
        if (!context_.catalog().DatabaseExists(db)) {
            throw CatalogError(At(base.location) + "Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        throw CatalogError(At(base.location) + "Table '" + db + "." + base.table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    auto table = InformationSchemaTable(context_, base.table);
    if (!table) {
        throw CatalogError(At(base.location) + "Table 'information_schema." + base.table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    return BindSystemRows(base, *table);
}

BoundTableRefPtr Binder::BindSourceTable(const ast::BaseTableRef& base, const std::string& catalog) {
    std::string db = base.database.empty() ? context_.CurrentDatabase() : base.database;
    if (db.empty()) throw CatalogError(At(base.location) + "No database selected", ErrorCode::NO_DATABASE_SELECTED);
    // `t$snapshots`, `t$files`, ...: the table's metadata as rows.
    auto dollar = base.table.rfind('$');
    if (dollar != std::string::npos && dollar > 0) {
        TableRows rows = context_.OpenMetadataTable(catalog, db, base.table.substr(0, dollar),
                                                    AsciiLower(base.table.substr(dollar + 1)), base.time_travel);
        BoundValuesSource source;
        source.names = std::move(rows.names);
        source.types = std::move(rows.types);
        source.rows = std::move(rows.rows);
        source.table = base.table;
        source.schema = db;
        return BindSystemRows(base, source);
    }
    // An incremental MV refresh reads only what was appended since the snapshot it consumed.
    DeltaScan* delta = tier_depth_ > 0 ? nullptr : context_.delta_scan();
    if (delta && !AsciiEqualsIgnoreCase(delta->external, catalog + "." + db + "." + base.table)) delta = nullptr;
    ast::TimeTravel travel = base.time_travel;
    if (delta && delta->after >= 0) travel.appended_after = delta->after;
    std::shared_ptr<const TableSource> source =
        tier_depth_ > 0 && tier_cold_ ? std::move(tier_cold_)
                                      : context_.OpenTable(catalog, db, base.table, travel, tier_depth_ == 0);
    if (delta) {
        int64_t read = source->SnapshotId();
        delta->read_sequence = delta->read_sequence == -1 || delta->read_sequence == read ? read : -2;
    }
    auto tf = std::make_unique<BoundTableFunctionRef>();
    tf->name = "table_source";
    std::string alias = base.alias.empty() ? base.table : base.alias;
    for (const auto& c : source->columns()) {
        tf->types.push_back(c.type);
        scope_.push_back({alias, c.name, c.type, c.nullable});
    }
    // Hidden metadata columns (_file, _pos), unless a column has the name.
    for (const auto& c : source->metadata_columns()) {
        bool taken = false;
        for (const auto& real : source->columns()) taken |= AsciiEqualsIgnoreCase(real.name, c.name);
        tf->types.push_back(c.type);
        ScopeColumn hidden{alias, taken ? "" : c.name, c.type, c.nullable};
        hidden.hidden = true;
        scope_.push_back(hidden);
    }
    tf->source = std::move(source);
    return tf;
}

BoundTableRefPtr Binder::BindSystemRows(const ast::BaseTableRef& base, BoundValuesSource& source) {
    BoundValuesSource* table = &source;
    auto values = std::make_unique<BoundValuesRef>();
    values->types = table->types;
    for (auto& row : table->rows) {
        std::vector<BoundExprPtr> bound;
        for (size_t i = 0; i < row.size(); ++i) {
            Value v =
                row[i].is_null() || row[i].type() == table->types[i] ? row[i] : CastValue(row[i], table->types[i]);
            if (v.is_null()) v = Value::Null(table->types[i]);
            bound.push_back(std::make_unique<BoundConstant>(std::move(v)));
        }
        values->rows.push_back(std::move(bound));
    }
    std::string alias = base.alias.empty() ? table->table : base.alias;
    for (size_t i = 0; i < table->names.size(); ++i) scope_.push_back({alias, table->names[i], table->types[i], true});
    return values;
}

BoundTableRefPtr Binder::BindUnnest(const ast::TableFunctionRef& fn, BoundTableRefPtr input,
                                    std::vector<ScopeColumn> input_scope, bool outer) {
    if (fn.args.empty()) {
        throw BinderError(At(fn.location) + "unnest() takes one or more arrays", ErrorCode::WRONG_ARGUMENTS);
    }
    auto ref = std::make_unique<BoundUnnestRef>();
    ref->outer = outer;
    ref->types = input->types;
    scope_ = input_scope;
    std::vector<ScopeColumn> added;
    std::string alias = fn.alias.empty() ? fn.name : fn.alias;
    if (fn.name == "json_each") {
        // json_each(j): a row per member of the object j, columns key (VARCHAR) and value (JSON).
        if (fn.args.size() != 1) {
            throw BinderError(At(fn.location) + "json_each() takes one JSON object", ErrorCode::WRONG_ARGUMENTS);
        }
        for (const char* part : {"key", "value"}) {
            std::vector<BoundExprPtr> arg;
            arg.push_back(Bind(*fn.args[0]));
            BoundExprPtr e = MakeFunction(std::string("__json_each_") + part + "s", std::move(arg), *fn.args[0]);
            added.push_back({fn.alias.empty() ? "json_each" : fn.alias, part, e->type.Element(), true});
            ref->types.push_back(e->type.Element());
            ref->arrays.push_back(std::move(e));
        }
        ref->input = std::move(input);
        scope_ = std::move(input_scope);
        scope_.insert(scope_.end(), added.begin(), added.end());
        return ref;
    }
    for (size_t k = 0; k < fn.args.size(); ++k) {
        BoundExprPtr e = Bind(*fn.args[k]);
        if (e->type.id == TypeId::NULL_TYPE) e = AddCastIfNeeded(std::move(e), LogicalType::Array(TypeId::BIGINT));
        if (fn.name == "unnest_bitmap" && e->type.id == TypeId::BITMAP) {  // its elements, as BIGINTs
            std::vector<BoundExprPtr> arg;
            arg.push_back(std::move(e));
            e = MakeFunction("bitmap_to_array", std::move(arg), *fn.args[k]);
        }
        if (e->type.id != TypeId::ARRAY) {
            throw BinderError(At(fn.args[k]->location) + "unnest() needs ARRAY arguments, not " + e->type.ToString(),
                              ErrorCode::TYPE_MISMATCH);
        }
        LogicalType element = e->type.Element();
        std::string name = k < fn.column_aliases.size() ? fn.column_aliases[k]
                           : fn.args.size() == 1        ? fn.name
                                                        : "unnest_" + std::to_string(k + 1);
        added.push_back({alias, name, element, true});
        ref->types.push_back(element);
        ref->arrays.push_back(std::move(e));
    }
    if (fn.column_aliases.size() > fn.args.size()) {
        throw BinderError(At(fn.location) + "unnest() of " + std::to_string(fn.args.size()) + " arrays has " +
                              std::to_string(fn.args.size()) + " columns, not " +
                              std::to_string(fn.column_aliases.size()),
                          ErrorCode::WRONG_VALUE_COUNT);
    }
    ref->input = std::move(input);
    scope_ = std::move(input_scope);
    scope_.insert(scope_.end(), added.begin(), added.end());
    return ref;
}

BoundTableRefPtr Binder::BindTableFunction(const ast::TableFunctionRef& ref) {
    if (ref.name == "unnest" || ref.name == "unnest_bitmap" || ref.name == "json_each") {
        // unnest([1, 2]) alone in FROM: over one empty row.
        auto dual = std::make_unique<BoundValuesRef>();
        dual->rows.emplace_back();
        auto saved = scope_;
        auto bound = BindUnnest(ref, std::move(dual), {}, false);
        std::vector<ScopeColumn> added = scope_;
        scope_ = std::move(saved);
        scope_.insert(scope_.end(), added.begin(), added.end());
        return bound;
    }
    auto tf = std::make_unique<BoundTableFunctionRef>();
    tf->name = ref.name;
    if (ref.name == "files") {
        if (!ref.args.empty()) {
            throw BinderError(
                At(ref.location) + "FILES() takes properties: FILES(\"path\" = \"...\", \"format\" = \"parquet\")",
                ErrorCode::WRONG_ARGUMENTS);
        }
        // Reading files on the server needs the FILE privilege (and the path a file root).
        if (view_depth_ == 0) context_.RequirePrivilege("FILE", ClientContext::SystemObject());
        FilesDescription d = context_.DescribeFiles(ref.properties);
        tf->properties = ref.properties;
        tf->files = std::move(d.files);
        tf->types = d.types;
        std::string alias = ref.alias.empty() ? "files" : ref.alias;
        for (size_t i = 0; i < d.names.size(); ++i) scope_.push_back({alias, d.names[i], d.types[i], true});
        return tf;
    }
    auto saved = scope_;
    scope_.clear();
    std::vector<int64_t> args;
    for (const auto& a : ref.args) args.push_back(ConstantInteger(*Bind(*a), ref.name + "() argument", a->location));
    scope_ = std::move(saved);
    std::string column;
    if (ref.name == "generate_series") {
        if (args.size() < 2 || args.size() > 3) {
            throw BinderError(At(ref.location) + "generate_series(start, stop[, step]) takes two or three integers",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (args.size() == 3 && args[2] == 0) {
            throw BinderError(At(ref.location) + "generate_series() step must not be zero", ErrorCode::WRONG_ARGUMENTS);
        }
        column = "generate_series";
    } else if (ref.name == "numbers") {
        if (args.size() != 1 || args[0] < 0) {
            throw BinderError(At(ref.location) + "numbers(n) takes one non-negative integer",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        column = "number";
    } else {
        throw BinderError(At(ref.location) + "unknown table function '" + ref.name + "'", ErrorCode::UNKNOWN_FUNCTION);
    }
    for (int64_t a : args) tf->args.push_back(Value::Integer(a));
    tf->types = {TypeId::BIGINT};
    scope_.push_back({ref.alias.empty() ? ref.name : ref.alias, column, TypeId::BIGINT, false});
    return tf;
}

BoundTableRefPtr Binder::BindJoin(const ast::JoinTableRef& ref) {
    if (ref.right->kind == ast::TableRefKind::TABLE_FUNCTION &&
        (static_cast<const ast::TableFunctionRef&>(*ref.right).name == "unnest" ||
         static_cast<const ast::TableFunctionRef&>(*ref.right).name == "unnest_bitmap" ||
         static_cast<const ast::TableFunctionRef&>(*ref.right).name == "json_each")) {
        // t, unnest(t.a) / t CROSS JOIN unnest(t.a) / t [LEFT] JOIN unnest(t.a) ON TRUE: lateral.
        bool outer = ref.join_type == ast::JoinType::LEFT;
        if (!outer && ref.join_type != ast::JoinType::CROSS && ref.join_type != ast::JoinType::INNER) {
            throw NotSupportedError(At(ref.location) + "unnest() joins its input by CROSS, INNER or LEFT JOIN");
        }
        bool true_condition =
            !ref.condition || (ref.condition->kind == ast::ExprKind::LITERAL &&
                               static_cast<const ast::LiteralExpr&>(*ref.condition).value == Value::Boolean(true));
        if (!true_condition || !ref.using_columns.empty()) {
            throw NotSupportedError(At(ref.location) +
                                    "a join with unnest() takes no condition but ON TRUE; filter its rows in WHERE");
        }
        auto input = BindTableRef(*ref.left);
        std::vector<ScopeColumn> input_scope = scope_;
        return BindUnnest(static_cast<const ast::TableFunctionRef&>(*ref.right), std::move(input),
                          std::move(input_scope), outer);
    }
    auto join = std::make_unique<BoundJoinRef>();
    switch (ref.join_type) {
        case ast::JoinType::INNER:
            join->join_type = BoundJoinType::INNER;
            break;
        case ast::JoinType::LEFT:
            join->join_type = BoundJoinType::LEFT;
            break;
        case ast::JoinType::RIGHT:
            join->join_type = BoundJoinType::RIGHT;
            break;
        case ast::JoinType::FULL:
            join->join_type = BoundJoinType::FULL;
            break;
        case ast::JoinType::CROSS:
            join->join_type = BoundJoinType::CROSS;
            break;
        case ast::JoinType::LEFT_SEMI:
            join->join_type = BoundJoinType::SEMI;
            break;
        case ast::JoinType::LEFT_ANTI:
            join->join_type = BoundJoinType::ANTI;
            break;
    }
    join->left = BindTableRef(*ref.left);
    std::vector<ScopeColumn> left_scope = scope_;
    scope_.clear();
    join->right = BindTableRef(*ref.right);
    std::vector<ScopeColumn> right_scope = scope_;
    size_t left_width = left_scope.size();
    scope_ = left_scope;
    scope_.insert(scope_.end(), right_scope.begin(), right_scope.end());
    ast::LiteralExpr at;  // error position for conditions the binder builds
    at.location = ref.location;
    std::vector<BoundExprPtr> conjuncts;
    if (ref.condition) {
        SplitConjunction(AddCastIfNeeded(Bind(*ref.condition), TypeId::BOOLEAN), conjuncts);
    }
    for (const auto& name : ref.using_columns) {
        std::optional<size_t> l, r;
        for (size_t i = 0; i < left_scope.size(); ++i) {
            if (AsciiEqualsIgnoreCase(left_scope[i].name, name) && !left_scope[i].qualified_only &&
                !left_scope[i].hidden)
                l = i;
        }
        for (size_t i = 0; i < right_scope.size(); ++i) {
            if (AsciiEqualsIgnoreCase(right_scope[i].name, name) && !right_scope[i].qualified_only &&
                !right_scope[i].hidden)
                r = i;
        }
        if (!l || !r) {
            throw BinderError(At(ref.location) + "Unknown column '" + name + "' in 'from clause'",
                              ErrorCode::UNKNOWN_COLUMN);
        }
        std::vector<BoundExprPtr> args;
        args.push_back(std::make_unique<BoundColumnRef>(*l, left_scope[*l].type, name));
        args.push_back(std::make_unique<BoundColumnRef>(left_width + *r, right_scope[*r].type, name));
        conjuncts.push_back(MakeFunction("equal", std::move(args), at));
        right_scope[*r].qualified_only = true;  // USING columns appear once, unqualified from the left
    }
    // Equality conjuncts with one side on each input become hash keys.
    std::vector<BoundExprPtr> rest;
    for (auto& c : conjuncts) {
        bool is_key = false;
        if (c->kind == BoundExprKind::FUNCTION && static_cast<BoundFunction&>(*c).function.name == "equal") {
            auto& eq = static_cast<BoundFunction&>(*c);
            auto side = [&](const BoundExpression& e) {
                bool left = false, right = false;
                ForEachColumn(e, [&](size_t i) { (i < left_width ? left : right) = true; });
                return left && !right ? 0 : (right && !left ? 1 : -1);
            };
            int a = side(*eq.args[0]), b = side(*eq.args[1]);
            if ((a == 0 && b == 1) || (a == 1 && b == 0)) {
                BoundExprPtr l = std::move(eq.args[a == 0 ? 0 : 1]);
                BoundExprPtr r = std::move(eq.args[a == 0 ? 1 : 0]);
                ShiftColumns(*r, left_width);
                join->left_keys.push_back(std::move(l));
                join->right_keys.push_back(std::move(r));
                is_key = true;
            }
        }
        if (!is_key) rest.push_back(std::move(c));
    }
    for (auto& c : rest) {
        if (!join->condition) {
            join->condition = std::move(c);
        } else {
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(join->condition));
            args.push_back(std::move(c));
            join->condition = MakeFunction("and", std::move(args), at);
        }
    }
    if (join->join_type == BoundJoinType::CROSS && (!join->left_keys.empty() || join->condition)) {
        join->join_type = BoundJoinType::INNER;
    }
    if (join->join_type == BoundJoinType::LEFT || join->join_type == BoundJoinType::FULL) {
        for (auto& c : right_scope) c.nullable = true;
    }
    if (join->join_type == BoundJoinType::RIGHT || join->join_type == BoundJoinType::FULL) {
        for (auto& c : left_scope) c.nullable = true;
    }
    join->types.clear();
    for (const auto& c : left_scope) join->types.push_back(c.type);
    scope_ = left_scope;
    if (join->join_type != BoundJoinType::SEMI && join->join_type != BoundJoinType::ANTI) {
        for (const auto& c : right_scope) join->types.push_back(c.type);
        scope_.insert(scope_.end(), right_scope.begin(), right_scope.end());
    }
    return join;
}

}  // namespace floe
