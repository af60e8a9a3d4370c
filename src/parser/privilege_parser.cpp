// Access control statements: GRANT / REVOKE (privileges and roles), CREATE / DROP ROLE, SET ROLE,
// SET DEFAULT ROLE, in StarRocks' grammar (see ast::GrantStatement).
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

namespace {

/// Object kinds as written after ON, singular and plural, longest first.
struct ObjectWord {
    std::vector<std::string_view> singular;
    std::vector<std::string_view> plural;
    const char* type;
};

const std::vector<ObjectWord>& ObjectWords() {
    static const std::vector<ObjectWord> kWords = {
        {{"MATERIALIZED", "VIEW"}, {"MATERIALIZED", "VIEWS"}, "MATERIALIZED VIEW"},
        {{"GLOBAL", "FUNCTION"}, {"GLOBAL", "FUNCTIONS"}, "GLOBAL FUNCTION"},
        {{"RESOURCE", "GROUP"}, {"RESOURCE", "GROUPS"}, "RESOURCE GROUP"},
        {{"STORAGE", "VOLUME"}, {"STORAGE", "VOLUMES"}, "STORAGE VOLUME"},
        {{"CATALOG"}, {"CATALOGS"}, "CATALOG"},
        {{"DATABASE"}, {"DATABASES"}, "DATABASE"},
        {{"TABLE"}, {"TABLES"}, "TABLE"},
        {{"VIEW"}, {"VIEWS"}, "VIEW"},
        {{"FUNCTION"}, {"FUNCTIONS"}, "FUNCTION"},
        {{"RESOURCE"}, {"RESOURCES"}, "RESOURCE"},
        {{"USER"}, {"USERS"}, "USER"},
    };
    return kWords;
}

bool InDatabaseKind(const std::string& type) {
    return type == "TABLE" || type == "VIEW" || type == "MATERIALIZED VIEW" || type == "FUNCTION";
}

}  // namespace

std::string ParserImpl::ParsePrivilegeName() {
    std::string name;
    while (!AtEnd() && !IsOp(",") && !IsKeyword("ON") && !IsKeyword("TO") && !IsKeyword("FROM") && !IsOp(";")) {
        if (Cur().type == TokenType::STRING) {
            if (!name.empty()) Error("',' between privileges");
            name = Cur().text;
            Advance();
            break;
        }
        if (Cur().type != TokenType::IDENTIFIER && Cur().type != TokenType::QUOTED_IDENTIFIER) {
            Error("a privilege or role name");
        }
        const bool quoted = Cur().type == TokenType::QUOTED_IDENTIFIER;
        if (quoted && !name.empty()) Error("',' between privileges");
        name += (name.empty() ? "" : " ") + (quoted ? Cur().text : AsciiUpper(Cur().text));
        Advance();
        if (quoted) break;
    }
    if (name.empty()) Error("a privilege or role name");
    return name;
}

StatementPtr ParserImpl::ParseGrant(bool revoke) {
    auto g = std::make_unique<GrantStatement>();
    g->revoke = revoke;
    // The list before ON (privileges) or before TO/FROM (roles). Role names keep their spelling.
    std::vector<std::pair<std::string, bool>> items;  // (text, quoted or string)
    do {
        bool quoted = Cur().type == TokenType::STRING || Cur().type == TokenType::QUOTED_IDENTIFIER;
        std::string raw = quoted ? Cur().text : std::string();
        if (!quoted && Cur().type == TokenType::IDENTIFIER && !IsKeywordAt(PeekToken(), "ON") &&
            (IsOpAt(PeekToken(), ",") || IsKeywordAt(PeekToken(), "TO") || IsKeywordAt(PeekToken(), "FROM"))) {
            raw = Cur().text;  // a lone word: a role name keeps its case
        }
        std::string item = ParsePrivilegeName();
        items.push_back({raw.empty() ? item : raw, !raw.empty()});
    } while (AcceptOp(","));
    if (IsKeyword("TO") || IsKeyword("FROM")) {
        for (auto& [text, quoted] : items) g->roles.push_back(text);
    } else {
        ExpectKeyword("ON");
        for (auto& [text, quoted] : items) {
            std::string p = AsciiUpper(text);
            if (p == "ALL PRIVILEGES") p = "ALL";
            g->privileges.push_back(p);
        }
        // The object.
        if (AcceptKeyword("SYSTEM")) {
            g->object_type = "SYSTEM";
        } else if (IsOp("*") || ((Cur().type == TokenType::IDENTIFIER || Cur().type == TokenType::QUOTED_IDENTIFIER) &&
                                 IsOpAt(PeekToken(), "."))) {
            // Legacy MySQL forms: *.*, db.*, db.t
            g->object_type = "TABLE";
            if (AcceptOp("*")) {
                ExpectOp(".");
                ExpectOp("*");
                g->all_objects = true;
                g->in_all_databases = true;
            } else {
                std::string db = ParseIdentifier("a database name");
                ExpectOp(".");
                if (AcceptOp("*")) {
                    g->all_objects = true;
                    g->in_database = db;
                } else {
                    g->objects.push_back({db, ParseIdentifier("a table name")});
                }
            }
        } else {
            bool all = AcceptKeyword("ALL");
            const ObjectWord* found = nullptr;
            for (const auto& w : ObjectWords()) {
                const auto& words = all ? w.plural : w.singular;
                bool match = true;
                for (size_t k = 0; k < words.size() && match; ++k) match = IsKeywordAt(PeekToken(k), words[k]);
                if (match) {
                    for (size_t k = 0; k < words.size(); ++k) Advance();
                    found = &w;
                    break;
                }
            }
            if (!found) {
                Error(all ? "CATALOGS, DATABASES, TABLES, VIEWS, MATERIALIZED VIEWS, FUNCTIONS, GLOBAL FUNCTIONS, "
                            "RESOURCE GROUPS, RESOURCES or STORAGE VOLUMES"
                          : "SYSTEM, CATALOG, DATABASE, TABLE, VIEW, MATERIALIZED VIEW, FUNCTION, GLOBAL FUNCTION, "
                            "RESOURCE GROUP, RESOURCE, STORAGE VOLUME or USER");
            }
            g->object_type = found->type;
            g->all_objects = all;
            if (!all) {
                do {
                    if (g->object_type == "USER") {
                        g->objects.push_back({"", ParseUser().name});
                    } else if (InDatabaseKind(g->object_type)) {
                        std::string db, name;
                        ParseQualifiedName(db, name, "a name");
                        if (IsOp("(")) {
                            // FUNCTION f(type, ...): the signature is part of the name.
                            std::string signature = "(";
                            Advance();
                            int depth = 1;
                            while (!AtEnd() && depth > 0) {
                                if (IsOp("(")) ++depth;
                                if (IsOp(")") && --depth == 0) break;
                                signature += Cur().text;
                                Advance();
                            }
                            ExpectOp(")");
                            name += signature + ")";
                        }
                        g->objects.push_back({db, name});
                    } else {
                        g->objects.push_back({"", ParseIdentifierOrString("a name")});
                    }
                } while (AcceptOp(","));
            }
            if (InDatabaseKind(g->object_type) && AcceptKeyword("IN")) {
                if (AcceptKeyword("ALL")) {
                    ExpectKeyword("DATABASES");
                    g->in_all_databases = true;
                } else {
                    ExpectKeyword("DATABASE");
                    g->in_database = ParseIdentifier("a database name");
                }
            } else if (all && InDatabaseKind(g->object_type)) {
                Error("IN DATABASE d or IN ALL DATABASES after ALL " + std::string(found->type) + "S");
            }
        }
    }
    if (revoke) {
        ExpectKeyword("FROM");
    } else {
        ExpectKeyword("TO");
    }
    if (AcceptKeyword("ROLE")) {
        g->grantee_kind = "ROLE";
        g->grantee.name = ParseIdentifierOrString("a role name");
    } else {
        AcceptKeyword("USER");
        g->grantee = ParseUser();
    }
    if (!revoke && AcceptKeyword("WITH")) {
        ExpectKeyword("GRANT");
        ExpectKeyword("OPTION");
        g->with_grant_option = true;
    }
    return g;
}

StatementPtr ParserImpl::ParseRoleStatement(bool create) {
    auto r = std::make_unique<RoleStatement>(create ? StatementKind::CREATE_ROLE : StatementKind::DROP_ROLE);
    if (AcceptKeyword("IF")) {
        if (create) ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        r->if_clause = true;
    }
    do {
        r->roles.push_back(ParseIdentifierOrString("a role name"));
    } while (AcceptOp(","));
    return r;
}

std::string ParserImpl::ParseDefaultRoleSpec() {
    if (AcceptKeyword("NONE")) return "";
    if (AcceptKeyword("ALL")) return "ALL";
    std::string roles;
    do {
        roles += (roles.empty() ? "" : ",") + ParseIdentifierOrString("a role name");
    } while (AcceptOp(","));
    return roles;
}

StatementPtr ParserImpl::ParseSetRole() {
    ExpectKeyword("SET");
    if (AcceptKeyword("DEFAULT")) {
        ExpectKeyword("ROLE");
        auto d = std::make_unique<SetDefaultRoleStatement>();
        d->roles = ParseDefaultRoleSpec();
        ExpectKeyword("TO");
        d->user = ParseUser();
        return d;
    }
    ExpectKeyword("ROLE");
    auto s = std::make_unique<SetRoleStatement>();
    if (AcceptKeyword("DEFAULT")) {
        s->mode = SetRoleStatement::Mode::DEFAULT;
    } else if (AcceptKeyword("NONE")) {
        s->mode = SetRoleStatement::Mode::NONE;
    } else if (AcceptKeyword("ALL")) {
        s->mode = SetRoleStatement::Mode::ALL;
        if (AcceptKeyword("EXCEPT")) {
            do {
                s->roles.push_back(ParseIdentifierOrString("a role name"));
            } while (AcceptOp(","));
        }
    } else {
        do {
            s->roles.push_back(ParseIdentifierOrString("a role name"));
        } while (AcceptOp(","));
    }
    return s;
}

}  // namespace floe
