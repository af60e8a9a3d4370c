#pragma once
/// One MySQL client connection, served on its own thread with blocking Asio socket I/O (the
/// thread-per-connection model MySQL itself uses): handshake and authentication, then the command
/// loop, dispatching each command to the Session and encoding the answer. A malformed packet
/// closes only this connection.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "server/mysql/binary_parameters.h"
#include "server/query_result.h"

namespace floe {

class Instance;
class Session;

namespace mysql {

class MysqlConnection {
  public:
    MysqlConnection(Instance& instance, boost::asio::ip::tcp::socket socket, uint32_t connection_id);
    ~MysqlConnection();

    /// Serves the connection until the client quits, the socket fails, or Shutdown is called.
    void Run();
    /// Unblocks Run from another thread (server shutdown).
    void Shutdown();
    /// Sends "Too many connections" instead of a greeting and closes.
    void RejectTooMany();

  private:
    bool Handshake();
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
    boost::asio::ip::tcp::socket socket_;
    uint32_t connection_id_;
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
