// JSON functions over JSON text (simdjson): parse_json, json_query (->), json_string (->>),
// get_json_string, get_json_int, get_json_double, json_exists, json_length. Paths are StarRocks'
// JSON paths: $, $.a.b, $.a[0], $."key with dots".
#include <simdjson.h>

#include "common/exception.h"
#include "function/function_registry.h"
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
}

}  // namespace floe
