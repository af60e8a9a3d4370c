#include "execution/executor.h"

#include <functional>

#include "common/check.h"

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

struct Pipeline {
    PhysicalOperator* source = nullptr;
    std::vector<PhysicalOperator*> operators;  // in data-flow order
    PhysicalOperator* sink = nullptr;
    size_t sink_input = 0;  // which input of the sink this pipeline feeds
    std::vector<Pipeline*> dependencies;
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
    void Walk(PhysicalOperator* op, Pipeline* pipeline) {
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

/// Pushes `input` through operators[from..] into the sink; returns false when no more input is wanted.
bool Push(Pipeline& p, ExecutionContext& ctx, Chunk input, size_t from) {
    bool more = true;
    for (size_t i = from; i < p.operators.size(); ++i) {
        Chunk output;
        if (p.operators[i]->Execute(ctx, input, output) == OperatorResult::FINISHED) more = false;
        input = std::move(output);
    }
    ctx.sink_input = p.sink_input;
    if (!p.sink->Sink(ctx, input)) more = false;
    return more;
}

void RunPipeline(Pipeline& p, ExecutionContext& ctx) {
    bool more = true;
    while (more) {
        ctx.CheckInterrupted();
        Chunk input;
        if (!p.source->GetData(ctx, input)) break;
        more = Push(p, ctx, std::move(input), 0);
    }
    // Let operators emit what they held back, in pipeline order.
    for (size_t i = 0; more && i < p.operators.size(); ++i) {
        Chunk output;
        while (more && p.operators[i]->FinishExecute(ctx, output)) {
            ctx.CheckInterrupted();
            more = Push(p, ctx, std::move(output), i + 1);
            output = Chunk();
        }
    }
    ctx.sink_input = p.sink_input;
    p.sink->Finalize(ctx);
}

void RunWithDependencies(Pipeline& p, ExecutionContext& ctx) {
    for (Pipeline* dep : p.dependencies) RunWithDependencies(*dep, ctx);
    RunPipeline(p, ctx);
}

}  // namespace

std::vector<Chunk> Executor::Run(PhysicalOperator& root, const std::atomic<bool>* interrupted) {
    ExecutionContext ctx;
    ctx.interrupted = interrupted;
    ResultCollector collector(root.types());
    PipelineBuilder builder;
    Pipeline* final_pipeline = builder.Build(&root, &collector);
    RunWithDependencies(*final_pipeline, ctx);
    return std::move(collector.chunks);
}

void Executor::Run(PhysicalOperator& root, const std::function<void(Chunk&)>& consumer,
                   const std::atomic<bool>* interrupted) {
    ExecutionContext ctx;
    ctx.interrupted = interrupted;
    ResultCollector collector(root.types(), &consumer);
    PipelineBuilder builder;
    Pipeline* final_pipeline = builder.Build(&root, &collector);
    RunWithDependencies(*final_pipeline, ctx);
}

}  // namespace floe
