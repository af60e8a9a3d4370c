// Aggregates of conditions: count_if(cond) counts the rows where cond is true (NULL counts as
// false, so the result is never NULL); bool_or(x) / bool_and(x) are true when any / every non-NULL
// x is true, NULL when there is none (bool_and's name every() as well, as in PostgreSQL).
#include <vector>

#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

class CountIfStates : public AggregateStates {
  public:
    void Resize(size_t groups) override { counts_.resize(groups, 0); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        // Several arguments (StarRocks allows count_if(a, b)) count rows where all are true.
        for (size_t i = 0; i < n; ++i) {
            bool all = true;
            for (const Column* a : args) all = all && !a->IsNull(rows[i]) && a->Data<uint8_t>()[rows[i]] != 0;
            counts_[groups[i]] += all ? 1 : 0;
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
        const auto& o = static_cast<CountIfStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) counts_[mapping[g]] += o.counts_[g];
    }

  private:
    std::vector<int64_t> counts_;
};

/// 0 = no value yet, 1 = false, 2 = true; `any` folds with OR, otherwise with AND.
class BoolStates : public AggregateStates {
  public:
    explicit BoolStates(bool any) : any_(any) {}
    void Resize(size_t groups) override { state_.resize(groups, 0); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) {
            if (a.IsNull(rows[i])) continue;
            Fold(state_[groups[i]], a.Data<uint8_t>()[rows[i]] != 0 ? 2 : 1);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, state_[g] == 0);
            out.Data<uint8_t>()[g] = state_[g] == 2 ? 1 : 0;
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        const auto& o = static_cast<BoolStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (o.state_[g] != 0) Fold(state_[mapping[g]], o.state_[g]);
        }
    }

  private:
    void Fold(uint8_t& s, uint8_t v) const {
        if (s == 0)
            s = v;
        else if (any_)
            s = (s == 2 || v == 2) ? 2 : 1;
        else
            s = (s == 2 && v == 2) ? 2 : 1;
    }
    bool any_;
    std::vector<uint8_t> state_;
};

void RequireBooleans(const std::string& name, const std::vector<LogicalType>& types, size_t min, size_t max) {
    if (types.size() < min || types.size() > max) {
        throw BinderError(
            "wrong number of arguments (" + std::to_string(types.size()) + ") for function '" + name + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    for (const auto& t : types) {
        if (!t.IsNumeric() && !t.IsString() && t.id != TypeId::NULL_TYPE) {
            throw BinderError(name + "() needs a condition, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
        }
    }
}

}  // namespace

void RegisterBooleanAggregates(FunctionRegistry& r) {
    r.AddAggregate("count_if", [](const std::vector<LogicalType>& types, bool distinct) {
        if (distinct) throw BinderError("count_if() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
        RequireBooleans("count_if", types, 1, 64);
        BoundAggregateFunction f;
        f.name = "count_if";
        f.arg_types.assign(types.size(), TypeId::BOOLEAN);
        f.return_type = TypeId::BIGINT;
        f.make_states = [] { return std::make_unique<CountIfStates>(); };
        return f;
    });
    for (const char* name : {"bool_or", "bool_and"}) {
        std::string n = name;
        bool any = n == "bool_or";
        // DISTINCT changes nothing for OR and AND, so it is accepted and ignored.
        r.AddAggregate(n, [n, any](const std::vector<LogicalType>& types, bool) {
            RequireBooleans(n, types, 1, 1);
            BoundAggregateFunction f;
            f.name = n;
            f.arg_types = {TypeId::BOOLEAN};
            f.return_type = TypeId::BOOLEAN;
            f.make_states = [any] { return std::make_unique<BoolStates>(any); };
            return f;
        });
    }
    r.AddAlias("boolor_agg", "bool_or");
    r.AddAlias("booland_agg", "bool_and");
    r.AddAlias("every", "bool_and");
}

}  // namespace floe
