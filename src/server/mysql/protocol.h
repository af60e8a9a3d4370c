#pragma once
/// Constants of the MySQL client/server protocol (capability flags, commands, column types and
/// flags, status bits) as the protocol documentation defines them.

#include <cstdint>

namespace floe::mysql {

// Capability flags.
constexpr uint32_t kClientLongPassword = 1u << 0;
constexpr uint32_t kClientFoundRows = 1u << 1;
constexpr uint32_t kClientLongFlag = 1u << 2;
constexpr uint32_t kClientConnectWithDb = 1u << 3;
constexpr uint32_t kClientNoSchema = 1u << 4;
constexpr uint32_t kClientCompress = 1u << 5;
constexpr uint32_t kClientLocalFiles = 1u << 7;
constexpr uint32_t kClientIgnoreSpace = 1u << 8;
constexpr uint32_t kClientProtocol41 = 1u << 9;
constexpr uint32_t kClientInteractive = 1u << 10;
constexpr uint32_t kClientSsl = 1u << 11;
constexpr uint32_t kClientTransactions = 1u << 13;
constexpr uint32_t kClientSecureConnection = 1u << 15;
constexpr uint32_t kClientMultiStatements = 1u << 16;
constexpr uint32_t kClientMultiResults = 1u << 17;
constexpr uint32_t kClientPsMultiResults = 1u << 18;
constexpr uint32_t kClientPluginAuth = 1u << 19;
constexpr uint32_t kClientConnectAttrs = 1u << 20;
constexpr uint32_t kClientPluginAuthLenencData = 1u << 21;
constexpr uint32_t kClientSessionTrack = 1u << 23;
constexpr uint32_t kClientDeprecateEof = 1u << 24;
constexpr uint32_t kClientQueryAttributes = 1u << 27;

/// What Floe offers: no SSL, no compression, no query attributes.
constexpr uint32_t kServerCapabilities =
    kClientLongPassword | kClientFoundRows | kClientLongFlag | kClientConnectWithDb | kClientProtocol41 |
    kClientInteractive | kClientTransactions | kClientSecureConnection | kClientMultiStatements | kClientMultiResults |
    kClientPsMultiResults | kClientPluginAuth | kClientConnectAttrs | kClientPluginAuthLenencData | kClientDeprecateEof;

// Server status flags.
constexpr uint16_t kStatusInTrans = 0x0001;
constexpr uint16_t kStatusAutocommit = 0x0002;
constexpr uint16_t kStatusMoreResultsExist = 0x0008;

// Commands.
enum class Command : uint8_t {
    SLEEP = 0x00,
    QUIT = 0x01,
    INIT_DB = 0x02,
    QUERY = 0x03,
    FIELD_LIST = 0x04,
    STATISTICS = 0x09,
    PROCESS_KILL = 0x0c,
    PING = 0x0e,
    CHANGE_USER = 0x11,
    STMT_PREPARE = 0x16,
    STMT_EXECUTE = 0x17,
    STMT_SEND_LONG_DATA = 0x18,
    STMT_CLOSE = 0x19,
    STMT_RESET = 0x1a,
    SET_OPTION = 0x1b,
    STMT_FETCH = 0x1c,
    RESET_CONNECTION = 0x1f,
};

// Column types.
enum class ColumnType : uint8_t {
    DECIMAL = 0x00,
    TINY = 0x01,
    SHORT = 0x02,
    LONG = 0x03,
    FLOAT = 0x04,
    DOUBLE = 0x05,
    NULL_TYPE = 0x06,
    TIMESTAMP = 0x07,
    LONGLONG = 0x08,
    INT24 = 0x09,
    DATE = 0x0a,
    TIME = 0x0b,
    DATETIME = 0x0c,
    YEAR = 0x0d,
    VARCHAR = 0x0f,
    BIT = 0x10,
    JSON = 0xf5,
    NEWDECIMAL = 0xf6,
    ENUM = 0xf7,
    SET = 0xf8,
    TINY_BLOB = 0xf9,
    MEDIUM_BLOB = 0xfa,
    LONG_BLOB = 0xfb,
    BLOB = 0xfc,
    VAR_STRING = 0xfd,
    STRING = 0xfe,
    GEOMETRY = 0xff,
};

// Column flags.
constexpr uint16_t kNotNullFlag = 1;
constexpr uint16_t kBinaryFlag = 128;
constexpr uint16_t kUnsignedFlag = 32;
constexpr uint16_t kNumFlag = 32768;

// Character sets (collation ids).
constexpr uint8_t kCharsetUtf8 = 33;     // utf8_general_ci
constexpr uint8_t kCharsetUtf8mb4 = 45;  // utf8mb4_general_ci
constexpr uint8_t kCharsetBinary = 63;

/// Largest payload of one packet; longer payloads continue in the next packet.
constexpr uint32_t kMaxPacketPayload = 0xFFFFFF;

}  // namespace floe::mysql
