// max_by(x, y) / min_by(x, y) (StarRocks; DuckDB's arg_max / arg_min): the value of x on the row
// with the largest (smallest) y. Rows whose y is NULL are skipped; on ties the first row seen
// wins; no row gives NULL. DuckDB's arg_max / arg_min also skip the rows whose x is NULL.
#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

class ByStates : public AggregateStates {
  public:
    ByStates(LogicalType value, LogicalType key, bool max, bool skip_null_values)
        : values_(std::make_unique<Column>(value, 0)),
          keys_(std::make_unique<Column>(key, 0)),
          max_(max),
          skip_null_values_(skip_null_values) {}
    void Resize(size_t groups) override {
        values_->Resize(groups);
        keys_->Resize(groups);
        has_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& value = *args[0];
        const Column& key = *args[1];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i], g = groups[i];
            if (key.IsNull(r) || (skip_null_values_ && value.IsNull(r))) continue;
            if (has_[g] && !Better(key.CompareRows(r, *keys_, g))) continue;
            keys_->SetValue(g, key.GetValue(r));
            values_->SetValue(g, value.GetValue(r));
            has_[g] = 1;
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            if (!has_[g]) {
                out.SetNull(g, true);
                continue;
            }
            out.SetValue(g, values_->GetValue(g));
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<ByStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (!o.has_[g]) continue;
            uint32_t to = mapping[g];
            if (has_[to] && !Better(o.keys_->CompareRows(g, *keys_, to))) continue;
            keys_->SetValue(to, o.keys_->GetValue(g));
            values_->SetValue(to, o.values_->GetValue(g));
            has_[to] = 1;
        }
    }

  private:
    /// Whether a key comparing `c` (three-way) to the group's replaces it: strictly better only.
    bool Better(int c) const { return max_ ? c > 0 : c < 0; }
    std::unique_ptr<Column> values_, keys_;  // per group: the chosen row's x and y
    std::vector<uint8_t> has_;
    bool max_;
    bool skip_null_values_;
};

AggregateFunctionBinder Bind(bool max, bool skip_null_values) {
    const char* name = skip_null_values ? (max ? "arg_max" : "arg_min") : (max ? "max_by" : "min_by");
    return [max, name, skip_null_values](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() != 2) {
            throw BinderError(std::string(name) + "() takes two arguments: the value and what orders it",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (distinct) throw BinderError(std::string(name) + "() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
        for (const auto& t : types) {
            if (t.id == TypeId::BITMAP || t.id == TypeId::HLL) {
                throw BinderError(std::string(name) + "() does not accept " + t.ToString(), ErrorCode::TYPE_MISMATCH);
            }
        }
        LogicalType value = types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[0];
        LogicalType key = types[1].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[1];
        BoundAggregateFunction f;
        f.name = name;
        f.arg_types = {value, key};
        f.return_type = value;
        f.make_states = [value, key, max, skip_null_values] {
            return std::make_unique<ByStates>(value, key, max, skip_null_values);
        };
        return f;
    };
}

}  // namespace

void RegisterByAggregates(FunctionRegistry& r) {
    r.AddAggregate("max_by", Bind(true, false));
    r.AddAggregate("min_by", Bind(false, false));
    r.AddAggregate("arg_max", Bind(true, true));
    r.AddAggregate("arg_min", Bind(false, true));
}

}  // namespace floe
