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

/// A file being written. Nothing is visible at path() until Close() succeeds (local files are
/// written under a hidden temporary name and renamed; S3 objects appear when the PUT or the
/// multipart upload completes). Destroyed before Close(), it leaves nothing behind.
class WritableFile {
  public:
    virtual ~WritableFile() = default;
    virtual const std::string& path() const = 0;
    virtual void Append(std::string_view data) = 0;
    /// Makes the file durable and visible. Throws IOError naming the file.
    virtual void Close() = 0;
    virtual uint64_t bytes_written() const = 0;
};

struct FileInfo {
    std::string path;
    uint64_t size = 0;
    int64_t modified_ms = 0;  ///< last modification (unix milliseconds); ListTree fills it
};

class FileSystem {
  public:
    virtual ~FileSystem() = default;
    virtual std::unique_ptr<RandomAccessFile> Open(const std::string& path) = 0;
    /// The files a path names: the file itself, every file of a directory (not recursive), or
    /// the matches of a glob ("/data/*.parquet", "/data/2024-*/part-?.parquet"), sorted by path.
    /// Throws IOError when nothing matches.
    virtual std::vector<FileInfo> List(const std::string& pattern) = 0;
    /// Every file below `directory`, at any depth and hidden ones included, with sizes and
    /// modification times (orphan-file removal). Nothing below it: an empty list.
    virtual std::vector<FileInfo> ListTree(const std::string& directory) = 0;

    // ---- Writing (Iceberg tables, unloads). Local paths pass FileRoots::Check first. ----

    /// A new file at `path`, replacing one that exists when Close() succeeds; missing parent
    /// directories are created.
    virtual std::unique_ptr<WritableFile> Create(const std::string& path) = 0;
    /// Creates `path` holding `bytes` only if nothing exists there: true when it was created, false
    /// when something was already there. Atomic on local disks (link(2) of a complete temporary
    /// file). On S3, a conditional PUT (`If-None-Match: *`) after a check under a process-wide lock:
    /// atomic where the store honours conditional writes (AWS S3, MinIO), else among Floe's own
    /// writers in this process only.
    virtual bool CreateIfAbsent(const std::string& path, std::string_view bytes) = 0;
    /// Deletes the files `paths` name; a missing file is not an error.
    virtual void Delete(const std::vector<std::string>& paths) = 0;
    /// Whether a file exists at `path`.
    virtual bool Exists(const std::string& path) = 0;
};

/// Writes `bytes` to `path` (FileSystemFor(path).Create, Append, Close).
void WriteWholeFile(const std::string& path, std::string_view bytes);
/// Reads a whole file.
std::string ReadWholeFile(const std::string& path);

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
