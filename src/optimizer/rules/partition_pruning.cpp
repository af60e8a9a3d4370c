#include "optimizer/rules/partition_pruning.h"

#include <climits>
#include <set>

#include "binder/partitioning.h"
#include "function/cast.h"
#include "types/date_time.h"

namespace floe {

namespace {

/// What a filter may match in one partition of a scan.
struct PartitionDomain {
    const TableSchema& schema;
    const LogicalGet& get;
    bool range = false;
    int64_t lo = 0, hi = 0;  // RANGE / date_trunc: [lo, hi) in range-key space
    const PartitionInfo* partition = nullptr;
};

/// The partition-column position (in the partition key) a scan output column is, or -1.
int PartitionColumnOf(const PartitionDomain& d, size_t output) {
    if (output >= d.get.column_ids.size()) return -1;
    size_t table_column = d.get.column_ids[output];
    for (size_t i = 0; i < d.schema.partition_columns.size(); ++i) {
        if (d.schema.partition_columns[i] == table_column) return static_cast<int>(i);
    }
    return -1;
}

/// How a compared expression derives from the partition column's range key: as is, scaled up
/// (DATE to DATETIME) or floored to days (DATETIME to DATE: date(ts), CAST(ts AS DATE)). Each is
/// non-decreasing, so a partition [lo, hi) maps into [f(lo), f(hi - 1)].
/// TRUNC: date_trunc('unit', col) (col DATE or DATETIME; the result's type, DATE or DATETIME,
/// is the compared key's space).
enum class KeyMap { IDENTITY, DAYS_TO_MICROS, MICROS_TO_DAYS, TRUNC };

constexpr int64_t kDay = 86400LL * 1000000;

/// date_trunc's unit and the key spaces around it, for KeyMap::TRUNC.
struct TruncMap {
    std::string unit;
    bool in_days = false, out_days = false;
};

int64_t FloorDays(int64_t micros) {
    return micros / kDay - ((micros % kDay != 0) && (micros < 0));
}

int64_t MapKey(KeyMap m, int64_t k, const TruncMap& trunc = {}) {
    if (k == INT64_MIN || k == INT64_MAX) return k;
    switch (m) {
        case KeyMap::IDENTITY:
            return k;
        case KeyMap::DAYS_TO_MICROS:
            return k * kDay;
        case KeyMap::MICROS_TO_DAYS:
            return FloorDays(k);
        case KeyMap::TRUNC: {
            int64_t micros = trunc.in_days ? k * kDay : k;
            int64_t t = DateTruncMicros(trunc.unit, micros).value_or(micros);
            return trunc.out_days ? FloorDays(t) : t;
        }
    }
    return k;
}

/// `expr` as a (function of a) partition column: returns its position in the partition key and
/// the key map, or -1 when it is not one.
int AsPartitionColumn(const PartitionDomain& d, const BoundExpression& expr, KeyMap& map, TruncMap* trunc = nullptr) {
    map = KeyMap::IDENTITY;
    if (expr.kind == BoundExprKind::COLUMN_REF) {
        return PartitionColumnOf(d, static_cast<const BoundColumnRef&>(expr).index);
    }
    // date_trunc('unit', col): non-decreasing in col.
    if (trunc && expr.kind == BoundExprKind::FUNCTION) {
        const auto& f = static_cast<const BoundFunction&>(expr);
        if (f.function.name == "date_trunc" && f.args.size() == 2 && f.args[0]->kind == BoundExprKind::CONSTANT) {
            const Value& unit = static_cast<const BoundConstant&>(*f.args[0]).value;
            const BoundExpression* arg = f.args[1].get();
            if (arg->kind == BoundExprKind::CAST) arg = static_cast<const BoundCast&>(*arg).child.get();
            if (unit.is_null() || arg->kind != BoundExprKind::COLUMN_REF) return -1;
            std::string u = unit.ToString();
            for (auto& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (!DateTruncMicros(u, 0)) return -1;
            if ((arg->type.id != TypeId::DATE && arg->type.id != TypeId::DATETIME) ||
                (expr.type.id != TypeId::DATE && expr.type.id != TypeId::DATETIME)) {
                return -1;
            }
            trunc->unit = u;
            trunc->in_days = arg->type.id == TypeId::DATE;
            trunc->out_days = expr.type.id == TypeId::DATE;
            map = KeyMap::TRUNC;
            return PartitionColumnOf(d, static_cast<const BoundColumnRef&>(*arg).index);
        }
    }
    const BoundExpression* child = nullptr;
    if (expr.kind == BoundExprKind::CAST) {
        child = static_cast<const BoundCast&>(expr).child.get();
    } else if (expr.kind == BoundExprKind::FUNCTION) {
        const auto& f = static_cast<const BoundFunction&>(expr);
        if ((f.function.name == "date" || f.function.name == "to_date") && f.args.size() == 1) child = f.args[0].get();
    }
    if (!child || child->kind != BoundExprKind::COLUMN_REF) return -1;
    const LogicalType& from = child->type;
    const LogicalType& to = expr.type;
    if (from.IsInteger() && to.IsInteger() && from.id != TypeId::LARGEINT && to.id != TypeId::LARGEINT &&
        to.PhysicalSize() >= from.PhysicalSize()) {
        map = KeyMap::IDENTITY;
    } else if (from.id == TypeId::DATE && to.id == TypeId::DATETIME) {
        map = KeyMap::DAYS_TO_MICROS;
    } else if (from.id == TypeId::DATETIME && to.id == TypeId::DATE) {
        map = KeyMap::MICROS_TO_DAYS;
    } else if (from.id == TypeId::DATE && to.id == TypeId::DATE) {
        map = KeyMap::IDENTITY;
    } else {
        return -1;
    }
    return PartitionColumnOf(d, static_cast<const BoundColumnRef&>(*child).index);
}

/// Whether the partition may hold a row for which `expr` is true.
bool Possible(const PartitionDomain& d, const BoundExpression& expr) {
    if (expr.kind != BoundExprKind::FUNCTION) return true;
    const auto& f = static_cast<const BoundFunction&>(expr);
    const std::string& name = f.function.name;
    if (name == "and" && f.args.size() == 2) return Possible(d, *f.args[0]) && Possible(d, *f.args[1]);
    if (name == "or" && f.args.size() == 2) return Possible(d, *f.args[0]) || Possible(d, *f.args[1]);
    static const std::set<std::string> kCompare = {"equal", "less", "less_equal", "greater", "greater_equal"};
    if (!kCompare.count(name) || f.args.size() != 2) return true;
    // Normalise to `column op constant`.
    std::string op = name;
    const BoundExpression* col = f.args[0].get();
    const BoundExpression* constant = f.args[1].get();
    if (col->kind == BoundExprKind::CONSTANT) {
        std::swap(col, constant);
        if (op == "less")
            op = "greater";
        else if (op == "greater")
            op = "less";
        else if (op == "less_equal")
            op = "greater_equal";
        else if (op == "greater_equal")
            op = "less_equal";
    }
    if (constant->kind != BoundExprKind::CONSTANT) return true;
    const Value& value = static_cast<const BoundConstant&>(*constant).value;
    if (value.is_null()) return false;  // a comparison with NULL is never true
    KeyMap map;
    TruncMap trunc;
    int position = AsPartitionColumn(d, *col, map, d.range ? &trunc : nullptr);
    if (position < 0) return true;
    if (d.range) {
        if (value.type() != col->type) return true;  // compared in another type: do not guess
        auto key = RangeKeyOfValue(col->type, value);
        if (!key) return true;
        // The values the compared expression takes in the partition lie in [a, b].
        int64_t a = MapKey(map, d.lo, trunc);
        int64_t b = d.hi == INT64_MAX ? INT64_MAX : MapKey(map, d.hi - 1, trunc);
        int64_t c = *key;
        if (op == "equal") return a <= c && c <= b;
        if (op == "less") return a < c;
        if (op == "less_equal") return a <= c;
        if (op == "greater") return b > c;
        return b >= c;  // greater_equal
    }
    bool same_type = value.type() == col->type || (value.type().IsString() && col->type.IsString());
    if (op != "equal" || map != KeyMap::IDENTITY || !same_type) return true;
    std::string text = value.ToString();
    for (const auto& tuple : d.partition->values) {
        if (static_cast<size_t>(position) < tuple.size() && tuple[position] == text) return true;
    }
    return false;
}

/// Hash buckets: the buckets a filter may match, for `col = constant` (and IN, an OR of those) on
/// a one-column distribution key, or conjuncts `col_i = constant_i` covering every column of a
/// longer one. nullopt: any bucket.
struct BucketDomain {
    const TableSchema& schema;
    const LogicalGet& get;
};

/// The distribution column (its position in the distribution key) `expr` reads, as is or
/// widened to a larger integer type; -1 otherwise.
int AsDistributionColumn(const BucketDomain& d, const BoundExpression& expr) {
    const BoundExpression* e = &expr;
    if (e->kind == BoundExprKind::CAST) {
        const auto& inner = *static_cast<const BoundCast&>(*e).child;
        if (!(inner.type.IsInteger() && e->type.IsInteger() && inner.type.id != TypeId::LARGEINT &&
              e->type.PhysicalSize() >= inner.type.PhysicalSize())) {
            return -1;
        }
        e = &inner;
    }
    if (e->kind != BoundExprKind::COLUMN_REF) return -1;
    size_t output = static_cast<const BoundColumnRef&>(*e).index;
    if (output >= d.get.column_ids.size()) return -1;
    for (size_t i = 0; i < d.schema.distribution_columns.size(); ++i) {
        if (d.schema.distribution_columns[i] == d.get.column_ids[output]) return static_cast<int>(i);
    }
    return -1;
}

/// `column = constant` on a distribution column: its position and the constant in the column's
/// own type (when the value converts exactly).
std::optional<std::pair<int, Value>> DistributionEquality(const BucketDomain& d, const BoundExpression& expr) {
    if (expr.kind != BoundExprKind::FUNCTION) return std::nullopt;
    const auto& f = static_cast<const BoundFunction&>(expr);
    if (f.function.name != "equal" || f.args.size() != 2) return std::nullopt;
    const BoundExpression* col = f.args[0].get();
    const BoundExpression* constant = f.args[1].get();
    if (col->kind == BoundExprKind::CONSTANT) std::swap(col, constant);
    if (constant->kind != BoundExprKind::CONSTANT) return std::nullopt;
    int position = AsDistributionColumn(d, *col);
    if (position < 0) return std::nullopt;
    const Value& value = static_cast<const BoundConstant&>(*constant).value;
    const LogicalType& type = d.schema.columns[d.schema.distribution_columns[position]].type;
    if (value.is_null()) return std::make_pair(position, value);
    if (!(value.type() == col->type) && !(value.type().IsString() && col->type.IsString())) return std::nullopt;
    Value typed = CastValue(value, type);
    if (typed.is_null() || !(CastValue(typed, value.type()) == value)) return std::nullopt;
    return std::make_pair(position, typed);
}

uint32_t BucketOfValues(const BucketDomain& d, const std::vector<Value>& values) {
    std::vector<Column> columns;
    columns.reserve(values.size());
    std::vector<const Column*> pointers;
    for (size_t i = 0; i < values.size(); ++i) {
        columns.emplace_back(d.schema.columns[d.schema.distribution_columns[i]].type, 1);
        columns.back().Resize(1);
        columns.back().SetValue(0, values[i]);
    }
    for (const auto& c : columns) pointers.push_back(&c);
    std::string scratch;
    return BucketOf(pointers, 0, d.schema.buckets, scratch);
}

/// One-column keys: the buckets `expr` may be true in, or nullopt for all.
std::optional<std::set<uint32_t>> PossibleBuckets(const BucketDomain& d, const BoundExpression& expr) {
    if (auto eq = DistributionEquality(d, expr)) {
        if (eq->second.is_null()) return std::set<uint32_t>{};  // = NULL is never true
        return std::set<uint32_t>{BucketOfValues(d, {eq->second})};
    }
    if (expr.kind != BoundExprKind::FUNCTION) return std::nullopt;
    const auto& f = static_cast<const BoundFunction&>(expr);
    if (f.args.size() != 2 || (f.function.name != "and" && f.function.name != "or")) return std::nullopt;
    auto a = PossibleBuckets(d, *f.args[0]);
    auto b = PossibleBuckets(d, *f.args[1]);
    if (f.function.name == "or") {
        if (!a || !b) return std::nullopt;
        a->insert(b->begin(), b->end());
        return a;
    }
    if (!a) return b;
    if (!b) return a;
    std::set<uint32_t> both;
    for (uint32_t x : *a) {
        if (b->count(x)) both.insert(x);
    }
    return both;
}

/// Longer keys: conjuncts fixing every distribution column.
void CollectEqualities(const BucketDomain& d, const BoundExpression& expr, std::vector<std::optional<Value>>& fixed) {
    if (auto eq = DistributionEquality(d, expr)) {
        fixed[static_cast<size_t>(eq->first)] = eq->second;
        return;
    }
    if (expr.kind != BoundExprKind::FUNCTION) return;
    const auto& f = static_cast<const BoundFunction&>(expr);
    if (f.function.name == "and" && f.args.size() == 2) {
        CollectEqualities(d, *f.args[0], fixed);
        CollectEqualities(d, *f.args[1], fixed);
    }
}

void PruneBuckets(LogicalGet& get, const BoundExpression& condition) {
    const TableSchema& schema = *get.schema;
    if (!schema.bucketed()) return;
    BucketDomain d{schema, get};
    std::optional<std::set<uint32_t>> keep;
    if (schema.distribution_columns.size() == 1) {
        keep = PossibleBuckets(d, condition);
    } else {
        std::vector<std::optional<Value>> fixed(schema.distribution_columns.size());
        CollectEqualities(d, condition, fixed);
        std::vector<Value> values;
        for (const auto& v : fixed) {
            if (!v) return;
            values.push_back(*v);
        }
        keep = std::set<uint32_t>{BucketOfValues(d, values)};
    }
    if (!keep) return;
    auto pruned = std::make_shared<TableVersion>(*get.version);
    pruned->rowsets.clear();
    for (const auto& r : get.version->rowsets) {
        if (keep->count(r.bucket)) pruned->rowsets.push_back(r);
    }
    get.version = pruned;
    get.buckets_selected = static_cast<int64_t>(keep->size());
    get.buckets_total = schema.buckets;
    get.row_count = pruned->live_rows();
}

void Prune(LogicalOperator& op) {
    for (auto& child : op.children) Prune(*child);
    if (op.type != LogicalOperatorType::FILTER || op.children.empty() ||
        op.children[0]->type != LogicalOperatorType::GET) {
        return;
    }
    auto& get = static_cast<LogicalGet&>(*op.children[0]);
    if (!get.schema || !get.version) return;
    const auto& condition = *static_cast<LogicalFilter&>(op).condition;
    PruneBuckets(get, condition);
    if (!get.schema->partitioned()) return;
    const TableSchema& schema = *get.schema;
    bool range = schema.partition.kind == ast::PartitionKind::RANGE ||
                 schema.partition.kind == ast::PartitionKind::TIME_EXPRESSION;
    auto pruned = std::make_shared<TableVersion>();
    pruned->table_id = get.version->table_id;
    pruned->definition = get.version->definition;
    std::set<int64_t> kept;
    for (const auto& p : get.version->partitions) {
        PartitionDomain d{schema, get, range, 0, 0, &p};
        if (range) std::tie(d.lo, d.hi) = PartitionRange(schema, p);
        if (Possible(d, condition)) {
            kept.insert(p.id);
            pruned->partitions.push_back(p);
        }
    }
    if (kept.size() == get.version->partitions.size()) return;
    for (const auto& r : get.version->rowsets) {
        if (kept.count(r.partition_id)) pruned->rowsets.push_back(r);
    }
    get.version = pruned;
    get.partitions_selected = static_cast<int64_t>(kept.size());
    get.row_count = pruned->live_rows();
}

}  // namespace

LogicalOperatorPtr PartitionPruning::Apply(LogicalOperatorPtr plan) {
    Prune(*plan);
    return plan;
}

}  // namespace floe
