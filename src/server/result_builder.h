#pragma once
/// Builds small result sets (SHOW output, EXPLAIN) from rows of Values, with optional LIKE
/// filtering on the first column and WHERE filtering evaluated by the engine.

#include <string>
#include <vector>

#include "binder/client_context.h"
#include "parser/ast/expression.h"
#include "server/query_result.h"

namespace floe {

class ResultBuilder {
  public:
    void AddColumn(std::string name, LogicalType type = LogicalType::Varchar(64), bool nullable = true);
    void AddRow(std::vector<Value> row);
    /// Keeps rows whose first column matches the LIKE pattern (case-insensitive, as MySQL's SHOW).
    void FilterLike(const std::string& pattern);
    /// Keeps rows for which `where` (over the result's column names) is TRUE.
    void FilterWhere(ClientContext& context, const ast::Expr& where);
    QueryResult Build() const;

  private:
    std::vector<ResultColumn> columns_;
    std::vector<std::vector<Value>> rows_;
};

}  // namespace floe
