#include "lake/iceberg/name_mapping.h"

#include <simdjson.h>

#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/json_object_reader.h"

namespace floe::iceberg {

namespace {

std::vector<MappedField> ParseMappedFields(simdjson::dom::array list, const std::string& what,
                                           const std::string& context, int depth) {
    if (depth > kMaxTypeDepth) {
        throw IOError("'" + what + "': schema.name-mapping.default is nested more than " +
                      std::to_string(kMaxTypeDepth) + " levels deep");
    }
    std::vector<MappedField> out;
    size_t i = 0;
    for (simdjson::dom::element e : list) {
        JsonObjectReader obj(e, what, context + "[" + std::to_string(i++) + "]");
        MappedField f;
        f.field_id = obj.OptionalInt32("field-id");
        for (simdjson::dom::element n : obj.Array("names")) f.names.push_back(obj.AsString(n, "names"));
        if (auto children = obj.OptionalArray("fields")) {
            f.fields = ParseMappedFields(*children, what, obj.Path("fields"), depth + 1);
        }
        out.push_back(std::move(f));
    }
    return out;
}

const MappedField* FindIn(const std::vector<MappedField>& fields, const std::string& name) {
    for (const MappedField& f : fields) {
        for (const std::string& n : f.names) {
            if (n == name) return &f;
        }
    }
    return nullptr;
}

}  // namespace

const MappedField* NameMapping::Find(const std::vector<std::string>& path) const {
    const std::vector<MappedField>* level = &fields_;
    const MappedField* found = nullptr;
    for (const std::string& name : path) {
        found = FindIn(*level, name);
        if (!found) return nullptr;
        level = &found->fields;
    }
    return found;
}

std::optional<int32_t> NameMapping::FindId(const std::vector<std::string>& path) const {
    const MappedField* f = Find(path);
    if (!f) return std::nullopt;
    return f->field_id;
}

NameMapping ParseNameMapping(std::string_view json_text, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(json_text.data(), json_text.size()).get(doc); err) {
        throw IOError("'" + what + "': schema.name-mapping.default is not valid JSON (" + simdjson::error_message(err) +
                      ")");
    }
    simdjson::dom::array list;
    if (doc.get_array().get(list) != simdjson::SUCCESS) {
        // Some writers wrap the list as {"type":"struct","fields":[..]} (name_mapping fixture).
        simdjson::dom::object obj;
        if (doc.get_object().get(obj) != simdjson::SUCCESS ||
            obj["fields"].get_array().get(list) != simdjson::SUCCESS) {
            throw IOError("'" + what + "': schema.name-mapping.default must be a JSON array");
        }
    }
    return NameMapping(ParseMappedFields(list, what, "schema.name-mapping.default", 0));
}

}  // namespace floe::iceberg
