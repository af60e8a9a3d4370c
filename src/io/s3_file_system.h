#pragma once
/// s3:// and s3a:// paths as a FileSystem (io/file_system.h), over S3Client (io/s3_client.h).
///
/// Which endpoint and keys a path uses: an S3FileSystem built with an S3Config uses that one
/// (FILES() builds one from its aws.s3.* properties, so a statement's keys serve that statement
/// only); the shared one FileSystemFor() returns looks the path up among the configurations
/// Iceberg catalogs registered (RegisterS3Config, longest matching "bucket[/prefix]" first) and
/// reads anonymously when none matches.
///
/// Open() learns the size with one HEAD and reads each ReadAt with one ranged GET. List() takes a
/// key, a "directory" (its direct children) or a glob over keys ('*' and '?' stay within one
/// '/'-separated level, as for local paths), and follows ListObjectsV2 continuation tokens.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/s3_client.h"

namespace floe {

/// Installs `config` for the objects under `bucket_or_prefix` ("bucket", "bucket/warehouse" or
/// "s3://bucket/warehouse"), replacing an earlier one for the same prefix.
void RegisterS3Config(const std::string& bucket_or_prefix, S3Config config);
/// The registered configuration for s3://`bucket`/`key`, if any.
std::optional<S3Config> RegisteredS3Config(const std::string& bucket, const std::string& key);

/// Writes one object: buffered parts of `part_size` bytes go up as a multipart upload once the
/// object outgrows one part, otherwise the whole object is one PUT at Close(). Not thread-safe.
/// Destroyed before Close(), it aborts the upload and nothing becomes visible.
class S3Writer {
  public:
    static constexpr size_t kDefaultPartSize = size_t{8} << 20;
    /// S3's smallest part but the last.
    static constexpr size_t kMinPartSize = size_t{5} << 20;

    S3Writer(S3Client client, S3Location location, size_t part_size = kDefaultPartSize);
    ~S3Writer();
    S3Writer(const S3Writer&) = delete;
    S3Writer& operator=(const S3Writer&) = delete;

    void Append(std::string_view data);
    /// Makes the object visible; throws IOError (after aborting the upload) on failure.
    void Close();
    /// Drops what was written; the object is not created.
    void Abort();
    uint64_t bytes_written() const { return written_; }

  private:
    void FlushPart();

    S3Client client_;
    S3Location location_;
    size_t part_size_;
    std::string buffer_;
    std::string upload_id_;
    std::vector<std::string> etags_;
    uint64_t written_ = 0;
    bool closed_ = false;
};

class S3FileSystem : public FileSystem {
  public:
    /// Uses the registered configurations (anonymous when none matches).
    S3FileSystem() = default;
    /// Uses `config` for every bucket.
    explicit S3FileSystem(S3Config config) : config_(std::move(config)) {}

    std::unique_ptr<RandomAccessFile> Open(const std::string& path) override;
    std::vector<FileInfo> List(const std::string& pattern) override;
    std::vector<FileInfo> ListTree(const std::string& directory) override;

    std::unique_ptr<S3Writer> OpenWriter(const std::string& path, size_t part_size = S3Writer::kDefaultPartSize);
    /// Deletes the objects `paths` name (grouped per bucket into batch deletes).
    void Delete(const std::vector<std::string>& paths) override;
    std::unique_ptr<WritableFile> Create(const std::string& path) override;
    /// HEAD, then a conditional PUT (`If-None-Match: *`), under a process-wide lock: atomic
    /// against every writer on S3 and stores that honour conditional writes (AWS since 2024,
    /// MinIO); on stores that ignore the header, safe among this process's writers only.
    bool CreateIfAbsent(const std::string& path, std::string_view bytes) override;
    bool Exists(const std::string& path) override;

    /// The client for a bucket and key: the fixed configuration, or the registered one.
    S3Client ClientFor(const S3Location& location) const;

  private:
    std::optional<S3Config> config_;
};

/// Whether `path` is an s3:// or s3a:// URL.
bool IsS3Path(std::string_view path);

}  // namespace floe
