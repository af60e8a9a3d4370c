#include "ingest/record_blocks.h"

#include <algorithm>
#include <cstring>

namespace floe {

size_t StringBodySource::Read(char* out, size_t capacity) {
    size_t n = std::min(capacity, data_.size() - pos_);
    if (n == 0) return 0;  // memcpy takes no null pointer, even for zero bytes
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return n;
}

RecordBlocks::RecordBlocks(BodySource& source, std::string delimiter, char enclose, char escape, size_t block_bytes)
    : source_(&source),
      delimiter_(delimiter.empty() ? std::string("\n") : std::move(delimiter)),
      enclose_(enclose),
      escape_(escape),
      block_bytes_(std::max<size_t>(block_bytes, 1)) {}

RecordBlocks::RecordBlocks(std::string_view body, std::string delimiter, char enclose, char escape, size_t block_bytes)
    : whole_(body),
      delimiter_(delimiter.empty() ? std::string("\n") : std::move(delimiter)),
      enclose_(enclose),
      escape_(escape),
      block_bytes_(std::max<size_t>(block_bytes, 1)) {
    ended_ = true;
    bytes_ = body.size();
}

void RecordBlocks::Buffer::Reserve(size_t n, bool keep_contents) {
    if (capacity >= n) return;
    auto bigger = std::unique_ptr<char[]>(new char[n]);
    if (keep_contents && size) std::memcpy(bigger.get(), data.get(), size);
    data = std::move(bigger);
    capacity = n;
}

void RecordBlocks::Fill(Buffer& b, size_t target) {
    while (b.size < target && !ended_) {
        if (b.size == b.capacity) {
            size_t grown = b.capacity < (size_t{1} << 20) ? (size_t{1} << 20) : b.capacity * 2;
            b.Reserve(std::min(std::max(grown, b.size + 1), std::max(target, b.size + 1)), true);
        }
        size_t n = source_->Read(b.data.get() + b.size, b.capacity - b.size);
        if (n == 0) ended_ = true;
        b.size += n;
        bytes_ += n;
    }
}

size_t RecordBlocks::Cut(std::string_view data) const {
    if (!enclose_ && !escape_) {
        size_t at = delimiter_.size() == 1 ? (data.empty() ? std::string_view::npos : data.rfind(delimiter_[0]))
                                           : data.rfind(delimiter_);
        return at == std::string_view::npos ? 0 : at + delimiter_.size();
    }
    // A delimiter inside an enclosed field, or escaped, does not end a record: scan from the start.
    size_t cut = 0;
    bool quoted = false;
    for (size_t i = 0; i < data.size(); ++i) {
        char c = data[i];
        if (escape_ && c == escape_) {
            ++i;
        } else if (enclose_ && c == enclose_) {
            quoted = !quoted;
        } else if (!quoted && c == delimiter_[0] && data.compare(i, delimiter_.size(), delimiter_) == 0) {
            i += delimiter_.size() - 1;
            cut = i + 1;
        }
    }
    return cut;
}

RecordBlocks::Buffer& RecordBlocks::Fresh() {
    size_t next;
    if (keep_ || buffers_.size() < 2) {
        buffers_.push_back(std::make_unique<Buffer>());
        next = buffers_.size() - 1;
    } else {
        next = 1 - current_;
    }
    Buffer& b = *buffers_[next];
    b.size = 0;
    b.Reserve(std::max(block_bytes_, tail_.size()) + 1, false);
    if (!tail_.empty()) std::memcpy(b.data.get(), tail_.data(), tail_.size());
    b.size = tail_.size();
    current_ = next;
    return b;
}

bool RecordBlocks::Next(std::string_view& block) {
    if (!source_) {
        size_t rest = whole_.size() - whole_pos_;
        if (rest == 0) return false;
        size_t target = std::max(block_bytes_, min_target_);
        min_target_ = 0;
        size_t cut = 0;
        while (true) {
            if (target >= rest) {
                cut = rest;
                break;
            }
            cut = Cut(whole_.substr(whole_pos_, target));
            if (cut > 0) break;
            target *= 2;
        }
        block = whole_.substr(whole_pos_, cut);
        whole_pos_ += cut;
        return true;
    }
    if (ended_ && tail_.empty()) return false;
    Buffer& b = Fresh();
    size_t target = std::max(block_bytes_, min_target_);
    min_target_ = 0;
    size_t cut = 0;
    while (true) {
        Fill(b, target);
        if (ended_) {
            cut = b.size;
            break;
        }
        cut = Cut(std::string_view(b.data.get(), b.size));
        if (cut > 0) break;
        target = b.size * 2;  // a record longer than the block: read on until it ends
    }
    tail_ = std::string_view(b.data.get() + cut, b.size - cut);
    block = std::string_view(b.data.get(), cut);
    return cut > 0 || !ended_;
}

void RecordBlocks::Unread(size_t n) {
    if (!source_) {
        n = std::min(n, whole_pos_);
        whole_pos_ -= n;
        if (n > 0) min_target_ = n * 2 + 1;
        return;
    }
    const Buffer& b = *buffers_[current_];
    size_t block_end = static_cast<size_t>(tail_.data() - b.data.get());
    n = std::min(n, block_end);
    tail_ = std::string_view(b.data.get() + block_end - n, b.size - block_end + n);
    if (n == block_end) min_target_ = tail_.size() * 2 + 1;
}

bool RecordBlocks::ReadAll(std::string_view& block, size_t limit) {
    if (!source_) {
        block = whole_.substr(whole_pos_);
        whole_pos_ = whole_.size();
        return block.size() <= limit;
    }
    Buffer& b = Fresh();
    Fill(b, limit == SIZE_MAX ? SIZE_MAX : limit + 1);
    tail_ = std::string_view();
    block = std::string_view(b.data.get(), b.size);
    return b.size <= limit;
}

}  // namespace floe
