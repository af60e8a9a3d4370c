#pragma once
/// A sqllogictest runner (the format DuckDB and SQLite use), driving a Floe Session in process, or
/// a running server through the MySQL protocol (libmariadb). Supported records:
///   statement ok | statement error [text]   -- SQL follows until a blank line; `text` (optional)
///                                              must appear in the error message or be its errno
///   query <types> [nosort|rowsort|valuesort] -- SQL, then `----`, then expected rows, one per line,
///                                              columns separated by tabs; NULL, (empty) for ''
///   restart                                  -- closes and reopens the database (durability)
///   halt, # comments, skipif <engine> / onlyif <engine> (only `floe` is run)

#include <string>

namespace floe {

struct SqlLogicTestResult {
    int passed = 0;
    int failed = 0;
};

/// Runs one .test file in a fresh temporary data directory; failures are printed to stderr.
/// `default_database`, when not empty, is created and selected before the first record.
/// `engine`: besides "floe", the engine name whose skipif/onlyif records apply to Floe (the
/// SQLite corpus fences MySQL's dialect with "mysql", which Floe speaks).
/// `mysql_endpoint` ("host:port"), when not empty, runs the records on that server over the MySQL
/// protocol (as root) instead of in process; `restart` then reconnects.
SqlLogicTestResult RunSqlLogicTest(const std::string& path, const std::string& default_database = "",
                                   const std::string& engine = "", const std::string& mysql_endpoint = "");

}  // namespace floe
