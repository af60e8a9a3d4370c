#pragma once
/// BLAKE3 (the 256-bit default output, unkeyed), written from the BLAKE3 specification: input
/// in 1 KiB chunks of 64-byte blocks, each chunk compressed into a chaining value, chunks merged
/// pairwise into a binary tree whose root is finalized with the ROOT flag.

#include <array>
#include <cstdint>
#include <string_view>

namespace floe {

/// The 32-byte BLAKE3 hash of `input`.
std::array<uint8_t, 32> Blake3(std::string_view input);

}  // namespace floe
