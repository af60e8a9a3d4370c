#pragma once
/// A chunk is the unit operators pass: up to kChunkCapacity rows as one Column per output column.
/// An optional selection vector lists the live rows so filters need not copy.

#include <cstdint>
#include <memory>
#include <vector>

#include "vector/column.h"

namespace floe {

/// Row indexes into a chunk's columns, in ascending order.
using SelectionVector = std::vector<uint32_t>;

class Chunk {
  public:
    Chunk() = default;
    explicit Chunk(const std::vector<LogicalType>& types, size_t capacity = kChunkCapacity);

    size_t column_count() const { return columns_.size(); }
    /// Physical rows in the columns (before the selection vector applies).
    size_t size() const { return size_; }
    void SetSize(size_t n);

    Column& column(size_t i) { return *columns_[i]; }
    const Column& column(size_t i) const { return *columns_[i]; }
    void AddColumn(std::shared_ptr<Column> col);
    std::shared_ptr<Column> shared_column(size_t i) const { return columns_[i]; }
    void SetColumn(size_t i, std::shared_ptr<Column> col) { columns_[i] = std::move(col); }

    /// Live rows; nullptr when every row is live.
    const SelectionVector* selection() const { return selection_.get(); }
    void SetSelection(std::unique_ptr<SelectionVector> sel) { selection_ = std::move(sel); }
    /// Rows a consumer sees: the selection's size, or size().
    size_t live_rows() const { return selection_ ? selection_->size() : size_; }
    /// Physical row of the i-th live row.
    uint32_t LiveRow(size_t i) const { return selection_ ? (*selection_)[i] : static_cast<uint32_t>(i); }

  private:
    std::vector<std::shared_ptr<Column>> columns_;
    size_t size_ = 0;
    std::unique_ptr<SelectionVector> selection_;
};

}  // namespace floe
