#pragma once
/// The byte stream under one MySQL connection: the accepted TCP socket, and after an SSLRequest
/// the TLS session on that same socket. Reads and writes block, as the connection's own thread
/// wants; the connection never needs to know which of the two it is talking through.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstddef>
#include <memory>

namespace floe::mysql {

class Transport {
  public:
    explicit Transport(boost::asio::ip::tcp::socket socket);
    ~Transport();

    /// Reads exactly `n` bytes; false when the stream ended or failed first.
    bool ReadExact(void* data, size_t n);
    /// Writes all `n` bytes; throws IOError when the stream fails.
    void WriteAll(const void* data, size_t n);
    /// Runs the server side of the TLS handshake on the socket; every later read and write is
    /// encrypted. Throws IOError when the handshake fails.
    void StartTls(boost::asio::ssl::context& context);
    /// Whether the bytes travel encrypted (TLS is up).
    bool secure() const { return tls_ != nullptr; }
    /// The TCP socket (peer address, socket options, shutdown from another thread).
    boost::asio::ip::tcp::socket& socket() { return socket_; }

  private:
    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
};

}  // namespace floe::mysql
