#pragma once

#include <cstdint>
#include <string_view>

namespace sp {

// MurmurHash3 x86 32-bit (Austin Appleby's public-domain algorithm), as flagd's `fractional` uses.
std::uint32_t murmur3_32(std::string_view data, std::uint32_t seed = 0);

// The hash of a + b without building the concatenation (evaluation hashes flagKey + targetingKey
// millions of times a second).
std::uint32_t murmur3_32(std::string_view a, std::string_view b, std::uint32_t seed = 0);

// flagd's fractional bucket: (uint64(hash) * totalWeight) >> 32, in [0, totalWeight).
inline std::uint32_t fractionalBucket(std::uint32_t hash, std::uint32_t totalWeight)
{
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(hash) * totalWeight) >> 32);
}

} // namespace sp
