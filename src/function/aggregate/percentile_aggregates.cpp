// Percentiles: percentile_cont(x, p) (linear interpolation between the two nearest values),
// percentile_approx(x, p) (StarRocks' name; computed exactly here from the group's values),
// percentile_disc(x, p) and median(x). NULL values are skipped; p must be in [0, 1].
#include <algorithm>
#include <cmath>

#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

class PercentileStates : public AggregateStates {
  public:
    PercentileStates(bool discrete, double fixed) : discrete_(discrete), fixed_(fixed) {}
    void Resize(size_t groups) override {
        values_.resize(groups);
        p_.resize(groups, fixed_);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (args.size() > 1 && !args[1]->IsNull(r)) {
                double p = args[1]->Data<double>()[r];
                if (!(p >= 0 && p <= 1)) {
                    throw ConversionError("percentile must be between 0 and 1, not " + std::to_string(p),
                                          ErrorCode::WRONG_ARGUMENTS);
                }
                p_[groups[i]] = p;
            }
            if (!x.IsNull(r)) values_[groups[i]].push_back(x.Data<double>()[r]);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            auto& v = values_[g];
            out.SetNull(g, v.empty());
            if (v.empty()) continue;
            double p = p_[g];
            double pos = p * static_cast<double>(v.size() - 1);
            if (discrete_) {
                // The first value whose cumulative share reaches p.
                size_t k = p <= 0 ? 0 : static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
                std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
                out.Data<double>()[g] = v[k];
                continue;
            }
            auto lo = static_cast<size_t>(std::floor(pos));
            std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
            double a = v[lo];
            double b = a;
            if (lo + 1 < v.size()) b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
            out.Data<double>()[g] = a + (b - a) * (pos - static_cast<double>(lo));
        }
    }

  private:
    bool discrete_;
    double fixed_;
    std::vector<std::vector<double>> values_;
    std::vector<double> p_;
};

AggregateFunctionBinder Percentile(std::string name, bool discrete, std::optional<double> fixed) {
    return [name, discrete, fixed](const std::vector<LogicalType>& types, bool) {
        size_t want = fixed ? 1 : 2;
        if (types.size() != want && !(name == "percentile_approx" && types.size() == 3)) {
            throw BinderError(name + "() takes " + std::to_string(want) + " arguments", ErrorCode::WRONG_ARGUMENTS);
        }
        BoundAggregateFunction f;
        f.name = name;
        f.arg_types = {TypeId::DOUBLE};
        if (!fixed) f.arg_types.push_back(TypeId::DOUBLE);
        if (types.size() == 3) f.arg_types.push_back(TypeId::DOUBLE);  // compression: accepted, unused
        f.return_type = TypeId::DOUBLE;
        double p = fixed.value_or(0.5);
        f.make_states = [discrete, p] { return std::make_unique<PercentileStates>(discrete, p); };
        return f;
    };
}

}  // namespace

void RegisterPercentileAggregates(FunctionRegistry& r) {
    r.AddAggregate("percentile_cont", Percentile("percentile_cont", false, std::nullopt));
    r.AddAggregate("percentile_approx", Percentile("percentile_approx", false, std::nullopt));
    r.AddAggregate("percentile_disc", Percentile("percentile_disc", true, std::nullopt));
    r.AddAggregate("median", Percentile("median", false, 0.5));
}

}  // namespace floe
