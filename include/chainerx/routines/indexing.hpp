#pragma once

// Basic indexing: integers, slices (any step), new axes and an ellipsis; the result is a view.
#include <optional>
#include <span>

#include <vector>
#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/creation_basic.hpp"

namespace chainerx {

struct index_item {
    enum class kind { integer, slice, new_axis, ellipsis };
    kind type = kind::integer;
    int64_t index = 0;                         // for integer
    std::optional<int64_t> start, stop, step;  // for slice

    static index_item integer(int64_t i) { return {kind::integer, i, {}, {}, {}}; }
    static index_item slice(std::optional<int64_t> start, std::optional<int64_t> stop, std::optional<int64_t> step) {
        return {kind::slice, 0, start, stop, step};
    }
    static index_item new_axis() { return {kind::new_axis, 0, {}, {}, {}}; }
    static index_item ellipsis() { return {kind::ellipsis, 0, {}, {}, {}}; }
};

namespace detail {
// Python's slice.indices(): normalized start and element count along an axis of `extent`.
inline void slice_bounds(const index_item& s, int64_t extent, int64_t& start, int64_t& step, int64_t& count) {
    step = s.step.value_or(1);
    if (step == 0) throw std::invalid_argument("slice step cannot be zero");
    auto clamp = [&](std::optional<int64_t> v, int64_t when_missing) {
        if (!v) return when_missing;
        int64_t x = *v < 0 ? *v + extent : *v;
        if (x < 0) return step < 0 ? int64_t{-1} : int64_t{0};
        if (x >= extent) return step < 0 ? extent - 1 : extent;
        return x;
    };
    start = clamp(s.start, step < 0 ? extent - 1 : 0);
    int64_t stop = clamp(s.stop, step < 0 ? -1 : extent);
    // Written so that no step, down to INT64_MIN, overflows: the distance is below extent + 1.
    if (step > 0) {
        count = stop > start ? (stop - start - 1) / step + 1 : 0;
    } else {
        count = start > stop ? static_cast<int64_t>(static_cast<uint64_t>(start - stop - 1) /
                                                    (uint64_t{0} - static_cast<uint64_t>(step))) +
                                   1
                             : 0;
    }
}
}  // namespace detail

inline array at(const array& a, std::span<const index_item> indices);

// The gradient of at(): gy written into zeros of the indexed array's shape. It is differentiable
// too (its own gradient indexes the incoming gradient), so double backprop works through indexing.
inline array scatter_basic(const array& gy, const shape_t& shape, dtype type, const std::vector<index_item>& items) {
    array out = zeros(shape, type, gy.get_device());
    copy_into(at(out, items), gy);
    record_op("scatter", {&gy}, {&out},
              [items](const std::vector<array>& g) { return std::vector<array>{at(g[0], items)}; });
    return out;
}

inline array at(const array& a, std::span<const index_item> indices) {
    int consumed = 0;  // axes of `a` the indices refer to
    bool has_ellipsis = false;
    for (const index_item& item : indices) {
        if (item.type == index_item::kind::ellipsis) {
            if (has_ellipsis) throw_error<index_error>("an index can only have a single ellipsis ('...')");
            has_ellipsis = true;
        } else if (item.type != index_item::kind::new_axis) {
            ++consumed;
        }
    }
    if (consumed > a.ndim())
        throw_error<index_error>("too many indices for array: array is ", a.ndim(), "-dimensional, but ", consumed,
                                 " were indexed");
    shape_t shape;
    strides_t strides;
    int64_t offset = a.offset();
    int axis = 0;
    for (const index_item& item : indices) {
        switch (item.type) {
            case index_item::kind::integer: {
                int64_t extent = a.shape()[axis];
                int64_t i = item.index < 0 ? item.index + extent : item.index;
                if (i < 0 || i >= extent)
                    throw_error<index_error>("index ", item.index, " is out of bounds for axis ", axis, " with size ",
                                             extent);
                offset += i * a.strides()[axis];
                ++axis;
                break;
            }
            case index_item::kind::slice: {
                int64_t start, step, count;
                detail::slice_bounds(item, a.shape()[axis], start, step, count);
                if (count > 0) offset += start * a.strides()[axis];
                shape.push_back(count);
                // stride * step as NumPy has it; it can only overflow with one element or none,
                // where the step is never taken.
                int64_t stride;
                if (__builtin_mul_overflow(a.strides()[axis], step, &stride)) stride = a.strides()[axis];
                strides.push_back(stride);
                ++axis;
                break;
            }
            case index_item::kind::new_axis:
                shape.push_back(1);
                strides.push_back(0);
                break;
            case index_item::kind::ellipsis:
                for (int n = a.ndim() - consumed; n > 0; --n, ++axis) {
                    shape.push_back(a.shape()[axis]);
                    strides.push_back(a.strides()[axis]);
                }
                break;
        }
    }
    for (; axis < a.ndim(); ++axis) {
        shape.push_back(a.shape()[axis]);
        strides.push_back(a.strides()[axis]);
    }
    array out = a.make_view(shape, strides, offset);
    if (a.body()->graph) {
        std::vector<index_item> items(indices.begin(), indices.end());
        shape_t in_shape = a.shape();
        chainerx::dtype in_type = a.dtype();
        record_op("getitem", {&a}, {&out}, [items, in_shape, in_type](const std::vector<array>& gy) {
            return std::vector<array>{scatter_basic(gy[0], in_shape, in_type, items)};
        });
    }
    return out;
}

}  // namespace chainerx
