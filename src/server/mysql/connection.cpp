#include "server/mysql/connection.h"

#include <sys/socket.h>

#include <utility>  // Boost 1.74 asio headers use std::exchange without including it

#include "catalog/catalog.h"
#include "common/exception.h"
#include "common/logging.h"
#include "server/instance.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_codec.h"
#include "server/mysql/protocol.h"
#include "server/mysql/result_encoder.h"
#include "server/session.h"
#include "server/tls/server_tls.h"

namespace floe::mysql {

namespace asio = boost::asio;

namespace {
constexpr size_t kFlushThreshold = 1 << 20;
constexpr size_t kHardMaxPacket = 1ULL << 30;

}  // namespace

MysqlConnection::MysqlConnection(Instance& instance, asio::ip::tcp::socket socket, uint32_t connection_id,
                                 ServerTls* tls)
    : instance_(instance), transport_(std::move(socket)), connection_id_(connection_id), tls_(tls) {
    boost::system::error_code ec;
    auto endpoint = transport_.socket().remote_endpoint(ec);
    peer_host_ = ec ? "unknown" : endpoint.address().to_string();
    transport_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
}

MysqlConnection::~MysqlConnection() {
    if (session_) instance_.UnregisterSession(session_.get());
}

bool MysqlConnection::ShutdownIfHandshakeOverdue(std::chrono::steady_clock::time_point now) {
    if (handshake_done_.load() || now <= handshake_deadline_ || handshake_done_.exchange(true)) return false;
    Shutdown();
    return true;
}

void MysqlConnection::Shutdown() {
    ::shutdown(transport_.socket().native_handle(), SHUT_RDWR);
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
        if (!transport_.ReadExact(header, 4)) return false;
        size_t len = header[0] | (header[1] << 8) | (static_cast<size_t>(header[2]) << 16);
        sequence_ = static_cast<uint8_t>(header[3] + 1);
        if (payload.size() + len > std::min(max_packet_, kHardMaxPacket)) {
            throw ProtocolError("Got a packet bigger than 'max_allowed_packet' bytes", ErrorCode::PACKET_TOO_LARGE);
        }
        size_t old = payload.size();
        payload.resize(old + len);
        if (len > 0 && !transport_.ReadExact(payload.data() + old, len)) return false;
        if (len < kMaxPacketPayload) return true;
    }
}

void MysqlConnection::Send(const std::string& payload) {
    FramePacket(payload, sequence_, out_);
    if (out_.size() >= kFlushThreshold) Flush();
}

void MysqlConnection::Flush() {
    if (out_.empty()) return;
    std::string pending;
    pending.swap(out_);
    transport_.WriteAll(pending.data(), pending.size());
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
    scramble_ = MakeScramble();
    const uint32_t offered = kServerCapabilities | (tls_ ? kClientSsl : 0);
    sequence_ = 0;
    Send(BuildHandshakeV10(connection_id_, kServerVersion, scramble_, offered, kStatusAutocommit));
    Flush();
    std::string payload;
    if (!ReadPacket(payload)) return false;
    // The first packet tells whether the client wants TLS: an SSLRequest (the first 32 bytes of
    // the response, CLIENT_SSL set), after which TLS starts and the full response follows.
    const uint32_t first_capabilities = payload.size() >= 4 ? PacketReader(payload).ReadU32() : 0;
    if (tls_ && (first_capabilities & kClientSsl)) {
        transport_.StartTls(tls_->context());
        if (!ReadPacket(payload)) return false;
    } else if (tls_ && tls_->require_secure_transport()) {
        // Refused before any credential crosses the wire in clear (BACKRONYM, Riddle).
        Log::Warn("mysql.insecure_transport_refused", {{"connection_id", connection_id_}, {"host", peer_host_}});
        SendError(MysqlErrno(ErrorCode::INSECURE_TRANSPORT), SqlState(ErrorCode::INSECURE_TRANSPORT),
                  "Connections using insecure transport are prohibited");
        Flush();
        return false;
    }
    HandshakeResponse response = ParseHandshakeResponse(payload);
    capabilities_ = response.capabilities & offered;
    std::string plugin = response.auth_plugin.empty() ? kNativePasswordPlugin : response.auth_plugin;
    if (plugin != kNativePasswordPlugin && plugin != kCachingSha2Plugin) {
        // Ask the client to answer with mysql_native_password instead.
        Send(BuildAuthSwitchRequest(scramble_));
        Flush();
        if (!ReadPacket(payload)) return false;
        response.auth_response = payload;
        plugin = kNativePasswordPlugin;
    }
    bool password_given = !response.auth_response.empty() && response.auth_response != std::string(1, '\0');
    try {
        UserInfo user = instance_.login_guard().Authenticate(
            instance_.catalog(), response.user, peer_host_, password_given, [&](const UserInfo* account) {
                if (plugin == kCachingSha2Plugin) {
                    return ProveCachingSha2(account, response.auth_response, password_given);
                }
                return account && VerifyNativePassword(account->auth_string, scramble_, response.auth_response);
            });
        ticket_ = instance_.login_guard().Admit(user);
    } catch (const PermissionError& e) {
        Log::Warn("mysql.auth_failed", {{"user", response.user}, {"host", peer_host_}, {"error", e.what()}});
        SendError(MysqlErrno(e.code()), SqlState(e.code()), e.what());
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
    handshake_done_.store(true);
    return true;
}

bool MysqlConnection::ProveCachingSha2(const UserInfo* account, std::string token, bool& password_given) {
    auto read = [this](std::string& packet) {
        if (!ReadPacket(packet)) throw IOError("the client left during authentication");
    };
    const auto is_empty = [](const std::string& t) { return t.empty() || t == std::string(1, '\0'); };
    if (is_empty(token)) {
        // An empty password, or a client that had no nonce for this plugin (the greeting named
        // another): ask once more, with the nonce.
        Send(BuildAuthSwitchRequest(kCachingSha2Plugin, scramble_));
        Flush();
        read(token);
        if (is_empty(token)) return account && account->auth_string.empty();
        password_given = true;
    }
    if (account && VerifyCachingSha2Token(account->sha2_auth, scramble_, token)) {
        Send(BuildAuthMoreData(std::string(1, static_cast<char>(kFastAuthSuccess))));
        return true;
    }
    // Full authentication: the verifier is not known yet (or the token did not match it).
    Send(BuildAuthMoreData(std::string(1, static_cast<char>(kPerformFullAuthentication))));
    Flush();
    std::string answer;
    read(answer);
    std::string password;
    if (transport_.secure()) {
        password = answer;  // the clear password and a NUL, inside TLS
    } else {
        if (!tls_) return false;  // no RSA key to offer
        if (answer == std::string(1, static_cast<char>(kRequestPublicKey))) {
            Send(BuildAuthMoreData(tls_->rsa_public_key_pem()));
            Flush();
            read(answer);
        }
        if (answer.size() != tls_->rsa_ciphertext_size()) return false;
        auto plain = tls_->RsaDecrypt(answer);
        if (!plain) return false;
        password = XorWithScramble(*plain, scramble_);
    }
    if (!password.empty() && password.back() == '\0') password.pop_back();
    if (!account || !VerifyClearPassword(account->auth_string, password)) return false;
    if (account->sha2_auth.empty() && !password.empty()) {
        // Learn the verifier, so that the next login of this user takes the fast path.
        instance_.catalog().SetUserSha2(account->name, Catalog::Sha2PasswordHash(password));
    }
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
                // The KILL statement's path: the same privilege check (others' connections need OPERATE).
                session_->Execute("KILL " + std::to_string(id));
                Send(EncodeOk(0, 0, Status(), 0));
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
