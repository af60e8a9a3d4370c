#include "vector/column.h"

#include "types/array.h"

#include <algorithm>
#include <cstring>

#include "common/check.h"

namespace floe {

namespace {
constexpr size_t kHeapBlockSize = 64 * 1024;
}

char* StringHeap::Allocate(size_t n) {
    if (n > remaining_) {
        size_t block = std::max(n, kHeapBlockSize);
        blocks_.emplace_back(new char[block]);
        cursor_ = blocks_.back().get();
        remaining_ = block;
    }
    char* out = cursor_;
    cursor_ += n;
    remaining_ -= n;
    return out;
}

StringView StringHeap::Add(std::string_view s) {
    if (s.size() <= StringView::kInlineLength) return StringView(s.data(), static_cast<uint32_t>(s.size()));
    char* dst = Allocate(s.size());
    std::memcpy(dst, s.data(), s.size());
    return StringView(dst, static_cast<uint32_t>(s.size()));
}

void StringHeap::Clear() {
    blocks_.clear();
    cursor_ = nullptr;
    remaining_ = 0;
}

Column::Column(LogicalType type, size_t capacity) : type_(type), width_(type.PhysicalSize()) {
    Reserve(capacity);
}

void Column::Borrow(std::shared_ptr<const Column> src, size_t start, size_t count) {
    FLOE_CHECK(src->width_ == width_ && start + count <= src->size_);
    ClearEncoding();
    size_ = count;
    data_.Borrow(src->data_.data() + start * width_, count * width_);
    nulls_.Borrow(src->nulls_.data() + start, count);
    if (type_.HasStringHeap()) ReferenceHeapOf(src);  // the views point into src's heap
    borrowed_from_ = std::move(src);
}

void Column::Reserve(size_t n) {
    if (data_.size() < n * width_) data_.resize(n * width_);
    if (nulls_.size() < n) nulls_.resize(n);
}

void Column::Resize(size_t n) {
    if (n > size_) {
        if (encoded_) ClearEncoding();  // new rows (zero) are not in the encoding; fewer rows still are
        Reserve(std::max(n, size_ * 2));
        std::memset(data_.data() + size_ * width_, 0, (n - size_) * width_);
        std::memset(nulls_.data() + size_, 0, n - size_);
    }
    size_ = n;
}

bool Column::HasNulls() const {
    for (size_t i = 0; i < size_; ++i) {
        if (nulls_[i]) return true;
    }
    return false;
}

void Column::Append(const Value& v) {
    Resize(size_ + 1);
    SetValue(size_ - 1, v);
}

void Column::SetValue(size_t row, const Value& v) {
    FLOE_DCHECK(row < size_);
    if (encoded_) ClearEncoding();
    if (v.is_null()) {
        nulls_[row] = 1;
        return;
    }
    nulls_[row] = 0;
    switch (type_.id) {
        case TypeId::NULL_TYPE:
            nulls_[row] = 1;
            break;
        case TypeId::BOOLEAN:
            Data<uint8_t>()[row] = v.GetBool() ? 1 : 0;
            break;
        case TypeId::TINYINT:
            Data<int8_t>()[row] = static_cast<int8_t>(v.GetInt());
            break;
        case TypeId::SMALLINT:
            Data<int16_t>()[row] = static_cast<int16_t>(v.GetInt());
            break;
        case TypeId::INT:
            Data<int32_t>()[row] = static_cast<int32_t>(v.GetInt());
            break;
        case TypeId::DATE:
            Data<int32_t>()[row] = static_cast<int32_t>(v.GetInt());
            break;
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            Data<int64_t>()[row] = v.GetInt();
            break;
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            Data<int128_t>()[row] = v.GetInt128();
            break;
        case TypeId::FLOAT:
            Data<float>()[row] = static_cast<float>(v.GetDouble());
            break;
        case TypeId::DOUBLE:
            Data<double>()[row] = v.GetDouble();
            break;
        default:
            SetString(row, v.GetString());
            break;
    }
}

Value Column::GetValue(size_t row) const {
    FLOE_DCHECK(row < size_);
    if (nulls_[row] || type_.id == TypeId::NULL_TYPE) return Value::Null(type_);
    switch (type_.id) {
        case TypeId::BOOLEAN:
            return Value::Boolean(Data<uint8_t>()[row] != 0);
        case TypeId::TINYINT:
            return Value::Integer(Data<int8_t>()[row], TypeId::TINYINT);
        case TypeId::SMALLINT:
            return Value::Integer(Data<int16_t>()[row], TypeId::SMALLINT);
        case TypeId::INT:
            return Value::Integer(Data<int32_t>()[row], TypeId::INT);
        case TypeId::BIGINT:
            return Value::Integer(Data<int64_t>()[row], TypeId::BIGINT);
        case TypeId::LARGEINT:
            return Value::LargeInt(Data<int128_t>()[row]);
        case TypeId::FLOAT:
            return Value::Float(Data<float>()[row]);
        case TypeId::DOUBLE:
            return Value::Double(Data<double>()[row]);
        case TypeId::DECIMAL:
            return Value::Decimal(Data<int128_t>()[row], type_.precision, type_.scale);
        case TypeId::DATE:
            return Value::Date(Data<int32_t>()[row]);
        case TypeId::DATETIME:
            return Value::Datetime(Data<int64_t>()[row]);
        case TypeId::JSON:
            return Value::Json(std::string(Strings()[row].view()));
        case TypeId::BITMAP:
            return Value::Bitmap(std::string(Strings()[row].view()));
        case TypeId::HLL:
            return Value::Hll(std::string(Strings()[row].view()));
        case TypeId::ARRAY:
            return Value::Array(type_, std::string(Strings()[row].view()));
        default:
            return Value::Varchar(std::string(Strings()[row].view()));
    }
}

namespace {

/// Fixed-width gather with the width known at compile time (a memcpy of a runtime width is a
/// library call per value).
template <typename T>
void GatherFixed(const uint8_t* src_data, const uint8_t* src_nulls, uint8_t* data, uint8_t* nulls, const uint32_t* rows,
                 size_t n) {
    const T* in = reinterpret_cast<const T*>(src_data);
    T* out = reinterpret_cast<T*>(data);
    for (size_t i = 0; i < n; ++i) {
        uint32_t r = rows ? rows[i] : static_cast<uint32_t>(i);
        if (r == UINT32_MAX) {  // no source row: NULL
            nulls[i] = 1;
            std::memset(&out[i], 0, sizeof(T));
            continue;
        }
        nulls[i] = src_nulls[r];
        std::memcpy(&out[i], &in[r], sizeof(T));
    }
}

struct Bytes16 {
    uint64_t lo, hi;
};

}  // namespace

void Column::AppendRowsReferencing(const std::shared_ptr<const Column>& src, const uint32_t* rows, size_t n) {
    if (encoded_) ClearEncoding();
    if (!type_.HasStringHeap()) return AppendRows(*src, rows, n);
    FLOE_CHECK(src->width_ == width_);
    size_t base = size_;
    if (size_ + n > data_.size() / width_ || size_ + n > nulls_.size()) Reserve(std::max(size_ + n, size_ * 2));
    size_ += n;
    GatherFixed<Bytes16>(src->data_.data(), src->nulls_.data(), data_.data() + base * width_, nulls_.data() + base,
                         rows, n);
    ReferenceHeapOf(src);
}

void Column::AppendRows(const Column& src, const uint32_t* rows, size_t n) {
    FLOE_CHECK(src.width_ == width_);
    if (encoded_) ClearEncoding();
    size_t base = size_;
    bool is_string = type_.HasStringHeap();
    if (!is_string && (width_ == 1 || width_ == 2 || width_ == 4 || width_ == 8 || width_ == 16)) {
        // Every appended value is written below: grow without zeroing.
        if (size_ + n > data_.size() / std::max<size_t>(width_, 1) || size_ + n > nulls_.size()) {
            Reserve(std::max(size_ + n, size_ * 2));
        }
        size_ += n;
        uint8_t* data = data_.data() + base * width_;
        uint8_t* nulls = nulls_.data() + base;
        switch (width_) {
            case 1:
                GatherFixed<uint8_t>(src.data_.data(), src.nulls_.data(), data, nulls, rows, n);
                break;
            case 2:
                GatherFixed<uint16_t>(src.data_.data(), src.nulls_.data(), data, nulls, rows, n);
                break;
            case 4:
                GatherFixed<uint32_t>(src.data_.data(), src.nulls_.data(), data, nulls, rows, n);
                break;
            case 8:
                GatherFixed<uint64_t>(src.data_.data(), src.nulls_.data(), data, nulls, rows, n);
                break;
            default:
                GatherFixed<Bytes16>(src.data_.data(), src.nulls_.data(), data, nulls, rows, n);
                break;
        }
        return;
    }
    Resize(size_ + n);
    for (size_t i = 0; i < n; ++i) {
        size_t r = rows ? rows[i] : i;
        if (r == UINT32_MAX) {  // no source row: NULL
            nulls_[base + i] = 1;
            std::memset(data_.data() + (base + i) * width_, 0, width_);
            continue;
        }
        nulls_[base + i] = src.nulls_[r];
        if (is_string) {
            Strings()[base + i] = heap_.Add(src.Strings()[r].view());
        } else {
            std::memcpy(data_.data() + (base + i) * width_, src.data_.data() + r * width_, width_);
        }
    }
}

namespace {
template <typename T>
int Cmp(const T& x, const T& y) {
    return x < y ? -1 : (y < x ? 1 : 0);
}
}  // namespace

int Column::CompareRows(size_t a, const Column& other, size_t b) const {
    bool an = nulls_[a] != 0, bn = other.nulls_[b] != 0;
    if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
    switch (type_.id) {
        case TypeId::BOOLEAN:
            return Cmp(Data<uint8_t>()[a], other.Data<uint8_t>()[b]);
        case TypeId::TINYINT:
            return Cmp(Data<int8_t>()[a], other.Data<int8_t>()[b]);
        case TypeId::SMALLINT:
            return Cmp(Data<int16_t>()[a], other.Data<int16_t>()[b]);
        case TypeId::INT:
        case TypeId::DATE:
            return Cmp(Data<int32_t>()[a], other.Data<int32_t>()[b]);
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            return Cmp(Data<int64_t>()[a], other.Data<int64_t>()[b]);
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return Cmp(Data<int128_t>()[a], other.Data<int128_t>()[b]);
        case TypeId::FLOAT:
            return Cmp(Data<float>()[a], other.Data<float>()[b]);
        case TypeId::DOUBLE:
            return Cmp(Data<double>()[a], other.Data<double>()[b]);
        case TypeId::NULL_TYPE:
            return 0;
        case TypeId::ARRAY:
            return CompareArrays(Strings()[a].view(), other.Strings()[b].view(), type_.Element());
        default: {
            int c = Strings()[a].view().compare(other.Strings()[b].view());
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
    }
}

}  // namespace floe
