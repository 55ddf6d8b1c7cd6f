#pragma once

// Elementwise math, logic and comparison routines. Each op is a functor (the one body for CPU and
// CUDA; its constraint says which dtypes it supports) plus its routine (the dtype rule).
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/elementwise.hpp"
#include "chainerx/routines/manipulation.hpp"

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
    template <class T>
        requires(is_builtin_element_v<T> || (has_zero<T> && requires(T a) { a != a; }))
    CHAINERX_HOST_DEVICE T operator()(T condition, T x, T y) const {
        return condition != T(0) ? x : y;
    }
};

}  // namespace ops

// ---- routines --------------------------------------------------------------------------------

// The backward rule of each differentiable op, specialized below the routines.
template <class Op>
struct grad_rule {
    static constexpr bool differentiable = false;
};
// Whether an op's backward rule reads its inputs' values (not only their shapes and dtypes).
template <class Op>
inline constexpr bool backward_reads_inputs = true;
template <>
inline constexpr bool backward_reads_inputs<ops::negative> = false;
template <>
inline constexpr bool backward_reads_inputs<ops::add> = false;
template <>
inline constexpr bool backward_reads_inputs<ops::subtract> = false;

namespace detail {
inline dtype float_result_type(dtype d) { return is_float(d) ? d : dtype::float32; }

// ChainerX refuses in-place writes into arrays that take part in a graph; writes into arrays that a
// recorded op keeps for its backward would corrupt the gradient, so they are refused too.
inline void check_inplace(const char* name, const array* out) {
    if (!out) return;
    if (out->is_read_only()) throw read_only_error("assignment destination is read-only");
    if (out->body()->graph)
        throw_error<chainerx_error>(name,
                                    ": in-place assignment to an array that is part of a graph (requires grad) "
                                    "is not allowed");
    check_writable(*out, name);  // broadcast views, memory a graph keeps for backward
}

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
    array values;  // undefined unless the rule reads them
    shape_t shape;
    dtype type = dtype::float32;
    kept_operand(const operand& o, bool keep_values) {
        if (!o.is_array()) {
            s = o.get_scalar();
            return;
        }
        if (keep_values) values = o.get_array();
        shape = o.get_array().shape();
        type = o.get_array().dtype();
    }
    // The operand in dtype t for the rule (undefined when its values were not kept).
    array as(dtype t, device& dev) const {
        if (s) return full({}, *s, t, dev);
        return values.defined() ? astype(values, t, false) : array();
    }
    // g brought to the operand's shape and dtype; none for a scalar or an undefined g.
    array fit(const array& g) const { return s || !g.defined() ? array() : fit_gradient(g, shape, type); }
};

template <class Op>
void record_unary(const char* name, const operand& x, const array& y) {
    if constexpr (grad_rule<Op>::differentiable) {
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
    if constexpr (grad_rule<Op>::differentiable) {
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
array binary_float(const char* name, const operand& a, const operand& b, const array* out) {
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
}  // namespace detail

// Routines are templates only so that a translation unit instantiates the kernels it calls.
#define CHAINERX_BINARY_ROUTINE(name, rule)                                      \
    template <class = void>                                                      \
    array name(const operand& a, const operand& b, const array* out = nullptr) { \
        return detail::rule<ops::name>(#name, a, b, out);                        \
    }
CHAINERX_BINARY_ROUTINE(add, binary_same)
CHAINERX_BINARY_ROUTINE(subtract, binary_same)
CHAINERX_BINARY_ROUTINE(multiply, binary_same)
CHAINERX_BINARY_ROUTINE(floor_divide, binary_same)
CHAINERX_BINARY_ROUTINE(remainder, binary_same)
CHAINERX_BINARY_ROUTINE(fmod, binary_same)
CHAINERX_BINARY_ROUTINE(power, binary_same)
CHAINERX_BINARY_ROUTINE(maximum, binary_same)
CHAINERX_BINARY_ROUTINE(minimum, binary_same)
CHAINERX_BINARY_ROUTINE(bitwise_and, binary_same)
CHAINERX_BINARY_ROUTINE(bitwise_or, binary_same)
CHAINERX_BINARY_ROUTINE(bitwise_xor, binary_same)
CHAINERX_BINARY_ROUTINE(left_shift, binary_shift)
CHAINERX_BINARY_ROUTINE(right_shift, binary_shift)
CHAINERX_BINARY_ROUTINE(equal, binary_compare)
CHAINERX_BINARY_ROUTINE(not_equal, binary_compare)
CHAINERX_BINARY_ROUTINE(greater, binary_compare)
CHAINERX_BINARY_ROUTINE(greater_equal, binary_compare)
CHAINERX_BINARY_ROUTINE(less, binary_compare)
CHAINERX_BINARY_ROUTINE(less_equal, binary_compare)
CHAINERX_BINARY_ROUTINE(logical_and, binary_logical)
CHAINERX_BINARY_ROUTINE(logical_or, binary_logical)
CHAINERX_BINARY_ROUTINE(logical_xor, binary_logical)
CHAINERX_BINARY_ROUTINE(true_divide, binary_float)
CHAINERX_BINARY_ROUTINE(arctan2, binary_float)
#undef CHAINERX_BINARY_ROUTINE

template <class = void>
array divide(const operand& a, const operand& b, const array* out = nullptr) {
    return true_divide(a, b, out);
}
template <class = void>
array mod(const operand& a, const operand& b, const array* out = nullptr) {
    return remainder(a, b, out);
}

// Unary ops that keep the dtype, and float math (integer and bool inputs give float32).
#define CHAINERX_UNARY_ROUTINE(name, type_rule)                                      \
    template <class = void>                                                          \
    array name(const operand& a, const array* out = nullptr) {                       \
        return detail::unary<ops::name>(#name, type_rule(result_type({a})), a, out); \
    }
#define CHAINERX_SAME_TYPE(d) (d)
CHAINERX_UNARY_ROUTINE(negative, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(square, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(absolute, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(sign, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(logical_not, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(isnan, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(isinf, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(isfinite, CHAINERX_SAME_TYPE)
CHAINERX_UNARY_ROUTINE(sqrt, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(fabs, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(exp, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(expm1, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(exp2, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(log, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(log10, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(log2, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(log1p, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(erf, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(sin, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(cos, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(tan, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arcsin, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arccos, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arctan, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(sinh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(cosh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(tanh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arcsinh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arccosh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(arctanh, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(ceil, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(floor, detail::float_result_type)
CHAINERX_UNARY_ROUTINE(fix, detail::float_result_type)
#undef CHAINERX_SAME_TYPE
#undef CHAINERX_UNARY_ROUTINE

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

#define CHAINERX_UNARY_GRAD(op, expr)                                 \
    template <>                                                       \
    struct grad_rule<ops::op> {                                       \
        static constexpr bool differentiable = true;                  \
        template <class A> /* dependent, so the body binds at use */  \
        static A backward([[maybe_unused]] const A& x, const A& gy) { \
            return expr;                                              \
        }                                                             \
    };
CHAINERX_UNARY_GRAD(negative, negative(gy))
CHAINERX_UNARY_GRAD(square, multiply(gy, multiply(x, 2)))
CHAINERX_UNARY_GRAD(sqrt, true_divide(gy, multiply(sqrt(x), 2)))
CHAINERX_UNARY_GRAD(absolute, multiply(gy, sign(x)))
CHAINERX_UNARY_GRAD(fabs, multiply(gy, sign(x)))
CHAINERX_UNARY_GRAD(exp, multiply(gy, exp(x)))
CHAINERX_UNARY_GRAD(expm1, multiply(gy, exp(x)))
CHAINERX_UNARY_GRAD(exp2, multiply(gy, multiply(exp2(x), 0.69314718055994530942)))
CHAINERX_UNARY_GRAD(log, true_divide(gy, x))
CHAINERX_UNARY_GRAD(log10, true_divide(gy, multiply(x, 2.30258509299404568402)))
CHAINERX_UNARY_GRAD(log2, true_divide(gy, multiply(x, 0.69314718055994530942)))
CHAINERX_UNARY_GRAD(log1p, true_divide(gy, add(x, 1)))
CHAINERX_UNARY_GRAD(erf, multiply(gy, multiply(exp(negative(square(x))), 1.12837916709551257390)))
CHAINERX_UNARY_GRAD(sin, multiply(gy, cos(x)))
CHAINERX_UNARY_GRAD(cos, negative(multiply(gy, sin(x))))
CHAINERX_UNARY_GRAD(tan, true_divide(gy, square(cos(x))))
CHAINERX_UNARY_GRAD(arcsin, true_divide(gy, sqrt(subtract(1, square(x)))))
CHAINERX_UNARY_GRAD(arccos, negative(true_divide(gy, sqrt(subtract(1, square(x))))))
CHAINERX_UNARY_GRAD(arctan, true_divide(gy, add(square(x), 1)))
CHAINERX_UNARY_GRAD(sinh, multiply(gy, cosh(x)))
CHAINERX_UNARY_GRAD(cosh, multiply(gy, sinh(x)))
CHAINERX_UNARY_GRAD(tanh, multiply(gy, subtract(1, square(tanh(x)))))
CHAINERX_UNARY_GRAD(arcsinh, true_divide(gy, sqrt(add(square(x), 1))))
CHAINERX_UNARY_GRAD(arccosh, true_divide(gy, sqrt(subtract(square(x), 1))))
CHAINERX_UNARY_GRAD(arctanh, true_divide(gy, subtract(1, square(x))))
#undef CHAINERX_UNARY_GRAD

#define CHAINERX_BINARY_GRAD(op, ga, gb)                                                                       \
    template <>                                                                                                \
    struct grad_rule<ops::op> {                                                                                \
        static constexpr bool differentiable = true;                                                           \
        template <class A> /* dependent, so the body binds at use */                                           \
        static std::pair<A, A> backward([[maybe_unused]] const A& a, [[maybe_unused]] const A& b, const A& gy, \
                                        bool want_a, bool want_b) {                                            \
            return {want_a ? A(ga) : A(), want_b ? A(gb) : A()};                                               \
        }                                                                                                      \
    };
CHAINERX_BINARY_GRAD(add, gy, gy)
CHAINERX_BINARY_GRAD(subtract, gy, negative(gy))
CHAINERX_BINARY_GRAD(multiply, multiply(gy, b), multiply(gy, a))
CHAINERX_BINARY_GRAD(true_divide, true_divide(gy, b), negative(true_divide(multiply(gy, a), square(b))))
CHAINERX_BINARY_GRAD(power, multiply(gy, multiply(b, power(a, subtract(b, 1)))),
                     multiply(gy, multiply(log(a), power(a, b))))
CHAINERX_BINARY_GRAD(maximum, where(greater_equal(a, b), gy, 0), where(less(a, b), gy, 0))
CHAINERX_BINARY_GRAD(minimum, where(less_equal(a, b), gy, 0), where(greater(a, b), gy, 0))
CHAINERX_BINARY_GRAD(remainder, gy, negative(multiply(gy, floor_divide(a, b))))
CHAINERX_BINARY_GRAD(fmod, gy, negative(multiply(gy, fix(true_divide(a, b)))))
CHAINERX_BINARY_GRAD(arctan2, true_divide(multiply(gy, b), add(square(a), square(b))),
                     negative(true_divide(multiply(gy, a), add(square(a), square(b)))))
#undef CHAINERX_BINARY_GRAD

}  // namespace chainerx

// sum_to (declared in manipulation.hpp, used by fit_gradient above) is defined in reduction.hpp,
// after the routines it needs, this header's among them.
#include "chainerx/routines/reduction.hpp"
