// StarRocks' DataSketches-style functions over serialized sketches (binary values, VARCHAR bytes
// in Floe): ds_hll_accumulate / ds_hll_combine (aggregates) and ds_hll_estimate over Floe's HLL
// (types/hll.h), and theta sketches: ds_theta_accumulate / ds_theta_combine /
// ds_theta_intersect_cond_agg (aggregates), ds_theta_estimate, ds_theta_union, ds_theta_intersect
// and ds_theta_a_not_b (scalars); ds_hll and ds_theta name the distinct-count aggregates;
// ds_quantile and ds_frequent (computed exactly).
//
// A theta sketch here is a KMV sketch: the k = 4096 smallest 64-bit hashes (XXH3 of the value's
// text) below a threshold theta, so the estimate is exact until k distinct values and
// count / (theta / 2^64) after; union, intersection and difference work on the hashes below the
// smaller theta. The byte layout is Floe's own ('T1', theta, count, hashes), not Apache
// DataSketches' compact format: sketches round-trip within Floe only.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/scalar/json_value.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"
#include "types/hll.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kBinary = LogicalType::Varchar();

uint64_t HashOf(const Column& c, size_t row) {
    std::string_view s = c.Strings()[row].view();
    return XXH3_64bits(s.data(), s.size());
}

// ---------------------------------------------------------------------------------------------
// HLL

/// ds_hll_accumulate (values in) or ds_hll_combine (serialized sketches in): a serialized HLL out.
class HllSketchStates : public AggregateStates {
  public:
    explicit HllSketchStates(bool values) : values_(values) {}
    void Resize(size_t groups) override { sketches_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            if (values_) {
                sketches_[groups[i]].AddHash(HashOf(a, r));
            } else {
                sketches_[groups[i]].Merge(Hll::Deserialize(a.Strings()[r].view()));
            }
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            out.SetString(g, sketches_[g].Serialize());
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<HllSketchStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) sketches_[mapping[g]].Merge(o.sketches_[g]);
    }

  private:
    bool values_;
    std::vector<Hll> sketches_;
};

// ---------------------------------------------------------------------------------------------
// Theta (KMV)

class ThetaSketch {
  public:
    static constexpr size_t kNominal = 4096;
    static constexpr uint64_t kMaxTheta = UINT64_MAX;

    void Add(uint64_t hash) {
        if (hash >= theta_) return;
        hashes_.insert(hash);
        Trim();
    }
    void Union(const ThetaSketch& o) {
        theta_ = std::min(theta_, o.theta_);
        DropAtOrAbove(theta_);
        for (uint64_t h : o.hashes_) {
            if (h < theta_) hashes_.insert(h);
        }
        Trim();
    }
    ThetaSketch Intersect(const ThetaSketch& o) const {
        ThetaSketch r;
        r.theta_ = std::min(theta_, o.theta_);
        for (uint64_t h : hashes_) {
            if (h < r.theta_ && o.hashes_.count(h)) r.hashes_.insert(h);
        }
        return r;
    }
    ThetaSketch Minus(const ThetaSketch& o) const {
        ThetaSketch r;
        r.theta_ = std::min(theta_, o.theta_);
        for (uint64_t h : hashes_) {
            if (h < r.theta_ && !o.hashes_.count(h)) r.hashes_.insert(h);
        }
        return r;
    }
    double Estimate() const {
        if (theta_ == kMaxTheta) return static_cast<double>(hashes_.size());
        return static_cast<double>(hashes_.size()) / (static_cast<double>(theta_) / 18446744073709551616.0);
    }

    std::string Serialize() const {
        std::string out = "T1";
        auto put = [&out](uint64_t v, size_t bytes) {
            for (size_t b = 0; b < bytes; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
        };
        put(theta_, 8);
        put(hashes_.size(), 4);
        for (uint64_t h : hashes_) put(h, 8);
        return out;
    }
    static ThetaSketch Deserialize(std::string_view bytes) {
        auto get = [&bytes](size_t at, size_t n) {
            uint64_t v = 0;
            for (size_t b = 0; b < n; ++b) v |= uint64_t{static_cast<unsigned char>(bytes[at + b])} << (8 * b);
            return v;
        };
        if (bytes.size() < 14 || bytes.substr(0, 2) != "T1") {
            throw ConversionError("not a theta sketch (made by ds_theta_accumulate or ds_theta_combine)");
        }
        ThetaSketch s;
        s.theta_ = get(2, 8);
        uint64_t count = get(10, 4);
        if (bytes.size() != 14 + count * 8) throw ConversionError("a theta sketch is truncated");
        for (uint64_t k = 0; k < count; ++k) s.hashes_.insert(get(14 + k * 8, 8));
        return s;
    }

  private:
    void DropAtOrAbove(uint64_t theta) { hashes_.erase(hashes_.lower_bound(theta), hashes_.end()); }
    void Trim() {
        while (hashes_.size() > kNominal) {
            auto last = std::prev(hashes_.end());
            theta_ = *last;
            hashes_.erase(last);
        }
    }
    uint64_t theta_ = kMaxTheta;
    std::set<uint64_t> hashes_;
};

/// ds_theta_accumulate (values), ds_theta_combine (sketches), or ds_theta_intersect_cond_agg
/// (sketches routed by an anchor flag into two unions, intersected at the end).
class ThetaStates : public AggregateStates {
  public:
    enum class Mode { ACCUMULATE, COMBINE, INTERSECT_COND };
    explicit ThetaStates(Mode mode) : mode_(mode) {}
    void Resize(size_t groups) override {
        sketches_.resize(groups);
        windows_.resize(groups);
        seen_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i], g = groups[i];
            if (a.IsNull(r)) continue;
            if (mode_ == Mode::ACCUMULATE) {
                sketches_[g].Add(HashOf(a, r));
                continue;
            }
            ThetaSketch s = ThetaSketch::Deserialize(a.Strings()[r].view());
            bool anchor = mode_ == Mode::COMBINE || (!args[1]->IsNull(r) && args[1]->Data<int64_t>()[r] == 1);
            (anchor ? sketches_[g] : windows_[g]).Union(s);
            seen_[g] |= anchor ? 1 : 2;
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            if (mode_ == Mode::INTERSECT_COND) {
                out.Data<double>()[g] = seen_[g] == 3 ? sketches_[g].Intersect(windows_[g]).Estimate() : 0.0;
            } else {
                out.SetString(g, sketches_[g].Serialize());
            }
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<ThetaStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            sketches_[mapping[g]].Union(o.sketches_[g]);
            windows_[mapping[g]].Union(o.windows_[g]);
            seen_[mapping[g]] |= o.seen_[g];
        }
    }

  private:
    Mode mode_;
    std::vector<ThetaSketch> sketches_, windows_;
    std::vector<uint8_t> seen_;  // INTERSECT_COND: 1 anchor rows seen, 2 window rows seen
};

/// An aggregate of one value (cast to text) or sketch, with optional constant tuning arguments
/// (DataSketches' log_k and target type) that are accepted and not needed here.
AggregateFunctionBinder SketchAggregate(std::string name, size_t max_args, LogicalType result,
                                        std::function<std::unique_ptr<AggregateStates>()> make) {
    return [name, max_args, result, make](const std::vector<LogicalType>& types, bool) {
        if (types.empty() || types.size() > max_args) {
            throw BinderError("wrong number of arguments (" + std::to_string(types.size()) + ") for " + name + "()",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        BoundAggregateFunction f;
        f.name = name;
        f.arg_types = {kBinary};
        if (types.size() > 1) f.arg_types.push_back(TypeId::BIGINT);
        if (types.size() > 2) f.arg_types.push_back(LogicalType::Varchar());
        f.return_type = result;
        f.make_states = make;
        return f;
    };
}

/// A scalar over one or two serialized theta sketches; invalid bytes are an error.
template <typename Op>
ScalarKernel ThetaScalar(Op op) {
    return [op](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = false;
            for (const Column* c : a) n = n || c->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            try {
                ThetaSketch x = ThetaSketch::Deserialize(a[0]->Strings()[i].view());
                if (a.size() == 1) {
                    op(x, x, out, i);
                } else {
                    op(x, ThetaSketch::Deserialize(a[1]->Strings()[i].view()), out, i);
                }
            } catch (const ConversionError& e) {
                throw ExecutionError(e.what(), ErrorCode::WRONG_ARGUMENTS);
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Quantiles and frequent items (computed exactly from the group's values)

/// ds_quantile(x[, p | [p1, ...][, compression]]): for each p the value at rank ceil(p * n) of the
/// sorted non-NULL values (the first for p = 0), as an ARRAY<DOUBLE>; p defaults to 0.5.
class QuantileStates : public AggregateStates {
  public:
    explicit QuantileStates(bool array) : array_(array) {}
    void Resize(size_t groups) override { values_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (ps_.empty() && args.size() > 1 && !args[1]->IsNull(r)) ReadPercentages(*args[1], r);
            if (!x.IsNull(r)) values_[groups[i]].push_back(x.Data<double>()[r]);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        std::vector<double> ps = ps_.empty() ? std::vector<double>{0.5} : ps_;
        for (size_t g = 0; g < groups; ++g) {
            auto& v = values_[g];
            out.SetNull(g, v.empty());
            if (v.empty()) continue;
            std::sort(v.begin(), v.end());
            ArrayBuilder b(TypeId::DOUBLE);
            for (double p : ps) {
                auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
                b.Append(Value::Double(v[rank == 0 ? 0 : std::min(rank, v.size()) - 1]));
            }
            out.SetString(g, b.Finish());
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<QuantileStates&>(other);
        if (ps_.empty()) ps_ = o.ps_;
        for (size_t g = 0; g < other_groups; ++g) {
            auto& to = values_[mapping[g]];
            to.insert(to.end(), o.values_[g].begin(), o.values_[g].end());
        }
    }

  private:
    void ReadPercentages(const Column& c, uint32_t r) {
        if (array_) {
            ArrayReader reader(c.Strings()[r].view(), TypeId::DOUBLE);
            for (size_t k = 0; k < reader.size(); ++k) {
                if (!reader.IsNull(k)) ps_.push_back(reader.Get(k).GetDouble());
            }
        } else {
            ps_.push_back(c.Data<double>()[r]);
        }
        for (double p : ps_) {
            if (!(p >= 0 && p <= 1)) {
                throw ConversionError("ds_quantile(): percentile must be between 0 and 1, not " + std::to_string(p),
                                      ErrorCode::WRONG_ARGUMENTS);
            }
        }
    }
    bool array_;
    std::vector<double> ps_;
    std::vector<std::vector<double>> values_;
};

/// ds_frequent(x[, counter_num[, ...]]): the counter_num (default 10) most frequent non-NULL values
/// with their counts, most frequent first (equal counts by value), as a JSON array of
/// {"value", "count", "lower_bound", "upper_bound"}; counts are exact, so the bounds equal them.
class FrequentStates : public AggregateStates {
  public:
    void Resize(size_t groups) override { counts_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (!limit_read_ && args.size() > 1 && !args[1]->IsNull(r)) {
                limit_ = args[1]->Data<int64_t>()[r];
                if (limit_ < 1) {
                    throw ConversionError("ds_frequent(): counter_num must be positive", ErrorCode::WRONG_ARGUMENTS);
                }
                limit_read_ = true;
            }
            if (x.IsNull(r)) continue;
            text_.clear();
            AppendJsonValue(x, r, text_);
            ++counts_[groups[i]][text_];
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            std::vector<std::pair<std::string, int64_t>> items(counts_[g].begin(), counts_[g].end());
            std::stable_sort(items.begin(), items.end(),
                             [](const auto& a, const auto& b) { return a.second > b.second; });
            if (items.size() > static_cast<size_t>(limit_)) items.resize(static_cast<size_t>(limit_));
            std::string text = "[";
            for (size_t k = 0; k < items.size(); ++k) {
                if (k > 0) text.push_back(',');
                text += "{\"value\":" + items[k].first;
                for (const char* field : {"count", "lower_bound", "upper_bound"})
                    text += fmt::format(",\"{}\":{}", field, items[k].second);
                text.push_back('}');
            }
            text.push_back(']');
            out.SetNull(g, false);
            out.SetString(g, text);
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<FrequentStates&>(other);
        if (!limit_read_ && o.limit_read_) {
            limit_ = o.limit_;
            limit_read_ = true;
        }
        for (size_t g = 0; g < other_groups; ++g) {
            for (const auto& [value, count] : o.counts_[g]) counts_[mapping[g]][value] += count;
        }
    }

  private:
    int64_t limit_ = 10;
    bool limit_read_ = false;
    std::string text_;
    std::vector<std::map<std::string, int64_t>> counts_;  // value as JSON text -> count
};

}  // namespace

void RegisterDatasketchAggregates(FunctionRegistry& r) {
    r.AddAggregate("ds_hll_accumulate", SketchAggregate("ds_hll_accumulate", 3, kBinary,
                                                        [] { return std::make_unique<HllSketchStates>(true); }));
    r.AddAggregate("ds_hll_combine", SketchAggregate("ds_hll_combine", 1, kBinary,
                                                     [] { return std::make_unique<HllSketchStates>(false); }));
    r.AddScalar("ds_hll_estimate",
                Overloads("ds_hll_estimate",
                          {{{kBinary}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                UnaryExecute<std::string_view, int64_t>(*a[0], rows, out, [](std::string_view bytes) {
                                    try {
                                        return Hll::Deserialize(bytes).Estimate();
                                    } catch (const ConversionError& e) {
                                        throw ExecutionError(std::string("ds_hll_estimate(): ") + e.what(),
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    }
                                });
                            }}}));
    r.AddAggregate("ds_theta_accumulate", SketchAggregate("ds_theta_accumulate", 1, kBinary, [] {
                       return std::make_unique<ThetaStates>(ThetaStates::Mode::ACCUMULATE);
                   }));
    r.AddAggregate("ds_theta_combine", SketchAggregate("ds_theta_combine", 1, kBinary, [] {
                       return std::make_unique<ThetaStates>(ThetaStates::Mode::COMBINE);
                   }));
    r.AddAggregate("ds_theta_intersect_cond_agg", [](const std::vector<LogicalType>& types, bool) {
        if (types.size() != 2) {
            throw BinderError("ds_theta_intersect_cond_agg() takes a sketch and an anchor flag",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        BoundAggregateFunction f;
        f.name = "ds_theta_intersect_cond_agg";
        f.arg_types = {kBinary, TypeId::BIGINT};
        f.return_type = TypeId::DOUBLE;
        f.make_states = [] { return std::make_unique<ThetaStates>(ThetaStates::Mode::INTERSECT_COND); };
        return f;
    });
    r.AddScalar("ds_theta_estimate",
                Overloads("ds_theta_estimate",
                          {{{kBinary},
                            TypeId::BIGINT,
                            ThetaScalar([](const ThetaSketch& x, const ThetaSketch&, Column& out, size_t i) {
                                out.Data<int64_t>()[i] = std::llround(x.Estimate());
                            })}}));
    r.AddScalar(
        "ds_theta_union",
        Overloads(
            "ds_theta_union",
            {{{kBinary, kBinary}, kBinary, ThetaScalar([](ThetaSketch x, const ThetaSketch& y, Column& out, size_t i) {
                  x.Union(y);
                  out.SetString(i, x.Serialize());
              })}}));
    r.AddScalar("ds_theta_intersect",
                Overloads("ds_theta_intersect",
                          {{{kBinary, kBinary},
                            kBinary,
                            ThetaScalar([](const ThetaSketch& x, const ThetaSketch& y, Column& out, size_t i) {
                                out.SetString(i, x.Intersect(y).Serialize());
                            })}}));
    r.AddScalar(
        "ds_theta_a_not_b",
        Overloads("ds_theta_a_not_b", {{{kBinary, kBinary},
                                        kBinary,
                                        ThetaScalar([](const ThetaSketch& x, const ThetaSketch& y, Column& out,
                                                       size_t i) { out.SetString(i, x.Minus(y).Serialize()); })}}));
    r.AddAggregate("ds_quantile", [](const std::vector<LogicalType>& types, bool) {
        if (types.empty() || types.size() > 3 || (!types[0].IsNumeric() && types[0].id != TypeId::NULL_TYPE)) {
            throw BinderError("ds_quantile() takes a number, a percentile or an array of them, and a compression",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        bool array = types.size() > 1 && types[1].id == TypeId::ARRAY;
        BoundAggregateFunction f;
        f.name = "ds_quantile";
        f.arg_types = {TypeId::DOUBLE};
        if (types.size() > 1) f.arg_types.push_back(array ? LogicalType::Array(TypeId::DOUBLE) : TypeId::DOUBLE);
        if (types.size() > 2) f.arg_types.push_back(TypeId::DOUBLE);  // compression: accepted, unused
        f.return_type = LogicalType::Array(TypeId::DOUBLE);
        f.make_states = [array] { return std::make_unique<QuantileStates>(array); };
        return f;
    });
    r.AddAggregate("ds_frequent", [](const std::vector<LogicalType>& types, bool) {
        if (types.empty() || types.size() > 4) {
            throw BinderError("ds_frequent() takes a value and up to three constants", ErrorCode::WRONG_ARGUMENTS);
        }
        BoundAggregateFunction f;
        f.name = "ds_frequent";
        f.arg_types = {JsonValueType(types[0])};  // counted by its JSON text (numbers bare, strings quoted)
        for (size_t k = 1; k < types.size(); ++k) f.arg_types.push_back(TypeId::BIGINT);
        f.return_type = TypeId::JSON;
        f.make_states = [] { return std::make_unique<FrequentStates>(); };
        return f;
    });
    r.AddAlias("ds_hll", "ds_hll_count_distinct");
    r.AddAlias("ds_theta", "ds_theta_count_distinct");
}

}  // namespace floe
