#include "hits.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common.h"

namespace floe::datagen {

namespace {

using namespace common;  // NOLINT(google-build-using-namespace): the generators' shared helpers

const char* const kDomains[] = {
    "yandex.ru",       "www.google.com", "google.ru",        "maps.google.com",  "mail.ru",  "vk.com",
    "auto.ru",         "news.yandex.ru", "market.yandex.ru", "avito.ru",         "ok.ru",    "rambler.ru",
    "livejournal.com", "youtube.com",    "wikipedia.org",    "kinopoisk.ru",     "lenta.ru", "rbc.ru",
    "irr.ru",          "hh.ru",          "ria.ru",           "sport-express.ru", "drom.ru",  "2gis.ru"};
const char* const kPhones[] = {"iPhone",   "iPad",       "Galaxy S4", "Galaxy S3", "Lumia 920", "HTC One",
                               "Xperia Z", "Nexus 4",    "Optimus G", "MI 2",      "Ascend P6", "Moto X",
                               "iPod",     "Galaxy Tab", "Kindle",    "Note II"};
const int kWidths[] = {1024, 1280, 1366, 1440, 1600, 1680, 1920, 800, 360, 320};
const int kHeights[] = {768, 800, 900, 1024, 1050, 1080, 600, 640, 480};

/// A rank in [1, n], about as likely as 1/rank (log-uniform): Zipf-like skew without tables.
int64_t Rank(uint64_t bits, int64_t n) {
    double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
    auto r = static_cast<int64_t>(std::pow(static_cast<double>(n), u));
    return std::min<int64_t>(std::max<int64_t>(r, 1), n);
}

std::string Words(uint64_t h, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        if (i) out.push_back(' ');
        out += kWords[Mix(h + static_cast<uint64_t>(i)) % kWordCount];
    }
    return out;
}

std::string UrlOf(int64_t rank, uint64_t salt) {
    uint64_t h = Mix(static_cast<uint64_t>(rank) * 0x9E37 + salt);
    std::string u = (h & 1) ? "https://" : "http://";
    u += kDomains[h % Count(kDomains)];
    u += "/";
    std::string path = Words(h >> 8, 1 + static_cast<int>((h >> 4) % 3));
    for (char& c : path) {
        if (c == ' ') c = '/';
    }
    return u + path + "/" + std::to_string(rank);
}

std::string Datetime(int64_t seconds) {
    int64_t days = seconds / 86400, s = seconds % 86400;
    char buf[32];
    std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60),
                  static_cast<int>(s % 60));
    return DateText(static_cast<int32_t>(days)) + buf;
}

constexpr int64_t kJuly2013 = 15887LL * 86400;  // 2013-07-01 00:00:00

}  // namespace

int64_t HitsUserId(int64_t rank) {
    return 4000000000000000000LL + rank * 1000003LL;
}

int64_t HitsUrlHash(int64_t rank) {
    return 7000000000000000000LL + rank * 7919LL;
}

const std::vector<HitsColumn>& HitsColumns() {
    static const std::vector<HitsColumn> columns = {{"WatchID", "BIGINT"},
                                                    {"JavaEnable", "SMALLINT"},
                                                    {"Title", "VARCHAR(255)"},
                                                    {"GoodEvent", "SMALLINT"},
                                                    {"EventTime", "DATETIME"},
                                                    {"EventDate", "DATE"},
                                                    {"CounterID", "INT"},
                                                    {"ClientIP", "INT"},
                                                    {"RegionID", "INT"},
                                                    {"UserID", "BIGINT"},
                                                    {"CounterClass", "SMALLINT"},
                                                    {"OS", "SMALLINT"},
                                                    {"UserAgent", "SMALLINT"},
                                                    {"URL", "VARCHAR(255)"},
                                                    {"Referer", "VARCHAR(255)"},
                                                    {"IsRefresh", "SMALLINT"},
                                                    {"RefererCategoryID", "SMALLINT"},
                                                    {"RefererRegionID", "INT"},
                                                    {"URLCategoryID", "SMALLINT"},
                                                    {"URLRegionID", "INT"},
                                                    {"ResolutionWidth", "SMALLINT"},
                                                    {"ResolutionHeight", "SMALLINT"},
                                                    {"ResolutionDepth", "SMALLINT"},
                                                    {"FlashMajor", "SMALLINT"},
                                                    {"FlashMinor", "SMALLINT"},
                                                    {"FlashMinor2", "VARCHAR(16)"},
                                                    {"NetMajor", "SMALLINT"},
                                                    {"NetMinor", "SMALLINT"},
                                                    {"UserAgentMajor", "SMALLINT"},
                                                    {"UserAgentMinor", "VARCHAR(16)"},
                                                    {"CookieEnable", "SMALLINT"},
                                                    {"JavascriptEnable", "SMALLINT"},
                                                    {"IsMobile", "SMALLINT"},
                                                    {"MobilePhone", "SMALLINT"},
                                                    {"MobilePhoneModel", "VARCHAR(32)"},
                                                    {"Params", "VARCHAR(64)"},
                                                    {"IPNetworkID", "INT"},
                                                    {"TraficSourceID", "SMALLINT"},
                                                    {"SearchEngineID", "SMALLINT"},
                                                    {"SearchPhrase", "VARCHAR(128)"},
                                                    {"AdvEngineID", "SMALLINT"},
                                                    {"IsArtifical", "SMALLINT"},
                                                    {"WindowClientWidth", "SMALLINT"},
                                                    {"WindowClientHeight", "SMALLINT"},
                                                    {"ClientTimeZone", "SMALLINT"},
                                                    {"ClientEventTime", "DATETIME"},
                                                    {"SilverlightVersion1", "SMALLINT"},
                                                    {"SilverlightVersion2", "SMALLINT"},
                                                    {"SilverlightVersion3", "INT"},
                                                    {"SilverlightVersion4", "SMALLINT"},
                                                    {"PageCharset", "VARCHAR(16)"},
                                                    {"CodeVersion", "INT"},
                                                    {"IsLink", "SMALLINT"},
                                                    {"IsDownload", "SMALLINT"},
                                                    {"IsNotBounce", "SMALLINT"},
                                                    {"FUniqID", "BIGINT"},
                                                    {"OriginalURL", "VARCHAR(255)"},
                                                    {"HID", "INT"},
                                                    {"IsOldCounter", "SMALLINT"},
                                                    {"IsEvent", "SMALLINT"},
                                                    {"IsParameter", "SMALLINT"},
                                                    {"DontCountHits", "SMALLINT"},
                                                    {"WithHash", "SMALLINT"},
                                                    {"HitColor", "VARCHAR(1)"},
                                                    {"LocalEventTime", "DATETIME"},
                                                    {"Age", "SMALLINT"},
                                                    {"Sex", "SMALLINT"},
                                                    {"Income", "SMALLINT"},
                                                    {"Interests", "SMALLINT"},
                                                    {"Robotness", "SMALLINT"},
                                                    {"RemoteIP", "INT"},
                                                    {"WindowName", "INT"},
                                                    {"OpenerName", "INT"},
                                                    {"HistoryLength", "SMALLINT"},
                                                    {"BrowserLanguage", "VARCHAR(8)"},
                                                    {"BrowserCountry", "VARCHAR(8)"},
                                                    {"SocialNetwork", "VARCHAR(16)"},
                                                    {"SocialAction", "VARCHAR(16)"},
                                                    {"HTTPError", "SMALLINT"},
                                                    {"SendTiming", "INT"},
                                                    {"DNSTiming", "INT"},
                                                    {"ConnectTiming", "INT"},
                                                    {"ResponseStartTiming", "INT"},
                                                    {"ResponseEndTiming", "INT"},
                                                    {"FetchTiming", "INT"},
                                                    {"SocialSourceNetworkID", "SMALLINT"},
                                                    {"SocialSourcePage", "VARCHAR(64)"},
                                                    {"ParamPrice", "BIGINT"},
                                                    {"ParamOrderID", "VARCHAR(32)"},
                                                    {"ParamCurrency", "VARCHAR(8)"},
                                                    {"ParamCurrencyID", "SMALLINT"},
                                                    {"OpenstatServiceName", "VARCHAR(32)"},
                                                    {"OpenstatCampaignID", "VARCHAR(32)"},
                                                    {"OpenstatAdID", "VARCHAR(32)"},
                                                    {"OpenstatSourceID", "VARCHAR(32)"},
                                                    {"UTMSource", "VARCHAR(32)"},
                                                    {"UTMMedium", "VARCHAR(32)"},
                                                    {"UTMCampaign", "VARCHAR(32)"},
                                                    {"UTMContent", "VARCHAR(32)"},
                                                    {"UTMTerm", "VARCHAR(32)"},
                                                    {"FromTag", "VARCHAR(32)"},
                                                    {"HasGCLID", "SMALLINT"},
                                                    {"RefererHash", "BIGINT"},
                                                    {"URLHash", "BIGINT"},
                                                    {"CLID", "INT"}};
    return columns;
}

void GenerateHits(double sf, uint64_t seed, const std::function<void(const std::vector<std::string>&)>& row) {
    const int64_t rows = Scaled(sf, 1000000);
    const int64_t users = std::max<int64_t>(rows / 8, 10), urls = std::max<int64_t>(rows / 4, 10),
                  phrases = std::max<int64_t>(rows / 20, 10), ips = std::max<int64_t>(rows / 3, 10);
    const size_t width = HitsColumns().size();
    std::vector<std::string> f(width);
    Stream s(seed, 900);
    for (int64_t r = 0; r < rows; ++r) {
        auto bits = [&](uint64_t k) { return s.Bits(r, k); };
        auto pick = [&](uint64_t k, int64_t n) { return static_cast<int64_t>(bits(k) % static_cast<uint64_t>(n)); };
        auto percent = [&](uint64_t k) { return pick(k, 100); };
        int64_t counter_rank = Rank(bits(1), 2000);
        int64_t counter = counter_rank == 1 ? 62 : 100 + counter_rank * 37;
        int64_t time = kJuly2013 + pick(2, 31 * 86400);
        int64_t user = Rank(bits(3), users);
        int64_t url = Rank(bits(4), urls);
        bool has_referer = percent(5) >= 35;
        int64_t referer = Rank(bits(6), urls);
        bool searched = percent(7) < 15;
        int64_t phrase = Rank(bits(8), phrases);
        bool mobile = percent(9) < 10;
        int64_t title = Rank(bits(10), 5000);
        bool google_title = title % 29 == 0;
        for (auto& x : f) x.clear();
        f[0] = std::to_string(static_cast<int64_t>(Mix(seed * 31 + static_cast<uint64_t>(r)) >> 1));
        f[1] = std::to_string(pick(11, 2));
        f[2] =
            google_title ? "Google " + Words(static_cast<uint64_t>(title), 3) : Words(static_cast<uint64_t>(title), 4);
        f[3] = "1";
        f[4] = Datetime(time);
        f[5] = DateText(static_cast<int32_t>(time / 86400));
        f[6] = std::to_string(counter);
        f[7] = std::to_string(static_cast<int32_t>(Mix(static_cast<uint64_t>(Rank(bits(12), ips))) & 0x7fffffff));
        f[8] = std::to_string(Rank(bits(13), 300));
        f[9] = std::to_string(HitsUserId(user));
        f[10] = std::to_string(pick(14, 4));
        f[11] = std::to_string(pick(15, 90));
        f[12] = std::to_string(pick(16, 150));
        f[13] = UrlOf(url, 1);
        f[14] = has_referer ? UrlOf(referer, 2) : "";
        f[15] = percent(17) < 10 ? "1" : "0";
        f[16] = std::to_string(pick(18, 10));
        f[17] = std::to_string(Rank(bits(19), 300));
        f[18] = std::to_string(pick(20, 10));
        f[19] = std::to_string(Rank(bits(21), 300));
        f[20] = std::to_string(kWidths[pick(22, 10)]);
        f[21] = std::to_string(kHeights[pick(23, 9)]);
        f[22] = std::to_string(pick(24, 2) ? 24 : 32);
        f[23] = std::to_string(pick(25, 12));
        f[24] = std::to_string(pick(26, 10));
        f[25] = "";
        f[26] = std::to_string(pick(27, 5));
        f[27] = std::to_string(pick(28, 10));
        f[28] = std::to_string(pick(29, 30));
        f[29] = std::to_string(pick(30, 10));
        f[30] = "1";
        f[31] = "1";
        f[32] = mobile ? "1" : "0";
        f[33] = mobile ? std::to_string(1 + pick(31, 10)) : "0";
        f[34] = mobile ? kPhones[Rank(bits(32), static_cast<int64_t>(Count(kPhones))) - 1] : "";
        f[35] = "";
        f[36] = std::to_string(pick(33, 100000));
        f[37] = std::to_string(pick(34, 11) - 1);
        f[38] = searched ? std::to_string(Rank(bits(35), 20)) : "0";
        f[39] = searched ? Words(static_cast<uint64_t>(phrase) * 131, 2 + static_cast<int>(phrase % 2)) : "";
        f[40] = percent(36) < 3 ? std::to_string(1 + pick(37, 30)) : "0";
        f[41] = "0";
        f[42] = std::to_string(kWidths[pick(38, 10)] - 20);
        f[43] = std::to_string(kHeights[pick(39, 9)] - 100);
        f[44] = std::to_string(pick(40, 24) - 12);
        f[45] = Datetime(time - pick(41, 600));
        f[46] = std::to_string(pick(42, 6));
        f[47] = "0";
        f[48] = std::to_string(pick(43, 100));
        f[49] = "0";
        f[50] = pick(44, 3) ? "utf-8" : "windows-1251";
        f[51] = std::to_string(500 + pick(45, 50));
        f[52] = percent(46) < 5 ? "1" : "0";
        f[53] = percent(47) < 2 ? "1" : "0";
        f[54] = std::to_string(pick(48, 2));
        f[55] = std::to_string(static_cast<int64_t>(Mix(static_cast<uint64_t>(user) * 7) >> 2));
        f[56] = f[13];
        f[57] = std::to_string(pick(49, 1000000));
        f[58] = "0";
        f[59] = std::to_string(pick(50, 2));
        f[60] = "0";
        f[61] = percent(51) < 5 ? "1" : "0";
        f[62] = "0";
        f[63] = pick(52, 2) ? "F" : "E";
        f[64] = Datetime(time + 4 * 3600);
        f[65] = std::to_string(pick(53, 7) * 10);
        f[66] = std::to_string(pick(54, 3));
        f[67] = std::to_string(pick(55, 5));
        f[68] = std::to_string(pick(56, 1000));
        f[69] = std::to_string(pick(57, 10));
        f[70] = std::to_string(static_cast<int32_t>(bits(58) & 0x7fffffff));
        f[71] = std::to_string(pick(59, 10000));
        f[72] = std::to_string(pick(60, 10000));
        f[73] = std::to_string(pick(61, 20));
        f[74] = pick(62, 4) ? "ru" : "en";
        f[75] = pick(63, 4) ? "RU" : "UA";
        f[76] = percent(64) < 3 ? "vk" : "";
        f[77] = "";
        f[78] = percent(65) < 1 ? "404" : "0";
        for (int i = 0; i < 6; ++i) f[79 + i] = std::to_string(pick(66 + i, 1000));
        f[85] = "0";
        f[86] = "";
        f[87] = percent(72) < 1 ? std::to_string(pick(73, 100000)) : "0";
        f[88] = "";
        f[89] = "";
        f[90] = "0";
        for (int i = 91; i <= 100; ++i) f[i] = "";
        if (percent(74) < 5) {
            f[96] = "google";
            f[97] = "cpc";
            f[98] = "summer" + std::to_string(pick(75, 10));
        }
        f[101] = percent(76) < 2 ? "1" : "0";
        f[102] = has_referer ? std::to_string(HitsUrlHash(referer) + 1) : "0";
        f[103] = std::to_string(HitsUrlHash(url));
        f[104] = std::to_string(pick(77, 10));
        row(f);
    }
}

int64_t WriteHits(const std::string& dir, double sf, uint64_t seed) {
    return common::WriteTextTable(dir + "/hits.tbl", [&](const common::RowSink& row) { GenerateHits(sf, seed, row); });
}

}  // namespace floe::datagen
