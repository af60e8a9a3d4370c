#pragma once
/// The HTTP SQL API (StarRocks 3.2+): `POST /api/v1/catalogs/{catalog}[/databases/{db}]/sql`
/// with Basic auth and a JSON body `{"query": "<one statement>", "sessionVariables": {...}}`.
/// The answer is newline-delimited JSON: `{"connectionId":n}`, then for a result set
/// `{"meta":[{"name":..,"type":..}]}`, one `{"data":[...]}` per row and `{"statistics":{...}}`;
/// for EXPLAIN `{"explain":"<plan>"}`; for other statements only the statistics (with
/// `affectedRows`). Errors before any data: a 4xx/5xx status and `{"status":"FAILED","msg":..}`.
///
/// The statement runs in a session of its own as the authenticated user, under the same
/// privileges as over MySQL (the web console runs every query through this), listed in SHOW
/// PROCESSLIST while it runs and killable there. StarRocks accepts only SELECT, SHOW, EXPLAIN and
/// KILL here; Floe accepts any one statement (PAUSE ROUTINE LOAD from the console, say).

#include <string>

namespace floe {

class Instance;

struct HttpSqlAnswer {
    int status = 200;
    std::string content_type = "application/x-ndjson; charset=UTF-8";
    std::string body;
    std::string query_id;
};

/// `console`: the web console's polling (keeps no profiles). Never throws.
HttpSqlAnswer RunHttpSql(Instance& instance, const std::string& user, const std::string& peer,
                         const std::string& catalog, const std::string& database, const std::string& body,
                         bool console = false);

}  // namespace floe
