#pragma once

// Gathers and scatters by index arrays: take, NumPy's advanced indexing (integer and boolean index
// arrays mixed with basic indices) for reading and writing, the scatter-add that is their gradient,
// and nonzero.
//
// All of them rest on one primitive: an "advanced plan" over an array x. Some axes of x (the
// advanced axes) are indexed by coordinate arrays broadcast to one shape B; the result has x's other
// axes (the rest axes) in order, with B's axes inserted at block_pos. Gathering along a plan copies
// elements out; its gradient adds them back into zeros of x's shape along the same plan, whose own
// gradient is the gather again, so double backprop works. take() is the plan with one advanced axis.
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/device/parallel.hpp"
#include "chainerx/routines/indexing.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"

namespace chainerx {

// What take() does with an index outside [-n, n): 'raise' (IndexError), 'wrap' (modulo n) or
// 'clip' (to [0, n-1]; negative indices clip to 0, as in NumPy).
enum class index_mode { raise, wrap, clip };

// ChainerX's default when no mode is given: raise on the native device, wrap on CUDA (where a
// kernel cannot raise).
inline index_mode default_index_mode(const device& dev) { return dev.is_host() ? index_mode::raise : index_mode::wrap; }

namespace detail {

struct advanced_plan {
    shape_t in_shape;             // shape of the indexed array
    axes_t adv_axes;              // its axes indexed by coordinate arrays (distinct)
    int block_pos = 0;            // number of rest axes before the index block in the result
    shape_t index_shape;          // B: the broadcast shape of the coordinate arrays
    std::vector<int64_t> coords;  // adv_axes.size() rows of B.product() in-range coordinates

    bool is_advanced(int axis) const {
        for (int64_t a : adv_axes)
            if (a == axis) return true;
        return false;
    }
    shape_t out_shape() const {
        shape_t out;
        int rest = 0;
        for (int i = 0; i < in_shape.size(); ++i) {
            if (is_advanced(i)) continue;
            if (rest++ == block_pos)
                for (int64_t d : index_shape) out.push_back(d);
            out.push_back(in_shape[i]);
        }
        if (rest <= block_pos)
            for (int64_t d : index_shape) out.push_back(d);
        return out;
    }
};
using plan_ptr = std::shared_ptr<const advanced_plan>;

enum class plan_access { gather, put, add };

inline void check_host_device(const array& a, const char* op) {
    if (!a.get_device().is_host())
        throw_error<not_implemented_error>(op, ": only host devices (native, ...) are supported, got ",
                                           a.get_device().name());
}

// Calls f.template operator()<N>() with N the element size, so that copies are fixed-size moves.
template <class F>
void dispatch_itemsize(int64_t itemsize, F&& f) {
    switch (itemsize) {
        case 1:
            return f.template operator()<1>();
        case 2:
            return f.template operator()<2>();
        case 4:
            return f.template operator()<4>();
        default:
            return f.template operator()<8>();
    }
}

// Moves elements between x (any strides, the plan's in_shape) and y (a C-contiguous buffer of the
// plan's out_shape, same dtype): gather y <- x, put x <- y (the last of duplicate indices wins, as in
// NumPy), add x += y (duplicates accumulate).
template <plan_access Access>
void run_plan(const array& x, const advanced_plan& p, char* y) {
    shape_t pre_shape, post_shape;
    strides_t pre_strides, post_strides;
    int rest = 0;
    for (int i = 0; i < x.ndim(); ++i) {
        if (p.is_advanced(i)) continue;
        bool pre = rest++ < p.block_pos;
        (pre ? pre_shape : post_shape).push_back(x.shape()[i]);
        (pre ? pre_strides : post_strides).push_back(x.strides()[i]);
    }
    const int64_t nb = p.index_shape.product(), n_pre = pre_shape.product(), n_post = post_shape.product();
    if (nb == 0 || n_pre == 0 || n_post == 0) return;
    const int64_t itemsize = x.itemsize(), block = n_post * itemsize;
    // Byte offset of each index tuple in x.
    std::vector<int64_t> offsets(nb, 0);
    for (int k = 0; k < p.adv_axes.size(); ++k) {
        const int64_t stride = x.strides()[p.adv_axes[k]];
        const int64_t* c = p.coords.data() + k * nb;
        for (int64_t b = 0; b < nb; ++b) offsets[b] += c[b] * stride;
    }
    bool post_contiguous = true;
    for (int64_t i = post_shape.size() - 1, expected = itemsize; i >= 0; --i) {
        if (post_shape[i] != 1 && post_strides[i] != expected) post_contiguous = false;
        expected *= post_shape[i];
    }
    char* const base = static_cast<char*>(x.raw_data());
    auto pre_offset = [&](int64_t i) {
        int64_t off = 0;
        for (int d = pre_shape.size() - 1; d >= 0; --d) {
            off += (i % pre_shape[d]) * pre_strides[d];
            i /= pre_shape[d];
        }
        return off;
    };
    auto run = [&](auto&& element) {
        // One (pre index, index tuple) pair: the post block at xp in x and at yp in y.
        auto pair = [&](char* xp, char* yp) {
            if (post_contiguous) {
                if (n_post == 1) {
                    element(xp, yp);
                } else if constexpr (Access == plan_access::gather) {
                    std::memcpy(yp, xp, block);
                } else if constexpr (Access == plan_access::put) {
                    std::memcpy(xp, yp, block);
                } else {
                    for (int64_t e = 0; e < n_post; ++e) element(xp + e * itemsize, yp + e * itemsize);
                }
                return;
            }
            int64_t idx[max_ndim] = {};
            for (int64_t e = 0; e < n_post; ++e) {
                element(xp, yp + e * itemsize);
                for (int d = post_shape.size() - 1; d >= 0; --d) {
                    xp += post_strides[d];
                    if (++idx[d] < post_shape[d]) break;
                    xp -= post_strides[d] * post_shape[d];
                    idx[d] = 0;
                }
            }
        };
        long_running_scope scope(n_pre * nb * n_post);
        const int64_t threshold = std::max<int64_t>(parallel_threshold / std::max<int64_t>(n_post, 1), 1);
        const int64_t* off = offsets.data();
        if constexpr (Access == plan_access::gather) {
            if (n_post == 1) {
                // Single elements (take along the last axis): a tight loop over the indices of each
                // pre index, without the per-pair dispatch.
                parallel_for(n_pre, std::max<int64_t>(threshold / nb, 1), [&](int64_t begin, int64_t end) {
                    for (int64_t i = begin; i < end; ++i) {
                        char* xp = base + pre_offset(i);
                        char* yp = y + i * nb * itemsize;
                        for (int64_t b = 0; b < nb; ++b) element(xp + off[b], yp + b * itemsize);
                    }
                });
                return;
            }
            // Every pair writes its own block of y.
            parallel_for(n_pre * nb, threshold, [&](int64_t begin, int64_t end) {
                int64_t i_pre = begin / nb, b = begin % nb;
                char* xp = base + pre_offset(i_pre);
                for (int64_t i = begin; i < end; ++i) {
                    pair(xp + off[b], y + i * block);
                    if (++b == nb && i + 1 < end) {
                        b = 0;
                        xp = base + pre_offset(++i_pre);
                    }
                }
            });
        } else {
            // Pairs with the same pre index may hit the same elements of x: keep them in order on one thread.
            parallel_for(n_pre, std::max<int64_t>(threshold / nb, 1), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    char* xp = base + pre_offset(i);
                    for (int64_t b = 0; b < nb; ++b) pair(xp + off[b], y + (i * nb + b) * block);
                }
            });
        }
    };
    if constexpr (Access == plan_access::add) {
        dispatch_dtype(x.dtype(), [&]<class T>() {
            run([](char* xp, char* yp) {
                T a, b;
                std::memcpy(&a, xp, sizeof(T));
                std::memcpy(&b, yp, sizeof(T));
                a = ops::add{}(a, b);
                std::memcpy(xp, &a, sizeof(T));
            });
        });
    } else {
        dispatch_itemsize(itemsize, [&]<int N>() {
            run([](char* xp, char* yp) {
                if constexpr (Access == plan_access::gather)
                    std::memcpy(yp, xp, N);
                else
                    std::memcpy(xp, yp, N);
            });
        });
    }
}

// Reads an integer index array, broadcast to `shape`, into out[0 .. shape.product()), normalized to
// [0, extent) by `mode`. Throws before anything is written elsewhere.
inline void read_indices(const array& indices, const shape_t& shape, int64_t extent, index_mode mode, int axis,
                         const char* op, int64_t* out) {
    const int64_t n = shape.product();
    if (n == 0) return;
    if (extent == 0) throw_error<index_error>(op, ": cannot do a non-empty take from an empty axis (axis ", axis, ")");
    array src = indices;
    if (!(indices.dtype() == dtype::int64 && indices.shape() == shape && indices.is_contiguous())) {
        src = empty(shape, dtype::int64, indices.get_device());
        copy_into(src, indices);
    }
    check_host_device(src, op);
    const int64_t* in = static_cast<const int64_t*>(src.raw_data());
    for (int64_t i = 0; i < n; ++i) {
        int64_t v = in[i];
        if (v < 0 || v >= extent) {
            switch (mode) {
                case index_mode::raise:
                    if (v < -extent || v >= extent)
                        throw_error<index_error>(op, ": index ", v, " is out of bounds for axis ", axis, " with size ",
                                                 extent);
                    v += extent;
                    break;
                case index_mode::wrap:
                    v %= extent;
                    if (v < 0) v += extent;
                    break;
                case index_mode::clip:
                    v = v < 0 ? 0 : extent - 1;
                    break;
            }
        }
        out[i] = v;
    }
}

inline void check_index_dtype(const array& indices, const char* op) {
    dtype_kind k = kind_of(indices.dtype());
    if (k != dtype_kind::int_ && k != dtype_kind::uint_)
        throw_error<dtype_error>(op, ": indices must be of an integer dtype, got ", indices.dtype());
}

}  // namespace detail

template <class = void>
array scatter_add_planned(const array& src, const detail::plan_ptr& plan);

// Gathers x along the plan (a C-contiguous result). Differentiable.
template <class = void>
array gather_planned(const array& x, const detail::plan_ptr& plan) {
    detail::check_host_device(x, "take");
    array y = empty(plan->out_shape(), x.dtype(), x.get_device());
    detail::run_plan<detail::plan_access::gather>(x, *plan, static_cast<char*>(y.raw_data()));
    if (x.body()->graph)
        record_op("take", {&x}, {&y}, [plan](const std::vector<array>& gy) {
            return std::vector<array>{scatter_add_planned(gy[0], plan)};
        });
    return y;
}

// Adds src (of the plan's out_shape) into zeros of the plan's in_shape, duplicates accumulating
// (NumPy's add.at). Differentiable: its gradient is gather_planned.
template <class>
array scatter_add_planned(const array& src, const detail::plan_ptr& plan) {
    detail::check_host_device(src, "scatter_add");
    if (!(src.shape() == plan->out_shape()))
        throw_error<dimension_error>("scatter_add: source of shape ", src.shape(), " for an index result of shape ",
                                     plan->out_shape());
    array y = ascontiguousarray(src);
    array x = zeros(plan->in_shape, src.dtype(), src.get_device());
    detail::run_plan<detail::plan_access::add>(x, *plan, static_cast<char*>(y.raw_data()));
    if (src.body()->graph)
        record_op("scatter_add", {&src}, {&x},
                  [plan](const std::vector<array>& g) { return std::vector<array>{gather_planned(g[0], plan)}; });
    return x;
}

// take(a, indices, axis, mode) as NumPy's: without an axis, a is flattened. mode: see index_mode;
// none means default_index_mode(). Indices must be of an integer dtype (DtypeError otherwise).
template <class = void>
array take(const array& a, const array& indices, std::optional<int64_t> axis = std::nullopt,
           std::optional<index_mode> mode = std::nullopt) {
    detail::check_index_dtype(indices, "take");
    detail::check_host_device(a, "take");
    array src = axis ? a : ravel(a);
    int ax = axis ? normalize_axis(*axis, a.ndim(), "take") : 0;
    auto plan = std::make_shared<detail::advanced_plan>();
    plan->in_shape = src.shape();
    plan->adv_axes = {ax};
    plan->block_pos = ax;
    plan->index_shape = indices.shape();
    plan->coords.resize(indices.size());
    detail::read_indices(indices, indices.shape(), src.shape()[ax], mode.value_or(default_index_mode(a.get_device())),
                         ax, "take", plan->coords.data());
    return gather_planned(src, detail::plan_ptr(std::move(plan)));
}

// Indices of the nonzero elements: one int64 array per axis (NumPy's nonzero). Like NumPy 2, a 0-d
// array is refused.
template <class = void>
std::vector<array> nonzero(const array& a) {
    detail::check_host_device(a, "nonzero");
    if (a.ndim() == 0)
        throw_error<dimension_error>(
            "nonzero: calling nonzero on 0-d arrays is not allowed; use "
            "nonzero(atleast_1d(a)) instead");
    array src = ascontiguousarray(a);
    const int64_t n = src.size();
    const int ndim = a.ndim();
    std::vector<array> out;
    dispatch_dtype(src.dtype(), [&]<class T>() {
        const T* p = static_cast<const T*>(src.raw_data());
        int64_t count = 0;
        for (int64_t i = 0; i < n; ++i) count += value_cast<bool>(p[i]);
        int64_t* rows[max_ndim];
        for (int d = 0; d < ndim; ++d) {
            out.push_back(empty({count}, dtype::int64, a.get_device()));
            rows[d] = static_cast<int64_t*>(out.back().raw_data());
        }
        if (ndim == 1) {
            for (int64_t i = 0, j = 0; i < n; ++i)
                if (value_cast<bool>(p[i])) rows[0][j++] = i;
            return;
        }
        int64_t idx[max_ndim] = {};
        for (int64_t i = 0, j = 0; i < n; ++i) {
            if (value_cast<bool>(p[i])) {
                for (int d = 0; d < ndim; ++d) rows[d][j] = idx[d];
                ++j;
            }
            for (int d = ndim - 1; d >= 0; --d) {
                if (++idx[d] < a.shape()[d]) break;
                idx[d] = 0;
            }
        }
    });
    return out;
}

template <class = void>
array flatnonzero(const array& a) {
    return nonzero(reshape(a, {a.size()}))[0];
}

// ---- advanced indexing ---------------------------------------------------------------------------

// One item of an indexing key: a basic index_item, or an index array (integer or boolean) when
// `indices` is defined.
struct key_item {
    index_item item;
    array indices;

    key_item(const index_item& i) : item(i) {}
    key_item(const array& a) : indices(a) {}
};

inline bool is_basic_key(std::span<const key_item> key) {
    for (const key_item& k : key)
        if (k.indices.defined()) return false;
    return true;
}

namespace detail {

// The basic view of a key (index arrays replaced by full slices) and the plan for its index arrays.
struct resolved_key {
    array view;
    plan_ptr plan;
};

inline resolved_key resolve_key(const array& a, std::span<const key_item> key, const char* op) {
    // Integer scalars count as 0-d index arrays once any index array is present (NumPy's rule); a 0-d
    // boolean adds an axis of length 1 that an index array of length 1 (true) or 0 (false) indexes.
    struct pending {
        int basic_pos;
        array indices;       // integer array, or a boolean mask over `axes` axes
        int64_t scalar = 0;  // for integer scalars (indices undefined)
        int axes = 1;
        bool zero_d_bool = false;
    };
    std::vector<index_item> basic;
    std::vector<pending> adv;
    for (const key_item& k : key) {
        const array& ind = k.indices;
        if (!ind.defined()) {
            if (k.item.type == index_item::kind::integer) {
                adv.push_back({static_cast<int>(basic.size()), array(), k.item.index});
                basic.push_back(index_item::slice(std::nullopt, std::nullopt, std::nullopt));
            } else {
                basic.push_back(k.item);
            }
        } else if (ind.dtype() == dtype::bool_) {
            adv.push_back({static_cast<int>(basic.size()), ind, 0, ind.ndim(), ind.ndim() == 0});
            if (ind.ndim() == 0) basic.push_back(index_item::new_axis());
            for (int d = 0; d < ind.ndim(); ++d)
                basic.push_back(index_item::slice(std::nullopt, std::nullopt, std::nullopt));
        } else {
            dtype_kind kind = kind_of(ind.dtype());
            if (kind != dtype_kind::int_ && kind != dtype_kind::uint_)
                throw_error<index_error>(op, ": arrays used as indices must be of integer (or boolean) type, got ",
                                         ind.dtype());
            check_host_device(ind, op);
            adv.push_back({static_cast<int>(basic.size()), ind});
            basic.push_back(index_item::slice(std::nullopt, std::nullopt, std::nullopt));
        }
    }
    array view = at(a, basic);
    // The view's axis of each basic item.
    int consumed = 0;
    for (const index_item& item : basic)
        if (item.type != index_item::kind::new_axis && item.type != index_item::kind::ellipsis) ++consumed;
    std::vector<int> axis_of(basic.size());
    for (int i = 0, axis = 0; i < static_cast<int>(basic.size()); ++i) {
        axis_of[i] = axis;
        axis += basic[i].type == index_item::kind::ellipsis ? a.ndim() - consumed : 1;
    }
    // One coordinate source per advanced axis: an integer array, a scalar, or a row of a mask's nonzero().
    struct source {
        int axis;
        array indices;  // undefined: a scalar
        int64_t scalar;
    };
    std::vector<source> sources;
    shape_t index_shape;
    bool first = true;
    auto broadcast_in = [&](const shape_t& s) {
        if (first) {
            index_shape = s;
            first = false;
            return;
        }
        try {
            index_shape = broadcast_shapes(index_shape, s, op);
        } catch (const dimension_error&) {
            throw_error<index_error>(op,
                                     ": shape mismatch: indexing arrays could not be broadcast together with shapes ",
                                     index_shape, " ", s);
        }
    };
    for (const pending& p : adv) {
        int axis = axis_of[p.basic_pos];
        if (!p.indices.defined()) {
            sources.push_back({axis, array(), p.scalar});
            broadcast_in({});
        } else if (p.zero_d_bool) {
            array row = nonzero(reshape(p.indices, {1}))[0];  // [0] or []
            sources.push_back({axis, row, 0});
            broadcast_in(row.shape());
        } else if (p.indices.dtype() == dtype::bool_) {
            for (int d = 0; d < p.axes; ++d) {
                int64_t extent = view.shape()[axis + d], mask_extent = p.indices.shape()[d];
                if (extent != mask_extent)
                    throw_error<index_error>(op, ": boolean index did not match indexed array along axis ", axis + d,
                                             "; size of axis is ", extent,
                                             " but size of corresponding boolean axis is ", mask_extent);
            }
            std::vector<array> rows = nonzero(p.indices);
            for (int d = 0; d < p.axes; ++d) sources.push_back({axis + d, rows[d], 0});
            broadcast_in(rows[0].shape());
        } else {
            sources.push_back({axis, p.indices, 0});
            broadcast_in(p.indices.shape());
        }
    }
    auto plan = std::make_shared<advanced_plan>();
    plan->in_shape = view.shape();
    plan->index_shape = index_shape;
    const int64_t nb = index_shape.product();
    plan->coords.resize(sources.size() * nb);
    bool adjacent = true;
    for (size_t k = 0; k < sources.size(); ++k) {
        const source& s = sources[k];
        plan->adv_axes.push_back(s.axis);
        if (k > 0 && s.axis != sources[k - 1].axis + 1) adjacent = false;
        int64_t* row = plan->coords.data() + k * nb;
        const int64_t extent = view.shape()[s.axis];
        if (s.indices.defined()) {
            read_indices(s.indices, index_shape, extent, index_mode::raise, s.axis, op, row);
        } else {
            if (s.scalar < -extent || s.scalar >= extent)
                throw_error<index_error>(op, ": index ", s.scalar, " is out of bounds for axis ", s.axis, " with size ",
                                         extent);
            std::fill_n(row, nb, s.scalar < 0 ? s.scalar + extent : s.scalar);
        }
    }
    // Adjacent advanced axes keep their place; separated ones go first (NumPy's rule).
    plan->block_pos = adjacent ? static_cast<int>(sources.front().axis) : 0;
    return {view, plan_ptr(std::move(plan))};
}

// Runs basic-only keys through at() without building a vector on the heap.
template <class F>
decltype(auto) with_basic_items(std::span<const key_item> key, F&& f) {
    constexpr size_t local = 16;
    if (key.size() <= local) {
        index_item items[local];
        for (size_t i = 0; i < key.size(); ++i) items[i] = key[i].item;
        return f(std::span<const index_item>(items, key.size()));
    }
    std::vector<index_item> items;
    for (const key_item& k : key) items.push_back(k.item);
    return f(std::span<const index_item>(items));
}

}  // namespace detail

// a[key] with NumPy's semantics: a view for basic keys, a copy gathered along the index arrays
// otherwise. Differentiable (the gradient of the gather is a scatter-add: duplicates accumulate).
template <class = void>
array getitem(const array& a, std::span<const key_item> key) {
    if (is_basic_key(key))
        return detail::with_basic_items(key, [&](std::span<const index_item> items) { return at(a, items); });
    detail::check_host_device(a, "getitem");
    detail::resolved_key r = detail::resolve_key(a, key, "getitem");
    return gather_planned(r.view, r.plan);
}

// a[key] = value: value is cast to a's dtype and broadcast to the shape of a[key]; for duplicate
// indices the last write wins (as in NumPy). Refused for arrays that are part of a graph.
template <class = void>
void setitem(const array& a, std::span<const key_item> key, const array& value) {
    check_inplace("setitem", &a);
    if (is_basic_key(key)) {
        detail::with_basic_items(key, [&](std::span<const index_item> items) { copy_into(at(a, items), value); });
        return;
    }
    detail::check_host_device(a, "setitem");
    detail::resolved_key r = detail::resolve_key(a, key, "setitem");
    check_writable(r.view, "setitem");
    // A contiguous buffer of the values in a's dtype (also a snapshot when value aliases a).
    array values = empty(r.plan->out_shape(), a.dtype(), a.get_device());
    copy_into(values, value);
    detail::run_plan<detail::plan_access::put>(r.view, *r.plan, static_cast<char*>(values.raw_data()));
}

}  // namespace chainerx
