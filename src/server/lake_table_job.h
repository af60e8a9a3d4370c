#pragma once
/// What the lake-upkeep procedures and the background round share (server/lake_maintenance.h):
/// procedure arguments, an action's outcome, and TableJob — one Iceberg table's maintenance
/// actions (compaction, expiry, orphans, manifests, position deletes, retention, sort order) and
/// the automatic round that picks among them.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/maintenance.h"
#include "lake/iceberg/table_transaction.h"
#include "metastore/meta_store.h"
#include "server/instance.h"
#include "server/tiering_service.h"

namespace floe {

class Session;

namespace lake_upkeep {

using iceberg::TableState;

inline int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr int64_t kDayMs = 86400000;
/// How long a cold snapshot a tiered table stopped reading (or a replaced current snapshot, in the
/// background round) is kept from expiry: queries bound to it may still run.
constexpr int64_t kTierGraceMs = 3600 * 1000;
/// Maintenance commits are slower than the appends they race: they retry more (and sooner).
constexpr int kMaintenanceRetries = 30;

/// What one action did, for its result row and the log.
struct Outcome {
    std::string action;
    std::string state = "SUCCESS";  // SUCCESS, SKIPPED, FAILED
    int64_t files_in = 0, bytes_in = 0, files_out = 0, bytes_out = 0;
    int64_t snapshot_id = -1;
    std::string message;
};

/// A procedure's arguments by name, with positional ones mapped to `positional` names.
class Args {
  public:
    Args(const std::string& procedure, const std::vector<std::pair<std::string, std::string>>& given,
         std::vector<std::string> positional, std::set<std::string> known)
        : procedure_(procedure) {
        size_t next = 0;
        for (const auto& [n, v] : given) {
            std::string name = AsciiLower(n);
            std::replace(name.begin(), name.end(), '-', '_');
            if (name.empty()) {
                if (next >= positional.size()) {
                    throw BinderError(
                        procedure + "() takes at most " + std::to_string(positional.size()) + " positional argument(s)",
                        ErrorCode::WRONG_ARGUMENTS);
                }
                name = positional[next++];
            }
            if (!known.count(name)) {
                std::string list;
                for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
                throw BinderError(procedure + "() has no argument '" + n + "' (it takes " +
                                      (list.empty() ? std::string("none") : list) + ")",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            values_[name] = v;
        }
    }
    const std::string* Get(const std::string& name) const {
        auto it = values_.find(name);
        return it == values_.end() ? nullptr : &it->second;
    }
    int64_t Int(const std::string& name, int64_t fallback, int64_t min = 0) const {
        const std::string* v = Get(name);
        if (!v) return fallback;
        int64_t n = ParseSize(*v, name);
        if (n < min) {
            throw BinderError(procedure_ + "(): '" + name + "' must be at least " + std::to_string(min),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        return n;
    }
    double Real(const std::string& name, double fallback) const {
        const std::string* v = Get(name);
        if (!v) return fallback;
        try {
            size_t used = 0;
            double d = std::stod(*v, &used);
            if (used == v->size() && d >= 0) return d;
        } catch (const std::exception&) {
        }
        throw BinderError(procedure_ + "(): '" + name + "' must be a non-negative number, not '" + *v + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    bool Bool(const std::string& name, bool fallback) const {
        const std::string* v = Get(name);
        if (!v) return fallback;
        std::string l = AsciiLower(*v);
        if (l == "true" || l == "1") return true;
        if (l == "false" || l == "0") return false;
        throw BinderError(procedure_ + "(): '" + name + "' must be true or false, not '" + *v + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    /// A size in bytes: "134217728", "128MB", "1GB".
    int64_t ParseSize(const std::string& text, const std::string& name) const {
        std::string t = AsciiLower(text);
        int64_t unit = 1;
        for (auto [suffix, mult] : std::vector<std::pair<std::string, int64_t>>{
                 {"kb", 1LL << 10}, {"mb", 1LL << 20}, {"gb", 1LL << 30}, {"tb", 1LL << 40}, {"b", 1}}) {
            if (t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0) {
                unit = mult;
                t = t.substr(0, t.size() - suffix.size());
                break;
            }
        }
        try {
            size_t used = 0;
            double v = std::stod(t, &used);
            if (used == t.size()) return static_cast<int64_t>(v * static_cast<double>(unit));
        } catch (const std::exception&) {
        }
        throw BinderError(
            procedure_ + "(): '" + name + "' must be a number (or a size such as 128MB), not '" + text + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    /// A point in time: 'yyyy-MM-dd HH:mm:ss' (server local time), or an age back from now
    /// ('7d', '3h', '30m', '45s', '500ms', '7 DAYS').
    int64_t Time(const std::string& name, int64_t fallback) const {
        const std::string* v = Get(name);
        if (!v) return fallback;
        if (auto age = AgeMillis(*v)) return NowMs() - *age;
        try {
            return ParseStartTime(*v) * 1000;
        } catch (const Exception&) {
            throw BinderError(procedure_ + "(): '" + name +
                                  "' must be a time ('2026-12-01 00:00:00') or an age ('7d', "
                                  "'12h'), not '" +
                                  *v + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }

    static std::optional<int64_t> AgeMillis(const std::string& text) {
        std::string t;
        for (char c : AsciiLower(text)) {
            if (c != ' ') t.push_back(c);
        }
        size_t digits = 0;
        while (digits < t.size() && (std::isdigit(static_cast<unsigned char>(t[digits])) || t[digits] == '.')) {
            ++digits;
        }
        if (digits == 0 || digits == t.size()) return std::nullopt;
        double n = 0;
        try {
            n = std::stod(t.substr(0, digits));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        std::string unit = t.substr(digits);
        if (unit.size() > 1 && unit.back() == 's' && unit != "ms") unit.pop_back();
        int64_t ms = 0;
        if (unit == "ms") {
            ms = 1;
        } else if (unit == "s" || unit == "second" || unit == "sec") {
            ms = 1000;
        } else if (unit == "m" || unit == "minute" || unit == "min") {
            ms = 60000;
        } else if (unit == "h" || unit == "hour") {
            ms = 3600000;
        } else if (unit == "d" || unit == "day") {
            ms = kDayMs;
        } else if (unit == "w" || unit == "week") {
            ms = 7 * kDayMs;
        } else {
            return std::nullopt;
        }
        return static_cast<int64_t>(n * static_cast<double>(ms));
    }

  private:
    std::string procedure_;
    std::map<std::string, std::string> values_;
};

inline std::string FullName(const std::string& catalog, const std::string& db, const std::string& table) {
    return QuoteIdentifier(catalog) + "." + QuoteIdentifier(db) + "." + QuoteIdentifier(table);
}

/// The table's columns as a select list.
inline std::string ColumnList(const iceberg::TableMetadata& m) {
    std::string out;
    for (const auto& f : m.current_schema().fields) out += (out.empty() ? "" : ", ") + QuoteIdentifier(f.name);
    return out;
}

/// ORDER BY text of the table's default sort order (identity fields only); empty when none.
inline std::string SortOrderSql(const iceberg::TableMetadata& m) {
    const iceberg::SortOrder* order = nullptr;
    for (const auto& o : m.sort_orders) {
        if (o.order_id == m.default_sort_order_id && !o.fields.empty()) order = &o;
    }
    if (!order) return "";
    std::string out;
    for (const auto& f : order->fields) {
        if (f.transform.kind != iceberg::TransformKind::IDENTITY) continue;
        const iceberg::NestedField* field = m.current_schema().FindField(f.source_id);
        if (!field) continue;
        out += (out.empty() ? "" : ", ") + QuoteIdentifier(field->name) + (f.ascending ? " ASC" : " DESC") +
               (f.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    return out;
}

inline std::string InList(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + QuoteString(p);
    return out;
}

inline std::string Bytes(int64_t b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    return fmt::format("{:.1f}{}", v, units[u]);
}

/// One maintenance context: the table, its catalog and the session that runs its queries.
class TableJob {
  public:
    TableJob(Instance& instance, Session& session, std::string catalog, std::string db, std::string table,
             std::string trigger)
        : instance_(instance),
          session_(session),
          externals_(instance.external_catalogs()),
          catalog_(std::move(catalog)),
          db_(std::move(db)),
          table_(std::move(table)),
          trigger_(std::move(trigger)) {}

    TableState Load() { return externals_.LoadForWrite(catalog_, db_, table_); }
    iceberg::TableLoader Loader() {
        return [this] { return externals_.LoadForWrite(catalog_, db_, table_); };
    }
    std::string Name() const { return catalog_ + "." + db_ + "." + table_; }

    /// Hot tables tiered into this table: (hot table id, the snapshot their queries read).
    std::vector<std::pair<int64_t, int64_t>> TierUsers() {
        return instance_.tiering().ColdTableUsers(catalog_, db_, table_);
    }

    void Log(const Outcome& o, int64_t start_ms) {
        try {
            instance_.catalog().store().Execute(
                "INSERT INTO lake_maintenance_log(start_time, finish_time, catalog_name, database_name, table_name, "
                "action, trigger, state, files_in, bytes_in, files_out, bytes_out, snapshot_id, message) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {start_ms, NowMs(), catalog_, db_, table_, o.action, trigger_, o.state, o.files_in, o.bytes_in,
                 o.files_out, o.bytes_out, o.snapshot_id >= 0 ? MetaValue(o.snapshot_id) : MetaValue(), o.message});
            // The newest 10000 entries stay.
            instance_.catalog().store().Execute(
                "DELETE FROM lake_maintenance_log WHERE id <= (SELECT id FROM lake_maintenance_log ORDER BY id DESC "
                "LIMIT 1 OFFSET 10000)");
        } catch (const Exception& e) {
            floe::Log::Warn("lake.log_failed", {{"table", Name()}, {"error", e.what()}});
        }
        floe::Log::Info("lake.maintenance", {{"table", Name()},
                                             {"action", o.action},
                                             {"trigger", trigger_},
                                             {"state", o.state},
                                             {"files_in", o.files_in},
                                             {"files_out", o.files_out},
                                             {"message", o.message}});
    }

    /// When `action` last ran on this table (unix ms; 0: never).
    int64_t LastRun(const std::string& action) {
        auto rows = instance_.catalog().store().Query(
            "SELECT MAX(start_time) FROM lake_maintenance_log WHERE catalog_name = ? AND database_name = ? AND "
            "table_name = ? AND action = ?",
            {catalog_, db_, table_, action});
        return rows.empty() ? 0 : MetaInt(rows[0][0]);
    }

    /// Runs `action`, logging its outcome; a failure is logged and rethrown.
    Outcome Logged(const std::string& name, const std::function<Outcome()>& action) {
        int64_t start = NowMs();
        try {
            Outcome o = action();
            o.action = name;
            Log(o, start);
            return o;
        } catch (const Exception& e) {
            Outcome o;
            o.action = name;
            o.state = "FAILED";
            o.message = e.what();
            Log(o, start);
            throw;
        }
    }

    Outcome RewriteDataFiles(const iceberg::CompactionOptions& given, const std::string& where,
                             const std::string& sort_sql_given);
    Outcome ExpireSnapshots(const iceberg::ExpireOptions& options, bool dry_run = false);
    Outcome RemoveOrphans(int64_t older_than_ms, bool dry_run, const std::string& location,
                          std::vector<FileInfo>* listed_out);
    Outcome RewriteManifests();
    Outcome RewritePositionDeletes();
    /// `strict`: a table without a retention property or a time partition is an error (when a
    /// user asks), else a skip (the background).
    Outcome ApplyRetention(bool strict = false);
    Outcome SetSortOrder(const std::string& column);

    /// The snapshots expiry must keep: each tier user's snapshot and every later one.
    std::set<int64_t> Protected(const iceberg::TableMetadata& m) {
        // Snapshots hot tables read until recently (a move or a compaction moved them on).
        std::set<int64_t> out = instance_.tiering().RecentlyRead(catalog_, db_, table_, kTierGraceMs);
        for (const auto& [id, snapshot] : TierUsers()) {
            const iceberg::Snapshot* s = m.FindSnapshot(snapshot);
            if (!s) continue;
            for (const auto& other : m.snapshots) {
                if (other.timestamp_ms >= s->timestamp_ms) out.insert(other.snapshot_id);
            }
        }
        return out;
    }

  private:
    Instance& instance_;
    Session& session_;
    ExternalCatalogs& externals_;
    std::string catalog_, db_, table_, trigger_;
};

iceberg::CompactionOptions CompactionDefaults(const iceberg::TableMetadata& m);
/// One round of the automatic policy for one table; returns what it did.
std::vector<Outcome> AutoRound(TableJob& job, const TableState& state, bool forced);

}  // namespace lake_upkeep
}  // namespace floe
