#include "format/parquet/file_writer.h"

#include <fcntl.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "common/ascii.h"
#include "common/exception.h"
#include "format/parquet/bloom_filter.h"
#include "format/parquet/decoding.h"
#include "format/parquet/delta_encoding.h"
#include "format/parquet/parquet_types.h"
#include "types/decimal.h"

namespace floe::parquet {

namespace pf = parquet_format;

Codec CodecFromName(const std::string& name) {
    std::string n = AsciiLower(name);
    if (n == "uncompressed" || n == "none" || n.empty()) return Codec::UNCOMPRESSED;
    if (n == "snappy") return Codec::SNAPPY;
    if (n == "gzip") return Codec::GZIP;
    if (n == "zstd") return Codec::ZSTD;
    if (n == "lz4" || n == "lz4_raw") return Codec::LZ4_RAW;
    if (n == "brotli") return Codec::BROTLI;
    throw BinderError("compression '" + name + "' is not one of uncompressed, snappy, gzip, zstd, lz4, brotli",
                      ErrorCode::WRONG_ARGUMENTS);
}

namespace {

template <typename T>
std::string Serialize(const T& value) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
    apache::thrift::protocol::TCompactProtocolT<apache::thrift::transport::TMemoryBuffer> protocol(buffer);
    value.write(&protocol);
    return buffer->getBufferAsString();
}

/// The RLE / bit-packed hybrid: runs of 8 or more equal values as RLE runs, the rest bit-packed
/// in groups of eight.
class RleEncoder {
  public:
    explicit RleEncoder(int bit_width) : width_(bit_width) {}
    void Put(uint32_t v) { values_.push_back(v); }
    std::string Finish() {
        std::string out;
        size_t i = 0, n = values_.size();
        std::vector<uint32_t> pending;  // values waiting to be bit-packed
        auto flush_packed = [&] {
            if (pending.empty()) return;
            size_t groups = (pending.size() + 7) / 8;
            pending.resize(groups * 8, 0);
            PutVarint(out, (groups << 1) | 1);
            uint64_t acc = 0;
            int filled = 0;
            for (uint32_t v : pending) {
                acc |= static_cast<uint64_t>(v) << filled;
                filled += width_;
                while (filled >= 8) {
                    out.push_back(static_cast<char>(acc & 0xff));
                    acc >>= 8;
                    filled -= 8;
                }
            }
            if (filled > 0) out.push_back(static_cast<char>(acc & 0xff));
            pending.clear();
        };
        while (i < n) {
            size_t run = 1;
            while (i + run < n && values_[i + run] == values_[i]) ++run;
            // A repeat run pays off from 8 values; bit-packed groups must be whole, so the run
            // starts once the pending values fill whole groups.
            if (run >= 8 + (8 - pending.size() % 8) % 8) {
                size_t head = (8 - pending.size() % 8) % 8;
                for (size_t k = 0; k < head; ++k) pending.push_back(values_[i + k]);
                i += head;
                run -= head;
                flush_packed();
                PutVarint(out, run << 1);
                uint32_t v = values_[i];
                for (int b = 0; b < (width_ + 7) / 8; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
                i += run;
            } else {
                for (size_t k = 0; k < run; ++k) pending.push_back(values_[i + k]);
                i += run;
            }
        }
        flush_packed();
        values_.clear();
        return out;
    }

  private:
    static void PutVarint(std::string& out, uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    }
    int width_;
    std::vector<uint32_t> values_;
};

struct ColumnPlan {
    pf::SchemaElement element;
    PhysicalType physical;
    size_t width = 0;  // fixed width of the encoded value; 0 for BYTE_ARRAY
};

ColumnPlan PlanColumn(const std::string& name, const LogicalType& t) {
    ColumnPlan p;
    pf::SchemaElement& e = p.element;
    e.__set_name(name);
    e.__set_repetition_type(pf::FieldRepetitionType::OPTIONAL);
    auto integer = [&](int8_t bits) {
        pf::IntType it;
        it.__set_bitWidth(bits);
        it.__set_isSigned(true);
        pf::LogicalType lt;
        lt.__set_INTEGER(it);
        e.__set_logicalType(lt);
        e.__set_converted_type(bits == 8 ? pf::ConvertedType::INT_8 : pf::ConvertedType::INT_16);
    };
    auto decimal = [&](int precision, int scale) {
        pf::DecimalType dt;
        dt.__set_precision(precision);
        dt.__set_scale(scale);
        pf::LogicalType lt;
        lt.__set_DECIMAL(dt);
        e.__set_logicalType(lt);
        e.__set_converted_type(pf::ConvertedType::DECIMAL);
        e.__set_precision(precision);
        e.__set_scale(scale);
    };
    switch (t.id) {
        case TypeId::BOOLEAN:
            p.physical = PhysicalType::BOOLEAN;
            p.width = 1;
            break;
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
            p.physical = PhysicalType::INT32;
            p.width = 4;
            integer(t.id == TypeId::TINYINT ? 8 : 16);
            break;
        case TypeId::INT:
            p.physical = PhysicalType::INT32;
            p.width = 4;
            break;
        case TypeId::BIGINT:
            p.physical = PhysicalType::INT64;
            p.width = 8;
            break;
        case TypeId::LARGEINT:
            p.physical = PhysicalType::FIXED_LEN_BYTE_ARRAY;
            p.width = 16;
            e.__set_type_length(16);
            decimal(38, 0);
            break;
        case TypeId::FLOAT:
            p.physical = PhysicalType::FLOAT;
            p.width = 4;
            break;
        case TypeId::DOUBLE:
            p.physical = PhysicalType::DOUBLE;
            p.width = 8;
            break;
        case TypeId::DECIMAL:
            if (t.precision <= 9) {
                p.physical = PhysicalType::INT32;
                p.width = 4;
            } else if (t.precision <= 18) {
                p.physical = PhysicalType::INT64;
                p.width = 8;
            } else {
                p.physical = PhysicalType::FIXED_LEN_BYTE_ARRAY;
                p.width = 16;
                e.__set_type_length(16);
            }
            decimal(t.precision, t.scale);
            break;
        case TypeId::DATE: {
            p.physical = PhysicalType::INT32;
            p.width = 4;
            pf::LogicalType lt;
            lt.__set_DATE(pf::DateType());
            e.__set_logicalType(lt);
            e.__set_converted_type(pf::ConvertedType::DATE);
            break;
        }
        case TypeId::DATETIME: {
            p.physical = PhysicalType::INT64;
            p.width = 8;
            pf::TimeUnit unit;
            unit.__set_MICROS(pf::MicroSeconds());
            pf::TimestampType ts;
            ts.__set_isAdjustedToUTC(false);
            ts.__set_unit(unit);
            pf::LogicalType lt;
            lt.__set_TIMESTAMP(ts);
            e.__set_logicalType(lt);
            break;
        }
        case TypeId::VARCHAR: {
            p.physical = PhysicalType::BYTE_ARRAY;
            pf::LogicalType lt;
            lt.__set_STRING(pf::StringType());
            e.__set_logicalType(lt);
            e.__set_converted_type(pf::ConvertedType::UTF8);
            break;
        }
        case TypeId::JSON: {
            p.physical = PhysicalType::BYTE_ARRAY;
            pf::LogicalType lt;
            lt.__set_JSON(pf::JsonType());
            e.__set_logicalType(lt);
            e.__set_converted_type(pf::ConvertedType::JSON);
            break;
        }
        case TypeId::BITMAP:
        case TypeId::HLL:
            p.physical = PhysicalType::BYTE_ARRAY;
            break;
        default:
            throw NotSupportedError("cannot write a " + t.ToString() + " column ('" + name + "') to Parquet");
    }
    e.__set_type(static_cast<pf::Type::type>(p.physical));
    return p;
}

/// Encodes value `r` of `col` as the physical type's PLAIN bytes (byte arrays: without length).
void EncodeValue(const Column& col, size_t r, const ColumnPlan& plan, std::string& out) {
    const LogicalType& t = col.type();
    auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
    switch (t.id) {
        case TypeId::BOOLEAN:
            out.push_back(static_cast<char>(col.Data<uint8_t>()[r] ? 1 : 0));
            return;
        case TypeId::TINYINT: {
            int32_t v = col.Data<int8_t>()[r];
            return put(&v, 4);
        }
        case TypeId::SMALLINT: {
            int32_t v = col.Data<int16_t>()[r];
            return put(&v, 4);
        }
        case TypeId::INT:
        case TypeId::DATE:
        case TypeId::FLOAT:
            return put(col.Data<uint8_t>() + r * 4, 4);
        case TypeId::BIGINT:
        case TypeId::DATETIME:
        case TypeId::DOUBLE:
            return put(col.Data<uint8_t>() + r * 8, 8);
        case TypeId::LARGEINT:
        case TypeId::DECIMAL: {
            int128_t v = col.Data<int128_t>()[r];
            if (plan.width == 4) {
                auto x = static_cast<int32_t>(v);
                return put(&x, 4);
            }
            if (plan.width == 8) {
                auto x = static_cast<int64_t>(v);
                return put(&x, 8);
            }
            auto u = static_cast<unsigned __int128>(v);
            for (int b = 15; b >= 0; --b) out.push_back(static_cast<char>((u >> (8 * b)) & 0xff));
            return;
        }
        default: {
            std::string_view s = col.Strings()[r].view();
            out.append(s);
        }
    }
}

/// -1, 0, 1 comparing rows a and b of `col` (both not NULL) in the column type's order.
int Compare(const Column& col, size_t a, size_t b) {
    auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    switch (col.type().id) {
        case TypeId::BOOLEAN:
            return cmp(col.Data<uint8_t>()[a], col.Data<uint8_t>()[b]);
        case TypeId::TINYINT:
            return cmp(col.Data<int8_t>()[a], col.Data<int8_t>()[b]);
        case TypeId::SMALLINT:
            return cmp(col.Data<int16_t>()[a], col.Data<int16_t>()[b]);
        case TypeId::INT:
        case TypeId::DATE:
            return cmp(col.Data<int32_t>()[a], col.Data<int32_t>()[b]);
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            return cmp(col.Data<int64_t>()[a], col.Data<int64_t>()[b]);
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return cmp(col.Data<int128_t>()[a], col.Data<int128_t>()[b]);
        case TypeId::FLOAT:
            return cmp(col.Data<float>()[a], col.Data<float>()[b]);
        case TypeId::DOUBLE:
            return cmp(col.Data<double>()[a], col.Data<double>()[b]);
        default:
            return col.Strings()[a].view().compare(col.Strings()[b].view()) < 0
                       ? -1
                       : (col.Strings()[a].view() == col.Strings()[b].view() ? 0 : 1);
    }
}

bool IsNan(const Column& col, size_t r) {
    if (col.type().id == TypeId::FLOAT) return std::isnan(col.Data<float>()[r]);
    if (col.type().id == TypeId::DOUBLE) return std::isnan(col.Data<double>()[r]);
    return false;
}

/// MinMax over the values `value(row)` gives (kNan: skip NaNs).
template <bool kNan = false, typename ValueOf>
bool MinMaxOf(ValueOf value, const std::vector<uint32_t>& rows, size_t begin, size_t end, size_t& lo, size_t& hi) {
    size_t i = begin;
    if constexpr (kNan) {
        while (i < end && std::isnan(value(rows[i]))) ++i;
    }
    if (i == end) return false;
    lo = hi = rows[i];
    auto low = value(lo), high = low;
    for (++i; i < end; ++i) {
        size_t r = rows[i];
        auto v = value(r);
        if constexpr (kNan) {
            if (std::isnan(v)) continue;
        }
        if (v < low) {
            low = v;
            lo = r;
        } else if (high < v) {
            high = v;
            hi = r;
        }
    }
    return true;
}

/// Min and max rows among `rows` (not NULL, not NaN); false when there is none. The type is
/// dispatched once, not per comparison (the writer runs this over every value it writes).
bool MinMax(const Column& col, const std::vector<uint32_t>& rows, size_t begin, size_t end, size_t& lo, size_t& hi) {
    auto of = [&col]<typename T>(T*) {
        const T* data = col.Data<T>();
        return [data](size_t r) { return data[r]; };
    };
    switch (col.type().id) {
        case TypeId::BOOLEAN:
            return MinMaxOf(of(static_cast<uint8_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::TINYINT:
            return MinMaxOf(of(static_cast<int8_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::SMALLINT:
            return MinMaxOf(of(static_cast<int16_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::INT:
        case TypeId::DATE:
            return MinMaxOf(of(static_cast<int32_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            return MinMaxOf(of(static_cast<int64_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return MinMaxOf(of(static_cast<int128_t*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::FLOAT:
            return MinMaxOf<true>(of(static_cast<float*>(nullptr)), rows, begin, end, lo, hi);
        case TypeId::DOUBLE:
            return MinMaxOf<true>(of(static_cast<double*>(nullptr)), rows, begin, end, lo, hi);
        default: {
            const StringView* strings = col.Strings();
            return MinMaxOf([strings](size_t r) { return strings[r].view(); }, rows, begin, end, lo, hi);
        }
    }
}

}  // namespace

/// -1, 0, 1 comparing two non-null Values of one column type.
int CompareValues(const Value& a, const Value& b) {
    auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
    switch (a.type().id) {
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return cmp(a.GetInt128(), b.GetInt128());
        case TypeId::FLOAT:
        case TypeId::DOUBLE:
            return cmp(a.GetDouble(), b.GetDouble());
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::DATE:
        case TypeId::DATETIME:
            return cmp(a.GetInt(), b.GetInt());
        default:
            return cmp(std::string_view(a.GetString()), std::string_view(b.GetString()));
    }
}

struct ParquetFileWriter::Impl {
    std::string path, tmp;
    std::unique_ptr<WritableFile> out;  // set: written through it instead of fd
    std::vector<WrittenColumnStatistics> stats;
    std::vector<std::string> names;
    std::vector<LogicalType> types;
    WriterOptions options;
    std::vector<ColumnPlan> plans;
    std::vector<std::unique_ptr<Column>> buffered;
    size_t buffered_rows = 0;
    int fd = -1;
    uint64_t offset = 0;
    uint64_t rows = 0;
    pf::FileMetaData meta;
    std::vector<std::vector<pf::ColumnIndex>> column_indexes;  // per row group, per column
    std::vector<std::vector<pf::OffsetIndex>> offset_indexes;
    std::vector<std::vector<std::string>> blooms;  // per row group, per column: header + bitset, or empty
    bool finished = false;

    void InitSchema() {
        pf::SchemaElement root;
        root.__set_name("schema");
        root.__set_num_children(static_cast<int32_t>(types.size()));
        meta.schema.push_back(root);
        for (size_t c = 0; c < types.size(); ++c) {
            plans.push_back(PlanColumn(names[c], types[c]));
            if (c < options.field_ids.size()) plans.back().element.__set_field_id(options.field_ids[c]);
            meta.schema.push_back(plans.back().element);
            buffered.push_back(std::make_unique<Column>(types[c], 0));
        }
        stats.resize(types.size());
    }

    void Write(const std::string& bytes) {
        if (out) {
            out->Append(bytes);
            offset += bytes.size();
            return;
        }
        size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw IOError("cannot write '" + tmp + "': " + std::strerror(errno));
            done += static_cast<size_t>(n);
        }
        offset += bytes.size();
    }

    /// Writes one page (header + compressed body); returns its total size.
    size_t WritePage(pf::PageHeader& header, const std::string& raw) {
        std::string body;
        Compress(options.codec, raw, body, options.compression_level);
        header.__set_uncompressed_page_size(static_cast<int32_t>(raw.size()));
        header.__set_compressed_page_size(static_cast<int32_t>(body.size()));
        std::string head = Serialize(header);
        Write(head);
        Write(body);
        return head.size() + body.size();
    }

    void FlushRowGroup() {
        size_t n = buffered_rows;
        if (n == 0) return;
        pf::RowGroup rg;
        rg.__set_num_rows(static_cast<int64_t>(n));
        rg.__set_file_offset(static_cast<int64_t>(offset));
        int64_t group_start = static_cast<int64_t>(offset);
        int64_t total_uncompressed = 0;
        std::vector<pf::ColumnIndex> cis;
        std::vector<pf::OffsetIndex> ois;
        std::vector<std::string> group_blooms;
        for (size_t c = 0; c < buffered.size(); ++c) {
            const Column& col = *buffered[c];
            const ColumnPlan& plan = plans[c];
            std::vector<uint32_t> present;
            present.reserve(n);
            for (size_t r = 0; r < n; ++r) {
                if (!col.IsNull(r)) present.push_back(static_cast<uint32_t>(r));
            }
            // Encoded values (no length prefixes) and where each starts.
            std::string values;
            std::vector<uint32_t> starts;
            starts.reserve(present.size() + 1);
            for (uint32_t r : present) {
                starts.push_back(static_cast<uint32_t>(values.size()));
                EncodeValue(col, r, plan, values);
            }
            starts.push_back(static_cast<uint32_t>(values.size()));
            auto value_at = [&](size_t i) {
                return std::string_view(values).substr(starts[i], starts[i + 1] - starts[i]);
            };
            // Dictionary while it stays small.
            bool use_dict = options.dictionary && plan.physical != PhysicalType::BOOLEAN && !present.empty();
            std::unordered_map<std::string_view, uint32_t> dict;
            std::vector<uint32_t> codes;
            std::vector<size_t> dict_values;  // value index of each entry
            size_t dict_bytes = 0;
            if (use_dict) {
                codes.reserve(present.size());
                for (size_t i = 0; i < present.size() && use_dict; ++i) {
                    auto [it, fresh] = dict.emplace(value_at(i), static_cast<uint32_t>(dict_values.size()));
                    if (fresh) {
                        dict_values.push_back(i);
                        dict_bytes += it->first.size() + (plan.width ? 0 : 4);
                    }
                    codes.push_back(it->second);
                    use_dict = dict_values.size() <= 65535 && dict_bytes <= options.page_bytes &&
                               !(dict_values.size() > 1000 && dict_values.size() * 2 > i + 1);
                }
            }
            pf::ColumnMetaData md;
            md.__set_type(static_cast<pf::Type::type>(plan.physical));
            md.__set_path_in_schema({names[c]});
            md.__set_codec(static_cast<pf::CompressionCodec::type>(options.codec));
            md.__set_num_values(static_cast<int64_t>(n));
            int64_t chunk_start = static_cast<int64_t>(offset);
            int64_t uncompressed = 0;
            auto plain_bytes = [&](size_t i, std::string& out) {
                std::string_view v = value_at(i);
                if (plan.width == 0) {
                    auto len = static_cast<uint32_t>(v.size());
                    out.append(reinterpret_cast<const char*>(&len), 4);
                }
                out.append(v);
            };
            if (use_dict) {
                std::string page;
                for (size_t e : dict_values) plain_bytes(e, page);
                pf::PageHeader h;
                h.__set_type(pf::PageType::DICTIONARY_PAGE);
                pf::DictionaryPageHeader dh;
                dh.__set_num_values(static_cast<int32_t>(dict_values.size()));
                dh.__set_encoding(pf::Encoding::PLAIN);
                h.__set_dictionary_page_header(dh);
                md.__set_dictionary_page_offset(static_cast<int64_t>(offset));
                uncompressed += static_cast<int64_t>(page.size());
                WritePage(h, page);
            }
            md.__set_data_page_offset(static_cast<int64_t>(offset));
            // Data pages of about page_bytes of values each.
            size_t avg = present.empty() ? 1 : std::max<size_t>(1, values.size() / present.size());
            size_t rows_per_page = std::max<size_t>(1024, options.page_bytes / (avg + 1));
            pf::ColumnIndex ci;
            pf::OffsetIndex oi;
            ci.__set_boundary_order(pf::BoundaryOrder::UNORDERED);
            std::vector<int64_t> null_counts;
            size_t value_pos = 0;
            int dict_width = BitWidth(dict_values.empty() ? 0 : dict_values.size() - 1);
            std::set<pf::Encoding::type> used_encodings = {pf::Encoding::RLE};
            bool chunk_has = false;
            size_t chunk_lo = 0, chunk_hi = 0;
            for (size_t first = 0; first < n; first += rows_per_page) {
                size_t last = std::min(n, first + rows_per_page);
                size_t begin = value_pos;
                RleEncoder defs(1);
                for (size_t r = first; r < last; ++r) defs.Put(col.IsNull(r) ? 0 : 1);
                while (value_pos < present.size() && present[value_pos] < last) ++value_pos;
                std::string page;
                pf::Encoding::type page_encoding = use_dict ? pf::Encoding::RLE_DICTIONARY : pf::Encoding::PLAIN;
                std::string levels = defs.Finish();
                auto len = static_cast<uint32_t>(levels.size());
                page.append(reinterpret_cast<const char*>(&len), 4);
                page += levels;
                if (use_dict) {
                    page.push_back(static_cast<char>(dict_width));
                    RleEncoder idx(dict_width);
                    for (size_t i = begin; i < value_pos; ++i) idx.Put(codes[i]);
                    page += idx.Finish();
                } else if (plan.physical == PhysicalType::BOOLEAN) {
                    std::string bits((value_pos - begin + 7) / 8, '\0');
                    for (size_t i = begin; i < value_pos; ++i) {
                        if (values[starts[i]]) bits[(i - begin) / 8] |= static_cast<char>(1 << ((i - begin) % 8));
                    }
                    page += bits;
                } else {
                    // Plain, or a delta encoding when it is smaller (sorted ids and times, strings
                    // of similar lengths).
                    std::string plain, delta;
                    for (size_t i = begin; i < value_pos; ++i) plain_bytes(i, plain);
                    if (plan.physical == PhysicalType::INT32 || plan.physical == PhysicalType::INT64) {
                        std::vector<int64_t> ints;
                        ints.reserve(value_pos - begin);
                        for (size_t i = begin; i < value_pos; ++i) {
                            std::string_view v = value_at(i);
                            if (v.size() == 4) {
                                int32_t x;
                                std::memcpy(&x, v.data(), 4);
                                ints.push_back(x);
                            } else {
                                int64_t x;
                                std::memcpy(&x, v.data(), 8);
                                ints.push_back(x);
                            }
                        }
                        EncodeDeltaBinaryPacked(ints, delta);
                        if (delta.size() < plain.size()) page_encoding = pf::Encoding::DELTA_BINARY_PACKED;
                    } else if (plan.physical == PhysicalType::BYTE_ARRAY) {
                        std::vector<std::string_view> views;
                        for (size_t i = begin; i < value_pos; ++i) views.push_back(value_at(i));
                        EncodeDeltaLengthByteArray(views, delta);
                        if (delta.size() < plain.size()) page_encoding = pf::Encoding::DELTA_LENGTH_BYTE_ARRAY;
                    }
                    page += page_encoding == pf::Encoding::PLAIN ? plain : delta;
                }
                used_encodings.insert(page_encoding);
                pf::PageHeader h;
                h.__set_type(pf::PageType::DATA_PAGE);
                pf::DataPageHeader dp;
                dp.__set_num_values(static_cast<int32_t>(last - first));
                dp.__set_encoding(page_encoding);
                dp.__set_definition_level_encoding(pf::Encoding::RLE);
                dp.__set_repetition_level_encoding(pf::Encoding::RLE);
                // Page statistics, also the column index entry.
                pf::Statistics ps;
                ps.__set_null_count(static_cast<int64_t>((last - first) - (value_pos - begin)));
                size_t lo = 0, hi = 0;
                bool has = MinMax(col, present, begin, value_pos, lo, hi);
                if (has) {
                    // The chunk's min and max are the pages' (no second pass over the values).
                    if (!chunk_has) {
                        chunk_lo = lo;
                        chunk_hi = hi;
                        chunk_has = true;
                    } else {
                        if (Compare(col, lo, chunk_lo) < 0) chunk_lo = lo;
                        if (Compare(col, hi, chunk_hi) > 0) chunk_hi = hi;
                    }
                }
                std::string min_bytes, max_bytes;
                if (has) {
                    EncodeValue(col, lo, plan, min_bytes);
                    EncodeValue(col, hi, plan, max_bytes);
                    ps.__set_min_value(min_bytes);
                    ps.__set_max_value(max_bytes);
                }
                dp.__set_statistics(ps);
                h.__set_data_page_header(dp);
                pf::PageLocation loc;
                loc.__set_offset(static_cast<int64_t>(offset));
                loc.__set_first_row_index(static_cast<int64_t>(first));
                uncompressed += static_cast<int64_t>(page.size());
                size_t written = WritePage(h, page);
                loc.__set_compressed_page_size(static_cast<int32_t>(written));
                oi.page_locations.push_back(loc);
                ci.null_pages.push_back(!has && value_pos == begin);
                ci.min_values.push_back(min_bytes);
                ci.max_values.push_back(max_bytes);
                null_counts.push_back(ps.null_count);
            }
            ci.__set_null_counts(null_counts);
            if (use_dict) used_encodings.insert(pf::Encoding::PLAIN);  // the dictionary page
            std::vector<int32_t> encodings(used_encodings.begin(), used_encodings.end());
            md.__set_encodings(encodings);
            md.__set_total_uncompressed_size(uncompressed);
            md.__set_total_compressed_size(static_cast<int64_t>(offset) - chunk_start);
            pf::Statistics stats;
            stats.__set_null_count(static_cast<int64_t>(n - present.size()));
            if (chunk_has) {
                std::string a, b;
                EncodeValue(col, chunk_lo, plan, a);
                EncodeValue(col, chunk_hi, plan, b);
                stats.__set_min_value(a);
                stats.__set_max_value(b);
            }
            md.__set_statistics(stats);
            WrittenColumnStatistics& cs = this->stats[c];
            cs.compressed_bytes += static_cast<int64_t>(offset) - chunk_start;
            cs.values += static_cast<int64_t>(n);
            cs.nulls += static_cast<int64_t>(n - present.size());
            if (plan.physical == PhysicalType::FLOAT || plan.physical == PhysicalType::DOUBLE) {
                for (uint32_t r : present) cs.nans += IsNan(col, r) ? 1 : 0;
            }
            if (stats.__isset.min_value) {
                Value vlo = col.GetValue(chunk_lo), vhi = col.GetValue(chunk_hi);
                if (cs.min.is_null() || CompareValues(vlo, cs.min) < 0) cs.min = std::move(vlo);
                if (cs.max.is_null() || CompareValues(vhi, cs.max) > 0) cs.max = std::move(vhi);
            }
            pf::ColumnChunk cc;
            cc.__set_file_offset(chunk_start);
            cc.__set_meta_data(md);
            rg.columns.push_back(cc);
            total_uncompressed += uncompressed;
            cis.push_back(std::move(ci));
            ois.push_back(std::move(oi));
            // A bloom filter of the chunk's distinct values, when asked for (written in Finish).
            std::string bloom;
            if (c < options.bloom_columns.size() && options.bloom_columns[c] && !present.empty()) {
                BloomFilter filter = BloomFilter::ForValues(use_dict ? dict_values.size() : present.size());
                if (use_dict) {
                    for (size_t e : dict_values) filter.Insert(BloomFilter::Hash(value_at(e)));
                } else {
                    for (size_t i = 0; i < present.size(); ++i) filter.Insert(BloomFilter::Hash(value_at(i)));
                }
                pf::BloomFilterHeader bh;
                bh.__set_numBytes(static_cast<int32_t>(filter.bitset().size()));
                pf::BloomFilterAlgorithm algorithm;
                algorithm.__set_BLOCK(pf::SplitBlockAlgorithm());
                bh.__set_algorithm(algorithm);
                pf::BloomFilterHash hash;
                hash.__set_XXHASH(pf::XxHash());
                bh.__set_hash(hash);
                pf::BloomFilterCompression compression;
                compression.__set_UNCOMPRESSED(pf::BloomFilterUncompressed());
                bh.__set_compression(compression);
                bloom = Serialize(bh) + filter.bitset();
            }
            group_blooms.push_back(std::move(bloom));
        }
        rg.__set_total_byte_size(total_uncompressed);
        rg.__set_total_compressed_size(static_cast<int64_t>(offset) - group_start);
        rg.__set_ordinal(static_cast<int16_t>(meta.row_groups.size()));
        meta.row_groups.push_back(rg);
        column_indexes.push_back(std::move(cis));
        offset_indexes.push_back(std::move(ois));
        blooms.push_back(std::move(group_blooms));
        rows += n;
        for (auto& b : buffered) {
            b->Resize(0);
            b->heap().Clear();
        }
        buffered_rows = 0;
    }
};

ParquetFileWriter::ParquetFileWriter(std::unique_ptr<WritableFile> out, std::vector<std::string> names,
                                     std::vector<LogicalType> types, WriterOptions options)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.path = out->path();
    m.out = std::move(out);
    m.names = std::move(names);
    m.types = std::move(types);
    m.options = std::move(options);
    m.InitSchema();
    m.Write("PAR1");
}

ParquetFileWriter::ParquetFileWriter(std::string path, std::vector<std::string> names, std::vector<LogicalType> types,
                                     WriterOptions options)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.path = std::move(path);
    m.tmp = m.path + ".tmp";
    m.names = std::move(names);
    m.types = std::move(types);
    m.options = std::move(options);
    m.InitSchema();
    std::error_code ec;
    auto parent = std::filesystem::path(m.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    m.fd = ::open(m.tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m.fd < 0) throw IOError("cannot create '" + m.tmp + "': " + std::strerror(errno));
    m.Write("PAR1");
}

ParquetFileWriter::~ParquetFileWriter() {
    if (impl_->fd >= 0) ::close(impl_->fd);
    if (!impl_->finished && !impl_->out) ::unlink(impl_->tmp.c_str());
}

void ParquetFileWriter::Append(const Chunk& chunk) {
    Impl& m = *impl_;
    size_t live = chunk.live_rows();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = chunk.LiveRow(i);
    for (size_t done = 0; done < live;) {
        size_t take = std::min(live - done, m.options.row_group_rows - m.buffered_rows);
        for (size_t c = 0; c < m.buffered.size(); ++c)
            m.buffered[c]->AppendRows(chunk.column(c), rows.data() + done, take);
        m.buffered_rows += take;
        done += take;
        if (m.buffered_rows >= m.options.row_group_rows) m.FlushRowGroup();
    }
}

void ParquetFileWriter::Finish() {
    Impl& m = *impl_;
    m.FlushRowGroup();
    // Bloom filters, then the page index (column indexes, offset indexes), after the row groups.
    for (size_t g = 0; g < m.meta.row_groups.size(); ++g) {
        for (size_t c = 0; c < m.blooms[g].size(); ++c) {
            const std::string& bytes = m.blooms[g][c];
            if (bytes.empty()) continue;
            auto& md = m.meta.row_groups[g].columns[c].meta_data;
            md.__set_bloom_filter_offset(static_cast<int64_t>(m.offset));
            md.__set_bloom_filter_length(static_cast<int32_t>(bytes.size()));
            m.meta.row_groups[g].columns[c].__set_meta_data(md);
            m.Write(bytes);
        }
    }
    for (size_t g = 0; g < m.meta.row_groups.size(); ++g) {
        for (size_t c = 0; c < m.column_indexes[g].size(); ++c) {
            std::string bytes = Serialize(m.column_indexes[g][c]);
            m.meta.row_groups[g].columns[c].__set_column_index_offset(static_cast<int64_t>(m.offset));
            m.meta.row_groups[g].columns[c].__set_column_index_length(static_cast<int32_t>(bytes.size()));
            m.Write(bytes);
        }
    }
    for (size_t g = 0; g < m.meta.row_groups.size(); ++g) {
        for (size_t c = 0; c < m.offset_indexes[g].size(); ++c) {
            std::string bytes = Serialize(m.offset_indexes[g][c]);
            m.meta.row_groups[g].columns[c].__set_offset_index_offset(static_cast<int64_t>(m.offset));
            m.meta.row_groups[g].columns[c].__set_offset_index_length(static_cast<int32_t>(bytes.size()));
            m.Write(bytes);
        }
    }
    m.meta.__set_version(1);
    m.meta.__set_num_rows(static_cast<int64_t>(m.rows));
    m.meta.__set_created_by("Floe");
    if (!m.options.key_value_metadata.empty()) {
        std::vector<pf::KeyValue> kvs;
        for (const auto& [k, v] : m.options.key_value_metadata) {
            pf::KeyValue kv;
            kv.__set_key(k);
            kv.__set_value(v);
            kvs.push_back(std::move(kv));
        }
        m.meta.__set_key_value_metadata(kvs);
    }
    std::string footer = Serialize(m.meta);
    m.Write(footer);
    auto len = static_cast<uint32_t>(footer.size());
    m.Write(std::string(reinterpret_cast<const char*>(&len), 4) + "PAR1");
    if (m.out) {
        m.out->Close();
        m.finished = true;
        return;
    }
    if (::fsync(m.fd) != 0) throw IOError("cannot sync '" + m.tmp + "': " + std::strerror(errno));
    ::close(m.fd);
    m.fd = -1;
    std::error_code ec;
    std::filesystem::rename(m.tmp, m.path, ec);
    if (ec) throw IOError("cannot rename '" + m.tmp + "' to '" + m.path + "': " + ec.message());
    m.finished = true;
}

uint64_t ParquetFileWriter::bytes_written() const {
    return impl_->offset;
}

const std::vector<WrittenColumnStatistics>& ParquetFileWriter::column_statistics() const {
    return impl_->stats;
}

std::vector<int64_t> ParquetFileWriter::row_group_offsets() const {
    std::vector<int64_t> out;
    for (const auto& rg : impl_->meta.row_groups) out.push_back(rg.file_offset);
    return out;
}

uint64_t ParquetFileWriter::rows_written() const {
    return impl_->rows + impl_->buffered_rows;
}

}  // namespace floe::parquet
