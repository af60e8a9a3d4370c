#include "server/http/http_server.h"

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without including it

#include <openssl/crypto.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <condition_variable>
#include <future>
#include <limits>
#include <thread>
#include <type_traits>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "server/console/console_assets.h"
#include "server/http/http_request.h"
#include "server/http/iceberg_rest_handler.h"
#include "server/http/sql_handler.h"
#include "server/instance.h"
#include "server/metrics_history.h"
#include "server/session.h"
#include "server/tls/server_tls.h"

namespace floe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

http::response<http::string_body> Json(http::status status, unsigned version, bool keep_alive, std::string body) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "floe");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

/// Stream Loads run on threads of their own: the server waits for them when it stops, and tells
/// the ones still waiting for body bytes to give up (their load fails; nothing is committed).
struct LoadGate {
    std::atomic<int> active{0};
    std::atomic<bool> stopping{false};
};

/// What every connection of one server shares.
struct HttpShared {
    Instance& instance;
    std::shared_ptr<LoadGate> gate;
    ServerTls* tls;  // null: no TLS
    std::shared_ptr<IcebergRestHandler> iceberg;
    std::shared_ptr<MetricsHistory> history;
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// Seconds a connection may stay silent before its next request (or the rest of its header).
constexpr int kIdleSeconds = 300;

bool SameSecret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// One HTTP connection over `Stream` (plain TCP, or TLS over it): reads requests and answers
/// them until the peer closes. Stream Load bodies are parsed as they arrive, by a load thread
/// of its own.
template <class Stream>
class HttpConnection : public std::enable_shared_from_this<HttpConnection<Stream>> {
  public:
    static constexpr bool kSecure = std::is_same_v<Stream, TlsStream>;

    /// `buffer` holds bytes already read from the connection (while detecting TLS).
    HttpConnection(Stream stream, beast::flat_buffer buffer, const HttpShared& shared, std::string peer)
        : stream_(std::move(stream)),
          buffer_(std::move(buffer)),
          instance_(shared.instance),
          gate_(shared.gate),
          tls_(shared.tls),
          iceberg_(shared.iceberg),
          history_(shared.history),
          peer_(std::move(peer)) {}

    void Start() { ReadHeader(); }

  private:
    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

    void ReadHeader() {
        header_.emplace();
        header_->header_limit(kMaxHttpHeaderBytes);
        // No limit on what may follow the header (Boost 1.74 mis-compares boost::none here).
        header_->body_limit(std::numeric_limits<std::uint64_t>::max());
        tcp().expires_after(std::chrono::seconds(kIdleSeconds));
        http::async_read_header(
            stream_, buffer_, *header_,
            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
    }

    void OnHeader(beast::error_code ec) {
        if (ec) return AnswerReadError(ec, header_->got_some());
        auto& req = header_->get();
        std::string target(req.target());
        if (!kSecure && tls_ && tls_->require_secure_transport() && target != "/api/health" && target != "/health") {
            // Nothing but health checks over clear text: credentials and data would cross in clear.
            Refuse(http::status::forbidden,
                   R"({"status":"FAILED","msg":"Connections using insecure transport are prohibited; use https"})");
            return;
        }
        auto load = StreamLoadTarget(target);
        if (load && (req.method() == http::verb::put || req.method() == http::verb::post)) {
            StartStreamLoad(load->first, load->second);
            return;
        }
        body_.emplace(std::move(*header_));
        body_->body_limit(kMaxHttpSmallBody);
        http::async_read(stream_, buffer_, *body_,
                         [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnSmallRequest(ec); });
    }

    void OnSmallRequest(beast::error_code ec) {
        if (ec) return AnswerReadError(ec, true);
        auto& req = body_->get();
        std::string target(req.target());
        auto res = std::make_shared<http::response<http::string_body>>();
        if (IcebergRestHandler::Handles(target)) return RunIcebergRest();
        if (req.method() == http::verb::get && (target == "/api/health" || target == "/health")) {
            *res = Json(http::status::ok, req.version(), req.keep_alive(), R"({"status":"OK"})");
        } else if (req.method() == http::verb::get && (target == "/metrics" || target.rfind("/metrics?", 0) == 0)) {
            // Anonymous: server-wide figures; with Basic auth, also the objects the user may see.
            std::string user;
            if (req.find(http::field::authorization) != req.end() && !Authenticate(req, &user)) return;
            return RunMetrics(user);
        } else if (auto sql = SqlApiTarget(target); sql && req.method() == http::verb::post) {
            // JSON only: a browser sends that cross-site only after a CORS preflight Floe never
            // answers, so another site's page cannot run statements with a user's saved login.
            std::string type = AsciiLower(std::string(req[http::field::content_type]));
            std::string origin(req[http::field::origin]);
            std::string host(req[http::field::host]);
            if (type.rfind("application/json", 0) != 0) {
                *res =
                    Json(http::status::unsupported_media_type, req.version(), req.keep_alive(),
                         R"({"status":"FAILED","msg":"send the statement as JSON: Content-Type: application/json"})");
            } else if (!origin.empty() && origin != "null" && origin.substr(origin.find("://") + 3) != host) {
                *res = Json(http::status::forbidden, req.version(), req.keep_alive(),
                            R"({"status":"FAILED","msg":"cross-origin requests are refused"})");
            } else if (gate_->stopping.load()) {
                *res = Json(http::status::service_unavailable, req.version(), false,
                            R"({"status":"FAILED","msg":"the server is shutting down"})");
            } else {
                std::string user;
                if (!Authenticate(req, &user)) return;
                // The console's polling (not what its user runs) keeps no profiles.
                return RunSql(std::move(user), sql->first, sql->second, req["X-Floe-Console"] == "poll");
            }
        } else if (req.method() == http::verb::get && target == "/api/console/history") {
            // Server-wide figures for the console's charts: for any signed-in user.
            if (!Authenticate(req)) return;
            *res = Json(http::status::ok, req.version(), req.keep_alive(), history_->Json());
            res->set(http::field::cache_control, "no-store");
        } else if (req.method() == http::verb::get && (target == "/" || target == "/console")) {
            res->result(http::status::found);
            res->version(req.version());
            res->set(http::field::location, "/console/");
            res->keep_alive(req.keep_alive());
            res->prepare_payload();
        } else if (req.method() == http::verb::get && target.rfind("/console/", 0) == 0) {
            // The console's own files (no data in them: they need no login; what they show comes
            // from the SQL API as the signed-in user).
            std::string name = target.substr(9);
            if (size_t q = name.find('?'); q != std::string::npos) name.resize(q);
            if (name.empty()) name = "index.html";
            const ConsoleAsset* asset = FindConsoleAsset(name);
            if (!asset) {
                *res = Json(http::status::not_found, req.version(), req.keep_alive(),
                            R"({"status":"FAILED","msg":"no such console file"})");
            } else {
                res->result(http::status::ok);
                res->version(req.version());
                res->set(http::field::content_type, asset->content_type);
                res->set("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                         "connect-src 'self'; frame-ancestors 'none'");
                res->set("X-Content-Type-Options", "nosniff");
                res->set("X-Frame-Options", "DENY");
                res->set(http::field::cache_control, "no-cache");
                res->keep_alive(req.keep_alive());
                res->body().assign(asset->data, asset->size);
                res->prepare_payload();
            }
        } else if (req.method() == http::verb::get && target == "/api/version") {
            *res = Json(http::status::ok, req.version(), req.keep_alive(),
                        std::string(R"({"version":")") + kServerVersion + "\"}");
        } else if (req.method() == http::verb::get && target.rfind("/api/_load_error_log?file=", 0) == 0) {
            // Rejected rows are the loader's data: the request authenticates as the loader.
            std::string user;
            if (!Authenticate(req, &user)) return;
            std::string id = target.substr(std::string("/api/_load_error_log?file=").size());
            auto log = instance_.stream_loads().ErrorLog(id, user);
            if (log) {
                res->result(http::status::ok);
                res->version(req.version());
                res->set(http::field::content_type, "text/plain; charset=utf-8");
                res->keep_alive(req.keep_alive());
                res->body() = std::move(*log);
                res->prepare_payload();
            } else {
                *res = Json(http::status::not_found, req.version(), req.keep_alive(),
                            R"({"status":"FAILED","msg":"no such error log"})");
            }
        } else {
            *res = Json(
                http::status::not_found, req.version(), req.keep_alive(),
                R"({"status":"FAILED","msg":)" +
                    JsonString("no such endpoint: " + std::string(req.method_string()) + " " + target.substr(0, 200)) +
                    "}");
        }
        Write(res);
    }

    /// What a handler run off the I/O threads answers.
    struct Reply {
        unsigned status = 200;
        std::string content_type;  // empty: none
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers;
    };

    /// Runs `work` off the I/O threads (it reads table metadata or runs a statement), counted
    /// like a Stream Load so that Stop() waits for it, then writes its reply. A handler that
    /// throws answers 500 (a detached thread must not let an exception escape).
    void RunOffThread(std::function<Reply()> work) {
        auto& req = body_->get();
        const bool keep_alive = req.keep_alive();
        const unsigned version = req.version();
        gate_->active.fetch_add(1);
        std::thread([self = this->shared_from_this(), work = std::move(work), keep_alive, version] {
            Reply reply;
            try {
                reply = work();
            } catch (const std::exception& e) {
                Log::Warn("http.handler_failed", {{"error", e.what()}});
                reply =
                    Reply{500,
                          "application/json",
                          R"({"status":"FAILED","msg":)" + JsonString(std::string("internal error: ") + e.what()) + "}",
                          {}};
            }
            auto res =
                std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version);
            res->set(http::field::server, "floe");
            if (!reply.content_type.empty()) res->set(http::field::content_type, reply.content_type);
            for (const auto& [name, value] : reply.headers) res->set(name, value);
            res->keep_alive(keep_alive);
            res->body() = std::move(reply.body);
            res->prepare_payload();
            asio::post(self->stream_.get_executor(), [self, res] { self->Write(res); });
            self->gate_->active.fetch_sub(1);
        }).detach();
    }

    /// The Iceberg REST catalog (iceberg_rest_handler.h): it reads and commits table metadata.
    void RunIcebergRest() {
        auto& req = body_->get();
        IcebergRestRequest request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        request.authorization = std::string(req[http::field::authorization]);
        request.access_delegation = std::string(req["X-Iceberg-Access-Delegation"]);
        request.body = std::move(req.body());
        request.peer = peer_;
        RunOffThread([self = this->shared_from_this(), request = std::move(request)] {
            IcebergRestResponse answer = self->iceberg_->Handle(request);
            Reply reply{static_cast<unsigned>(answer.status),
                        answer.body.empty() ? "" : answer.content_type,
                        std::move(answer.body),
                        {}};
            if (answer.status == 401) reply.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="floe")");
            return reply;
        });
    }

    /// GET /metrics (server/metrics.h): per-object series read table metadata.
    void RunMetrics(std::string user) {
        RunOffThread([self = this->shared_from_this(), user = std::move(user)] {
            std::string body;
            try {
                std::unique_ptr<Session> session;
                if (!user.empty()) {
                    session = std::make_unique<Session>(self->instance_, self->instance_.NextConnectionId(), user,
                                                        self->peer_);
                }
                body = self->instance_.metrics().Render(self->instance_, session.get());
            } catch (const std::exception& e) {
                Log::Warn("metrics.failed", {{"error", e.what()}});
            }
            return Reply{200, "text/plain; version=0.0.4; charset=utf-8", std::move(body), {}};
        });
    }

    /// The HTTP SQL API (sql_handler.h).
    void RunSql(std::string user, std::string catalog, std::string database, bool console) {
        std::string body = std::move(body_->get().body());
        RunOffThread([self = this->shared_from_this(), user = std::move(user), catalog = std::move(catalog),
                      database = std::move(database), body = std::move(body), console] {
            HttpSqlAnswer answer = RunHttpSql(self->instance_, user, self->peer_, catalog, database, body, console);
            Reply reply{static_cast<unsigned>(answer.status),
                        answer.content_type,
                        std::move(answer.body),
                        {{"Cache-Control", "no-store"}}};
            if (!answer.query_id.empty()) reply.headers.emplace_back("X-StarRocks-Query-Id", answer.query_id);
            return reply;
        });
    }

    void Write(std::shared_ptr<http::response<http::string_body>> res) {
        http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
            if (ec || !res->keep_alive()) return self->Close(!ec);
            self->ReadHeader();
        });
    }

    /// Ends the connection after its last answer: TLS says close_notify first (when the stream
    /// is still sound), then the sending side of the socket closes.
    void Close(bool graceful) {
        auto shutdown_send = [self = this->shared_from_this()] {
            beast::error_code ignored;
            self->tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
        };
        if constexpr (kSecure) {
            if (graceful) {
                tcp().expires_after(std::chrono::seconds(5));
                stream_.async_shutdown([shutdown_send](beast::error_code) { shutdown_send(); });
                return;
            }
        }
        shutdown_send();
    }

    /// 401 as StarRocks answers it (with the Stream Load result's keys too, for clients that
    /// read those): a Basic challenge and the reason in `msg`.
    void RefuseUnauthorized(unsigned version, const std::string& message, bool challenge = true) {
        auto res = std::make_shared<http::response<http::string_body>>(
            Json(http::status::unauthorized, version, false,
                 R"({"status":"FAILED","msg":)" + JsonString(message) + R"(,"Status":"Fail","Message":)" +
                     JsonString(message) + "}"));
        if (challenge) res->set(http::field::www_authenticate, R"(Basic realm="")");
        Write(res);
    }

    /// Answers without reading the request's body: the connection cannot be reused.
    void Refuse(http::status status, const std::string& json) {
        unsigned version = header_ && header_->get().version() == 10 ? 10 : 11;
        auto res = std::make_shared<http::response<http::string_body>>(Json(status, version, false, json));
        Write(res);
    }

    /// A request that could not be read: a peer that went away (or said nothing before the
    /// timeout) is dropped; a malformed request is answered with its status and a JSON body that
    /// names the problem, then the connection closes (what follows it cannot be framed).
    void AnswerReadError(beast::error_code ec, bool got_some) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
            (ec == http::error::partial_message && !got_some)) {
            return;
        }
        http::status status = http::status::bad_request;
        if (ec == http::error::header_limit) status = http::status::request_header_fields_too_large;
        if (ec == http::error::body_limit) status = http::status::payload_too_large;
        std::string what = ec == http::error::partial_message ? "the request ended before its end" : ec.message();
        Refuse(status, "{\"status\":\"FAILED\",\"msg\":" + JsonString("bad HTTP request: " + what) + "}");
    }

    /// HTTP Basic authentication against Floe's users, under the same login limits as the
    /// MySQL port (lockout after failed logins, ACCOUNT LOCK). False when refused (answered).
    bool Authenticate(const http::request_header<>& req, std::string* user = nullptr) {
        auto authorization = req[http::field::authorization];
        auto credentials = DecodeBasicAuth(std::string_view(authorization.data(), authorization.size()));
        // The console signs in with its own form: a challenge would make the browser ask too.
        const bool challenge = req.find("X-Floe-Console") == req.end();
        if (!credentials) {
            RefuseUnauthorized(req.version(), "Need auth information.", challenge);
            return false;
        }
        const std::string& password = credentials->password;
        try {
            instance_.login_guard().Authenticate(
                instance_.catalog(), credentials->user, peer_, !password.empty(), [&](const UserInfo* account) {
                    if (!account || !SameSecret(account->auth_string, Catalog::NativePasswordHash(password))) {
                        return false;
                    }
                    // The clear password is at hand: keep caching_sha2_password's verifier.
                    if (account->sha2_auth.empty() && !password.empty()) {
                        instance_.catalog().SetUserSha2(account->name, Catalog::Sha2PasswordHash(password));
                    }
                    return true;
                });
        } catch (const PermissionError& e) {
            Log::Warn("http.auth_failed", {{"user", credentials->user}, {"host", peer_}, {"error", e.what()}});
            RefuseUnauthorized(req.version(),
                               e.code() == ErrorCode::ACCESS_DENIED
                                   ? "Access denied for " + credentials->user.substr(0, 64) + "@" + peer_
                                   : std::string(e.what()),
                               challenge);
            return false;
        }
        if (user) *user = credentials->user;
        return true;
    }

    void StartStreamLoad(const std::string& database, const std::string& table) {
        auto& req = header_->get();
        std::string user;
        if (!Authenticate(req, &user)) return;
        load_ = StreamLoadRequest{};
        load_.user = user;
        load_.database = database;
        load_.table = table;
        for (const auto& field : req) {
            load_.headers[AsciiLower(std::string(field.name_string()))] = std::string(field.value());
        }
        host_ = std::string(req[http::field::host]);
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        body_stream_.emplace(std::move(*header_));
        body_stream_->body_limit(std::numeric_limits<std::uint64_t>::max());
        if (beast::iequals(body_stream_->get()[http::field::expect], "100-continue")) {
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
            http::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code ec, size_t) {
                if (!ec) self->RunStreamLoad();
            });
        } else {
            RunStreamLoad();
        }
    }

    /// The request body as the load reads it: each Read is an asynchronous read on the
    /// connection's strand (with its inactivity timeout) that the load thread waits for.
    class BodyReader : public BodySource {
      public:
        explicit BodyReader(HttpConnection& c) : c_(c) {}
        size_t Read(char* out, size_t capacity) override {
            while (true) {
                if (!failure_.empty()) throw IOError(failure_);
                auto [ec, n] = ReadSome(out, capacity);
                if (ec) {
                    // The first failed read is the last: the connection has ended (or broke) and
                    // is never read again, so nothing waits on it for its idle timeout.
                    failure_ = "the request body stopped after " + std::to_string(bytes_ + n) + " bytes (" +
                               (ec == http::error::partial_message ? std::string("the client closed the connection")
                                                                   : ec.message()) +
                               "); nothing is loaded";
                    throw IOError(failure_);
                }
                bytes_ += n;
                if (n > 0 || done_) return n;
            }
        }
        /// Reads and drops what is left of the body (a load that ended early), so that the
        /// answer reaches the client and the connection stays usable.
        bool Drain() {
            if (!failure_.empty()) return false;
            std::vector<char> scratch(1 << 20);
            while (!done_) {
                auto [ec, n] = ReadSome(scratch.data(), scratch.size());
                if (ec) {
                    failure_ = ec.message();
                    return false;
                }
            }
            return true;
        }
        bool done() const { return done_; }
        bool failed() const { return !failure_.empty(); }

      private:
        std::pair<beast::error_code, size_t> ReadSome(char* out, size_t capacity) {
            std::promise<std::pair<beast::error_code, size_t>> promise;
            auto result = promise.get_future();
            asio::post(c_.stream_.get_executor(), [this, out, capacity, &promise] {
                auto& parser = *c_.body_stream_;
                if (parser.is_done()) {
                    done_ = true;
                    promise.set_value({{}, 0});
                    return;
                }
                parser.get().body().data = out;
                parser.get().body().size = capacity;
                c_.tcp().expires_after(std::chrono::seconds(kBodyIdleSeconds));
                http::async_read(c_.stream_, c_.buffer_, parser,
                                 [this, capacity, &promise](beast::error_code ec, size_t) {
                                     auto& p = *c_.body_stream_;
                                     if (ec == http::error::need_buffer) ec = {};
                                     if (!ec && p.is_done()) done_ = true;
                                     promise.set_value({ec, capacity - p.get().body().size});
                                 });
            });
            // Wait in slices so that a server shutting down is noticed: it cancels the read, whose
            // handler then completes (with an error) before this frame's promise goes away.
            bool cancelled = false;
            while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
                if (!cancelled && c_.gate_->stopping.load()) {
                    cancelled = true;
                    asio::post(c_.stream_.get_executor(), [this] {
                        beast::error_code ignored;
                        c_.tcp().socket().cancel(ignored);
                    });
                }
            }
            return result.get();
        }

        static constexpr int kBodyIdleSeconds = 300;
        HttpConnection& c_;
        uint64_t bytes_ = 0;
        bool done_ = false;
        std::string failure_;  // why the body could not be read, once it could not
    };

    void RunStreamLoad() {
        // The load runs off the I/O threads, reading the body as it arrives; its answer is
        // written back on the connection.
        gate_->active.fetch_add(1);
        std::thread([self = this->shared_from_this()] {
            struct Leave {
                LoadGate& gate;
                ~Leave() { gate.active.fetch_sub(1); }
            } leave{*self->gate_};
            BodyReader body(*self);
            StreamLoadResponse result;
            try {
                self->load_.source = &body;
                result = self->instance_.stream_loads().Run(self->load_);
                if (!body.done()) body.Drain();
            } catch (const std::exception& e) {
                result.status = "Fail";
                result.message = e.what();
                Log::Warn("stream_load.failed", {{"error", e.what()}});
            }
            // A body that could not be read whole ends the connection after the answer (a client
            // that only half-closed still reads it); the rest of the stream cannot be framed.
            const bool keep_alive = self->keep_alive_ && !body.failed();
            if (body.failed()) Log::Warn("stream_load.body_failed", {{"label", result.label}});
            {
                // One audit record per load, as for statements.
                AuditRecord audit;
                audit.query_type = "load";
                audit.query_id = AuditLog::NewQueryId();
                audit.client = self->peer_;
                audit.user = self->load_.user;
                audit.authorized_user = "'" + self->load_.user + "'@'%'";
                audit.db = self->load_.database;
                audit.state = result.status == "Success" ? "OK" : "ERR";
                audit.error_message = result.status == "Success" ? "" : result.message;
                audit.time_ms = result.load_time_ms;
                audit.scan_rows = result.total_rows;
                audit.scan_bytes = result.load_bytes;
                audit.return_rows = result.loaded_rows;
                audit.stmt = "STREAM LOAD INTO " + self->load_.database + "." + self->load_.table + " LABEL " +
                             result.label + " (" + std::to_string(result.loaded_rows) + " rows loaded, " +
                             std::to_string(result.filtered_rows) + " filtered)";
                self->instance_.metrics().Observe(audit);
                self->instance_.audit().Add(std::move(audit));
            }
            std::string prefix = std::string(kSecure ? "https://" : "http://") +
                                 (self->host_.empty() ? std::string("127.0.0.1:8030") : self->host_) +
                                 "/api/_load_error_log?file=";
            auto res = std::make_shared<http::response<http::string_body>>(
                Json(static_cast<http::status>(result.http_status), self->version_, keep_alive, result.ToJson(prefix)));
            asio::post(self->stream_.get_executor(), [self, res] { self->Write(res); });
        }).detach();
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> header_;
    std::optional<http::request_parser<http::string_body>> body_;
    std::optional<http::request_parser<http::buffer_body>> body_stream_;
    Instance& instance_;
    std::shared_ptr<LoadGate> gate_;
    ServerTls* tls_;
    std::shared_ptr<IcebergRestHandler> iceberg_;
    std::shared_ptr<MetricsHistory> history_;
    std::string peer_;  // the client's address, for logs and access-denied messages
    StreamLoadRequest load_;
    std::string host_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
};

/// A new connection's first bytes: a TLS handshake record (0x16) starts TLS on the socket,
/// anything else is plain HTTP; both go on to an HttpConnection with the bytes already read.
class ProtocolDetector : public std::enable_shared_from_this<ProtocolDetector> {
  public:
    ProtocolDetector(tcp::socket socket, HttpShared shared) : stream_(std::move(socket)), shared_(std::move(shared)) {
        beast::error_code ec;
        auto endpoint = stream_.socket().remote_endpoint(ec);
        peer_ = ec ? "unknown" : endpoint.address().to_string();
    }

    void Start() {
        if (!shared_.tls) return StartPlain();
        stream_.expires_after(std::chrono::seconds(kIdleSeconds));
        beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool tls) {
            if (ec) return;  // the peer left (or stayed silent) before saying anything
            if (tls) return self->StartTls();
            self->StartPlain();
        });
    }

  private:
    void StartPlain() {
        std::make_shared<HttpConnection<beast::tcp_stream>>(std::move(stream_), std::move(buffer_), shared_, peer_)
            ->Start();
    }

    void StartTls() {
        auto tls = std::make_shared<TlsStream>(std::move(stream_), shared_.tls->context());
        beast::get_lowest_layer(*tls).expires_after(std::chrono::seconds(30));
        tls->async_handshake(
            asio::ssl::stream_base::server, buffer_.data(),
            [self = shared_from_this(), tls](beast::error_code ec, size_t used) {
                if (ec) {
                    Log::Debug("http.tls_handshake_failed", {{"host", self->peer_}, {"error", ec.message()}});
                    return;
                }
                self->buffer_.consume(used);
                std::make_shared<HttpConnection<TlsStream>>(std::move(*tls), std::move(self->buffer_), self->shared_,
                                                            self->peer_)
                    ->Start();
            });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    HttpShared shared_;
    std::string peer_;
};

}  // namespace

struct HttpServer::Impl {
    asio::io_context io;
    std::shared_ptr<LoadGate> gate = std::make_shared<LoadGate>();
    std::shared_ptr<IcebergRestHandler> iceberg;
    std::shared_ptr<MetricsHistory> history;
    std::thread sampler;
    std::mutex sampler_mutex;
    std::condition_variable sampler_cv;
    bool sampler_stop = false;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

    void Accept(Instance& instance, ServerTls* tls) {
        acceptor->async_accept(asio::make_strand(io), [this, &instance, tls, gate = gate](beast::error_code ec,
                                                                                          tcp::socket socket) {
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
            } else {
                std::make_shared<ProtocolDetector>(std::move(socket), HttpShared{instance, gate, tls, iceberg, history})
                    ->Start();
            }
            if (acceptor && acceptor->is_open()) Accept(instance, tls);
        });
    }
};

HttpServer::HttpServer(Instance& instance, std::string bind_address, uint16_t port, int io_threads, ServerTls* tls)
    : instance_(instance), bind_address_(std::move(bind_address)), port_(port), io_threads_(io_threads), tls_(tls) {}

HttpServer::~HttpServer() {
    Stop();
}

void HttpServer::Start() {
    impl_ = std::make_unique<Impl>();
    impl_->iceberg = std::make_shared<IcebergRestHandler>(instance_);
    impl_->history = std::make_shared<MetricsHistory>(static_cast<int>(instance_.options().metrics_history_interval));
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
    impl_->Accept(instance_, tls_);
    for (int i = 0; i < std::max(1, io_threads_); ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
    // The console's charts: a point of server-wide figures every interval.
    impl_->sampler = std::thread([impl = impl_.get(), &instance = instance_] {
        std::unique_lock<std::mutex> lock(impl->sampler_mutex);
        while (!impl->sampler_stop) {
            lock.unlock();
            try {
                impl->history->Sample(instance);
            } catch (const std::exception& e) {
                Log::Warn("metrics.history_failed", {{"error", e.what()}});
            }
            lock.lock();
            impl->sampler_cv.wait_for(lock, std::chrono::seconds(impl->history->interval_seconds()),
                                      [impl] { return impl->sampler_stop; });
        }
    });
    Log::Info("http.listening", {{"address", bind_address_}, {"port", port_}});
}

void HttpServer::Stop() {
    if (!impl_) return;
    {
        std::lock_guard<std::mutex> lock(impl_->sampler_mutex);
        impl_->sampler_stop = true;
    }
    impl_->sampler_cv.notify_all();
    if (impl_->sampler.joinable()) impl_->sampler.join();
    // Loads still running finish (or, waiting for their body, fail) before the I/O stops; their
    // answers are written while it still runs.
    impl_->gate->stopping.store(true);
    // Their threads use the server until they end: wait for all of them, asking running
    // statements (HTTP SQL API requests) to stop after a moment.
    for (int waited = 0; impl_->gate->active.load() > 0; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (waited % 40 == 39) instance_.ForEachSession([](Session& s) { s.Interrupt(); });
        if (waited % 200 == 199) Log::Warn("http.stop_waiting", {{"requests", impl_->gate->active.load()}});
    }
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
