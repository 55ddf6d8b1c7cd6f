// Helpers shared by the C++ tests: building arrays from values and reading them back through their
// strides (independently of the library's kernels).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "chainerx/chainerx.hpp"

namespace chainerx::testing {

using values_t = std::vector<double>;

// A new C-contiguous array holding `values` converted to `type`.
inline array make(const shape_t& shape, dtype type, const values_t& values) {
    array a = empty(shape, type);
    EXPECT_EQ(a.size(), static_cast<int64_t>(values.size()));
    dispatch_dtype(type, [&]<class T>() {
        T* p = static_cast<T*>(a.raw_data());
        for (size_t i = 0; i < values.size(); ++i) p[i] = value_cast<T>(values[i]);
    });
    return a;
}

// Elementwise |actual - expected| <= tol.
inline void expect_near(const values_t& actual, const values_t& expected, double tol) {
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tol) << "element " << i;
}

// 0, 1, ..., n-1 in the given shape.
inline array iota(const shape_t& shape, dtype type = dtype::int32) {
    values_t v(static_cast<size_t>(shape.product()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
    return make(shape, type, v);
}

// The elements in C order, read through the strides (independent of the library's kernels).
inline values_t to_values(const array& a) {
    values_t out;
    if (a.size() == 0) return out;
    dispatch_dtype(a.dtype(), [&]<class T>() {
        std::vector<int64_t> index(a.ndim(), 0);
        const char* base = static_cast<const char*>(a.raw_data());
        for (int64_t n = 0; n < a.size(); ++n) {
            int64_t offset = 0;
            for (int i = 0; i < a.ndim(); ++i) offset += index[i] * a.strides()[i];
            out.push_back(value_cast<double>(*reinterpret_cast<const T*>(base + offset)));
            for (int i = a.ndim() - 1; i >= 0; --i) {
                if (++index[i] < a.shape()[i]) break;
                index[i] = 0;
            }
        }
    });
    return out;
}

}  // namespace chainerx::testing
