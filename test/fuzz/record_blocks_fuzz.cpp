// Fuzzes the record splitter that cuts a Stream Load body into blocks of whole records as it
// arrives: the body comes in pieces of sizes the input chooses, with a small block size, any
// delimiter/enclose/escape, and an occasional Unread (a JSON document found incomplete). Beyond
// memory safety it checks the splitter's contract: the blocks, in order, are exactly the body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "ingest/record_blocks.h"

namespace {

/// A body that arrives in pieces of varying size, as from a socket.
class ChoppySource : public floe::BodySource {
  public:
    ChoppySource(std::string_view data, uint8_t seed) : data_(data), seed_(seed) {}
    size_t Read(char* out, size_t capacity) override {
        size_t want = 1 + (seed_ = static_cast<uint8_t>(seed_ * 37 + 11)) % 97;
        size_t n = std::min({capacity, want, data_.size() - pos_});
        if (n) std::memcpy(out, data_.data() + pos_, n);
        pos_ += n;
        return n;
    }

  private:
    std::string_view data_;
    size_t pos_ = 0;
    uint8_t seed_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    static const char* kDelimiters[] = {"\n", ",", "\r\n", "||", "ab"};
    std::string delimiter = kDelimiters[data[0] % 5];
    char enclose = (data[1] & 1) ? '"' : 0;
    char escape = (data[1] & 2) ? '\\' : 0;
    const bool unread = data[1] & 4;
    const bool streamed = data[1] & 8;
    const size_t block_bytes = 1 + data[2] % 64;
    const uint8_t seed = data[3];
    std::string_view body(reinterpret_cast<const char*>(data + 4), size - 4);

    ChoppySource source(body, seed);
    auto blocks = streamed ? floe::RecordBlocks(source, delimiter, enclose, escape, block_bytes)
                           : floe::RecordBlocks(body, delimiter, enclose, escape, block_bytes);
    std::string joined;
    std::string_view block;
    bool unread_once = false;
    for (int guard = 0; guard < 100000 && blocks.Next(block); ++guard) {
        if (unread && !unread_once && !block.empty() && block.size() % 3 == 0) {
            // Give the last third back: it must come again at the start of the next block.
            unread_once = true;
            size_t back = block.size() / 3;
            joined.append(block.substr(0, block.size() - back));
            blocks.Unread(back);
            continue;
        }
        unread_once = false;
        joined.append(block);
    }
    if (joined != body) std::abort();  // a byte lost, repeated or reordered
    if (!blocks.at_end()) std::abort();
    return 0;
}
