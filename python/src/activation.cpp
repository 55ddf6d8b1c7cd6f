// Activations, the softmax family, losses, accuracy and the random generator's primitives (wrapped
// by chainerx/random.py).
#include "common.hpp"

#include "chainerx/routines/activation.hpp"
#include "chainerx/routines/loss.hpp"
#include "chainerx/routines/random.hpp"

namespace chainerx::python {

namespace {
std::optional<int64_t> to_optional_label(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
        throw nb::type_error("accuracy: ignore_label must be an int or None");
    return nb::cast<int64_t>(nb::int_(h));
}

double to_double(nb::handle h, const char* op, const char* arg) {
    auto s = to_scalar(h);
    if (!s) throw nb::type_error((std::string(op) + ": " + arg + " must be a scalar").c_str());
    return s->to<double>();
}

shape_t size_shape(nb::handle size) { return size.is_none() ? shape_t() : to_shape(size); }
}  // namespace

void init_activation(nb::module_& m) {
    auto none = nb::none();
    m.def("relu", [](const array& x) { return relu(x); }, nb::arg("x"), "max(x, 0), elementwise.");
    m.def("sigmoid", [](const array& x) { return sigmoid(x); }, nb::arg("x"), "1 / (1 + exp(-x)), elementwise.");
    m.def(
        "leaky_relu",
        [](const array& x, nb::handle slope) { return leaky_relu(x, to_double(slope, "leaky_relu", "slope")); },
        nb::arg("x"), nb::arg("slope") = 0.2, "x where x >= 0, else slope * x.");
    m.def(
        "elu", [](const array& x, double alpha) { return elu(x, alpha); }, nb::arg("x"), nb::arg("alpha") = 1.0,
        "x where x > 0, else alpha * (exp(x) - 1).");
    m.def(
        "clipped_relu", [](const array& x, nb::handle z) { return clipped_relu(x, to_double(z, "clipped_relu", "z")); },
        nb::arg("x"), nb::arg("z") = 20.0, "min(max(x, 0), z), elementwise.");
    m.def(
        "crelu", [](const array& x, int64_t axis) { return crelu(x, axis); }, nb::arg("x"), nb::arg("axis") = 1,
        "relu of x and -x concatenated along axis.");
    m.def(
        "softplus", [](const array& x, double beta) { return softplus(x, beta); }, nb::arg("x"), nb::arg("beta") = 1.0,
        "log(1 + exp(beta * x)) / beta, computed stably.");
    m.def("gelu", [](const array& x) { return gelu(x); }, nb::arg("x"), "x * Phi(x) (exact GELU).");
    m.def("silu", [](const array& x) { return silu(x); }, nb::arg("x"), "x * sigmoid(x) (swish).");

    m.def(
        "logsumexp",
        [](const array& x, nb::handle axis, bool keepdims) { return logsumexp(x, to_optional_axes(axis), keepdims); },
        nb::arg("x"), nb::arg("axis").none() = none, nb::arg("keepdims") = false,
        "log(sum(exp(x))) over the axes (all axes when None), computed stably.");
    m.def(
        "log_softmax", [](const array& x, nb::handle axis) { return log_softmax(x, to_optional_axes(axis)); },
        nb::arg("x"), nb::arg("axis").none() = none, "log(softmax(x)) along the axes (axis 1 when None).");
    m.def(
        "softmax", [](const array& x, nb::handle axis) { return softmax(x, to_optional_axes(axis)); }, nb::arg("x"),
        nb::arg("axis").none() = none, "exp(x) / sum(exp(x)) along the axes (axis 1 when None).");

    m.def(
        "absolute_error", [](const array& x1, const array& x2) { return absolute_error(x1, x2); }, nb::arg("x1"),
        nb::arg("x2"), "|x1 - x2|, elementwise.");
    m.def(
        "squared_error", [](const array& x1, const array& x2) { return squared_error(x1, x2); }, nb::arg("x1"),
        nb::arg("x2"), "(x1 - x2) ** 2, elementwise.");
    m.def(
        "gaussian_kl_divergence",
        [](const array& mean, const array& ln_var) { return gaussian_kl_divergence(mean, ln_var); }, nb::arg("mean"),
        nb::arg("ln_var"), "KL divergence of N(mean, exp(ln_var)) from N(0, 1), elementwise.");
    m.def(
        "huber_loss",
        [](const array& x1, const array& x2, nb::handle delta) {
            return huber_loss(x1, x2, to_double(delta, "huber_loss", "delta"));
        },
        nb::arg("x1"), nb::arg("x2"), nb::arg("delta"), "Huber loss of x1 - x2, elementwise.");
    m.def(
        "sigmoid_cross_entropy", [](const array& x1, const array& x2) { return sigmoid_cross_entropy(x1, x2); },
        nb::arg("x1"), nb::arg("x2"), "Sigmoid cross entropy of logits x1 and labels x2 (-1: ignored), elementwise.");
    m.def(
        "softmax_cross_entropy", [](const array& x1, const array& x2) { return softmax_cross_entropy(x1, x2); },
        nb::arg("x1"), nb::arg("x2"), "Per-sample softmax cross entropy of x1 (N, K) and labels x2 (N,).");
    m.def(
        "hinge", [](const array& x1, const array& x2, double norm) { return hinge(x1, x2, norm); }, nb::arg("x1"),
        nb::arg("x2"), nb::arg("norm") = 1.0, "Hinge loss of x1 (N, K) and labels x2 (N,), shape (N, K).");
    m.def(
        "accuracy",
        [](const array& y, const array& t, nb::handle ignore_label) {
            return accuracy(y, t, to_optional_label(ignore_label));
        },
        nb::arg("y"), nb::arg("t"), nb::arg("ignore_label").none() = none,
        "Fraction of samples whose argmax over axis 1 of y equals t (0-d, y's dtype).");

    m.def(
        "_random_normal",
        [](double loc, double scale, nb::handle size, nb::handle type, nb::handle dev) {
            return random::normal(size_shape(size), loc, scale, to_optional_dtype(type).value_or(dtype::float64),
                                  to_device(dev));
        },
        nb::arg("loc"), nb::arg("scale"), nb::arg("size").none(), nb::arg("dtype").none(), nb::arg("device").none());
    m.def(
        "_random_uniform",
        [](double low, double high, nb::handle size, nb::handle type, nb::handle dev) {
            return random::uniform(size_shape(size), low, high, to_optional_dtype(type).value_or(dtype::float64),
                                   to_device(dev));
        },
        nb::arg("low"), nb::arg("high"), nb::arg("size").none(), nb::arg("dtype").none(), nb::arg("device").none());
    m.def(
        "_random_seed",
        [](nb::handle seed) {
            if (seed.is_none()) {
                random::default_generator().seed();
                return;
            }
            if (PyBool_Check(seed.ptr()) || !PyIndex_Check(seed.ptr()))
                throw nb::type_error("seed must be an int or None");
            nb::object index = nb::steal(PyNumber_Index(seed.ptr()));
            if (!index.is_valid()) throw nb::python_error();
            unsigned long long value = PyLong_AsUnsignedLongLong(index.ptr());
            if (value == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
                PyErr_Clear();
                throw nb::value_error("seed must be between 0 and 2**64 - 1");
            }
            random::seed(static_cast<uint64_t>(value));
        },
        nb::arg("seed").none());
}

}  // namespace chainerx::python
