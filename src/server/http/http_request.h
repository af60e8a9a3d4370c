#pragma once
/// What the HTTP front end reads out of a request before acting on it: the Stream Load target in
/// the path and the Basic credentials. Pure functions over untrusted text (fuzzed by
/// test/fuzz/http_request_fuzz.cpp together with Beast's request parser under the server's limits).

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace floe {

/// The most header bytes a request may have (a larger header is answered with 431).
constexpr uint64_t kMaxHttpHeaderBytes = 64 * 1024;
/// The most body bytes of a request that is not a Stream Load (a larger body is answered with 413).
constexpr uint64_t kMaxHttpSmallBody = 1024 * 1024;

/// /api/{db}/{table}/_stream_load (a query string ignored) -> (db, table); nullopt for any other path.
std::optional<std::pair<std::string, std::string>> StreamLoadTarget(std::string_view target);

/// The HTTP SQL API's target: /api/v1/catalogs/{catalog}[/databases/{db}]/sql (segments
/// percent-decoded; a query string ignored) -> (catalog, db: "" when absent); nullopt for any
/// other path, an empty segment, or a bad escape.
std::optional<std::pair<std::string, std::string>> SqlApiTarget(std::string_view target);

/// User and password of an `Authorization: Basic <base64 of user:password>` header; nullopt when
/// the header is absent, not Basic, or not valid base64.
struct BasicCredentials {
    std::string user;
    std::string password;
};
std::optional<BasicCredentials> DecodeBasicAuth(std::string_view authorization);

}  // namespace floe
