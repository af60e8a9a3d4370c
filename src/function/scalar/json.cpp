// JSON functions over JSON text (simdjson): parse_json, json_query (->), json_string (->>),
// get_json_string, get_json_int, get_json_double, get_json_bool, json_exists, json_length,
// json_keys, is_json_scalar, json_contains, and the constructors json_object and json_array. Paths are
// StarRocks' JSON paths: $, $.a.b, $.a[0], $."key with dots".
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "common/json_text.h"
#include "types/decimal.h"

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/scalar/json_value.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// "$.a.b[0]" -> JSON pointer "/a/b/0"; nullopt for a path that is not one.
std::optional<std::string> PathToPointer(std::string_view path) {
    size_t i = 0;
    while (i < path.size() && path[i] == ' ') ++i;
    if (i >= path.size() || path[i] != '$') return std::nullopt;
    ++i;
    std::string out;
    while (i < path.size()) {
        char c = path[i];
        if (c == '.') {
            ++i;
            out.push_back('/');
            if (i < path.size() && path[i] == '"') {
                size_t close = path.find('"', i + 1);
                if (close == std::string_view::npos) return std::nullopt;
                for (char k : path.substr(i + 1, close - i - 1))
                    out += k == '~' ? "~0" : (k == '/' ? "~1" : std::string(1, k));
                i = close + 1;
                continue;
            }
            while (i < path.size() && path[i] != '.' && path[i] != '[') {
                char k = path[i++];
                out += k == '~' ? "~0" : (k == '/' ? "~1" : std::string(1, k));
            }
        } else if (c == '[') {
            size_t close = path.find(']', i);
            if (close == std::string_view::npos) return std::nullopt;
            out.push_back('/');
            out += std::string(path.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

/// Evaluates `fn(element)` on the element at `path` of each row's JSON; NULL when the JSON is
/// invalid, the path is malformed or absent, or fn says so.
template <typename R, typename Fn>
ScalarKernel AtPath(Fn fn) {
    return [fn](Args a, size_t rows, Column& out) {
        simdjson::dom::parser parser;
        std::string last_path;
        std::optional<std::string> pointer;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            out.SetNull(i, true);
            if (n) continue;
            std::string_view path = a.size() > 1 ? a[1]->Strings()[i].view() : std::string_view("$");
            if (path != last_path) {
                last_path = std::string(path);
                pointer = PathToPointer(path);
            }
            if (!pointer) continue;
            simdjson::dom::element doc;
            std::string_view text = a[0]->Strings()[i].view();
            if (parser.parse(text.data(), text.size()).get(doc)) continue;
            if (!pointer->empty() && doc.at_pointer(*pointer).get(doc)) continue;
            bool is_null = false;
            R v = fn(doc, is_null);
            if (is_null) continue;
            out.SetNull(i, false);
            WriteValue<R>(out, i, v);
        }
    };
}

std::string AsText(simdjson::dom::element e, bool unquote) {
    std::string_view s;
    if (unquote && e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    return simdjson::minify(e);
}

}  // namespace

void AppendJsonValue(const Column& c, size_t i, std::string& out) {
    if (c.IsNull(i)) {
        out += "null";
        return;
    }
    const LogicalType& t = c.type();
    switch (t.id) {
        case TypeId::BOOLEAN:
            out += c.Data<uint8_t>()[i] ? "true" : "false";
            return;
        case TypeId::TINYINT:
            out += std::to_string(c.Data<int8_t>()[i]);
            return;
        case TypeId::SMALLINT:
            out += std::to_string(c.Data<int16_t>()[i]);
            return;
        case TypeId::INT:
            out += std::to_string(c.Data<int32_t>()[i]);
            return;
        case TypeId::BIGINT:
            out += std::to_string(c.Data<int64_t>()[i]);
            return;
        case TypeId::LARGEINT:
            out += FormatInt128(c.Data<int128_t>()[i]);
            return;
        case TypeId::DECIMAL:
            out += FormatDecimal(c.Data<int128_t>()[i], t.scale);
            return;
        case TypeId::FLOAT:
        case TypeId::DOUBLE: {
            double d = t.id == TypeId::FLOAT ? c.Data<float>()[i] : c.Data<double>()[i];
            out += std::isfinite(d) ? fmt::format("{}", d) : "null";
            return;
        }
        case TypeId::JSON:
            out += c.Strings()[i].view();
            return;
        default:
            AppendJsonString(out, c.Strings()[i].view());
            return;
    }
}

LogicalType JsonValueType(const LogicalType& t) {
    if (t.IsNumeric() || t.id == TypeId::JSON || t.id == TypeId::VARCHAR) return t;
    return LogicalType::Varchar();
}

namespace {

bool JsonEqual(simdjson::dom::element a, simdjson::dom::element b);

/// Numbers compare by value whatever their JSON representation (1 equals 1.0).
bool NumberOf(simdjson::dom::element e, double& out) {
    int64_t i;
    uint64_t u;
    if (e.get_int64().get(i) == simdjson::SUCCESS) {
        out = static_cast<double>(i);
        return true;
    }
    if (e.get_uint64().get(u) == simdjson::SUCCESS) {
        out = static_cast<double>(u);
        return true;
    }
    return e.get_double().get(out) == simdjson::SUCCESS;
}

bool JsonEqual(simdjson::dom::element a, simdjson::dom::element b) {
    double x, y;
    if (NumberOf(a, x) && NumberOf(b, y)) return x == y;
    if (a.type() != b.type()) return false;
    simdjson::dom::object oa, ob;
    simdjson::dom::array aa, ab;
    if (a.get_object().get(oa) == simdjson::SUCCESS && b.get_object().get(ob) == simdjson::SUCCESS) {
        if (oa.size() != ob.size()) return false;
        for (auto field : ob) {
            simdjson::dom::element v;
            if (oa.at_key(field.key).get(v) != simdjson::SUCCESS || !JsonEqual(v, field.value)) return false;
        }
        return true;
    }
    if (a.get_array().get(aa) == simdjson::SUCCESS && b.get_array().get(ab) == simdjson::SUCCESS) {
        if (aa.size() != ab.size()) return false;
        auto it = ab.begin();
        for (auto x_el : aa) {
            if (!JsonEqual(x_el, *it)) return false;
            ++it;
        }
        return true;
    }
    return simdjson::minify(a) == simdjson::minify(b);  // strings, booleans, null
}

// json_contains(target, candidate), StarRocks' rules: scalars are equal; an object contains an
// object whose every key it has with a contained value; an array contains an array whose every
// element equals one of its elements, or a single value equal to one of its elements.
bool JsonContains(simdjson::dom::element target, simdjson::dom::element candidate) {
    simdjson::dom::object ot, oc;
    simdjson::dom::array at, ac;
    if (target.get_object().get(ot) == simdjson::SUCCESS) {
        if (candidate.get_object().get(oc) != simdjson::SUCCESS) return false;
        for (auto field : oc) {
            simdjson::dom::element v;
            if (ot.at_key(field.key).get(v) != simdjson::SUCCESS || !JsonContains(v, field.value)) return false;
        }
        return true;
    }
    if (target.get_array().get(at) == simdjson::SUCCESS) {
        auto has = [&at](simdjson::dom::element e) {
            for (auto t : at) {
                if (JsonEqual(t, e)) return true;
            }
            return false;
        };
        if (candidate.get_array().get(ac) == simdjson::SUCCESS) {
            for (auto e : ac) {
                if (!has(e)) return false;
            }
            return true;
        }
        return has(candidate);
    }
    return JsonEqual(target, candidate);
}

BoundScalarFunction BindJsonObject(const std::vector<LogicalType>& types) {
    BoundScalarFunction f;
    f.name = "json_object";
    for (size_t k = 0; k < types.size(); ++k)
        f.arg_types.push_back(k % 2 == 0 ? LogicalType::Varchar() : JsonValueType(types[k]));
    f.return_type = TypeId::JSON;
    f.kernel = [](Args a, size_t rows, Column& out) {
        std::vector<std::pair<std::string_view, size_t>> keys;  // key, argument of its value
        std::string text;
        for (size_t i = 0; i < rows; ++i) {
            keys.clear();
            for (size_t k = 0; k < a.size(); k += 2) {
                if (a[k]->IsNull(i)) {
                    throw ExecutionError("json_object(): a key is NULL", ErrorCode::WRONG_ARGUMENTS);
                }
                keys.emplace_back(a[k]->Strings()[i].view(), k + 1);
            }
            // StarRocks sorts the pairs by key; an odd last key gets null.
            std::stable_sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            text = "{";
            for (size_t p = 0; p < keys.size(); ++p) {
                if (p > 0) text.push_back(',');
                AppendJsonString(text, keys[p].first);
                text.push_back(':');
                if (keys[p].second < a.size())
                    AppendJsonValue(*a[keys[p].second], i, text);
                else
                    text += "null";
            }
            text.push_back('}');
            out.SetNull(i, false);
            out.SetString(i, text);
        }
    };
    return f;
}

BoundScalarFunction BindJsonArray(const std::vector<LogicalType>& types) {
    BoundScalarFunction f;
    f.name = "json_array";
    for (const auto& t : types) f.arg_types.push_back(JsonValueType(t));
    f.return_type = TypeId::JSON;
    f.kernel = [](Args a, size_t rows, Column& out) {
        std::string text;
        for (size_t i = 0; i < rows; ++i) {
            text = "[";
            for (size_t k = 0; k < a.size(); ++k) {
                if (k > 0) text.push_back(',');
                AppendJsonValue(*a[k], i, text);
            }
            text.push_back(']');
            out.SetNull(i, false);
            out.SetString(i, text);
        }
    };
    return f;
}

}  // namespace

void RegisterJsonFunctions(FunctionRegistry& r) {
    const LogicalType str = LogicalType::Varchar();
    const LogicalType json = TypeId::JSON;
    r.AddScalar("parse_json",
                Overloads("parse_json",
                          {{{str}, json, AtPath<std::string>([](auto e, bool&) { return simdjson::minify(e); })}}));
    r.AddScalar("json_query", Overloads("json_query", {{{json, str}, json, AtPath<std::string>([](auto e, bool&) {
                                                            return simdjson::minify(e);
                                                        })}}));
    auto text = AtPath<std::string>([](auto e, bool& is_null) {
        is_null = e.is_null();
        return AsText(e, true);
    });
    r.AddScalar("json_string", Overloads("json_string", {{{json, str}, str, text}}));
    r.AddScalar("get_json_string", Overloads("get_json_string", {{{str, str}, str, text}}));
    r.AddAlias("get_json_object", "get_json_string");
    r.AddScalar("get_json_int",
                Overloads("get_json_int", {{{str, str}, TypeId::BIGINT, AtPath<int64_t>([](auto e, bool& is_null) {
                                                int64_t v = 0;
                                                double d = 0;
                                                if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
                                                if (e.get_double().get(d) == simdjson::SUCCESS)
                                                    return static_cast<int64_t>(d);
                                                is_null = true;
                                                return int64_t{0};
                                            })}}));
    r.AddScalar("get_json_double",
                Overloads("get_json_double", {{{str, str}, TypeId::DOUBLE, AtPath<double>([](auto e, bool& is_null) {
                                                   double d = 0;
                                                   int64_t v = 0;
                                                   if (e.get_double().get(d) == simdjson::SUCCESS) return d;
                                                   if (e.get_int64().get(v) == simdjson::SUCCESS)
                                                       return static_cast<double>(v);
                                                   is_null = true;
                                                   return 0.0;
                                               })}}));
    r.AddScalar("json_exists",
                Overloads("json_exists", {{{json, str}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                               // Present (even as JSON null) or not: never NULL for valid input.
                                               AtPath<bool>([](auto, bool&) { return true; })(a, rows, out);
                                               for (size_t i = 0; i < rows; ++i) {
                                                   if (out.IsNull(i) && !a[0]->IsNull(i) && !a[1]->IsNull(i)) {
                                                       out.SetNull(i, false);
                                                       out.Data<uint8_t>()[i] = 0;
                                                   }
                                               }
                                           }}}));
    r.AddScalar("json_length",
                Overloads("json_length", {{{json}, TypeId::BIGINT, AtPath<int64_t>([](auto e, bool&) {
                                               simdjson::dom::array arr;
                                               simdjson::dom::object obj;
                                               if (e.get_array().get(arr) == simdjson::SUCCESS)
                                                   return static_cast<int64_t>(arr.size());
                                               if (e.get_object().get(obj) == simdjson::SUCCESS)
                                                   return static_cast<int64_t>(obj.size());
                                               return int64_t{1};
                                           })},
                                          {{json, str}, TypeId::BIGINT, AtPath<int64_t>([](auto e, bool&) {
                                               simdjson::dom::array arr;
                                               simdjson::dom::object obj;
                                               if (e.get_array().get(arr) == simdjson::SUCCESS)
                                                   return static_cast<int64_t>(arr.size());
                                               if (e.get_object().get(obj) == simdjson::SUCCESS)
                                                   return static_cast<int64_t>(obj.size());
                                               return int64_t{1};
                                           })}}));
    r.AddScalar("get_json_bool",
                Overloads("get_json_bool", {{{str, str}, TypeId::BOOLEAN, AtPath<bool>([](auto e, bool& is_null) {
                                                 bool b = false;
                                                 if (e.get_bool().get(b) == simdjson::SUCCESS) return b;
                                                 is_null = true;
                                                 return false;
                                             })}}));
    auto keys = AtPath<std::string>([](auto e, bool& is_null) {
        simdjson::dom::object obj;
        if (e.get_object().get(obj) != simdjson::SUCCESS) {
            is_null = true;  // not an object
            return std::string();
        }
        std::string text = "[";
        bool first = true;
        for (auto field : obj) {
            if (!first) text.push_back(',');
            first = false;
            AppendJsonString(text, field.key);
        }
        text.push_back(']');
        return text;
    });
    r.AddScalar("json_keys", Overloads("json_keys", {{{json}, json, keys}, {{json, str}, json, keys}}));
    r.AddScalar("is_json_scalar",
                Overloads("is_json_scalar", {{{json}, TypeId::BOOLEAN, AtPath<bool>([](auto e, bool&) {
                                                  return !e.is_object() && !e.is_array();
                                              })}}));
    r.AddScalar("json_object", BindJsonObject);
    r.AddScalar("json_contains",
                Overloads("json_contains", {{{json, json}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                                 simdjson::dom::parser target_parser, candidate_parser;
                                                 for (size_t i = 0; i < rows; ++i) {
                                                     bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
                                                     simdjson::dom::element t, c;
                                                     std::string_view ts = n ? "" : a[0]->Strings()[i].view();
                                                     std::string_view cs = n ? "" : a[1]->Strings()[i].view();
                                                     // Invalid JSON text gives NULL.
                                                     n = n || target_parser.parse(ts.data(), ts.size()).get(t) ||
                                                         candidate_parser.parse(cs.data(), cs.size()).get(c);
                                                     out.SetNull(i, n);
                                                     if (!n) out.Data<uint8_t>()[i] = JsonContains(t, c) ? 1 : 0;
                                                 }
                                             }}}));
    r.AddScalar("json_array", BindJsonArray);
}

}  // namespace floe
