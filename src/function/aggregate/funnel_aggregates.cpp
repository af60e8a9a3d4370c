// window_funnel(window, time, mode, [c1, c2, ...]): the longest prefix c1, c2, ... ck of the event
// chain that a group's rows complete, in time order, within `window` of the chain's first event
// (seconds for DATETIME times, days for DATE). Mode bits, as StarRocks documents them: 1 = a
// repeated event ends the chain, 2 = an event out of order ends it, 4 = each step needs a
// strictly later time than the one before. Rows keep (time, matched conditions) per group; the
// chain is walked once per group at Finalize.
#include <algorithm>
#include <vector>

#include "common/exception.h"
#include "function/function_registry.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
constexpr int64_t kDedup = 1, kFixed = 2, kIncrease = 4;
constexpr size_t kMaxEvents = 64;

class WindowFunnelStates : public AggregateStates {
  public:
    explicit WindowFunnelStates(bool date_time) : date_time_(date_time) {}
    void Resize(size_t groups) override { events_.resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* groups, size_t n) override {
        const Column& window = *args[0];
        const Column& time = *args[1];
        const Column& mode = *args[2];
        const Column& conds = *args[3];
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            if (!configured_ && !window.IsNull(r) && !mode.IsNull(r)) {
                window_ = window.Data<int64_t>()[r];
                mode_ = mode.Data<int64_t>()[r];
                if (window_ < 0) throw ExecutionError("window_funnel(): the window must not be negative");
                configured_ = true;
            }
            if (time.IsNull(r) || conds.IsNull(r)) continue;
            ArrayReader c(conds.Strings()[r].view(), TypeId::BOOLEAN);
            if (c.size() > kMaxEvents) throw ExecutionError("window_funnel() takes at most 64 conditions");
            width_ = std::max(width_, c.size());
            uint64_t mask = 0;
            for (size_t k = 0; k < c.size(); ++k) {
                if (!c.IsNull(k) && *c.Slot(k) != 0) mask |= uint64_t{1} << k;
            }
            if (mask == 0) continue;
            int64_t t = date_time_ ? time.Data<int64_t>()[r] : time.Data<int32_t>()[r];
            events_[groups[i]].push_back({t, mask});
        }
    }
    void Finalize(Column& out, size_t groups) override {
        int64_t window = date_time_ ? window_ * 1'000'000 : window_;  // seconds as micros, or days
        for (size_t g = 0; g < groups; ++g) {
            out.SetNull(g, false);
            out.Data<int64_t>()[g] = Longest(events_[g], window);
        }
    }
    bool Combinable() const override { return true; }
    void Combine(AggregateStates& other, const uint32_t* mapping, size_t other_groups) override {
        auto& o = static_cast<WindowFunnelStates&>(other);
        if (!configured_ && o.configured_) {
            window_ = o.window_;
            mode_ = o.mode_;
            configured_ = true;
        }
        width_ = std::max(width_, o.width_);
        for (size_t g = 0; g < other_groups; ++g) {
            auto& to = events_[mapping[g]];
            to.insert(to.end(), o.events_[g].begin(), o.events_[g].end());
        }
    }

  private:
    struct Event {
        int64_t time;
        uint64_t mask;  // bit k: condition k holds
    };

    int64_t Longest(std::vector<Event>& events, int64_t window) const {
        if (width_ == 0) return 0;
        std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
        // start[k]: the chain start time of the chain that reached step k (-1: none); last[k]: the
        // time step k was reached.
        std::vector<int64_t> start(width_, -1), last(width_, 0);
        std::vector<bool> reached(width_, false);
        int64_t best = 0;
        for (const Event& e : events) {
            for (size_t k = width_; k-- > 0;) {  // from the last step, so one row moves a chain one step
                if (!((e.mask >> k) & 1)) continue;
                if (k == 0) {
                    start[0] = e.time;
                    last[0] = e.time;
                    reached[0] = true;
                    best = std::max<int64_t>(best, 1);
                    continue;
                }
                if (!reached[k - 1]) {
                    if (mode_ & kFixed) return best;  // a later step before its predecessor
                    continue;
                }
                if ((mode_ & kDedup) && reached[k] && start[k] == start[k - 1]) return best;
                if (e.time - start[k - 1] > window) continue;
                if ((mode_ & kIncrease) && e.time <= last[k - 1]) continue;
                start[k] = start[k - 1];
                last[k] = e.time;
                reached[k] = true;
                best = std::max<int64_t>(best, static_cast<int64_t>(k) + 1);
                if (best == static_cast<int64_t>(width_)) return best;
            }
        }
        return best;
    }

    bool date_time_;
    bool configured_ = false;
    int64_t window_ = 0;
    int64_t mode_ = 0;
    size_t width_ = 0;
    std::vector<std::vector<Event>> events_;
};

}  // namespace

void RegisterFunnelAggregates(FunctionRegistry& r) {
    r.AddAggregate("window_funnel", [](const std::vector<LogicalType>& types, bool distinct) {
        if (types.size() != 4) {
            throw BinderError("window_funnel() takes a window, a time, a mode and an ARRAY of conditions",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (distinct) throw BinderError("window_funnel() does not take DISTINCT", ErrorCode::WRONG_ARGUMENTS);
        if (!types[1].IsTemporal() && !types[1].IsString())
            throw BinderError("window_funnel() needs a DATE or DATETIME time, not " + types[1].ToString(),
                              ErrorCode::TYPE_MISMATCH);
        if (types[3].id != TypeId::ARRAY)
            throw BinderError("window_funnel() needs an ARRAY of conditions, not " + types[3].ToString(),
                              ErrorCode::TYPE_MISMATCH);
        bool date_time = types[1].id != TypeId::DATE;
        BoundAggregateFunction f;
        f.name = "window_funnel";
        f.arg_types = {TypeId::BIGINT, date_time ? LogicalType(TypeId::DATETIME) : LogicalType(TypeId::DATE),
                       TypeId::BIGINT, LogicalType::Array(TypeId::BOOLEAN)};
        f.return_type = TypeId::BIGINT;
        f.make_states = [date_time] { return std::make_unique<WindowFunnelStates>(date_time); };
        return f;
    });
}

}  // namespace floe
