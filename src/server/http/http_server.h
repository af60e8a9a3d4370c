#pragma once
/// The HTTP front end (port 8030 by default): health and version endpoints and Stream Load
/// (PUT /api/{db}/{table}/_stream_load). Boost.Beast over Asio. With a TLS identity it speaks
/// HTTPS and plain HTTP on the same port, told apart by each connection's first byte.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace floe {

class Instance;
class ServerTls;

class HttpServer {
  public:
    /// `tls` (null: plain HTTP only) must outlive the server.
    HttpServer(Instance& instance, std::string bind_address, uint16_t port, int io_threads = 2,
               ServerTls* tls = nullptr);
    ~HttpServer();

    /// Binds and starts serving; port 0 picks a free port (see port()). Throws IOError on failure.
    void Start();
    /// Stops accepting, closes connections and joins the threads.
    void Stop();
    uint16_t port() const { return port_; }

  private:
    struct Impl;
    Instance& instance_;
    std::string bind_address_;
    uint16_t port_;
    int io_threads_;
    ServerTls* tls_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace floe
