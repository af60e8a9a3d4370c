#include "io/s3_file_system.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <future>
#include <map>
#include <mutex>

#include "common/exception.h"

namespace floe {

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

/// Each setting under StarRocks' name first, then Iceberg's FileIO names.
struct PropertyNames {
    std::vector<const char*> endpoint = {"aws.s3.endpoint", "s3.endpoint"};
    std::vector<const char*> region = {"aws.s3.region", "client.region", "s3.region"};
    std::vector<const char*> access_key = {"aws.s3.access_key", "s3.access-key-id"};
    std::vector<const char*> secret_key = {"aws.s3.secret_key", "s3.secret-access-key"};
    std::vector<const char*> session_token = {"aws.s3.session_token", "s3.session-token"};
    std::vector<const char*> path_style = {"aws.s3.enable_path_style_access", "s3.path-style-access"};
    std::vector<const char*> ssl = {"aws.s3.enable_ssl"};
    std::vector<const char*> connect_timeout = {"aws.s3.connect_timeout_ms"};
    std::vector<const char*> request_timeout = {"aws.s3.request_timeout_ms"};
    std::vector<const char*> max_attempts = {"aws.s3.max_attempts"};
    std::vector<const char*> max_retry = {"aws.s3.max_retry_ms"};

    std::vector<const std::vector<const char*>*> All() const {
        return {&endpoint, &region,          &access_key,      &secret_key,   &session_token, &path_style,
                &ssl,      &connect_timeout, &request_timeout, &max_attempts, &max_retry};
    }
};

const PropertyNames& Names() {
    static const PropertyNames names;
    return names;
}

/// The lower-cased properties.
std::map<std::string, std::pair<std::string, std::string>> Folded(const std::map<std::string, std::string>& p) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : p) out[Lower(k)] = {k, v};
    return out;
}

std::optional<std::pair<std::string, std::string>> Find(
    const std::map<std::string, std::pair<std::string, std::string>>& folded, const std::vector<const char*>& names) {
    for (const char* name : names) {
        auto it = folded.find(name);
        if (it != folded.end()) return it->second;
    }
    return std::nullopt;
}

bool ParseBool(const std::pair<std::string, std::string>& property) {
    std::string v = Lower(property.second);
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    throw BinderError("property '" + property.first + "' must be true or false, not '" + property.second + "'",
                      ErrorCode::WRONG_ARGUMENTS);
}

int ParsePositive(const std::pair<std::string, std::string>& property) {
    int v = 0;
    const std::string& s = property.second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v <= 0) {
        throw BinderError("property '" + property.first + "' must be a positive integer, not '" + s + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    return v;
}

/// "s3://bucket/prefix/" as "bucket/prefix".
std::string NormalizePrefix(std::string prefix) {
    if (size_t sep = prefix.find("://"); sep != std::string::npos) prefix = prefix.substr(sep + 3);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    return prefix;
}

struct Registry {
    std::mutex mutex;
    std::map<std::string, S3Config> configs;
};

Registry& TheRegistry() {
    static Registry registry;
    return registry;
}

bool HasWildcard(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

/// Hidden files of a listed directory (as for local directories): ".x", "_SUCCESS".
bool IsHidden(const std::string& key) {
    size_t slash = key.rfind('/');
    std::string_view name = std::string_view(key).substr(slash == std::string::npos ? 0 : slash + 1);
    return name.empty() || name.front() == '.' || name.front() == '_';
}

class S3File : public RandomAccessFile {
  public:
    S3File(S3Client client, S3Location location, S3Object object)
        : client_(std::move(client)),
          location_(std::move(location)),
          path_(location_.Url()),
          object_(std::move(object)) {}
    const std::string& path() const override { return path_; }
    uint64_t size() const override { return object_.size; }
    std::optional<FileIdentity> identity() const override { return FileIdentity{path_, object_.size, object_.etag}; }
    void SetRemoteReadOptions(RemoteReadOptions options) override { options_ = std::move(options); }
    void ReadAt(uint64_t offset, size_t n, char* out) const override {
        if (offset > object_.size || n > object_.size - offset) {
            throw IOError("'" + path_ + "': read of " + std::to_string(n) + " bytes at offset " +
                          std::to_string(offset) + " is past the end of the object (" + std::to_string(object_.size) +
                          " bytes)");
        }
        DataCache& cache = DataCache::Global();
        // Without an ETag the object's identity is only its size: such reads go around the cache.
        if (options_.use_cache && cache.enabled() && !object_.etag.empty()) {
            FileIdentity identity{path_, object_.size, object_.etag};
            cache.Read(
                identity, offset, n, out,
                [this](uint64_t o, size_t k, char* p) { client_.GetRange(location_, o, k, p); },
                options_.counters.get());
            return;
        }
        ReadAround(offset, n, out);
    }

  private:
    /// A read around the cache: ranges over a few blocks go out as parallel ranged GETs.
    void ReadAround(uint64_t offset, size_t n, char* out) const {
        constexpr size_t kPart = DataCache::kBlockSize * 4;
        if (n <= 2 * kPart) {
            client_.GetRange(location_, offset, n, out);
        } else {
            std::vector<std::future<void>> parts;
            for (size_t done = 0; done < n; done += kPart) {
                size_t k = std::min(kPart, n - done);
                parts.push_back(std::async(std::launch::async, [this, offset, done, k, out]() {
                    client_.GetRange(location_, offset + done, k, out + done);
                }));
            }
            for (auto& p : parts) p.wait();
            for (auto& p : parts) p.get();
        }
        if (options_.counters) options_.counters->bytes_from_remote.fetch_add(n, std::memory_order_relaxed);
    }

    S3Client client_;
    S3Location location_;
    std::string path_;
    S3Object object_;
    /// Files opened while a statement that turned enable_scan_datacache off runs (footers read
    /// while binding FILES(), Iceberg metadata) read around the cache too.
    RemoteReadOptions options_{ScanDataCacheScope::Current(), nullptr};
};

}  // namespace

S3Config S3Config::FromProperties(const std::map<std::string, std::string>& properties) {
    const PropertyNames& n = Names();
    auto folded = Folded(properties);
    S3Config c;
    if (auto v = Find(folded, n.endpoint)) c.endpoint = v->second;
    if (auto v = Find(folded, n.region); v && !v->second.empty()) c.region = v->second;
    if (auto v = Find(folded, n.access_key)) c.access_key = v->second;
    if (auto v = Find(folded, n.secret_key)) c.secret_key = v->second;
    if (auto v = Find(folded, n.session_token)) c.session_token = v->second;
    if (auto v = Find(folded, n.ssl)) c.ssl = ParseBool(*v);
    if (auto v = Find(folded, n.path_style)) c.path_style = ParseBool(*v);
    if (auto v = Find(folded, n.connect_timeout)) c.connect_timeout_ms = ParsePositive(*v);
    if (auto v = Find(folded, n.request_timeout)) c.request_timeout_ms = ParsePositive(*v);
    if (auto v = Find(folded, n.max_attempts)) c.max_attempts = ParsePositive(*v);
    if (auto v = Find(folded, n.max_retry)) c.max_retry_ms = ParsePositive(*v);
    if (c.access_key.empty() != c.secret_key.empty()) {
        throw BinderError("S3 credentials need both 'aws.s3.access_key' and 'aws.s3.secret_key'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    return c;
}

bool S3Config::IsProperty(std::string_view name) {
    std::string lower = Lower(name);
    for (const auto* names : Names().All()) {
        for (const char* n : *names) {
            if (lower == n) return true;
        }
    }
    return false;
}

bool S3Config::HasAny(const std::map<std::string, std::string>& properties) {
    return std::any_of(properties.begin(), properties.end(), [](const auto& p) { return IsProperty(p.first); });
}

void RegisterS3Config(const std::string& bucket_or_prefix, S3Config config) {
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.configs[NormalizePrefix(bucket_or_prefix)] = std::move(config);
}

std::optional<S3Config> RegisteredS3Config(const std::string& bucket, const std::string& key) {
    std::string path = bucket + "/" + key;
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    const S3Config* best = nullptr;
    size_t best_length = 0;
    for (const auto& [prefix, config] : r.configs) {
        bool matches =
            path.compare(0, prefix.size(), prefix) == 0 && (path.size() == prefix.size() || path[prefix.size()] == '/');
        if (matches && (!best || prefix.size() > best_length)) {
            best = &config;
            best_length = prefix.size();
        }
    }
    if (!best) return std::nullopt;
    return *best;
}

bool IsS3Path(std::string_view path) {
    return path.rfind("s3://", 0) == 0 || path.rfind("s3a://", 0) == 0 || path.rfind("S3://", 0) == 0 ||
           path.rfind("S3A://", 0) == 0;
}

S3Client S3FileSystem::ClientFor(const S3Location& location) const {
    if (config_) return S3Client(*config_);
    return S3Client(RegisteredS3Config(location.bucket, location.key).value_or(S3Config{}));
}

std::unique_ptr<RandomAccessFile> S3FileSystem::Open(const std::string& path) {
    S3Location location = S3Location::Parse(path);
    if (location.key.empty() || location.key.back() == '/') {
        throw IOError("'" + path + "' names no object (it ends with '/')");
    }
    S3Client client = ClientFor(location);
    S3Object object = client.Head(location);
    return std::make_unique<S3File>(std::move(client), std::move(location), std::move(object));
}

std::vector<FileInfo> S3FileSystem::List(const std::string& pattern) {
    S3Location location = S3Location::Parse(pattern);
    S3Client client = ClientFor(location);
    const std::string& key = location.key;
    std::vector<FileInfo> out;
    auto add = [&](const S3Object& o) {
        out.push_back({location.scheme + "://" + location.bucket + "/" + o.key, o.size});
    };
    auto list = [&](const std::string& prefix, const std::string& delimiter, auto&& keep) {
        std::string token;
        do {
            S3ListPage page = client.ListPage(location.bucket, prefix, delimiter, token);
            for (const auto& o : page.objects) {
                if (keep(o)) add(o);
            }
            if (!page.next_token.empty() && page.next_token == token) {
                throw IOError("S3 listing of '" + pattern + "': the continuation token repeats");
            }
            token = page.next_token;
        } while (!token.empty());
    };
    if (!HasWildcard(key)) {
        if (!key.empty() && key.back() != '/') {
            if (auto object = client.HeadIfExists(location)) {
                add(*object);
                return out;
            }
        }
        // A "directory": the objects directly below it.
        std::string prefix = key.empty() || key.back() == '/' ? key : key + "/";
        list(prefix, "/", [&](const S3Object& o) { return o.key != prefix && !IsHidden(o.key); });
    } else {
        size_t wild = key.find_first_of("*?[");
        std::string prefix = key.substr(0, wild);
        // Without a '/' after the first wildcard, only one level can match: let S3 group the rest.
        std::string delimiter = key.find('/', wild) == std::string::npos ? "/" : "";
        list(prefix, delimiter,
             [&](const S3Object& o) { return ::fnmatch(key.c_str(), o.key.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0; });
    }
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    if (out.empty()) throw IOError("no files match '" + pattern + "'");
    return out;
}

std::vector<FileInfo> S3FileSystem::ListTree(const std::string& directory) {
    S3Location location = S3Location::Parse(directory);
    S3Client client = ClientFor(location);
    std::string prefix = location.key.empty() || location.key.back() == '/' ? location.key : location.key + "/";
    std::vector<FileInfo> out;
    for (const auto& o : client.ListAll(location.bucket, prefix)) {
        if (o.key.empty() || o.key.back() == '/') continue;  // "directory" markers
        out.push_back({location.scheme + "://" + location.bucket + "/" + o.key, o.size, o.last_modified_ms});
    }
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
}

std::unique_ptr<S3Writer> S3FileSystem::OpenWriter(const std::string& path, size_t part_size) {
    S3Location location = S3Location::Parse(path);
    if (location.key.empty() || location.key.back() == '/') {
        throw IOError("'" + path + "' names no object (it ends with '/')");
    }
    S3Client client = ClientFor(location);
    return std::make_unique<S3Writer>(std::move(client), std::move(location), part_size);
}

namespace {

class S3WritableFile : public WritableFile {
  public:
    S3WritableFile(std::string path, std::unique_ptr<S3Writer> writer)
        : path_(std::move(path)), writer_(std::move(writer)) {}
    const std::string& path() const override { return path_; }
    void Append(std::string_view data) override { writer_->Append(data); }
    void Close() override { writer_->Close(); }
    uint64_t bytes_written() const override { return writer_->bytes_written(); }

  private:
    std::string path_;
    std::unique_ptr<S3Writer> writer_;
};

std::mutex& CreateIfAbsentMutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

std::unique_ptr<WritableFile> S3FileSystem::Create(const std::string& path) {
    return std::make_unique<S3WritableFile>(path, OpenWriter(path));
}

bool S3FileSystem::CreateIfAbsent(const std::string& path, std::string_view bytes) {
    S3Location location = S3Location::Parse(path);
    S3Client client = ClientFor(location);
    std::lock_guard<std::mutex> lock(CreateIfAbsentMutex());
    if (client.HeadIfExists(location)) return false;
    return client.PutIfAbsent(location, bytes);
}

bool S3FileSystem::Exists(const std::string& path) {
    S3Location location = S3Location::Parse(path);
    return ClientFor(location).HeadIfExists(location).has_value();
}

void S3FileSystem::Delete(const std::vector<std::string>& paths) {
    std::map<std::string, std::vector<std::string>> by_bucket;
    for (const auto& p : paths) {
        S3Location l = S3Location::Parse(p);
        by_bucket[l.bucket].push_back(l.key);
    }
    for (const auto& [bucket, keys] : by_bucket) {
        S3Location first{"s3", bucket, keys.front()};
        ClientFor(first).DeleteObjects(bucket, keys);
    }
}

S3Writer::S3Writer(S3Client client, S3Location location, size_t part_size)
    : client_(std::move(client)), location_(std::move(location)), part_size_(std::max(part_size, kMinPartSize)) {}

S3Writer::~S3Writer() {
    if (closed_) return;
    try {
        Abort();
    } catch (const Exception&) {
        // Best effort: an upload left behind is removed by the bucket's lifecycle rules.
    }
}

void S3Writer::Append(std::string_view data) {
    if (closed_) throw IOError("'" + location_.Url() + "': write after close");
    buffer_.append(data);
    written_ += data.size();
    while (buffer_.size() >= part_size_) FlushPart();
}

void S3Writer::FlushPart() {
    if (upload_id_.empty()) upload_id_ = client_.CreateMultipartUpload(location_);
    size_t n = std::min(buffer_.size(), part_size_);
    etags_.push_back(client_.UploadPart(location_, upload_id_, static_cast<int>(etags_.size() + 1),
                                        std::string_view(buffer_).substr(0, n)));
    buffer_.erase(0, n);
}

void S3Writer::Close() {
    if (closed_) return;
    try {
        if (upload_id_.empty()) {
            client_.Put(location_, buffer_);
        } else {
            if (!buffer_.empty()) FlushPart();
            client_.CompleteMultipartUpload(location_, upload_id_, etags_);
        }
    } catch (const Exception&) {
        try {
            Abort();
        } catch (const Exception&) {
            // The first failure is the one to report; the upload expires under lifecycle rules.
        }
        throw;
    }
    buffer_.clear();
    closed_ = true;
}

void S3Writer::Abort() {
    closed_ = true;
    buffer_.clear();
    if (upload_id_.empty()) return;
    std::string id = std::move(upload_id_);
    upload_id_.clear();
    client_.AbortMultipartUpload(location_, id);
}

}  // namespace floe
