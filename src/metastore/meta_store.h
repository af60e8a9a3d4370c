#pragma once
/// The meta store: the durable home of the catalog and of every commit record. SQLite in the data
/// directory is the first backend; PostgreSQL is planned behind the same interface. Callers group
/// changes with a Transaction so that they commit together or not at all.
///
/// The schema is versioned: migrations run in order on open, each in its own transaction, and the
/// version is recorded in the store itself.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace floe {

/// A bound parameter or a column value of a meta-store row.
/// Binary bytes stored as a BLOB (text is std::string).
struct MetaBlob {
    std::string bytes;
};
using MetaValue = std::variant<std::monostate, int64_t, double, std::string, MetaBlob>;
using MetaRow = std::vector<MetaValue>;

/// A column value as an integer (0 for NULL or another type).
inline int64_t MetaInt(const MetaValue& v) {
    return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : 0;
}
/// A column value as text (a BLOB's bytes; "" for NULL or a number).
inline std::string MetaText(const MetaValue& v) {
    if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
    if (std::holds_alternative<MetaBlob>(v)) return std::get<MetaBlob>(v).bytes;
    return "";
}

class MetaStore {
  public:
    virtual ~MetaStore() = default;

    /// Runs `body` inside one transaction: committed if it returns, rolled back if it throws.
    virtual void Transaction(const std::function<void()>& body) = 0;
    /// Executes a statement with `?` parameters; returns rows changed.
    virtual int64_t Execute(std::string_view sql, const std::vector<MetaValue>& params = {}) = 0;
    /// Runs a query with `?` parameters and returns every row.
    virtual std::vector<MetaRow> Query(std::string_view sql, const std::vector<MetaValue>& params = {}) = 0;
    /// The schema version after migrations.
    virtual int SchemaVersion() = 0;
};

/// Opens (creating if needed) the SQLite meta store at `path` and applies pending migrations.
/// Throws IOError naming the file when it cannot be opened or is not a Floe meta store.
std::unique_ptr<MetaStore> OpenSqliteMetaStore(const std::string& path);

/// Ordered migrations; migration i (1-based) takes the schema from version i-1 to i.
const std::vector<std::string_view>& MetaStoreMigrations();

}  // namespace floe
