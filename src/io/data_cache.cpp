#include "io/data_cache.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <vector>

#include "common/crc32.h"
#include "common/exception.h"

namespace floe {

namespace fs = std::filesystem;

namespace {

/// A disk entry: magic, key length, data length, data CRC, header CRC, then the key and the data.
constexpr char kMagic[8] = {'F', 'L', 'O', 'E', 'D', 'C', '1', '\n'};
constexpr size_t kHeaderSize = sizeof(kMagic) + 4 * sizeof(uint32_t);
constexpr const char* kEntrySuffix = ".blk";
constexpr const char* kTempSuffix = ".tmp";
/// At most this many block fetches of one read run at once.
constexpr size_t kParallelFetches = 8;

void PutU32(char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t GetU32(const char* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    return v;
}

uint64_t Fnv1a(std::string_view s, uint64_t seed) {
    uint64_t h = seed;
    for (char c : s) {
        h ^= static_cast<uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string Hex(uint64_t v) {
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = digits[v & 15];
    return out;
}

std::string BlockKey(const FileIdentity& file, uint64_t block) {
    std::string key = file.path;
    key += '\0';
    key += std::to_string(file.size);
    key += '\0';
    key += file.version;
    key += '\0';
    key += std::to_string(block);
    return key;
}

/// The header of an entry holding `key` and `data`.
std::string EntryHeader(const std::string& key, std::string_view data) {
    std::string h(kHeaderSize, '\0');
    std::memcpy(h.data(), kMagic, sizeof(kMagic));
    PutU32(h.data() + 8, static_cast<uint32_t>(key.size()));
    PutU32(h.data() + 12, static_cast<uint32_t>(data.size()));
    PutU32(h.data() + 16, Crc32(data.data(), data.size()));
    uint32_t crc = Crc32(h.data(), 20);
    PutU32(h.data() + 20, Crc32(key.data(), key.size(), crc));
    return h;
}

/// The key of an entry file if its header checks out and the file's size matches it.
std::optional<std::string> ReadEntryKey(const fs::path& path, uint64_t file_size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::optional<std::string> out;
    char h[kHeaderSize];
    if (::pread(fd, h, kHeaderSize, 0) == static_cast<ssize_t>(kHeaderSize) &&
        std::memcmp(h, kMagic, sizeof(kMagic)) == 0) {
        uint32_t key_size = GetU32(h + 8), data_size = GetU32(h + 12);
        if (key_size <= 65536 && file_size == kHeaderSize + key_size + uint64_t{data_size}) {
            std::string key(key_size, '\0');
            if (::pread(fd, key.data(), key_size, kHeaderSize) == static_cast<ssize_t>(key_size) &&
                Crc32(key.data(), key.size(), Crc32(h, 20)) == GetU32(h + 20)) {
                out = std::move(key);
            }
        }
    }
    ::close(fd);
    return out;
}

bool WriteAll(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

uint64_t NowMicros() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

uint64_t PhysicalMemory() {
    long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

uint64_t DiskCapacity(const std::string& directory) {
    struct statvfs st {};
    if (directory.empty() || ::statvfs(directory.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
}

thread_local bool scan_uses_cache = true;

}  // namespace

ScanDataCacheScope::ScanDataCacheScope(bool use_cache) : previous_(scan_uses_cache) {
    scan_uses_cache = use_cache;
}

ScanDataCacheScope::~ScanDataCacheScope() {
    scan_uses_cache = previous_;
}

bool ScanDataCacheScope::Current() {
    return scan_uses_cache;
}

uint64_t ParseCacheSize(std::string_view text, uint64_t whole) {
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    auto bad = [&]() {
        return IOError("cache size '" + std::string(text) +
                       "' is not a size: write bytes, a number with K, M, G or T, or a percent such as '10%'");
    };
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits > 18) throw bad();
    uint64_t number = std::stoull(std::string(s.substr(0, digits)));
    std::string unit;
    for (char c : s.substr(digits)) unit += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (unit == "%") {
        if (number > 100) throw bad();
        return whole / 100 * number;
    }
    if (unit.size() == 2 && unit[1] == 'B') unit.pop_back();
    int shift = unit.empty() || unit == "B" ? 0
                : unit == "K"               ? 10
                : unit == "M"               ? 20
                : unit == "G"               ? 30
                : unit == "T"               ? 40
                                            : -1;
    if (shift < 0 || (shift > 0 && number > (~uint64_t{0} >> shift))) throw bad();
    return number << shift;
}

DataCache::DataCache(uint64_t mem_limit, uint64_t disk_limit, uint64_t block_size)
    : block_size_(block_size), mem_limit_(mem_limit), disk_limit_(disk_limit) {}

DataCache& DataCache::Global() {
    static DataCache cache(uint64_t{256} << 20, uint64_t{10} << 30);
    return cache;
}

void DataCache::Open(const std::string& directory) {
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) throw IOError("data cache directory '" + directory + "' cannot be created: " + ec.message());
    struct Found {
        fs::file_time_type time;
        std::string file, key;
        uint64_t bytes;
    };
    std::vector<Found> found;
    for (const auto& e : fs::directory_iterator(directory, ec)) {
        std::string name = e.path().filename().string();
        std::error_code size_ec;
        uint64_t bytes = e.is_regular_file(size_ec) ? e.file_size(size_ec) : 0;
        std::optional<std::string> key;
        if (!size_ec && name.size() > 4 && name.compare(name.size() - 4, 4, kEntrySuffix) == 0) {
            key = ReadEntryKey(e.path(), bytes);
        }
        if (!key) {
            // A temporary file a crash left, or an entry whose header does not check out.
            fs::remove(e.path(), size_ec);
            continue;
        }
        found.push_back({e.last_write_time(size_ec), name, std::move(*key), bytes});
    }
    if (ec) throw IOError("data cache directory '" + directory + "' cannot be listed: " + ec.message());
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.time < b.time; });
    std::lock_guard<std::mutex> lock(mutex_);
    disk_.clear();
    disk_lru_.clear();
    disk_used_ = 0;
    directory_ = directory;
    for (auto& f : found) {  // oldest first, so the newest ends up most recently used
        if (disk_.count(f.key)) continue;
        disk_lru_.push_front(f.key);
        disk_used_ += f.bytes;
        disk_.emplace(std::move(f.key), DiskEntry{std::move(f.file), f.bytes, disk_lru_.begin()});
    }
    EvictLocked();
}

void DataCache::Configure(bool enabled, std::string_view mem_size, std::string_view disk_size) {
    std::string directory;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        directory = directory_;
    }
    uint64_t mem = ParseCacheSize(mem_size, PhysicalMemory());
    uint64_t disk = ParseCacheSize(disk_size, DiskCapacity(directory));
    SetLimits(mem, disk);
    SetEnabled(enabled);
}

void DataCache::SetLimits(uint64_t mem_limit, uint64_t disk_limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    mem_limit_ = mem_limit;
    disk_limit_ = disk_limit;
    EvictLocked();
}

std::string DataCache::DiskFileName(const std::string& key) const {
    return Hex(Fnv1a(key, 0xcbf29ce484222325ULL)) + Hex(Fnv1a(key, 0x84222325cbf29ce4ULL)) + kEntrySuffix;
}

void DataCache::InsertMemLocked(const std::string& key, const Block& data) {
    if (data->size() > mem_limit_) return;
    auto it = mem_.find(key);
    if (it != mem_.end()) {
        mem_used_ -= it->second.data->size();
        mem_lru_.erase(it->second.lru);
        mem_.erase(it);
    }
    mem_lru_.push_front(key);
    mem_.emplace(key, MemEntry{data, mem_lru_.begin()});
    mem_used_ += data->size();
}

void DataCache::RemoveDiskLocked(const std::string& key) {
    auto it = disk_.find(key);
    if (it == disk_.end()) return;
    std::error_code ec;
    fs::remove(fs::path(directory_) / it->second.file, ec);
    disk_used_ -= it->second.bytes;
    disk_lru_.erase(it->second.lru);
    disk_.erase(it);
}

void DataCache::EvictLocked() {
    while (mem_used_ > mem_limit_ && !mem_lru_.empty()) {
        auto it = mem_.find(mem_lru_.back());
        mem_used_ -= it->second.data->size();
        mem_.erase(it);
        mem_lru_.pop_back();
    }
    while (disk_used_ > disk_limit_ && !disk_lru_.empty()) RemoveDiskLocked(disk_lru_.back());
}

DataCache::Block DataCache::ReadDiskEntry(const std::string& key, const std::string& file) {
    fs::path path = fs::path(directory_) / file;
    Block out;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char h[kHeaderSize];
        if (::pread(fd, h, kHeaderSize, 0) == static_cast<ssize_t>(kHeaderSize) &&
            std::memcmp(h, kMagic, sizeof(kMagic)) == 0 && GetU32(h + 8) == key.size()) {
            uint32_t data_size = GetU32(h + 12);
            std::string rest(key.size() + data_size, '\0');
            ssize_t got = ::pread(fd, rest.data(), rest.size(), kHeaderSize);
            if (got == static_cast<ssize_t>(rest.size()) && rest.compare(0, key.size(), key) == 0 &&
                Crc32(key.data(), key.size(), Crc32(h, 20)) == GetU32(h + 20) &&
                Crc32(rest.data() + key.size(), data_size) == GetU32(h + 16)) {
                rest.erase(0, key.size());
                out = std::make_shared<const std::string>(std::move(rest));
            }
        }
        ::close(fd);
    }
    if (!out) {
        // Corrupt, truncated or gone: never served, and removed so it is fetched again.
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = disk_.find(key);
        if (it != disk_.end() && it->second.file == file) RemoveDiskLocked(key);
    }
    return out;
}

DataCache::Block DataCache::Lookup(const std::string& key) {
    std::string file;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = mem_.find(key);
        if (it != mem_.end()) {
            mem_lru_.splice(mem_lru_.begin(), mem_lru_, it->second.lru);
            return it->second.data;
        }
        auto d = disk_.find(key);
        if (d == disk_.end()) return nullptr;
        disk_lru_.splice(disk_lru_.begin(), disk_lru_, d->second.lru);
        file = d->second.file;
    }
    Block data = ReadDiskEntry(key, file);
    if (!data) return nullptr;
    std::error_code ec;  // the access time, so the LRU order survives a restart
    fs::last_write_time(fs::path(directory_) / file, fs::file_time_type::clock::now(), ec);
    std::lock_guard<std::mutex> lock(mutex_);
    InsertMemLocked(key, data);
    EvictLocked();
    return data;
}

void DataCache::Store(const std::string& key, const Block& data) {
    std::string directory, file, temp;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        InsertMemLocked(key, data);
        EvictLocked();
        uint64_t bytes = kHeaderSize + key.size() + data->size();
        if (directory_.empty() || bytes > disk_limit_) return;
        directory = directory_;
        file = DiskFileName(key);
        temp = std::to_string(::getpid()) + "-" + std::to_string(++temp_sequence_) + kTempSuffix;
    }
    fs::path temp_path = fs::path(directory) / temp;
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;  // the disk tier is best effort: a full or read-only disk only loses the entry
    std::string header = EntryHeader(key, *data);
    bool ok = WriteAll(fd, header.data(), header.size()) && WriteAll(fd, key.data(), key.size()) &&
              WriteAll(fd, data->data(), data->size());
    ok = ::close(fd) == 0 && ok;
    std::error_code ec;
    if (ok) fs::rename(temp_path, fs::path(directory) / file, ec);
    if (!ok || ec) {
        fs::remove(temp_path, ec);
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (directory_ != directory) return;
    auto it = disk_.find(key);
    if (it != disk_.end()) {
        disk_used_ -= it->second.bytes;
        disk_lru_.erase(it->second.lru);
        disk_.erase(it);
    }
    uint64_t bytes = header.size() + key.size() + data->size();
    disk_lru_.push_front(key);
    disk_.emplace(key, DiskEntry{file, bytes, disk_lru_.begin()});
    disk_used_ += bytes;
    EvictLocked();
}

void DataCache::Read(const FileIdentity& file, uint64_t offset, size_t n, char* out, const RemoteRead& remote,
                     DataCacheCounters* scan) {
    if (n == 0) return;
    uint64_t first = offset / block_size_, last = (offset + n - 1) / block_size_;
    std::vector<Block> blocks(static_cast<size_t>(last - first + 1));
    std::vector<size_t> missing;
    for (size_t i = 0; i < blocks.size(); ++i) {
        blocks[i] = Lookup(BlockKey(file, first + i));
        if (!blocks[i]) missing.push_back(i);
    }
    auto fetch = [&](size_t i) {
        uint64_t start = (first + i) * block_size_;
        size_t length = static_cast<size_t>(std::min<uint64_t>(block_size_, file.size - start));
        std::string data(length, '\0');
        remote(start, length, data.data());
        auto block = std::make_shared<const std::string>(std::move(data));
        uint64_t began = NowMicros();
        Store(BlockKey(file, first + i), block);
        uint64_t took = NowMicros() - began;
        for (DataCacheCounters* c : {&totals_, scan}) {
            if (!c) continue;
            c->misses.fetch_add(1, std::memory_order_relaxed);
            c->bytes_from_remote.fetch_add(length, std::memory_order_relaxed);
            c->bytes_written.fetch_add(length, std::memory_order_relaxed);
            c->write_micros.fetch_add(took, std::memory_order_relaxed);
            c->writes.fetch_add(1, std::memory_order_relaxed);
        }
        blocks[i] = std::move(block);
    };
    if (missing.size() == 1) {
        fetch(missing[0]);
    } else {
        // One request per missing block, several at a time, so the read is not bound by one
        // request's latency. Every started fetch is waited for before an error propagates.
        for (size_t begin = 0; begin < missing.size(); begin += kParallelFetches) {
            std::vector<std::future<void>> running;
            size_t end = std::min(missing.size(), begin + kParallelFetches);
            for (size_t m = begin; m < end; ++m) running.push_back(std::async(std::launch::async, fetch, missing[m]));
            for (auto& f : running) f.wait();
            for (auto& f : running) f.get();
        }
    }
    size_t from_cache = 0, hits = 0, next_missing = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
        uint64_t start = (first + i) * block_size_;
        uint64_t lo = std::max(offset, start), hi = std::min(offset + n, start + blocks[i]->size());
        if (hi < lo || hi - lo > blocks[i]->size()) {
            throw IOError("'" + file.path + "': the cached block at offset " + std::to_string(start) +
                          " is shorter than the file's size says");
        }
        std::memcpy(out + (lo - offset), blocks[i]->data() + (lo - start), static_cast<size_t>(hi - lo));
        if (next_missing < missing.size() && missing[next_missing] == i) {
            ++next_missing;
        } else {
            ++hits;
            from_cache += static_cast<size_t>(hi - lo);
        }
    }
    for (DataCacheCounters* c : {&totals_, scan}) {
        if (!c) continue;
        c->hits.fetch_add(hits, std::memory_order_relaxed);
        c->bytes_from_cache.fetch_add(from_cache, std::memory_order_relaxed);
    }
}

void DataCache::Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    mem_.clear();
    mem_lru_.clear();
    mem_used_ = 0;
    while (!disk_lru_.empty()) RemoveDiskLocked(disk_lru_.back());
}

DataCache::Usage DataCache::usage() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Usage u;
    u.mem_limit = mem_limit_;
    u.mem_used = mem_used_;
    u.mem_blocks = mem_.size();
    u.disk_limit = disk_limit_;
    u.disk_used = disk_used_;
    u.disk_blocks = disk_.size();
    u.directory = directory_;
    return u;
}

}  // namespace floe
