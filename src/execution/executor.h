#pragma once
/// Splits a physical plan into pipelines at sinks (source → operators → sink) and runs them in
/// dependency order, pushing chunks from each source through its operators into its sink. The
/// final pipeline's sink collects the result chunks.

#include <atomic>
#include <functional>
#include <vector>

#include "execution/physical_operator.h"

namespace floe {

class Executor {
  public:
    /// Runs `root` to completion and returns its output chunks (selections preserved).
    /// `interrupted`, when set, is polled between chunks (KILL QUERY).
    static std::vector<Chunk> Run(PhysicalOperator& root, const std::atomic<bool>* interrupted = nullptr);
    /// The same, handing each output chunk to `consumer` as it is produced (nothing is kept).
    static void Run(PhysicalOperator& root, const std::function<void(Chunk&)>& consumer,
                    const std::atomic<bool>* interrupted = nullptr);
};

}  // namespace floe
