#pragma once
/// Walks and rewrites bound expression trees: which columns an expression reads, moving it onto
/// another input (renumbering or substituting column references), and splitting conjunctions.
/// Shared by the binder (join keys) and the optimizer (pushdown).

#include <functional>
#include <vector>

#include "binder/bound_expression.h"

namespace floe {

/// Calls fn(index) for every column an expression reads.
void ForEachColumn(const BoundExpression& e, const std::function<void(size_t)>& fn);
/// Subtracts `offset` from every column index.
void ShiftColumns(BoundExpression& e, size_t offset);
/// Replaces every column index i with map(i), in place.
void RemapColumns(BoundExpression& e, const std::function<size_t(size_t)>& map);
/// Replaces every column reference by `replace(index)` (a new expression).
BoundExprPtr SubstituteColumns(const BoundExpression& e, const std::function<BoundExprPtr(size_t)>& replace);
/// Splits AND-ed parts into `out`.
void SplitConjunction(BoundExprPtr e, std::vector<BoundExprPtr>& out);
/// AND of `parts` (which must not be empty), as a balanced tree of binary ANDs.
BoundExprPtr CombineConjunction(std::vector<BoundExprPtr> parts);
/// An expression's identity: its structure with column references by position. Two expressions
/// with equal keys compute the same values over the same input; their texts may coincide when
/// they do not (t1.x and t2.x both print as x), so texts must not stand for identity.
std::string StructuralKey(const BoundExpression& e);

}  // namespace floe
