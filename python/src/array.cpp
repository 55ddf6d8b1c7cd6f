// chainerx.ndarray: properties, views, conversion, indexing, NumPy/DLPack/buffer interop.
#include <cstring>

#include <nanobind/ndarray.h>

#include "common.hpp"

namespace chainerx::python {

namespace {

nb::dlpack::dtype dlpack_dtype(dtype d) {
    using code = nb::dlpack::dtype_code;
    uint8_t bits = static_cast<uint8_t>(itemsize_of(d) * 8);
    switch (kind_of(d)) {
        case dtype_kind::bool_:
            return {static_cast<uint8_t>(code::Bool), 8, 1};
        case dtype_kind::int_:
            return {static_cast<uint8_t>(code::Int), bits, 1};
        case dtype_kind::uint_:
            return {static_cast<uint8_t>(code::UInt), bits, 1};
        default:
            return {static_cast<uint8_t>(d == dtype::bfloat16 ? code::Bfloat : code::Float), bits, 1};
    }
}

dtype from_dlpack_dtype(nb::dlpack::dtype t) {
    using code = nb::dlpack::dtype_code;
    if (t.lanes != 1) throw_error<dtype_error>("vector dtypes are not supported");
    switch (static_cast<code>(t.code)) {
        case code::Bool:
            return dtype::bool_;
        case code::Int:
            switch (t.bits) {
                case 8:
                    return dtype::int8;
                case 16:
                    return dtype::int16;
                case 32:
                    return dtype::int32;
                case 64:
                    return dtype::int64;
            }
            break;
        case code::UInt:
            if (t.bits == 8) return dtype::uint8;
            break;
        case code::Float:
            switch (t.bits) {
                case 16:
                    return dtype::float16;
                case 32:
                    return dtype::float32;
                case 64:
                    return dtype::float64;
            }
            break;
        case code::Bfloat:
            if (t.bits == 16) return dtype::bfloat16;
            break;
        default:
            break;
    }
    throw_error<dtype_error>("unsupported DLPack dtype (code ", int(t.code), ", ", int(t.bits), " bits)");
}

// Element strides and shape of an array for nanobind's ndarray (which counts strides in elements).
struct nd_layout {
    size_t shape[max_ndim];
    int64_t strides[max_ndim];
};
nd_layout layout_of(const array& a) {
    nd_layout l;
    for (int i = 0; i < a.ndim(); ++i) {
        l.shape[i] = static_cast<size_t>(a.shape()[i]);
        l.strides[i] = a.strides()[i] / a.itemsize();
    }
    return l;
}

// A capsule that owns a handle on the array, keeping its storage alive for a foreign view.
nb::capsule owner_of(const array& a) {
    return nb::capsule(new array(a), [](void* p) noexcept { delete static_cast<array*>(p); });
}

template <class... Framework>
nb::ndarray<Framework...> as_nb_ndarray(const array& a, nb::dlpack::dtype type) {
    nd_layout l = layout_of(a);
    int device_type = a.get_device().dlpack_device_type();
    return nb::ndarray<Framework...>(a.raw_data(), static_cast<size_t>(a.ndim()), l.shape, owner_of(a), l.strides, type,
                                     device_type, a.get_device().index());
}

// Exports a read-only array read-only (NumPy then refuses writes too).
template <class Framework>
nb::object export_ndarray(const array& a, nb::dlpack::dtype type) {
    if (a.is_read_only()) return nb::cast(as_nb_ndarray<Framework, nb::ro>(a, type));
    return nb::cast(as_nb_ndarray<Framework>(a, type));
}

// Wraps foreign memory described by a nanobind ndarray; the storage keeps the producer alive.
template <class... Config>
array from_nb_ndarray(const nb::ndarray<Config...>& nd, device& dev, bool read_only) {
    dtype type = from_dlpack_dtype(nd.dtype());
    shape_t shape;
    strides_t strides;
    for (size_t i = 0; i < nd.ndim(); ++i) {
        shape.push_back(static_cast<int64_t>(nd.shape(i)));
        strides.push_back(nd.stride(i) * itemsize_of(type));
    }
    auto* keep = new nb::ndarray<Config...>(nd);
    std::shared_ptr<void> data(const_cast<void*>(static_cast<const void*>(nd.data())), [keep](void*) {
        nb::gil_scoped_acquire gil;
        delete keep;
    });
    array a = array::from_data(shape, strides, type, dev, std::move(data));
    if (read_only) a.set_read_only();
    return a;
}

// The single element of a size-1 array as a Python bool, int or float.
nb::object item(const array& a, const char* op) {
    if (a.size() != 1)
        throw_error<dimension_error>(op, ": only arrays of size 1 can be converted to Python scalars, got shape ",
                                     a.shape());
    scalar value = as_scalar(a);
    switch (value.kind()) {
        case dtype_kind::bool_:
            return nb::bool_(value.to<bool>());
        case dtype_kind::float_:
            return nb::float_(value.to<double>());
        default:
            return nb::int_(value.to<int64_t>());
    }
}

// Shape arguments given as f(2, 3) or f((2, 3)).
shape_t shape_from_args(const nb::args& args) {
    if (args.size() == 1) return to_shape(args[0]);
    shape_t shape;
    for (nb::handle h : args) shape.push_back(to_dimension(h));
    return shape;
}

int getbuffer(PyObject* exporter, Py_buffer* view, int flags) {
    try {
        const array& a = *nb::inst_ptr<array>(nb::handle(exporter));
        if (!a.get_device().is_host() || a.dtype() == dtype::bfloat16) {
            PyErr_SetString(PyExc_BufferError, "chainerx: only native arrays of NumPy dtypes export a buffer");
            return -1;
        }
        nb::object nd = export_ndarray<nb::numpy>(a, dlpack_dtype(a.dtype()));
        return PyObject_GetBuffer(nd.ptr(), view, flags);
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_BufferError, e.what());
        return -1;
    }
}

// The deleter of memory borrowed through the buffer protocol; a named type, so that the cycle
// collector can find the exporting object (array_traverse).
struct buffer_release {
    Py_buffer* buffer;
    void operator()(void*) const {
        nb::gil_scoped_acquire gil;
        PyBuffer_Release(buffer);
        delete buffer;
    }
};

// Python's cycle collector sees the Python objects that an ndarray's C++ parts own: the object whose
// buffer its memory is, and the chainer.FunctionNode of the op that created it (an output stored on
// its own FunctionNode is a cycle). A part is followed only while nothing else owns it (use_count 1),
// so each object is visited once, by the one ndarray that owns the path to it; a shared path is not
// followed, which can only keep garbage alive, never free a live object.
template <class T>
bool sole(const std::shared_ptr<T>& p) {
    return p && p.use_count() == 1;
}

const array* owned_array(PyObject* self) {
    auto [ready, owned] = nb::inst_state(self);  // owned: not a reference to someone else's array
    if (!ready || !owned) return nullptr;
    const array* a = nb::inst_ptr<array>(self);
    return sole(a->body_ptr()) ? a : nullptr;
}

int array_traverse(PyObject* self, visitproc visit, void* arg) {
    Py_VISIT(Py_TYPE(self));
    const array* a = owned_array(self);
    if (!a) return 0;
    const array_body& body = *a->body();
    if (const auto* release = sole(body.data) ? std::get_deleter<buffer_release>(body.data) : nullptr)
        Py_VISIT(release->buffer->obj);
    if (sole(body.graph))
        for (const graph_entry& e : body.graph->entries)
            if (sole(e.node) && sole(e.node->creator))
                if (int r = visit_chainer_op(*e.node->creator, visit, arg)) return r;
    return 0;
}

// Breaks what array_traverse followed into the graph: a garbage array's graph (the exporter of its
// memory breaks its own references).
int array_clear(PyObject* self) {
    if (const array* a = owned_array(self); a && sole(a->body()->graph)) a->body()->graph.reset();
    return 0;
}

PyType_Slot array_slots[] = {{Py_bf_getbuffer, reinterpret_cast<void*>(getbuffer)},
                             {Py_tp_traverse, reinterpret_cast<void*>(array_traverse)},
                             {Py_tp_clear, reinterpret_cast<void*>(array_clear)},
                             {0, nullptr}};

constexpr const char* ndarray_doc =
    R"(An n-dimensional array on a device, with define-by-run autograd (ChainerX's ndarray).

ndarray(shape, dtype, device=None) allocates an uninitialized array of the given shape and dtype on
the device (None: the default device); chainerx.array, chainerx.zeros and the other creation
routines are the usual way to make arrays. Native arrays of NumPy dtypes export the buffer
protocol, and every array supports __array__ and DLPack.)";

}  // namespace

nb::object to_numpy(const array& a, bool copy) {
    array host = copy_to_device(a, a.get_device().get_context().get_device("native", 0));
    bool is_bf16 = a.dtype() == dtype::bfloat16;
    nb::object view = export_ndarray<nb::numpy>(host, dlpack_dtype(is_bf16 ? dtype::int16 : a.dtype()));
    if (is_bf16) view = view.attr("view")(dtype_object(dtype::bfloat16));
    if (copy && host.same_body(a)) return view.attr("copy")(nb::arg("order") = "K");
    return view;
}

namespace {
// The dtype of a buffer's struct-module format, for the formats NumPy arrays export.
std::optional<dtype> dtype_of_format(const char* format, Py_ssize_t itemsize) {
    if (*format == '@' || *format == '=' || *format == '<') ++format;
    if (format[0] == '\0' || format[1] != '\0') return std::nullopt;
    switch (format[0]) {
        case '?':
            return dtype::bool_;
        case 'b':
            return dtype::int8;
        case 'B':
            return dtype::uint8;
        case 'h':
            return dtype::int16;
        case 'i':
            return itemsize == 4 ? std::optional(dtype::int32) : std::nullopt;
        case 'l':
        case 'q':
            return itemsize == 8 ? std::optional(dtype::int64) : std::nullopt;
        case 'e':
            return dtype::float16;
        case 'f':
            return dtype::float32;
        case 'd':
            return dtype::float64;
        default:
            return std::nullopt;
    }
}

// Zero-copy view of a NumPy array through the buffer protocol; the buffer (and so the NumPy
// array) is released when the last chainerx array using the memory goes away.
std::optional<array> from_numpy_buffer(nb::handle np_array) {
    auto view = std::make_unique<Py_buffer>();
    if (PyObject_GetBuffer(np_array.ptr(), view.get(), PyBUF_RECORDS_RO) != 0) {
        PyErr_Clear();
        return std::nullopt;
    }
    std::optional<dtype> type = dtype_of_format(view->format, view->itemsize);
    if (!type || view->ndim > max_ndim) {
        PyBuffer_Release(view.get());
        return std::nullopt;
    }
    shape_t shape(view->ndim);
    strides_t strides(view->ndim);
    for (int i = 0; i < view->ndim; ++i) {
        shape[i] = view->shape[i];
        strides[i] = view->strides[i];
    }
    void* data = view->buf;
    bool read_only = view->readonly != 0;  // a non-writeable NumPy array, bytes, a read-only memory map
    std::shared_ptr<void> storage(data, buffer_release{view.release()});
    array a =
        array::from_data(shape, strides, *type, get_default_context().get_device("native", 0), std::move(storage));
    if (read_only) a.set_read_only();
    return a;
}

// NumPy arrays that export no buffer (bfloat16 from ml_dtypes) or an unusual one.
array from_numpy_fallback(nb::object np_array) {
    std::string kind = nb::cast<std::string>(np_array.attr("dtype").attr("kind"));
    std::string name = nb::cast<std::string>(np_array.attr("dtype").attr("name"));
    if (name == "bfloat16") {
        if (auto bits = from_numpy_buffer(np_array.attr("view")("int16"))) {
            array a = array::from_data(bits->shape(), bits->strides(), dtype::bfloat16, bits->get_device(),
                                       bits->data(), bits->offset());
            if (bits->is_read_only()) a.set_read_only();
            return a;
        }
    }
    if (kind == "b" || kind == "i" || kind == "u" || kind == "f") {
        // Non-native byte order and the like: let NumPy convert to a native layout first.
        nb::object converted = np_array.attr("astype")(np_array.attr("dtype").attr("newbyteorder")("="));
        if (auto a = from_numpy_buffer(converted)) return *a;
    }
    throw_error<dtype_error>("cannot convert an array of dtype ", name, " to chainerx");
}
}  // namespace

array to_array(nb::handle obj, std::optional<dtype> type, bool copy, device* dev) {
    array* existing;
    array result;
    bool fresh = false;
    if (nb::try_cast<array*>(obj, existing) && existing) {
        result = *existing;
    } else {
        // Leaked on purpose: a static object would be released after the interpreter is gone.
        static nb::handle numpy = nb::module_::import_("numpy").release();
        static nb::handle ndarray_type = nb::object(numpy.attr("ndarray")).release();
        nb::object np_array = PyObject_TypeCheck(obj.ptr(), reinterpret_cast<PyTypeObject*>(ndarray_type.ptr()))
                                  ? nb::borrow(obj)
                                  : numpy.attr("asarray")(obj);
        std::optional<array> wrapped = from_numpy_buffer(np_array);
        result = wrapped ? *wrapped : from_numpy_fallback(np_array);
        if (!dev) dev = &get_default_device();  // ChainerX: new arrays go to the default device
    }
    if (type && *type != result.dtype()) {
        result = astype(result, *type);
        fresh = true;
    }
    if (dev && &result.get_device() != dev) {
        result = copy_to_device(result, *dev);
        fresh = true;
    }
    if (copy && !fresh) result = chainerx::copy(result);
    return result;
}

void init_array(nb::module_& m) {
    auto cls = nb::class_<array>(m, "ndarray", nb::type_slots(array_slots), nb::is_weak_referenceable(), ndarray_doc);
    cls.def(
           "__init__",
           [](array* self, nb::handle shape, nb::handle type, nb::handle dev) {
               new (self) array(empty(to_shape(shape), to_dtype(type), to_device(dev)));
           },
           nb::arg("shape"), nb::arg("dtype"), nb::arg("device") = nb::none(),
           "Allocates an uninitialized array of the given shape and dtype on device (None: the default device).")
        .def_prop_ro(
            "shape",
            [](const array& a) {
                return nb::tuple(nb::cast(std::vector<int64_t>(a.shape().begin(), a.shape().end())));
            },
            "The length of each axis, a tuple of ints.")
        .def_prop_ro(
            "strides",
            [](const array& a) {
                return nb::tuple(nb::cast(std::vector<int64_t>(a.strides().begin(), a.strides().end())));
            },
            "The bytes to step along each axis, a tuple of ints (NumPy's convention).")
        .def_prop_ro("offset", &array::offset, "The byte offset of the first element within the underlying memory.")
        .def_prop_ro(
            "dtype", [](const array& a) { return dtype_object(a.dtype()); },
            "The element type, a numpy.dtype (ml_dtypes' bfloat16 for bfloat16 arrays).")
        .def_prop_ro(
            "device", [](const array& a) -> device& { return a.get_device(); }, nb::rv_policy::reference,
            "The Device that holds the array's memory.")
        .def_prop_ro("size", &array::size, "The number of elements (the product of the shape).")
        .def_prop_ro("nbytes", &array::nbytes, "The number of bytes the elements take (size * itemsize).")
        .def_prop_ro("itemsize", &array::itemsize, "The size of one element in bytes.")
        .def_prop_ro("ndim", &array::ndim, "The number of dimensions (axes).")
        .def_prop_ro("is_contiguous", &array::is_contiguous,
                     "Whether the array is C-contiguous (axes of length 1 ignored, as NumPy's flag).")
        .def_prop_ro(
            "T", [](const array& a) { return transpose(a); },
            "The array with its axes reversed, a view (transpose()); differentiable.")
        .def_prop_ro(
            "data_ptr", [](const array& a) { return reinterpret_cast<intptr_t>(a.raw_data()); },
            "The address of the first element (the memory's address plus offset), an int.")
        .def_prop_ro("data_size", &array::nbytes, "The number of bytes the elements take (the same as nbytes).")
        .def_prop_ro("_debug_data_memory_address",
                     [](const array& a) { return reinterpret_cast<intptr_t>(a.data().get()); })
        .def(
            "view", [](const array& a) { return a.make_view(a.shape(), a.strides(), a.offset()); },
            "Returns a new array object sharing this array's memory, shape and strides.\n\n"
            "The view is not connected to this array's graphs: gradients do not flow through it (ChainerX's "
            "view is differentiable).")
        .def(
            "copy", [](const array& a) { return chainerx::copy(a); },
            "Returns a copy, laid out as NumPy's copy(order='K') lays it out; differentiable.")
        .def(
            "astype", [](const array& a, nb::handle type, bool copy) { return astype(a, to_dtype(type), copy); },
            nb::arg("dtype"), nb::arg("copy") = true,
            "Returns the array cast to dtype (a dtype or a dtype name).\n\n"
            "With copy=False the array itself is returned when it already has that dtype; otherwise a new array is "
            "made. Differentiable: the gradient is cast back to this array's dtype.")
        .def(
            "fill",
            [](const array& a, nb::handle value) {
                auto s = to_scalar(value);
                if (!s) throw nb::type_error("fill: value must be a scalar");
                fill(a, *s);
            },
            nb::arg("value"),
            "Sets every element to value (a Python or NumPy scalar, converted to the array's dtype), in place.\n\n"
            "Raises ChainerxError on a broadcast view (elements that share memory). Not recorded for backprop.")
        .def(
            "item", [](const array& a) { return item(a, "item"); },
            "Returns the only element of a size-1 array as a Python bool, int or float.\n\n"
            "Raises DimensionError for other sizes (NumPy raises ValueError).")
        .def("__bool__", [](const array& a) { return PyObject_IsTrue(item(a, "bool").ptr()) == 1; })
        .def("__int__", [](const array& a) { return nb::int_(item(a, "int")); })
        .def("__float__", [](const array& a) { return nb::float_(item(a, "float")); })
        .def("__len__",
             [](const array& a) {
                 if (a.ndim() == 0) throw nb::type_error("len() of unsized object");
                 return a.shape()[0];
             })
        .def(
            "reshape", [](const array& a, nb::args shape) { return reshape(a, shape_from_args(shape)); },
            nb::arg("newshape"),
            "Returns the data in a new shape: a view when the layout allows one, else a copy.\n\n"
            "newshape is a tuple (a.reshape((2, 3))) or separate ints (a.reshape(2, 3)); one dimension may be -1 "
            "(inferred). DimensionError when the sizes differ. Differentiable.")
        .def(
            "transpose",
            [](const array& a, nb::args axes) {
                if (axes.size() == 0 || (axes.size() == 1 && axes[0].is_none())) return transpose(a);
                return transpose(a, shape_from_args(axes));
            },
            nb::arg("axes"),
            "Returns a view with the axes permuted: reversed when no axes (or None) are given.\n\n"
            "axes is a tuple (a.transpose((1, 0))) or separate ints (a.transpose(1, 0)). Differentiable.")
        .def(
            "swapaxes", [](const array& a, int_arg axis1, int_arg axis2) { return swapaxes(a, axis1, axis2); },
            nb::arg("axis1"), nb::arg("axis2"),
            "Returns a view with the axes axis1 and axis2 interchanged; differentiable.")
        .def(
            "squeeze", [](const array& a, nb::handle axis) { return squeeze(a, to_optional_axes(axis)); },
            nb::arg("axis") = nb::none(),
            "Returns a view without length-1 axes: all of them when axis is None, else the given int or ints.\n\n"
            "DimensionError when a selected axis does not have length 1. Differentiable.")
        .def("ravel", &ravel,
             "Returns the elements as a 1-d array in C order: a view when the layout allows one, else a copy; "
             "differentiable.")
        .def(
            "flatten",
            [](const array& a) {
                array out = empty({a.size()}, a.dtype(), a.get_device());
                copy_into(reshape(out, a.shape()), a);
                return out;
            },
            "Returns a new 1-d array with the elements in C order (always a copy).\n\n"
            "The copy is not recorded for backprop (use ravel or reshape to keep the graph).")
        .def(
            "to_device",
            [](const array& a, nb::handle d, std::optional<int> index) {
                device* dev;
                if (nb::try_cast<device*>(d, dev) && dev) return to_device(a, *dev);
                return to_device(a, get_default_context().get_device(nb::cast<std::string>(d), index.value_or(-1)));
            },
            nb::arg("device"), nb::arg("index") = nb::none(),
            "Returns the array on another device: itself when it is already there, else a copy.\n\n"
            "Args:\n"
            "    device: a Device, or a device or backend name ('native:1', 'cuda').\n"
            "    index: the device index when device is a backend name (default 0).\n\n"
            "The copy is differentiable, as in ChainerX: its gradient goes back to the source device.")
        .def("__dlpack__",
             [](const array& a, nb::kwargs) {
                 // An unversioned DLPack capsule, which every consumer accepts.
                 return nb::cast(as_nb_ndarray<>(a, dlpack_dtype(a.dtype())));
             })
        .def("__dlpack_device__",
             [](const array& a) { return nb::make_tuple(a.get_device().dlpack_device_type(), a.get_device().index()); })
        .def(
            "__array__",
            [](const array& a, nb::handle type, nb::handle copy) {
                nb::object out = to_numpy(a, copy.is_valid() && !copy.is_none() && nb::cast<bool>(copy));
                if (type.is_valid() && !type.is_none()) out = out.attr("astype")(type, nb::arg("copy") = false);
                return out;
            },
            nb::arg("dtype") = nb::none(), nb::arg("copy") = nb::none());
    cls.attr("__array_priority__") = 100.0;

    m.def("to_numpy", &to_numpy, nb::arg("array"), nb::arg("copy") = true,
          "Converts array to a numpy.ndarray (bfloat16 arrays give ml_dtypes.bfloat16 ones).\n\n"
          "With copy=False the result of a native array shares its memory; arrays on other devices are always "
          "copied to the host.");
    m.def(
        "from_dlpack",
        [](nb::handle obj) {
            auto import = [](const auto& nd, bool read_only) {
                device& dev = nd.device_type() == nb::device::cpu::value
                                  ? get_default_context().get_device("native", 0)
                                  : get_default_context().get_device("cuda", nd.device_id());
                return from_nb_ndarray(nd, dev, read_only);
            };
            // A writable import first: it asks for a versioned capsule, whose flags tell a read-only
            // tensor, and fails for one; that one is imported read-only.
            nb::ndarray<> writable;
            if (nb::try_cast(obj, writable)) return import(writable, false);
            return import(nb::cast<nb::ndarray<nb::ro>>(obj), true);
        },
        nb::arg("x"),
        "Imports x, any object supporting DLPack (__dlpack__), as an ndarray without copying.\n\n"
        "CPU memory becomes a native:0 array, CUDA memory a cuda array of the same device id. The result shares "
        "x's memory, keeps x alive, and has no graph.");
    m.def("_wrap_numpy", [](nb::handle obj) { return to_array(obj, std::nullopt, false, nullptr); });
}

}  // namespace chainerx::python
