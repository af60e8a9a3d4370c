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
};

}  // namespace floe
