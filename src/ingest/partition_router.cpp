#include "ingest/partition_router.h"

#include <algorithm>

#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {
std::string TupleKey(const std::vector<std::string>& values) {
    std::string key;
    for (const auto& v : values) {
        key += v;
        key.push_back('\x1f');
    }
    return key;
}
}  // namespace

PartitionRouter::PartitionRouter(const TableSchema& schema, const TableVersion& version) : schema_(schema) {
    for (const auto& p : version.partitions) Add(p);
    existing_ = partitions_.size();
}

uint32_t PartitionRouter::Add(PartitionInfo p) {
    uint32_t index = static_cast<uint32_t>(partitions_.size());
    by_name_[AsciiLower(p.name)] = index;
    if (schema_.partition.kind == ast::PartitionKind::RANGE ||
        schema_.partition.kind == ast::PartitionKind::TIME_EXPRESSION) {
        auto [lo, hi] = PartitionRange(schema_, p);
        Range r{lo, hi, index};
        ranges_.insert(std::upper_bound(ranges_.begin(), ranges_.end(), r,
                                        [](const Range& a, const Range& b) { return a.lo < b.lo; }),
                       r);
    } else {
        for (const auto& tuple : p.values) by_values_[TupleKey(tuple)] = index;
    }
    partitions_.push_back(std::move(p));
    return index;
}

std::vector<PartitionInfo> PartitionRouter::created() const {
    return std::vector<PartitionInfo>(partitions_.begin() + static_cast<std::ptrdiff_t>(existing_), partitions_.end());
}

uint32_t PartitionRouter::RouteRange(int64_t key, const Chunk& chunk, uint32_t row) {
    if (last_.index != UINT32_MAX && last_.lo <= key && key < last_.hi) return last_.index;
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key, [](int64_t k, const Range& r) { return k < r.lo; });
    if (it != ranges_.begin() && key < std::prev(it)->hi) {
        last_ = *std::prev(it);
        return last_.index;
    }
    if (schema_.partition.kind == ast::PartitionKind::TIME_EXPRESSION) {
        PartitionInfo p = TimePartitionFor(schema_, key);
        auto named = by_name_.find(AsciiLower(p.name));
        if (named != by_name_.end()) {  // a partition of that name with other bounds (added by hand)
            throw ConversionError("partition " + p.name + " exists with a different range than date_trunc gives",
                                  ErrorCode::BAD_FIELD_VALUE);
        }
        if (partitions_.size() - existing_ >= 4096) {
            throw ConversionError("a load may create at most 4096 partitions", ErrorCode::BAD_FIELD_VALUE);
        }
        auto [lo, hi] = PartitionRange(schema_, p);
        uint32_t index = Add(std::move(p));
        last_ = Range{lo, hi, index};
        return index;
    }
    const TableColumn& col = schema_.columns[schema_.partition_columns[0]];
    throw ConversionError("no partition holds " + col.name + " = '" +
                              chunk.column(schema_.partition_columns[0]).GetValue(row).ToString() + "'",
                          ErrorCode::BAD_FIELD_VALUE);
}

uint32_t PartitionRouter::RouteList(const Chunk& chunk, uint32_t row) {
    std::vector<std::string> values;
    for (size_t c : schema_.partition_columns) {
        if (chunk.column(c).IsNull(row)) {
            throw ConversionError("partition column '" + schema_.columns[c].name + "' is NULL; no partition holds NULL",
                                  ErrorCode::BAD_FIELD_VALUE);
        }
        values.push_back(chunk.column(c).GetValue(row).ToString());
    }
    std::string key = TupleKey(values);
    auto it = by_values_.find(key);
    if (it != by_values_.end()) return it->second;
    if (schema_.partition.kind == ast::PartitionKind::COLUMNS) {
        if (partitions_.size() - existing_ >= 4096) {
            throw ConversionError("a load may create at most 4096 partitions", ErrorCode::BAD_FIELD_VALUE);
        }
        return Add(ColumnPartitionFor(values, partitions_));
    }
    std::string text;
    for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + values[i];
    throw ConversionError("no partition holds the value (" + text + ")", ErrorCode::BAD_FIELD_VALUE);
}

void PartitionRouter::Route(const Chunk& chunk, std::vector<uint32_t>& out) {
    bool range = schema_.partition.kind == ast::PartitionKind::RANGE ||
                 schema_.partition.kind == ast::PartitionKind::TIME_EXPRESSION;
    size_t col = schema_.partition_columns[0];
    const Column& column = chunk.column(col);
    for (size_t i = 0; i < chunk.live_rows(); ++i) {
        uint32_t row = chunk.LiveRow(i);
        if (!range) {
            out.push_back(RouteList(chunk, row));
        } else if (column.IsNull(row)) {
            if (schema_.partition.kind == ast::PartitionKind::TIME_EXPRESSION) {
                throw ConversionError(
                    "partition column '" + schema_.columns[col].name + "' is NULL; date_trunc partitions need a value",
                    ErrorCode::BAD_FIELD_VALUE);
            }
            out.push_back(RouteRange(INT64_MIN, chunk, row));  // NULL goes to the lowest partition
        } else {
            out.push_back(RouteRange(RangeKeyOf(column, row), chunk, row));
        }
    }
}

void CheckPartitionsAllowed(const PartitionRouter& router, const std::vector<TabletRows>& groups,
                            const std::vector<std::string>& allowed) {
    if (allowed.empty()) return;
    for (const auto& g : groups) {
        const std::string& name = router.partitions()[g.partition].name;
        bool ok = false;
        for (const auto& a : allowed) ok |= AsciiEqualsIgnoreCase(a, name);
        if (!ok) {
            throw ConversionError(
                "a row belongs to partition " + name + ", which is not among the partitions being written",
                ErrorCode::BAD_FIELD_VALUE);
        }
    }
}

std::vector<TabletRows> SplitByTablet(const TableSchema& schema, PartitionRouter* router, std::vector<Chunk>& rows,
                                      bool track_sources) {
    std::vector<TabletRows> out;
    if (!router && !schema.bucketed()) {
        out.emplace_back();
        for (size_t c = 0; c < rows.size(); ++c) {
            if (rows[c].live_rows() == 0) continue;
            if (track_sources) {
                for (size_t i = 0; i < rows[c].live_rows(); ++i) {
                    out[0].sources.emplace_back(static_cast<uint32_t>(c), static_cast<uint32_t>(i));
                }
            }
            out[0].chunks.push_back(std::move(rows[c]));
        }
        rows.clear();
        if (out[0].chunks.empty()) out.clear();
        return out;
    }
    std::unordered_map<uint64_t, size_t> group_of;  // partition * buckets + bucket -> group
    std::vector<uint32_t> route;
    std::vector<const Column*> dist;
    std::string scratch;
    for (size_t c = 0; c < rows.size(); ++c) {
        Chunk& chunk = rows[c];
        size_t n = chunk.live_rows();
        if (n == 0) continue;
        route.assign(n, 0);
        if (router) {
            route.clear();
            router->Route(chunk, route);
        }
        dist.clear();
        for (size_t col : schema.distribution_columns) dist.push_back(&chunk.column(col));
        std::unordered_map<size_t, std::unique_ptr<SelectionVector>> selections;
        std::vector<size_t> touched;
        for (size_t i = 0; i < n; ++i) {
            uint32_t row = chunk.LiveRow(i);
            uint32_t bucket = schema.bucketed() ? BucketOf(dist, row, schema.buckets, scratch) : 0;
            uint64_t tablet = uint64_t{route[i]} * schema.buckets + bucket;
            auto [it, fresh] = group_of.emplace(tablet, out.size());
            if (fresh) {
                out.emplace_back();
                out.back().partition = route[i];
                out.back().bucket = bucket;
            }
            auto& sel = selections[it->second];
            if (!sel) {
                sel = std::make_unique<SelectionVector>();
                touched.push_back(it->second);
            }
            sel->push_back(row);
            if (track_sources) out[it->second].sources.emplace_back(static_cast<uint32_t>(c), static_cast<uint32_t>(i));
        }
        for (size_t g : touched) {
            Chunk part;
            for (size_t col = 0; col < chunk.column_count(); ++col) part.AddColumn(chunk.shared_column(col));
            part.SetSize(chunk.size());
            part.SetSelection(std::move(selections[g]));
            out[g].chunks.push_back(std::move(part));
        }
    }
    rows.clear();
    return out;
}

}  // namespace floe
