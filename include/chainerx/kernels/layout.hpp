#pragma once

// Memory layout of newly allocated op outputs, chosen exactly as NumPy's ufuncs choose it: C order
// if every input is C-contiguous, F order if every input is F-contiguous, otherwise the axis order
// of NumPy's nditer (an insertion sort by stride magnitude in which C order wins conflicts).
#include <cstdint>
#include <cstdlib>

#include "chainerx/core/shape.hpp"

namespace chainerx {

// Contiguity flags ignoring length-1 axes, as NumPy computes them.
inline bool is_c_contiguous(const shape_t& shape, const strides_t& strides, int64_t itemsize) {
    int64_t expected = itemsize;
    for (int i = shape.size() - 1; i >= 0; --i) {
        if (shape[i] == 1) continue;
        if (strides[i] != expected) return false;
        expected *= shape[i];
    }
    return true;
}
inline bool is_f_contiguous(const shape_t& shape, const strides_t& strides, int64_t itemsize) {
    int64_t expected = itemsize;
    for (int i = 0; i < shape.size(); ++i) {
        if (shape[i] == 1) continue;
        if (strides[i] != expected) return false;
        expected *= shape[i];
    }
    return true;
}

// Strides of a fresh array of `shape` whose axes are laid out in `order` (innermost first).
inline strides_t strides_in_order(const shape_t& shape, const dims& order, int64_t itemsize) {
    strides_t strides(shape.size());
    if (shape.product() == 0) return strides;  // NumPy gives zero-size arrays all-zero strides
    int64_t s = itemsize;
    for (int axis : order) {
        strides[axis] = s;
        s *= shape[axis];
    }
    return strides;
}

// Output strides for an op whose inputs, broadcast to `shape`, have the given byte strides (0 on
// broadcast axes) and element sizes.
inline strides_t numpy_output_strides(const shape_t& shape, const strides_t* input_strides,
                                      const int64_t* input_itemsizes, int num_inputs, int64_t itemsize) {
    int ndim = shape.size();
    // NumPy looks at each input before broadcasting, so broadcast (stride 0) axes are skipped, as
    // are length-1 axes (NumPy's contiguity flags ignore them).
    bool all_c = true, all_f = true;
    for (int k = 0; k < num_inputs && (all_c || all_f); ++k) {
        int64_t expected_c = input_itemsizes[k], expected_f = input_itemsizes[k];
        for (int i = 0; i < ndim; ++i) {
            int j = ndim - 1 - i;
            if (shape[j] != 1 && input_strides[k][j] != 0) {
                all_c = all_c && input_strides[k][j] == expected_c;
                expected_c *= shape[j];
            }
            if (shape[i] != 1 && input_strides[k][i] != 0) {
                all_f = all_f && input_strides[k][i] == expected_f;
                expected_f *= shape[i];
            }
        }
    }
    if (all_c) return shape.product() == 0 ? strides_t(ndim) : contiguous_strides(shape, itemsize);
    dims order(ndim);
    for (int i = 0; i < ndim; ++i) order[i] = all_f && !all_c ? i : ndim - 1 - i;
    if (!all_c && !all_f) {
        // Stable insertion sort from innermost to outermost; a zero stride says nothing.
        for (int i0 = 1; i0 < ndim; ++i0) {
            int insert_at = i0;
            int64_t axis0 = order[i0];
            for (int i1 = i0 - 1; i1 >= 0; --i1) {
                int64_t axis1 = order[i1];
                bool ambiguous = true, should_swap = false;
                for (int k = 0; k < num_inputs; ++k) {
                    int64_t s0 = input_strides[k][axis0], s1 = input_strides[k][axis1];
                    if (s0 != 0 && s1 != 0) {
                        if (std::llabs(s1) <= std::llabs(s0)) {
                            should_swap = false;
                        } else if (ambiguous) {
                            should_swap = true;
                        }
                        ambiguous = false;
                    }
                }
                if (!ambiguous) {
                    if (!should_swap) break;
                    insert_at = i1;
                }
            }
            for (int i = i0; i > insert_at; --i) order[i] = order[i - 1];
            order[insert_at] = axis0;
        }
    }
    return strides_in_order(shape, order, itemsize);
}

}  // namespace chainerx

namespace chainerx {
// C-contiguous byte strides of a fresh array (all zero for a zero-size array, as NumPy 2 gives).
inline strides_t strides_in_order_c(const shape_t& shape, int64_t itemsize) {
    dims order(shape.size());
    for (int i = 0; i < shape.size(); ++i) order[i] = shape.size() - 1 - i;
    return strides_in_order(shape, order, itemsize);
}
}  // namespace chainerx
