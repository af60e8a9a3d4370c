// Aggregates that return a collection or are another aggregate under StarRocks' name:
// min_n/max_n(x, n) (the n smallest or largest non-NULL values as an ARRAY; in StarRocks' order:
// min_n from the largest of them down, max_n from the smallest up), retention([c1, c2, ...])
// (ARRAY<BOOLEAN>: c1 seen, and each ck seen in a group where c1 was), array_unique_agg(arr) (the
// distinct elements of a group's arrays), string_agg (group_concat), and multi_distinct_count /
// multi_distinct_sum (count and sum of DISTINCT), and other names of existing aggregates.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
constexpr int64_t kMaxN = 10000;

template <typename T>
Value MakeValue(const LogicalType& t, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        return t.id == TypeId::JSON ? Value::Json(v) : Value::Varchar(v);
    } else if constexpr (std::is_same_v<T, bool>) {
        return Value::Boolean(v);
    } else if constexpr (std::is_same_v<T, double>) {
        return Value::Double(v);
    } else if constexpr (std::is_same_v<T, float>) {
        return Value::Float(v);
    } else if constexpr (std::is_same_v<T, int128_t>) {
        return t.id == TypeId::DECIMAL ? Value::Decimal(v, t.precision, t.scale) : Value::LargeInt(v);
    } else {
        if (t.id == TypeId::DATE) return Value::Date(static_cast<int32_t>(v));
        if (t.id == TypeId::DATETIME) return Value::Datetime(static_cast<int64_t>(v));
        return Value::Integer(static_cast<int64_t>(v), t.id);
    }
}

/// Keeps, per group, a buffer of candidate values that is cut back to the best n whenever it
/// doubles, so memory stays O(n) per group and each row costs amortized O(1).
template <typename T>
class TopNStates : public AggregateStates {
    using Stored = std::conditional_t<std::is_same_v<T, std::string_view>, std::string, T>;

  public:
    TopNStates(LogicalType element, bool largest) : element_(element), largest_(largest) {}
    void Resize(size_t groups) override { values_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t count) override {
        const Column& a = *args[0];
        const Column& n_arg = *args[1];
        for (size_t i = 0; i < count; ++i) {
            uint32_t r = rows[i];
            if (n_ == 0) n_ = CheckN(n_arg, r);
            if (a.IsNull(r)) continue;
            auto& v = values_[groups[i]];
            v.push_back(Stored(ReadValue<T>(a, r)));
            if (v.size() >= 2 * static_cast<size_t>(n_) + 16) Trim(v);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        ArrayBuilder b(element_);
        for (size_t g = 0; g < groups; ++g) {
            auto& v = values_[g];
            Trim(v);
            // Trim leaves the best n first, best first: min_n shows them largest first (the last
            // kept one first), max_n smallest first; both are v reversed.
            for (auto it = v.rbegin(); it != v.rend(); ++it) b.Append(MakeValue(element_, *it));
            out.SetNull(g, false);
            out.SetString(g, b.Finish());
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<TopNStates&>(other);
        if (n_ == 0) n_ = o.n_;
        for (size_t g = 0; g < other_groups; ++g) {
            auto& to = values_[mapping[g]];
            to.insert(to.end(), std::make_move_iterator(o.values_[g].begin()),
                      std::make_move_iterator(o.values_[g].end()));
            if (n_ > 0) Trim(to);
        }
    }

  private:
    static int64_t CheckN(const Column& c, uint32_t r) {
        int64_t n = c.IsNull(r) ? 0 : c.Data<int64_t>()[r];
        if (n <= 0 || n > kMaxN) {
            throw ExecutionError("min_n()/max_n(): n must be between 1 and 10000", ErrorCode::WRONG_ARGUMENTS);
        }
        return n;
    }
    // Sorts the best n to the front (best first) and drops the rest.
    void Trim(std::vector<Stored>& v) const {
        size_t keep = std::min(v.size(), static_cast<size_t>(std::max<int64_t>(n_, 0)));
        auto better = [this](const Stored& x, const Stored& y) { return largest_ ? y < x : x < y; };
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), better);
        v.resize(keep);
    }
    LogicalType element_;
    bool largest_;
    int64_t n_ = 0;
    std::vector<std::vector<Stored>> values_;
};

BoundAggregateFunction BindTopN(const std::string& name, const std::vector<LogicalType>& types, bool distinct) {
    if (types.size() != 2) throw BinderError(name + "() takes a value and n", ErrorCode::WRONG_ARGUMENTS);
    if (distinct) throw BinderError(name + "() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
    if (!types[1].IsInteger() && types[1].id != TypeId::NULL_TYPE)
        throw BinderError(name + "(): n must be an integer", ErrorCode::TYPE_MISMATCH);
    LogicalType element = types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[0];
    if (element.id == TypeId::JSON) element = LogicalType::Varchar();
    bool largest = name == "max_n";
    BoundAggregateFunction f;
    f.name = name;
    f.arg_types = {element, TypeId::BIGINT};
    f.return_type = LogicalType::Array(element);
    bool supported = false;
    DispatchPhysicalType(element.id, [&](auto tag) {
        using T = decltype(tag);
        if (element.id == TypeId::ARRAY) return;
        supported = true;
        f.make_states = [element, largest] { return std::make_unique<TopNStates<T>>(element, largest); };
    });
    if (!supported) throw BinderError(name + "() cannot order " + element.ToString(), ErrorCode::TYPE_MISMATCH);
    return f;
}

class RetentionStates : public AggregateStates {
  public:
    void Resize(size_t groups) override { seen_.resize(groups, 0); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            ArrayReader events(a.Strings()[r].view(), TypeId::BOOLEAN);
            if (events.size() > 64) {
                throw ExecutionError("retention() takes at most 64 conditions", ErrorCode::WRONG_ARGUMENTS);
            }
            width_ = std::max(width_, events.size());
            uint64_t bits = 0;
            for (size_t k = 0; k < events.size(); ++k) {
                if (!events.IsNull(k) && *events.Slot(k) != 0) bits |= uint64_t{1} << k;
            }
            seen_[groups[i]] |= bits;
        }
    }
    void Finalize(Column& out, size_t groups) override {
        ArrayBuilder b(TypeId::BOOLEAN);
        for (size_t g = 0; g < groups; ++g) {
            bool first = seen_[g] & 1;
            for (size_t k = 0; k < width_; ++k) b.Append(Value::Boolean(first && ((seen_[g] >> k) & 1)));
            out.SetNull(g, false);
            out.SetString(g, b.Finish());
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<RetentionStates&>(other);
        width_ = std::max(width_, o.width_);
        for (size_t g = 0; g < other_groups; ++g) seen_[mapping[g]] |= o.seen_[g];
    }

  private:
    size_t width_ = 0;
    std::vector<uint64_t> seen_;
};

/// array_unique_agg: the distinct elements (a NULL element once) of every array
/// of the group, in first-seen order; a group without arrays gives NULL.
class ArrayUniqueStates : public AggregateStates {
  public:
    explicit ArrayUniqueStates(LogicalType element) : element_(element) {}
    void Resize(size_t groups) override { groups_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r)) continue;
            Group& g = groups_[groups[i]];
            g.any = true;
            ArrayReader arr(a.Strings()[r].view(), element_);
            for (size_t k = 0; k < arr.size(); ++k) {
                if (arr.IsNull(k)) {
                    if (!g.has_null) g.order.push_back(std::nullopt);
                    g.has_null = true;
                    continue;
                }
                std::string key = element_.HasStringHeap() ? std::string(arr.GetBytes(k))
                                                           : std::string(reinterpret_cast<const char*>(arr.Slot(k)),
                                                                         element_.PhysicalSize());
                if (g.keys.insert(key).second) g.order.push_back(arr.Get(k));
            }
        }
    }
    void Finalize(Column& out, size_t groups) override {
        ArrayBuilder b(element_);
        for (size_t g = 0; g < groups; ++g) {
            if (!groups_[g].any) {
                out.SetNull(g, true);
                continue;
            }
            for (const auto& v : groups_[g].order) {
                if (v)
                    b.Append(*v);
                else
                    b.AppendNull();
            }
            out.SetNull(g, false);
            out.SetString(g, b.Finish());
        }
    }

  private:
    struct Group {
        bool any = false;
        bool has_null = false;
        std::unordered_set<std::string> keys;
        std::vector<std::optional<Value>> order;
    };
    LogicalType element_;
    std::vector<Group> groups_;
};

}  // namespace

void RegisterCollectionAggregates(FunctionRegistry& r) {
    for (const char* name : {"min_n", "max_n"}) {
        std::string n = name;
        r.AddAggregate(n, [n](const std::vector<LogicalType>& t, bool distinct) { return BindTopN(n, t, distinct); });
    }
    r.AddAggregate("retention", [](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() != 1)
            throw BinderError("retention() takes an ARRAY of conditions", ErrorCode::WRONG_ARGUMENTS);
        if (types[0].id != TypeId::ARRAY)
            throw BinderError("retention() needs an ARRAY of conditions, not " + types[0].ToString(),
                              ErrorCode::TYPE_MISMATCH);
        BoundAggregateFunction f;
        f.name = "retention";
        f.arg_types = {LogicalType::Array(TypeId::BOOLEAN)};
        f.return_type = LogicalType::Array(TypeId::BOOLEAN);
        f.make_states = [] { return std::make_unique<RetentionStates>(); };
        return f;
    });
    r.AddAggregate("array_unique_agg", [](const std::vector<LogicalType>& types, bool) {
        if (types.size() != 1 || types[0].id != TypeId::ARRAY)
            throw BinderError("array_unique_agg() takes one ARRAY argument", ErrorCode::WRONG_ARGUMENTS);
        LogicalType element = types[0].Element();
        BoundAggregateFunction f;
        f.name = "array_unique_agg";
        f.arg_types = {types[0]};
        f.return_type = types[0];
        f.make_states = [element] { return std::make_unique<ArrayUniqueStates>(element); };
        return f;
    });
    r.AddAlias("string_agg", "group_concat");
    // Other names of aggregates Floe already has: percentile_disc_lc is percentile_disc for
    // low-cardinality inputs, and the DataSketches distinct counts are approximate counts too.
    r.AddAlias("percentile_disc_lc", "percentile_disc");
    r.AddAlias("approx_count_distinct_hll_sketch", "approx_count_distinct");
    r.AddAlias("ds_hll_count_distinct", "approx_count_distinct");
    r.AddAlias("ds_theta_count_distinct", "approx_count_distinct");
    // multi_distinct_count(x) is count(DISTINCT x), multi_distinct_sum(x) sum(DISTINCT x).
    for (auto [alias, target] : {std::pair{"multi_distinct_count", "count"}, std::pair{"multi_distinct_sum", "sum"}}) {
        std::string t = target;
        r.AddAggregate(alias, [t](const std::vector<LogicalType>& types, bool) {
            BoundAggregateFunction f = FunctionRegistry::Instance().BindAggregate(t, types, true);
            return f;
        });
    }
}

}  // namespace floe
