#pragma once
/// A Star Schema Benchmark generator written for Floe (not derived from ssb-dbgen), following the
/// SSB specification (O'Neil, O'Neil, Chen: "Star Schema Benchmark", revision 3): LINEORDER (the
/// TPC-H orders' line items, about 6,000,000 x SF), CUSTOMER (30,000 x SF), SUPPLIER (2,000 x SF),
/// PART (200,000 x floor(1 + log2 SF)) and DATES (the 2,556 days of 1992-1998), plus
/// LINEORDER_FLAT, the denormalized table StarRocks' SSB benchmark queries. Cities are the first 9
/// characters of the nation's name and a digit; brands are category + 1..40; revenue, supply cost
/// and order totals are derived from the part's price as the specification says. Every value is a
/// pure function of (seed, table, column, row): reproducible and generated in any order.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace floe::datagen {

struct SsbTable {
    std::string name;
    std::vector<std::string> columns;
    std::vector<std::string> types;
};

/// customer, supplier, part, dates, lineorder, lineorder_flat.
const std::vector<SsbTable>& SsbTables();

/// Rows of a dimension at scale factor `sf` (lineorder: the expected value, orders x 4).
int64_t SsbRowCount(const std::string& table, double sf);

/// Calls `row` with the text fields of every row of `table`.
void GenerateSsb(const std::string& table, double sf, uint64_t seed,
                 const std::function<void(const std::vector<std::string>&)>& row);

/// Writes every table as '|'-separated text to `dir`/<table>.tbl; returns the rows per table.
std::vector<std::pair<std::string, int64_t>> WriteSsb(const std::string& dir, double sf, uint64_t seed = 0);

}  // namespace floe::datagen
