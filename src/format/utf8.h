#pragma once
/// UTF-8 validation for text that becomes VARCHAR values (vectorized: gigabytes per second).

#include <string_view>

namespace floe {

bool IsValidUtf8(std::string_view text);

}  // namespace floe
