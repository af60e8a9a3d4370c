// Aggregates over BITMAP and HLL sketches: bitmap_union, bitmap_union_count, bitmap_agg,
// bitmap_union_int (exact distinct counts), hll_union / hll_raw_agg, hll_union_agg and
// approx_count_distinct / ndv (approximate distinct counts). NULL inputs are skipped.
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "types/bitmap.h"
#include "types/hll.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// One bitmap per group, fed with serialized bitmaps or with integers.
class BitmapStates : public AggregateStates {
  public:
    BitmapStates(bool integers, bool count) : integers_(integers), count_(count) {}
    void Resize(size_t groups) override { bitmaps_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            if (integers_) {
                int64_t v = a.Data<int64_t>()[r];
                if (v >= 0) bitmaps_[groups[i]].add(static_cast<uint64_t>(v));
            } else {
                // A small input (often one value: bitmap_hash, to_bitmap) is added value by value:
                // OR-ing it in walks every container of the group's bitmap.
                Roaring64Map in = BitmapDeserialize(a.Strings()[r].view());
                if (in.cardinality() <= 64) {
                    for (uint64_t v : in) bitmaps_[groups[i]].add(v);
                } else {
                    bitmaps_[groups[i]] |= in;
                }
            }
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            if (count_) {
                out.Data<int64_t>()[g] = static_cast<int64_t>(bitmaps_[g].cardinality());
            } else {
                out.SetString(g, BitmapSerialize(bitmaps_[g]));
            }
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<BitmapStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) bitmaps_[mapping[g]] |= o.bitmaps_[g];
    }

  private:
    bool integers_, count_;
    std::vector<Roaring64Map> bitmaps_;
};

/// One HyperLogLog per group, fed with serialized HLLs or with values of any type (hashed).
class HllStates : public AggregateStates {
  public:
    HllStates(bool values, bool count) : values_(values), count_(count) {}
    void Resize(size_t groups) override { sketches_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        bool strings = a.type().PhysicalSize() == 16 && (a.type().IsString() || a.type().id >= TypeId::BITMAP);
        uint32_t width = a.type().PhysicalSize();
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            if (!values_) {
                sketches_[groups[i]].Merge(Hll::Deserialize(a.Strings()[r].view()));
            } else if (strings) {
                sketches_[groups[i]].AddHash(Murmur64(a.Strings()[r].view()));
            } else {
                const char* p = reinterpret_cast<const char*>(a.Data<uint8_t>()) + size_t{r} * width;
                sketches_[groups[i]].AddHash(Murmur64(std::string_view(p, width)));
            }
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            if (count_) {
                out.Data<int64_t>()[g] = sketches_[g].Estimate();
            } else {
                out.SetString(g, sketches_[g].Serialize());
            }
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<HllStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) sketches_[mapping[g]].Merge(o.sketches_[g]);
    }

  private:
    bool values_, count_;
    std::vector<Hll> sketches_;
};

AggregateFunctionBinder Sketch(std::string name, LogicalType arg, LogicalType result,
                               std::function<std::unique_ptr<AggregateStates>()> make) {
    return [name, arg, result, make](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundAggregateFunction f;
        f.name = name;
        // NULL_TYPE: any argument type, as is.
        f.arg_types = {arg.id == TypeId::NULL_TYPE ? types[0] : arg};
        f.return_type = result;
        f.make_states = make;
        (void)distinct;  // DISTINCT changes nothing for set-valued aggregates
        return f;
    };
}

}  // namespace

void RegisterSketchAggregates(FunctionRegistry& r) {
    const LogicalType bitmap = TypeId::BITMAP, hll = TypeId::HLL, bigint = TypeId::BIGINT;
    r.AddAggregate("bitmap_union",
                   Sketch("bitmap_union", bitmap, bitmap, [] { return std::make_unique<BitmapStates>(false, false); }));
    r.AddAggregate("bitmap_union_count", Sketch("bitmap_union_count", bitmap, bigint,
                                                [] { return std::make_unique<BitmapStates>(false, true); }));
    r.AddAggregate("bitmap_agg",
                   Sketch("bitmap_agg", bigint, bitmap, [] { return std::make_unique<BitmapStates>(true, false); }));
    r.AddAggregate("bitmap_union_int", Sketch("bitmap_union_int", bigint, bigint,
                                              [] { return std::make_unique<BitmapStates>(true, true); }));
    for (const char* name : {"hll_union", "hll_raw_agg"}) {
        r.AddAggregate(name, Sketch(name, hll, hll, [] { return std::make_unique<HllStates>(false, false); }));
    }
    r.AddAggregate("hll_union_agg",
                   Sketch("hll_union_agg", hll, bigint, [] { return std::make_unique<HllStates>(false, true); }));
    for (const char* name : {"approx_count_distinct", "ndv"}) {
        r.AddAggregate(name,
                       Sketch(name, TypeId::NULL_TYPE, bigint, [] { return std::make_unique<HllStates>(true, true); }));
    }
}

}  // namespace floe
