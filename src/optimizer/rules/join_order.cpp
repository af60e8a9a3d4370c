#include "optimizer/rules/join_order.h"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "binder/expression_walker.h"
#include "common/check.h"
#include "function/function_registry.h"

namespace floe {

namespace {

/// Inputs are tracked in 64-bit masks. A larger region is ordered in parts: its top 64 inputs
/// are ordered together, and a subtree that does not fit is one of them, ordered on its own.
constexpr size_t kMaxInputs = 64;

double ConjunctSelectivity(const BoundExpression& e) {
    if (e.kind == BoundExprKind::FUNCTION) {
        const auto& f = static_cast<const BoundFunction&>(e);
        if (f.function.name == "equal") return 0.1;
        // A pattern match on text keeps few rows (a word among many; a prefix).
        if (f.function.name == "like") return 0.1;
        if (f.function.name == "and" && f.args.size() == 2) {
            return ConjunctSelectivity(*f.args[0]) * ConjunctSelectivity(*f.args[1]);
        }
        if (f.function.name == "or" && f.args.size() == 2) {
            return std::min(1.0, ConjunctSelectivity(*f.args[0]) + ConjunctSelectivity(*f.args[1]));
        }
    }
    return 0.25;
}

LogicalOperatorPtr Reorder(LogicalOperatorPtr op);

/// Estimated distinct values of a stored column over a table version, from its rowsets'
/// statistics: key-like columns (most values distinct in every rowset) add up across rowsets,
/// others overlap (the largest count). Negative when a rowset has no statistics.
double TableColumnDistinct(const TableVersion& version, size_t column) {
    double sum = 0, largest = 0, total = 0;
    bool key_like = true;
    for (const auto& r : version.rowsets) {
        if (column >= r.distinct.size()) return -1;
        auto d = static_cast<double>(r.distinct[column]);
        auto rows = static_cast<double>(r.row_count);
        sum += d;
        largest = std::max(largest, d);
        total += rows;
        if (d < 0.5 * rows) key_like = false;
    }
    if (version.rowsets.empty()) return -1;
    return std::min(total, key_like ? sum : largest);
}

const BoundExpression* ColumnOf(const BoundExpression& e) {
    if (e.kind == BoundExprKind::COLUMN_REF) return &e;
    if (e.kind == BoundExprKind::CAST) return ColumnOf(*static_cast<const BoundCast&>(e).child);
    return nullptr;
}

/// Estimated distinct values of output `column` of `op`; negative when unknown.
double DistinctOf(const LogicalOperator& op, size_t column) {
    auto capped = [&](double d) { return d < 0 ? d : std::min(d, std::max(1.0, EstimateCardinality(op))); };
    switch (op.type) {
        case LogicalOperatorType::GET: {
            const auto& g = static_cast<const LogicalGet&>(op);
            if (column >= g.column_ids.size() || !g.version) return -1;
            if (IsVirtualColumn(g.column_ids[column])) return EstimateCardinality(op);
            return capped(TableColumnDistinct(*g.version, g.column_ids[column]));
        }
        case LogicalOperatorType::TABLE_FUNCTION: {
            const auto& t = static_cast<const LogicalTableFunction&>(op);
            if (!t.source || column >= t.column_ids.size()) return -1;
            return capped(t.source->DistinctEstimate(t.column_ids[column]));
        }
        case LogicalOperatorType::FILTER:
        case LogicalOperatorType::ORDER_BY:
        case LogicalOperatorType::LIMIT:
            return capped(DistinctOf(*op.children[0], column));
        case LogicalOperatorType::PROJECTION: {
            const auto& p = static_cast<const LogicalProjection&>(op);
            if (column >= p.expressions.size()) return -1;
            const BoundExpression* ref = ColumnOf(*p.expressions[column]);
            if (!ref) return -1;
            return capped(DistinctOf(*op.children[0], static_cast<const BoundColumnRef&>(*ref).index));
        }
        case LogicalOperatorType::AGGREGATE: {
            const auto& a = static_cast<const LogicalAggregate&>(op);
            if (column >= a.groups.size()) return -1;
            const BoundExpression* ref = ColumnOf(*a.groups[column]);
            if (!ref) return -1;
            return capped(DistinctOf(*op.children[0], static_cast<const BoundColumnRef&>(*ref).index));
        }
        case LogicalOperatorType::JOIN: {
            size_t left = op.children[0]->types.size();
            if (column < left) return capped(DistinctOf(*op.children[0], column));
            if (op.children.size() < 2) return -1;
            return capped(DistinctOf(*op.children[1], column - left));
        }
        default:
            return -1;
    }
}

bool IsInnerJoin(const LogicalOperator& op) {
    if (op.type != LogicalOperatorType::JOIN) return false;
    auto t = static_cast<const LogicalJoin&>(op).join_type;
    return t == BoundJoinType::INNER || t == BoundJoinType::CROSS;
}

/// The inputs of the inner-join region rooted at `op` (1 for anything else).
size_t CountInputs(const LogicalOperator& op) {
    if (!IsInnerJoin(op)) return 1;
    return CountInputs(*op.children[0]) + CountInputs(*op.children[1]);
}

struct JoinInput {
    LogicalOperatorPtr op;
    size_t offset = 0;  // first column in the region's original output
    size_t width = 0;
    double rows = 0;
    size_t new_offset = 0;  // first column in the rebuilt tree's output
};

/// One conjunct of the region over the region's original column numbering. An equality between
/// two expressions keeps its sides apart so it can become a hash key wherever it lands.
struct JoinPredicate {
    BoundExprPtr expr;         // set for everything but keys taken from existing joins
    BoundExprPtr left, right;  // set for equalities
    bool null_safe = false;
    uint64_t mask = 0;  // inputs read by the whole predicate
    uint64_t left_mask = 0, right_mask = 0;
    bool placed = false;
};

class Reorderer {
  public:
    explicit Reorderer(LogicalOperatorPtr region) {
        types_ = region->types;
        Flatten(std::move(region), 0, kMaxInputs);
    }
    LogicalOperatorPtr Build();

  private:
    /// Takes the inputs and predicates of the region below `op` into inputs_ / preds_, at most
    /// `budget` inputs (a subtree beyond it becomes one input, reordered on its own).
    void Flatten(LogicalOperatorPtr op, size_t offset, size_t budget);
    uint64_t MaskOf(const BoundExpression& e) const;
    size_t InputOf(size_t column) const;
    void Classify();
    /// The inputs in join order, each with the estimated rows after joining it.
    std::vector<std::pair<size_t, double>> ChooseOrder() const;
    BoundExprPtr PredicateExpr(JoinPredicate& p) const;
    /// Distinct values of one side of an equality (a column, or a cast of one), within its input.
    double SideDistinct(const BoundExpression& side) const;

    std::vector<JoinInput> inputs_;
    std::vector<JoinPredicate> preds_;
    std::vector<LogicalType> types_;  // the region's original output types
};

size_t Reorderer::InputOf(size_t column) const {
    for (size_t i = 0; i < inputs_.size(); ++i) {
        if (column >= inputs_[i].offset && column < inputs_[i].offset + inputs_[i].width) return i;
    }
    FLOE_CHECK(false);
    return 0;
}

uint64_t Reorderer::MaskOf(const BoundExpression& e) const {
    uint64_t mask = 0;
    ForEachColumn(e, [&](size_t c) { mask |= uint64_t{1} << InputOf(c); });
    return mask;
}

void Reorderer::Flatten(LogicalOperatorPtr op, size_t offset, size_t budget) {
    if (IsInnerJoin(*op) && budget >= 2) {
        auto& join = static_cast<LogicalJoin&>(*op);
        size_t left_width = join.children[0]->types.size();
        // Each side gets what it needs; when both do not fit, the right side (one table in a
        // left-deep FROM list) gets what it needs up to half.
        size_t left_inputs = CountInputs(*join.children[0]);
        size_t right_inputs = CountInputs(*join.children[1]);
        size_t right_budget = left_inputs + right_inputs <= budget ? right_inputs : std::min(right_inputs, budget / 2);
        Flatten(std::move(join.children[0]), offset, budget - right_budget);
        Flatten(std::move(join.children[1]), offset + left_width, right_budget);
        for (size_t i = 0; i < join.left_keys.size(); ++i) {
            JoinPredicate p;
            p.left = std::move(join.left_keys[i]);
            p.right = std::move(join.right_keys[i]);
            RemapColumns(*p.left, [&](size_t c) { return c + offset; });
            RemapColumns(*p.right, [&](size_t c) { return c + offset + left_width; });
            p.null_safe = i < join.null_safe.size() && join.null_safe[i];
            preds_.push_back(std::move(p));
        }
        if (join.condition) {
            RemapColumns(*join.condition, [&](size_t c) { return c + offset; });
            std::vector<BoundExprPtr> parts;
            SplitConjunction(std::move(join.condition), parts);
            for (auto& e : parts) {
                JoinPredicate p;
                p.expr = std::move(e);
                preds_.push_back(std::move(p));
            }
        }
        return;
    }
    op = Reorder(std::move(op));  // regions below this one are ordered on their own
    JoinInput in;
    in.offset = offset;
    in.width = op->types.size();
    in.rows = std::max(1.0, EstimateCardinality(*op));
    in.op = std::move(op);
    inputs_.push_back(std::move(in));
}

/// Computes the masks, and splits equalities whose sides read disjoint inputs into key pairs.
void Reorderer::Classify() {
    for (auto& p : preds_) {
        if (p.expr && p.expr->kind == BoundExprKind::FUNCTION) {
            auto& f = static_cast<BoundFunction&>(*p.expr);
            bool eq = f.function.name == "equal" || f.function.name == "null_safe_equal";
            if (eq && f.args.size() == 2) {
                uint64_t l = MaskOf(*f.args[0]), r = MaskOf(*f.args[1]);
                if (l != 0 && r != 0 && (l & r) == 0) {
                    p.left = f.args[0]->Copy();
                    p.right = f.args[1]->Copy();
                    p.null_safe = f.function.name == "null_safe_equal";
                }
            }
        }
        if (p.left) {
            p.left_mask = MaskOf(*p.left);
            p.right_mask = MaskOf(*p.right);
            p.mask = p.left_mask | p.right_mask;
        } else {
            p.mask = MaskOf(*p.expr);
        }
    }
}

double Reorderer::SideDistinct(const BoundExpression& side) const {
    const BoundExpression* ref = ColumnOf(side);
    if (!ref) return -1;
    size_t c = static_cast<const BoundColumnRef&>(*ref).index;
    size_t k = InputOf(c);
    double d = DistinctOf(*inputs_[k].op, c - inputs_[k].offset);
    return d < 0 ? d : std::min(d, inputs_[k].rows);
}

/// Greedy: the smallest input first, then whichever connected input yields the fewest rows. A
/// join's size is |A|·|B| / max(distinct keys of A, of B) when statistics know the keys' distinct
/// counts (the most selective equality counts), else |A|·|B| / max(|A|, |B|) (key / foreign key).
std::vector<std::pair<size_t, double>> Reorderer::ChooseOrder() const {
    size_t n = inputs_.size();
    std::vector<std::pair<size_t, double>> order;
    uint64_t done = 0;
    double current = 0;
    auto connects = [&](uint64_t set, size_t k) {
        uint64_t bit = uint64_t{1} << k;
        for (const auto& p : preds_) {
            if (!p.left) continue;
            if (((p.left_mask & ~set) == 0 && p.right_mask == bit) ||
                ((p.right_mask & ~set) == 0 && p.left_mask == bit))
                return true;
        }
        return false;
    };
    auto has_edge = [&](size_t k) {
        for (const auto& p : preds_) {
            if (p.left && (p.mask & (uint64_t{1} << k)) != 0) return true;
        }
        return false;
    };
    // Start with the smallest input that takes part in an equi-join (any input when none does).
    size_t first = n;
    for (size_t k = 0; k < n; ++k) {
        if (!has_edge(k)) continue;
        if (first == n || inputs_[k].rows < inputs_[first].rows) first = k;
    }
    if (first == n) first = 0;
    current = inputs_[first].rows;
    // Better: the pair of inputs whose join is estimated smallest (with statistics, a
    // many-to-many join on a low-cardinality key is not where to start).
    size_t pair_second = n;
    {
        double best = -1;
        for (const auto& p : preds_) {
            if (!p.left || std::popcount(p.left_mask) != 1 || std::popcount(p.right_mask) != 1) continue;
            auto i = static_cast<size_t>(std::countr_zero(p.left_mask));
            auto j = static_cast<size_t>(std::countr_zero(p.right_mask));
            if (i == j) continue;
            double ri = inputs_[i].rows, rj = inputs_[j].rows;
            double di = SideDistinct(*p.left), dj = SideDistinct(*p.right);
            double e = di < 0 || dj < 0 ? ri * rj / std::max({ri, rj, 1.0})
                                        : ri * rj / std::max({std::min(di, ri), std::min(dj, rj), 1.0});
            if (ri > rj) std::swap(i, j);
            if (best < 0 || e < best || (e == best && inputs_[i].rows < inputs_[first].rows)) {
                best = e;
                first = i;
                pair_second = j;
            }
        }
        if (pair_second != n) current = inputs_[first].rows;
    }
    order.emplace_back(first, current);
    done |= uint64_t{1} << first;
    while (order.size() < n) {
        size_t best = n;
        double best_rows = 0;
        bool best_connected = false;
        for (size_t k = 0; k < n; ++k) {
            if (done & (uint64_t{1} << k)) continue;
            bool connected = connects(done, k);
            double rows = inputs_[k].rows;
            double result = connected ? current * rows / std::max(current, rows) : current * rows;
            if (connected) {
                uint64_t bit = uint64_t{1} << k;
                double estimate = -1;
                for (const auto& p : preds_) {
                    if (!p.left) continue;
                    bool left_is_k = p.left_mask == bit && (p.right_mask & ~done) == 0;
                    bool right_is_k = p.right_mask == bit && (p.left_mask & ~done) == 0;
                    if (!left_is_k && !right_is_k) continue;
                    double dk = SideDistinct(left_is_k ? *p.left : *p.right);
                    double dd = SideDistinct(left_is_k ? *p.right : *p.left);
                    if (dk < 0 || dd < 0) continue;
                    double e = current * rows / std::max({std::min(dk, rows), std::min(dd, current), 1.0});
                    estimate = estimate < 0 ? e : std::min(estimate, e);
                }
                if (estimate >= 0) result = estimate;
            }
            uint64_t after = done | (uint64_t{1} << k);
            for (const auto& p : preds_) {
                if (!p.left && (p.mask & ~after) == 0 && (p.mask & (uint64_t{1} << k)) != 0) {
                    result *= ConjunctSelectivity(*p.expr);
                }
            }
            bool better =
                best == n || (connected && !best_connected) || (connected == best_connected && result < best_rows);
            if (better) {
                best = k;
                best_rows = result;
                best_connected = connected;
            }
        }
        current = std::max(1.0, best_rows);
        order.emplace_back(best, current);
        done |= uint64_t{1} << best;
    }
    return order;
}

BoundExprPtr Reorderer::PredicateExpr(JoinPredicate& p) const {
    if (p.expr) return std::move(p.expr);
    std::vector<LogicalType> arg_types = {p.left->type, p.right->type};
    auto f = std::make_unique<BoundFunction>(
        FunctionRegistry::Instance().BindScalar(p.null_safe ? "null_safe_equal" : "equal", arg_types));
    f->args.push_back(std::move(p.left));
    f->args.push_back(std::move(p.right));
    f->nullable = !p.null_safe;
    return f;
}

LogicalOperatorPtr Reorderer::Build() {
    Classify();
    std::vector<std::pair<size_t, double>> order = ChooseOrder();
    // Conjuncts that read one input filter it before the join; ones that read none go to the first.
    for (auto& p : preds_) {
        if (p.mask == 0 || (p.mask & (p.mask - 1)) != 0) continue;
        auto k = static_cast<size_t>(std::countr_zero(p.mask));
        BoundExprPtr e = PredicateExpr(p);
        RemapColumns(*e, [&](size_t c) { return c - inputs_[k].offset; });
        auto filter = std::make_unique<LogicalFilter>();
        filter->types = inputs_[k].op->types;
        filter->condition = std::move(e);
        filter->children.push_back(std::move(inputs_[k].op));
        inputs_[k].op = std::move(filter);
        p.placed = true;
    }
    LogicalOperatorPtr tree = std::move(inputs_[order[0].first].op);
    inputs_[order[0].first].new_offset = 0;
    uint64_t done = uint64_t{1} << order[0].first;
    for (size_t step = 1; step < order.size(); ++step) {
        size_t k = order[step].first;
        uint64_t bit = uint64_t{1} << k;
        // The hash table is built on the right input: put the smaller side there.
        bool swap = inputs_[k].rows > order[step - 1].second;
        size_t tree_width = tree->types.size();
        size_t right_start = swap ? inputs_[k].width : tree_width;
        if (swap) {
            for (size_t i = 0; i < inputs_.size(); ++i) {
                if (done & (uint64_t{1} << i)) inputs_[i].new_offset += inputs_[k].width;
            }
            inputs_[k].new_offset = 0;
        } else {
            inputs_[k].new_offset = tree_width;
        }
        uint64_t left_set = swap ? bit : done;
        uint64_t right_set = swap ? done : bit;
        auto to_new = [&](size_t c) {
            const auto& in = inputs_[InputOf(c)];
            return c - in.offset + in.new_offset;
        };
        auto join = std::make_unique<LogicalJoin>();
        std::vector<BoundExprPtr> conditions;
        for (auto& p : preds_) {
            if (p.placed || (p.mask & ~(done | bit)) != 0) continue;
            p.placed = true;
            if (p.left && (p.left_mask & ~left_set) == 0 && (p.right_mask & ~right_set) == 0) {
                // already oriented
            } else if (p.left && (p.right_mask & ~left_set) == 0 && (p.left_mask & ~right_set) == 0) {
                std::swap(p.left, p.right);
                std::swap(p.left_mask, p.right_mask);
            } else {
                BoundExprPtr e = PredicateExpr(p);
                RemapColumns(*e, to_new);
                conditions.push_back(std::move(e));
                continue;
            }
            RemapColumns(*p.left, to_new);
            RemapColumns(*p.right, [&](size_t c) { return to_new(c) - right_start; });
            join->left_keys.push_back(std::move(p.left));
            join->right_keys.push_back(std::move(p.right));
            join->null_safe.push_back(p.null_safe);
        }
        if (!conditions.empty()) join->condition = CombineConjunction(std::move(conditions));
        join->join_type = join->left_keys.empty() && !join->condition ? BoundJoinType::CROSS : BoundJoinType::INNER;
        LogicalOperatorPtr left = swap ? std::move(inputs_[k].op) : std::move(tree);
        LogicalOperatorPtr right = swap ? std::move(tree) : std::move(inputs_[k].op);
        join->types = left->types;
        join->types.insert(join->types.end(), right->types.begin(), right->types.end());
        join->children.push_back(std::move(left));
        join->children.push_back(std::move(right));
        tree = std::move(join);
        done |= bit;
    }
    for (auto& p : preds_) FLOE_CHECK(p.placed);
    // Restore the original column order when it changed.
    bool identity = true;
    for (const auto& in : inputs_) identity &= in.offset == in.new_offset;
    if (identity) return tree;
    auto proj = std::make_unique<LogicalProjection>();
    proj->types = types_;
    for (size_t c = 0; c < types_.size(); ++c) {
        const auto& in = inputs_[InputOf(c)];
        proj->expressions.push_back(
            std::make_unique<BoundColumnRef>(c - in.offset + in.new_offset, types_[c], "#" + std::to_string(c)));
    }
    proj->children.push_back(std::move(tree));
    return proj;
}

LogicalOperatorPtr Reorder(LogicalOperatorPtr op) {
    if (IsInnerJoin(*op)) {
        Reorderer r(std::move(op));
        return r.Build();
    }
    for (auto& child : op->children) child = Reorder(std::move(child));
    return op;
}

}  // namespace

double EstimateCardinality(const LogicalOperator& op) {
    auto child = [&](size_t i) { return EstimateCardinality(*op.children[i]); };
    switch (op.type) {
        case LogicalOperatorType::VALUES:
            return static_cast<double>(static_cast<const LogicalValues&>(op).rows.size());
        case LogicalOperatorType::TABLE_FUNCTION: {
            const auto& t = static_cast<const LogicalTableFunction&>(op);
            if (t.scan_plan) return static_cast<double>(t.scan_plan->estimated_rows);
            if (t.source) return static_cast<double>(t.source->EstimatedRows());
            if (t.name == "numbers" && !t.args.empty()) return static_cast<double>(t.args[0].GetInt());
            if (t.args.size() >= 2) {
                double step = t.args.size() > 2 ? static_cast<double>(t.args[2].GetInt()) : 1.0;
                double n = (static_cast<double>(t.args[1].GetInt()) - static_cast<double>(t.args[0].GetInt())) / step;
                return std::max(0.0, n + 1);
            }
            return 1000;
        }
        case LogicalOperatorType::GET:
            return static_cast<double>(static_cast<const LogicalGet&>(op).row_count);
        case LogicalOperatorType::WINDOW:
            return child(0);
        case LogicalOperatorType::CTE_SCAN:
            return EstimateCardinality(*static_cast<const LogicalCteScan&>(op).cte->plan);
        case LogicalOperatorType::RECURSIVE_CTE:  // unknown depth: a guess of ten steps
            return child(0) + 10 * child(1);
        case LogicalOperatorType::WORKING_TABLE_SCAN:
            return 100;
        case LogicalOperatorType::UNNEST:  // a guess of four elements per array
            return child(0) * 4;
        case LogicalOperatorType::EXPAND:
            return child(0) * static_cast<double>(static_cast<const LogicalExpand&>(op).sets.size());
        case LogicalOperatorType::FILTER:  // a conjunction's selectivity is the product of its parts'
            return child(0) * ConjunctSelectivity(*static_cast<const LogicalFilter&>(op).condition);
        case LogicalOperatorType::PROJECTION:
        case LogicalOperatorType::ORDER_BY:
            return child(0);
        case LogicalOperatorType::AGGREGATE:
            if (static_cast<const LogicalAggregate&>(op).groups.empty()) return 1;
            return std::max(1.0, child(0) * 0.5);
        case LogicalOperatorType::LIMIT: {
            const auto& l = static_cast<const LogicalLimit&>(op);
            double c = child(0);
            return l.limit ? std::min(c, static_cast<double>(*l.limit)) : c;
        }
        case LogicalOperatorType::JOIN: {
            const auto& j = static_cast<const LogicalJoin&>(op);
            double l = child(0), r = child(1);
            double inner = j.left_keys.empty() ? l * r : l * r / std::max({l, r, 1.0});
            // With statistics on the keys: |L|·|R| / max(distinct keys), the most selective key.
            for (size_t i = 0; i < j.left_keys.size() && i < j.right_keys.size(); ++i) {
                const BoundExpression* lk = ColumnOf(*j.left_keys[i]);
                const BoundExpression* rk = ColumnOf(*j.right_keys[i]);
                if (!lk || !rk) continue;
                double dl = DistinctOf(*op.children[0], static_cast<const BoundColumnRef&>(*lk).index);
                double dr = DistinctOf(*op.children[1], static_cast<const BoundColumnRef&>(*rk).index);
                if (dl < 0 || dr < 0) continue;
                double e = l * r / std::max({std::min(dl, l), std::min(dr, r), 1.0});
                if (i == 0 || e < inner) inner = e;
            }
            if (j.condition) inner *= ConjunctSelectivity(*j.condition);
            switch (j.join_type) {
                case BoundJoinType::LEFT:
                case BoundJoinType::SINGLE:
                    return std::max(l, inner);
                case BoundJoinType::RIGHT:
                    return std::max(r, inner);
                case BoundJoinType::FULL:
                    return std::max(l + r, inner);
                case BoundJoinType::SEMI:
                case BoundJoinType::ANTI:
                    return l * 0.5;
                case BoundJoinType::RIGHT_SEMI:  // build rows that matched (or did not)
                case BoundJoinType::RIGHT_ANTI:
                    return r * 0.5;
                default:
                    return inner;
            }
        }
        case LogicalOperatorType::UNION_ALL: {
            double s = 0;
            for (size_t i = 0; i < op.children.size(); ++i) s += child(i);
            return s;
        }
        case LogicalOperatorType::SET_OPERATION:
            return child(0);
    }
    return 1000;
}

LogicalOperatorPtr JoinOrder::Apply(LogicalOperatorPtr plan) {
    return Reorder(std::move(plan));
}

}  // namespace floe
