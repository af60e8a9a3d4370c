#pragma once
/// The rules of Iceberg Java's HadoopCatalog layout that do not depend on where the warehouse
/// lives: which names are metadata files, how a version hint and the file names choose the
/// current metadata file, how a namespace name maps onto directory levels. The local catalog
/// (hadoop_catalog.cpp) and the object-store one (hadoop_catalog_s3.cpp) both use them, so a
/// table answers the same wherever its directory is.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace floe::iceberg::hadoop_layout {

/// The version-hint files, in the order they are read (Iceberg Java's, then Impala's).
inline constexpr std::string_view kHintFiles[] = {"version-hint.text", "version-hint.txt"};

/// Hidden files (".v1.metadata.json.crc" and the like) and empty names.
bool IsHidden(std::string_view name);
/// One level of a namespace or a table name: a single directory name that stays where it is put.
bool IsPlainName(std::string_view name);
bool IsHintFile(std::string_view name);
/// The stem of a metadata file name ("v3" for "v3.gz.metadata.json"), or nullopt for other files.
std::optional<std::string> MetadataStem(std::string_view name);
/// The version a metadata file name carries: N of vN[.gz].metadata.json, NNNNN of
/// NNNNN-<uuid>.metadata.json, or nullopt.
std::optional<uint64_t> MetadataVersion(std::string_view name);
/// `text` without surrounding white space.
std::string_view Trim(std::string_view text);
/// The levels of a dotted namespace name ("a.b" -> {"a", "b"}); nullopt when a level is not a
/// plain, visible name.
std::optional<std::vector<std::string>> NamespaceLevels(const std::string& ns);
/// `location` with a file: scheme and trailing slashes dropped, for comparing table locations.
std::string PlainLocation(std::string location);

/// The last-updated-ms of a metadata file's bytes (gzip detected by its magic, not its name), or
/// -1 when it has none or is not JSON: such a file never outranks a readable one. `what` names the
/// file in errors about corrupt compression.
int64_t LastUpdatedMs(std::string bytes, const std::string& what);

/// The current metadata file among `names` (a table's metadata directory), given the trimmed text
/// of its version hint (nullopt or empty when there is none): see ResolveCurrentMetadataFile in
/// hadoop_catalog.h for the rules. `last_updated_ms(name)` is asked only when names do not order
/// themselves. nullopt when `names` hold no metadata file.
std::optional<std::string> ChooseCurrentMetadataFile(const std::set<std::string>& names,
                                                     const std::optional<std::string>& hint,
                                                     const std::function<int64_t(const std::string&)>& last_updated_ms);

}  // namespace floe::iceberg::hadoop_layout
