// More BITMAP functions (sketch.cpp has the basic ones): bitmap_to_array, array_to_bitmap,
// bitmap_max/bitmap_min, bitmap_has_any, bitmap_remove, sub_bitmap, bitmap_subset_in_range,
// bitmap_subset_limit, bitmap_to_base64/base64_to_bitmap, bitmap_to_binary/bitmap_from_binary,
// bitmap_hash64, and the bitmap_intersect and intersect_count aggregates.
// Base64 carries Floe's serialized bitmap (CRoaring's portable format), so values round-trip
// within Floe but are not StarRocks' own byte layout.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstring>
#include <string>

#include "common/exception.h"
#include "function/base64.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"
#include "types/bitmap.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kBitmap = TypeId::BITMAP;

bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

/// A function of a bitmap and two BIGINTs returning a bitmap or NULL (`op` sets is_null).
template <typename Op>
ScalarKernel BitmapAndTwoInts(Op op) {
    return [op](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = AnyNull(a, i);
            if (!n) {
                Roaring64Map b = BitmapDeserialize(a[0]->Strings()[i].view());
                Roaring64Map result;
                n = !op(b, a[1]->Data<int64_t>()[i], a[2]->Data<int64_t>()[i], result);
                if (!n) out.SetString(i, BitmapSerialize(result));
            }
            out.SetNull(i, n);
        }
    };
}

// sub_bitmap(b, offset, len): len elements from the offset-th (0-based, negative from the end).
bool SubBitmap(const Roaring64Map& b, int64_t offset, int64_t len, Roaring64Map& out) {
    auto card = static_cast<int64_t>(b.cardinality());
    if (len < 1 || offset >= card || offset < -card) return false;
    int64_t start = offset < 0 ? card + offset : offset;
    int64_t k = 0;
    for (uint64_t v : b) {
        if (k >= start + len) break;
        if (k >= start) out.add(v);
        ++k;
    }
    return true;
}

// bitmap_subset_in_range(b, start, end): the elements in [start, end); NULL when end <= start or
// start is past the largest element.
bool SubsetInRange(const Roaring64Map& b, int64_t start, int64_t end, Roaring64Map& out) {
    if (end <= start || b.isEmpty() || start > static_cast<int64_t>(b.maximum())) return false;
    uint64_t lo = start < 0 ? 0 : static_cast<uint64_t>(start);
    if (end <= 0) return true;
    auto hi = static_cast<uint64_t>(end);
    for (uint64_t v : b) {
        if (v >= hi) break;
        if (v >= lo) out.add(v);
    }
    return true;
}

// bitmap_subset_limit(b, start, limit): up to `limit` elements from start upwards, or with a
// negative limit up to -limit elements from start downwards.
bool SubsetLimit(const Roaring64Map& b, int64_t start, int64_t limit, Roaring64Map& out) {
    if (b.isEmpty()) return false;
    if (limit >= 0) {
        if (start > static_cast<int64_t>(b.maximum())) return false;
        uint64_t lo = start < 0 ? 0 : static_cast<uint64_t>(start);
        int64_t taken = 0;
        for (uint64_t v : b) {
            if (taken >= limit) break;
            if (v >= lo) {
                out.add(v);
                ++taken;
            }
        }
        return true;
    }
    if (start < 0) return true;
    std::vector<uint64_t> below;
    for (uint64_t v : b) {
        if (v > static_cast<uint64_t>(start)) break;
        below.push_back(v);
    }
    size_t want = static_cast<size_t>(-limit);
    size_t from = below.size() > want ? below.size() - want : 0;
    for (size_t k = from; k < below.size(); ++k) out.add(below[k]);
    return true;
}

class BitmapIntersectStates : public AggregateStates {
  public:
    void Resize(size_t groups) override {
        sets_.resize(groups);
        seen_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            if (a.IsNull(rows[i])) continue;
            Fold(groups[i], BitmapDeserialize(a.Strings()[rows[i]].view()));
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, !seen_[g]);
            if (seen_[g]) out.SetString(g, BitmapSerialize(sets_[g]));
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<BitmapIntersectStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (o.seen_[g]) Fold(mapping[g], o.sets_[g]);
        }
    }

  private:
    void Fold(uint32_t g, const Roaring64Map& b) {
        if (!seen_[g]) {
            sets_[g] = b;
            seen_[g] = 1;
        } else {
            sets_[g] &= b;
        }
    }
    std::vector<Roaring64Map> sets_;
    std::vector<uint8_t> seen_;
};

/// intersect_count(bitmap, dimension, v1, v2, ...): per group, the union of the bitmaps of the
/// rows whose dimension equals each vk (compared as text), then the size of the intersection of
/// those unions (0 when a value has no rows).
class IntersectCountStates : public AggregateStates {
  public:
    explicit IntersectCountStates(size_t values) : values_(values) {}
    void Resize(size_t groups) override { unions_.resize(groups * values_); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& bitmaps = *args[0];
        const Column& dims = *args[1];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (bitmaps.IsNull(r) || dims.IsNull(r)) continue;
            std::string_view dim = dims.Strings()[r].view();
            for (size_t k = 0; k < values_; ++k) {
                const Column& v = *args[2 + k];
                if (v.IsNull(r) || v.Strings()[r].view() != dim) continue;
                unions_[groups[i] * values_ + k] |= BitmapDeserialize(bitmaps.Strings()[r].view());
            }
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            Roaring64Map result = unions_[g * values_];
            for (size_t k = 1; k < values_; ++k) result &= unions_[g * values_ + k];
            out.SetNull(g, false);
            out.Data<int64_t>()[g] = static_cast<int64_t>(result.cardinality());
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<IntersectCountStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            for (size_t k = 0; k < values_; ++k) unions_[mapping[g] * values_ + k] |= o.unions_[g * values_ + k];
        }
    }

  private:
    size_t values_;
    std::vector<Roaring64Map> unions_;  // group-major: values_ per group
};

}  // namespace

void RegisterBitmapFunctions(FunctionRegistry& r) {
    const LogicalType bigints = LogicalType::Array(TypeId::BIGINT);
    r.AddScalar("bitmap_to_array",
                Overloads("bitmap_to_array", {{{kBitmap}, bigints, [](Args a, size_t rows, Column& out) {
                                                   ArrayBuilder b(TypeId::BIGINT);
                                                   for (size_t i = 0; i < rows; ++i) {
                                                       bool n = a[0]->IsNull(i);
                                                       out.SetNull(i, n);
                                                       if (n) continue;
                                                       Roaring64Map m = BitmapDeserialize(a[0]->Strings()[i].view());
                                                       for (uint64_t v : m)
                                                           b.Append(Value::Integer(static_cast<int64_t>(v)));
                                                       out.SetString(i, b.Finish());
                                                   }
                                               }}}));
    // array_to_bitmap(arr): NULL and negative elements are left out.
    r.AddScalar("array_to_bitmap",
                Overloads("array_to_bitmap", {{{bigints}, kBitmap, [](Args a, size_t rows, Column& out) {
                                                   for (size_t i = 0; i < rows; ++i) {
                                                       bool n = a[0]->IsNull(i);
                                                       out.SetNull(i, n);
                                                       if (n) continue;
                                                       ArrayReader r(a[0]->Strings()[i].view(), TypeId::BIGINT);
                                                       Roaring64Map m;
                                                       for (size_t k = 0; k < r.size(); ++k) {
                                                           if (r.IsNull(k)) continue;
                                                           int64_t v;
                                                           std::memcpy(&v, r.Slot(k), sizeof(v));
                                                           if (v >= 0) m.add(static_cast<uint64_t>(v));
                                                       }
                                                       out.SetString(i, BitmapSerialize(m));
                                                   }
                                               }}}));
    for (bool maximum : {true, false}) {
        const char* name = maximum ? "bitmap_max" : "bitmap_min";
        r.AddScalar(name,
                    Overloads(name, {{{kBitmap}, TypeId::LARGEINT, [maximum](Args a, size_t rows, Column& out) {
                                          UnaryExecuteNullable<std::string_view, int128_t>(
                                              *a[0], rows, out, [maximum](std::string_view s, bool& n) {
                                                  Roaring64Map m = BitmapDeserialize(s);
                                                  n = m.isEmpty();  // no element: NULL
                                                  if (n) return int128_t{0};
                                                  return static_cast<int128_t>(maximum ? m.maximum() : m.minimum());
                                              });
                                      }}}));
    }
    r.AddScalar(
        "bitmap_has_any",
        Overloads("bitmap_has_any", {{{kBitmap, kBitmap}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                          BinaryExecute<std::string_view, std::string_view, bool>(
                                              *a[0], *a[1], rows, out, [](std::string_view x, std::string_view y) {
                                                  Roaring64Map m = BitmapDeserialize(x);
                                                  m &= BitmapDeserialize(y);
                                                  return !m.isEmpty();
                                              });
                                      }}}));
    r.AddScalar("bitmap_remove",
                Overloads("bitmap_remove", {{{kBitmap, TypeId::BIGINT}, kBitmap, [](Args a, size_t rows, Column& out) {
                                                 BinaryExecute<std::string_view, int64_t, std::string>(
                                                     *a[0], *a[1], rows, out, [](std::string_view s, int64_t v) {
                                                         Roaring64Map m = BitmapDeserialize(s);
                                                         if (v >= 0) m.remove(static_cast<uint64_t>(v));
                                                         return BitmapSerialize(m);
                                                     });
                                             }}}));
    const std::vector<LogicalType> bitmap_two_ints = {kBitmap, TypeId::BIGINT, TypeId::BIGINT};
    r.AddScalar("sub_bitmap", Overloads("sub_bitmap", {{bitmap_two_ints, kBitmap, BitmapAndTwoInts(SubBitmap)}}));
    r.AddScalar("bitmap_subset_in_range",
                Overloads("bitmap_subset_in_range", {{bitmap_two_ints, kBitmap, BitmapAndTwoInts(SubsetInRange)}}));
    r.AddScalar("bitmap_subset_limit",
                Overloads("bitmap_subset_limit", {{bitmap_two_ints, kBitmap, BitmapAndTwoInts(SubsetLimit)}}));
    r.AddScalar(
        "bitmap_to_base64",
        Overloads("bitmap_to_base64", {{{kBitmap}, LogicalType::Varchar(), [](Args a, size_t rows, Column& out) {
                                            UnaryExecute<std::string_view, std::string>(
                                                *a[0], rows, out, [](std::string_view s) { return ToBase64(s); });
                                        }}}));
    // base64_to_bitmap: NULL when the text is not base64 of a serialized bitmap.
    r.AddScalar(
        "base64_to_bitmap",
        Overloads("base64_to_bitmap", {{{LogicalType::Varchar()}, kBitmap, [](Args a, size_t rows, Column& out) {
                                            std::string bytes;
                                            UnaryExecuteNullable<std::string_view, std::string>(
                                                *a[0], rows, out, [&bytes](std::string_view s, bool& n) {
                                                    if (!FromBase64(s, bytes)) {
                                                        n = true;
                                                        return std::string();
                                                    }
                                                    try {
                                                        return BitmapSerialize(BitmapDeserialize(bytes));
                                                    } catch (const ConversionError&) {
                                                        n = true;
                                                        return std::string();
                                                    }
                                                });
                                        }}}));
    r.AddAggregate("intersect_count", [](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() < 3 || (types[0].id != TypeId::BITMAP && types[0].id != TypeId::NULL_TYPE) || distinct) {
            throw BinderError("intersect_count() takes a BITMAP, a dimension and one or more of its values",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        BoundAggregateFunction f;
        f.name = "intersect_count";
        f.arg_types = {kBitmap};
        for (size_t k = 1; k < types.size(); ++k) f.arg_types.push_back(LogicalType::Varchar());
        f.return_type = TypeId::BIGINT;
        size_t values = types.size() - 2;
        f.make_states = [values] { return std::make_unique<IntersectCountStates>(values); };
        return f;
    });
    // bitmap_hash64(x): a bitmap of the 64-bit XXH3 hash of x's text (StarRocks' documented value).
    r.AddScalar("bitmap_hash64",
                Overloads("bitmap_hash64", {{{LogicalType::Varchar()}, kBitmap, [](Args a, size_t rows, Column& out) {
                                                 UnaryExecute<std::string_view, std::string>(
                                                     *a[0], rows, out, [](std::string_view s) {
                                                         Roaring64Map b;
                                                         b.add(static_cast<uint64_t>(XXH3_64bits(s.data(), s.size())));
                                                         return BitmapSerialize(b);
                                                     });
                                             }}}));
    // bitmap_to_binary / bitmap_from_binary: a bitmap as bytes and back (Floe's serialized form,
    // as bitmap_to_base64); bytes that are not a bitmap give NULL.
    r.AddScalar(
        "bitmap_to_binary",
        Overloads("bitmap_to_binary", {{{kBitmap}, LogicalType::Varchar(), [](Args a, size_t rows, Column& out) {
                                            UnaryExecute<std::string_view, std::string_view>(
                                                *a[0], rows, out, [](std::string_view b) { return b; });
                                        }}}));
    r.AddScalar(
        "bitmap_from_binary",
        Overloads("bitmap_from_binary", {{{LogicalType::Varchar()}, kBitmap, [](Args a, size_t rows, Column& out) {
                                              UnaryExecuteNullable<std::string_view, std::string>(
                                                  *a[0], rows, out, [](std::string_view bytes, bool& n) {
                                                      try {
                                                          return BitmapSerialize(BitmapDeserialize(bytes));
                                                      } catch (const ConversionError&) {
                                                          n = true;
                                                          return std::string();
                                                      }
                                                  });
                                          }}}));
    r.AddAggregate("bitmap_intersect", [](const std::vector<LogicalType>& types, bool) {
        if (types.size() != 1 || (types[0].id != TypeId::BITMAP && types[0].id != TypeId::NULL_TYPE))
            throw BinderError("bitmap_intersect() takes one BITMAP argument", ErrorCode::WRONG_ARGUMENTS);
        BoundAggregateFunction f;
        f.name = "bitmap_intersect";
        f.arg_types = {kBitmap};
        f.return_type = kBitmap;
        f.make_states = [] { return std::make_unique<BitmapIntersectStates>(); };
        return f;
    });
}

}  // namespace floe
