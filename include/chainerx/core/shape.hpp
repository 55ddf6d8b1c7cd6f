#pragma once

// Shapes, strides and axis lists: inline vectors of at most max_ndim int64 values, so that no op
// allocates on the heap for its metadata.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <type_traits>

#include "chainerx/core/errors.hpp"
#include "chainerx/core/macros.hpp"

namespace chainerx {

// The error of a size, count or byte size that does not fit in int64: std::length_error, which the
// Python module raises as ValueError with NumPy's message.
[[noreturn]] inline void throw_too_big() {
    throw std::length_error(
        "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size");
}
// a * b and a + b for non-negative sizes and counts, refused (throw_too_big) when they overflow.
inline int64_t checked_mul(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) throw_too_big();
    return r;
}
inline int64_t checked_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) throw_too_big();
    return r;
}

class dims {
  public:
    using value_type = int64_t;

    dims() = default;
    dims(std::initializer_list<int64_t> values) { assign(values.begin(), values.end()); }
    template <class It>
        requires(!std::is_integral_v<It>)
    dims(It first, It last) {
        assign(first, last);
    }
    explicit dims(int n, int64_t value = 0) {
        check_size(n);
        size_ = n;
        std::fill_n(data_, n, value);
    }

    int size() const { return size_; }
    bool empty() const { return size_ == 0; }
    int64_t* begin() { return data_; }
    int64_t* end() { return data_ + size_; }
    const int64_t* begin() const { return data_; }
    const int64_t* end() const { return data_ + size_; }
    const int64_t* data() const { return data_; }
    int64_t& operator[](int i) { return data_[i]; }
    int64_t operator[](int i) const { return data_[i]; }
    int64_t& back() { return data_[size_ - 1]; }
    int64_t back() const { return data_[size_ - 1]; }

    void push_back(int64_t v) {
        check_size(size_ + 1);
        data_[size_++] = v;
    }
    void insert(int pos, int64_t v) {
        check_size(size_ + 1);
        std::copy_backward(data_ + pos, data_ + size_, data_ + size_ + 1);
        data_[pos] = v;
        ++size_;
    }
    void erase(int pos) {
        std::copy(data_ + pos + 1, data_ + size_, data_ + pos);
        --size_;
    }
    void resize(int n, int64_t value = 0) {
        check_size(n);
        if (n > size_) std::fill(data_ + std::max(size_, 0), data_ + n, value);  // size_ >= 0, told to GCC
        size_ = n;
    }

    // Product of the values (the element count of a shape), checked: std::length_error (Python's
    // ValueError) when the product of the nonzero values does not fit in int64, dimension_error
    // when a value is negative.
    int64_t product() const { return checked_product(1); }

    // The one size check of every shape: the product of the nonzero values times `itemsize` must fit
    // in int64 (NumPy's rule, so that byte sizes and offsets computed from a shape cannot overflow,
    // also when another dimension is 0). Returns the product of all values times itemsize.
    int64_t checked_product(int64_t itemsize) const {
        int64_t p = itemsize;
        bool zero = false;
        for (int i = 0; i < size_; ++i) {
            if (data_[i] == 0)
                zero = true;
            else if (data_[i] < 0)
                throw_error<dimension_error>("negative dimensions are not allowed: ", *this);
            else if (__builtin_mul_overflow(p, data_[i], &p))
                throw_too_big();
        }
        return zero ? 0 : p;
    }

    friend bool operator==(const dims& a, const dims& b) {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
    }

    // Printed like a Python tuple: (2, 3), (5,), ().
    friend std::ostream& operator<<(std::ostream& os, const dims& d) {
        os << '(';
        for (int i = 0; i < d.size_; ++i) os << (i ? ", " : "") << d.data_[i];
        return os << (d.size_ == 1 ? ",)" : ")");
    }

  private:
    template <class It>
    void assign(It first, It last) {
        int n = static_cast<int>(std::distance(first, last));
        check_size(n);
        size_ = n;
        std::copy(first, last, data_);
    }
    static void check_size(int n) {
        if (n > max_ndim) throw_error<dimension_error>("too many dimensions: ", n, " > ", max_ndim);
    }

    int64_t data_[max_ndim] = {};
    int size_ = 0;
};

using shape_t = dims;
using strides_t = dims;
using axes_t = dims;

// C-contiguous strides in bytes (a stride beyond int64 raises the size check's error; the size of
// the whole block, which a view of broadcast memory may exceed, is not computed).
inline strides_t contiguous_strides(const shape_t& shape, int64_t itemsize) {
    strides_t strides(shape.size());
    int64_t s = itemsize;
    for (int i = shape.size() - 1; i >= 0; --i) {
        strides[i] = s;
        if (i > 0) s = checked_mul(s, std::max<int64_t>(shape[i], 1));
    }
    return strides;
}

// Normalizes a possibly negative axis into [0, ndim); throws dimension_error naming the op.
inline int normalize_axis(int64_t axis, int ndim, const char* op) {
    if (axis < -ndim || axis >= ndim)
        throw_error<dimension_error>(op, ": axis ", axis, " is out of bounds for array of dimension ", ndim);
    return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

// Shape that two shapes broadcast to (NumPy's rule).
inline shape_t broadcast_shapes(const shape_t& a, const shape_t& b, const char* op) {
    int n = std::max(a.size(), b.size());
    shape_t out(n);
    for (int i = 0; i < n; ++i) {
        int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
        int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
        if (da != db && da != 1 && db != 1)
            throw_error<dimension_error>(op, ": operands could not be broadcast together with shapes ", a, " ", b);
        out[i] = da == 1 ? db : da;
    }
    return out;
}

}  // namespace chainerx
