#include "vector/chunk.h"

namespace floe {

Chunk::Chunk(const std::vector<LogicalType>& types, size_t capacity) {
    columns_.reserve(types.size());
    for (const auto& t : types) columns_.push_back(std::make_shared<Column>(t, capacity));
}

void Chunk::SetSize(size_t n) {
    size_ = n;
    for (auto& c : columns_) c->Resize(n);
}

void Chunk::AddColumn(std::shared_ptr<Column> col) {
    if (columns_.empty()) size_ = col->size();
    columns_.push_back(std::move(col));
}

}  // namespace floe
