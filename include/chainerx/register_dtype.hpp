#pragma once

// register_dtype<T>(): makes a user's value type a chainerx dtype.
//
//   struct fixed { ... };  // trivially copyable, at most 16 bytes, explicit conversions to and from double
//   template <> struct chainerx::dtype_traits<fixed> {
//       static constexpr chainerx::dtype_kind kind = chainerx::dtype_kind::float_;  // float_: differentiable
//       static constexpr std::string_view name = "fixed";
//   };
//   const chainerx::dtype fixed_dtype = chainerx::register_dtype<fixed>();
//
// Arrays of it can then be created, filled, printed and cast to and from every builtin dtype, on
// every host device; each elementwise op of the op tables (routines/math.hpp) and where, whose scalar
// operations T provides (operators, or math functions such as exp(fixed) found by argument-dependent
// lookup) and the reductions sum, prod, mean and, when std::numeric_limits<T> is specialized,
// amax/amin/argmax/argmin work on it, with autograd for a float_ kind. Other ops raise dtype_error
// naming the op and the dtype. Devices that are not host devices (CUDA) have no kernels for it.
#include <limits>
#include <mutex>
#include <type_traits>

#include "chainerx/chainerx.hpp"
#include "chainerx/routines/printing.hpp"

namespace chainerx {
namespace detail {

template <class T, class Op, int NumInputs>
void add_elementwise_entry(function_table& table) {
    if constexpr (op_signature<Op, T, std::make_index_sequence<NumInputs>>::supported)
        table.add<elementwise_entry<Op, NumInputs>>(&apply_typed<NumInputs, Op, T>);
}

template <class T>
function_table make_user_dtype_functions() {
    function_table table;
    table.add<scalar_store_entry>([](const scalar& s, void* dst) { *static_cast<T*>(dst) = s.to<T>(); });
    table.add<fill_entry>(&fill_typed<T>);
    table.add<cast_entry>(&cast_typed<T>);
    table.add<as_scalar_entry>(&as_scalar_typed<T>);
    table.add<format_entry>(&format_element<T>);
#define CHAINERX_ADD_UNARY_ENTRY(name, ...) add_elementwise_entry<T, ops::name, 1>(table);
#define CHAINERX_ADD_BINARY_ENTRY(name, ...) add_elementwise_entry<T, ops::name, 2>(table);
    CHAINERX_UNARY_OPS(CHAINERX_ADD_UNARY_ENTRY)
    CHAINERX_BINARY_OPS(CHAINERX_ADD_BINARY_ENTRY)
#undef CHAINERX_ADD_UNARY_ENTRY
#undef CHAINERX_ADD_BINARY_ENTRY
    add_elementwise_entry<T, ops::where, 3>(table);
    if constexpr (ops::has_plus<T> && ops::has_zero<T>) {
        table.add<reduction_entry<reduce_ops::sum>>(&reduce_typed<reduce_ops::sum, T>);
        if constexpr (ops::has_divide<T>)
            table.add<reduction_entry<reduce_ops::mean>>(&reduce_typed<reduce_ops::mean, T>);
    }
    if constexpr (ops::has_times<T> && ops::has_zero<T>)
        table.add<reduction_entry<reduce_ops::prod>>(&reduce_typed<reduce_ops::prod, T>);
    if constexpr (ops::has_order<T> && std::numeric_limits<T>::is_specialized) {
        table.add<reduction_entry<reduce_ops::amax>>(&reduce_typed<reduce_ops::amax, T>);
        table.add<reduction_entry<reduce_ops::amin>>(&reduce_typed<reduce_ops::amin, T>);
        table.add<reduction_entry<argmax_op>>(&reduce_typed<argmax_op, T>);
        table.add<reduction_entry<argmin_op>>(&reduce_typed<argmin_op, T>);
    }
    return table;
}

}  // namespace detail

// Registers T as a dtype (once; later calls return the same dtype) and returns its tag.
template <class T>
dtype register_dtype() {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 16,
                  "a dtype's element type is trivially copyable and at most 16 bytes");
    static_assert(std::is_constructible_v<T, double> && std::is_constructible_v<double, T>,
                  "a dtype's element type converts to and from double (explicit conversions suffice)");
    auto& registry = detail::get_user_dtype_registry();
    std::lock_guard lock(registry.mutex);
    if (static_cast<int>(detail::user_dtype_tag<T>) >= 0) return detail::user_dtype_tag<T>;
    int index = registry.count.load(std::memory_order_relaxed);
    if (index >= max_dtypes) throw_error<dtype_error>("register_dtype: at most ", max_dtypes, " dtypes");
    std::string_view name = dtype_traits<T>::name;
    for (int i = 0; i < index; ++i)
        if (dtype_info_of(static_cast<dtype>(i)).name == name)
            throw_error<dtype_error>("register_dtype: a dtype named '", name, "' exists already");
    detail::user_dtype_tag<T> = static_cast<dtype>(index);  // before the table: its entries may ask
    registry.info[index] = {name, dtype_traits<T>::kind, static_cast<int>(sizeof(T)), 0};
    registry.functions[index] = new function_table(detail::make_user_dtype_functions<T>());  // lives forever
    registry.count.store(index + 1, std::memory_order_release);
    return static_cast<dtype>(index);
}

}  // namespace chainerx
