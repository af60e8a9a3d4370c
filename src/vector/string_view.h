#pragma once
/// The 16-byte string reference stored in VARCHAR columns: length, a 4-byte prefix for fast
/// comparisons, and either the remaining 8 bytes inline (strings ≤ 12 bytes live entirely in the
/// view) or a pointer into a heap owned by the column.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace floe {

class StringView {
  public:
    static constexpr uint32_t kInlineLength = 12;

    StringView() { std::memset(this, 0, sizeof(*this)); }
    /// `data` must outlive the view when longer than kInlineLength (columns copy into their heap).
    StringView(const char* data, uint32_t len) : length_(len) {
        std::memset(prefix_, 0, sizeof(prefix_) + sizeof(rest_));
        if (len <= kInlineLength) {
            std::memcpy(prefix_, data, len);
        } else {
            std::memcpy(prefix_, data, 4);
            rest_.ptr = data;
        }
    }

    uint32_t size() const { return length_; }
    bool IsInline() const { return length_ <= kInlineLength; }
    const char* data() const { return IsInline() ? prefix_ : rest_.ptr; }
    std::string_view view() const { return {data(), length_}; }

    bool operator==(const StringView& o) const {
        // Length and prefix are the first 8 bytes; short strings are wholly inline, zero-padded.
        uint64_t a, b;
        std::memcpy(&a, this, 8);
        std::memcpy(&b, &o, 8);
        if (a != b) return false;
        if (IsInline()) return std::memcmp(rest_.inlined, o.rest_.inlined, 8) == 0;
        return std::memcmp(rest_.ptr + 4, o.rest_.ptr + 4, length_ - 4) == 0;
    }

  private:
    uint32_t length_;
    char prefix_[4];
    union {
        char inlined[8];
        const char* ptr;
    } rest_;
};

static_assert(sizeof(StringView) == 16);

}  // namespace floe
