#pragma once
/// What the benchmark data generators share: deterministic per-(column, row) randomness, the
/// value lists of the TPC-H specification (which the Star Schema Benchmark reuses: nations,
/// regions, colors, types, containers, segments, priorities, ship modes), and text formatting.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace floe::datagen::common {

// ---------------------------------------------------------------- deterministic randomness

inline uint64_t Mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// The random stream of one column: value k of row `row`.
struct Stream {
    uint64_t base;
    Stream(uint64_t seed, uint64_t column) : base(Mix(seed * 0x100000001B3ULL + column)) {}
    uint64_t Bits(int64_t row, uint64_t k = 0) const { return Mix(base ^ Mix(static_cast<uint64_t>(row) * 64 + k)); }
    /// Uniform in [lo, hi].
    int64_t Uniform(int64_t row, int64_t lo, int64_t hi, uint64_t k = 0) const {
        return lo + static_cast<int64_t>(Bits(row, k) % static_cast<uint64_t>(hi - lo + 1));
    }
};

// ---------------------------------------------------------------- the spec's value lists

inline const char* const kColors[] = {
    "almond",   "antique", "aquamarine", "azure",     "beige",      "bisque",    "black",     "blanched", "blue",
    "blush",    "brown",   "burlywood",  "burnished", "chartreuse", "chiffon",   "chocolate", "coral",    "cornflower",
    "cornsilk", "cream",   "cyan",       "dark",      "deep",       "dim",       "dodger",    "drab",     "firebrick",
    "floral",   "forest",  "frosted",    "gainsboro", "ghost",      "goldenrod", "green",     "grey",     "honeydew",
    "hot",      "indian",  "ivory",      "khaki",     "lace",       "lavender",  "lawn",      "lemon",    "light",
    "lime",     "linen",   "magenta",    "maroon",    "medium",     "metallic",  "midnight",  "mint",     "misty",
    "moccasin", "navajo",  "navy",       "olive",     "orange",     "orchid",    "pale",      "papaya",   "peach",
    "peru",     "pink",    "plum",       "powder",    "puff",       "purple",    "red",       "rose",     "rosy",
    "royal",    "saddle",  "salmon",     "sandy",     "seashell",   "sienna",    "sky",       "slate",    "smoke",
    "snow",     "spring",  "steel",      "tan",       "thistle",    "tomato",    "turquoise", "violet",   "wheat",
    "white",    "yellow"};
inline const char* const kType1[] = {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
inline const char* const kType2[] = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
inline const char* const kType3[] = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
inline const char* const kContainer1[] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
inline const char* const kContainer2[] = {"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"};
inline const char* const kSegments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"};
inline const char* const kPriorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"};
inline const char* const kInstructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
inline const char* const kModes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
struct Nation {
    const char* name;
    int region;
};
inline const Nation kNations[] = {
    {"ALGERIA", 0},      {"ARGENTINA", 1},  {"BRAZIL", 1},  {"CANADA", 1},         {"EGYPT", 4},
    {"ETHIOPIA", 0},     {"FRANCE", 3},     {"GERMANY", 3}, {"INDIA", 2},          {"INDONESIA", 2},
    {"IRAN", 4},         {"IRAQ", 4},       {"JAPAN", 2},   {"JORDAN", 4},         {"KENYA", 0},
    {"MOROCCO", 0},      {"MOZAMBIQUE", 0}, {"PERU", 1},    {"CHINA", 2},          {"ROMANIA", 3},
    {"SAUDI ARABIA", 4}, {"VIETNAM", 2},    {"RUSSIA", 3},  {"UNITED KINGDOM", 3}, {"UNITED STATES", 1}};
inline const char* const kRegions[] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};
// The text vocabulary (nouns, verbs, adjectives, adverbs, prepositions of the spec's grammar).
inline const char* const kWords[] = {
    "foxes",        "ideas",      "theodolites",  "pinto",       "beans",       "instructions", "dependencies",
    "excuses",      "platelets",  "asymptotes",   "courts",      "dolphins",    "multipliers",  "sauternes",
    "warthogs",     "frets",      "dinos",        "attainments", "somas",       "patterns",     "forges",
    "braids",       "frays",      "warhorses",    "dugouts",     "notornis",    "epitaphs",     "pearls",
    "tithes",       "waters",     "orbits",       "gifts",       "sheaves",     "depths",       "sentiments",
    "decoys",       "realms",     "pains",        "grouches",    "escapades",   "packages",     "requests",
    "accounts",     "deposits",   "sleep",        "wake",        "are",         "cajole",       "haggle",
    "nag",          "use",        "boost",        "affix",       "detect",      "integrate",    "maintain",
    "nod",          "was",        "lose",         "sublate",     "solve",       "thrash",       "promise",
    "engage",       "hinder",     "print",        "breach",      "eat",         "grow",         "impress",
    "mold",         "poach",      "serve",        "run",         "dazzle",      "snooze",       "doze",
    "unwind",       "kindle",     "play",         "hang",        "believe",     "doubt",        "furious",
    "sly",          "careful",    "blithe",       "quick",       "fluffy",      "slow",         "quiet",
    "ruthless",     "thin",       "close",        "dogged",      "daring",      "brave",        "stealthy",
    "permanent",    "enticing",   "idle",         "busy",        "regular",     "final",        "ironic",
    "even",         "bold",       "silent",       "special",     "pending",     "express",      "unusual",
    "sometimes",    "always",     "never",        "furiously",   "slyly",       "carefully",    "blithely",
    "quickly",      "fluffily",   "slowly",       "quietly",     "ruthlessly",  "thinly",       "closely",
    "doggedly",     "daringly",   "bravely",      "stealthily",  "permanently", "enticingly",   "idly",
    "busily",       "regularly",  "finally",      "ironically",  "evenly",      "boldly",       "silently",
    "about",        "above",      "according to", "across",      "after",       "against",      "along",
    "alongside of", "among",      "around",       "at",          "atop",        "before",       "behind",
    "beneath",      "beside",     "besides",      "between",     "beyond",      "by",           "despite",
    "during",       "except",     "for",          "from",        "inside",      "instead of",   "into",
    "near",         "of",         "on",           "outside",     "over",        "past",         "since",
    "through",      "throughout", "to",           "toward",      "under",       "until",        "up",
    "upon",         "without",    "with",         "within"};
inline constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

template <typename T, size_t N>
constexpr size_t Count(T (&)[N]) {
    return N;
}

// ---------------------------------------------------------------- formatting

inline constexpr int32_t kStartDate = 8035;    // 1992-01-01 in days since 1970-01-01
inline constexpr int32_t kCurrentDate = 9298;  // 1995-06-17
inline constexpr int32_t kEndDate = 10591;     // 1998-12-31

inline std::string DateText(int32_t days) {
    // Civil from days (Howard Hinnant's algorithm, public domain).
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<uint64_t>(z - era * 146097);
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = static_cast<int64_t>(yoe) + era * 400;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    uint64_t d = doy - (153 * mp + 2) / 5 + 1;
    uint64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
    return buf;
}

inline std::string Money(int64_t cents) {
    char buf[32];
    int64_t a = cents < 0 ? -cents : cents;
    std::snprintf(buf, sizeof(buf), "%s%lld.%02lld", cents < 0 ? "-" : "", static_cast<long long>(a / 100),
                  static_cast<long long>(a % 100));
    return buf;
}

inline std::string Padded(const char* prefix, int64_t key, int width) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%0*lld", prefix, width, static_cast<long long>(key));
    return buf;
}

/// Random words of the vocabulary, between `min` and `max` characters long.
inline std::string Text(const Stream& s, int64_t row, int min, int max) {
    auto target = static_cast<size_t>(s.Uniform(row, min, max, 0));
    std::string out;
    for (uint64_t k = 1; out.size() < target; ++k) {
        if (!out.empty()) out.push_back(' ');
        out += kWords[s.Bits(row, k) % kWordCount];
    }
    out.resize(target);
    while (!out.empty() && out.back() == ' ') out.back() = 'x';
    return out;
}

/// Alphanumeric text of random length in [min, max] (addresses).
inline std::string VString(const Stream& s, int64_t row, int min, int max) {
    static const char kAlpha[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,";
    auto n = static_cast<size_t>(s.Uniform(row, min, max, 0));
    std::string out(n, ' ');
    for (size_t i = 0; i < n; ++i) out[i] = kAlpha[s.Bits(row, i + 1) % (sizeof(kAlpha) - 1)];
    return out;
}

inline std::string Phone(const Stream& s, int64_t row, int nation) {
    char buf[32];
    std::snprintf(
        buf, sizeof(buf), "%02d-%03lld-%03lld-%04lld", nation + 10, static_cast<long long>(s.Uniform(row, 100, 999, 1)),
        static_cast<long long>(s.Uniform(row, 100, 999, 2)), static_cast<long long>(s.Uniform(row, 1000, 9999, 3)));
    return buf;
}

inline int64_t Scaled(double sf, int64_t base) {
    return std::max<int64_t>(1, static_cast<int64_t>(std::llround(sf * static_cast<double>(base))));
}

using RowSink = std::function<void(const std::vector<std::string>&)>;

/// Writes the rows `generate` passes to its sink as '|'-separated lines to `path` (through a
/// temporary name, renamed once complete); returns the rows written.
inline int64_t WriteTextTable(const std::string& path, const std::function<void(const RowSink&)>& generate) {
    std::string tmp = path + ".tmp";
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    std::string line;
    int64_t n = 0;
    generate([&](const std::vector<std::string>& fields) {
        line.clear();
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i) line.push_back('|');
            line += fields[i];
        }
        line.push_back('\n');
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
        ++n;
    });
    out.close();
    if (!out) throw std::runtime_error("cannot write " + tmp);
    std::rename(tmp.c_str(), path.c_str());
    return n;
}

}  // namespace floe::datagen::common
