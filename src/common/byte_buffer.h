#pragma once
/// A growable byte buffer that does not zero what it hands out (std::string::resize does, which
/// costs a memset of every page decompressed or read). Capacity is kept across Resize calls, so a
/// reader reuses one buffer page after page.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace floe {

class ByteBuffer {
  public:
    char* data() { return data_.get(); }
    const char* data() const { return data_.get(); }
    size_t size() const { return size_; }
    std::string_view view() const { return {data_.get(), size_}; }
    /// Makes the buffer `n` bytes long; the contents are unspecified.
    void Resize(size_t n) {
        if (n > capacity_) {
            size_t grown = capacity_ + capacity_ / 2;
            capacity_ = n > grown ? n : grown;
            data_.reset(new char[capacity_]);
        }
        size_ = n;
    }
    void Assign(std::string_view bytes) {
        Resize(bytes.size());
        if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
    }

  private:
    std::unique_ptr<char[]> data_;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

}  // namespace floe
