#include "storage/segment.h"

#include <atomic>
#include <exception>
#include <mutex>

#include "common/memory_tracker.h"
#include "common/worker_pool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "common/crc32.h"
#include "common/exception.h"
#include "common/memory_tracker.h"
#include "storage/encoding.h"
#include "storage/short_key.h"

namespace floe {

namespace {

constexpr char kMagic1[8] = {'F', 'L', 'O', 'E', 'S', 'E', 'G', '1'};
constexpr char kMagic2[8] = {'F', 'L', 'O', 'E', 'S', 'E', 'G', '2'};

template <typename T>
void Put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T Get(const std::string& in, size_t& pos, const std::string& path) {
    if (pos + sizeof(T) > in.size()) throw IOError("segment '" + path + "' is truncated (footer)");
    T v;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IOError("cannot write segment '" + path + "': " + std::strerror(errno));
        }
        off += static_cast<size_t>(n);
    }
}

void FsyncDirectory(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

SegmentWriter::SegmentWriter(std::string path, std::vector<LogicalType> types, PageCodec codec)
    : path_(std::move(path)), tmp_(path_ + ".tmp"), types_(std::move(types)), codec_(codec) {
    distinct_.resize(types_.size());
    for (const auto& t : types_) columns_.push_back(std::make_unique<Column>(t, 0));
    page_meta_.resize(types_.size());
    zones_.resize(types_.size());
    page_counts_.resize(types_.size());
}

SegmentWriter::~SegmentWriter() {
    if (fd_ >= 0) ::close(fd_);
    if (!finished_ && (fd_ >= 0 || version_ == 1)) ::unlink(tmp_.c_str());
}

void SegmentWriter::Write(const std::string& bytes) {
    if (fd_ < 0) {
        std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) throw IOError("cannot create segment '" + tmp_ + "': " + std::strerror(errno));
    }
    WriteAll(fd_, bytes, tmp_);
    offset_ += bytes.size();
}

void SegmentWriter::Append(const Chunk& chunk) {
    size_t live = chunk.live_rows();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = chunk.LiveRow(i);
    std::vector<const Column*> columns;
    for (size_t c = 0; c < columns_.size(); ++c) columns.push_back(&chunk.column(c));
    AppendRows(columns, rows.data(), live);
}

void SegmentWriter::SetSortColumns(std::vector<size_t> columns) {
    for (size_t c : columns) {
        if (c >= types_.size() || !HasSortableEncoding(types_[c])) return;
    }
    sort_columns_ = std::move(columns);
}

void SegmentWriter::AppendRows(const std::vector<const Column*>& columns, const uint32_t* rows, size_t live) {
    if (version_ == 1) {
        for (size_t c = 0; c < columns_.size(); ++c) columns_[c]->AppendRows(*columns[c], rows, live);
        rows_ += live;
        return;
    }
    if (offset_ == 0) {
        std::string head(kMagic2, sizeof(kMagic2));
        Put<uint32_t>(head, 2);
        Write(head);
    }
    for (size_t done = 0; done < live;) {
        size_t room = kPageRows - columns_[0]->size();
        size_t n = std::min(room, live - done);
        if (room == kPageRows && !sort_columns_.empty()) {  // a page starts: its first key
            std::string key;
            for (size_t c : sort_columns_) AppendSortable(*columns[c], rows[done], key);
            page_keys_.push_back(std::move(key));
        }
        for (size_t c = 0; c < columns_.size(); ++c) columns_[c]->AppendRows(*columns[c], rows + done, n);
        done += n;
        rows_ += n;
        if (columns_[0]->size() == kPageRows) FlushPages();
    }
}

namespace {

inline uint64_t MixBits(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

}  // namespace

std::vector<int64_t> SegmentWriter::DistinctCounts() const {
    std::vector<int64_t> out;
    for (const auto& h : distinct_) out.push_back(h.Estimate());
    return out;
}

void SegmentWriter::FlushPages() {
    size_t n = columns_.empty() ? 0 : columns_[0]->size();
    if (n == 0) return;
    // Each column's page is sketched, encoded, compressed and bloom-filtered on its own (on the
    // worker pool's threads when there are several columns); the pages are then written in
    // column order.
    struct Page {
        PageEncoding encoding;
        PageCodec codec;
        ZoneMap zone;
        size_t raw_size = 0;
        std::string stored, bloom;
    };
    std::vector<Page> pages(columns_.size());
    auto encode = [&](size_t c) {
        Column& col = *columns_[c];
        {
            // Distinct-value sketch of the page's values.
            Hll& hll = distinct_[c];
            const uint8_t* nulls = col.nulls();
            uint32_t width = col.type().PhysicalSize();
            bool strings = col.type().IsString() || col.type().id >= TypeId::BITMAP;
            // Fixed widths of 1-8 bytes: a loop per width, so the loads are not memcpy calls.
            auto sketch = [&](auto zero) {
                using T = decltype(zero);
                const T* data = col.Data<T>();
                for (size_t r = 0; r < n; ++r) {
                    if (!nulls[r])
                        hll.AddHash(MixBits(static_cast<uint64_t>(data[r]) ^ MixBits(0x632BE59BD9B4E019ULL)));
                }
            };
            bool done = !strings;
            if (!strings && width == 1) {
                sketch(uint8_t{0});
            } else if (!strings && width == 2) {
                sketch(uint16_t{0});
            } else if (!strings && width == 4) {
                sketch(uint32_t{0});
            } else if (!strings && width == 8) {
                sketch(uint64_t{0});
            } else {
                done = false;
            }
            for (size_t r = 0; r < n && !done; ++r) {
                if (nulls[r]) continue;
                uint64_t h;
                if (strings) {
                    std::string_view v = col.Strings()[r].view();
                    h = 0x9E3779B97F4A7C15ULL ^ v.size();
                    size_t i = 0;
                    for (; i + 8 <= v.size(); i += 8) {
                        uint64_t w;
                        std::memcpy(&w, v.data() + i, 8);
                        h = MixBits(h ^ w);
                    }
                    uint64_t tail = 0;
                    std::memcpy(&tail, v.data() + i, v.size() - i);
                    h = MixBits(h ^ tail);
                } else {
                    uint64_t lo = 0, hi = 0;
                    const uint8_t* p = col.Data<uint8_t>() + r * width;
                    std::memcpy(&lo, p, std::min<uint32_t>(width, 8));
                    if (width > 8) std::memcpy(&hi, p + 8, width - 8);
                    h = MixBits(lo ^ MixBits(hi + 0x632BE59BD9B4E019ULL));
                }
                hll.AddHash(h);
            }
        }
        Page& page = pages[c];
        std::string raw = EncodePage(col, 0, n, page.encoding, page.zone);
        page.codec = codec_;
        page.stored = CompressPage(page.codec, raw);
        if (page.codec != PageCodec::NONE && page.stored.size() > raw.size() - raw.size() / 8) {
            page.codec = PageCodec::NONE;  // not worth decompressing
            page.stored = raw;
        }
        page.raw_size = raw.size();
        if (c < bloom_columns_.size() && bloom_columns_[c]) page.bloom = BuildBloomFilter(col, 0, n);
    };
    WorkerPool& pool = WorkerPool::Instance();
    if (columns_.size() < 2 || pool.parallelism() < 2) {
        for (size_t c = 0; c < columns_.size(); ++c) encode(c);
    } else {
        MemoryTracker* tracker = MemoryTracker::Current();
        std::atomic<size_t> next{0};
        std::mutex error_mutex;
        std::exception_ptr error;
        pool.Run(std::min(columns_.size(), pool.parallelism()), [&](size_t) {
            ScopedMemoryTracker attach(tracker);
            try {
                for (size_t c = next++; c < columns_.size(); c = next++) encode(c);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
            MemoryTracker::FlushThread();
        });
        if (error) std::rethrow_exception(error);
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
        Page& page = pages[c];
        std::string& meta = page_meta_[c];
        Put<uint64_t>(meta, offset_);
        Put<uint32_t>(meta, static_cast<uint32_t>(page.stored.size()));
        Put<uint32_t>(meta, static_cast<uint32_t>(page.raw_size));
        Put<uint32_t>(meta, Crc32(page.stored.data(), page.stored.size()));
        Put<uint8_t>(meta, static_cast<uint8_t>(page.encoding));
        Put<uint8_t>(meta, static_cast<uint8_t>(page.codec));
        page.zone.Serialize(meta);
        Put<uint32_t>(meta, static_cast<uint32_t>(page.bloom.size()));
        meta += page.bloom;
        zones_[c].Merge(page.zone);
        ++page_counts_[c];
        Write(page.stored);
        Column& col = *columns_[c];
        col.Resize(0);  // keeps the buffers: the next page reuses them
        col.heap().Clear();
    }
}

std::string SegmentWriter::EncodeVersion1() {
    std::string file(kMagic1, sizeof(kMagic1));
    Put<uint32_t>(file, 1);
    std::string footer;
    Put<uint64_t>(footer, rows_);
    Put<uint32_t>(footer, static_cast<uint32_t>(columns_.size()));
    for (size_t c = 0; c < columns_.size(); ++c) {
        const Column& col = *columns_[c];
        std::string block(reinterpret_cast<const char*>(col.nulls()), rows_);
        uint64_t nulls = 0;
        for (size_t r = 0; r < rows_; ++r) nulls += col.nulls()[r] ? 1 : 0;
        if (types_[c].HasStringHeap()) {
            for (size_t r = 0; r < rows_; ++r) Put<uint32_t>(block, col.Strings()[r].size());
            for (size_t r = 0; r < rows_; ++r) block.append(col.Strings()[r].view());
        } else {
            block.append(reinterpret_cast<const char*>(col.Data<uint8_t>()), rows_ * types_[c].PhysicalSize());
        }
        Put<uint8_t>(footer, static_cast<uint8_t>(types_[c].id));
        Put<uint8_t>(footer, types_[c].precision);
        Put<uint8_t>(footer, types_[c].scale);
        Put<uint64_t>(footer, file.size());
        Put<uint64_t>(footer, block.size());
        Put<uint64_t>(footer, nulls);
        Put<uint32_t>(footer, Crc32(block.data(), block.size()));
        file += block;
    }
    file += footer;
    Put<uint32_t>(file, static_cast<uint32_t>(footer.size()));
    Put<uint32_t>(file, Crc32(footer.data(), footer.size()));
    file.append(kMagic1, sizeof(kMagic1));
    return file;
}

uint64_t SegmentWriter::Finish() {
    if (version_ == 1) {
        Write(EncodeVersion1());
    } else {
        if (offset_ == 0) {
            std::string head(kMagic2, sizeof(kMagic2));
            Put<uint32_t>(head, 2);
            Write(head);
        }
        FlushPages();
        std::string footer;
        Put<uint64_t>(footer, rows_);
        Put<uint32_t>(footer, static_cast<uint32_t>(kPageRows));
        Put<uint32_t>(footer, static_cast<uint32_t>(columns_.size()));
        for (size_t c = 0; c < columns_.size(); ++c) {
            Put<uint8_t>(footer, static_cast<uint8_t>(types_[c].id));
            Put<uint8_t>(footer, types_[c].precision);
            Put<uint8_t>(footer, types_[c].scale);
            zones_[c].Serialize(footer);
            Put<uint32_t>(footer, page_counts_[c]);
            footer += page_meta_[c];
        }
        if (!sort_columns_.empty() && !page_keys_.empty()) {
            // Optional section (older version 2 files end before it): the short-key index.
            footer.append("SKEY", 4);
            Put<uint32_t>(footer, static_cast<uint32_t>(sort_columns_.size()));
            for (size_t c : sort_columns_) Put<uint32_t>(footer, static_cast<uint32_t>(c));
            Put<uint32_t>(footer, static_cast<uint32_t>(page_keys_.size()));
            for (const auto& k : page_keys_) {
                Put<uint32_t>(footer, static_cast<uint32_t>(k.size()));
                footer += k;
            }
        }
        std::string trailer = footer;
        Put<uint32_t>(trailer, static_cast<uint32_t>(footer.size()));
        Put<uint32_t>(trailer, Crc32(footer.data(), footer.size()));
        trailer.append(kMagic2, sizeof(kMagic2));
        Write(trailer);
    }
    if (::fsync(fd_) != 0) throw IOError("cannot fsync segment '" + tmp_ + "': " + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
        ::unlink(tmp_.c_str());
        throw IOError("cannot rename segment to '" + path_ + "': " + std::strerror(errno));
    }
    finished_ = true;
    FsyncDirectory(path_);
    return offset_;
}

namespace {

/// Reads exactly `len` bytes at `offset`; throws IOError (naming the file) on a short read.
std::string ReadAt(int fd, uint64_t offset, size_t len, const std::string& path) {
    std::string out(len, '\0');
    size_t done = 0;
    while (done < len) {
        ssize_t n = ::pread(fd, out.data() + done, len - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IOError("cannot read segment '" + path + "': " + std::strerror(errno));
        }
        if (n == 0) throw IOError("segment '" + path + "' is truncated");
        done += static_cast<size_t>(n);
    }
    return out;
}

/// Reads exactly out.size() bytes at `offset` into `out` (reusing its buffer).
void ReadInto(int fd, uint64_t offset, std::string& out, const std::string& path) {
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IOError("cannot read segment '" + path + "': " + std::strerror(errno));
        }
        if (n == 0) throw IOError("segment '" + path + "' is truncated");
        done += static_cast<size_t>(n);
    }
}

class FileHandle {
  public:
    explicit FileHandle(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw IOError("cannot open segment '" + path + "': " + std::strerror(errno));
    }
    ~FileHandle() { ::close(fd_); }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

namespace {
/// Bytes of loaded columns over all live readers, cached or not: the cache's cheap upper bound.
std::atomic<size_t> g_loaded_bytes{0};
}  // namespace

SegmentReader::SegmentReader(const std::string& path, const std::vector<LogicalType>& expected_types) : path_(path) {
    FileHandle file(path);
    struct stat st {};
    if (::fstat(file.fd(), &st) != 0) throw IOError("cannot stat segment '" + path + "': " + std::strerror(errno));
    uint64_t size = static_cast<uint64_t>(st.st_size);
    constexpr size_t kTrailer = 4 + 4 + sizeof(kMagic1);
    if (size < sizeof(kMagic1) + 4 + kTrailer)
        throw IOError("segment '" + path + "' is truncated or not a Floe segment");
    std::string head = ReadAt(file.fd(), 0, sizeof(kMagic1) + 4, path);
    std::string tail = ReadAt(file.fd(), size - kTrailer, kTrailer, path);
    const char* magic = std::memcmp(head.data(), kMagic2, sizeof(kMagic2)) == 0   ? kMagic2
                        : std::memcmp(head.data(), kMagic1, sizeof(kMagic1)) == 0 ? kMagic1
                                                                                  : nullptr;
    if (!magic || std::memcmp(tail.data() + 8, magic, sizeof(kMagic1)) != 0) {
        throw IOError("segment '" + path + "' is truncated or not a Floe segment (bad magic)");
    }
    size_t pos = sizeof(kMagic1);
    version_ = Get<uint32_t>(head, pos, path);
    if (version_ != (magic == kMagic2 ? 2u : 1u)) {
        throw IOError("segment '" + path + "' has unsupported version " + std::to_string(version_));
    }
    uint64_t trailer = size - kTrailer;
    pos = 0;
    uint32_t footer_len = Get<uint32_t>(tail, pos, path);
    uint32_t footer_crc = Get<uint32_t>(tail, pos, path);
    if (footer_len > trailer - sizeof(kMagic1) - 4) throw IOError("segment '" + path + "' has a corrupt footer length");
    std::string footer = ReadAt(file.fd(), trailer - footer_len, footer_len, path);
    if (Crc32(footer.data(), footer.size()) != footer_crc) {
        throw IOError("segment '" + path + "' footer checksum mismatch (corrupt file)");
    }
    if (version_ == 1) {
        ReadFooterVersion1(footer, trailer - footer_len, expected_types);
    } else {
        ReadFooterVersion2(footer, trailer - footer_len, expected_types);
    }
    loaded_.resize(blocks_.size());
    dictionaries_.resize(blocks_.size());
}

void SegmentReader::ReadFooterVersion1(const std::string& footer, uint64_t data_end,
                                       const std::vector<LogicalType>& expected_types) {
    const std::string& path = path_;
    size_t pos = 0;
    rows_ = Get<uint64_t>(footer, pos, path);
    page_rows_ = rows_;
    uint32_t ncols = Get<uint32_t>(footer, pos, path);
    if (ncols != expected_types.size()) {
        throw IOError("segment '" + path + "' has " + std::to_string(ncols) + " columns, the table has " +
                      std::to_string(expected_types.size()));
    }
    for (uint32_t c = 0; c < ncols; ++c) {
        Block b;
        auto id = static_cast<TypeId>(Get<uint8_t>(footer, pos, path));
        Get<uint8_t>(footer, pos, path);
        Get<uint8_t>(footer, pos, path);
        b.offset = Get<uint64_t>(footer, pos, path);
        b.length = Get<uint64_t>(footer, pos, path);
        Get<uint64_t>(footer, pos, path);
        b.crc = Get<uint32_t>(footer, pos, path);
        b.type = expected_types[c];
        if (id != b.type.id) {
            throw IOError("segment '" + path + "' column " + std::to_string(c) + " has a different type");
        }
        if (b.offset + b.length > data_end || b.offset < sizeof(kMagic1) + 4) {
            throw IOError("segment '" + path + "' column block " + std::to_string(c) + " lies outside the file");
        }
        uint64_t min_len = b.type.HasStringHeap() ? rows_ * 5 : rows_ * (1 + b.type.PhysicalSize());
        if (b.length < min_len)
            throw IOError("segment '" + path + "' column block " + std::to_string(c) + " is too short");
        blocks_.push_back(b);
    }
}

void SegmentReader::ReadFooterVersion2(const std::string& footer, uint64_t data_end,
                                       const std::vector<LogicalType>& expected_types) {
    const std::string& path = path_;
    std::string what = "segment '" + path + "'";
    size_t pos = 0;
    rows_ = Get<uint64_t>(footer, pos, path);
    page_rows_ = Get<uint32_t>(footer, pos, path);
    uint32_t ncols = Get<uint32_t>(footer, pos, path);
    if (page_rows_ == 0 || page_rows_ > (1u << 24)) throw IOError(what + " has a corrupt page size");
    if (ncols != expected_types.size()) {
        throw IOError(what + " has " + std::to_string(ncols) + " columns, the table has " +
                      std::to_string(expected_types.size()));
    }
    size_t expected_pages = (rows_ + page_rows_ - 1) / page_rows_;
    for (uint32_t c = 0; c < ncols; ++c) {
        Block b;
        auto id = static_cast<TypeId>(Get<uint8_t>(footer, pos, path));
        Get<uint8_t>(footer, pos, path);
        Get<uint8_t>(footer, pos, path);
        b.type = expected_types[c];
        if (id != b.type.id) throw IOError(what + " column " + std::to_string(c) + " has a different type");
        b.zone = ZoneMap::Deserialize(footer, pos, what);
        uint32_t npages = Get<uint32_t>(footer, pos, path);
        if (npages != expected_pages) throw IOError(what + " column " + std::to_string(c) + " has a wrong page count");
        for (uint32_t i = 0; i < npages; ++i) {
            Page p;
            p.offset = Get<uint64_t>(footer, pos, path);
            p.stored_len = Get<uint32_t>(footer, pos, path);
            p.raw_len = Get<uint32_t>(footer, pos, path);
            p.crc = Get<uint32_t>(footer, pos, path);
            p.encoding = static_cast<PageEncoding>(Get<uint8_t>(footer, pos, path));
            p.codec = static_cast<PageCodec>(Get<uint8_t>(footer, pos, path));
            p.zone = ZoneMap::Deserialize(footer, pos, what);
            uint32_t bloom_len = Get<uint32_t>(footer, pos, path);
            if (bloom_len > footer.size() - pos) throw IOError(what + " has a corrupt bloom filter length");
            p.bloom = footer.substr(pos, bloom_len);
            pos += bloom_len;
            p.rows = static_cast<uint32_t>(std::min<size_t>(page_rows_, rows_ - size_t{i} * page_rows_));
            if (p.offset < sizeof(kMagic2) + 4 || p.offset + p.stored_len > data_end) {
                throw IOError(what + " column " + std::to_string(c) + " page " + std::to_string(i) +
                              " lies outside the file");
            }
            if (p.zone.rows != p.rows) throw IOError(what + " has a corrupt zone map");
            b.pages.push_back(std::move(p));
        }
        blocks_.push_back(std::move(b));
    }
    if (pos + 4 <= footer.size() && footer.compare(pos, 4, "SKEY") == 0) {
        pos += 4;
        uint32_t nsort = Get<uint32_t>(footer, pos, path);
        if (nsort == 0 || nsort > ncols) throw IOError(what + " has a corrupt short-key index");
        for (uint32_t i = 0; i < nsort; ++i) {
            uint32_t c = Get<uint32_t>(footer, pos, path);
            if (c >= ncols) throw IOError(what + " has a corrupt short-key index");
            sort_columns_.push_back(c);
        }
        uint32_t npages = Get<uint32_t>(footer, pos, path);
        if (npages != expected_pages) throw IOError(what + " has a corrupt short-key index");
        for (uint32_t i = 0; i < npages; ++i) {
            uint32_t len = Get<uint32_t>(footer, pos, path);
            if (len > footer.size() - pos) throw IOError(what + " has a corrupt short-key index");
            page_keys_.push_back(footer.substr(pos, len));
            pos += len;
        }
    }
}

std::shared_ptr<const Column> SegmentReader::Load(size_t c) const {
    return version_ == 1 ? LoadVersion1(c) : LoadVersion2(c);
}

std::shared_ptr<const Column> SegmentReader::LoadVersion2(size_t c) const {
    const Block& b = blocks_[c];
    auto col = std::make_shared<Column>(b.type, rows_);
    col->Resize(rows_);
    if (b.pages.empty()) return col;
    FileHandle file(path_);
    std::string bytes;
    auto& dictionaries = dictionaries_[c];
    dictionaries.assign(b.pages.size(), nullptr);
    for (size_t i = 0; i < b.pages.size(); ++i) {
        const Page& p = b.pages[i];
        std::string what = "segment '" + path_ + "' column " + std::to_string(c) + " page " + std::to_string(i);
        bytes.resize(p.stored_len);
        ReadInto(file.fd(), p.offset, bytes, path_);
        std::string_view stored(bytes.data(), p.stored_len);
        if (Crc32(stored.data(), stored.size()) != p.crc) throw IOError(what + ": checksum mismatch (corrupt file)");
        std::string raw = DecompressPage(p.codec, stored, p.raw_len, what);
        if (p.encoding == PageEncoding::DICT && b.type.HasStringHeap()) {
            auto dictionary = std::make_shared<PageDictionary>();
            DecodePage(raw, p.encoding, p.rows, *col, i * page_rows_, what, dictionary.get());
            if (dictionary->entries) {
                dictionary->entries->ReferenceHeapOf(col);  // its views point into the column's heap
                dictionaries[i] = std::move(dictionary);
            }
        } else {
            DecodePage(raw, p.encoding, p.rows, *col, i * page_rows_, what);
        }
    }
    return col;
}

std::shared_ptr<const Column> SegmentReader::LoadVersion1(size_t c) const {
    const Block& b = blocks_[c];
    FileHandle file(path_);
    std::string block = ReadAt(file.fd(), b.offset, b.length, path_);
    if (Crc32(block.data(), block.size()) != b.crc) {
        throw IOError("segment '" + path_ + "' column " + std::to_string(c) + " checksum mismatch (corrupt file)");
    }
    auto col = std::make_shared<Column>(b.type, rows_);
    col->Resize(rows_);
    std::memcpy(col->nulls(), block.data(), rows_);
    size_t p = rows_;
    if (b.type.HasStringHeap()) {
        const char* lengths = block.data() + p;
        size_t data = p + rows_ * 4;
        // One heap allocation for all string bytes; views of short strings are inline.
        char* heap = col->heap().Allocate(b.length - data);
        std::memcpy(heap, block.data() + data, b.length - data);
        size_t at = 0;
        StringView* views = col->Strings();
        for (size_t r = 0; r < rows_; ++r) {
            uint32_t len;
            std::memcpy(&len, lengths + r * 4, 4);
            if (data + at + len > b.length) {
                throw IOError("segment '" + path_ + "' string data lies outside its block");
            }
            views[r] = StringView(heap + at, len);
            at += len;
        }
    } else {
        std::memcpy(col->Data<uint8_t>(), block.data() + p, rows_ * b.type.PhysicalSize());
    }
    return col;
}

SegmentReader::~SegmentReader() {
    g_loaded_bytes.fetch_sub(loaded_bytes_, std::memory_order_relaxed);
}

std::shared_ptr<const Column> SegmentReader::column(size_t c) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ColumnLocked(c);
}

std::shared_ptr<const Column> SegmentReader::ColumnLocked(size_t c) const {
    if (!loaded_[c]) {
        // Decoded columns live in the process-wide segment cache (bounded by its capacity), not
        // in the statement that happened to load them first: charged to the server alone.
        ScopedMemoryTracker server_only(nullptr);
        loaded_[c] = Load(c);
        size_t bytes = rows_ * (1 + blocks_[c].type.PhysicalSize());
        for (const auto& d : dictionaries_[c]) {
            if (d) bytes += d->codes.size() * sizeof(uint16_t) + d->entries->size() * sizeof(StringView);
        }
        if (blocks_[c].type.HasStringHeap()) {
            if (version_ == 1) {
                bytes += blocks_[c].length;
            } else {
                for (const auto& p : blocks_[c].pages) bytes += p.raw_len;
            }
        }
        loaded_bytes_ += bytes;
        g_loaded_bytes.fetch_add(bytes, std::memory_order_relaxed);
    }
    return loaded_[c];
}

size_t SegmentReader::loaded_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return loaded_bytes_;
}

void SegmentReader::Read(size_t start, size_t count, const std::vector<size_t>& column_ids, Chunk& out) const {
    out = Chunk();
    for (size_t c : column_ids) {
        // Rows within one DICT page: the chunk's column carries the page's dictionary.
        const size_t page = start / page_rows_;
        const bool one_page = count > 0 && version_ >= 2 && (start + count - 1) / page_rows_ == page;
        std::shared_ptr<const Column> src;
        std::shared_ptr<const PageDictionary> d;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            src = ColumnLocked(c);
            if (one_page && page < dictionaries_[c].size()) d = dictionaries_[c][page];
        }
        auto col = std::make_shared<Column>(src->type(), 0);
        col->Borrow(src, start, count);  // no copy: the rows stay in the cached column
        if (d) col->SetDictionary(d->entries, d, d->codes.data() + (start - page * page_rows_));
        out.AddColumn(std::move(col));
    }
    out.SetSize(count);
}

namespace {

struct SegmentCache {
    std::mutex mutex;
    size_t capacity = size_t{4} << 30;
    uint64_t clock = 0;
    struct Entry {
        std::shared_ptr<const SegmentReader> reader;
        uint64_t last_use = 0;
    };
    std::unordered_map<std::string, Entry> entries;

    size_t Bytes() {
        size_t total = 0;
        for (auto& [path, e] : entries) total += e.reader->loaded_bytes();
        return total;
    }
    void Evict() {
        // Every open is a call: the common case (all loaded columns fit) must not walk the map.
        if (g_loaded_bytes.load(std::memory_order_relaxed) <= capacity) return;
        size_t total = Bytes();
        while (!entries.empty() && total > capacity) {
            auto oldest = entries.begin();
            for (auto it = entries.begin(); it != entries.end(); ++it) {
                if (it->second.last_use < oldest->second.last_use) oldest = it;
            }
            total -= oldest->second.reader->loaded_bytes();
            entries.erase(oldest);
        }
    }
};

SegmentCache& Cache() {
    static SegmentCache cache;
    return cache;
}

}  // namespace

std::shared_ptr<const SegmentReader> OpenSegment(const std::string& path, const std::vector<LogicalType>& types) {
    auto& cache = Cache();
    {
        std::lock_guard<std::mutex> lock(cache.mutex);
        cache.Evict();
        auto it = cache.entries.find(path);
        if (it != cache.entries.end()) {
            it->second.last_use = ++cache.clock;
            return it->second.reader;
        }
    }
    auto reader = std::make_shared<const SegmentReader>(path, types);
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto& e = cache.entries[path];
    if (!e.reader) e.reader = reader;
    e.last_use = ++cache.clock;
    return e.reader;
}

void SetSegmentCacheCapacity(size_t bytes) {
    auto& cache = Cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.capacity = bytes;
    cache.Evict();
}

size_t SegmentCacheBytes() {
    auto& cache = Cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    return cache.Bytes();
}

void RemoveSegmentFile(const std::string& path) {
    {
        auto& cache = Cache();
        std::lock_guard<std::mutex> lock(cache.mutex);
        cache.entries.erase(path);
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

}  // namespace floe
