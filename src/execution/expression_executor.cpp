#include "execution/expression_executor.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "binder/expression_walker.h"
#include "common/exception.h"
#include "function/cast.h"
#include "types/array.h"

namespace floe {

void CommonSubexpressions::Build(const std::vector<const BoundExpression*>& roots) {
    // Count each computing node's structure, then number the ones seen more than once.
    std::unordered_map<std::string, int> seen;
    std::vector<std::pair<const BoundExpression*, std::string>> nodes;
    std::function<void(const BoundExpression&)> walk = [&](const BoundExpression& e) {
        if (e.kind == BoundExprKind::COLUMN_REF) return;
        std::string text = StructuralKey(e);
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

namespace {

/// `rows` rows that all reference row 0 of `src` (strings share its heap).
std::shared_ptr<Column> Broadcast(const std::shared_ptr<const Column>& src, size_t rows) {
    std::vector<uint32_t> zeros(rows, 0);
    auto out = std::make_shared<Column>(src->type(), rows);
    out->AppendRowsReferencing(src, zeros.data(), rows);
    return out;
}

/// Runs `kernel` over `args` encoded as constants and dictionary columns: once on one row when
/// every argument is constant (the result is constant), once per dictionary entry when the other
/// arguments are dictionary-coded by the same codes (one column, or results computed from it, as
/// in `s = 'a' OR s = 'b'`) (the result is gathered by the codes and keeps them as its own).
/// nullptr when the arguments are not encoded so, or the dictionary is not much smaller than the
/// rows.
std::shared_ptr<Column> EvaluateEncoded(const ScalarKernel& kernel, const LogicalType& type,
                                        const std::vector<std::shared_ptr<Column>>& args, size_t rows) {
    if (args.empty() || rows < 2) return nullptr;
    int dict_arg = -1;
    size_t entries = SIZE_MAX;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i]->is_constant()) continue;
        if (!args[i]->dictionary()) return nullptr;
        if (dict_arg >= 0 && args[i]->codes() != args[dict_arg]->codes()) return nullptr;
        if (dict_arg < 0) dict_arg = static_cast<int>(i);
        entries = std::min(entries, args[i]->dictionary()->size());
    }
    if (dict_arg < 0) {
        std::vector<std::shared_ptr<Column>> one;
        std::vector<const Column*> ptrs;
        uint32_t zero = 0;
        for (const auto& a : args) {
            auto c = std::make_shared<Column>(a->type(), 1);
            c->AppendRowsReferencing(a, &zero, 1);
            ptrs.push_back(c.get());
            one.push_back(std::move(c));
        }
        auto value = std::make_shared<Column>(type, 1);
        value->Resize(1);
        kernel(ptrs, 1, *value);
        auto out = Broadcast(value, rows);
        out->MarkConstant();
        return out;
    }
    const Column& coded = *args[dict_arg];
    if (entries == 0 || entries * 2 > rows) return nullptr;
    // Rows NULL in the coded arguments take entry `entries`, where every coded argument is NULL.
    // A row NULL in some of them only has no such entry (if(TRUE, c, if(FALSE, c, NULL)): the
    // inner result is NULL where c is not, and both are coded by c's codes): no shortcut then,
    // since a function need not be NULL when one argument is.
    std::vector<uint8_t> null_row(rows, 0), all_null(rows, 1);
    bool null_rows = false;
    for (const auto& a : args) {
        if (a->is_constant()) continue;
        const uint8_t* nulls = a->nulls();
        for (size_t r = 0; r < rows; ++r) {
            uint8_t n = nulls[r] != 0;
            null_row[r] |= n;
            all_null[r] &= n;
        }
    }
    for (size_t r = 0; r < rows; ++r) {
        if (null_row[r] != all_null[r]) return nullptr;
        null_rows |= null_row[r] != 0;
    }
    // The function of each entry (and of NULL, entry `entries`, when some rows are NULL).
    const size_t n = entries + (null_rows ? 1 : 0);
    std::vector<std::shared_ptr<Column>> per_entry;
    std::vector<const Column*> ptrs;
    for (size_t i = 0; i < args.size(); ++i) {
        std::shared_ptr<Column> c;
        if (!args[i]->is_constant()) {
            const auto& dict = args[i]->shared_dictionary();
            c = std::make_shared<Column>(dict->type(), n);
            c->AppendRowsReferencing(dict, nullptr, entries);
            if (null_rows) c->Append(Value::Null(dict->type()));
        } else {
            c = Broadcast(args[i], n);
        }
        ptrs.push_back(c.get());
        per_entry.push_back(std::move(c));
    }
    auto values = std::make_shared<Column>(type, n);
    values->Resize(n);
    kernel(ptrs, n, *values);
    const uint16_t* codes = coded.codes();
    std::vector<uint32_t> map(rows);
    for (size_t r = 0; r < rows; ++r) map[r] = null_row[r] ? static_cast<uint32_t>(entries) : codes[r];
    auto out = std::make_shared<Column>(type, rows);
    out->AppendRowsReferencing(values, map.data(), rows);
    // The result is coded as the argument was when its NULL rows stay NULL.
    if (!null_rows || values->IsNull(entries)) out->SetDictionary(values, coded.codes_owner(), codes);
    return out;
}

/// CAST as a one-argument kernel.
void CastKernel(const std::vector<const Column*>& args, size_t rows, Column& result) {
    CastColumn(*args[0], rows, result);
}

}  // namespace

/// A lambda body over the elements of the array arguments: parameter k is column k, holding the
/// elements of array k of every row in turn (rows where an array is NULL give none); arrays of one
/// row must be equally long. The kernel walks the arrays again to split the result by row.
std::shared_ptr<Column> EvaluateLambda(const BoundExpression& body, const std::vector<const Column*>& arrays,
                                       size_t rows) {
    std::vector<std::shared_ptr<Column>> params;
    for (const Column* a : arrays) params.push_back(std::make_shared<Column>(a->type().Element(), 0));
    size_t total = 0;
    for (size_t i = 0; i < rows; ++i) {
        bool null_row = false;
        for (const Column* a : arrays) null_row = null_row || a->IsNull(i);
        if (null_row) continue;
        size_t length = 0;
        for (size_t k = 0; k < arrays.size(); ++k) {
            ArrayReader r(arrays[k]->Strings()[i].view(), arrays[k]->type().Element());
            if (k > 0 && r.size() != length) {
                throw ExecutionError("the arrays of a lambda function must have the same length, not " +
                                         std::to_string(length) + " and " + std::to_string(r.size()),
                                     ErrorCode::WRONG_ARGUMENTS);
            }
            length = r.size();
            for (size_t e = 0; e < r.size(); ++e) params[k]->Append(r.Get(e));
        }
        total += length;
    }
    Chunk elements;
    for (auto& p : params) elements.AddColumn(std::move(p));
    elements.SetSize(total);
    return ExpressionExecutor::Evaluate(body, elements, total);
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
            result->MarkConstant();
            break;
        }
        case BoundExprKind::COLUMN_REF:
            return input.shared_column(static_cast<const BoundColumnRef&>(expr).index);
        case BoundExprKind::CAST: {
            const auto& cast = static_cast<const BoundCast&>(expr);
            auto child = Evaluate(*cast.child, input, rows, common, memo);
            result = EvaluateEncoded(CastKernel, expr.type, {child}, rows);
            if (result) break;
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
            if (fn.lambda) {
                owned.push_back(EvaluateLambda(*fn.lambda, args, rows));
                args.push_back(owned.back().get());
                result = std::make_shared<Column>(expr.type, rows);
                result->Resize(rows);
                fn.function.kernel(args, rows, *result);
                break;
            }
            if (fn.function.deterministic) {
                result = EvaluateEncoded(fn.function.kernel, expr.type, owned, rows);
                if (result) break;
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
        const auto& src = input.shared_column(c);
        auto col = std::make_shared<Column>(src->type(), gather ? n : 0);
        if (gather) {
            col->AppendRowsReferencing(src, rows, n);
            // The gathered rows keep their encoding.
            if (src->is_constant()) {
                col->MarkConstant();
            } else if (src->dictionary()) {
                auto codes = std::make_shared<std::vector<uint16_t>>(n);
                for (size_t i = 0; i < n; ++i) (*codes)[i] = src->codes()[rows[i]];
                col->SetDictionary(src->shared_dictionary(), codes, codes->data());
            }
        }
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
