#include "storage/primary_key_index.h"

#include "vector/row_key.h"

namespace floe {

void PrimaryKeyIndex::EncodeKeys(const Chunk& chunk, const std::vector<size_t>& key_columns,
                                 std::vector<std::string>& keys) {
    std::vector<const Column*> cols;
    for (size_t c : key_columns) cols.push_back(&chunk.column(c));
    for (size_t i = 0; i < chunk.live_rows(); ++i) {
        std::string key;
        AppendRowKey(cols, chunk.LiveRow(i), key);
        keys.push_back(std::move(key));
    }
}

}  // namespace floe
