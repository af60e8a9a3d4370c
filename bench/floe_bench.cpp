// floe_bench FILE.bench [--repeat N] [--data-dir DIR]: runs a benchmark file on an embedded Floe
// instance and prints one JSON object per timed query:
//   {"engine":"floe","name":"...","ms":[...],"rows":N}
// The file format (shared with duckdb_bench.mjs) is described in bench/README.md.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/memory.h"
#include "server/instance.h"
#include "server/session.h"

namespace {

struct Block {
    std::string kind;  // "setup", "query", "step", "size", "load", "generate", "datagen", "before" or "serve"
    std::string name;  // query/step/size name, or the engine a setup block is for ("" = all)
    std::string sql;
    int64_t rows = 0;    // step/load: rows it writes (for rows/s)
    std::string engine;  // step, query: the engine it is for ("" = all)
    std::string table;   // load: the target table
    std::string path;    // load: the file; generate: the file it makes
};

std::vector<Block> ReadBench(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<Block> blocks;
    std::string line;
    Block* current = nullptr;
    while (std::getline(in, line)) {
        if (line.empty()) {
            current = nullptr;
            continue;
        }
        if (line[0] == '#' && current == nullptr) continue;
        if (current == nullptr) {
            std::istringstream words(line);
            Block b;
            words >> b.kind >> b.name;
            if (b.kind == "step") words >> b.rows >> b.engine;
            if (b.kind == "query") words >> b.engine;  // "query NAME floe": Floe only (no peer figure)
            if (b.kind == "load") words >> b.rows >> b.table >> b.path;
            if (b.kind == "generate") b.path = b.name;
            if (b.kind != "setup" && b.kind != "query" && b.kind != "step" && b.kind != "size" && b.kind != "load" &&
                b.kind != "generate" && b.kind != "datagen" && b.kind != "before" && b.kind != "serve") {
                throw std::runtime_error(path + ": unexpected line: " + line);
            }
            blocks.push_back(b);
            current = &blocks.back();
            continue;
        }
        current->sql += line + "\n";
    }
    return blocks;
}

std::string JsonEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
            continue;
        }
        out.push_back(c);
    }
    return out;
}

/// The first `limit` rows of a result as a JSON array of arrays of strings (NULL as null), for
/// run.py to compare with the peer's answer.
std::string ResultJson(const floe::QueryResult& result, size_t limit = 200) {
    std::string out = "[";
    size_t n = 0;
    for (const auto& chunk : result.chunks) {
        for (size_t i = 0; i < chunk.live_rows() && n < limit; ++i, ++n) {
            size_t r = chunk.LiveRow(i);
            out += n ? ",[" : "[";
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                if (c) out += ",";
                const floe::Column& col = chunk.column(c);
                out += col.IsNull(r) ? "null" : "\"" + JsonEscape(col.GetValue(r).ToString()) + "\"";
            }
            out += "]";
        }
    }
    return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
    floe::ConfigureAllocator();
    std::string file, data_dir;
    int repeat = 3;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc) {
            repeat = std::stoi(argv[++i]);
        } else if (a == "--data-dir" && i + 1 < argc) {
            data_dir = argv[++i];
        } else {
            file = a;
        }
    }
    if (file.empty()) {
        std::cerr << "usage: floe_bench FILE.bench [--repeat N] [--data-dir DIR]\n";
        return 2;
    }
    floe::Log::SetLevel(floe::LogLevel::WARN);
    bool temporary = data_dir.empty();
    if (temporary) {
        data_dir = (std::filesystem::temp_directory_path() / ("floe-bench-" + std::to_string(getpid()))).string();
    }
    std::filesystem::remove_all(data_dir);
    int rc = 0;
    try {
        floe::InstanceOptions options;
        options.lake_maintenance_interval = 0;  // benches run maintenance themselves
        options.data_dir = data_dir;
        // The benchmark's data files (bench data, the shared fixtures) are read through FILES().
        options.file_roots = {"/tmp"};
        if (const char* root = std::getenv("BENCH_DATA")) options.file_roots.push_back(root);
        floe::Instance instance(options);
        floe::Session session(instance, instance.NextConnectionId(), "root", "localhost");
        // BENCH_THREADS: the threads a query may use (default: every core, as for DuckDB).
        if (const char* threads = std::getenv("BENCH_THREADS")) {
            session.Execute(std::string("SET pipeline_dop = ") + std::to_string(std::atoi(threads)));
        }
        // "before [ENGINE]": statements run, untimed, before every run of the next query block
        // (e.g. emptying the data cache so that each run is a cold one).
        std::string before;
        for (const auto& b : ReadBench(file)) {
            if (b.kind == "before") {
                if (b.name.empty() || b.name == "floe") before = b.sql;
                continue;
            }
            if (b.kind == "setup") {
                if (!b.name.empty() && b.name != "floe") continue;
                auto start = std::chrono::steady_clock::now();
                session.ExecuteMulti(b.sql);
                double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                std::cerr << "setup: " << ms << " ms\n";
                continue;
            }
            if (b.kind == "step") {
                if (!b.engine.empty() && b.engine != "floe") continue;
                auto start = std::chrono::steady_clock::now();
                session.ExecuteMulti(b.sql);
                double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                std::cout << "{\"engine\":\"floe\",\"kind\":\"step\",\"name\":\"" << JsonEscape(b.name) << "\",\"ms\":["
                          << ms << "],\"rows\":" << b.rows << "}" << std::endl;
                continue;
            }
            // run.py makes the data first and starts the servers a suite names ("serve").
            if (b.kind == "generate" || b.kind == "datagen" || b.kind == "serve") continue;
            if (b.kind == "load") {
                // Stream Load of a file, in process (no HTTP): parse, transform, write, commit.
                floe::StreamLoadRequest request;
                request.database = session.current_database();
                request.table = b.table;
                std::istringstream lines(b.sql);
                for (std::string line; std::getline(lines, line);) {
                    size_t colon = line.find(':');
                    if (colon == std::string::npos) continue;
                    std::string value = line.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
                    request.headers[line.substr(0, colon)] = value;
                }
                int fd = ::open(b.path.c_str(), O_RDONLY);
                if (fd < 0) throw std::runtime_error("cannot open " + b.path);
                struct stat st {};
                ::fstat(fd, &st);
                size_t size = static_cast<size_t>(st.st_size);
                void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
                request.body = std::string_view(static_cast<const char*>(data), size);
                auto start = std::chrono::steady_clock::now();
                floe::StreamLoadResponse r = instance.stream_loads().Run(request);
                double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                ::munmap(data, size);
                ::close(fd);
                if (r.status != "Success") throw std::runtime_error("stream load " + b.name + ": " + r.message);
                // Merge the load's rowsets now (untimed), as the background compactor would soon:
                // queries are timed on the table at rest, not racing a merge of it.
                session.Execute("ALTER TABLE `" + b.table + "` COMPACT");
                std::cout << "{\"engine\":\"floe\",\"kind\":\"step\",\"name\":\"" << JsonEscape(b.name) << "\",\"ms\":["
                          << ms << "],\"rows\":" << r.loaded_rows << ",\"bytes\":" << size << "}" << std::endl;
                continue;
            }
            if (b.kind == "size") {
                uint64_t bytes = 0;
                std::error_code ec;
                for (auto it = std::filesystem::recursive_directory_iterator(data_dir, ec);
                     !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                    if (it->is_regular_file() && it->path().extension() == ".seg") bytes += it->file_size();
                }
                std::cout << "{\"engine\":\"floe\",\"kind\":\"size\",\"name\":\"" << JsonEscape(b.name)
                          << "\",\"bytes\":" << bytes << "}" << std::endl;
                continue;
            }
            std::string before_each = std::move(before);
            before.clear();
            if (!b.engine.empty() && b.engine != "floe") continue;
            std::vector<double> times;
            size_t rows = 0;
            std::string answer;
            try {
                for (int r = 0; r < repeat; ++r) {
                    if (!before_each.empty()) session.ExecuteMulti(before_each);
                    auto start = std::chrono::steady_clock::now();
                    floe::QueryResult result = session.Execute(b.sql);
                    times.push_back(
                        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
                    rows = result.RowCount();
                    if (r + 1 == repeat) answer = ResultJson(result);
                }
            } catch (const std::exception& e) {
                // One failing query is reported as such; the others still run.
                std::cout << "{\"engine\":\"floe\",\"name\":\"" << JsonEscape(b.name) << "\",\"error\":\""
                          << JsonEscape(e.what()) << "\"}" << std::endl;
                continue;
            }
            std::cout << "{\"engine\":\"floe\",\"name\":\"" << JsonEscape(b.name) << "\",\"ms\":[";
            for (size_t i = 0; i < times.size(); ++i) std::cout << (i ? "," : "") << times[i];
            std::cout << "],\"rows\":" << rows << ",\"result\":" << answer;
            if (b.engine == "floe") std::cout << ",\"only\":\"floe\"";
            std::cout << "}" << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "floe_bench: " << e.what() << "\n";
        rc = 1;
    }
    if (temporary) std::filesystem::remove_all(data_dir);
    return rc;
}
