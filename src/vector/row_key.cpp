#include "vector/row_key.h"

#include <cstring>

namespace floe {

bool AppendRowKey(const std::vector<const Column*>& columns, uint32_t row, std::string& key) {
    bool no_nulls = true;
    for (const Column* c : columns) {
        if (c->IsNull(row) || c->type().id == TypeId::NULL_TYPE) {
            key.push_back('\0');
            no_nulls = false;
            continue;
        }
        key.push_back('\1');
        uint32_t width = c->type().PhysicalSize();
        bool is_string = c->type().HasStringHeap();
        if (is_string) {
            std::string_view v = c->Strings()[row].view();
            uint32_t len = static_cast<uint32_t>(v.size());
            key.append(reinterpret_cast<const char*>(&len), sizeof(len));
            key.append(v);
        } else {
            const char* data = reinterpret_cast<const char*>(c->Data<uint8_t>()) + static_cast<size_t>(row) * width;
            if (c->type().id == TypeId::DOUBLE) {
                double d;
                std::memcpy(&d, data, sizeof(d));
                if (d == 0) d = 0;  // -0.0 and 0.0 are one key
                key.append(reinterpret_cast<const char*>(&d), sizeof(d));
            } else {
                key.append(data, width);
            }
        }
    }
    return no_nulls;
}

}  // namespace floe

namespace floe {

uint64_t HashRowKey(std::string_view key) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
    size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, key.data() + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + i, key.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h;
}

}  // namespace floe
