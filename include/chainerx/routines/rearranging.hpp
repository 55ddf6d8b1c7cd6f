#pragma once

// Rearranging views (flip, fliplr, flipud, moveaxis, rollaxis, broadcast_arrays) and copyto with
// NumPy's casting rules (can_cast).
#include <optional>
#include <string_view>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"

namespace chainerx {

// A view with the order of elements reversed along the given axes (all axes when none are given):
// negative strides, no copy. Its gradient flips back.
template <class = void>
array flip(const array& m, const std::optional<axes_t>& axes = std::nullopt) {
    bool flipped[max_ndim] = {};
    if (axes) {
        for (int64_t axis : *axes) {
            int i = normalize_axis(axis, m.ndim(), "flip");
            if (flipped[i]) throw_error<dimension_error>("flip: repeated axis in ", *axes);
            flipped[i] = true;
        }
    } else {
        for (int i = 0; i < m.ndim(); ++i) flipped[i] = true;
    }
    strides_t strides = m.strides();
    int64_t offset = m.offset();
    axes_t flipped_axes;
    for (int i = 0; i < m.ndim(); ++i) {
        if (!flipped[i]) continue;
        flipped_axes.push_back(i);
        if (m.shape()[i] > 0) offset += (m.shape()[i] - 1) * strides[i];
        strides[i] = -strides[i];
    }
    array out = m.make_view(m.shape(), strides, offset);
    record_op("flip", {&m}, {&out},
              [flipped_axes](const std::vector<array>& gy) { return std::vector<array>{flip(gy[0], flipped_axes)}; });
    return out;
}
template <class = void>
array fliplr(const array& m) {
    if (m.ndim() < 2) throw_error<dimension_error>("fliplr: input must be >= 2-d, got ", m.ndim(), "-d");
    return flip(m, axes_t{1});
}
template <class = void>
array flipud(const array& m) {
    if (m.ndim() < 1) throw_error<dimension_error>("flipud: input must be >= 1-d, got 0-d");
    return flip(m, axes_t{0});
}

// Moves the axes `source` to the positions `destination`; the other axes keep their order.
template <class = void>
array moveaxis(const array& a, const axes_t& source, const axes_t& destination) {
    if (source.size() != destination.size())
        throw_error<dimension_error>("moveaxis: source ", source, " and destination ", destination,
                                     " must have the same number of elements");
    int ndim = a.ndim();
    bool taken_src[max_ndim] = {}, taken_dst[max_ndim] = {};
    int64_t perm[max_ndim];
    for (int i = 0; i < source.size(); ++i) {
        int s = normalize_axis(source[i], ndim, "moveaxis"), d = normalize_axis(destination[i], ndim, "moveaxis");
        if (taken_src[s]) throw_error<dimension_error>("moveaxis: repeated axis in source ", source);
        if (taken_dst[d]) throw_error<dimension_error>("moveaxis: repeated axis in destination ", destination);
        taken_src[s] = taken_dst[d] = true;
        perm[d] = s;
    }
    for (int i = 0, next = 0; i < ndim; ++i) {
        if (taken_dst[i]) continue;
        while (taken_src[next]) ++next;
        perm[i] = next++;
    }
    return transpose(a, axes_t(perm, perm + ndim));
}

// Rolls `axis` backwards until it lies before position `start` (NumPy's rollaxis).
template <class = void>
array rollaxis(const array& a, int64_t axis, int64_t start = 0) {
    int ndim = a.ndim();
    int ax = normalize_axis(axis, ndim, "rollaxis");
    if (start < -ndim || start > ndim)
        throw_error<dimension_error>("rollaxis: 'start' arg requires ", -ndim, " <= start < ", ndim + 1, ", got ",
                                     start);
    if (start < 0) start += ndim;
    if (ax < start) --start;
    axes_t perm;
    for (int i = 0; i < ndim; ++i)
        if (i != ax) perm.push_back(i);
    perm.insert(static_cast<int>(start), ax);
    return transpose(a, perm);
}

// Views of the arrays broadcast to their common shape.
template <class = void>
std::vector<array> broadcast_arrays(const std::vector<array>& arrays) {
    shape_t shape;
    for (const array& a : arrays) shape = broadcast_shapes(shape, a.shape(), "broadcast_arrays");
    std::vector<array> out;
    out.reserve(arrays.size());
    for (const array& a : arrays) out.push_back(a.shape() == shape ? a : broadcast_to(a, shape));
    return out;
}

// ---- copyto and casting rules ---------------------------------------------------------------

// NumPy's casting modes.
enum class casting { no, equiv, safe, same_kind, unsafe };

inline casting casting_from_name(std::string_view name) {
    if (name == "no") return casting::no;
    if (name == "equiv") return casting::equiv;
    if (name == "safe") return casting::safe;
    if (name == "same_kind") return casting::same_kind;
    if (name == "unsafe") return casting::unsafe;
    throw std::invalid_argument("casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe'");
}
inline const char* casting_name(casting c) {
    switch (c) {
        case casting::no:
            return "no";
        case casting::equiv:
            return "equiv";
        case casting::safe:
            return "safe";
        case casting::same_kind:
            return "same_kind";
        default:
            return "unsafe";
    }
}

// A cast the casting rule forbids (Python: TypeError, as NumPy raises). A dtype_error for C++.
class casting_error : public dtype_error {
  public:
    using dtype_error::dtype_error;
};

namespace detail {
// Order of kinds in NumPy's same_kind rule: bool < unsigned < signed < float.
inline int kind_rank(dtype d) {
    switch (kind_of(d)) {
        case dtype_kind::bool_:
            return 0;
        case dtype_kind::uint_:
            return 1;
        case dtype_kind::int_:
            return 2;
        default:
            return 3;
    }
}
// Bits of precision a dtype represents exactly (integers: value bits; floats: mantissa bits + 1).
inline int exact_bits(dtype d) {
    switch (d) {
        case dtype::bool_:
            return 1;
        case dtype::int8:
            return 7;
        case dtype::uint8:
            return 8;
        case dtype::int16:
            return 15;
        case dtype::int32:
            return 31;
        case dtype::int64:
            return 63;
        case dtype::float16:
            return 11;
        case dtype::bfloat16:
            return 8;
        case dtype::float32:
            return 24;
        default:
            return 53;
    }
}
}  // namespace detail

// NumPy's can_cast for two dtypes. 'safe' casts keep every value: bool to anything; an integer to
// a wider integer of its signedness, uint8 to a wider signed integer, integers to floats whose
// mantissa holds them (int8/uint8 -> float16, int16 -> float32, int32/int64 -> float64, as NumPy);
// floats to floats with at least their range and precision. bfloat16 (not in NumPy) follows the
// same rule: int8, uint8 and bool cast safely to it, it casts safely to float32 and float64, and
// float16 <-> bfloat16 (neither holds the other) is only 'same_kind'. 'same_kind' also allows casts
// within a kind and to a higher kind (bool < unsigned < signed < float).
inline bool can_cast(dtype from, dtype to, casting rule = casting::safe) {
    if (from == to || rule == casting::unsafe) return true;
    if (rule == casting::no || rule == casting::equiv) return false;
    bool safe;
    dtype_kind kf = kind_of(from), kt = kind_of(to);
    if (kf == dtype_kind::bool_) {
        safe = true;
    } else if (kt == dtype_kind::bool_) {
        safe = false;
    } else if (kt == dtype_kind::float_) {
        if (kf == dtype_kind::float_) {
            int range_from = from == dtype::float16 ? 5 : from == dtype::float64 ? 11 : 8;
            int range_to = to == dtype::float16 ? 5 : to == dtype::float64 ? 11 : 8;
            safe = range_to >= range_from && detail::exact_bits(to) >= detail::exact_bits(from);
        } else {
            safe = detail::exact_bits(to) >= detail::exact_bits(from) ||
                   to == dtype::float64;  // NumPy: int64 -> float64 too
        }
    } else if (kf == dtype_kind::float_) {
        safe = false;
    } else if (kf == kt) {
        safe = itemsize_of(to) >= itemsize_of(from);
    } else {
        safe = kf == dtype_kind::uint_ && itemsize_of(to) > itemsize_of(from);  // uint8 -> wider signed
    }
    if (safe || rule == casting::safe) return safe;
    return detail::kind_rank(from) <= detail::kind_rank(to);  // same_kind
}

namespace detail {
[[noreturn]] inline void throw_cast(const char* what, dtype from, dtype to, casting rule) {
    throw_error<casting_error>("copyto: cannot cast ", what, " from ", from, " to ", to, " according to the rule '",
                               casting_name(rule), "'");
}
// NumPy 2's rule for Python scalars (NEP 50, "weak" scalars): an int or float is accepted by any
// destination of its kind or a higher one whatever the casting rule (but 'equiv'), by a lower kind
// only when casting is 'unsafe'; an int that does not fit an integer destination is an OverflowError.
// Python bools are not weak: they cast as the bool dtype does.
inline void check_scalar_cast(const scalar& value, dtype to, casting rule) {
    dtype_kind k = value.kind();
    if (k == dtype_kind::bool_) {
        if (!can_cast(dtype::bool_, to, rule)) throw_cast("scalar", dtype::bool_, to, rule);
        return;
    }
    int category = k == dtype_kind::float_ ? 2 : 1;
    // NumPy 2 treats weak scalars under 'equiv' as their default dtype (int64, float64), while 'no'
    // accepts them as any other rule does; so do we.
    dtype default_type = k == dtype_kind::float_ ? dtype::float64 : dtype::int64;
    if (rule == casting::equiv && to != default_type)
        throw_error<casting_error>("copyto: cannot cast Python ", k == dtype_kind::float_ ? "float" : "int", " to ", to,
                                   " under the casting rule 'equiv'");
    if (dtype_category(to) < category && rule != casting::unsafe)
        throw_cast("scalar", k == dtype_kind::float_ ? dtype::float64 : dtype::int64, to, rule);
    if (k == dtype_kind::int_ && kind_of(to) != dtype_kind::float_ && kind_of(to) != dtype_kind::bool_) {
        int64_t v = value.to<int64_t>();
        bool fits = dispatch_dtype(to, [&]<class T>() {
            if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                return v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                       (v < 0 || static_cast<uint64_t>(v) <= static_cast<uint64_t>(std::numeric_limits<T>::max()));
            } else {
                return true;
            }
        });
        if (!fits) throw_error<std::overflow_error>("copyto: Python integer ", v, " out of bounds for ", to);
    }
}
}  // namespace detail

// Copies `src` (an array broadcast to dst's shape, or a scalar) into `dst` where `where` holds
// (a bool array broadcast to dst's shape, or a bool). Casts are checked against `rule` before
// anything is written. dst must not take part in a graph (in-place writes are refused as in
// ChainerX) nor be a broadcast view. ChainerX's default rule is 'no'.
template <class = void>
void copyto(const array& dst, const operand& src, casting rule = casting::no, const operand& where = scalar(true)) {
    check_inplace("copyto", &dst);
    check_writable(dst, "copyto");
    std::optional<array> src_array;
    if (src.is_array()) {
        const array& s = src.get_array();
        check_same_device("copyto", dst, s);
        if (!can_cast(s.dtype(), dst.dtype(), rule)) detail::throw_cast("array data", s.dtype(), dst.dtype(), rule);
        // As NumPy's assignment does, leading length-1 axes of src beyond dst's rank are dropped.
        int drop = 0;
        while (s.ndim() - drop > dst.ndim() && s.shape()[drop] == 1) ++drop;
        if (drop > 0) {
            shape_t shape(s.shape().begin() + drop, s.shape().end());
            strides_t strides(s.strides().begin() + drop, s.strides().end());
            src_array = s.make_view(shape, strides, s.offset());
        } else {
            src_array = s;
        }
        if (!(broadcast_shapes(dst.shape(), src_array->shape(), "copyto") == dst.shape()))
            throw_error<dimension_error>("copyto: could not broadcast input array from shape ", s.shape(),
                                         " into shape ", dst.shape());
    } else {
        detail::check_scalar_cast(src.get_scalar(), dst.dtype(), rule);
    }
    if (!where.is_array()) {
        if (where.get_scalar().kind() != dtype_kind::bool_)
            throw_error<casting_error>("copyto: cannot cast 'where' from ", where.get_scalar().default_dtype(),
                                       " to bool according to the rule 'safe'");
        if (!where.get_scalar().to<bool>()) return;
        if (src_array) {
            copy_into(dst, *src_array);
        } else {
            fill(dst, src.get_scalar());
        }
        return;
    }
    const array& mask = where.get_array();
    if (mask.dtype() != dtype::bool_)
        throw_error<casting_error>("copyto: cannot cast 'where' from ", mask.dtype(),
                                   " to bool according to the rule 'safe'");
    if (!(broadcast_shapes(dst.shape(), mask.shape(), "copyto") == dst.shape()))
        throw_error<dimension_error>("copyto: could not broadcast where mask from shape ", mask.shape(), " into shape ",
                                     dst.shape());
    // dst = where ? src : dst, computed in dst's dtype and written in place.
    operand inputs[] = {mask, src_array ? operand(*src_array) : src, dst};
    apply_elementwise<3>("copyto", ops::where{}, dst.dtype(), inputs, &dst);
}

}  // namespace chainerx
