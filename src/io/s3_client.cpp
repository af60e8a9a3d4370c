#include "io/s3_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include "common/exception.h"
#include "common/utf8_text.h"
#include "io/sigv4.h"

namespace floe {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBackoffBaseMs = 100;
constexpr int kBackoffCapMs = 5'000;
constexpr size_t kDeleteBatch = 1000;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string XmlEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string XmlUnescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out.push_back(s[i]);
            continue;
        }
        std::string_view entity = s.substr(i + 1, semi - i - 1);
        if (entity == "amp") {
            out.push_back('&');
        } else if (entity == "lt") {
            out.push_back('<');
        } else if (entity == "gt") {
            out.push_back('>');
        } else if (entity == "quot") {
            out.push_back('"');
        } else if (entity == "apos") {
            out.push_back('\'');
        } else if (entity.size() > 1 && entity[0] == '#') {
            bool hex = entity[1] == 'x' || entity[1] == 'X';
            std::string_view digits = entity.substr(hex ? 2 : 1);
            uint32_t cp = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
            if (ec != std::errc() || end != digits.data() + digits.size()) {
                out.push_back(s[i]);
                continue;
            }
            AppendUtf8(out, cp);
        } else {
            out.push_back(s[i]);
            continue;
        }
        i = semi;
    }
    return out;
}

uint64_t ParseU64(std::string_view s, const std::string& what) {
    uint64_t v = 0;
    std::string t = Trim(s);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
        throw IOError(what + ": S3 answered a malformed number '" + t + "'");
    }
    return v;
}

/// The host of an endpoint, without scheme, port or path.
std::string EndpointHost(const std::string& endpoint) {
    std::string host = endpoint;
    if (size_t sep = host.find("://"); sep != std::string::npos) host = host.substr(sep + 3);
    if (size_t slash = host.find('/'); slash != std::string::npos) host.resize(slash);
    if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);  // IPv6 literal
    if (size_t colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
    return host;
}

bool IsIpAddress(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

struct Endpoint {
    std::string scheme;
    std::string host;  // with the port, when one is named
};

Endpoint EndpointOf(const S3Config& config) {
    Endpoint e;
    std::string rest = config.endpoint;
    if (size_t sep = rest.find("://"); sep != std::string::npos) {
        e.scheme = Lower(rest.substr(0, sep));
        rest = rest.substr(sep + 3);
    } else {
        e.scheme = config.ssl ? "https" : "http";
    }
    if (size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
    if (rest.empty())
        rest = "s3." + (config.region.empty() ? std::string("us-east-1") : config.region) + ".amazonaws.com";
    e.host = rest;
    return e;
}

/// One libcurl handle per thread: its connection cache carries keep-alive connections from one
/// request of the thread to the next.
CURL* ThreadCurl() {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    struct Handle {
        CURL* curl = curl_easy_init();
        ~Handle() { curl_easy_cleanup(curl); }
    };
    thread_local Handle handle;
    if (!handle.curl) throw IOError("S3: libcurl could not create a handle");
    curl_easy_reset(handle.curl);
    return handle.curl;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
    auto* headers = static_cast<std::map<std::string, std::string>*>(user);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        headers->clear();  // a new response (after a 100 Continue)
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
        (*headers)[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
    return size * n;
}

bool RetryableCurl(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

bool RetryableStatus(long status, const std::string& code) {
    return status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" ||
           code == "InternalError" || code == "ServiceUnavailable";
}

int BackoffMs(int attempt) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    int64_t cap = std::min<int64_t>(kBackoffCapMs, int64_t{kBackoffBaseMs} << std::min(attempt, 16));
    // "Equal jitter": half the step for certain, the other half random, so concurrent clients
    // spread out but none retries at once.
    std::uniform_int_distribution<int64_t> jitter(0, cap / 2);
    return static_cast<int>(cap / 2 + jitter(rng));
}

/// "2026-12-07T13:44:57.000Z" (ISO 8601 in UTC, as S3 lists LastModified) as unix milliseconds;
/// 0 when malformed.
int64_t ParseIsoTimeMillis(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &y, &mo, &d, &h, &mi, &sec, &ms) < 6) return 0;
    struct tm t {};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    t.tm_sec = sec;
    return static_cast<int64_t>(::timegm(&t)) * 1000 + ms;
}

}  // namespace

std::optional<std::string> XmlElement(std::string_view xml, std::string_view tag) {
    auto all = XmlElements(xml, tag);
    if (all.empty()) return std::nullopt;
    return XmlUnescape(all.front());
}

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
    std::vector<std::string_view> out;
    std::string open = "<" + std::string(tag);
    std::string close = "</" + std::string(tag) + ">";
    size_t pos = 0;
    while ((pos = xml.find(open, pos)) != std::string_view::npos) {
        size_t after = pos + open.size();
        if (after >= xml.size()) break;
        char c = xml[after];
        if (c != '>' && c != ' ' && c != '/') {
            pos = after;
            continue;
        }
        size_t gt = xml.find('>', after);
        if (gt == std::string_view::npos) break;
        if (xml[gt - 1] == '/') {
            out.emplace_back();
            pos = gt + 1;
            continue;
        }
        size_t end = xml.find(close, gt + 1);
        if (end == std::string_view::npos) break;
        out.push_back(xml.substr(gt + 1, end - gt - 1));
        pos = end + close.size();
    }
    return out;
}

S3Location S3Location::Parse(std::string_view url) {
    S3Location l;
    size_t sep = url.find("://");
    if (sep == std::string_view::npos) throw IOError("'" + std::string(url) + "' is not an s3:// URL");
    l.scheme = Lower(url.substr(0, sep));
    std::string_view rest = url.substr(sep + 3);
    size_t slash = rest.find('/');
    l.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) l.key = std::string(rest.substr(slash + 1));
    if (l.bucket.empty()) throw IOError("'" + std::string(url) + "' names no bucket");
    return l;
}

struct S3Client::Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
};

struct S3Client::Call {
    std::string method = "GET";
    std::string bucket;
    std::string key;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
    /// What the call does, for messages ("listing of 's3://b/p'"); default "<METHOD> of '<object>'".
    std::string action;
    /// Return a non-retryable 4xx answer instead of throwing (HEAD, to learn S3's error code).
    bool return_client_errors = false;
};

S3Client::S3Client(S3Config config) : config_(std::move(config)) {
    if (config_.region.empty()) config_.region = "us-east-1";
    config_.max_attempts = std::max(1, config_.max_attempts);
}

S3Client::Response S3Client::Send(const Call& call) const {
    Endpoint endpoint = EndpointOf(config_);
    // A bucket cannot be a subdomain of an IP address: such endpoints are always path-style.
    bool path_style = config_.path_style || IsIpAddress(EndpointHost(endpoint.host));
    std::string host = path_style || call.bucket.empty() ? endpoint.host : call.bucket + "." + endpoint.host;
    std::string path;
    if (path_style && !call.bucket.empty()) {
        path = "/" + call.bucket + (call.key.empty() ? "" : "/" + call.key);
    } else {
        path = "/" + call.key;
    }
    std::string query;
    for (const auto& [k, v] : call.query) {
        query += (query.empty() ? "?" : "&") + UriEncode(k, false) + "=" + UriEncode(v, false);
    }
    std::string url = endpoint.scheme + "://" + host + UriEncode(path, true) + query;
    std::string object = "s3://" + call.bucket + (call.key.empty() ? "" : "/" + call.key);
    std::string what = "S3 " + (call.action.empty() ? call.method + " of '" + object + "'" : call.action);

    SigV4Request request;
    request.method = call.method;
    request.path = path;
    request.query = call.query;
    request.headers = call.headers;
    request.headers.emplace_back("Host", host);
    request.payload_hash = call.body.empty() ? std::string(kEmptyPayloadSha256) : Sha256Hex(call.body);
    SigV4Credentials credentials{config_.access_key, config_.secret_key, config_.session_token};
    SigV4Options options;
    options.region = config_.region;

    Clock::time_point start = Clock::now();
    for (int attempt = 1;; ++attempt) {
        std::vector<std::pair<std::string, std::string>> headers = request.headers;
        if (!config_.access_key.empty()) {
            headers = SignV4(request, credentials, options, AmzDate(std::chrono::system_clock::now())).headers;
        }
        curl_slist* list = nullptr;
        for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
        list = curl_slist_append(list, "Expect:");
        if (call.body.empty() && call.method != "PUT" && call.method != "POST") {
            list = curl_slist_append(list, "Content-Type:");
        }
        Response response;
        CURL* curl = ThreadCurl();
        char error[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_ms));
        // A stalled transfer (no byte for request_timeout_ms) is abandoned; a long, moving one is not.
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                         std::max(1L, static_cast<long>(config_.request_timeout_ms / 1000)));
        curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
        if (call.method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else if (call.method == "PUT" || call.method == "POST") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
        } else if (call.method != "GET") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
        }
        CURLcode code = curl_easy_perform(curl);
        curl_slist_free_all(list);
        if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);

        std::string s3_code;
        bool retryable = false;
        if (code != CURLE_OK) {
            retryable = RetryableCurl(code);
        } else if (response.status >= 300) {
            s3_code = XmlElement(response.body, "Code").value_or("");
            retryable = RetryableStatus(response.status, s3_code);
            if (!retryable && call.return_client_errors && response.status < 500) return response;
        } else {
            return response;
        }
        int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        int delay_ms = BackoffMs(attempt);
        if (retryable && attempt < config_.max_attempts && elapsed_ms + delay_ms <= config_.max_retry_ms) {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
            continue;
        }
        std::string tries =
            attempt > 1 ? " (after " + std::to_string(attempt) + " attempts in " + std::to_string(elapsed_ms) + " ms)"
                        : "";
        if (code != CURLE_OK) {
            throw IOError(what + " failed: cannot reach " + endpoint.scheme + "://" + host + ": " +
                          (error[0] ? std::string(error) : std::string(curl_easy_strerror(code))) + tries);
        }
        std::string message = XmlElement(response.body, "Message").value_or("");
        if (s3_code.empty()) {
            // HEAD answers carry no body: name the code the status stands for.
            s3_code = response.status == 404   ? "NotFound"
                      : response.status == 403 ? "AccessDenied"
                                               : "HTTP " + std::to_string(response.status);
        }
        throw IOError(what + " failed: " + s3_code + " (HTTP " + std::to_string(response.status) + ")" +
                      (message.empty() ? "" : ": " + message) + tries);
    }
}

std::optional<S3Object> S3Client::HeadIfExists(const S3Location& location) const {
    Call call;
    call.method = "HEAD";
    call.bucket = location.bucket;
    call.key = location.key;
    call.return_client_errors = true;
    Response r = Send(call);
    if (r.status == 404) return std::nullopt;
    if (r.status >= 300) {
        // The error code is in a body, which HEAD never has: a GET of the first byte names it.
        Call get;
        get.bucket = location.bucket;
        get.key = location.key;
        get.headers = {{"Range", "bytes=0-0"}};
        Send(get);
        throw IOError("S3 HEAD of '" + location.Url() + "' failed: HTTP " + std::to_string(r.status));
    }
    S3Object o;
    o.key = location.key;
    auto length = r.headers.find("content-length");
    if (length == r.headers.end()) {
        throw IOError("S3 HEAD of '" + location.Url() + "': the answer has no Content-Length");
    }
    o.size = ParseU64(length->second, "'" + location.Url() + "'");
    if (auto etag = r.headers.find("etag"); etag != r.headers.end()) o.etag = etag->second;
    return o;
}

S3Object S3Client::Head(const S3Location& location) const {
    if (auto o = HeadIfExists(location)) return *o;
    // A 404: a GET names the code (NoSuchKey or NoSuchBucket) in its body.
    Call get;
    get.bucket = location.bucket;
    get.key = location.key;
    get.headers = {{"Range", "bytes=0-0"}};
    Send(get);
    throw IOError("S3 HEAD of '" + location.Url() + "' failed: NotFound (HTTP 404)");
}

void S3Client::GetRange(const S3Location& location, uint64_t offset, size_t n, char* out) const {
    if (n == 0) return;
    Call call;
    call.bucket = location.bucket;
    call.key = location.key;
    call.headers = {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + n - 1)}};
    Response r = Send(call);
    std::string_view got = r.body;
    if (r.status == 200 && got.size() > n && got.size() >= offset + n) got = got.substr(offset, n);  // range ignored
    if (got.size() != n) {
        throw IOError("S3 GET of '" + location.Url() + "': asked for " + std::to_string(n) + " bytes at offset " +
                      std::to_string(offset) + ", received " + std::to_string(r.body.size()) +
                      " (the object is shorter than expected or changed)");
    }
    std::memcpy(out, got.data(), n);
}

std::string S3Client::Get(const S3Location& location) const {
    Call call;
    call.bucket = location.bucket;
    call.key = location.key;
    return Send(call).body;
}

S3ListPage S3Client::ListPage(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                              const std::string& token, int max_keys) const {
    Call call;
    call.bucket = bucket;
    call.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}, {"prefix", prefix}};
    if (!delimiter.empty()) call.query.emplace_back("delimiter", delimiter);
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    std::string what = "S3 listing of 's3://" + bucket + "/" + prefix + "'";
    call.action = what.substr(3);
    Response r = Send(call);
    S3ListPage page;
    for (std::string_view contents : XmlElements(r.body, "Contents")) {
        S3Object o;
        auto key = XmlElement(contents, "Key");
        if (!key) throw IOError(what + ": an entry without a Key");
        o.key = *key;
        o.size = ParseU64(XmlElement(contents, "Size").value_or(""), what);
        o.etag = XmlElement(contents, "ETag").value_or("");
        o.last_modified_ms = ParseIsoTimeMillis(XmlElement(contents, "LastModified").value_or(""));
        page.objects.push_back(std::move(o));
    }
    for (std::string_view common : XmlElements(r.body, "CommonPrefixes")) {
        if (auto p = XmlElement(common, "Prefix")) page.prefixes.push_back(*p);
    }
    if (XmlElement(r.body, "IsTruncated").value_or("false") == "true") {
        page.next_token = XmlElement(r.body, "NextContinuationToken").value_or("");
        if (page.next_token.empty()) throw IOError(what + ": a truncated page without NextContinuationToken");
    }
    return page;
}

std::vector<S3Object> S3Client::ListAll(const std::string& bucket, const std::string& prefix) const {
    std::vector<S3Object> out;
    std::string token;
    do {
        S3ListPage page = ListPage(bucket, prefix, "", token);
        for (auto& o : page.objects) out.push_back(std::move(o));
        if (!page.next_token.empty() && page.next_token == token) {
            throw IOError("S3 listing of 's3://" + bucket + "/" + prefix + "': the continuation token repeats");
        }
        token = page.next_token;
    } while (!token.empty());
    return out;
}

std::string S3Client::Put(const S3Location& location, std::string_view body) const {
    Call call;
    call.method = "PUT";
    call.bucket = location.bucket;
    call.key = location.key;
    call.headers = {{"Content-Type", "application/octet-stream"}};
    call.body = body;
    Response r = Send(call);
    auto etag = r.headers.find("etag");
    return etag == r.headers.end() ? "" : etag->second;
}

bool S3Client::PutIfAbsent(const S3Location& location, std::string_view body) const {
    Call call;
    call.method = "PUT";
    call.bucket = location.bucket;
    call.key = location.key;
    call.headers = {{"Content-Type", "application/octet-stream"}, {"If-None-Match", "*"}};
    call.body = body;
    call.return_client_errors = true;
    Response r = Send(call);
    if (r.status < 300) return true;
    if (r.status == 412 || r.status == 409) {
        // Something is there. A retried PUT whose first attempt landed meets its own object:
        // the same bytes mean this write is the one that succeeded.
        auto existing = HeadIfExists(location);
        return existing && existing->size == body.size() && Get(location) == body;
    }
    std::string code = XmlElement(r.body, "Code").value_or("HTTP " + std::to_string(r.status));
    std::string message = XmlElement(r.body, "Message").value_or("");
    throw IOError("S3 PUT of '" + location.Url() + "' failed: " + code + " (HTTP " + std::to_string(r.status) + ")" +
                  (message.empty() ? "" : ": " + message));
}

std::string S3Client::CreateMultipartUpload(const S3Location& location) const {
    Call call;
    call.method = "POST";
    call.bucket = location.bucket;
    call.key = location.key;
    call.query = {{"uploads", ""}};
    call.headers = {{"Content-Type", "application/octet-stream"}};
    Response r = Send(call);
    auto id = XmlElement(r.body, "UploadId");
    if (!id || id->empty()) throw IOError("S3 multipart upload of '" + location.Url() + "': no UploadId in the answer");
    return *id;
}

std::string S3Client::UploadPart(const S3Location& location, const std::string& upload_id, int part_number,
                                 std::string_view body) const {
    Call call;
    call.method = "PUT";
    call.bucket = location.bucket;
    call.key = location.key;
    call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
    call.headers = {{"Content-Type", "application/octet-stream"}};
    call.body = body;
    Response r = Send(call);
    auto etag = r.headers.find("etag");
    if (etag == r.headers.end()) {
        throw IOError("S3 upload of part " + std::to_string(part_number) + " of '" + location.Url() +
                      "': no ETag in the answer");
    }
    return etag->second;
}

void S3Client::CompleteMultipartUpload(const S3Location& location, const std::string& upload_id,
                                       const std::vector<std::string>& etags) const {
    std::string body = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags.size(); ++i) {
        body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags[i]) +
                "</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    Call call;
    call.method = "POST";
    call.bucket = location.bucket;
    call.key = location.key;
    call.query = {{"uploadId", upload_id}};
    call.headers = {{"Content-Type", "application/xml"}};
    call.body = body;
    Response r = Send(call);
    // S3 may answer 200 and still fail the completion, with an <Error> body.
    if (r.body.find("<Error>") != std::string::npos) {
        throw IOError("S3 completion of the multipart upload of '" + location.Url() + "' failed: " +
                      XmlElement(r.body, "Code").value_or("") + ": " + XmlElement(r.body, "Message").value_or(""));
    }
}

void S3Client::AbortMultipartUpload(const S3Location& location, const std::string& upload_id) const {
    Call call;
    call.method = "DELETE";
    call.bucket = location.bucket;
    call.key = location.key;
    call.query = {{"uploadId", upload_id}};
    Send(call);
}

void S3Client::Delete(const S3Location& location) const {
    Call call;
    call.method = "DELETE";
    call.bucket = location.bucket;
    call.key = location.key;
    Send(call);
}

void S3Client::DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys) const {
    for (size_t start = 0; start < keys.size(); start += kDeleteBatch) {
        size_t end = std::min(keys.size(), start + kDeleteBatch);
        std::string body = "<Delete><Quiet>true</Quiet>";
        for (size_t i = start; i < end; ++i) body += "<Object><Key>" + XmlEscape(keys[i]) + "</Key></Object>";
        body += "</Delete>";
        Call call;
        call.method = "POST";
        call.bucket = bucket;
        call.query = {{"delete", ""}};
        call.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", Md5Base64(body)}};
        call.body = body;
        Response r = Send(call);
        auto errors = XmlElements(r.body, "Error");
        if (!errors.empty()) {
            throw IOError("S3 batch delete in 's3://" + bucket + "' failed for '" +
                          XmlElement(errors.front(), "Key").value_or("") +
                          "': " + XmlElement(errors.front(), "Code").value_or("") + ": " +
                          XmlElement(errors.front(), "Message").value_or(""));
        }
    }
}

}  // namespace floe
