#include "server/result_builder.h"

#include "binder/binder.h"
#include "execution/expression_executor.h"
#include "function/cast.h"
#include "function/like_matcher.h"

namespace floe {

void ResultBuilder::AddColumn(std::string name, LogicalType type, bool nullable) {
    ResultColumn c;
    c.name = std::move(name);
    c.org_name = c.name;
    c.type = type;
    c.nullable = nullable;
    columns_.push_back(std::move(c));
}

void ResultBuilder::AddRow(std::vector<Value> row) {
    rows_.push_back(std::move(row));
}

void ResultBuilder::FilterLike(const std::string& pattern) {
    std::vector<std::vector<Value>> kept;
    for (auto& r : rows_) {
        if (!r[0].is_null() && LikeMatch(r[0].ToString(), pattern, '\\', true)) kept.push_back(std::move(r));
    }
    rows_ = std::move(kept);
}

void ResultBuilder::FilterWhere(ClientContext& context, const ast::Expr& where) {
    std::vector<ScopeColumn> scope;
    for (const auto& c : columns_) scope.push_back({"", c.name, c.type, c.nullable});
    Binder binder(context);
    BoundExprPtr cond = AddCastIfNeeded(binder.BindExpression(where, scope), TypeId::BOOLEAN);
    std::vector<LogicalType> types;
    for (const auto& c : columns_) types.push_back(c.type);
    Chunk chunk(types, rows_.size());
    chunk.SetSize(rows_.size());
    for (size_t r = 0; r < rows_.size(); ++r) {
        for (size_t c = 0; c < columns_.size(); ++c) {
            const Value& v = rows_[r][c];
            chunk.column(c).SetValue(r, v.is_null() || v.type() == types[c] ? v : CastValue(v, types[c]));
        }
    }
    auto mask = ExpressionExecutor::Evaluate(*cond, chunk, rows_.size());
    std::vector<std::vector<Value>> kept;
    for (size_t r = 0; r < rows_.size(); ++r) {
        if (!mask->IsNull(r) && mask->Data<uint8_t>()[r]) kept.push_back(std::move(rows_[r]));
    }
    rows_ = std::move(kept);
}

QueryResult ResultBuilder::Build() const {
    QueryResult result;
    result.has_result_set = true;
    result.columns = columns_;
    std::vector<LogicalType> types;
    for (const auto& c : columns_) types.push_back(c.type);
    for (size_t start = 0; start < rows_.size(); start += kChunkCapacity) {
        size_t n = std::min(kChunkCapacity, rows_.size() - start);
        Chunk chunk(types, n);
        chunk.SetSize(n);
        for (size_t r = 0; r < n; ++r) {
            for (size_t c = 0; c < types.size(); ++c) {
                const Value& v = rows_[start + r][c];
                chunk.column(c).SetValue(r, v.is_null() || v.type() == types[c] ? v : CastValue(v, types[c]));
            }
        }
        result.chunks.push_back(std::move(chunk));
    }
    return result;
}

}  // namespace floe
