// Fuzzes Floe's Avro object container reader and the Iceberg manifest decoders on top of it: the
// header and its metadata map, schema JSON parsing, block framing and sync markers, the deflate,
// snappy and zstandard codecs, every value decoder, and binding manifest fields by id. Any input must
// either decode or throw floe::Exception; crashes, leaks, undefined behaviour and unbounded
// allocations are bugs. Seeds: test/fuzz/corpus/fuzz_avro (manifests and lists from the Iceberg
// fixtures, python-avro samples under the snappy and zstandard codecs).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/exception.h"
#include "lake/avro/avro_reader.h"
#include "lake/iceberg/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        floe::avro::AvroContainerReader reader(bytes, "fuzz.avro");
        floe::avro::Datum datum;
        // Objects of a zero-byte schema cost no input: stop after a bounded number.
        for (int n = 0; n < 10000 && reader.Next(datum); ++n) {
        }
    } catch (const floe::Exception&) {
    }
    try {
        (void)floe::iceberg::ReadManifestList(bytes, "fuzz.avro", 2);
    } catch (const floe::Exception&) {
    }
    try {
        floe::iceberg::ManifestFile from_list;
        from_list.added_snapshot_id = 1;
        from_list.sequence_number = 3;
        from_list.first_row_id = 100;
        (void)floe::iceberg::ReadManifest(bytes, "fuzz.avro", from_list);
    } catch (const floe::Exception&) {
    }
    return 0;
}
