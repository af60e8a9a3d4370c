#include "types/hll.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/exception.h"

namespace floe {

void Hll::ToDense() {
    registers_.assign(kRegisters, 0);
    std::vector<uint64_t> hashes = std::move(explicit_);
    explicit_.clear();
    for (uint64_t h : hashes) AddHash(h);
}

void Hll::AddHash(uint64_t hash) {
    if (registers_.empty()) {
        auto it = std::lower_bound(explicit_.begin(), explicit_.end(), hash);
        if (it != explicit_.end() && *it == hash) return;
        explicit_.insert(it, hash);
        if (explicit_.size() > kExplicitMax) ToDense();
        return;
    }
    size_t index = hash >> (64 - kPrecision);
    uint64_t rest = (hash << kPrecision) | (uint64_t{1} << (kPrecision - 1));
    auto rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
}

void Hll::Merge(const Hll& other) {
    if (other.registers_.empty()) {
        for (uint64_t h : other.explicit_) AddHash(h);
        return;
    }
    if (registers_.empty()) ToDense();
    for (size_t i = 0; i < kRegisters; ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
}

int64_t Hll::Estimate() const {
    if (registers_.empty()) return static_cast<int64_t>(explicit_.size());
    const double m = static_cast<double>(kRegisters);
    double sum = 0;
    size_t zeros = 0;
    for (uint8_t r : registers_) {
        sum += std::ldexp(1.0, -r);
        zeros += r == 0;
    }
    double alpha = 0.7213 / (1 + 1.079 / m);
    double estimate = alpha * m * m / sum;
    if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / static_cast<double>(zeros));
    return static_cast<int64_t>(estimate + 0.5);
}

std::string Hll::Serialize() const {
    std::string out;
    if (!registers_.empty()) {
        out.push_back(2);
        out.append(reinterpret_cast<const char*>(registers_.data()), registers_.size());
    } else if (!explicit_.empty()) {
        out.push_back(1);
        auto n = static_cast<uint16_t>(explicit_.size());
        out.append(reinterpret_cast<const char*>(&n), 2);
        out.append(reinterpret_cast<const char*>(explicit_.data()), explicit_.size() * 8);
    } else {
        out.push_back(0);
    }
    return out;
}

Hll Hll::Deserialize(std::string_view bytes) {
    Hll h;
    auto bad = [] { return ConversionError("value is not a valid HLL", ErrorCode::BAD_FIELD_VALUE); };
    if (bytes.empty()) throw bad();
    switch (bytes[0]) {
        case 0:
            if (bytes.size() != 1) throw bad();
            return h;
        case 1: {
            if (bytes.size() < 3) throw bad();
            uint16_t n;
            std::memcpy(&n, bytes.data() + 1, 2);
            if (n > kExplicitMax || bytes.size() != 3 + size_t{n} * 8) throw bad();
            h.explicit_.resize(n);
            std::memcpy(h.explicit_.data(), bytes.data() + 3, size_t{n} * 8);
            std::sort(h.explicit_.begin(), h.explicit_.end());
            return h;
        }
        case 2:
            if (bytes.size() != 1 + kRegisters) throw bad();
            h.registers_.assign(bytes.begin() + 1, bytes.end());
            return h;
        default:
            throw bad();
    }
}

}  // namespace floe
