#pragma once

// Runtime dtype tags, compile-time dtype_traits<T>, ChainerX's promotion rules and the dispatch that
// turns a runtime dtype into a call of a template.
//
// The ten builtin dtypes are ChainerX's. A user adds a dtype by specializing dtype_traits for a value
// type and calling register_dtype<T>() (chainerx/register_dtype.hpp); it gets the next free tag, and
// the few places that work on any dtype (elementwise ops, reductions, casts, fill, printing) reach its
// typed code through the function_table registered with it.
#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string_view>
#include <type_traits>

#include "chainerx/core/errors.hpp"
#include "chainerx/core/function_table.hpp"
#include "chainerx/dtype/half.hpp"

namespace chainerx {

// The builtin dtypes; user dtypes take the values from num_builtin_dtypes up to max_dtypes - 1.
enum class dtype : int8_t { bool_, int8, int16, int32, int64, uint8, float16, float32, float64, bfloat16 };
inline constexpr int num_builtin_dtypes = 10;
inline constexpr int max_dtypes = 64;
constexpr bool is_builtin(dtype d) { return static_cast<int>(d) >= 0 && static_cast<int>(d) < num_builtin_dtypes; }

// Ordered so that a higher kind wins in promotion between arrays and scalars (ChainerX categories:
// bool < integer < float; signed and unsigned integers share a category).
enum class dtype_kind : int8_t { bool_, int_, uint_, float_ };

// Compile-time facts of an element type. A user's specialization has `kind` (float_ for types that
// autograd may differentiate) and `name`; the library's have their tag `value` too.
template <class T>
struct dtype_traits;

#define CHAINERX_DTYPE_TRAITS(T, tag, kind_, name_, char_code_, accum)   \
    template <>                                                          \
    struct dtype_traits<T> {                                             \
        using type = T;                                                  \
        using accumulator = accum; /* type to accumulate sums of T in */ \
        static constexpr dtype value = dtype::tag;                       \
        static constexpr dtype_kind kind = dtype_kind::kind_;            \
        static constexpr std::string_view name = name_;                  \
        static constexpr char char_code = char_code_;                    \
        static constexpr int itemsize = sizeof(T);                       \
    };
CHAINERX_DTYPE_TRAITS(bool, bool_, bool_, "bool", '?', int64_t)
CHAINERX_DTYPE_TRAITS(int8_t, int8, int_, "int8", 'b', int64_t)
CHAINERX_DTYPE_TRAITS(int16_t, int16, int_, "int16", 'h', int64_t)
CHAINERX_DTYPE_TRAITS(int32_t, int32, int_, "int32", 'i', int64_t)
CHAINERX_DTYPE_TRAITS(int64_t, int64, int_, "int64", 'l', int64_t)
CHAINERX_DTYPE_TRAITS(uint8_t, uint8, uint_, "uint8", 'B', uint64_t)
CHAINERX_DTYPE_TRAITS(float16, float16, float_, "float16", 'e', float)
CHAINERX_DTYPE_TRAITS(float, float32, float_, "float32", 'f', float)
CHAINERX_DTYPE_TRAITS(double, float64, float_, "float64", 'd', double)
CHAINERX_DTYPE_TRAITS(bfloat16, bfloat16, float_, "bfloat16", 'E', float)
#undef CHAINERX_DTYPE_TRAITS

template <dtype D>
struct dtype_type;
template <>
struct dtype_type<dtype::bool_> {
    using type = bool;
};
template <>
struct dtype_type<dtype::int8> {
    using type = int8_t;
};
template <>
struct dtype_type<dtype::int16> {
    using type = int16_t;
};
template <>
struct dtype_type<dtype::int32> {
    using type = int32_t;
};
template <>
struct dtype_type<dtype::int64> {
    using type = int64_t;
};
template <>
struct dtype_type<dtype::uint8> {
    using type = uint8_t;
};
template <>
struct dtype_type<dtype::float16> {
    using type = float16;
};
template <>
struct dtype_type<dtype::float32> {
    using type = float;
};
template <>
struct dtype_type<dtype::float64> {
    using type = double;
};
template <>
struct dtype_type<dtype::bfloat16> {
    using type = bfloat16;
};
template <dtype D>
using dtype_t = typename dtype_type<D>::type;

template <class T>
inline constexpr bool is_float_v = dtype_traits<T>::kind == dtype_kind::float_;
// The element types of the builtin dtypes.
template <class T>
inline constexpr bool is_builtin_element_v =
    std::is_arithmetic_v<T> || std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;

// Runtime properties, computed from the traits so the table is written once.
namespace detail {
struct dtype_info {
    std::string_view name;
    dtype_kind kind;
    int itemsize;
    char char_code;  // 0 for user dtypes
};
template <dtype... Ds>
constexpr auto make_dtype_table(std::integer_sequence<dtype, Ds...>) {
    return std::array<dtype_info, sizeof...(Ds)>{
        dtype_info{dtype_traits<dtype_t<Ds>>::name, dtype_traits<dtype_t<Ds>>::kind,
                   dtype_traits<dtype_t<Ds>>::itemsize, dtype_traits<dtype_t<Ds>>::char_code}...};
}
inline constexpr auto dtype_table = make_dtype_table(
    std::integer_sequence<dtype, dtype::bool_, dtype::int8, dtype::int16, dtype::int32, dtype::int64, dtype::uint8,
                          dtype::float16, dtype::float32, dtype::float64, dtype::bfloat16>{});
}  // namespace detail

// ---- user dtypes ----
namespace detail {
struct user_dtype_registry {
    std::mutex mutex;  // serializes registrations; lookups read entries published by `count`
    std::array<dtype_info, max_dtypes> info{};
    std::array<const function_table*, max_dtypes> functions{};
    std::atomic<int> count{num_builtin_dtypes};
};
inline user_dtype_registry& get_user_dtype_registry() {
    static auto* registry = new user_dtype_registry;  // never destroyed: arrays may outlive main
    return *registry;
}
inline const dtype_info& user_dtype_info(dtype d) {
    auto& registry = get_user_dtype_registry();
    int i = static_cast<int>(d);
    if (i < num_builtin_dtypes || i >= registry.count.load(std::memory_order_acquire))
        throw_error<dtype_error>("invalid dtype tag ", i);
    return registry.info[i];
}
// The tag register_dtype<T>() gave T (-1 before).
template <class T>
inline dtype user_dtype_tag = static_cast<dtype>(-1);
}  // namespace detail

// The typed entry points of a user dtype for Key (a type with a member `function`), or nullptr.
template <class Key>
typename Key::function user_dtype_function(dtype d) {
    detail::user_dtype_info(d);  // validates d
    return detail::get_user_dtype_registry().functions[static_cast<int>(d)]->template find<Key>();
}

constexpr const detail::dtype_info& dtype_info_of(dtype d) {
    return is_builtin(d) ? detail::dtype_table[static_cast<int>(d)] : detail::user_dtype_info(d);
}
constexpr std::string_view dtype_name(dtype d) { return dtype_info_of(d).name; }
constexpr dtype_kind kind_of(dtype d) { return dtype_info_of(d).kind; }
constexpr int itemsize_of(dtype d) { return dtype_info_of(d).itemsize; }
constexpr char char_code_of(dtype d) { return dtype_info_of(d).char_code; }

// The dtype of element type T: its builtin tag, or the tag register_dtype<T>() gave it.
template <class T>
dtype dtype_of() {
    if constexpr (requires { dtype_traits<T>::value; }) {
        return dtype_traits<T>::value;
    } else {
        dtype d = detail::user_dtype_tag<T>;
        if (static_cast<int>(d) < 0)
            throw_error<dtype_error>("dtype ", dtype_traits<T>::name, " is not registered (call register_dtype)");
        return d;
    }
}
constexpr bool is_float(dtype d) { return kind_of(d) == dtype_kind::float_; }
constexpr bool is_integral(dtype d) { return kind_of(d) == dtype_kind::int_ || kind_of(d) == dtype_kind::uint_; }

inline std::ostream& operator<<(std::ostream& os, dtype d) { return os << dtype_name(d); }

// Parses a dtype name ("float32", "bool_", "bool", char codes, a user dtype's name); throws dtype_error.
inline dtype dtype_from_name(std::string_view name) {
    if (name == "bool_" || name == "bool") return dtype::bool_;
    int count = detail::get_user_dtype_registry().count.load(std::memory_order_acquire);
    for (int i = 0; i < count; ++i) {
        const auto& info = dtype_info_of(static_cast<dtype>(i));
        if (name == info.name || (name.size() == 1 && info.char_code && name[0] == info.char_code))
            return static_cast<dtype>(i);
    }
    throw_error<dtype_error>("unknown dtype: '", name, "'");
}

// Category used when arrays meet scalars: bool < integer < float.
constexpr int dtype_category(dtype d) {
    dtype_kind k = kind_of(d);
    return k == dtype_kind::bool_ ? 0 : k == dtype_kind::float_ ? 2 : 1;
}

// ChainerX's promotion of two array dtypes (it is not NumPy's: float beats int without widening).
constexpr dtype promote_types(dtype a, dtype b) {
    if (a == b) return a;
    dtype_kind ka = kind_of(a), kb = kind_of(b);
    if (ka == dtype_kind::bool_) return b;
    if (kb == dtype_kind::bool_) return a;
    if (ka == dtype_kind::float_ && kb == dtype_kind::float_) {
        // float16 with bfloat16 has no exact common 16-bit type.
        if (itemsize_of(a) == itemsize_of(b)) return dtype::float32;
        return itemsize_of(a) > itemsize_of(b) ? a : b;
    }
    if (ka == dtype_kind::float_) return a;
    if (kb == dtype_kind::float_) return b;
    // Both integral.
    if (ka == dtype_kind::uint_ || kb == dtype_kind::uint_) {
        dtype other = ka == dtype_kind::uint_ ? b : a;  // uint8 is the only unsigned type
        return itemsize_of(other) > 1 ? other : dtype::int16;
    }
    return itemsize_of(a) > itemsize_of(b) ? a : b;
}

// The dtype ChainerX gives a lone Python scalar of each category.
constexpr dtype default_dtype(dtype_kind kind) {
    switch (kind) {
        case dtype_kind::bool_:
            return dtype::bool_;
        case dtype_kind::float_:
            return dtype::float32;
        default:
            return dtype::int32;
    }
}

// Math functions on integer or bool inputs compute in float32 (ChainerX's rule).
constexpr dtype math_result_dtype(dtype d) { return is_float(d) ? d : dtype::float32; }

// Calls f.template operator()<T>() with T the C++ type of the runtime dtype d, a builtin one (user
// dtypes raise dtype_error: the routines that support them look up their typed code first).
template <class F>
decltype(auto) dispatch_dtype(dtype d, F&& f) {
    switch (d) {
        case dtype::bool_:
            return f.template operator()<bool>();
        case dtype::int8:
            return f.template operator()<int8_t>();
        case dtype::int16:
            return f.template operator()<int16_t>();
        case dtype::int32:
            return f.template operator()<int32_t>();
        case dtype::int64:
            return f.template operator()<int64_t>();
        case dtype::uint8:
            return f.template operator()<uint8_t>();
        case dtype::float16:
            return f.template operator()<float16>();
        case dtype::float32:
            return f.template operator()<float>();
        case dtype::float64:
            return f.template operator()<double>();
        case dtype::bfloat16:
            return f.template operator()<bfloat16>();
        default:
            break;
    }
    throw_error<dtype_error>("dtype ", dtype_name(d), " is not supported by this operation");
}

// Lossless static_cast between any two element types, including the 16-bit floats.
template <class To, class From>
CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE To value_cast(From v) {
    if constexpr (std::is_same_v<To, From>) {
        return v;
    } else if constexpr (!is_builtin_element_v<From>) {
        return value_cast<To>(static_cast<double>(v));  // user types convert through double
    } else if constexpr (!is_builtin_element_v<To>) {
        return To(value_cast<double>(v));
    } else if constexpr (std::is_same_v<To, bool>) {
        if constexpr (std::is_same_v<From, float16> || std::is_same_v<From, bfloat16>) {
            return static_cast<float>(v) != 0.0f;
        } else {
            return v != From(0);
        }
    } else if constexpr (std::is_same_v<From, float16> || std::is_same_v<From, bfloat16>) {
        return value_cast<To>(static_cast<float>(v));
    } else if constexpr (std::is_same_v<To, float16> || std::is_same_v<To, bfloat16>) {
        if constexpr (std::is_same_v<From, bool>) {
            return To(v ? 1.0f : 0.0f);
        } else {
            return To(v);
        }
    } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To> && !std::is_same_v<To, bool>) {
        // Out-of-range and nan conversions are undefined in C++. Give what NumPy gives on x86: the
        // hardware converts to int32 (int64 for 64-bit targets), yielding the minimum value when
        // out of range, and narrower types keep the low bits.
        if constexpr (sizeof(To) == 8) {
            if (!(v >= From(-9.2233720368547758e18) && v < From(9.2233720368547758e18)))
                return static_cast<To>(INT64_MIN);
            return static_cast<To>(static_cast<int64_t>(v));
        } else {
            if (!(v > From(-2147483649.0) && v < From(2147483648.0))) return static_cast<To>(INT32_MIN);
            return static_cast<To>(static_cast<int32_t>(v));
        }
    } else {
        return static_cast<To>(v);
    }
}

}  // namespace chainerx
