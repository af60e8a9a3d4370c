// Statistical tests as aggregates: mann_whitney_u_test(x, treatment[, alternative[, continuity]])
// ranks the non-NULL values of both groups (ties share their mean rank), takes U of the first group
// (treatment false) and its p-value from the normal approximation with the tie correction, shifted
// by 0.5 towards the mean when `continuity` (the default). Alternatives: 'two-sided' (default),
// 'less', 'greater'. The result is the JSON array [U, p].
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

enum class Alternative { TWO_SIDED, LESS, GREATER };

Alternative ParseAlternative(std::string_view s) {
    if (s == "two-sided") return Alternative::TWO_SIDED;
    if (s == "less") return Alternative::LESS;
    if (s == "greater") return Alternative::GREATER;
    throw ConversionError(
        "mann_whitney_u_test(): alternative must be 'two-sided', 'less' or 'greater', not '" + std::string(s) + "'",
        ErrorCode::WRONG_ARGUMENTS);
}

double NormalCdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

class MannWhitneyStates : public AggregateStates {
  public:
    void Resize(size_t groups) override { samples_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& x = *args[0];
        const Column& t = *args[1];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (!options_read_) ReadOptions(args, r);
            if (x.IsNull(r) || t.IsNull(r)) continue;
            samples_[groups[i]].emplace_back(x.Data<double>()[r], t.Data<uint8_t>()[r] != 0);
        }
    }
    void Finalize(Column& out, size_t groups) override {
        for (size_t g = 0; g < groups; ++g) {
            auto& s = samples_[g];
            std::sort(s.begin(), s.end());
            double n1 = 0, n2 = 0, rank_sum = 0, tie_term = 0;
            for (size_t i = 0; i < s.size();) {
                size_t j = i;
                while (j < s.size() && s[j].first == s[i].first) ++j;
                double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // mean of i+1 .. j
                auto ties = static_cast<double>(j - i);
                tie_term += ties * ties * ties - ties;
                for (size_t k = i; k < j; ++k) {
                    if (s[k].second) {
                        n2 += 1;
                    } else {
                        n1 += 1;
                        rank_sum += rank;
                    }
                }
                i = j;
            }
            out.SetNull(g, n1 == 0 || n2 == 0);
            if (n1 == 0 || n2 == 0) continue;
            double n = n1 + n2;
            double u = rank_sum - n1 * (n1 + 1) / 2;
            double mean = n1 * n2 / 2;
            double sd = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
            double shift = continuity_ ? 0.5 : 0;
            double p = 1;
            if (sd > 0) {
                switch (alternative_) {
                    case Alternative::TWO_SIDED: {
                        double d = u - mean;
                        double z = (d - (d > 0 ? shift : d < 0 ? -shift : 0)) / sd;
                        p = std::min(1.0, 2 * (1 - NormalCdf(std::fabs(z))));
                        break;
                    }
                    case Alternative::LESS:
                        p = NormalCdf((u - mean + shift) / sd);
                        break;
                    case Alternative::GREATER:
                        p = 1 - NormalCdf((u - mean - shift) / sd);
                        break;
                }
            }
            out.SetString(g, fmt::format("[{},{}]", u, p));
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<MannWhitneyStates&>(other);
        if (!options_read_ && o.options_read_) {
            alternative_ = o.alternative_;
            continuity_ = o.continuity_;
            options_read_ = true;
        }
        for (size_t g = 0; g < other_groups; ++g) {
            auto& to = samples_[mapping[g]];
            to.insert(to.end(), o.samples_[g].begin(), o.samples_[g].end());
        }
    }

  private:
    void ReadOptions(Args args, uint32_t r) {
        if (args.size() > 2 && !args[2]->IsNull(r)) alternative_ = ParseAlternative(args[2]->Strings()[r].view());
        if (args.size() > 3 && !args[3]->IsNull(r)) continuity_ = args[3]->Data<uint8_t>()[r] != 0;
        options_read_ = true;
    }
    bool options_read_ = false;
    Alternative alternative_ = Alternative::TWO_SIDED;
    bool continuity_ = true;
    std::vector<std::vector<std::pair<double, bool>>> samples_;
};

}  // namespace

void RegisterHypothesisTestAggregates(FunctionRegistry& r) {
    r.AddAggregate("mann_whitney_u_test", [](const std::vector<LogicalType>& types, bool) {
        if (types.size() < 2 || types.size() > 4) {
            throw BinderError(
                "mann_whitney_u_test() takes a sample, its treatment and optionally the alternative and continuity "
                "correction",
                ErrorCode::WRONG_ARGUMENTS);
        }
        if (!types[0].IsNumeric() && types[0].id != TypeId::NULL_TYPE) {
            throw BinderError("mann_whitney_u_test() needs a numeric sample, not " + types[0].ToString(),
                              ErrorCode::TYPE_MISMATCH);
        }
        BoundAggregateFunction f;
        f.name = "mann_whitney_u_test";
        f.arg_types = {TypeId::DOUBLE, TypeId::BOOLEAN};
        if (types.size() > 2) f.arg_types.push_back(LogicalType::Varchar());
        if (types.size() > 3) f.arg_types.push_back(TypeId::BOOLEAN);
        f.return_type = TypeId::JSON;
        f.make_states = [] { return std::make_unique<MannWhitneyStates>(); };
        return f;
    });
}

}  // namespace floe
