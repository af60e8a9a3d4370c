// Fuzzes the JSON reader as Stream Load and Routine Load drive it: records one after another or
// an outer array, under an optional json_root, fields by key or by jsonpaths; the same bytes as
// separate documents (Kafka messages) and as a truncated block; and column inference. Any input
// must read (bad records reported) or throw floe::Exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/exception.h"
#include "format/json/json_reader.h"

namespace {

void Drain(floe::JsonReader& reader) {
    floe::Chunk chunk;
    std::vector<floe::CsvRowError> errors;
    std::vector<uint32_t> sources;
    reader.TrackSources(&sources);
    for (int guard = 0; guard < 10000 && reader.Next(chunk, errors); ++guard) {
        for (size_t c = 0; c < chunk.column_count(); ++c) {
            for (size_t r = 0; r < chunk.size(); ++r) (void)chunk.column(c).GetValue(r);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    floe::JsonOptions options;
    const uint8_t mode = data[0];
    options.strip_outer_array = mode & 1;
    if (mode & 2) options.json_root = (mode & 4) ? "$.data" : "$.a.b[1]";
    std::vector<std::string> names = {"id", "name", "v"};
    if (mode & 8) options.jsonpaths = {"$.id", "$.a.b", "$.c[0]"};
    if ((mode & 0x30) == 0x30) options.jsonpaths = {"$", "$.x[*]", "$..y"};
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    // simdjson reads up to 64 bytes past the end of what it parses unless padded: Floe's readers
    // must copy what they are given, so the fuzzer hands over exactly the bytes it has.
    try {
        floe::JsonReader reader(body, options, names);
        if (mode & 0x40) reader.AllowTruncatedEnd();
        Drain(reader);
        if (mode & 0x40) (void)reader.truncated_bytes();
    } catch (const floe::Exception&) {
    }
    try {
        std::vector<std::string_view> documents;
        size_t start = 0;
        for (size_t i = 0; i <= body.size(); ++i) {
            if (i == body.size() || body[i] == '\n') {
                documents.push_back(body.substr(start, i - start));
                start = i + 1;
            }
        }
        floe::JsonReader reader(documents, options, names);
        Drain(reader);
    } catch (const floe::Exception&) {
    }
    try {
        (void)floe::InferJsonColumns(body, options, 50);
    } catch (const floe::Exception&) {
    }
    return 0;
}
