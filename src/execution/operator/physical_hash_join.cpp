#include "execution/operator/physical_hash_join.h"

#include "common/check.h"
#include "common/exception.h"
#include "execution/expression_executor.h"

namespace floe {

PhysicalHashJoin::PhysicalHashJoin(std::vector<LogicalType> types, BoundJoinType join_type,
                                   std::vector<LogicalType> left_types, std::vector<LogicalType> right_types,
                                   std::vector<BoundExprPtr> left_keys, std::vector<BoundExprPtr> right_keys,
                                   BoundExprPtr condition, std::vector<bool> null_safe)
    : PhysicalOperator(PhysicalOperatorType::HASH_JOIN, std::move(types)),
      join_type_(join_type),
      left_types_(std::move(left_types)),
      right_types_(std::move(right_types)),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)),
      condition_(std::move(condition)),
      null_safe_(std::move(null_safe)) {
    null_safe_.resize(left_keys_.size(), false);
    InitBuildRows(build_);
}

void PhysicalHashJoin::InitBuildRows(BuildRows& b) const {
    for (const auto& t : right_types_) b.columns.push_back(std::make_shared<Column>(t, 0));
    for (const auto& k : right_keys_) b.keys.push_back(std::make_unique<Column>(k->type, 0));
}

void PhysicalHashJoin::Append(BuildRows& b, Chunk& input) const {
    size_t live = input.live_rows();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    for (size_t c = 0; c < b.columns.size(); ++c) b.columns[c]->AppendRows(input.column(c), rows.data(), live);
    for (size_t k = 0; k < right_keys_.size(); ++k) {
        auto key = ExpressionExecutor::Evaluate(*right_keys_[k], input, input.size());
        b.keys[k]->AppendRows(*key, rows.data(), live);
    }
    b.rows += live;
}

bool PhysicalHashJoin::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    Append(build_, input);
    return true;
}

std::unique_ptr<LocalState> PhysicalHashJoin::MakeSinkState() {
    auto b = std::make_unique<BuildRows>();
    InitBuildRows(*b);
    return b;
}

bool PhysicalHashJoin::SinkLocal(ExecutionContext&, LocalState& state, Chunk& input) {
    Append(static_cast<BuildRows&>(state), input);
    return true;
}

void PhysicalHashJoin::Combine(ExecutionContext&, LocalState& state) {
    auto& b = static_cast<BuildRows&>(state);
    if (b.rows == 0) return;
    if (build_.rows == 0) {  // the first task's rows become the build's as they are
        build_.columns.swap(b.columns);
        build_.keys.swap(b.keys);
        build_.rows = b.rows;
        return;
    }
    std::vector<uint32_t> rows(b.rows);
    for (size_t i = 0; i < b.rows; ++i) rows[i] = static_cast<uint32_t>(i);
    for (size_t c = 0; c < build_.columns.size(); ++c)
        build_.columns[c]->AppendRows(*b.columns[c], rows.data(), b.rows);
    for (size_t k = 0; k < build_.keys.size(); ++k) build_.keys[k]->AppendRows(*b.keys[k], rows.data(), b.rows);
    build_.rows += b.rows;
}

std::vector<uint32_t> PhysicalHashJoin::MatchableRows(const std::vector<const Column*>& keys, const uint32_t* rows,
                                                      size_t n) const {
    // A NULL key (not NULL-safe) never matches. Branch-free: each row is written, and kept by
    // advancing only when none of its keys is NULL.
    std::vector<uint32_t> out(n);
    size_t m = 0;
    if (keys.size() == 1 && !null_safe_[0]) {
        const uint8_t* nulls = keys[0]->nulls();
        for (size_t i = 0; i < n; ++i) {
            out[m] = rows[i];
            m += nulls[rows[i]] == 0 ? 1 : 0;
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            bool ok = true;
            for (size_t k = 0; k < keys.size(); ++k) ok &= null_safe_[k] || !keys[k]->IsNull(rows[i]);
            out[m] = rows[i];
            m += ok ? 1 : 0;
        }
    }
    out.resize(m);
    return out;
}

void PhysicalHashJoin::Finalize(ExecutionContext&) {
    std::vector<const Column*> keys;
    std::vector<LogicalType> types;
    for (const auto& k : build_.keys) {
        keys.push_back(k.get());
        types.push_back(k->type());
    }
    if (!keys.empty()) {
        table_ = std::make_unique<KeyHashTable>(types);
        std::vector<uint32_t> all(build_.rows);
        for (size_t r = 0; r < build_.rows; ++r) all[r] = static_cast<uint32_t>(r);
        std::vector<uint32_t> rows = MatchableRows(keys, all.data(), all.size());
        std::vector<uint32_t> ids(rows.size());
        table_->FindOrInsert(keys, rows.data(), rows.size(), ids.data());
        table_->BuildProbeFilter();
        unique_keys_ = table_->size() == rows.size();
        // Chain the build rows of each key in arrival order.
        first_.assign(table_->size(), KeyHashTable::kNotFound);
        std::vector<uint32_t> last(table_->size(), KeyHashTable::kNotFound);
        next_.assign(build_.rows, KeyHashTable::kNotFound);
        for (size_t i = 0; i < rows.size(); ++i) {
            uint32_t id = ids[i];
            if (first_[id] == KeyHashTable::kNotFound) {
                first_[id] = rows[i];
            } else {
                next_[last[id]] = rows[i];
            }
            last[id] = rows[i];
        }
    }
    if (MarksBuildRows()) matched_.assign(build_.rows, 0);
    if (runtime_filter_ && table_) {
        // The build keys' range (integer keys) and bitmap, for the probe side's scan.
        const Column& key = *build_.keys[0];
        const LogicalType& t = key.type();
        bool integer = (t.IsInteger() && t.id != TypeId::LARGEINT) || t.id == TypeId::DATE || t.id == TypeId::DATETIME;
        if (integer) {
            int64_t lo = INT64_MAX, hi = INT64_MIN;
            bool any = false;
            auto scan = [&](auto tag) {
                using T = decltype(tag);
                const T* data = key.Data<T>();
                const uint8_t* nulls = key.nulls();
                for (size_t r = 0; r < build_.rows; ++r) {
                    if (nulls[r]) continue;
                    auto v = static_cast<int64_t>(data[r]);
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                    any = true;
                }
            };
            switch (t.PhysicalSize()) {
                case 1:
                    scan(int8_t{});
                    break;
                case 2:
                    scan(int16_t{});
                    break;
                case 4:
                    scan(int32_t{});
                    break;
                default:
                    scan(int64_t{});
                    break;
            }
            runtime_filter_->has_range = true;
            runtime_filter_->min = any ? lo : 1;
            runtime_filter_->max = any ? hi : 0;  // empty build: an empty range
        }
        runtime_filter_->table = table_.get();
        runtime_filter_->ready = true;
    }
}

size_t PhysicalHashJoin::ProbeKeyColumn() const {
    if (left_keys_.size() != 1 || null_safe_[0]) return SIZE_MAX;
    if (left_keys_[0]->kind != BoundExprKind::COLUMN_REF || right_keys_[0]->type != left_keys_[0]->type)
        return SIZE_MAX;
    bool drops_unmatched = join_type_ == BoundJoinType::INNER || join_type_ == BoundJoinType::SEMI ||
                           join_type_ == BoundJoinType::RIGHT || join_type_ == BoundJoinType::RIGHT_SEMI ||
                           join_type_ == BoundJoinType::RIGHT_ANTI;
    return drops_unmatched ? static_cast<const BoundColumnRef&>(*left_keys_[0]).index : SIZE_MAX;
}

std::shared_ptr<RuntimeFilter> PhysicalHashJoin::MakeRuntimeFilter(size_t scan_column) {
    if (ProbeKeyColumn() == SIZE_MAX) return nullptr;
    runtime_filter_ = std::make_shared<RuntimeFilter>();
    runtime_filter_->scan_column = scan_column;
    return runtime_filter_;
}

bool PhysicalHashJoin::MarksBuildRows() const {
    return join_type_ == BoundJoinType::RIGHT || join_type_ == BoundJoinType::FULL ||
           join_type_ == BoundJoinType::RIGHT_SEMI || join_type_ == BoundJoinType::RIGHT_ANTI;
}

Chunk PhysicalHashJoin::Gather(const Chunk* left, const std::vector<uint32_t>& left_rows,
                               const std::vector<uint32_t>& right_rows, bool right_columns) const {
    Chunk out;
    size_t n = left_rows.size();
    for (size_t c = 0; c < left_types_.size(); ++c) {
        auto col = std::make_shared<Column>(left_types_[c], n);
        if (left) {
            col->AppendRowsReferencing(left->shared_column(c), left_rows.data(), n);
        } else {
            col->Resize(n);
            std::fill(col->nulls(), col->nulls() + n, 1);
        }
        out.AddColumn(std::move(col));
    }
    if (right_columns) {
        for (size_t c = 0; c < right_types_.size(); ++c) {
            auto col = std::make_shared<Column>(right_types_[c], n);
            col->AppendRowsReferencing(build_.columns[c], right_rows.data(), n);
            out.AddColumn(std::move(col));
        }
    }
    out.SetSize(n);
    return out;
}

namespace {

/// Candidate pairs a probe produces per Execute call at most, for joins whose output may be
/// split (a key with many build rows yields its pairs over several calls, so memory does not
/// grow with the fan-out).
constexpr size_t kMaxPairsPerCall = 8 * kChunkCapacity;

}  // namespace

/// A task's probe of one input chunk, kept across the Execute calls that emit its pairs.
struct PhysicalHashJoin::ProbeState : LocalState {
    bool active = false;
    std::vector<uint32_t> rows;                // the probe rows whose keys can match (all live rows without keys)
    std::vector<uint32_t> ids;                 // their key ids in the table (kNotFound: no match)
    size_t next = 0;                           // the probe row (index into rows) the next pair comes from
    uint32_t chain = KeyHashTable::kNotFound;  // its next build row, or kNotFound: from the start
    std::vector<uint8_t> left_matched;         // LEFT/FULL/SINGLE: per input row, whether it matched
};

void PhysicalHashJoin::StartProbe(Chunk& input, ProbeState& st) const {
    size_t live = input.live_rows();
    st.next = 0;
    st.chain = KeyHashTable::kNotFound;
    st.rows.clear();
    st.ids.clear();
    if (left_keys_.empty()) {
        st.rows.resize(live);
        for (size_t i = 0; i < live; ++i) st.rows[i] = input.LiveRow(i);
        return;
    }
    std::vector<std::shared_ptr<Column>> key_cols;
    std::vector<const Column*> keys;
    for (const auto& k : left_keys_) {
        key_cols.push_back(ExpressionExecutor::Evaluate(*k, input, input.size()));
        keys.push_back(key_cols.back().get());
    }
    if (input.selection()) {
        st.rows = MatchableRows(keys, input.selection()->data(), live);
    } else {
        std::vector<uint32_t> all(live);
        for (size_t i = 0; i < live; ++i) all[i] = static_cast<uint32_t>(i);
        st.rows = MatchableRows(keys, all.data(), live);
    }
    st.ids.resize(st.rows.size());
    table_->Find(keys, st.rows.data(), st.rows.size(), st.ids.data());
}

void PhysicalHashJoin::NextPairs(ProbeState& st, size_t limit, std::vector<uint32_t>& cand_left,
                                 std::vector<uint32_t>& cand_right) const {
    const auto& rows = st.rows;
    if (left_keys_.empty()) {  // nested loops: every build row is a candidate
        uint32_t b = st.chain == KeyHashTable::kNotFound ? 0 : st.chain;
        while (st.next < rows.size() && cand_left.size() < limit) {
            for (; b < build_.rows && cand_left.size() < limit; ++b) {
                cand_left.push_back(rows[st.next]);
                cand_right.push_back(b);
            }
            if (b < build_.rows) break;
            ++st.next;
            b = 0;
        }
        st.chain = st.next < rows.size() && b > 0 ? b : KeyHashTable::kNotFound;
        return;
    }
    const auto& ids = st.ids;
    if (unique_keys_) {
        // One build row per key (joins on a primary key): no chains to walk. Branch-free: each
        // row is written, and kept when its key was found.
        size_t n = rows.size() - st.next;
        cand_left.resize(n);
        cand_right.resize(n);
        size_t m = 0;
        for (size_t i = st.next; i < rows.size(); ++i) {
            uint32_t id = ids[i];
            bool found = id != KeyHashTable::kNotFound;
            cand_left[m] = rows[i];
            cand_right[m] = found ? first_[id] : 0;
            m += found ? 1 : 0;
        }
        cand_left.resize(m);
        cand_right.resize(m);
        st.next = rows.size();
        return;
    }
    cand_left.reserve(std::min(limit, rows.size()));
    cand_right.reserve(std::min(limit, rows.size()));
    while (st.next < rows.size() && cand_left.size() < limit) {
        uint32_t id = ids[st.next];
        if (id == KeyHashTable::kNotFound) {
            ++st.next;
            continue;
        }
        uint32_t b = st.chain == KeyHashTable::kNotFound ? first_[id] : st.chain;
        for (; b != KeyHashTable::kNotFound && cand_left.size() < limit; b = next_[b]) {
            cand_left.push_back(rows[st.next]);
            cand_right.push_back(b);
        }
        if (b == KeyHashTable::kNotFound) {
            ++st.next;
            st.chain = KeyHashTable::kNotFound;
        } else {
            st.chain = b;  // the row's chain goes on in the next call
        }
    }
}

OperatorResult PhysicalHashJoin::Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) {
    ctx.CheckInterrupted();
    auto& slot = ctx.OperatorState(this);
    if (!slot) slot = std::make_unique<ProbeState>();
    auto& st = static_cast<ProbeState&>(*slot);
    const bool outer_left =
        join_type_ == BoundJoinType::LEFT || join_type_ == BoundJoinType::FULL || join_type_ == BoundJoinType::SINGLE;
    if (!st.active) {
        StartProbe(input, st);
        st.left_matched.assign(outer_left ? input.size() : 0, 0);
        st.active = true;
    }
    // Semi and anti joins decide per probe row over all its pairs: one call. The others may
    // split a probe chunk's pairs over several calls.
    const bool splits = join_type_ != BoundJoinType::SEMI && join_type_ != BoundJoinType::ANTI &&
                        join_type_ != BoundJoinType::RIGHT_SEMI && join_type_ != BoundJoinType::RIGHT_ANTI;
    std::vector<uint32_t> cand_left, cand_right;
    NextPairs(st, splits ? kMaxPairsPerCall : SIZE_MAX, cand_left, cand_right);
    const bool done = st.next >= st.rows.size();
    if (done) st.active = false;
    const OperatorResult more = done ? OperatorResult::NEED_MORE_INPUT : OperatorResult::HAVE_MORE_OUTPUT;
    size_t live = input.live_rows();
    if (!condition_ && (join_type_ == BoundJoinType::INNER || join_type_ == BoundJoinType::CROSS)) {
        output = Gather(&input, cand_left, cand_right, true);  // every candidate pair is a result
        return more;
    }
    // Residual condition over the concatenated pair rows.
    std::vector<uint8_t> keep(cand_left.size(), 1);
    if (condition_ && !cand_left.empty()) {
        Chunk pairs = Gather(&input, cand_left, cand_right, true);
        auto mask = ExpressionExecutor::Evaluate(*condition_, pairs, pairs.size());
        for (size_t i = 0; i < keep.size(); ++i) keep[i] = !mask->IsNull(i) && mask->Data<uint8_t>()[i];
    }
    std::vector<uint32_t> out_left, out_right;
    if (join_type_ == BoundJoinType::RIGHT_SEMI || join_type_ == BoundJoinType::RIGHT_ANTI) {
        // Only marks: the build rows are emitted when the probe side ends.
        for (size_t i = 0; i < keep.size(); ++i) {
            if (keep[i]) Mark(cand_right[i]);
        }
        output = Chunk(types(), 0);
        return OperatorResult::NEED_MORE_INPUT;
    }
    if (join_type_ == BoundJoinType::SEMI || join_type_ == BoundJoinType::ANTI) {
        std::vector<uint8_t> has(input.size(), 0);
        for (size_t i = 0; i < keep.size(); ++i) has[cand_left[i]] |= keep[i];
        for (size_t i = 0; i < live; ++i) {
            uint32_t r = input.LiveRow(i);
            if ((has[r] != 0) == (join_type_ == BoundJoinType::SEMI)) out_left.push_back(r);
        }
        output = Gather(&input, out_left, out_right, false);
        return OperatorResult::NEED_MORE_INPUT;
    }
    std::vector<uint8_t>& left_matched = st.left_matched;
    for (size_t i = 0; i < keep.size(); ++i) {
        if (!keep[i]) continue;
        out_left.push_back(cand_left[i]);
        out_right.push_back(cand_right[i]);
        if (outer_left) {
            if (join_type_ == BoundJoinType::SINGLE && left_matched[cand_left[i]]) {
                throw ExecutionError("Subquery returns more than 1 row", ErrorCode::SUBQUERY_ROWS);
            }
            left_matched[cand_left[i]] = 1;
        }
        if (!matched_.empty()) Mark(cand_right[i]);
    }
    if (outer_left && done) {  // the probe rows without a match, once all their pairs are out
        for (size_t i = 0; i < live; ++i) {
            uint32_t r = input.LiveRow(i);
            if (!left_matched[r]) {
                out_left.push_back(r);
                out_right.push_back(UINT32_MAX);
            }
        }
    }
    output = Gather(&input, out_left, out_right, true);
    return more;
}

bool PhysicalHashJoin::FinishExecute(ExecutionContext&, Chunk& output) {
    if (!finished_ && (join_type_ == BoundJoinType::RIGHT_SEMI || join_type_ == BoundJoinType::RIGHT_ANTI)) {
        finished_ = true;
        const uint8_t want = join_type_ == BoundJoinType::RIGHT_SEMI ? 1 : 0;
        std::vector<uint32_t> rows;
        for (size_t b = 0; b < build_.rows; ++b) {
            if (matched_[b] == want) rows.push_back(static_cast<uint32_t>(b));
        }
        if (rows.empty()) return false;
        output = Chunk();
        for (const auto& c : build_.columns) {
            auto col = std::make_shared<Column>(c->type(), rows.size());
            col->AppendRows(*c, rows.data(), rows.size());
            output.AddColumn(std::move(col));
        }
        output.SetSize(rows.size());
        return true;
    }
    if (finished_ || (join_type_ != BoundJoinType::RIGHT && join_type_ != BoundJoinType::FULL)) return false;
    finished_ = true;
    std::vector<uint32_t> left_rows, right_rows;
    for (size_t b = 0; b < build_.rows; ++b) {
        if (!matched_[b]) {
            left_rows.push_back(UINT32_MAX);
            right_rows.push_back(static_cast<uint32_t>(b));
        }
    }
    if (right_rows.empty()) return false;
    output = Gather(nullptr, left_rows, right_rows, true);
    return true;
}

}  // namespace floe
