#pragma once
/// The simple conjuncts of a scan's filter that the scan can evaluate itself (`column op
/// constant`, the zone-map predicates), over one column's values: a Parquet scan evaluates them
/// while it decodes the column (once per dictionary entry on dictionary pages) and then decodes
/// the other columns only for the rows that pass. The filter above the scan still runs: these
/// only drop rows early.

#include <cstdint>
#include <vector>

#include "storage/encoding.h"
#include "types/value.h"
#include "vector/column.h"

namespace floe {

class ScanPredicate {
  public:
    /// Adds `value op constant` (the constant has the column's type, or is an integer for an
    /// integer column); returns false for a type this cannot evaluate (the conjunct is left to
    /// the filter above).
    bool Add(const LogicalType& column_type, ZoneOp op, const Value& constant);
    bool empty() const { return conjuncts_.empty(); }
    /// pass[i] = whether row begin + i of `values` satisfies every conjunct (NULL never does).
    void Evaluate(const Column& values, size_t begin, size_t n, uint8_t* pass) const;

  private:
    struct Conjunct {
        ZoneOp op;
        Value constant;
    };
    std::vector<Conjunct> conjuncts_;
};

}  // namespace floe
