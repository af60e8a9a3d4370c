#pragma once
/// A ClickBench-like web-analytics table written for Floe: `hits`, 105 columns shaped like
/// ClickBench's (Yandex.Metrica) events, with the skew the benchmark's 43 queries exercise: a
/// few counters (sites) take most hits (CounterID 62 the most), users, URLs, referers and search
/// phrases follow Zipf-like distributions, most hits have no search phrase, no mobile phone model
/// and no advertising engine, and events span July 2013. 1,000,000 rows per scale factor. Every
/// value is a pure function of (seed, column, row).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace floe::datagen {

struct HitsColumn {
    std::string name;
    std::string type;  // BIGINT, INT, SMALLINT, VARCHAR(n), DATE, DATETIME
};

const std::vector<HitsColumn>& HitsColumns();

/// The UserID of the n-th most active user and the URLHash / RefererHash of the n-th most
/// frequent URL / referer (literals of the benchmark's point queries).
int64_t HitsUserId(int64_t rank);
int64_t HitsUrlHash(int64_t rank);

void GenerateHits(double sf, uint64_t seed, const std::function<void(const std::vector<std::string>&)>& row);

/// Writes `dir`/hits.tbl ('|'-separated); returns the row count.
int64_t WriteHits(const std::string& dir, double sf, uint64_t seed = 0);

}  // namespace floe::datagen
