#include "server/mysql/packet_codec.h"

#include "common/exception.h"
#include "server/mysql/protocol.h"

namespace floe::mysql {

void PacketReader::Need(size_t n) const {
    if (n > data_.size() - pos_) {
        throw ProtocolError("malformed packet: needed " + std::to_string(n) + " more bytes at offset " +
                            std::to_string(pos_) + " of " + std::to_string(data_.size()));
    }
}

uint8_t PacketReader::PeekU8() const {
    Need(1);
    return static_cast<uint8_t>(data_[pos_]);
}

uint8_t PacketReader::ReadU8() {
    Need(1);
    return static_cast<uint8_t>(data_[pos_++]);
}

uint16_t PacketReader::ReadU16() {
    Need(2);
    uint16_t v =
        static_cast<uint8_t>(data_[pos_]) | (static_cast<uint16_t>(static_cast<uint8_t>(data_[pos_ + 1])) << 8);
    pos_ += 2;
    return v;
}

uint32_t PacketReader::ReadU24() {
    Need(3);
    uint32_t v = 0;
    for (int i = 0; i < 3; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 3;
    return v;
}

uint32_t PacketReader::ReadU32() {
    Need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
}

uint64_t PacketReader::ReadU64() {
    Need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
}

uint64_t PacketReader::ReadLenencInt(bool* is_null) {
    if (is_null) *is_null = false;
    uint8_t first = ReadU8();
    if (first < 0xFB) return first;
    if (first == 0xFB) {
        if (!is_null) throw ProtocolError("malformed packet: unexpected NULL length");
        *is_null = true;
        return 0;
    }
    if (first == 0xFC) return ReadU16();
    if (first == 0xFD) return ReadU24();
    if (first == 0xFE) return ReadU64();
    throw ProtocolError("malformed packet: invalid length-encoded integer 0xFF");
}

std::string_view PacketReader::ReadBytes(size_t n) {
    Need(n);
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
}

std::string_view PacketReader::ReadLenencString() {
    uint64_t n = ReadLenencInt();
    if (n > remaining())
        throw ProtocolError("malformed packet: string length " + std::to_string(n) + " exceeds packet");
    return ReadBytes(static_cast<size_t>(n));
}

std::string_view PacketReader::ReadNullTerminated() {
    size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) throw ProtocolError("malformed packet: missing NUL terminator");
    std::string_view v = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return v;
}

std::string_view PacketReader::ReadRest() {
    std::string_view v = data_.substr(pos_);
    pos_ = data_.size();
    return v;
}

void PacketWriter::WriteU16(uint16_t v) {
    buf_.push_back(static_cast<char>(v & 0xFF));
    buf_.push_back(static_cast<char>(v >> 8));
}

void PacketWriter::WriteU24(uint32_t v) {
    for (int i = 0; i < 3; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PacketWriter::WriteU32(uint32_t v) {
    for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PacketWriter::WriteU64(uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PacketWriter::WriteLenencInt(uint64_t v) {
    if (v < 0xFB) {
        WriteU8(static_cast<uint8_t>(v));
    } else if (v <= 0xFFFF) {
        WriteU8(0xFC);
        WriteU16(static_cast<uint16_t>(v));
    } else if (v <= 0xFFFFFF) {
        WriteU8(0xFD);
        WriteU24(static_cast<uint32_t>(v));
    } else {
        WriteU8(0xFE);
        WriteU64(v);
    }
}

void PacketWriter::WriteLenencString(std::string_view s) {
    WriteLenencInt(s.size());
    buf_.append(s);
}

void PacketWriter::WriteNullTerminated(std::string_view s) {
    buf_.append(s);
    buf_.push_back('\0');
}

void FramePacket(std::string_view payload, uint8_t& sequence, std::string& wire) {
    size_t pos = 0;
    while (true) {
        size_t n = std::min<size_t>(payload.size() - pos, kMaxPacketPayload);
        wire.push_back(static_cast<char>(n & 0xFF));
        wire.push_back(static_cast<char>((n >> 8) & 0xFF));
        wire.push_back(static_cast<char>((n >> 16) & 0xFF));
        wire.push_back(static_cast<char>(sequence++));
        wire.append(payload.substr(pos, n));
        pos += n;
        // A chunk of exactly 0xFFFFFF bytes says "more follows": end with an empty packet if needed.
        if (n < kMaxPacketPayload) break;
    }
}

bool PacketAssembler::Feed(std::string_view& input, std::string& payload, uint8_t& sequence) {
    while (!input.empty()) {
        if (!in_body_) {
            size_t take = std::min(input.size(), 4 - header_.size());
            header_.append(input.substr(0, take));
            input.remove_prefix(take);
            if (header_.size() < 4) return false;
            expected_ = static_cast<uint8_t>(header_[0]) | (static_cast<uint8_t>(header_[1]) << 8) |
                        (static_cast<size_t>(static_cast<uint8_t>(header_[2])) << 16);
            uint8_t seq = static_cast<uint8_t>(header_[3]);
            if (continued_ && seq != static_cast<uint8_t>(last_sequence_ + 1)) {
                throw ProtocolError("malformed packet: out-of-order sequence id");
            }
            last_sequence_ = seq;
            last_packet_length_ = expected_;
            header_.clear();
            if (current_.size() + expected_ > max_payload_) {
                throw ProtocolError("packet of " + std::to_string(current_.size() + expected_) +
                                        " bytes is bigger than 'max_allowed_packet'",
                                    ErrorCode::PACKET_TOO_LARGE);
            }
            in_body_ = true;
        }
        size_t take = std::min(input.size(), expected_);
        current_.append(input.substr(0, take));
        input.remove_prefix(take);
        expected_ -= take;
        if (expected_ > 0) return false;
        in_body_ = false;
        // The body is complete; a full-size packet continues in the next one.
        if (last_packet_length_ == kMaxPacketPayload) {
            continued_ = true;
            continue;
        }
        payload = std::move(current_);
        current_.clear();
        sequence = last_sequence_;
        continued_ = false;
        return true;
    }
    return false;
}

}  // namespace floe::mysql
