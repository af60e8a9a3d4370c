#pragma once
/// A TPC-H-shaped data generator written for Floe (not derived from the TPC's dbgen): the eight
/// tables at any scale factor, with the cardinalities, key relationships, value domains and
/// distributions the TPC-H specification (clause 4.2) states: sparse order keys (8 of every 32),
/// customers whose key is divisible by 3 place no orders, 1-7 line items per order, part-supplier
/// pairs derived from the part key, prices derived from the part key, dates and flags derived from
/// the order date and CURRENTDATE (1995-06-17). Text columns (comments, addresses) are random words
/// of the spec's vocabulary at the spec's lengths. Every value is a pure function of (seed, table,
/// column, row), so any part of a table can be generated independently and the output is
/// byte-for-byte reproducible.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace floe::datagen {

struct TpchTable {
    std::string name;
    std::vector<std::string> columns;
    /// "BIGINT", "INT", "DECIMAL(15,2)", "DATE", "VARCHAR(25)", ...: the spec's types.
    std::vector<std::string> types;
};

/// The eight tables in load order (region, nation, supplier, part, partsupp, customer, orders,
/// lineitem).
const std::vector<TpchTable>& TpchTables();

/// Rows of `table` at scale factor `sf` (lineitem: the exact count needs generation; this is the
/// number of orders times four, its expected value).
int64_t TpchRowCount(const std::string& table, double sf);

/// Calls `row` with the text fields of every row of `table`, in key order.
void GenerateTpch(const std::string& table, double sf, uint64_t seed,
                  const std::function<void(const std::vector<std::string>&)>& row);

/// Writes every table as '|'-separated text (no trailing separator) to `dir`/<table>.tbl;
/// returns the rows written per table.
std::vector<std::pair<std::string, int64_t>> WriteTpch(const std::string& dir, double sf, uint64_t seed = 0);

}  // namespace floe::datagen
