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
}  // namespace

void init_creation(nb::module_& m) {
    auto none = nb::none();
    m.def(
        "array",
        [](nb::handle obj, nb::handle type, bool copy, nb::handle dev) {
            return to_array(obj, to_optional_dtype(type), copy, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("object"), nb::arg("dtype") = none, nb::arg("copy") = true, nb::arg("device") = none);
    m.def(
        "asarray",
        [](nb::handle obj, nb::handle type, nb::handle dev) {
            return to_array(obj, to_optional_dtype(type), false, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("object"), nb::arg("dtype") = none, nb::arg("device") = none);
    m.def(
        "ascontiguousarray",
        [](nb::handle obj, nb::handle type) {
            return ascontiguousarray(to_array(obj, to_optional_dtype(type), false, nullptr));
        },
        nb::arg("a"), nb::arg("dtype") = none);

    m.def(
        "empty",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return empty(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none);
    m.def(
        "zeros",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return zeros(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none);
    m.def(
        "ones",
        [](nb::handle shape, nb::handle type, nb::handle dev) {
            return ones(to_shape(shape), to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("shape"), nb::arg("dtype") = none, nb::arg("device") = none);
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
        nb::arg("shape"), nb::arg("fill_value"), nb::arg("dtype") = none, nb::arg("device") = none);

    auto like_device = [](const array& a, nb::handle dev) -> device& {
        return dev.is_none() ? a.get_device() : to_device(dev);
    };
    m.def(
        "empty_like",
        [like_device](const array& a, nb::handle dev) { return empty(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none);
    m.def(
        "zeros_like",
        [like_device](const array& a, nb::handle dev) { return zeros(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none);
    m.def(
        "ones_like",
        [like_device](const array& a, nb::handle dev) { return ones(a.shape(), a.dtype(), like_device(a, dev)); },
        nb::arg("a"), nb::arg("device") = none);
    m.def(
        "full_like",
        [like_device](const array& a, nb::handle value, nb::handle dev) {
            return full(a.shape(), required_scalar(value, "full_like"), a.dtype(), like_device(a, dev));
        },
        nb::arg("a"), nb::arg("fill_value"), nb::arg("device") = none);
    m.def("copy", [](const array& a) { return copy(a); }, nb::arg("a"));

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
        nb::arg("device") = none);
    m.def(
        "linspace",
        [](nb::handle start, nb::handle stop, int64_t num, bool endpoint, nb::handle type, nb::handle dev) {
            return linspace(required_scalar(start, "linspace"), required_scalar(stop, "linspace"), num, endpoint,
                            to_optional_dtype(type), to_device(dev));
        },
        nb::arg("start"), nb::arg("stop"), nb::arg("num") = 50, nb::arg("endpoint") = true, nb::arg("dtype") = none,
        nb::arg("device") = none);
    m.def(
        "identity",
        [](int64_t n, nb::handle type, nb::handle dev) {
            if (n < 0) throw_error<dimension_error>("identity: negative dimensions are not allowed");
            return identity(n, to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("n"), nb::arg("dtype") = none, nb::arg("device") = none);
    m.def(
        "eye",
        [](int64_t n, std::optional<int64_t> cols, int64_t k, nb::handle type, nb::handle dev) {
            return eye(n, cols, k, to_optional_dtype(type).value_or(dtype::float64), to_device(dev));
        },
        nb::arg("N"), nb::arg("M") = none, nb::arg("k") = 0, nb::arg("dtype") = "float64", nb::arg("device") = none);
    m.def(
        "tri",
        [](int64_t n, std::optional<int64_t> cols, int64_t k, nb::handle type, nb::handle dev) {
            return tri(n, cols, k, to_optional_dtype(type).value_or(dtype::float32), to_device(dev));
        },
        nb::arg("N"), nb::arg("M") = none, nb::arg("k") = 0, nb::arg("dtype") = "float32", nb::arg("device") = none);
    m.def("tril", &tril, nb::arg("m"), nb::arg("k") = 0);
    m.def("triu", &triu, nb::arg("m"), nb::arg("k") = 0);
    m.def("diag", &diag, nb::arg("v"), nb::arg("k") = 0);
    m.def("diagflat", &diagflat, nb::arg("v"), nb::arg("k") = 0);
    m.def("meshgrid", [](nb::args xs, nb::kwargs kwargs) {
        std::string indexing = "xy";
        for (auto [key, value] : kwargs) {
            if (nb::cast<std::string>(key) != "indexing")
                throw nb::type_error("meshgrid() got an unexpected keyword argument");
            indexing = nb::cast<std::string>(value);
        }
        if (indexing != "xy" && indexing != "ij")
            throw std::invalid_argument("meshgrid: indexing must be 'xy' or 'ij'");
        std::vector<array> inputs;
        for (nb::handle x : xs) inputs.push_back(nb::cast<array>(x));
        return meshgrid(inputs, indexing == "xy");
    });
    m.def(
        "frombuffer",
        [](nb::handle buffer, nb::handle type, int64_t count, int64_t offset, nb::handle dev) {
            nb::object np_array =
                nb::module_::import_("numpy").attr("frombuffer")(buffer, dtype_object(to_dtype(type)), count, offset);
            return to_array(np_array, std::nullopt, false, dev.is_none() ? nullptr : &to_device(dev));
        },
        nb::arg("buffer"), nb::arg("dtype") = "float32", nb::arg("count") = -1, nb::arg("offset") = 0,
        nb::arg("device") = none);

    // Shape manipulation that returns views.
    m.def("reshape", [](const array& a, nb::args shape) {
        shape_t s;
        if (shape.size() == 1)
            s = to_shape(shape[0]);
        else
            for (nb::handle h : shape) s.push_back(nb::cast<int64_t>(h));
        return reshape(a, s);
    });
    m.def(
        "transpose", [](const array& a, nb::handle axes) { return transpose(a, to_optional_axes(axes)); }, nb::arg("a"),
        nb::arg("axes") = none);
    m.def("swapaxes", &swapaxes, nb::arg("a"), nb::arg("axis1"), nb::arg("axis2"));
    m.def(
        "squeeze", [](const array& a, nb::handle axis) { return squeeze(a, to_optional_axes(axis)); }, nb::arg("a"),
        nb::arg("axis") = none);
    m.def("expand_dims", &expand_dims, nb::arg("a"), nb::arg("axis"));
    m.def(
        "broadcast_to", [](const array& a, nb::handle shape) { return broadcast_to(a, to_shape(shape)); },
        nb::arg("array"), nb::arg("shape"));
    m.def("ravel", &ravel, nb::arg("a"));
}

}  // namespace chainerx::python
