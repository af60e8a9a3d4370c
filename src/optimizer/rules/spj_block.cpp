#include "optimizer/rules/spj_block.h"

#include <numeric>

#include "binder/binder.h"
#include "binder/expression_walker.h"
#include "function/function_registry.h"
#include "optimizer/rules/constant_folding.h"

namespace floe {

ColumnClasses::ColumnClasses(size_t width) : parent_(width) {
    std::iota(parent_.begin(), parent_.end(), size_t{0});
}

size_t ColumnClasses::Find(size_t column) const {
    if (column >= parent_.size()) return column;
    while (parent_[column] != column) {
        parent_[column] = parent_[parent_[column]];
        column = parent_[column];
    }
    return column;
}

void ColumnClasses::Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b || a >= parent_.size() || b >= parent_.size()) return;
    // The smaller column stays the representative.
    if (b < a) std::swap(a, b);
    parent_[b] = a;
}

std::vector<size_t> ColumnClasses::Members(size_t column) const {
    std::vector<size_t> out;
    size_t root = Find(column);
    for (size_t i = 0; i < parent_.size(); ++i) {
        if (Find(i) == root) out.push_back(i);
    }
    if (out.empty()) out.push_back(column);
    return out;
}

std::optional<int> CompareValues(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return std::nullopt;
    // The same kind of value; lengths (VARCHAR(10) vs VARCHAR) and shown fractional digits
    // (DATETIME) do not matter, a DECIMAL's scale does.
    if (a.type().id != b.type().id && !(a.type().IsString() && b.type().IsString())) return std::nullopt;
    if (a.type().id == TypeId::DECIMAL && a.type().scale != b.type().scale) return std::nullopt;
    auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    const LogicalType& t = a.type();
    if (t.IsString()) return sign(a.GetString(), b.GetString());
    switch (t.id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::DATE:
        case TypeId::DATETIME:
            return sign(a.GetInt(), b.GetInt());
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return sign(a.GetInt128(), b.GetInt128());
        case TypeId::FLOAT:
        case TypeId::DOUBLE:
            if (a.GetDouble() != a.GetDouble() || b.GetDouble() != b.GetDouble()) return std::nullopt;  // NaN
            return sign(a.GetDouble(), b.GetDouble());
        default:
            return std::nullopt;
    }
}

bool ValueInterval::Narrow(const std::string& op, const Value& c) {
    // Keeps the tighter of the bound set and (c, inclusive); `direction` is 1 for a lower bound
    // (a larger value is tighter), -1 for an upper one.
    auto tighten = [&](RangeBound& bound, bool inclusive, int direction) {
        if (bound.set) {
            auto cmp = CompareValues(c, bound.value);
            if (!cmp) return false;
            if (*cmp * direction < 0) return true;
            if (*cmp == 0) {
                bound.inclusive = bound.inclusive && inclusive;
                return true;
            }
        }
        bound = {true, c, inclusive};
        return true;
    };
    if (op == "equal") return tighten(low, true, 1) && tighten(high, true, -1);
    if (op == "greater") return tighten(low, false, 1);
    if (op == "greater_equal") return tighten(low, true, 1);
    if (op == "less") return tighten(high, false, -1);
    if (op == "less_equal") return tighten(high, true, -1);
    return false;
}

bool ValueInterval::Within(const ValueInterval& outer) const {
    if (outer.low.set) {
        if (!low.set) return false;
        auto cmp = CompareValues(low.value, outer.low.value);
        if (!cmp || *cmp < 0) return false;
        if (*cmp == 0 && low.inclusive && !outer.low.inclusive) return false;
    }
    if (outer.high.set) {
        if (!high.set) return false;
        auto cmp = CompareValues(high.value, outer.high.value);
        if (!cmp || *cmp > 0) return false;
        if (*cmp == 0 && high.inclusive && !outer.high.inclusive) return false;
    }
    return true;
}

bool ValueInterval::SameAs(const ValueInterval& other) const {
    return Within(other) && other.Within(*this);
}

std::string ValueInterval::ToString() const {
    std::string s;
    if (low.set) s += (low.inclusive ? ">= " : "> ") + low.value.ToSqlLiteral();
    if (high.set)
        s += std::string(s.empty() ? "" : " and ") + (high.inclusive ? "<= " : "< ") + high.value.ToSqlLiteral();
    return s.empty() ? "any value" : s;
}

namespace {

bool IsInnerJoin(const LogicalJoin& j) {
    if (j.join_type != BoundJoinType::INNER && j.join_type != BoundJoinType::CROSS) return false;
    for (bool n : j.null_safe) {
        if (n) return false;
    }
    return true;
}

/// A scan of every stored column in order, and at most the trailing row ordinal (rowid) the
/// binder adds to every scan; not the row ids DELETE reads.
bool IsPlainScan(const LogicalGet& get) {
    if (!get.version) return false;
    size_t n = get.table_types.size();
    if (get.column_ids.size() != n && get.column_ids.size() != n + 1) return false;
    for (size_t i = 0; i < get.column_ids.size(); ++i) {
        if (get.column_ids[i] != (i < n ? i : kRowOrdinalColumn)) return false;
    }
    return true;
}

/// A scan of a whole external table (every column, nothing pushed into it yet).
bool IsWholeSource(const LogicalTableFunction& tf) {
    if (!tf.source || !tf.zone_predicates.empty()) return false;
    if (tf.column_ids.empty()) return true;
    if (tf.column_ids.size() != tf.types.size()) return false;
    for (size_t i = 0; i < tf.column_ids.size(); ++i) {
        if (tf.column_ids[i] != i) return false;
    }
    return true;
}

using Outputs = std::vector<BoundExprPtr>;

/// `e` (over an operator's input, whose columns are `inputs`) over the block's table columns.
BoundExprPtr Through(const BoundExpression& e, const Outputs& inputs) {
    return SubstituteColumns(e, [&](size_t c) -> BoundExprPtr {
        if (c < inputs.size()) return inputs[c]->Copy();
        return std::make_unique<BoundColumnRef>(c, e.type, "#" + std::to_string(c));  // not reached
    });
}

void AddConjuncts(const BoundExpression& condition, const Outputs& inputs, std::vector<BoundExprPtr>& out) {
    BoundExprPtr copy = Through(condition, inputs);
    FoldConstants(copy);
    std::vector<BoundExprPtr> parts;
    SplitConjunction(std::move(copy), parts);
    for (auto& p : parts) out.push_back(std::move(p));
}

/// Adds `op`'s tables and predicates to `out`; `outputs` receives `op`'s columns as expressions
/// over the block's table columns.
bool ExtractInto(const LogicalOperator& op, SpjBlock& out, Outputs& outputs, std::string* why) {
    switch (op.type) {
        case LogicalOperatorType::GET: {
            const auto& get = static_cast<const LogicalGet&>(op);
            if (!IsPlainScan(get)) {
                if (why) *why = "it reads " + get.table + " with hidden columns";
                return false;
            }
            SpjTable t;
            t.get = &get;
            t.table_id = get.version->table_id;
            t.key = "#" + std::to_string(t.table_id);
            t.name = get.table;
            t.offset = out.types.size();
            t.width = get.types.size();
            out.tables.push_back(t);
            for (size_t i = 0; i < get.types.size(); ++i) {
                std::string column = get.schema && i < get.schema->columns.size() ? get.schema->columns[i].name
                                     : i == get.table_types.size()                ? std::string("rowid")
                                                                                  : std::to_string(i);
                outputs.push_back(std::make_unique<BoundColumnRef>(out.types.size(), get.types[i], column));
                out.types.push_back(get.types[i]);
                out.names.push_back(get.table + "." + column);
            }
            return true;
        }
        case LogicalOperatorType::TABLE_FUNCTION: {
            // A table of an external catalog (Iceberg), read whole.
            const auto& tf = static_cast<const LogicalTableFunction&>(op);
            if (!IsWholeSource(tf)) {
                if (why) *why = "it is not a join of tables";
                return false;
            }
            SpjTable t;
            t.key = "ext:" + AsciiLower(tf.source->name());
            t.name = tf.source->name();
            t.offset = out.types.size();
            t.width = tf.types.size();
            out.tables.push_back(t);
            const auto& columns = tf.source->columns();
            auto hidden = tf.source->metadata_columns();
            for (size_t i = 0; i < tf.types.size(); ++i) {
                std::string column = i < columns.size()                   ? columns[i].name
                                     : i - columns.size() < hidden.size() ? hidden[i - columns.size()].name
                                                                          : std::to_string(i);
                outputs.push_back(std::make_unique<BoundColumnRef>(out.types.size(), tf.types[i], column));
                out.types.push_back(tf.types[i]);
                out.names.push_back(t.name + "." + column);
            }
            return true;
        }
        case LogicalOperatorType::FILTER: {
            if (!ExtractInto(*op.children[0], out, outputs, why)) return false;
            AddConjuncts(*static_cast<const LogicalFilter&>(op).condition, outputs, out.conjuncts);
            return true;
        }
        case LogicalOperatorType::PROJECTION: {
            // A view's or a derived table's select list: its columns are expressions of the
            // columns below.
            Outputs inputs;
            if (!ExtractInto(*op.children[0], out, inputs, why)) return false;
            for (const auto& e : static_cast<const LogicalProjection&>(op).expressions) {
                BoundExprPtr through = Through(*e, inputs);
                FoldConstants(through);
                outputs.push_back(std::move(through));
            }
            return true;
        }
        case LogicalOperatorType::JOIN: {
            const auto& j = static_cast<const LogicalJoin&>(op);
            if (!IsInnerJoin(j)) {
                if (why) *why = "it has an outer, semi or anti join";
                return false;
            }
            Outputs left, right;
            if (!ExtractInto(*op.children[0], out, left, why)) return false;
            if (!ExtractInto(*op.children[1], out, right, why)) return false;
            for (size_t k = 0; k < j.left_keys.size(); ++k) {
                BoundExprPtr l = Through(*j.left_keys[k], left), r = Through(*j.right_keys[k], right);
                std::vector<LogicalType> types{l->type, r->type};
                auto eq = std::make_unique<BoundFunction>(FunctionRegistry::Instance().BindScalar("equal", types));
                eq->args.push_back(AddCastIfNeeded(std::move(l), eq->function.arg_types[0]));
                eq->args.push_back(AddCastIfNeeded(std::move(r), eq->function.arg_types[1]));
                BoundExprPtr e = std::move(eq);
                FoldConstants(e);
                out.conjuncts.push_back(std::move(e));
            }
            for (auto& l : left) outputs.push_back(std::move(l));
            for (auto& r : right) outputs.push_back(std::move(r));
            if (j.condition) AddConjuncts(*j.condition, outputs, out.conjuncts);
            return true;
        }
        default:
            if (why) *why = "it is not a join of tables";
            return false;
    }
}

const BoundColumnRef* AsColumn(const BoundExpression& e) {
    return e.kind == BoundExprKind::COLUMN_REF ? static_cast<const BoundColumnRef*>(&e) : nullptr;
}

bool IsRangeOp(const std::string& name) {
    return name == "equal" || name == "less" || name == "less_equal" || name == "greater" || name == "greater_equal";
}

std::string Flip(const std::string& op) {
    if (op == "less") return "greater";
    if (op == "less_equal") return "greater_equal";
    if (op == "greater") return "less";
    if (op == "greater_equal") return "less_equal";
    return op;
}

bool HasColumn(const BoundExpression& e) {
    bool any = false;
    ForEachColumn(e, [&](size_t) { any = true; });
    return any;
}

}  // namespace

bool SpjBlock::IsBlock(const LogicalOperator& op) {
    switch (op.type) {
        case LogicalOperatorType::GET:
            return IsPlainScan(static_cast<const LogicalGet&>(op));
        case LogicalOperatorType::TABLE_FUNCTION:
            return IsWholeSource(static_cast<const LogicalTableFunction&>(op));
        case LogicalOperatorType::FILTER:
            return IsBlockInput(*op.children[0]);
        case LogicalOperatorType::PROJECTION:
            // Only inside a tree of joins or filters: a projection alone over a scan is the select
            // list of a query, which the operators above read (matched as the block below it).
            return false;
        case LogicalOperatorType::JOIN:
            return IsInnerJoin(static_cast<const LogicalJoin&>(op)) && IsBlockInput(*op.children[0]) &&
                   IsBlockInput(*op.children[1]);
        default:
            return false;
    }
}

bool SpjBlock::IsBlockInput(const LogicalOperator& op) {
    if (op.type == LogicalOperatorType::PROJECTION) return IsBlockInput(*op.children[0]);
    if (op.type == LogicalOperatorType::FILTER) return IsBlockInput(*op.children[0]);
    return IsBlock(op);
}

bool SpjBlock::Extract(const LogicalOperator& root, SpjBlock& out, std::string* why) {
    out = SpjBlock();
    if (!ExtractInto(root, out, out.outputs, why)) return false;
    if (out.outputs.size() != root.types.size()) {
        if (why) *why = "its columns do not add up";
        return false;
    }
    return true;
}

BoundExprPtr SpjBlock::OverTables(const BoundExpression& e) const {
    BoundExprPtr out = Through(e, outputs);
    FoldConstants(out);
    return out;
}

void SpjBlock::Classify(ColumnClasses& classes, bool add_equalities) {
    equalities.clear();
    equality_sources.clear();
    ranges.clear();
    residuals.clear();
    std::vector<bool> is_equality(conjuncts.size(), false);
    for (size_t i = 0; i < conjuncts.size(); ++i) {
        const BoundExpression& e = *conjuncts[i];
        if (e.kind != BoundExprKind::FUNCTION) continue;
        const auto& f = static_cast<const BoundFunction&>(e);
        if (f.function.name != "equal" || f.args.size() != 2) continue;
        const BoundColumnRef* a = AsColumn(*f.args[0]);
        const BoundColumnRef* b = AsColumn(*f.args[1]);
        if (!a || !b || !(a->type == b->type)) continue;
        is_equality[i] = true;
        equalities.push_back({a->index, b->index});
        equality_sources.push_back(i);
        if (add_equalities) classes.Union(a->index, b->index);
    }
    for (size_t i = 0; i < conjuncts.size(); ++i) {
        if (is_equality[i]) continue;
        const BoundExpression& e = *conjuncts[i];
        if (e.kind == BoundExprKind::FUNCTION) {
            const auto& f = static_cast<const BoundFunction&>(e);
            if (IsRangeOp(f.function.name) && f.args.size() == 2) {
                const BoundExpression* expr = nullptr;
                const BoundConstant* constant = nullptr;
                std::string op = f.function.name;
                if (f.args[1]->kind == BoundExprKind::CONSTANT && HasColumn(*f.args[0])) {
                    expr = f.args[0].get();
                    constant = static_cast<const BoundConstant*>(f.args[1].get());
                } else if (f.args[0]->kind == BoundExprKind::CONSTANT && HasColumn(*f.args[1])) {
                    expr = f.args[1].get();
                    constant = static_cast<const BoundConstant*>(f.args[0].get());
                    op = Flip(op);
                }
                if (expr && !constant->value.is_null() && !FindNonDeterministic(*expr)) {
                    std::string key = NormalizedKey(*expr, classes);
                    ValueInterval trial = ranges.count(key) ? ranges[key] : ValueInterval();
                    if (trial.Narrow(op, constant->value)) {
                        trial.sources.push_back(i);
                        ranges[key] = std::move(trial);
                        continue;
                    }
                }
            }
        }
        residuals.emplace(NormalizedKey(e, classes), i);
    }
}

BoundExprPtr Normalize(const BoundExpression& e, const ColumnClasses& classes) {
    BoundExprPtr copy = e.Copy();
    RemapColumns(*copy, [&](size_t c) { return classes.Find(c); });
    return copy;
}

std::string NormalizedKey(const BoundExpression& e, const ColumnClasses& classes) {
    return StructuralKey(*Normalize(e, classes));
}

const BoundFunction* FindNonDeterministic(const BoundExpression& e) {
    switch (e.kind) {
        case BoundExprKind::FUNCTION: {
            const auto& f = static_cast<const BoundFunction&>(e);
            if (!f.function.deterministic) return &f;
            for (const auto& a : f.args) {
                if (const BoundFunction* found = FindNonDeterministic(*a)) return found;
            }
            return nullptr;
        }
        case BoundExprKind::CAST:
            return FindNonDeterministic(*static_cast<const BoundCast&>(e).child);
        default:
            return nullptr;
    }
}

}  // namespace floe
