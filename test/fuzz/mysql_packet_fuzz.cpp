// Fuzzes the MySQL packet decoders a client can reach before and after authentication: packet
// reassembly, HandshakeResponse41, and COM_STMT_EXECUTE parameters. Any input must either decode
// or throw floe::Exception; crashes, leaks and undefined behaviour are bugs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/exception.h"
#include "server/mysql/binary_parameters.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        floe::mysql::PacketAssembler assembler(1 << 20);
        std::string_view rest = input;
        std::string payload;
        uint8_t seq;
        while (assembler.Feed(rest, payload, seq)) {
        }
    } catch (const floe::Exception&) {
    }
    try {
        floe::mysql::ParseHandshakeResponse(input);
    } catch (const floe::Exception&) {
    }
    if (size > 0) {
        try {
            floe::mysql::StatementParameters state;
            state.count = data[0] % 16;
            floe::mysql::DecodeExecute(input, state);
        } catch (const floe::Exception&) {
        }
    }
    return 0;
}
