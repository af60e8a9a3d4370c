// floe_sqllogictest FILE...: runs sqllogictest files in-process and prints a summary line.
#include <iostream>

#include "common/logging.h"
#include "runner.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: floe_sqllogictest FILE.test...\n";
        return 2;
    }
    floe::Log::SetLevel(floe::LogLevel::WARN);
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; ++i) {
        try {
            auto r = floe::RunSqlLogicTest(argv[i]);
            passed += r.passed;
            failed += r.failed;
        } catch (const std::exception& e) {
            std::cerr << argv[i] << ": " << e.what() << "\n";
            ++failed;
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
