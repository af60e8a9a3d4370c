#include "server/http/http_request.h"

#include "common/base64.h"

namespace floe {

std::optional<std::pair<std::string, std::string>> StreamLoadTarget(std::string_view target) {
    size_t q = target.find('?');
    if (q != std::string_view::npos) target = target.substr(0, q);
    constexpr std::string_view kPrefix = "/api/", kSuffix = "/_stream_load";
    if (target.substr(0, kPrefix.size()) != kPrefix || target.size() <= kPrefix.size() + kSuffix.size() ||
        target.substr(target.size() - kSuffix.size()) != kSuffix) {
        return std::nullopt;
    }
    std::string_view middle = target.substr(kPrefix.size(), target.size() - kPrefix.size() - kSuffix.size());
    size_t slash = middle.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= middle.size() ||
        middle.find('/', slash + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    return std::make_pair(std::string(middle.substr(0, slash)), std::string(middle.substr(slash + 1)));
}

namespace {

std::optional<std::string> PercentDecode(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        if (i + 2 >= in.size()) return std::nullopt;
        int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    if (out.empty() || out.find('\0') != std::string::npos) return std::nullopt;
    return out;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> SqlApiTarget(std::string_view target) {
    size_t q = target.find('?');
    if (q != std::string_view::npos) target = target.substr(0, q);
    constexpr std::string_view kPrefix = "/api/v1/catalogs/", kSuffix = "/sql";
    if (target.substr(0, kPrefix.size()) != kPrefix || target.size() <= kPrefix.size() + kSuffix.size() ||
        target.substr(target.size() - kSuffix.size()) != kSuffix) {
        return std::nullopt;
    }
    std::string_view middle = target.substr(kPrefix.size(), target.size() - kPrefix.size() - kSuffix.size());
    size_t slash = middle.find('/');
    auto catalog = PercentDecode(middle.substr(0, slash));
    if (!catalog) return std::nullopt;
    if (slash == std::string_view::npos) return std::make_pair(*catalog, std::string());
    constexpr std::string_view kDatabases = "databases/";
    std::string_view rest = middle.substr(slash + 1);
    if (rest.substr(0, kDatabases.size()) != kDatabases) return std::nullopt;
    rest = rest.substr(kDatabases.size());
    if (rest.find('/') != std::string_view::npos) return std::nullopt;
    auto db = PercentDecode(rest);
    if (!db) return std::nullopt;
    return std::make_pair(*catalog, *db);
}

std::optional<BasicCredentials> DecodeBasicAuth(std::string_view authorization) {
    constexpr std::string_view kBasic = "Basic ";
    if (authorization.size() < kBasic.size()) return std::nullopt;
    for (size_t i = 0; i < kBasic.size(); ++i) {
        if ((authorization[i] | 0x20) != (kBasic[i] | 0x20)) return std::nullopt;
    }
    std::string_view token = authorization.substr(kBasic.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    auto decoded = Base64Decode(token);
    if (!decoded) return std::nullopt;
    BasicCredentials c;
    size_t colon = decoded->find(':');
    c.user = decoded->substr(0, colon);
    if (colon != std::string::npos) c.password = decoded->substr(colon + 1);
    return c;
}

}  // namespace floe
