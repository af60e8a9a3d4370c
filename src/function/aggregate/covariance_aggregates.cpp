// Two-variable statistics: covar_pop, covar_samp and corr (Pearson's coefficient) over the rows
// where both arguments are non-NULL, in DOUBLE. The states are counts, means and co-moments
// updated one row at a time (Welford) and combined pairwise, which keeps large offsets exact
// enough where sum-of-products formulas cancel. Too few rows (or a constant variable for corr)
// give NULL.
#include <cmath>
#include <vector>

#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

enum class CoStat { COVAR_POP, COVAR_SAMP, CORR };

class CoMomentStates : public AggregateStates {
  public:
    explicit CoMomentStates(CoStat stat) : stat_(stat) {}
    void Resize(size_t groups) override {
        n_.resize(groups, 0);
        mean_x_.resize(groups, 0);
        mean_y_.resize(groups, 0);
        c_.resize(groups, 0);
        m2x_.resize(groups, 0);
        m2y_.resize(groups, 0);
    }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& a = *args[0];
        const Column& b = *args[1];
        const double* xs = a.Data<double>();
        const double* ys = b.Data<double>();
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (a.IsNull(r) || b.IsNull(r)) continue;
            uint32_t g = groups[i];
            double x = xs[r], y = ys[r];
            double count = static_cast<double>(++n_[g]);
            double dx = x - mean_x_[g];
            mean_x_[g] += dx / count;
            double dy = y - mean_y_[g];
            mean_y_[g] += dy / count;
            c_[g] += dx * (y - mean_y_[g]);
            m2x_[g] += dx * (x - mean_x_[g]);
            m2y_[g] += dy * (y - mean_y_[g]);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            double v = 0;
            bool null = false;
            switch (stat_) {
                case CoStat::COVAR_POP:
                    null = n_[g] == 0;
                    if (!null) v = c_[g] / static_cast<double>(n_[g]);
                    break;
                case CoStat::COVAR_SAMP:
                    null = n_[g] < 2;
                    if (!null) v = c_[g] / static_cast<double>(n_[g] - 1);
                    break;
                case CoStat::CORR: {
                    double denom = std::sqrt(m2x_[g] * m2y_[g]);
                    null = n_[g] < 2 || denom == 0;
                    if (!null) v = c_[g] / denom;
                    break;
                }
            }
            out.SetNull(g, null);
            if (!null) out.Data<double>()[g] = v;
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        const auto& o = static_cast<CoMomentStates&>(other);
        for (size_t g = 0; g < other_groups; ++g) {
            if (o.n_[g] == 0) continue;
            uint32_t t = mapping[g];
            auto n1 = static_cast<double>(n_[t]), n2 = static_cast<double>(o.n_[g]);
            double n = n1 + n2;
            double dx = o.mean_x_[g] - mean_x_[t], dy = o.mean_y_[g] - mean_y_[t];
            c_[t] += o.c_[g] + dx * dy * n1 * n2 / n;
            m2x_[t] += o.m2x_[g] + dx * dx * n1 * n2 / n;
            m2y_[t] += o.m2y_[g] + dy * dy * n1 * n2 / n;
            mean_x_[t] += dx * n2 / n;
            mean_y_[t] += dy * n2 / n;
            n_[t] += o.n_[g];
        }
    }

  private:
    CoStat stat_;
    std::vector<int64_t> n_;
    std::vector<double> mean_x_, mean_y_, c_, m2x_, m2y_;
};

}  // namespace

void RegisterCovarianceAggregates(FunctionRegistry& r) {
    struct Named {
        const char* name;
        CoStat stat;
    };
    for (Named s : {Named{"covar_pop", CoStat::COVAR_POP}, Named{"covar_samp", CoStat::COVAR_SAMP},
                    Named{"corr", CoStat::CORR}}) {
        std::string n = s.name;
        CoStat stat = s.stat;
        r.AddAggregate(n, [n, stat](const std::vector<LogicalType>& types, bool distinct) {
            if (types.size() != 2) throw BinderError(n + "() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
            if (distinct) throw BinderError(n + "() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
            for (const auto& t : types) {
                if (!t.IsNumeric() && t.id != TypeId::NULL_TYPE)
                    throw BinderError(n + "() needs numbers, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
            }
            BoundAggregateFunction f;
            f.name = n;
            f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
            f.return_type = TypeId::DOUBLE;
            f.make_states = [stat] { return std::make_unique<CoMomentStates>(stat); };
            return f;
        });
    }
}

}  // namespace floe
