#pragma once
/// Internal invariants. FLOE_CHECK is always on and throws InternalError naming the condition and
/// place; FLOE_DCHECK compiles away in release builds and is for hot paths.

#include "common/exception.h"

#define FLOE_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) [[unlikely]] {                                                                                    \
            throw ::floe::InternalError(fmt::format("internal check failed: {} at {}:{}", #cond, __FILE__, __LINE__)); \
        }                                                                                                              \
    } while (0)

#ifdef NDEBUG
#define FLOE_DCHECK(cond) \
    do {                  \
    } while (0)
#else
#define FLOE_DCHECK(cond) FLOE_CHECK(cond)
#endif
