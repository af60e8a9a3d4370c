// ARRAY_AGG(x [ORDER BY ...]) (StarRocks, PostgreSQL, DuckDB): each group's values, NULLs
// included, as an ARRAY in the order the rows arrive (or the call's ORDER BY). A group without
// rows gives NULL. Rows must arrive in order, so parallel aggregations feed it from one thread.
#include "common/exception.h"
#include "function/function_registry.h"
#include "types/array.h"

namespace floe {

namespace {

class ArrayAggStates : public AggregateStates {
  public:
    explicit ArrayAggStates(LogicalType element) : element_(element) {}
    void Resize(size_t groups) override { values_.resize(groups); }
    void Update(const std::vector<const Column*>& args, const uint32_t* rows, const uint32_t* groups,
                size_t n) override {
        const Column& a = *args[0];
        for (size_t i = 0; i < n; ++i) values_[groups[i]].push_back(a.GetValue(rows[i]));
    }
    void Finalize(Column& out, size_t groups) override {
        ArrayBuilder b(element_);
        for (size_t g = 0; g < groups; ++g) {
            if (values_[g].empty()) {
                out.SetNull(g, true);
                continue;
            }
            for (const Value& v : values_[g]) b.Append(v);
            out.SetNull(g, false);
            out.SetString(g, b.Finish());
        }
    }

  private:
    LogicalType element_;
    std::vector<std::vector<Value>> values_;
};

}  // namespace

void RegisterArrayAggregates(FunctionRegistry& r) {
    r.AddAggregate("array_agg", [](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() != 1) throw BinderError("array_agg() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        if (distinct) throw BinderError("array_agg() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
        LogicalType element = types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[0];
        if (element.id == TypeId::BITMAP || element.id == TypeId::HLL) {
            throw BinderError("array_agg() does not accept " + element.ToString(), ErrorCode::TYPE_MISMATCH);
        }
        BoundAggregateFunction f;
        f.name = "array_agg";
        f.arg_types = {element};
        f.return_type = LogicalType::Array(element);
        f.make_states = [element] { return std::make_unique<ArrayAggStates>(element); };
        return f;
    });
    r.AddAlias("list", "array_agg");
}

}  // namespace floe
