#pragma once
/// AWS Signature Version 4, Floe's own (Debian has no AWS SDK). A request is described by its
/// method, its decoded path and query, and its headers; Sign() builds the canonical request, the
/// string to sign and the signature, and returns the headers to send with the Authorization header.
///
/// The rules implementations get wrong (../shared/reference/iceberg-implementation.md §11):
/// the path is URI-encoded once (S3 never double-encodes, never normalises `.`, `..` or `//`),
/// `/` stays literal in the path but not in query names and values; query parameters are sorted by
/// encoded name, then value, a valueless one written `name=`; header names are lower-cased and
/// values trimmed with inner runs of spaces collapsed, repeated headers joined with `,`; the
/// payload hash is the hex SHA-256 of the body or `UNSIGNED-PAYLOAD`.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe {

/// The hex SHA-256 of an empty body.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The payload hash of a request whose body is not signed (S3 accepts it over any transport).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

/// Who signs. The secret key never appears in a message or a log line.
struct SigV4Credentials {
    std::string access_key;
    std::string secret_key;
    /// A temporary credential's session token; sent (and signed) as x-amz-security-token.
    std::string session_token;
};

/// One HTTP request to sign.
struct SigV4Request {
    std::string method = "GET";
    /// The decoded absolute path ("/bucket/my key.parquet"); encoded once while signing.
    std::string path = "/";
    /// Decoded query parameters in any order; a valueless parameter has an empty value.
    std::vector<std::pair<std::string, std::string>> query;
    /// Headers in any case and order; all of them are signed. Must hold "host".
    std::vector<std::pair<std::string, std::string>> headers;
    /// The hex SHA-256 of the body, or kUnsignedPayload. Empty means an empty body.
    std::string payload_hash;
};

/// The pieces of one signature (the intermediate steps are kept for tests and error reports).
struct SigV4Signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;
    std::string signature;
    /// The value of the Authorization header.
    std::string authorization;
    /// The request's headers plus the ones Sign() added (x-amz-date, x-amz-content-sha256,
    /// x-amz-security-token) and Authorization: what goes on the wire.
    std::vector<std::pair<std::string, std::string>> headers;
};

struct SigV4Options {
    std::string region = "us-east-1";
    std::string service = "s3";
    /// Adds x-amz-content-sha256 (S3 requires it; the generic test suite does not have it).
    bool content_sha256_header = true;
};

/// Signs `request` at time `amz_date` ("20150830T123600Z"). Adds x-amz-date, and
/// x-amz-security-token when the credentials carry a session token, unless the request already
/// has them.
SigV4Signature SignV4(const SigV4Request& request, const SigV4Credentials& credentials, const SigV4Options& options,
                      const std::string& amz_date);

/// `t` as SigV4's ISO-8601 basic timestamp ("20150830T123600Z", UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

/// RFC 3986 encoding as SigV4 wants it: `A-Za-z0-9-_.~` literal, everything else `%XY` with
/// uppercase hex; `/` kept only when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);

/// Hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

/// Base64 of the MD5 of `data` (the Content-MD5 header batch delete needs).
std::string Md5Base64(std::string_view data);

}  // namespace floe
