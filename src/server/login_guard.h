#pragma once
/// MySQL 8's login limits, enforced alike on every way in (the MySQL protocol and Stream Load's
/// HTTP Basic authentication), so one place decides who may log in:
///  - FAILED_LOGIN_ATTEMPTS n PASSWORD_LOCK_TIME d: after n wrong passwords in a row an account
///    is blocked for d days (or until ACCOUNT UNLOCK), even for the right password (errno 3955);
///  - ACCOUNT LOCK: no login succeeds (3118, told only to a client that proved the password);
///  - max_user_connections: live MySQL connections per user (1203).
/// Failure counts live in memory only, as in MySQL (WL#13515): a restart, ACCOUNT UNLOCK or a
/// change of the account's limits starts them over.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "catalog/catalog.h"

namespace floe {

class LoginGuard {
  public:
    /// Holds one of a user's max_user_connections while alive (movable, not copyable).
    class Ticket {
      public:
        Ticket() = default;
        Ticket(Ticket&& other) noexcept { *this = std::move(other); }
        Ticket& operator=(Ticket&& other) noexcept;
        ~Ticket() { Release(); }

      private:
        friend class LoginGuard;
        Ticket(LoginGuard* guard, std::string user) : guard_(guard), user_(std::move(user)) {}
        void Release();
        LoginGuard* guard_ = nullptr;
        std::string user_;
    };

    /// Logs `name` in from `host`: refuses a blocked account before looking at the password,
    /// runs `verify` (which proves the password by whatever exchange the front end speaks; it
    /// gets nullptr for an unknown user and must then return false), counts a failure or clears
    /// the count, and refuses a locked account. Returns the account; throws PermissionError with
    /// ACCESS_DENIED (1045), ACCOUNT_BLOCKED (3955) or ACCOUNT_LOCKED (3118). `password_given`
    /// (for 1045's "using password: YES/NO") is read after `verify`, which may learn it.
    UserInfo Authenticate(Catalog& catalog, std::string_view name, std::string_view host, const bool& password_given,
                          const std::function<bool(const UserInfo*)>& verify);

    /// Counts a connection of `user` against its max_user_connections; throws PermissionError
    /// with USER_CONNECTIONS (1203) when it has that many already.
    Ticket Admit(const UserInfo& user);

    /// Forgets the failures and the lockout of `user` (ACCOUNT UNLOCK, new login limits).
    void Reset(std::string_view user);

  private:
    struct Failures {
        int64_t consecutive = 0;
        int64_t blocked_since = 0;  // unix seconds; 0: not blocked
        int64_t blocked_days = 0;   // -1: until unlocked
        int64_t blocked_after = 0;  // the FAILED_LOGIN_ATTEMPTS that blocked it
    };
    /// Throws ACCOUNT_BLOCKED when `user` is blocked now (an expired block is forgotten).
    void CheckNotBlockedLocked(const UserInfo& user, std::string_view host, int64_t now);
    void Leave(const std::string& user);

    std::mutex mutex_;
    std::map<std::string, Failures, std::less<>> failures_;
    std::map<std::string, int64_t, std::less<>> connections_;
};

}  // namespace floe
