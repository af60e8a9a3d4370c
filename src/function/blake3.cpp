#include "function/blake3.h"

#include <cstring>
#include <vector>

namespace floe {

namespace {

constexpr uint32_t kIv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                             0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
constexpr size_t kMessagePermutation[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
constexpr uint32_t kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8;
constexpr size_t kBlockLen = 64, kChunkLen = 1024;

uint32_t RotateRight(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

void Mix(uint32_t* s, size_t a, size_t b, size_t c, size_t d, uint32_t mx, uint32_t my) {
    s[a] = s[a] + s[b] + mx;
    s[d] = RotateRight(s[d] ^ s[a], 16);
    s[c] = s[c] + s[d];
    s[b] = RotateRight(s[b] ^ s[c], 12);
    s[a] = s[a] + s[b] + my;
    s[d] = RotateRight(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = RotateRight(s[b] ^ s[c], 7);
}

/// The compression function: 7 rounds over the 16-word state, the message permuted between them.
std::array<uint32_t, 16> Compress(const uint32_t cv[8], const uint32_t block[16], uint64_t counter, uint32_t block_len,
                                  uint32_t flags) {
    std::array<uint32_t, 16> s{cv[0],
                               cv[1],
                               cv[2],
                               cv[3],
                               cv[4],
                               cv[5],
                               cv[6],
                               cv[7],
                               kIv[0],
                               kIv[1],
                               kIv[2],
                               kIv[3],
                               static_cast<uint32_t>(counter),
                               static_cast<uint32_t>(counter >> 32),
                               block_len,
                               flags};
    uint32_t m[16];
    std::memcpy(m, block, sizeof(m));
    for (int round = 0; round < 7; ++round) {
        Mix(s.data(), 0, 4, 8, 12, m[0], m[1]);
        Mix(s.data(), 1, 5, 9, 13, m[2], m[3]);
        Mix(s.data(), 2, 6, 10, 14, m[4], m[5]);
        Mix(s.data(), 3, 7, 11, 15, m[6], m[7]);
        Mix(s.data(), 0, 5, 10, 15, m[8], m[9]);
        Mix(s.data(), 1, 6, 11, 12, m[10], m[11]);
        Mix(s.data(), 2, 7, 8, 13, m[12], m[13]);
        Mix(s.data(), 3, 4, 9, 14, m[14], m[15]);
        uint32_t permuted[16];
        for (size_t i = 0; i < 16; ++i) permuted[i] = m[kMessagePermutation[i]];
        std::memcpy(m, permuted, sizeof(m));
    }
    for (size_t i = 0; i < 8; ++i) {
        s[i] ^= s[i + 8];
        s[i + 8] ^= cv[i];
    }
    return s;
}

/// A block's 64 bytes (zero-padded) as little-endian words.
void BlockWords(const uint8_t* bytes, size_t len, uint32_t out[16]) {
    uint8_t padded[kBlockLen] = {0};
    std::memcpy(padded, bytes, len);
    for (size_t i = 0; i < 16; ++i) {
        out[i] = uint32_t{padded[4 * i]} | (uint32_t{padded[4 * i + 1]} << 8) | (uint32_t{padded[4 * i + 2]} << 16) |
                 (uint32_t{padded[4 * i + 3]} << 24);
    }
}

/// What a chunk or parent node leaves to finalize: compressing it gives a chaining value, or with
/// ROOT the output.
struct Node {
    uint32_t cv[8];
    uint32_t block[16];
    uint64_t counter;
    uint32_t block_len;
    uint32_t flags;

    void ChainingValue(uint32_t out[8]) const {
        auto s = Compress(cv, block, counter, block_len, flags);
        std::memcpy(out, s.data(), 8 * sizeof(uint32_t));
    }
};

/// The last block of chunk `index` (bytes [0, len) of data), after its earlier blocks.
Node ChunkNode(const uint8_t* data, size_t len, uint64_t index) {
    Node n;
    std::memcpy(n.cv, kIv, sizeof(kIv));
    size_t blocks = len == 0 ? 1 : (len + kBlockLen - 1) / kBlockLen;
    for (size_t b = 0; b + 1 < blocks; ++b) {
        uint32_t words[16];
        BlockWords(data + b * kBlockLen, kBlockLen, words);
        auto s = Compress(n.cv, words, index, kBlockLen, b == 0 ? kChunkStart : 0);
        std::memcpy(n.cv, s.data(), sizeof(n.cv));
    }
    size_t last = (blocks - 1) * kBlockLen;
    BlockWords(data + last, len - last, n.block);
    n.counter = index;
    n.block_len = static_cast<uint32_t>(len - last);
    n.flags = kChunkEnd | (blocks == 1 ? kChunkStart : 0);
    return n;
}

Node ParentNode(const uint32_t left[8], const uint32_t right[8]) {
    Node n;
    std::memcpy(n.cv, kIv, sizeof(kIv));
    std::memcpy(n.block, left, 8 * sizeof(uint32_t));
    std::memcpy(n.block + 8, right, 8 * sizeof(uint32_t));
    n.counter = 0;
    n.block_len = kBlockLen;
    n.flags = kParent;
    return n;
}

}  // namespace

std::array<uint8_t, 32> Blake3(std::string_view input) {
    const auto* data = reinterpret_cast<const uint8_t*>(input.data());
    size_t chunks = input.empty() ? 1 : (input.size() + kChunkLen - 1) / kChunkLen;
    // Every chunk but the last goes onto a stack of subtree chaining values, merged whenever the
    // number of chunks so far says a subtree is complete (its trailing zero bits).
    std::vector<std::array<uint32_t, 8>> stack;
    for (uint64_t c = 0; c + 1 < chunks; ++c) {
        std::array<uint32_t, 8> cv;
        ChunkNode(data + c * kChunkLen, kChunkLen, c).ChainingValue(cv.data());
        for (uint64_t total = c + 1; (total & 1) == 0; total >>= 1) {
            std::array<uint32_t, 8> merged;
            ParentNode(stack.back().data(), cv.data()).ChainingValue(merged.data());
            stack.pop_back();
            cv = merged;
        }
        stack.push_back(cv);
    }
    size_t last = (chunks - 1) * kChunkLen;
    Node node = ChunkNode(data + last, input.size() - last, chunks - 1);
    while (!stack.empty()) {
        uint32_t cv[8];
        node.ChainingValue(cv);
        node = ParentNode(stack.back().data(), cv);
        stack.pop_back();
    }
    auto s = Compress(node.cv, node.block, 0, node.block_len, node.flags | kRoot);
    std::array<uint8_t, 32> out;
    for (size_t i = 0; i < 8; ++i) {
        for (size_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(s[i] >> (8 * b));
    }
    return out;
}

}  // namespace floe
