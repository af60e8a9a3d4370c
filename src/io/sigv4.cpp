#include "io/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "common/exception.h"

namespace floe {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* data, size_t n) {
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        out.push_back(kHexDigits[data[i] >> 4]);
        out.push_back(kHexDigits[data[i] & 0xf]);
    }
    return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) {
        throw InternalError("OpenSSL digest failed");
    }
    return std::string(reinterpret_cast<char*>(out), n);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n) == nullptr) {
        throw InternalError("OpenSSL HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<char*>(out), n);
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

/// A header value as SigV4 signs it: trimmed, inner runs of whitespace collapsed to one space.
std::string CanonicalValue(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : v) {
        bool is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (is_space) {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view lower_name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return Lower(h.first) == lower_name; });
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.' || c == '~';
        if (unreserved || (keep_slash && c == '/')) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kUpperHexDigits[c >> 4]);
            out.push_back(kUpperHexDigits[c & 0xf]);
        }
    }
    return out;
}

std::string Sha256Hex(std::string_view data) {
    std::string d = Digest(EVP_sha256(), data);
    return Hex(reinterpret_cast<const unsigned char*>(d.data()), d.size());
}

std::string Md5Base64(std::string_view data) {
    std::string d = Digest(EVP_md5(), data);
    std::string out(4 * ((d.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(d.data()), static_cast<int>(d.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

SigV4Signature SignV4(const SigV4Request& request, const SigV4Credentials& credentials, const SigV4Options& options,
                      const std::string& amz_date) {
    if (amz_date.size() < 8) throw InternalError("SigV4: bad timestamp '" + amz_date + "'");
    SigV4Signature out;
    out.headers = request.headers;
    std::string payload_hash = request.payload_hash.empty() ? std::string(kEmptyPayloadSha256) : request.payload_hash;
    if (!HasHeader(out.headers, "x-amz-date")) out.headers.emplace_back("x-amz-date", amz_date);
    if (options.content_sha256_header && !HasHeader(out.headers, "x-amz-content-sha256")) {
        out.headers.emplace_back("x-amz-content-sha256", payload_hash);
    }
    if (!credentials.session_token.empty() && !HasHeader(out.headers, "x-amz-security-token")) {
        out.headers.emplace_back("x-amz-security-token", credentials.session_token);
    }

    // Canonical query: encoded names and values, sorted by name, then value.
    std::vector<std::pair<std::string, std::string>> query;
    query.reserve(request.query.size());
    for (const auto& [k, v] : request.query) query.emplace_back(UriEncode(k, false), UriEncode(v, false));
    std::sort(query.begin(), query.end());
    std::string canonical_query;
    for (const auto& [k, v] : query) {
        if (!canonical_query.empty()) canonical_query.push_back('&');
        canonical_query += k + "=" + v;
    }

    // Canonical headers: lower-case names in order, repeated headers' values joined with ','.
    std::map<std::string, std::string> headers;
    for (const auto& [k, v] : out.headers) {
        std::string name = Lower(CanonicalValue(k));
        auto [it, inserted] = headers.emplace(name, CanonicalValue(v));
        if (!inserted) it->second += "," + CanonicalValue(v);
    }
    std::string canonical_headers;
    for (const auto& [k, v] : headers) {
        canonical_headers += k + ":" + v + "\n";
        if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
        out.signed_headers += k;
    }

    std::string path = request.path.empty() ? "/" : request.path;
    out.canonical_request = request.method + "\n" + UriEncode(path, true) + "\n" + canonical_query + "\n" +
                            canonical_headers + "\n" + out.signed_headers + "\n" + payload_hash;

    std::string date = amz_date.substr(0, 8);
    std::string scope = date + "/" + options.region + "/" + options.service + "/aws4_request";
    out.string_to_sign =
        std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(out.canonical_request);

    std::string key = HmacSha256("AWS4" + credentials.secret_key, date);
    key = HmacSha256(key, options.region);
    key = HmacSha256(key, options.service);
    key = HmacSha256(key, "aws4_request");
    std::string mac = HmacSha256(key, out.string_to_sign);
    out.signature = Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());

    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key + "/" + scope +
                        ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
    out.headers.emplace_back("Authorization", out.authorization);
    return out;
}

}  // namespace floe
