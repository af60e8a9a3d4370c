#pragma once
/// Matching one materialized view's definition against one part of a query (the mv_rewrite
/// pass's engine; see rules/mv_rewrite.h for the algorithm). A match yields the plan that
/// replaces the part: the MV's scan, a compensating filter, and a projection (or a roll-up
/// aggregate and a projection) with exactly the replaced part's columns.

#include <cstdint>
#include <string>
#include <vector>

#include "optimizer/mv_rewrite.h"
#include "optimizer/rules/spj_block.h"

namespace floe {

/// How far a failed attempt got; the report keeps the reason of the furthest attempt.
enum MatchStage : int {
    kStageTables = 0,      // the base tables differ
    kStageShape = 1,       // aggregated vs not
    kStagePredicates = 2,  // join classes, ranges, residuals
    kStageOutputs = 3,     // compensation, columns, groups, aggregates
};

/// A candidate's definition in SPJG normal form, analysed once per query.
struct MvShape {
    /// False when the definition cannot be matched at all (`why` says why).
    bool ok = false;
    std::string why;
    SpjBlock block;
    bool aggregated = false;
    /// The definition's GROUP BY keys, and whether each is one of its output columns.
    size_t group_count = 0;
    enum class Kind : uint8_t { EXPRESSION, GROUP, AGGREGATE, OPAQUE };
    struct Output {
        Kind kind = Kind::OPAQUE;
        BoundExprPtr expr;                                 // EXPRESSION, GROUP: over the block's table columns
        size_t group = 0;                                  // GROUP: which key
        const BoundAggregateFunction* function = nullptr;  // AGGREGATE
        std::vector<BoundExprPtr> args;                    // AGGREGATE: over the block's table columns
    };
    std::vector<Output> outputs;
    /// The tables it reads, for messages ("db.t1, db.t2").
    std::string TableNames() const;

    static MvShape Analyze(const LogicalOperator& definition);
};

struct MatchResult {
    LogicalOperatorPtr plan;  // null when the attempt failed
    int64_t mv_rows = 0;
    int stage = kStageTables;
    std::string reason;
};

/// The query part `root` (whose block is `query`, classified with `classes`) answered from
/// `mv`: `required` says which of the block's columns the operators above read (the others come
/// back as NULL constants for column pruning to drop).
MatchResult MatchBlock(const SpjBlock& query, const ColumnClasses& classes, const std::vector<bool>& required,
                       const MvShape& mv, const MvCandidate& candidate);
/// The aggregate `aggregate` over the block `query` answered from an aggregating `mv`.
MatchResult MatchAggregate(const LogicalAggregate& aggregate, const SpjBlock& query, const ColumnClasses& classes,
                           const MvShape& mv, const MvCandidate& candidate);

/// The first non-deterministic function call in any expression of `plan`, or null.
const BoundFunction* FindNonDeterministicIn(const LogicalOperator& plan);

}  // namespace floe
