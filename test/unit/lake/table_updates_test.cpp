// The REST commit model: ApplyTableUpdates(base, DiffForCommit(base, next)) rebuilds `next` for
// creates, appends, schema / spec / sort-order / property / location changes, snapshot removal
// and tags; requirements that do not hold fail with CommitFailedError, requests Floe cannot
// understand with InvalidTableUpdateError.
#include "lake/iceberg/table_updates.h"

#include <gtest/gtest.h>

#include "lake/iceberg/metadata_writer.h"

namespace floe::iceberg {

namespace {

constexpr const char* kBase = R"({
  "format-version": 2,
  "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location": "/w/db/t",
  "last-sequence-number": 1,
  "last-updated-ms": 1700000000000,
  "last-column-id": 2,
  "current-schema-id": 0,
  "schemas": [{"type":"struct","schema-id":0,"fields":[
     {"id":1,"name":"id","required":true,"type":"long"},
     {"id":2,"name":"name","required":false,"type":"string"}]}],
  "default-spec-id": 0,
  "partition-specs": [{"spec-id":0,"fields":[]}],
  "last-partition-id": 999,
  "default-sort-order-id": 0,
  "sort-orders": [{"order-id":0,"fields":[]}],
  "properties": {"owner":"floe","write.format.default":"parquet"},
  "current-snapshot-id": 100,
  "refs": {"main":{"snapshot-id":100,"type":"branch"}},
  "snapshots": [{"sequence-number":1,"snapshot-id":100,"timestamp-ms":1700000000000,
     "summary":{"operation":"append"},"manifest-list":"/w/db/t/metadata/snap-100-1-a.avro","schema-id":0}],
  "snapshot-log": [{"timestamp-ms":1700000000000,"snapshot-id":100}],
  "metadata-log": []
})";

TableMetadata Base() {
    return ParseTableMetadata(kBase, "base");
}

/// The metadata as JSON without what each server stamps itself.
std::string Normalized(TableMetadata m) {
    m.last_updated_ms = 0;
    m.metadata_log.clear();
    return SerializeTableMetadata(m);
}

TableMetadata RoundTrip(const TableMetadata* base, const TableMetadata& next) {
    CommitDiff diff = DiffForCommit(base, next);
    CheckTableRequirements(diff.requirements, base, "db.t");
    return ApplyTableUpdates(diff.updates, base, std::string("/w/db/t/metadata/v1.metadata.json"), "db.t",
                             1800000000000);
}

Snapshot NewSnapshot(int64_t id, int64_t parent, int64_t sequence, int64_t ts) {
    Snapshot s;
    s.snapshot_id = id;
    s.parent_snapshot_id = parent;
    s.sequence_number = sequence;
    s.timestamp_ms = ts;
    s.manifest_list = "/w/db/t/metadata/snap-" + std::to_string(id) + "-1-b.avro";
    s.summary = {{"operation", "append"}, {"added-records", "3"}};
    s.schema_id = 0;
    return s;
}

TEST(TableUpdatesTest, CreateRoundTrips) {
    TableMetadata next = Base();
    next.snapshots.clear();
    next.refs.clear();
    next.current_snapshot_id.reset();
    next.snapshot_log.clear();
    next.last_sequence_number = 0;
    CommitDiff diff = DiffForCommit(nullptr, next);
    EXPECT_EQ(diff.requirements, R"([{"type":"assert-create"}])");
    EXPECT_TRUE(RequiresCreate(diff.requirements));
    TableMetadata created = RoundTrip(nullptr, next);
    EXPECT_EQ(Normalized(created), Normalized(next));
    EXPECT_TRUE(created.metadata_log.empty());
    EXPECT_EQ(created.last_updated_ms, 1800000000000);
}

TEST(TableUpdatesTest, CreateWithSnapshotAndSortOrderRoundTrips) {
    TableMetadata next = Base();
    SortOrder sorted;
    sorted.order_id = 1;
    SortField f;
    f.transform = ParseTransform("identity");
    f.source_id = 1;
    f.source_ids = {1};
    f.ascending = false;
    f.nulls_first = false;
    sorted.fields.push_back(f);
    next.sort_orders.push_back(sorted);
    next.default_sort_order_id = 1;
    TableMetadata created = RoundTrip(nullptr, next);
    EXPECT_EQ(Normalized(created), Normalized(next));
}

TEST(TableUpdatesTest, AppendRoundTrips) {
    TableMetadata base = Base();
    TableMetadata next = base;
    next.snapshots.push_back(NewSnapshot(200, 100, 2, 1750000000000));
    next.current_snapshot_id = 200;
    next.refs["main"].snapshot_id = 200;
    next.last_sequence_number = 2;
    next.snapshot_log.push_back({1750000000000, 200});
    CommitDiff diff = DiffForCommit(&base, next);
    EXPECT_EQ(diff.requirements, R"([{"type":"assert-table-uuid","uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1"},)"
                                 R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":100}])");
    EXPECT_NE(diff.updates.find(R"({"action":"add-snapshot")"), std::string::npos);
    EXPECT_NE(diff.updates.find(R"({"action":"set-snapshot-ref","ref-name":"main","snapshot-id":200,"type":"branch"})"),
              std::string::npos);
    TableMetadata applied = RoundTrip(&base, next);
    EXPECT_EQ(Normalized(applied), Normalized(next));
    ASSERT_EQ(applied.metadata_log.size(), 1u);
    EXPECT_EQ(applied.metadata_log[0].metadata_file, "/w/db/t/metadata/v1.metadata.json");
    EXPECT_EQ(applied.metadata_log[0].timestamp_ms, base.last_updated_ms);
    EXPECT_EQ(applied.last_updated_ms, 1750000000000);  // the snapshot's time, as Java stamps it
}

TEST(TableUpdatesTest, FirstAppendAssertsMainIsAbsent) {
    TableMetadata base = Base();
    base.snapshots.clear();
    base.refs.clear();
    base.current_snapshot_id.reset();
    base.snapshot_log.clear();
    base.last_sequence_number = 0;
    TableMetadata next = base;
    Snapshot s = NewSnapshot(300, 0, 1, 1750000000000);
    s.parent_snapshot_id.reset();
    next.snapshots.push_back(s);
    next.current_snapshot_id = 300;
    SnapshotRef main;
    main.snapshot_id = 300;
    next.refs["main"] = main;
    next.last_sequence_number = 1;
    next.snapshot_log.push_back({1750000000000, 300});
    CommitDiff diff = DiffForCommit(&base, next);
    EXPECT_NE(diff.requirements.find(R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null})"),
              std::string::npos);
    EXPECT_EQ(Normalized(RoundTrip(&base, next)), Normalized(next));
    // A concurrent writer got there first: the ref now exists.
    TableMetadata raced = next;
    EXPECT_THROW(CheckTableRequirements(diff.requirements, &raced, "db.t"), CommitFailedError);
}

TEST(TableUpdatesTest, SchemaSpecOrderPropertiesAndLocationRoundTrip) {
    TableMetadata base = Base();
    TableMetadata next = base;
    Schema s1 = base.schemas[0];
    s1.schema_id = 1;
    NestedField ts;
    ts.id = 3;
    ts.name = "ts";
    ts.type = Type::Primitive(TypeKind::TIMESTAMP);
    ts.doc = "event time";
    s1.fields.push_back(ts);
    next.schemas.push_back(s1);
    next.current_schema_id = 1;
    next.last_column_id = 3;
    PartitionSpec spec;
    spec.spec_id = 1;
    PartitionField day;
    day.source_id = 3;
    day.source_ids = {3};
    day.field_id = 1000;
    day.name = "ts_day";
    day.transform = ParseTransform("day");
    spec.fields.push_back(day);
    next.partition_specs.push_back(spec);
    next.default_spec_id = 1;
    next.last_partition_id = 1000;
    SortOrder order;
    order.order_id = 1;
    SortField f;
    f.transform = ParseTransform("identity");
    f.source_id = 1;
    f.source_ids = {1};
    order.fields.push_back(f);
    next.sort_orders.push_back(order);
    next.default_sort_order_id = 1;
    next.properties.erase("owner");
    next.properties["commit.retry.num-retries"] = "7";
    next.location = "/w2/db/t";
    CommitDiff diff = DiffForCommit(&base, next);
    for (const char* r :
         {"assert-last-assigned-field-id", "assert-current-schema-id", "assert-last-assigned-partition-id",
          "assert-default-spec-id", "assert-default-sort-order-id"}) {
        EXPECT_NE(diff.requirements.find(r), std::string::npos) << r;
    }
    EXPECT_NE(diff.updates.find(R"({"action":"set-current-schema","schema-id":-1})"), std::string::npos);
    EXPECT_NE(diff.updates.find(R"({"action":"remove-properties","removals":["owner"]})"), std::string::npos);
    EXPECT_EQ(Normalized(RoundTrip(&base, next)), Normalized(next));

    // Another writer changed the schema since: the requirements fail.
    TableMetadata moved = base;
    moved.last_column_id = 4;
    EXPECT_THROW(CheckTableRequirements(diff.requirements, &moved, "db.t"), CommitFailedError);
    moved = base;
    moved.default_spec_id = 5;
    EXPECT_THROW(CheckTableRequirements(diff.requirements, &moved, "db.t"), CommitFailedError);
}

TEST(TableUpdatesTest, TagsAndSnapshotRemovalRoundTrip) {
    TableMetadata base = Base();
    base.snapshots.push_back(NewSnapshot(200, 100, 2, 1750000000000));
    base.current_snapshot_id = 200;
    base.refs["main"].snapshot_id = 200;
    base.last_sequence_number = 2;
    base.snapshot_log.push_back({1750000000000, 200});
    base.statistics_json.push_back(
        R"({"snapshot-id":100,"statistics-path":"/w/s.puffin","file-size-in-bytes":10,"file-footer-size-in-bytes":4,"blob-metadata":[]})");
    TableMetadata next = base;
    next.snapshots.erase(next.snapshots.begin());
    next.snapshot_log.erase(next.snapshot_log.begin());
    next.statistics_json.clear();
    SnapshotRef tag;
    tag.snapshot_id = 200;
    tag.kind = SnapshotRef::Kind::TAG;
    tag.max_ref_age_ms = 86400000;
    next.refs["v1"] = tag;
    next.statistics_json.push_back(
        R"({"snapshot-id":200,"statistics-path":"/w/t.puffin","file-size-in-bytes":11,"file-footer-size-in-bytes":5,"blob-metadata":[]})");
    CommitDiff diff = DiffForCommit(&base, next);
    EXPECT_NE(diff.updates.find(R"({"action":"remove-snapshots","snapshot-ids":[100]})"), std::string::npos);
    EXPECT_NE(diff.requirements.find(R"("ref":"v1","snapshot-id":null)"), std::string::npos);
    EXPECT_EQ(Normalized(RoundTrip(&base, next)), Normalized(next));
}

TEST(TableUpdatesTest, RequirementFailures) {
    TableMetadata base = Base();
    EXPECT_THROW(CheckTableRequirements(R"([{"type":"assert-create"}])", &base, "db.t"), CommitFailedError);
    EXPECT_NO_THROW(CheckTableRequirements(R"([{"type":"assert-create"}])", nullptr, "db.t"));
    EXPECT_THROW(CheckTableRequirements(R"([{"type":"assert-table-uuid","uuid":"0000"}])", &base, "db.t"),
                 CommitFailedError);
    EXPECT_NO_THROW(CheckTableRequirements(
        R"([{"type":"assert-table-uuid","uuid":"9C12D441-03FE-4693-9A96-A0705DDF69C1"}])", &base, "db.t"));
    EXPECT_THROW(
        CheckTableRequirements(R"([{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":99}])", &base, "db.t"),
        CommitFailedError);
    EXPECT_THROW(CheckTableRequirements(R"([{"type":"assert-ref-snapshot-id","ref":"main"}])", &base, "db.t"),
                 CommitFailedError);
    EXPECT_THROW(
        CheckTableRequirements(R"([{"type":"assert-current-schema-id","current-schema-id":3}])", &base, "db.t"),
        CommitFailedError);
    EXPECT_THROW(
        CheckTableRequirements(R"([{"type":"assert-default-sort-order-id","default-sort-order-id":1}])", &base, "db.t"),
        CommitFailedError);
    EXPECT_THROW(CheckTableRequirements(R"([{"type":"assert-table-uuid","uuid":"x"}])", nullptr, "db.t"),
                 CommitFailedError);
    try {
        CheckTableRequirements(R"([{"type":"assert-weather","sunny":true}])", &base, "db.t");
        FAIL();
    } catch (const InvalidTableUpdateError& e) {
        EXPECT_NE(std::string(e.what()).find("assert-weather"), std::string::npos);
    }
    EXPECT_THROW(CheckTableRequirements(R"({"type":"assert-create"})", &base, "db.t"), InvalidTableUpdateError);
    EXPECT_THROW(
        CheckTableRequirements(R"([{"type":"assert-current-schema-id","current-schema-id":"x"}])", &base, "db.t"),
        InvalidTableUpdateError);
}

TEST(TableUpdatesTest, InvalidUpdates) {
    TableMetadata base = Base();
    auto apply = [&](const char* updates) {
        return ApplyTableUpdates(updates, &base, std::nullopt, "db.t", 1800000000000);
    };
    try {
        apply(R"([{"action":"add-encryption-key","key":{}}])");
        FAIL();
    } catch (const InvalidTableUpdateError& e) {
        EXPECT_NE(std::string(e.what()).find("add-encryption-key"), std::string::npos);
    }
    EXPECT_THROW(apply(R"([{"action":"set-current-schema","schema-id":-1}])"), InvalidTableUpdateError);
    EXPECT_THROW(apply(R"([{"action":"set-current-schema","schema-id":7}])"), InvalidTableUpdateError);
    EXPECT_THROW(apply(R"([{"action":"upgrade-format-version","format-version":1}])"), InvalidTableUpdateError);
    EXPECT_THROW(apply(R"([{"action":"assign-uuid","uuid":"other"}])"), InvalidTableUpdateError);
    EXPECT_THROW(apply(R"([{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":5}])"),
                 InvalidTableUpdateError);
    // A stale snapshot: its sequence number is not above the table's.
    std::string stale =
        R"([{"action":"add-snapshot","snapshot":)" + SnapshotToJson(NewSnapshot(200, 100, 1, 1750000000000), 2) + "}]";
    EXPECT_THROW(ApplyTableUpdates(stale, &base, std::nullopt, "db.t", 1800000000000), CommitFailedError);
    // Properties and an upgrade apply; the name mapping property is parsed.
    TableMetadata next = apply(
        R"([{"action":"set-properties","updates":{"schema.name-mapping.default":"[{\"field-id\":1,\"names\":[\"id\"]}]"}},)"
        R"({"action":"upgrade-format-version","format-version":3}])");
    EXPECT_EQ(next.format_version, 3);
    EXPECT_EQ(next.next_row_id, 0);
    EXPECT_TRUE(next.name_mapping.has_value());
    EXPECT_EQ(next.last_updated_ms, 1800000000000);
}

}  // namespace

}  // namespace floe::iceberg
