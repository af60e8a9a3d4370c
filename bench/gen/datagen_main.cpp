// floe_datagen tpch|ssb|hits SF DIR [SEED] [--parquet]: writes the TPC-H-shaped, Star Schema
// Benchmark or hits tables as DIR/<table>.tbl ('|'-separated), or with --parquet as
// DIR/<table>.parquet (zstd), and prints the row counts.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "hits.h"
#include "parquet_out.h"
#include "ssb.h"
#include "tpch.h"

int main(int argc, char** argv) {
    std::vector<std::string> args;
    bool parquet = false;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--parquet") {
            parquet = true;
        } else {
            args.push_back(argv[i]);
        }
    }
    std::string kind = args.empty() ? "" : args[0];
    if (args.size() < 3 || (kind != "tpch" && kind != "ssb" && kind != "hits")) {
        std::fprintf(stderr, "usage: floe_datagen tpch|ssb|hits SF DIR [SEED] [--parquet]\n");
        return 2;
    }
    double sf = std::atof(args[1].c_str());
    std::string dir = args[2];
    uint64_t seed = args.size() > 3 ? std::strtoull(args[3].c_str(), nullptr, 10) : 0;
    std::filesystem::create_directories(dir);
    std::vector<std::pair<std::string, int64_t>> counts;
    if (!parquet) {
        if (kind == "tpch") counts = floe::datagen::WriteTpch(dir, sf, seed);
        if (kind == "ssb") counts = floe::datagen::WriteSsb(dir, sf, seed);
        if (kind == "hits") counts = {{"hits", floe::datagen::WriteHits(dir, sf, seed)}};
    } else {
        // Every table through the same typed writer: names and types from the generator's schema.
        struct Table {
            std::string name;
            std::vector<std::string> columns, types;
        };
        std::vector<Table> tables;
        if (kind == "tpch") {
            for (const auto& t : floe::datagen::TpchTables()) tables.push_back({t.name, t.columns, t.types});
        } else if (kind == "ssb") {
            for (const auto& t : floe::datagen::SsbTables()) tables.push_back({t.name, t.columns, t.types});
        } else {
            Table hits{"hits", {}, {}};
            for (const auto& c : floe::datagen::HitsColumns()) {
                hits.columns.push_back(c.name);
                hits.types.push_back(c.type);
            }
            tables.push_back(std::move(hits));
        }
        for (const auto& t : tables) {
            floe::datagen::ParquetTableWriter out(dir + "/" + t.name + ".parquet", t.columns, t.types);
            auto row = [&](const std::vector<std::string>& fields) { out.Row(fields); };
            if (kind == "tpch") floe::datagen::GenerateTpch(t.name, sf, seed, row);
            if (kind == "ssb") floe::datagen::GenerateSsb(t.name, sf, seed, row);
            if (kind == "hits") floe::datagen::GenerateHits(sf, seed, row);
            out.Finish();
            counts.emplace_back(t.name, out.rows());
        }
    }
    for (const auto& [table, rows] : counts) {
        std::printf("%s %lld\n", table.c_str(), static_cast<long long>(rows));
    }
    return 0;
}
