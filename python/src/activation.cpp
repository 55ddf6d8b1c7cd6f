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
    return to_int64(h);
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
    // Every activation takes integer and bool x as float32 (ChainerX's rule) and is differentiable twice.
    m.def(
        "relu", [](const array& x) { return relu(x); }, nb::arg("x"),
        "Rectified linear unit of x: max(x, 0), elementwise.\n\n"
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "sigmoid", [](const array& x) { return sigmoid(x); }, nb::arg("x"),
        "Logistic sigmoid of x: 1 / (1 + exp(-x)), elementwise.\n\n"
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "leaky_relu",
        [](const array& x, nb::handle slope) { return leaky_relu(x, to_double(slope, "leaky_relu", "slope")); },
        nb::arg("x"), nb::arg("slope") = 0.2,
        "Leaky rectified linear unit: x where x >= 0, else slope * x, elementwise.\n\n"
        "slope is a scalar. Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "elu", [](const array& x, double alpha) { return elu(x, alpha); }, nb::arg("x"), nb::arg("alpha") = 1.0,
        "Exponential linear unit: x where x > 0, else alpha * (exp(x) - 1), elementwise.\n\n"
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "clipped_relu", [](const array& x, nb::handle z) { return clipped_relu(x, to_double(z, "clipped_relu", "z")); },
        nb::arg("x"), nb::arg("z") = 20.0,
        "Clipped rectified linear unit: min(max(x, 0), z), elementwise.\n\n"
        "z is a scalar. Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "crelu", [](const array& x, int_arg axis) { return crelu(x, axis); }, nb::arg("x"), nb::arg("axis") = 1,
        "Concatenated ReLU: relu of x and of -x, concatenated along axis (which doubles in length).\n\n"
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "softplus", [](const array& x, double beta) { return softplus(x, beta); }, nb::arg("x"), nb::arg("beta") = 1.0,
        "Softplus of x: log(1 + exp(beta * x)) / beta, elementwise, computed stably.\n\n"
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "gelu", [](const array& x) { return gelu(x); }, nb::arg("x"),
        "Gaussian error linear unit of x: x * Phi(x), Phi the standard normal CDF (exact, not the tanh form).\n\n"
        "Beyond ChainerX. Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "silu", [](const array& x) { return silu(x); }, nb::arg("x"),
        "Sigmoid linear unit (swish) of x: x * sigmoid(x), elementwise.\n\n"
        "Beyond ChainerX. Integer and bool inputs compute in float32. Differentiable (twice).");

    m.def(
        "logsumexp",
        [](const array& x, nb::handle axis, bool keepdims) { return logsumexp(x, to_optional_axes(axis), keepdims); },
        nb::arg("x"), nb::arg("axis").none() = none, nb::arg("keepdims") = false,
        "Computes log(sum(exp(x))) over the given axes, stably.\n\n"
        "axis: an int or a tuple of ints; None reduces all axes. keepdims keeps the reduced axes with length 1. "
        "Integer and bool inputs compute in float32. Differentiable (twice).");
    m.def(
        "log_softmax", [](const array& x, nb::handle axis) { return log_softmax(x, to_optional_axes(axis)); },
        nb::arg("x"), nb::arg("axis").none() = none,
        "Computes log(softmax(x)) along the given axes, stably.\n\n"
        "axis: an int or a tuple of ints; None is axis 1, as in ChainerX. Integer and bool inputs compute in "
        "float32. Differentiable (twice).");
    m.def(
        "softmax", [](const array& x, nb::handle axis) { return softmax(x, to_optional_axes(axis)); }, nb::arg("x"),
        nb::arg("axis").none() = none,
        "Computes the softmax exp(x) / sum(exp(x)) along the given axes, stably.\n\n"
        "axis: an int or a tuple of ints; None is axis 1, as in ChainerX. Integer and bool inputs compute in "
        "float32. Differentiable (twice).");

    m.def(
        "absolute_error", [](const array& x1, const array& x2) { return absolute_error(x1, x2); }, nb::arg("x1"),
        nb::arg("x2"), "Absolute error |x1 - x2|, elementwise (not reduced); differentiable.");
    m.def(
        "squared_error", [](const array& x1, const array& x2) { return squared_error(x1, x2); }, nb::arg("x1"),
        nb::arg("x2"), "Squared error (x1 - x2) ** 2, elementwise (not reduced); differentiable.");
    m.def(
        "gaussian_kl_divergence",
        [](const array& mean, const array& ln_var) { return gaussian_kl_divergence(mean, ln_var); }, nb::arg("mean"),
        nb::arg("ln_var"),
        "KL divergence of N(mean, exp(ln_var)) from N(0, 1), elementwise (not reduced); differentiable.\n\n"
        "(mean ** 2 + exp(ln_var) - ln_var - 1) / 2.");
    m.def(
        "huber_loss",
        [](const array& x1, const array& x2, nb::handle delta) {
            return huber_loss(x1, x2, to_double(delta, "huber_loss", "delta"));
        },
        nb::arg("x1"), nb::arg("x2"), nb::arg("delta"),
        "Huber loss of a = x1 - x2, elementwise (not reduced); differentiable.\n\n"
        "0.5 * a ** 2 where |a| < delta, else delta * (|a| - 0.5 * delta); delta is a scalar.");
    m.def(
        "sigmoid_cross_entropy", [](const array& x1, const array& x2) { return sigmoid_cross_entropy(x1, x2); },
        nb::arg("x1"), nb::arg("x2"),
        "Sigmoid cross entropy of logits x1 and binary labels x2, elementwise (not reduced).\n\n"
        "x2 has x1's shape and an integer dtype; labels equal to -1 are ignored (loss 0). Differentiable in x1.");
    m.def(
        "softmax_cross_entropy", [](const array& x1, const array& x2) { return softmax_cross_entropy(x1, x2); },
        nb::arg("x1"), nb::arg("x2"),
        "Softmax cross entropy of scores x1 (N, K) and integer labels x2 (N,), per sample (shape (N,)).\n\n"
        "-log(softmax(x1)[i, x2[i]]); labels outside [0, K) give 0. Differentiable (twice) in x1.");
    m.def(
        "hinge", [](const array& x1, const array& x2, double norm) { return hinge(x1, x2, norm); }, nb::arg("x1"),
        nb::arg("x2"), nb::arg("norm") = 1.0,
        "Hinge loss of scores x1 (N, K) and integer labels x2 (N,), not reduced (shape (N, K)).\n\n"
        "max(0, 1 - x1) at the true class and max(0, 1 + x1) elsewhere, to the power norm. Differentiable in x1.");
    m.def(
        "accuracy",
        [](const array& y, const array& t, nb::handle ignore_label) {
            return accuracy(y, t, to_optional_label(ignore_label));
        },
        nb::arg("y"), nb::arg("t"), nb::arg("ignore_label").none() = none,
        "Fraction of samples whose prediction argmax(y, axis=1) equals the label t, as a 0-d array of y's dtype.\n\n"
        "y: float scores (N, K, ...); t: integer labels (N, ...). Samples labelled ignore_label (an int, or None) "
        "are left out (0 when all are). Not differentiable.");

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
