#pragma once
/// Query profiles: what a finished run of a physical plan did, operator by operator (rows out and
/// in, time in its own calls summed over threads, its share of the query's operator time) and what
/// each scan read and skipped. EXPLAIN ANALYZE and the server's profile store print them.

#include <string>
#include <vector>

#include "execution/physical_operator.h"

namespace floe {

/// What a scan read and skipped ("SCANNED ..."), or "" for an operator that is not a scan.
std::string ScanSummary(PhysicalOperator& op);

/// The plan tree after a run, one line per operator (indented by depth), each scan followed by
/// its ScanSummary line.
std::vector<std::string> ProfileLines(PhysicalOperator& root);

}  // namespace floe
