// floe_sqllogictest FILE...: runs sqllogictest files (in process, or on a server with --mysql
// HOST:PORT) and prints a summary line.
#include <iostream>
#include <string>

#include "common/logging.h"
#include "runner.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: floe_sqllogictest [--database DB] [--engine NAME] [--mysql HOST:PORT] FILE.test...\n";
        return 2;
    }
    floe::Log::SetLevel(floe::LogLevel::WARN);
    int passed = 0, failed = 0;
    std::string database, engine, mysql;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--database" && i + 1 < argc) {
            database = argv[++i];
            continue;
        }
        if (arg == "--engine" && i + 1 < argc) {
            engine = argv[++i];
            continue;
        }
        if (arg == "--mysql" && i + 1 < argc) {  // run through a server's MySQL protocol
            mysql = argv[++i];
            continue;
        }
        try {
            auto r = floe::RunSqlLogicTest(arg, database, engine, mysql);
            passed += r.passed;
            failed += r.failed;
        } catch (const std::exception& e) {
            std::cerr << arg << ": " << e.what() << "\n";
            ++failed;
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
