#include "lake/iceberg/deletion_vector.h"

#include <roaring/roaring.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "common/crc32.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "format/parquet/file_reader.h"
#include "io/file_system.h"
#include "lake/iceberg/data_file_writer.h"
#include "vector/column.h"

namespace floe::iceberg {

namespace {

constexpr unsigned char kMagic[4] = {0xD1, 0xD3, 0x39, 0x64};

uint32_t BigEndian32(const unsigned char* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void PutBigEndian32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

template <typename T>
void PutLittleEndian(std::string& out, T v) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    out.append(bytes, sizeof(T));
}

}  // namespace

std::string EncodeDeletionVector(std::vector<int64_t> positions) {
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    // Group the positions by their high 32 bits.
    std::map<uint32_t, std::vector<uint32_t>> buckets;
    for (int64_t p : positions) {
        if (p < 0) throw InternalError("a deletion vector cannot hold the negative position " + std::to_string(p));
        auto u = static_cast<uint64_t>(p);
        buckets[static_cast<uint32_t>(u >> 32)].push_back(static_cast<uint32_t>(u & 0xFFFFFFFFu));
    }
    std::string vector;
    PutLittleEndian<uint64_t>(vector, buckets.size());
    for (const auto& [key, lows] : buckets) {
        PutLittleEndian<uint32_t>(vector, key);
        roaring_bitmap_t* bitmap = roaring_bitmap_of_ptr(lows.size(), lows.data());
        roaring_bitmap_run_optimize(bitmap);
        size_t size = roaring_bitmap_portable_size_in_bytes(bitmap);
        size_t at = vector.size();
        vector.resize(at + size);
        roaring_bitmap_portable_serialize(bitmap, vector.data() + at);
        roaring_bitmap_free(bitmap);
    }
    std::string body(reinterpret_cast<const char*>(kMagic), 4);
    body += vector;
    std::string blob;
    PutBigEndian32(blob, static_cast<uint32_t>(body.size()));
    blob += body;
    PutBigEndian32(blob, Crc32(reinterpret_cast<const unsigned char*>(body.data()), body.size()));
    return blob;
}

std::vector<int64_t> DecodeDeletionVector(std::string_view blob, const std::string& what) {
    if (blob.size() < 12) throw IOError(what + ": blob size " + std::to_string(blob.size()) + " is impossible");
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    uint32_t length = BigEndian32(p);
    if (uint64_t{length} + 8 != blob.size()) throw IOError(what + ": the blob's length field disagrees with its size");
    if (std::memcmp(p + 4, kMagic, 4) != 0) throw IOError(what + ": bad magic (not a deletion-vector-v1 blob)");
    uint32_t crc = BigEndian32(p + 4 + length);
    if (Crc32(p + 4, length) != crc) throw IOError(what + ": CRC mismatch");
    const char* data = blob.data() + 8;
    size_t left = length - 4;
    if (left < 8) throw IOError(what + ": truncated bitmap");
    uint64_t buckets = 0;
    std::memcpy(&buckets, data, 8);
    data += 8;
    left -= 8;
    std::vector<int64_t> out;
    for (uint64_t b = 0; b < buckets; ++b) {
        if (left < 4) throw IOError(what + ": truncated bitmap");
        uint32_t high = 0;
        std::memcpy(&high, data, 4);
        data += 4;
        left -= 4;
        size_t size = roaring_bitmap_portable_deserialize_size(data, left);
        if (size == 0) throw IOError(what + ": malformed roaring bitmap");
        roaring_bitmap_t* bitmap = roaring_bitmap_portable_deserialize_safe(data, left);
        if (!bitmap) throw IOError(what + ": malformed roaring bitmap");
        uint64_t count = roaring_bitmap_get_cardinality(bitmap);
        std::vector<uint32_t> lows(count);
        roaring_bitmap_to_uint32_array(bitmap, lows.data());
        roaring_bitmap_free(bitmap);
        for (uint32_t low : lows) out.push_back(static_cast<int64_t>((uint64_t{high} << 32) | low));
        data += size;
        left -= size;
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<DataFile> WriteDeletionVectors(const std::string& path,
                                           const std::vector<std::pair<std::string, std::vector<int64_t>>>& vectors,
                                           const std::vector<std::vector<PartitionValue>>& partitions) {
    std::string file = "PFA1";
    std::string blobs_json;
    std::vector<DataFile> out;
    for (size_t i = 0; i < vectors.size(); ++i) {
        const auto& [data_file, positions] = vectors[i];
        std::string blob = EncodeDeletionVector(positions);
        std::vector<int64_t> unique = positions;
        std::sort(unique.begin(), unique.end());
        unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
        int64_t offset = static_cast<int64_t>(file.size());
        int64_t length = static_cast<int64_t>(blob.size());
        file += blob;
        if (!blobs_json.empty()) blobs_json += ",";
        blobs_json +=
            "{\"type\":\"deletion-vector-v1\",\"fields\":[2147483645],\"snapshot-id\":-1,"
            "\"sequence-number\":-1,\"offset\":" +
            std::to_string(offset) + ",\"length\":" + std::to_string(length) +
            ",\"properties\":{\"referenced-data-file\":" + JsonString(data_file) + ",\"cardinality\":\"" +
            std::to_string(unique.size()) + "\"}}";
        DataFile f;
        f.content = DataFileContent::POSITION_DELETES;
        f.file_path = path;
        f.file_format = "PUFFIN";
        f.partition = i < partitions.size() ? partitions[i] : std::vector<PartitionValue>{};
        f.record_count = static_cast<int64_t>(unique.size());
        f.referenced_data_file = data_file;
        f.content_offset = offset;
        f.content_size_in_bytes = length;
        out.push_back(std::move(f));
    }
    std::string payload = "{\"blobs\":[" + blobs_json + "],\"properties\":{\"created-by\":\"Floe\"}}";
    file += "PFA1";
    file += payload;
    PutLittleEndian<int32_t>(file, static_cast<int32_t>(payload.size()));
    file.append(4, '\0');  // flags: the payload is not compressed
    file += "PFA1";
    WriteWholeFile(path, file);
    for (auto& f : out) f.file_size_in_bytes = static_cast<int64_t>(file.size());
    return out;
}

std::map<std::string, std::vector<int64_t>> ReadPositionDeletes(const std::string& path) {
    parquet::ParquetFileReader file(FileSystemFor(path).Open(path));
    int path_col = parquet::FindColumn(file, kDeleteFilePathFieldId, "file_path");
    int pos_col = parquet::FindColumn(file, kDeletePositionFieldId, "pos");
    if (path_col < 0 || pos_col < 0)
        throw IOError("position delete file '" + path + "' has no file_path and pos columns");
    Column paths = parquet::ReadWholeColumn(file, static_cast<size_t>(path_col));
    Column pos = parquet::ReadWholeColumn(file, static_cast<size_t>(pos_col));
    if (!paths.type().IsString() || !pos.type().IsInteger()) {
        throw IOError("position delete file '" + path + "': file_path must be a string and pos a long");
    }
    std::map<std::string, std::vector<int64_t>> out;
    for (size_t r = 0; r < paths.size(); ++r) {
        if (paths.IsNull(r) || pos.IsNull(r)) continue;
        out[std::string(paths.Strings()[r].view())].push_back(pos.GetValue(r).GetInt());
    }
    for (auto& [file_path, list] : out) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return out;
}

}  // namespace floe::iceberg
