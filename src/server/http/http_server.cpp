#include "server/http/http_server.h"

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/exception.h"
#include "common/logging.h"
#include "server/instance.h"

namespace floe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr uint64_t kMaxHeaderBytes = 64 * 1024;

http::response<http::string_body> Json(http::status status, unsigned version, bool keep_alive, std::string body) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "floe");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

/// One HTTP connection: reads requests and answers them until the peer closes.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
  public:
    HttpConnection(tcp::socket socket, Instance& instance) : stream_(std::move(socket)), instance_(instance) {}

    void Start() { Read(); }

  private:
    void Read() {
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(1024 * 1024);
        stream_.expires_after(std::chrono::seconds(300));
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
    }

    void OnRead(beast::error_code ec) {
        if (ec) return;  // closed, timed out or malformed: drop the connection
        auto& req = parser_->get();
        std::string target(req.target());
        auto res = std::make_shared<http::response<http::string_body>>();
        if (req.method() == http::verb::get && (target == "/api/health" || target == "/health")) {
            *res = Json(http::status::ok, req.version(), req.keep_alive(), R"({"status":"OK"})");
        } else if (req.method() == http::verb::get && target == "/api/version") {
            *res = Json(http::status::ok, req.version(), req.keep_alive(),
                        std::string(R"({"version":")") + kServerVersion + "\"}");
        } else {
            *res = Json(http::status::not_found, req.version(), req.keep_alive(),
                        R"({"status":"FAILED","msg":"no such endpoint: )" + std::string(req.method_string()) + " " +
                            target.substr(0, 200) + "\"}");
        }
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
            if (ec || !res->keep_alive()) {
                beast::error_code ignored;
                self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                return;
            }
            self->Read();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Instance& instance_;
};

}  // namespace

struct HttpServer::Impl {
    asio::io_context io;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

    void Accept(Instance& instance) {
        acceptor->async_accept(asio::make_strand(io), [this, &instance](beast::error_code ec, tcp::socket socket) {
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
            } else {
                std::make_shared<HttpConnection>(std::move(socket), instance)->Start();
            }
            if (acceptor && acceptor->is_open()) Accept(instance);
        });
    }
};

HttpServer::HttpServer(Instance& instance, std::string bind_address, uint16_t port, int io_threads)
    : instance_(instance), bind_address_(std::move(bind_address)), port_(port), io_threads_(io_threads) {}

HttpServer::~HttpServer() {
    Stop();
}

void HttpServer::Start() {
    impl_ = std::make_unique<Impl>();
    beast::error_code ec;
    auto address = asio::ip::make_address(bind_address_, ec);
    if (ec) throw IOError("invalid HTTP bind address '" + bind_address_ + "'");
    tcp::endpoint endpoint(address, port_);
    impl_->acceptor.emplace(impl_->io);
    impl_->acceptor->open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor->bind(endpoint, ec);
    if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw IOError("cannot listen for HTTP on " + bind_address_ + ":" + std::to_string(port_) + ": " + ec.message());
    port_ = impl_->acceptor->local_endpoint().port();
    impl_->work.emplace(impl_->io.get_executor());
    impl_->Accept(instance_);
    for (int i = 0; i < std::max(1, io_threads_); ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
    Log::Info("http.listening", {{"address", bind_address_}, {"port", port_}});
}

void HttpServer::Stop() {
    if (!impl_) return;
    asio::post(impl_->io, [this] {
        beast::error_code ec;
        if (impl_->acceptor) impl_->acceptor->close(ec);
    });
    impl_->work.reset();
    impl_->io.stop();
    for (auto& t : impl_->threads) {
        if (t.joinable()) t.join();
    }
    impl_.reset();
}

}  // namespace floe
