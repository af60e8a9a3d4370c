#pragma once
/// The property helpers a Routine Load job's definition and its consumers share
/// (ingest/routine_load.cpp runs jobs, ingest/routine_load_jobs.cpp defines and controls them).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace floe::routine_load {

/// A job property, or `fallback` when absent or empty.
std::string Prop(const std::map<std::string, std::string>& props, const std::string& name,
                 const std::string& fallback = "");
/// An integer property of at least `min` (LoadError naming it otherwise).
int64_t IntProp(const std::map<std::string, std::string>& props, const std::string& name, int64_t fallback,
                int64_t min);
/// max_batch_interval-style seconds between 0.01 and 3600 (LoadError otherwise).
double SecondsProp(const std::map<std::string, std::string>& props, const std::string& name, double fallback);
/// A comma-separated list, items trimmed.
std::vector<std::string> SplitList(const std::string& text);
/// Whether CREATE ROUTINE LOAD knows the job property / the FROM KAFKA property `name`.
bool KnownLoadProperty(const std::string& name);
bool KnownSourceProperty(const std::string& name);

}  // namespace floe::routine_load
