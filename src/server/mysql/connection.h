#pragma once
/// One MySQL client connection, served on its own thread with blocking Asio socket I/O (the
/// thread-per-connection model MySQL itself uses): handshake (with the upgrade to TLS when the
/// client asks for it) and authentication, then the command loop, dispatching each command to
/// the Session and encoding the answer. A malformed packet closes only this connection.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "server/login_guard.h"
#include "server/mysql/binary_parameters.h"
#include "server/mysql/transport.h"
#include "server/query_result.h"

namespace floe {

class Instance;
class ServerTls;
class Session;
struct UserInfo;

namespace mysql {

class MysqlConnection {
  public:
    /// `tls` (may be null: no TLS offered) is the server's TLS identity; it outlives connections.
    MysqlConnection(Instance& instance, boost::asio::ip::tcp::socket socket, uint32_t connection_id, ServerTls* tls);
    ~MysqlConnection();

    /// Serves the connection until the client quits, the socket fails, or Shutdown is called.
    void Run();
    /// Unblocks Run from another thread (server shutdown, a handshake past its deadline).
    void Shutdown();
    /// Shuts the connection down (once) when its client has taken longer than kHandshakeSeconds
    /// to log in; the server's watchdog asks, since a blocking read has no timeout of its own.
    bool ShutdownIfHandshakeOverdue(std::chrono::steady_clock::time_point now);
    static constexpr int kHandshakeSeconds = 30;
    /// Sends "Too many connections" instead of a greeting and closes.
    void RejectTooMany();

  private:
    bool Handshake();
    /// Proves a caching_sha2_password login: the fast path when the verifier is known, else full
    /// authentication with the clear password (over TLS) or the RSA-encrypted one. Throws
    /// IOError when the client leaves midway (not counted as a failed login).
    /// `password_given` is set when the client sent a non-empty password.
    bool ProveCachingSha2(const UserInfo* account, std::string token, bool& password_given);
    /// Reads one logical packet (reassembling 16 MB continuations); false on end of stream.
    bool ReadPacket(std::string& payload);
    void Send(const std::string& payload);
    void Flush();
    void SendError(uint16_t errno_value, std::string_view sqlstate, std::string_view message);
    void SendOk(const QueryResult& result, bool more_results);
    void SendResultSet(const QueryResult& result, bool binary, bool more_results);
    /// Handles one command; returns false when the connection should close.
    bool Dispatch(const std::string& payload);
    void HandleQuery(std::string_view sql);
    void HandlePrepare(std::string_view sql);
    void HandleExecute(const std::string& payload);
    void HandleFieldList(std::string_view payload);
    uint16_t Status(bool more_results = false) const;

    Instance& instance_;
    Transport transport_;
    uint32_t connection_id_;
    ServerTls* tls_;
    std::string scramble_;
    LoginGuard::Ticket ticket_;  // this connection's share of max_user_connections
    const std::chrono::steady_clock::time_point handshake_deadline_ =
        std::chrono::steady_clock::now() + std::chrono::seconds(kHandshakeSeconds);
    std::atomic<bool> handshake_done_{false};
    std::string peer_host_;
    std::unique_ptr<Session> session_;
    uint32_t capabilities_ = 0;
    uint8_t sequence_ = 0;
    std::string out_;
    size_t max_packet_ = 64 * 1024 * 1024;
    std::map<uint32_t, StatementParameters> statements_;
};

}  // namespace mysql
}  // namespace floe
