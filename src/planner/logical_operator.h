#pragma once
/// Logical plan: a tree of relational operators over bound expressions, produced by the planner,
/// rewritten by the optimizer, and turned into physical operators by execution/.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binder/bound_query.h"

namespace floe {

enum class LogicalOperatorType : uint8_t { VALUES, FILTER, PROJECTION, ORDER_BY, LIMIT };

struct LogicalOperator {
    explicit LogicalOperator(LogicalOperatorType t) : type(t) {}
    virtual ~LogicalOperator() = default;
    LogicalOperatorType type;
    std::vector<std::unique_ptr<LogicalOperator>> children;
    /// Output column types.
    std::vector<LogicalType> types;
    /// One line describing this operator (EXPLAIN).
    virtual std::string ToString() const = 0;
};
using LogicalOperatorPtr = std::unique_ptr<LogicalOperator>;

/// Rows known at plan time (dual, VALUES, information_schema).
struct LogicalValues : LogicalOperator {
    LogicalValues() : LogicalOperator(LogicalOperatorType::VALUES) {}
    std::vector<std::vector<Value>> rows;
    std::string ToString() const override { return "VALUES (" + std::to_string(rows.size()) + " rows)"; }
};

struct LogicalFilter : LogicalOperator {
    LogicalFilter() : LogicalOperator(LogicalOperatorType::FILTER) {}
    BoundExprPtr condition;
    std::string ToString() const override { return "FILTER " + condition->ToString(); }
};

struct LogicalProjection : LogicalOperator {
    LogicalProjection() : LogicalOperator(LogicalOperatorType::PROJECTION) {}
    std::vector<BoundExprPtr> expressions;
    std::string ToString() const override {
        std::string s = "PROJECT ";
        for (size_t i = 0; i < expressions.size(); ++i) s += (i ? ", " : "") + expressions[i]->ToString();
        return s;
    }
};

struct LogicalOrderBy : LogicalOperator {
    LogicalOrderBy() : LogicalOperator(LogicalOperatorType::ORDER_BY) {}
    std::vector<BoundOrderBy> orders;
    std::string ToString() const override {
        std::string s = "ORDER BY ";
        for (size_t i = 0; i < orders.size(); ++i) {
            s += (i ? ", " : "") + orders[i].expr->ToString() + (orders[i].ascending ? " ASC" : " DESC");
        }
        return s;
    }
};

struct LogicalLimit : LogicalOperator {
    LogicalLimit() : LogicalOperator(LogicalOperatorType::LIMIT) {}
    std::optional<int64_t> limit;
    int64_t offset = 0;
    std::string ToString() const override {
        return "LIMIT " + (limit ? std::to_string(*limit) : std::string("ALL")) + " OFFSET " + std::to_string(offset);
    }
};

/// Renders a plan as an indented tree, one operator per line.
std::string PlanToString(const LogicalOperator& root);

}  // namespace floe
