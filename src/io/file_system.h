#pragma once
/// Files Floe reads and writes outside its own storage (Parquet, CSV and JSON for FILES(),
/// Iceberg data and metadata): a FileSystem hands out RandomAccessFiles that read byte ranges.
/// Local paths ("/data/x.parquet", "file:///data/x.parquet") and S3 objects ("s3://bucket/x.parquet",
/// io/s3_file_system.h, Floe's own SigV4 over libcurl).

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/data_cache.h"

namespace floe {

class RandomAccessFile {
  public:
    virtual ~RandomAccessFile() = default;
    virtual const std::string& path() const = 0;
    virtual uint64_t size() const = 0;
    /// Reads exactly `n` bytes at `offset` into `out`; throws IOError (naming the file) when the
    /// range is past the end or the read fails.
    virtual void ReadAt(uint64_t offset, size_t n, char* out) const = 0;
    std::string ReadAt(uint64_t offset, size_t n) const {
        std::string s(n, '\0');
        ReadAt(offset, n, s.data());
        return s;
    }
    /// What names this file's bytes for the data cache (io/data_cache.h): remote files give
    /// their path, size and ETag; local files, read around the cache, give nothing.
    virtual std::optional<FileIdentity> identity() const { return std::nullopt; }
    /// How a scan reads this file (remote files: through the data cache or not, and which
    /// counters the reads add to); local files ignore it. Call before reading.
    virtual void SetRemoteReadOptions(RemoteReadOptions options) { (void)options; }
};

struct FileInfo {
    std::string path;
    uint64_t size = 0;
};

class FileSystem {
  public:
    virtual ~FileSystem() = default;
    virtual std::unique_ptr<RandomAccessFile> Open(const std::string& path) = 0;
    /// The files a path names: the file itself, every file of a directory (not recursive), or
    /// the matches of a glob ("/data/*.parquet", "/data/2024-*/part-?.parquet"), sorted by path.
    /// Throws IOError when nothing matches.
    virtual std::vector<FileInfo> List(const std::string& pattern) = 0;
};

/// `file`, counting the bytes read through it into `*bytes_read` (shared by a scan's files, for
/// EXPLAIN ANALYZE).
std::unique_ptr<RandomAccessFile> CountingFile(std::unique_ptr<RandomAccessFile> file,
                                               std::shared_ptr<std::atomic<uint64_t>> bytes_read);

/// A file held in memory (tests, fuzzing, small objects already fetched).
std::unique_ptr<RandomAccessFile> MemoryFile(std::string path, std::string bytes);

/// The file system for a path: local for plain paths and file:// URLs, S3 (with the registered
/// per-bucket configurations) for s3:// and s3a://; throws NotSupportedError for other schemes.
FileSystem& FileSystemFor(std::string_view path);

}  // namespace floe
