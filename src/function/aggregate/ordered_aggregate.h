#pragma once
/// Ordered aggregates: `agg(args ORDER BY keys)`. The wrapped aggregate takes the arguments
/// followed by the sort keys and folds each group's rows in key order (see ordered_aggregate.cpp).

#include <vector>

#include "function/aggregate_function.h"

namespace floe {

struct AggregateOrderKey {
    bool ascending = true;
    bool nulls_first = true;
};

/// `inner` bound for its arguments; the result takes those arguments and then one column per key.
BoundAggregateFunction MakeOrderedAggregate(BoundAggregateFunction inner, const std::vector<LogicalType>& key_types,
                                            std::vector<AggregateOrderKey> keys);

}  // namespace floe
