#pragma once
/// The table property `schema.name-mapping.default` (spec Appendix C "Name Mapping Serialization"):
/// field ids for data files written without them, looked up by column name path. Each entry has
/// one or more names (aliases), an optional field id and children (`element` of a list, `key` and
/// `value` of a map, struct members). A '.' inside a name is literal, so paths are vectors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe::iceberg {

struct MappedField {
    std::optional<int32_t> field_id;
    std::vector<std::string> names;
    std::vector<MappedField> fields;
};

class NameMapping {
  public:
    NameMapping() = default;
    explicit NameMapping(std::vector<MappedField> fields) : fields_(std::move(fields)) {}

    /// The field id mapped to this column path (names from the top level down), or nullopt
    /// when some name is unmapped or the entry carries no id. Names compare exactly.
    std::optional<int32_t> FindId(const std::vector<std::string>& path) const;
    /// The entry for this path (to walk children), or nullptr.
    const MappedField* Find(const std::vector<std::string>& path) const;
    const std::vector<MappedField>& fields() const { return fields_; }

  private:
    std::vector<MappedField> fields_;
};

/// Parses the property's JSON; IOError naming `what` (the metadata file) when it is malformed.
NameMapping ParseNameMapping(std::string_view json_text, const std::string& what);

}  // namespace floe::iceberg
