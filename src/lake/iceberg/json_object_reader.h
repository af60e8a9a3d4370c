#pragma once
/// Typed access to the members of one JSON object of Iceberg metadata, with errors that name the
/// file and the member ("'s3://t/metadata/v3.metadata.json': snapshots[2].snapshot-id must be an
/// integer"). Shared by the table metadata, schema and name-mapping parsers.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/exception.h"

namespace floe::iceberg {

class JsonObjectReader {
  public:
    /// `context` is the object's path inside the document ("" for the root, "snapshots[2]").
    JsonObjectReader(simdjson::dom::element json, const std::string& what, std::string context)
        : what_(what), context_(std::move(context)) {
        if (json.get_object().get(object_) != simdjson::SUCCESS) {
            throw Error(context_.empty() ? std::string("the document is not a JSON object")
                                         : context_ + " is not a JSON object");
        }
    }

    const std::string& what() const { return what_; }
    const std::string& context() const { return context_; }
    /// "context.key" (or "key" at the root): how messages name a member.
    std::string Path(std::string_view key) const {
        return context_.empty() ? std::string(key) : context_ + "." + std::string(key);
    }

    /// The member, or nullopt when it is absent. A JSON null counts as present.
    std::optional<simdjson::dom::element> Find(std::string_view key) const {
        simdjson::dom::element e;
        if (object_.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
        return e;
    }
    /// The member, or nullopt when it is absent or null.
    std::optional<simdjson::dom::element> FindNonNull(std::string_view key) const {
        auto e = Find(key);
        if (!e || e->is_null()) return std::nullopt;
        return e;
    }
    bool Has(std::string_view key) const { return FindNonNull(key).has_value(); }

    simdjson::dom::element Required(std::string_view key) const {
        auto e = FindNonNull(key);
        if (!e) throw Error("required field '" + Path(key) + "' is missing");
        return *e;
    }

    int64_t Int(std::string_view key) const { return AsInt(Required(key), key); }
    std::optional<int64_t> OptionalInt(std::string_view key) const {
        auto e = FindNonNull(key);
        if (!e) return std::nullopt;
        return AsInt(*e, key);
    }
    int32_t Int32(std::string_view key) const { return ToInt32(Int(key), key); }
    std::optional<int32_t> OptionalInt32(std::string_view key) const {
        auto v = OptionalInt(key);
        if (!v) return std::nullopt;
        return ToInt32(*v, key);
    }
    std::string String(std::string_view key) const { return AsString(Required(key), key); }
    std::optional<std::string> OptionalString(std::string_view key) const {
        auto e = FindNonNull(key);
        if (!e) return std::nullopt;
        return AsString(*e, key);
    }
    bool Bool(std::string_view key) const { return AsBool(Required(key), key); }
    std::optional<bool> OptionalBool(std::string_view key) const {
        auto e = FindNonNull(key);
        if (!e) return std::nullopt;
        return AsBool(*e, key);
    }
    simdjson::dom::array Array(std::string_view key) const { return AsArray(Required(key), key); }
    std::optional<simdjson::dom::array> OptionalArray(std::string_view key) const {
        auto e = FindNonNull(key);
        if (!e) return std::nullopt;
        return AsArray(*e, key);
    }
    simdjson::dom::object Object() const { return object_; }

    int64_t AsInt(simdjson::dom::element e, std::string_view key) const {
        int64_t v;
        if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
        // Ids above INT64_MAX (a hand-made fixture has one) are Java longs written unsigned:
        // keep their bits, as the manifests' Avro longs hold them.
        uint64_t u;
        if (e.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<int64_t>(u);
        throw Error("'" + Path(key) + "' must be an integer");
    }
    std::string AsString(simdjson::dom::element e, std::string_view key) const {
        std::string_view s;
        if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
        throw Error("'" + Path(key) + "' must be a string");
    }
    bool AsBool(simdjson::dom::element e, std::string_view key) const {
        bool b;
        if (e.get_bool().get(b) == simdjson::SUCCESS) return b;
        throw Error("'" + Path(key) + "' must be true or false");
    }
    simdjson::dom::array AsArray(simdjson::dom::element e, std::string_view key) const {
        simdjson::dom::array a;
        if (e.get_array().get(a) == simdjson::SUCCESS) return a;
        throw Error("'" + Path(key) + "' must be a JSON array");
    }

    /// An IOError naming the file: "'<what>': <message>".
    IOError Error(const std::string& message) const { return IOError("'" + what_ + "': " + message); }

  private:
    int32_t ToInt32(int64_t v, std::string_view key) const {
        if (v < INT32_MIN || v > INT32_MAX) throw Error("'" + Path(key) + "' is out of range for an int");
        return static_cast<int32_t>(v);
    }

    std::string what_;
    std::string context_;
    simdjson::dom::object object_;
};

}  // namespace floe::iceberg
