#pragma once
/// The S3 REST calls Floe makes, over libcurl and signed with Floe's own SigV4 (io/sigv4.h):
/// HEAD, ranged GET, PUT, multipart upload, ListObjectsV2 with pagination, DELETE and batch
/// delete. An S3Client is a configuration (endpoint, region, keys, addressing, timeouts, retry
/// budget); it holds no connection itself: each thread keeps one libcurl handle, whose connection
/// cache lets consecutive requests of a thread reuse their connection.
///
/// Every call retries 5xx, 429/SlowDown and connection failures with exponential backoff and full
/// jitter, within a bounded number of attempts and a bounded total time, and then throws IOError
/// naming the bucket, the key and S3's error code (never the secret key).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

/// How to reach one bucket (or all buckets below a registered prefix).
struct S3Config {
    /// "host[:port]" or "http(s)://host[:port]"; empty means AWS ("s3.<region>.amazonaws.com").
    std::string endpoint;
    std::string region = "us-east-1";
    std::string access_key;
    /// Never appears in a message.
    std::string secret_key;
    std::string session_token;
    /// Path-style addressing (`endpoint/bucket/key`, MinIO and s3rver) rather than virtual-hosted
    /// (`bucket.endpoint/key`). Endpoints named by an IP address are always path-style.
    bool path_style = false;
    /// https when the endpoint names no scheme.
    bool ssl = true;
    int connect_timeout_ms = 10'000;
    /// A request that receives no byte for this long is abandoned (and retried).
    int request_timeout_ms = 30'000;
    /// Attempts per request, the first included.
    int max_attempts = 5;
    /// No retry starts after this much time since the first attempt.
    int max_retry_ms = 30'000;

    /// The settings among `properties` under StarRocks' names (aws.s3.endpoint, aws.s3.region,
    /// aws.s3.access_key, aws.s3.secret_key, aws.s3.session_token,
    /// aws.s3.enable_path_style_access, aws.s3.enable_ssl; Floe's aws.s3.connect_timeout_ms,
    /// aws.s3.request_timeout_ms, aws.s3.max_attempts) and Iceberg's (s3.endpoint,
    /// s3.access-key-id, s3.secret-access-key, s3.session-token, s3.path-style-access,
    /// client.region, s3.region). Keys are matched case-insensitively; a bad value throws
    /// BinderError naming the property.
    static S3Config FromProperties(const std::map<std::string, std::string>& properties);
    /// Whether `name` is one of the properties FromProperties reads.
    static bool IsProperty(std::string_view name);
    /// Whether `properties` hold any S3 setting.
    static bool HasAny(const std::map<std::string, std::string>& properties);
};

/// An object named by an s3:// or s3a:// URL.
struct S3Location {
    std::string scheme = "s3";
    std::string bucket;
    std::string key;

    /// Splits "s3://bucket/key"; throws IOError for a URL without a bucket.
    static S3Location Parse(std::string_view url);
    std::string Url() const { return scheme + "://" + bucket + "/" + key; }
};

struct S3Object {
    std::string key;
    uint64_t size = 0;
    std::string etag;
    int64_t last_modified_ms = 0;  ///< listings: LastModified (unix milliseconds), 0 when absent
};

/// One page of ListObjectsV2.
struct S3ListPage {
    std::vector<S3Object> objects;
    /// With a delimiter: the "directories" (common prefixes) of this page.
    std::vector<std::string> prefixes;
    /// Empty on the last page.
    std::string next_token;
};

class S3Client {
  public:
    explicit S3Client(S3Config config);

    const S3Config& config() const { return config_; }

    /// The size and ETag of an object. A missing object or bucket throws IOError naming S3's code.
    S3Object Head(const S3Location& location) const;
    /// Like Head(), but nullopt when S3 answers 404 (no such key, or no such bucket).
    std::optional<S3Object> HeadIfExists(const S3Location& location) const;
    /// Reads exactly `n` bytes at `offset` into `out` (one ranged GET). A shorter answer (the
    /// object changed or was truncated) throws IOError.
    void GetRange(const S3Location& location, uint64_t offset, size_t n, char* out) const;
    /// The whole object.
    std::string Get(const S3Location& location) const;
    /// One page of the keys of `bucket` under `prefix`; `delimiter` groups keys into prefixes.
    S3ListPage ListPage(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                        const std::string& token, int max_keys = 1000) const;
    /// Every key of `bucket` under `prefix`, following continuation tokens.
    std::vector<S3Object> ListAll(const std::string& bucket, const std::string& prefix) const;

    /// Writes a whole object in one PUT; returns its ETag.
    std::string Put(const S3Location& location, std::string_view body) const;
    /// Writes a whole object only if no object exists at that key (S3's conditional write,
    /// `If-None-Match: *`): false when one does (412 PreconditionFailed or 409
    /// ConditionalRequestConflict), unless it holds exactly `body` (a retried PUT meeting its own
    /// first attempt). Servers that ignore the header overwrite: callers check first as well.
    bool PutIfAbsent(const S3Location& location, std::string_view body) const;
    /// Starts a multipart upload; returns the upload id.
    std::string CreateMultipartUpload(const S3Location& location) const;
    /// Uploads part `part_number` (1-based; every part but the last at least 5 MiB); returns its ETag.
    std::string UploadPart(const S3Location& location, const std::string& upload_id, int part_number,
                           std::string_view body) const;
    /// Completes an upload from its parts' ETags, in part order.
    void CompleteMultipartUpload(const S3Location& location, const std::string& upload_id,
                                 const std::vector<std::string>& etags) const;
    void AbortMultipartUpload(const S3Location& location, const std::string& upload_id) const;
    /// Deletes one object (deleting a missing key is not an error in S3).
    void Delete(const S3Location& location) const;
    /// Deletes `keys` of `bucket`, 1,000 per request (POST ?delete with Content-MD5); throws
    /// IOError naming the first key S3 could not delete.
    void DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys) const;

    struct Response;
    struct Call;

  private:
    Response Send(const Call& call) const;

    S3Config config_;
};

/// The text of the first `<tag>` element of `xml` (entities decoded), or nullopt.
std::optional<std::string> XmlElement(std::string_view xml, std::string_view tag);
/// The raw contents of every `<tag>` element of `xml`, in order.
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);

}  // namespace floe
