#include "execution/operator/scan_predicate.h"

#include <cstring>
#include <string_view>

namespace floe {

namespace {

template <typename T, typename C>
void Compare(const T* data, size_t n, ZoneOp op, C c, uint8_t* pass) {
    switch (op) {
        case ZoneOp::EQ:
            for (size_t i = 0; i < n; ++i) pass[i] &= static_cast<uint8_t>(static_cast<C>(data[i]) == c);
            return;
        case ZoneOp::LT:
            for (size_t i = 0; i < n; ++i) pass[i] &= static_cast<uint8_t>(static_cast<C>(data[i]) < c);
            return;
        case ZoneOp::LE:
            for (size_t i = 0; i < n; ++i) pass[i] &= static_cast<uint8_t>(static_cast<C>(data[i]) <= c);
            return;
        case ZoneOp::GT:
            for (size_t i = 0; i < n; ++i) pass[i] &= static_cast<uint8_t>(static_cast<C>(data[i]) > c);
            return;
        case ZoneOp::GE:
            for (size_t i = 0; i < n; ++i) pass[i] &= static_cast<uint8_t>(static_cast<C>(data[i]) >= c);
            return;
    }
}

void CompareStrings(const StringView* data, size_t n, ZoneOp op, std::string_view c, uint8_t* pass) {
    for (size_t i = 0; i < n; ++i) {
        if (!pass[i]) continue;
        int cmp = data[i].view().compare(c);
        bool ok = op == ZoneOp::EQ   ? cmp == 0
                  : op == ZoneOp::LT ? cmp < 0
                  : op == ZoneOp::LE ? cmp <= 0
                  : op == ZoneOp::GT ? cmp > 0
                                     : cmp >= 0;
        pass[i] = ok ? 1 : 0;
    }
}

}  // namespace

// Floating columns are left to the filter (NaN and -0.0 compare by SQL's rules, not C++'s).
bool ScanPredicate::Add(const LogicalType& column_type, ZoneOp op, const Value& constant) {
    if (constant.is_null()) return false;
    const LogicalType& c = constant.type();
    bool ok = false;
    switch (column_type.id) {
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
            ok = c.IsInteger() && c.id != TypeId::LARGEINT;
            break;
        case TypeId::DATE:
        case TypeId::DATETIME:
            ok = c.id == column_type.id;
            break;
        case TypeId::DECIMAL:
            ok = c == column_type;
            break;
        case TypeId::VARCHAR:
            ok = c.IsString();
            break;
        default:
            break;
    }
    if (ok) conjuncts_.push_back({op, constant});
    return ok;
}

void ScanPredicate::Evaluate(const Column& values, size_t begin, size_t n, uint8_t* pass) const {
    const uint8_t* nulls = values.nulls() + begin;
    for (size_t i = 0; i < n; ++i) pass[i] = nulls[i] == 0 ? 1 : 0;
    for (const auto& k : conjuncts_) {
        switch (values.type().id) {
            case TypeId::TINYINT:
                Compare(values.Data<int8_t>() + begin, n, k.op, k.constant.GetInt(), pass);
                break;
            case TypeId::SMALLINT:
                Compare(values.Data<int16_t>() + begin, n, k.op, k.constant.GetInt(), pass);
                break;
            case TypeId::INT:
            case TypeId::DATE:
                Compare(values.Data<int32_t>() + begin, n, k.op, k.constant.GetInt(), pass);
                break;
            case TypeId::BIGINT:
            case TypeId::DATETIME:
                Compare(values.Data<int64_t>() + begin, n, k.op, k.constant.GetInt(), pass);
                break;
            case TypeId::DECIMAL:
                Compare(values.Data<int128_t>() + begin, n, k.op, k.constant.GetInt128(), pass);
                break;
            case TypeId::VARCHAR:
                CompareStrings(values.Strings() + begin, n, k.op, k.constant.GetString(), pass);
                break;
            default:
                break;
        }
    }
}

}  // namespace floe
