// floe_datagen tpch SF DIR [SEED]: writes the TPC-H-shaped tables as DIR/<table>.tbl
// ('|'-separated) and prints the row counts.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tpch.h"

int main(int argc, char** argv) {
    if (argc < 4 || std::string(argv[1]) != "tpch") {
        std::fprintf(stderr, "usage: floe_datagen tpch SF DIR [SEED]\n");
        return 2;
    }
    double sf = std::atof(argv[2]);
    std::string dir = argv[3];
    uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
    std::filesystem::create_directories(dir);
    for (const auto& [table, rows] : floe::datagen::WriteTpch(dir, sf, seed)) {
        std::printf("%s %lld\n", table.c_str(), static_cast<long long>(rows));
    }
    return 0;
}
