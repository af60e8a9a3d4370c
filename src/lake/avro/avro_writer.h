#pragma once
/// Floe's writer for Avro object container files (Avro 1.11 specification, "Binary Encoding" and
/// "Object Container Files"), the counterpart of avro_reader.h, written for Iceberg's manifest
/// lists and manifests.
///
/// Design: two layers.
/// - AvroEncoder appends Avro's binary encoding of single values to a byte string. Callers that
///   know their schema (the Iceberg manifest writers) drive it directly, field by field, which is
///   fast enough for manifests of tens of thousands of entries without building a value tree.
/// - AvroContainerWriter frames the encoded objects: magic, the file metadata map (avro.schema,
///   avro.codec and the caller's keys), a random 16-byte sync marker, then blocks of objects, each
///   written as object count, byte size, the (compressed) payload and the sync marker. A block is
///   closed once its payload passes kTargetBlockBytes. The whole file is built in memory and
///   returned by Finish(); the caller writes it out.
///
/// The schema text is parsed with the reader's AvroSchema when the writer is created, so a schema
/// the reader (and Java's Avro, which refuses the same things, e.g. a named type defined twice)
/// would reject fails at once. Append() encodes a generic Datum under that schema, checking every
/// value against it. Codecs: null, deflate (raw RFC 1951), snappy (raw block + big-endian CRC-32 of
/// the uncompressed block) and zstandard, the same set the reader accepts.
///
/// Errors: a value that does not fit the schema, an unknown codec or a schema that does not parse
/// are the caller's bugs, so they throw floe::InternalError.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lake/avro/avro_reader.h"

namespace floe::avro {

/// Appends Avro binary encoding to an owned buffer. There is no schema here: the caller writes the
/// values in the order the schema gives (record fields in order, a union's branch index before its
/// value, arrays and maps as blocks ended by a zero count).
class AvroEncoder {
  public:
    void WriteBoolean(bool value) { buffer_.push_back(value ? '\1' : '\0'); }
    /// int and long: zig-zag varints.
    void WriteInt(int32_t value) { WriteLong(value); }
    void WriteLong(int64_t value);
    /// Little-endian IEEE 754.
    void WriteFloat(float value);
    void WriteDouble(double value);
    /// bytes and string: a long length, then the bytes.
    void WriteBytes(std::string_view value);
    void WriteString(std::string_view value) { WriteBytes(value); }
    /// fixed: the bytes alone (the schema holds the size).
    void WriteFixed(std::string_view value) { buffer_.append(value); }
    /// enum: the symbol's index.
    void WriteEnum(int32_t index) { WriteLong(index); }
    /// A union's branch index, before the branch's value (nothing follows for a null branch).
    void WriteUnionBranch(int64_t index) { WriteLong(index); }
    /// An array or map block of `count` (> 0) items; the items follow. Write EndBlocks() after the
    /// last block; an empty array or map is EndBlocks() alone.
    void StartBlock(int64_t count) { WriteLong(count); }
    void EndBlocks() { buffer_.push_back('\0'); }

    const std::string& buffer() const { return buffer_; }
    std::string& buffer() { return buffer_; }
    size_t size() const { return buffer_.size(); }
    void Clear() { buffer_.clear(); }

  private:
    std::string buffer_;
};

/// Encodes `value` as a value of `schema`: the generic, checked path (Datum kinds as avro_reader.h
/// describes them). INT and LONG data fit either integer type when in range, FLOAT and DOUBLE fit
/// either floating type, BYTES and FIXED of the right size fit fixed, and STRING and BYTES fit
/// either. Through a union, the datum's union_branch is used when set; otherwise a null datum takes
/// the null branch and any other the first branch its kind fits. Throws InternalError naming the
/// path of the value that does not fit.
void EncodeDatum(const AvroNode& schema, const Datum& value, AvroEncoder& out);

/// Builds one object container file in memory.
///
/// Either encode each top-level object through encoder() and call EndObject() after it, or call
/// Append(datum); then Finish() returns the file's bytes. Not reusable after Finish().
class AvroContainerWriter {
  public:
    /// A block is closed once its uncompressed payload reaches this size (Java Avro's default sync
    /// interval), so readers never hold more than about this much per block.
    static constexpr size_t kTargetBlockBytes = 64000;

    /// `schema_json` becomes avro.schema, `codec` avro.codec ("null", "deflate", "snappy",
    /// "zstandard"); `metadata` adds the caller's header keys, in this order (keys starting with
    /// "avro." are reserved and refused).
    AvroContainerWriter(std::string schema_json, std::vector<std::pair<std::string, std::string>> metadata,
                        std::string codec = "null");
    AvroContainerWriter(const AvroContainerWriter&) = delete;
    AvroContainerWriter& operator=(const AvroContainerWriter&) = delete;

    /// The parsed schema (to look nodes up for EncodeDatum).
    const AvroSchema& schema() const { return schema_; }
    const std::string& codec() const { return codec_; }
    /// The 16-byte sync marker this file uses.
    const std::string& sync() const { return sync_; }

    /// Where the next top-level object is encoded; follow each object with EndObject().
    AvroEncoder& encoder() { return block_; }
    /// Counts the object just encoded and closes the block when it is large enough.
    void EndObject();
    /// Encodes `value` under the schema's root and ends the object.
    void Append(const Datum& value);
    /// Objects written so far.
    int64_t object_count() const { return object_count_; }

    /// Flushes the last block and returns the whole file.
    std::string Finish();

  private:
    void FlushBlock();

    std::string codec_;
    AvroSchema schema_;
    std::string sync_;
    std::string file_;
    AvroEncoder block_;
    int64_t block_objects_ = 0;
    int64_t object_count_ = 0;
    bool finished_ = false;
};

/// Compresses one block's payload with an Avro codec ("null", "deflate", "snappy", "zstandard").
/// Throws InternalError for an unknown codec.
std::string CompressAvroBlock(std::string_view codec, std::string_view data);

}  // namespace floe::avro
