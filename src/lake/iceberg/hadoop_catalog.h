#pragma once
/// The filesystem ("hadoop") Iceberg catalog: Iceberg Java's HadoopCatalog layout, where the
/// directory tree is the catalog. `<warehouse>/<ns>/<table>/metadata/` holds the table's metadata
/// files; a namespace is a directory that is not a table (nested namespaces are nested
/// directories, named "a.b"); a table is a directory whose metadata/ holds a version hint or a
/// *.metadata.json file. Only local warehouses (plain paths and file: URLs) are served yet; the
/// warehouse and each table directory pass FileRoots::Check before they are read.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

  private:
    /// The warehouse directory, checked against the file roots; throws IOError when it is missing.
    std::filesystem::path Warehouse() const;
    /// The directory of namespace `ns`, or nullopt when there is none. A name is first taken as one
    /// directory ("default.db"), then as dotted levels ("a.b" = a/b).
    std::optional<std::filesystem::path> NamespaceDir(const std::string& ns) const;

    CatalogProperties properties_;
    /// The warehouse as a local path, spelled as the user gave it, without a trailing '/'.
    std::string warehouse_;
};

}  // namespace floe::iceberg
