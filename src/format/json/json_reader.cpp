#include "format/json/json_reader.h"

#include <simdjson.h>

#include "common/exception.h"

namespace floe {

namespace {

/// "$.a.b[0]" -> JSON pointer "/a/b/0".
std::string ToPointer(const std::string& path) {
    std::string p = path;
    while (!p.empty() && p.back() == ' ') p.pop_back();
    while (!p.empty() && p.front() == ' ') p.erase(p.begin());
    if (p.empty() || p[0] != '$')
        throw ConversionError("JSON path '" + path + "' must start with $", ErrorCode::WRONG_ARGUMENTS);
    std::string out;
    for (size_t i = 1; i < p.size(); ++i) {
        char c = p[i];
        if (c == '.') {
            out.push_back('/');
        } else if (c == '[') {
            out.push_back('/');
            size_t close = p.find(']', i);
            if (close == std::string::npos) {
                throw ConversionError("JSON path '" + path + "' has an unclosed [", ErrorCode::WRONG_ARGUMENTS);
            }
            std::string index = p.substr(i + 1, close - i - 1);
            if (!index.empty() && (index.front() == '\'' || index.front() == '"'))
                index = index.substr(1, index.size() - 2);
            out += index;
            i = close;
        } else if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

/// Parses a jsonpaths header value: a JSON array of path strings.
std::vector<std::string> Pointers(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) out.push_back(ToPointer(p));
    return out;
}

}  // namespace

struct JsonReader::State {
    JsonOptions options;
    std::vector<std::string> names;
    std::vector<std::string> pointers;
    std::string root_pointer;
    simdjson::padded_string data;
    simdjson::dom::parser parser;
    // A top-level array (strip_outer_array): its elements.
    bool array_mode = false;
    simdjson::dom::array records;
    simdjson::dom::array::iterator next, end;
    // A sequence of documents.
    simdjson::dom::document_stream stream;
    simdjson::dom::document_stream::iterator stream_next, stream_end;
    size_t stream_base = 0;  // where in `data` the current stream starts (it restarts after a bad record)
    bool done = false;
    std::string error;  // a document that did not parse
    bool allow_truncated = false;
    size_t truncated = 0;
    // Separate documents: the next one to parse, and the one being read (array_mode iterates its
    // elements).
    bool documents_mode = false;
    std::vector<std::string_view> documents;
    size_t next_document = 0;
    size_t current_document = 0;
};

JsonReader::JsonReader(std::string_view data, JsonOptions options, std::vector<std::string> names)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.options = std::move(options);
    s.names = std::move(names);
    s.pointers = Pointers(s.options.jsonpaths);
    if (!s.options.json_root.empty()) s.root_pointer = ToPointer(s.options.json_root);
    s.data = simdjson::padded_string(data);
    if (s.options.strip_outer_array || !s.root_pointer.empty()) {
        // One document: the records are its (root's) array, or the root object itself.
        simdjson::dom::element doc;
        auto err = s.parser.parse(s.data).get(doc);
        if (err) {
            s.error = std::string("invalid JSON: ") + simdjson::error_message(err);
            return;
        }
        if (!s.root_pointer.empty()) {
            if (doc.at_pointer(s.root_pointer).get(doc)) {
                s.error = "json_root " + s.options.json_root + " is not in the document";
                return;
            }
        }
        simdjson::dom::array array;
        if (doc.get_array().get(array) == simdjson::SUCCESS) {
            if (!s.options.strip_outer_array) {
                s.error = "the records are in a JSON array: set strip_outer_array to true";
                return;
            }
            s.array_mode = true;
            s.records = array;
            s.next = array.begin();
            s.end = array.end();
            return;
        }
        // A single object: parse again as a one-document stream.
    }
    auto err = s.parser.parse_many(s.data).get(s.stream);
    if (err) {
        s.error = std::string("invalid JSON: ") + simdjson::error_message(err);
        return;
    }
    s.stream_next = s.stream.begin();
    s.stream_end = s.stream.end();
}

JsonReader::JsonReader(std::vector<std::string_view> documents, JsonOptions options, std::vector<std::string> names)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.options = std::move(options);
    s.names = std::move(names);
    s.pointers = Pointers(s.options.jsonpaths);
    if (!s.options.json_root.empty()) s.root_pointer = ToPointer(s.options.json_root);
    s.documents_mode = true;
    s.documents = std::move(documents);
}

JsonReader::~JsonReader() = default;

void JsonReader::AllowTruncatedEnd() {
    state_->allow_truncated = true;
}

size_t JsonReader::truncated_bytes() const {
    return state_->truncated;
}

std::vector<InferredColumn> InferJsonColumns(std::string_view data, const JsonOptions& options, size_t sample_rows) {
    std::vector<std::string> names;
    std::vector<int> kinds;  // 0 BIGINT, 1 DOUBLE, 2 BOOLEAN, 3 VARCHAR, 4 JSON; -1 only NULLs so far
    size_t seen = 0;
    auto add = [&](simdjson::dom::element record) {
        simdjson::dom::object object;
        if (record.get_object().get(object) != simdjson::SUCCESS) return;
        ++seen;
        for (auto field : object) {
            std::string key(field.key);
            size_t at = 0;
            while (at < names.size() && names[at] != key) ++at;
            if (at == names.size()) {
                names.push_back(key);
                kinds.push_back(-1);
            }
            int k;
            switch (field.value.type()) {
                case simdjson::dom::element_type::INT64:
                case simdjson::dom::element_type::UINT64:
                    k = 0;
                    break;
                case simdjson::dom::element_type::DOUBLE:
                    k = 1;
                    break;
                case simdjson::dom::element_type::BOOL:
                    k = 2;
                    break;
                case simdjson::dom::element_type::STRING:
                    k = 3;
                    break;
                case simdjson::dom::element_type::NULL_VALUE:
                    continue;
                default:
                    k = 4;
            }
            int& have = kinds[at];
            if (have < 0 || have == k) {
                have = k;
            } else if ((have == 0 && k == 1) || (have == 1 && k == 0)) {
                have = 1;
            } else {
                have = 3;
            }
        }
    };
    JsonReader reader(data, options, {});
    JsonReader::State& s = *reader.state_;
    if (!s.error.empty()) throw ConversionError(s.error);
    if (s.array_mode) {
        for (; s.next != s.end && seen < sample_rows; ++s.next) add(*s.next);
    } else {
        for (; s.stream_next != s.stream_end && seen < sample_rows; ++s.stream_next) {
            simdjson::dom::element doc;
            if ((*s.stream_next).get(doc) != simdjson::SUCCESS) break;
            if (!s.root_pointer.empty() && doc.at_pointer(s.root_pointer).get(doc)) continue;
            add(doc);
        }
    }
    std::vector<InferredColumn> out;
    for (size_t i = 0; i < names.size(); ++i) {
        LogicalType t = LogicalType::Varchar();
        switch (kinds[i]) {
            case 0:
                t = TypeId::BIGINT;
                break;
            case 1:
                t = TypeId::DOUBLE;
                break;
            case 2:
                t = TypeId::BOOLEAN;
                break;
            case 4:
                t = TypeId::JSON;
                break;
            default:
                break;
        }
        out.push_back({names[i], t});
    }
    return out;
}

bool JsonReader::Next(Chunk& out, std::vector<CsvRowError>& errors) {
    State& s = *state_;
    size_t columns = s.pointers.empty() ? s.names.size() : s.pointers.size();
    std::vector<LogicalType> types(columns, LogicalType::Varchar());
    out = Chunk(types);
    for (size_t c = 0; c < columns; ++c) out.column(c).Resize(kChunkCapacity);
    size_t n = 0;
    if (sources_) sources_->clear();
    // The input unit of the record being read (see TrackSources).
    auto source = [&]() { return s.documents_mode ? s.current_document : rows_seen_ - 1; };
    auto add = [&](simdjson::dom::element record) {
        ++rows_seen_;
        simdjson::dom::object object;
        bool is_object = record.get_object().get(object) == simdjson::SUCCESS;
        if (s.pointers.empty() && !is_object) {
            bool array = record.is_array();
            errors.push_back({rows_seen_,
                              array ? "a JSON record must be an object (set strip_outer_array to true to load the "
                                      "elements of a top-level array)"
                                    : "a JSON record must be an object",
                              simdjson::minify(record).substr(0, 1024), source()});
            return;
        }
        if (sources_) sources_->push_back(static_cast<uint32_t>(source()));
        for (size_t c = 0; c < columns; ++c) {
            Column& col = out.column(c);
            simdjson::dom::element value;
            bool found = s.pointers.empty() ? object[s.names[c]].get(value) == simdjson::SUCCESS
                                            : record.at_pointer(s.pointers[c]).get(value) == simdjson::SUCCESS;
            if (!found || value.is_null()) {
                col.SetNull(n, true);
                continue;
            }
            col.SetNull(n, false);
            switch (value.type()) {
                case simdjson::dom::element_type::STRING: {
                    std::string_view v;
                    if (value.get_string().get(v) == simdjson::SUCCESS) col.SetString(n, v);
                    break;
                }
                case simdjson::dom::element_type::BOOL:
                    col.SetString(n, value.get_bool().value() ? "1" : "0");
                    break;
                default:
                    col.SetString(n, simdjson::minify(value));
            }
        }
        ++n;
    };
    while (s.documents_mode && n < kChunkCapacity) {
        if (s.array_mode && s.next != s.end) {
            add(*s.next);
            ++s.next;
            continue;
        }
        s.array_mode = false;
        if (s.next_document >= s.documents.size()) {
            s.done = true;
            break;
        }
        s.current_document = s.next_document++;
        std::string_view text = s.documents[s.current_document];
        simdjson::dom::element doc;
        auto err = s.parser.parse(text.data(), text.size(), true).get(doc);
        auto reject = [&](std::string reason) {
            ++rows_seen_;
            errors.push_back({rows_seen_, std::move(reason), std::string(text.substr(0, 1024)), s.current_document});
        };
        if (err) {
            reject(std::string("invalid JSON: ") + simdjson::error_message(err));
            continue;
        }
        if (!s.root_pointer.empty() && doc.at_pointer(s.root_pointer).get(doc)) {
            reject("json_root " + s.options.json_root + " is not in the document");
            continue;
        }
        simdjson::dom::array array;
        if (doc.get_array().get(array) == simdjson::SUCCESS) {
            if (s.options.strip_outer_array) {
                s.array_mode = true;
                s.records = array;
                s.next = array.begin();
                s.end = array.end();
                continue;
            }
            if (s.pointers.empty()) {
                reject("the records are in a JSON array: set strip_outer_array to true");
                continue;
            }
        }
        add(doc);
    }
    while (!s.documents_mode && n < kChunkCapacity && !s.done) {
        if (!s.error.empty()) {
            ++rows_seen_;
            errors.push_back({rows_seen_, s.error, "", rows_seen_ - 1});
            s.done = true;
            break;
        }
        if (s.array_mode) {
            if (s.next == s.end) {
                s.done = true;
                break;
            }
            add(*s.next);
            ++s.next;
            continue;
        }
        if (!(s.stream_next != s.stream_end)) {
            size_t truncated = s.stream.truncated_bytes();
            if (truncated > 0 && s.allow_truncated) {
                s.truncated = truncated;
                s.done = true;
                break;
            }
            if (truncated > 0 && s.error.empty()) {
                // A document that stops halfway is not silently dropped.
                s.error =
                    "truncated JSON: the last " + std::to_string(truncated) + " bytes are not a complete document";
                continue;
            }
            s.done = true;
            break;
        }
        simdjson::dom::element doc;
        auto err = (*s.stream_next).get(doc);
        if (err) {
            // A record that does not parse is rejected, and reading resumes at the next line: the
            // stream stops at its first error, and the records after it must not be lost.
            std::string_view rest(s.data.data(), s.data.size());
            size_t at = s.stream_base + s.stream_next.current_index();
            if (at < s.stream_base || at >= rest.size()) at = s.stream_base;
            size_t end = rest.find('\n', at);
            std::string_view bad = rest.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
            ++rows_seen_;
            errors.push_back({rows_seen_, std::string("invalid JSON: ") + simdjson::error_message(err),
                              std::string(bad.substr(0, 1024)), rows_seen_ - 1});
            if (end == std::string_view::npos) {
                s.done = true;
                break;
            }
            s.stream_base = end + 1;
            auto restart = s.parser
                               .parse_many(reinterpret_cast<const uint8_t*>(s.data.data()) + s.stream_base,
                                           s.data.size() - s.stream_base)
                               .get(s.stream);
            if (restart) {
                s.error = std::string("invalid JSON: ") + simdjson::error_message(restart);
                continue;
            }
            s.stream_next = s.stream.begin();
            s.stream_end = s.stream.end();
            continue;
        }
        if (!s.root_pointer.empty() && doc.at_pointer(s.root_pointer).get(doc)) {
            ++rows_seen_;
            errors.push_back(
                {rows_seen_, "json_root " + s.options.json_root + " is not in the record", "", rows_seen_ - 1});
        } else {
            add(doc);
        }
        ++s.stream_next;
    }
    for (size_t c = 0; c < columns; ++c) out.column(c).Resize(n);
    out.SetSize(n);
    return n > 0 || !s.done;
}

}  // namespace floe
