#pragma once
/// A column of one chunk: fixed-width values in one contiguous buffer, a byte-per-row null map
/// (0 = valid, 1 = null), and for strings 16-byte StringViews pointing into a heap the column owns.
/// Kernels work on the raw buffers (Data<T>(), nulls()); GetValue/Append are for the slow paths.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "types/logical_type.h"
#include "types/value.h"
#include "vector/string_view.h"

namespace floe {

/// An allocator whose value-initialization does nothing: growing a byte vector does not zero the
/// new bytes (Column::Resize zeroes exactly the rows it adds, once).
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() = default;
    template <typename U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT: converting, as std::allocator
    template <typename U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
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
        if (n > size_) Reserve(std::max(n, size_ * 2));
        size_ = n;
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
    void SetString(size_t row, std::string_view s) { Strings()[row] = heap_.Add(s); }
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
    std::vector<uint8_t, DefaultInitAllocator<uint8_t>> data_;
    std::vector<uint8_t, DefaultInitAllocator<uint8_t>> nulls_;
    StringHeap heap_;
    std::vector<std::shared_ptr<const Column>> heap_refs_;
};

}  // namespace floe
