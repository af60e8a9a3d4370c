#pragma once
/// Floe's typed exceptions. A user's mistake or bad data ends its statement with one of these; the
/// server turns the code into a MySQL ERR packet. Internal invariants use FLOE_CHECK (check.h).

#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "common/error_code.h"

namespace floe {

/// Base of every error Floe reports to a client.
class Exception : public std::runtime_error {
  public:
    Exception(ErrorCode code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
    ErrorCode code() const { return code_; }

  private:
    ErrorCode code_;
};

/// Declares an exception class with a fixed error code and a fmt-style constructor.
#define FLOE_DECLARE_EXCEPTION(Name, default_code)                                                                 \
    class Name : public Exception {                                                                                \
      public:                                                                                                      \
        explicit Name(std::string message, ErrorCode code = default_code) : Exception(code, std::move(message)) {} \
        template <typename... Args>                                                                                \
        static Name Format(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {                        \
            return Name(fmt::format(f, std::forward<Args>(args)...), code);                                        \
        }                                                                                                          \
    };

FLOE_DECLARE_EXCEPTION(ParserError, ErrorCode::PARSE)
FLOE_DECLARE_EXCEPTION(BinderError, ErrorCode::UNKNOWN_COLUMN)
FLOE_DECLARE_EXCEPTION(CatalogError, ErrorCode::UNKNOWN_DATABASE)
FLOE_DECLARE_EXCEPTION(ConversionError, ErrorCode::CONVERSION)
FLOE_DECLARE_EXCEPTION(ExecutionError, ErrorCode::INTERNAL)
FLOE_DECLARE_EXCEPTION(PermissionError, ErrorCode::ACCESS_DENIED)
FLOE_DECLARE_EXCEPTION(ProtocolError, ErrorCode::MALFORMED_PACKET)
FLOE_DECLARE_EXCEPTION(IOError, ErrorCode::IO)
FLOE_DECLARE_EXCEPTION(NotSupportedError, ErrorCode::NOT_SUPPORTED)
FLOE_DECLARE_EXCEPTION(OutOfMemoryError, ErrorCode::OUT_OF_MEMORY)
FLOE_DECLARE_EXCEPTION(InternalError, ErrorCode::INTERNAL)
/// A load refused as a whole (too many filtered rows, ...): nothing of it is visible.
FLOE_DECLARE_EXCEPTION(LoadError, ErrorCode::BAD_FIELD_VALUE)
/// A commit whose precondition no longer held (another commit changed what it depended on).
FLOE_DECLARE_EXCEPTION(CommitConflictError, ErrorCode::INTERNAL)

#undef FLOE_DECLARE_EXCEPTION

}  // namespace floe
