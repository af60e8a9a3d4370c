#include "server/query_profiles.h"

#include <algorithm>
#include <set>

namespace floe {

void QueryProfiles::Add(QueryProfile profile) {
    std::lock_guard<std::mutex> lock(mutex_);
    profile.seq = ++next_seq_;
    if (profile.duration_ms >= kSlowMs) {
        slow_.push_back(profile);
        if (slow_.size() > kSlow) slow_.pop_front();
    }
    recent_.push_back(std::move(profile));
    if (recent_.size() > kRecent) recent_.pop_front();
}

std::vector<QueryProfile> QueryProfiles::List() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<QueryProfile> out;
    std::set<std::string> seen;
    for (const auto* ring : {&recent_, &slow_}) {
        for (const auto& p : *ring) {
            if (seen.insert(p.query_id).second) out.push_back(p);
        }
    }
    std::sort(out.begin(), out.end(), [](const QueryProfile& a, const QueryProfile& b) { return a.seq > b.seq; });
    return out;
}

std::optional<QueryProfile> QueryProfiles::Find(const std::string& query_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto* ring : {&recent_, &slow_}) {
        for (const auto& p : *ring) {
            if (p.query_id == query_id) return p;
        }
    }
    return std::nullopt;
}

}  // namespace floe
