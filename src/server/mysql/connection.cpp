#include "server/mysql/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <utility>  // Boost 1.74 asio headers use std::exchange without including it

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/exception.h"
#include "common/logging.h"
#include "server/instance.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_codec.h"
#include "server/mysql/protocol.h"
#include "server/mysql/result_encoder.h"
#include "server/session.h"

namespace floe::mysql {

namespace asio = boost::asio;

namespace {
constexpr size_t kFlushThreshold = 1 << 20;
constexpr size_t kHardMaxPacket = 1ULL << 30;

void SetReceiveTimeout(int fd, int seconds) {
    timeval tv{seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}
}  // namespace

MysqlConnection::MysqlConnection(Instance& instance, asio::ip::tcp::socket socket, uint32_t connection_id)
    : instance_(instance), socket_(std::move(socket)), connection_id_(connection_id) {
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    peer_host_ = ec ? "unknown" : endpoint.address().to_string();
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

MysqlConnection::~MysqlConnection() {
    if (session_) instance_.UnregisterSession(session_.get());
}

void MysqlConnection::Shutdown() {
    ::shutdown(socket_.native_handle(), SHUT_RDWR);
}

void MysqlConnection::RejectTooMany() {
    sequence_ = 0;
    Send(EncodeErr(MysqlErrno(ErrorCode::TOO_MANY_CONNECTIONS), SqlState(ErrorCode::TOO_MANY_CONNECTIONS),
                   "Too many connections"));
    Flush();
}

bool MysqlConnection::ReadPacket(std::string& payload) {
    payload.clear();
    while (true) {
        unsigned char header[4];
        boost::system::error_code ec;
        asio::read(socket_, asio::buffer(header, 4), ec);
        if (ec) return false;
        size_t len = header[0] | (header[1] << 8) | (static_cast<size_t>(header[2]) << 16);
        sequence_ = static_cast<uint8_t>(header[3] + 1);
        if (payload.size() + len > std::min(max_packet_, kHardMaxPacket)) {
            throw ProtocolError("Got a packet bigger than 'max_allowed_packet' bytes", ErrorCode::PACKET_TOO_LARGE);
        }
        size_t old = payload.size();
        payload.resize(old + len);
        if (len > 0) {
            asio::read(socket_, asio::buffer(payload.data() + old, len), ec);
            if (ec) return false;
        }
        if (len < kMaxPacketPayload) return true;
    }
}

void MysqlConnection::Send(const std::string& payload) {
    FramePacket(payload, sequence_, out_);
    if (out_.size() >= kFlushThreshold) Flush();
}

void MysqlConnection::Flush() {
    if (out_.empty()) return;
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(out_), ec);
    out_.clear();
    if (ec) throw IOError("write to client failed: " + ec.message());
}

void MysqlConnection::SendError(uint16_t errno_value, std::string_view sqlstate, std::string_view message) {
    Send(EncodeErr(errno_value, sqlstate, message));
}

uint16_t MysqlConnection::Status(bool more_results) const {
    uint16_t s = session_ ? session_->StatusFlags() : kStatusAutocommit;
    if (more_results) s |= kStatusMoreResultsExist;
    return s;
}

void MysqlConnection::SendOk(const QueryResult& result, bool more_results) {
    Send(EncodeOk(result.affected_rows, result.last_insert_id, Status(more_results), result.warnings, result.info));
}

void MysqlConnection::SendResultSet(const QueryResult& result, bool binary, bool more_results) {
    bool deprecate_eof = capabilities_ & kClientDeprecateEof;
    PacketWriter count;
    count.WriteLenencInt(result.columns.size());
    Send(count.payload());
    for (const auto& c : result.columns) Send(EncodeColumnDefinition(c));
    if (!deprecate_eof) Send(EncodeEof(Status(more_results)));
    auto emit = [this](const std::string& row) { Send(row); };
    if (binary)
        EncodeBinaryRows(result, emit);
    else
        EncodeTextRows(result, emit);
    Send(EncodeResultEnd(deprecate_eof, Status(more_results)));
}

bool MysqlConnection::Handshake() {
    SetReceiveTimeout(socket_.native_handle(), 30);
    std::string scramble = MakeScramble();
    sequence_ = 0;
    Send(BuildHandshakeV10(connection_id_, kServerVersion, scramble, kServerCapabilities, kStatusAutocommit));
    Flush();
    std::string payload;
    if (!ReadPacket(payload)) return false;
    HandshakeResponse response = ParseHandshakeResponse(payload);
    capabilities_ = response.capabilities & kServerCapabilities;
    if (!response.auth_plugin.empty() && response.auth_plugin != kNativePasswordPlugin) {
        // Ask the client to answer with mysql_native_password instead.
        Send(BuildAuthSwitchRequest(scramble));
        Flush();
        if (!ReadPacket(payload)) return false;
        response.auth_response = payload;
    }
    auto user = instance_.catalog().GetUser(response.user);
    bool ok = user && VerifyNativePassword(user->auth_string, scramble, response.auth_response);
    if (!ok) {
        Log::Warn("mysql.auth_failed", {{"user", response.user}, {"host", peer_host_}});
        SendError(MysqlErrno(ErrorCode::ACCESS_DENIED), SqlState(ErrorCode::ACCESS_DENIED),
                  "Access denied for user '" + response.user + "'@'" + peer_host_ +
                      "' (using password: " + (response.auth_response.empty() ? "NO" : "YES") + ")");
        Flush();
        return false;
    }
    session_ = std::make_unique<Session>(instance_, connection_id_, response.user, peer_host_);
    instance_.RegisterSession(session_.get());
    if (response.database && !response.database->empty()) {
        try {
            session_->SetCurrentDatabase(*response.database);
        } catch (const Exception& e) {
            SendError(MysqlErrno(e.code()), SqlState(e.code()), e.what());
            Flush();
            return false;
        }
    }
    Send(EncodeOk(0, 0, Status(), 0));
    Flush();
    SetReceiveTimeout(socket_.native_handle(), 0);
    return true;
}

void MysqlConnection::Run() {
    try {
        if (!Handshake()) return;
        std::string payload;
        while (true) {
            if (!ReadPacket(payload)) return;
            if (payload.empty()) throw ProtocolError("malformed packet: empty command");
            bool keep = Dispatch(payload);
            Flush();
            if (!keep || instance_.IsKilled(connection_id_)) return;
        }
    } catch (const ProtocolError& e) {
        Log::Warn("mysql.protocol_error",
                  {{"connection_id", connection_id_}, {"host", peer_host_}, {"error", e.what()}});
        try {
            out_.clear();
            SendError(MysqlErrno(e.code()), SqlState(e.code()), e.what());
            Flush();
        } catch (const std::exception&) {
        }
    } catch (const IOError& e) {
        Log::Debug("mysql.connection_closed", {{"connection_id", connection_id_}, {"reason", e.what()}});
    } catch (const std::exception& e) {
        Log::Error("mysql.connection_failed", {{"connection_id", connection_id_}, {"error", e.what()}});
    }
}

bool MysqlConnection::Dispatch(const std::string& payload) {
    auto command = static_cast<Command>(static_cast<uint8_t>(payload[0]));
    std::string_view body = std::string_view(payload).substr(1);
    try {
        switch (command) {
            case Command::QUIT:
                return false;
            case Command::PING:
                Send(EncodeOk(0, 0, Status(), 0));
                return true;
            case Command::INIT_DB:
                session_->SetCurrentDatabase(body);
                Send(EncodeOk(0, 0, Status(), 0));
                return true;
            case Command::QUERY:
                HandleQuery(body);
                return true;
            case Command::FIELD_LIST:
                HandleFieldList(body);
                return true;
            case Command::STMT_PREPARE:
                HandlePrepare(body);
                return true;
            case Command::STMT_EXECUTE:
                HandleExecute(payload);
                return true;
            case Command::STMT_CLOSE: {
                PacketReader r(body);
                uint32_t id = r.ReadU32();
                statements_.erase(id);
                session_->ClosePrepared(id);
                return true;  // no response
            }
            case Command::STMT_RESET: {
                PacketReader r(body);
                uint32_t id = r.ReadU32();
                session_->ResetPrepared(id);
                if (auto it = statements_.find(id); it != statements_.end()) it->second.long_data.clear();
                Send(EncodeOk(0, 0, Status(), 0));
                return true;
            }
            case Command::STMT_SEND_LONG_DATA: {
                PacketReader r(body);
                uint32_t id = r.ReadU32();
                uint16_t param = r.ReadU16();
                auto it = statements_.find(id);
                if (it != statements_.end() && param < it->second.count) it->second.long_data[param] += r.ReadRest();
                return true;  // no response
            }
            case Command::STATISTICS: {
                size_t threads = 0;
                instance_.ForEachSession([&](Session&) { ++threads; });
                Send("Uptime: 0  Threads: " + std::to_string(threads) + "  Questions: 0  Slow queries: 0  Opens: 0");
                return true;
            }
            case Command::PROCESS_KILL: {
                PacketReader r(body);
                uint32_t id = r.ReadU32();
                if (!instance_.KillSession(id, false)) {
                    SendError(1094, "HY000", "Unknown thread id: " + std::to_string(id));
                } else {
                    Send(EncodeOk(0, 0, Status(), 0));
                }
                return true;
            }
            case Command::SET_OPTION:
                Send(EncodeEof(Status()));
                return true;
            case Command::RESET_CONNECTION: {
                std::string user = session_->user();
                instance_.UnregisterSession(session_.get());
                session_ = std::make_unique<Session>(instance_, connection_id_, user, peer_host_);
                instance_.RegisterSession(session_.get());
                statements_.clear();
                Send(EncodeOk(0, 0, Status(), 0));
                return true;
            }
            default:
                SendError(MysqlErrno(ErrorCode::UNKNOWN_COMMAND), SqlState(ErrorCode::UNKNOWN_COMMAND),
                          "Unknown command " + std::to_string(static_cast<int>(command)));
                return true;
        }
    } catch (const ProtocolError&) {
        throw;
    } catch (const Exception& e) {
        SendError(MysqlErrno(e.code()), SqlState(e.code()), e.what());
    } catch (const std::bad_alloc&) {
        SendError(MysqlErrno(ErrorCode::OUT_OF_MEMORY), SqlState(ErrorCode::OUT_OF_MEMORY), "Out of memory");
    } catch (const std::exception& e) {
        SendError(MysqlErrno(ErrorCode::INTERNAL), SqlState(ErrorCode::INTERNAL), e.what());
    }
    return true;
}

void MysqlConnection::HandleQuery(std::string_view sql) {
    std::vector<QueryResult> results = session_->ExecuteMulti(sql);
    for (size_t i = 0; i < results.size(); ++i) {
        bool more = i + 1 < results.size();
        if (results[i].has_result_set)
            SendResultSet(results[i], false, more);
        else
            SendOk(results[i], more);
    }
}

void MysqlConnection::HandlePrepare(std::string_view sql) {
    PreparedStatementInfo info = session_->Prepare(sql);
    StatementParameters state;
    state.count = info.parameter_count;
    statements_[info.id] = state;
    bool deprecate_eof = capabilities_ & kClientDeprecateEof;
    PacketWriter w;
    w.WriteU8(0x00);
    w.WriteU32(info.id);
    w.WriteU16(static_cast<uint16_t>(info.columns.size()));
    w.WriteU16(static_cast<uint16_t>(info.parameter_count));
    w.WriteU8(0);
    w.WriteU16(0);
    Send(w.payload());
    if (info.parameter_count > 0) {
        ResultColumn param;
        param.name = "?";
        param.type = LogicalType::Varchar();
        for (uint32_t i = 0; i < info.parameter_count; ++i) Send(EncodeColumnDefinition(param));
        if (!deprecate_eof) Send(EncodeEof(Status()));
    }
    if (!info.columns.empty()) {
        for (const auto& c : info.columns) Send(EncodeColumnDefinition(c));
        if (!deprecate_eof) Send(EncodeEof(Status()));
    }
}

void MysqlConnection::HandleExecute(const std::string& payload) {
    uint32_t id = PeekStatementId(payload);
    auto it = statements_.find(id);
    if (it == statements_.end()) {
        throw ExecutionError(
            "Unknown prepared statement handler (" + std::to_string(id) + ") given to mysqld_stmt_execute",
            ErrorCode::UNKNOWN_STATEMENT);
    }
    ExecuteRequest request = DecodeExecute(payload, it->second);
    it->second.long_data.clear();
    QueryResult result = session_->ExecutePrepared(id, request.params);
    if (result.has_result_set)
        SendResultSet(result, true, false);
    else
        SendOk(result, false);
}

void MysqlConnection::HandleFieldList(std::string_view body) {
    PacketReader r(body);
    std::string table(r.ReadNullTerminated());
    std::string wildcard(r.ReadRest());
    std::vector<ResultColumn> columns = session_->FieldList(table, wildcard);
    for (const auto& c : columns) Send(EncodeColumnDefinition(c, true));
    Send(EncodeResultEnd(capabilities_ & kClientDeprecateEof, Status()));
}

}  // namespace floe::mysql
