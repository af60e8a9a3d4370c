// Iceberg upkeep without the engine (lake/iceberg/maintenance.h): which snapshots an expiry
// removes (Iceberg's retention rules for branches, tags and their ages), path comparison, and the
// orphan listing's refusal when paths disagree.
#include "lake/iceberg/maintenance.h"

#include <gtest/gtest.h>

#include "common/exception.h"

using namespace floe;
using namespace floe::iceberg;

namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kNow = 1000 * kDay;

/// A table whose main branch is snapshots 1..n (snapshot i committed `n - i + 1` days ago).
TableMetadata Linear(int n) {
    TableMetadata m;
    m.format_version = 2;
    m.location = "/lake/db/t";
    for (int i = 1; i <= n; ++i) {
        Snapshot s;
        s.snapshot_id = i;
        if (i > 1) s.parent_snapshot_id = i - 1;
        s.sequence_number = i;
        s.timestamp_ms = kNow - (n - i + 1) * kDay;
        m.snapshots.push_back(s);
        m.snapshot_log.push_back({s.timestamp_ms, s.snapshot_id});
    }
    m.current_snapshot_id = n;
    SnapshotRef main;
    main.snapshot_id = n;
    m.refs["main"] = main;
    return m;
}

ExpireOptions Older(int64_t days, int retain_last = 1) {
    ExpireOptions o;
    o.now_ms = kNow;
    o.older_than_ms = kNow - days * kDay;
    o.retain_last = retain_last;
    return o;
}

}  // namespace

TEST(ExpireSnapshotsTest, OlderThanKeepsNewerAndTheHead) {
    TableMetadata m = Linear(10);  // ages 10..1 days
    ExpirePlan p = PlanExpiry(m, Older(5));
    // Snapshots 1..5 are 10..6 days old; 6 is 5 days old (not older than 5 days).
    EXPECT_EQ(p.snapshots, (std::set<int64_t>{1, 2, 3, 4, 5}));
    TableMetadata next = ApplyExpiry(m, p);
    EXPECT_EQ(next.snapshots.size(), 5u);
    EXPECT_EQ(next.snapshot_log.size(), 5u);
    EXPECT_EQ(next.snapshot_log.front().snapshot_id, 6);
}

TEST(ExpireSnapshotsTest, RetainLastKeepsAncestorsWhateverTheirAge) {
    TableMetadata m = Linear(10);
    EXPECT_EQ(PlanExpiry(m, Older(0, 3)).snapshots, (std::set<int64_t>{1, 2, 3, 4, 5, 6, 7}));
    // Everything older than now, retain 1: only the head stays.
    EXPECT_EQ(PlanExpiry(m, Older(0, 1)).snapshots.size(), 9u);
}

TEST(ExpireSnapshotsTest, TagsBranchesAndProtectedSnapshotsStay) {
    TableMetadata m = Linear(10);
    SnapshotRef tag;
    tag.snapshot_id = 2;
    tag.kind = SnapshotRef::Kind::TAG;
    m.refs["audit"] = tag;
    SnapshotRef branch;
    branch.snapshot_id = 4;
    branch.min_snapshots_to_keep = 2;  // keeps 4 and 3
    m.refs["dev"] = branch;
    ExpireOptions o = Older(0, 1);
    o.protect = {7};
    ExpirePlan p = PlanExpiry(m, o);
    EXPECT_EQ(p.snapshots, (std::set<int64_t>{1, 5, 6, 8, 9}));
    EXPECT_TRUE(p.refs.empty());
}

TEST(ExpireSnapshotsTest, RefsPastTheirMaxAgeGoButMainNeverDoes) {
    TableMetadata m = Linear(10);
    SnapshotRef tag;
    tag.snapshot_id = 2;  // 9 days old
    tag.kind = SnapshotRef::Kind::TAG;
    tag.max_ref_age_ms = 3 * kDay;
    m.refs["old-tag"] = tag;
    m.refs["main"].max_ref_age_ms = kDay;  // ignored for main
    ExpirePlan p = PlanExpiry(m, Older(0, 1));
    EXPECT_EQ(p.refs, (std::set<std::string>{"old-tag"}));
    EXPECT_TRUE(p.snapshots.count(2));
    EXPECT_FALSE(p.snapshots.count(10));
    TableMetadata next = ApplyExpiry(m, p);
    EXPECT_EQ(next.refs.count("old-tag"), 0u);
    EXPECT_EQ(next.refs.count("main"), 1u);
}

TEST(ExpireSnapshotsTest, ExplicitIdsNeverTakeAHead) {
    TableMetadata m = Linear(4);
    ExpireOptions o = Older(100, 1);  // nothing is old enough
    o.snapshot_ids = {2, 4};
    EXPECT_EQ(PlanExpiry(m, o).snapshots, (std::set<int64_t>{2}));
}

TEST(ExpireSnapshotsTest, BranchAgePolicyOverridesTheDefault) {
    TableMetadata m = Linear(10);
    m.refs["main"].max_snapshot_age_ms = 3 * kDay;  // keep ancestors younger than 3 days
    ExpirePlan p = PlanExpiry(m, Older(0, 1));
    EXPECT_EQ(p.snapshots, (std::set<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(ExpireSnapshotsTest, RecentlyCurrentSnapshotsStay) {
    TableMetadata m = Linear(10);  // snapshot i was current until snapshot i+1 came, (10 - i) days ago
    ExpireOptions o = Older(0, 1);
    o.recent_ms = 2 * kDay + 1;  // 8 and 9 stopped being current less than that ago
    EXPECT_EQ(PlanExpiry(m, o).snapshots, (std::set<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(MaintenancePathsTest, ComparableAndUnder) {
    EXPECT_EQ(ComparablePath("file:///lake/db/t/data/a.parquet"), "/lake/db/t/data/a.parquet");
    EXPECT_EQ(ComparablePath("file:/lake/x"), "/lake/x");
    EXPECT_EQ(ComparablePath("s3a://bucket/k/"), "s3://bucket/k");
    EXPECT_TRUE(UnderLocation("file:///lake/db/t/data/a.parquet", "/lake/db/t"));
    EXPECT_TRUE(UnderLocation("s3a://b/wh/t/m.avro", "s3://b/wh/t/"));
    EXPECT_FALSE(UnderLocation("/lake/db/t2/data/a.parquet", "/lake/db/t"));
    EXPECT_FALSE(UnderLocation("/lake/db/t", "/lake/db/t"));
    EXPECT_FALSE(UnderLocation("/x", ""));
}

TEST(MaintenancePathsTest, OrphansOnlyOldUnreferencedFilesUnderTheLocation) {
    TableMetadata m = Linear(0);
    m.current_snapshot_id.reset();
    m.metadata_log.push_back({1, "/lake/db/t/metadata/v1.metadata.json"});
    std::vector<FileInfo> listed = {
        {"/lake/db/t/metadata/v2.metadata.json", 10, kNow - 5 * kDay},  // current: kept
        {"/lake/db/t/metadata/v1.metadata.json", 10, kNow - 5 * kDay},  // logged: kept
        {"/lake/db/t/metadata/version-hint.text", 1, kNow - 5 * kDay},  // kept
        {"/lake/db/t/data/stray.parquet", 100, kNow - 5 * kDay},        // orphan
        {"/lake/db/t/data/fresh.parquet", 100, kNow - 1000},            // too young
        {"/lake/db/other/data/x.parquet", 100, kNow - 5 * kDay},        // not under the location
    };
    auto orphans = FindOrphans("/lake/db/t/metadata/v2.metadata.json", m, listed, kNow - 3 * kDay);
    ASSERT_EQ(orphans.size(), 1u);
    EXPECT_EQ(orphans[0].path, "/lake/db/t/data/stray.parquet");
}
