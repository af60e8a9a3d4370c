#pragma once
/// MySQL packet codec: bounds-checked reading of a payload (every read past the end throws
/// ProtocolError), payload building, and framing into wire packets (3-byte length + sequence id;
/// payloads of 16 MB and more continue in following packets). No I/O happens here.

#include <cstdint>
#include <string>
#include <string_view>

namespace floe::mysql {

class PacketReader {
  public:
    explicit PacketReader(std::string_view payload) : data_(payload) {}

    size_t remaining() const { return data_.size() - pos_; }
    bool AtEnd() const { return pos_ >= data_.size(); }
    uint8_t PeekU8() const;

    uint8_t ReadU8();
    uint16_t ReadU16();
    uint32_t ReadU24();
    uint32_t ReadU32();
    uint64_t ReadU64();
    /// Length-encoded integer; `is_null` is set for the 0xFB marker (when not null, it is false).
    uint64_t ReadLenencInt(bool* is_null = nullptr);
    std::string_view ReadBytes(size_t n);
    std::string_view ReadLenencString();
    /// Up to the next NUL (consumed); throws if there is none.
    std::string_view ReadNullTerminated();
    std::string_view ReadRest();
    void Skip(size_t n) { ReadBytes(n); }

  private:
    void Need(size_t n) const;
    std::string_view data_;
    size_t pos_ = 0;
};

class PacketWriter {
  public:
    void WriteU8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
    void WriteU16(uint16_t v);
    void WriteU24(uint32_t v);
    void WriteU32(uint32_t v);
    void WriteU64(uint64_t v);
    void WriteLenencInt(uint64_t v);
    void WriteLenencString(std::string_view s);
    void WriteNullTerminated(std::string_view s);
    void WriteBytes(std::string_view s) { buf_.append(s); }
    void WriteZeros(size_t n) { buf_.append(n, '\0'); }

    const std::string& payload() const { return buf_; }
    std::string& mutable_payload() { return buf_; }
    void Clear() { buf_.clear(); }

  private:
    std::string buf_;
};

/// Appends `payload` to `wire` as one or more packets, advancing `sequence` per packet.
void FramePacket(std::string_view payload, uint8_t& sequence, std::string& wire);

/// Reassembles a logical payload from wire bytes: feed it bytes; it reports complete payloads.
/// Used by the fuzz target and tests; the connection reads headers and bodies directly.
class PacketAssembler {
  public:
    explicit PacketAssembler(size_t max_payload) : max_payload_(max_payload) {}
    /// Consumes bytes from `input` (advancing it); returns true and fills `payload` and `sequence`
    /// when a logical payload is complete. Throws ProtocolError when the payload would exceed the limit.
    bool Feed(std::string_view& input, std::string& payload, uint8_t& sequence);

  private:
    size_t max_payload_;
    std::string header_;
    std::string current_;
    size_t expected_ = 0;
    size_t last_packet_length_ = 0;
    bool in_body_ = false;
    bool continued_ = false;
    uint8_t last_sequence_ = 0;
};

}  // namespace floe::mysql
