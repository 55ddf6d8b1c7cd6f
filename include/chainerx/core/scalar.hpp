#pragma once

// A Python-like scalar (bool, integer or float) used by ops that take "array or scalar" operands.
#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "chainerx/dtype/dtype.hpp"

namespace chainerx {

class scalar;
// The key of a user dtype's scalar::store (chainerx/register_dtype.hpp).
struct scalar_store_entry {
    using function = void (*)(const scalar&, void*);
};

class scalar {
  public:
    scalar(bool v) : kind_(dtype_kind::bool_) { value_.b = v; }
    template <class I>
        requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
    scalar(I v) : kind_(dtype_kind::int_) {
        value_.i = static_cast<int64_t>(v);
    }
    scalar(double v) : kind_(dtype_kind::float_) { value_.d = v; }
    scalar(float v) : scalar(static_cast<double>(v)) {}
    scalar(float16 v) : scalar(static_cast<double>(static_cast<float>(v))) {}
    scalar(bfloat16 v) : scalar(static_cast<double>(static_cast<float>(v))) {}

    // bool_, int_ or float_.
    dtype_kind kind() const { return kind_; }
    // The dtype a lone scalar of this kind gets (ChainerX: bool, int32, float32).
    dtype default_dtype() const { return chainerx::default_dtype(kind_); }

    template <class T>
    T to() const {
        switch (kind_) {
            case dtype_kind::bool_:
                return value_cast<T>(value_.b);
            case dtype_kind::float_:
                return value_cast<T>(value_.d);
            default:
                return value_cast<T>(value_.i);
        }
    }
    // True if the value is an integer that integer type T cannot hold (bool and float kinds, and
    // float T, always fit: they convert as NumPy converts them).
    template <class T>
    bool overflows() const {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            return kind_ == dtype_kind::int_ && !std::in_range<T>(value_.i);
        else
            return false;
    }
    // to<T>(), but an integer T cannot hold raises std::overflow_error (Python's OverflowError), as
    // NumPy 2 refuses `np.full(3, 300, np.int8)`, instead of wrapping.
    template <class T>
    T to_checked() const {
        if (overflows<T>()) {
            std::ostringstream os;
            os << "Python integer " << value_.i << " out of bounds for " << dtype_of<T>();
            throw std::overflow_error(os.str());
        }
        return to<T>();
    }
    // Stores the value converted to dtype d at dst (itemsize_of(d) bytes); checked as to_checked.
    void store(dtype d, void* dst) const {
        if (!is_builtin(d)) return user_dtype_function<scalar_store_entry>(d)(*this, dst);
        dispatch_dtype(d, [&]<class T>() { *static_cast<T*>(dst) = to_checked<T>(); });
    }

    friend std::ostream& operator<<(std::ostream& os, const scalar& s) {
        switch (s.kind_) {
            case dtype_kind::bool_:
                return os << (s.value_.b ? "True" : "False");
            case dtype_kind::float_:
                return os << s.value_.d;
            default:
                return os << s.value_.i;
        }
    }

  private:
    union {
        bool b;
        int64_t i;
        double d;
    } value_;
    dtype_kind kind_;
};

}  // namespace chainerx
