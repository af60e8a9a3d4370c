#include "server/login_guard.h"

#include <chrono>

#include "common/exception.h"

namespace floe {

namespace {

constexpr int64_t kSecondsPerDay = 24 * 3600;

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string Account(std::string_view user, std::string_view host) {
    return "'" + std::string(user) + "'@'" + std::string(host) + "'";
}

bool TracksFailures(const UserInfo& user) {
    return user.failed_login_attempts > 0 && user.password_lock_days != 0;
}

}  // namespace

LoginGuard::Ticket& LoginGuard::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        Release();
        guard_ = other.guard_;
        user_ = std::move(other.user_);
        other.guard_ = nullptr;
    }
    return *this;
}

void LoginGuard::Ticket::Release() {
    if (guard_) guard_->Leave(user_);
    guard_ = nullptr;
}

void LoginGuard::CheckNotBlockedLocked(const UserInfo& user, std::string_view host, int64_t now) {
    auto it = failures_.find(user.name);
    if (it == failures_.end() || it->second.blocked_since == 0) return;
    const Failures& f = it->second;
    std::string days = "unlimited", remaining = "unlimited";
    if (f.blocked_days >= 0) {
        int64_t until = f.blocked_since + f.blocked_days * kSecondsPerDay;
        if (now >= until) {
            failures_.erase(it);  // the block has run out; counting starts over
            return;
        }
        days = std::to_string(f.blocked_days);
        remaining = std::to_string((until - now + kSecondsPerDay - 1) / kSecondsPerDay);
    }
    throw PermissionError("Access denied for user " + Account(user.name, host) + ". Account is blocked for " + days +
                              " day(s) (" + remaining + " day(s) remaining) due to " + std::to_string(f.blocked_after) +
                              " consecutive failed logins.",
                          ErrorCode::ACCOUNT_BLOCKED);
}

UserInfo LoginGuard::Authenticate(Catalog& catalog, std::string_view name, std::string_view host,
                                  const bool& password_given, const std::function<bool(const UserInfo*)>& verify) {
    auto user = catalog.GetUser(name);
    if (user) {
        std::lock_guard<std::mutex> lock(mutex_);
        CheckNotBlockedLocked(*user, host, NowSeconds());
    }
    bool proven = verify(user ? &*user : nullptr) && user.has_value();
    if (!proven) {
        if (user && TracksFailures(*user)) {
            std::lock_guard<std::mutex> lock(mutex_);
            Failures& f = failures_[user->name];
            if (++f.consecutive >= user->failed_login_attempts) {
                // MySQL answers the attempt that blocks the account with the block already.
                f.blocked_since = NowSeconds();
                f.blocked_days = user->password_lock_days;
                f.blocked_after = user->failed_login_attempts;
                CheckNotBlockedLocked(*user, host, f.blocked_since);
            }
        }
        throw PermissionError("Access denied for user " + Account(name, host) +
                                  " (using password: " + (password_given ? "YES" : "NO") + ")",
                              ErrorCode::ACCESS_DENIED);
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        failures_.erase(user->name);
    }
    if (user->account_locked) {
        throw PermissionError("Access denied for user " + Account(name, host) + ". Account is locked.",
                              ErrorCode::ACCOUNT_LOCKED);
    }
    return *user;
}

LoginGuard::Ticket LoginGuard::Admit(const UserInfo& user) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t& live = connections_[user.name];
    if (user.max_user_connections > 0 && live >= user.max_user_connections) {
        throw PermissionError("User " + user.name + " already has more than 'max_user_connections' active connections",
                              ErrorCode::USER_CONNECTIONS);
    }
    ++live;
    return Ticket(this, user.name);
}

void LoginGuard::Leave(const std::string& user) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = connections_.find(user);
    if (it != connections_.end() && --it->second <= 0) connections_.erase(it);
}

void LoginGuard::Reset(std::string_view user) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = failures_.find(user);
    if (it != failures_.end()) failures_.erase(it);
}

}  // namespace floe
