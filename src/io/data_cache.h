#pragma once
/// The data cache: seed 002's warm tier. Remote files (S3 objects) are read in fixed, aligned
/// blocks (kBlockSize) that are kept in memory and on local disk, each tier an LRU under its own
/// size limit (StarRocks' datacache_mem_size and datacache_disk_size). The first read of a block
/// pays the object store's latency; later reads are served from memory, or from the disk tier
/// after a restart.
///
/// A block is keyed by the file's identity (path, size and the object's ETag from HEAD), so an
/// object replaced under the same key never serves the old bytes: its new ETag (or size) names
/// other blocks, and the old ones age out. Each disk entry is one file holding its key, a
/// checksummed header and a checksum of its bytes; the index is rebuilt from those files when
/// the directory is opened, and an entry whose header or bytes do not check out is deleted, never
/// served. Entries are written to a temporary name and renamed, so a crash leaves no half entry.
///
/// Thread-safe. Blocks one read misses are fetched from the remote in parallel.

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace floe {

/// What names the bytes of a remote file: a new object under the same path has another size or
/// ETag (`version`), so its blocks are other cache entries.
struct FileIdentity {
    std::string path;
    uint64_t size = 0;
    std::string version;
};

/// Counts of reads through the cache; one per scan (EXPLAIN ANALYZE) and one for the whole
/// server (the system table). A hit or miss is one block.
struct DataCacheCounters {
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
    std::atomic<uint64_t> bytes_from_cache{0};   // bytes of reads served from the cache
    std::atomic<uint64_t> bytes_from_remote{0};  // bytes fetched from the remote (whole blocks)
    std::atomic<uint64_t> bytes_written{0};      // bytes put into the cache
    std::atomic<uint64_t> write_micros{0};       // time spent putting them there
    std::atomic<uint64_t> writes{0};
};

/// How a scan reads remote files: through the cache or around it (the session variable
/// enable_scan_datacache), and the counters its reads add to.
struct RemoteReadOptions {
    bool use_cache = true;
    std::shared_ptr<DataCacheCounters> counters;
};

/// The session's enable_scan_datacache for the statement running on this thread: the server
/// sets it around each statement, and file scans planned on the thread take it into their
/// RemoteReadOptions (so every statement kind, not only SELECT, honours the session's choice).
class ScanDataCacheScope {
  public:
    explicit ScanDataCacheScope(bool use_cache);
    ~ScanDataCacheScope();
    ScanDataCacheScope(const ScanDataCacheScope&) = delete;
    ScanDataCacheScope& operator=(const ScanDataCacheScope&) = delete;
    /// True unless a scope on this thread turned it off.
    static bool Current();

  private:
    bool previous_;
};

/// A cache size setting: bytes ("1048576"), with a unit ("256M", "10G", "512K", "1T", case-
/// insensitive, an optional trailing 'B'), or a percent ("10%") of `whole`. Throws IOError for
/// anything else.
uint64_t ParseCacheSize(std::string_view text, uint64_t whole);

class DataCache {
  public:
    static constexpr uint64_t kBlockSize = uint64_t{1} << 20;

    /// Reads `n` bytes at `offset` of the remote (the caller checked the range).
    using RemoteRead = std::function<void(uint64_t offset, size_t n, char* out)>;

    /// A cache without a disk tier until Open().
    DataCache(uint64_t mem_limit, uint64_t disk_limit, uint64_t block_size = kBlockSize);
    DataCache(const DataCache&) = delete;
    DataCache& operator=(const DataCache&) = delete;

    /// The server's cache (memory only until the server opens its directory).
    static DataCache& Global();

    /// Uses `directory` for the disk tier (created if missing), rebuilding the index from the
    /// entries found there; invalid ones and leftover temporary files are deleted.
    void Open(const std::string& directory);
    /// New limits (bytes; 0 turns a tier off); entries over them are evicted now.
    void SetLimits(uint64_t mem_limit, uint64_t disk_limit);
    /// The server's settings as text: datacache_mem_size and datacache_disk_size (see
    /// ParseCacheSize; percents of the machine's memory and of the cache directory's disk).
    /// Throws IOError for a size it cannot read, changing nothing.
    void Configure(bool enabled, std::string_view mem_size, std::string_view disk_size);
    void SetEnabled(bool enabled) { enabled_.store(enabled); }
    /// datacache_enable: when false, remote files are read around the cache.
    bool enabled() const { return enabled_.load(); }

    /// Reads [offset, offset + n) of `file` through the cache: blocks found in memory or on disk
    /// are copied out, the missing ones fetched with `remote` (several at once when the range
    /// spans several) and stored. Counts into the totals and into `scan` when given.
    void Read(const FileIdentity& file, uint64_t offset, size_t n, char* out, const RemoteRead& remote,
              DataCacheCounters* scan = nullptr);

    /// Drops every entry of both tiers (the disk files too).
    void Clear();

    struct Usage {
        uint64_t mem_limit = 0, mem_used = 0, mem_blocks = 0;
        uint64_t disk_limit = 0, disk_used = 0, disk_blocks = 0;
        std::string directory;
    };
    Usage usage() const;
    const DataCacheCounters& totals() const { return totals_; }
    uint64_t block_size() const { return block_size_; }

  private:
    using Block = std::shared_ptr<const std::string>;
    struct MemEntry {
        Block data;
        std::list<std::string>::iterator lru;
    };
    struct DiskEntry {
        std::string file;  // name within directory_
        uint64_t bytes = 0;
        std::list<std::string>::iterator lru;
    };

    /// The block's cached bytes (memory first, then disk, promoting it), or nullptr.
    Block Lookup(const std::string& key);
    /// Reads and verifies a disk entry; drops it when it does not check out.
    Block ReadDiskEntry(const std::string& key, const std::string& file);
    void Store(const std::string& key, const Block& data);
    void InsertMemLocked(const std::string& key, const Block& data);
    void EvictLocked();
    void RemoveDiskLocked(const std::string& key);
    std::string DiskFileName(const std::string& key) const;

    const uint64_t block_size_;
    std::atomic<bool> enabled_{true};
    mutable std::mutex mutex_;
    uint64_t mem_limit_, disk_limit_;
    uint64_t mem_used_ = 0, disk_used_ = 0;
    std::string directory_;
    std::list<std::string> mem_lru_;  // most recently used first
    std::unordered_map<std::string, MemEntry> mem_;
    std::list<std::string> disk_lru_;
    std::unordered_map<std::string, DiskEntry> disk_;
    uint64_t temp_sequence_ = 0;
    DataCacheCounters totals_;
};

}  // namespace floe
