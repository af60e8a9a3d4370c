// Fuzzes what the HTTP front end reads from a client before acting: Beast's request parser under
// the server's header and body limits, fed in pieces as a socket would deliver them, then the
// Stream Load target and Basic credentials the server takes from the parsed request. Any input
// must parse or fail with an error code; crashes, leaks and undefined behaviour are bugs.
#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without including it

#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http/http_request.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks how the bytes arrive (piece size), the rest is the request.
    const size_t piece = 1 + data[0] % 64;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    http::request_parser<http::string_body> parser;
    parser.header_limit(floe::kMaxHttpHeaderBytes);
    parser.body_limit(floe::kMaxHttpSmallBody);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t pos = 0;
    std::string pending;
    while (pos < input.size() && !parser.is_done()) {
        pending.append(input.substr(pos, piece));
        pos += std::min(piece, input.size() - pos);
        size_t used = parser.put(boost::asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == http::error::need_more) {
            ec = {};
            continue;
        }
        if (ec) break;
    }
    // (put_eof requires that something was parsed, as the server's reads guarantee.)
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    if (parser.is_header_done()) {
        const auto& req = parser.get();
        (void)floe::StreamLoadTarget(std::string_view(req.target().data(), req.target().size()));
        (void)floe::SqlApiTarget(std::string_view(req.target().data(), req.target().size()));
        auto auth = req[http::field::authorization];
        (void)floe::DecodeBasicAuth(std::string_view(auth.data(), auth.size()));
    }
    (void)floe::StreamLoadTarget(input);
    (void)floe::SqlApiTarget(input);
    (void)floe::DecodeBasicAuth(input);
    return 0;
}
