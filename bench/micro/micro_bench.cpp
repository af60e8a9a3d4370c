// Micro benchmarks of Floe's kernels (Google Benchmark): the hash table behind GROUP BY and joins,
// ORDER BY's sort, the storage page codecs, Parquet's RLE / bit-packed index decoder, a vectorized
// filter, and the CSV and JSON readers of Stream Load. `make bench SUITE=micro` runs them; the
// figures are rows (or bytes) per second of one thread.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "binder/bound_expression.h"
#include "execution/expression_executor.h"
#include "execution/key_hash_table.h"
#include "execution/operator/physical_sort.h"
#include "format/csv/csv_reader.h"
#include "format/json/json_reader.h"
#include "format/parquet/decoding.h"
#include "function/function_registry.h"
#include "storage/encoding.h"
#include "vector/chunk.h"

namespace floe {
namespace {

constexpr size_t kRows = size_t{1} << 22;  // 4M

/// 4M BIGINTs in 4096-row chunks, uniform in [0, distinct).
std::vector<Chunk> IntChunks(int64_t distinct, uint64_t seed = 7) {
    std::mt19937_64 rng(seed);
    std::vector<Chunk> chunks;
    for (size_t done = 0; done < kRows; done += kChunkCapacity) {
        Chunk c({LogicalType(TypeId::BIGINT)});
        Column& col = c.column(0);
        col.Resize(kChunkCapacity);
        auto* d = col.Data<int64_t>();
        for (size_t i = 0; i < kChunkCapacity; ++i)
            d[i] = static_cast<int64_t>(rng() % static_cast<uint64_t>(distinct));
        c.SetSize(kChunkCapacity);
        chunks.push_back(std::move(c));
    }
    return chunks;
}

void BM_HashTableFindOrInsert(benchmark::State& state) {
    auto chunks = IntChunks(state.range(0));
    std::vector<uint32_t> rows(kChunkCapacity), ids(kChunkCapacity);
    for (uint32_t i = 0; i < kChunkCapacity; ++i) rows[i] = i;
    for (auto _ : state) {
        KeyHashTable table({LogicalType(TypeId::BIGINT)});
        for (const auto& c : chunks) table.FindOrInsert({&c.column(0)}, rows.data(), kChunkCapacity, ids.data());
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_HashTableFindOrInsert)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_SortBigint(benchmark::State& state) {
    auto chunks = IntChunks(int64_t{1} << 40);
    for (auto _ : state) {
        std::vector<BoundOrderBy> orders;
        orders.push_back({std::make_unique<BoundColumnRef>(0, LogicalType(TypeId::BIGINT), "x"), true, true});
        PhysicalSort sort({LogicalType(TypeId::BIGINT)}, std::move(orders));
        ExecutionContext ctx;
        for (auto& c : chunks) {
            Chunk copy;
            copy.AddColumn(c.shared_column(0));
            copy.SetSize(c.size());
            sort.Sink(ctx, copy);
        }
        sort.Finalize(ctx);
        Chunk out;
        size_t n = 0;
        while (sort.GetData(ctx, out) && out.size() > 0) n += out.size();
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_SortBigint)->Unit(benchmark::kMillisecond);

void BM_StoragePage(benchmark::State& state, bool strings) {
    constexpr size_t n = 65536;
    Column col(strings ? LogicalType::Varchar() : LogicalType(TypeId::BIGINT), n);
    col.Resize(n);
    std::mt19937_64 rng(3);
    for (size_t i = 0; i < n; ++i) {
        if (strings) {
            col.SetString(i, "value-" + std::to_string(rng() % 500));
        } else {
            col.Data<int64_t>()[i] = 1000000 + static_cast<int64_t>(rng() % 100000);
        }
    }
    PageEncoding encoding;
    ZoneMap zone;
    std::string page = EncodePage(col, 0, n, encoding, zone);
    Column out(col.type(), n);
    out.Resize(n);
    for (auto _ : state) {
        std::string p = EncodePage(col, 0, n, encoding, zone);
        DecodePage(p, encoding, n, out, 0, "bench");
        benchmark::DoNotOptimize(out.nulls());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
    state.SetLabel(std::to_string(page.size()) + " bytes per 64k rows");
}
BENCHMARK_CAPTURE(BM_StoragePage, bigint_encode_decode, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_StoragePage, dictionary_strings_encode_decode, true)->Unit(benchmark::kMicrosecond);

void BM_ParquetBitPackedIndices(benchmark::State& state) {
    // One bit-packed run of 64k 10-bit dictionary indices: width byte, run header, packed bytes.
    constexpr size_t n = 65536;
    std::string data(1, static_cast<char>(10));
    uint64_t header = ((n / 8) << 1) | 1;
    while (header >= 0x80) {
        data.push_back(static_cast<char>((header & 0x7f) | 0x80));
        header >>= 7;
    }
    data.push_back(static_cast<char>(header));
    std::mt19937 rng(5);
    for (size_t i = 0; i < n * 10 / 8; ++i) data.push_back(static_cast<char>(rng()));
    std::vector<uint32_t> out;
    for (auto _ : state) {
        out.clear();
        parquet::DecodeIndices(data, n, out, 1024, "bench");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_ParquetBitPackedIndices)->Unit(benchmark::kMicrosecond);

void BM_FilterLessThan(benchmark::State& state) {
    auto chunks = IntChunks(1000000);
    auto fn = FunctionRegistry::Instance().BindScalar("less", {TypeId::BIGINT, TypeId::BIGINT});
    auto less = std::make_unique<BoundFunction>(std::move(fn));
    less->args.push_back(std::make_unique<BoundColumnRef>(0, LogicalType(TypeId::BIGINT), "x"));
    less->args.push_back(std::make_unique<BoundConstant>(Value::Integer(500000)));
    for (auto _ : state) {
        size_t pass = 0;
        for (const auto& c : chunks) {
            auto mask = ExpressionExecutor::Evaluate(*less, c, c.size());
            const uint8_t* m = mask->Data<uint8_t>();
            for (size_t i = 0; i < c.size(); ++i) pass += m[i];
        }
        benchmark::DoNotOptimize(pass);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_FilterLessThan)->Unit(benchmark::kMillisecond);

std::string CsvText(size_t rows) {
    std::string text;
    std::mt19937_64 rng(11);
    for (size_t i = 0; i < rows; ++i) {
        text += std::to_string(i) + "," + std::to_string(rng() % 100000) + ",name" + std::to_string(rng() % 1000) +
                ",2024-01-" + std::to_string(10 + rng() % 18) + " 12:00:00\n";
    }
    return text;
}

void BM_CsvReader(benchmark::State& state) {
    std::string text = CsvText(1000000);
    CsvOptions options;
    options.column_separator = ",";
    options.reference_input = true;
    for (auto _ : state) {
        CsvReader reader(text, options, 4);
        Chunk chunk;
        std::vector<CsvRowError> errors;
        size_t rows = 0;
        while (reader.Next(chunk, errors)) rows += chunk.size();
        benchmark::DoNotOptimize(rows);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_CsvReader)->Unit(benchmark::kMillisecond);

void BM_JsonReader(benchmark::State& state) {
    std::string text;
    for (size_t i = 0; i < 300000; ++i) {
        text += "{\"id\":" + std::to_string(i) + ",\"user\":\"u" + std::to_string(i % 977) +
                "\",\"amount\":" + std::to_string(i % 1000) + ".25,\"ok\":true}\n";
    }
    for (auto _ : state) {
        JsonReader reader(text, JsonOptions{}, {"id", "user", "amount", "ok"});
        Chunk chunk;
        std::vector<CsvRowError> errors;
        size_t rows = 0;
        while (reader.Next(chunk, errors)) rows += chunk.size();
        benchmark::DoNotOptimize(rows);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_JsonReader)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace floe

BENCHMARK_MAIN();
