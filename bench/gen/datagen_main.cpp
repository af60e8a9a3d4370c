// floe_datagen tpch|ssb|hits SF DIR [SEED]: writes the TPC-H-shaped, Star Schema Benchmark or hits tables as
// DIR/<table>.tbl ('|'-separated) and prints the row counts.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "hits.h"
#include "ssb.h"
#include "tpch.h"

int main(int argc, char** argv) {
    std::string kind = argc > 1 ? argv[1] : "";
    if (argc < 4 || (kind != "tpch" && kind != "ssb" && kind != "hits")) {
        std::fprintf(stderr, "usage: floe_datagen tpch|ssb|hits SF DIR [SEED]\n");
        return 2;
    }
    double sf = std::atof(argv[2]);
    std::string dir = argv[3];
    uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
    std::filesystem::create_directories(dir);
    std::vector<std::pair<std::string, int64_t>> counts;
    if (kind == "tpch") counts = floe::datagen::WriteTpch(dir, sf, seed);
    if (kind == "ssb") counts = floe::datagen::WriteSsb(dir, sf, seed);
    if (kind == "hits") counts = {{"hits", floe::datagen::WriteHits(dir, sf, seed)}};
    for (const auto& [table, rows] : counts) {
        std::printf("%s %lld\n", table.c_str(), static_cast<long long>(rows));
    }
    return 0;
}
