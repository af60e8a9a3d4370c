#include "lake/avro/avro_writer.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>

#include "common/exception.h"

namespace floe::avro {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;

template <typename T>
void AppendLittleEndian(std::string& out, T bits) {
    for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

std::string Deflate(std::string_view data) {
    z_stream z{};
    // Raw deflate (no zlib header or Adler-32), as the Avro specification's deflate codec is.
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw InternalError("Avro deflate: deflateInit2 failed");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, Z_FINISH);
    size_t written = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw InternalError("Avro deflate: deflate did not finish (" + std::to_string(rc) + ")");
    out.resize(written);
    return out;
}

std::string Snappy(std::string_view data) {
    std::string out(snappy::MaxCompressedLength(data.size()) + 4, '\0');
    size_t n = 0;
    snappy::RawCompress(data.data(), data.size(), out.data(), &n);
    uint32_t crc =
        static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    // The CRC-32 of the uncompressed data, big-endian, after the compressed block.
    out[n] = static_cast<char>(crc >> 24);
    out[n + 1] = static_cast<char>(crc >> 16);
    out[n + 2] = static_cast<char>(crc >> 8);
    out[n + 3] = static_cast<char>(crc);
    out.resize(n + 4);
    return out;
}

std::string Zstandard(std::string_view data) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
    if (ZSTD_isError(n)) throw InternalError(std::string("Avro zstandard: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

bool IsKnownCodec(std::string_view codec) {
    return codec == "null" || codec == "deflate" || codec == "snappy" || codec == "zstandard";
}

[[noreturn]] void Mismatch(const std::string& path, const AvroNode& schema, const Datum& value,
                           const std::string& detail = "") {
    static constexpr const char* kKinds[] = {"null",   "boolean", "int",  "long",   "float", "double", "bytes",
                                             "string", "fixed",   "enum", "record", "array", "map"};
    std::string message = "Avro writer: the value at " + (path.empty() ? std::string("the root") : path) + " (a " +
                          kKinds[static_cast<int>(value.kind)] + ") does not fit the schema type " +
                          std::string(AvroTypeName(schema.type));
    if (!schema.name.empty()) message += " '" + schema.name + "'";
    if (!detail.empty()) message += ": " + detail;
    throw InternalError(message);
}

/// Whether a datum of this kind can be written as a value of `type` (without looking further).
bool KindFits(AvroType type, const AvroNode& node, const Datum& value) {
    using K = Datum::Kind;
    switch (type) {
        case AvroType::NULL_TYPE:
            return value.kind == K::NULL_VALUE;
        case AvroType::BOOLEAN:
            return value.kind == K::BOOLEAN;
        case AvroType::INT:
            return (value.kind == K::INT || value.kind == K::LONG) &&
                   value.integer >= std::numeric_limits<int32_t>::min() &&
                   value.integer <= std::numeric_limits<int32_t>::max();
        case AvroType::LONG:
            return value.kind == K::INT || value.kind == K::LONG;
        case AvroType::FLOAT:
        case AvroType::DOUBLE:
            return value.kind == K::FLOAT || value.kind == K::DOUBLE;
        case AvroType::BYTES:
        case AvroType::STRING:
            return value.kind == K::BYTES || value.kind == K::STRING;
        case AvroType::FIXED:
            return (value.kind == K::FIXED || value.kind == K::BYTES) &&
                   static_cast<int64_t>(value.bytes.size()) == node.fixed_size;
        case AvroType::ENUM:
            return value.kind == K::ENUM;
        case AvroType::RECORD:
            return value.kind == K::RECORD;
        case AvroType::ARRAY:
            return value.kind == K::ARRAY;
        case AvroType::MAP:
            return value.kind == K::MAP;
        case AvroType::UNION:
            return false;
    }
    return false;
}

void Encode(const AvroNode& schema, const Datum& value, AvroEncoder& out, const std::string& path, int depth) {
    if (depth > kMaxDepth) throw InternalError("Avro writer: the value at " + path + " is nested too deeply");
    if (schema.type == AvroType::UNION) {
        int64_t branch = value.union_branch;
        if (branch < 0) {
            for (size_t i = 0; i < schema.branches.size(); ++i) {
                if (KindFits(schema.branches[i]->type, *schema.branches[i], value)) {
                    branch = static_cast<int64_t>(i);
                    break;
                }
            }
            if (branch < 0) Mismatch(path, schema, value, "no branch of the union takes it");
        } else if (static_cast<size_t>(branch) >= schema.branches.size()) {
            Mismatch(path, schema, value, "union branch " + std::to_string(branch) + " does not exist");
        }
        out.WriteUnionBranch(branch);
        Encode(*schema.branches[static_cast<size_t>(branch)], value, out, path, depth + 1);
        return;
    }
    if (!KindFits(schema.type, schema, value)) Mismatch(path, schema, value);
    switch (schema.type) {
        case AvroType::NULL_TYPE:
            return;
        case AvroType::BOOLEAN:
            out.WriteBoolean(value.boolean);
            return;
        case AvroType::INT:
            out.WriteInt(static_cast<int32_t>(value.integer));
            return;
        case AvroType::LONG:
            out.WriteLong(value.integer);
            return;
        case AvroType::FLOAT:
            out.WriteFloat(static_cast<float>(value.real));
            return;
        case AvroType::DOUBLE:
            out.WriteDouble(value.real);
            return;
        case AvroType::BYTES:
        case AvroType::STRING:
            out.WriteBytes(value.bytes);
            return;
        case AvroType::FIXED:
            out.WriteFixed(value.bytes);
            return;
        case AvroType::ENUM:
            if (value.integer < 0 || static_cast<size_t>(value.integer) >= schema.symbols.size()) {
                Mismatch(path, schema, value, "symbol index " + std::to_string(value.integer) + " out of range");
            }
            out.WriteEnum(static_cast<int32_t>(value.integer));
            return;
        case AvroType::RECORD:
            if (value.items.size() != schema.fields.size()) {
                Mismatch(path, schema, value,
                         std::to_string(value.items.size()) + " values for " + std::to_string(schema.fields.size()) +
                             " fields");
            }
            for (size_t i = 0; i < schema.fields.size(); ++i) {
                Encode(*schema.fields[i].type, value.items[i], out,
                       path.empty() ? schema.fields[i].name : path + "." + schema.fields[i].name, depth + 1);
            }
            return;
        case AvroType::ARRAY:
            if (!value.items.empty()) {
                out.StartBlock(static_cast<int64_t>(value.items.size()));
                for (size_t i = 0; i < value.items.size(); ++i) {
                    Encode(*schema.items, value.items[i], out, path + "[" + std::to_string(i) + "]", depth + 1);
                }
            }
            out.EndBlocks();
            return;
        case AvroType::MAP:
            if (!value.entries.empty()) {
                out.StartBlock(static_cast<int64_t>(value.entries.size()));
                for (const MapEntry& entry : value.entries) {
                    out.WriteString(entry.key);
                    Encode(*schema.items, entry.value, out, path + "['" + entry.key + "']", depth + 1);
                }
            }
            out.EndBlocks();
            return;
        case AvroType::UNION:
            return;  // handled above
    }
}

}  // namespace

void AvroEncoder::WriteLong(int64_t value) {
    uint64_t zigzag = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
    while (zigzag >= 0x80) {
        buffer_.push_back(static_cast<char>((zigzag & 0x7F) | 0x80));
        zigzag >>= 7;
    }
    buffer_.push_back(static_cast<char>(zigzag));
}

void AvroEncoder::WriteFloat(float value) {
    AppendLittleEndian(buffer_, std::bit_cast<uint32_t>(value));
}

void AvroEncoder::WriteDouble(double value) {
    AppendLittleEndian(buffer_, std::bit_cast<uint64_t>(value));
}

void AvroEncoder::WriteBytes(std::string_view value) {
    WriteLong(static_cast<int64_t>(value.size()));
    buffer_.append(value);
}

void EncodeDatum(const AvroNode& schema, const Datum& value, AvroEncoder& out) {
    Encode(schema, value, out, "", 0);
}

std::string CompressAvroBlock(std::string_view codec, std::string_view data) {
    if (codec == "null") return std::string(data);
    if (codec == "deflate") return Deflate(data);
    if (codec == "snappy") return Snappy(data);
    if (codec == "zstandard") return Zstandard(data);
    throw InternalError("Avro writer: unknown codec '" + std::string(codec) +
                        "' (supported: null, deflate, snappy, zstandard)");
}

AvroContainerWriter::AvroContainerWriter(std::string schema_json,
                                         std::vector<std::pair<std::string, std::string>> metadata, std::string codec)
    : codec_(std::move(codec)) {
    if (!IsKnownCodec(codec_)) {
        throw InternalError("Avro writer: unknown codec '" + codec_ +
                            "' (supported: null, deflate, snappy, zstandard)");
    }
    try {
        schema_ = AvroSchema::Parse(schema_json, "the Avro writer's schema");
    } catch (const IOError& e) {
        throw InternalError(std::string("Avro writer: the schema does not parse: ") + e.what());
    }
    std::random_device random;
    sync_.resize(kSyncSize);
    for (size_t i = 0; i < kSyncSize; i += 4) {
        uint32_t r = random();
        std::memcpy(sync_.data() + i, &r, 4);
    }

    AvroEncoder header;
    header.WriteFixed(kMagic);
    header.StartBlock(static_cast<int64_t>(metadata.size() + 2));
    header.WriteString("avro.schema");
    header.WriteBytes(schema_json);
    header.WriteString("avro.codec");
    header.WriteBytes(codec_);
    for (const auto& [key, value] : metadata) {
        if (key.rfind("avro.", 0) == 0) {
            throw InternalError("Avro writer: the metadata key '" + key + "' is reserved by Avro");
        }
        header.WriteString(key);
        header.WriteBytes(value);
    }
    header.EndBlocks();
    header.WriteFixed(sync_);
    file_ = std::move(header.buffer());
}

void AvroContainerWriter::EndObject() {
    if (finished_) throw InternalError("Avro writer: an object was written after Finish()");
    ++block_objects_;
    ++object_count_;
    if (block_.size() >= kTargetBlockBytes) FlushBlock();
}

void AvroContainerWriter::Append(const Datum& value) {
    EncodeDatum(schema_.root(), value, block_);
    EndObject();
}

void AvroContainerWriter::FlushBlock() {
    if (block_objects_ == 0) return;
    std::string payload = CompressAvroBlock(codec_, block_.buffer());
    AvroEncoder frame;
    frame.WriteLong(block_objects_);
    frame.WriteLong(static_cast<int64_t>(payload.size()));
    file_ += frame.buffer();
    file_ += payload;
    file_ += sync_;
    block_.Clear();
    block_objects_ = 0;
}

std::string AvroContainerWriter::Finish() {
    if (finished_) throw InternalError("Avro writer: Finish() called twice");
    FlushBlock();
    finished_ = true;
    return std::move(file_);
}

}  // namespace floe::avro
