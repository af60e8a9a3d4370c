// Fuzzes the Parquet reader from the footer down: the thrift footer and page headers, the schema,
// page decompression and every decoder, and nested-record assembly. Any input must either read or
// throw floe::Exception; crashes, leaks, undefined behaviour and unbounded allocations are bugs.
// Seed it with ../shared/fixtures/parquet/data/*.parquet (make fuzz does).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/exception.h"
#include "format/parquet/file_reader.h"
#include "io/file_system.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        std::shared_ptr<floe::RandomAccessFile> file =
            floe::MemoryFile("fuzz.parquet", std::string(reinterpret_cast<const char*>(data), size));
        floe::parquet::ParquetFileReader reader(file);
        for (size_t g = 0; g < reader.row_group_count() && g < 16; ++g) {
            auto rows = static_cast<size_t>(reader.row_group_rows(g));
            if (rows > (size_t{1} << 20)) continue;  // a claimed size, not data: the read would fail anyway
            for (size_t c = 0; c < reader.columns().size(); ++c) {
                try {
                    (void)reader.Statistics(g, c);
                    floe::parquet::ColumnReader column(reader, g, c);
                    floe::Column out(reader.columns()[c].type, rows);
                    out.Resize(rows);
                    column.Read(rows, out, 0);
                } catch (const floe::Exception&) {
                }
            }
        }
    } catch (const floe::Exception&) {
    }
    return 0;
}
