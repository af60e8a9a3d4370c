#include "catalog/catalog.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <regex>
#include <set>

#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {

std::string JoinCounts(const std::vector<int64_t>& counts) {
    std::string out;
    for (size_t i = 0; i < counts.size(); ++i) out += (i ? "," : "") + std::to_string(counts[i]);
    return out;
}

std::vector<int64_t> SplitCounts(const std::string& text) {
    std::vector<int64_t> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        try {
            out.push_back(std::stoll(text.substr(pos, comma - pos)));
        } catch (const std::exception&) {
            return {};  // unreadable statistics are no statistics
        }
        pos = comma + 1;
    }
    return out;
}

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void ValidateDatabaseName(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 256 && std::isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) {
        throw CatalogError("Incorrect database name '" + std::string(name) +
                               "': use a letter followed by letters, digits, '_' or '-' (at most 256)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
}

const std::string& AsString(const MetaValue& v) {
    return std::get<std::string>(v);
}

std::string EncodeListValues(const std::vector<std::vector<std::string>>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out.push_back('\x1e');
        for (size_t j = 0; j < values[i].size(); ++j) {
            if (j) out.push_back('\x1f');
            out += values[i][j];
        }
    }
    return out;
}

std::vector<std::vector<std::string>> DecodeListValues(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    if (text.empty()) return out;
    std::vector<std::string> tuple;
    std::string cur;
    for (char c : text) {
        if (c == '\x1f' || c == '\x1e') {
            tuple.push_back(std::move(cur));
            cur.clear();
            if (c == '\x1e') {
                out.push_back(std::move(tuple));
                tuple.clear();
            }
        } else {
            cur.push_back(c);
        }
    }
    tuple.push_back(std::move(cur));
    out.push_back(std::move(tuple));
    return out;
}

std::optional<std::string> OptionalText(const MetaValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return std::nullopt;
}

MetaValue TextOrNull(const std::optional<std::string>& v) {
    return v ? MetaValue{*v} : MetaValue{};
}

/// Inserts a partition row; returns its id.
int64_t InsertPartition(MetaStore& store, int64_t table_id, const PartitionInfo& p) {
    store.Execute(
        "INSERT INTO partitions(table_id, name, lower, upper, list_values, create_time) VALUES(?, ?, ?, ?, ?, ?)",
        {table_id, p.name, TextOrNull(p.lower), TextOrNull(p.upper),
         p.values.empty() ? MetaValue{} : MetaValue{EncodeListValues(p.values)}, p.create_time});
    return std::get<int64_t>(store.Query("SELECT last_insert_rowid()")[0][0]);
}

}  // namespace

std::unique_ptr<Catalog> Catalog::Open(const std::string& data_dir) {
    return std::make_unique<Catalog>(OpenSqliteMetaStore(data_dir + "/meta.db"));
}

namespace {

/// Each catalog's MV generations start in a range of their own, so a cache keyed on one never
/// mistakes a catalog reopened in the same process (a restart in tests) for the old one.
uint64_t FirstGeneration() {
    static std::atomic<uint64_t> catalogs{0};
    return (catalogs.fetch_add(1) + 1) << 40;
}

}  // namespace

Catalog::Catalog(std::unique_ptr<MetaStore> store) : store_(std::move(store)), mv_generation_(FirstGeneration()) {}

std::vector<DatabaseInfo> Catalog::ListDatabases() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<DatabaseInfo> out{{0, std::string(kInformationSchema), 0}};
    for (const auto& row : store_->Query("SELECT id, name, create_time FROM databases ORDER BY name")) {
        out.push_back({std::get<int64_t>(row[0]), AsString(row[1]), std::get<int64_t>(row[2])});
    }
    return out;
}

std::optional<DatabaseInfo> Catalog::GetDatabase(std::string_view name) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) return DatabaseInfo{0, std::string(kInformationSchema), 0};
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query("SELECT id, name, create_time FROM databases WHERE name = ?", {std::string(name)});
    if (rows.empty()) return std::nullopt;
    return DatabaseInfo{std::get<int64_t>(rows[0][0]), AsString(rows[0][1]), std::get<int64_t>(rows[0][2])};
}

bool Catalog::DatabaseExists(std::string_view name) {
    return GetDatabase(name).has_value();
}

bool Catalog::CreateDatabase(std::string_view name, bool if_not_exists) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) {
        if (if_not_exists) return false;
        throw CatalogError("Access denied: information_schema is read-only", ErrorCode::DB_ACCESS_DENIED);
    }
    ValidateDatabaseName(name);
    std::lock_guard<std::mutex> lock(mutex_);
    bool created = false;
    store_->Transaction([&] {
        auto rows = store_->Query("SELECT 1 FROM databases WHERE name = ?", {std::string(name)});
        if (!rows.empty()) {
            if (if_not_exists) return;
            throw CatalogError("Can't create database '" + std::string(name) + "'; database exists",
                               ErrorCode::DATABASE_EXISTS);
        }
        store_->Execute("INSERT INTO databases(name, create_time) VALUES(?, ?)", {std::string(name), NowSeconds()});
        created = true;
    });
    return created;
}

bool Catalog::DropDatabase(std::string_view name, bool if_exists) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) {
        throw CatalogError("Access denied: information_schema cannot be dropped", ErrorCode::DB_ACCESS_DENIED);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    bool dropped = false;
    std::vector<int64_t> table_ids;
    store_->Transaction([&] {
        auto rows = store_->Query("SELECT id FROM databases WHERE name = ?", {std::string(name)});
        if (rows.empty()) {
            if (if_exists) return;
            throw CatalogError("Can't drop database '" + std::string(name) + "'; database doesn't exist",
                               ErrorCode::DATABASE_NOT_EXISTS);
        }
        for (const auto& t : store_->Query("SELECT id FROM tables WHERE database_id = ?", {rows[0][0]})) {
            table_ids.push_back(std::get<int64_t>(t[0]));
            LoadVersionLocked(table_ids.back());
        }
        store_->Execute("DELETE FROM tables WHERE database_id = ?", {rows[0][0]});
        store_->Execute("DELETE FROM databases WHERE id = ?", {rows[0][0]});
        dropped = true;
    });
    for (int64_t id : table_ids) RetireTableLocked(id);
    if (dropped) mv_generation_++;
    return dropped;
}

namespace {
std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
    return out;
}

std::vector<std::string> SplitNames(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (!text.empty() && pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        out.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

TableInfo RowToTable(const MetaRow& row, std::string_view database) {
    TableInfo t;
    t.id = std::get<int64_t>(row[0]);
    t.database = std::string(database);
    t.name = std::get<std::string>(row[1]);
    t.kind = std::get<std::string>(row[2]);
    t.definition = std::get<std::string>(row[3]);
    t.create_time = std::get<int64_t>(row[4]);
    if (!std::holds_alternative<std::monostate>(row[5])) t.column_names = SplitNames(std::get<std::string>(row[5]));
    t.security_invoker = !std::holds_alternative<std::monostate>(row[6]) && std::get<std::string>(row[6]) == "INVOKER";
    t.database_id = std::get<int64_t>(row[7]);
    return t;
}
}  // namespace

std::vector<TableInfo> Catalog::ListTables(std::string_view database) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<TableInfo> out;
    for (const auto& row : store_->Query(
             "SELECT t.id, t.name, t.kind, t.definition, t.create_time, t.column_names, t.security, d.id FROM tables t "
             "JOIN databases d ON d.id = t.database_id WHERE d.name = ? ORDER BY t.name",
             {std::string(database)})) {
        out.push_back(RowToTable(row, database));
    }
    return out;
}

std::optional<TableInfo> Catalog::GetTable(std::string_view database, std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query(
        "SELECT t.id, t.name, t.kind, t.definition, t.create_time, t.column_names, t.security, d.id FROM tables t "
        "JOIN databases d ON d.id = t.database_id WHERE d.name = ? AND t.name = ? COLLATE NOCASE",
        {std::string(database), std::string(name)});
    if (rows.empty()) return std::nullopt;
    return RowToTable(rows[0], database);
}

std::optional<TableInfo> Catalog::GetTableById(int64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query(
        "SELECT t.id, t.name, t.kind, t.definition, t.create_time, t.column_names, t.security, d.id, d.name FROM "
        "tables t "
        "JOIN databases d ON d.id = t.database_id WHERE t.id = ?",
        {id});
    if (rows.empty()) return std::nullopt;
    return RowToTable(rows[0], std::get<std::string>(rows[0][8]));
}

bool Catalog::CreateView(std::string_view database, std::string_view name, const std::vector<std::string>& columns,
                         std::string_view definition, bool or_replace, bool if_not_exists, bool security_invoker) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool created = false;
    store_->Transaction([&] {
        auto db = store_->Query("SELECT id FROM databases WHERE name = ?", {std::string(database)});
        if (db.empty())
            throw CatalogError("Unknown database '" + std::string(database) + "'", ErrorCode::UNKNOWN_DATABASE);
        auto existing = store_->Query("SELECT id, kind FROM tables WHERE database_id = ? AND name = ? COLLATE NOCASE",
                                      {db[0][0], std::string(name)});
        if (!existing.empty()) {
            if (if_not_exists) return;
            if (!or_replace || std::get<std::string>(existing[0][1]) != "VIEW") {
                throw CatalogError("Table '" + std::string(name) + "' already exists", ErrorCode::TABLE_EXISTS);
            }
            store_->Execute("UPDATE tables SET definition = ?, column_names = ?, security = ? WHERE id = ?",
                            {std::string(definition), JoinNames(columns),
                             std::string(security_invoker ? "INVOKER" : "NONE"), existing[0][0]});
            created = true;
            return;
        }
        store_->Execute(
            "INSERT INTO tables(database_id, name, kind, definition, create_time, column_names, security) "
            "VALUES(?, ?, 'VIEW', ?, ?, ?, ?)",
            {db[0][0], std::string(name), std::string(definition), NowSeconds(), JoinNames(columns),
             std::string(security_invoker ? "INVOKER" : "NONE")});
        created = true;
    });
    return created;
}

bool Catalog::DropView(std::string_view database, std::string_view name, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t changed = store_->Execute(
        "DELETE FROM tables WHERE kind = 'VIEW' AND name = ? COLLATE NOCASE AND database_id = "
        "(SELECT id FROM databases WHERE name = ?)",
        {std::string(name), std::string(database)});
    if (changed == 0 && !if_exists) {
        throw CatalogError("Unknown view '" + std::string(database) + "." + std::string(name) + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
    return changed > 0;
}

int64_t Catalog::CreateTable(std::string_view database, std::string_view name, std::string_view definition,
                             bool if_not_exists, const std::vector<PartitionInfo>& partitions) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t id = 0;
    store_->Transaction([&] {
        auto db = store_->Query("SELECT id FROM databases WHERE name = ?", {std::string(database)});
        if (db.empty())
            throw CatalogError("Unknown database '" + std::string(database) + "'", ErrorCode::UNKNOWN_DATABASE);
        auto existing = store_->Query("SELECT id FROM tables WHERE database_id = ? AND name = ? COLLATE NOCASE",
                                      {db[0][0], std::string(name)});
        if (!existing.empty()) {
            if (if_not_exists) return;
            throw CatalogError("Table '" + std::string(name) + "' already exists", ErrorCode::TABLE_EXISTS);
        }
        store_->Execute(
            "INSERT INTO tables(database_id, name, kind, definition, create_time) VALUES(?, ?, 'TABLE', ?, ?)",
            {db[0][0], std::string(name), std::string(definition), NowSeconds()});
        id = std::get<int64_t>(store_->Query("SELECT last_insert_rowid()")[0][0]);
        versions_.erase(id);  // SQLite may reuse a dropped table's id: nothing cached may survive
        for (PartitionInfo p : partitions) {
            p.create_time = NowSeconds();
            InsertPartition(*store_, id, p);
        }
    });
    return id;
}

RowsetFile::~RowsetFile() {
    if (obsolete_ && remove_ && *remove_) (*remove_)(path_);
}

int64_t TableVersion::live_rows() const {
    int64_t n = 0;
    for (const auto& r : rowsets) n += r.live_rows();
    return n;
}

void Catalog::SetFileRemover(std::function<void(const std::string&)> remove) {
    std::lock_guard<std::mutex> lock(mutex_);
    *remover_ = std::move(remove);
}

std::shared_ptr<RowsetFile> Catalog::MakeFile(const std::string& path) {
    return std::make_shared<RowsetFile>(path, remover_);
}

namespace {
std::shared_ptr<const Roaring> ReadDeletes(const MetaValue& v) {
    const auto* blob = std::get_if<MetaBlob>(&v);
    if (!blob || blob->bytes.empty()) return nullptr;
    try {
        auto bitmap = std::make_shared<Roaring>(Roaring::readSafe(blob->bytes.data(), blob->bytes.size()));
        return bitmap->isEmpty() ? nullptr : bitmap;
    } catch (const std::exception& e) {
        throw IOError(std::string("meta store: damaged delete vector: ") + e.what());
    }
}

MetaValue WriteDeletes(const Roaring& bitmap) {
    MetaBlob blob;
    blob.bytes.resize(bitmap.getSizeInBytes());
    bitmap.write(blob.bytes.data());
    return blob;
}

}  // namespace

const PartitionInfo* TableVersion::FindPartition(std::string_view name) const {
    for (const auto& p : partitions) {
        if (AsciiEqualsIgnoreCase(p.name, name)) return &p;
    }
    return nullptr;
}

std::shared_ptr<const TableVersion> Catalog::LoadVersionLocked(int64_t table_id) {
    auto it = versions_.find(table_id);
    if (it != versions_.end()) return it->second;
    auto version = std::make_shared<TableVersion>();
    version->table_id = table_id;
    auto definition = store_->Query("SELECT definition FROM tables WHERE id = ?", {table_id});
    // A table that does not exist (dropped while someone asked) has an empty version, which is
    // not cached: its id may be given to a new table.
    if (definition.empty()) return version;
    version->definition = std::get<std::string>(definition[0][0]);
    for (const auto& r : store_->Query(
             "SELECT id, name, lower, upper, list_values, create_time FROM partitions WHERE table_id = ? ORDER BY id",
             {table_id})) {
        PartitionInfo p;
        p.id = std::get<int64_t>(r[0]);
        p.name = std::get<std::string>(r[1]);
        p.lower = OptionalText(r[2]);
        p.upper = OptionalText(r[3]);
        if (auto v = OptionalText(r[4])) p.values = DecodeListValues(*v);
        p.create_time = std::get<int64_t>(r[5]);
        version->partitions.push_back(std::move(p));
    }
    for (const auto& r :
         store_->Query("SELECT id, path, row_count, deletes, partition_id, distinct_counts, bucket, seq_lo, seq_hi "
                       "FROM rowsets WHERE table_id = ? ORDER BY id",
                       {table_id})) {
        RowsetInfo info;
        info.id = std::get<int64_t>(r[0]);
        info.path = std::get<std::string>(r[1]);
        info.row_count = std::get<int64_t>(r[2]);
        info.deletes = ReadDeletes(r[3]);
        if (const auto* pid = std::get_if<int64_t>(&r[4])) info.partition_id = *pid;
        if (const auto* d = std::get_if<std::string>(&r[5])) info.distinct = SplitCounts(*d);
        info.bucket = static_cast<uint32_t>(std::get<int64_t>(r[6]));
        info.seq_lo = std::get<int64_t>(r[7]);
        info.seq_hi = std::get<int64_t>(r[8]);
        info.file = MakeFile(info.path);
        version->rowsets.push_back(std::move(info));
    }
    for (const auto& r :
         store_->Query("SELECT partition_id, version FROM data_versions WHERE table_id = ?", {table_id})) {
        int64_t pid = std::get<int64_t>(r[0]);
        int64_t v = std::get<int64_t>(r[1]);
        if (pid == -1) {
            version->data_sequence = v;
        } else if (pid == -2) {
            version->last_non_append = v;
        } else {
            version->data_versions[pid] = v;
        }
    }
    if (auto t = store_->Query(
            "SELECT cold_catalog, cold_database, cold_table, cold_uuid, mode, move_after, move_after_seconds, "
            "partition_column, boundary, snapshot_id, tombstones FROM tiering WHERE table_id = ?",
            {table_id});
        !t.empty()) {
        auto tier = std::make_shared<TierState>();
        tier->cold_catalog = std::get<std::string>(t[0][0]);
        tier->cold_database = std::get<std::string>(t[0][1]);
        tier->cold_table = std::get<std::string>(t[0][2]);
        tier->cold_uuid = std::get<std::string>(t[0][3]);
        tier->mode = std::get<std::string>(t[0][4]);
        tier->move_after = std::get<std::string>(t[0][5]);
        tier->move_after_seconds = std::get<int64_t>(t[0][6]);
        tier->column = std::get<std::string>(t[0][7]);
        tier->boundary = OptionalText(t[0][8]);
        tier->snapshot_id = std::get<int64_t>(t[0][9]);
        const std::string& tombstones = std::get<std::string>(t[0][10]);
        for (size_t pos = 0; pos < tombstones.size();) {
            size_t end = tombstones.find('\x02', pos);
            if (end == std::string::npos) end = tombstones.size();
            tier->tombstones.push_back(tombstones.substr(pos, end - pos));
            pos = end + 1;
        }
        version->tier = std::move(tier);
    }
    versions_[table_id] = version;
    return version;
}

int64_t Catalog::TableBytes(int64_t table_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query("SELECT COALESCE(SUM(size), 0) FROM rowsets WHERE table_id = ?", {table_id});
    return rows.empty() ? 0 : std::get<int64_t>(rows[0][0]);
}

std::shared_ptr<const TableVersion> Catalog::GetTableVersion(int64_t table_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return LoadVersionLocked(table_id);
}

void Catalog::RetireTableLocked(int64_t table_id) {
    auto version = LoadVersionLocked(table_id);
    for (const auto& r : version->rowsets) r.file->MarkObsolete();
    versions_.erase(table_id);
}

bool Catalog::DropTable(std::string_view database, std::string_view name, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t table_id = 0;
    store_->Transaction([&] {
        auto rows = store_->Query(
            "SELECT t.id, t.kind FROM tables t JOIN databases d ON d.id = t.database_id "
            "WHERE d.name = ? AND t.name = ? COLLATE NOCASE",
            {std::string(database), std::string(name)});
        if (rows.empty() || std::get<std::string>(rows[0][1]) != "TABLE") {
            if (if_exists) return;
            throw CatalogError("Unknown table '" + std::string(database) + "." + std::string(name) + "'",
                               ErrorCode::UNKNOWN_TABLE);
        }
        table_id = std::get<int64_t>(rows[0][0]);
        LoadVersionLocked(table_id);  // before the rows go, so the files can be retired after commit
        store_->Execute("DELETE FROM rowsets WHERE table_id = ?", {table_id});
        store_->Execute("DELETE FROM tables WHERE id = ?", {table_id});
    });
    if (table_id == 0) return false;
    mv_generation_++;
    RetireTableLocked(table_id);
    return true;
}

std::vector<int64_t> Catalog::CommitLoad(int64_t table_id, const LoadCommit& commit) {
    std::lock_guard<std::mutex> lock(mutex_);
    mv_generation_++;
    auto current = LoadVersionLocked(table_id);
    auto named = [](const std::vector<std::string>& names, const std::string& name) {
        for (const auto& n : names) {
            if (AsciiEqualsIgnoreCase(n, name)) return true;
        }
        return false;
    };
    for (const auto* names : {&commit.drop_partitions, &commit.replace_partitions}) {
        for (const auto& n : *names) {
            if (!current->FindPartition(n)) {
                throw CatalogError("partition '" + n + "' does not exist", ErrorCode::UNKNOWN_TABLE);
            }
        }
    }
    auto next = std::make_shared<TableVersion>();
    next->table_id = table_id;
    next->definition = commit.new_definition.empty() ? current->definition : commit.new_definition;
    std::set<int64_t> dropped_partitions, replaced_partitions;
    for (const auto& p : current->partitions) {
        if (named(commit.drop_partitions, p.name)) {
            dropped_partitions.insert(p.id);
            continue;
        }
        if (named(commit.replace_partitions, p.name)) replaced_partitions.insert(p.id);
        next->partitions.push_back(p);
    }
    auto removed = [&](const RowsetInfo& r) {
        return commit.replace || std::find(commit.remove.begin(), commit.remove.end(), r.id) != commit.remove.end() ||
               dropped_partitions.count(r.partition_id) > 0 || replaced_partitions.count(r.partition_id) > 0;
    };
    std::vector<int64_t> ids;
    store_->Transaction([&] {
        if (store_->Query("SELECT 1 FROM tables WHERE id = ?", {table_id}).empty()) {
            throw CatalogError("table was dropped while loading into it", ErrorCode::UNKNOWN_TABLE);
        }
        for (int64_t id : commit.remove) {
            bool found = false;
            for (const auto& r : current->rowsets) found |= r.id == id;
            if (!found) throw InternalError("rowset " + std::to_string(id) + " is not in the table's version");
        }
        for (PartitionInfo p : commit.create_partitions) {
            if (next->FindPartition(p.name)) {
                throw CatalogError("Duplicate partition name " + p.name, ErrorCode::TABLE_EXISTS);
            }
            p.create_time = NowSeconds();
            p.id = InsertPartition(*store_, table_id, p);
            next->partitions.push_back(std::move(p));
        }
        // New rowsets are inserted before old ones are deleted, so their ids exceed every id the
        // table has had: rowset ids keep commit order, which merge-on-read relies on.
        // The commits whose rows the new rowsets hold: this one's sequence, or (compaction) the
        // span of its inputs'.
        int64_t seq_lo = current->data_sequence + 1, seq_hi = current->data_sequence + 1;
        if (!commit.remove.empty()) {
            seq_lo = std::numeric_limits<int64_t>::max();
            seq_hi = 0;
            for (const auto& r : current->rowsets) {
                if (std::find(commit.remove.begin(), commit.remove.end(), r.id) == commit.remove.end()) continue;
                seq_lo = std::min(seq_lo, r.seq_lo);
                seq_hi = std::max(seq_hi, r.seq_hi);
            }
        }
        std::vector<int64_t> partition_ids;
        for (const auto& n : commit.rowsets) {
            int64_t partition_id = 0;
            if (!n.partition.empty()) {
                const PartitionInfo* p = next->FindPartition(n.partition);
                if (!p) throw InternalError("load into unknown partition '" + n.partition + "'");
                partition_id = p->id;
            }
            partition_ids.push_back(partition_id);
            store_->Execute(
                "INSERT INTO rowsets(table_id, path, row_count, size, label, create_time, partition_id, "
                "distinct_counts, deletes, bucket, seq_lo, seq_hi) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {table_id, n.path, n.row_count, n.size, commit.label.empty() ? MetaValue{} : MetaValue{commit.label},
                 NowSeconds(), partition_id ? MetaValue{partition_id} : MetaValue{},
                 n.distinct.empty() ? MetaValue{} : MetaValue{JoinCounts(n.distinct)},
                 n.deletes.isEmpty() ? MetaValue{} : WriteDeletes(n.deletes), static_cast<int64_t>(n.bucket), seq_lo,
                 seq_hi});
            ids.push_back(std::get<int64_t>(store_->Query("SELECT last_insert_rowid()")[0][0]));
        }
        for (const auto& r : current->rowsets) {
            if (removed(r)) {
                store_->Execute("DELETE FROM rowsets WHERE id = ?", {r.id});
                continue;
            }
            RowsetInfo kept = r;
            auto marks = commit.deletes.find(r.id);
            if (marks != commit.deletes.end() && !marks->second.isEmpty()) {
                auto merged = std::make_shared<Roaring>(marks->second);
                if (r.deletes) *merged |= *r.deletes;
                store_->Execute("UPDATE rowsets SET deletes = ? WHERE id = ?", {WriteDeletes(*merged), r.id});
                kept.deletes = std::move(merged);
            }
            next->rowsets.push_back(std::move(kept));
        }
        // Data versions: every partition whose rows this commit changes gets the next number.
        next->data_versions = current->data_versions;
        next->data_sequence = current->data_sequence;
        next->last_non_append = current->last_non_append;
        if (commit.remove.empty()) {
            std::set<int64_t> touched;
            bool all = commit.replace || !commit.new_definition.empty();
            if (all) {
                for (const auto& p : next->partitions) touched.insert(p.id);
                if (next->partitions.empty()) touched.insert(0);
            }
            for (int64_t pid : partition_ids) touched.insert(pid);
            for (int64_t pid : replaced_partitions) touched.insert(pid);
            for (const auto& p : commit.create_partitions) {
                if (const PartitionInfo* created = next->FindPartition(p.name)) touched.insert(created->id);
            }
            bool deleted_rows = false;
            for (const auto& r : current->rowsets) {
                auto marks = commit.deletes.find(r.id);
                if (marks != commit.deletes.end() && !marks->second.isEmpty()) {
                    touched.insert(r.partition_id);
                    deleted_rows = true;
                }
            }
            for (const auto& n : commit.rowsets) deleted_rows |= !n.deletes.isEmpty();
            if (!touched.empty() || !dropped_partitions.empty()) {
                int64_t seq = ++next->data_sequence;
                if (all || deleted_rows || !replaced_partitions.empty() || !dropped_partitions.empty()) {
                    next->last_non_append = seq;
                    store_->Execute(
                        "INSERT OR REPLACE INTO data_versions(table_id, partition_id, version) VALUES(?, -2, ?)",
                        {table_id, seq});
                }
                for (int64_t pid : touched) {
                    next->data_versions[pid] = seq;
                    store_->Execute(
                        "INSERT OR REPLACE INTO data_versions(table_id, partition_id, version) VALUES(?, ?, ?)",
                        {table_id, pid, seq});
                }
                for (int64_t pid : dropped_partitions) {
                    next->data_versions.erase(pid);
                    store_->Execute("DELETE FROM data_versions WHERE table_id = ? AND partition_id = ?",
                                    {table_id, pid});
                }
                store_->Execute(
                    "INSERT OR REPLACE INTO data_versions(table_id, partition_id, version) VALUES(?, -1, ?)",
                    {table_id, seq});
            }
        }
        for (const auto& [pid, expected] : commit.expect_data_versions) {
            auto it = current->data_versions.find(pid);
            int64_t now = it == current->data_versions.end() ? 0 : it->second;
            if (now != expected) {
                throw CommitConflictError("partition " + std::to_string(pid) + " changed (data version " +
                                          std::to_string(now) + ", expected " + std::to_string(expected) + ")");
            }
        }
        if (commit.expect_tier_snapshot) {
            int64_t now = current->tier ? current->tier->snapshot_id : -1;
            if (now != *commit.expect_tier_snapshot) {
                throw CommitConflictError("the table's cold snapshot changed (" + std::to_string(now) + ", expected " +
                                          std::to_string(*commit.expect_tier_snapshot) + ")");
            }
        }
        next->tier = current->tier;
        bool tombstones_change = !commit.tier_tombstones_add.empty() || !commit.tier_tombstones_clear.empty();
        if (commit.tier || (tombstones_change && current->tier)) {
            next->tier = commit.tier ? *commit.tier : current->tier;
            store_->Execute("DELETE FROM tiering WHERE table_id = ?", {table_id});
            if (next->tier) {
                // Tombstones continue from the current list: a commit that read an older version
                // never drops keys deleted since.
                auto t = std::make_shared<TierState>(*next->tier);
                t->tombstones = current->tier ? current->tier->tombstones : std::vector<std::string>{};
                std::set<std::string> gone(commit.tier_tombstones_clear.begin(), commit.tier_tombstones_clear.end());
                std::erase_if(t->tombstones, [&](const std::string& k) { return gone.count(k) > 0; });
                std::set<std::string> have(t->tombstones.begin(), t->tombstones.end());
                for (const auto& k : commit.tier_tombstones_add) {
                    if (have.insert(k).second) t->tombstones.push_back(k);
                }
                std::string joined;
                for (const auto& k : t->tombstones) joined += (joined.empty() ? "" : "\x02") + k;
                store_->Execute(
                    "INSERT INTO tiering(table_id, cold_catalog, cold_database, cold_table, cold_uuid, mode, "
                    "move_after, move_after_seconds, partition_column, boundary, snapshot_id, tombstones) "
                    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {table_id, t->cold_catalog, t->cold_database, t->cold_table, t->cold_uuid, t->mode, t->move_after,
                     t->move_after_seconds, t->column, t->boundary ? MetaValue{*t->boundary} : MetaValue{},
                     t->snapshot_id, joined});
                next->tier = std::move(t);
            }
        }
        if (commit.also) commit.also(*store_);
        for (int64_t pid : dropped_partitions) store_->Execute("DELETE FROM partitions WHERE id = ?", {pid});
        if (!commit.new_definition.empty()) {
            store_->Execute("UPDATE tables SET definition = ? WHERE id = ?", {commit.new_definition, table_id});
        }
        if (commit.record) {
            const LoadRecord& r = *commit.record;
            auto existing = store_->Query(
                "SELECT l.state FROM loads l JOIN tables t ON t.database_id = l.database_id "
                "WHERE t.id = ? AND l.label = ?",
                {table_id, commit.label});
            if (!existing.empty() && std::get<std::string>(existing[0][0]) == "FINISHED") {
                throw CatalogError("Label [" + commit.label + "] has already been used",
                                   ErrorCode::LABEL_ALREADY_EXISTS);
            }
            store_->Execute(
                "INSERT OR REPLACE INTO loads(database_id, label, table_name, kind, state, txn_id, total_rows, "
                "loaded_rows, filtered_rows, unselected_rows, load_bytes, error_msg, error_url, create_time, "
                "finish_time) SELECT database_id, ?, name, ?, 'FINISHED', ?, ?, ?, ?, ?, ?, NULL, ?, ?, ? FROM tables "
                "WHERE id = ?",
                {commit.label, r.kind, ids.empty() ? int64_t{0} : ids[0], r.total_rows, r.loaded_rows, r.filtered_rows,
                 r.unselected_rows, r.load_bytes, r.error_url.empty() ? MetaValue{} : MetaValue{r.error_url},
                 r.create_time ? r.create_time : NowSeconds(), NowSeconds(), table_id});
        }
        for (size_t i = 0; i < commit.rowsets.size(); ++i) {
            RowsetInfo info;
            info.id = ids[i];
            info.partition_id = partition_ids[i];
            info.path = commit.rowsets[i].path;
            info.row_count = commit.rowsets[i].row_count;
            info.distinct = commit.rowsets[i].distinct;
            info.bucket = commit.rowsets[i].bucket;
            info.seq_lo = seq_lo;
            info.seq_hi = seq_hi;
            if (!commit.rowsets[i].deletes.isEmpty())
                info.deletes = std::make_shared<Roaring>(commit.rowsets[i].deletes);
            info.file = MakeFile(info.path);
            next->rowsets.push_back(std::move(info));
        }
    });
    for (const auto& r : current->rowsets) {
        if (removed(r)) r.file->MarkObsolete();
    }
    versions_[table_id] = next;
    return ids;
}

void Catalog::RecordFailedLoad(int64_t table_id, const LoadRecord& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Transaction([&] {
        auto existing = store_->Query(
            "SELECT l.state FROM loads l JOIN tables t ON t.database_id = l.database_id WHERE t.id = ? AND l.label = ?",
            {table_id, r.label});
        if (!existing.empty() && std::get<std::string>(existing[0][0]) == "FINISHED") return;
        store_->Execute(
            "INSERT OR REPLACE INTO loads(database_id, label, table_name, kind, state, txn_id, total_rows, "
            "loaded_rows, filtered_rows, unselected_rows, load_bytes, error_msg, error_url, create_time, finish_time) "
            "SELECT database_id, ?, name, ?, 'CANCELLED', 0, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tables WHERE id = ?",
            {r.label, r.kind, r.total_rows, r.loaded_rows, r.filtered_rows, r.unselected_rows, r.load_bytes,
             r.error_msg, r.error_url.empty() ? MetaValue{} : MetaValue{r.error_url},
             r.create_time ? r.create_time : NowSeconds(), NowSeconds(), table_id});
    });
}

namespace {
LoadRecord RowToLoad(const MetaRow& row) {
    auto text = [](const MetaValue& v) {
        return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
    };
    auto num = [](const MetaValue& v) { return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : 0; };
    LoadRecord r;
    r.database = text(row[0]);
    r.label = text(row[1]);
    r.table = text(row[2]);
    r.kind = text(row[3]);
    r.state = text(row[4]);
    r.txn_id = num(row[5]);
    r.total_rows = num(row[6]);
    r.loaded_rows = num(row[7]);
    r.filtered_rows = num(row[8]);
    r.unselected_rows = num(row[9]);
    r.load_bytes = num(row[10]);
    r.error_msg = text(row[11]);
    r.error_url = text(row[12]);
    r.create_time = num(row[13]);
    r.finish_time = num(row[14]);
    return r;
}
constexpr const char* kLoadColumns =
    "SELECT d.name, l.label, l.table_name, l.kind, l.state, l.txn_id, l.total_rows, l.loaded_rows, "
    "l.filtered_rows, l.unselected_rows, l.load_bytes, l.error_msg, l.error_url, l.create_time, l.finish_time "
    "FROM loads l JOIN databases d ON d.id = l.database_id ";
}  // namespace

std::optional<LoadRecord> Catalog::GetLoad(std::string_view database, std::string_view label) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query(std::string(kLoadColumns) + "WHERE d.name = ? AND l.label = ?",
                              {std::string(database), std::string(label)});
    if (rows.empty()) return std::nullopt;
    return RowToLoad(rows[0]);
}

std::vector<LoadRecord> Catalog::ListLoads(std::string_view database, size_t limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<LoadRecord> out;
    for (const auto& row :
         store_->Query(std::string(kLoadColumns) + "WHERE d.name = ? ORDER BY l.create_time DESC, l.rowid DESC LIMIT ?",
                       {std::string(database), static_cast<int64_t>(limit)})) {
        out.push_back(RowToLoad(row));
    }
    return out;
}

int64_t Catalog::ExpireLoads(int64_t seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    return store_->Execute("DELETE FROM loads WHERE finish_time < ?", {NowSeconds() - seconds});
}

std::vector<std::string> Catalog::AllRowsetPaths() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : store_->Query("SELECT path FROM rowsets")) out.push_back(std::get<std::string>(r[0]));
    return out;
}

void Catalog::CreateIndex(int64_t table_id, std::string_view name, std::string_view columns, std::string_view type) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Transaction([&] {
        if (!store_
                 ->Query("SELECT 1 FROM table_indexes WHERE table_id = ? AND name = ? COLLATE NOCASE",
                         {table_id, std::string(name)})
                 .empty()) {
            throw CatalogError("Duplicate key name '" + std::string(name) + "'", ErrorCode::TABLE_EXISTS);
        }
        store_->Execute("INSERT INTO table_indexes(table_id, name, columns, index_type) VALUES(?, ?, ?, ?)",
                        {table_id, std::string(name), std::string(columns), std::string(type)});
    });
}

void Catalog::DropIndex(int64_t table_id, std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (store_->Execute("DELETE FROM table_indexes WHERE table_id = ? AND name = ? COLLATE NOCASE",
                        {table_id, std::string(name)}) == 0) {
        throw CatalogError("Can't DROP '" + std::string(name) + "'; check that column/key exists",
                           ErrorCode::UNKNOWN_TABLE);
    }
}

std::vector<Catalog::IndexInfo> Catalog::ListIndexes(int64_t table_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<IndexInfo> out;
    for (const auto& r : store_->Query(
             "SELECT name, columns, index_type FROM table_indexes WHERE table_id = ? ORDER BY name", {table_id})) {
        out.push_back({std::get<std::string>(r[0]), std::get<std::string>(r[1]), std::get<std::string>(r[2])});
    }
    return out;
}

}  // namespace floe
