#pragma once

// Sorting and searching: sort, argsort, searchsorted, unique. Values order as NumPy orders them:
// NaNs last. Lanes (1-D slices along the sorted axis) are sorted with std::sort/std::stable_sort,
// in parallel across lanes.
#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chainerx/routines/gather.hpp"
#include "chainerx/routines/rearranging.hpp"

namespace chainerx {
namespace detail {

// NumPy's sort order: NaNs after everything else.
struct sort_less {
    template <class T>
    bool operator()(T a, T b) const {
        if constexpr (is_float_v<T>) {
            using C = ops::compute_t<T>;
            C x = static_cast<C>(a), y = static_cast<C>(b);
            return x < y || (y != y && x == x);
        } else {
            return a < b;
        }
    }
};
struct sort_equal {
    template <class T>
    bool operator()(T a, T b) const {
        return !sort_less{}(a, b) && !sort_less{}(b, a);
    }
};

// A buffer element type for T (std::vector<bool> packs bits).
template <class T>
using storage_t = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;

// LSD radix sort (stable) over keys that order as the values do: integers with the sign bit flipped,
// floats by sign-magnitude flip, NaNs mapped to the largest key so they come last. Used for long
// lanes, where it beats comparison sorts several times.
template <class T>
struct radix_traits {
    using U = std::conditional_t<
        sizeof(T) == 1, uint8_t,
        std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
    static constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
    // merge_zeros: -0.0 gets +0.0's key (argsort must keep equal values in order); sorted values
    // are rebuilt from their keys, so there -0.0 keeps its own (sorting before +0.0).
    static U to_key(T v, bool merge_zeros = false) {
        U bits;
        std::memcpy(&bits, &v, sizeof(T));
        if constexpr (is_float_v<T>) {
            if (ops::is_nan(v)) return static_cast<U>(~U(0));
            if (merge_zeros && bits == sign) return sign;
            return (bits & sign) ? static_cast<U>(~bits) : static_cast<U>(bits | sign);
        } else if constexpr (std::is_signed_v<T>) {
            return static_cast<U>(bits ^ sign);
        } else {
            return bits;
        }
    }
    static T from_key(U k) {
        U bits;
        if constexpr (is_float_v<T>)
            bits = (k & sign) ? static_cast<U>(k ^ sign) : static_cast<U>(~k);
        else if constexpr (std::is_signed_v<T>)
            bits = static_cast<U>(k ^ sign);
        else
            bits = k;
        T v;
        std::memcpy(&v, &bits, sizeof(T));
        return v;
    }
};

// Radix sorts keys[0..n) (scratch: n more), carrying idx along when given (idx_scratch: n more).
// Returns where the sorted keys ended up (keys or scratch; the indices are in the matching buffer).
template <class U>
U* radix_sort_keys(U* keys, U* scratch, int64_t n, int64_t*& idx, int64_t* idx_scratch) {
    constexpr int passes = sizeof(U);
    int64_t hist[passes][256] = {};
    for (int64_t i = 0; i < n; ++i)
        for (int p = 0; p < passes; ++p) ++hist[p][(keys[i] >> (8 * p)) & 0xff];
    U* src = keys;
    U* dst = scratch;
    for (int p = 0; p < passes; ++p) {
        // A byte that all keys share does not reorder anything.
        if (hist[p][(src[0] >> (8 * p)) & 0xff] == n) continue;
        int64_t pos[256];
        for (int64_t b = 0, sum = 0; b < 256; ++b) {
            pos[b] = sum;
            sum += hist[p][b];
        }
        if (idx) {
            for (int64_t i = 0; i < n; ++i) {
                int64_t j = pos[(src[i] >> (8 * p)) & 0xff]++;
                dst[j] = src[i];
                idx_scratch[j] = idx[i];
            }
            std::swap(idx, idx_scratch);
        } else {
            for (int64_t i = 0; i < n; ++i) dst[pos[(src[i] >> (8 * p)) & 0xff]++] = src[i];
        }
        std::swap(src, dst);
    }
    return src;
}

template <class T>
void radix_sort(T* data, int64_t n, std::vector<typename radix_traits<T>::U>& keys,
                std::vector<typename radix_traits<T>::U>& scratch) {
    using R = radix_traits<T>;
    keys.resize(n);
    scratch.resize(n);
    for (int64_t i = 0; i < n; ++i) keys[i] = R::to_key(data[i]);
    int64_t* no_idx = nullptr;
    auto* sorted = radix_sort_keys(keys.data(), scratch.data(), n, no_idx, nullptr);
    for (int64_t i = 0; i < n; ++i) data[i] = R::from_key(sorted[i]);
}

// Lanes at least this long are radix sorted.
inline constexpr int64_t radix_sort_min = 256;

// Calls f(lane, stride, n) for every lane of `a` along `axis` (lane: address of its first element,
// stride in bytes), in parallel across lanes.
template <class F>
void for_each_lane(const array& a, int axis, F&& f) {
    shape_t shape;
    strides_t strides;
    for (int i = 0; i < a.ndim(); ++i) {
        if (i == axis) continue;
        shape.push_back(a.shape()[i]);
        strides.push_back(a.strides()[i]);
    }
    const int64_t lanes = shape.product(), n = a.shape()[axis], stride = a.strides()[axis];
    if (lanes == 0 || n == 0) return;
    char* base = static_cast<char*>(a.raw_data());
    long_running_scope scope(lanes * n * 8);
    // Sorting costs about log2(n) passes over a lane.
    parallel_for(lanes, std::max<int64_t>(parallel_threshold / (n * 8), 1), [&](int64_t begin, int64_t end) {
        for (int64_t l = begin; l < end; ++l) {
            int64_t off = 0;
            for (int64_t d = shape.size() - 1, i = l; d >= 0; --d) {
                off += (i % shape[d]) * strides[d];
                i /= shape[d];
            }
            f(base + off, stride, n);
        }
    });
}

inline bool stable_requested(const std::optional<std::string>& kind, std::optional<bool> stable, const char* op) {
    if (kind && stable)
        throw std::invalid_argument(std::string(op) +
                                    ": `kind` and `stable` parameters can't be provided at the same time");
    if (kind) {
        if (*kind == "stable" || *kind == "mergesort") return true;
        if (*kind == "quicksort" || *kind == "heapsort") return false;
        throw std::invalid_argument(std::string(op) +
                                    ": sort kind must be one of 'quicksort', 'mergesort', 'heapsort' "
                                    "or 'stable' (got '" +
                                    *kind + "')");
    }
    return stable.value_or(false);
}

// Sorts a in place along axis.
inline void sort_lanes(const array& a, int axis, bool stable) {
    check_host_device(a, "sort");
    check_writable(a, "sort");
    dispatch_dtype(a.dtype(), [&]<class T>() {
        using U = typename radix_traits<T>::U;
        for_each_lane(a, axis, [&](char* lane, int64_t stride, int64_t n) {
            thread_local std::vector<U> keys, scratch;
            auto sort_range = [&](T* first, int64_t count) {
                if (count >= radix_sort_min)
                    radix_sort(first, count, keys, scratch);
                else if (stable)
                    std::stable_sort(first, first + count, sort_less{});
                else
                    std::sort(first, first + count, sort_less{});
            };
            if (stride == sizeof(T) && !std::is_same_v<T, bool>) {
                sort_range(reinterpret_cast<T*>(lane), n);
                return;
            }
            thread_local std::vector<storage_t<T>> buf;
            buf.resize(n);
            for (int64_t i = 0; i < n; ++i) std::memcpy(&buf[i], lane + i * stride, sizeof(T));
            if constexpr (std::is_same_v<T, bool>) {
                // Booleans: count the false ones.
                int64_t f = std::count(buf.begin(), buf.end(), storage_t<T>(0));
                std::fill(buf.begin(), buf.begin() + f, 0);
                std::fill(buf.begin() + f, buf.end(), 1);
            } else {
                sort_range(reinterpret_cast<T*>(buf.data()), n);
            }
            for (int64_t i = 0; i < n; ++i) std::memcpy(lane + i * stride, &buf[i], sizeof(T));
        });
    });
}

// Indices that sort a along axis (a C-contiguous int64 array). Always stable: ties keep their order.
inline array argsort_lanes(const array& a, int axis) {
    check_host_device(a, "argsort");
    array out = empty(a.shape(), dtype::int64, a.get_device());
    const strides_t& os = out.strides();
    shape_t other;
    strides_t a_strides, o_strides;
    for (int i = 0; i < a.ndim(); ++i) {
        if (i == axis) continue;
        other.push_back(a.shape()[i]);
        a_strides.push_back(a.strides()[i]);
        o_strides.push_back(os[i]);
    }
    const int64_t lanes = other.product(), n = a.shape()[axis];
    if (lanes == 0 || n == 0) return out;
    const int64_t a_stride = a.strides()[axis], o_stride = os[axis];
    char* a_base = static_cast<char*>(a.raw_data());
    char* o_base = static_cast<char*>(out.raw_data());
    long_running_scope scope(lanes * n * 8);
    dispatch_dtype(a.dtype(), [&]<class T>() {
        parallel_for(lanes, std::max<int64_t>(parallel_threshold / (n * 8), 1), [&](int64_t begin, int64_t end) {
            using R = radix_traits<T>;
            using U = typename R::U;
            std::vector<storage_t<T>> values(n);
            std::vector<int64_t> idx(n), idx_scratch(n >= radix_sort_min ? n : 0);
            std::vector<U> keys(n >= radix_sort_min ? n : 0), scratch(keys.size());
            for (int64_t l = begin; l < end; ++l) {
                int64_t a_off = 0, o_off = 0;
                for (int64_t d = other.size() - 1, i = l; d >= 0; --d) {
                    a_off += (i % other[d]) * a_strides[d];
                    o_off += (i % other[d]) * o_strides[d];
                    i /= other[d];
                }
                std::iota(idx.begin(), idx.end(), int64_t{0});
                int64_t* sorted_idx = idx.data();
                if (n >= radix_sort_min) {
                    for (int64_t i = 0; i < n; ++i) {
                        T v;
                        std::memcpy(&v, a_base + a_off + i * a_stride, sizeof(T));
                        keys[i] = R::to_key(v, true);
                    }
                    radix_sort_keys(keys.data(), scratch.data(), n, sorted_idx, idx_scratch.data());
                } else {
                    for (int64_t i = 0; i < n; ++i) std::memcpy(&values[i], a_base + a_off + i * a_stride, sizeof(T));
                    std::stable_sort(idx.begin(), idx.end(),
                                     [&](int64_t x, int64_t y) { return sort_less{}(T(values[x]), T(values[y])); });
                }
                for (int64_t i = 0; i < n; ++i)
                    *reinterpret_cast<int64_t*>(o_base + o_off + i * o_stride) = sorted_idx[i];
            }
        });
    });
    return out;
}

// The plan that gathers a along axis by `order` (NumPy's take_along_axis with indices of a's shape).
inline plan_ptr along_axis_plan(const shape_t& shape, int axis, const array& order) {
    auto plan = std::make_shared<advanced_plan>();
    plan->in_shape = shape;
    plan->index_shape = shape;
    const int64_t n = shape.product();
    const int ndim = shape.size();
    plan->coords.resize(ndim * n);
    array src = ascontiguousarray(order);
    const int64_t* ord = static_cast<const int64_t*>(src.raw_data());
    int64_t idx[max_ndim] = {};
    for (int64_t i = 0; i < n; ++i) {
        for (int d = 0; d < ndim; ++d) plan->coords[d * n + i] = d == axis ? ord[i] : idx[d];
        for (int d = ndim - 1; d >= 0; --d) {
            if (++idx[d] < shape[d]) break;
            idx[d] = 0;
        }
    }
    for (int d = 0; d < ndim; ++d) plan->adv_axes.push_back(d);
    return plan;
}

}  // namespace detail

// Sorted copy of a along axis (flattened first when axis is none), laid out as NumPy's (order K).
// kind: 'quicksort', 'mergesort', 'heapsort' or 'stable'; stable=true or a stable kind keeps ties in
// order. Differentiable: the gradient goes back through the sorting permutation.
template <class = void>
array sort(const array& a, std::optional<int64_t> axis = -1, const std::optional<std::string>& kind = std::nullopt,
           std::optional<bool> stable = std::nullopt) {
    bool is_stable = detail::stable_requested(kind, stable, "sort");
    detail::check_host_device(a, "sort");
    array src = axis ? a : ravel(a);
    int ax = normalize_axis(axis.value_or(0), src.ndim(), "sort");
    array y = copy_array(src);
    if (src.body()->graph && is_backprop_required_any(src)) {
        detail::plan_ptr plan = detail::along_axis_plan(src.shape(), ax, detail::argsort_lanes(src, ax));
        // Fill y through the permutation so values and gradient agree on ties.
        array gathered = empty(plan->out_shape(), src.dtype(), src.get_device());
        detail::run_plan<detail::plan_access::gather>(src, *plan, static_cast<char*>(gathered.raw_data()));
        copy_into(y, gathered);
        record_op("sort", {&src}, {&y}, [plan](const std::vector<array>& gy) {
            return std::vector<array>{scatter_add_planned(gy[0], plan)};
        });
        return y;
    }
    detail::sort_lanes(y, ax, is_stable);
    return y;
}

// Sorts a in place along axis (ndarray.sort). Refused for arrays that are part of a graph.
template <class = void>
void sort_inplace(const array& a, int64_t axis = -1, const std::optional<std::string>& kind = std::nullopt,
                  std::optional<bool> stable = std::nullopt) {
    bool is_stable = detail::stable_requested(kind, stable, "sort");
    check_inplace("sort", &a);
    detail::sort_lanes(a, normalize_axis(axis, a.ndim(), "sort"), is_stable);
}

// Indices (int64) that sort a along axis (flattened when axis is none). The sort is always stable,
// which every kind allows.
template <class = void>
array argsort(const array& a, std::optional<int64_t> axis = -1, const std::optional<std::string>& kind = std::nullopt,
              std::optional<bool> stable = std::nullopt) {
    detail::stable_requested(kind, stable, "argsort");
    detail::check_host_device(a, "argsort");
    array src = axis ? a : ravel(a);
    return detail::argsort_lanes(src, normalize_axis(axis.value_or(0), src.ndim(), "argsort"));
}

// Indices (int64, v's shape) where v's elements would be inserted into the sorted 1-D array a to
// keep it sorted; side 'left' gives the first such place, 'right' the last. sorter: indices that sort a.
template <class = void>
array searchsorted(const array& a, const array& v, const std::string& side = "left",
                   const std::optional<array>& sorter = std::nullopt) {
    detail::check_host_device(a, "searchsorted");
    detail::check_host_device(v, "searchsorted");
    if (side != "left" && side != "right")
        throw std::invalid_argument("searchsorted: side must be 'left' or 'right' (got '" + side + "')");
    if (a.ndim() != 1) throw_error<dimension_error>("searchsorted: a must be 1-dimensional, got shape ", a.shape());
    array sorted = a;
    if (sorter) {
        detail::check_index_dtype(*sorter, "searchsorted");
        if (!(sorter->shape() == a.shape()))
            throw_error<dimension_error>("searchsorted: sorter of shape ", sorter->shape(), " for a of shape ",
                                         a.shape());
        try {
            sorted = take(as_grad_stopped(a), *sorter, 0, index_mode::raise);
        } catch (const index_error&) {
            throw std::invalid_argument("searchsorted: sorter index out of range");
        }
    }
    dtype type = promote_types(a.dtype(), v.dtype());
    array keys = ascontiguousarray(cast_array(as_grad_stopped(sorted), type, false));
    array values = ascontiguousarray(cast_array(as_grad_stopped(v), type, false));
    array out = empty(v.shape(), dtype::int64, v.get_device());
    const int64_t n = keys.size(), m = values.size();
    const bool right = side == "right";
    int64_t* o = static_cast<int64_t*>(out.raw_data());
    dispatch_dtype(type, [&]<class T>() {
        const T* k = static_cast<const T*>(keys.raw_data());
        const T* x = static_cast<const T*>(values.raw_data());
        int64_t log_n = 1;
        while ((int64_t{1} << log_n) < n) ++log_n;
        parallel_for(m, std::max<int64_t>(parallel_threshold / log_n, 1), [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                o[i] = (right ? std::upper_bound(k, k + n, x[i], detail::sort_less{})
                              : std::lower_bound(k, k + n, x[i], detail::sort_less{})) -
                       k;
        });
    });
    return out;
}

struct unique_result {
    array values;
    std::optional<array> index, inverse, counts;
};

namespace detail {

// unique's result from the order that sorts a's items (elements, or subarrays along an axis): runs
// of items that same(i, j) calls equal (i, j: original positions, adjacent in sorted order) become
// one value. values are take(items, first positions, 0); the inverse gets inverse_shape.
template <class Same>
unique_result unique_from_order(const array& items, const int64_t* ord, Same same, bool return_index,
                                bool return_inverse, bool return_counts, const shape_t& inverse_shape) {
    const int64_t n = items.shape()[0];
    std::vector<int64_t> starts;  // positions in sorted order where a new value begins
    array inverse = empty(return_inverse ? inverse_shape : shape_t{0}, dtype::int64, items.get_device());
    int64_t* group = static_cast<int64_t*>(inverse.raw_data());
    for (int64_t i = 0; i < n; ++i) {
        if (i == 0 || !same(ord[i - 1], ord[i])) starts.push_back(i);
        if (return_inverse) group[ord[i]] = static_cast<int64_t>(starts.size()) - 1;
    }
    const int64_t k = starts.size();
    unique_result r;
    array first = empty({k}, dtype::int64, items.get_device());
    int64_t* f = static_cast<int64_t*>(first.raw_data());
    for (int64_t j = 0; j < k; ++j) f[j] = ord[starts[j]];
    r.values = take(items, first, 0);
    if (return_index) r.index = first;
    if (return_inverse) r.inverse = inverse;
    if (return_counts) {
        array counts = empty({k}, dtype::int64, items.get_device());
        int64_t* c = static_cast<int64_t*>(counts.raw_data());
        for (int64_t j = 0; j < k; ++j) c[j] = (j + 1 < k ? starts[j + 1] : n) - starts[j];
        r.counts = counts;
    }
    return r;
}

// unique along an axis: the distinct subarrays a[..., i, ...] in lexicographic order (NaNs last
// within an element), as NumPy finds them; a subarray holding a NaN equals no other, as in NumPy.
inline unique_result unique_along(const array& a, int64_t axis, bool return_index, bool return_inverse,
                                  bool return_counts) {
    int ax = normalize_axis(axis, a.ndim(), "unique");
    const int64_t n = a.shape()[ax], m = n == 0 ? 0 : a.size() / n;
    // The subarrays as the contiguous rows of `rows` (n, ...), the layout the result is taken from.
    array rows = ascontiguousarray(moveaxis(as_grad_stopped(a), {ax}, {0}));
    std::vector<int64_t> ord(n);
    std::iota(ord.begin(), ord.end(), int64_t{0});
    unique_result r;
    dispatch_dtype(a.dtype(), [&]<class T>() {
        const T* p = static_cast<const T*>(rows.raw_data());
        auto row_less = [&](int64_t i, int64_t j) {
            const T *x = p + i * m, *y = p + j * m;
            for (int64_t e = 0; e < m; ++e) {
                if (sort_less{}(x[e], y[e])) return true;
                if (sort_less{}(y[e], x[e])) return false;
            }
            return false;
        };
        auto row_equal = [&](int64_t i, int64_t j) {
            const T *x = p + i * m, *y = p + j * m;
            for (int64_t e = 0; e < m; ++e)
                if (!(static_cast<ops::compute_t<T>>(x[e]) == static_cast<ops::compute_t<T>>(y[e]))) return false;
            return true;
        };
        std::stable_sort(ord.begin(), ord.end(), row_less);
        r = unique_from_order(rows, ord.data(), row_equal, return_index, return_inverse, return_counts, {n});
    });
    r.values = moveaxis(r.values, {0}, {ax});
    return r;
}

}  // namespace detail

// The sorted distinct values of the flattened a (NaNs count as one value, as in NumPy 2), with the
// index of each one's first occurrence, the inverse (a's shape) that rebuilds a from them, and counts.
// With an axis: the distinct subarrays along it, the inverse then being 1-D over that axis.
template <class = void>
unique_result unique(const array& a, bool return_index = false, bool return_inverse = false, bool return_counts = false,
                     std::optional<int64_t> axis = std::nullopt) {
    detail::check_host_device(a, "unique");
    if (axis) return detail::unique_along(a, *axis, return_index, return_inverse, return_counts);
    array flat = ascontiguousarray(reshape(as_grad_stopped(a), {a.size()}));
    array order = detail::argsort_lanes(flat, 0);
    unique_result r;
    dispatch_dtype(a.dtype(), [&]<class T>() {
        const T* p = static_cast<const T*>(flat.raw_data());
        auto same = [p](int64_t i, int64_t j) { return detail::sort_equal{}(p[i], p[j]); };
        r = detail::unique_from_order(flat, static_cast<const int64_t*>(order.raw_data()), same, return_index,
                                      return_inverse, return_counts, a.shape());
    });
    return r;
}

}  // namespace chainerx
