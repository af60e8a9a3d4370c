#include "lake/iceberg/iceberg_table.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/ascii.h"
#include "common/exception.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "io/s3_file_system.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/scan_observations.h"
#include "lake/iceberg/single_value.h"
#include "types/date_time.h"

namespace floe::iceberg {

namespace {

std::string StripFileScheme(std::string p) {
    if (p.rfind("file://", 0) == 0) {
        p = p.substr(7);
    } else if (p.rfind("file:", 0) == 0) {
        p = p.substr(5);
    }
    return p;
}

std::string NormaliseLocation(std::string p) {
    p = StripFileScheme(std::move(p));
    while (p.rfind("./", 0) == 0) p = p.substr(2);
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

/// "scheme://authority/rest" -> "/rest"; other paths unchanged.
std::string StripAuthority(const std::string& p) {
    auto scheme = p.find("://");
    if (scheme == std::string::npos) return p;
    auto slash = p.find('/', scheme + 3);
    return slash == std::string::npos ? std::string("/") : p.substr(slash);
}

bool HasScheme(const std::string& p) {
    auto colon = p.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    for (size_t i = 0; i < colon; ++i) {
        char c = p[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseLocationRewrites(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find(';', pos);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(pos, end - pos);
        pos = end + 1;
        if (item.empty()) continue;
        auto arrow = item.find("=>");
        if (arrow == std::string::npos || arrow == 0) {
            throw BinderError("'location.rewrite' takes 'from=>to' pairs separated by ';', not '" + item + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        out.emplace_back(item.substr(0, arrow), item.substr(arrow + 2));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return out;
}

LocationResolver::LocationResolver(std::string table_location, std::string table_dir,
                                   std::vector<std::pair<std::string, std::string>> rewrites)
    : location_(NormaliseLocation(std::move(table_location))),
      table_dir_(std::move(table_dir)),
      rewrites_(std::move(rewrites)) {
    while (table_dir_.size() > 1 && table_dir_.back() == '/') table_dir_.pop_back();
}

std::string LocationResolver::Resolve(const std::string& raw) const {
    for (const auto& [from, to] : rewrites_) {
        if (raw.rfind(from, 0) == 0) return StripFileScheme(to + raw.substr(from.size()));
    }
    std::string p = StripFileScheme(raw);
    if (!table_dir_.empty() && !location_.empty()) {
        auto under = [&](const std::string& candidate) -> std::optional<std::string> {
            std::string c = candidate;
            while (c.rfind("./", 0) == 0) c = c.substr(2);
            if (c.rfind(location_, 0) == 0 && (c.size() == location_.size() || c[location_.size()] == '/')) {
                return table_dir_ + c.substr(location_.size());
            }
            return std::nullopt;
        };
        if (auto r = under(p)) return *r;
        std::string bare_location = StripAuthority(location_);
        if (HasScheme(p)) {
            std::string bare = StripAuthority(p);
            if (bare.rfind(bare_location, 0) == 0 &&
                (bare.size() == bare_location.size() || bare[bare_location.size()] == '/')) {
                return table_dir_ + bare.substr(bare_location.size());
            }
        }
    }
    if (!p.empty() && p[0] != '/' && !HasScheme(p) && !table_dir_.empty()) {
        // A relative path: against the nearest ancestor of the table directory that holds it.
        if (relative_base_.empty()) {
            std::filesystem::path dir(table_dir_);
            while (!dir.empty()) {
                std::error_code ec;
                if (std::filesystem::exists(dir / p, ec)) {
                    relative_base_ = dir.string();
                    break;
                }
                if (dir == dir.parent_path()) break;
                dir = dir.parent_path();
            }
        }
        if (!relative_base_.empty()) return relative_base_ + "/" + p;
    }
    return p;
}

std::string CheckReadable(const std::string& path) {
    // Local files a table names (metadata, manifests, data and delete files) obey the file roots
    // as every user-named path does: a manifest cannot point Floe at files outside them.
    if (!IsS3Path(path)) FileRoots::Check(path);
    return path;
}

std::string ReadFileBytes(const std::string& path) {
    CheckReadable(path);
    auto file = FileSystemFor(path).Open(path);
    return file->ReadAt(0, file->size());
}

namespace {

/// Orders two non-null values of the same Floe type; nullopt when they cannot be compared.
std::optional<int> CompareValues(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return std::nullopt;
    const LogicalType& t = a.type();
    auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    switch (t.id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::DATE:
        case TypeId::DATETIME:
            if (!(b.type().IsInteger() || b.type().id == TypeId::DATE || b.type().id == TypeId::DATETIME ||
                  b.type().id == TypeId::BOOLEAN)) {
                return std::nullopt;
            }
            return sign(a.GetInt(), b.GetInt());
        case TypeId::FLOAT:
        case TypeId::DOUBLE:
            if (!b.type().IsFloating()) return std::nullopt;
            if (a.GetDouble() != a.GetDouble() || b.GetDouble() != b.GetDouble()) return std::nullopt;  // NaN
            return sign(a.GetDouble(), b.GetDouble());
        case TypeId::DECIMAL:
            if (b.type().id != TypeId::DECIMAL || b.type().scale != t.scale) return std::nullopt;
            return sign(a.GetInt128(), b.GetInt128());
        case TypeId::VARCHAR:
            if (b.type().id != TypeId::VARCHAR) return std::nullopt;
            return sign(a.GetString().compare(b.GetString()), 0);
        default:
            return std::nullopt;
    }
}

std::optional<PredicateOp> OpOf(const std::string& op) {
    if (op == "equal") return PredicateOp::EQ;
    if (op == "less") return PredicateOp::LT;
    if (op == "less_equal") return PredicateOp::LT_EQ;
    if (op == "greater") return PredicateOp::GT;
    if (op == "greater_equal") return PredicateOp::GT_EQ;
    if (op == "is_null") return PredicateOp::IS_NULL;
    if (op == "is_not_null") return PredicateOp::NOT_NULL;
    return std::nullopt;
}

/// Whether some value in [lower, upper] (either may be unknown) can satisfy `v op constant`.
bool RangeMayMatch(const std::optional<Value>& lower, const std::optional<Value>& upper, PredicateOp op,
                   const Value& constant) {
    auto cmp = [&](const std::optional<Value>& bound) -> std::optional<int> {
        if (!bound) return std::nullopt;
        return CompareValues(*bound, constant);
    };
    auto lo = cmp(lower), hi = cmp(upper);
    switch (op) {
        case PredicateOp::EQ:
            return !(lo && *lo > 0) && !(hi && *hi < 0);
        case PredicateOp::LT:
            return !(lo && *lo >= 0);
        case PredicateOp::LT_EQ:
            return !(lo && *lo > 0);
        case PredicateOp::GT:
            return !(hi && *hi <= 0);
        case PredicateOp::GT_EQ:
            return !(hi && *hi < 0);
        default:
            return true;
    }
}

/// A partition value (as Avro decoded it) as a Floe value of `type` (a partition field's result type).
Value PartitionDatumValue(const Type& type, const avro::Datum& d) {
    LogicalType floe = ToFloeType(type);
    if (d.is_null()) return Value::Null(floe);
    using K = avro::Datum::Kind;
    switch (d.kind) {
        case K::BOOLEAN:
            return Value::Boolean(d.boolean);
        case K::INT:
        case K::LONG:
            switch (type.kind) {
                case TypeKind::INT:
                    return Value::Integer(d.integer, TypeId::INT);
                case TypeKind::LONG:
                    return Value::Integer(d.integer, TypeId::BIGINT);
                case TypeKind::DATE:
                    return Value::Date(static_cast<int32_t>(d.integer));
                case TypeKind::TIMESTAMP:
                case TypeKind::TIMESTAMPTZ:
                    return Value::Datetime(d.integer);
                case TypeKind::TIMESTAMP_NS:
                case TypeKind::TIMESTAMPTZ_NS: {
                    int64_t micros = d.integer / 1000 - (d.integer % 1000 < 0 ? 1 : 0);
                    return Value::Datetime(micros);
                }
                case TypeKind::TIME:
                    return Value::Varchar(FormatTimeOfDay(d.integer));
                case TypeKind::BOOLEAN:
                    return Value::Boolean(d.integer != 0);
                default:
                    return Value::Integer(d.integer, floe.id == TypeId::INT ? TypeId::INT : TypeId::BIGINT);
            }
        case K::FLOAT:
            return Value::Float(static_cast<float>(d.real));
        case K::DOUBLE:
            return type.kind == TypeKind::FLOAT ? Value::Float(static_cast<float>(d.real)) : Value::Double(d.real);
        case K::STRING:
            return Value::Varchar(d.bytes);
        case K::BYTES:
        case K::FIXED:
            if (auto v = DecodeBound(type, d.bytes)) return *v;
            return Value::Null(floe);
        default:
            return Value::Null(floe);
    }
}

/// A partition tuple's identity (spec id and values), to match deletes to data files.
std::string PartitionKey(int32_t spec_id, const std::vector<PartitionValue>& values) {
    std::string key = std::to_string(spec_id);
    for (const auto& v : values) {
        key.push_back('\x1f');
        key += std::to_string(static_cast<int>(v.value.kind));
        key.push_back(':');
        key += v.value.bytes;
        key += std::to_string(v.value.integer);
        key += std::to_string(v.value.real);
        key += v.value.boolean ? "t" : "f";
    }
    return key;
}

/// A filter conjunct, bound to the table's schema.
struct BoundFilter {
    int32_t field_id = 0;
    const Type* type = nullptr;
    PredicateOp op = PredicateOp::EQ;
    Value constant;
};

/// Per partition spec: for each filter, the projections onto that spec's partition fields.
struct SpecFilters {
    struct Projected {
        size_t field_index;  // position in the spec (and in the partition tuple / summaries)
        Type result_type;
        ProjectedPredicate predicate;
    };
    std::vector<Projected> projected;
};

SpecFilters ProjectFilters(const PartitionSpec& spec, const Schema& schema, const std::vector<BoundFilter>& filters) {
    SpecFilters out;
    for (const auto& f : filters) {
        for (size_t i = 0; i < spec.fields.size(); ++i) {
            const PartitionField& pf = spec.fields[i];
            if (pf.source_id != f.field_id || pf.source_ids.size() > 1) continue;
            const NestedField* source = schema.FindField(pf.source_id);
            if (!source || !CanTransform(pf.transform, source->type)) continue;
            std::optional<ProjectedPredicate> p;
            try {
                p = ProjectInclusive(pf.transform, source->type, f.op, f.constant);
            } catch (const Exception&) {
                p.reset();  // a value the transform cannot take: no pruning by it
            }
            if (!p) continue;
            out.projected.push_back({i, TransformResultType(pf.transform, source->type), std::move(*p)});
        }
    }
    return out;
}

bool ProjectedMayMatch(const ProjectedPredicate& p, const std::optional<Value>& lower,
                       const std::optional<Value>& upper) {
    if (p.op == PredicateOp::IN) {
        for (const auto& v : p.values) {
            if (RangeMayMatch(lower, upper, PredicateOp::EQ, v)) return true;
        }
        return p.values.empty();
    }
    return RangeMayMatch(lower, upper, p.op, p.value);
}

/// Whether a manifest's partition summaries leave room for the filters.
bool ManifestMayMatch(const ManifestFile& m, const SpecFilters& filters) {
    if (!m.partitions) return true;
    for (const auto& pr : filters.projected) {
        if (pr.field_index >= m.partitions->size()) continue;
        const FieldSummary& s = (*m.partitions)[pr.field_index];
        if (pr.predicate.op == PredicateOp::IS_NULL) {
            if (!s.contains_null) return false;
            continue;
        }
        if (pr.predicate.op == PredicateOp::NOT_NULL) {
            if (!s.lower_bound && !s.upper_bound && s.contains_null && !s.contains_nan.value_or(false)) return false;
            continue;
        }
        if (pr.predicate.op == PredicateOp::NOT_EQ) continue;
        std::optional<Value> lower, upper;
        if (s.lower_bound) lower = DecodeBound(pr.result_type, *s.lower_bound);
        if (s.upper_bound) upper = DecodeBound(pr.result_type, *s.upper_bound);
        if (!s.lower_bound && !s.upper_bound) {
            // No non-null value: only NULL partitions, which no comparison matches.
            if (s.contains_null && !s.contains_nan.value_or(false)) return false;
            continue;
        }
        if (!ProjectedMayMatch(pr.predicate, lower, upper)) return false;
    }
    return true;
}

bool PartitionMayMatch(const DataFile& file, const PartitionSpec& spec, const SpecFilters& filters) {
    for (const auto& pr : filters.projected) {
        if (pr.field_index >= file.partition.size() || pr.field_index >= spec.fields.size()) continue;
        Value v = PartitionDatumValue(pr.result_type, file.partition[pr.field_index].value);
        if (pr.predicate.op == PredicateOp::IS_NULL) {
            if (!v.is_null()) return false;
            continue;
        }
        if (pr.predicate.op == PredicateOp::NOT_NULL) {
            if (v.is_null()) return false;
            continue;
        }
        if (pr.predicate.op == PredicateOp::NOT_EQ) continue;
        if (v.is_null()) return false;
        if (!ProjectedMayMatch(pr.predicate, v, v)) return false;
    }
    return true;
}

bool StatsMayMatch(const DataFile& file, const std::vector<BoundFilter>& filters) {
    for (const auto& f : filters) {
        auto nulls = file.null_value_counts.find(f.field_id);
        auto values = file.value_counts.find(f.field_id);
        bool all_null = nulls != file.null_value_counts.end() && values != file.value_counts.end() &&
                        nulls->second == values->second;
        if (f.op == PredicateOp::IS_NULL) {
            if (nulls != file.null_value_counts.end() && nulls->second == 0) return false;
            continue;
        }
        if (f.op == PredicateOp::NOT_NULL) {
            if (all_null) return false;
            continue;
        }
        if (all_null) {
            auto nans = file.nan_value_counts.find(f.field_id);
            if (nans == file.nan_value_counts.end() || nans->second == 0) return false;
            continue;
        }
        if (!f.type->IsPrimitive()) continue;
        std::optional<Value> lower, upper;
        auto lo = file.lower_bounds.find(f.field_id);
        auto hi = file.upper_bounds.find(f.field_id);
        if (lo != file.lower_bounds.end()) lower = DecodeBound(*f.type, lo->second);
        if (hi != file.upper_bounds.end()) upper = DecodeBound(*f.type, hi->second);
        if (!RangeMayMatch(lower, upper, f.op, f.constant)) return false;
    }
    return true;
}

/// Whether a column's bounds in the manifests are its true minimum and maximum: numbers, dates and
/// times always (floats only when every file counts its NaNs, as none); strings and binary only
/// under metrics mode full (the default truncate(16) may shorten them, and then the upper bound is
/// not a value of the column).
bool BoundsAreExact(const NestedField& field, const std::map<std::string, std::string>& properties) {
    switch (field.type.kind) {
        case TypeKind::INT:
        case TypeKind::LONG:
        case TypeKind::DATE:
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::DECIMAL:
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE:
            break;
        case TypeKind::STRING: {
            auto mode = properties.find("write.metadata.metrics.column." + field.name);
            if (mode == properties.end()) mode = properties.find("write.metadata.metrics.default");
            if (mode == properties.end() || mode->second != "full") return false;
            break;
        }
        default:
            return false;
    }
    return true;
}

/// The exact [min, max] of a column over `files` (no deletes apply), or nullopt when a file lacks
/// what it takes to know it.
std::optional<std::pair<Value, Value>> ExactBounds(const NestedField& field,
                                                   const std::map<std::string, std::string>& properties,
                                                   const std::vector<const DataFile*>& files) {
    if (!BoundsAreExact(field, properties)) return std::nullopt;
    bool floating = field.type.kind == TypeKind::FLOAT || field.type.kind == TypeKind::DOUBLE;
    LogicalType type = ToFloeType(field.type);
    std::optional<Value> lo, hi;
    for (const DataFile* f : files) {
        if (floating) {
            auto nans = f->nan_value_counts.find(field.id);
            if (nans == f->nan_value_counts.end() || nans->second != 0) return std::nullopt;
        }
        auto values = f->value_counts.find(field.id);
        auto nulls = f->null_value_counts.find(field.id);
        if (values != f->value_counts.end() && nulls != f->null_value_counts.end() && values->second == nulls->second) {
            continue;  // every value NULL: no bound, nothing to add
        }
        auto l = f->lower_bounds.find(field.id);
        auto h = f->upper_bounds.find(field.id);
        if (l == f->lower_bounds.end() || h == f->upper_bounds.end()) return std::nullopt;
        auto lv = DecodeBound(field.type, l->second), hv = DecodeBound(field.type, h->second);
        if (!lv || !hv) return std::nullopt;
        if (!lo) {
            lo = *lv;
            hi = *hv;
            continue;
        }
        auto cl = CompareValues(*lv, *lo), ch = CompareValues(*hv, *hi);
        if (!cl || !ch) return std::nullopt;
        if (*cl < 0) lo = *lv;
        if (*ch > 0) hi = *hv;
    }
    if (!lo) return std::make_pair(Value::Null(type), Value::Null(type));
    return std::make_pair(*lo, *hi);
}

}  // namespace

IcebergTable::IcebergTable(std::string name, std::shared_ptr<const TableMetadata> metadata, std::string metadata_path,
                           const SnapshotSelector& selector, LocationResolver resolver)
    : name_(std::move(name)),
      metadata_(std::move(metadata)),
      metadata_path_(std::move(metadata_path)),
      resolver_(std::move(resolver)),
      time_zone_(selector.time_zone) {
    if (metadata_->encrypted) {
        throw NotSupportedError("Iceberg table " + name_ + " is encrypted ('" + metadata_path_ +
                                "' has encryption-keys); Floe cannot read encrypted tables");
    }
    schema_ = &metadata_->current_schema();
    switch (selector.kind) {
        case SnapshotSelector::Kind::CURRENT:
            snapshot_ = metadata_->current_snapshot();
            break;
        case SnapshotSelector::Kind::VERSION: {
            if (selector.numeric) {
                int64_t id = 0;
                try {
                    id = std::stoll(selector.value);
                } catch (const std::exception&) {
                    throw CatalogError("snapshot id " + selector.value + " is out of range",
                                       ErrorCode::WRONG_ARGUMENTS);
                }
                snapshot_ = metadata_->FindSnapshot(id);
                if (snapshot_) {
                    if (!selector.current_schema) schema_ = &metadata_->SchemaFor(*snapshot_);
                    break;
                }
            }
            auto ref = metadata_->refs.find(selector.value);
            if (ref == metadata_->refs.end()) {
                throw CatalogError(
                    "Iceberg table " + name_ + " has no snapshot, branch or tag '" + selector.value + "'",
                    ErrorCode::WRONG_ARGUMENTS);
            }
            snapshot_ = metadata_->FindSnapshot(ref->second.snapshot_id);
            if (!snapshot_) {
                throw IOError("'" + metadata_path_ + "': ref '" + selector.value + "' names snapshot " +
                              std::to_string(ref->second.snapshot_id) + ", which the metadata does not list");
            }
            if (ref->second.kind == SnapshotRef::Kind::TAG) schema_ = &metadata_->SchemaFor(*snapshot_);
            break;
        }
        case SnapshotSelector::Kind::TIMESTAMP:
            snapshot_ = metadata_->SnapshotAsOf(selector.timestamp_ms);
            if (!snapshot_) {
                throw CatalogError("Iceberg table " + name_ + " has no snapshot as of '" + selector.value + "'",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            schema_ = &metadata_->SchemaFor(*snapshot_);
            break;
    }
    if (selector.appended_after) {
        // The snapshots after the one an incremental refresh consumed, each an append.
        added_by_.emplace();
        const int64_t after = *selector.appended_after;
        bool reached = after == 0;
        for (const Snapshot* s = snapshot_; s && !(after != 0 && s->snapshot_id == after);
             s = s->parent_snapshot_id ? metadata_->FindSnapshot(*s->parent_snapshot_id) : nullptr) {
            if (s->operation() != "append") {
                throw NotSupportedError("Iceberg table " + name_ + " has a snapshot (" +
                                        std::to_string(s->snapshot_id) + ", '" + s->operation() +
                                        "') that is not an append since snapshot " + std::to_string(after));
            }
            added_by_->insert(s->snapshot_id);
            if (after != 0 && s->parent_snapshot_id == after) reached = true;
        }
        if (snapshot_ && after != 0 && snapshot_->snapshot_id == after) reached = true;
        if (!reached) {
            throw NotSupportedError("snapshot " + std::to_string(after) +
                                    " is no longer an ancestor of Iceberg table " + name_ +
                                    "'s current one (a rollback, or expired history)");
        }
    }
    // Iceberg names are case-sensitive, Floe's are not: a name equal to an earlier one but for
    // case is shown with a suffix (user_id, uSeR_Id_1), as DuckDB does, so both can be selected.
    for (const auto& f : schema_->fields) {
        std::string name = f.name;
        auto taken = [&](const std::string& n) {
            for (const auto& c : columns_) {
                if (AsciiEqualsIgnoreCase(c.name, n)) return true;
            }
            return false;
        };
        for (int k = 1; taken(name); ++k) name = f.name + "_" + std::to_string(k);
        columns_.push_back({name, ToFloeType(f.type), !f.required, f.doc});
    }
}

int64_t IcebergTable::EstimatedRows() const {
    if (!snapshot_) return 0;
    auto it = snapshot_->summary.find("total-records");
    if (it != snapshot_->summary.end()) {
        try {
            return std::stoll(it->second);
        } catch (const std::exception&) {
        }
    }
    return 1000;
}

double IcebergTable::DistinctEstimate(size_t column) const {
    std::call_once(distinct_once_, [&] {
        distinct_.assign(columns_.size(), -1);
        if (!snapshot_) return;
        const double rows = static_cast<double>(EstimatedRows());
        std::vector<std::optional<int64_t>> lo(columns_.size()), hi(columns_.size());
        std::vector<bool> known(columns_.size(), true);
        try {
            for (const auto& m : Manifests()) {
                if (m.content != ManifestContent::DATA) continue;
                std::string path = resolver_.Resolve(m.path);
                for (const auto& e : ReadManifest(ReadFileBytes(path), "manifest '" + path + "'", m)) {
                    if (e.status == EntryStatus::DELETED) continue;
                    for (size_t c = 0; c < schema_->fields.size(); ++c) {
                        const NestedField& f = schema_->fields[c];
                        if (!known[c]) continue;
                        auto l = e.file.lower_bounds.find(f.id);
                        auto h = e.file.upper_bounds.find(f.id);
                        if (l == e.file.lower_bounds.end() || h == e.file.upper_bounds.end()) {
                            // Only NULLs (no bounds) leave the span alone; otherwise it is unknown.
                            auto nulls = e.file.null_value_counts.find(f.id);
                            if (nulls == e.file.null_value_counts.end() || nulls->second != e.file.record_count) {
                                known[c] = false;
                            }
                            continue;
                        }
                        auto lv = DecodeBound(f.type, l->second), hv = DecodeBound(f.type, h->second);
                        if (!lv || !hv || lv->is_null() || hv->is_null()) {
                            known[c] = false;
                            continue;
                        }
                        TypeId id = lv->type().id;
                        if (id != TypeId::INT && id != TypeId::BIGINT && id != TypeId::DATE && id != TypeId::SMALLINT &&
                            id != TypeId::TINYINT) {
                            known[c] = false;
                            continue;
                        }
                        int64_t a = lv->GetInt(), b = hv->GetInt();
                        if (!lo[c] || a < *lo[c]) lo[c] = a;
                        if (!hi[c] || b > *hi[c]) hi[c] = b;
                    }
                }
            }
        } catch (const Exception&) {
            return;  // unreadable manifests: no estimates (the scan reports the error)
        }
        for (size_t c = 0; c < schema_->fields.size(); ++c) {
            if (!known[c] || !lo[c]) continue;
            double span = static_cast<double>(*hi[c]) - static_cast<double>(*lo[c]) + 1;
            distinct_[c] = std::max(1.0, std::min(span, rows));
        }
    });
    return column < distinct_.size() ? distinct_[column] : -1;
}

std::vector<ManifestFile> IcebergTable::Manifests() const {
    if (!snapshot_) return {};
    if (!snapshot_->manifest_list.empty()) {
        std::string path = resolver_.Resolve(snapshot_->manifest_list);
        return ReadManifestList(ReadFileBytes(path), "manifest list '" + path + "'", metadata_->format_version);
    }
    std::vector<ManifestFile> out;
    for (const auto& m : snapshot_->manifests) {
        ManifestFile f;
        f.path = m;
        f.added_snapshot_id = snapshot_->snapshot_id;
        f.format_version = metadata_->format_version;
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<SourceColumn> IcebergTable::metadata_columns() const {
    return {{"_file", LogicalType::Varchar(), false, "the data file the row comes from"},
            {"_pos", TypeId::BIGINT, false, "the row's position in its data file"}};
}

std::shared_ptr<const ScanPlan> IcebergTable::PlanScan(const std::vector<size_t>& /*columns*/,
                                                       const std::vector<ScanFilter>& filters) const {
    auto plan = std::make_shared<IcebergScanPlan>();
    plan->columns = columns_;
    for (const auto& f : schema_->fields) {
        plan->field_ids.push_back(f.id);
        bool tz = f.type.kind == TypeKind::TIMESTAMPTZ || f.type.kind == TypeKind::TIMESTAMPTZ_NS;
        plan->local_time.push_back(tz && time_zone_.has_value());
    }
    for (const auto& c : metadata_columns()) plan->columns.push_back(c);
    plan->field_ids.push_back(kFilePathFieldId);
    plan->field_ids.push_back(kPositionFieldId);
    plan->local_time.push_back(false);
    plan->local_time.push_back(false);
    plan->position_column = plan->columns.size() - 1;
    plan->zone = time_zone_;
    if (metadata_->name_mapping) {
        for (const auto& m : metadata_->name_mapping->fields()) {
            if (!m.field_id) continue;
            for (const auto& n : m.names) plan->name_mapping[AsciiLower(n)] = *m.field_id;
        }
    }
    LocationResolver resolver = resolver_;
    plan->resolve_path = [resolver](const std::string& p) { return resolver.Resolve(p); };
    if (!snapshot_) {
        plan->exact_row_count = 0;
        return plan;
    }

    std::vector<BoundFilter> bound;
    for (const auto& f : filters) {
        if (f.column >= schema_->fields.size()) continue;
        auto op = OpOf(f.op);
        if (!op) continue;
        const NestedField& field = schema_->fields[f.column];
        Value constant = f.constant;
        if (plan->local_time[f.column] && !constant.is_null() && constant.type().id == TypeId::DATETIME) {
            constant = Value::Datetime(time_zone_->ToUtc(constant.GetInt()));  // files hold UTC
        }
        bound.push_back({field.id, &field.type, *op, constant});
    }
    std::map<int32_t, SpecFilters> spec_filters;
    auto filters_of = [&](int32_t spec_id) -> const SpecFilters* {
        auto it = spec_filters.find(spec_id);
        if (it != spec_filters.end()) return &it->second;
        const PartitionSpec* spec = metadata_->FindSpec(spec_id);
        if (!spec) return nullptr;
        return &spec_filters.emplace(spec_id, ProjectFilters(*spec, *schema_, bound)).first->second;
    };

    std::vector<ManifestFile> manifests = Manifests();
    int64_t manifests_kept = 0, data_manifests = 0, files_total = 0;
    struct PlannedDelete {
        DataFile file;
        int64_t sequence_number;
        int32_t spec_id;
        bool unpartitioned;
        std::string partition_key;
    };
    struct PlannedData {
        DataFile file;
        int64_t sequence_number;
        int32_t spec_id;
        std::string partition_key;
    };
    std::vector<PlannedDelete> deletes;
    std::vector<PlannedData> data;
    bool any_deletes = false;
    int64_t all_rows = 0;
    for (const auto& m : manifests) {
        if (m.key_metadata) {
            throw NotSupportedError("manifest '" + m.path + "' of Iceberg table " + name_ +
                                    " is encrypted; Floe cannot read encrypted tables");
        }
        const PartitionSpec* spec = metadata_->FindSpec(m.partition_spec_id);
        if (!spec) {
            throw IOError("manifest '" + m.path + "' names partition spec " + std::to_string(m.partition_spec_id) +
                          ", which '" + metadata_path_ + "' does not define");
        }
        const SpecFilters* sf = filters_of(m.partition_spec_id);
        bool is_data = m.content == ManifestContent::DATA;
        // Only new files: a manifest written before the snapshots read holds none of them.
        if (is_data && added_by_ && !added_by_->count(m.added_snapshot_id)) continue;
        if (is_data) {
            ++data_manifests;
            if (sf && !ManifestMayMatch(m, *sf)) continue;
            ++manifests_kept;
        } else {
            any_deletes = true;
        }
        std::string path = resolver_.Resolve(m.path);
        std::vector<ManifestEntry> entries = ReadManifest(ReadFileBytes(path), "manifest '" + path + "'", m);
        for (auto& e : entries) {
            if (e.status == EntryStatus::DELETED) continue;
            int64_t seq = e.sequence_number.value_or(0);
            if (e.file.content == DataFileContent::DATA) {
                if (!is_data) continue;
                if (added_by_ && !added_by_->count(e.snapshot_id.value_or(m.added_snapshot_id))) continue;
                ++files_total;
                all_rows += e.file.record_count;
                if (sf && !PartitionMayMatch(e.file, *spec, *sf)) continue;
                if (!StatsMayMatch(e.file, bound)) continue;
                std::string key = PartitionKey(m.partition_spec_id, e.file.partition);
                data.push_back({std::move(e.file), seq, m.partition_spec_id, std::move(key)});
            } else {
                any_deletes = true;
                std::string key = PartitionKey(m.partition_spec_id, e.file.partition);
                deletes.push_back(
                    {std::move(e.file), seq, m.partition_spec_id, spec->IsUnpartitioned(), std::move(key)});
            }
        }
    }

    // Deletes by partition (global ones, from an unpartitioned spec, apply everywhere).
    std::unordered_map<std::string, std::vector<size_t>> deletes_by_partition;
    std::vector<size_t> global_deletes;
    std::unordered_map<std::string, std::vector<size_t>> dvs_by_file;
    for (size_t i = 0; i < deletes.size(); ++i) {
        const PlannedDelete& d = deletes[i];
        DeleteFileRef ref;
        ref.content = d.file.content == DataFileContent::POSITION_DELETES ? DeleteFileRef::Content::POSITION
                                                                          : DeleteFileRef::Content::EQUALITY;
        ref.path = CheckReadable(resolver_.Resolve(d.file.file_path));
        ref.format = d.file.file_format;
        ref.record_count = d.file.record_count;
        ref.equality_ids = d.file.equality_ids;
        for (int32_t id : ref.equality_ids) {
            int column = -1;
            for (size_t c = 0; c < schema_->fields.size(); ++c) {
                if (schema_->fields[c].id == id) column = static_cast<int>(c);
            }
            ref.equality_columns.push_back(column);
        }
        ref.content_offset = d.file.content_offset;
        ref.content_size = d.file.content_size_in_bytes;
        if (d.file.referenced_data_file) ref.referenced_data_file = resolver_.Resolve(*d.file.referenced_data_file);
        plan->delete_files.push_back(std::move(ref));
        if (d.file.file_format == "PUFFIN" && d.file.referenced_data_file) {
            dvs_by_file[*plan->delete_files.back().referenced_data_file].push_back(i);
        } else if (d.unpartitioned) {
            global_deletes.push_back(i);
        } else {
            deletes_by_partition[d.partition_key].push_back(i);
        }
    }
    auto applies = [&](const PlannedDelete& d, const PlannedData& f, const std::string& resolved) {
        if (d.file.content == DataFileContent::POSITION_DELETES) {
            if (d.sequence_number < f.sequence_number) return false;
            if (d.file.referenced_data_file && resolver_.Resolve(*d.file.referenced_data_file) != resolved)
                return false;
            return true;
        }
        return d.sequence_number > f.sequence_number;
    };

    int64_t kept_rows = 0;
    for (auto& f : data) {
        DataFileTask task;
        task.raw_path = f.file.file_path;
        task.path = CheckReadable(resolver_.Resolve(f.file.file_path));
        task.format = f.file.file_format;
        task.record_count = f.file.record_count;
        task.file_size = f.file.file_size_in_bytes;
        kept_rows += f.file.record_count;
        // Columns a file lacks: the initial default, or an identity partition's value.
        const PartitionSpec* spec = metadata_->FindSpec(f.spec_id);
        for (const auto& field : schema_->fields) {
            Value v = Value::Null(ToFloeType(field.type));
            if (field.initial_default_json) {
                v = ParseJsonSingleValue(field.type, *field.initial_default_json,
                                         "initial-default of column '" + field.name + "'");
            }
            if (spec) {
                for (size_t i = 0; i < spec->fields.size() && i < f.file.partition.size(); ++i) {
                    const PartitionField& pf = spec->fields[i];
                    if (pf.source_id == field.id && pf.transform.kind == TransformKind::IDENTITY) {
                        Value pv = PartitionDatumValue(field.type, f.file.partition[i].value);
                        if (!pv.is_null()) v = pv;
                    }
                }
            }
            task.missing_values.push_back(std::move(v));
        }
        task.missing_values.push_back(Value::Varchar(f.file.file_path));  // _file
        task.missing_values.push_back(Value::Null(TypeId::BIGINT));       // _pos: filled by the scan
        auto consider = [&](const std::vector<size_t>& list) {
            for (size_t i : list) {
                if (applies(deletes[i], f, task.path)) task.deletes.push_back(i);
            }
        };
        consider(global_deletes);
        auto it = deletes_by_partition.find(f.partition_key);
        if (it != deletes_by_partition.end()) consider(it->second);
        auto dv = dvs_by_file.find(task.path);
        if (dv != dvs_by_file.end()) consider(dv->second);
        plan->files.push_back(std::move(task));
    }
    plan->pruning.push_back({"manifests", manifests_kept, data_manifests});
    plan->pruning.push_back({"files", static_cast<int64_t>(plan->files.size()), files_total});
    {
        // Query-aware layout: which columns this scan filters on, and what pruning achieved.
        std::vector<std::string> filtered;
        for (const auto& b : bound) {
            if (const NestedField* f = schema_->FindField(b.field_id)) filtered.push_back(f->name);
        }
        ScanObservations::Record(metadata_->table_uuid, filtered, files_total,
                                 static_cast<int64_t>(plan->files.size()));
    }
    plan->estimated_rows = kept_rows;
    if (!any_deletes && bound.empty() && !added_by_) {
        plan->exact_row_count = all_rows;
        std::vector<const DataFile*> files;
        for (const auto& f : data) files.push_back(&f.file);
        for (size_t c = 0; c < schema_->fields.size(); ++c) {
            auto b = ExactBounds(schema_->fields[c], metadata_->properties, files);
            if (b) plan->exact_bounds[c] = std::move(*b);
        }
    }
    return plan;
}

std::optional<TrackedPartitions> IcebergTable::PartitionsForTracking() const {
    if (!snapshot_) return std::nullopt;
    static std::mutex cache_mutex;
    static std::map<std::string, std::optional<TrackedPartitions>> cache;
    const std::string cache_key = metadata_path_ + "#" + std::to_string(snapshot_->snapshot_id);
    {
        std::lock_guard<std::mutex> lock(cache_mutex);
        if (auto it = cache.find(cache_key); it != cache.end()) return it->second;
    }
    auto compute = [&]() -> std::optional<TrackedPartitions> {
        const PartitionSpec* spec = metadata_->FindSpec(metadata_->default_spec_id);
        if (!spec || spec->fields.size() != 1) return std::nullopt;
        const PartitionField& field = spec->fields[0];
        const NestedField* source = metadata_->current_schema().FindField(field.source_id);
        if (!source) return std::nullopt;
        const TypeKind type = source->type.kind;
        const bool date = type == TypeKind::DATE;
        const bool timestamp = type == TypeKind::TIMESTAMP || type == TypeKind::TIMESTAMPTZ;
        const TransformKind t = field.transform.kind;
        bool usable =
            (date || timestamp) && (t == TransformKind::YEAR || t == TransformKind::MONTH || t == TransformKind::DAY ||
                                    (t == TransformKind::HOUR && timestamp) || (t == TransformKind::IDENTITY && date));
        if (!usable) return std::nullopt;
        // The files of each partition value, sorted: the fingerprint.
        std::map<std::optional<int64_t>, std::vector<std::string>> files;
        for (const auto& m : Manifests()) {
            if (m.partition_spec_id != spec->spec_id) {
                // Files of another spec (or an unpartitioned delete) cannot be placed.
                std::string path = resolver_.Resolve(m.path);
                for (const auto& e : ReadManifest(ReadFileBytes(path), "manifest '" + path + "'", m)) {
                    if (e.status != EntryStatus::DELETED) return std::nullopt;
                }
                continue;
            }
            std::string path = resolver_.Resolve(m.path);
            for (const auto& e : ReadManifest(ReadFileBytes(path), "manifest '" + path + "'", m)) {
                if (e.status == EntryStatus::DELETED) continue;
                std::optional<int64_t> value;
                if (!e.file.partition.empty() && !e.file.partition[0].value.is_null()) {
                    value = e.file.partition[0].value.integer;
                }
                files[value].push_back(e.file.file_path + "@" + std::to_string(e.sequence_number.value_or(0)));
            }
        }
        // Bounds are inclusive: the first and the last value of the source column in the partition.
        auto day_text = [&](int64_t days) {
            std::string d = Value::Date(static_cast<int32_t>(days)).ToString();
            return timestamp ? d + " 00:00:00" : d;
        };
        auto last_before = [&](int64_t days) {  // the last value before day `days`
            return timestamp ? Value::Datetime(days * kMicrosPerDay - 1).ToString()
                             : Value::Date(static_cast<int32_t>(days - 1)).ToString();
        };
        TrackedPartitions out;
        out.source_column = source->name;
        for (auto& [value, paths] : files) {
            std::sort(paths.begin(), paths.end());
            std::string joined;
            for (const auto& p : paths) joined += p + "\n";
            TrackedPartition part;
            part.fingerprint = std::to_string(std::hash<std::string>{}(joined)) + "/" + std::to_string(paths.size());
            if (!value) {
                part.name = field.name + "=null";
                out.partitions.push_back(std::move(part));
                continue;
            }
            const int64_t v = *value;
            switch (t) {
                case TransformKind::IDENTITY:
                    part.lower = part.upper = day_text(v);
                    break;
                case TransformKind::DAY:
                    part.lower = day_text(v);
                    part.upper = last_before(v + 1);
                    break;
                case TransformKind::MONTH: {
                    int64_t y = 1970 + (v >= 0 ? v / 12 : (v - 11) / 12);
                    int64_t mo = v - (y - 1970) * 12;
                    part.lower = day_text(DaysFromCivil(static_cast<int32_t>(y), static_cast<uint32_t>(mo + 1), 1));
                    part.upper = last_before(
                        mo == 11 ? DaysFromCivil(static_cast<int32_t>(y + 1), 1, 1)
                                 : DaysFromCivil(static_cast<int32_t>(y), static_cast<uint32_t>(mo + 2), 1));
                    break;
                }
                case TransformKind::YEAR:
                    part.lower = day_text(DaysFromCivil(static_cast<int32_t>(1970 + v), 1, 1));
                    part.upper = last_before(DaysFromCivil(static_cast<int32_t>(1971 + v), 1, 1));
                    break;
                default:  // HOUR
                    part.lower = Value::Datetime(v * 3600 * 1000000).ToString();
                    part.upper = Value::Datetime((v + 1) * 3600 * 1000000 - 1).ToString();
                    break;
            }
            part.name = field.name + "=" + *part.lower;
            out.partitions.push_back(std::move(part));
        }
        return out;
    };
    std::optional<TrackedPartitions> result = compute();
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (cache.size() >= 256) cache.erase(cache.begin());
    cache[cache_key] = result;
    return result;
}

}  // namespace floe::iceberg
