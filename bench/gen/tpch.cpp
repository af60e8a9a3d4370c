#include "tpch.h"

#include "common.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace floe::datagen {

namespace {

using namespace common;  // NOLINT(google-build-using-namespace): the generators' shared helpers

// Column stream ids (any distinct numbers).
enum : uint64_t {
    kPName = 1,
    kPMfgr,
    kPBrand,
    kPType,
    kPSize,
    kPContainer,
    kPComment,
    kSAddress,
    kSNation,
    kSPhone,
    kSAcct,
    kSComment,
    kSSpecial,
    kPsQty,
    kPsCost,
    kPsComment,
    kCAddress,
    kCNation,
    kCPhone,
    kCAcct,
    kCSegment,
    kCComment,
    kOCust,
    kODate,
    kOPriority,
    kOClerk,
    kOComment,
    kOLines,
    kLPart,
    kLSupp,
    kLQty,
    kLDiscount,
    kLTax,
    kLShip,
    kLCommit,
    kLReceipt,
    kLFlag,
    kLInstruct,
    kLMode,
    kLComment,
    kNComment,
    kRComment,
};

struct Sizes {
    int64_t suppliers, parts, customers, orders;
    explicit Sizes(double sf)
        : suppliers(Scaled(sf, 10000)),
          parts(Scaled(sf, 200000)),
          customers(Scaled(sf, 150000)),
          orders(Scaled(sf, 1500000)) {}
};

/// p_retailprice in cents (clause 4.2.3).
int64_t RetailCents(int64_t partkey) {
    return 90000 + ((partkey / 10) % 20001) + 100 * (partkey % 1000);
}

/// The i-th (0..3) supplier of a part (clause 4.2.3, PS_SUPPKEY).
int64_t PartSupplier(int64_t partkey, int i, int64_t suppliers) {
    return (partkey + i * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

/// Order index (0-based) to O_ORDERKEY: 8 keys used in every 32.
int64_t OrderKey(int64_t index) {
    return (index / 8) * 32 + index % 8 + 1;
}

/// One line item of an order, as the order and lineitem generators both need it.
struct Line {
    int64_t partkey, suppkey, quantity, extended_cents, discount, tax;
    int32_t ship, commit, receipt;
    char flag, status;
};

struct OrderLines {
    int32_t orderdate;
    int count;
    Line lines[7];
};

OrderLines MakeLines(uint64_t seed, int64_t order, const Sizes& sz) {
    static thread_local uint64_t cached_seed = ~uint64_t{0};
    static thread_local std::vector<Stream> streams;
    if (cached_seed != seed || streams.empty()) {
        streams.clear();
        for (uint64_t c = 0; c < 64; ++c) streams.emplace_back(seed, c);
        cached_seed = seed;
    }
    OrderLines o;
    o.orderdate = static_cast<int32_t>(streams[kODate].Uniform(order, kStartDate, kEndDate - 151));
    o.count = static_cast<int>(streams[kOLines].Uniform(order, 1, 7));
    for (int l = 0; l < o.count; ++l) {
        int64_t row = order * 8 + l;
        Line& x = o.lines[l];
        x.partkey = streams[kLPart].Uniform(row, 1, sz.parts);
        x.suppkey = PartSupplier(x.partkey, static_cast<int>(streams[kLSupp].Uniform(row, 0, 3)), sz.suppliers);
        x.quantity = streams[kLQty].Uniform(row, 1, 50);
        x.extended_cents = x.quantity * RetailCents(x.partkey);
        x.discount = streams[kLDiscount].Uniform(row, 0, 10);
        x.tax = streams[kLTax].Uniform(row, 0, 8);
        x.ship = o.orderdate + static_cast<int32_t>(streams[kLShip].Uniform(row, 1, 121));
        x.commit = o.orderdate + static_cast<int32_t>(streams[kLCommit].Uniform(row, 30, 90));
        x.receipt = x.ship + static_cast<int32_t>(streams[kLReceipt].Uniform(row, 1, 30));
        x.flag = x.receipt <= kCurrentDate ? (streams[kLFlag].Uniform(row, 0, 1) ? 'R' : 'A') : 'N';
        x.status = x.ship > kCurrentDate ? 'O' : 'F';
    }
    return o;
}

}  // namespace

const std::vector<TpchTable>& TpchTables() {
    static const std::vector<TpchTable> tables = {
        {"region", {"r_regionkey", "r_name", "r_comment"}, {"INT", "VARCHAR(25)", "VARCHAR(152)"}},
        {"nation",
         {"n_nationkey", "n_name", "n_regionkey", "n_comment"},
         {"INT", "VARCHAR(25)", "INT", "VARCHAR(152)"}},
        {"supplier",
         {"s_suppkey", "s_name", "s_address", "s_nationkey", "s_phone", "s_acctbal", "s_comment"},
         {"BIGINT", "VARCHAR(25)", "VARCHAR(40)", "INT", "VARCHAR(15)", "DECIMAL(15,2)", "VARCHAR(101)"}},
        {"part",
         {"p_partkey", "p_name", "p_mfgr", "p_brand", "p_type", "p_size", "p_container", "p_retailprice", "p_comment"},
         {"BIGINT", "VARCHAR(55)", "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(25)", "INT", "VARCHAR(10)", "DECIMAL(15,2)",
          "VARCHAR(23)"}},
        {"partsupp",
         {"ps_partkey", "ps_suppkey", "ps_availqty", "ps_supplycost", "ps_comment"},
         {"BIGINT", "BIGINT", "INT", "DECIMAL(15,2)", "VARCHAR(199)"}},
        {"customer",
         {"c_custkey", "c_name", "c_address", "c_nationkey", "c_phone", "c_acctbal", "c_mktsegment", "c_comment"},
         {"BIGINT", "VARCHAR(25)", "VARCHAR(40)", "INT", "VARCHAR(15)", "DECIMAL(15,2)", "VARCHAR(10)",
          "VARCHAR(117)"}},
        {"orders",
         {"o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate", "o_orderpriority", "o_clerk",
          "o_shippriority", "o_comment"},
         {"BIGINT", "BIGINT", "VARCHAR(1)", "DECIMAL(15,2)", "DATE", "VARCHAR(15)", "VARCHAR(15)", "INT",
          "VARCHAR(79)"}},
        {"lineitem",
         {"l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity", "l_extendedprice", "l_discount",
          "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct",
          "l_shipmode", "l_comment"},
         {"BIGINT", "BIGINT", "BIGINT", "INT", "DECIMAL(15,2)", "DECIMAL(15,2)", "DECIMAL(15,2)", "DECIMAL(15,2)",
          "VARCHAR(1)", "VARCHAR(1)", "DATE", "DATE", "DATE", "VARCHAR(25)", "VARCHAR(10)", "VARCHAR(44)"}},
    };
    return tables;
}

int64_t TpchRowCount(const std::string& table, double sf) {
    Sizes sz(sf);
    if (table == "region") return 5;
    if (table == "nation") return 25;
    if (table == "supplier") return sz.suppliers;
    if (table == "part") return sz.parts;
    if (table == "partsupp") return sz.parts * 4;
    if (table == "customer") return sz.customers;
    if (table == "orders") return sz.orders;
    if (table == "lineitem") return sz.orders * 4;
    throw std::invalid_argument("no TPC-H table '" + table + "'");
}

void GenerateTpch(const std::string& table, double sf, uint64_t seed,
                  const std::function<void(const std::vector<std::string>&)>& row) {
    Sizes sz(sf);
    auto S = [&](uint64_t column) { return Stream(seed, column); };
    std::vector<std::string> f;
    if (table == "region") {
        Stream c = S(kRComment);
        for (int r = 0; r < 5; ++r) {
            f = {std::to_string(r), kRegions[r], Text(c, r, 31, 115)};
            row(f);
        }
    } else if (table == "nation") {
        Stream c = S(kNComment);
        for (int n = 0; n < 25; ++n) {
            f = {std::to_string(n), kNations[n].name, std::to_string(kNations[n].region), Text(c, n, 31, 114)};
            row(f);
        }
    } else if (table == "supplier") {
        Stream addr = S(kSAddress), nat = S(kSNation), ph = S(kSPhone), acct = S(kSAcct), com = S(kSComment),
               special = S(kSSpecial);
        for (int64_t k = 1; k <= sz.suppliers; ++k) {
            int nation = static_cast<int>(nat.Uniform(k, 0, 24));
            std::string comment = Text(com, k, 25, 100);
            // About 5 in 10000 suppliers get "Customer ... Complaints", 5 "Customer ... Recommends" (Q16).
            uint64_t pick = special.Bits(k) % 10000;
            if (pick < 10) {
                std::string insert = pick < 5 ? "Customer slyly Complaints" : "Customer quickly Recommends";
                if (comment.size() > insert.size())
                    comment.replace(comment.size() / 2 - insert.size() / 2, insert.size(), insert);
            }
            f = {std::to_string(k),
                 Padded("Supplier#", k, 9),
                 VString(addr, k, 10, 40),
                 std::to_string(nation),
                 Phone(ph, k, nation),
                 Money(acct.Uniform(k, -99999, 999999)),
                 comment};
            row(f);
        }
    } else if (table == "part") {
        Stream name = S(kPName), mfgr = S(kPMfgr), brand = S(kPBrand), type = S(kPType), size = S(kPSize),
               cont = S(kPContainer), com = S(kPComment);
        for (int64_t k = 1; k <= sz.parts; ++k) {
            // Five distinct colors.
            std::string n;
            int used[5];
            for (int w = 0, tries = 0; w < 5; ++tries) {
                int c = static_cast<int>(name.Bits(k, static_cast<uint64_t>(tries)) % Count(kColors));
                bool dup = false;
                for (int j = 0; j < w; ++j) dup |= used[j] == c;
                if (dup) continue;
                used[w++] = c;
                n += (n.empty() ? "" : " ") + std::string(kColors[c]);
            }
            int64_t m = mfgr.Uniform(k, 1, 5);
            f = {std::to_string(k),
                 n,
                 "Manufacturer#" + std::to_string(m),
                 "Brand#" + std::to_string(m) + std::to_string(brand.Uniform(k, 1, 5)),
                 std::string(kType1[type.Uniform(k, 0, 5, 1)]) + " " + kType2[type.Uniform(k, 0, 4, 2)] + " " +
                     kType3[type.Uniform(k, 0, 4, 3)],
                 std::to_string(size.Uniform(k, 1, 50)),
                 std::string(kContainer1[cont.Uniform(k, 0, 4, 1)]) + " " + kContainer2[cont.Uniform(k, 0, 7, 2)],
                 Money(RetailCents(k)),
                 Text(com, k, 5, 22)};
            row(f);
        }
    } else if (table == "partsupp") {
        Stream qty = S(kPsQty), cost = S(kPsCost), com = S(kPsComment);
        for (int64_t p = 1; p <= sz.parts; ++p) {
            for (int i = 0; i < 4; ++i) {
                int64_t r = p * 4 + i;
                f = {std::to_string(p), std::to_string(PartSupplier(p, i, sz.suppliers)),
                     std::to_string(qty.Uniform(r, 1, 9999)), Money(cost.Uniform(r, 100, 100000)),
                     Text(com, r, 49, 198)};
                row(f);
            }
        }
    } else if (table == "customer") {
        Stream addr = S(kCAddress), nat = S(kCNation), ph = S(kCPhone), acct = S(kCAcct), seg = S(kCSegment),
               com = S(kCComment);
        for (int64_t k = 1; k <= sz.customers; ++k) {
            int nation = static_cast<int>(nat.Uniform(k, 0, 24));
            f = {std::to_string(k),
                 Padded("Customer#", k, 9),
                 VString(addr, k, 10, 40),
                 std::to_string(nation),
                 Phone(ph, k, nation),
                 Money(acct.Uniform(k, -99999, 999999)),
                 kSegments[seg.Uniform(k, 0, 4)],
                 Text(com, k, 29, 116)};
            row(f);
        }
    } else if (table == "orders" || table == "lineitem") {
        Stream cust = S(kOCust), prio = S(kOPriority), clerk = S(kOClerk), ocom = S(kOComment), instr = S(kLInstruct),
               mode = S(kLMode), lcom = S(kLComment);
        int64_t clerks = Scaled(sf, 1000);
        for (int64_t i = 0; i < sz.orders; ++i) {
            OrderLines o = MakeLines(seed, i, sz);
            int64_t key = OrderKey(i);
            if (table == "orders") {
                // Customers with a key divisible by 3 place no orders.
                int64_t c = cust.Uniform(i, 1, sz.customers);
                for (uint64_t k = 1; c % 3 == 0 && sz.customers >= 3; ++k) c = cust.Uniform(i, 1, sz.customers, k);
                int64_t total = 0;  // in 1/10000 cents, rounded at the end
                int f_count = 0, o_count = 0;
                for (int l = 0; l < o.count; ++l) {
                    const Line& x = o.lines[l];
                    total += x.extended_cents * (100 + x.tax) * (100 - x.discount);
                    f_count += x.status == 'F';
                    o_count += x.status == 'O';
                }
                std::string status = f_count == o.count ? "F" : (o_count == o.count ? "O" : "P");
                f = {std::to_string(key),
                     std::to_string(c),
                     status,
                     Money((total + 5000) / 10000),
                     DateText(o.orderdate),
                     kPriorities[prio.Uniform(i, 0, 4)],
                     Padded("Clerk#", clerk.Uniform(i, 1, clerks), 9),
                     "0",
                     Text(ocom, i, 19, 78)};
                row(f);
            } else {
                for (int l = 0; l < o.count; ++l) {
                    const Line& x = o.lines[l];
                    int64_t r = i * 8 + l;
                    f = {std::to_string(key),
                         std::to_string(x.partkey),
                         std::to_string(x.suppkey),
                         std::to_string(l + 1),
                         std::to_string(x.quantity) + ".00",
                         Money(x.extended_cents),
                         Money(x.discount),
                         Money(x.tax),
                         std::string(1, x.flag),
                         std::string(1, x.status),
                         DateText(x.ship),
                         DateText(x.commit),
                         DateText(x.receipt),
                         kInstructions[instr.Uniform(r, 0, 3)],
                         kModes[mode.Uniform(r, 0, 6)],
                         Text(lcom, r, 10, 43)};
                    row(f);
                }
            }
        }
    } else {
        throw std::invalid_argument("no TPC-H table '" + table + "'");
    }
}

std::vector<std::pair<std::string, int64_t>> WriteTpch(const std::string& dir, double sf, uint64_t seed) {
    std::vector<std::pair<std::string, int64_t>> counts;
    for (const auto& t : TpchTables()) {
        int64_t n = common::WriteTextTable(dir + "/" + t.name + ".tbl",
                                           [&](const common::RowSink& row) { GenerateTpch(t.name, sf, seed, row); });
        counts.emplace_back(t.name, n);
    }
    return counts;
}

}  // namespace floe::datagen
