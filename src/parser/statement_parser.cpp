// Statements other than queries and writes: SET, SHOW, USE, EXPLAIN/DESC, CREATE / DROP / ALTER (databases,
// tables, views, indexes, users), transactions. Writes: dml_parser.cpp; Routine Load: routine_load_parser.cpp.
#include <charconv>

#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

StatementPtr ParserImpl::ParseStatement() {
    auto loc = Loc();
    parameter_count_ = 0;
    StatementPtr stmt;
    if (IsKeyword("GRANT") || IsKeyword("REVOKE")) {
        bool revoke = IsKeyword("REVOKE");
        Advance();
        stmt = ParseGrant(revoke);
    } else if ((IsKeyword("CREATE") || IsKeyword("DROP")) && IsKeywordAt(PeekToken(), "ROLE")) {
        bool create = IsKeyword("CREATE");
        Advance();
        Advance();
        stmt = ParseRoleStatement(create);
    } else if (IsKeyword("CREATE") && IsKeywordAt(PeekToken(), "EXTERNAL") && IsKeywordAt(PeekToken(2), "CATALOG")) {
        Advance();
        Advance();
        Advance();
        auto c = std::make_unique<CreateCatalogStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("NOT");
            ExpectKeyword("EXISTS");
            c->if_not_exists = true;
        }
        c->name = ParseIdentifier("a catalog name");
        if (AcceptKeyword("COMMENT")) {
            if (Cur().type != TokenType::STRING) Error("a comment string");
            c->comment = Cur().text;
            Advance();
        }
        ExpectKeyword("PROPERTIES");
        c->properties = ParseProperties();
        stmt = std::move(c);
    } else if (IsKeyword("DROP") && (IsKeywordAt(PeekToken(), "CATALOG") ||
                                     (IsKeywordAt(PeekToken(), "EXTERNAL") && IsKeywordAt(PeekToken(2), "CATALOG")))) {
        Advance();
        AcceptKeyword("EXTERNAL");
        Advance();
        auto d = std::make_unique<DropCatalogStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            d->if_exists = true;
        }
        d->name = ParseIdentifier("a catalog name");
        stmt = std::move(d);
    } else if (IsKeyword("SET") && IsKeywordAt(PeekToken(), "CATALOG")) {
        Advance();
        Advance();
        auto c = std::make_unique<SetCatalogStatement>();
        c->name = ParseIdentifierOrString("a catalog name");
        stmt = std::move(c);
    } else if (IsKeyword("SET") && (IsKeywordAt(PeekToken(), "ROLE") ||
                                    (IsKeywordAt(PeekToken(), "DEFAULT") && IsKeywordAt(PeekToken(2), "ROLE")))) {
        stmt = ParseSetRole();
    } else if (IsKeyword("WITH")) {
        // WITH ... SELECT, or WITH ... INSERT / UPDATE / DELETE (the CTEs serve the write).
        Advance();
        std::vector<CommonTableExpr> ctes = ParseWithList();
        if (IsKeyword("INSERT")) {
            stmt = ParseInsert();
            auto& ins = static_cast<InsertStatement&>(*stmt);
            if (!ins.query) Error("a query for the INSERT's WITH clause");
            for (size_t i = 0; i < ctes.size(); ++i) {
                ins.query->ctes.insert(ins.query->ctes.begin() + static_cast<std::ptrdiff_t>(i), std::move(ctes[i]));
            }
        } else if (IsKeyword("UPDATE")) {
            stmt = ParseUpdate();
            static_cast<UpdateStatement&>(*stmt).ctes = std::move(ctes);
        } else if (IsKeyword("DELETE")) {
            stmt = ParseDelete();
            static_cast<DeleteStatement&>(*stmt).ctes = std::move(ctes);
        } else {
            auto s = std::make_unique<SelectStatement>();
            s->query = ParseQueryAfterWith(std::move(ctes), loc);
            stmt = std::move(s);
        }
    } else if (StartsQuery()) {
        auto s = std::make_unique<SelectStatement>();
        s->query = ParseQuery();
        stmt = std::move(s);
    } else if (IsKeyword("CACHE") && IsKeywordAt(PeekToken(), "SELECT")) {
        // StarRocks' data cache warm-up: CACHE SELECT cols FROM t [WHERE ...] [PROPERTIES (...)].
        Advance();
        auto s = std::make_unique<SelectStatement>();
        s->query = ParseQuery();
        s->cache_warmup = true;
        if (AcceptKeyword("PROPERTIES")) s->cache_properties = ParseProperties();
        stmt = std::move(s);
    } else if (IsKeyword("ALTER") && IsKeywordAt(PeekToken(), "SYSTEM") && IsKeywordAt(PeekToken(2), "SET")) {
        // Seed 002's ALTER SYSTEM SET name = value: SET GLOBAL under another spelling.
        Advance();
        Advance();
        stmt = ParseSet();
        for (auto& a : static_cast<SetStatement&>(*stmt).assignments) {
            if (a.scope == SetScope::USER) Error("a system variable");
            a.scope = SetScope::GLOBAL;
        }
    } else if (IsKeyword("EXPLAIN") || IsKeyword("DESC") || IsKeyword("DESCRIBE")) {
        Advance();
        if (StartsQuery() || IsKeyword("ANALYZE") || IsKeyword("VERBOSE") || IsKeyword("COSTS") ||
            IsKeyword("LOGICAL")) {
            auto e = std::make_unique<ExplainStatement>();
            if (AcceptKeyword("ANALYZE"))
                e->analyze = true;
            else if (AcceptKeyword("VERBOSE") || AcceptKeyword("COSTS") || AcceptKeyword("LOGICAL"))
                e->verbose = true;
            e->statement = ParseStatement();
            stmt = std::move(e);
        } else {
            auto s = std::make_unique<ShowStatement>();
            s->show = ShowKind::COLUMNS;
            ParseTableName(s->catalog, s->database, s->table);
            stmt = std::move(s);
        }
    } else if (IsKeyword("SET")) {
        stmt = ParseSet();
    } else if (IsKeyword("SHOW") && (IsKeywordAt(PeekToken(), "ROUTINE") ||
                                     (IsKeywordAt(PeekToken(), "ALL") && IsKeywordAt(PeekToken(2), "ROUTINE")))) {
        Advance();
        bool all = AcceptKeyword("ALL");
        auto r = ParseRoutineLoad(RoutineLoadStatement::Action::SHOW);
        static_cast<RoutineLoadStatement&>(*r).all |= all;
        stmt = std::move(r);
    } else if ((IsKeyword("CREATE") || IsKeyword("ALTER") || IsKeyword("PAUSE") || IsKeyword("RESUME") ||
                IsKeyword("STOP")) &&
               IsKeywordAt(PeekToken(), "ROUTINE")) {
        using Action = RoutineLoadStatement::Action;
        Action action = IsKeyword("CREATE")  ? Action::CREATE
                        : IsKeyword("ALTER") ? Action::ALTER
                        : IsKeyword("PAUSE") ? Action::PAUSE
                        : IsKeyword("STOP")  ? Action::STOP
                                             : Action::RESUME;
        Advance();
        stmt = ParseRoutineLoad(action);
    } else if ((IsKeyword("CREATE") || IsKeyword("DROP") || IsKeyword("ALTER") || IsKeyword("REFRESH")) &&
               IsKeywordAt(PeekToken(), "MATERIALIZED")) {
        using Action = MaterializedViewStatement::Action;
        Action action = IsKeyword("CREATE")  ? Action::CREATE
                        : IsKeyword("DROP")  ? Action::DROP
                        : IsKeyword("ALTER") ? Action::SET
                                             : Action::REFRESH;
        Advance();
        stmt = ParseMaterializedView(action);
    } else if (IsKeyword("CANCEL") && IsKeywordAt(PeekToken(), "REFRESH") &&
               IsKeywordAt(PeekToken(2), "MATERIALIZED")) {
        Advance();
        Advance();
        stmt = ParseMaterializedView(MaterializedViewStatement::Action::CANCEL);
    } else if ((IsKeyword("SUBMIT") || IsKeyword("DROP") || IsKeyword("EXECUTE")) && IsKeywordAt(PeekToken(), "TASK")) {
        stmt = ParseTask();
    } else if (IsKeyword("SHOW")) {
        stmt = ParseShow();
    } else if (AcceptKeyword("USE")) {
        auto u = std::make_unique<UseStatement>();
        ParseQualifiedName(u->catalog, u->database, "a database name");
        stmt = std::move(u);
    } else if (IsKeyword("CREATE")) {
        stmt = ParseCreate();
    } else if (IsKeyword("DROP")) {
        stmt = ParseDrop();
    } else if (IsKeyword("ALTER")) {
        stmt = ParseAlter();
    } else if (IsKeyword("BEGIN") || IsKeyword("START")) {
        bool start = IsKeyword("START");
        Advance();
        if (start) {
            ExpectKeyword("TRANSACTION");
            while (!AtEnd() && !IsOp(";")) Advance();  // WITH CONSISTENT SNAPSHOT, READ ONLY, ...
        } else if (!AcceptKeyword("WORK")) {
            AcceptKeyword("TRANSACTION");
        }
        stmt = std::make_unique<TransactionStatement>();
    } else if (IsKeyword("COMMIT") || IsKeyword("ROLLBACK")) {
        auto t = std::make_unique<TransactionStatement>();
        t->transaction = IsKeyword("COMMIT") ? TransactionKind::COMMIT : TransactionKind::ROLLBACK;
        Advance();
        AcceptKeyword("WORK");
        stmt = std::move(t);
    } else if (IsKeyword("INSERT")) {
        stmt = ParseInsert();
    } else if (IsKeyword("DELETE")) {
        stmt = ParseDelete();
    } else if (IsKeyword("UPDATE")) {
        stmt = ParseUpdate();
    } else if (IsKeyword("MERGE") && IsKeywordAt(PeekToken(), "INTO")) {
        stmt = ParseMerge();
    } else if (IsKeyword("TRUNCATE")) {
        stmt = ParseTruncate();
    } else if (IsKeyword("ANALYZE") && IsKeywordAt(PeekToken(), "PROFILE")) {
        Advance();
        Advance();
        ExpectKeyword("FROM");
        auto a = std::make_unique<AnalyzeProfileStatement>();
        if (Cur().type != TokenType::STRING) Error("a query id string");
        a->query_id = Cur().text;
        Advance();
        while (AcceptOp(",")) {
            if (Cur().type != TokenType::INTEGER) Error("a plan node id");
            Advance();
        }
        stmt = std::move(a);
    } else if (AcceptKeyword("KILL")) {
        auto k = std::make_unique<KillStatement>();
        bool connection = false;
        if (AcceptKeyword("QUERY"))
            k->query_only = true;
        else
            connection = AcceptKeyword("CONNECTION");
        if (Cur().type == TokenType::STRING) {
            if (connection) Error("a connection id (a 'query id' names a statement: KILL QUERY 'id')");
            // KILL [QUERY] 'query_id': the statement with that id (SHOW PROCESSLIST, profiles).
            k->query_only = true;
            k->query_id = Cur().text;
        } else {
            if (Cur().type != TokenType::INTEGER) Error("a connection id or a 'query id'");
            uint64_t id = 0;
            const std::string& text = Cur().text;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
            if (ec != std::errc() || end != text.data() + text.size()) {
                throw ParserError("Unknown thread id: " + text, ErrorCode::NO_SUCH_THREAD);  // beyond every id
            }
            k->connection_id = id;
        }
        Advance();
        stmt = std::move(k);
    } else {
        Error("a statement (SELECT, SET, SHOW, USE, CREATE, DROP, ALTER, ...)");
    }
    stmt->location = loc;
    stmt->parameter_count = parameter_count_;
    return stmt;
}

/// The last of the adjacent quoted literals in `source` (the lexer joins 'a' 'b' into one
/// token), unescaped; empty when `source` holds fewer than two.
static std::string LastOfJoinedLiterals(std::string_view source) {
    std::vector<std::string> literals;
    for (size_t i = 0; i < source.size(); ++i) {
        char quote = source[i];
        if (quote != '\'' && quote != '"') continue;
        std::string value;
        for (++i; i < source.size(); ++i) {
            if (source[i] == '\\' && i + 1 < source.size()) {
                value.push_back(source[++i]);
            } else if (source[i] == quote && i + 1 < source.size() && source[i + 1] == quote) {
                value.push_back(quote);
                ++i;
            } else if (source[i] == quote) {
                break;
            } else {
                value.push_back(source[i]);
            }
        }
        literals.push_back(std::move(value));
    }
    return literals.size() >= 2 ? literals.back() : std::string();
}

StatementPtr ParserImpl::ParseSet() {
    ExpectKeyword("SET");
    if (IsKeyword("PROPERTY") && (PeekToken().type == TokenType::STRING || IsKeywordAt(PeekToken(), "FOR"))) {
        // StarRocks' user properties: SET PROPERTY [FOR 'u'] 'max_user_connections' = 'n' [, ...].
        Advance();
        auto a = std::make_unique<AlterUserStatement>();
        bool key_taken = false;
        if (AcceptKeyword("FOR")) {
            a->user = ParseUser();
            if (IsOp("=")) {
                // 'u' 'key' lexed as one joined literal: take the key back off the user (or host).
                const Token& joined = tokens_[pos_ - 1];
                std::string key = LastOfJoinedLiterals(sql_.substr(joined.offset, joined.end - joined.offset));
                auto ends_with_key = [&key](const std::string& part) {
                    return !key.empty() && part.size() > key.size() &&
                           part.compare(part.size() - key.size(), key.size(), key) == 0;
                };
                std::string& part = ends_with_key(a->user.host) ? a->user.host : a->user.name;
                if (!ends_with_key(part)) Error("a property name string");
                part.resize(part.size() - key.size());
                if (AsciiLower(key) != "max_user_connections") {
                    Error("'max_user_connections' (the user property Floe keeps)");
                }
                key_taken = true;
            }
        }
        do {
            if (!key_taken) {
                if (Cur().type != TokenType::STRING || AsciiLower(Cur().text) != "max_user_connections") {
                    Error("'max_user_connections' (the user property Floe keeps)");
                }
                Advance();
            }
            key_taken = false;
            ExpectOp("=");
            const std::string& value = Cur().text;
            bool digits = (Cur().type == TokenType::STRING || Cur().type == TokenType::INTEGER) && !value.empty() &&
                          value.size() <= 9 && value.find_first_not_of("0123456789") == std::string::npos;
            if (!digits) Error("a number of connections");
            a->account.max_user_connections = std::stoll(value);
            Advance();
        } while (AcceptOp(","));
        return a;
    }
    if (IsKeyword("PASSWORD")) {
        Advance();
        auto s = std::make_unique<SetPasswordStatement>();
        if (AcceptKeyword("FOR")) s->user = ParseUser();
        ExpectOp("=");
        s->password = ParsePasswordValue();
        return s;
    }
    auto s = std::make_unique<SetStatement>();
    auto add_names = [&](const std::string& charset, const std::string& collation) {
        for (const char* n : {"character_set_client", "character_set_connection", "character_set_results"}) {
            SetAssignment a;
            a.name = n;
            auto lit = std::make_unique<LiteralExpr>();
            lit->value = Value::Varchar(charset);
            a.value = std::move(lit);
            s->assignments.push_back(std::move(a));
        }
        if (!collation.empty()) {
            SetAssignment a;
            a.name = "collation_connection";
            auto lit = std::make_unique<LiteralExpr>();
            lit->value = Value::Varchar(collation);
            a.value = std::move(lit);
            s->assignments.push_back(std::move(a));
        }
    };
    do {
        SetScope scope = SetScope::SESSION;
        if (AcceptKeyword("GLOBAL"))
            scope = SetScope::GLOBAL;
        else if (AcceptKeyword("SESSION") || AcceptKeyword("LOCAL"))
            scope = SetScope::SESSION;
        if (IsKeyword("NAMES")) {
            Advance();
            std::string charset = AcceptKeyword("DEFAULT") ? "utf8mb4" : ParseIdentifierOrString("a character set");
            std::string collation;
            if (AcceptKeyword("COLLATE")) collation = ParseIdentifierOrString("a collation");
            add_names(charset, collation);
            continue;
        }
        if ((IsKeyword("CHARACTER") && IsKeywordAt(PeekToken(), "SET")) || IsKeyword("CHARSET")) {
            if (IsKeyword("CHARACTER")) Advance();
            Advance();
            std::string charset = AcceptKeyword("DEFAULT") ? "utf8mb4" : ParseIdentifierOrString("a character set");
            add_names(charset, "");
            continue;
        }
        if (IsKeyword("TRANSACTION")) {
            // SET [GLOBAL|SESSION] TRANSACTION ISOLATION LEVEL ... | READ ONLY | READ WRITE: accepted.
            while (!AtEnd() && !IsOp(";")) Advance();
            break;
        }
        SetAssignment a;
        a.scope = scope;
        const Token& t = Cur();
        if (t.type == TokenType::USER_VARIABLE) {
            a.scope = SetScope::USER;
            a.name = t.text;
            Advance();
        } else if (t.type == TokenType::SYSTEM_VARIABLE) {
            std::string name = AsciiLower(t.text);
            if (name.rfind("global.", 0) == 0) {
                a.scope = SetScope::GLOBAL;
                name = name.substr(7);
            } else if (name.rfind("session.", 0) == 0) {
                a.scope = SetScope::SESSION;
                name = name.substr(8);
            } else if (name.rfind("local.", 0) == 0) {
                a.scope = SetScope::SESSION;
                name = name.substr(6);
            }
            a.name = name;
            Advance();
        } else if (t.type == TokenType::IDENTIFIER || t.type == TokenType::QUOTED_IDENTIFIER) {
            a.name = AsciiLower(t.text);
            Advance();
            // Dotted names such as `SET session.x` are not MySQL; keep the last part.
        } else {
            Error("a variable name");
        }
        if (!AcceptOp("=") && !AcceptOp(":=")) Error("'='");
        if ((IsKeyword("ON") || IsKeyword("OFF") || IsKeyword("DEFAULT") || IsKeyword("ALL")) &&
            (PeekToken().type == TokenType::END ||
             (PeekToken().type == TokenType::OPERATOR && (PeekToken().text == "," || PeekToken().text == ";")))) {
            auto ref = std::make_unique<ColumnRefExpr>();
            ref->location = Loc();
            ref->parts.push_back(AsciiUpper(Cur().text));
            Advance();
            a.value = std::move(ref);
        } else {
            a.value = ParseExpression();
        }
        s->assignments.push_back(std::move(a));
    } while (AcceptOp(","));
    return s;
}

UserIdentity ParserImpl::ParseUser() {
    UserIdentity u;
    if (Cur().type == TokenType::USER_VARIABLE) {
        // u@h lexes as identifier + @h
        Error("a user name");
    }
    u.name = ParseIdentifierOrString("a user name");
    if (Cur().type == TokenType::USER_VARIABLE) {
        u.host = Cur().text;
        Advance();
    } else if (AcceptOp("@")) {
        u.host = ParseIdentifierOrString("a host");
    }
    return u;
}

std::string ParserImpl::ParsePasswordValue() {
    if (IsKeyword("PASSWORD") && PeekToken().text == "(") {
        Advance();
        Advance();
        if (Cur().type != TokenType::STRING) Error("a password string");
        std::string pw = Cur().text;
        Advance();
        ExpectOp(")");
        return pw;
    }
    if (Cur().type != TokenType::STRING) Error("a password string");
    std::string pw = Cur().text;
    Advance();
    return pw;
}

std::string ParserImpl::ParseIdentifiedBy(bool* is_hash) {
    std::string plugin;
    if (AcceptKeyword("WITH")) {
        // Both plugins' verifiers are kept for every password: either may log in.
        plugin = AsciiLower(ParseIdentifierOrString("an authentication plugin"));
        if (plugin != "mysql_native_password" && plugin != "caching_sha2_password") {
            --pos_;
            Error("mysql_native_password or caching_sha2_password (the authentication plugins Floe has)");
        }
    }
    if (plugin == "mysql_native_password" && AcceptKeyword("AS")) {
        *is_hash = true;
    } else {
        ExpectKeyword("BY");
        *is_hash = AcceptKeyword("PASSWORD");
    }
    if (Cur().type != TokenType::STRING) Error(*is_hash ? "a password hash string" : "a password string");
    std::string value = Cur().text;
    if (*is_hash) {
        // Stored as given, never taken for the password itself.
        bool hex = value.size() == 41 && value[0] == '*' &&
                   value.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
        if (!value.empty() && !hex) Error("a mysql_native_password hash: '*' and 40 hex digits");
        value = AsciiUpper(value);
    }
    Advance();
    return value;
}

void ParserImpl::ParseAccountOptions(AccountOptions& options) {
    auto count = [this](const char* what, int64_t max) {
        if (Cur().type != TokenType::INTEGER || Cur().text.size() > 9 || std::stoll(Cur().text) > max) Error(what);
        int64_t n = std::stoll(Cur().text);
        Advance();
        return n;
    };
    while (true) {
        if (AcceptKeyword("WITH")) {
            // MySQL's resource options; Floe keeps the connection limit only.
            do {
                ExpectKeyword("MAX_USER_CONNECTIONS");
                options.max_user_connections = count("a number of connections", 4294967295LL);
            } while (IsKeyword("MAX_USER_CONNECTIONS"));
        } else if (AcceptKeyword("FAILED_LOGIN_ATTEMPTS")) {
            options.failed_login_attempts = count("a number of attempts from 0 to 32767", 32767);
        } else if (AcceptKeyword("PASSWORD_LOCK_TIME")) {
            options.password_lock_days =
                AcceptKeyword("UNBOUNDED") ? -1 : count("a number of days from 0 to 32767 or UNBOUNDED", 32767);
        } else if (AcceptKeyword("ACCOUNT")) {
            if (AcceptKeyword("LOCK")) {
                options.account_locked = true;
            } else {
                ExpectKeyword("UNLOCK");
                options.account_locked = false;
            }
        } else {
            return;
        }
    }
}

std::vector<std::pair<std::string, std::string>> ParserImpl::ParseProperties() {
    std::vector<std::pair<std::string, std::string>> props;
    ExpectOp("(");
    if (!IsOp(")")) {
        do {
            if (Cur().type != TokenType::STRING) Error("a property name string");
            std::string k = Cur().text;
            Advance();
            ExpectOp("=");
            if (Cur().type != TokenType::STRING) Error("a property value string");
            props.emplace_back(k, Cur().text);
            Advance();
        } while (AcceptOp(","));
    }
    ExpectOp(")");
    return props;
}

StatementPtr ParserImpl::ParseShow() {
    ExpectKeyword("SHOW");
    auto s = std::make_unique<ShowStatement>();
    if (AcceptKeyword("FULL")) s->full = true;
    if (AcceptKeyword("GLOBAL"))
        s->global = true;
    else
        AcceptKeyword("SESSION") || AcceptKeyword("LOCAL");
    auto parse_from = [&]() {
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s->database = ParseIdentifier("a database name");
    };
    if (AcceptKeyword("DATABASES") || AcceptKeyword("SCHEMAS")) {
        s->show = ShowKind::DATABASES;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s->catalog = ParseIdentifier("a catalog name");
    } else if (AcceptKeyword("CATALOGS")) {
        s->show = ShowKind::CATALOGS;
    } else if (IsKeyword("MATERIALIZED") && IsKeywordAt(PeekToken(), "VIEWS")) {
        Advance();
        Advance();
        s->show = ShowKind::MATERIALIZED_VIEWS;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s->database = ParseIdentifier("a database name");
    } else if (IsKeyword("ICEBERG") && IsKeywordAt(PeekToken(), "TABLE")) {
        Advance();
        Advance();
        ExpectKeyword("HEALTH");
        s->show = ShowKind::ICEBERG_HEALTH;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) {
            std::string first, second;
            ParseQualifiedName(first, second, "a catalog or catalog.database name");
            if (first.empty()) {
                s->catalog = second;
            } else {
                s->catalog = first;
                s->database = second;
            }
        }
    } else if (AcceptKeyword("TIERING")) {
        s->show = ShowKind::TIERING;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s->database = ParseIdentifier("a database name");
    } else if (AcceptKeyword("DATA")) {
        s->show = ShowKind::DATA;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) {
            // db or db.table
            std::string first, second;
            ParseQualifiedName(first, second, "a database or table name");
            if (first.empty()) {
                s->database = second;
            } else {
                s->database = first;
                s->table = second;
            }
        }
    } else if (AcceptKeyword("TABLES")) {
        s->show = ShowKind::TABLES;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN"))
            ParseQualifiedName(s->catalog, s->database, "a database name");
    } else if (AcceptKeyword("VARIABLES")) {
        s->show = ShowKind::VARIABLES;
    } else if (AcceptKeyword("STATUS")) {
        s->show = ShowKind::STATUS;
    } else if (AcceptKeyword("COLUMNS") || AcceptKeyword("FIELDS")) {
        s->show = ShowKind::COLUMNS;
        if (!AcceptKeyword("FROM")) ExpectKeyword("IN");
        ParseTableName(s->catalog, s->database, s->table);
        parse_from();
    } else if (AcceptKeyword("CREATE")) {
        if (AcceptKeyword("CATALOG")) {
            s->show = ShowKind::CREATE_CATALOG;
            s->catalog = ParseIdentifier("a catalog name");
        } else if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
            s->show = ShowKind::CREATE_DATABASE;
            s->database = ParseIdentifier("a database name");
        } else {
            if (!AcceptKeyword("VIEW") && !AcceptKeyword("MATERIALIZED")) ExpectKeyword("TABLE");
            AcceptKeyword("VIEW");
            s->show = ShowKind::CREATE_TABLE;
            ParseTableName(s->catalog, s->database, s->table);
        }
    } else if (AcceptKeyword("WARNINGS")) {
        s->show = ShowKind::WARNINGS;
    } else if (AcceptKeyword("ERRORS")) {
        s->show = ShowKind::ERRORS;
    } else if (AcceptKeyword("PROCESSLIST")) {
        s->show = ShowKind::PROCESSLIST;
    } else if (AcceptKeyword("ENGINES")) {
        s->show = ShowKind::ENGINES;
    } else if (AcceptKeyword("CHARSET") || (IsKeyword("CHARACTER") && IsKeywordAt(PeekToken(), "SET"))) {
        if (IsKeyword("CHARACTER")) {
            Advance();
            Advance();
        }
        s->show = ShowKind::CHARSET;
    } else if (AcceptKeyword("COLLATION")) {
        s->show = ShowKind::COLLATION;
    } else if (AcceptKeyword("GRANTS")) {
        s->show = ShowKind::GRANTS;
        if (AcceptKeyword("FOR")) {
            if (AcceptKeyword("ROLE")) {
                s->grants_for_role = ParseIdentifierOrString("a role name");
            } else {
                AcceptKeyword("USER");
                s->grants_for_user = ParseUser().name;
            }
        }
    } else if (AcceptKeyword("ROLES")) {
        s->show = ShowKind::ROLES;
    } else if (AcceptKeyword("USERS")) {
        s->show = ShowKind::USERS;
    } else if (IsKeyword("TABLE") && IsKeywordAt(PeekToken(), "STATUS")) {
        Advance();
        Advance();
        s->show = ShowKind::TABLE_STATUS;
        parse_from();
    } else if (AcceptKeyword("PARTITIONS") ||
               (IsKeyword("TEMPORARY") && IsKeywordAt(PeekToken(), "PARTITIONS") && (Advance(), Advance(), true))) {
        s->show = ShowKind::PARTITIONS;
        if (!AcceptKeyword("FROM")) ExpectKeyword("IN");
        ParseQualifiedName(s->database, s->table, "a table name");
    } else if (AcceptKeyword("LOAD") ||
               (IsKeyword("STREAM") && IsKeywordAt(PeekToken(), "LOAD") && (Advance(), Advance(), true))) {
        s->show = ShowKind::LOAD;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s->database = ParseIdentifier("a database name");
    } else if (AcceptKeyword("FUNCTIONS") || ((IsKeyword("BUILTIN") || IsKeyword("GLOBAL")) &&
                                              IsKeywordAt(PeekToken(), "FUNCTIONS") && (Advance(), Advance(), true))) {
        s->show = ShowKind::FUNCTIONS;
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) ParseIdentifier("a database name");
    } else if (AcceptKeyword("PLUGINS")) {
        s->show = ShowKind::PLUGINS;
    } else if (AcceptKeyword("PROFILELIST")) {
        s->show = ShowKind::PROFILELIST;
        if (AcceptKeyword("LIMIT")) {
            if (Cur().type != TokenType::INTEGER) Error("a row count");
            int64_t n = 0;
            const std::string& text = Cur().text;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec != std::errc() || end != text.data() + text.size()) Error("a row count");
            s->limit = n;
            Advance();
        }
    } else if (AcceptKeyword("INDEX") || AcceptKeyword("INDEXES") || AcceptKeyword("KEYS")) {
        s->show = ShowKind::INDEX;
        if (!AcceptKeyword("FROM")) ExpectKeyword("IN");
        ParseTableName(s->catalog, s->database, s->table);
        parse_from();
    } else {
        Error("DATABASES, TABLES, VARIABLES, COLUMNS, CREATE, PROCESSLIST, ...");
    }
    // SHOW CHARACTER SET leaves "SET" consumed above; SHOW CHARACTER needs it.
    if (AcceptKeyword("LIKE")) {
        if (Cur().type != TokenType::STRING) Error("a pattern string");
        s->like = Cur().text;
        Advance();
    } else if (AcceptKeyword("WHERE")) {
        s->where = ParseExpression();
    }
    return s;
}

StatementPtr ParserImpl::ParseCreateView(bool or_replace, bool alter) {
    auto v = std::make_unique<CreateViewStatement>();
    v->or_replace = or_replace;
    v->alter = alter;
    if (!alter && AcceptKeyword("IF")) {
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        v->if_not_exists = true;
    }
    ParseQualifiedName(v->database, v->name, "a view name");
    if (AcceptOp("(")) {
        do {
            v->column_names.push_back(ParseIdentifier("a column name"));
            if (AcceptKeyword("COMMENT")) {
                if (Cur().type != TokenType::STRING) Error("a comment string");
                Advance();
            }
        } while (AcceptOp(","));
        ExpectOp(")");
    }
    if (AcceptKeyword("COMMENT")) {
        if (Cur().type != TokenType::STRING) Error("a comment string");
        Advance();
    }
    if (AcceptKeyword("SECURITY")) {
        if (AcceptKeyword("INVOKER")) {
            v->security_invoker = true;
        } else if (AcceptKeyword("NONE")) {
            v->security_invoker = false;
        } else {
            Error("NONE or INVOKER");
        }
    }
    ExpectKeyword("AS");
    const Token& start = Cur();
    v->query = ParseQuery();
    const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
    v->query_text = std::string(sql_.substr(start.offset, last.end - start.offset));
    return v;
}

StatementPtr ParserImpl::ParseCreate() {
    ExpectKeyword("CREATE");
    bool or_replace = false;
    if (AcceptKeyword("OR")) {
        ExpectKeyword("REPLACE");
        or_replace = true;
    }
    if (AcceptKeyword("VIEW")) return ParseCreateView(or_replace, false);
    if (!or_replace && (AcceptKeyword("INDEX") || (AcceptKeyword("UNIQUE") && (ExpectKeyword("INDEX"), true)))) {
        auto idx = std::make_unique<CreateIndexStatement>();
        idx->name = ParseIdentifier("an index name");
        ExpectKeyword("ON");
        ParseQualifiedName(idx->database, idx->table, "a table name");
        ExpectOp("(");
        do {
            idx->columns.push_back(ParseIdentifier("a column name"));
            if (!AcceptKeyword("ASC")) AcceptKeyword("DESC");
        } while (AcceptOp(","));
        ExpectOp(")");
        if (AcceptKeyword("USING")) idx->using_type = AsciiUpper(ParseIdentifier("an index type"));
        if (AcceptKeyword("COMMENT")) {
            if (Cur().type != TokenType::STRING) Error("a comment string");
            Advance();
        }
        return idx;
    }
    if (IsKeyword("TABLE") || (!or_replace && (IsKeyword("EXTERNAL") || IsKeyword("TEMPORARY")))) {
        auto t = ParseCreateTable();
        static_cast<CreateTableStatement&>(*t).or_replace = or_replace;  // DuckDB, Snowflake
        return t;
    }
    if (or_replace) Error("VIEW");
    if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
        auto c = std::make_unique<CreateDatabaseStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("NOT");
            ExpectKeyword("EXISTS");
            c->if_not_exists = true;
        }
        ParseQualifiedName(c->catalog, c->name, "a database name");
        while (!AtEnd() && !IsOp(";")) {
            if (AcceptKeyword("PROPERTIES")) {
                c->properties = ParseProperties();
            } else if (AcceptKeyword("DEFAULT") || AcceptKeyword("CHARACTER") || AcceptKeyword("CHARSET") ||
                       AcceptKeyword("COLLATE") || AcceptKeyword("SET")) {
                AcceptOp("=");
                if (!IsKeyword("SET") && !IsKeyword("CHARACTER") && !IsKeyword("COLLATE") && !IsKeyword("CHARSET") &&
                    !IsKeyword("DEFAULT")) {
                    ParseIdentifierOrString("a character set or collation");
                }
            } else {
                Error("PROPERTIES or end of statement");
            }
        }
        return c;
    }
    if (AcceptKeyword("USER")) {
        auto c = std::make_unique<CreateUserStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("NOT");
            ExpectKeyword("EXISTS");
            c->if_not_exists = true;
        }
        c->user = ParseUser();
        if (AcceptKeyword("IDENTIFIED")) c->password = ParseIdentifiedBy(&c->password_is_hash);
        if (AcceptKeyword("DEFAULT")) {
            ExpectKeyword("ROLE");
            c->default_roles = ParseDefaultRoleSpec();
        }
        ParseAccountOptions(c->account);
        return c;
    }
    Error("DATABASE, USER or VIEW (tables arrive with the storage engine)");
}

StatementPtr ParserImpl::ParseDrop() {
    ExpectKeyword("DROP");
    if (AcceptKeyword("INDEX")) {
        auto d = std::make_unique<DropIndexStatement>();
        d->name = ParseIdentifier("an index name");
        ExpectKeyword("ON");
        ParseQualifiedName(d->database, d->table, "a table name");
        return d;
    }
    if (AcceptKeyword("TABLE")) {
        auto d = std::make_unique<DropTableStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            d->if_exists = true;
        }
        ParseTableName(d->catalog, d->database, d->name);
        if (AcceptKeyword("FORCE")) d->force = true;
        return d;
    }
    if (AcceptKeyword("VIEW")) {
        auto d = std::make_unique<DropViewStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            d->if_exists = true;
        }
        ParseQualifiedName(d->database, d->name, "a view name");
        return d;
    }
    if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
        auto d = std::make_unique<DropDatabaseStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            d->if_exists = true;
        }
        ParseQualifiedName(d->catalog, d->name, "a database name");
        if (AcceptKeyword("FORCE")) d->force = true;
        return d;
    }
    if (AcceptKeyword("USER")) {
        auto d = std::make_unique<DropUserStatement>();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            d->if_exists = true;
        }
        d->user = ParseUser();
        return d;
    }
    Error("DATABASE, USER or VIEW");
}

StatementPtr ParserImpl::ParseAlter() {
    ExpectKeyword("ALTER");
    if (AcceptKeyword("VIEW")) return ParseCreateView(true, true);
    if (AcceptKeyword("TABLE")) {
        auto t = std::make_unique<AlterTableStatement>();
        ParseTableName(t->catalog, t->database, t->table);
        auto column_position = [&](AlterColumn& a) {
            if (AcceptKeyword("FIRST")) {
                a.first = true;
            } else if (AcceptKeyword("AFTER")) {
                a.after = ParseIdentifier("a column name");
            }
        };
        if (ParseAlterIcebergAction(*t)) return t;
        if (IsKeyword("ADD") && IsKeywordAt(PeekToken(), "COLUMN")) {
            Advance();
            Advance();
            t->action = AlterTableAction::ADD_COLUMN;
            if (AcceptOp("(")) {
                do {
                    AlterColumn a;
                    a.definition = ParseColumnDefinition();
                    t->columns.push_back(std::move(a));
                } while (AcceptOp(","));
                ExpectOp(")");
            } else {
                AlterColumn a;
                a.definition = ParseColumnDefinition();
                column_position(a);
                t->columns.push_back(std::move(a));
            }
            return t;
        }
        if (IsKeyword("DROP") && IsKeywordAt(PeekToken(), "COLUMN")) {
            Advance();
            Advance();
            t->action = AlterTableAction::DROP_COLUMN;
            AlterColumn a;
            a.definition.name = ParseIdentifier("a column name");
            t->columns.push_back(std::move(a));
            return t;
        }
        if (AcceptKeyword("MODIFY")) {
            ExpectKeyword("COLUMN");
            t->action = AlterTableAction::MODIFY_COLUMN;
            AlterColumn a;
            a.definition = ParseColumnDefinition();
            column_position(a);
            t->columns.push_back(std::move(a));
            return t;
        }
        if (AcceptKeyword("ADD")) {
            // ADD PARTITION p VALUES ... | ADD PARTITIONS START (..) END (..) EVERY (..)
            t->action = AlterTableAction::ADD_PARTITION;
            if (IsKeyword("PARTITIONS") && IsKeywordAt(PeekToken(), "START")) Advance();
            t->partitions.push_back(ParsePartitionDefinition());
            return t;
        }
        if (AcceptKeyword("DROP")) {
            t->action = AlterTableAction::DROP_PARTITION;
            if (!AcceptKeyword("PARTITION")) ExpectKeyword("PARTITIONS");
            if (AcceptKeyword("IF")) {
                ExpectKeyword("EXISTS");
                t->if_exists = true;
            }
            do {
                t->partition_names.push_back(ParseIdentifier("a partition name"));
            } while (AcceptOp(","));
            AcceptKeyword("FORCE");
            return t;
        }
        // StarRocks' manual compaction: ALTER TABLE t [BASE | CUMULATIVE] COMPACT [partition].
        if (!AcceptKeyword("BASE")) AcceptKeyword("CUMULATIVE");
        ExpectKeyword("COMPACT");
        t->action = AlterTableAction::COMPACT;
        return t;
    }
    ExpectKeyword("USER");
    auto a = std::make_unique<AlterUserStatement>();
    if (AcceptKeyword("IF")) {
        ExpectKeyword("EXISTS");
        a->if_exists = true;
    }
    a->user = ParseUser();
    if (AcceptKeyword("IDENTIFIED")) a->password = ParseIdentifiedBy(&a->password_is_hash);
    if (AcceptKeyword("DEFAULT")) {
        ExpectKeyword("ROLE");
        a->default_roles = ParseDefaultRoleSpec();
    }
    ParseAccountOptions(a->account);
    return a;
}

}  // namespace floe
