#pragma once
/// The web console's files (src/server/console/*.html, *.js, *.css), compiled into the binary by
/// embed.cmake and served under /console/ by the HTTP server.

#include <cstddef>
#include <string_view>

namespace floe {

struct ConsoleAsset {
    const char* name;          // "index.html", "console.js", ...
    const char* content_type;  // "text/html; charset=utf-8", ...
    const char* data;
    size_t size;
};

/// The asset called `name`, or null.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace floe
