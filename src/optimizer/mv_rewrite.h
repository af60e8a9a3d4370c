#pragma once
/// Transparent rewrite of queries to read asynchronous materialized views (issue 21).
///
/// The session builds one MvCandidate per materialized view the query could use (every active
/// MV of the instance the user may read, with its definition bound and planned over its base
/// tables) and hands them to Optimizer::Optimize through an MvRewriteContext. The `mv_rewrite`
/// pass matches each candidate's SPJG definition against the query's plan (Goldstein & Larson:
/// tables, equi-join classes, range and residual predicates with compensation, projection,
/// aggregate rollup) and replaces the matched subtree with a scan of the MV's storage table plus
/// compensation. It records what it did in the context's report, which EXPLAIN prints.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "planner/logical_operator.h"

namespace floe {

struct MvCandidate {
    /// "db.mv", as EXPLAIN names it.
    std::string name;
    /// The MV's defining query, bound and planned (not optimized) over its base tables; its
    /// output columns are the MV's columns, in order.
    LogicalOperatorPtr definition;
    /// A fresh scan of the MV's storage table (a LogicalGet at its current version) whose output
    /// columns are the MV's columns in order. Called once per use.
    std::function<LogicalOperatorPtr()> scan;
    /// False when the MV may not answer queries now (inactive, stale beyond the allowed
    /// staleness, never refreshed, rewrite disabled for it); `reason` says why, for EXPLAIN.
    bool usable = true;
    std::string reason;
    /// The definition reads the current date or time (NOW(), CURRENT_DATE: folded into constants
    /// when it was bound), so its rows hold for the day it was refreshed only.
    bool reads_current_time = false;
    /// How it answers, when not from its table alone (union compensation), for EXPLAIN.
    std::string note;
    /// Asked only for queries that read one of the MV's base tables, before it may answer one:
    /// "" when it still may, else why not (the freshness of an external base, which costs a
    /// look at its catalog). Null: nothing to check.
    std::function<std::string()> recheck;
};

/// What the rewrite decided, for EXPLAIN: the MVs used, and for each candidate not used why not.
struct MvRewriteReport {
    std::vector<std::string> used;
    std::vector<std::string> used_notes;                        // per used MV: its candidate's note ("" when none)
    std::vector<std::pair<std::string, std::string>> rejected;  // (name, reason)
};

struct MvRewriteContext {
    std::vector<MvCandidate> candidates;
    /// Set when the whole query may not be answered from MVs for a reason the plan no longer
    /// shows (the binder folds NOW() and CURRENT_DATE into constants): every candidate is
    /// rejected with it.
    std::string query_not_rewritable;
    /// Set when the session switched the rewrite off (enable_materialized_view_rewrite = false
    /// and the like): every candidate is rejected with it, nothing is matched.
    std::string disabled_reason;
    MvRewriteReport report;

    /// The pass's bookkeeping, per candidate: used at least once, and the most telling reason
    /// seen why not (the attempt that got furthest: tables, predicates, outputs).
    std::vector<bool> used;
    std::vector<std::pair<int, std::string>> best_reason;
    /// Records a failed attempt of candidate `index` that got to `stage`.
    void Reject(size_t index, int stage, std::string reason);
    /// Fills `report` from the bookkeeping (Optimizer::Optimize calls it once at the end).
    void FinishReport();
};

}  // namespace floe
