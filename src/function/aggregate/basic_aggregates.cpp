// COUNT, SUM, AVG, MIN, MAX, ANY_VALUE, GROUP_CONCAT, variance and standard deviation, with
// DISTINCT for all of them through one wrapper. NULL arguments are skipped (COUNT(*) counts rows).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

// ---------------------------------------------------------------- COUNT

class CountStates : public AggregateStates {
  public:
    explicit CountStates(bool star) : star_(star) {}
    void Resize(size_t groups) override { counts_.resize(groups, 0); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        if (star_ || args.empty()) {
            for (size_t i = 0; i < n; ++i) ++counts_[groups[i]];
            return;
        }
        for (size_t i = 0; i < n; ++i) {
            bool any_null = false;
            for (const Column* a : args) any_null |= a->IsNull(rows[i]);
            counts_[groups[i]] += any_null ? 0 : 1;
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            out.Data<int64_t>()[g] = counts_[g];
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        const auto& o = static_cast<CountStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) counts_[mapping[g]] += o.counts_[g];
    }

  private:
    bool star_;
    std::vector<int64_t> counts_;
};

// ---------------------------------------------------------------- SUM / AVG

/// Sums into Acc (int64 with overflow check, int128, or double); AVG divides by the count.
template <typename In, typename Acc>
class SumStates : public AggregateStates {
  public:
    SumStates(bool average, LogicalType result, int in_scale)
        : average_(average), result_(result), in_scale_(in_scale) {}
    void Resize(size_t groups) override {
        sums_.resize(groups, Acc{});
        counts_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        const In* data = a.Data<In>();
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            uint32_t g = groups[i];
            if constexpr (std::is_same_v<Acc, int64_t>) {
                if (__builtin_add_overflow(sums_[g], static_cast<int64_t>(data[r]), &sums_[g])) {
                    throw ExecutionError("BIGINT value is out of range in 'sum'", ErrorCode::OUT_OF_RANGE);
                }
            } else {
                sums_[g] += static_cast<Acc>(data[r]);
            }
            ++counts_[g];
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            if (counts_[g] == 0) {
                out.SetNull(g, true);
                continue;
            }
            out.SetNull(g, false);
            if (!average_) {
                WriteResult(out, g, sums_[g]);
            } else if (result_.id == TypeId::DOUBLE) {
                double scale = std::pow(10.0, in_scale_);
                out.Data<double>()[g] = static_cast<double>(sums_[g]) / scale / static_cast<double>(counts_[g]);
            } else {  // DECIMAL average: rescale then divide with rounding half away from zero
                int128_t num = static_cast<int128_t>(sums_[g]) * Pow10(result_.scale - in_scale_);
                int128_t q = num / counts_[g], rem = num % counts_[g];
                if (rem * 2 >= counts_[g])
                    ++q;
                else if (rem * 2 <= -counts_[g])
                    --q;
                out.Data<int128_t>()[g] = q;
            }
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        const auto& o = static_cast<SumStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            uint32_t to = mapping[g];
            if constexpr (std::is_same_v<Acc, int64_t>) {
                if (__builtin_add_overflow(sums_[to], o.sums_[g], &sums_[to])) {
                    throw ExecutionError("BIGINT value is out of range in 'sum'", ErrorCode::OUT_OF_RANGE);
                }
            } else {
                sums_[to] += o.sums_[g];
            }
            counts_[to] += o.counts_[g];
        }
    }

  private:
    void WriteResult(Column& out, size_t g, Acc v) {
        switch (result_.id) {
            case TypeId::BIGINT:
                out.Data<int64_t>()[g] = static_cast<int64_t>(v);
                break;
            case TypeId::DOUBLE:
                out.Data<double>()[g] = static_cast<double>(v);
                break;
            default:
                out.Data<int128_t>()[g] = static_cast<int128_t>(v);
                break;
        }
    }
    bool average_;
    LogicalType result_;
    int in_scale_;
    std::vector<Acc> sums_;
    std::vector<int64_t> counts_;
};

BoundAggregateFunction BindSumAvg(const std::string& name, const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    bool average = name == "avg";
    const LogicalType& t = types[0];
    BoundAggregateFunction f;
    f.name = name;
    if (t.id == TypeId::DECIMAL) {
        f.arg_types = {LogicalType::Decimal(38, t.scale)};
        uint8_t scale = average ? static_cast<uint8_t>(std::min(38, std::max<int>(t.scale, 6))) : t.scale;
        f.return_type = LogicalType::Decimal(38, scale);
        LogicalType r = f.return_type;
        int in_scale = t.scale;
        f.make_states = [average, r, in_scale] {
            return std::make_unique<SumStates<int128_t, int128_t>>(average, r, in_scale);
        };
    } else if (t.IsInteger() || t.id == TypeId::BOOLEAN || t.id == TypeId::NULL_TYPE) {
        bool large = t.id == TypeId::LARGEINT;
        f.arg_types = {large ? LogicalType(TypeId::LARGEINT) : LogicalType(TypeId::BIGINT)};
        f.return_type = average ? LogicalType(TypeId::DOUBLE) : f.arg_types[0];
        LogicalType r = f.return_type;
        if (large) {
            f.make_states = [average, r] { return std::make_unique<SumStates<int128_t, int128_t>>(average, r, 0); };
        } else if (average) {
            // AVG sums in 128 bits: the average of large BIGINTs (ids, hashes) must not overflow.
            f.make_states = [r] { return std::make_unique<SumStates<int64_t, int128_t>>(true, r, 0); };
        } else {
            f.make_states = [average, r] { return std::make_unique<SumStates<int64_t, int64_t>>(average, r, 0); };
        }
    } else if (t.IsNumeric() || t.IsString()) {
        f.arg_types = {TypeId::DOUBLE};
        f.return_type = TypeId::DOUBLE;
        f.make_states = [average] { return std::make_unique<SumStates<double, double>>(average, TypeId::DOUBLE, 0); };
    } else {
        throw BinderError(name + "() does not accept " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    return f;
}

// ---------------------------------------------------------------- MIN / MAX / ANY_VALUE

template <typename T>
class ExtremumStates : public AggregateStates {
  public:
    // 1 = max, -1 = min, 0 = any_value, 2 = last value (NULL too), 3 = last non-NULL value,
    // 4 = first value (NULL too; has_ is 2 for a group whose first value was NULL).
    ExtremumStates(int mode) : mode_(mode) {}
    void Resize(size_t groups) override {
        values_.resize(groups);
        has_.resize(groups, 0);
        if constexpr (std::is_same_v<T, std::string_view>) prefixes_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            uint32_t g = groups[i];
            if (a.IsNull(r)) {
                if (mode_ == 2) has_[g] = 0;
                if (mode_ == 4 && !has_[g]) has_[g] = 2;
                continue;
            }
            if (mode_ == 4 && has_[g]) continue;
            auto v = ReadValue<ReadType>(a, r);
            if (!has_[g] || mode_ >= 2) {
                Store(g, v);
                has_[g] = 1;
                continue;
            }
            if constexpr (std::is_same_v<T, std::string_view>) {
                // Strings: the first 8 bytes, big-endian, decide most comparisons without memcmp.
                uint64_t p = Prefix(v);
                if (p != prefixes_[g]) {
                    if (mode_ > 0 ? p > prefixes_[g] : p < prefixes_[g]) Store(g, v);
                    continue;
                }
            }
            if ((mode_ > 0 && Before(values_[g], v)) || (mode_ < 0 && Before(v, values_[g]))) Store(g, v);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, has_[g] != 1);
            if (has_[g] == 1) WriteValue<StoredType>(out, g, values_[g]);
        }
    }
    /// MIN, MAX and ANY_VALUE; the REPLACE merges want the last row in load order.
    bool Combinable() const override { return mode_ < 2; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<ExtremumStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (!o.has_[g]) continue;
            uint32_t to = mapping[g];
            bool take =
                !has_[to] || (mode_ > 0 && o.values_[g] > values_[to]) || (mode_ < 0 && o.values_[g] < values_[to]);
            if (!take) continue;
            values_[to] = std::move(o.values_[g]);
            has_[to] = 1;
            if constexpr (std::is_same_v<T, std::string_view>) prefixes_[to] = o.prefixes_[g];
        }
    }

  private:
    using ReadType = T;
    using StoredType = std::conditional_t<std::is_same_v<T, std::string_view>, std::string, T>;
    static StoredType Stored(const ReadType& v) { return StoredType(v); }
    void Store(uint32_t g, const ReadType& v) {
        values_[g] = Stored(v);
        if constexpr (std::is_same_v<T, std::string_view>) prefixes_[g] = Prefix(v);
    }
    /// The first 8 bytes as a big-endian number, zero-padded: ordered like the strings (equal
    /// prefixes need the full comparison).
    static uint64_t Prefix(std::string_view v) {
        uint64_t x = 0;
        std::memcpy(&x, v.data(), std::min<size_t>(8, v.size()));
        return __builtin_bswap64(x);
    }
    // Strings compare as views: no copy of the candidate unless it wins.
    static bool Before(const StoredType& a, const ReadType& b) {
        if constexpr (std::is_same_v<T, std::string_view>) {
            return std::string_view(a) < b;
        } else {
            return a < b;
        }
    }
    static bool Before(const ReadType& a, const StoredType& b) requires(!std::is_same_v<ReadType, StoredType>) {
        return a < std::string_view(b);
    }
    int mode_;
    std::vector<StoredType> values_;
    std::vector<uint8_t> has_;
    std::vector<uint64_t> prefixes_;  // strings: Prefix of each group's value
};

BoundAggregateFunction BindExtremum(const std::string& name, const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    int mode = name == "max"                     ? 1
               : name == "min"                   ? -1
               : name == "__replace"             ? 2
               : name == "__replace_if_not_null" ? 3
               : name == "first"                 ? 4
               : name == "last"                  ? 2
                                                 : 0;
    LogicalType t = types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[0];
    BoundAggregateFunction f;
    f.name = name;
    f.arg_types = {t};
    f.return_type = t;
    bool ok = DispatchPhysicalType(t.id, [&](auto tag) {
        using T = decltype(tag);
        f.make_states = [mode] { return std::make_unique<ExtremumStates<T>>(mode); };
    });
    if (!ok) throw BinderError(name + "() does not accept " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    return f;
}

// ---------------------------------------------------------------- VARIANCE / STDDEV (Welford)

// WEIGHTED_AVG(x, w) (DuckDB; alias wavg): sum(x * w) / sum(w) over the rows where neither is
// NULL; NULL without such rows, NaN when the weights sum to zero.
class WeightedAvgStates : public AggregateStates {
  public:
    void Resize(size_t groups) override {
        count_.resize(groups, 0);
        product_.resize(groups, 0);
        weight_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        const Column& w = *args[1];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (x.IsNull(r) || w.IsNull(r)) continue;
            uint32_t g = groups[i];
            double weight = w.Data<double>()[r];
            product_[g] += x.Data<double>()[r] * weight;
            weight_[g] += weight;
            ++count_[g];
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, count_[g] == 0);
            if (count_[g] == 0) continue;
            out.Data<double>()[g] =
                weight_[g] == 0 ? std::numeric_limits<double>::quiet_NaN() : product_[g] / weight_[g];
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        const auto& o = static_cast<WeightedAvgStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            uint32_t to = mapping[g];
            count_[to] += o.count_[g];
            product_[to] += o.product_[g];
            weight_[to] += o.weight_[g];
        }
    }

  private:
    std::vector<int64_t> count_;
    std::vector<double> product_, weight_;
};

class VarianceStates : public AggregateStates {
  public:
    VarianceStates(bool sample, bool root) : sample_(sample), root_(root) {}
    void Resize(size_t groups) override {
        count_.resize(groups, 0);
        mean_.resize(groups, 0);
        m2_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            uint32_t g = groups[i];
            double x = a.Data<double>()[r];
            double delta = x - mean_[g];
            mean_[g] += delta / static_cast<double>(++count_[g]);
            m2_[g] += delta * (x - mean_[g]);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            int64_t div = sample_ ? count_[g] - 1 : count_[g];
            if (count_[g] == 0 || div <= 0) {
                out.SetNull(g, true);
                continue;
            }
            double v = m2_[g] / static_cast<double>(div);
            out.SetNull(g, false);
            out.Data<double>()[g] = root_ ? std::sqrt(v) : v;
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        // Chan et al.'s pairwise update of (count, mean, M2).
        const auto& o = static_cast<VarianceStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (o.count_[g] == 0) continue;
            uint32_t to = mapping[g];
            auto n1 = static_cast<double>(count_[to]), n2 = static_cast<double>(o.count_[g]);
            double delta = o.mean_[g] - mean_[to];
            double n = n1 + n2;
            mean_[to] += delta * n2 / n;
            m2_[to] += o.m2_[g] + delta * delta * n1 * n2 / n;
            count_[to] += o.count_[g];
        }
    }

  private:
    bool sample_, root_;
    std::vector<int64_t> count_;
    std::vector<double> mean_, m2_;
};

// ---------------------------------------------------------------- GROUP_CONCAT

class GroupConcatStates : public AggregateStates {
  public:
    void Resize(size_t groups) override {
        text_.resize(groups);
        has_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (args[0]->IsNull(r)) continue;
            uint32_t g = groups[i];
            if (has_[g]) text_[g].append(args.size() > 1 && !args[1]->IsNull(r) ? args[1]->Strings()[r].view() : ",");
            text_[g].append(args[0]->Strings()[r].view());
            has_[g] = 1;
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, !has_[g]);
            if (has_[g]) out.SetString(g, text_[g]);
        }
    }

  private:
    std::vector<std::string> text_;
    std::vector<uint8_t> has_;
};

// ---------------------------------------------------------------- DISTINCT wrapper

/// Passes each (group, argument tuple) to the inner aggregate only the first time it is seen.
class DistinctStates : public AggregateStates {
  public:
    explicit DistinctStates(std::unique_ptr<AggregateStates> inner) : inner_(std::move(inner)) {}
    void Resize(size_t groups) override {
        seen_.resize(groups);
        inner_->Resize(groups);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        std::vector<uint32_t> keep_rows, keep_groups;
        if (args.size() == 1 && IsWordValue(args[0]->type())) {
            // One argument of at most 8 bytes: (group, value) pairs in one open-addressing set.
            const Column& a = *args[0];
            const size_t width = a.type().PhysicalSize();
            const bool floating = a.type().IsFloating();
            for (size_t i = 0; i < n; ++i) {
                uint32_t r = rows[i];
                if (a.IsNull(r)) continue;
                uint64_t v = 0;
                std::memcpy(&v, a.Data<uint8_t>() + size_t{r} * width, width);
                if (floating) v = CanonicalFloatBits(v, width);
                if (word_set_.Insert(groups[i], v)) {
                    keep_rows.push_back(r);
                    keep_groups.push_back(groups[i]);
                }
            }
            inner_->Update(args, keep_rows.data(), keep_groups.data(), keep_rows.size());
            return;
        }
        std::string key;
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            key.clear();
            bool any_null = false;
            for (const Column* a : args) {
                if (a->IsNull(r)) {
                    any_null = true;
                    break;
                }
                DispatchPhysicalType(a->type().id, [&](auto tag) {
                    using T = decltype(tag);
                    if constexpr (std::is_same_v<T, std::string_view>) {
                        auto v = a->Strings()[r].view();
                        uint32_t len = static_cast<uint32_t>(v.size());
                        key.append(reinterpret_cast<const char*>(&len), 4);
                        key.append(v);
                    } else {
                        T v = ReadValue<T>(*a, r);
                        key.append(reinterpret_cast<const char*>(&v), sizeof(T));
                    }
                });
            }
            if (any_null) continue;
            if (seen_[groups[i]].insert(key).second) {
                keep_rows.push_back(r);
                keep_groups.push_back(groups[i]);
            }
        }
        inner_->Update(args, keep_rows.data(), keep_groups.data(), keep_rows.size());
    }
    void Finalize(Column& out, size_t groups) override { inner_->Finalize(out, groups); }

  private:
    static bool IsWordValue(const LogicalType& t) {
        return t.PhysicalSize() <= 8 && t.PhysicalSize() > 0 && !t.HasStringHeap();
    }
    /// Equal floating values as equal bits: -0.0 as 0.0, every NaN as one.
    static uint64_t CanonicalFloatBits(uint64_t bits, size_t width) {
        if (width == 8) {
            double d;
            std::memcpy(&d, &bits, 8);
            if (d == 0) d = 0;
            if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
            std::memcpy(&bits, &d, 8);
            return bits;
        }
        float f;
        std::memcpy(&f, &bits, 4);
        if (f == 0) f = 0;
        if (std::isnan(f)) f = std::numeric_limits<float>::quiet_NaN();
        bits = 0;
        std::memcpy(&bits, &f, 4);
        return bits;
    }
    /// A set of (group, 64-bit value) pairs: open addressing, load factor at most 1/2.
    class WordSet {
      public:
        /// True if the pair was not there yet.
        bool Insert(uint32_t group, uint64_t value) {
            if ((count_ + 1) * 2 > slots_.size()) Grow();
            size_t mask = slots_.size() - 1;
            for (size_t s = Hash(group, value) & mask;; s = (s + 1) & mask) {
                Slot& slot = slots_[s];
                if (!slot.used) {
                    slot = Slot{value, group, 1};
                    ++count_;
                    return true;
                }
                if (slot.value == value && slot.group == group) return false;
            }
        }

      private:
        struct Slot {
            uint64_t value = 0;
            uint32_t group = 0;
            uint32_t used = 0;
        };
        static uint64_t Hash(uint32_t group, uint64_t value) {
            uint64_t h = (value ^ (uint64_t{group} * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
            return h ^ (h >> 31);
        }
        void Grow() {
            std::vector<Slot> old = std::move(slots_);
            slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
            size_t mask = slots_.size() - 1;
            for (const Slot& o : old) {
                if (!o.used) continue;
                size_t s = Hash(o.group, o.value) & mask;
                while (slots_[s].used) s = (s + 1) & mask;
                slots_[s] = o;
            }
        }
        std::vector<Slot> slots_;
        size_t count_ = 0;
    };

    std::unique_ptr<AggregateStates> inner_;
    std::vector<std::unordered_set<std::string>> seen_;
    WordSet word_set_;
};

AggregateFunctionBinder WithDistinct(AggregateFunctionBinder binder) {
    return [binder](const std::vector<LogicalType>& types, bool distinct) {
        BoundAggregateFunction f = binder(types, distinct);
        if (distinct) {
            auto inner = f.make_states;
            f.make_states = [inner] { return std::make_unique<DistinctStates>(inner()); };
        }
        return f;
    };
}

}  // namespace

void RegisterAggregateFunctions(FunctionRegistry& r) {
    r.AddAggregate("count", WithDistinct([](const std::vector<LogicalType>& types, bool) {
                       BoundAggregateFunction f;
                       f.name = "count";
                       f.arg_types = types;
                       f.return_type = TypeId::BIGINT;
                       bool star = types.empty();
                       f.make_states = [star] { return std::make_unique<CountStates>(star); };
                       return f;
                   }));
    for (const char* name : {"sum", "avg"}) {
        std::string n = name;
        r.AddAggregate(n, WithDistinct([n](const std::vector<LogicalType>& t, bool) { return BindSumAvg(n, t); }));
    }
    // __replace and __replace_if_not_null merge the REPLACE columns of Aggregate Key tables: the
    // value of the last row in load order wins.
    for (const char* name : {"min", "max", "any_value", "first", "last", "__replace", "__replace_if_not_null"}) {
        std::string n = name;
        r.AddAggregate(n, WithDistinct([n](const std::vector<LogicalType>& t, bool) { return BindExtremum(n, t); }));
    }
    struct Var {
        const char* name;
        bool sample;
        bool root;
    };
    for (Var v : {Var{"variance", false, false}, Var{"var_pop", false, false}, Var{"variance_pop", false, false},
                  Var{"var_samp", true, false}, Var{"variance_samp", true, false}, Var{"stddev", false, true},
                  Var{"std", false, true}, Var{"stddev_pop", false, true}, Var{"stddev_samp", true, true}}) {
        std::string n = v.name;
        bool sample = v.sample, root = v.root;
        r.AddAggregate(n, WithDistinct([n, sample, root](const std::vector<LogicalType>& t, bool) {
                           if (t.size() != 1)
                               throw BinderError(n + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
                           BoundAggregateFunction f;
                           f.name = n;
                           f.arg_types = {TypeId::DOUBLE};
                           f.return_type = TypeId::DOUBLE;
                           f.make_states = [sample, root] { return std::make_unique<VarianceStates>(sample, root); };
                           return f;
                       }));
    }
    r.AddAggregate("weighted_avg", WithDistinct([](const std::vector<LogicalType>& t, bool) {
                       if (t.size() != 2) {
                           throw BinderError("weighted_avg() takes a value and its weight", ErrorCode::WRONG_ARGUMENTS);
                       }
                       BoundAggregateFunction f;
                       f.name = "weighted_avg";
                       f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
                       f.return_type = TypeId::DOUBLE;
                       f.make_states = [] { return std::make_unique<WeightedAvgStates>(); };
                       return f;
                   }));
    r.AddAlias("wavg", "weighted_avg");
    r.AddAggregate("group_concat", WithDistinct([](const std::vector<LogicalType>& t, bool) {
                       if (t.empty() || t.size() > 2) {
                           throw BinderError("group_concat() takes one argument and a separator",
                                             ErrorCode::WRONG_ARGUMENTS);
                       }
                       BoundAggregateFunction f;
                       f.name = "group_concat";
                       f.arg_types.assign(t.size(), LogicalType::Varchar());
                       f.return_type = LogicalType::Varchar();
                       f.make_states = [] { return std::make_unique<GroupConcatStates>(); };
                       return f;
                   }));
}

}  // namespace floe
