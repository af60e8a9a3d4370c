#pragma once
/// The filesystem ("hadoop") Iceberg catalog: Iceberg Java's HadoopCatalog layout, where the
/// directory tree is the catalog. `<warehouse>/<ns>/<table>/metadata/` holds the table's metadata
/// files; a namespace is a directory that is not a table (nested namespaces are nested
/// directories, named "a.b"); a table is a directory whose metadata/ holds a version hint or a
/// *.metadata.json file. Local warehouses (plain paths and file: URLs: the warehouse and each table
/// directory pass FileRoots::Check before they are read or written) are HadoopCatalog; warehouses
/// on S3 (s3:// and s3a://) are S3HadoopCatalog, where a directory is a key prefix.
///
/// Changes follow Iceberg Java's HadoopTableOperations: a namespace is created with mkdir and
/// dropped by removing its (empty) directory; a commit writes metadata/v<N+1>.metadata.json only if
/// no such file exists (link(2), atomic on a local disk: the loser of a race gets
/// CommitFailedError), then rewrites metadata/version-hint.text (the bare number) on a best-effort
/// basis, since readers probe past a lagging hint. A hadoop table always lives at
/// <warehouse>/<ns levels>/<table>: the directory is its identity, so a create naming another
/// location is refused. Namespace properties cannot be kept and are ignored.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/s3_client.h"
#include "lake/iceberg/iceberg_catalog.h"

namespace floe::iceberg {

/// The current metadata file of the Iceberg table in `table_dir` (a local directory the caller
/// has already passed through FileRoots::Check), as `<table_dir>/metadata/<file>`:
///  1. metadata/version-hint.text, or Impala's version-hint.txt, trimmed: a number N names
///     vN.metadata.json (or vN.gz.metadata.json, or vN.metadata.json.gz), and a newer v(N+1)...
///     present wins, since writers rewrite the hint only after the commit (Iceberg Java does the
///     same); anything else is a file stem (DuckDB writes "00001-<uuid>") naming <stem>.metadata.json.
///  2. With no hint, or one naming no file present: when every candidate is vN, the highest N
///     (Iceberg Java's rule); when every candidate is NNNNN-<uuid>, the highest NNNNN; otherwise
///     (mixed or unnumbered names such as "vfinal") the file with the latest last-updated-ms.
/// Hadoop's .crc sidecars and other hidden files are ignored. Throws IOError naming the directory
/// when there is no metadata directory or no metadata file in it.
std::string ResolveCurrentMetadataFile(const std::string& table_dir);

/// A catalog over a warehouse directory (see the file comment).
class HadoopCatalog : public IcebergCatalog {
  public:
    /// Throws NotSupportedError for a warehouse on a file system Floe cannot list yet (s3://, ...).
    HadoopCatalog(std::string name, CatalogProperties properties);

    std::vector<std::string> ListNamespaces() override;
    bool NamespaceExists(const std::string& ns) override;
    std::vector<std::string> ListTables(const std::string& ns) override;
    /// `<warehouse>/<ns levels>/<table>/metadata/<current file>`, the warehouse spelled as given
    /// (a file: scheme dropped).
    std::optional<std::string> TableMetadataLocation(const std::string& ns, const std::string& table) override;

    /// mkdir of <warehouse>/<ns levels> (parents included). CatalogError (DATABASE_EXISTS) when the
    /// namespace exists, or when a table sits at that directory.
    void CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
    /// Removes the namespace's directory. CatalogError when there is no such namespace
    /// (UNKNOWN_DATABASE) or its directory is not empty (tables, nested namespaces, other files).
    void DropNamespace(const std::string& ns) override;
    /// <warehouse>/<ns levels>/<table> (an existing namespace directory named "a.b" is kept as it
    /// is), the warehouse spelled as given.
    std::string DefaultTableLocation(const std::string& ns, const std::string& table) override;
    /// Writes <table dir>/metadata/v<N+1>.metadata.json, N being the version of base_location (0 for
    /// a create; a base named NNNNN-<uuid> counts as NNNNN), and rewrites the version hint. The
    /// table directory is the catalog's (<warehouse>/<ns>/<table>), not the metadata's `location`,
    /// which for a create must equal DefaultTableLocation. CommitFailedError when base_location is
    /// no longer the current file, when v<N+1> already exists (another writer won), or, for a
    /// create, when the directory already holds a table. CatalogError when the namespace is missing.
    std::string CommitTable(const TableCommit& commit) override;
    /// Deletes the table's metadata/ directory (every metadata file, manifest list and manifest
    /// kept there), then the table directory if that left it empty; data files elsewhere stay for
    /// the caller to purge. CatalogError (UNKNOWN_TABLE) when there is no such table.
    void DropTable(const std::string& ns, const std::string& table) override;

  private:
    /// The warehouse directory, checked against the file roots; throws IOError when it is missing.
    std::filesystem::path Warehouse() const;
    /// The directory of namespace `ns`, or nullopt when there is none. A name is first taken as one
    /// directory ("default.db"), then as dotted levels ("a.b" = a/b).
    std::optional<std::filesystem::path> NamespaceDir(const std::string& ns) const;
    /// The directory a namespace has, or would have once created: NamespaceDir when it exists,
    /// else the dotted levels as nested directories. Throws CatalogError for an unusable name.
    std::filesystem::path NamespacePath(const std::string& ns) const;
    /// The directory of table `table` in namespace `ns`, relative to the warehouse (the namespace
    /// must exist: CatalogError otherwise).
    std::filesystem::path TableDir(const std::string& ns, const std::string& table) const;

    CatalogProperties properties_;
    /// The warehouse as a local path, spelled as the user gave it, without a trailing '/'.
    std::string warehouse_;
};

/// The same layout on S3: a "directory" is a key prefix listed with the '/' delimiter, a
/// namespace one that holds something (Floe creates it as an empty "<prefix>/" marker object, as
/// Hadoop's S3A does for mkdir) and is not a table. Commits write metadata/v<N+1>.metadata.json
/// with S3's conditional PUT (`If-None-Match: *`), atomic on AWS S3 and MinIO; on a store that
/// ignores the header two writers in different processes could both win, so such stores want a
/// jdbc or rest catalog for concurrent writers (docs/iceberg.md). Requests use the catalog's
/// aws.s3.* settings (anonymous without them).
class S3HadoopCatalog : public IcebergCatalog {
  public:
    S3HadoopCatalog(std::string name, CatalogProperties properties);

    std::vector<std::string> ListNamespaces() override;
    bool NamespaceExists(const std::string& ns) override;
    std::vector<std::string> ListTables(const std::string& ns) override;
    std::optional<std::string> TableMetadataLocation(const std::string& ns, const std::string& table) override;
    void CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
    void DropNamespace(const std::string& ns) override;
    std::string DefaultTableLocation(const std::string& ns, const std::string& table) override;
    std::string CommitTable(const TableCommit& commit) override;
    void DropTable(const std::string& ns, const std::string& table) override;

  private:
    /// The visible files and subdirectories directly under the directory `key` ("" is the bucket).
    struct Listing {
        std::set<std::string> files;
        std::vector<std::string> directories;
    };
    Listing List(const std::string& key) const;
    /// Whether anything lies under the directory `key`.
    bool HasAnything(const std::string& key) const;
    bool IsTableDir(const std::string& key) const;
    /// `key`/`name` ("" joins to `name`).
    static std::string Join(const std::string& key, const std::string& name);
    std::string Url(const std::string& key) const;
    /// The key of namespace `ns`, or nullopt when there is none (one level "a.b" first, then a/b).
    std::optional<std::string> NamespaceKey(const std::string& ns) const;
    /// NamespaceKey, or the dotted levels a new namespace gets. CatalogError for an unusable name.
    std::string NamespaceKeyFor(const std::string& ns) const;
    /// The key of a table's directory; CatalogError when the namespace is missing.
    std::string TableKey(const std::string& ns, const std::string& table) const;
    /// The current metadata file's name in `table_key`/metadata, or nullopt when there is none.
    std::optional<std::string> CurrentMetadataFileName(const std::string& table_key) const;

    CatalogProperties properties_;
    /// The warehouse: its scheme (s3 or s3a), bucket, and key prefix without a trailing '/'.
    S3Location warehouse_;
    S3Client client_;
};

}  // namespace floe::iceberg
