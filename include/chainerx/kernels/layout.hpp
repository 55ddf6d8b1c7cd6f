#pragma once

// Memory layout of newly allocated op outputs, chosen as NumPy 2 chooses it. NumPy has three rules:
// - its iterator (nditer, order='K'), behind ufunc results, reductions, accumulations and where:
//   the axes sorted by the operands' strides (iteration_order);
// - a ufunc whose operands all have the result's shape and dtype and are C- or F-contiguous skips
//   the iterator and allocates in C or F order (ufunc_output_strides);
// - a copy of one array (copy and astype with order='K', empty_like) keeps that array's axis order
//   (like_strides), and concatenate sorts the axes over all its arrays (concatenation_strides).
// The order decides the strides of the axes of length 1 too, which a strided loop never steps along
// but which NumPy users see.
#include <cstdint>
#include <cstdlib>
#include <span>

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

// Strides of a fresh array of `shape` whose axes are laid out in `order` (innermost first); a stride
// beyond int64 raises the size check's error (empty_strided checks the whole size).
inline strides_t strides_in_order(const shape_t& shape, const dims& order, int64_t itemsize) {
    strides_t strides(shape.size());
    if (shape.product() == 0) return strides;  // NumPy gives zero-size arrays all-zero strides
    int64_t s = itemsize;
    for (int i = 0; i < order.size(); ++i) {
        strides[order[i]] = s;
        if (i + 1 < order.size()) s = checked_mul(s, shape[order[i]]);
    }
    return strides;
}

// NumPy's stable insertion sort of axes (its iterator's and concatenate's): the axis at position i0
// moves in front of those before it while the first operand that tells says so, unless a later
// operand disagrees (C order wins conflicts). magnitude(operand, axis) is an operand's stride
// magnitude along the axis, or -1 where it tells nothing; an axis goes in front of another whose
// magnitude is larger (innermost first) or smaller (outermost first).
template <class Operands, class Magnitude>
void sort_axes(dims& order, const Operands& operands, Magnitude magnitude, bool outermost_first) {
    for (int i0 = 1; i0 < order.size(); ++i0) {
        int insert_at = i0, axis0 = order[i0];
        for (int i1 = i0 - 1; i1 >= 0; --i1) {
            int axis1 = order[i1];
            bool ambiguous = true, should_swap = false;
            for (const auto& o : operands) {
                int64_t m0 = magnitude(o, axis0), m1 = magnitude(o, axis1);
                if (m0 < 0 || m1 < 0) continue;
                if (outermost_first ? m0 <= m1 : m1 <= m0) {
                    should_swap = false;
                } else if (ambiguous) {
                    should_swap = true;
                }
                ambiguous = false;
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

inline dims c_order(int ndim) {
    dims order(ndim);
    for (int i = 0; i < ndim; ++i) order[i] = ndim - 1 - i;
    return order;
}
// C-contiguous byte strides of a fresh array (all zero for a zero-size array, as NumPy 2 gives).
inline strides_t strides_in_order_c(const shape_t& shape, int64_t itemsize) {
    return strides_in_order(shape, c_order(shape.size()), itemsize);
}

// The stride NumPy's iterator gives an operand of `op_shape` broadcast to `shape` along `axis` (of
// shape): 0 along the axes it is broadcast along, and along the axes of length 1, which tell nothing
// about the order.
inline int64_t iterator_stride(const shape_t& shape, const shape_t& op_shape, const strides_t& op_strides, int axis) {
    int i = axis - static_cast<int>(shape.size() - op_shape.size());
    return i < 0 || op_shape[i] == 1 || shape[axis] == 1 ? 0 : op_strides[i];
}
inline strides_t iterator_strides(const shape_t& shape, const shape_t& op_shape, const strides_t& op_strides) {
    strides_t s(shape.size());
    for (int axis = 0; axis < shape.size(); ++axis) s[axis] = iterator_stride(shape, op_shape, op_strides, axis);
    return s;
}

// The axis order (innermost first) of NumPy's iterator over operands whose iterator stride along an
// axis is stride_of(operand, axis): a stable insertion sort from C order by stride magnitude. Where
// operands disagree on two axes, C order wins; an operand with a zero stride along either axis says
// nothing.
template <class Operands, class StrideOf>
dims iteration_order(int ndim, const Operands& operands, StrideOf stride_of) {
    dims order = c_order(ndim);
    sort_axes(
        order, operands,
        [&](const auto& o, int axis) {
            int64_t s = stride_of(o, axis);
            return s == 0 ? int64_t{-1} : std::llabs(s);
        },
        false);
    return order;
}
// The same for operands given by their iterator_strides.
inline dims iteration_order(int ndim, std::span<const strides_t> strides) {
    return iteration_order(ndim, strides, [](const strides_t& s, int axis) { return s[axis]; });
}

// Strides of a result laid out by the iterator over operands with these iterator_strides: an
// accumulation's (kept_shape = the shape), or a reduction's with its reduced axes kept as length 1.
inline strides_t iterated_output_strides(const shape_t& kept_shape, std::span<const strides_t> strides,
                                         int64_t itemsize) {
    return strides_in_order(kept_shape, iteration_order(kept_shape.size(), strides), itemsize);
}

// An operand of a ufunc, as its layout rule sees it.
struct ufunc_operand {
    const shape_t* shape;
    const strides_t* strides;
    int64_t itemsize;
    bool cast;  // read through a cast to the compute dtype
};

// Strides of a new ufunc result of `shape`. NumPy's fast path (try_trivial_single_output_loop)
// applies when every operand that is not 0-d has the result's shape, needs no cast, and all of
// them are C-contiguous or all F-contiguous (1-d ones in any stride): C order then, F order only
// when some operand is F- and not C-contiguous. Otherwise the iterator lays the result out.
inline strides_t ufunc_output_strides(const shape_t& shape, std::span<const ufunc_operand> operands, int64_t itemsize,
                                      bool fast_path = true) {
    int ndim = shape.size();
    bool c = true, f = true;
    for (const ufunc_operand& o : operands) {
        if (!fast_path) break;
        if (o.shape->size() == 0) continue;
        if (o.cast || !(*o.shape == shape)) {
            fast_path = false;
        } else if (ndim > 1) {
            c = c && is_c_contiguous(shape, *o.strides, o.itemsize);
            f = f && is_f_contiguous(shape, *o.strides, o.itemsize);
            fast_path = c || f;
        }
    }
    if (fast_path) {
        if (!c) {
            dims order(ndim);
            for (int i = 0; i < ndim; ++i) order[i] = i;
            return strides_in_order(shape, order, itemsize);
        }
        return strides_in_order_c(shape, itemsize);
    }
    // The iterator's order, reading each operand's strides in place (any number of operands).
    dims order = iteration_order(ndim, operands, [&](const ufunc_operand& o, int axis) {
        return iterator_stride(shape, *o.shape, *o.strides, axis);
    });
    return strides_in_order(shape, order, itemsize);
}

// Strides of a new array holding a's elements, as NumPy's order='K' lays it out (copy, astype,
// empty_like): C or F order when a is C- or F-contiguous, else a's axes sorted by decreasing stride
// magnitude (axis number breaking ties), so broadcast axes (stride 0) go innermost.
inline strides_t like_strides(const shape_t& shape, const strides_t& strides, int64_t source_itemsize,
                              int64_t itemsize) {
    int ndim = shape.size();
    if (is_c_contiguous(shape, strides, source_itemsize)) return strides_in_order_c(shape, itemsize);
    dims order(ndim);  // innermost first
    for (int i = 0; i < ndim; ++i) order[i] = i;
    if (!is_f_contiguous(shape, strides, source_itemsize)) {
        // Stable insertion sort, innermost (smallest stride, then the highest axis) first.
        for (int i0 = 1; i0 < ndim; ++i0) {
            int axis = order[i0], i = i0;
            for (; i > 0; --i) {
                int other = order[i - 1];
                int64_t s = std::llabs(strides[axis]), t = std::llabs(strides[other]);
                if (!(s < t || (s == t && axis > other))) break;
                order[i] = other;
            }
            order[i] = axis;
        }
    }
    return strides_in_order(shape, order, itemsize);
}

// Strides of the result of concatenating `arrays` (each with .shape() and .strides()) into
// `shape`, as NumPy's PyArray_CreateMultiSortedStridePerm orders the axes: an insertion sort from
// C order, outermost first, by stride magnitude over the arrays whose length along both axes is
// not 1 (their zero strides included); C order wins conflicts.
template <class Arrays>
strides_t concatenation_strides(const shape_t& shape, const Arrays& arrays, int64_t itemsize) {
    int ndim = shape.size();
    dims perm(ndim);  // outermost first
    for (int i = 0; i < ndim; ++i) perm[i] = i;
    sort_axes(
        perm, arrays,
        [](const auto& a, int axis) { return a.shape()[axis] == 1 ? int64_t{-1} : std::llabs(a.strides()[axis]); },
        true);
    dims order(ndim);
    for (int i = 0; i < ndim; ++i) order[i] = perm[ndim - 1 - i];
    return strides_in_order(shape, order, itemsize);
}

}  // namespace chainerx
