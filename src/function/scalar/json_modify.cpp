// JSON functions that change or re-show a document: json_set (upsert at paths, MySQL's rules:
// missing parents are not created), json_update (upsert that creates missing parents; paths with or
// without the leading $), json_remove (paths that are absent or invalid are skipped), json_pretty
// (indented, keys sorted), get_json_scalar (a scalar as text; objects and arrays are NULL) and
// to_json (a SQL value as a JSON value), and the columns of the json_each table function. The document is read into a
// small tree, changed, and written out minified, as Floe shows JSON.
#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string>
#include <variant>

#include "common/exception.h"
#include "common/json_text.h"
#include "function/function_registry.h"
#include "function/scalar/json_value.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// A JSON value: a scalar kept as its minified text, an object (members in document order) or an
/// array.
struct JsonMember;
struct JsonNode {
    enum class Kind { SCALAR, OBJECT, ARRAY } kind = Kind::SCALAR;
    std::string scalar = "null";
    std::vector<JsonMember> members;  // (a pair of an incomplete type does not compile with clang)
    std::vector<JsonNode> elements;
};
/// One member of an object: its key and value.
struct JsonMember {
    JsonMember(std::string key, JsonNode value) : first(std::move(key)), second(std::move(value)) {}
    std::string first;
    JsonNode second;
};

JsonNode FromElement(simdjson::dom::element e) {
    JsonNode n;
    simdjson::dom::object obj;
    simdjson::dom::array arr;
    if (e.get_object().get(obj) == simdjson::SUCCESS) {
        n.kind = JsonNode::Kind::OBJECT;
        for (auto field : obj) n.members.emplace_back(std::string(field.key), FromElement(field.value));
    } else if (e.get_array().get(arr) == simdjson::SUCCESS) {
        n.kind = JsonNode::Kind::ARRAY;
        for (auto el : arr) n.elements.push_back(FromElement(el));
    } else {
        n.scalar = simdjson::minify(e);
    }
    return n;
}

std::optional<JsonNode> ParseNode(simdjson::dom::parser& parser, std::string_view text) {
    simdjson::dom::element e;
    if (parser.parse(text.data(), text.size()).get(e) != simdjson::SUCCESS) return std::nullopt;
    return FromElement(e);
}

void WriteMinified(const JsonNode& n, std::string& out) {
    switch (n.kind) {
        case JsonNode::Kind::SCALAR:
            out += n.scalar;
            return;
        case JsonNode::Kind::OBJECT:
            out.push_back('{');
            for (size_t i = 0; i < n.members.size(); ++i) {
                if (i > 0) out.push_back(',');
                AppendJsonString(out, n.members[i].first);
                out.push_back(':');
                WriteMinified(n.members[i].second, out);
            }
            out.push_back('}');
            return;
        case JsonNode::Kind::ARRAY:
            out.push_back('[');
            for (size_t i = 0; i < n.elements.size(); ++i) {
                if (i > 0) out.push_back(',');
                WriteMinified(n.elements[i], out);
            }
            out.push_back(']');
            return;
    }
}

/// Two spaces per level, "key": value, object keys sorted (as StarRocks shows it).
void WritePretty(const JsonNode& n, size_t depth, std::string& out) {
    std::string pad(2 * (depth + 1), ' '), close(2 * depth, ' ');
    switch (n.kind) {
        case JsonNode::Kind::SCALAR:
            out += n.scalar;
            return;
        case JsonNode::Kind::OBJECT: {
            if (n.members.empty()) {
                out += "{}";
                return;
            }
            std::vector<const JsonMember*> sorted;
            for (const auto& m : n.members) sorted.push_back(&m);
            std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
            out += "{\n";
            for (size_t i = 0; i < sorted.size(); ++i) {
                out += pad;
                AppendJsonString(out, sorted[i]->first);
                out += ": ";
                WritePretty(sorted[i]->second, depth + 1, out);
                out += i + 1 < sorted.size() ? ",\n" : "\n";
            }
            out += close + "}";
            return;
        }
        case JsonNode::Kind::ARRAY:
            if (n.elements.empty()) {
                out += "[]";
                return;
            }
            out += "[\n";
            for (size_t i = 0; i < n.elements.size(); ++i) {
                out += pad;
                WritePretty(n.elements[i], depth + 1, out);
                out += i + 1 < n.elements.size() ? ",\n" : "\n";
            }
            out += close + "]";
            return;
    }
}

/// One step of a path: an object key or an array index.
using PathStep = std::variant<std::string, int64_t>;

/// StarRocks' JSON paths ($, $.a.b, $.a[0], $."key.with.dots"); with `bare_ok` the leading $ may be
/// left out (json_update's 'a.b'). Wildcards, slices and negative indexes are not paths here.
std::optional<std::vector<PathStep>> ParsePath(std::string_view path, bool bare_ok) {
    size_t i = 0;
    while (i < path.size() && path[i] == ' ') ++i;
    std::vector<PathStep> steps;
    bool expect_key = false;
    if (i < path.size() && path[i] == '$') {
        ++i;
    } else if (bare_ok) {
        expect_key = true;  // 'a.b' reads as '$.a.b'
    } else {
        return std::nullopt;
    }
    while (i < path.size() || expect_key) {
        char c = expect_key ? '.' : path[i];
        if (c == '.') {
            if (!expect_key) ++i;
            expect_key = false;
            std::string key;
            if (i < path.size() && path[i] == '"') {
                size_t close = path.find('"', i + 1);
                if (close == std::string_view::npos) return std::nullopt;
                key = std::string(path.substr(i + 1, close - i - 1));
                i = close + 1;
            } else {
                while (i < path.size() && path[i] != '.' && path[i] != '[') key.push_back(path[i++]);
            }
            if (key.empty() || key == "*") return std::nullopt;
            steps.emplace_back(std::move(key));
        } else if (c == '[') {
            size_t close = path.find(']', i);
            if (close == std::string_view::npos || close == i + 1) return std::nullopt;
            int64_t index = 0;
            for (char d : path.substr(i + 1, close - i - 1)) {
                if (d < '0' || d > '9' || index > (int64_t{1} << 40)) return std::nullopt;
                index = index * 10 + (d - '0');
            }
            steps.emplace_back(index);
            i = close + 1;
        } else {
            return std::nullopt;
        }
    }
    return steps;
}

JsonNode* Child(JsonNode& n, const PathStep& step) {
    if (const auto* key = std::get_if<std::string>(&step)) {
        if (n.kind != JsonNode::Kind::OBJECT) return nullptr;
        for (auto& m : n.members) {
            if (m.first == *key) return &m.second;
        }
        return nullptr;
    }
    int64_t index = std::get<int64_t>(step);
    if (n.kind != JsonNode::Kind::ARRAY || index >= static_cast<int64_t>(n.elements.size())) return nullptr;
    return &n.elements[static_cast<size_t>(index)];
}

/// Sets the value at `steps` below `root`: replaces what is there, or adds it to its parent (an
/// array index past the end appends). Missing parents are created when `create_parents`, else the
/// path is skipped.
void SetAt(JsonNode& root, const std::vector<PathStep>& steps, const JsonNode& value, bool create_parents) {
    if (steps.empty()) {
        root = value;
        return;
    }
    JsonNode* node = &root;
    for (size_t s = 0; s + 1 < steps.size(); ++s) {
        JsonNode* next = Child(*node, steps[s]);
        if (!next) {
            if (!create_parents) return;
            JsonNode parent;
            parent.kind =
                std::holds_alternative<int64_t>(steps[s + 1]) ? JsonNode::Kind::ARRAY : JsonNode::Kind::OBJECT;
            if (const auto* key = std::get_if<std::string>(&steps[s])) {
                if (node->kind != JsonNode::Kind::OBJECT) return;
                node->members.emplace_back(*key, std::move(parent));
                next = &node->members.back().second;
            } else {
                if (node->kind != JsonNode::Kind::ARRAY) return;
                node->elements.push_back(std::move(parent));
                next = &node->elements.back();
            }
        }
        node = next;
    }
    const PathStep& last = steps.back();
    if (JsonNode* existing = Child(*node, last)) {
        *existing = value;
    } else if (const auto* key = std::get_if<std::string>(&last)) {
        if (node->kind == JsonNode::Kind::OBJECT) node->members.emplace_back(*key, value);
    } else if (node->kind == JsonNode::Kind::ARRAY) {
        node->elements.push_back(value);
    }
}

void RemoveAt(JsonNode& root, const std::vector<PathStep>& steps) {
    if (steps.empty()) return;  // the document itself stays
    JsonNode* node = &root;
    for (size_t s = 0; s + 1 < steps.size() && node; ++s) node = Child(*node, steps[s]);
    if (!node) return;
    const PathStep& last = steps.back();
    if (const auto* key = std::get_if<std::string>(&last)) {
        if (node->kind != JsonNode::Kind::OBJECT) return;
        auto& m = node->members;
        m.erase(std::remove_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == *key; }), m.end());
    } else {
        auto index = static_cast<size_t>(std::get<int64_t>(last));
        if (node->kind == JsonNode::Kind::ARRAY && index < node->elements.size())
            node->elements.erase(node->elements.begin() + static_cast<std::ptrdiff_t>(index));
    }
}

/// json_set / json_update: (doc, path, value[, path, value]...), pairs applied left to right; any
/// SQL NULL argument makes the result NULL.
ScalarFunctionBinder BindUpsert(std::string name, bool create_parents, bool single_pair) {
    return [name, create_parents, single_pair](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() < 3 || types.size() % 2 == 0 || (single_pair && types.size() != 3)) {
            throw BinderError(name + "() takes a JSON document and " +
                                  (single_pair ? "one path and value" : "pairs of a path and a value"),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        BoundScalarFunction f;
        f.name = name;
        f.arg_types.push_back(TypeId::JSON);
        for (size_t k = 1; k < types.size(); ++k)
            f.arg_types.push_back(k % 2 == 1 ? LogicalType::Varchar() : JsonValueType(types[k]));
        f.return_type = TypeId::JSON;
        bool bare_ok = create_parents;  // json_update also takes 'a.b'
        f.kernel = [create_parents, bare_ok](Args a, size_t rows, Column& out) {
            simdjson::dom::parser parser;
            std::string text, value_text;
            for (size_t i = 0; i < rows; ++i) {
                bool n = false;
                for (const Column* c : a) n = n || c->IsNull(i);
                std::optional<JsonNode> doc;
                if (!n) doc = ParseNode(parser, a[0]->Strings()[i].view());
                out.SetNull(i, !doc);
                if (!doc) continue;
                for (size_t k = 1; k + 1 < a.size(); k += 2) {
                    auto steps = ParsePath(a[k]->Strings()[i].view(), bare_ok);
                    if (!steps) continue;  // not a path we can change: skipped
                    value_text.clear();
                    AppendJsonValue(*a[k + 1], i, value_text);
                    auto value = ParseNode(parser, value_text);
                    if (value) SetAt(*doc, *steps, *value, create_parents);
                }
                text.clear();
                WriteMinified(*doc, text);
                out.SetString(i, text);
            }
        };
        return f;
    };
}

BoundScalarFunction BindRemove(const std::vector<LogicalType>& types) {
    if (types.size() < 2) {
        throw BinderError("json_remove() takes a JSON document and one or more paths", ErrorCode::WRONG_ARGUMENTS);
    }
    BoundScalarFunction f;
    f.name = "json_remove";
    f.arg_types.push_back(TypeId::JSON);
    for (size_t k = 1; k < types.size(); ++k) f.arg_types.push_back(LogicalType::Varchar());
    f.return_type = TypeId::JSON;
    f.kernel = [](Args a, size_t rows, Column& out) {
        simdjson::dom::parser parser;
        std::string text;
        for (size_t i = 0; i < rows; ++i) {
            std::optional<JsonNode> doc;
            if (!a[0]->IsNull(i)) doc = ParseNode(parser, a[0]->Strings()[i].view());
            out.SetNull(i, !doc);
            if (!doc) continue;
            for (size_t k = 1; k < a.size(); ++k) {
                if (a[k]->IsNull(i)) continue;
                if (auto steps = ParsePath(a[k]->Strings()[i].view(), false)) RemoveAt(*doc, *steps);
            }
            text.clear();
            WriteMinified(*doc, text);
            out.SetString(i, text);
        }
    };
    return f;
}

}  // namespace

void RegisterJsonModifyFunctions(FunctionRegistry& r) {
    r.AddScalar("json_set", BindUpsert("json_set", false, false));
    r.AddScalar("json_update", BindUpsert("json_update", true, true));
    r.AddScalar("json_remove", BindRemove);
    r.AddScalar("json_pretty", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError("json_pretty() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "json_pretty";
        f.arg_types = {TypeId::JSON};
        f.return_type = LogicalType::Varchar();
        f.kernel = [](Args a, size_t rows, Column& out) {
            simdjson::dom::parser parser;
            std::string text;
            for (size_t i = 0; i < rows; ++i) {
                std::optional<JsonNode> doc;
                if (!a[0]->IsNull(i)) doc = ParseNode(parser, a[0]->Strings()[i].view());
                out.SetNull(i, !doc);
                if (!doc) continue;
                text.clear();
                WritePretty(*doc, 0, text);
                out.SetString(i, text);
            }
        };
        return f;
    });
    r.AddScalar("get_json_scalar", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError("get_json_scalar() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "get_json_scalar";
        f.arg_types = {LogicalType::Varchar(), LogicalType::Varchar()};
        f.return_type = LogicalType::Varchar();
        f.kernel = [](Args a, size_t rows, Column& out) {
            simdjson::dom::parser parser;
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, true);
                if (a[0]->IsNull(i) || a[1]->IsNull(i)) continue;
                auto doc = ParseNode(parser, a[0]->Strings()[i].view());
                auto steps = ParsePath(a[1]->Strings()[i].view(), false);
                if (!doc || !steps) continue;
                JsonNode* node = &*doc;
                for (const auto& s : *steps) {
                    node = Child(*node, s);
                    if (!node) break;
                }
                if (!node || node->kind != JsonNode::Kind::SCALAR) continue;
                std::string_view s = node->scalar;
                simdjson::dom::element e;
                std::string_view unquoted;
                // A string shows without its quotes (escapes resolved), other scalars as written.
                if (!s.empty() && s[0] == '"' && parser.parse(s.data(), s.size()).get(e) == simdjson::SUCCESS &&
                    e.get_string().get(unquoted) == simdjson::SUCCESS) {
                    out.SetString(i, unquoted);
                } else {
                    out.SetString(i, s);
                }
                out.SetNull(i, false);
            }
        };
        return f;
    });
    // The two columns of the json_each table function (the binder unnests them side by side): the
    // keys and the values of a JSON object's members; anything but an object has none.
    for (bool keys : {true, false}) {
        std::string name = keys ? "__json_each_keys" : "__json_each_values";
        LogicalType element = keys ? LogicalType::Varchar() : LogicalType(TypeId::JSON);
        r.AddScalar(
            name,
            Overloads(name,
                      {{{TypeId::JSON}, LogicalType::Array(element), [keys, element](Args a, size_t rows, Column& out) {
                            simdjson::dom::parser parser;
                            ArrayBuilder b(element);
                            for (size_t i = 0; i < rows; ++i) {
                                std::optional<JsonNode> doc;
                                if (!a[0]->IsNull(i)) doc = ParseNode(parser, a[0]->Strings()[i].view());
                                out.SetNull(i, !doc);
                                if (!doc) continue;
                                if (doc->kind == JsonNode::Kind::OBJECT) {
                                    for (const auto& [key, value] : doc->members) {
                                        if (keys) {
                                            b.Append(Value::Varchar(key));
                                        } else {
                                            std::string text;
                                            WriteMinified(value, text);
                                            b.Append(Value::Json(std::move(text)));
                                        }
                                    }
                                }
                                out.SetString(i, b.Finish());
                            }
                        }}}));
    }
    // to_json(value): a SQL value as JSON (numbers and booleans as themselves, text as a JSON
    // string, JSON unchanged); NULL stays NULL.
    r.AddScalar("to_json", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError("to_json() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "to_json";
        f.arg_types = {JsonValueType(types[0])};
        f.return_type = TypeId::JSON;
        f.kernel = [](Args a, size_t rows, Column& out) {
            std::string text;
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, a[0]->IsNull(i));
                if (a[0]->IsNull(i)) continue;
                text.clear();
                AppendJsonValue(*a[0], i, text);
                out.SetString(i, text);
            }
        };
        return f;
    });
}

}  // namespace floe
