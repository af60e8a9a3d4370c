#include "execution/executor.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <new>

#include "common/check.h"
#include "common/exception.h"
#include "common/memory_tracker.h"
#include "common/worker_pool.h"
#include "execution/expression_executor.h"
#include "execution/query_profile.h"

namespace floe {

namespace {

/// Collects the final output.
class ResultCollector : public PhysicalOperator {
  public:
    explicit ResultCollector(std::vector<LogicalType> types, const std::function<void(Chunk&)>* consumer = nullptr)
        : PhysicalOperator(PhysicalOperatorType::RESULT_COLLECTOR, std::move(types)), consumer_(consumer) {}
    std::string name() const override { return "RESULT"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext&, Chunk& input) override {
        if (input.live_rows() == 0) return true;
        if (consumer_) {
            (*consumer_)(input);
        } else {
            chunks.push_back(std::move(input));
        }
        return true;
    }
    std::vector<Chunk> chunks;

  private:
    const std::function<void(Chunk&)>* consumer_;
};

/// Hands the final output to a consumer from every task at once (Executor::RunUnordered).
class UnorderedConsumer : public PhysicalOperator {
  public:
    UnorderedConsumer(std::vector<LogicalType> types, const std::function<void(size_t, Chunk&)>* consumer)
        : PhysicalOperator(PhysicalOperatorType::RESULT_COLLECTOR, std::move(types)), consumer_(consumer) {}
    std::string name() const override { return "RESULT"; }
    bool IsSink() const override { return true; }
    struct TaskState : LocalState {
        size_t task = 0;
    };
    std::unique_ptr<LocalState> MakeSinkState() override {
        auto state = std::make_unique<TaskState>();
        state->task = 1 + next_task_.fetch_add(1);
        return state;
    }
    bool SinkLocal(ExecutionContext&, LocalState& state, Chunk& input) override {
        if (input.live_rows() > 0) (*consumer_)(static_cast<TaskState&>(state).task, input);
        return true;
    }
    bool Sink(ExecutionContext&, Chunk& input) override {
        if (input.live_rows() > 0) (*consumer_)(0, input);
        return true;
    }

  private:
    const std::function<void(size_t, Chunk&)>* consumer_;
    std::atomic<size_t> next_task_{0};
};

struct Pipeline {
    PhysicalOperator* source = nullptr;
    std::vector<PhysicalOperator*> operators;  // in data-flow order
    PhysicalOperator* sink = nullptr;
    size_t sink_input = 0;  // which input of the sink this pipeline feeds
    std::vector<Pipeline*> dependencies;
    bool serial = false;  // the sink wants its input now, in order (a streaming consumer)
    /// False for all but one of the pipelines that feed one sink side by side (the branches of a
    /// UNION ALL): the sink is finalized once, after the last of them.
    bool finalize = true;
};

class PipelineBuilder {
  public:
    std::vector<std::unique_ptr<Pipeline>> pipelines;

    Pipeline* Build(PhysicalOperator* root, PhysicalOperator* sink, size_t sink_input = 0) {
        auto p = std::make_unique<Pipeline>();
        p->sink = sink;
        p->sink_input = sink_input;
        Pipeline* raw = p.get();
        pipelines.push_back(std::move(p));
        Walk(root, raw);
        return raw;
    }

  private:
    /// Whether the operators above a point of `pipeline` may run once per UNION ALL branch: only
    /// filters and projections (nothing that keeps rows back for the end of its input).
    static bool Streamable(const Pipeline& pipeline) {
        for (const PhysicalOperator* op : pipeline.operators) {
            if (op->type() != PhysicalOperatorType::FILTER && op->type() != PhysicalOperatorType::PROJECTION) {
                return false;
            }
        }
        return true;
    }

    void Walk(PhysicalOperator* op, Pipeline* pipeline) {
        if (op->type() == PhysicalOperatorType::UNION_ALL && Streamable(*pipeline)) {
            // UNION ALL streams: each branch is a pipeline of its own through the operators above
            // the union into the same sink (run in parallel like any pipeline), so nothing is
            // materialized. Branches after the first run first and leave the sink unfinalized.
            for (size_t i = 1; i < op->children().size(); ++i) {
                auto q = std::make_unique<Pipeline>();
                q->sink = pipeline->sink;
                q->sink_input = pipeline->sink_input;
                q->operators = pipeline->operators;
                q->serial = pipeline->serial;
                q->finalize = false;
                Pipeline* raw = q.get();
                pipelines.push_back(std::move(q));
                Walk(op->children()[i].get(), raw);
                pipeline->dependencies.push_back(raw);
            }
            Walk(op->children()[0].get(), pipeline);
            return;
        }
        if (op->IsSink() && op->IsSource()) {
            // Breaker: it is the source here and the sink of the pipelines below it, one per input.
            pipeline->source = op;
            for (size_t i = 0; i < op->children().size(); ++i) {
                pipeline->dependencies.push_back(Build(op->children()[i].get(), op, i));
            }
            return;
        }
        if (op->IsSink()) {
            // Join: it probes in this pipeline and its build side (child 1) sinks into it first.
            FLOE_CHECK(op->children().size() == 2);
            pipeline->operators.insert(pipeline->operators.begin(), op);
            pipeline->dependencies.push_back(Build(op->children()[1].get(), op, 1));
            Walk(op->children()[0].get(), pipeline);
            return;
        }
        if (op->IsSource()) {
            pipeline->source = op;
            return;
        }
        FLOE_CHECK(op->children().size() == 1);
        pipeline->operators.insert(pipeline->operators.begin(), op);
        Walk(op->children()[0].get(), pipeline);
    }
};

/// Adds the time from its construction to its destruction to an operator's profile.
class ProfileTimer {
  public:
    explicit ProfileTimer(PhysicalOperator* op) : op_(op), started_(std::chrono::steady_clock::now()) {}
    ~ProfileTimer() {
        auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started_);
        op_->profile().nanos.fetch_add(static_cast<uint64_t>(nanos.count()), std::memory_order_relaxed);
    }
    ProfileTimer(const ProfileTimer&) = delete;
    ProfileTimer& operator=(const ProfileTimer&) = delete;

  private:
    PhysicalOperator* op_;
    std::chrono::steady_clock::time_point started_;
};

void CountOut(PhysicalOperator* op, const Chunk& chunk) {
    op->profile().rows_out.fetch_add(chunk.live_rows(), std::memory_order_relaxed);
}

/// A source's output: rows read, for the statement's progress, when the source is a scan.
void CountRead(PhysicalOperator* source, const ExecutionContext& ctx, const Chunk& chunk) {
    CountOut(source, chunk);
    if (ctx.progress && source->type() == PhysicalOperatorType::TABLE_SCAN)
        ctx.progress->AddRowsRead(chunk.live_rows());
}

void CountIn(PhysicalOperator* op, const Chunk& chunk) {
    op->profile().rows_in.fetch_add(chunk.live_rows(), std::memory_order_relaxed);
}

/// Pushes `input` through operators[i..] and hands the result to `deliver` (the sink step);
/// returns false when no more input is wanted. An operator that has more output for the same
/// input (HAVE_MORE_OUTPUT) is called again after each piece has gone down the pipeline.
template <typename Deliver>
bool PushThrough(Pipeline& p, ExecutionContext& ctx, Chunk input, size_t i, Deliver& deliver) {
    if (i == p.operators.size()) return deliver(input);
    while (true) {
        Chunk output;
        OperatorResult r;
        {
            ProfileTimer timer(p.operators[i]);
            r = p.operators[i]->Execute(ctx, input, output);
        }
        CountOut(p.operators[i], output);
        bool more = PushThrough(p, ctx, std::move(output), i + 1, deliver);
        if (r == OperatorResult::FINISHED || !more) return false;
        if (r != OperatorResult::HAVE_MORE_OUTPUT) return true;
        ctx.CheckInterrupted();
    }
}

/// Pushes `input` through operators[from..] into the sink; returns false when no more input is wanted.
bool Push(Pipeline& p, ExecutionContext& ctx, Chunk input, size_t from) {
    auto deliver = [&](Chunk& chunk) {
        ctx.sink_input = p.sink_input;
        CountIn(p.sink, chunk);
        ProfileTimer timer(p.sink);
        return p.sink->Sink(ctx, chunk);
    };
    return PushThrough(p, ctx, std::move(input), from, deliver);
}

/// The pipeline's morsel count when it can run on several threads, else 0.
size_t ParallelMorsels(Pipeline& p, ExecutionContext& ctx) {
    if (ctx.dop <= 1 || p.serial) return 0;
    for (PhysicalOperator* op : p.operators) {
        if (!op->ParallelExecute()) return 0;
    }
    size_t morsels = p.source->MorselCount(ctx);
    return morsels >= 2 ? morsels : 0;
}

/// A chunk a task produced for a sink that takes its input in order.
struct OrderedChunk {
    size_t morsel;
    size_t seq;  // within the task's morsel
    Chunk chunk;
};

/// A chunk kept for later: when a filter left few of its rows, only those are kept (the rest
/// would hold whole columns in memory until the replay).
Chunk Compact(Chunk chunk) {
    size_t live = chunk.live_rows();
    if (!chunk.selection() || live * 2 >= chunk.size()) return chunk;
    std::vector<bool> all(chunk.column_count(), true);
    return ExpressionExecutor::Gather(chunk, chunk.selection()->data(), live, all);
}

/// Runs the pipeline as tasks on the worker pool, each pulling whole morsels from the source
/// and pushing their chunks through the operators into its own partial sink state (combined
/// after), or into a buffer the sink is then fed from, in morsel order.
void RunParallel(Pipeline& p, ExecutionContext& ctx, size_t morsels) {
    WorkerPool& pool = WorkerPool::Instance();
    size_t tasks = std::min({ctx.dop, morsels, pool.parallelism()});
    std::vector<std::unique_ptr<LocalState>> sinks(tasks);
    for (auto& s : sinks) s = p.sink->MakeSinkState();
    const bool replay = !sinks[0];
    std::vector<std::vector<OrderedChunk>> buffers(tasks);
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex error_mutex;
    std::exception_ptr error;
    MemoryTracker* tracker = MemoryTracker::Current();
    // Pushes `input` from operator `from` on into task t's sink state or buffer.
    auto push = [&](ExecutionContext& local, size_t t, size_t morsel, size_t& seq, Chunk input, size_t from) {
        auto deliver = [&](Chunk& chunk) {
            if (replay) {
                if (chunk.live_rows() > 0) buffers[t].push_back({morsel, seq++, Compact(std::move(chunk))});
            } else {
                CountIn(p.sink, chunk);
                ProfileTimer timer(p.sink);
                if (!p.sink->SinkLocal(local, *sinks[t], chunk)) stop = true;
            }
            return !stop.load(std::memory_order_relaxed);
        };
        PushThrough(p, local, std::move(input), from, deliver);
    };
    std::vector<std::vector<std::pair<const void*, std::unique_ptr<LocalState>>>> operator_states(tasks);
    pool.Run(tasks, [&](size_t t) {
        ScopedMemoryTracker attach(tracker);
        ExecutionContext local = ctx;
        local.sink_input = p.sink_input;
        local.operator_states = &operator_states[t];
        try {
            std::unique_ptr<LocalState> source = p.source->MakeSourceState();
            size_t seq = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                size_t m = next.fetch_add(1);
                if (m >= morsels) break;
                Chunk input;
                auto read = [&] {
                    ProfileTimer timer(p.source);
                    return p.source->GetMorselData(local, *source, m, input);
                };
                while (!stop.load(std::memory_order_relaxed) && read()) {
                    local.CheckInterrupted();
                    CountRead(p.source, local, input);
                    push(local, t, m, seq, std::move(input), 0);
                    input = Chunk();
                }
                if (local.progress) local.progress->MorselDone();
            }
            p.source->FinishSource(*source);
            MemoryTracker::FlushThread();
        } catch (const std::bad_alloc&) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) {
                error = std::make_exception_ptr(OutOfMemoryError(
                    tracker ? tracker->DescribeExceeded(MemoryTracker::LastRefused()) : "out of memory"));
            }
            stop = true;
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
            stop = true;
        }
    });
    if (error) std::rethrow_exception(error);
    // Rows operators held back (the unmatched build rows of RIGHT/FULL joins), once every task
    // is done, from this thread, after all the morsels' rows.
    size_t seq = 0;
    ExecutionContext local = ctx;
    local.sink_input = p.sink_input;
    local.operator_states = &operator_states[0];
    for (size_t i = 0; !stop && i < p.operators.size(); ++i) {
        Chunk output;
        while (!stop && p.operators[i]->FinishExecute(local, output)) {
            local.CheckInterrupted();
            CountOut(p.operators[i], output);
            push(local, 0, morsels, seq, std::move(output), i + 1);
            output = Chunk();
        }
    }
    if (error) std::rethrow_exception(error);
    ctx.sink_input = p.sink_input;
    if (replay) {
        std::vector<OrderedChunk> all;
        for (auto& b : buffers) {
            for (auto& c : b) all.push_back(std::move(c));
            b.clear();
        }
        std::sort(all.begin(), all.end(), [](const OrderedChunk& a, const OrderedChunk& b) {
            return a.morsel != b.morsel ? a.morsel < b.morsel : a.seq < b.seq;
        });
        for (auto& c : all) {
            ctx.CheckInterrupted();
            CountIn(p.sink, c.chunk);
            ProfileTimer timer(p.sink);
            if (!p.sink->Sink(ctx, c.chunk)) break;
            c.chunk = Chunk();
        }
    } else {
        ProfileTimer timer(p.sink);
        for (auto& s : sinks) {
            ctx.CheckInterrupted();
            p.sink->Combine(ctx, *s);
            s.reset();
        }
    }
    if (p.finalize) {
        ProfileTimer timer(p.sink);
        p.sink->Finalize(ctx);
    }
}

void RunPipelineOnce(Pipeline& p, ExecutionContext& ctx) {
    if (size_t morsels = ParallelMorsels(p, ctx)) {
        if (ctx.progress) ctx.progress->PipelineStarted(morsels);
        RunParallel(p, ctx, morsels);
        return;
    }
    if (ctx.progress) ctx.progress->PipelineStarted(0);
    bool more = true;
    while (more) {
        ctx.CheckInterrupted();
        Chunk input;
        {
            ProfileTimer timer(p.source);
            if (!p.source->GetData(ctx, input)) break;
        }
        CountRead(p.source, ctx, input);
        more = Push(p, ctx, std::move(input), 0);
    }
    // Let operators emit what they held back, in pipeline order.
    for (size_t i = 0; more && i < p.operators.size(); ++i) {
        Chunk output;
        while (more && p.operators[i]->FinishExecute(ctx, output)) {
            ctx.CheckInterrupted();
            CountOut(p.operators[i], output);
            more = Push(p, ctx, std::move(output), i + 1);
            output = Chunk();
        }
    }
    ctx.sink_input = p.sink_input;
    if (p.finalize) {
        ProfileTimer timer(p.sink);
        p.sink->Finalize(ctx);
    }
}

void RunPipeline(Pipeline& p, ExecutionContext& ctx) {
    // What the sink holds once its input has run (the profile's memory): the statement's growth.
    MemoryTracker* tracker = MemoryTracker::Current();
    auto used = [tracker] {
        MemoryTracker::FlushThread();
        return tracker->used();
    };
    const int64_t before = tracker ? used() : 0;
    RunPipelineOnce(p, ctx);
    if (tracker) p.sink->profile().memory.fetch_add(std::max<int64_t>(0, used() - before));
    if (ctx.progress) ctx.progress->PipelineDone();
}

void RunWithDependencies(Pipeline& p, ExecutionContext& ctx) {
    for (Pipeline* dep : p.dependencies) RunWithDependencies(*dep, ctx);
    RunPipeline(p, ctx);
}

}  // namespace

namespace {

/// Runs the plan under `root` into `sink`; `serial`: the final pipeline feeds the sink in order
/// from one thread.
void RunInto(PhysicalOperator& root, PhysicalOperator& sink, const std::atomic<bool>* interrupted, size_t dop,
             bool serial) {
    ExecutionContext ctx;
    ctx.interrupted = interrupted;
    ctx.dop = dop;
    // A plan run inside another's operators (a recursive CTE's steps) is part of that run: only
    // the outermost run on a thread reports progress and adds its tree to the profile.
    static thread_local int depth = 0;
    struct Nesting {
        Nesting() { ++depth; }
        ~Nesting() { --depth; }
    } nesting;
    const bool outermost = depth == 1;
    ctx.progress = outermost ? CurrentProgress() : nullptr;
    std::vector<std::pair<const void*, std::unique_ptr<LocalState>>> states;
    ctx.operator_states = &states;
    PipelineBuilder builder;
    Pipeline* final_pipeline = builder.Build(&root, &sink);
    if (ctx.progress) ctx.progress->AddPipelines(builder.pipelines.size());
    final_pipeline->serial = serial;
    // The statement's profile gets this plan's tree, whether the run ends or fails.
    ProfileCollector* profile = outermost ? CurrentProfileCollector() : nullptr;
    try {
        RunWithDependencies(*final_pipeline, ctx);
    } catch (...) {
        if (profile) profile->Add(root);
        throw;
    }
    if (profile) profile->Add(root);
}

}  // namespace

std::vector<Chunk> Executor::Run(PhysicalOperator& root, const std::atomic<bool>* interrupted, size_t dop) {
    ResultCollector collector(root.types());
    RunInto(root, collector, interrupted, dop, false);
    return std::move(collector.chunks);
}

void Executor::Run(PhysicalOperator& root, const std::function<void(Chunk&)>& consumer,
                   const std::atomic<bool>* interrupted, size_t dop) {
    ResultCollector collector(root.types(), &consumer);
    RunInto(root, collector, interrupted, dop, true);  // the consumer takes each chunk as it comes
}

void Executor::RunUnordered(PhysicalOperator& root, const std::function<void(size_t task, Chunk&)>& consumer,
                            const std::atomic<bool>* interrupted, size_t dop) {
    UnorderedConsumer sink(root.types(), &consumer);
    RunInto(root, sink, interrupted, dop, false);
}

}  // namespace floe
