#pragma once
/// Splits a physical plan into pipelines at sinks (source → operators → sink) and runs them in
/// dependency order, pushing chunks from each source through its operators into its sink. The
/// final pipeline's sink collects the result chunks. With `dop` > 1, a pipeline whose source
/// splits into morsels and whose operators allow it runs on up to `dop` threads of the worker
/// pool (physical_operator.h); results come out in the same order as on one thread, except that
/// groups of a parallel aggregation come out in another order.

#include <atomic>
#include <functional>
#include <vector>

#include "execution/physical_operator.h"

namespace floe {

class Executor {
  public:
    /// Runs `root` to completion and returns its output chunks (selections preserved).
    /// `interrupted`, when set, is polled between chunks (KILL QUERY).
    static std::vector<Chunk> Run(PhysicalOperator& root, const std::atomic<bool>* interrupted = nullptr,
                                  size_t dop = 1);
    /// The same, handing each output chunk to `consumer` as it is produced (nothing is kept).
    static void Run(PhysicalOperator& root, const std::function<void(Chunk&)>& consumer,
                    const std::atomic<bool>* interrupted = nullptr, size_t dop = 1);
    /// The same, unordered: up to `dop` tasks hand their chunks to `consumer` at once, each with
    /// its own task number (0 .. dop; 0 alone when the plan runs on one thread), so a consumer that
    /// keeps one state per task number (a file writer, say) needs no lock. For writes whose row
    /// order does not matter.
    static void RunUnordered(PhysicalOperator& root, const std::function<void(size_t task, Chunk&)>& consumer,
                             const std::atomic<bool>* interrupted = nullptr, size_t dop = 1);
};

}  // namespace floe
