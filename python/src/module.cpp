// chainerx._core: module definition, exception translation, GIL hooks and the dtype/scalar/shape
// conversions every binding uses; and the cast kernels, compiled here only (python/CMakeLists.txt).
#define CHAINERX_CAST_KERNELS_DEFINE
#include "common.hpp"

#if defined(CHAINERX_WITH_CUDA)
#include "chainerx/device/cuda.hpp"
#endif

namespace chainerx::python {

void init_rnn(nb::module_& m);

namespace {
// Python objects cached for the life of the process are leaked on purpose: static nb::objects
// would be released after the interpreter has shut down.
nb::handle numpy() {
    static nb::handle module = nb::module_::import_("numpy").release();
    return module;
}

nb::handle& dtype_cache(dtype d) {
    static nb::handle cache[num_builtin_dtypes];
    if (!is_builtin(d)) throw_error<dtype_error>("dtype ", dtype_name(d), " has no NumPy dtype");
    return cache[static_cast<int>(d)];
}
}  // namespace

nb::object dtype_object(dtype d) {
    nb::handle& cached = dtype_cache(d);
    if (!cached.is_valid()) {
        if (d == dtype::bfloat16) {
            try {
                cached = numpy().attr("dtype")(nb::module_::import_("ml_dtypes").attr("bfloat16")).release();
            } catch (nb::python_error&) {
                throw_error<dtype_error>("bfloat16 arrays need the ml_dtypes package to be converted to NumPy");
            }
        } else {
            cached = numpy().attr("dtype")(nb::str(std::string(dtype_name(d)).c_str())).release();
        }
    }
    return nb::borrow(cached);
}

dtype to_dtype(nb::handle h) {
    // Fast path: one of the cached numpy.dtype objects or their scalar types.
    for (int i = 0; i < num_builtin_dtypes; ++i) {
        nb::handle cached = dtype_cache(static_cast<dtype>(i));
        if (cached.is_valid() && (h.is(cached) || h.is(cached.attr("type")))) return static_cast<dtype>(i);
    }
    if (nb::isinstance<nb::str>(h)) {
        std::string name = nb::cast<std::string>(h);
        if (name == "bfloat16") return dtype::bfloat16;
    }
    nb::object np_dtype;
    try {
        np_dtype = numpy().attr("dtype")(h);
    } catch (nb::python_error& e) {
        throw_error<dtype_error>("invalid dtype specifier: ", nb::cast<std::string>(nb::repr(h)));
    }
    std::string name = nb::cast<std::string>(np_dtype.attr("name"));
    if (name == "bool") return dtype::bool_;
    for (int i = 0; i < num_builtin_dtypes; ++i)
        if (name == dtype_name(static_cast<dtype>(i))) return static_cast<dtype>(i);
    throw_error<dtype_error>("unsupported dtype: ", name);
}

std::optional<dtype> to_optional_dtype(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    return to_dtype(h);
}

std::optional<scalar> to_scalar(nb::handle h) {
    PyObject* o = h.ptr();
    if (PyBool_Check(o)) return scalar(o == Py_True);
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow) {
            PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to a chainerx scalar");
            throw nb::python_error();
        }
        return scalar(static_cast<int64_t>(v));
    }
    if (PyFloat_Check(o)) return scalar(PyFloat_AS_DOUBLE(o));
    static nb::handle generic = nb::object(numpy().attr("generic")).release();
    if (PyObject_IsInstance(o, generic.ptr()) == 1) {
        std::string kind = nb::cast<std::string>(h.attr("dtype").attr("kind"));
        if (kind == "b") return scalar(PyObject_IsTrue(o) == 1);
        if (kind == "i" || kind == "u") return scalar(to_int64(h));
        if (kind == "f" || kind == "V") return scalar(nb::cast<double>(nb::float_(h)));
    }
    return std::nullopt;
}

operand to_operand(nb::handle h, const char* op) {
    array* a;
    if (nb::try_cast<array*>(h, a) && a) return *a;
    if (auto s = to_scalar(h)) return *s;
    throw nb::type_error((std::string(op) + ": expected a chainerx.ndarray or a scalar, got " +
                          nb::cast<std::string>(nb::str(h.type().attr("__name__"))))
                             .c_str());
}

const array& to_array_arg(nb::handle h, const char* op) {
    array* a;
    if (nb::try_cast<array*>(h, a) && a) return *a;
    throw nb::type_error((std::string(op) + ": expected a chainerx.ndarray, got " +
                          nb::cast<std::string>(nb::str(h.type().attr("__name__"))))
                             .c_str());
}

device& to_device(nb::handle h) {
    if (h.is_none()) return get_default_device();
    device* d;
    if (nb::try_cast<device*>(h, d) && d) return *d;
    if (nb::isinstance<nb::str>(h)) return get_device(nb::cast<std::string>(h));
    throw nb::type_error("expected a chainerx.Device, a device name or None");
}

int64_t to_int64(nb::handle h, PyObject* overflow_type, const char* overflow_message) {
    nb::object index = nb::steal(PyNumber_Index(h.ptr()));  // TypeError for non-integers
    if (!index.is_valid()) throw nb::python_error();
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow) {
        PyErr_SetString(overflow_type, overflow_message);
        throw nb::python_error();
    }
    if (v == -1 && PyErr_Occurred()) throw nb::python_error();
    return static_cast<int64_t>(v);
}

int64_t to_dimension(nb::handle h) {
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
        throw nb::type_error("expected a shape: an int or a sequence of ints");
    return to_int64(h, PyExc_ValueError, "Maximum allowed dimension exceeded");  // NumPy's error
}

namespace {
// An int, or a sequence of ints, as a dims list (a shape or axes), each int read by `element`.
template <class Element>
dims to_dims(nb::handle h, Element element, const char* expected) {
    if (PyIndex_Check(h.ptr())) return dims{element(h)};
    if (!PySequence_Check(h.ptr()) || PyUnicode_Check(h.ptr())) throw nb::type_error(expected);
    dims list;
    for (nb::handle item : h) list.push_back(element(item));
    return list;
}
}  // namespace

shape_t to_shape(nb::handle h) { return to_dims(h, to_dimension, "expected a shape: an int or a sequence of ints"); }

std::optional<axes_t> to_optional_axes(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    const char* expected = "expected an axis: None, an int or a sequence of ints";
    auto to_axis = [expected](nb::handle item) {
        if (PyBool_Check(item.ptr()) || !PyIndex_Check(item.ptr())) throw nb::type_error(expected);
        return to_int64(item);  // OverflowError beyond int64, as NumPy's
    };
    return to_dims(h, to_axis, expected);
}

namespace {
void translate_exception(const std::exception_ptr& p, void*) {
    static nb::handle module = nb::module_::import_("chainerx._core");
    auto raise = [&](const char* name, const std::exception& e) { PyErr_SetString(module.attr(name).ptr(), e.what()); };
    try {
        std::rethrow_exception(p);
    } catch (const read_only_error& e) {
        raise("_ReadOnlyError", e);
    } catch (const index_error& e) {
        PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const context_error& e) {
        raise("ContextError", e);
    } catch (const backend_error& e) {
        raise("BackendError", e);
    } catch (const device_error& e) {
        raise("DeviceError", e);
    } catch (const dimension_error& e) {
        raise("DimensionError", e);
    } catch (const dtype_error& e) {
        raise("DtypeError", e);
    } catch (const not_implemented_error& e) {
        raise("NotImplementedError", e);
    } catch (const gradient_check_error& e) {
        raise("GradientCheckError", e);
    } catch (const gradient_error& e) {
        raise("GradientError", e);
    } catch (const chainerx_error& e) {
        raise("ChainerxError", e);
    }
}

// ChainerX's nine exception classes. ChainerX's binding derives each from Exception; here, as in
// ChainerX's C++, they derive from ChainerxError (so `except chainerx.ChainerxError` catches all),
// and NotImplementedError also from the builtin NotImplementedError.
void register_exceptions(nb::module_& m) {
    struct exception_class {
        const char* name;
        const char* doc;
    };
    static const exception_class classes[] = {
        {"ContextError", "Raised for an invalid context or backprop id (e.g. releasing the default id)."},
        {"BackendError", "Raised when a backend is unknown or unavailable (e.g. 'cuda' without a CUDA device)."},
        {"DeviceError", "Raised for a bad device name or index, or arrays on different devices in one op."},
        {"DimensionError", "Raised when shapes or numbers of dimensions do not fit an op."},
        {"DtypeError", "Raised when a dtype is unsupported by an op or a dtype specifier is invalid."},
        {"NotImplementedError",
         "Raised for a feature chainerx lacks (e.g. an op on a device without its kernels); "
         "also a builtin NotImplementedError."},
        {"GradientError", "Raised when a gradient cannot be computed or set (e.g. a shape or dtype mismatch)."},
        {"GradientCheckError", "Raised by check_backward and check_double_backward when gradients disagree."},
    };
    nb::object base = nb::steal(PyErr_NewExceptionWithDoc(
        "chainerx.ChainerxError", "Base class of every chainerx error (ChainerX's ChainerxError).", PyExc_Exception,
        nullptr));
    m.attr("ChainerxError") = base;
    for (const exception_class& c : classes) {
        nb::object bases = std::string(c.name) == "NotImplementedError"
                               ? nb::object(nb::make_tuple(base, nb::handle(PyExc_NotImplementedError)))
                               : base;
        m.attr(c.name) = nb::steal(
            PyErr_NewExceptionWithDoc((std::string("chainerx.") + c.name).c_str(), c.doc, bases.ptr(), nullptr));
    }
    // A write into a read-only array: a ValueError, as NumPy raises, and a ChainerxError, as the
    // refused writes into broadcast views always raised.
    nb::object read_only_bases = nb::make_tuple(base, nb::handle(PyExc_ValueError));
    m.attr("_ReadOnlyError") = nb::steal(PyErr_NewExceptionWithDoc(
        "chainerx._ReadOnlyError", "Raised for a write into a read-only array (a ChainerxError and a ValueError).",
        read_only_bases.ptr(), nullptr));
}

nb::dict build_info() {
    nb::dict info;
#if defined(__clang__)
    info["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    info["compiler"] = std::string("GCC ") + __VERSION__;
#else
    info["compiler"] = "unknown";
#endif
    info["c++ standard"] = std::to_string(__cplusplus);
    info["blas"] = blas_description();
    info["lapack"] = linalg::is_lapack_available() ? "yes" : "no";
    info["openmp threads"] = std::to_string(max_threads());
#if defined(CHAINERX_WITH_CUDA)
    info["cuda support"] = "built";
    info["cuda devices"] = cuda::describe_devices();
#else
    info["cuda support"] = "not built (no CUDA compiler when chainerx was built)";
#endif
    return info;
}

// Lets other Python threads run while a long kernel executes (only if this thread holds the GIL).
void* release_gil() { return PyGILState_Check() ? PyEval_SaveThread() : nullptr; }
void reacquire_gil(void* state) {
    if (state) PyEval_RestoreThread(static_cast<PyThreadState*>(state));
}
}  // namespace

}  // namespace chainerx::python

NB_MODULE(_core, m) {
    using namespace chainerx::python;
    m.doc() = "chainerx core: arrays, devices and routines (C++ bindings)";
    register_exceptions(m);
    m.def("_build_info", &build_info,
          "What a bug report needs: version-independent facts of this build (compiler, C++ standard, BLAS and its "
          "threads, OpenMP threads, whether CUDA support was built and the CUDA devices visible), as a dict of str. "
          "python -m chainerx prints it.");
    nb::register_exception_translator(translate_exception);
    chainerx::get_long_running_hooks() = {release_gil, reacquire_gil};
#if defined(CHAINERX_WITH_CUDA)
    chainerx::cuda::register_backend();
#endif
    init_device(m);
    init_array(m);
    init_creation(m);
    init_math_unary(m);
    init_math_binary(m);
    init_reduction(m);
    init_autograd(m);
    init_linalg(m);
    init_manipulation(m);
    init_indexing(m);
    init_activation(m);
    init_connection(m);
    init_rnn(m);
    init_chainer_interop(m);
}
