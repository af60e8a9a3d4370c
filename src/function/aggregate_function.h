#pragma once
/// Aggregate functions. Each aggregate keeps the states of all groups of one hash aggregation in
/// typed arrays indexed by group id (so updates are tight loops over a chunk), following the
/// State + Update/Combine/Finalize shape: Resize adds groups, Update folds a chunk's argument
/// values into the states of their groups, Finalize writes one result per group.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "types/logical_type.h"
#include "vector/column.h"

namespace floe {

class AggregateStates {
  public:
    virtual ~AggregateStates() = default;
    /// Makes room for `groups` groups (new groups start empty).
    virtual void Resize(size_t groups) = 0;
    /// Folds rows into groups: for i < n, row rows[i] of `args` goes to group group_ids[i].
    /// `args` is empty for COUNT(*).
    virtual void Update(const std::vector<const Column*>& args, const uint32_t* rows, const uint32_t* group_ids,
                        size_t n) = 0;
    /// Writes the result of group g at row g of `out` (sized by the caller to `groups` rows).
    virtual void Finalize(Column& out, size_t groups) = 0;
    /// Whether Combine works: parallel aggregation keeps a partial state per task and combines
    /// them; an aggregate whose result depends on the order of its rows (GROUP_CONCAT, the
    /// REPLACE merges) or that keeps sets (DISTINCT, percentiles) says no, and its aggregation
    /// takes its rows from one thread.
    virtual bool Combinable() const { return false; }
    /// Folds group g of `other` (states of the same function) into group mapping[g], for every
    /// g < other_groups; `other` is left unspecified.
    virtual void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) {}
};

/// An aggregate resolved for concrete argument types.
struct BoundAggregateFunction {
    std::string name;
    std::vector<LogicalType> arg_types;  // arguments are cast to these
    LogicalType return_type;
    bool distinct = false;
    std::function<std::unique_ptr<AggregateStates>()> make_states;
};

using AggregateFunctionBinder =
    std::function<BoundAggregateFunction(const std::vector<LogicalType>& arg_types, bool distinct)>;

}  // namespace floe
