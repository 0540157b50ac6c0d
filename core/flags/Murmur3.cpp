#include "Murmur3.h"

#include <cstring>

namespace sp {

namespace {

constexpr std::uint32_t c1 = 0xcc9e2d51;
constexpr std::uint32_t c2 = 0x1b873593;

inline std::uint32_t rotl(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline std::uint32_t mixK(std::uint32_t k)
{
    k *= c1;
    k = rotl(k, 15);
    return k * c2;
}

inline std::uint32_t mixH(std::uint32_t h, std::uint32_t k)
{
    h ^= mixK(k);
    h = rotl(h, 13);
    return h * 5 + 0xe6546b64;
}

inline std::uint32_t load32(const unsigned char *p)
{
    // little-endian block read, independent of host byte order
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}

inline std::uint32_t finish(std::uint32_t h, std::uint32_t tailK, std::size_t tailLen, std::size_t totalLen)
{
    if (tailLen > 0)
        h ^= mixK(tailK);
    h ^= static_cast<std::uint32_t>(totalLen);
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

} // namespace

std::uint32_t murmur3_32(std::string_view data, std::uint32_t seed)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data.data());
    const std::size_t n = data.size();
    std::uint32_t h = seed;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
        h = mixH(h, load32(p + i));
    std::uint32_t k = 0;
    const std::size_t tail = n - i;
    for (std::size_t j = 0; j < tail; ++j)
        k |= std::uint32_t(p[i + j]) << (8 * j);
    return finish(h, k, tail, n);
}

std::uint32_t murmur3_32(std::string_view a, std::string_view b, std::uint32_t seed)
{
    // Feed bytes from a then b through a 4-byte window; full blocks straight from the inputs.
    std::uint32_t h = seed;
    std::uint32_t k = 0;
    std::size_t pending = 0; // bytes collected in k
    const auto feed = [&](std::string_view s) {
        const auto *p = reinterpret_cast<const unsigned char *>(s.data());
        std::size_t n = s.size();
        std::size_t i = 0;
        while (pending != 0 && i < n) {
            k |= std::uint32_t(p[i++]) << (8 * pending);
            if (++pending == 4) {
                h = mixH(h, k);
                k = 0;
                pending = 0;
            }
        }
        for (; i + 4 <= n; i += 4)
            h = mixH(h, load32(p + i));
        for (; i < n; ++i)
            k |= std::uint32_t(p[i]) << (8 * pending++);
    };
    feed(a);
    feed(b);
    return finish(h, k, pending, a.size() + b.size());
}

} // namespace sp
