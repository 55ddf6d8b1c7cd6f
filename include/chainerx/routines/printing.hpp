#pragma once

// Printing arrays as ChainerX's repr does: array([[0., 1.], [2., 3.]], shape=(2, 2), dtype=float32,
// device='native:0'). Values are read on the host (a copy for other devices).
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "chainerx/routines/creation_basic.hpp"

namespace chainerx {
namespace detail {
// Writes one element as Python would: True/False, integers, floats with up to 8 significant digits.
template <class T>
void format_element(std::ostream& os, const void* element) {
    T v;
    std::memcpy(&v, element, sizeof(T));
    if constexpr (std::is_same_v<T, bool>) {
        os << (v ? "True" : "False");
    } else if constexpr (std::is_integral_v<T>) {
        os << static_cast<int64_t>(v);
    } else if constexpr (requires { os << v; } && !is_builtin_element_v<T>) {
        os << v;  // a user type that prints itself
    } else {
        double d = value_cast<double>(v);
        std::ostringstream text;
        text << std::setprecision(8) << d;
        std::string s = text.str();
        bool integral = s.find_first_of(".eEn") == std::string::npos;  // nan, inf: 'n'
        os << s << (integral ? "." : "");
    }
}
struct format_entry {
    using function = void (*)(std::ostream&, const void*);
};
inline void format_values(std::ostream& os, const char* data, const array& a, int axis, int64_t offset,
                          void (*format)(std::ostream&, const void*)) {
    if (axis == a.ndim()) return format(os, data + offset);
    os << '[';
    for (int64_t i = 0; i < a.shape()[axis]; ++i) {
        if (i > 0) os << (axis + 1 < a.ndim() ? ",\n" + std::string(static_cast<size_t>(axis) + 7, ' ') : ", ");
        format_values(os, data, a, axis + 1, offset + i * a.strides()[axis], format);
    }
    os << ']';
}
}  // namespace detail

inline std::ostream& operator<<(std::ostream& os, const array& a) {
    void (*format)(std::ostream&, const void*) =
        is_builtin(a.dtype()) ? dispatch_dtype(a.dtype(), []<class T>() { return &detail::format_element<T>; })
                              : user_dtype_function<detail::format_entry>(a.dtype());
    array host = copy_to_device(a, a.get_device().get_context().get_device("native", 0));
    os << "array(";
    detail::format_values(os, static_cast<const char*>(host.raw_data()), host, 0, 0, format);
    return os << ", shape=" << a.shape() << ", dtype=" << a.dtype() << ", device='" << a.get_device().name() << "')";
}

}  // namespace chainerx
