#include "ssb.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common.h"

namespace floe::datagen {

namespace {

using namespace common;  // NOLINT(google-build-using-namespace): the generators' shared helpers

enum : uint64_t {
    kCAddress = 101,
    kCCity,
    kCNation,
    kCPhone,
    kCSegment,
    kSAddress,
    kSCity,
    kSNation,
    kSPhone,
    kPColor1,
    kPColor2,
    kPMfgr,
    kPCategory,
    kPBrand,
    kPType,
    kPSize,
    kPContainer,
    kOCust,
    kODate,
    kOPriority,
    kOLines,
    kLPart,
    kLSupp,
    kLQty,
    kLDiscount,
    kLTax,
    kLCommit,
    kLMode,
};

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"};

struct Sizes {
    int64_t customers, suppliers, parts, orders;
    explicit Sizes(double sf)
        : customers(Scaled(sf, 30000)),
          suppliers(Scaled(sf, 2000)),
          parts(200000 * static_cast<int64_t>(std::floor(1 + std::log2(std::max(sf, 1.0))))),
          orders(Scaled(sf, 1500000)) {}
};

std::string City(const char* nation, int digit) {
    std::string c(nation);
    c.resize(9, ' ');
    return c + std::to_string(digit);
}

/// A dimension row as fields: customer, supplier and part rows are pure functions of their key.
std::vector<std::string> Customer(uint64_t seed, int64_t key) {
    Stream nat(seed, kCNation), city(seed, kCCity), addr(seed, kCAddress), phone(seed, kCPhone), seg(seed, kCSegment);
    int n = static_cast<int>(nat.Uniform(key, 0, 24));
    return {std::to_string(key),        Padded("Customer#", key, 9),
            VString(addr, key, 10, 25), City(kNations[n].name, static_cast<int>(city.Uniform(key, 0, 9))),
            kNations[n].name,           kRegions[kNations[n].region],
            Phone(phone, key, n),       kSegments[seg.Uniform(key, 0, 4)]};
}

std::vector<std::string> Supplier(uint64_t seed, int64_t key) {
    Stream nat(seed, kSNation), city(seed, kSCity), addr(seed, kSAddress), phone(seed, kSPhone);
    int n = static_cast<int>(nat.Uniform(key, 0, 24));
    return {std::to_string(key),        Padded("Supplier#", key, 9),
            VString(addr, key, 10, 25), City(kNations[n].name, static_cast<int>(city.Uniform(key, 0, 9))),
            kNations[n].name,           kRegions[kNations[n].region],
            Phone(phone, key, n)};
}

std::vector<std::string> Part(uint64_t seed, int64_t key) {
    Stream c1(seed, kPColor1), c2(seed, kPColor2), mfgr(seed, kPMfgr), cat(seed, kPCategory), brand(seed, kPBrand),
        type(seed, kPType), size(seed, kPSize), cont(seed, kPContainer);
    int64_t m = mfgr.Uniform(key, 1, 5);
    int64_t c = cat.Uniform(key, 1, 5);
    int64_t b = brand.Uniform(key, 1, 40);
    std::string color = kColors[c1.Uniform(key, 0, static_cast<int64_t>(Count(kColors)) - 1)];
    std::string name = color + " " + kColors[c2.Uniform(key, 0, static_cast<int64_t>(Count(kColors)) - 1)];
    std::string category = "MFGR#" + std::to_string(m) + std::to_string(c);
    return {std::to_string(key),
            name,
            "MFGR#" + std::to_string(m),
            category,
            category + std::to_string(b),
            color,
            std::string(kType1[type.Uniform(key, 0, 5, 1)]) + " " + kType2[type.Uniform(key, 0, 4, 2)] + " " +
                kType3[type.Uniform(key, 0, 4, 3)],
            std::to_string(size.Uniform(key, 1, 50)),
            std::string(kContainer1[cont.Uniform(key, 0, 4, 1)]) + " " + kContainer2[cont.Uniform(key, 0, 7, 2)]};
}

/// The part's retail price in cents (TPC-H's formula, which SSB keeps).
int64_t RetailCents(int64_t partkey) {
    return 90000 + ((partkey / 10) % 20001) + 100 * (partkey % 1000);
}

struct Civil {
    int year, month, day;
};

Civil CivilOf(int32_t days) {
    std::string t = DateText(days);
    return {std::stoi(t.substr(0, 4)), std::stoi(t.substr(5, 2)), std::stoi(t.substr(8, 2))};
}

int32_t DateKey(int32_t days) {
    Civil c = CivilOf(days);
    return c.year * 10000 + c.month * 100 + c.day;
}

std::vector<std::string> DateRow(int32_t days) {
    Civil c = CivilOf(days);
    int32_t jan1 = days;
    while (CivilOf(jan1 - 1).year == c.year) jan1 -= 1;  // at most 365 steps, 2556 rows: fine
    int day_in_year = days - jan1 + 1;
    int weekday = static_cast<int>((days % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    int day_in_week = (weekday + 3) % 7 + 1;             // Monday = 1 ... Sunday = 7
    bool last_in_month = CivilOf(days + 1).month != c.month;
    const char* season = c.month == 12                  ? "Christmas"
                         : c.month >= 6 && c.month <= 8 ? "Summer"
                         : c.month <= 2                 ? "Winter"
                         : c.month <= 5                 ? "Spring"
                                                        : "Fall";
    bool holiday = (c.month == 1 && c.day == 1) || (c.month == 7 && c.day == 4) || (c.month == 12 && c.day == 25);
    char yearmonth[16];
    std::snprintf(yearmonth, sizeof(yearmonth), "%.3s%d", kMonths[c.month - 1], c.year);
    return {std::to_string(DateKey(days)),
            std::string(kMonths[c.month - 1]) + " " + std::to_string(c.day) + ", " + std::to_string(c.year),
            kDays[weekday],
            kMonths[c.month - 1],
            std::to_string(c.year),
            std::to_string(c.year * 100 + c.month),
            yearmonth,
            std::to_string(day_in_week),
            std::to_string(c.day),
            std::to_string(day_in_year),
            std::to_string(c.month),
            std::to_string((day_in_year - 1) / 7 + 1),
            season,
            day_in_week == 7 ? "1" : "0",
            last_in_month ? "1" : "0",
            holiday ? "1" : "0",
            day_in_week <= 5 ? "1" : "0"};
}

/// The line items of order `o` (1-based), as lineorder rows.
void OrderLines(uint64_t seed, int64_t o, const Sizes& sz, std::vector<std::vector<std::string>>& out) {
    Stream cust(seed, kOCust), date(seed, kODate), prio(seed, kOPriority), lines(seed, kOLines), part(seed, kLPart),
        supp(seed, kLSupp), qty(seed, kLQty), disc(seed, kLDiscount), tax(seed, kLTax), commit(seed, kLCommit),
        mode(seed, kLMode);
    int64_t n = lines.Uniform(o, 1, 7);
    auto order_date = static_cast<int32_t>(date.Uniform(o, kStartDate, kEndDate - 151));
    int64_t custkey = cust.Uniform(o, 1, sz.customers);
    std::string priority = kPriorities[prio.Uniform(o, 0, 4)];
    struct Line {
        int64_t partkey, suppkey, quantity, discount, tax, extended;
        int32_t commit;
        std::string mode;
    };
    std::vector<Line> ls;
    int64_t total = 0;  // cents: sum of extended * (1 + tax) * (1 - discount)
    for (int64_t l = 1; l <= n; ++l) {
        int64_t row = o * 8 + l;
        Line x;
        x.partkey = part.Uniform(row, 1, sz.parts);
        x.suppkey = supp.Uniform(row, 1, sz.suppliers);
        x.quantity = qty.Uniform(row, 1, 50);
        x.discount = disc.Uniform(row, 0, 10);
        x.tax = tax.Uniform(row, 0, 8);
        x.extended = x.quantity * RetailCents(x.partkey);
        x.commit = order_date + static_cast<int32_t>(commit.Uniform(row, 30, 90));
        x.mode = kModes[mode.Uniform(row, 0, 6)];
        total += x.extended * (100 + x.tax) * (100 - x.discount) / 10000;
        ls.push_back(std::move(x));
    }
    for (int64_t l = 1; l <= n; ++l) {
        const Line& x = ls[l - 1];
        out.push_back({std::to_string(o), std::to_string(l), std::to_string(custkey), std::to_string(x.partkey),
                       std::to_string(x.suppkey), std::to_string(DateKey(order_date)), priority, "0",
                       std::to_string(x.quantity), std::to_string(x.extended), std::to_string(total),
                       std::to_string(x.discount), std::to_string(x.extended * (100 - x.discount) / 100),
                       std::to_string(RetailCents(x.partkey) * 6 / 10), std::to_string(x.tax),
                       std::to_string(DateKey(x.commit)), x.mode});
    }
}

std::string IsoDate(const std::string& key) {
    return key.substr(0, 4) + "-" + key.substr(4, 2) + "-" + key.substr(6, 2);
}

}  // namespace

const std::vector<SsbTable>& SsbTables() {
    static const std::vector<SsbTable> tables = [] {
        std::vector<SsbTable> t;
        t.push_back({"customer",
                     {"c_custkey", "c_name", "c_address", "c_city", "c_nation", "c_region", "c_phone", "c_mktsegment"},
                     {"INT", "VARCHAR(25)", "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(15)", "VARCHAR(12)", "VARCHAR(15)",
                      "VARCHAR(10)"}});
        t.push_back(
            {"supplier",
             {"s_suppkey", "s_name", "s_address", "s_city", "s_nation", "s_region", "s_phone"},
             {"INT", "VARCHAR(25)", "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(15)", "VARCHAR(12)", "VARCHAR(15)"}});
        t.push_back(
            {"part",
             {"p_partkey", "p_name", "p_mfgr", "p_category", "p_brand1", "p_color", "p_type", "p_size", "p_container"},
             {"INT", "VARCHAR(22)", "VARCHAR(6)", "VARCHAR(7)", "VARCHAR(9)", "VARCHAR(11)", "VARCHAR(25)", "INT",
              "VARCHAR(10)"}});
        t.push_back({"dates",
                     {"d_datekey", "d_date", "d_dayofweek", "d_month", "d_year", "d_yearmonthnum", "d_yearmonth",
                      "d_daynuminweek", "d_daynuminmonth", "d_daynuminyear", "d_monthnuminyear", "d_weeknuminyear",
                      "d_sellingseason", "d_lastdayinweekfl", "d_lastdayinmonthfl", "d_holidayfl", "d_weekdayfl"},
                     {"INT", "VARCHAR(18)", "VARCHAR(9)", "VARCHAR(9)", "INT", "INT", "VARCHAR(7)", "INT", "INT", "INT",
                      "INT", "INT", "VARCHAR(12)", "INT", "INT", "INT", "INT"}});
        std::vector<std::string> lo_cols = {"lo_orderkey", "lo_linenumber",    "lo_custkey",       "lo_partkey",
                                            "lo_suppkey",  "lo_orderdate",     "lo_orderpriority", "lo_shippriority",
                                            "lo_quantity", "lo_extendedprice", "lo_ordtotalprice", "lo_discount",
                                            "lo_revenue",  "lo_supplycost",    "lo_tax",           "lo_commitdate",
                                            "lo_shipmode"};
        std::vector<std::string> lo_types = {"BIGINT",      "INT",        "INT", "INT",    "INT",        "INT",
                                             "VARCHAR(15)", "VARCHAR(1)", "INT", "BIGINT", "BIGINT",     "INT",
                                             "BIGINT",      "BIGINT",     "INT", "INT",    "VARCHAR(10)"};
        t.push_back({"lineorder", lo_cols, lo_types});
        // lineorder_flat: the line order with dates as DATE, then its customer, supplier and part.
        SsbTable flat{"lineorder_flat", {}, {}};
        flat.columns = {"lo_orderdate",     "lo_orderkey",      "lo_linenumber",   "lo_custkey",    "lo_partkey",
                        "lo_suppkey",       "lo_orderpriority", "lo_shippriority", "lo_quantity",   "lo_extendedprice",
                        "lo_ordtotalprice", "lo_discount",      "lo_revenue",      "lo_supplycost", "lo_tax",
                        "lo_commitdate",    "lo_shipmode",      "c_name",          "c_address",     "c_city",
                        "c_nation",         "c_region",         "c_phone",         "c_mktsegment",  "s_name",
                        "s_address",        "s_city",           "s_nation",        "s_region",      "s_phone",
                        "p_name",           "p_mfgr",           "p_category",      "p_brand",       "p_color",
                        "p_type",           "p_size",           "p_container"};
        flat.types = {"DATE",        "BIGINT",      "INT",         "INT",         "INT",         "INT",
                      "VARCHAR(15)", "VARCHAR(1)",  "INT",         "BIGINT",      "BIGINT",      "INT",
                      "BIGINT",      "BIGINT",      "INT",         "DATE",        "VARCHAR(10)", "VARCHAR(25)",
                      "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(15)", "VARCHAR(12)", "VARCHAR(15)", "VARCHAR(10)",
                      "VARCHAR(25)", "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(15)", "VARCHAR(12)", "VARCHAR(15)",
                      "VARCHAR(22)", "VARCHAR(6)",  "VARCHAR(7)",  "VARCHAR(9)",  "VARCHAR(11)", "VARCHAR(25)",
                      "INT",         "VARCHAR(10)"};
        t.push_back(std::move(flat));
        return t;
    }();
    return tables;
}

int64_t SsbRowCount(const std::string& table, double sf) {
    Sizes sz(sf);
    if (table == "customer") return sz.customers;
    if (table == "supplier") return sz.suppliers;
    if (table == "part") return sz.parts;
    if (table == "dates") return kEndDate - kStartDate + 1;
    if (table == "lineorder" || table == "lineorder_flat") return sz.orders * 4;
    throw std::invalid_argument("no SSB table " + table);
}

void GenerateSsb(const std::string& table, double sf, uint64_t seed,
                 const std::function<void(const std::vector<std::string>&)>& row) {
    Sizes sz(sf);
    if (table == "customer") {
        for (int64_t k = 1; k <= sz.customers; ++k) row(Customer(seed, k));
    } else if (table == "supplier") {
        for (int64_t k = 1; k <= sz.suppliers; ++k) row(Supplier(seed, k));
    } else if (table == "part") {
        for (int64_t k = 1; k <= sz.parts; ++k) row(Part(seed, k));
    } else if (table == "dates") {
        for (int32_t d = kStartDate; d <= kEndDate; ++d) row(DateRow(d));
    } else if (table == "lineorder" || table == "lineorder_flat") {
        bool flat = table == "lineorder_flat";
        std::vector<std::vector<std::string>> lines;
        for (int64_t o = 1; o <= sz.orders; ++o) {
            lines.clear();
            OrderLines(seed, o, sz, lines);
            for (auto& l : lines) {
                if (!flat) {
                    row(l);
                    continue;
                }
                std::vector<std::string> f;
                f.reserve(38);
                f.push_back(IsoDate(l[5]));
                for (int i : {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14}) f.push_back(l[i]);
                f.push_back(IsoDate(l[15]));
                f.push_back(l[16]);
                auto c = Customer(seed, std::stoll(l[2]));
                f.insert(f.end(), c.begin() + 1, c.end());
                auto s = Supplier(seed, std::stoll(l[4]));
                f.insert(f.end(), s.begin() + 1, s.end());
                auto p = Part(seed, std::stoll(l[3]));
                f.insert(f.end(), p.begin() + 1, p.end());
                row(f);
            }
        }
    } else {
        throw std::invalid_argument("no SSB table " + table);
    }
}

std::vector<std::pair<std::string, int64_t>> WriteSsb(const std::string& dir, double sf, uint64_t seed) {
    std::vector<std::pair<std::string, int64_t>> counts;
    for (const auto& t : SsbTables()) {
        int64_t n = common::WriteTextTable(dir + "/" + t.name + ".tbl",
                                           [&](const common::RowSink& row) { GenerateSsb(t.name, sf, seed, row); });
        counts.emplace_back(t.name, n);
    }
    return counts;
}

}  // namespace floe::datagen
