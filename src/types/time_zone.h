#pragma once
/// Time zones for the session's `time_zone` and Stream Load's `timezone`: DATETIME values are
/// wall-clock times in a zone, instants (Unix seconds, NOW()) are UTC. Names are IANA zones from
/// the system's tz database ("Asia/Shanghai"), fixed offsets ("+08:00", "-05:30") and "UTC"
/// (also "SYSTEM", which is UTC for a Floe server). Conversions follow MySQL: a wall-clock time
/// skipped by a daylight-saving change maps to the instant after the gap, a repeated one to its
/// first occurrence.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

class TimeZone {
  public:
    /// The zone called `name`, or nullopt when it is neither a known zone nor an offset.
    static std::optional<TimeZone> Find(std::string_view name);
    static TimeZone Utc();

    bool is_utc() const { return kind_ == Kind::UTC; }
    const std::string& name() const { return name_; }
    /// The wall-clock DATETIME (microseconds) of a UTC instant (microseconds since the epoch).
    int64_t ToLocal(int64_t utc_micros) const;
    /// The UTC instant of a wall-clock DATETIME.
    int64_t ToUtc(int64_t local_micros) const;

  private:
    enum class Kind { UTC, FIXED, NAMED };
    struct Named;  // the loaded tz database entry
    Kind kind_ = Kind::UTC;
    int64_t offset_micros_ = 0;  // FIXED
    std::shared_ptr<const Named> named_;
    std::string name_ = "UTC";
};

}  // namespace floe
