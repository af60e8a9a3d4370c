#pragma once
/// The MySQL protocol listener: accepts connections and serves each on its own thread
/// (MysqlConnection). Stop() closes the listener, shuts every connection down and waits for them.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace floe {

class Instance;
class ServerTls;

namespace mysql {
class MysqlConnection;
}

class MysqlServer {
  public:
    /// `io_threads` is kept for configuration compatibility; each connection has its own thread.
    /// `tls` (null: TLS not offered) must outlive the server.
    MysqlServer(Instance& instance, std::string bind_address, uint16_t port, int io_threads = 4,
                ServerTls* tls = nullptr);
    ~MysqlServer();

    /// Binds and starts accepting; port 0 picks a free port (see port()). Throws IOError.
    void Start();
    void Stop();
    uint16_t port() const { return port_; }

  private:
    struct Impl;
    void AcceptLoop();

    Instance& instance_;
    std::string bind_address_;
    uint16_t port_;
    ServerTls* tls_;
    std::unique_ptr<Impl> impl_;
    /// Shuts down connections whose login takes too long (a client that connects, or starts
    /// TLS, and then says nothing would hold its thread forever).
    void WatchHandshakes();

    std::thread accept_thread_;
    std::thread watchdog_thread_;
    std::mutex mutex_;
    std::condition_variable drained_;
    std::condition_variable stop_requested_;
    std::map<uint32_t, std::shared_ptr<mysql::MysqlConnection>> connections_;
    size_t live_ = 0;
    bool stopping_ = false;
};

}  // namespace floe
