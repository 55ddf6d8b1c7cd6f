#pragma once

// Reductions and statistics: sum, prod, amax/max, amin/min, mean, var, stddev, argmax, argmin, all,
// any, count_nonzero, and sum_to (the gradient of broadcast_to). Each op is a functor for the
// generic reduction kernel (kernels/reduce.hpp) plus its routine (axes, dtype rule, checks). Dtype
// rules follow NumPy's: sums and products of bool and integers give int64 (NumPy's uint64 for
// uint8: chainerx has no uint64), mean/var/std of bool and integers give float64, 16-bit floats
// accumulate in float32, amax/amin keep the dtype, argmax/argmin/count_nonzero give int64 and
// all/any bool. Outputs are laid out as NumPy lays them out (the input's axis order, restricted to
// the kept axes).
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/autograd/mode.hpp"
#include "chainerx/kernels/reduce.hpp"
#include "chainerx/kernels/select.hpp"
#include "chainerx/routines/creation_basic.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"

namespace chainerx {
namespace reduce_ops {

template <class T>
using compute_t = ops::compute_t<T>;

// Integer arithmetic wraps around (in uint64, where overflow is defined).
template <class Acc>
CHAINERX_ALWAYS_INLINE Acc wrap_add(Acc a, Acc b) {
    if constexpr (std::is_integral_v<Acc>)
        return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else
        return a + b;
}
template <class Acc>
CHAINERX_ALWAYS_INLINE Acc wrap_mul(Acc a, Acc b) {
    if constexpr (std::is_integral_v<Acc>)
        return static_cast<Acc>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    else
        return a * b;
}

// The type sums and products of T accumulate in and give: int64 for bool and integers, float for
// the 16-bit floats (the result is T again), T for float and double.
template <class T>
using sum_acc_t = std::conditional_t<is_float_v<T>, compute_t<T>, int64_t>;
template <class T>
using sum_out_t = std::conditional_t<is_float_v<T>, T, int64_t>;
// Means accumulate in double for bool and integers (and give float64), as NumPy's do; 16-bit floats
// give float32 here and the routine rounds the result (so that its layout is NumPy's too).
template <class T>
using mean_acc_t = std::conditional_t<is_float_v<T>, compute_t<T>, double>;
template <class T>
using mean_out_t = mean_acc_t<T>;

template <class In, class Acc, class Out>
struct base {
    using in_type = In;
    using acc_type = Acc;
    using out_type = Out;
    static constexpr bool uses_index = false;
    // Most reductions read each element as the accumulator type.
    Acc map(In x, int64_t) const { return value_cast<Acc>(x); }
};

template <class T>
struct sum : base<T, sum_acc_t<T>, sum_out_t<T>> {
    using Acc = sum_acc_t<T>;
    Acc identity() const { return Acc(0); }
    Acc combine(Acc a, Acc b) const { return wrap_add(a, b); }
    sum_out_t<T> finalize(Acc a, int64_t) const { return value_cast<sum_out_t<T>>(a); }
};

template <class T>
struct prod : base<T, sum_acc_t<T>, sum_out_t<T>> {
    using Acc = sum_acc_t<T>;
    Acc identity() const { return Acc(1); }
    Acc combine(Acc a, Acc b) const { return wrap_mul(a, b); }
    sum_out_t<T> finalize(Acc a, int64_t) const { return value_cast<sum_out_t<T>>(a); }
};

template <class T>
struct mean : base<T, mean_acc_t<T>, mean_out_t<T>> {
    using Acc = mean_acc_t<T>;
    Acc identity() const { return Acc(0); }
    Acc combine(Acc a, Acc b) const { return a + b; }
    mean_out_t<T> finalize(Acc a, int64_t n) const { return value_cast<mean_out_t<T>>(a / static_cast<Acc>(n)); }
};

// Sum of squares divided by max(n - ddof, 0), optionally square-rooted: var and std of deviations
// from the mean (T is float or double).
template <class T>
struct squared_deviation : base<T, T, T> {
    int64_t ddof = 0;
    bool root = false;
    T identity() const { return T(0); }
    T map(T x, int64_t) const { return x * x; }
    T combine(T a, T b) const { return a + b; }
    T finalize(T a, int64_t n) const {
        T v = a / static_cast<T>(n - ddof > 0 ? n - ddof : 0);
        return root ? std::sqrt(v) : v;
    }
};

// all and any accumulate 0/1 in an unsigned integer as wide as T, so that the loop vectorizes
// without packing comparison masks.
template <class T>
using truth_t = kernels::uint_as_wide_t<T>;

// NaN-propagating maximum (Greater) and minimum; bool and integers keep their type, 16-bit floats
// compare in float.
template <class T, bool Greater>
struct extreme_value : base<T, compute_t<T>, T> {
    using Acc = compute_t<T>;
    Acc identity() const {
        if constexpr (std::is_same_v<Acc, bool>)
            return !Greater;
        else if constexpr (std::is_floating_point_v<Acc>)
            return (Greater ? -1 : 1) * std::numeric_limits<Acc>::infinity();
        else
            return Greater ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
    }
    Acc map(T x, int64_t) const { return static_cast<Acc>(x); }
    Acc combine(Acc a, Acc b) const { return ((Greater ? a >= b : a <= b) || a != a) ? a : b; }
    T finalize(Acc a, int64_t) const { return T(a); }

    // Floats over a contiguous run: each lane keeps a plain maximum (one vmaxps, the only step on the
    // dependency chain) and a flag for NaNs, which the comparison alone would drop.
    CHAINERX_ALWAYS_INLINE Acc reduce_contiguous(const T* p, int64_t n, int64_t) const
        requires std::is_floating_point_v<Acc>
    {
        constexpr int K = 32;
        using Mask = truth_t<Acc>;
        Acc best[K];
        Mask nan[K];
        for (int k = 0; k < K; ++k) {
            best[k] = identity();
            nan[k] = 0;
        }
        auto step = [&](int k, Acc x) {
            best[k] = (Greater ? best[k] > x : best[k] < x) ? best[k] : x;
            nan[k] |= static_cast<Mask>(x != x);
        };
        int64_t i = 0;
        for (; i + K <= n; i += K) {
#pragma omp simd
            for (int k = 0; k < K; ++k) step(k, static_cast<Acc>(p[i + k]));
        }
        for (int k = 0; k < K && i + k < n; ++k) step(k, static_cast<Acc>(p[i + k]));
        Acc result = identity();
        Mask any_nan = 0;
        for (int k = 0; k < K; ++k) {
            result = combine(result, best[k]);
            any_nan |= nan[k];
        }
        return any_nan ? std::numeric_limits<Acc>::quiet_NaN() : result;
    }
};
template <class T>
using amax = extreme_value<T, true>;
template <class T>
using amin = extreme_value<T, false>;

// A value and its position; index -1 is the empty identity.
template <class V>
struct indexed_value {
    V value;
    int64_t index;
};

// Position of the first maximum (Greater) or minimum; a nan wins over every number, the first nan
// over later ones. combine is commutative (ties go to the smaller position).
template <class T, bool Greater>
struct arg_extreme : base<T, indexed_value<compute_t<T>>, int64_t> {
    static constexpr bool uses_index = true;
    using V = compute_t<T>;
    using Acc = indexed_value<V>;
    Acc identity() const { return {V{}, -1}; }
    Acc map(T x, int64_t i) const { return {static_cast<V>(x), i}; }
    Acc combine(Acc a, Acc b) const {
        if (b.index < 0) return a;
        if (a.index < 0) return b;
        bool a_nan = a.value != a.value, b_nan = b.value != b.value;
        if (a_nan || b_nan) {
            if (a_nan && b_nan) return a.index < b.index ? a : b;
            return a_nan ? a : b;
        }
        if (Greater ? a.value > b.value : a.value < b.value) return a;
        if (Greater ? b.value > a.value : b.value < a.value) return b;
        return a.index < b.index ? a : b;
    }
    int64_t finalize(Acc a, int64_t) const { return a.index; }

    // A contiguous block (the kernel's fast route for it) in one vectorized pass: each lane keeps its
    // extreme value and where it first saw it, as an integer as wide as the value so that the
    // selects vectorize; NaNs are only flagged, and the first one is then looked for separately.
    CHAINERX_ALWAYS_INLINE Acc reduce_contiguous(const T* p, int64_t n, int64_t i0) const {
        if (n <= 0) return identity();
        constexpr int K = 32;
        using Mask = truth_t<V>;
        using Pos = std::conditional_t<sizeof(V) < 2, uint16_t, Mask>;  // holds pairwise_block positions
        V best[K];
        Pos pos[K];
        Mask nan[K];
        for (int k = 0; k < K; ++k) {
            best[k] = static_cast<V>(p[0]);
            pos[k] = 0;
            nan[k] = 0;
        }
        auto step = [&](int k, V x, Pos position) {
            // The value's select compiles to a max; the position's as ?: would become masked stores.
            bool wins = Greater ? x > best[k] : x < best[k];
            best[k] = (Greater ? x > best[k] : x < best[k]) ? x : best[k];
            pos[k] = kernels::select_bits(wins, position, pos[k]);
            nan[k] |= static_cast<Mask>(x != x);
        };
        int64_t i = 0;
        for (; i + K <= n; i += K) {
            Pos base = static_cast<Pos>(i);
#pragma omp simd
            for (int k = 0; k < K; ++k) step(k, static_cast<V>(p[i + k]), static_cast<Pos>(base + k));
        }
        for (int k = 0; k < K && i + k < n; ++k) step(k, static_cast<V>(p[i + k]), static_cast<Pos>(i + k));
        Mask any_nan = 0;
        for (int k = 0; k < K; ++k) any_nan |= nan[k];
        if (any_nan) {
            int64_t j = 0;
            while (p[j] == p[j]) ++j;
            return {static_cast<V>(p[j]), i0 + j};
        }
        int w = 0;
        for (int k = 1; k < K; ++k) {
            bool wins = Greater ? best[k] > best[w] : best[k] < best[w];
            if (wins || (best[k] == best[w] && pos[k] < pos[w])) w = k;
        }
        return {best[w], i0 + static_cast<int64_t>(pos[w])};
    }
};

template <class T>
struct all : base<T, truth_t<T>, bool> {
    using Acc = truth_t<T>;
    Acc identity() const { return 1; }
    Acc map(T x, int64_t) const { return value_cast<bool>(x) ? 1 : 0; }
    Acc combine(Acc a, Acc b) const { return a & b; }
    bool finalize(Acc a, int64_t) const { return a != 0; }
};
template <class T>
struct any : base<T, truth_t<T>, bool> {
    using Acc = truth_t<T>;
    Acc identity() const { return 0; }
    Acc map(T x, int64_t) const { return value_cast<bool>(x) ? 1 : 0; }
    Acc combine(Acc a, Acc b) const { return a | b; }
    bool finalize(Acc a, int64_t) const { return a != 0; }
};
template <class T>
struct count_nonzero : base<T, int64_t, int64_t> {
    int64_t identity() const { return 0; }
    int64_t map(T x, int64_t) const { return value_cast<bool>(x) ? 1 : 0; }
    int64_t combine(int64_t a, int64_t b) const { return a + b; }
    int64_t finalize(int64_t a, int64_t) const { return a; }
};

}  // namespace reduce_ops

namespace detail {

// The reduced axes, the output's shapes and its layout, validated before anything is allocated.
struct reduction_plan {
    bool reduced[max_ndim] = {};
    shape_t kept_shape;      // the keepdims shape
    shape_t out_shape;       // the shape of the result
    strides_t kept_strides;  // output strides for kept_shape
    int64_t reduced_size = 1;
};

inline reduction_plan plan_reduction(const array& a, const std::optional<axes_t>& axis, bool keepdims, dtype out_type,
                                     const char* op, bool needs_elements = false, bool c_order = false) {
    reduction_plan plan;
    int ndim = a.ndim();
    if (axis) {
        for (int64_t ax : *axis) {
            int i = normalize_axis(ax, ndim, op);
            if (plan.reduced[i]) throw_error<dimension_error>(op, ": duplicate value in axis: ", *axis);
            plan.reduced[i] = true;
        }
    } else {
        for (int i = 0; i < ndim; ++i) plan.reduced[i] = true;
    }
    plan.kept_shape = a.shape();
    for (int i = 0; i < ndim; ++i) {
        if (plan.reduced[i]) {
            plan.reduced_size *= a.shape()[i];
            plan.kept_shape[i] = 1;
        }
        if (!plan.reduced[i] || keepdims) plan.out_shape.push_back(plan.kept_shape[i]);
    }
    if (needs_elements && plan.reduced_size == 0)
        throw_error<dimension_error>(op, ": zero-size array to reduction operation ", op, " which has no identity");
    device& dev = a.get_device();
    if (!dev.is_host())
        throw_error<not_implemented_error>(op, ": reductions are not implemented on device ", dev.name());
    const strides_t in_strides[] = {iterator_strides(a.shape(), a.shape(), a.strides())};
    plan.kept_strides = c_order ? strides_in_order_c(plan.kept_shape, itemsize_of(out_type))
                                : iterated_output_strides(plan.kept_shape, in_strides, itemsize_of(out_type));
    return plan;
}

// Allocates the result and runs Op<T> with T the element type of a (already validated).
template <class Op>
array run_planned(const char* name, const Op& op, const array& a, const reduction_plan& plan, bool keepdims) {
    const dtype out_type = dtype_of<typename Op::out_type>();
    strides_t out_strides;
    for (int i = 0; i < a.ndim(); ++i)
        if (!plan.reduced[i] || keepdims) out_strides.push_back(plan.kept_strides[i]);
    array out = empty_strided(plan.out_shape, out_strides, out_type, a.get_device());
    run_reduction(name, op, a, plan.reduced, out, plan.kept_strides);
    return out;
}

// A reduction whose op is OpTemplate<T> for the input's element type T.
template <template <class> class OpTemplate, class T>
array reduce_typed(const char* name, const array& a, const std::optional<axes_t>& axis, bool keepdims,
                   bool needs_elements) {
    using Op = OpTemplate<T>;
    const dtype out_type = dtype_of<typename Op::out_type>();
    // NumPy's argmax/argmin give C-contiguous results; its ufunc reductions keep the input's order.
    reduction_plan plan = plan_reduction(a, axis, keepdims, out_type, name, needs_elements, Op::uses_index);
    return run_planned(name, Op{}, a, plan, keepdims);
}
// The key of a user dtype's reduce_typed for OpTemplate (chainerx/register_dtype.hpp).
template <template <class> class OpTemplate>
struct reduction_entry {
    using function = array (*)(const char*, const array&, const std::optional<axes_t>&, bool, bool);
};

template <template <class> class OpTemplate>
array reduce_with(const char* name, const array& a, const std::optional<axes_t>& axis, bool keepdims,
                  bool needs_elements = false) {
    if (!is_builtin(a.dtype())) {
        auto typed = user_dtype_function<reduction_entry<OpTemplate>>(a.dtype());
        if (!typed) throw_error<dtype_error>(name, ": unsupported dtype ", a.dtype());
        return typed(name, a, axis, keepdims, needs_elements);
    }
    return dispatch_dtype(a.dtype(), [&]<class T>() -> array {
        return reduce_typed<OpTemplate, T>(name, a, axis, keepdims, needs_elements);
    });
}

template <class T>
using argmax_op = reduce_ops::arg_extreme<T, true>;
template <class T>
using argmin_op = reduce_ops::arg_extreme<T, false>;

inline std::optional<axes_t> single_axis(std::optional<int64_t> axis) {
    if (!axis) return std::nullopt;
    return axes_t{*axis};
}

}  // namespace detail

// Routines are templates only so that a translation unit instantiates the kernels it calls. `axis`
// is None (every axis), or a list of axes (negative ones count from the end).
#define CHAINERX_REDUCTION_ROUTINE(name, op, needs_elements)                                              \
    template <class = void>                                                                               \
    array name(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) { \
        return detail::reduce_with<op>(#name, a, axis, keepdims, needs_elements);                         \
    }
CHAINERX_REDUCTION_ROUTINE(all, reduce_ops::all, false)
CHAINERX_REDUCTION_ROUTINE(any, reduce_ops::any, false)
#undef CHAINERX_REDUCTION_ROUTINE
// Defined below, after the routines its gradient uses.
template <class = void>
array prod(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false);

namespace detail {
// The shape of a reduction's result with keepdims, to broadcast gradients back to the input.
inline shape_t kept_shape(const array& a, const std::optional<axes_t>& axis) {
    shape_t shape = a.shape();
    if (!axis) {
        for (int i = 0; i < shape.size(); ++i) shape[i] = 1;
    } else {
        for (int64_t ax : *axis) shape[normalize_axis(ax, a.ndim(), "reduction")] = 1;
    }
    return shape;
}
// A reduction's output gradient broadcast back over the reduced axes.
inline array broadcast_back(const array& gy, const shape_t& kept, const shape_t& shape) {
    return broadcast_to(reshape(gy, kept), shape);
}
}  // namespace detail

template <class = void>
array sum(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    array out = detail::reduce_with<reduce_ops::sum>("sum", a, axis, keepdims, false);
    if (a.body()->graph) {
        shape_t kept = detail::kept_shape(a, axis), shape = a.shape();
        record_op("sum", {&a}, {&out}, [kept, shape](const std::vector<array>& gy) {
            return std::vector<array>{detail::broadcast_back(gy[0], kept, shape)};
        });
    }
    return out;
}

// Sums `a` over the axes that broadcasting `shape` to a's shape added or stretched; differentiable
// (its gradient broadcasts back).
template <class>
array sum_to(const array& a, const shape_t& shape) {
    int lead = a.ndim() - shape.size();
    if (lead < 0) throw_error<dimension_error>("sum_to: cannot sum ", a.shape(), " to ", shape);
    axes_t axes;
    for (int i = 0; i < lead; ++i) axes.push_back(i);
    for (int i = 0; i < shape.size(); ++i) {
        if (shape[i] == a.shape()[lead + i]) continue;
        if (shape[i] != 1) throw_error<dimension_error>("sum_to: cannot sum ", a.shape(), " to ", shape);
        axes.push_back(lead + i);
    }
    array out;
    {
        no_backprop_mode no_record(a.get_device().get_context());
        out = reshape(axes.empty() ? a : sum(a, axes, true), shape);
    }
    shape_t in_shape = a.shape();
    record_op("sum_to", {&a}, {&out},
              [in_shape](const std::vector<array>& gy) { return std::vector<array>{broadcast_to(gy[0], in_shape)}; });
    return out;
}

namespace detail {
// amax/amin: the gradient flows to the elements equal to the extreme value.
template <template <class> class Op>
array extreme(const char* name, const array& a, const std::optional<axes_t>& axis, bool keepdims) {
    array out = reduce_with<Op>(name, a, axis, keepdims, true);
    if (a.body()->graph) {
        shape_t kept = kept_shape(a, axis);
        array value = as_grad_stopped(out);  // a constant of the mask: no cycle through the output
        array input = as_grad_stopped(a);
        record_op(name, {&a}, {&out}, [kept, value, input](const std::vector<array>& gy) {
            array mask = equal(input, broadcast_back(value, kept, input.shape()));
            array zero = zeros({}, gy[0].dtype(), gy[0].get_device());
            return std::vector<array>{where(mask, broadcast_back(gy[0], kept, input.shape()), zero)};
        });
    }
    return out;
}
}  // namespace detail

template <class = void>
array amax(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    return detail::extreme<reduce_ops::amax>("amax", a, axis, keepdims);
}
template <class = void>
array amin(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    return detail::extreme<reduce_ops::amin>("amin", a, axis, keepdims);
}

// Arithmetic mean; bool and integers give float64.
template <class = void>
array mean(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    array result;
    {
        no_backprop_mode no_record(a.get_device().get_context());
        result = astype(detail::reduce_with<reduce_ops::mean>("mean", a, axis, keepdims),
                        is_float(a.dtype()) ? a.dtype() : dtype::float64, false);
    }
    if (a.body()->graph) {
        shape_t kept = detail::kept_shape(a, axis), shape = a.shape();
        double count = static_cast<double>(a.size()) / static_cast<double>(std::max<int64_t>(kept.product(), 1));
        record_op("mean", {&a}, {&result}, [kept, shape, count](const std::vector<array>& gy) {
            return std::vector<array>{true_divide(detail::broadcast_back(gy[0], kept, shape), count)};
        });
    }
    return result;
}

namespace detail {
// The gradient of prod: each element's gy times the product of the other elements of its group,
// exact where some elements are 0 (the division prod / x is not), and written with differentiable
// routines so that its own gradient is right too. With z the zero elements of x and P the product
// of the nonzero ones, the product of the others is, for a nonzero x_i, P / x_i times the product of
// the zeros (0 or 1 in value, but it carries the derivative with respect to a lone zero); for a
// zero x_i, P times the product of the other zeros: 1 if x_i is the only one, the other zero if
// there are two (S - x_i, S their sum), and 0 (with a zero derivative) if there are more.
inline array prod_grad(const array& x, const std::optional<axes_t>& axis, const array& gy) {
    const shape_t& shape = x.shape();
    auto group = [&](const array& v) { return broadcast_to(prod(v, axis, true), shape); };
    array z = equal(as_grad_stopped(x), 0);
    array count = broadcast_to(sum(z, axis, true), shape);
    array nonzero = where(z, 1, x);
    array p = group(nonzero);
    array zeros_product = group(where(z, x, 1));
    array zero_sum = broadcast_to(sum(where(z, x, 0), axis, true), shape);
    array others_of_zero = where(equal(count, 1), 1, where(equal(count, 2), subtract(zero_sum, x), 0));
    array others = where(z, multiply(p, others_of_zero), multiply(true_divide(p, nonzero), zeros_product));
    return multiply(gy, others);
}
}  // namespace detail

// The product over the axes; bool and integers give int64. Differentiable (also where elements are
// 0), backprop and double backprop.
template <class>
array prod(const array& a, const std::optional<axes_t>& axis, bool keepdims) {
    array out = detail::reduce_with<reduce_ops::prod>("prod", a, axis, keepdims, false);
    if (a.body()->graph) {
        shape_t kept = detail::kept_shape(a, axis);
        record_op("prod", {&a}, {&out}, [ra = retained_array(a), axis, kept](const std::vector<array>& gy) {
            array a = ra.get();
            return std::vector<array>{detail::prod_grad(a, axis, detail::broadcast_back(gy[0], kept, a.shape()))};
        });
    }
    return out;
}

template <class = void>
array max(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    return amax(a, axis, keepdims);
}
template <class = void>
array min(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    return amin(a, axis, keepdims);
}

// Number of nonzero (true) elements along the axes, as int64.
template <class = void>
array count_nonzero(const array& a, const std::optional<axes_t>& axis = std::nullopt) {
    return detail::reduce_with<reduce_ops::count_nonzero>("count_nonzero", a, axis, false);
}

// Position (int64) of the first maximum / minimum along one axis, or in the flattened array.
template <class = void>
array argmax(const array& a, std::optional<int64_t> axis = std::nullopt) {
    return detail::reduce_with<detail::argmax_op>("argmax", a, detail::single_axis(axis), false, true);
}
template <class = void>
array argmin(const array& a, std::optional<int64_t> axis = std::nullopt) {
    return detail::reduce_with<detail::argmin_op>("argmin", a, detail::single_axis(axis), false, true);
}

namespace detail {
// var and std as NumPy computes them: the mean (keepdims), the deviations from it, then the mean of
// their squares over n - ddof. Bool and integers compute in float64, 16-bit floats in float32 (the
// result is cast back).
template <class = void>
array variance(const char* name, const array& a, const std::optional<axes_t>& axis, bool keepdims, int64_t ddof,
               bool root) {
    dtype compute = is_float(a.dtype()) ? (itemsize_of(a.dtype()) == 2 ? dtype::float32 : a.dtype()) : dtype::float64;
    dtype result_type = is_float(a.dtype()) ? a.dtype() : dtype::float64;
    reduction_plan plan = plan_reduction(a, axis, keepdims, compute, name);
    array x = astype(a, compute, false);
    array m = reduce_with<reduce_ops::mean>(name, x, axis, true);
    // deviations = x - m (m broadcast).
    strides_t m_strides(x.ndim());
    for (int i = 0; i < x.ndim(); ++i) m_strides[i] = m.shape()[i] == 1 ? 0 : m.strides()[i];
    // Laid out as NumPy's a - mean is, since the result's layout follows it; NumPy's mean is a
    // reduction of a itself (not of a cast copy), laid out as the plan's kept_strides.
    const ufunc_operand layout_operands[] = {{&a.shape(), &a.strides(), a.itemsize(), a.dtype() != compute},
                                             {&plan.kept_shape, &plan.kept_strides, m.itemsize(), false}};
    array deviations = empty_strided(x.shape(), ufunc_output_strides(x.shape(), layout_operands, x.itemsize()), compute,
                                     x.get_device());
    const strides_t deviation_strides[] = {iterator_strides(x.shape(), x.shape(), deviations.strides())};
    plan.kept_strides = iterated_output_strides(plan.kept_shape, deviation_strides, x.itemsize());
    loop_operand operands[3] = {{static_cast<char*>(deviations.raw_data()), deviations.strides()},
                                {static_cast<char*>(x.raw_data()), x.strides()},
                                {static_cast<char*>(m.raw_data()), m_strides}};
    auto run = [&]<class T>() {
        run_elementwise<ops::subtract, T, T, T>(x.get_device(), ops::subtract{}, x.shape(), operands);
        reduce_ops::squared_deviation<T> op;
        op.ddof = ddof;
        op.root = root;
        strides_t out_strides;
        for (int i = 0; i < a.ndim(); ++i)
            if (!plan.reduced[i] || keepdims) out_strides.push_back(plan.kept_strides[i]);
        array out = empty_strided(plan.out_shape, out_strides, compute, a.get_device());
        run_reduction(name, op, deviations, plan.reduced, out, plan.kept_strides);
        return out;
    };
    array result = compute == dtype::float64 ? run.template operator()<double>() : run.template operator()<float>();
    return astype(result, result_type, false);
}
}  // namespace detail

// Variance and standard deviation (NumPy's ddof: the divisor is n - ddof).
namespace detail {
// var and std, recorded with gradients written with mean (so they differentiate again):
// d var = 2 (x - mean) / (n - ddof); d std = (x - mean) / ((n - ddof) std).
template <class = void>
array variance_recorded(const char* name, const array& a, const std::optional<axes_t>& axis, bool keepdims,
                        int64_t ddof, bool root) {
    array out = variance<>(name, a, axis, keepdims, ddof, root);
    if (a.body()->graph) {
        shape_t kept = kept_shape(a, axis);
        double divisor = static_cast<double>(a.size()) / static_cast<double>(std::max<int64_t>(kept.product(), 1)) -
                         static_cast<double>(ddof);
        retained_array kept_input(a);
        record_op(name, {&a}, {&out}, [=](const std::vector<array>& gy) {
            array input = kept_input.get();
            array centered = subtract(input, mean(input, axis, true));
            array g = broadcast_back(gy[0], kept, input.shape());
            if (root) {
                array sd = broadcast_back(variance_recorded(name, input, axis, true, ddof, true), kept, input.shape());
                return std::vector<array>{true_divide(multiply(g, centered), multiply(sd, divisor))};
            }
            return std::vector<array>{multiply(g, multiply(centered, 2.0 / divisor))};
        });
    }
    return out;
}
}  // namespace detail

template <class = void>
array var(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false, int64_t ddof = 0) {
    return detail::variance_recorded<>("var", a, axis, keepdims, ddof, false);
}
template <class = void>
array stddev(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false,
             int64_t ddof = 0) {
    return detail::variance_recorded<>("std", a, axis, keepdims, ddof, true);
}

}  // namespace chainerx
