// floe_datagen tpch|ssb SF DIR [SEED]: writes the TPC-H-shaped or Star Schema Benchmark tables as
// DIR/<table>.tbl ('|'-separated) and prints the row counts.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "ssb.h"
#include "tpch.h"

int main(int argc, char** argv) {
    std::string kind = argc > 1 ? argv[1] : "";
    if (argc < 4 || (kind != "tpch" && kind != "ssb")) {
        std::fprintf(stderr, "usage: floe_datagen tpch|ssb SF DIR [SEED]\n");
        return 2;
    }
    double sf = std::atof(argv[2]);
    std::string dir = argv[3];
    uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
    std::filesystem::create_directories(dir);
    auto counts = kind == "tpch" ? floe::datagen::WriteTpch(dir, sf, seed) : floe::datagen::WriteSsb(dir, sf, seed);
    for (const auto& [table, rows] : counts) {
        std::printf("%s %lld\n", table.c_str(), static_cast<long long>(rows));
    }
    return 0;
}
