// Queries: WITH, SELECT, set operations, VALUES, FROM clauses with joins, ORDER BY and LIMIT.
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

bool ParserImpl::StartsQuery() const {
    if (IsKeyword("SELECT") || IsKeyword("WITH") || IsKeyword("VALUES")) return true;
    return IsOp("(") && ContentIsQuery(1);
}

bool ParserImpl::ContentIsQuery(size_t k) const {
    auto query_keyword = [](const Token& t) {
        return IsKeywordAt(t, "SELECT") || IsKeywordAt(t, "WITH") || IsKeywordAt(t, "VALUES");
    };
    auto continues_query = [](const Token& t) {
        return t.type == TokenType::END || IsOpAt(t, ")") || IsOpAt(t, ";") || IsKeywordAt(t, "UNION") ||
               IsKeywordAt(t, "EXCEPT") || IsKeywordAt(t, "MINUS") || IsKeywordAt(t, "INTERSECT") ||
               IsKeywordAt(t, "ORDER") || IsKeywordAt(t, "LIMIT");
    };
    size_t leading = 0;
    while (IsOpAt(PeekToken(k + leading), "(")) ++leading;
    if (!query_keyword(PeekToken(k + leading))) return false;
    // One pass to where the leading groups close (innermost first), looking at what follows each.
    size_t open_leading = leading, depth = leading;
    for (size_t j = k + leading; open_leading > 0; ++j) {
        const Token& t = PeekToken(j);
        if (t.type == TokenType::END) return true;  // unbalanced: the query's parser says so
        if (IsOpAt(t, "(")) {
            ++depth;
        } else if (IsOpAt(t, ")") && --depth < open_leading) {
            open_leading = depth;
            if (!continues_query(PeekToken(j + 1))) return false;
        }
    }
    return true;
}

QueryNodePtr ParserImpl::ParseQuery() {
    auto loc = Loc();
    std::vector<CommonTableExpr> ctes;
    if (AcceptKeyword("WITH")) ctes = ParseWithList();
    return ParseQueryAfterWith(std::move(ctes), loc);
}

std::vector<CommonTableExpr> ParserImpl::ParseWithList() {
    EnterNesting();
    std::vector<CommonTableExpr> ctes;
    bool recursive = AcceptKeyword("RECURSIVE");
    do {
        CommonTableExpr cte;
        cte.recursive = recursive;
        {
            cte.name = ParseIdentifier("a CTE name");
            if (AcceptOp("(")) {
                do {
                    cte.column_names.push_back(ParseIdentifier("a column name"));
                } while (AcceptOp(","));
                ExpectOp(")");
            }
            ExpectKeyword("AS");
            // [NOT] MATERIALIZED: a hint (PostgreSQL, DuckDB); the planner decides.
            if (AsciiEqualsIgnoreCase(Cur().text, "MATERIALIZED")) {
                Advance();
            } else if (IsKeyword("NOT") && AsciiEqualsIgnoreCase(PeekToken().text, "MATERIALIZED")) {
                Advance();
                Advance();
            }
            ExpectOp("(");
            cte.query = ParseQuery();
            ExpectOp(")");
            ctes.push_back(std::move(cte));
        }
    } while (AcceptOp(","));
    LeaveNesting();
    return ctes;
}

QueryNodePtr ParserImpl::ParseQueryAfterWith(std::vector<CommonTableExpr> ctes, SourceLocation loc) {
    EnterNesting();
    QueryNodePtr node = ParseSetOperation(0);
    if (IsKeyword("ORDER") || IsKeyword("LIMIT")) {
        if (!node->order_by.empty() || node->limit) {
            // ( SELECT ... ORDER BY ) ORDER BY ...: wrap would be needed; keep the outer one.
            node->order_by.clear();
            node->limit.reset();
            node->offset.reset();
        }
        ParseOrderLimit(*node);
    }
    if (!ctes.empty()) {
        for (auto& c : ctes) node->ctes.push_back(std::move(c));
    }
    node->location = loc;
    LeaveNesting();
    return node;
}

namespace {
bool ParserImplKeyword(const Token& t, std::string_view kw) {
    return t.type == TokenType::IDENTIFIER && AsciiEqualsIgnoreCase(t.text, kw);
}

int SetOpPrecedence(const Token& t, bool* is_op, SetOpType* type) {
    *is_op = true;
    if (ParserImplKeyword(t, "UNION")) {
        *type = SetOpType::UNION;
        return 1;
    }
    if (ParserImplKeyword(t, "EXCEPT") || ParserImplKeyword(t, "MINUS")) {
        *type = SetOpType::EXCEPT;
        return 1;
    }
    if (ParserImplKeyword(t, "INTERSECT")) {
        *type = SetOpType::INTERSECT;
        return 2;
    }
    *is_op = false;
    return 0;
}
}  // namespace

QueryNodePtr ParserImpl::ParseSetOperation(int min_precedence) {
    Chain chain(*this);
    QueryNodePtr left = ParseQueryTerm();
    while (true) {
        bool is_op;
        SetOpType type;
        int prec = SetOpPrecedence(Cur(), &is_op, &type);
        if (!is_op || prec < min_precedence) break;
        auto loc = Loc();
        Advance();
        chain.Link();
        bool all = false;
        if (AcceptKeyword("ALL"))
            all = true;
        else
            AcceptKeyword("DISTINCT");
        QueryNodePtr right = ParseSetOperation(prec + 1);
        auto op = std::make_unique<SetOperationNode>();
        op->op = type;
        op->all = all;
        op->left = std::move(left);
        op->right = std::move(right);
        op->location = loc;
        left = std::move(op);
    }
    return left;
}

QueryNodePtr ParserImpl::ParseQueryTerm() {
    if (AcceptOp("(")) {
        QueryNodePtr q = ParseQuery();
        ExpectOp(")");
        return q;
    }
    if (IsKeyword("VALUES")) {
        auto v = std::make_unique<ValuesNode>();
        v->location = Loc();
        Advance();
        do {
            AcceptKeyword("ROW");
            ExpectOp("(");
            std::vector<ExprPtr> row;
            do {
                row.push_back(ParseExpression());
            } while (AcceptOp(","));
            ExpectOp(")");
            v->rows.push_back(std::move(row));
        } while (AcceptOp(","));
        return v;
    }
    if (!IsKeyword("SELECT")) Error("SELECT");
    return ParseSelectBody();
}

std::vector<SelectItem> ParserImpl::ParseSelectItems() {
    std::vector<SelectItem> items;
    do {
        SelectItem item;
        const Token& start = Cur();
        item.expr = ParseExpression();
        const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
        item.text = std::string(sql_.substr(start.offset, last.end - start.offset));
        if (AcceptKeyword("AS")) {
            item.alias = ParseIdentifierOrString("an alias");
        } else if ((IsIdentifierToken() && !AtPropertiesClause()) || Cur().type == TokenType::STRING) {
            item.alias = ParseIdentifierOrString("an alias");
        }
        items.push_back(std::move(item));
    } while (AcceptOp(","));
    return items;
}

std::unique_ptr<SelectNode> ParserImpl::ParseSelectBody() {
    auto node = std::make_unique<SelectNode>();
    node->location = Loc();
    ExpectKeyword("SELECT");
    while (true) {
        if (AcceptKeyword("DISTINCT") || AcceptKeyword("DISTINCTROW"))
            node->distinct = true;
        else if (AcceptKeyword("ALL") || AcceptKeyword("SQL_CALC_FOUND_ROWS") || AcceptKeyword("SQL_NO_CACHE") ||
                 AcceptKeyword("SQL_CACHE") || AcceptKeyword("HIGH_PRIORITY") || AcceptKeyword("STRAIGHT_JOIN")) {
        } else
            break;
    }
    node->select_list = ParseSelectItems();
    if (AcceptKeyword("FROM")) node->from = ParseFrom();
    if (AcceptKeyword("WHERE")) node->where = ParseExpression();
    if (IsKeyword("GROUP")) {
        Advance();
        ExpectKeyword("BY");
        if (AcceptKeyword("ROLLUP") || AcceptKeyword("CUBE")) {
            node->grouping = IsKeywordAt(tokens_[pos_ - 1], "ROLLUP") ? GroupingKind::ROLLUP : GroupingKind::CUBE;
            ExpectOp("(");
            do {
                node->group_by.push_back(ParseExpression());
            } while (AcceptOp(","));
            ExpectOp(")");
        } else if (IsKeyword("GROUPING") && IsKeywordAt(PeekToken(), "SETS")) {
            Advance();
            Advance();
            node->grouping = GroupingKind::GROUPING_SETS;
            ExpectOp("(");
            do {
                std::vector<ExprPtr> set;
                if (AcceptOp("(")) {
                    if (!IsOp(")")) {
                        do {
                            set.push_back(ParseExpression());
                        } while (AcceptOp(","));
                    }
                    ExpectOp(")");
                } else {
                    set.push_back(ParseExpression());
                }
                node->grouping_sets.push_back(std::move(set));
            } while (AcceptOp(","));
            ExpectOp(")");
        } else {
            do {
                node->group_by.push_back(ParseExpression());
            } while (AcceptOp(","));
            if (IsKeyword("WITH") && IsKeywordAt(PeekToken(), "ROLLUP")) {
                Advance();
                Advance();
                node->grouping = GroupingKind::ROLLUP;
            }
        }
    }
    if (AcceptKeyword("HAVING")) node->having = ParseExpression();
    return node;
}

std::vector<OrderByItem> ParserImpl::ParseOrderByList() {
    std::vector<OrderByItem> items;
    do {
        OrderByItem item;
        item.expr = ParseExpression();
        if (AcceptKeyword("DESC"))
            item.ascending = false;
        else
            AcceptKeyword("ASC");
        if (AcceptKeyword("NULLS")) {
            if (AcceptKeyword("FIRST"))
                item.nulls_first = true;
            else if (AcceptKeyword("LAST"))
                item.nulls_first = false;
            else
                Error("FIRST or LAST");
        }
        items.push_back(std::move(item));
    } while (AcceptOp(","));
    return items;
}

void ParserImpl::ParseOrderLimit(QueryNode& node) {
    if (IsKeyword("ORDER")) {
        Advance();
        ExpectKeyword("BY");
        node.order_by = ParseOrderByList();
    }
    if (AcceptKeyword("LIMIT")) {
        ExprPtr first = ParseExpression();
        if (AcceptOp(",")) {
            node.offset = std::move(first);
            node.limit = ParseExpression();
        } else {
            node.limit = std::move(first);
            if (AcceptKeyword("OFFSET")) node.offset = ParseExpression();
        }
    }
}

TableRefPtr ParserImpl::ParseFrom() {
    Chain chain(*this);
    TableRefPtr left = ParseJoinedTable();
    while (AcceptOp(",")) {
        chain.Link();
        auto j = std::make_unique<JoinTableRef>();
        j->location = Loc();
        j->join_type = JoinType::CROSS;
        j->left = std::move(left);
        j->right = ParseJoinedTable();
        left = std::move(j);
    }
    return left;
}

TableRefPtr ParserImpl::ParseJoinedTable() {
    Chain chain(*this);
    TableRefPtr left = ParseTableFactor();
    while (true) {
        auto loc = Loc();
        JoinType type;
        if (IsKeyword("JOIN") || IsKeyword("INNER")) {
            AcceptKeyword("INNER");
            type = JoinType::INNER;
        } else if (IsKeyword("CROSS")) {
            Advance();
            type = JoinType::CROSS;
        } else if (IsKeyword("SEMI") || IsKeyword("ANTI")) {
            // SEMI JOIN / ANTI JOIN: LEFT SEMI / LEFT ANTI (DuckDB's spelling).
            type = IsKeyword("SEMI") ? JoinType::LEFT_SEMI : JoinType::LEFT_ANTI;
            Advance();
        } else if (IsKeyword("LEFT") || IsKeyword("RIGHT") || IsKeyword("FULL")) {
            std::string side = AsciiUpper(Cur().text);
            Advance();
            if (side == "LEFT" && AcceptKeyword("SEMI"))
                type = JoinType::LEFT_SEMI;
            else if (side == "LEFT" && AcceptKeyword("ANTI"))
                type = JoinType::LEFT_ANTI;
            else {
                AcceptKeyword("OUTER");
                type = side == "LEFT" ? JoinType::LEFT : (side == "RIGHT" ? JoinType::RIGHT : JoinType::FULL);
            }
        } else {
            return left;
        }
        ExpectKeyword("JOIN");
        chain.Link();
        auto j = std::make_unique<JoinTableRef>();
        j->location = loc;
        j->join_type = type;
        j->left = std::move(left);
        j->right = ParseTableFactor();
        if (AcceptKeyword("ON")) {
            j->condition = ParseExpression();
        } else if (AcceptKeyword("USING")) {
            ExpectOp("(");
            do {
                j->using_columns.push_back(ParseIdentifier("a column name"));
            } while (AcceptOp(","));
            ExpectOp(")");
        } else if (type != JoinType::CROSS && type != JoinType::INNER) {
            Error("ON or USING");
        }
        left = std::move(j);
    }
}

TableRefPtr ParserImpl::ParseTableFactor() {
    EnterNesting();
    auto loc = Loc();
    TableRefPtr ref;
    AcceptKeyword("LATERAL");  // StarRocks' optional word before a table function joined to its left
    if (IsOp("(")) {
        bool query = StartsQuery();
        Advance();
        if (query) {
            auto sub = std::make_unique<SubqueryTableRef>();
            sub->location = loc;
            sub->query = ParseQuery();
            ref = std::move(sub);
        } else {
            ref = ParseFrom();  // a parenthesized join, maybe of a derived table first
        }
        ExpectOp(")");
    } else {
        std::vector<std::string> parts;
        parts.push_back(ParseIdentifier("a table name"));
        while (AcceptOp(".")) {
            if (Cur().type != TokenType::IDENTIFIER && Cur().type != TokenType::QUOTED_IDENTIFIER)
                Error("a table name");
            parts.push_back(Cur().text);
            Advance();
        }
        if (parts.size() > 3) Error("at most catalog.database.table");
        if (IsOp("(") && parts.size() == 1) {
            auto tf = std::make_unique<TableFunctionRef>();
            tf->location = loc;
            tf->name = AsciiLower(parts[0]);
            Advance();
            if (!IsOp(")")) {
                do {
                    if (Cur().type == TokenType::STRING && PeekToken().type == TokenType::OPERATOR &&
                        PeekToken().text == "=") {
                        std::string k = Cur().text;
                        Advance();
                        Advance();
                        if (Cur().type != TokenType::STRING) Error("a string value");
                        tf->properties.emplace_back(k, Cur().text);
                        Advance();
                    } else {
                        tf->args.push_back(ParseExpression());
                    }
                } while (AcceptOp(","));
            }
            ExpectOp(")");
            ref = std::move(tf);
        } else {
            auto base = std::make_unique<BaseTableRef>();
            base->location = loc;
            base->table = parts.back();
            if (parts.size() >= 2) base->database = parts[parts.size() - 2];
            if (parts.size() == 3) base->catalog = parts[0];
            ParseTimeTravel(base->time_travel);
            ref = std::move(base);
        }
    }
    if (AcceptKeyword("AS")) {
        ref->alias = ParseIdentifierOrString("an alias");
    } else if (IsIdentifierToken() && !AtPropertiesClause()) {
        ref->alias = ParseIdentifier();
    }
    if (!ref->alias.empty() && AcceptOp("(")) {  // AS t(a, b): names for the columns
        do {
            ref->column_aliases.push_back(ParseIdentifier());
        } while (AcceptOp(","));
        ExpectOp(")");
    }
    LeaveNesting();
    return ref;
}

void ParserImpl::ParseTimeTravel(TimeTravel& travel) {
    if (!IsKeyword("FOR")) return;
    const Token& what = PeekToken();
    bool version = IsKeywordAt(what, "VERSION") || IsKeywordAt(what, "SYSTEM_VERSION");
    bool timestamp = IsKeywordAt(what, "TIMESTAMP") || IsKeywordAt(what, "SYSTEM_TIME");
    if (!version && !timestamp) return;
    Advance();
    Advance();
    ExpectKeyword("AS");
    ExpectKeyword("OF");
    travel.kind = version ? TimeTravel::Kind::VERSION : TimeTravel::Kind::TIMESTAMP;
    if (Cur().type == TokenType::INTEGER) {
        travel.value = Cur().text;
        travel.numeric = true;
        Advance();
    } else if (Cur().type == TokenType::STRING) {
        travel.value = Cur().text;
        Advance();
    } else if (version && IsIdentifierToken()) {
        travel.value = ParseIdentifier();
    } else {
        Error(version ? "a snapshot id, branch or tag" : "a timestamp string");
    }
}

}  // namespace floe
