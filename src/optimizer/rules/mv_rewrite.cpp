#include "optimizer/rules/mv_rewrite.h"

#include <functional>
#include <set>

#include "binder/expression_walker.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "optimizer/rules/mv_match.h"

namespace floe {

void MvRewriteContext::Reject(size_t index, int stage, std::string reason) {
    if (best_reason.size() < candidates.size()) best_reason.resize(candidates.size(), {-1, ""});
    if (index >= best_reason.size()) return;
    auto& best = best_reason[index];
    if (best.first < stage || best.second.empty()) best = {stage, std::move(reason)};
}

void MvRewriteContext::FinishReport() {
    used.resize(candidates.size(), false);
    best_reason.resize(candidates.size(), {-1, ""});
    report = MvRewriteReport();
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (used[i]) {
            report.used.push_back(candidates[i].name);
            report.used_notes.push_back(candidates[i].note);
            continue;
        }
        std::string reason = best_reason[i].second;
        if (reason.empty()) reason = "the query has no join of base tables it could answer";
        report.rejected.push_back({candidates[i].name, reason});
    }
}

namespace {

/// A stage above every matching stage: reasons that hold for the whole query.
constexpr int kStageQuery = 100;
/// A candidate that matched but lost to a cheaper one.
constexpr int kStageLost = 10;

void Mark(const BoundExpression& e, std::vector<bool>& needed, size_t offset = 0) {
    ForEachColumn(e, [&](size_t c) {
        if (c >= offset && c - offset < needed.size()) needed[c - offset] = true;
    });
}

/// Which columns of each child the operator reads, given which of its own columns are read.
std::vector<std::vector<bool>> ChildRequirements(const LogicalOperator& op, const std::vector<bool>& required) {
    std::vector<std::vector<bool>> out;
    for (const auto& child : op.children) out.emplace_back(child->types.size(), false);
    auto all = [&]() {
        for (auto& r : out) r.assign(r.size(), true);
        return out;
    };
    auto passed = [&](std::vector<bool>& child) {
        for (size_t i = 0; i < child.size() && i < required.size(); ++i) child[i] = required[i];
    };
    switch (op.type) {
        case LogicalOperatorType::PROJECTION: {
            const auto& p = static_cast<const LogicalProjection&>(op);
            for (size_t i = 0; i < p.expressions.size(); ++i) {
                if (i >= required.size() || required[i]) Mark(*p.expressions[i], out[0]);
            }
            return out;
        }
        case LogicalOperatorType::FILTER:
            passed(out[0]);
            Mark(*static_cast<const LogicalFilter&>(op).condition, out[0]);
            return out;
        case LogicalOperatorType::ORDER_BY:
            passed(out[0]);
            for (const auto& o : static_cast<const LogicalOrderBy&>(op).orders) Mark(*o.expr, out[0]);
            return out;
        case LogicalOperatorType::LIMIT:
            passed(out[0]);
            return out;
        case LogicalOperatorType::AGGREGATE: {
            const auto& a = static_cast<const LogicalAggregate&>(op);
            for (const auto& g : a.groups) Mark(*g, out[0]);
            for (const auto& agg : a.aggregates) {
                for (const auto& arg : agg.args) Mark(*arg, out[0]);
            }
            return out;
        }
        case LogicalOperatorType::JOIN: {
            const auto& j = static_cast<const LogicalJoin&>(op);
            size_t left = out[0].size();
            for (size_t i = 0; i < left && i < required.size(); ++i) out[0][i] = required[i];
            if (op.types.size() == left + out[1].size()) {
                for (size_t i = 0; i < out[1].size() && left + i < required.size(); ++i) {
                    out[1][i] = required[left + i];
                }
            }
            for (const auto& k : j.left_keys) Mark(*k, out[0]);
            for (const auto& k : j.right_keys) Mark(*k, out[1]);
            if (j.condition) {
                Mark(*j.condition, out[0]);
                Mark(*j.condition, out[1], left);
            }
            return out;
        }
        default:
            return all();
    }
}

class Rewriter {
  public:
    Rewriter(MvRewriteContext& context, const std::vector<MvShape>& shapes) : context_(context), shapes_(shapes) {}

    /// Rewrites `op`'s subtree; `required`: which of its columns the operators above read.
    void Visit(LogicalOperatorPtr& op, const std::vector<bool>& required) {
        if (op->type == LogicalOperatorType::AGGREGATE && SpjBlock::IsBlockInput(*op->children[0])) {
            const auto& aggregate = static_cast<const LogicalAggregate&>(*op);
            SpjBlock block;
            if (Extract(*op->children[0], block)) {
                ColumnClasses classes(block.types.size());
                block.Classify(classes, true);
                if (Replace(op, [&](size_t i) {
                        return MatchAggregate(aggregate, block, classes, shapes_[i], context_.candidates[i]);
                    })) {
                    return;
                }
            }
        }
        if (SpjBlock::IsBlock(*op)) {
            SpjBlock block;
            if (Extract(*op, block)) {
                ColumnClasses classes(block.types.size());
                block.Classify(classes, true);
                if (Replace(op, [&](size_t i) {
                        return MatchBlock(block, classes, required, shapes_[i], context_.candidates[i]);
                    })) {
                    return;
                }
            }
        }
        auto requirements = ChildRequirements(*op, required);
        for (size_t i = 0; i < op->children.size(); ++i) Visit(op->children[i], requirements[i]);
    }

    bool changed = false;

  private:
    static bool Extract(const LogicalOperator& op, SpjBlock& block) {
        try {
            return SpjBlock::Extract(op, block, nullptr);
        } catch (const Exception&) {
            return false;  // e.g. join keys no equality binds for: not a block to match
        }
    }

    /// Tries every usable candidate; the one with the fewest rows replaces `op`.
    bool Replace(LogicalOperatorPtr& op, const std::function<MatchResult(size_t)>& match) {
        MatchResult best;
        size_t best_index = SIZE_MAX;
        std::vector<size_t> matched;
        for (size_t i = 0; i < shapes_.size(); ++i) {
            if (!shapes_[i].ok) continue;
            MatchResult r;
            try {
                r = match(i);
            } catch (const Exception& e) {
                // A match that cannot be built (a function the registry refuses for these types)
                // is a candidate not used, never a failed query.
                r = MatchResult();
                r.stage = kStageOutputs;
                r.reason = std::string("its rewrite could not be built: ") + e.what();
            }
            if (r.plan && !(r.plan->types == op->types)) {
                r.plan = nullptr;  // never hand the operators above other columns than they read
                r.stage = kStageOutputs;
                r.reason = "its rewrite gives other column types than the query's";
            }
            if (!r.plan) {
                context_.Reject(i, r.stage, r.reason);
                continue;
            }
            matched.push_back(i);
            if (best_index == SIZE_MAX || r.mv_rows < best.mv_rows) {
                best = std::move(r);
                best_index = i;
            }
        }
        if (best_index == SIZE_MAX) return false;
        for (size_t i : matched) {
            if (i != best_index) {
                context_.Reject(i, kStageLost,
                                context_.candidates[best_index].name + " answers the same part with fewer rows");
            }
        }
        op = std::move(best.plan);
        context_.used[best_index] = true;
        changed = true;
        return true;
    }

    MvRewriteContext& context_;
    const std::vector<MvShape>& shapes_;
};

}  // namespace

LogicalOperatorPtr MvRewrite::Apply(LogicalOperatorPtr plan) {
    if (!context_ || context_->candidates.empty()) return plan;
    MvRewriteContext& context = *context_;
    size_t n = context.candidates.size();
    context.used.resize(n, false);
    context.best_reason.resize(n, {-1, ""});
    std::string everyone;
    if (!context.disabled_reason.empty()) {
        everyone = context.disabled_reason;
    } else if (!context.query_not_rewritable.empty()) {
        everyone = context.query_not_rewritable;
    } else if (const BoundFunction* f = FindNonDeterministicIn(*plan)) {
        everyone = "the query calls " + f->function.name + "(), which is not deterministic";
    }
    if (!everyone.empty()) {
        for (size_t i = 0; i < n; ++i) context.Reject(i, kStageQuery, everyone);
        return plan;
    }
    // The tables the query reads (as SpjTable keys), for candidates' rechecks.
    std::set<std::string> query_tables;
    std::function<void(const LogicalOperator&)> collect = [&](const LogicalOperator& op) {
        if (op.type == LogicalOperatorType::GET) {
            const auto& get = static_cast<const LogicalGet&>(op);
            if (get.version) query_tables.insert("#" + std::to_string(get.version->table_id));
        } else if (op.type == LogicalOperatorType::TABLE_FUNCTION) {
            const auto& tf = static_cast<const LogicalTableFunction&>(op);
            if (tf.source) query_tables.insert("ext:" + AsciiLower(tf.source->name()));
        }
        for (const auto& child : op.children) collect(*child);
    };
    collect(*plan);
    std::vector<MvShape> shapes;
    for (size_t i = 0; i < n; ++i) {
        const MvCandidate& c = context.candidates[i];
        if (!c.usable || !c.definition) {
            shapes.emplace_back();
            context.Reject(i, kStageQuery, c.reason.empty() ? "it cannot be used now" : c.reason);
            continue;
        }
        shapes.push_back(MvShape::Analyze(*c.definition));
        if (!shapes.back().ok) {
            context.Reject(i, kStageQuery, shapes.back().why);
            continue;
        }
        if (c.recheck) {
            bool reads = false;
            for (const auto& t : shapes.back().block.tables) reads |= query_tables.count(t.key) > 0;
            if (!reads) continue;
            std::string why = c.recheck();
            if (!why.empty()) {
                shapes.back().ok = false;
                context.Reject(i, kStageQuery, why);
            }
        }
    }
    // A rewritten plan reads MVs, which MVs over MVs may answer in turn. An MV used once is not
    // tried again: what it answered (and the base tables' part of a union compensation, which is
    // its own definition) would only be rewritten into itself.
    for (int level = 0; level < 3; ++level) {
        Rewriter rewriter(context, shapes);
        rewriter.Visit(plan, std::vector<bool>(plan->types.size(), true));
        if (!rewriter.changed) break;
        for (size_t i = 0; i < n; ++i) {
            if (context.used[i]) shapes[i].ok = false;
        }
    }
    return plan;
}

}  // namespace floe
