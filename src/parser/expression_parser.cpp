// Expressions, with MySQL's operator precedence (lowest first):
// OR ||, XOR, AND &&, NOT, comparison/IS/LIKE/IN/BETWEEN, |, &, << >>, + -, * / DIV % MOD, ^,
// unary - + ~ !, postfix (::type, ->), primary.
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

ExprPtr ParserImpl::MakeBinary(BinaryOp op, ExprPtr l, ExprPtr r, SourceLocation loc) {
    auto b = std::make_unique<BinaryExpr>();
    b->op = op;
    b->left = std::move(l);
    b->right = std::move(r);
    b->location = loc;
    return b;
}

ExprPtr ParserImpl::MakeRowSubquery(ExprPtr row, BinaryOp op, bool all, bool negated, std::unique_ptr<QueryNode> query,
                                    SourceLocation loc) {
    // (a, b) op ANY (q)  =  EXISTS (SELECT 1 FROM (q) AS __row_subquery(__row_1, __row_2)
    //                               WHERE (a, b) op (__row_1, __row_2))
    // (a, b) op ALL (q)  =  NOT EXISTS (... WHERE NOT coalesce((a, b) op (...), FALSE))
    // The row comparison expands in the binder. Where a comparison is unknown (NULLs) the result
    // is FALSE rather than NULL.
    auto& items = static_cast<RowExpr&>(*row).items;
    auto derived = std::make_unique<SubqueryTableRef>();
    derived->location = loc;
    derived->alias = "__row_subquery";
    derived->query = std::move(query);
    auto rhs = std::make_unique<RowExpr>();
    rhs->location = loc;
    for (size_t i = 0; i < items.size(); ++i) {
        std::string name = "__row_" + std::to_string(i + 1);
        derived->column_aliases.push_back(name);
        auto ref = std::make_unique<ColumnRefExpr>();
        ref->location = loc;
        ref->parts = {"__row_subquery", name};
        rhs->items.push_back(std::move(ref));
    }
    ExprPtr compare = MakeBinary(op, std::move(row), std::move(rhs), loc);
    if (all) {
        auto coalesce = std::make_unique<FunctionCallExpr>();
        coalesce->location = loc;
        coalesce->name = "coalesce";
        coalesce->args.push_back(std::move(compare));
        auto no = std::make_unique<LiteralExpr>();
        no->location = loc;
        no->value = Value::Boolean(false);
        coalesce->args.push_back(std::move(no));
        auto negate = std::make_unique<UnaryExpr>();
        negate->location = loc;
        negate->op = UnaryOp::NOT;
        negate->operand = std::move(coalesce);
        compare = std::move(negate);
    }
    auto select = std::make_unique<SelectNode>();
    select->location = loc;
    SelectItem one;
    auto lit = std::make_unique<LiteralExpr>();
    lit->location = loc;
    lit->value = Value::Integer(1);
    one.expr = std::move(lit);
    one.text = "1";
    select->select_list.push_back(std::move(one));
    select->from = std::move(derived);
    select->where = std::move(compare);
    auto exists = std::make_unique<SubqueryExpr>();
    exists->location = loc;
    exists->subquery_kind = SubqueryKind::EXISTS;
    exists->query = std::move(select);
    exists->negated = all != negated;
    return exists;
}

namespace {

/// operands[begin, end) joined by `op`, halves first: the left half takes the extra operand, so
/// up to three operands keep the left-deep shape ((a op b) op c).
ExprPtr BuildBalanced(BinaryOp op, std::vector<ExprPtr>& operands, size_t begin, size_t end, SourceLocation loc) {
    if (end - begin == 1) return std::move(operands[begin]);
    size_t mid = begin + (end - begin + 1) / 2;
    auto b = std::make_unique<BinaryExpr>();
    b->op = op;
    b->left = BuildBalanced(op, operands, begin, mid, loc);
    b->right = BuildBalanced(op, operands, mid, end, loc);
    b->location = loc;
    return b;
}

}  // namespace

ExprPtr ParserImpl::ParseAssociative(BinaryOp op, bool (ParserImpl::*accept_operator)(),
                                     ExprPtr (ParserImpl::*parse_operand)()) {
    auto loc = Loc();
    const int outer_peak = peak_;
    peak_ = depth_;
    std::vector<ExprPtr> operands;
    operands.push_back((this->*parse_operand)());
    int operand_peak = peak_;
    while ((this->*accept_operator)()) {
        peak_ = depth_;
        operands.push_back((this->*parse_operand)());
        operand_peak = std::max(operand_peak, peak_);
    }
    int levels = 0;
    while ((size_t{1} << levels) < operands.size()) ++levels;
    CheckHeight(operand_peak + levels);
    peak_ = std::max(outer_peak, operand_peak + levels);
    return BuildBalanced(op, operands, 0, operands.size(), loc);
}

bool ParserImpl::AcceptOr() {
    return AcceptKeyword("OR") || AcceptOp("||");
}
bool ParserImpl::AcceptXor() {
    return AcceptKeyword("XOR");
}
bool ParserImpl::AcceptAnd() {
    return AcceptKeyword("AND") || AcceptOp("&&");
}

ExprPtr ParserImpl::ParseOr() {
    return ParseAssociative(BinaryOp::OR, &ParserImpl::AcceptOr, &ParserImpl::ParseXor);
}

ExprPtr ParserImpl::ParseXor() {
    return ParseAssociative(BinaryOp::XOR, &ParserImpl::AcceptXor, &ParserImpl::ParseAnd);
}

ExprPtr ParserImpl::ParseAnd() {
    return ParseAssociative(BinaryOp::AND, &ParserImpl::AcceptAnd, &ParserImpl::ParseNot);
}

ExprPtr ParserImpl::ParseNot() {
    if (IsKeyword("NOT") && !IsKeywordAt(PeekToken(), "EXISTS")) {
        auto loc = Loc();
        Advance();
        EnterNesting();
        auto u = std::make_unique<UnaryExpr>();
        u->op = UnaryOp::NOT;
        u->operand = ParseNot();
        u->location = loc;
        LeaveNesting();
        return u;
    }
    return ParseComparison();
}

ExprPtr ParserImpl::ParseComparison() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseBitOr();
    while (true) {
        static const std::pair<const char*, BinaryOp> kOps[] = {
            {"=", BinaryOp::EQUAL},      {"<=>", BinaryOp::NULL_SAFE_EQUAL},
            {"<>", BinaryOp::NOT_EQUAL}, {"!=", BinaryOp::NOT_EQUAL},
            {"<", BinaryOp::LESS},       {"<=", BinaryOp::LESS_EQUAL},
            {">", BinaryOp::GREATER},    {">=", BinaryOp::GREATER_EQUAL}};
        bool matched = false;
        for (const auto& [sym, op] : kOps) {
            if (IsOp(sym)) {
                Advance();
                chain.Link();
                matched = true;
                // x op ANY|SOME|ALL (subquery)
                if ((IsKeyword("ANY") || IsKeyword("SOME") || IsKeyword("ALL")) &&
                    PeekToken().type == TokenType::OPERATOR && PeekToken().text == "(") {
                    bool all = IsKeyword("ALL");
                    Advance();
                    ExpectOp("(");
                    auto sq = std::make_unique<SubqueryExpr>();
                    sq->location = loc;
                    sq->subquery_kind = all ? SubqueryKind::ALL : SubqueryKind::ANY;
                    sq->compare = op;
                    sq->lhs = std::move(left);
                    sq->query = ParseQuery();
                    ExpectOp(")");
                    if (sq->lhs->kind == ExprKind::ROW) {
                        left = MakeRowSubquery(std::move(sq->lhs), op, all, false, std::move(sq->query), loc);
                    } else {
                        left = std::move(sq);
                    }
                } else {
                    left = MakeBinary(op, std::move(left), ParseBitOr(), loc);
                }
                break;
            }
        }
        if (matched) continue;
        if (IsKeyword("IS")) {
            Advance();
            chain.Link();
            bool negated = AcceptKeyword("NOT");
            if (AcceptKeyword("NULL")) {
                auto n = std::make_unique<IsNullExpr>();
                n->expr = std::move(left);
                n->negated = negated;
                n->location = loc;
                left = std::move(n);
            } else if (IsKeyword("TRUE") || IsKeyword("FALSE")) {
                bool want = IsKeyword("TRUE");
                Advance();
                // a IS [NOT] TRUE -> coalesce(a = TRUE, FALSE) [negated]
                auto lit = std::make_unique<LiteralExpr>();
                lit->value = Value::Boolean(want);
                auto cmp = MakeBinary(BinaryOp::NULL_SAFE_EQUAL, std::move(left), std::move(lit), loc);
                if (negated) {
                    auto u = std::make_unique<UnaryExpr>();
                    u->op = UnaryOp::NOT;
                    u->operand = std::move(cmp);
                    u->location = loc;
                    left = std::move(u);
                } else {
                    left = std::move(cmp);
                }
            } else {
                Error("NULL, TRUE or FALSE");
            }
            continue;
        }
        bool negated = false;
        if (IsKeyword("NOT") && (IsKeywordAt(PeekToken(), "LIKE") || IsKeywordAt(PeekToken(), "IN") ||
                                 IsKeywordAt(PeekToken(), "BETWEEN") || IsKeywordAt(PeekToken(), "REGEXP") ||
                                 IsKeywordAt(PeekToken(), "RLIKE"))) {
            Advance();
            negated = true;
        }
        if (IsKeyword("LIKE") || IsKeyword("REGEXP") || IsKeyword("RLIKE")) {
            bool regexp = !IsKeyword("LIKE");
            Advance();
            chain.Link();
            auto l = std::make_unique<LikeExpr>();
            l->expr = std::move(left);
            l->pattern = ParseBitOr();
            l->regexp = regexp;
            l->negated = negated;
            l->location = loc;
            if (!regexp && AcceptKeyword("ESCAPE")) l->escape = ParsePrimary();
            left = std::move(l);
            continue;
        }
        if (AcceptKeyword("IN")) {
            chain.Link();
            ExpectOp("(");
            if (ContentIsQuery(0)) {
                auto sq = std::make_unique<SubqueryExpr>();
                sq->location = loc;
                sq->subquery_kind = SubqueryKind::IN;
                sq->lhs = std::move(left);
                sq->negated = negated;
                sq->query = ParseQuery();
                ExpectOp(")");
                if (sq->lhs->kind == ExprKind::ROW) {
                    left =
                        MakeRowSubquery(std::move(sq->lhs), BinaryOp::EQUAL, false, negated, std::move(sq->query), loc);
                } else {
                    left = std::move(sq);
                }
                continue;
            }
            auto in = std::make_unique<InListExpr>();
            in->expr = std::move(left);
            in->negated = negated;
            in->location = loc;
            do {
                in->list.push_back(ParseExpression());
            } while (AcceptOp(","));
            ExpectOp(")");
            left = std::move(in);
            continue;
        }
        if (AcceptKeyword("BETWEEN")) {
            chain.Link();
            auto b = std::make_unique<BetweenExpr>();
            b->expr = std::move(left);
            b->low = ParseBitOr();
            ExpectKeyword("AND");
            b->high = ParseBitOr();
            b->negated = negated;
            b->location = loc;
            left = std::move(b);
            continue;
        }
        if (negated) Error("LIKE, IN, BETWEEN or REGEXP");
        return left;
    }
}

ExprPtr ParserImpl::ParseBitOr() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseBitAnd();
    while (AcceptOp("|")) {
        chain.Link();
        left = MakeBinary(BinaryOp::BIT_OR, std::move(left), ParseBitAnd(), loc);
    }
    return left;
}

ExprPtr ParserImpl::ParseBitAnd() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseShift();
    while (AcceptOp("&")) {
        chain.Link();
        left = MakeBinary(BinaryOp::BIT_AND, std::move(left), ParseShift(), loc);
    }
    return left;
}

ExprPtr ParserImpl::ParseShift() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseAdditive();
    while (true) {
        BinaryOp op;
        if (AcceptOp("<<"))
            op = BinaryOp::SHIFT_LEFT;
        else if (AcceptOp(">>"))
            op = BinaryOp::SHIFT_RIGHT;
        else
            return left;
        chain.Link();
        left = MakeBinary(op, std::move(left), ParseAdditive(), loc);
    }
}

ExprPtr ParserImpl::ParseAdditive() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseMultiplicative();
    while (true) {
        BinaryOp op;
        if (AcceptOp("+"))
            op = BinaryOp::ADD;
        else if (AcceptOp("-"))
            op = BinaryOp::SUBTRACT;
        else
            return left;
        chain.Link();
        left = MakeBinary(op, std::move(left), ParseMultiplicative(), loc);
    }
}

ExprPtr ParserImpl::ParseMultiplicative() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseBitXor();
    while (true) {
        BinaryOp op;
        if (AcceptOp("*"))
            op = BinaryOp::MULTIPLY;
        else if (AcceptOp("/"))
            op = BinaryOp::DIVIDE;
        else if (AcceptOp("%") || AcceptKeyword("MOD"))
            op = BinaryOp::MODULO;
        else if (AcceptKeyword("DIV"))
            op = BinaryOp::INT_DIVIDE;
        else
            return left;
        chain.Link();
        left = MakeBinary(op, std::move(left), ParseBitXor(), loc);
    }
}

ExprPtr ParserImpl::ParseBitXor() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr left = ParseUnary();
    while (AcceptOp("^")) {
        chain.Link();
        left = MakeBinary(BinaryOp::BIT_XOR, std::move(left), ParseUnary(), loc);
    }
    return left;
}

ExprPtr ParserImpl::ParseUnary() {
    auto loc = Loc();
    UnaryOp op;
    // -<integer> is one literal, so that LARGEINT's minimum -2^127, whose digits alone do not fit
    // a LARGEINT, can be written (unless a postfix operator, which binds tighter, follows).
    if (IsOp("-") && PeekToken().type == TokenType::INTEGER && !IsOpAt(PeekToken(2), "::") &&
        !IsOpAt(PeekToken(2), "[") && !IsOpAt(PeekToken(2), "->") && !IsOpAt(PeekToken(2), "->>") &&
        !IsKeywordAt(PeekToken(2), "COLLATE")) {
        Advance();
        return ParseNumber(/*negative=*/true);
    }
    if (IsOp("-"))
        op = UnaryOp::NEGATE;
    else if (IsOp("+"))
        op = UnaryOp::PLUS;
    else if (IsOp("~"))
        op = UnaryOp::BIT_NOT;
    else if (IsOp("!"))
        op = UnaryOp::NOT;
    else
        return ParsePostfix();
    Advance();
    EnterNesting();
    auto u = std::make_unique<UnaryExpr>();
    u->op = op;
    u->operand = ParseUnary();
    u->location = loc;
    LeaveNesting();
    return u;
}

ExprPtr ParserImpl::ParsePostfix() {
    auto loc = Loc();
    Chain chain(*this);
    ExprPtr e = ParsePrimary();
    while (true) {
        if (AcceptOp("::")) {
            chain.Link();
            auto c = std::make_unique<CastExpr>();
            c->expr = std::move(e);
            c->target = ParseTypeName();
            c->location = loc;
            e = std::move(c);
        } else if (IsOp("->") || IsOp("->>")) {
            bool unquote = IsOp("->>");
            Advance();
            chain.Link();
            auto f = std::make_unique<FunctionCallExpr>();
            f->name = unquote ? "json_string" : "json_query";
            f->location = loc;
            f->args.push_back(std::move(e));
            f->args.push_back(ParsePrimary());
            e = std::move(f);
        } else if (IsKeyword("COLLATE")) {
            Advance();
            ParseIdentifierOrString("a collation");
        } else if (IsOp("[")) {
            // arr[i]: the i-th element (1-based), as element_at(arr, i).
            Advance();
            chain.Link();
            auto f = std::make_unique<FunctionCallExpr>();
            f->name = "element_at";
            f->location = loc;
            f->args.push_back(std::move(e));
            f->args.push_back(ParseExpression());
            ExpectOp("]");
            e = std::move(f);
        } else {
            return e;
        }
    }
}

double ParserImpl::ParseDoubleLiteral(const std::string& text) const {
    // strtod rather than std::stod, whose out_of_range reached the client as an internal error
    // naming 'stod'. Underflow gives 0 (or the tiny value), as in MySQL.
    errno = 0;
    double d = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(d)) {
        throw ParserError(fmt::format("line {}, column {}: Illegal double '{}' value found during parsing", Cur().line,
                                      Cur().column, text.size() > 64 ? text.substr(0, 64) + "..." : text),
                          ErrorCode::ILLEGAL_VALUE);
    }
    return d;
}

ExprPtr ParserImpl::ParseNumber(bool negative) {
    const Token& t = Cur();
    auto lit = std::make_unique<LiteralExpr>();
    lit->location = Loc();
    std::string text = t.text;
    if (t.type == TokenType::INTEGER) {
        if (negative) text.insert(0, 1, '-');
        // BIGINT, else LARGEINT (39 digits, more than a DECIMAL(38)), else DOUBLE.
        if (auto v = ParseInt64(text)) {
            lit->value = Value::Integer(*v);
        } else if (auto large = ParseInt128(text)) {
            lit->value = Value::LargeInt(*large);
        } else {
            lit->value = Value::Double(ParseDoubleLiteral(text));
        }
    } else if (t.type == TokenType::DECIMAL) {
        size_t dot = text.find('.');
        std::string int_part = text.substr(0, dot);
        std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
        size_t lead = int_part.find_first_not_of('0');
        int int_digits = lead == std::string::npos ? 0 : static_cast<int>(int_part.size() - lead);
        int scale = static_cast<int>(frac.size());
        int precision = std::max(int_digits + scale, 1);
        if (precision > 38 || scale > 38) {
            lit->value = Value::Double(ParseDoubleLiteral(text));
        } else {
            auto d = ParseDecimal(text, precision, scale);
            if (!d)
                lit->value = Value::Double(ParseDoubleLiteral(text));
            else
                lit->value = Value::Decimal(*d, static_cast<uint8_t>(precision), static_cast<uint8_t>(scale));
        }
    } else {
        lit->value = Value::Double(ParseDoubleLiteral(text));
    }
    Advance();
    return lit;
}

LogicalType ParserImpl::ParseTypeName() {
    if (Cur().type != TokenType::IDENTIFIER) Error("a type name");
    std::string name = AsciiUpper(Cur().text);
    Advance();
    // The numbers in parentheses after a type name; one too large for an int64 reads as
    // INT64_MAX, which every check below refuses with MySQL's error for that type.
    auto paren_ints = [&]() {
        std::vector<int64_t> v;
        if (AcceptOp("(")) {
            do {
                if (Cur().type != TokenType::INTEGER) Error("a number");
                v.push_back(ParseInt64(Cur().text).value_or(INT64_MAX));
                Advance();
            } while (AcceptOp(","));
            ExpectOp(")");
        }
        return v;
    };
    // INT(11) and the like: a display width, which MySQL limits to 255.
    auto display_width = [&](const std::vector<int64_t>& v) {
        for (int64_t w : v) {
            if (w > 255) {
                throw ParserError(fmt::format("Display width out of range for '{}' (max = 255)", name),
                                  ErrorCode::TOO_BIG_DISPLAYWIDTH);
            }
        }
    };
    if (name == "BOOLEAN" || name == "BOOL") return TypeId::BOOLEAN;
    // INT1/INT2/INT4/INT8, FLOAT4/FLOAT8: the PostgreSQL (and DuckDB) names of the same types.
    if (name == "TINYINT" || name == "INT1") return display_width(paren_ints()), LogicalType(TypeId::TINYINT);
    // INT16/INT32/INT64 and HUGEINT: DuckDB's names.
    if (name == "SMALLINT" || name == "INT2" || name == "INT16") {
        return display_width(paren_ints()), LogicalType(TypeId::SMALLINT);
    }
    if (name == "INT" || name == "INTEGER" || name == "MEDIUMINT" || name == "INT4" || name == "INT32") {
        return display_width(paren_ints()), LogicalType(TypeId::INT);
    }
    if (name == "BIGINT" || name == "INT8" || name == "INT64") {
        return display_width(paren_ints()), LogicalType(TypeId::BIGINT);
    }
    if (name == "LARGEINT" || name == "HUGEINT") return TypeId::LARGEINT;
    if (name == "FLOAT" || name == "FLOAT4") return display_width(paren_ints()), LogicalType(TypeId::FLOAT);
    if (name == "DOUBLE" || name == "REAL" || name == "FLOAT8") {
        AcceptKeyword("PRECISION");
        return TypeId::DOUBLE;
    }
    if (name == "DECIMAL" || name == "DEC" || name == "NUMERIC" || name == "DECIMALV3" || name == "DECIMAL32" ||
        name == "DECIMAL64" || name == "DECIMAL128" || name == "DECIMALV2") {
        auto v = paren_ints();
        int64_t p = v.empty() ? 10 : v[0];
        int64_t s = v.size() > 1 ? v[1] : 0;
        if (p > 38) {
            throw ParserError(fmt::format("Too-big precision {} specified for 'DECIMAL'. Maximum is 38.", p),
                              ErrorCode::TOO_BIG_PRECISION);
        }
        if (p < 1 || s < 0 || s > p) {
            throw ParserError(
                fmt::format("invalid DECIMAL({},{}): precision must be 1..38 and scale 0..precision", p, s));
        }
        return LogicalType::Decimal(static_cast<uint8_t>(p), static_cast<uint8_t>(s));
    }
    if (name == "DATE") return TypeId::DATE;
    if (name == "DATETIME" || name == "TIMESTAMP") {
        auto v = paren_ints();
        LogicalType t(TypeId::DATETIME);
        if (!v.empty()) t.scale = static_cast<uint8_t>(std::clamp<int64_t>(v[0], 0, 6));
        return t;
    }
    if (name == "CHAR" || name == "VARCHAR" || name == "STRING" || name == "TEXT" || name == "BINARY" ||
        name == "VARBINARY" || name == "NCHAR") {
        auto v = paren_ints();
        if (AcceptKeyword("CHARACTER")) {
            ExpectKeyword("SET");
            ParseIdentifierOrString("a character set");
        }
        if (!v.empty() && (v[0] < 0 || v[0] > UINT32_MAX)) {
            throw ParserError(fmt::format("Display width out of range for '{}' (max = {})", name, UINT32_MAX),
                              ErrorCode::TOO_BIG_DISPLAYWIDTH);
        }
        return LogicalType::Varchar(v.empty() ? 0 : static_cast<uint32_t>(v[0]));
    }
    if (name == "JSON") return TypeId::JSON;
    if (name == "ARRAY") {
        // ARRAY<T>; the closing '>' of a nested ARRAY<ARRAY<T>> arrives as '>>'.
        ExpectOp("<");
        LogicalType element = ParseTypeName();
        if (IsOp(">>")) {
            tokens_[pos_].text = ">";
        } else {
            ExpectOp(">");
        }
        return LogicalType::Array(element);
    }
    if (name == "BITMAP") return TypeId::BITMAP;
    if (name == "HLL") return TypeId::HLL;
    if (name == "SIGNED") {
        AcceptKeyword("INTEGER") || AcceptKeyword("INT");
        return TypeId::BIGINT;
    }
    if (name == "UNSIGNED") {
        AcceptKeyword("INTEGER") || AcceptKeyword("INT");
        return TypeId::LARGEINT;
    }
    pos_--;
    Error("a type name");
}

ExprPtr ParserImpl::ParseCast(bool convert) {
    auto loc = Loc();
    ExpectOp("(");
    auto c = std::make_unique<CastExpr>();
    c->location = loc;
    c->expr = ParseExpression();
    if (convert) {
        if (AcceptKeyword("USING")) {
            ParseIdentifierOrString("a character set");
            ExpectOp(")");
            c->target = LogicalType::Varchar();
            return c;
        }
        ExpectOp(",");
    } else {
        ExpectKeyword("AS");
    }
    c->target = ParseTypeName();
    ExpectOp(")");
    return c;
}

ExprPtr ParserImpl::ParseInterval() {
    auto loc = Loc();
    auto iv = std::make_unique<IntervalExpr>();
    iv->location = loc;
    iv->value = ParseBitOr();
    if (Cur().type != TokenType::IDENTIFIER) Error("an interval unit");
    std::string unit = AsciiUpper(Cur().text);
    static const char* kUnits[] = {"YEAR", "QUARTER", "MONTH",  "WEEK",        "DAY",
                                   "HOUR", "MINUTE",  "SECOND", "MILLISECOND", "MICROSECOND"};
    bool ok = false;
    for (const char* u : kUnits) {
        if (unit == u || unit == std::string(u) + "S") {
            unit = u;
            ok = true;
        }
    }
    if (!ok) Error("an interval unit (YEAR, MONTH, DAY, HOUR, ...)");
    Advance();
    iv->unit = unit;
    return iv;
}

ExprPtr ParserImpl::ParseCase() {
    auto c = std::make_unique<CaseExpr>();
    c->location = Loc();
    if (!IsKeyword("WHEN")) c->operand = ParseExpression();
    while (AcceptKeyword("WHEN")) {
        ExprPtr when = ParseExpression();
        ExpectKeyword("THEN");
        c->when_then.emplace_back(std::move(when), ParseExpression());
    }
    if (c->when_then.empty()) Error("WHEN");
    if (AcceptKeyword("ELSE")) c->else_expr = ParseExpression();
    ExpectKeyword("END");
    return c;
}

ExprPtr ParserImpl::ParsePrimary() {
    const Token& t = Cur();
    auto loc = Loc();
    switch (t.type) {
        case TokenType::INTEGER:
        case TokenType::DECIMAL:
        case TokenType::FLOAT:
            return ParseNumber();
        case TokenType::STRING:
        case TokenType::HEX_STRING: {
            auto lit = std::make_unique<LiteralExpr>();
            lit->location = loc;
            lit->value = Value::Varchar(t.text);
            Advance();
            return lit;
        }
        case TokenType::PARAMETER: {
            auto p = std::make_unique<ParameterExpr>();
            p->location = loc;
            p->index = parameter_count_++;
            Advance();
            return p;
        }
        case TokenType::USER_VARIABLE: {
            auto v = std::make_unique<VariableExpr>();
            v->location = loc;
            v->scope = VariableScope::USER;
            v->name = t.text;
            Advance();
            return v;
        }
        case TokenType::SYSTEM_VARIABLE: {
            auto v = std::make_unique<VariableExpr>();
            v->location = loc;
            std::string name = AsciiLower(t.text);
            v->scope = VariableScope::DEFAULT;
            if (name.rfind("session.", 0) == 0) {
                v->scope = VariableScope::SESSION;
                name = name.substr(8);
            } else if (name.rfind("local.", 0) == 0) {
                v->scope = VariableScope::SESSION;
                name = name.substr(6);
            } else if (name.rfind("global.", 0) == 0) {
                v->scope = VariableScope::GLOBAL;
                name = name.substr(7);
            }
            v->name = name;
            Advance();
            return v;
        }
        case TokenType::OPERATOR:
            if (t.text == "(") {
                Advance();
                if (ContentIsQuery(0)) {
                    auto sq = std::make_unique<SubqueryExpr>();
                    sq->location = loc;
                    sq->subquery_kind = SubqueryKind::SCALAR;
                    EnterNesting();
                    sq->query = ParseQuery();
                    LeaveNesting();
                    ExpectOp(")");
                    return sq;
                }
                ExprPtr e = ParseExpression();
                if (IsOp(",")) {
                    auto row = std::make_unique<RowExpr>();
                    row->location = loc;
                    row->items.push_back(std::move(e));
                    while (AcceptOp(",")) row->items.push_back(ParseExpression());
                    ExpectOp(")");
                    return row;
                }
                ExpectOp(")");
                return e;
            }
            if (t.text == "*") {
                auto s = std::make_unique<StarExpr>();
                s->location = loc;
                Advance();
                return s;
            }
            if (t.text == "[") return ParseArrayLiteral(loc);
            Error("an expression");
        case TokenType::END:
            Error("an expression");
        case TokenType::QUOTED_IDENTIFIER:
        case TokenType::IDENTIFIER:
            break;
    }
    // Identifiers and keywords.
    std::string word = t.text;
    std::string upper = AsciiUpper(word);
    bool quoted = t.type == TokenType::QUOTED_IDENTIFIER;
    if (!quoted) {
        if (upper == "NULL" || upper == "TRUE" || upper == "FALSE") {
            auto lit = std::make_unique<LiteralExpr>();
            lit->location = loc;
            lit->value = upper == "NULL" ? Value::Null() : Value::Boolean(upper == "TRUE");
            Advance();
            return lit;
        }
        if ((upper == "DATE" || upper == "TIMESTAMP" || upper == "DATETIME") && PeekToken().type == TokenType::STRING) {
            Advance();
            std::string text = Cur().text;
            auto lit = std::make_unique<LiteralExpr>();
            lit->location = loc;
            if (upper == "DATE") {
                auto d = ParseDate(text);
                if (!d)
                    throw ParserError(
                        fmt::format("line {}, column {}: invalid DATE literal '{}'", loc.line, loc.column, text));
                lit->value = Value::Date(*d);
            } else {
                auto d = ParseDatetime(text);
                if (!d)
                    throw ParserError(
                        fmt::format("line {}, column {}: invalid DATETIME literal '{}'", loc.line, loc.column, text));
                lit->value = Value::Datetime(*d);
            }
            Advance();
            return lit;
        }
        if (upper == "ARRAY" && PeekToken().type == TokenType::OPERATOR &&
            (PeekToken().text == "[" || PeekToken().text == "<")) {
            // ARRAY[1, 2] (PostgreSQL, DuckDB); ARRAY<INT>[1, 2] (StarRocks): a typed literal.
            if (PeekToken().text == "[") {
                Advance();
                return ParseArrayLiteral(loc);
            }
            auto c = std::make_unique<CastExpr>();
            c->location = loc;
            c->target = ParseTypeName();
            if (!IsOp("[")) Error("[ after the ARRAY type");
            c->expr = ParseArrayLiteral(Loc());
            return c;
        }
        if (upper == "CASE") {
            Advance();
            EnterNesting();
            auto c = ParseCase();
            LeaveNesting();
            c->location = loc;
            return c;
        }
        if (upper == "CAST" && PeekToken().text == "(") {
            Advance();
            return ParseCast(false);
        }
        if (upper == "CONVERT" && PeekToken().text == "(") {
            Advance();
            return ParseCast(true);
        }
        if (upper == "INTERVAL") {
            Advance();
            return ParseInterval();
        }
        if (upper == "EXISTS" || (upper == "NOT" && IsKeywordAt(PeekToken(), "EXISTS"))) {
            bool negated = upper == "NOT";
            Advance();
            if (negated) Advance();
            ExpectOp("(");
            auto sq = std::make_unique<SubqueryExpr>();
            sq->location = loc;
            sq->subquery_kind = SubqueryKind::EXISTS;
            sq->negated = negated;
            sq->query = ParseQuery();
            ExpectOp(")");
            return sq;
        }
        // Niladic keyword functions.
        static const char* kNiladic[] = {"CURRENT_DATE",  "CURRENT_TIME", "CURRENT_TIMESTAMP",
                                         "CURRENT_USER",  "LOCALTIME",    "LOCALTIMESTAMP",
                                         "UTC_TIMESTAMP", "UTC_DATE",     "UTC_TIME"};
        for (const char* k : kNiladic) {
            if (upper == k && !(PeekToken().type == TokenType::OPERATOR && PeekToken().text == "(")) {
                Advance();
                auto f = std::make_unique<FunctionCallExpr>();
                f->location = loc;
                f->name = AsciiLower(upper);
                return f;
            }
        }
    }
    // Function call: any word (reserved or not) directly followed by '('.
    if (!quoted && PeekToken().type == TokenType::OPERATOR && PeekToken().text == "(") {
        static const char* kNotFunctions[] = {"SELECT", "FROM", "WHERE", "AND",     "OR",    "NOT",
                                              "IN",     "ON",   "AS",    "BY",      "WHEN",  "THEN",
                                              "ELSE",   "IS",   "LIKE",  "BETWEEN", "UNION", "EXISTS"};
        bool ok = true;
        for (const char* k : kNotFunctions) ok &= upper != k;
        if (ok) {
            Advance();
            return ParseFunctionCall(word, loc);
        }
    }
    if (!quoted && IsReservedWord(word)) Error("an expression");
    // Column reference a, t.a, db.t.a, t.*.
    auto ref = std::make_unique<ColumnRefExpr>();
    ref->location = loc;
    ref->parts.push_back(word);
    Advance();
    while (IsOp(".")) {
        Advance();
        if (IsOp("*")) {
            Advance();
            auto s = std::make_unique<StarExpr>();
            s->location = loc;
            s->qualifier = ref->parts.back();
            return s;
        }
        if (Cur().type != TokenType::IDENTIFIER && Cur().type != TokenType::QUOTED_IDENTIFIER) Error("a column name");
        ref->parts.push_back(Cur().text);
        Advance();
        if (ref->parts.size() > 4) Error("at most four name parts");
    }
    return ref;
}

}  // namespace floe
