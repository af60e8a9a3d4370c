#include "execution/expression_executor.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "binder/expression_walker.h"
#include "common/exception.h"
#include "function/cast.h"

namespace floe {

void CommonSubexpressions::Build(const std::vector<const BoundExpression*>& roots) {
    // Count each computing node's text, then number the texts seen more than once.
    std::unordered_map<std::string, int> seen;
    std::vector<std::pair<const BoundExpression*, std::string>> nodes;
    std::function<void(const BoundExpression&)> walk = [&](const BoundExpression& e) {
        if (e.kind == BoundExprKind::COLUMN_REF) return;
        std::string text = e.ToString() + "::" + e.type.ToString();
        ++seen[text];
        nodes.emplace_back(&e, text);
        if (e.kind == BoundExprKind::CAST) walk(*static_cast<const BoundCast&>(e).child);
        if (e.kind == BoundExprKind::FUNCTION) {
            for (const auto& a : static_cast<const BoundFunction&>(e).args) walk(*a);
        }
    };
    for (const BoundExpression* r : roots) walk(*r);
    std::unordered_map<std::string, int> numbers;
    for (const auto& [node, text] : nodes) {
        if (seen[text] < 2) continue;
        auto [it, added] = numbers.emplace(text, static_cast<int>(count_));
        if (added) ++count_;
        ids_[node] = it->second;
    }
}

std::shared_ptr<Column> ExpressionExecutor::Evaluate(const BoundExpression& expr, const Chunk& input, size_t rows,
                                                     const CommonSubexpressions& common,
                                                     std::vector<std::shared_ptr<Column>>& memo) {
    int id = common.IdOf(&expr);
    if (id >= 0 && memo[id]) return memo[id];
    std::shared_ptr<Column> result;
    switch (expr.kind) {
        case BoundExprKind::CONSTANT: {
            const Value& v = static_cast<const BoundConstant&>(expr).value;
            result = std::make_shared<Column>(expr.type, rows);
            result->Resize(rows);
            if (v.is_null()) {
                std::fill(result->nulls(), result->nulls() + rows, 1);
            } else {
                // One typed store, then byte copies (strings share the one heap copy).
                if (rows > 0) result->SetValue(0, v);
                size_t width = expr.type.PhysicalSize();
                uint8_t* data = result->Data<uint8_t>();
                for (size_t done = 1; done < rows; done *= 2) {
                    std::memcpy(data + done * width, data, std::min(done, rows - done) * width);
                }
            }
            break;
        }
        case BoundExprKind::COLUMN_REF:
            return input.shared_column(static_cast<const BoundColumnRef&>(expr).index);
        case BoundExprKind::CAST: {
            const auto& cast = static_cast<const BoundCast&>(expr);
            auto child = Evaluate(*cast.child, input, rows, common, memo);
            result = std::make_shared<Column>(expr.type, rows);
            result->Resize(rows);
            CastColumn(*child, rows, *result);
            break;
        }
        case BoundExprKind::FUNCTION: {
            const auto& fn = static_cast<const BoundFunction&>(expr);
            std::vector<std::shared_ptr<Column>> owned;
            std::vector<const Column*> args;
            owned.reserve(fn.args.size());
            for (const auto& a : fn.args) {
                owned.push_back(Evaluate(*a, input, rows, common, memo));
                args.push_back(owned.back().get());
            }
            result = std::make_shared<Column>(expr.type, rows);
            result->Resize(rows);
            fn.function.kernel(args, rows, *result);
            break;
        }
    }
    if (!result) throw InternalError("unknown bound expression kind");
    if (id >= 0) memo[id] = result;
    return result;
}

std::shared_ptr<Column> ExpressionExecutor::Evaluate(const BoundExpression& expr, const Chunk& input, size_t rows) {
    static const CommonSubexpressions kNone;
    std::vector<std::shared_ptr<Column>> memo;
    return Evaluate(expr, input, rows, kNone, memo);
}

Value ExpressionExecutor::EvaluateConstant(const BoundExpression& expr) {
    Chunk empty;
    auto col = Evaluate(expr, empty, 1);
    return col->GetValue(0);
}

Chunk ExpressionExecutor::Gather(const Chunk& input, const uint32_t* rows, size_t n, const std::vector<bool>& needed) {
    Chunk out;
    for (size_t c = 0; c < input.column_count(); ++c) {
        bool gather = c < needed.size() && needed[c];
        auto col = std::make_shared<Column>(input.column(c).type(), gather ? n : 0);
        if (gather) col->AppendRowsReferencing(input.shared_column(c), rows, n);
        out.AddColumn(std::move(col));
    }
    out.SetSize(n);
    return out;
}

bool ExpressionExecutor::NoteInputs(const BoundExpression& expr, std::vector<bool>& needed) {
    ForEachColumn(expr, [&](size_t i) {
        if (i < needed.size()) needed[i] = true;
    });
    return expr.kind != BoundExprKind::COLUMN_REF && expr.kind != BoundExprKind::CONSTANT;
}

std::vector<bool> ExpressionExecutor::ColumnsRead(const BoundExpression& expr, size_t columns) {
    std::vector<bool> read(columns, false);
    ForEachColumn(expr, [&](size_t i) {
        if (i < columns) read[i] = true;
    });
    return read;
}

}  // namespace floe
