#pragma once

// Shape manipulation. Everything here returns a view sharing storage, except reshape of an array
// whose layout does not allow one (then it copies, as NumPy does).
#include <optional>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/creation_basic.hpp"

namespace chainerx {

namespace detail {
// Strides for viewing `a` with `new_shape` without copying, or nothing when impossible (NumPy's
// attempt_nocopy_reshape, C order).
// (GCC 12 at -O3 reports old_shape and old_strides "may be used uninitialized" below; both are
// value-initialized inline vectors, so the warning is silenced for this function only.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
inline std::optional<strides_t> reshape_strides(const array& a, const shape_t& new_shape) {
    shape_t old_shape;
    strides_t old_strides;
    for (int i = 0; i < a.ndim(); ++i) {
        if (a.shape()[i] == 1) continue;
        old_shape.push_back(a.shape()[i]);
        old_strides.push_back(a.strides()[i]);
    }
    strides_t strides(new_shape.size());
    int old_n = old_shape.size(), new_n = new_shape.size();
    int oi = 0, oj = 1, ni = 0, nj = 1;
    while (ni < new_n && oi < old_n) {
        int64_t np = new_shape[ni], op = old_shape[oi];
        while (np != op) {
            if (np < op) {
                np *= new_shape[nj++];
            } else {
                op *= old_shape[oj++];
            }
        }
        for (int ok = oi; ok < oj - 1; ++ok)
            if (old_strides[ok] != old_shape[ok + 1] * old_strides[ok + 1]) return std::nullopt;
        strides[nj - 1] = old_strides[oj - 1];
        for (int nk = nj - 1; nk > ni; --nk) strides[nk - 1] = strides[nk] * new_shape[nk];
        ni = nj++;
        oi = oj++;
    }
    int64_t last = ni >= 1 ? strides[ni - 1] : a.itemsize();
    for (int nk = ni; nk < new_n; ++nk) strides[nk] = last;
    return strides;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}  // namespace detail

// Resolves one -1 in `shape` against `size`; throws dimension_error on a mismatch.
inline shape_t infer_shape(const shape_t& shape, int64_t size, const char* op) {
    shape_t out = shape;
    int unknown = -1;
    for (int i = 0; i < out.size(); ++i) {
        if (out[i] == -1) {
            if (unknown >= 0) throw_error<dimension_error>(op, ": can only specify one unknown dimension in ", shape);
            unknown = i;
        } else if (out[i] < 0) {
            throw_error<dimension_error>(op, ": negative dimensions are not allowed: ", shape);
        }
    }
    if (unknown >= 0) out[unknown] = 1;
    int64_t known = out.product();  // checked: a huge shape is refused before it can wrap
    if (unknown >= 0) {
        if (known == 0 || size % known != 0)
            throw_error<dimension_error>(op, ": cannot reshape array of size ", size, " into shape ", shape);
        out[unknown] = size / known;
    } else if (known != size) {
        throw_error<dimension_error>(op, ": cannot reshape array of size ", size, " into shape ", shape);
    }
    return out;
}

inline array reshape(const array& a, const shape_t& shape) {
    shape_t new_shape = infer_shape(shape, a.size(), "reshape");
    array out;
    if (new_shape == a.shape()) {
        out = a.make_view(a.shape(), a.strides(), a.offset());
    } else if (a.size() == 0) {
        out = a.make_view(new_shape, contiguous_strides(new_shape, a.itemsize()), a.offset());
    } else if (auto strides = detail::reshape_strides(a, new_shape)) {
        out = a.make_view(new_shape, *strides, a.offset());
    } else {
        out = ascontiguousarray(a);
        out = out.make_view(new_shape, *detail::reshape_strides(out, new_shape), out.offset());
    }
    shape_t in_shape = a.shape();
    record_op("reshape", {&a}, {&out},
              [in_shape](const std::vector<array>& gy) { return std::vector<array>{reshape(gy[0], in_shape)}; });
    return out;
}

// Differentiable cast (the gradient is cast back) and copy.
inline array astype(const array& a, dtype type, bool copy_always = true) {
    array out = cast_array(a, type, copy_always);
    if (!out.same_body(a)) {
        chainerx::dtype in_type = a.dtype();
        record_op("astype", {&a}, {&out}, [in_type](const std::vector<array>& gy) {
            return std::vector<array>{astype(gy[0], in_type, false)};
        });
    }
    return out;
}
inline array copy(const array& a) {
    array out = copy_array(a);
    record_op("copy", {&a}, {&out}, [](const std::vector<array>& gy) { return std::vector<array>{gy[0]}; });
    return out;
}

// a on device dev: a itself when it is there already, else a copy whose gradient goes back to a's device.
inline array to_device(const array& a, device& dev) {
    array out = copy_to_device(a, dev);
    if (!out.same_body(a)) {
        device* from = &a.get_device();
        record_op("to_device", {&a}, {&out},
                  [from](const std::vector<array>& gy) { return std::vector<array>{to_device(gy[0], *from)}; });
    }
    return out;
}

// as_grad_stopped (autograd/graph.hpp) with a copy of the data when copy_data is set: a new array
// outside the graphs (all of them, or the given ones).
inline array as_grad_stopped(const array& a, bool copy_data) {
    array view = as_grad_stopped(a);
    return copy_data ? copy_array(view) : view;
}
inline array as_grad_stopped(const array& a, const std::vector<backprop_id>& ids, bool copy_data) {
    return detail::keep_other_graphs(as_grad_stopped(a, copy_data), a, ids);
}

inline array ravel(const array& a) { return reshape(a, {a.size()}); }

// Normalizes a permutation of the axes; throws dimension_error if it is not one.
inline axes_t normalize_axes_permutation(const axes_t& axes, int ndim, const char* op) {
    if (axes.size() != ndim)
        throw_error<dimension_error>(op, ": axes ", axes, " do not match an array of ", ndim, " dimensions");
    axes_t out(ndim);
    bool seen[max_ndim] = {};
    for (int i = 0; i < ndim; ++i) {
        int axis = normalize_axis(axes[i], ndim, op);
        if (seen[axis]) throw_error<dimension_error>(op, ": repeated axis in ", axes);
        seen[axis] = true;
        out[i] = axis;
    }
    return out;
}

inline array transpose(const array& a, const std::optional<axes_t>& axes = std::nullopt) {
    int ndim = a.ndim();
    axes_t perm(ndim);
    if (axes) {
        perm = normalize_axes_permutation(*axes, ndim, "transpose");
    } else {
        for (int i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
    }
    shape_t shape(ndim);
    strides_t strides(ndim);
    axes_t inverse(ndim);
    for (int i = 0; i < ndim; ++i) {
        shape[i] = a.shape()[perm[i]];
        strides[i] = a.strides()[perm[i]];
        inverse[perm[i]] = i;
    }
    array out = a.make_view(shape, strides, a.offset());
    record_op("transpose", {&a}, {&out},
              [inverse](const std::vector<array>& gy) { return std::vector<array>{transpose(gy[0], inverse)}; });
    return out;
}

inline array swapaxes(const array& a, int64_t axis1, int64_t axis2) {
    axes_t perm(a.ndim());
    for (int i = 0; i < a.ndim(); ++i) perm[i] = i;
    std::swap(perm[normalize_axis(axis1, a.ndim(), "swapaxes")], perm[normalize_axis(axis2, a.ndim(), "swapaxes")]);
    return transpose(a, perm);
}

// Removes the given length-1 axes (all of them when none are given).
inline array squeeze(const array& a, const std::optional<axes_t>& axes = std::nullopt) {
    bool drop[max_ndim] = {};
    if (axes) {
        for (int64_t axis : *axes) {
            int i = normalize_axis(axis, a.ndim(), "squeeze");
            if (drop[i]) throw_error<dimension_error>("squeeze: repeated axis in ", *axes);
            if (a.shape()[i] != 1)
                throw_error<dimension_error>(
                    "squeeze: cannot select an axis to squeeze out which has size not equal to one (axis ", axis,
                    " of shape ", a.shape(), ")");
            drop[i] = true;
        }
    } else {
        for (int i = 0; i < a.ndim(); ++i) drop[i] = a.shape()[i] == 1;
    }
    shape_t shape;
    strides_t strides;
    for (int i = 0; i < a.ndim(); ++i) {
        if (drop[i]) continue;
        shape.push_back(a.shape()[i]);
        strides.push_back(a.strides()[i]);
    }
    array out = a.make_view(shape, strides, a.offset());
    shape_t in_shape = a.shape();
    record_op("squeeze", {&a}, {&out},
              [in_shape](const std::vector<array>& gy) { return std::vector<array>{reshape(gy[0], in_shape)}; });
    return out;
}

// A view with a new length-1 axis; strides as NumPy's (which reshapes).
inline array expand_dims(const array& a, int64_t axis) {
    shape_t shape = a.shape();
    shape.insert(normalize_axis(axis, a.ndim() + 1, "expand_dims"), 1);
    return reshape(a, shape);
}

// Sums `a` over the axes that broadcasting `shape` to a's shape added or stretched: the gradient of
// broadcast_to, whose gradient it is in turn. Defined in routines/reduction.hpp, next to sum, which
// it calls; that header comes in at the end of this one.
template <class = void>
array sum_to(const array& a, const shape_t& shape);

inline array broadcast_to(const array& a, const shape_t& shape) {
    int ndim = shape.size();
    if (ndim < a.ndim()) throw_error<dimension_error>("broadcast_to: cannot broadcast ", a.shape(), " to ", shape);
    strides_t strides(ndim);
    for (int i = 0; i < ndim; ++i) {
        int j = i - (ndim - a.ndim());
        if (shape[i] < 0) throw_error<dimension_error>("broadcast_to: negative dimension in ", shape);
        if (j < 0) continue;
        if (a.shape()[j] == shape[i]) {
            strides[i] = a.strides()[j];
        } else if (a.shape()[j] != 1) {
            throw_error<dimension_error>("broadcast_to: cannot broadcast ", a.shape(), " to ", shape);
        }
    }
    array out = a.make_view(shape, strides, a.offset());
    // Elements that share memory: read-only, as NumPy's broadcast_to makes them (a view taken of one
    // row, which no longer shows the aliasing, may not be written either).
    for (int i = 0; i < ndim; ++i)
        if (strides[i] == 0 && shape[i] > 1) out.set_read_only();
    shape_t in_shape = a.shape();
    record_op("broadcast_to", {&a}, {&out},
              [in_shape](const std::vector<array>& gy) { return std::vector<array>{sum_to(gy[0], in_shape)}; });
    return out;
}

}  // namespace chainerx

// sum_to's definition (routines/reduction.hpp), which needs this header and math.hpp complete: it
// comes through math.hpp, which includes reduction.hpp at its end. So any order of includes works:
// when math.hpp is the one being read, this line does nothing and math.hpp's own last line brings it.
#include "chainerx/routines/math.hpp"
