// Percentiles: percentile_cont(x, p) (linear interpolation between the two nearest values),
// percentile_approx(x, p) (StarRocks' name; computed exactly here from the group's values),
// percentile_disc(x, p), median(x) and percentile_approx_weight(x, w, p) (each row counted w
// times). NULL values are skipped; p must be in [0, 1].
#include <algorithm>
#include <cmath>

#include "common/exception.h"
#include "function/function_registry.h"
#include "types/array.h"

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

/// percentile_approx_weight(x, weight, p[, compression]): the percentile of x with each row counted
/// `weight` times, interpolated as percentile_cont (computed exactly here). p is a DOUBLE or an
/// ARRAY<DOUBLE> (then the result is the array of percentiles). Weights below 1 are an error.
class WeightedPercentileStates : public AggregateStates {
  public:
    explicit WeightedPercentileStates(bool array) : array_(array) {}
    void Resize(size_t groups) override {
        values_.resize(groups);
        ps_.resize(groups);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        const Column& w = *args[1];
        const Column& p = *args[2];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i], g = groups[i];
            if (ps_[g].empty() && !p.IsNull(r)) ps_[g] = Percentages(p, r);
            if (x.IsNull(r) || w.IsNull(r)) continue;
            int64_t weight = w.Data<int64_t>()[r];
            if (weight < 1) {
                throw ConversionError(
                    "percentile_approx_weight(): weights must be positive, not " + std::to_string(weight),
                    ErrorCode::WRONG_ARGUMENTS);
            }
            values_[g].emplace_back(x.Data<double>()[r], weight);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            auto& v = values_[g];
            out.SetNull(g, v.empty() || ps_[g].empty());
            if (v.empty() || ps_[g].empty()) continue;
            std::sort(v.begin(), v.end());
            double total = 0;
            for (const auto& e : v) total += static_cast<double>(e.second);
            // The value at copy k (0-based) of the rows in order, each row repeated weight times.
            auto at = [&v](double k) {
                double seen = 0;
                for (const auto& e : v) {
                    seen += static_cast<double>(e.second);
                    if (k < seen) return e.first;
                }
                return v.back().first;
            };
            std::vector<double> results;
            for (double p : ps_[g]) {
                double pos = p * (total - 1);
                double lo = std::floor(pos);
                double a = at(lo), b = lo + 1 < total ? at(lo + 1) : a;
                results.push_back(a + (b - a) * (pos - lo));
            }
            if (!array_) {
                out.Data<double>()[g] = results[0];
                continue;
            }
            ArrayBuilder b(TypeId::DOUBLE);
            for (double d : results) b.Append(Value::Double(d));
            out.SetString(g, b.Finish());
        }
    }

  private:
    std::vector<double> Percentages(const Column& p, uint32_t r) const {
        std::vector<double> out;
        if (array_) {
            ArrayReader reader(p.Strings()[r].view(), TypeId::DOUBLE);
            for (size_t k = 0; k < reader.size(); ++k) {
                if (reader.IsNull(k)) throw ConversionError("percentile must not be NULL", ErrorCode::WRONG_ARGUMENTS);
                out.push_back(reader.Get(k).GetDouble());
            }
        } else {
            out.push_back(p.Data<double>()[r]);
        }
        for (double q : out) {
            if (!(q >= 0 && q <= 1)) {
                throw ConversionError("percentile must be between 0 and 1, not " + std::to_string(q),
                                      ErrorCode::WRONG_ARGUMENTS);
            }
        }
        return out;
    }
    bool array_;
    std::vector<std::vector<std::pair<double, int64_t>>> values_;
    std::vector<std::vector<double>> ps_;
};

AggregateFunctionBinder WeightedPercentile(std::string name) {
    return [name](const std::vector<LogicalType>& types, bool) {
        if (types.size() != 3 && types.size() != 4) {
            throw BinderError(name + "() takes a value, a weight, a percentile and an optional compression",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        bool array = types[2].id == TypeId::ARRAY;
        BoundAggregateFunction f;
        f.name = name;
        f.arg_types = {TypeId::DOUBLE, TypeId::BIGINT,
                       array ? LogicalType::Array(TypeId::DOUBLE) : LogicalType(TypeId::DOUBLE)};
        if (types.size() == 4) f.arg_types.push_back(TypeId::DOUBLE);  // compression: accepted, unused
        f.return_type = array ? LogicalType::Array(TypeId::DOUBLE) : LogicalType(TypeId::DOUBLE);
        f.make_states = [array] { return std::make_unique<WeightedPercentileStates>(array); };
        return f;
    };
}

}  // namespace

void RegisterPercentileAggregates(FunctionRegistry& r) {
    r.AddAggregate("percentile_cont", Percentile("percentile_cont", false, std::nullopt));
    r.AddAggregate("percentile_approx", Percentile("percentile_approx", false, std::nullopt));
    r.AddAggregate("percentile_disc", Percentile("percentile_disc", true, std::nullopt));
    r.AddAggregate("median", Percentile("median", false, 0.5));
    r.AddAggregate("percentile_approx_weight", WeightedPercentile("percentile_approx_weight"));
    r.AddAlias("percentile_approx_weighted", "percentile_approx_weight");
}

}  // namespace floe
