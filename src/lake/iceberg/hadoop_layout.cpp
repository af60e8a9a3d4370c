#include "lake/iceberg/hadoop_layout.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <tuple>

#include "common/exception.h"

namespace floe::iceberg::hadoop_layout {

namespace {

/// Longest first, so "v1.gz.metadata.json" yields the stem "v1", not "v1.gz".
constexpr std::array<std::string_view, 3> kMetadataSuffixes = {".gz.metadata.json", ".metadata.json.gz",
                                                               ".metadata.json"};
/// A metadata file larger than this once decompressed is not read to order candidates.
constexpr size_t kMaxMetadataBytes = size_t{512} << 20;
constexpr size_t kInflateChunk = size_t{64} << 10;

/// `text` as a non-negative number when it is nothing but (at most 18) digits.
std::optional<uint64_t> ParseNumber(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// The file of stem `stem` among `names`, in the order Iceberg Java probes the codecs.
std::optional<std::string> FileForStem(const std::set<std::string>& names, const std::string& stem) {
    for (std::string_view suffix : kMetadataSuffixes) {
        std::string name = stem + std::string(suffix);
        if (names.count(name)) return name;
    }
    return std::nullopt;
}

/// The file a version hint names, or nullopt when it names none present.
std::optional<std::string> FileFromHint(const std::set<std::string>& names, std::string hint) {
    if (auto version = ParseNumber(hint)) {
        auto file = FileForStem(names, "v" + std::to_string(*version));
        if (!file) return std::nullopt;
        // The hint is rewritten after the commit, so it may lag: newer versions present win.
        for (uint64_t next = *version + 1;; ++next) {
            auto newer = FileForStem(names, "v" + std::to_string(next));
            if (!newer) break;
            file = std::move(newer);
        }
        return file;
    }
    // A stem ("00001-<uuid>"), or tolerated: a whole file name or path.
    if (size_t slash = hint.rfind('/'); slash != std::string::npos) hint.erase(0, slash + 1);
    if (auto stem = MetadataStem(hint)) hint = *stem;
    return FileForStem(names, hint);
}

/// The decompressed bytes of a gzip stream.
std::string Gunzip(const std::string& in, const std::string& file) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) throw IOError("'" + file + "': cannot start gzip decompression");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::string out;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (out.size() >= kMaxMetadataBytes) {
            inflateEnd(&z);
            throw IOError("'" + file + "': the gzip-compressed metadata is larger than 512 MiB");
        }
        size_t used = out.size();
        out.resize(used + kInflateChunk);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        z.avail_out = static_cast<uInt>(kInflateChunk);
        rc = inflate(&z, Z_NO_FLUSH);
        out.resize(out.size() - z.avail_out);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            throw IOError("'" + file + "': corrupt gzip-compressed metadata");
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            throw IOError("'" + file + "': truncated gzip-compressed metadata");
        }
    }
    inflateEnd(&z);
    return out;
}

/// The newest metadata file when no hint decides (see ResolveCurrentMetadataFile).
std::optional<std::string> NewestByName(const std::set<std::string>& names,
                                        const std::function<int64_t(const std::string&)>& last_updated_ms) {
    struct Candidate {
        std::string name;
        std::optional<uint64_t> version;   // vN
        std::optional<uint64_t> sequence;  // NNNNN-<uuid>
    };
    std::vector<Candidate> candidates;
    for (const auto& name : names) {
        auto stem = MetadataStem(name);
        if (!stem) continue;
        Candidate c{name, std::nullopt, std::nullopt};
        if (stem->size() > 1 && (*stem)[0] == 'v') c.version = ParseNumber(std::string_view(*stem).substr(1));
        if (size_t dash = stem->find('-'); dash != std::string::npos) c.sequence = ParseNumber(stem->substr(0, dash));
        candidates.push_back(std::move(c));
    }
    if (candidates.empty()) return std::nullopt;
    if (candidates.size() == 1) return candidates.front().name;
    auto all_have = [&](auto member) {
        return std::all_of(candidates.begin(), candidates.end(),
                           [&](const Candidate& c) { return (c.*member).has_value(); });
    };
    auto highest = [&](auto member) {
        return std::max_element(candidates.begin(), candidates.end(),
                                [&](const Candidate& a, const Candidate& b) {
                                    return std::tie(*(a.*member), a.name) < std::tie(*(b.*member), b.name);
                                })
            ->name;
    };
    if (all_have(&Candidate::version)) return highest(&Candidate::version);
    if (all_have(&Candidate::sequence)) return highest(&Candidate::sequence);
    // Names that do not order themselves (a hand-named "vfinal" beside numbered files): the file
    // written last says so in its last-updated-ms.
    std::string best;
    int64_t best_ms = -2;
    for (const auto& c : candidates) {
        int64_t ms = last_updated_ms(c.name);
        if (ms > best_ms || (ms == best_ms && c.name > best)) {
            best_ms = ms;
            best = c.name;
        }
    }
    return best;
}

}  // namespace

bool IsHidden(std::string_view name) {
    return name.empty() || name.front() == '.';
}

/// One level of a namespace or a table name: a single directory name that stays where it is put.
bool IsPlainName(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
           name.find('\0') == std::string_view::npos;
}

bool IsHintFile(std::string_view name) {
    return std::find(std::begin(kHintFiles), std::end(kHintFiles), name) != std::end(kHintFiles);
}

/// The stem of a metadata file name ("v3" for "v3.gz.metadata.json"), or nullopt for other files.
std::optional<std::string> MetadataStem(std::string_view name) {
    if (IsHidden(name)) return std::nullopt;  // Hadoop's .v1.metadata.json.crc and the like
    for (std::string_view suffix : kMetadataSuffixes) {
        if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
            return std::string(name.substr(0, name.size() - suffix.size()));
        }
    }
    return std::nullopt;
}

/// The version a metadata file name carries: N of vN[.gz].metadata.json, NNNNN of
/// NNNNN-<uuid>.metadata.json, or nullopt.
std::optional<uint64_t> MetadataVersion(std::string_view name) {
    auto stem = MetadataStem(name);
    if (!stem) return std::nullopt;
    if (stem->size() > 1 && (*stem)[0] == 'v') {
        if (auto n = ParseNumber(std::string_view(*stem).substr(1))) return n;
    }
    if (size_t dash = stem->find('-'); dash != std::string::npos) return ParseNumber(stem->substr(0, dash));
    return std::nullopt;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

/// `location` with a file: scheme and trailing slashes dropped, for comparing table locations.
std::string PlainLocation(std::string location) {
    if (location.rfind("file://", 0) == 0) {
        location.erase(0, 7);
        if (location.rfind("localhost/", 0) == 0) location.erase(0, 9);
    } else if (location.rfind("file:", 0) == 0) {
        location.erase(0, 5);
    }
    while (location.size() > 1 && location.back() == '/') location.pop_back();
    return location;
}
std::optional<std::vector<std::string>> NamespaceLevels(const std::string& ns) {
    std::vector<std::string> levels;
    size_t start = 0;
    while (true) {
        size_t dot = ns.find('.', start);
        std::string level = ns.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!IsPlainName(level) || IsHidden(level)) return std::nullopt;
        levels.push_back(std::move(level));
        if (dot == std::string::npos) return levels;
        start = dot + 1;
    }
}

int64_t LastUpdatedMs(std::string bytes, const std::string& what) {
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
        static_cast<unsigned char>(bytes[1]) == 0x8b) {
        bytes = Gunzip(bytes, what);
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(bytes).get(doc) != simdjson::SUCCESS) return -1;
    int64_t ms = -1;
    if (doc["last-updated-ms"].get_int64().get(ms) != simdjson::SUCCESS) return -1;
    return ms;
}

std::optional<std::string> ChooseCurrentMetadataFile(
    const std::set<std::string>& names, const std::optional<std::string>& hint,
    const std::function<int64_t(const std::string&)>& last_updated_ms) {
    if (hint && !hint->empty()) {
        if (auto file = FileFromHint(names, *hint)) return file;
    }
    return NewestByName(names, last_updated_ms);
}

}  // namespace floe::iceberg::hadoop_layout
