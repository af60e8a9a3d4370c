// BITMAP and HLL scalar functions: to_bitmap, bitmap_hash, bitmap_empty, bitmap_count,
// bitmap_to_string, bitmap_from_string, bitmap_contains, bitmap_or, bitmap_and, hll_hash,
// hll_empty, hll_cardinality.
#include <charconv>

#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/bitmap.h"
#include "types/hll.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();
const LogicalType kBitmap = TypeId::BITMAP;
const LogicalType kHll = TypeId::HLL;

/// A kernel of no arguments that fills every row with one value.
ScalarKernel Constant(std::string bytes) {
    return [bytes](Args, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            out.SetNull(i, false);
            out.SetString(i, bytes);
        }
    };
}

std::string SingletonBitmap(uint64_t v) {
    Roaring64Map b;
    b.add(v);
    return BitmapSerialize(b);
}

}  // namespace

void RegisterSketchFunctions(FunctionRegistry& r) {
    r.AddScalar("to_bitmap",
                Overloads("to_bitmap", {{{TypeId::BIGINT}, kBitmap, [](Args a, size_t rows, Column& out) {
                                             // Negative values have no bitmap: NULL.
                                             UnaryExecuteNullable<int64_t, std::string>(
                                                 *a[0], rows, out, [](int64_t v, bool& is_null) {
                                                     is_null = v < 0;
                                                     return is_null ? std::string()
                                                                    : SingletonBitmap(static_cast<uint64_t>(v));
                                                 });
                                         }}}));
    r.AddScalar("bitmap_hash", Overloads("bitmap_hash", {{{kStr}, kBitmap, [](Args a, size_t rows, Column& out) {
                                                              UnaryExecute<std::string_view, std::string>(
                                                                  *a[0], rows, out, [](std::string_view s) {
                                                                      return SingletonBitmap(Murmur3_32(s));
                                                                  });
                                                          }}}));
    r.AddScalar("bitmap_empty", Overloads("bitmap_empty", {{{}, kBitmap, Constant(BitmapSerialize(Roaring64Map()))}}));
    r.AddScalar("bitmap_count",
                Overloads("bitmap_count", {{{kBitmap}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                UnaryExecute<std::string_view, int64_t>(
                                                    *a[0], rows, out, [](std::string_view b) {
                                                        return static_cast<int64_t>(BitmapDeserialize(b).cardinality());
                                                    });
                                            }}}));
    r.AddScalar("bitmap_to_string",
                Overloads("bitmap_to_string", {{{kBitmap}, kStr, [](Args a, size_t rows, Column& out) {
                                                    UnaryExecute<std::string_view, std::string>(
                                                        *a[0], rows, out,
                                                        [](std::string_view b) { return BitmapToString(b); });
                                                }}}));
    r.AddScalar("bitmap_from_string",
                Overloads("bitmap_from_string", {{{kStr}, kBitmap, [](Args a, size_t rows, Column& out) {
                                                      // "1,2,3"; anything else is NULL.
                                                      UnaryExecuteNullable<std::string_view, std::string>(
                                                          *a[0], rows, out, [](std::string_view s, bool& is_null) {
                                                              Roaring64Map b;
                                                              size_t pos = 0;
                                                              while (pos < s.size()) {
                                                                  size_t comma = s.find(',', pos);
                                                                  if (comma == std::string_view::npos) comma = s.size();
                                                                  uint64_t v = 0;
                                                                  auto [p, ec] = std::from_chars(s.data() + pos,
                                                                                                 s.data() + comma, v);
                                                                  if (ec != std::errc() || p != s.data() + comma) {
                                                                      is_null = true;
                                                                      return std::string();
                                                                  }
                                                                  b.add(v);
                                                                  pos = comma + 1;
                                                              }
                                                              return BitmapSerialize(b);
                                                          });
                                                  }}}));
    r.AddScalar("bitmap_contains",
                Overloads("bitmap_contains",
                          {{{kBitmap, TypeId::BIGINT}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                BinaryExecute<std::string_view, int64_t, bool>(
                                    *a[0], *a[1], rows, out, [](std::string_view b, int64_t v) {
                                        return v >= 0 && BitmapDeserialize(b).contains(static_cast<uint64_t>(v));
                                    });
                            }}}));
    for (const char* name : {"bitmap_or", "bitmap_and", "bitmap_xor", "bitmap_andnot"}) {
        std::string op = name;
        r.AddScalar(name, Overloads(name, {{{kBitmap, kBitmap}, kBitmap, [op](Args a, size_t rows, Column& out) {
                                                BinaryExecute<std::string_view, std::string_view, std::string>(
                                                    *a[0], *a[1], rows, out,
                                                    [&op](std::string_view x, std::string_view y) {
                                                        Roaring64Map l = BitmapDeserialize(x);
                                                        Roaring64Map rr = BitmapDeserialize(y);
                                                        if (op == "bitmap_or") {
                                                            l |= rr;
                                                        } else if (op == "bitmap_and") {
                                                            l &= rr;
                                                        } else if (op == "bitmap_xor") {
                                                            l ^= rr;
                                                        } else {
                                                            l -= rr;
                                                        }
                                                        return BitmapSerialize(l);
                                                    });
                                            }}}));
    }
    r.AddScalar("hll_hash", Overloads("hll_hash", {{{kStr}, kHll, [](Args a, size_t rows, Column& out) {
                                                        UnaryExecute<std::string_view, std::string>(
                                                            *a[0], rows, out, [](std::string_view s) {
                                                                Hll h;
                                                                h.AddHash(Murmur64(s));
                                                                return h.Serialize();
                                                            });
                                                    }}}));
    r.AddScalar("hll_empty", Overloads("hll_empty", {{{}, kHll, Constant(Hll().Serialize())}}));
    r.AddScalar("hll_cardinality",
                Overloads("hll_cardinality", {{{kHll}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                   UnaryExecute<std::string_view, int64_t>(
                                                       *a[0], rows, out, [](std::string_view b) {
                                                           return Hll::Deserialize(b).Estimate();
                                                       });
                                               }}}));
}

}  // namespace floe
