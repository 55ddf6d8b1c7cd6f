#pragma once

// Branch-free selection for hot loops over data whose comparisons are unpredictable: compilers turn
// `c ? a : b` back into branches or masked stores, which cost several times more there.
#include <bit>
#include <cstdint>
#include <type_traits>

namespace chainerx::kernels {

// An unsigned integer as wide as T (T of 1, 2, 4 or 8 bytes).
template <class T>
using uint_as_wide_t = std::conditional_t<
    sizeof(T) == 1, uint8_t,
    std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

// take ? a : b, computed with a bit mask.
template <class T>
inline T select_bits(bool take, T a, T b) {
    using U = uint_as_wide_t<T>;
    U mask = static_cast<U>(-static_cast<U>(take));
    return std::bit_cast<T>(static_cast<U>((std::bit_cast<U>(a) & mask) | (std::bit_cast<U>(b) & ~mask)));
}

}  // namespace chainerx::kernels
