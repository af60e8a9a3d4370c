#include "mv/mv_state.h"

#include <chrono>
#include <map>
#include <set>

namespace floe::mv {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::pair<std::string, std::string> SplitDbTable(const std::string& name) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) return {"", name};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

}  // namespace

bool IsHotBase(const std::string& name) {
    size_t first = name.find('.');
    return first != std::string::npos && name.find('.', first + 1) == std::string::npos;
}

std::vector<MvBasePartition> HotTableState(const std::string& name, const TableInfo& table,
                                           const TableVersion& version) {
    std::string base_id = std::to_string(table.id) + "@" + std::to_string(table.create_time);
    // A partition's fingerprint is its data version: loads, deletes, updates and overwrites move
    // it; compaction, which rewrites rows without changing them, does not.
    auto fingerprint = [&](int64_t pid) {
        auto it = version.data_versions.find(pid);
        return "v" + std::to_string(it == version.data_versions.end() ? 0 : it->second);
    };
    std::vector<MvBasePartition> out;
    if (version.partitions.empty()) {
        MvBasePartition p;
        p.base = name;
        p.base_id = base_id;
        p.fingerprint = fingerprint(0);
        out.push_back(std::move(p));
        return out;
    }
    for (const auto& part : version.partitions) {
        MvBasePartition p;
        p.base = name;
        p.base_id = base_id;
        p.partition = part.name;
        p.fingerprint = fingerprint(part.id);
        if (part.lower || part.upper) {
            p.lower = part.lower;
            p.upper = part.upper;
        } else if (part.values.size() == 1 && part.values[0].size() == 1) {
            // A list partition of one value: the range [v, v].
            p.lower = part.values[0][0];
            p.upper = part.values[0][0];
        }
        out.push_back(std::move(p));
    }
    return out;
}

MvBasePartition ExternalTableState(const std::string& name, const std::string& table_uuid,
                                   const std::string& snapshot) {
    MvBasePartition p;
    p.base = name;
    p.base_id = table_uuid;
    p.fingerprint = snapshot.empty() ? "empty" : snapshot;
    return p;
}

std::vector<MvBasePartition> CurrentState(Catalog& catalog, const std::vector<std::string>& bases,
                                          const ExternalStateLookup& external) {
    std::vector<MvBasePartition> out;
    for (const auto& name : bases) {
        if (IsHotBase(name)) {
            auto [db, t] = SplitDbTable(name);
            auto table = catalog.GetTable(db, t);
            if (!table || table->kind != "TABLE") continue;
            auto version = catalog.GetTableVersion(table->id);
            for (auto& p : HotTableState(name, *table, *version)) out.push_back(std::move(p));
        } else if (external) {
            for (auto& p : external(name)) out.push_back(std::move(p));
        }
    }
    return out;
}

Freshness Diff(const std::vector<MvBasePartition>& recorded_state, const std::vector<MvBasePartition>& now,
               const std::vector<std::string>& names) {
    Freshness f;
    std::map<std::string, std::map<std::string, const MvBasePartition*>> recorded;
    for (const auto& b : recorded_state) recorded[b.base][b.partition] = &b;
    std::map<std::string, std::map<std::string, const MvBasePartition*>> current;
    for (const auto& b : now) current[b.base][b.partition] = &b;
    for (const auto& name : names) {
        auto cit = current.find(name);
        const auto& rec = recorded[name];
        if (cit == current.end()) {
            f.replaced_bases.push_back(name);
            if (f.reason.empty()) f.reason = "base table " + name + " no longer exists";
            for (const auto& [p, b] : rec) f.changed.push_back(*b);
            continue;
        }
        const auto& cur = cit->second;
        if (rec.empty()) {
            f.replaced_bases.push_back(name);
            if (f.reason.empty()) f.reason = "the MV now reads " + name + ", which its last refresh did not";
        } else if (!cur.empty() && cur.begin()->second->base_id != rec.begin()->second->base_id) {
            f.replaced_bases.push_back(name);
            if (f.reason.empty()) f.reason = "base table " + name + " was dropped and created again";
        }
        for (const auto& [p, b] : cur) {
            auto r = rec.find(p);
            if (r == rec.end() || r->second->fingerprint != b->fingerprint || r->second->base_id != b->base_id) {
                f.changed.push_back(*b);
                if (f.reason.empty()) {
                    f.reason =
                        "base table " + name + (p.empty() ? "" : " partition " + p) + " changed since the last refresh";
                }
            }
        }
        for (const auto& [p, b] : rec) {
            if (!cur.count(p)) {
                f.changed.push_back(*b);
                if (f.reason.empty()) f.reason = "base table " + name + " partition " + p + " was dropped";
            }
        }
    }
    f.fresh = f.changed.empty() && f.replaced_bases.empty();
    return f;
}

Freshness CheckFreshness(Catalog& catalog, const MaterializedViewInfo& mv, const ExternalStateLookup& external) {
    if (!mv.refreshed) {
        Freshness f;
        f.reason = "it has never been refreshed";
        f.stale_seconds = std::max<int64_t>(0, NowMs() / 1000 - mv.create_time);
        return f;
    }
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& b : mv.bases) {
        if (seen.insert(b.base).second) names.push_back(b.base);
    }
    Freshness f = Diff(mv.bases, CurrentState(catalog, names, external), names);
    if (!f.fresh) f.stale_seconds = std::max<int64_t>(0, (NowMs() - mv.refresh_time) / 1000);
    return f;
}

}  // namespace floe::mv
