// Function calls (with DISTINCT, ORDER BY, SEPARATOR and the special forms), OVER (...) window
// specifications and array literals.
#include <fmt/format.h>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include "common/ascii.h"
#include "common/exception.h"
#include "common/number_text.h"
#include "parser/parser_impl.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe {

using namespace ast;

ExprPtr ParserImpl::ParseFunctionCall(std::string name, SourceLocation loc) {
    auto f = std::make_unique<FunctionCallExpr>();
    f->name = AsciiLower(name);
    f->location = loc;
    ExpectOp("(");
    EnterNesting();
    const std::string& n = f->name;
    if (n == "extract") {
        if (Cur().type != TokenType::IDENTIFIER) Error("a date part");
        auto unit = std::make_unique<LiteralExpr>();
        unit->value = Value::Varchar(AsciiLower(Cur().text));
        Advance();
        ExpectKeyword("FROM");
        f->args.push_back(std::move(unit));
        f->args.push_back(ParseExpression());
        ExpectOp(")");
        LeaveNesting();
        return f;
    }
    if ((n == "timestampdiff" || n == "timestampadd") && Cur().type != TokenType::STRING &&
        PeekToken().type == TokenType::OPERATOR && PeekToken().text == ",") {
        // TIMESTAMPDIFF(MONTH, a, b): the unit word becomes a string argument.
        auto unit = std::make_unique<LiteralExpr>();
        unit->value = Value::Varchar(AsciiLower(Cur().text));
        f->args.push_back(std::move(unit));
        Advance();
        ExpectOp(",");
    }
    if (n == "trim" && (IsKeyword("BOTH") || IsKeyword("LEADING") || IsKeyword("TRAILING"))) {
        std::string mode = AsciiUpper(Cur().text);
        Advance();
        f->name = mode == "LEADING" ? "ltrim" : (mode == "TRAILING" ? "rtrim" : "trim");
        ExprPtr chars;
        if (!IsKeyword("FROM")) chars = ParseExpression();
        ExpectKeyword("FROM");
        f->args.push_back(ParseExpression());
        if (chars) f->args.push_back(std::move(chars));
        ExpectOp(")");
        LeaveNesting();
        return f;
    }
    if (n == "position") {
        auto needle = ParseBitOr();
        ExpectKeyword("IN");
        f->name = "locate";
        f->args.push_back(std::move(needle));
        f->args.push_back(ParseExpression());
        ExpectOp(")");
        LeaveNesting();
        return f;
    }
    if (AcceptOp("*")) {
        f->star = true;
        ExpectOp(")");
        LeaveNesting();
        ParseWindowSpec(*f);
        return f;
    }
    if (!IsOp(")")) {
        if (AcceptKeyword("DISTINCT"))
            f->distinct = true;
        else
            AcceptKeyword("ALL");
        do {
            if (IsKeyword("INTERVAL")) {
                Advance();
                f->args.push_back(ParseInterval());
            } else if (size_t arrow = LambdaArrowAt(); arrow > 0) {
                // x -> body, (x, y) -> body: a lambda argument (a string after -> is JSON's arrow).
                auto lambda = std::make_unique<LambdaExpr>();
                lambda->location = Loc();
                AcceptOp("(");
                while (!IsOp("->")) {
                    lambda->params.push_back(AsciiLower(Cur().text));
                    Advance();
                    AcceptOp(",");
                    AcceptOp(")");
                }
                Advance();
                lambda->body = ParseExpression();
                f->args.push_back(std::move(lambda));
            } else {
                f->args.push_back(ParseExpression());
            }
            if ((n == "substring" || n == "substr") && IsKeyword("FROM")) {
                Advance();
                f->args.push_back(ParseExpression());
                if (AcceptKeyword("FOR")) f->args.push_back(ParseExpression());
                break;
            }
        } while (AcceptOp(","));
        if (IsKeyword("ORDER")) {
            Advance();
            ExpectKeyword("BY");
            f->order_by = ParseOrderByList();
        }
        if (AcceptKeyword("SEPARATOR")) {
            if (Cur().type != TokenType::STRING) Error("a separator string");
            f->separator = Cur().text;
            Advance();
        }
    }
    ExpectOp(")");
    LeaveNesting();
    ParseWindowSpec(*f);
    return f;
}

void ParserImpl::ParseWindowSpec(FunctionCallExpr& call) {
    if (AcceptKeyword("OVER")) {
        auto w = std::make_shared<WindowSpec>();
        ExpectOp("(");
        if (AcceptKeyword("PARTITION")) {
            ExpectKeyword("BY");
            do {
                w->partition_by.push_back(ParseExpression());
            } while (AcceptOp(","));
        }
        if (IsKeyword("ORDER")) {
            Advance();
            ExpectKeyword("BY");
            w->order_by = ParseOrderByList();
        }
        if (IsKeyword("ROWS") || IsKeyword("RANGE")) {
            w->has_frame = true;
            w->rows = IsKeyword("ROWS");
            Advance();
            auto bound = [&]() {
                FrameBound b;
                if (AcceptKeyword("UNBOUNDED")) {
                    if (AcceptKeyword("PRECEDING")) {
                        b.kind = FrameBound::UNBOUNDED_PRECEDING;
                    } else {
                        ExpectKeyword("FOLLOWING");
                        b.kind = FrameBound::UNBOUNDED_FOLLOWING;
                    }
                } else if (AcceptKeyword("CURRENT")) {
                    ExpectKeyword("ROW");
                    b.kind = FrameBound::CURRENT_ROW;
                } else {
                    if (Cur().type != TokenType::INTEGER) Error("UNBOUNDED, CURRENT ROW or a row count");
                    auto offset = ParseInt64(Cur().text);
                    if (!offset) Error("a row count of at most 9223372036854775807");
                    b.offset = *offset;
                    Advance();
                    if (AcceptKeyword("PRECEDING")) {
                        b.kind = FrameBound::PRECEDING;
                    } else {
                        ExpectKeyword("FOLLOWING");
                        b.kind = FrameBound::FOLLOWING;
                    }
                }
                return b;
            };
            if (AcceptKeyword("BETWEEN")) {
                w->start = bound();
                ExpectKeyword("AND");
                w->end = bound();
            } else {
                w->start = bound();
                w->end.kind = FrameBound::CURRENT_ROW;
            }
        }
        ExpectOp(")");
        call.over = std::move(w);
    }
}

size_t ParserImpl::LambdaArrowAt() const {
    auto is_name = [](const Token& t) { return t.type == TokenType::IDENTIFIER; };
    size_t k = 0;
    if (is_name(Cur())) {
        k = 1;
    } else if (IsOp("(")) {
        // (x, y, ...) followed by ->
        k = 1;
        while (true) {
            if (!is_name(PeekToken(k))) return 0;
            ++k;
            if (IsOpAt(PeekToken(k), ")")) break;
            if (!IsOpAt(PeekToken(k), ",")) return 0;
            ++k;
        }
        ++k;
    } else {
        return 0;
    }
    if (!IsOpAt(PeekToken(k), "->") || PeekToken(k + 1).type == TokenType::STRING) return 0;
    return k;
}

ExprPtr ParserImpl::ParseArrayLiteral(SourceLocation loc) {
    ExpectOp("[");
    auto f = std::make_unique<FunctionCallExpr>();
    f->name = "array";
    f->location = loc;
    if (!IsOp("]")) {
        do {
            f->args.push_back(ParseExpression());
        } while (AcceptOp(","));
    }
    ExpectOp("]");
    return f;
}

}  // namespace floe
