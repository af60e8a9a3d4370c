#include "execution/executor.h"

#include "common/check.h"

namespace floe {

namespace {

/// Collects the final output.
class ResultCollector : public PhysicalOperator {
  public:
    explicit ResultCollector(std::vector<LogicalType> types)
        : PhysicalOperator(PhysicalOperatorType::RESULT_COLLECTOR, std::move(types)) {}
    std::string name() const override { return "RESULT"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext&, Chunk& input) override {
        if (input.live_rows() > 0) chunks.push_back(std::move(input));
        return true;
    }
    std::vector<Chunk> chunks;
};

struct Pipeline {
    PhysicalOperator* source = nullptr;
    std::vector<PhysicalOperator*> operators;  // in data-flow order
    PhysicalOperator* sink = nullptr;
    std::vector<Pipeline*> dependencies;
};

class PipelineBuilder {
  public:
    std::vector<std::unique_ptr<Pipeline>> pipelines;

    Pipeline* Build(PhysicalOperator* root, PhysicalOperator* sink) {
        auto p = std::make_unique<Pipeline>();
        p->sink = sink;
        Pipeline* raw = p.get();
        pipelines.push_back(std::move(p));
        Walk(root, raw);
        return raw;
    }

  private:
    void Walk(PhysicalOperator* op, Pipeline* pipeline) {
        if (op->IsSink() && op->IsSource()) {
            // Breaker: it is the source here and the sink of the pipeline below it.
            pipeline->source = op;
            FLOE_CHECK(op->children().size() == 1);
            pipeline->dependencies.push_back(Build(op->children()[0].get(), op));
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

void RunPipeline(Pipeline& p, ExecutionContext& ctx) {
    Chunk chunk;
    bool done = false;
    while (!done) {
        ctx.CheckInterrupted();
        Chunk input;
        if (!p.source->GetData(ctx, input)) break;
        for (PhysicalOperator* op : p.operators) {
            Chunk output;
            if (op->Execute(ctx, input, output) == OperatorResult::FINISHED) done = true;
            input = std::move(output);
        }
        if (!p.sink->Sink(ctx, input)) done = true;
    }
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

}  // namespace floe
