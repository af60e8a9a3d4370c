#include "optimizer/rules/mv_match.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "binder/binder.h"
#include "binder/expression_walker.h"
#include "function/function_registry.h"

namespace floe {

namespace {

constexpr size_t kNone = SIZE_MAX;

/// Calls fn on every expression of one operator (not its children).
void ForEachExpression(const LogicalOperator& op, const std::function<void(const BoundExpression&)>& fn) {
    switch (op.type) {
        case LogicalOperatorType::FILTER:
            fn(*static_cast<const LogicalFilter&>(op).condition);
            break;
        case LogicalOperatorType::PROJECTION:
            for (const auto& e : static_cast<const LogicalProjection&>(op).expressions) fn(*e);
            break;
        case LogicalOperatorType::AGGREGATE: {
            const auto& a = static_cast<const LogicalAggregate&>(op);
            for (const auto& g : a.groups) fn(*g);
            for (const auto& agg : a.aggregates) {
                for (const auto& arg : agg.args) fn(*arg);
            }
            break;
        }
        case LogicalOperatorType::JOIN: {
            const auto& j = static_cast<const LogicalJoin&>(op);
            for (const auto& k : j.left_keys) fn(*k);
            for (const auto& k : j.right_keys) fn(*k);
            if (j.condition) fn(*j.condition);
            break;
        }
        case LogicalOperatorType::ORDER_BY:
            for (const auto& o : static_cast<const LogicalOrderBy&>(op).orders) fn(*o.expr);
            break;
        case LogicalOperatorType::VALUES:
            for (const auto& row : static_cast<const LogicalValues&>(op).rows) {
                for (const auto& e : row) fn(*e);
            }
            break;
        case LogicalOperatorType::EXPAND:
            for (const auto& k : static_cast<const LogicalExpand&>(op).keys) fn(*k);
            break;
        case LogicalOperatorType::UNNEST:
            for (const auto& a : static_cast<const LogicalUnnest&>(op).arrays) fn(*a);
            break;
        case LogicalOperatorType::WINDOW:
            for (const auto& w : static_cast<const LogicalWindow&>(op).windows) {
                for (const auto& a : w.args) fn(*a);
                for (const auto& p : w.partition_by) fn(*p);
                for (const auto& o : w.order_by) fn(*o.expr);
            }
            break;
        default:
            break;
    }
}

/// The first operator of `plan` (top down) that an SPJG definition may not have, as a phrase.
std::string UnsupportedOperator(const LogicalOperator& op) {
    switch (op.type) {
        case LogicalOperatorType::ORDER_BY:
            return "ORDER BY";
        case LogicalOperatorType::LIMIT:
            return "LIMIT";
        case LogicalOperatorType::UNION_ALL:
            return "UNION";
        case LogicalOperatorType::SET_OPERATION:
            return "INTERSECT or EXCEPT";
        case LogicalOperatorType::WINDOW:
            return "window functions";
        case LogicalOperatorType::EXPAND:
            return "GROUPING SETS, ROLLUP or CUBE";
        case LogicalOperatorType::RECURSIVE_CTE:
        case LogicalOperatorType::CTE_SCAN:
            return "a WITH query read more than once";
        default:
            break;
    }
    for (const auto& child : op.children) {
        std::string found = UnsupportedOperator(*child);
        if (!found.empty()) return found;
    }
    return "";
}

BoundExprPtr ColumnOf(size_t index, const std::vector<LogicalType>& types, const std::vector<std::string>& names) {
    return std::make_unique<BoundColumnRef>(index, types[index], names[index]);
}

/// `name`(args) bound through the registry, arguments cast to what it takes.
BoundExprPtr Call(const std::string& name, std::vector<BoundExprPtr> args) {
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a->type);
    auto f = std::make_unique<BoundFunction>(FunctionRegistry::Instance().BindScalar(name, types));
    for (size_t i = 0; i < args.size(); ++i) {
        f->args.push_back(AddCastIfNeeded(std::move(args[i]), f->function.arg_types[i]));
    }
    for (const auto& a : f->args) f->height = std::max(f->height, a->height + 1);
    return f;
}

BoundAggregate MakeAggregate(const std::string& name, BoundExprPtr arg) {
    BoundAggregate a;
    a.function = FunctionRegistry::Instance().BindAggregate(name, {arg->type}, false);
    a.args.push_back(AddCastIfNeeded(std::move(arg), a.function.arg_types[0]));
    return a;
}

/// `e` without casts between integer types (they keep every value; the binder widens aggregate
/// arguments: sum(x) reads CAST(x AS BIGINT), count(x) reads x), and with `to_text` without casts
/// to strings too (hll_hash(x) hashes x's text where ndv(x) hashes x).
const BoundExpression& StripWideningCasts(const BoundExpression& e, bool to_text = true) {
    const BoundExpression* at = &e;
    while (at->kind == BoundExprKind::CAST) {
        const auto& c = static_cast<const BoundCast&>(*at);
        bool integers =
            c.type.IsInteger() && c.child->type.IsInteger() && c.type.PhysicalSize() >= c.child->type.PhysicalSize();
        if (!integers && !(to_text && c.type.IsString())) break;
        at = c.child.get();
    }
    return *at;
}

const BoundFunction* AsCall(const BoundExpression& e, const char* name, size_t args) {
    if (e.kind != BoundExprKind::FUNCTION) return nullptr;
    const auto& f = static_cast<const BoundFunction&>(e);
    return f.function.name == name && f.args.size() == args ? &f : nullptr;
}

/// date_trunc units from fine to coarse; week is coarser than day but finer than nothing else.
int UnitRank(std::string unit) {
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char ch) { return std::tolower(ch); });
    static const char* kUnits[] = {"second", "minute", "hour", "day", "week", "month", "quarter", "year"};
    for (int i = 0; i < 8; ++i) {
        if (unit == kUnits[i]) return i;
    }
    return -1;
}

/// Whether date_trunc(coarse, date_trunc(fine, x)) = date_trunc(coarse, x).
bool Coarsens(const std::string& fine, const std::string& coarse) {
    int f = UnitRank(fine), c = UnitRank(coarse);
    if (f < 0 || c < 0 || f > c) return false;
    if (f == 4 && c > 4) return false;  // weeks do not nest in months
    return true;
}

std::string ConstantText(const BoundExpression& e) {
    if (e.kind != BoundExprKind::CONSTANT) return "";
    const Value& v = static_cast<const BoundConstant&>(e).value;
    return !v.is_null() && v.type().IsString() ? v.GetString() : "";
}

bool IsNamed(const std::string& name, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (name == n) return true;
    }
    return false;
}

/// One attempt at one table mapping: the MV's columns mapped into the query block's columns.
class Matcher {
  public:
    Matcher(const SpjBlock& query, const ColumnClasses& query_classes, const MvShape& mv,
            std::vector<size_t> column_map, const std::vector<LogicalType>& scan_types,
            const std::vector<std::string>& scan_names)
        : query_(query),
          query_classes_(query_classes),
          mv_(mv),
          column_map_(std::move(column_map)),
          mv_classes_(query.types.size()),
          scan_types_(scan_types),
          scan_names_(scan_names) {}

    /// Steps 1–5: classes, ranges, residuals, and the compensating predicates (over the query
    /// block's columns). False with `stage`/`reason` set when the MV cannot hold the query's rows.
    bool MatchPredicates() {
        SpjBlock mapped;
        for (const auto& c : mv_.block.conjuncts) mapped.conjuncts.push_back(Map(*c));
        // The MV's equalities, first as its own classes (in the query's columns).
        ColumnClasses scratch(query_.types.size());
        mapped.Classify(scratch, true);
        mv_classes_ = scratch;
        for (size_t k = 0; k < mapped.equalities.size(); ++k) {
            auto [a, b] = mapped.equalities[k];
            if (query_classes_.Find(a) != query_classes_.Find(b)) {
                return Fail(kStagePredicates, "the MV's condition " +
                                                  Text(*mapped.conjuncts[mapped.equality_sources[k]]) +
                                                  " is not in the query");
            }
        }
        // Ranges and residuals, both normalized by the query's classes.
        ColumnClasses query_classes = query_classes_;
        mapped.Classify(query_classes, false);
        for (const auto& [key, interval] : mapped.ranges) {
            auto it = query_.ranges.find(key);
            const BoundExpression& mv_conjunct = *mapped.conjuncts[interval.sources[0]];
            std::string what = RangeSubject(mv_conjunct);
            if (it == query_.ranges.end()) {
                return Fail(kStagePredicates,
                            "the query's range on " + what + " is wider than the MV's (" + interval.ToString() + ")");
            }
            if (!it->second.Within(interval)) {
                return Fail(kStagePredicates, "the query's range on " + what + " (" + it->second.ToString() +
                                                  ") is wider than the MV's (" + interval.ToString() + ")");
            }
        }
        for (const auto& [key, index] : mapped.residuals) {
            if (!query_.residuals.count(key)) {
                return Fail(kStagePredicates,
                            "the MV's predicate " + Text(*mapped.conjuncts[index]) + " is not in the query");
            }
        }
        // Compensation: the query's equalities the MV does not hold, its tighter ranges, its
        // other residuals.
        for (size_t k = 0; k < query_.equalities.size(); ++k) {
            auto [a, b] = query_.equalities[k];
            if (mv_classes_.Find(a) != mv_classes_.Find(b)) {
                compensation_.push_back({query_.equality_sources[k], true});
            }
        }
        for (const auto& [key, interval] : query_.ranges) {
            auto it = mapped.ranges.find(key);
            if (it != mapped.ranges.end() && interval.SameAs(it->second)) continue;
            for (size_t source : interval.sources) compensation_.push_back({source, false});
        }
        for (const auto& [key, index] : query_.residuals) {
            if (!mapped.residuals.count(key)) compensation_.push_back({index, false});
        }
        std::sort(compensation_.begin(), compensation_.end());
        return true;
    }

    /// Indexes the MV outputs compensation and query expressions may read: every output of a
    /// plain MV, the GROUP BY outputs of an aggregating one.
    void IndexOutputs() {
        for (size_t i = 0; i < mv_.outputs.size(); ++i) {
            const auto& out = mv_.outputs[i];
            if (out.kind == MvShape::Kind::AGGREGATE) {
                MappedAggregate m;
                m.column = i;
                m.name = out.function->name;
                m.distinct = out.function->distinct;
                for (const auto& a : out.args) m.args.push_back(Map(*a));
                aggregates_.push_back(std::move(m));
                continue;
            }
            if (out.kind != MvShape::Kind::EXPRESSION && out.kind != MvShape::Kind::GROUP) continue;
            BoundExprPtr e = Map(*out.expr);
            by_mv_key_.emplace(NormalizedKey(*e, mv_classes_), i);
            by_query_key_.emplace(NormalizedKey(*e, query_classes_), i);
            if (const BoundFunction* f = AsCall(*e, "date_trunc", 2)) {
                std::string unit = ConstantText(*f->args[0]);
                if (!unit.empty()) truncations_.push_back({unit, f->args[1]->Copy(), i});
            }
            if (out.kind == MvShape::Kind::GROUP) group_columns_.emplace(i, out.group);
            expressions_.push_back(std::move(e));
        }
    }

    /// The compensating filter's conjuncts over the MV's scan; false when one needs a column the
    /// MV does not give.
    bool ExpressCompensation(std::vector<BoundExprPtr>& out) {
        for (const auto& [index, equality] : compensation_) {
            const BoundExpression& c = *query_.conjuncts[index];
            std::string missing;
            BoundExprPtr e = Express(c, !equality, &missing);
            if (!e) {
                return Fail(kStageOutputs, "the query's predicate " + Text(c) + " needs " + missing +
                                               ", which the MV " +
                                               (mv_.aggregated ? "does not group by" : "does not have"));
            }
            out.push_back(std::move(e));
        }
        return true;
    }

    /// `e` (over the query block's columns) computed from the MV's scan columns, or null with the
    /// column it lacks in `missing`. `query_classes`: the query's own equalities may be used
    /// (true once the compensation has enforced them).
    BoundExprPtr Express(const BoundExpression& e, bool query_classes, std::string* missing) {
        if (e.kind == BoundExprKind::CONSTANT) return e.Copy();
        size_t column = Lookup(e, query_classes);
        if (column != kNone) return AddCastIfNeeded(Scan(column), e.type);
        switch (e.kind) {
            case BoundExprKind::COLUMN_REF: {
                size_t index = static_cast<const BoundColumnRef&>(e).index;
                *missing = index < query_.names.size() ? query_.names[index] : e.ToString();
                return nullptr;
            }
            case BoundExprKind::CAST: {
                const auto& c = static_cast<const BoundCast&>(e);
                BoundExprPtr child = Express(*c.child, query_classes, missing);
                if (!child) return nullptr;
                auto out = std::make_unique<BoundCast>(std::move(child), c.type);
                out->nullable = c.nullable;
                return out;
            }
            case BoundExprKind::FUNCTION: {
                const auto& f = static_cast<const BoundFunction&>(e);
                if (BoundExprPtr coarser = Coarsen(f, query_classes)) return coarser;
                auto out = std::make_unique<BoundFunction>(f.function);
                out->nullable = f.nullable;
                out->height = f.height;
                for (const auto& a : f.args) {
                    BoundExprPtr arg = Express(*a, query_classes, missing);
                    if (!arg) return nullptr;
                    out->args.push_back(std::move(arg));
                }
                return out;
            }
            default:
                return e.Copy();
        }
    }

    /// Whether `e` reads only MV group columns directly (a plain column of the MV's scan).
    size_t DirectGroup(const BoundExpression& e) const {
        size_t column = Lookup(e, true);
        if (column == kNone) return kNone;
        auto it = group_columns_.find(column);
        return it == group_columns_.end() ? kNone : it->second;
    }

    /// The query's aggregate as one value per MV row (its groups are the query's): null when
    /// it needs rolling up.
    BoundExprPtr DirectAggregate(const BoundAggregate& q) {
        const std::string& name = q.function.name;
        if (size_t c = Find(q); c != kNone) return AddCastIfNeeded(Scan(c), q.function.return_type);
        if (name == "avg" && !q.function.distinct && q.function.return_type.id == TypeId::DOUBLE) {
            size_t sum = FindNamed("sum", *q.args[0]), count = FindNamed("count", *q.args[0]);
            if (sum == kNone || count == kNone) return nullptr;
            return Divide(Scan(sum), Scan(count));
        }
        if (size_t c = SketchOf(q); c != kNone) {
            bool bitmap = mv_.outputs[c].function->name == "bitmap_union";
            std::vector<BoundExprPtr> args;
            args.push_back(Scan(c));
            return AddCastIfNeeded(Call(bitmap ? "bitmap_count" : "hll_cardinality", std::move(args)),
                                   q.function.return_type);
        }
        return nullptr;
    }

    /// The query's aggregate rolled up from the MV's rows: adds the aggregates it needs to
    /// `rollups` and returns the value over the roll-up's output (group keys first, then
    /// `rollups`); null when it cannot.
    BoundExprPtr RollupAggregate(const BoundAggregate& q, size_t group_count, bool global,
                                 std::vector<BoundAggregate>& rollups) {
        const std::string& name = q.function.name;
        auto add = [&](const std::string& rollup, size_t column) {
            rollups.push_back(MakeAggregate(rollup, Scan(column)));
            size_t at = group_count + rollups.size() - 1;
            return std::make_unique<BoundColumnRef>(at, rollups.back().function.return_type, rollup);
        };
        bool distinct = q.function.distinct;
        if ((name == "min" || name == "max") && q.args.size() == 1) {
            size_t c = FindNamed(name, *q.args[0], true);
            if (c == kNone) return nullptr;
            return AddCastIfNeeded(add(name, c), q.function.return_type);
        }
        if (name == "sum" && !distinct) {
            size_t c = FindNamed("sum", *q.args[0]);
            if (c == kNone) return nullptr;
            return AddCastIfNeeded(add("sum", c), q.function.return_type);
        }
        if (name == "count" && !distinct) {
            size_t c = q.args.empty() ? FindCountStar() : FindNamed("count", *q.args[0]);
            if (c == kNone) return nullptr;
            BoundExprPtr total = add("sum", c);
            if (global) {
                // count() over no rows is 0; sum() over no rows is NULL.
                std::vector<BoundExprPtr> args;
                args.push_back(std::move(total));
                args.push_back(std::make_unique<BoundConstant>(Value::Integer(0)));
                total = Call("ifnull", std::move(args));
            }
            return AddCastIfNeeded(std::move(total), q.function.return_type);
        }
        if (name == "avg" && !distinct && q.function.return_type.id == TypeId::DOUBLE) {
            size_t sum = FindNamed("sum", *q.args[0]), count = FindNamed("count", *q.args[0]);
            if (sum == kNone || count == kNone) return nullptr;
            BoundExprPtr s = add("sum", sum);
            BoundExprPtr n = add("sum", count);
            return Divide(std::move(s), std::move(n));
        }
        if (size_t c = SketchOf(q); c != kNone) {
            bool bitmap = mv_.outputs[c].function->name == "bitmap_union";
            bool count = !IsNamed(name, {"bitmap_union", "hll_union", "hll_raw_agg"});
            const char* rollup =
                bitmap ? (count ? "bitmap_union_count" : "bitmap_union") : (count ? "hll_union_agg" : "hll_union");
            return AddCastIfNeeded(add(rollup, c), q.function.return_type);
        }
        return nullptr;
    }

    BoundExprPtr Scan(size_t column) const { return ColumnOf(column, scan_types_, scan_names_); }

    int stage = kStageTables;
    std::string reason;

  private:
    struct MappedAggregate {
        size_t column = 0;
        std::string name;
        bool distinct = false;
        std::vector<BoundExprPtr> args;
    };
    struct Truncation {
        std::string unit;
        BoundExprPtr argument;
        size_t column;
    };

    bool Fail(int s, std::string r) {
        stage = s;
        reason = std::move(r);
        return false;
    }

    /// An MV expression (over its block's columns) over the query block's columns.
    BoundExprPtr Map(const BoundExpression& e) const {
        BoundExprPtr copy = e.Copy();
        RemapColumns(*copy, [&](size_t c) { return c < column_map_.size() ? column_map_[c] : c; });
        return copy;
    }

    /// Text for messages: column references by their table-qualified names.
    std::string Text(const BoundExpression& e) const {
        BoundExprPtr named = SubstituteColumns(e, [&](size_t c) -> BoundExprPtr {
            std::string name = c < query_.names.size() ? query_.names[c] : "#" + std::to_string(c);
            return std::make_unique<BoundColumnRef>(c, c < query_.types.size() ? query_.types[c] : LogicalType(), name);
        });
        return named->ToString();
    }

    std::string RangeSubject(const BoundExpression& conjunct) const {
        const auto& f = static_cast<const BoundFunction&>(conjunct);
        const BoundExpression& side = f.args[0]->kind == BoundExprKind::CONSTANT ? *f.args[1] : *f.args[0];
        return Text(side);
    }

    size_t Lookup(const BoundExpression& e, bool query_classes) const {
        auto it = by_mv_key_.find(NormalizedKey(e, mv_classes_));
        if (it != by_mv_key_.end()) return it->second;
        if (query_classes) {
            it = by_query_key_.find(NormalizedKey(e, query_classes_));
            if (it != by_query_key_.end()) return it->second;
        }
        return kNone;
    }

    /// date_trunc(unit, x) from an MV column date_trunc(finer unit, x).
    BoundExprPtr Coarsen(const BoundFunction& f, bool query_classes) {
        if (f.function.name != "date_trunc" || f.args.size() != 2) return nullptr;
        std::string unit = ConstantText(*f.args[0]);
        if (unit.empty()) return nullptr;
        for (const auto& t : truncations_) {
            if (!Coarsens(t.unit, unit) || !Same(*f.args[1], *t.argument, query_classes)) continue;
            auto out = std::make_unique<BoundFunction>(f.function);
            out->nullable = f.nullable;
            out->height = f.height;
            out->args.push_back(f.args[0]->Copy());
            out->args.push_back(AddCastIfNeeded(Scan(t.column), f.args[1]->type));
            return out;
        }
        return nullptr;
    }

    bool Same(const BoundExpression& query_expr, const BoundExpression& mapped, bool query_classes = true) const {
        if (NormalizedKey(query_expr, mv_classes_) == NormalizedKey(mapped, mv_classes_)) return true;
        return query_classes && NormalizedKey(query_expr, query_classes_) == NormalizedKey(mapped, query_classes_);
    }

    /// The MV column holding exactly the query's aggregate.
    size_t Find(const BoundAggregate& q) const {
        for (const auto& m : aggregates_) {
            if (m.name != q.function.name || m.distinct != q.function.distinct || m.args.size() != q.args.size()) {
                continue;
            }
            bool same = true;
            for (size_t i = 0; i < q.args.size() && same; ++i) same = Same(*q.args[i], *m.args[i]);
            if (same) return m.column;
        }
        return kNone;
    }

    /// The MV column `name`(arg) (not DISTINCT unless `any_distinct`).
    size_t FindNamed(const std::string& name, const BoundExpression& arg, bool any_distinct = false) const {
        for (const auto& m : aggregates_) {
            if (m.name != name || m.args.size() != 1 || (m.distinct && !any_distinct)) continue;
            if (Same(StripWideningCasts(arg, false), StripWideningCasts(*m.args[0], false))) return m.column;
        }
        return kNone;
    }

    size_t FindCountStar() const {
        for (const auto& m : aggregates_) {
            if (m.name == "count" && m.args.empty()) return m.column;
        }
        return kNone;
    }

    /// The MV's bitmap_union(to_bitmap(x)) / hll_union(hll_hash(x)) column a distinct count of
    /// the query answers from (count(DISTINCT x), bitmap_union_count, ndv, approx_count_distinct,
    /// hll_union_agg, and the unions themselves).
    size_t SketchOf(const BoundAggregate& q) const {
        const std::string& name = q.function.name;
        if (q.args.size() != 1) return kNone;
        bool distinct_count = name == "count" && q.function.distinct;
        bool bitmap_of_values = distinct_count || name == "bitmap_union_int";
        bool hll_of_values = IsNamed(name, {"ndv", "approx_count_distinct"});
        bool bitmap_of_sketches = IsNamed(name, {"bitmap_union_count", "bitmap_union"});
        bool hll_of_sketches = IsNamed(name, {"hll_union_agg", "hll_union", "hll_raw_agg"});
        if (!bitmap_of_values && !hll_of_values && !bitmap_of_sketches && !hll_of_sketches) return kNone;
        bool bitmap = bitmap_of_values || bitmap_of_sketches;
        for (const auto& m : aggregates_) {
            if (m.args.size() != 1) continue;
            if (bitmap ? m.name != "bitmap_union" : !IsNamed(m.name, {"hll_union", "hll_raw_agg"})) continue;
            const BoundExpression& sketch = *m.args[0];
            if (bitmap_of_sketches || hll_of_sketches) {
                if (Same(*q.args[0], sketch)) return m.column;
                continue;
            }
            const BoundFunction* f = AsCall(sketch, bitmap ? "to_bitmap" : "hll_hash", 1);
            if (!f) continue;
            const BoundExpression& value = StripWideningCasts(*f->args[0]);
            if (Same(StripWideningCasts(*q.args[0]), value)) return m.column;
        }
        return kNone;
    }

    static BoundExprPtr Divide(BoundExprPtr sum, BoundExprPtr count) {
        std::vector<BoundExprPtr> args;
        args.push_back(AddCastIfNeeded(std::move(sum), TypeId::DOUBLE));
        args.push_back(AddCastIfNeeded(std::move(count), TypeId::DOUBLE));
        return AddCastIfNeeded(Call("divide", std::move(args)), TypeId::DOUBLE);
    }

    const SpjBlock& query_;
    const ColumnClasses& query_classes_;
    const MvShape& mv_;
    std::vector<size_t> column_map_;
    ColumnClasses mv_classes_;
    const std::vector<LogicalType>& scan_types_;
    const std::vector<std::string>& scan_names_;
    /// (query conjunct, is a column equality the MV does not hold).
    std::vector<std::pair<size_t, bool>> compensation_;
    std::map<std::string, size_t> by_mv_key_, by_query_key_;
    std::map<size_t, size_t> group_columns_;  // MV output column -> GROUP BY key
    std::vector<Truncation> truncations_;
    std::vector<MappedAggregate> aggregates_;
    std::vector<BoundExprPtr> expressions_;
};

/// Every mapping of the MV's tables onto the query block's tables with the same ids (self-joins
/// have several), at most `limit`; each maps the MV block's columns to the query's.
std::vector<std::vector<size_t>> TableMappings(const SpjBlock& query, const SpjBlock& mv, size_t limit = 64) {
    std::vector<std::vector<size_t>> out;
    std::vector<size_t> assigned(mv.tables.size(), kNone);
    std::vector<bool> taken(query.tables.size(), false);
    std::function<void(size_t)> assign = [&](size_t i) {
        if (out.size() >= limit) return;
        if (i == mv.tables.size()) {
            // A column one side has and the other not (the rowid the binder adds to scans, which
            // an MV's own scan lacks) maps past the query's columns: nothing can match it.
            std::vector<size_t> columns(mv.types.size());
            for (size_t t = 0; t < mv.tables.size(); ++t) {
                const SpjTable& from = mv.tables[t];
                const SpjTable& to = query.tables[assigned[t]];
                for (size_t c = 0; c < from.width; ++c) {
                    columns[from.offset + c] = c < to.width ? to.offset + c : query.types.size() + from.offset + c;
                }
            }
            out.push_back(std::move(columns));
            return;
        }
        for (size_t q = 0; q < query.tables.size(); ++q) {
            if (taken[q] || query.tables[q].key != mv.tables[i].key) continue;
            size_t qw = query.tables[q].width, mw = mv.tables[i].width;
            if (qw != mw && qw + 1 != mw && mw + 1 != qw) continue;  // the same table, with or without rowid
            taken[q] = true;
            assigned[i] = q;
            assign(i + 1);
            taken[q] = false;
        }
    };
    assign(0);
    return out;
}

std::string TableList(const SpjBlock& block) {
    std::string s;
    for (const auto& t : block.tables) s += (s.empty() ? "" : ", ") + t.name;
    return s;
}

/// The candidate's scan and its column names; false when it has none.
bool OpenScan(const MvCandidate& candidate, const MvShape& mv, LogicalOperatorPtr& scan,
              std::vector<std::string>& names, MatchResult& result) {
    scan = candidate.scan ? candidate.scan() : nullptr;
    if (!scan) {
        result.stage = kStageOutputs;
        result.reason = "its table cannot be read";
        return false;
    }
    if (scan->types.size() != mv.outputs.size()) {
        result.stage = kStageOutputs;
        result.reason = "its table has " + std::to_string(scan->types.size()) + " columns, its definition " +
                        std::to_string(mv.outputs.size());
        return false;
    }
    // The MV's table: the scan itself, or the first scan down its first inputs (a union with the
    // base tables' rows of stale partitions); its rows count for the choice among candidates.
    const LogicalOperator* table = scan.get();
    while (table->type != LogicalOperatorType::GET && !table->children.empty()) table = table->children[0].get();
    const LogicalGet* get = table->type == LogicalOperatorType::GET ? static_cast<const LogicalGet*>(table) : nullptr;
    names.clear();
    for (size_t i = 0; i < scan->types.size(); ++i) {
        std::string name = "#" + std::to_string(i);
        if (get && get->schema && i < get->schema->columns.size()) name = get->schema->columns[i].name;
        names.push_back(name);
    }
    std::function<int64_t(const LogicalOperator&)> rows = [&](const LogicalOperator& op) -> int64_t {
        if (op.type == LogicalOperatorType::GET) return static_cast<const LogicalGet&>(op).row_count;
        int64_t n = 0;
        for (const auto& child : op.children) n += rows(*child);
        return n;
    };
    result.mv_rows = rows(*scan);
    return true;
}

LogicalOperatorPtr WithFilter(LogicalOperatorPtr plan, std::vector<BoundExprPtr> conjuncts) {
    if (conjuncts.empty()) return plan;
    auto filter = std::make_unique<LogicalFilter>();
    filter->types = plan->types;
    filter->condition = CombineConjunction(std::move(conjuncts));
    filter->children.push_back(std::move(plan));
    return filter;
}

/// Runs `attempt` for every table mapping; returns the first success, else the furthest failure.
template <typename Attempt>
MatchResult ForEachMapping(const SpjBlock& query, const MvShape& mv, Attempt&& attempt) {
    MatchResult best;
    best.stage = kStageTables;
    auto mappings = TableMappings(query, mv.block);
    if (mappings.empty() || query.tables.size() != mv.block.tables.size()) {
        best.reason = "it reads " + mv.TableNames() + ", this part of the query reads " + TableList(query);
        return best;
    }
    bool first = true;
    for (auto& mapping : mappings) {
        MatchResult r = attempt(std::move(mapping));
        if (r.plan) return r;
        if (first || r.stage > best.stage) best = std::move(r);
        first = false;
    }
    return best;
}

}  // namespace

std::string MvShape::TableNames() const {
    return TableList(block);
}

MvShape MvShape::Analyze(const LogicalOperator& definition) {
    MvShape shape;
    std::string unsupported = UnsupportedOperator(definition);
    if (!unsupported.empty()) {
        shape.why = "its definition has " + unsupported;
        return shape;
    }
    if (const BoundFunction* f = FindNonDeterministicIn(definition)) {
        shape.why = "its definition calls " + f->function.name + "(), which is not deterministic";
        return shape;
    }
    if (definition.type != LogicalOperatorType::PROJECTION) {
        shape.why = definition.type == LogicalOperatorType::AGGREGATE ? "its definition has SELECT DISTINCT"
                                                                      : "its definition is not a SELECT block";
        return shape;
    }
    const auto& projection = static_cast<const LogicalProjection&>(definition);
    const LogicalOperator* below = definition.children[0].get();
    const LogicalAggregate* aggregate = nullptr;
    if (below->type == LogicalOperatorType::FILTER && below->children[0]->type == LogicalOperatorType::AGGREGATE) {
        shape.why = "its definition has HAVING";
        return shape;
    }
    if (below->type == LogicalOperatorType::AGGREGATE) {
        aggregate = static_cast<const LogicalAggregate*>(below);
        below = below->children[0].get();
    }
    std::string why;
    if (!SpjBlock::Extract(*below, shape.block, &why)) {
        shape.why = "its FROM is not a join of tables (" + why + ")";
        return shape;
    }
    shape.aggregated = aggregate != nullptr;
    shape.group_count = aggregate ? aggregate->groups.size() : 0;
    for (const auto& e : projection.expressions) {
        Output out;
        if (!aggregate) {
            out.kind = Kind::EXPRESSION;
            out.expr = shape.block.OverTables(*e);
        } else if (e->kind == BoundExprKind::COLUMN_REF) {
            size_t index = static_cast<const BoundColumnRef&>(*e).index;
            if (index < aggregate->groups.size()) {
                out.kind = Kind::GROUP;
                out.expr = shape.block.OverTables(*aggregate->groups[index]);
                out.group = index;
            } else if (index - aggregate->groups.size() < aggregate->aggregates.size()) {
                const BoundAggregate& a = aggregate->aggregates[index - aggregate->groups.size()];
                out.kind = Kind::AGGREGATE;
                out.function = &a.function;
                for (const auto& arg : a.args) out.args.push_back(shape.block.OverTables(*arg));
            }
        }
        shape.outputs.push_back(std::move(out));
    }
    shape.ok = true;
    return shape;
}

const BoundFunction* FindNonDeterministicIn(const LogicalOperator& plan) {
    const BoundFunction* found = nullptr;
    ForEachExpression(plan, [&](const BoundExpression& e) {
        if (!found) found = FindNonDeterministic(e);
    });
    for (const auto& child : plan.children) {
        if (found) break;
        found = FindNonDeterministicIn(*child);
    }
    return found;
}

MatchResult MatchBlock(const SpjBlock& query, const ColumnClasses& classes, const std::vector<bool>& required,
                       const MvShape& mv, const MvCandidate& candidate) {
    if (mv.aggregated) {
        MatchResult r;
        // Tables first: a different set of tables is the more useful reason.
        r = ForEachMapping(query, mv, [&](std::vector<size_t>) {
            MatchResult shape;
            shape.stage = kStageShape;
            shape.reason = "it aggregates, this part of the query does not";
            return shape;
        });
        return r;
    }
    return ForEachMapping(query, mv, [&](std::vector<size_t> mapping) {
        MatchResult result;
        LogicalOperatorPtr scan;
        std::vector<std::string> names;
        if (!OpenScan(candidate, mv, scan, names, result)) return result;
        std::vector<LogicalType> scan_types = scan->types;
        Matcher m(query, classes, mv, std::move(mapping), scan_types, names);
        auto fail = [&]() {
            result.stage = m.stage;
            result.reason = m.reason;
            return std::move(result);
        };
        if (!m.MatchPredicates()) return fail();
        m.IndexOutputs();
        std::vector<BoundExprPtr> filter;
        if (!m.ExpressCompensation(filter)) return fail();
        auto projection = std::make_unique<LogicalProjection>();
        for (size_t i = 0; i < query.outputs.size(); ++i) {
            const LogicalType& type = query.outputs[i]->type;
            projection->types.push_back(type);
            if (i < required.size() && !required[i]) {
                projection->expressions.push_back(std::make_unique<BoundConstant>(Value::Null(type)));
                continue;
            }
            std::string missing;
            BoundExprPtr e = m.Express(*query.outputs[i], true, &missing);
            if (!e) {
                result.stage = kStageOutputs;
                result.reason = "the query reads column " + missing + ", which the MV does not have";
                return result;
            }
            projection->expressions.push_back(std::move(e));
        }
        projection->children.push_back(WithFilter(std::move(scan), std::move(filter)));
        result.plan = std::move(projection);
        return result;
    });
}

MatchResult MatchAggregate(const LogicalAggregate& aggregate, const SpjBlock& query, const ColumnClasses& classes,
                           const MvShape& mv, const MvCandidate& candidate) {
    return ForEachMapping(query, mv, [&](std::vector<size_t> mapping) {
        MatchResult result;
        if (!mv.aggregated) {
            result.stage = kStageShape;
            result.reason = "it does not aggregate";  // the scan below the aggregate may still match
            return result;
        }
        LogicalOperatorPtr scan;
        std::vector<std::string> names;
        if (!OpenScan(candidate, mv, scan, names, result)) return result;
        std::vector<LogicalType> scan_types = scan->types;
        Matcher m(query, classes, mv, std::move(mapping), scan_types, names);
        auto fail = [&]() {
            result.stage = m.stage;
            result.reason = m.reason;
            return std::move(result);
        };
        if (!m.MatchPredicates()) return fail();
        m.IndexOutputs();
        std::vector<BoundExprPtr> filter;
        if (!m.ExpressCompensation(filter)) return fail();
        // Groups: each from the MV's group columns; the same set of keys needs no roll-up.
        std::vector<BoundExprPtr> groups;
        std::set<size_t> keys_used;
        bool direct = true;
        for (const auto& query_group : aggregate.groups) {
            BoundExprPtr over_tables = query.OverTables(*query_group);
            const BoundExpression* g = over_tables.get();
            std::string missing;
            BoundExprPtr e = m.Express(*g, true, &missing);
            if (!e) {
                result.stage = kStageOutputs;
                result.reason = "the query groups by " + g->ToString() + ", which the MV's GROUP BY cannot give (" +
                                missing + " is not grouped)";
                return result;
            }
            size_t key = m.DirectGroup(*g);
            if (key == kNone) {
                direct = false;
            } else {
                keys_used.insert(key);
            }
            groups.push_back(std::move(e));
        }
        direct = direct && keys_used.size() == mv.group_count;
        // The query's aggregates with their arguments over the tables' columns.
        std::vector<BoundAggregate> aggregates;
        for (const auto& a : aggregate.aggregates) {
            BoundAggregate over_tables;
            over_tables.function = a.function;
            for (const auto& arg : a.args) over_tables.args.push_back(query.OverTables(*arg));
            aggregates.push_back(std::move(over_tables));
        }
        auto output = std::make_unique<LogicalProjection>();
        output->types = aggregate.types;
        if (direct) {
            // The MV's rows are the query's groups: each aggregate is one column (or two).
            std::vector<BoundExprPtr> values;
            for (const auto& a : aggregates) {
                BoundExprPtr v = m.DirectAggregate(a);
                if (!v) {
                    direct = false;
                    break;
                }
                values.push_back(std::move(v));
            }
            if (direct) {
                for (auto& g : groups) output->expressions.push_back(std::move(g));
                for (auto& v : values) output->expressions.push_back(std::move(v));
                output->children.push_back(WithFilter(std::move(scan), std::move(filter)));
                result.plan = std::move(output);
                return result;
            }
        }
        // Roll up: group the MV's rows by the query's keys again.
        auto rollup = std::make_unique<LogicalAggregate>();
        for (const auto& g : groups) rollup->types.push_back(g->type);
        std::vector<BoundExprPtr> values;
        bool global = aggregate.groups.empty();
        for (const auto& a : aggregates) {
            BoundExprPtr v = m.RollupAggregate(a, groups.size(), global, rollup->aggregates);
            if (!v) {
                result.stage = kStageOutputs;
                std::string text = a.function.name + (a.function.distinct ? "(DISTINCT " : "(");
                for (size_t k = 0; k < a.args.size(); ++k) {
                    text += (k ? ", " : "") + StripWideningCasts(*a.args[k]).ToString();
                }
                text += ")";
                result.reason = "the query's " + text + " cannot be computed from the MV's aggregates";
                return result;
            }
            values.push_back(std::move(v));
        }
        for (const auto& r : rollup->aggregates) rollup->types.push_back(r.function.return_type);
        for (size_t i = 0; i < groups.size(); ++i) {
            output->expressions.push_back(std::make_unique<BoundColumnRef>(i, groups[i]->type, groups[i]->ToString()));
        }
        for (auto& v : values) output->expressions.push_back(std::move(v));
        rollup->groups = std::move(groups);
        rollup->children.push_back(WithFilter(std::move(scan), std::move(filter)));
        output->children.push_back(std::move(rollup));
        result.plan = std::move(output);
        return result;
    });
}

}  // namespace floe
