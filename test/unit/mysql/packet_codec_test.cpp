#include "server/mysql/packet_codec.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "server/mysql/protocol.h"

namespace floe::mysql {

TEST(PacketCodec, LenencRoundTrip) {
    for (uint64_t v : {0ULL, 250ULL, 251ULL, 65535ULL, 65536ULL, 16777215ULL, 16777216ULL, ~0ULL}) {
        PacketWriter w;
        w.WriteLenencInt(v);
        PacketReader r(w.payload());
        EXPECT_EQ(r.ReadLenencInt(), v);
        EXPECT_TRUE(r.AtEnd());
    }
    PacketWriter w;
    w.WriteLenencString("hello");
    w.WriteNullTerminated("x");
    w.WriteU16(0xBEEF);
    w.WriteU32(0xDEADBEEF);
    PacketReader r(w.payload());
    EXPECT_EQ(r.ReadLenencString(), "hello");
    EXPECT_EQ(r.ReadNullTerminated(), "x");
    EXPECT_EQ(r.ReadU16(), 0xBEEF);
    EXPECT_EQ(r.ReadU32(), 0xDEADBEEFu);
}

TEST(PacketCodec, TruncatedReadsThrow) {
    PacketReader r(std::string_view("\x05\x01", 2));
    EXPECT_THROW(r.ReadLenencString(), ProtocolError);
    PacketReader r2("ab");
    EXPECT_THROW(r2.ReadNullTerminated(), ProtocolError);
    PacketReader r3("");
    EXPECT_THROW(r3.ReadU8(), ProtocolError);
    PacketReader r4(std::string_view("\xfe\x01\x02", 3));
    EXPECT_THROW(r4.ReadLenencInt(), ProtocolError);
    PacketReader r5(std::string_view("\xff", 1));
    EXPECT_THROW(r5.ReadLenencInt(), ProtocolError);
}

TEST(PacketCodec, FramingSplitsLargePayloads) {
    std::string payload(kMaxPacketPayload + 10, 'x');
    std::string wire;
    uint8_t seq = 3;
    FramePacket(payload, seq, wire);
    EXPECT_EQ(seq, 5);
    EXPECT_EQ(wire.size(), payload.size() + 8);
    PacketAssembler assembler(1 << 30);
    std::string_view in(wire);
    std::string out;
    uint8_t last = 0;
    ASSERT_TRUE(assembler.Feed(in, out, last));
    EXPECT_EQ(out, payload);
    EXPECT_EQ(last, 4);
}

TEST(PacketCodec, ExactMultipleEndsWithEmptyPacket) {
    std::string payload(kMaxPacketPayload, 'y');
    std::string wire;
    uint8_t seq = 0;
    FramePacket(payload, seq, wire);
    EXPECT_EQ(seq, 2);
    EXPECT_EQ(wire.size(), payload.size() + 8);
    PacketAssembler assembler(1 << 30);
    std::string_view in(wire);
    std::string out;
    uint8_t last;
    ASSERT_TRUE(assembler.Feed(in, out, last));
    EXPECT_EQ(out.size(), payload.size());
}

TEST(PacketCodec, AssemblerEnforcesLimitAndByteAtATimeInput) {
    std::string wire;
    uint8_t seq = 0;
    FramePacket("hello", seq, wire);
    PacketAssembler assembler(100);
    std::string out;
    uint8_t last;
    for (size_t i = 0; i + 1 < wire.size(); ++i) {
        std::string_view one(wire.data() + i, 1);
        EXPECT_FALSE(assembler.Feed(one, out, last));
    }
    std::string_view tail(wire.data() + wire.size() - 1, 1);
    ASSERT_TRUE(assembler.Feed(tail, out, last));
    EXPECT_EQ(out, "hello");
    PacketAssembler small(4);
    std::string_view in(wire);
    EXPECT_THROW(small.Feed(in, out, last), ProtocolError);
}

}  // namespace floe::mysql
