#pragma once
/// A column of one chunk: fixed-width values in one contiguous buffer, a byte-per-row null map
/// (0 = valid, 1 = null), and for strings 16-byte StringViews pointing into a heap the column owns.
/// Kernels work on the raw buffers (Data<T>(), nulls()); GetValue/Append are for the slow paths.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include "types/logical_type.h"
#include "types/value.h"
#include "vector/string_view.h"

namespace floe {

/// A byte array that grows without initializing the new bytes (Column::Resize zeroes exactly the
/// rows it adds, once) and moves its contents with one memcpy when it grows (a std::vector with a
/// non-initializing allocator copied them byte by byte). It may also borrow bytes it does not
/// own (Borrow): reads see them in place; the first write access (non-const data(), [] or
/// resize) copies them into an array of its own.
class PodBytes {
  public:
    PodBytes() = default;
    PodBytes(const PodBytes& o) { *this = o; }
    PodBytes(PodBytes&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)),
          size_(std::exchange(o.size_, 0)),
          capacity_(std::exchange(o.capacity_, 0)),
          borrowed_(std::exchange(o.borrowed_, false)) {}
    PodBytes& operator=(const PodBytes& o) {
        if (this != &o) {
            resize(0);
            resize(o.size_);
            if (o.size_) std::memcpy(data_, o.data_, o.size_);
        }
        return *this;
    }
    PodBytes& operator=(PodBytes&& o) noexcept {
        if (this != &o) {
            if (!borrowed_) ::operator delete(data_);
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            capacity_ = std::exchange(o.capacity_, 0);
            borrowed_ = std::exchange(o.borrowed_, false);
        }
        return *this;
    }
    ~PodBytes() {
        if (!borrowed_) ::operator delete(data_);
    }
    uint8_t* data() {
        if (borrowed_) Unshare();
        return data_;
    }
    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    uint8_t& operator[](size_t i) {
        if (borrowed_) Unshare();
        return data_[i];
    }
    const uint8_t& operator[](size_t i) const { return data_[i]; }
    /// Reads `n` bytes at `p` (kept alive by the caller) instead of an array of its own.
    void Borrow(const uint8_t* p, size_t n) {
        if (!borrowed_) ::operator delete(data_);
        data_ = const_cast<uint8_t*>(p);  // never written: writes unshare first
        size_ = capacity_ = n;
        borrowed_ = true;
    }
    bool borrowed() const { return borrowed_; }
    /// Makes the array `n` bytes long, keeping the first min(n, size()) bytes; capacity grows
    /// geometrically (at least doubling), so a run of growing resizes costs linear time.
    void resize(size_t n) {
        if (borrowed_) Unshare();
        if (n > capacity_) {
            size_t capacity = std::max(n, capacity_ * 2);
            auto* grown = static_cast<uint8_t*>(::operator new(capacity));
            if (size_) std::memcpy(grown, data_, size_);
            ::operator delete(data_);
            data_ = grown;
            capacity_ = capacity;
        }
        size_ = n;
    }

  private:
    /// Copies borrowed bytes into an array of its own.
    void Unshare() {
        auto* own = static_cast<uint8_t*>(::operator new(std::max<size_t>(size_, 1)));
        if (size_) std::memcpy(own, data_, size_);
        data_ = own;
        capacity_ = std::max<size_t>(size_, 1);
        borrowed_ = false;
    }

    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t capacity_ = 0;
    bool borrowed_ = false;
};

/// Most rows a chunk holds; operators size their buffers by it.
constexpr size_t kChunkCapacity = 4096;

/// Arena for string bytes referenced by a column's StringViews.
class StringHeap {
  public:
    /// Returns room for `n` bytes that stays valid until the heap is cleared or destroyed.
    char* Allocate(size_t n);
    /// Copies `s` into the heap and returns a view of the copy (inline when short).
    StringView Add(std::string_view s);
    void Clear();

  private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* cursor_ = nullptr;
    size_t remaining_ = 0;
};

class Column {
  public:
    explicit Column(LogicalType type, size_t capacity = kChunkCapacity);

    const LogicalType& type() const { return type_; }
    size_t size() const { return size_; }
    /// Sets the logical size, growing the buffers (new rows are zero and valid).
    void Resize(size_t n);
    /// Sets the logical size without clearing new rows: the caller writes every new row's value
    /// and NULL flag (decoders filling whole chunks).
    void ResizeUninitialized(size_t n) {
        if (encoded_ && n > size_) ClearEncoding();
        if (n > size_) Reserve(std::max(n, size_ * 2));
        size_ = n;
    }

    /// Makes this column rows [start, start + count) of `src` without copying them: it reads
    /// src's buffers (and heap), which it keeps alive, until something writes to it, when it
    /// copies them into buffers of its own (PodBytes::Borrow). Scans hand out slices of cached
    /// columns this way.
    void Borrow(std::shared_ptr<const Column> src, size_t start, size_t count);

    // Constant and dictionary columns. A column always holds its flat values, which every reader
    // may use; it may also say how they are encoded, for readers that can do better with that
    // (expression evaluation computes a function once for a constant column, once per entry of
    // a dictionary column). Producers mark a column once it is filled; the column's own
    // mutators (growing it, Append*, SetValue, SetString) drop the mark, and nothing writes
    // through Data() into a column that carries one.

    /// Marks every row as equal to row 0 (NULL or not).
    void MarkConstant() {
        ClearEncoding();
        constant_ = encoded_ = true;
    }
    bool is_constant() const { return constant_; }
    /// Marks the column as dictionary-coded: for each non-NULL row r, the value is row codes[r]
    /// of `dictionary` (a flat column of at most 65536 distinct values). `owner` keeps `codes`
    /// alive.
    void SetDictionary(std::shared_ptr<const Column> dictionary, std::shared_ptr<const void> owner,
                       const uint16_t* codes) {
        dictionary_ = std::move(dictionary);
        codes_owner_ = std::move(owner);
        codes_ = codes;
        constant_ = false;
        encoded_ = true;
    }
    /// The dictionary and the rows' codes, or nullptr.
    const Column* dictionary() const { return dictionary_.get(); }
    const std::shared_ptr<const Column>& shared_dictionary() const { return dictionary_; }
    const uint16_t* codes() const { return codes_; }
    const std::shared_ptr<const void>& codes_owner() const { return codes_owner_; }
    void ClearEncoding() {
        dictionary_.reset();
        codes_owner_.reset();
        codes_ = nullptr;
        constant_ = encoded_ = false;
    }
    void Reserve(size_t n);

    template <typename T>
    T* Data() {
        return reinterpret_cast<T*>(data_.data());
    }
    template <typename T>
    const T* Data() const {
        return reinterpret_cast<const T*>(data_.data());
    }
    StringView* Strings() { return Data<StringView>(); }
    const StringView* Strings() const { return Data<StringView>(); }

    uint8_t* nulls() { return nulls_.data(); }
    const uint8_t* nulls() const { return nulls_.data(); }
    bool IsNull(size_t row) const { return nulls_[row] != 0; }
    void SetNull(size_t row, bool is_null) { nulls_[row] = is_null ? 1 : 0; }
    bool HasNulls() const;

    /// Stores a copy of `s` at `row` (the row must exist).
    void SetString(size_t row, std::string_view s) {
        if (encoded_) ClearEncoding();
        Strings()[row] = heap_.Add(s);
    }
    StringHeap& heap() { return heap_; }
    /// Keeps `owner` alive as long as this column: its StringViews may point into owner's heap
    /// (zero-copy slices of a cached segment column).
    void ReferenceHeapOf(std::shared_ptr<const Column> owner) { heap_refs_.push_back(std::move(owner)); }

    /// Appends one value, cast-free: the value's type must match the column's physical type.
    void Append(const Value& v);
    /// Reads one row as a Value of the column's type.
    Value GetValue(size_t row) const;
    /// Writes one row from a Value of matching physical type (null allowed).
    void SetValue(size_t row, const Value& v);
    /// Appends `n` rows of `src` (same type), taking row `rows[i]` for the i-th (all rows in order
    /// when `rows` is nullptr); a row index of UINT32_MAX appends a NULL. Strings are copied into
    /// this column's heap.
    void AppendRows(const Column& src, const uint32_t* rows, size_t n);
    /// The same, except that strings are not copied: the views are, and this column keeps `src`
    /// (whose heap they point into) alive.
    void AppendRowsReferencing(const std::shared_ptr<const Column>& src, const uint32_t* rows, size_t n);
    /// Three-way comparison of row `a` of this column with row `b` of `other` (same type);
    /// NULLs compare equal to each other and lower than any value.
    int CompareRows(size_t a, const Column& other, size_t b) const;

  private:
    LogicalType type_;
    uint32_t width_;
    size_t size_ = 0;
    PodBytes data_;
    PodBytes nulls_;
    StringHeap heap_;
    std::vector<std::shared_ptr<const Column>> heap_refs_;
    std::shared_ptr<const Column> borrowed_from_;  // keeps borrowed buffers alive (Borrow)
    // Encoding marks (see MarkConstant / SetDictionary).
    bool encoded_ = false;
    bool constant_ = false;
    std::shared_ptr<const Column> dictionary_;
    std::shared_ptr<const void> codes_owner_;
    const uint16_t* codes_ = nullptr;
};

}  // namespace floe
