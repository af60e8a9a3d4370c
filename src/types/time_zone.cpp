#include "types/time_zone.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <cctype>
#include <map>
#include <mutex>

#include "types/date_time.h"

namespace floe {

struct TimeZone::Named {
    absl::TimeZone zone;
};

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}

/// "+08:00", "-5:30", "+0800": the offset in minutes.
std::optional<int64_t> ParseOffset(std::string_view s) {
    if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
    int sign = s[0] == '-' ? -1 : 1;
    std::string digits;
    size_t colon = std::string_view::npos;
    for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] == ':' && colon == std::string_view::npos) {
            colon = digits.size();
        } else if (std::isdigit(static_cast<unsigned char>(s[i]))) {
            digits.push_back(s[i]);
        } else {
            return std::nullopt;
        }
    }
    int hours, minutes;
    if (colon != std::string_view::npos) {
        if (colon == 0 || colon > 2 || digits.size() - colon != 2) return std::nullopt;
        hours = std::stoi(digits.substr(0, colon));
        minutes = std::stoi(digits.substr(colon));
    } else if (digits.size() == 4) {
        hours = std::stoi(digits.substr(0, 2));
        minutes = std::stoi(digits.substr(2));
    } else if (!digits.empty() && digits.size() <= 2) {
        hours = std::stoi(digits);
        minutes = 0;
    } else {
        return std::nullopt;
    }
    // MySQL's range: -13:59 to +14:00.
    int64_t total = sign * (hours * 60 + minutes);
    if (minutes > 59 || total < -(13 * 60 + 59) || total > 14 * 60) return std::nullopt;
    return total;
}

}  // namespace

TimeZone TimeZone::Utc() {
    return TimeZone();
}

std::optional<TimeZone> TimeZone::Find(std::string_view name) {
    std::string lower;
    for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower == "utc" || lower == "system" || lower == "gmt" || lower == "etc/utc" || lower == "z") return Utc();
    TimeZone tz;
    if (auto minutes = ParseOffset(name)) {
        if (*minutes == 0) return Utc();
        tz.kind_ = Kind::FIXED;
        tz.offset_micros_ = *minutes * 60 * kMicrosPerSecond;
        tz.name_ = std::string(name);
        return tz;
    }
    // Loaded zones are kept: a session sets one, and every statement binds with it.
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Named>, std::less<>> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = loaded.find(name);
    if (it == loaded.end()) {
        // Names are paths under the zoneinfo directory: refuse anything that could leave it.
        if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return std::nullopt;
        auto named = std::make_shared<Named>();
        if (!absl::LoadTimeZone(std::string(name), &named->zone)) return std::nullopt;
        it = loaded.emplace(std::string(name), std::move(named)).first;
    }
    tz.kind_ = Kind::NAMED;
    tz.named_ = it->second;
    tz.name_ = std::string(name);
    return tz;
}

int64_t TimeZone::ToLocal(int64_t utc_micros) const {
    switch (kind_) {
        case Kind::UTC:
            return utc_micros;
        case Kind::FIXED:
            return utc_micros + offset_micros_;
        case Kind::NAMED:
            break;
    }
    int64_t secs = FloorDiv(utc_micros, kMicrosPerSecond);
    int64_t frac = utc_micros - secs * kMicrosPerSecond;
    absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(secs), named_->zone);
    int64_t days = DaysFromCivil(static_cast<int32_t>(cs.year()), static_cast<uint32_t>(cs.month()),
                                 static_cast<uint32_t>(cs.day()));
    return days * kMicrosPerDay + (cs.hour() * 3600LL + cs.minute() * 60LL + cs.second()) * kMicrosPerSecond + frac;
}

int64_t TimeZone::ToUtc(int64_t local_micros) const {
    switch (kind_) {
        case Kind::UTC:
            return local_micros;
        case Kind::FIXED:
            return local_micros - offset_micros_;
        case Kind::NAMED:
            break;
    }
    int64_t secs = FloorDiv(local_micros, kMicrosPerSecond);
    int64_t frac = local_micros - secs * kMicrosPerSecond;
    int64_t days = FloorDiv(secs, 86400);
    int64_t in_day = secs - days * 86400;
    CivilDate c = CivilFromDays(static_cast<int32_t>(days));
    absl::CivilSecond cs(c.year, c.month, c.day, in_day / 3600, (in_day / 60) % 60, in_day % 60);
    absl::TimeZone::TimeInfo info = named_->zone.At(cs);
    // UNIQUE: the one instant; SKIPPED: after the gap (MySQL); REPEATED: the first occurrence.
    absl::Time t = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
    return absl::ToUnixSeconds(t) * kMicrosPerSecond + frac;
}

}  // namespace floe
