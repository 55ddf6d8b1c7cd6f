#pragma once

// Joining, splitting, tiling and repeating arrays (NumPy's array manipulation routines):
// concatenate, stack, hstack, vstack, dstack, atleast_1d/2d/3d, split, array_split, hsplit, vsplit,
// dsplit, repeat, tile and roll. Results, dtypes and output strides follow NumPy; mixed dtypes
// promote with ChainerX's rules. Every routine is differentiable: concatenate and split are each
// other's gradients, the rest are compositions of differentiable views and copies.
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/device/parallel.hpp"
#include "chainerx/routines/indexing.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {

namespace detail {

inline std::vector<const array*> pointers(const std::vector<array>& arrays) {
    std::vector<const array*> p;
    p.reserve(arrays.size());
    for (const array& a : arrays) p.push_back(&a);
    return p;
}

// Calls f(size) with size a compile-time constant for the common element sizes, so that the memcpy
// of one small block inlines to a load and a store.
template <class F>
void with_block_size(int64_t bytes, F&& f) {
    switch (bytes) {
        case 1:
            return f(std::integral_constant<int64_t, 1>{});
        case 2:
            return f(std::integral_constant<int64_t, 2>{});
        case 4:
            return f(std::integral_constant<int64_t, 4>{});
        case 8:
            return f(std::integral_constant<int64_t, 8>{});
        default:
            return f(bytes);
    }
}

// Copies src into dst (same shape, on one device). When both are of one dtype on the host and some
// axis is contiguous in both with runs of at least 64 bytes (the last axis preferred), the runs are
// memcpy'd (in parallel for large arrays, without the GIL); otherwise the casting, strided copy
// kernel runs.
inline void copy_rows(const array& dst, const array& src) {
    int ndim = dst.ndim();
    int64_t itemsize = dst.itemsize();
    int run_axis = -1;
    if (dst.dtype() == src.dtype() && dst.get_device().is_host() && dst.data() != src.data()) {
        for (int i = ndim - 1; i >= 0 && run_axis < 0; --i)
            if (dst.strides()[i] == itemsize && src.strides()[i] == itemsize && dst.shape()[i] * itemsize >= 64)
                run_axis = i;
    }
    if (run_axis < 0) {
        copy_into(dst, src);
        return;
    }
    check_writable(dst, "copy");
    shape_t outer;
    strides_t dst_outer, src_outer;
    for (int i = 0; i < ndim; ++i) {
        if (i == run_axis) continue;
        outer.push_back(dst.shape()[i]);
        dst_outer.push_back(dst.strides()[i]);
        src_outer.push_back(src.strides()[i]);
    }
    int64_t run_bytes = dst.shape()[run_axis] * itemsize, count = outer.product();
    if (count == 0) return;
    char* d = static_cast<char*>(dst.raw_data());
    const char* s = static_cast<const char*>(src.raw_data());
    long_running_scope unlock(dst.size());
    parallel_for(count, std::max<int64_t>(parallel_threshold * 8 / run_bytes, 1), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            int64_t dst_offset = 0, src_offset = 0, rest = r;
            for (int i = outer.size() - 1; i >= 0; --i) {
                int64_t index = rest % outer[i];
                rest /= outer[i];
                dst_offset += index * dst_outer[i];
                src_offset += index * src_outer[i];
            }
            std::memcpy(d + dst_offset, s + src_offset, run_bytes);
        }
    });
}

// Copies each input into its part of `out` along `axis`. When every input is C-contiguous with
// out's dtype and out is C-contiguous (the common case), each input is `outer` rows of bytes that
// land at a fixed place in out's rows: memcpy, row by row, in parallel for large arrays and
// without the GIL. Otherwise each input goes through the (casting, strided) copy kernel.
inline void concatenate_into(const array& out, const std::vector<array>& arrays, int axis) {
    if (out.size() == 0) return;
    bool memcpy_path = out.get_device().is_host() && out.is_contiguous();
    for (const array& a : arrays) memcpy_path = memcpy_path && a.dtype() == out.dtype() && a.is_contiguous();
    if (!memcpy_path) {
        int64_t start = 0;
        for (const array& a : arrays) {
            int64_t extent = a.shape()[axis];
            if (a.size() > 0) {
                shape_t shape = out.shape();
                shape[axis] = extent;
                copy_rows(out.make_view(shape, out.strides(), out.offset() + start * out.strides()[axis]), a);
            }
            start += extent;
        }
        return;
    }
    int64_t outer = 1;
    for (int i = 0; i < axis; ++i) outer *= out.shape()[i];
    int64_t out_row = out.nbytes() / outer;
    struct part {
        const char* src;
        int64_t row_bytes, offset;
    };
    std::vector<part> parts;
    parts.reserve(arrays.size());
    int64_t offset = 0;
    for (const array& a : arrays) {
        int64_t row = a.nbytes() / outer;
        if (row > 0) parts.push_back({static_cast<const char*>(a.raw_data()), row, offset});
        offset += row;
    }
    char* dst = static_cast<char*>(out.raw_data());
    constexpr int64_t parallel_bytes = parallel_threshold * 8;
    long_running_scope unlock(out.size());
    if (outer == 1) {
        for (const part& p : parts)
            parallel_for(p.row_bytes, parallel_bytes,
                         [&](int64_t b, int64_t e) { std::memcpy(dst + p.offset + b, p.src + b, e - b); });
        return;
    }
    parallel_for(outer, std::max<int64_t>(parallel_bytes / out_row, 1), [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o)
            for (const part& p : parts) std::memcpy(dst + o * out_row + p.offset, p.src + o * p.row_bytes, p.row_bytes);
    });
}

// A view of `a` with the given shape and strides that only adds or drops length-1 axes; its gradient
// reshapes back.
inline array unit_axes_view(const array& a, const shape_t& shape, const strides_t& strides) {
    array out = a.make_view(shape, strides, a.offset());
    shape_t in_shape = a.shape();
    record_op("reshape", {&a}, {&out},
              [in_shape](const std::vector<array>& gy) { return std::vector<array>{reshape(gy[0], in_shape)}; });
    return out;
}

// A new C-contiguous array equal to `a`, even when `a` already is one (its gradient passes through).
inline array contiguous_copy(const array& a) {
    array out = empty(a.shape(), a.dtype(), a.get_device());
    copy_into(out, a);
    record_op("copy", {&a}, {&out}, [](const std::vector<array>& gy) { return std::vector<array>{gy[0]}; });
    return out;
}

}  // namespace detail

template <class = void>
array concatenate(const std::vector<array>& arrays, std::optional<int64_t> axis = 0);

namespace detail {
// Views of `a` between consecutive `bounds` along `axis` (bounds[0] = 0, non-decreasing, the last
// one the axis' extent), recorded as one op whose gradient concatenates the output gradients.
inline std::vector<array> split_views(const array& a, int axis, const std::vector<int64_t>& bounds) {
    std::vector<array> outs;
    outs.reserve(bounds.size() - 1);
    for (size_t i = 0; i + 1 < bounds.size(); ++i) {
        shape_t shape = a.shape();
        shape[axis] = bounds[i + 1] - bounds[i];
        int64_t offset = a.offset() + (shape[axis] > 0 ? bounds[i] * a.strides()[axis] : 0);
        outs.push_back(a.make_view(shape, a.strides(), offset));
    }
    if (a.body()->graph) {
        const array* in[] = {&a};
        record_op("split", in, pointers(outs),
                  [axis](const std::vector<array>& gy) { return std::vector<array>{concatenate(gy, axis)}; });
    }
    return outs;
}
}  // namespace detail

// Joins arrays along an existing axis (axis = nullopt: the flattened arrays). The result dtype is
// the arrays' promoted dtype; its layout follows the inputs' as NumPy's does.
template <class>
array concatenate(const std::vector<array>& arrays, std::optional<int64_t> axis) {
    if (arrays.empty()) throw_error<dimension_error>("concatenate: need at least one array to concatenate");
    if (!axis) {
        std::vector<array> flat;
        flat.reserve(arrays.size());
        for (const array& a : arrays) flat.push_back(ravel(a));
        return concatenate(flat, 0);
    }
    const array& first = arrays[0];
    int ndim = first.ndim();
    if (ndim == 0) throw_error<dimension_error>("concatenate: zero-dimensional arrays cannot be concatenated");
    int ax = normalize_axis(*axis, ndim, "concatenate");
    shape_t shape = first.shape();
    shape[ax] = 0;
    dtype type = first.dtype();
    bool graph = false;
    for (size_t k = 0; k < arrays.size(); ++k) {
        const array& a = arrays[k];
        if (a.ndim() != ndim)
            throw_error<dimension_error>(
                "concatenate: all the input arrays must have the same number of dimensions, but "
                "the array at index 0 has ",
                ndim, " dimension(s) and the array at index ", k, " has ", a.ndim(), " dimension(s)");
        for (int i = 0; i < ndim; ++i)
            if (i != ax && a.shape()[i] != first.shape()[i])
                throw_error<dimension_error>(
                    "concatenate: all the input array dimensions except for the concatenation "
                    "axis must match exactly, but along dimension ",
                    i, ", the array at index 0 has size ", first.shape()[i], " and the array at index ", k,
                    " has size ", a.shape()[i]);
        check_same_device("concatenate", first, a);
        type = promote_types(type, a.dtype());
        shape[ax] += a.shape()[ax];
        graph = graph || a.body()->graph;
    }
    array out = empty_strided(shape, concatenation_strides(shape, arrays, itemsize_of(type)), type, first.get_device());
    detail::concatenate_into(out, arrays, ax);
    if (graph) {
        std::vector<int64_t> bounds{0};
        std::vector<dtype> types;
        for (const array& a : arrays) {
            bounds.push_back(bounds.back() + a.shape()[ax]);
            types.push_back(a.dtype());
        }
        const array* outs[] = {&out};
        record_op("concatenate", detail::pointers(arrays), outs, [ax, bounds, types](const std::vector<array>& gy) {
            std::vector<array> gx = detail::split_views(gy[0], ax, bounds);
            for (size_t k = 0; k < gx.size(); ++k)
                gx[k] = is_float(types[k]) ? astype(gx[k], types[k], false) : array();
            return gx;
        });
    }
    return out;
}

// Joins arrays of one shape along a new axis.
template <class = void>
array stack(const std::vector<array>& arrays, int64_t axis = 0) {
    if (arrays.empty()) throw_error<dimension_error>("stack: need at least one array to stack");
    int ax = normalize_axis(axis, arrays[0].ndim() + 1, "stack");
    std::vector<array> expanded;
    expanded.reserve(arrays.size());
    for (size_t k = 0; k < arrays.size(); ++k) {
        if (!(arrays[k].shape() == arrays[0].shape()))
            throw_error<dimension_error>(
                "stack: all input arrays must have the same shape, but the array at index 0 has "
                "shape ",
                arrays[0].shape(), " and the array at index ", k, " has shape ", arrays[k].shape());
        expanded.push_back(expand_dims(arrays[k], ax));
    }
    return concatenate(expanded, ax);
}

// Views with at least 1, 2 or 3 dimensions, shaped as NumPy's: (n,) becomes (1, n) and (1, n, 1),
// (m, n) becomes (m, n, 1); new axes have stride 0 and 0-d arrays are reshaped.
template <class = void>
array atleast_1d(const array& a) {
    return a.ndim() == 0 ? reshape(a, {1}) : a;
}
template <class = void>
array atleast_2d(const array& a) {
    if (a.ndim() == 0) return reshape(a, {1, 1});
    if (a.ndim() == 1) return detail::unit_axes_view(a, {1, a.shape()[0]}, {0, a.strides()[0]});
    return a;
}
template <class = void>
array atleast_3d(const array& a) {
    if (a.ndim() == 0) return reshape(a, {1, 1, 1});
    if (a.ndim() == 1) return detail::unit_axes_view(a, {1, a.shape()[0], 1}, {0, a.strides()[0], 0});
    if (a.ndim() == 2)
        return detail::unit_axes_view(a, {a.shape()[0], a.shape()[1], 1}, {a.strides()[0], a.strides()[1], 0});
    return a;
}

namespace detail {
template <class F>
std::vector<array> map_arrays(const std::vector<array>& arrays, F f) {
    std::vector<array> out;
    out.reserve(arrays.size());
    for (const array& a : arrays) out.push_back(f(a));
    return out;
}
}  // namespace detail

// Concatenation along the second axis (the first for 1-d arrays), the first and the third axis.
template <class = void>
array hstack(const std::vector<array>& arrays) {
    std::vector<array> arrs = detail::map_arrays(arrays, [](const array& a) { return atleast_1d(a); });
    return concatenate(arrs, !arrs.empty() && arrs[0].ndim() == 1 ? 0 : 1);
}
template <class = void>
array vstack(const std::vector<array>& arrays) {
    return concatenate(detail::map_arrays(arrays, [](const array& a) { return atleast_2d(a); }), 0);
}
template <class = void>
array dstack(const std::vector<array>& arrays) {
    return concatenate(detail::map_arrays(arrays, [](const array& a) { return atleast_3d(a); }), 2);
}

// A number of sections, or the indices at which to split.
using indices_or_sections = std::variant<int64_t, std::vector<int64_t>>;

namespace detail {
// split and array_split. Sections must divide the axis evenly unless `allow_unequal` (then the
// first extent % n sections get one more element). Split points behave like Python slice bounds
// (negative ones count from the end, out-of-range ones clamp), as NumPy's do.
inline std::vector<array> split_impl(const array& a, const indices_or_sections& spec, int64_t axis, bool allow_unequal,
                                     const char* op) {
    int ax = normalize_axis(axis, a.ndim(), op);
    int64_t extent = a.shape()[ax];
    if (const int64_t* n = std::get_if<int64_t>(&spec)) {
        if (*n <= 0) throw_error<dimension_error>(op, ": number of sections must be larger than 0, got ", *n);
        // Each section is an array object: a count far beyond the axis could only exhaust memory.
        if (*n > extent && *n > (int64_t{1} << 24))
            throw std::length_error(std::string(op) + ": too many sections (" + std::to_string(*n) +
                                    ") for an axis of length " + std::to_string(extent));
        if (!allow_unequal && extent % *n != 0)
            throw_error<dimension_error>(op, ": array split does not result in an equal division (", extent, " into ",
                                         *n, " sections)");
        std::vector<int64_t> bounds{0};
        int64_t each = extent / *n, extras = extent % *n;
        for (int64_t i = 0; i < *n; ++i) bounds.push_back(bounds.back() + each + (i < extras ? 1 : 0));
        return split_views(a, ax, bounds);
    }
    const std::vector<int64_t>& points = std::get<std::vector<int64_t>>(spec);
    std::vector<int64_t> starts, counts;
    bool contiguous = true;
    int64_t expected = 0;
    for (size_t i = 0; i <= points.size(); ++i) {
        index_item item = index_item::slice(i == 0 ? std::optional<int64_t>(0) : points[i - 1],
                                            i == points.size() ? std::nullopt : std::optional<int64_t>(points[i]), 1);
        int64_t start, step, count;
        slice_bounds(item, extent, start, step, count);
        if (count > 0 && start != expected) contiguous = false;
        expected = start + count > expected ? start + count : expected;
        starts.push_back(count > 0 ? start : expected);
        counts.push_back(count);
    }
    if (contiguous) {
        std::vector<int64_t> bounds{0};
        for (int64_t c : counts) bounds.push_back(bounds.back() + c);
        return split_views(a, ax, bounds);
    }
    // Overlapping or reordered sections: independent slices, each with its own gradient.
    std::vector<array> outs;
    for (size_t i = 0; i < starts.size(); ++i) {
        std::vector<index_item> items(ax, index_item::slice(std::nullopt, std::nullopt, std::nullopt));
        items.push_back(index_item::slice(starts[i], starts[i] + counts[i], 1));
        outs.push_back(at(a, items));
    }
    return outs;
}
}  // namespace detail

template <class = void>
std::vector<array> split(const array& a, const indices_or_sections& spec, int64_t axis = 0) {
    return detail::split_impl(a, spec, axis, false, "split");
}
template <class = void>
std::vector<array> array_split(const array& a, const indices_or_sections& spec, int64_t axis = 0) {
    return detail::split_impl(a, spec, axis, true, "array_split");
}
template <class = void>
std::vector<array> hsplit(const array& a, const indices_or_sections& spec) {
    if (a.ndim() == 0) throw_error<dimension_error>("hsplit: only works on arrays of 1 or more dimensions");
    return detail::split_impl(a, spec, a.ndim() > 1 ? 1 : 0, false, "hsplit");
}
template <class = void>
std::vector<array> vsplit(const array& a, const indices_or_sections& spec) {
    if (a.ndim() < 2) throw_error<dimension_error>("vsplit: only works on arrays of 2 or more dimensions");
    return detail::split_impl(a, spec, 0, false, "vsplit");
}
template <class = void>
std::vector<array> dsplit(const array& a, const indices_or_sections& spec) {
    if (a.ndim() < 3) throw_error<dimension_error>("dsplit: only works on arrays of 3 or more dimensions");
    return detail::split_impl(a, spec, 2, false, "dsplit");
}

namespace detail {
// Number of blocks before `axis` and bytes of one element's block after it, for a C-contiguous array.
inline std::pair<int64_t, int64_t> outer_inner(const shape_t& shape, int axis, int64_t itemsize) {
    int64_t outer = 1, inner = itemsize;
    for (int i = 0; i < axis; ++i) outer *= shape[i];
    for (int i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
    return {outer, inner};
}

// `a` with each slice along `axis` repeated `times` times in a row, or (`whole`) the whole axis
// repeated (tiling), as a new C-contiguous array. On the host, blocks of the contiguous input are
// memcpy'd `times` times each; elsewhere a broadcast length-`times` axis is merged into `axis`. The
// gradient sums over that axis.
inline array repeat_axis(const array& a, int axis, int64_t times, bool whole) {
    shape_t merged = a.shape(), split_shape = a.shape();
    merged[axis] = checked_mul(merged[axis], times);
    int at_axis = whole ? axis : axis + 1;
    split_shape.insert(at_axis, times);
    array out;
    if (!a.get_device().is_host()) {
        shape_t expanded = a.shape();
        expanded.insert(at_axis, 1);
        no_backprop_mode no_record(a.get_device().get_context());
        out = reshape(broadcast_to(reshape(a, expanded), split_shape), merged);
        if (out.data() == a.data()) out = copy_array(out);  // times <= 1 left a view
    } else {
        array in = ascontiguousarray(a);
        out = empty(merged, a.dtype(), a.get_device());
        if (out.size() > 0) {
            auto [outer, inner] = outer_inner(a.shape(), axis, a.itemsize());
            int64_t n = a.shape()[axis];
            int64_t blocks = whole ? outer : outer * n, block = whole ? n * inner : inner;
            const char* src = static_cast<const char*>(in.raw_data());
            char* dst = static_cast<char*>(out.raw_data());
            long_running_scope unlock(out.size());
            with_block_size(block, [&](auto size) {
                parallel_for(blocks, std::max<int64_t>(parallel_threshold * 8 / (block * times), 1),
                             [&](int64_t b, int64_t e) {
                                 for (int64_t k = b; k < e; ++k)
                                     for (int64_t t = 0; t < times; ++t)
                                         std::memcpy(dst + (k * times + t) * size, src + k * size, size);
                             });
            });
        }
    }
    record_op("repeat", {&a}, {&out}, [split_shape, at_axis](const std::vector<array>& gy) {
        return std::vector<array>{sum(reshape(gy[0], split_shape), axes_t{at_axis})};
    });
    return out;
}
}  // namespace detail

// Repeats each element `repeats` times (an int, or one count per element along the axis) along
// `axis` (nullopt: of the flattened array). The result is a new C-contiguous array.
template <class = void>
array repeat(const array& a, const std::vector<int64_t>& repeats, std::optional<int64_t> axis = std::nullopt) {
    array x = axis ? a : ravel(a);
    int ax = normalize_axis(axis.value_or(0), x.ndim(), "repeat");
    int64_t n = x.shape()[ax];
    for (int64_t r : repeats)
        if (r < 0) throw_error<dimension_error>("repeat: repeats may not contain negative values, got ", r);
    if (repeats.size() != 1 && static_cast<int64_t>(repeats.size()) != n)
        throw_error<dimension_error>("repeat: ", repeats.size(), " repeats for an axis of length ", n);
    if (repeats.size() == 1 && x.ndim() < max_ndim) return detail::repeat_axis(x, ax, repeats[0], false);
    std::vector<int64_t> counts(n), bounds{0};
    for (int64_t i = 0; i < n; ++i) {
        counts[i] = repeats.size() == 1 ? repeats[0] : repeats[i];
        bounds.push_back(checked_add(bounds.back(), counts[i]));
    }
    shape_t shape = x.shape();
    shape[ax] = bounds.back();
    array out;
    if (x.get_device().is_host()) {
        // Per-element counts: each element's block of the contiguous input memcpy'd counts[i] times.
        array in = ascontiguousarray(x);
        out = empty(shape, x.dtype(), x.get_device());
        if (out.size() > 0) {
            auto [outer, inner] = detail::outer_inner(x.shape(), ax, x.itemsize());
            const char* src = static_cast<const char*>(in.raw_data());
            char* dst = static_cast<char*>(out.raw_data());
            int64_t total = bounds.back();
            long_running_scope unlock(out.size());
            detail::with_block_size(inner, [&](auto size) {
                parallel_for(outer, std::max<int64_t>(parallel_threshold * 8 / (total * size), 1),
                             [&](int64_t b, int64_t e) {
                                 for (int64_t o = b; o < e; ++o) {
                                     char* d = dst + o * total * size;
                                     for (int64_t i = 0; i < n; ++i)
                                         for (int64_t t = 0; t < counts[i]; ++t, d += size)
                                             std::memcpy(d, src + (o * n + i) * size, size);
                                 }
                             });
            });
        }
    } else {
        // Each element's slice broadcast to its count, then joined.
        no_backprop_mode no_record(x.get_device().get_context());
        std::vector<int64_t> unit(n + 1);
        for (int64_t i = 0; i <= n; ++i) unit[i] = i;
        std::vector<array> parts = detail::split_views(x, ax, unit), pieces;
        for (int64_t i = 0; i < n; ++i) {
            shape_t piece = parts[i].shape();
            piece[ax] = counts[i];
            if (counts[i] > 0) pieces.push_back(broadcast_to(parts[i], piece));
        }
        out =
            pieces.empty() ? empty(shape, x.dtype(), x.get_device()) : detail::contiguous_copy(concatenate(pieces, ax));
    }
    // Each element's gradient is the sum of its copies' gradients.
    record_op("repeat", {&x}, {&out}, [ax, bounds](const std::vector<array>& gy) {
        std::vector<array> sums = detail::map_arrays(detail::split_views(gy[0], ax, bounds),
                                                     [ax](const array& part) { return sum(part, axes_t{ax}, true); });
        return std::vector<array>{concatenate(sums, ax)};
    });
    return out;
}
template <class = void>
array repeat(const array& a, int64_t repeats, std::optional<int64_t> axis = std::nullopt) {
    return repeat(a, std::vector<int64_t>{repeats}, axis);
}

// Constructs an array by repeating `a` the number of times given by `reps` along each axis
// (NumPy's tile: shorter reps are padded with leading ones, a shorter `a` with leading axes).
template <class = void>
array tile(const array& a, const std::vector<int64_t>& reps) {
    for (int64_t r : reps)
        if (r < 0) throw_error<dimension_error>("tile: negative repetitions are not allowed, got ", r);
    int ndim = std::max<int>(a.ndim(), static_cast<int>(reps.size()));
    if (ndim > max_ndim) throw_error<dimension_error>("tile: too many dimensions: ", ndim, " > ", max_ndim);
    shape_t shape(ndim - a.ndim(), 1);
    for (int64_t d : a.shape()) shape.push_back(d);
    // The result's size is checked before anything is repeated (an axis at a time could not see it).
    shape_t result = shape;
    for (int i = ndim - static_cast<int>(reps.size()); i < ndim; ++i)
        result[i] = checked_mul(result[i], reps[i - (ndim - reps.size())]);
    result.checked_product(a.itemsize());
    if (result.product() == 0) {
        // Nothing to repeat, however large the other counts: an axis at a time would allocate.
        array out = empty(result, a.dtype(), a.get_device());
        record_op("tile", {&a}, {&out}, [shape = a.shape()](const std::vector<array>& gy) {
            return std::vector<array>{zeros(shape, gy[0].dtype(), gy[0].get_device())};
        });
        return out;
    }
    array x = reshape(a, shape);
    bool all_ones = true;
    for (int64_t r : reps) all_ones = all_ones && r == 1;
    if (all_ones) return copy(x);  // NumPy: a copy in a's layout
    for (int i = 0; i < ndim; ++i) {
        int64_t r = i < ndim - static_cast<int>(reps.size()) ? 1 : reps[i - (ndim - reps.size())];
        if (r == 1) continue;
        if (ndim < max_ndim) {
            x = detail::repeat_axis(x, i, r, true);
        } else {
            x = concatenate(std::vector<array>(r, x), i);
        }
    }
    return x.is_contiguous() ? x : detail::contiguous_copy(x);
}

// Rolls elements along the given axes by `shift` (one shift for all axes, or one per axis);
// without axes the flattened array is rolled and reshaped back. Always a new array laid out as a
// (NumPy's empty_like), filled by one block copy per combination of the rolled axes' two halves.
template <class = void>
array roll(const array& a, const std::vector<int64_t>& shift, const std::optional<axes_t>& axes = std::nullopt) {
    if (!axes) {
        if (shift.size() != 1) throw_error<dimension_error>("roll: ", shift.size(), " shifts for a flattened array");
        return reshape(roll(ravel(a), shift, axes_t{0}), a.shape());
    }
    if (shift.size() != 1 && static_cast<int>(shift.size()) != axes->size())
        throw_error<dimension_error>("roll: shift and axis must have the same length, got ", shift.size(), " and ",
                                     axes->size());
    int64_t total[max_ndim] = {};
    for (int i = 0; i < axes->size(); ++i)
        total[normalize_axis((*axes)[i], a.ndim(), "roll")] += shift.size() == 1 ? shift[0] : shift[i];
    axes_t rolled;
    std::vector<int64_t> amounts;
    for (int i = 0; i < a.ndim(); ++i) {
        int64_t n = a.shape()[i];
        int64_t s = n > 0 ? ((total[i] % n) + n) % n : 0;
        if (s == 0) continue;
        rolled.push_back(i);
        amounts.push_back(s);
    }
    array out = empty_strided(a.shape(), like_strides(a.shape(), a.strides(), a.itemsize(), a.itemsize()), a.dtype(),
                              a.get_device());
    if (a.size() > 0) {
        auto slice = [](const array& x, int axis, int64_t start, int64_t count) {
            shape_t shape = x.shape();
            shape[axis] = count;
            return x.make_view(shape, x.strides(), x.offset() + start * x.strides()[axis]);
        };
        for (int mask = 0; mask < (1 << rolled.size()); ++mask) {
            array src = a, dst = out;
            for (int j = 0; j < rolled.size(); ++j) {
                int axis = rolled[j];
                int64_t n = a.shape()[axis], s = amounts[j];
                // Elements [0, n - s) move to [s, n); elements [n - s, n) wrap around to [0, s).
                bool head = mask & (1 << j);
                src = head ? slice(src, axis, 0, n - s) : slice(src, axis, n - s, s);
                dst = head ? slice(dst, axis, s, n - s) : slice(dst, axis, 0, s);
            }
            detail::copy_rows(dst, src);
        }
    }
    std::vector<int64_t> back;
    for (int64_t s : amounts) back.push_back(-s);
    record_op("roll", {&a}, {&out},
              [back, rolled](const std::vector<array>& gy) { return std::vector<array>{roll(gy[0], back, rolled)}; });
    return out;
}

}  // namespace chainerx
