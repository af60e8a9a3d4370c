#include "format/parquet/file_reader.h"

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/byte_buffer.h"
#include "common/check.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "format/parquet/compression.h"
#include "format/parquet/parquet_types.h"
#include "format/parquet/value_conversion.h"
#include "types/date_time.h"

namespace floe::parquet {

namespace pf = parquet_format;

template <typename T>
size_t ReadThrift(const char* data, size_t size, T& out, const std::string& what) {
    using apache::thrift::transport::TMemoryBuffer;
    // Limits from the input's own size: no string, list or message can claim more bytes than
    // there are, and nesting stops at 64 levels (thrift's recursion limit).
    int limit = static_cast<int>(std::min<size_t>(size + 16, INT32_MAX));
    auto config = std::make_shared<apache::thrift::TConfiguration>(limit, limit, 64);
    auto buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(data)),
                                                  static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX)),
                                                  TMemoryBuffer::OBSERVE, config);
    apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer> protocol(buffer, limit, limit);
    try {
        out.read(&protocol);
    } catch (const apache::thrift::TException& e) {
        throw IOError(what + ": " + e.what());
    }
    return size - buffer->available_read();
}

template size_t ReadThrift(const char*, size_t, pf::FileMetaData&, const std::string&);
template size_t ReadThrift(const char*, size_t, pf::PageHeader&, const std::string&);
template size_t ReadThrift(const char*, size_t, pf::ColumnIndex&, const std::string&);
template size_t ReadThrift(const char*, size_t, pf::OffsetIndex&, const std::string&);
template size_t ReadThrift(const char*, size_t, pf::BloomFilterHeader&, const std::string&);

namespace {

constexpr size_t kMaxPageBytes = size_t{1} << 30;
constexpr size_t kMaxFooterBytes = size_t{256} << 20;

}  // namespace

// ---------------------------------------------------------------- file

ParquetFileReader::ParquetFileReader(std::shared_ptr<RandomAccessFile> file) : file_(std::move(file)) {
    const std::string& p = file_->path();
    uint64_t size = file_->size();
    if (size < 12) throw IOError("'" + p + "' is not a Parquet file: " + std::to_string(size) + " bytes is too short");
    std::string head = file_->ReadAt(0, 4), tail = file_->ReadAt(size - 8, 8);
    if (tail.substr(4) == "PARE") {
        throw NotSupportedError("'" + p +
                                "' is an encrypted Parquet file (encrypted footer); encryption is not supported");
    }
    if (head != "PAR1" || tail.substr(4) != "PAR1") {
        throw IOError("'" + p + "' is not a Parquet file: the PAR1 magic is missing at its " +
                      (head != "PAR1" ? "start" : "end"));
    }
    uint32_t footer_len;
    std::memcpy(&footer_len, tail.data(), 4);
    if (footer_len == 0 || footer_len > size - 12 || footer_len > kMaxFooterBytes) {
        throw IOError("'" + p + "': the footer length " + std::to_string(footer_len) + " does not fit the file (" +
                      std::to_string(size) + " bytes)");
    }
    std::string footer = file_->ReadAt(size - 8 - footer_len, footer_len);
    metadata_ = std::make_unique<pf::FileMetaData>();
    ReadThrift(footer.data(), footer.size(), *metadata_, "'" + p + "': corrupt footer");
    if (metadata_->__isset.encryption_algorithm) {
        throw NotSupportedError("'" + p + "' has encrypted columns (plaintext footer); encryption is not supported");
    }
    schema_ = BuildSchema(metadata_->schema, "'" + p + "'");
    for (size_t g = 0; g < metadata_->row_groups.size(); ++g) {
        const auto& rg = metadata_->row_groups[g];
        if (rg.columns.size() != schema_.leaves.size()) {
            throw IOError("'" + p + "': row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                          " column chunks, the schema " + std::to_string(schema_.leaves.size()));
        }
        if (rg.num_rows < 0) throw IOError("'" + p + "': row group " + std::to_string(g) + " has a negative row count");
        for (const auto& cc : rg.columns) {
            if (cc.__isset.crypto_metadata || cc.__isset.encrypted_column_metadata) {
                throw NotSupportedError("'" + p + "' has encrypted columns; encryption is not supported");
            }
            if (!cc.__isset.meta_data) throw IOError("'" + p + "': a column chunk has no metadata");
            if (cc.__isset.file_path && !cc.file_path.empty()) {
                throw NotSupportedError("'" + p + "' keeps column chunks in other files ('" + cc.file_path +
                                        "'), which is not supported");
            }
        }
        num_rows_ += rg.num_rows;
    }
}

ParquetFileReader::~ParquetFileReader() = default;

size_t ParquetFileReader::row_group_count() const {
    return metadata_->row_groups.size();
}

int64_t ParquetFileReader::row_group_rows(size_t row_group) const {
    return metadata_->row_groups[row_group].num_rows;
}

std::optional<Value> StatisticValue(const SchemaNode& leaf, const std::string& bytes) {
    if (leaf.conversion == Conversion::TIME_MILLIS || leaf.conversion == Conversion::TIME_MICROS ||
        leaf.conversion == Conversion::TIME_NANOS || leaf.conversion == Conversion::UUID ||
        leaf.conversion == Conversion::FLOAT16 || leaf.conversion == Conversion::INT96) {
        return std::nullopt;  // not worth the ordering subtleties
    }
    Values raw;
    size_t width = FixedWidth(leaf.physical, leaf.type_length);
    if (leaf.physical == PhysicalType::BYTE_ARRAY) {
        raw.views.push_back(bytes);
    } else if (leaf.physical == PhysicalType::FIXED_LEN_BYTE_ARRAY) {
        if (bytes.size() != width) return std::nullopt;
        raw.views.push_back(bytes);
    } else {
        if (bytes.size() != width) return std::nullopt;
        raw.fixed.assign(bytes.begin(), bytes.end());
    }
    raw.count = 1;
    Column col(leaf.type, 1);
    try {
        ConvertValues(leaf, raw, col, "statistics");
    } catch (const Exception&) {
        return std::nullopt;
    }
    Value v = col.GetValue(0);
    if (leaf.type.IsFloating() && std::isnan(v.GetDouble())) return std::nullopt;
    return v;
}

ColumnStatistics ParquetFileReader::Statistics(size_t row_group, size_t column) const {
    ColumnStatistics out;
    const FileColumn& c = schema_.columns[column];
    if (c.nested || !c.unsupported.empty()) return out;
    const SchemaNode& leaf = *c.node;
    const auto& md = metadata_->row_groups[row_group].columns[leaf.leaf_index].meta_data;
    if (!md.__isset.statistics) return out;
    const pf::Statistics& s = md.statistics;
    if (s.__isset.null_count && s.null_count >= 0) out.null_count = s.null_count;
    // min_value/max_value carry the column's own order; the legacy min/max only a signed byte
    // order, which is right for the signed numeric types alone.
    bool numeric = leaf.physical == PhysicalType::INT32 || leaf.physical == PhysicalType::INT64 ||
                   leaf.physical == PhysicalType::FLOAT || leaf.physical == PhysicalType::DOUBLE;
    bool unsigned_int = leaf.conversion == Conversion::UINT8 || leaf.conversion == Conversion::UINT16 ||
                        leaf.conversion == Conversion::UINT32 || leaf.conversion == Conversion::UINT64;
    const std::string* lo = nullptr;
    const std::string* hi = nullptr;
    if (s.__isset.min_value && s.__isset.max_value) {
        lo = &s.min_value;
        hi = &s.max_value;
    } else if (s.__isset.min && s.__isset.max && numeric && !unsigned_int) {
        lo = &s.min;
        hi = &s.max;
    }
    if (!lo) return out;
    auto value_of = [&](const std::string& bytes) { return StatisticValue(leaf, bytes); };
    out.min = value_of(*lo);
    out.max = value_of(*hi);
    if (!out.min || !out.max) {
        out.min.reset();
        out.max.reset();
    }
    return out;
}

// ---------------------------------------------------------------- column chunks

struct ColumnReader::Leaf {
    const SchemaNode* node = nullptr;
    std::string what;
    const RandomAccessFile* file_ = nullptr;
    uint64_t chunk_offset = 0;
    size_t chunk_size = 0;
    bool loaded = false;
    ByteBuffer chunk;  // the column chunk's bytes
    size_t pos = 0;
    Codec codec = Codec::UNCOMPRESSED;
    std::shared_ptr<Column> dictionary;
    // The current data page.
    std::vector<uint16_t> def, rep;
    size_t levels = 0;     // level entries in the page
    size_t level_pos = 0;  // next level entry
    bool page_dict = false;
    std::vector<uint32_t> indices;
    std::shared_ptr<Column> values;               // dense non-null values (not dictionary pages, not direct)
    bool flat = false;                            // the leaf is a flat column (read by ScatterFlat, not assembled)
    const Column* filtered_dictionary = nullptr;  // the dictionary dictionary_pass was computed for
    std::vector<uint8_t> dictionary_pass;         // per dictionary entry: whether it passes the filter
    bool direct = false;                          // values convert from `raw` straight into the output rows
    std::vector<uint8_t> scratch;                 // direct pages with NULLs: the present values, converted
    size_t value_count = 0;
    size_t value_pos = 0;
    bool page_all_present = false;  // no NULL in the current page
    size_t page_number = 0;
    ByteBuffer buffer;  // decompressed page
    Values raw;

    void Open(const ParquetFileReader& file, size_t row_group, const SchemaNode& leaf) {
        node = &leaf;
        const pf::ColumnChunk& cc = file.metadata().row_groups[row_group].columns[leaf.leaf_index];
        const pf::ColumnMetaData& md = cc.meta_data;
        std::string path;
        for (size_t i = 0; i < md.path_in_schema.size(); ++i) path += (i ? "." : "") + md.path_in_schema[i];
        what = "'" + file.path() + "' column '" + path + "' row group " + std::to_string(row_group);
        codec = static_cast<Codec>(md.codec);
        if (static_cast<int>(codec) < 0 || static_cast<int>(codec) > 7) {
            throw IOError(what + ": unknown compression codec " + std::to_string(static_cast<int>(md.codec)));
        }
        int64_t start = md.data_page_offset;
        if (md.__isset.dictionary_page_offset && md.dictionary_page_offset > 0 && md.dictionary_page_offset < start) {
            start = md.dictionary_page_offset;
        }
        file_ = &file.file();
        uint64_t size = file.file().size();
        if (file.row_group_rows(row_group) == 0) return;  // nothing to read (the offsets may be bogus)
        if (start < 4 || md.total_compressed_size < 0 || static_cast<uint64_t>(start) > size ||
            static_cast<uint64_t>(md.total_compressed_size) > size - static_cast<uint64_t>(start)) {
            throw IOError(what + ": the column chunk (offset " + std::to_string(start) + ", " +
                          std::to_string(md.total_compressed_size) + " bytes) lies outside the file");
        }
        chunk_offset = static_cast<uint64_t>(start);
        chunk_size = static_cast<size_t>(md.total_compressed_size);
    }

    /// The chunk's bytes, read on first use (one ranged read).
    void Load() {
        if (loaded) return;
        loaded = true;
        chunk.Resize(chunk_size);
        if (chunk_size) file_->ReadAt(chunk_offset, chunk_size, chunk.data());
    }

    /// Loads the next data page; false at the end of the chunk.
    bool NextPage() {
        Load();
        while (pos < chunk.size()) {
            pf::PageHeader h;
            std::string page_what = what + " page " + std::to_string(page_number);
            pos += ReadThrift(chunk.data() + pos, chunk.size() - pos, h, page_what + ": corrupt page header");
            ++page_number;
            if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
                throw IOError(page_what + ": the page (" + std::to_string(h.compressed_page_size) +
                              " bytes) runs past its column chunk");
            }
            if (h.uncompressed_page_size < 0 || static_cast<size_t>(h.uncompressed_page_size) > kMaxPageBytes) {
                throw IOError(page_what + ": a page of " + std::to_string(h.uncompressed_page_size) +
                              " bytes uncompressed is over the 1 GiB a page may have");
            }
            std::string_view body(chunk.data() + pos, static_cast<size_t>(h.compressed_page_size));
            pos += body.size();
            if (h.__isset.crc) {
                auto crc = static_cast<uint32_t>(
                    ::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
                if (crc != static_cast<uint32_t>(h.crc)) {
                    throw IOError(page_what + ": page CRC mismatch (the page is corrupt)");
                }
            }
            switch (h.type) {
                case pf::PageType::DICTIONARY_PAGE: {
                    if (!h.__isset.dictionary_page_header)
                        throw IOError(page_what + ": dictionary page without its header");
                    int32_t n = h.dictionary_page_header.num_values;
                    if (n < 0) throw IOError(page_what + ": negative dictionary size " + std::to_string(n));
                    buffer.Resize(static_cast<size_t>(h.uncompressed_page_size));
                    Decompress(codec, body, buffer.data(), buffer.size(), page_what);
                    raw.Clear();
                    DecodeValues(Encoding::PLAIN, node->physical, node->type_length, buffer.view(),
                                 static_cast<size_t>(n), raw, page_what + " (dictionary)");
                    dictionary = std::make_shared<Column>(node->type, static_cast<size_t>(n));
                    ConvertValues(*node, raw, *dictionary, page_what);
                    continue;
                }
                case pf::PageType::DATA_PAGE: {
                    if (!h.__isset.data_page_header) throw IOError(page_what + ": data page without its header");
                    const auto& dp = h.data_page_header;
                    if (dp.num_values < 0) throw IOError(page_what + ": negative value count");
                    auto n = static_cast<size_t>(dp.num_values);
                    buffer.Resize(static_cast<size_t>(h.uncompressed_page_size));
                    Decompress(codec, body, buffer.data(), buffer.size(), page_what);
                    std::string_view data = buffer.view();
                    // A flat leaf never reads its repetition levels (all 0, and stored in no bytes),
                    // nor its definition levels when it is required: they are not materialised.
                    size_t present = n;
                    if (!(flat && node->max_rep == 0)) {
                        data.remove_prefix(DecodeLevelsV1(static_cast<Encoding>(dp.repetition_level_encoding), data, n,
                                                          node->max_rep, rep, page_what + " repetition levels"));
                    }
                    if (!(flat && node->max_def == 0)) {
                        // A flat leaf's page without NULLs leaves `def` unwritten (page_all_present).
                        data.remove_prefix(DecodeLevelsV1(static_cast<Encoding>(dp.definition_level_encoding), data, n,
                                                          node->max_def, def, page_what + " definition levels",
                                                          &present, flat));
                    }
                    if (n == 0) continue;
                    StartPage(static_cast<Encoding>(dp.encoding), data, n, present, page_what);
                    return true;
                }
                case pf::PageType::DATA_PAGE_V2: {
                    if (!h.__isset.data_page_header_v2) throw IOError(page_what + ": data page v2 without its header");
                    const auto& dp = h.data_page_header_v2;
                    if (dp.num_values < 0 || dp.repetition_levels_byte_length < 0 ||
                        dp.definition_levels_byte_length < 0 ||
                        static_cast<size_t>(dp.repetition_levels_byte_length) +
                                static_cast<size_t>(dp.definition_levels_byte_length) >
                            std::min<size_t>(body.size(), static_cast<size_t>(h.uncompressed_page_size))) {
                        throw IOError(page_what + ": bad level lengths in a data page v2");
                    }
                    auto n = static_cast<size_t>(dp.num_values);
                    auto rep_len = static_cast<size_t>(dp.repetition_levels_byte_length);
                    auto def_len = static_cast<size_t>(dp.definition_levels_byte_length);
                    if (!(flat && node->max_rep == 0)) {
                        DecodeLevelsV2(body.substr(0, rep_len), n, node->max_rep, rep,
                                       page_what + " repetition levels");
                    }
                    size_t present = n;
                    if (!(flat && node->max_def == 0)) {
                        DecodeLevelsV2(body.substr(rep_len, def_len), n, node->max_def, def,
                                       page_what + " definition levels", &present, flat);
                    }
                    std::string_view values_part = body.substr(rep_len + def_len);
                    size_t values_size = static_cast<size_t>(h.uncompressed_page_size) - rep_len - def_len;
                    bool compressed = !dp.__isset.is_compressed || dp.is_compressed;
                    if (compressed && codec != Codec::UNCOMPRESSED && !(values_size == 0 && values_part.empty())) {
                        buffer.Resize(values_size);
                        Decompress(codec, values_part, buffer.data(), buffer.size(), page_what);
                    } else {
                        buffer.Assign(values_part);
                    }
                    if (n == 0) continue;
                    StartPage(static_cast<Encoding>(dp.encoding), buffer.view(), n, present, page_what);
                    return true;
                }
                default:
                    continue;  // index pages and unknown page types carry no rows
            }
        }
        return false;
    }

    /// At a page boundary: if the next page is a data page of at most `n` rows (a flat column's
    /// values are its rows), steps over it without decompressing or decoding it and takes its
    /// rows off `n`. False when the next page must be read (a dictionary page, a longer page).
    bool SkipWholePage(size_t& n) {
        Load();
        if (pos >= chunk.size()) return false;
        pf::PageHeader h;
        std::string page_what = what + " page " + std::to_string(page_number);
        size_t header = ReadThrift(chunk.data() + pos, chunk.size() - pos, h, page_what + ": corrupt page header");
        if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos - header) {
            return false;  // NextPage reports it
        }
        int64_t rows = -1;
        if (h.type == pf::PageType::DATA_PAGE && h.__isset.data_page_header) rows = h.data_page_header.num_values;
        if (h.type == pf::PageType::DATA_PAGE_V2 && h.__isset.data_page_header_v2) {
            rows = h.data_page_header_v2.num_rows;
        }
        if (rows <= 0 || static_cast<uint64_t>(rows) > n) return false;
        pos += header + static_cast<size_t>(h.compressed_page_size);
        ++page_number;
        n -= static_cast<size_t>(rows);
        return true;
    }

    /// A data page of `n` level entries, `present` of them with a value.
    void StartPage(Encoding encoding, std::string_view data, size_t n, size_t present, const std::string& page_what) {
        levels = n;
        level_pos = 0;
        value_pos = 0;
        value_count = present;
        page_all_present = present == n;
        if (encoding == Encoding::PLAIN_DICTIONARY || encoding == Encoding::RLE_DICTIONARY) {
            if (!dictionary) throw IOError(page_what + ": dictionary-encoded page without a dictionary page");
            DecodeIndices(data, present, indices, static_cast<uint32_t>(dictionary->size()), page_what);
            page_dict = true;
            return;
        }
        page_dict = false;
        raw.Clear();
        DecodeValues(encoding, node->physical, node->type_length, data, present, raw, page_what);
        direct = flat && IsFixedConversion(*node) && raw.views.empty();
        if (direct) return;  // converted as the rows are read: no page column
        values = std::make_shared<Column>(node->type, present);
        ConvertValues(*node, raw, *values, page_what);
    }

    /// ScatterFlat for a direct page: the values are converted from the page into the rows.
    void ScatterDirect(size_t k, Column& out, size_t offset, bool all_present) {
        size_t width = node->type.PhysicalSize();
        size_t raw_width = node->physical == PhysicalType::BOOLEAN ? 1 : FixedWidth(node->physical, node->type_length);
        auto* dst = out.Data<uint8_t>() + offset * width;
        uint8_t* nulls = out.nulls() + offset;
        if (all_present) {
            ConvertFixed(*node, raw.fixed_data() + value_pos * raw_width, k, dst);
            std::memset(nulls, 0, k);
            value_pos += k;
        } else {
            size_t present = 0;
            for (size_t r = 0; r < k; ++r) present += def[level_pos + r] == node->max_def ? 1 : 0;
            scratch.resize(present * width);
            ConvertFixed(*node, raw.fixed_data() + value_pos * raw_width, present, scratch.data());
            value_pos += present;
            size_t at = 0;
            for (size_t r = 0; r < k; ++r) {
                bool is = def[level_pos + r] == node->max_def;
                nulls[r] = is ? 0 : 1;
                if (!is) {
                    std::memset(dst + r * width, 0, width);
                    continue;
                }
                std::memcpy(dst + r * width, scratch.data() + at * width, width);
                ++at;
            }
        }
        level_pos += k;
    }

    /// Copies `k` rows of a flat column (levels = rows) into out[offset..).
    /// `referenced`: the column whose heap `out` already keeps alive (strings point into it).
    void ScatterFlat(size_t k, Column& out, size_t offset, const Column*& referenced) {
        if (!page_dict && direct) {
            bool all_present = node->max_def == 0 || page_all_present;
            if (!all_present) {
                all_present = true;
                for (size_t r = 0; r < k && all_present; ++r) all_present = def[level_pos + r] == node->max_def;
            }
            ScatterDirect(k, out, offset, all_present);
            return;
        }
        const std::shared_ptr<Column>& owner = page_dict ? dictionary : values;
        const Column& src = *owner;
        size_t width = node->type.PhysicalSize();
        if (node->type.IsString() && referenced != &src) {
            out.ReferenceHeapOf(owner);
            referenced = &src;
        }
        auto* dst = out.Data<uint8_t>() + offset * width;
        const auto* base = src.Data<uint8_t>();
        uint8_t* nulls = out.nulls() + offset;
        bool all_present = node->max_def == 0 || page_all_present;
        if (!all_present) {
            all_present = true;
            for (size_t r = 0; r < k && all_present; ++r) all_present = def[level_pos + r] == node->max_def;
        }
        // Values themselves may be NULL (a timestamp Floe cannot represent).
        const uint8_t* src_nulls = src.nulls();
        if (all_present && !page_dict) {
            std::memcpy(dst, base + value_pos * width, k * width);
            std::memcpy(nulls, src_nulls + value_pos, k);
            value_pos += k;
        } else {
            // Fixed-size copies (inlined moves, not a library call per value).
            switch (width) {
                case 1:
                    Gather<1>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
                case 2:
                    Gather<2>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
                case 4:
                    Gather<4>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
                case 8:
                    Gather<8>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
                case 16:
                    Gather<16>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
                default:
                    Gather<0>(k, dst, nulls, base, src_nulls, all_present, width);
                    break;
            }
        }
        level_pos += k;
    }

    /// The dictionary codes of the next k rows (0 for rows without a value), without moving on:
    /// for a page read from the chunk's dictionary, before ScatterFlat.
    void CopyCodes(size_t k, uint16_t* dst) const {
        const bool all_present = node->max_def == 0 || page_all_present;
        size_t v = value_pos;
        for (size_t r = 0; r < k; ++r) {
            bool present = all_present || def[level_pos + r] == node->max_def;
            dst[r] = present ? static_cast<uint16_t>(indices[v++]) : 0;
        }
    }

    /// Writes rows rel[0..m) (ascending offsets into the next k rows) to out[offset..offset + m)
    /// and steps over all k rows.
    void ScatterSelected(size_t k, const uint32_t* rel, size_t m, Column& out, size_t offset,
                         const Column*& referenced) {
        const bool all_present = node->max_def == 0 || page_all_present;
        // The value position of each selected row (rows without a value: SIZE_MAX).
        thread_local std::vector<size_t> at;
        at.resize(m);
        size_t present = 0;
        if (all_present) {
            for (size_t j = 0; j < m; ++j) at[j] = value_pos + rel[j];
            present = k;
        } else {
            size_t j = 0;
            for (size_t r = 0; r < k; ++r) {
                bool is = def[level_pos + r] == node->max_def;
                if (j < m && rel[j] == r) at[j++] = is ? value_pos + present : SIZE_MAX;
                present += is ? 1 : 0;
            }
        }
        size_t width = node->type.PhysicalSize();
        uint8_t* dst = out.Data<uint8_t>() + offset * width;
        uint8_t* nulls = out.nulls() + offset;
        if (!page_dict && direct) {
            size_t raw_width =
                node->physical == PhysicalType::BOOLEAN ? 1 : FixedWidth(node->physical, node->type_length);
            // The selected raw values side by side, then one conversion.
            scratch.resize(m * raw_width);
            size_t got = 0;
            for (size_t j = 0; j < m; ++j) {
                if (at[j] == SIZE_MAX) continue;
                std::memcpy(scratch.data() + got * raw_width, raw.fixed_data() + at[j] * raw_width, raw_width);
                ++got;
            }
            thread_local std::vector<uint8_t> converted;
            converted.resize(got * width);
            ConvertFixed(*node, scratch.data(), got, converted.data());
            size_t g = 0;
            for (size_t j = 0; j < m; ++j) {
                nulls[j] = at[j] == SIZE_MAX ? 1 : 0;
                if (at[j] == SIZE_MAX) {
                    std::memset(dst + j * width, 0, width);
                } else {
                    std::memcpy(dst + j * width, converted.data() + (g++) * width, width);
                }
            }
        } else {
            const std::shared_ptr<Column>& owner = page_dict ? dictionary : values;
            const Column& src = *owner;
            if (node->type.IsString() && referenced != &src) {
                out.ReferenceHeapOf(owner);
                referenced = &src;
            }
            const uint8_t* base = src.Data<uint8_t>();
            for (size_t j = 0; j < m; ++j) {
                if (at[j] == SIZE_MAX) {
                    nulls[j] = 1;
                    std::memset(dst + j * width, 0, width);
                    continue;
                }
                size_t v = page_dict ? indices[at[j]] : at[j];
                nulls[j] = src.nulls()[v];
                std::memcpy(dst + j * width, base + v * width, width);
            }
        }
        value_pos += present;
        level_pos += k;
    }

    /// After ScatterFlat of k rows at out[offset..): pass[r] for each of them. Dictionary pages
    /// evaluate the filter once per entry (cached while the dictionary lasts).
    void FilterRows(size_t k, const Column& out, size_t offset, size_t first_value, size_t first_level,
                    const ColumnReader::ValueFilter& filter, uint8_t* pass) {
        if (!page_dict) {
            filter(out, offset, k, pass);
            return;
        }
        if (filtered_dictionary != dictionary.get()) {
            filtered_dictionary = dictionary.get();
            dictionary_pass.assign(dictionary->size(), 0);
            if (!dictionary_pass.empty()) filter(*dictionary, 0, dictionary->size(), dictionary_pass.data());
        }
        size_t v = first_value;
        for (size_t r = 0; r < k; ++r) {
            bool is = node->max_def == 0 || page_all_present || def[first_level + r] == node->max_def;
            pass[r] = is ? dictionary_pass[indices[v]] : 0;
            v += is ? 1 : 0;
        }
    }

    /// Copies the values of k rows (dictionary entries or page values) of width W (0: `width`)
    /// into dst; rows without a value are NULL with zeroed bytes.
    template <size_t W>
    void Gather(size_t k, uint8_t* dst, uint8_t* nulls, const uint8_t* base, const uint8_t* src_nulls, bool all_present,
                size_t width) {
        const size_t w = W ? W : width;
        if (all_present && page_dict) {
            const uint32_t* idx = indices.data() + value_pos;
            for (size_t r = 0; r < k; ++r) {
                nulls[r] = src_nulls[idx[r]];
                std::memcpy(dst + r * w, base + size_t{idx[r]} * w, w);
            }
            value_pos += k;
            return;
        }
        for (size_t r = 0; r < k; ++r) {
            bool present = node->max_def == 0 || def[level_pos + r] == node->max_def;
            if (!present) {
                nulls[r] = 1;
                std::memset(dst + r * w, 0, w);
                continue;
            }
            size_t at = page_dict ? indices[value_pos] : value_pos;
            ++value_pos;
            nulls[r] = src_nulls[at];
            std::memcpy(dst + r * w, base + at * w, w);
        }
    }
};

ColumnReader::ColumnReader(const ParquetFileReader& file, size_t row_group, size_t column)
    : file_(file), column_(file.columns().at(column)) {
    if (!column_.unsupported.empty()) throw NotSupportedError("'" + file.path() + "': " + column_.unsupported);
    std::function<void(const SchemaNode&)> add = [&](const SchemaNode& n) {
        if (n.is_leaf) {
            auto leaf = std::make_unique<Leaf>();
            leaf->flat = !column_.nested;
            leaf->Open(file, row_group, n);
            leaves_.push_back(std::move(leaf));
        }
        for (const auto& c : n.children) add(*c);
    };
    add(*column_.node);
}

ColumnReader::~ColumnReader() = default;

std::vector<std::pair<uint64_t, size_t>> ColumnReader::PendingRanges() const {
    std::vector<std::pair<uint64_t, size_t>> out;
    for (const auto& leaf : leaves_) {
        if (!leaf->loaded && leaf->chunk_size) out.emplace_back(leaf->chunk_offset, leaf->chunk_size);
    }
    return out;
}

void ColumnReader::Preload(uint64_t offset, std::string_view bytes) {
    for (auto& leaf : leaves_) {
        if (leaf->loaded || !leaf->chunk_size || leaf->chunk_offset < offset ||
            leaf->chunk_offset + leaf->chunk_size > offset + bytes.size()) {
            continue;
        }
        leaf->chunk.Assign(bytes.substr(static_cast<size_t>(leaf->chunk_offset - offset), leaf->chunk_size));
        leaf->loaded = true;
    }
}

void ColumnReader::Read(size_t n, Column& out, size_t offset) {
    if (column_.nested) return ReadNested(n, out, offset, false);
    Leaf& leaf = *leaves_[0];
    const Column* referenced = nullptr;
    // A string column whose rows all come from the chunk's dictionary is handed on coded as well
    // (Column::SetDictionary, beside its flat values), as hot scans hand on theirs: grouping by it
    // then looks each entry up once per chunk instead of hashing every row's string.
    bool coded = offset == 0 && n == out.size() && out.type().IsString();  // the whole column, or none
    std::shared_ptr<std::vector<uint16_t>> codes;
    const Column* coded_by = nullptr;
    size_t at = 0;
    while (n > 0) {
        if (leaf.level_pos == leaf.levels && !leaf.NextPage()) {
            throw IOError(leaf.what + ": the column chunk ends before the row group's last row");
        }
        size_t k = std::min(n, leaf.levels - leaf.level_pos);
        if (coded) {
            if (!leaf.page_dict || !leaf.dictionary || leaf.dictionary->size() > 65536 ||
                (coded_by && coded_by != leaf.dictionary.get())) {
                coded = false;
            } else {
                coded_by = leaf.dictionary.get();
                if (!codes) codes = std::make_shared<std::vector<uint16_t>>(n);
                leaf.CopyCodes(k, codes->data() + at);
            }
        }
        leaf.ScatterFlat(k, out, offset, referenced);
        offset += k;
        at += k;
        n -= k;
    }
    if (coded && codes) {
        const uint16_t* data = codes->data();
        out.SetDictionary(leaf.dictionary, std::move(codes), data);
    }
}

void ColumnReader::ReadFiltered(size_t n, Column& out, const ValueFilter& filter, uint8_t* pass) {
    if (column_.nested) {
        ReadNested(n, out, 0, false);
        filter(out, 0, n, pass);
        return;
    }
    Leaf& leaf = *leaves_[0];
    const Column* referenced = nullptr;
    size_t offset = 0;
    while (n > 0) {
        if (leaf.level_pos == leaf.levels && !leaf.NextPage()) {
            throw IOError(leaf.what + ": the column chunk ends before the row group's last row");
        }
        size_t k = std::min(n, leaf.levels - leaf.level_pos);
        size_t first_value = leaf.value_pos, first_level = leaf.level_pos;
        leaf.ScatterFlat(k, out, offset, referenced);
        leaf.FilterRows(k, out, offset, first_value, first_level, filter, pass + offset);
        offset += k;
        n -= k;
    }
}

void ColumnReader::ReadSelected(size_t n, const uint32_t* rows, size_t m, Column& out) {
    FLOE_CHECK(!column_.nested);
    Leaf& leaf = *leaves_[0];
    const Column* referenced = nullptr;
    size_t start = 0;  // the row (of the n) at the leaf's position
    size_t j = 0;      // the next selected row
    thread_local std::vector<uint32_t> rel;
    while (start < n) {
        if (leaf.level_pos == leaf.levels) {
            // A page none of the selected rows fall in is stepped over undecoded when it can be.
            size_t left = (j < m ? rows[j] : n) - start;
            size_t before = left;
            if (left > 0 && leaf.SkipWholePage(left)) {
                start += before - left;
                continue;
            }
            if (!leaf.NextPage()) throw IOError(leaf.what + ": the column chunk ends before the row group's last row");
        }
        size_t k = std::min(n - start, leaf.levels - leaf.level_pos);
        rel.clear();
        size_t first = j;
        while (j < m && rows[j] < start + k) rel.push_back(static_cast<uint32_t>(rows[j++] - start));
        leaf.ScatterSelected(k, rel.data(), rel.size(), out, first, referenced);
        start += k;
    }
}

void ColumnReader::Skip(size_t n) {
    if (column_.nested) {
        Column unused(TypeId::JSON, 0);
        return ReadNested(n, unused, 0, true);
    }
    Leaf& leaf = *leaves_[0];
    while (n > 0) {
        if (leaf.level_pos == leaf.levels) {
            if (leaf.SkipWholePage(n)) continue;  // a page of skipped rows is never decoded
            if (!leaf.NextPage()) throw IOError(leaf.what + ": the column chunk ends before the row group's last row");
        }
        size_t k = std::min(n, leaf.levels - leaf.level_pos);
        size_t present = 0;
        for (size_t r = 0; r < k; ++r) {
            present +=
                leaf.node->max_def == 0 || leaf.page_all_present || leaf.def[leaf.level_pos + r] == leaf.node->max_def
                    ? 1
                    : 0;
        }
        leaf.value_pos += present;
        leaf.level_pos += k;
        n -= k;
    }
}

namespace {

/// One record of a nested column while it is assembled: at each schema node, a list of elements
/// (one at most for a non-repeated node) or null.
struct Elem;
struct Slot {
    bool null = true;
    std::vector<Elem> items;
};
struct Elem {
    std::vector<Slot> children;  // groups: per schema child
    std::string text;            // leaves: the value as JSON text
};

/// A leaf's scalar value as JSON text.
void AppendJsonValue(const Column& col, size_t i, std::string& out) {
    const LogicalType& t = col.type();
    if (col.IsNull(i)) {
        out += "null";
        return;
    }
    if (t.id == TypeId::JSON) {
        out.append(col.Strings()[i].view());
        return;
    }
    if (t.id == TypeId::BOOLEAN) {
        out += col.Data<uint8_t>()[i] ? "true" : "false";
        return;
    }
    Value v = col.GetValue(i);
    if (t.IsNumeric()) {
        std::string text = v.ToString();
        if (text == "nan" || text == "inf" || text == "-inf" || text == "NaN") {
            AppendJsonString(out, text);  // not a JSON number
        } else {
            out += text;
        }
        return;
    }
    AppendJsonString(out, t.IsString() ? std::string(col.Strings()[i].view()) : v.ToString());
}

bool IsLegacyListElement(const SchemaNode& repeated) {
    // Two-level lists: the repeated node is the element itself when it is a leaf, has several
    // fields, or is named "array" / "<list>_tuple" (the backward-compatibility rules).
    if (repeated.is_leaf || repeated.children.size() != 1) return true;
    const std::string& name = repeated.name;
    return name == "array" || (repeated.parent && name == repeated.parent->name + "_tuple");
}

void Render(const SchemaNode& node, const Slot& slot, std::string& out);

/// One element of `node` (the repeated or single instance), ignoring its repetition.
void RenderElement(const SchemaNode& node, const Elem& e, std::string& out) {
    if (node.is_leaf) {
        out += e.text.empty() ? "null" : e.text;
        return;
    }
    auto child_slot = [&](size_t i) -> const Slot& {
        static const Slot kNull;
        return i < e.children.size() ? e.children[i] : kNull;
    };
    if (node.is_list && node.children.size() == 1 && node.children[0]->repetition == 2) {
        const SchemaNode& rep = *node.children[0];
        const Slot& items = child_slot(0);
        out.push_back('[');
        for (size_t k = 0; k < items.items.size(); ++k) {
            if (k) out.push_back(',');
            const Elem& item = items.items[k];
            if (IsLegacyListElement(rep)) {
                RenderElement(rep, item, out);
            } else {
                const SchemaNode& element = *rep.children[0];
                Render(element, item.children.empty() ? Slot{} : item.children[0], out);
            }
        }
        out.push_back(']');
        return;
    }
    if (node.is_map && node.children.size() == 1 && node.children[0]->repetition == 2 && !node.children[0]->is_leaf &&
        !node.children[0]->children.empty()) {
        const SchemaNode& kv = *node.children[0];
        const Slot& items = child_slot(0);
        out.push_back('{');
        for (size_t k = 0; k < items.items.size(); ++k) {
            if (k) out.push_back(',');
            const Elem& item = items.items[k];
            std::string key;
            Render(*kv.children[0], item.children.empty() ? Slot{} : item.children[0], key);
            // Keys are JSON strings: a key that is not one already is quoted.
            if (key.empty() || key[0] != '"') key = JsonString(key);
            out += key;
            out.push_back(':');
            if (kv.children.size() > 1) {
                Render(*kv.children[1], item.children.size() > 1 ? item.children[1] : Slot{}, out);
            } else {
                out += "null";
            }
        }
        out.push_back('}');
        return;
    }
    out.push_back('{');
    for (size_t i = 0; i < node.children.size(); ++i) {
        if (i) out.push_back(',');
        AppendJsonString(out, node.children[i]->name);
        out.push_back(':');
        Render(*node.children[i], child_slot(i), out);
    }
    out.push_back('}');
}

void Render(const SchemaNode& node, const Slot& slot, std::string& out) {
    if (node.repetition == 2) {  // an unannotated repeated field: an array
        out.push_back('[');
        for (size_t k = 0; k < slot.items.size(); ++k) {
            if (k) out.push_back(',');
            RenderElement(node, slot.items[k], out);
        }
        out.push_back(']');
        return;
    }
    if (slot.null || slot.items.empty()) {
        out += "null";
        return;
    }
    RenderElement(node, slot.items[0], out);
}

}  // namespace

void ColumnReader::ReadNested(size_t n, Column& out, size_t offset, bool skip) {
    const SchemaNode& top = *column_.node;
    // Per leaf: its path from the top-level field down, each node's definition and repetition
    // level, and its child index in its parent.
    struct Path {
        std::vector<const SchemaNode*> nodes;
        std::vector<int> def, rep, index;
    };
    std::vector<Path> paths(leaves_.size());
    for (size_t l = 0; l < leaves_.size(); ++l) {
        Path& p = paths[l];
        for (const SchemaNode* node = leaves_[l]->node; node; node = node->parent) {
            p.nodes.insert(p.nodes.begin(), node);
            if (node == &top) break;
        }
        int def = 0, rep = 0;
        // Levels above the top-level field (none: its parent is the root).
        for (const SchemaNode* node : p.nodes) {
            if (node->repetition != 0) ++def;
            if (node->repetition == 2) ++rep;
            p.def.push_back(def);
            p.rep.push_back(rep);
            int index = 0;
            if (node->parent) {
                for (size_t c = 0; c < node->parent->children.size(); ++c) {
                    if (node->parent->children[c].get() == node) index = static_cast<int>(c);
                }
            }
            p.index.push_back(index);
        }
    }
    std::vector<int> idx;
    std::string text;
    for (size_t row = 0; row < n; ++row) {
        Slot record;  // the top-level field's slot
        for (size_t l = 0; l < leaves_.size(); ++l) {
            Leaf& leaf = *leaves_[l];
            const Path& p = paths[l];
            idx.assign(p.nodes.size(), -1);
            bool first = true;
            while (true) {
                if (leaf.level_pos == leaf.levels && !leaf.NextPage()) {
                    if (first) throw IOError(leaf.what + ": the column chunk ends before the row group's last row");
                    break;
                }
                int r = leaf.rep[leaf.level_pos];
                if (first && r != 0) {
                    throw IOError(leaf.what + ": a record starts with repetition level " + std::to_string(r) +
                                  " (must be 0)");
                }
                if (!first && r == 0) break;  // the next record
                first = false;
                int d = leaf.def[leaf.level_pos];
                ++leaf.level_pos;
                bool present = d == leaf.node->max_def;
                if (present) {
                    text.clear();
                    if (!skip) {
                        const Column& src = leaf.page_dict ? *leaf.dictionary : *leaf.values;
                        size_t at = leaf.page_dict ? leaf.indices[leaf.value_pos] : leaf.value_pos;
                        AppendJsonValue(src, at, text);
                    }
                    ++leaf.value_pos;
                }
                if (skip) continue;
                for (size_t i = 0; i < p.nodes.size(); ++i) {
                    if (p.nodes[i]->repetition == 2) {
                        if (p.rep[i] == r) {
                            ++idx[i];
                        } else if (p.rep[i] > r) {
                            idx[i] = 0;
                        }
                    }
                }
                Slot* slot = &record;
                for (size_t i = 0; i < p.nodes.size(); ++i) {
                    const SchemaNode& node = *p.nodes[i];
                    if (node.repetition == 2) {
                        slot->null = false;
                        if (d < p.def[i]) break;  // an empty list
                        auto at = static_cast<size_t>(std::max(idx[i], 0));
                        while (slot->items.size() <= at) slot->items.emplace_back();
                        Elem& e = slot->items[at];
                        if (i + 1 == p.nodes.size()) {
                            e.text = text;
                            break;
                        }
                        if (e.children.size() < node.children.size()) e.children.resize(node.children.size());
                        slot = &e.children[static_cast<size_t>(p.index[i + 1])];
                    } else {
                        if (d < p.def[i]) break;  // null at this level
                        slot->null = false;
                        if (slot->items.empty()) slot->items.emplace_back();
                        Elem& e = slot->items[0];
                        if (i + 1 == p.nodes.size()) {
                            e.text = present ? text : "";
                            break;
                        }
                        if (e.children.size() < node.children.size()) e.children.resize(node.children.size());
                        slot = &e.children[static_cast<size_t>(p.index[i + 1])];
                    }
                }
            }
        }
        if (skip) continue;
        text.clear();
        Render(top, record, text);
        size_t at = offset + row;
        if (text == "null") {
            out.SetNull(at, true);
        } else {
            out.SetNull(at, false);
            out.SetString(at, text);
        }
    }
}

}  // namespace floe::parquet
