#include "server/mysql/mysql_server.h"

#include <sys/socket.h>

#include <utility>  // Boost 1.74 asio headers use std::exchange without including it

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/exception.h"
#include "common/logging.h"
#include "server/instance.h"
#include "server/mysql/connection.h"

namespace floe {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct MysqlServer::Impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
};

MysqlServer::MysqlServer(Instance& instance, std::string bind_address, uint16_t port, int, ServerTls* tls)
    : instance_(instance), bind_address_(std::move(bind_address)), port_(port), tls_(tls) {}

MysqlServer::~MysqlServer() {
    Stop();
}

void MysqlServer::Start() {
    impl_ = std::make_unique<Impl>();
    boost::system::error_code ec;
    auto address = asio::ip::make_address(bind_address_, ec);
    if (ec) throw IOError("invalid MySQL bind address '" + bind_address_ + "'");
    tcp::endpoint endpoint(address, port_);
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw IOError("cannot listen for MySQL on " + bind_address_ + ":" + std::to_string(port_) + ": " +
                      ec.message());
    }
    port_ = impl_->acceptor.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    watchdog_thread_ = std::thread([this] { WatchHandshakes(); });
    Log::Info("mysql.listening", {{"address", bind_address_}, {"port", port_}});
}

void MysqlServer::AcceptLoop() {
    while (true) {
        tcp::socket socket(impl_->io);
        boost::system::error_code ec;
        impl_->acceptor.accept(socket, ec);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) return;
        }
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
            Log::Warn("mysql.accept_failed", {{"error", ec.message()}});
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of file descriptors
            continue;
        }
        uint32_t id = instance_.NextConnectionId();
        auto conn = std::make_shared<mysql::MysqlConnection>(instance_, std::move(socket), id, tls_);
        bool too_many;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            too_many = live_ >= instance_.options().max_connections;
            if (!too_many) {
                connections_[id] = conn;
                ++live_;
            }
        }
        if (too_many) {
            try {
                conn->RejectTooMany();
            } catch (const std::exception&) {
            }
            continue;
        }
        std::thread([this, conn, id] {
            conn->Run();
            std::lock_guard<std::mutex> lock(mutex_);
            connections_.erase(id);
            --live_;
            drained_.notify_all();
        }).detach();
    }
}

void MysqlServer::WatchHandshakes() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_requested_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
        auto now = std::chrono::steady_clock::now();
        for (auto& [id, conn] : connections_) {
            if (conn->ShutdownIfHandshakeOverdue(now)) Log::Info("mysql.handshake_timeout", {{"connection_id", id}});
        }
    }
}

void MysqlServer::Stop() {
    if (!impl_) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        for (auto& [id, conn] : connections_) conn->Shutdown();
    }
    stop_requested_.notify_all();
    if (watchdog_thread_.joinable()) watchdog_thread_.join();
    // Wake the blocked accept() and close the listener.
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    std::unique_lock<std::mutex> lock(mutex_);
    drained_.wait_for(lock, std::chrono::seconds(10), [this] { return live_ == 0; });
}

}  // namespace floe
