// MERGE INTO target USING source ON cond WHEN [NOT] MATCHED [AND cond] THEN action, ... in the
// grammar SQL:2003, Spark and Trino share (StarRocks has no MERGE). Actions: UPDATE SET col = e,
// ... | UPDATE SET * | DELETE for matched rows; INSERT [(cols)] VALUES (e, ...) | INSERT * for the
// source rows that match nothing.
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

StatementPtr ParserImpl::ParseMerge() {
    ExpectKeyword("MERGE");
    ExpectKeyword("INTO");
    auto m = std::make_unique<MergeStatement>();
    ParseTableName(m->catalog, m->database, m->table);
    if (AcceptKeyword("AS")) {
        m->alias = ParseIdentifier("an alias");
    } else if (IsIdentifierToken()) {
        m->alias = ParseIdentifier("an alias");
    }
    ExpectKeyword("USING");
    m->source = ParseTableFactor();
    ExpectKeyword("ON");
    m->on = ParseExpression();
    if (!IsKeyword("WHEN")) Error("WHEN [NOT] MATCHED");
    while (AcceptKeyword("WHEN")) {
        MergeClause clause;
        clause.location = Loc();
        if (AcceptKeyword("NOT")) {
            clause.matched = false;
            ExpectKeyword("MATCHED");
            if (AcceptKeyword("BY")) {
                if (IsKeyword("SOURCE")) {
                    throw NotSupportedError(fmt::format(
                        "line {}, column {}: WHEN NOT MATCHED BY SOURCE is not supported; MERGE changes the "
                        "target rows that a source row matches (WHEN MATCHED) and inserts the source rows that "
                        "match none (WHEN NOT MATCHED)",
                        clause.location.line, clause.location.column));
                }
                ExpectKeyword("TARGET");
            }
        } else {
            ExpectKeyword("MATCHED");
        }
        if (AcceptKeyword("AND")) clause.condition = ParseExpression();
        ExpectKeyword("THEN");
        if (clause.matched) {
            if (AcceptKeyword("DELETE")) {
                clause.action = MergeAction::DELETE;
            } else {
                if (!IsKeyword("UPDATE")) Error("UPDATE or DELETE");
                Advance();
                clause.action = MergeAction::UPDATE;
                ExpectKeyword("SET");
                if (AcceptOp("*")) {
                    clause.star = true;
                } else {
                    clause.assignments = ParseAssignments();
                }
            }
        } else {
            if (!IsKeyword("INSERT")) Error("INSERT");
            Advance();
            clause.action = MergeAction::INSERT;
            if (AcceptOp("*")) {
                clause.star = true;
            } else {
                if (IsOp("(")) clause.insert_columns = ParseColumnList();
                if (!AcceptKeyword("VALUES")) Error("VALUES");
                ExpectOp("(");
                do {
                    clause.insert_values.push_back(ParseExpression());
                } while (AcceptOp(","));
                ExpectOp(")");
            }
        }
        m->clauses.push_back(std::move(clause));
    }
    return m;
}

}  // namespace floe
