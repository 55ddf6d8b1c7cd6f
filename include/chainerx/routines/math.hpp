#pragma once

// Elementwise math, logic and comparison routines. Each op is a functor (the one body for CPU and
// CUDA; its constraint says which dtypes it supports) plus its routine (the dtype rule).
#include <cmath>
#include <concepts>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/elementwise.hpp"
#include "chainerx/routines/manipulation.hpp"

// ---- the op tables ----------------------------------------------------------------------------
// Every elementwise op is one row below plus its functor in chainerx::ops (further down). From the
// row follow its routine chainerx::<name>, its backward rule, its CUDA kernels (compiled in
// cuda/<kernels>.cu for every dtype the functor accepts), its entry for user dtypes
// (register_dtype.hpp), its Python function and docstring (python/src/math_*.cpp) and its
// listing in chainerx._core._elementwise_ops(), by which tests/python/test_op_table.py checks that
// it has rows in the NumPy and gradient test tables. Columns:
//   kernels    the cuda/ file that compiles its kernels: unary, float_math, arithmetic, comparison
//   dtype      the result dtype: same (the promoted dtype, or the functor's bool), float_result
//              (integers and bool compute in float32), compare (a Python int out of range compares
//              by value), logical (scalars by their truth), shift (bool shifts as int8)
//   gradient   gx from x and gy (unary), ga and gb from a, b and gy (binary), written with the
//              differentiable routines; not_differentiable when the result has no gradient
//   summary, notes   the docstring; the binding adds the note of the dtype rule, differentiability and Args
// clang-format off
#define CHAINERX_UNARY_OPS(X) \
    X(negative, unary, same, negative(gy), \
      "Elementwise numerical negative -x of x.", \
      "Keeps x's dtype (integers wrap around); bool raises DtypeError, as NumPy refuses it.") \
    X(square, unary, same, multiply(gy, multiply(x, 2)), \
      "Elementwise square x * x of x.", "Keeps x's dtype (integers wrap around).") \
    X(absolute, unary, same, multiply(gy, sign(x)), \
      "Elementwise absolute value of x.", "Keeps x's dtype (bool and unsigned values are returned as they are).") \
    X(sign, unary, same, not_differentiable, \
      "Elementwise sign of x: -1, 0 or 1 in x's dtype (NaN stays NaN).", "bool raises DtypeError.") \
    X(logical_not, unary, same, not_differentiable, \
      "Elementwise logical NOT of x: True where x is zero (a bool array).", "") \
    X(isnan, unary, same, not_differentiable, \
      "Elementwise test of x for NaN, as a bool array.", "Always False for integer and bool inputs.") \
    X(isinf, unary, same, not_differentiable, \
      "Elementwise test of x for positive or negative infinity, as a bool array.", \
      "Always False for integer and bool inputs.") \
    X(isfinite, unary, same, not_differentiable, \
      "Elementwise test of x for finiteness (neither infinite nor NaN), as a bool array.", \
      "Always True for integer and bool inputs.") \
    X(sqrt, float_math, float_result, true_divide(gy, multiply(sqrt(x), 2)), \
      "Elementwise non-negative square root of x.", "") \
    X(fabs, float_math, float_result, multiply(gy, sign(x)), "Elementwise absolute value of x, as a float.", "") \
    X(exp, float_math, float_result, multiply(gy, exp(x)), "Elementwise exponential e**x of x.", "") \
    X(expm1, float_math, float_result, multiply(gy, exp(x)), \
      "Elementwise exp(x) - 1 of x, accurate for small x.", "") \
    X(exp2, float_math, float_result, multiply(gy, multiply(exp2(x), 0.69314718055994530942)), \
      "Elementwise base-2 exponential 2**x of x.", "") \
    X(log, float_math, float_result, true_divide(gy, x), "Elementwise natural logarithm of x.", "") \
    X(log10, float_math, float_result, true_divide(gy, multiply(x, 2.30258509299404568402)), \
      "Elementwise base-10 logarithm of x.", "") \
    X(log2, float_math, float_result, true_divide(gy, multiply(x, 0.69314718055994530942)), \
      "Elementwise base-2 logarithm of x.", "") \
    X(log1p, float_math, float_result, true_divide(gy, add(x, 1)), \
      "Elementwise log(1 + x) of x, accurate for small x.", "") \
    X(erf, float_math, float_result, multiply(gy, multiply(exp(negative(square(x))), 1.12837916709551257390)), \
      "Elementwise Gauss error function of x.", "A ChainerX routine (NumPy has none).") \
    X(sin, float_math, float_result, multiply(gy, cos(x)), "Elementwise sine of x (in radians).", "") \
    X(cos, float_math, float_result, negative(multiply(gy, sin(x))), "Elementwise cosine of x (in radians).", "") \
    X(tan, float_math, float_result, true_divide(gy, square(cos(x))), "Elementwise tangent of x (in radians).", "") \
    X(arcsin, float_math, float_result, true_divide(gy, sqrt(subtract(1, square(x)))), \
      "Elementwise inverse sine of x, in radians.", "") \
    X(arccos, float_math, float_result, negative(true_divide(gy, sqrt(subtract(1, square(x))))), \
      "Elementwise inverse cosine of x, in radians.", "") \
    X(arctan, float_math, float_result, true_divide(gy, add(square(x), 1)), \
      "Elementwise inverse tangent of x, in radians.", "") \
    X(sinh, float_math, float_result, multiply(gy, cosh(x)), "Elementwise hyperbolic sine of x.", "") \
    X(cosh, float_math, float_result, multiply(gy, sinh(x)), "Elementwise hyperbolic cosine of x.", "") \
    X(tanh, float_math, float_result, multiply(gy, subtract(1, square(tanh(x)))), \
      "Elementwise hyperbolic tangent of x.", "") \
    X(arcsinh, float_math, float_result, true_divide(gy, sqrt(add(square(x), 1))), \
      "Elementwise inverse hyperbolic sine of x.", "") \
    X(arccosh, float_math, float_result, true_divide(gy, sqrt(subtract(square(x), 1))), \
      "Elementwise inverse hyperbolic cosine of x.", "") \
    X(arctanh, float_math, float_result, true_divide(gy, subtract(1, square(x))), \
      "Elementwise inverse hyperbolic tangent of x.", "") \
    X(ceil, float_math, float_result, not_differentiable, \
      "Elementwise ceiling of x (the smallest integer >= x), as a float.", "") \
    X(floor, float_math, float_result, not_differentiable, \
      "Elementwise floor of x (the largest integer <= x), as a float.", "") \
    X(fix, float_math, float_result, not_differentiable, "Elementwise rounding of x toward zero, as a float.", "")

#define CHAINERX_BINARY_OPS(X) \
    X(add, arithmetic, same, gy, gy, \
      "Elementwise sum x1 + x2.", "Integers wrap around; bool + bool is a logical or.") \
    X(subtract, arithmetic, same, gy, negative(gy), \
      "Elementwise difference x1 - x2.", "Integers wrap around; bool - bool raises DtypeError, as NumPy refuses it.") \
    X(multiply, arithmetic, same, multiply(gy, b), multiply(gy, a), \
      "Elementwise product x1 * x2.", "Integers wrap around; bool * bool is a logical and.") \
    X(true_divide, float_math, float_result, true_divide(gy, b), negative(true_divide(multiply(gy, a), square(b))), \
      "Elementwise true division x1 / x2.", "") \
    X(floor_divide, arithmetic, same, not_differentiable, not_differentiable, \
      "Elementwise floor division x1 // x2, rounding toward minus infinity.", \
      "Keeps the promoted dtype; integer division by zero gives 0, as in NumPy; bool raises DtypeError.") \
    X(remainder, arithmetic, same, gy, negative(multiply(gy, floor_divide(a, b))), \
      "Elementwise remainder x1 % x2, with the sign of x2 (Python's %).", \
      "Integer remainder by zero gives 0, as in NumPy; bool raises DtypeError.") \
    X(fmod, arithmetic, same, gy, negative(multiply(gy, fix(true_divide(a, b)))), \
      "Elementwise remainder of x1 / x2, with the sign of x1 (C's fmod).", \
      "Integer fmod by zero gives 0, as in NumPy; bool raises DtypeError.") \
    X(power, arithmetic, same, multiply(gy, multiply(b, power(a, subtract(b, 1)))), \
      multiply(gy, multiply(log(a), power(a, b))), \
      "Elementwise power x1 ** x2.", \
      "Keeps the promoted dtype; integers wrap around. Unlike NumPy, a negative integer exponent does not raise: " \
      "the result truncates toward zero as in C (nonzero only for 1 and -1). bool raises DtypeError.") \
    X(maximum, arithmetic, same, where(greater_equal(a, b), gy, 0), where(less(a, b), gy, 0), \
      "Elementwise maximum of x1 and x2; NaN propagates, as in NumPy.", \
      "x1 gets the gradient where x1 >= x2, x2 elsewhere.") \
    X(minimum, arithmetic, same, where(less_equal(a, b), gy, 0), where(greater(a, b), gy, 0), \
      "Elementwise minimum of x1 and x2; NaN propagates, as in NumPy.", \
      "x1 gets the gradient where x1 <= x2, x2 elsewhere.") \
    X(arctan2, float_math, float_result, true_divide(multiply(gy, b), add(square(a), square(b))), \
      negative(true_divide(multiply(gy, a), add(square(a), square(b)))), \
      "Elementwise arc tangent of x1 / x2 in radians, in the quadrant of the point (x2, x1).", "") \
    X(bitwise_and, arithmetic, same, not_differentiable, not_differentiable, \
      "Elementwise bitwise AND of x1 and x2.", \
      "Integers and bool only (floats raise DtypeError); keeps the promoted dtype.") \
    X(bitwise_or, arithmetic, same, not_differentiable, not_differentiable, \
      "Elementwise bitwise OR of x1 and x2.", \
      "Integers and bool only (floats raise DtypeError); keeps the promoted dtype.") \
    X(bitwise_xor, arithmetic, same, not_differentiable, not_differentiable, \
      "Elementwise bitwise XOR of x1 and x2.", \
      "Integers and bool only (floats raise DtypeError); keeps the promoted dtype.") \
    X(left_shift, arithmetic, shift, not_differentiable, not_differentiable, \
      "Elementwise left shift of x1 by x2 bits.", \
      "Integers and bool (bool shifts as int8, as in NumPy; floats raise DtypeError). A shift by a negative " \
      "amount, or by the width of the dtype or more, gives 0, as in NumPy.") \
    X(right_shift, arithmetic, shift, not_differentiable, not_differentiable, \
      "Elementwise right shift of x1 by x2 bits.", \
      "Integers and bool (bool shifts as int8, as in NumPy; floats raise DtypeError). A shift by a negative " \
      "amount, or by the width of the dtype or more, gives 0 (-1 where x1 is negative), as in NumPy.") \
    X(equal, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 == x2, as a bool array.", "") \
    X(not_equal, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 != x2, as a bool array.", "") \
    X(greater, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 > x2, as a bool array.", "") \
    X(greater_equal, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 >= x2, as a bool array.", "") \
    X(less, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 < x2, as a bool array.", "") \
    X(less_equal, comparison, compare, not_differentiable, not_differentiable, \
      "Elementwise comparison x1 <= x2, as a bool array.", "") \
    X(logical_and, comparison, logical, not_differentiable, not_differentiable, \
      "Elementwise logical AND of x1 and x2, as a bool array.", "") \
    X(logical_or, comparison, logical, not_differentiable, not_differentiable, \
      "Elementwise logical OR of x1 and x2, as a bool array.", "") \
    X(logical_xor, comparison, logical, not_differentiable, not_differentiable, \
      "Elementwise logical XOR of x1 and x2, as a bool array.", "")
// clang-format on
// where(condition, x, y), the one ternary op, is written out by hand below; its kernels are in
// cuda/comparison.cu.

namespace chainerx {
namespace ops {

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
// The type a 16-bit float computes in.
template <class T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;
template <class T>
concept float_type = is_float_v<T>;
template <class T>
concept integral_type = std::is_integral_v<T>;  // includes bool
template <class T>
concept numeric_type = !std::is_same_v<T, bool>;
// What a user's element type must provide for an op (builtin types provide it all); an op whose
// constraint a type fails raises dtype_error for that dtype at run time.
template <class T>
concept has_plus = is_builtin_element_v<T> || requires(T a) { a + a; };
template <class T>
concept has_minus = is_builtin_element_v<T> || requires(T a) { a - a; };
template <class T>
concept has_times = is_builtin_element_v<T> || requires(T a) { a * a; };
template <class T>
concept has_divide = is_builtin_element_v<T> || requires(T a) { a / a; };
template <class T>
concept has_negate = is_builtin_element_v<T> || requires(T a) { -a; };
template <class T>
concept has_order = is_builtin_element_v<T> || requires(T a) {
    a < a;
    a <= a;
    a > a;
    a >= a;
    a == a;
    a != a;
};
template <class T>
concept has_zero = is_builtin_element_v<T> || requires { T(0); };

// Math functions found by argument-dependent lookup, so a user's type brings its own (exp(fixed));
// each is SFINAE-friendly so an op can test for it. Builtin types get the std:: functions.
namespace math {
#define CHAINERX_MATH_FUNCTION_1(fn)                                                     \
    using std::fn;                                                                       \
    template <class C>                                                                   \
    CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE auto call_##fn(C x) -> decltype(fn(x)) { \
        return fn(x);                                                                    \
    }
#define CHAINERX_MATH_FUNCTION_2(fn)                                                             \
    using std::fn;                                                                               \
    template <class C>                                                                           \
    CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE auto call_##fn(C x, C y) -> decltype(fn(x, y)) { \
        return fn(x, y);                                                                         \
    }
CHAINERX_MATH_FUNCTION_1(sqrt)
CHAINERX_MATH_FUNCTION_1(fabs)
CHAINERX_MATH_FUNCTION_1(exp)
CHAINERX_MATH_FUNCTION_1(expm1)
CHAINERX_MATH_FUNCTION_1(exp2)
CHAINERX_MATH_FUNCTION_1(log)
CHAINERX_MATH_FUNCTION_1(log10)
CHAINERX_MATH_FUNCTION_1(log2)
CHAINERX_MATH_FUNCTION_1(log1p)
CHAINERX_MATH_FUNCTION_1(erf)
CHAINERX_MATH_FUNCTION_1(sin)
CHAINERX_MATH_FUNCTION_1(cos)
CHAINERX_MATH_FUNCTION_1(tan)
CHAINERX_MATH_FUNCTION_1(asin)
CHAINERX_MATH_FUNCTION_1(acos)
CHAINERX_MATH_FUNCTION_1(atan)
CHAINERX_MATH_FUNCTION_1(sinh)
CHAINERX_MATH_FUNCTION_1(cosh)
CHAINERX_MATH_FUNCTION_1(tanh)
CHAINERX_MATH_FUNCTION_1(asinh)
CHAINERX_MATH_FUNCTION_1(acosh)
CHAINERX_MATH_FUNCTION_1(atanh)
CHAINERX_MATH_FUNCTION_1(ceil)
CHAINERX_MATH_FUNCTION_1(floor)
CHAINERX_MATH_FUNCTION_1(trunc)
CHAINERX_MATH_FUNCTION_2(fmod)
CHAINERX_MATH_FUNCTION_2(pow)
CHAINERX_MATH_FUNCTION_2(atan2)
CHAINERX_MATH_FUNCTION_2(copysign)
#undef CHAINERX_MATH_FUNCTION_1
#undef CHAINERX_MATH_FUNCTION_2
}  // namespace math

// A type without infinities (per its numeric_limits) has none.
template <class C>
CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE bool is_infinite(C v) {
    if constexpr (std::numeric_limits<C>::has_infinity)
        return v == std::numeric_limits<C>::infinity() || v == -std::numeric_limits<C>::infinity();
    else
        return false;
}

template <class T>
CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE bool is_nan(T x) {
    if constexpr (is_float_v<T>) {
        auto v = static_cast<compute_t<T>>(x);
        return v != v;
    } else {
        return false;
    }
}

// Integer arithmetic wraps around as NumPy's does. Signed overflow is undefined in C++, and so is
// overflow of the int that narrow unsigned types promote to (65535 * 65535), so integers compute in
// an unsigned type at least as wide as unsigned int.
template <class T>
using wrap_t = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

// ---- arithmetic ----
struct add {
    template <has_plus T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (std::is_same_v<T, bool>)
            return a || b;
        else if constexpr (std::is_integral_v<T>)
            return static_cast<T>(static_cast<wrap_t<T>>(a) + static_cast<wrap_t<T>>(b));
        else
            return static_cast<T>(a + b);
    }
};
struct subtract {
    template <numeric_type T>
        requires has_minus<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (std::is_integral_v<T>)
            return static_cast<T>(static_cast<wrap_t<T>>(a) - static_cast<wrap_t<T>>(b));
        else
            return static_cast<T>(a - b);
    }
};
struct multiply {
    template <has_times T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (std::is_same_v<T, bool>)
            return a && b;
        else if constexpr (std::is_integral_v<T>)
            return static_cast<T>(static_cast<wrap_t<T>>(a) * static_cast<wrap_t<T>>(b));
        else
            return static_cast<T>(a * b);
    }
};
struct true_divide {
    template <float_type T>
        requires has_divide<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return a / b;
    }
};
// Python's floor division and modulo: the remainder takes the sign of the divisor. Integer
// division by zero gives 0, as NumPy does.
struct floor_divide {
    template <numeric_type T>
        requires is_builtin_element_v<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (is_float_v<T>) {
            using C = compute_t<T>;
            C x = static_cast<C>(a), y = static_cast<C>(b);
            if (y == C(0)) return T(x / y);
            C mod = std::fmod(x, y);
            C div = (x - mod) / y;
            if (mod != C(0) && ((y < C(0)) != (mod < C(0)))) div -= C(1);
            if (div == C(0)) return T(std::copysign(C(0), x / y));
            C floor_div = std::floor(div);
            if (div - floor_div > C(0.5)) floor_div += C(1);
            return T(floor_div);
        } else {
            if (b == 0) return 0;
            if constexpr (std::is_signed_v<T>) {
                if (b == T(-1)) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(a));
                T q = static_cast<T>(a / b);
                if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
                return q;
            } else {
                return static_cast<T>(a / b);
            }
        }
    }
};
struct remainder {
    template <numeric_type T>
        requires is_builtin_element_v<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (is_float_v<T>) {
            using C = compute_t<T>;
            C x = static_cast<C>(a), y = static_cast<C>(b);
            C mod = std::fmod(x, y);
            if (y == C(0)) return T(mod);
            if (mod != C(0)) {
                if ((y < C(0)) != (mod < C(0))) mod += y;
            } else {
                mod = std::copysign(C(0), y);
            }
            return T(mod);
        } else {
            if (b == 0) return 0;
            if constexpr (std::is_signed_v<T>) {
                if (b == T(-1)) return 0;
                T r = static_cast<T>(a % b);
                if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
                return r;
            } else {
                return static_cast<T>(a % b);
            }
        }
    }
};
// C's remainder: the result takes the sign of the dividend.
struct fmod {
    template <numeric_type T>
        requires is_builtin_element_v<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (is_float_v<T>) {
            using C = compute_t<T>;
            return T(std::fmod(static_cast<C>(a), static_cast<C>(b)));
        } else {
            if (b == 0) return 0;
            if constexpr (std::is_signed_v<T>) {
                if (b == T(-1)) return 0;
            }
            return static_cast<T>(a % b);
        }
    }
};
struct power {
    static constexpr int64_t cost = 8;
    template <numeric_type T>
        requires(is_builtin_element_v<T> || requires(T x) { math::call_pow(x, x); })
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (is_float_v<T>) {
            using C = compute_t<T>;
            return T(math::call_pow(static_cast<C>(a), static_cast<C>(b)));
        } else {
            if constexpr (std::is_signed_v<T>) {
                // Negative exponents truncate toward zero as in C: only |a| == 1 survives.
                if (b < 0) return a == 1 ? T(1) : a == T(-1) ? ((b & 1) ? T(-1) : T(1)) : T(0);
            }
            using U = wrap_t<T>;
            U result = 1, base = static_cast<U>(a);
            for (auto e = static_cast<std::make_unsigned_t<T>>(b); e != 0; e >>= 1) {
                if (e & 1) result *= base;
                base *= base;
            }
            return static_cast<T>(result);
        }
    }
};
struct negative {
    template <numeric_type T>
        requires has_negate<T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        if constexpr (std::is_integral_v<T>)
            return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(a));
        else
            return -a;
    }
};
// NaN-propagating maximum and minimum, as NumPy's.
struct maximum {
    template <has_order T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return (a >= b || is_nan(a)) ? a : b;
    }
};
struct minimum {
    template <has_order T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return (a <= b || is_nan(a)) ? a : b;
    }
};
struct square {
    template <has_times T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        return multiply{}(a, a);
    }
};
struct absolute {
    template <class T>
        requires(is_builtin_element_v<T> || (has_order<T> && has_negate<T> && has_zero<T>))
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        if constexpr (is_half_v<T>)
            return T::from_bits(a.bits & 0x7fffu);
        else if constexpr (std::is_floating_point_v<T>)
            return std::fabs(a);
        else if constexpr (std::is_signed_v<T>)
            return a < 0 ? negative{}(a) : a;
        else if constexpr (is_builtin_element_v<T>)  // unsigned and bool
            return a;
        else
            return a < T(0) ? -a : a;
    }
};
struct sign {
    template <numeric_type T>
        requires has_order<T> && has_zero<T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        if (is_nan(a)) return a;
        return T((T(0) < a) - (a < T(0)));
    }
};

// ---- bitwise ----
struct bitwise_and {
    template <integral_type T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return static_cast<T>(a & b);
    }
};
struct bitwise_or {
    template <integral_type T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return static_cast<T>(a | b);
    }
};
struct bitwise_xor {
    template <integral_type T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        return static_cast<T>(a ^ b);
    }
};
// Shifts by a negative or too large amount give what NumPy gives instead of C's undefined result.
struct left_shift {
    template <integral_type T>
        requires numeric_type<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if (b < 0 || static_cast<int64_t>(b) >= static_cast<int64_t>(8 * sizeof(T))) return 0;
        return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) << b);
    }
};
struct right_shift {
    template <integral_type T>
        requires numeric_type<T>
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        if (b < 0 || static_cast<int64_t>(b) >= static_cast<int64_t>(8 * sizeof(T))) return a < 0 ? T(-1) : T(0);
        return static_cast<T>(a >> b);
    }
};

// ---- comparison and logic ----
#define CHAINERX_COMPARISON_OP(name, expr)                                    \
    struct name {                                                             \
        template <class T>                                                    \
            requires(is_builtin_element_v<T> || requires(T a, T b) { expr; }) \
        CHAINERX_HOST_DEVICE bool operator()(T a, T b) const {                \
            return expr;                                                      \
        }                                                                     \
    };
CHAINERX_COMPARISON_OP(equal, a == b)
CHAINERX_COMPARISON_OP(not_equal, a != b)
CHAINERX_COMPARISON_OP(greater, a > b)
CHAINERX_COMPARISON_OP(greater_equal, a >= b)
CHAINERX_COMPARISON_OP(less, a < b)
CHAINERX_COMPARISON_OP(less_equal, a <= b)
CHAINERX_COMPARISON_OP(logical_and, value_cast<bool>(a) && value_cast<bool>(b))
CHAINERX_COMPARISON_OP(logical_or, value_cast<bool>(a) || value_cast<bool>(b))
CHAINERX_COMPARISON_OP(logical_xor, value_cast<bool>(a) != value_cast<bool>(b))
#undef CHAINERX_COMPARISON_OP

#define CHAINERX_PREDICATE_OP(name, float_expr, other_value) \
    struct name {                                            \
        template <class T>                                   \
        CHAINERX_HOST_DEVICE bool operator()(T a) const {    \
            if constexpr (is_float_v<T>) {                   \
                auto v = static_cast<compute_t<T>>(a);       \
                return float_expr;                           \
            } else {                                         \
                return other_value;                          \
            }                                                \
        }                                                    \
    };
CHAINERX_PREDICATE_OP(logical_not, !value_cast<bool>(v), !value_cast<bool>(a))
CHAINERX_PREDICATE_OP(isnan, v != v, false)
CHAINERX_PREDICATE_OP(isinf, is_infinite(v), false)
CHAINERX_PREDICATE_OP(isfinite, v - v == v - v, true)
#undef CHAINERX_PREDICATE_OP

// ---- float math: computed in float for 16-bit floats ----
#define CHAINERX_FLOAT_UNARY_OP(name, fn, op_cost)                                                \
    struct name {                                                                                 \
        static constexpr int64_t cost = op_cost;                                                  \
        template <float_type T>                                                                   \
            requires(is_builtin_element_v<T> || requires(compute_t<T> x) { math::call_##fn(x); }) \
        CHAINERX_HOST_DEVICE T operator()(T a) const {                                            \
            using C = compute_t<T>;                                                               \
            return T(math::call_##fn(static_cast<C>(a)));                                         \
        }                                                                                         \
    };
CHAINERX_FLOAT_UNARY_OP(sqrt, sqrt, 2)
CHAINERX_FLOAT_UNARY_OP(fabs, fabs, 1)
CHAINERX_FLOAT_UNARY_OP(exp, exp, 8)
CHAINERX_FLOAT_UNARY_OP(expm1, expm1, 8)
CHAINERX_FLOAT_UNARY_OP(exp2, exp2, 8)
CHAINERX_FLOAT_UNARY_OP(log, log, 8)
CHAINERX_FLOAT_UNARY_OP(log10, log10, 8)
CHAINERX_FLOAT_UNARY_OP(log2, log2, 8)
CHAINERX_FLOAT_UNARY_OP(log1p, log1p, 8)
CHAINERX_FLOAT_UNARY_OP(erf, erf, 8)
CHAINERX_FLOAT_UNARY_OP(sin, sin, 8)
CHAINERX_FLOAT_UNARY_OP(cos, cos, 8)
CHAINERX_FLOAT_UNARY_OP(tan, tan, 8)
CHAINERX_FLOAT_UNARY_OP(arcsin, asin, 8)
CHAINERX_FLOAT_UNARY_OP(arccos, acos, 8)
CHAINERX_FLOAT_UNARY_OP(arctan, atan, 8)
CHAINERX_FLOAT_UNARY_OP(sinh, sinh, 8)
CHAINERX_FLOAT_UNARY_OP(cosh, cosh, 8)
CHAINERX_FLOAT_UNARY_OP(tanh, tanh, 8)
CHAINERX_FLOAT_UNARY_OP(arcsinh, asinh, 8)
CHAINERX_FLOAT_UNARY_OP(arccosh, acosh, 8)
CHAINERX_FLOAT_UNARY_OP(arctanh, atanh, 8)
CHAINERX_FLOAT_UNARY_OP(ceil, ceil, 1)
CHAINERX_FLOAT_UNARY_OP(floor, floor, 1)
CHAINERX_FLOAT_UNARY_OP(fix, trunc, 1)
#undef CHAINERX_FLOAT_UNARY_OP

struct arctan2 {
    static constexpr int64_t cost = 8;
    template <float_type T>
        requires(is_builtin_element_v<T> || requires(compute_t<T> x) { math::call_atan2(x, x); })
    CHAINERX_HOST_DEVICE T operator()(T a, T b) const {
        using C = compute_t<T>;
        return T(math::call_atan2(static_cast<C>(a), static_cast<C>(b)));
    }
};
// where(condition, x, y) with the condition already converted to 0/1 of the compute type.
struct where {
    static constexpr bool iterator_layout = true;  // NumPy's where is no ufunc (routines/elementwise.hpp)
    template <class T>
        requires(is_builtin_element_v<T> || (has_zero<T> && requires(T a) { a != a; }))
    CHAINERX_HOST_DEVICE T operator()(T condition, T x, T y) const {
        return condition != T(0) ? x : y;
    }
};

}  // namespace ops

// ---- routines --------------------------------------------------------------------------------

// The backward rule of each op of the tables, made from its gradient column below the routines.
template <class Op>
struct grad_rule {};
// The gradient column of an op without a gradient.
struct not_differentiable_t {};
inline constexpr not_differentiable_t not_differentiable{};
template <class Op>
concept differentiable_op = requires(const array& x) {
    { grad_rule<Op>::backward(x, x) } -> std::same_as<array>;
} || requires(const array& x) {
    { grad_rule<Op>::backward(x, x, x, true, true) } -> std::same_as<std::pair<array, array>>;
};
// The cuda/ translation unit that compiles an op's kernels (split so that they compile in parallel).
enum class kernel_unit { unary, float_math, arithmetic, comparison };
// Whether an op's backward rule reads its inputs' values (not only their shapes and dtypes).
template <class Op>
inline constexpr bool backward_reads_inputs = true;
template <>
inline constexpr bool backward_reads_inputs<ops::negative> = false;
template <>
inline constexpr bool backward_reads_inputs<ops::add> = false;
template <>
inline constexpr bool backward_reads_inputs<ops::subtract> = false;

// ChainerX refuses in-place writes into arrays that take part in a graph; writes into arrays that a
// recorded op keeps for its backward would corrupt the gradient, so they are refused too.
// An in-place op (out given) checks its output with this before writing.
inline void check_inplace(const char* name, const array* out) {
    if (!out) return;
    if (out->is_read_only()) throw read_only_error("assignment destination is read-only");
    if (out->body()->graph)
        throw_error<chainerx_error>(name,
                                    ": in-place assignment to an array that is part of a graph (requires grad) "
                                    "is not allowed");
    check_writable(*out, name);  // broadcast views, memory a graph keeps for backward
}

namespace detail {
inline dtype float_result_type(dtype d) { return is_float(d) ? d : dtype::float32; }

// A gradient brought to an input's shape (undoing broadcasting) and dtype.
inline array fit_gradient(const array& g, const shape_t& shape, dtype type) {
    array summed = g.shape() == shape ? g : sum_to(g, shape);
    return astype(summed, type, false);
}
inline array fit_gradient(const array& g, const array& input) { return fit_gradient(g, input.shape(), input.dtype()); }

// What a backward rule keeps of an operand: a scalar, or an array's shape and dtype (to fit its
// gradient) and, only when the rule reads them, its values. Arrays kept for their values are
// retained by the graph, which refuses in-place writes into them.
struct kept_operand {
    std::optional<scalar> s;
    retained_array values;  // undefined unless the rule reads them
    shape_t shape;
    dtype type = dtype::float32;
    kept_operand(const operand& o, bool keep_values) {
        if (!o.is_array()) {
            s = o.get_scalar();
            return;
        }
        if (keep_values) values = retained_array(o.get_array());
        shape = o.get_array().shape();
        type = o.get_array().dtype();
    }
    // The operand in dtype t for the rule (undefined when its values were not kept).
    array as(dtype t, device& dev) const {
        if (s) return full({}, *s, t, dev);
        return values.defined() ? astype(values.get(), t, false) : array();
    }
    // g brought to the operand's shape and dtype; none for a scalar or an undefined g.
    array fit(const array& g) const { return s || !g.defined() ? array() : fit_gradient(g, shape, type); }
};

template <class Op>
void record_unary(const char* name, const operand& x, const array& y) {
    if constexpr (differentiable_op<Op>) {
        if (!x.is_array() || !x.get_array().body()->graph || !is_float(y.dtype())) return;
        kept_operand kx(x, backward_reads_inputs<Op>);
        record_op(name, {&x.get_array()}, {&y}, [kx](const std::vector<array>& gy) {
            array x_as_y = kx.as(gy[0].dtype(), gy[0].get_device());
            return std::vector<array>{kx.fit(grad_rule<Op>::backward(x_as_y, gy[0]))};
        });
    }
}

template <class Op>
void record_binary(const char* name, const operand& a, const operand& b, const array& y) {
    if constexpr (differentiable_op<Op>) {
        bool a_graph = a.is_array() && a.get_array().body()->graph;
        bool b_graph = b.is_array() && b.get_array().body()->graph;
        if ((!a_graph && !b_graph) || !is_float(y.dtype())) return;
        kept_operand ka(a, backward_reads_inputs<Op>), kb(b, backward_reads_inputs<Op>);
        record_op(name, {a.is_array() ? &a.get_array() : nullptr, b.is_array() ? &b.get_array() : nullptr}, {&y},
                  [ka, kb, a_graph, b_graph](const std::vector<array>& gy) {
                      // Compute in the output dtype, then fit each gradient to its input. Only operands
                      // in a graph get one (maximum(x, 0) in a ReLU needs no gradient for the 0).
                      dtype type = gy[0].dtype();
                      auto [ga, gb] = grad_rule<Op>::backward(ka.as(type, gy[0].get_device()),
                                                              kb.as(type, gy[0].get_device()), gy[0], a_graph, b_graph);
                      return std::vector<array>{ka.fit(ga), kb.fit(gb)};
                  });
    }
}

// Binary ops whose compute dtype is the operands' result type.
template <class Op>
array binary_same(const char* name, const operand& a, const operand& b, const array* out) {
    check_inplace(name, out);
    array y = apply_binary(name, Op{}, result_type({a, b}), a, b, out);
    if (!out) record_binary<Op>(name, a, b, y);
    return y;
}
// Comparisons compare a Python int by value (NumPy 2): an int scalar that the integer compute dtype
// cannot hold (uint8 > -1) is compared in int64, which holds every integer dtype and scalar.
inline bool scalar_overflows(const operand& o, dtype type) {
    return !o.is_array() && is_builtin(type) &&
           dispatch_dtype(type, [&]<class T>() { return o.get_scalar().overflows<T>(); });
}
template <class Op>
array binary_compare(const char* name, const operand& a, const operand& b, const array* out) {
    dtype type = result_type({a, b});
    if (scalar_overflows(a, type) || scalar_overflows(b, type)) type = dtype::int64;
    check_inplace(name, out);
    return apply_binary(name, Op{}, type, a, b, out);
}
// Logical ops read a scalar by its truth value (logical_and(int8 array, 2**31) is its truth).
inline operand truth_of(const operand& o) { return o.is_array() ? o : operand(scalar(o.get_scalar().to<bool>())); }
template <class Op>
array binary_logical(const char* name, const operand& a, const operand& b, const array* out) {
    return binary_same<Op>(name, truth_of(a), truth_of(b), out);
}
// Binary ops computed in floats (integer inputs give float32).
template <class Op>
array binary_float_result(const char* name, const operand& a, const operand& b, const array* out) {
    check_inplace(name, out);
    array y = apply_binary(name, Op{}, float_result_type(result_type({a, b})), a, b, out);
    if (!out) record_binary<Op>(name, a, b, y);
    return y;
}
// Shifts: bool operands shift as integers (NumPy's bool << bool is int8).
template <class Op>
array binary_shift(const char* name, const operand& a, const operand& b, const array* out) {
    check_inplace(name, out);
    dtype type = result_type({a, b});
    array y = apply_binary(name, Op{}, type == dtype::bool_ ? dtype::int8 : type, a, b, out);
    if (!out) record_binary<Op>(name, a, b, y);
    return y;
}
template <class Op>
array unary(const char* name, dtype type, const operand& a, const array* out) {
    check_inplace(name, out);
    array y = apply_unary(name, Op{}, type, a, out);
    if (!out) record_unary<Op>(name, a, y);
    return y;
}
template <class Op>
array unary_same(const char* name, const operand& a, const array* out) {
    return unary<Op>(name, result_type({a}), a, out);
}
// Unary float math (integer and bool inputs give float32).
template <class Op>
array unary_float_result(const char* name, const operand& a, const array* out) {
    return unary<Op>(name, float_result_type(result_type({a})), a, out);
}
}  // namespace detail

// The routines of the op tables. They are templates only so that a translation unit instantiates
// the kernels it calls.
#define CHAINERX_UNARY_ROUTINE(name, kernels, type_rule, ...)       \
    template <class = void>                                         \
    array name(const operand& a, const array* out = nullptr) {      \
        return detail::unary_##type_rule<ops::name>(#name, a, out); \
    }
#define CHAINERX_BINARY_ROUTINE(name, kernels, type_rule, ...)                   \
    template <class = void>                                                      \
    array name(const operand& a, const operand& b, const array* out = nullptr) { \
        return detail::binary_##type_rule<ops::name>(#name, a, b, out);          \
    }
CHAINERX_UNARY_OPS(CHAINERX_UNARY_ROUTINE)
CHAINERX_BINARY_OPS(CHAINERX_BINARY_ROUTINE)
#undef CHAINERX_UNARY_ROUTINE
#undef CHAINERX_BINARY_ROUTINE

template <class = void>
array divide(const operand& a, const operand& b, const array* out = nullptr) {
    return true_divide(a, b, out);
}
template <class = void>
array mod(const operand& a, const operand& b, const array* out = nullptr) {
    return remainder(a, b, out);
}

template <class = void>
array abs(const operand& a, const array* out = nullptr) {
    return absolute(a, out);
}
// ChainerX computes the reciprocal as 1 / x, so integers give float32.
template <class = void>
array reciprocal(const operand& a, const array* out = nullptr) {
    return true_divide(1, a, out);
}

// where(condition, x, y): x where the condition holds, else y; x and y promote.
template <class = void>
array where(const operand& condition, const operand& x, const operand& y) {
    dtype type = result_type({x, y});
    array cond_array = condition.is_array() ? astype(condition.get_array(), dtype::bool_, false) : array();
    operand cond = condition.is_array() ? operand(cond_array) : operand(scalar(condition.get_scalar().to<bool>()));
    operand inputs[] = {cond, x, y};
    array out = apply_elementwise<3>("where", ops::where{}, type, inputs);
    bool x_graph = x.is_array() && x.get_array().body()->graph, y_graph = y.is_array() && y.get_array().body()->graph;
    if ((x_graph || y_graph) && is_float(type)) {
        detail::kept_operand kx(x, false), ky(y, false);
        array c = cond_array.defined() ? cond_array : full({}, cond.get_scalar(), dtype::bool_, out.get_device());
        record_op("where", {x.is_array() ? &x.get_array() : nullptr, y.is_array() ? &y.get_array() : nullptr}, {&out},
                  [kx, ky, c](const std::vector<array>& gy) {
                      array zero = zeros({}, gy[0].dtype(), gy[0].get_device());
                      return std::vector<array>{kx.fit(where(c, gy[0], zero)), ky.fit(where(c, zero, gy[0]))};
                  });
    }
    return out;
}

// clip(a, a_min, a_max) = minimum(maximum(a, a_min), a_max), either bound optional.
template <class = void>
array clip(const array& a, const std::optional<operand>& a_min, const std::optional<operand>& a_max) {
    if (!a_min && !a_max) throw std::invalid_argument("clip: at least one of a_min and a_max must be given");
    // As NumPy 2, an int bound beyond the range of a's integer dtype on its own side (a_min below
    // it, a_max above it) clips nothing: it becomes the range's end instead of wrapping. One beyond
    // the other side raises OverflowError (when it is stored).
    auto fit = [&](const std::optional<operand>& bound, bool is_min) -> std::optional<operand> {
        if (!bound || !detail::scalar_overflows(*bound, result_type({a, *bound}))) return bound;
        int64_t v = bound->get_scalar().to<int64_t>();
        if (is_min != (v < 0)) return bound;
        return dispatch_dtype(a.dtype(), [&]<class T>() -> operand {
            if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
                return scalar(is_min ? int64_t{std::numeric_limits<T>::min()} : int64_t{std::numeric_limits<T>::max()});
            else
                return *bound;
        });
    };
    std::optional<operand> lo = fit(a_min, true), hi = fit(a_max, false);
    array result = lo ? maximum(a, *lo) : a;
    return hi ? minimum(result, *hi) : result;
}

// ---- backward rules ------------------------------------------------------------------------
// Written with the differentiable routines above, so that gradients can be differentiated again.
// Unary: backward(x, gy) -> gx; binary: backward(a, b, gy) -> (ga, gb), before un-broadcasting.

#define CHAINERX_UNARY_GRAD(name, kernels, type_rule, gx, ...)                            \
    template <>                                                                           \
    struct grad_rule<ops::name> {                                                         \
        template <class A> /* dependent, so the body binds at use */                      \
        static auto backward([[maybe_unused]] const A& x, [[maybe_unused]] const A& gy) { \
            return gx;                                                                    \
        }                                                                                 \
    };
#define CHAINERX_BINARY_GRAD(name, kernels, type_rule, ga, gb, ...)                                                  \
    template <>                                                                                                      \
    struct grad_rule<ops::name> {                                                                                    \
        template <class A>                                                                                           \
        static auto backward([[maybe_unused]] const A& a, [[maybe_unused]] const A& b, [[maybe_unused]] const A& gy, \
                             [[maybe_unused]] bool want_a, [[maybe_unused]] bool want_b) {                           \
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(ga)>, not_differentiable_t>)                   \
                return not_differentiable;                                                                           \
            else                                                                                                     \
                return std::pair<A, A>{want_a ? A(ga) : A(), want_b ? A(gb) : A()};                                  \
        }                                                                                                            \
    };
CHAINERX_UNARY_OPS(CHAINERX_UNARY_GRAD)
CHAINERX_BINARY_OPS(CHAINERX_BINARY_GRAD)
#undef CHAINERX_UNARY_GRAD
#undef CHAINERX_BINARY_GRAD

}  // namespace chainerx

// sum_to (declared in manipulation.hpp, used by fit_gradient above) is defined in reduction.hpp,
// after the routines it needs, this header's among them.
#include "chainerx/routines/reduction.hpp"
