#pragma once

// float16 (IEEE binary16) and bfloat16 value types, usable on host and device. Conversions from
// float round to nearest even; arithmetic goes through float, as NumPy does.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "chainerx/core/macros.hpp"

namespace chainerx {
namespace detail {

CHAINERX_HOST_DEVICE inline uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}

CHAINERX_HOST_DEVICE inline float bits_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
    return __uint_as_float(u);
#else
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
#endif
}

// Round-to-nearest-even float -> binary16. Subnormals use the FPU's own rounding by adding a magic
// number that aligns the 10 mantissa bits at the bottom of a float.
CHAINERX_HOST_DEVICE inline uint16_t float_to_half_bits(float f) {
    constexpr uint32_t f32_infinity = 255u << 23;
    constexpr uint32_t f16_overflow = (127u + 16u) << 23;
    constexpr uint32_t denorm_magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
    uint32_t u = float_bits(f);
    uint32_t sign = u & 0x80000000u;
    u ^= sign;
    uint32_t out;
    if (u >= f16_overflow) {
        out = u > f32_infinity ? 0x7e00u : 0x7c00u;
    } else if (u < (113u << 23)) {
        out = float_bits(bits_float(u) + bits_float(denorm_magic)) - denorm_magic;
    } else {
        uint32_t mantissa_odd = (u >> 13) & 1u;
        u += (static_cast<uint32_t>(15 - 127) << 23) + 0xfffu + mantissa_odd;
        out = u >> 13;
    }
    return static_cast<uint16_t>(out | (sign >> 16));
}

CHAINERX_HOST_DEVICE inline float half_bits_to_float(uint16_t h) {
    constexpr uint32_t shifted_exponent = 0x7c00u << 13;
    uint32_t u = (h & 0x7fffu) << 13;
    uint32_t exponent = shifted_exponent & u;
    u += (127u - 15u) << 23;
    if (exponent == shifted_exponent) {
        u += (128u - 16u) << 23;  // inf / nan
    } else if (exponent == 0) {
        u += 1u << 23;  // zero / subnormal: renormalize
        u = float_bits(bits_float(u) - bits_float(113u << 23));
    }
    return bits_float(u | (static_cast<uint32_t>(h & 0x8000u) << 16));
}

CHAINERX_HOST_DEVICE inline uint16_t float_to_bfloat16_bits(float f) {
    uint32_t u = float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);  // quiet nan
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

CHAINERX_HOST_DEVICE inline float bfloat16_bits_to_float(uint16_t b) {
    return bits_float(static_cast<uint32_t>(b) << 16);
}

// double -> float rounding to odd (truncate, then set the last bit if anything was dropped). A
// following round-to-nearest-even to 16 bits then rounds exactly once, as a direct conversion would.
CHAINERX_HOST_DEVICE inline float double_to_float_round_to_odd(double d) {
    float f = static_cast<float>(d);
    double back = static_cast<double>(f);
    if (back == d || d != d) return f;
    uint32_t u = float_bits(f);
    if ((back > d) == (d > 0)) --u;  // f was rounded away from zero: step back toward zero
    return bits_float(u | 1u);
}

// Shared arithmetic of the two 16-bit float types: everything is computed in float.
template <class Half>
struct half_arithmetic {
#define CHAINERX_HALF_BINARY(op)                                     \
    friend CHAINERX_HOST_DEVICE Half operator op(Half a, Half b) {   \
        return Half(static_cast<float>(a) op static_cast<float>(b)); \
    }                                                                \
    friend CHAINERX_HOST_DEVICE Half& operator op## = (Half & a, Half b) { return a = a op b; }
    CHAINERX_HALF_BINARY(+)
    CHAINERX_HALF_BINARY(-)
    CHAINERX_HALF_BINARY(*)
    CHAINERX_HALF_BINARY(/)
#undef CHAINERX_HALF_BINARY
#define CHAINERX_HALF_COMPARE(op)                                  \
    friend CHAINERX_HOST_DEVICE bool operator op(Half a, Half b) { \
        return static_cast<float>(a) op static_cast<float>(b);     \
    }
    CHAINERX_HALF_COMPARE(==)
    CHAINERX_HALF_COMPARE(!=)
    CHAINERX_HALF_COMPARE(<)
    CHAINERX_HALF_COMPARE(<=)
    CHAINERX_HALF_COMPARE(>)
    CHAINERX_HALF_COMPARE(>=)
#undef CHAINERX_HALF_COMPARE
    friend CHAINERX_HOST_DEVICE Half operator-(Half a) { return Half::from_bits(a.bits ^ 0x8000u); }
};

}  // namespace detail

struct float16 : detail::half_arithmetic<float16> {
    uint16_t bits;

    float16() = default;
    CHAINERX_HOST_DEVICE explicit float16(float f) : bits(detail::float_to_half_bits(f)) {}
    CHAINERX_HOST_DEVICE explicit float16(double d) : float16(detail::double_to_float_round_to_odd(d)) {}
    template <class I>
        requires std::is_integral_v<I>
    CHAINERX_HOST_DEVICE explicit float16(I i) : float16(static_cast<float>(i)) {}
    CHAINERX_HOST_DEVICE operator float() const { return detail::half_bits_to_float(bits); }
    CHAINERX_HOST_DEVICE static float16 from_bits(uint16_t b) {
        float16 h;
        h.bits = b;
        return h;
    }
};

struct bfloat16 : detail::half_arithmetic<bfloat16> {
    uint16_t bits;

    bfloat16() = default;
    CHAINERX_HOST_DEVICE explicit bfloat16(float f) : bits(detail::float_to_bfloat16_bits(f)) {}
    CHAINERX_HOST_DEVICE explicit bfloat16(double d) : bfloat16(detail::double_to_float_round_to_odd(d)) {}
    template <class I>
        requires std::is_integral_v<I>
    CHAINERX_HOST_DEVICE explicit bfloat16(I i) : bfloat16(static_cast<float>(i)) {}
    CHAINERX_HOST_DEVICE operator float() const { return detail::bfloat16_bits_to_float(bits); }
    CHAINERX_HOST_DEVICE static bfloat16 from_bits(uint16_t b) {
        bfloat16 h;
        h.bits = b;
        return h;
    }
};

static_assert(sizeof(float16) == 2 && sizeof(bfloat16) == 2);

}  // namespace chainerx
