// Fuzzes the CSV reader as Stream Load, Routine Load and FILES() drive it: options (separators of
// one or more bytes, enclose, escape, skip_header, column count) from the input's first bytes,
// the rest as the body, read chunk by chunk; and column inference as FILES() samples it. Any
// input must read (bad rows reported) or throw floe::Exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/exception.h"
#include "format/csv/csv_reader.h"

namespace {

std::string Separator(uint8_t code) {
    static const char* kChoices[] = {",", "\t", "|", "\n", "||", "\r\n", "\x01", "ab", ";", ",,"};
    return kChoices[code % 10];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 5) return 0;
    floe::CsvOptions options;
    options.column_separator = Separator(data[0]);
    options.row_delimiter = Separator(data[1] >> 4);
    if (options.row_delimiter == options.column_separator) options.row_delimiter = "\n";
    options.enclose = (data[1] & 1) ? '"' : 0;
    options.escape = (data[1] & 2) ? '\\' : 0;
    options.null_marker = (data[1] & 4) != 0;
    options.reference_input = (data[1] & 8) != 0;
    options.skip_header = data[2] % 4;
    const size_t columns = 1 + data[3] % 12;
    std::string_view body(reinterpret_cast<const char*>(data + 4), size - 4);
    try {
        floe::CsvReader reader(body, options, columns);
        floe::Chunk chunk;
        std::vector<floe::CsvRowError> errors;
        std::vector<uint32_t> sources;
        reader.TrackSources(&sources);
        for (int guard = 0; guard < 10000 && reader.Next(chunk, errors); ++guard) {
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                for (size_t r = 0; r < chunk.size(); ++r) (void)chunk.column(c).GetValue(r);
            }
        }
    } catch (const floe::Exception&) {
    }
    try {
        (void)floe::InferCsvColumns(body, options, 50);
    } catch (const floe::Exception&) {
    }
    return 0;
}
