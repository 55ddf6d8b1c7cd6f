// Creation routines with ChainerX's signatures and defaults.
#include "common.hpp"

namespace chainerx::python {

namespace {
scalar required_scalar(nb::handle h, const char* op) {
    auto s = to_scalar(h);
    if (!s) throw nb::type_error((std::string(op) + ": expected a scalar").c_str());
    return *s;
}
// The dtype NumPy gives a lone Python scalar in creation routines (int64, float64, bool).
dtype numpy_scalar_dtype(const scalar& s) {
    switch (s.kind()) {
        case dtype_kind::bool_:
            return dtype::bool_;
        case dtype_kind::float_:
            return dtype::float64;
        default:
            return dtype::int64;
    }
}

// ---- docstrings ----
constexpr const char* array_doc = R"(Creates an array from an array-like object (NumPy's array, plus a device).

Args:
    object: a chainerx.ndarray, a numpy.ndarray, a (nested) sequence or a scalar. Anything but an
        ndarray goes through numpy.asarray, so dtypes follow NumPy's inference (int64, float64, bool).
    dtype: the dtype of the result (a numpy.dtype, a type or a name such as 'float32', or
        'bfloat16'); None keeps the input's dtype.
    copy: if False, no copy is made when none is needed: an ndarray on the requested device is
        returned as is, and a numpy.ndarray is wrapped without copying (the arrays share memory).
    device: a Device or a device name such as 'native:0'. None keeps an ndarray on its device and
        puts other input on the default device, as ChainerX does.
Returns:
    A chainerx.ndarray. Copying or casting an ndarray is recorded on its graphs (differentiable);
    moving it to another device is not.)";

constexpr const char* asarray_doc = R"(Converts an array-like object to an array, copying only when needed.

The same as array(object, dtype, copy=False, device): an ndarray that already has the dtype and the
device is returned as is, and a numpy.ndarray is wrapped without copying (the arrays share memory).

Args:
    object: a chainerx.ndarray, a numpy.ndarray, a (nested) sequence or a scalar (NumPy's inference).
    dtype: the dtype of the result; None keeps the input's dtype.
    device: a Device or a device name. None keeps an ndarray on its device and puts other input on
        the default device, as ChainerX does.)";

constexpr const char* ascontiguousarray_doc = R"(Returns a C-contiguous array with the values of a.

a itself is returned when it already is C-contiguous and no cast is needed; other input is
converted as asarray converts it.

Args:
    a: a chainerx.ndarray or an array-like object.
    dtype: the dtype of the result; None keeps a's dtype.
Note:
    A cast is differentiable, but the copy made for a non-contiguous a is not recorded on a's graphs.)";

constexpr const char* empty_doc = R"(Returns a new array of the given shape with uninitialized values.

Args:
    shape: an int or a sequence of ints (DimensionError if one is negative).
    dtype: the dtype; None gives float32, as in ChainerX (NumPy's default is float64).
    device: a Device or a device name such as 'native:0'; None uses the default device.)";

constexpr const char* zeros_doc = R"(Returns a new array of the given shape filled with zeros.

Args:
    shape: an int or a sequence of ints (DimensionError if one is negative).
    dtype: the dtype; None gives float32, as in ChainerX (NumPy's default is float64).
    device: a Device or a device name such as 'native:0'; None uses the default device.)";

constexpr const char* ones_doc = R"(Returns a new array of the given shape filled with ones.

Args:
    shape: an int or a sequence of ints (DimensionError if one is negative).
    dtype: the dtype; None gives float32, as in ChainerX (NumPy's default is float64).
    device: a Device or a device name such as 'native:0'; None uses the default device.)";

constexpr const char* full_doc = R"(Returns a new array of the given shape filled with fill_value.

Args:
    shape: an int or a sequence of ints (DimensionError if one is negative).
    fill_value: a Python or NumPy scalar, converted to the dtype.
    dtype: the dtype; None takes it from fill_value as NumPy does: a NumPy scalar's own dtype, else
        bool, int64 or float64 for a Python bool, int or float.
    device: a Device or a device name such as 'native:0'; None uses the default device.)";

constexpr const char* empty_like_doc = R"(Returns a new uninitialized array with the shape and dtype of a.

Args:
    a: the array whose shape and dtype the result takes.
    device: a Device or a device name; None uses a's device.)";

constexpr const char* zeros_like_doc = R"(Returns a new array of zeros with the shape and dtype of a.

Args:
    a: the array whose shape and dtype the result takes.
    device: a Device or a device name; None uses a's device.)";

constexpr const char* ones_like_doc = R"(Returns a new array of ones with the shape and dtype of a.

Args:
    a: the array whose shape and dtype the result takes.
    device: a Device or a device name; None uses a's device.)";

constexpr const char* full_like_doc = R"(Returns a new array with the shape and dtype of a, filled with fill_value.

Args:
    a: the array whose shape and dtype the result takes.
    fill_value: a Python or NumPy scalar, converted to a's dtype.
    device: a Device or a device name; None uses a's device.)";

constexpr const char* arange_doc = R"(Returns evenly spaced values in [start, stop), as NumPy's arange.

arange(stop) counts from 0. The result has ceil((stop - start) / step) elements.

Args:
    start: the first value, or the end of the interval when stop is None.
    stop: the end of the interval (excluded).
    step: the spacing between values (default 1; zero raises ChainerxError).
    dtype: None infers NumPy's dtype: float64 if any argument is a float, bool if all are bools,
        else int64.
    device: a Device or a device name; None uses the default device.)";

constexpr const char* linspace_doc = R"(Returns num evenly spaced values from start to stop, as NumPy's linspace.

Args:
    start: the first value.
    stop: the last value when endpoint is True; otherwise the values stop one step before it.
    num: the number of values (a negative num raises ChainerxError).
    endpoint: whether stop is included.
    dtype: the dtype; None gives float64, as in NumPy.
    device: a Device or a device name; None uses the default device.)";

constexpr const char* identity_doc = R"(Returns the n x n identity matrix.

Args:
    n: the number of rows and columns (DimensionError if negative).
    dtype: the dtype; None gives float32, as in ChainerX (NumPy's default is float64).
    device: a Device or a device name; None uses the default device.)";

constexpr const char* eye_doc = R"(Returns an N x M matrix with ones on the k-th diagonal and zeros elsewhere.

Args:
    N: the number of rows.
    M: the number of columns; None gives N.
    k: the diagonal: 0 the main one, positive above it, negative below it.
    dtype: the dtype (float64 by default, as in NumPy and ChainerX; None also gives float64).
    device: a Device or a device name; None uses the default device.)";

constexpr const char* tri_doc = R"(Returns an N x M matrix with ones at and below the k-th diagonal and zeros above.

Args:
    N: the number of rows.
    M: the number of columns; None gives N.
    k: the diagonal: 0 the main one, positive above it, negative below it.
    dtype: the dtype (float32 by default, as in ChainerX; NumPy's default is float64; None also
        gives float32).
    device: a Device or a device name; None uses the default device.)";

constexpr const char* frombuffer_doc = R"(Interprets a buffer as a 1-d array, as NumPy's frombuffer.

Args:
    buffer: an object exposing the buffer protocol (bytes, bytearray, memoryview, ...).
    dtype: the dtype of the elements; float32 by default, as in ChainerX (NumPy's is float64).
    count: the number of elements to read; -1 reads to the end of the buffer.
    offset: the number of bytes to skip at the start of the buffer.
    device: a Device or a device name; None uses the default device. On native:0 the array shares
        the buffer's memory (no copy); another device gets a copy.)";
}  // namespace

void init_creation(nb::module_& m) {
    auto none = nb::none();
    m.def(
        "array",
        [](nb::handle obj, nb::handle type, bool copy, nb::handle dev) {
            return to_array(obj, to_optional_dtype(type), copy, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("object"), nb::arg("dtype") = none, nb::arg("copy") = true, nb::arg("device") = none, array_doc);
    m.def(
        "asarray",
        [](nb::handle obj, nb::handle type, nb::handle dev) {
            return to_array(obj, to_optional_dtype(type), false, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("object"), nb::arg("dtype") = none, nb::arg("device") = none, asarray_doc);
    m.def(
        "ascontiguousarray",
        [](nb::handle obj, nb::handle type) {
            return ascontiguousarray(to_array(obj, to_optional_dtype(type), false, nullptr));
        },
        nb::arg("a"), nb::arg("dtype") = none, ascontiguousarray_doc);

    m.def(
        "empty",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return empty(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none, empty_doc);
    m.def(
        "zeros",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return zeros(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none, zeros_doc);
    m.def(
        "ones",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return ones(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none, ones_doc);
    m.def(
        "full",
        [](nb::handle shape, nb::handle value, nb::handle type, nb::handle dev) {
            scalar s = required_scalar(value, "full");
            std::optional<dtype> fill_type = to_optional_dtype(type);
            if (!fill_type) {
                // A NumPy scalar keeps its dtype; a Python scalar gets NumPy's default for its kind.
                fill_type = nb::hasattr(value, "dtype") ? to_dtype(value.attr("dtype")) : numpy_scalar_dtype(s);
            }
            return full(to_shape(shape), s, *fill_type, to_device(dev));
        },
        nb::arg("shape"), nb::arg("fill_value"), nb::arg("dtype") = none, nb::arg("device") = none, full_doc);

    auto like_device = [](const array& a, nb::handle dev) -> device& {
        return dev.is_none() ? a.get_device() : to_device(dev);
    };
    m.def(
        "empty_like",
        [like_device](const array& a, nb::handle dev) { return empty(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none, empty_like_doc);
    m.def(
        "zeros_like",
        [like_device](const array& a, nb::handle dev) { return zeros(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none, zeros_like_doc);
    m.def(
        "ones_like",
        [like_device](const array& a, nb::handle dev) { return ones(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none, ones_like_doc);
    m.def(
        "full_like",
        [like_device](const array& a, nb::handle value, nb::handle dev) {
            return full(a.shape(), required_scalar(value, "full_like"), a.dtype(), like_device(a, dev));
        },
        nb::arg("a"), nb::arg("fill_value"), nb::arg("device") = none, full_like_doc);
    m.def(
        "copy", [](const array& a) { return copy(a); }, nb::arg("a"),
        "Returns a copy of a, laid out as NumPy's copy(order='K') lays it out; differentiable.");

    m.def(
        "arange",
        [](nb::handle start, nb::handle stop, nb::handle step, nb::handle type, nb::handle dev) {
            scalar b = required_scalar(start, "arange");
            scalar e = b;
            if (stop.is_none()) {
                b = scalar(b.kind() == dtype_kind::float_ ? scalar(0.0) : scalar(int64_t{0}));
            } else {
                e = required_scalar(stop, "arange");
            }
            scalar s = step.is_none() ? scalar(int64_t{1}) : required_scalar(step, "arange");
            return arange(b, e, s, to_optional_dtype(type), to_device(dev));
        },
        nb::arg("start"), nb::arg("stop") = none, nb::arg("step") = none, nb::arg("dtype") = none,
        nb::arg("device") = none, arange_doc);
    m.def(
        "linspace",
        [](nb::handle start, nb::handle stop, int_arg num, bool endpoint, nb::handle type, nb::handle dev) {
            return linspace(required_scalar(start, "linspace"), required_scalar(stop, "linspace"), num, endpoint,
                            to_optional_dtype(type), to_device(dev));
        },
        nb::arg("start"), nb::arg("stop"), nb::arg("num") = 50, nb::arg("endpoint") = true, nb::arg("dtype") = none,
        nb::arg("device") = none, linspace_doc);
    m.def(
        "identity",
        [](dim_arg n, nb::handle type, nb::handle dev) {
            if (n < 0) throw_error<dimension_error>("identity: negative dimensions are not allowed");
            return identity(n, to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("n"), nb::arg("dtype") = none, nb::arg("device") = none, identity_doc);
    m.def(
        "eye",
        [](dim_arg n, std::optional<dim_arg> cols, int_arg k, nb::handle type, nb::handle dev) {
            return eye(n, cols, k, to_optional_dtype(type).value_or(dtype::float64), to_device(dev));
        },
        nb::arg("N"), nb::arg("M") = none, nb::arg("k") = 0, nb::arg("dtype") = "float64", nb::arg("device") = none,
        eye_doc);
    m.def(
        "tri",
        [](dim_arg n, std::optional<dim_arg> cols, int_arg k, nb::handle type, nb::handle dev) {
            return tri(n, cols, k, to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("N"), nb::arg("M") = none, nb::arg("k") = 0, nb::arg("dtype") = "float32", nb::arg("device") = none,
        tri_doc);
    m.def(
        "tril", [](const array& m, int_arg k) { return tril(m, k); }, nb::arg("m"), nb::arg("k") = 0,
        "Returns a copy of m with the elements above the k-th diagonal zeroed (lower triangle).\n\n"
        "m holds matrices in its last two axes and must be at least 2-d (DimensionError; NumPy also takes a "
        "1-d m). k: 0 the main diagonal, positive above it, negative below it. Differentiable.");
    m.def(
        "triu", [](const array& m, int_arg k) { return triu(m, k); }, nb::arg("m"), nb::arg("k") = 0,
        "Returns a copy of m with the elements below the k-th diagonal zeroed (upper triangle).\n\n"
        "m holds matrices in its last two axes and must be at least 2-d (DimensionError; NumPy also takes a "
        "1-d m). k: 0 the main diagonal, positive above it, negative below it. Differentiable.");
    m.def(
        "diag", [](const array& v, int_arg k) { return diag(v, k); }, nb::arg("v"), nb::arg("k") = 0,
        "Extracts the k-th diagonal of a 2-d array, or builds a 2-d array with a 1-d v on its k-th diagonal.\n\n"
        "For a 2-d v the result is a view sharing v's memory; for a 1-d v, a new square array of side "
        "len(v) + |k|. k: 0 the main diagonal, positive above it, negative below it. DimensionError for other "
        "dimensions. Not differentiable.");
    m.def(
        "diagflat", [](const array& v, int_arg k) { return diagflat(v, k); }, nb::arg("v"), nb::arg("k") = 0,
        "Returns a new 2-d array with the flattened v on its k-th diagonal.\n\n"
        "k: 0 the main diagonal, positive above it, negative below it. Not differentiable.");
    m.def(
        "meshgrid",
        [](nb::args xs, nb::kwargs kwargs) {
            std::string indexing = "xy";
            for (auto [key, value] : kwargs) {
                if (nb::cast<std::string>(key) != "indexing")
                    throw nb::type_error("meshgrid() got an unexpected keyword argument");
                indexing = nb::cast<std::string>(value);
            }
            if (indexing != "xy" && indexing != "ij")
                throw std::invalid_argument("meshgrid: indexing must be 'xy' or 'ij'");
            std::vector<array> inputs;
            for (nb::handle x : xs) inputs.push_back(to_array_arg(x, "meshgrid"));
            return meshgrid(inputs, indexing == "xy");
        },
        "Returns coordinate matrices from coordinate vectors, as NumPy's meshgrid.\n\n"
        "meshgrid(x1, ..., xn, indexing='xy'): each input is flattened and the i-th output (of shape "
        "(len(x1), ..., len(xn))) repeats xi along axis i. indexing 'xy' (Cartesian, the default) swaps the first "
        "two axes of the outputs, 'ij' (matrix indexing) does not (ValueError otherwise); NumPy's sparse and copy "
        "keywords are not accepted. Returns a list of new arrays (not views); differentiable.");
    m.def(
        "frombuffer",
        [](nb::handle buffer, nb::handle type, int_arg count, int_arg offset, nb::handle dev) {
            nb::object np_array =
                nb::module_::import_("numpy").attr("frombuffer")(buffer, dtype_object(to_dtype(type)), count, offset);
            return to_array(np_array, std::nullopt, false, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("buffer"), nb::arg("dtype") = "float32", nb::arg("count") = -1, nb::arg("offset") = 0,
        nb::arg("device") = none, frombuffer_doc);

    // Shape manipulation that returns views.
    m.def(
        "reshape",
        [](const array& a, nb::handle newshape, nb::args more) {
            // reshape(a, (2, 3)), reshape(a, newshape=(2, 3)) or reshape(a, 2, 3).
            if (more.size() == 0) return reshape(a, to_shape(newshape));
            shape_t s{to_dimension(newshape)};
            for (nb::handle h : more) s.push_back(to_dimension(h));
            return reshape(a, s);
        },
        nb::arg("a"), nb::arg("newshape"), nb::arg("shape"),
        "Returns an array with the data of a in a new shape: a view when the layout allows one, else a copy.\n\n"
        "newshape is a tuple (reshape(a, (2, 3))) or separate ints (reshape(a, 2, 3)); one dimension may be -1 "
        "(inferred). DimensionError when the sizes differ. Differentiable.");
    m.def(
        "transpose", [](const array& a, nb::handle axes) { return transpose(a, to_optional_axes(axes)); }, nb::arg("a"),
        nb::arg("axes") = none,
        "Returns a view of a with its axes permuted: reversed when axes is None, else in the order axes gives.\n\n"
        "DimensionError when axes is not a permutation of a's axes. Differentiable.");
    m.def(
        "swapaxes", [](const array& a, int_arg axis1, int_arg axis2) { return swapaxes(a, axis1, axis2); },
        nb::arg("a"), nb::arg("axis1"), nb::arg("axis2"),
        "Returns a view of a with the axes axis1 and axis2 interchanged; differentiable.");
    m.def(
        "squeeze", [](const array& a, nb::handle axis) { return squeeze(a, to_optional_axes(axis)); }, nb::arg("a"),
        nb::arg("axis") = none,
        "Returns a view of a without length-1 axes: all of them when axis is None, else the given int or ints.\n\n"
        "DimensionError when a selected axis does not have length 1. Differentiable.");
    m.def(
        "expand_dims", [](const array& a, int_arg axis) { return expand_dims(a, axis); }, nb::arg("a"), nb::arg("axis"),
        "Returns a view of a with a new length-1 axis at position axis of the result; differentiable.");
    m.def(
        "broadcast_to", [](const array& a, nb::handle shape) { return broadcast_to(a, to_shape(shape)); },
        nb::arg("array"), nb::arg("shape"),
        "Returns a view of array broadcast to shape, by NumPy's broadcasting rules.\n\n"
        "Elements share memory, so writing into the view (fill, in-place ops) raises ChainerxError. DimensionError "
        "when array cannot be broadcast. Differentiable: the gradient is summed back to array's shape.");
    m.def("ravel", &ravel, nb::arg("a"),
          "Returns a flattened (1-d, C order) array: a view of a when the layout allows one, else a copy; "
          "differentiable.");
}

}  // namespace chainerx::python
