#include "server/mysql/transport.h"

#include <utility>  // Boost 1.74 asio headers use std::exchange without including it

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/exception.h"

namespace floe::mysql {

namespace asio = boost::asio;

Transport::Transport(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

Transport::~Transport() = default;

bool Transport::ReadExact(void* data, size_t n) {
    boost::system::error_code ec;
    if (tls_) {
        asio::read(*tls_, asio::buffer(data, n), ec);
    } else {
        asio::read(socket_, asio::buffer(data, n), ec);
    }
    return !ec;
}

void Transport::WriteAll(const void* data, size_t n) {
    boost::system::error_code ec;
    if (tls_) {
        asio::write(*tls_, asio::buffer(data, n), ec);
    } else {
        asio::write(socket_, asio::buffer(data, n), ec);
    }
    if (ec) throw IOError("write to client failed: " + ec.message());
}

void Transport::StartTls(asio::ssl::context& context) {
    auto tls = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, context);
    boost::system::error_code ec;
    tls->handshake(asio::ssl::stream_base::server, ec);
    if (ec) throw IOError("TLS handshake failed: " + ec.message());
    tls_ = std::move(tls);
}

}  // namespace floe::mysql
