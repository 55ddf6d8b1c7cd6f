// Linear algebra: dot, matmul (and the @ operators), tensordot, einsum, and chainerx.linalg.
#include "chainerx/routines/linalg.hpp"

#include "common.hpp"

namespace chainerx::python {

namespace {
// The other operand of @: an ndarray, or a scalar (refused by matmul as 0-d, as NumPy refuses it).
std::optional<array> matmul_operand(nb::handle other, const array& self) {
    array* a;
    if (nb::try_cast<array*>(other, a) && a) return *a;
    if (auto s = to_scalar(other)) return full({}, *s, s->default_dtype(), self.get_device());
    return std::nullopt;
}
}  // namespace

void init_linalg(nb::module_& m) {
    const char* dot_doc =
        "Dot product: multiply for 0-d operands, else a sum over the last axis of a and the "
        "second-to-last axis of b (NumPy's dot).";
    const char* matmul_doc = "Matrix product of stacks of matrices with broadcast batch axes (NumPy's matmul).";
    m.def("dot", [](const array& a, const array& b) { return dot(a, b); }, nb::arg("a"), nb::arg("b"), dot_doc);
    m.def(
        "matmul", [](const array& a, const array& b) { return matmul(a, b); }, nb::arg("a"), nb::arg("b"), matmul_doc);

    m.def(
        "tensordot",
        [](const array& a, const array& b, nb::handle axes) {
            if (PyIndex_Check(axes.ptr())) return tensordot(a, b, nb::cast<int64_t>(nb::int_(axes)));
            if (!PySequence_Check(axes.ptr()) || nb::len(axes) != 2)
                throw nb::type_error("tensordot: axes must be an int or a pair of axis sequences");
            auto axis_list = [](nb::handle h) {
                return PyIndex_Check(h.ptr()) ? shape_t{nb::cast<int64_t>(nb::int_(h))} : to_shape(h);
            };
            return tensordot(a, b, axis_list(axes[0]), axis_list(axes[1]));
        },
        nb::arg("a"), nb::arg("b"), nb::arg("axes") = 2,
        "Sum of products over the last `axes` axes of a and the first of b, or over the axes of a pair of lists.");
    m.def(
        "einsum",
        [](const std::string& subscripts, nb::args operands) {
            std::vector<array> arrays;
            for (nb::handle h : operands) arrays.push_back(nb::cast<array>(h));
            return einsum(subscripts, arrays);
        },
        nb::arg("subscripts"), nb::arg("operands"),
        "Einstein summation (NumPy's subscripts: '->' output, implicit output, '...', repeated labels).");

    // chainerx.linalg (python/chainerx/linalg.py re-exports these).
    nb::module_ lm = m.def_submodule("_linalg", "LAPACK-backed linear algebra (see chainerx.linalg).");
    lm.def("_is_lapack_available", &linalg::is_lapack_available);
    lm.def(
        "solve", [](const array& a, const array& b) { return linalg::solve(a, b); }, nb::arg("a"), nb::arg("b"),
        "Solution x of a @ x = b for square a (b a vector or a stack of matrices).");
    lm.def("inv", [](const array& a) { return linalg::inv(a); }, nb::arg("a"), "Inverse of square matrices.");
    lm.def("det", [](const array& a) { return linalg::det(a); }, nb::arg("a"), "Determinant of square matrices.");
    lm.def(
        "slogdet",
        [](const array& a) {
            auto [sign, logdet] = linalg::slogdet(a);
            return nb::make_tuple(sign, logdet);
        },
        nb::arg("a"), "(sign, log|det|) of square matrices.");
    lm.def(
        "cholesky", [](const array& a) { return linalg::cholesky(a); }, nb::arg("a"),
        "Lower Cholesky factor of symmetric positive-definite matrices.");
    auto uplo_char = [](const std::string& uplo) {
        if (uplo != "L" && uplo != "U")
            throw_error<chainerx_error>("linalg: UPLO must be 'L' or 'U', got '", uplo, "'");
        return uplo[0];
    };
    lm.def(
        "eigh",
        [uplo_char](const array& a, const std::string& uplo) {
            auto [w, v] = linalg::eigh(a, uplo_char(uplo));
            return nb::make_tuple(w, v);
        },
        nb::arg("a"), nb::arg("UPLO") = "L", "Eigenvalues (ascending) and eigenvectors of symmetric matrices.");
    lm.def(
        "eigvalsh",
        [uplo_char](const array& a, const std::string& uplo) { return linalg::eigvalsh(a, uplo_char(uplo)); },
        nb::arg("a"), nb::arg("UPLO") = "L", "Eigenvalues (ascending) of symmetric matrices.");
    lm.def(
        "svd",
        [](const array& a, bool full_matrices, bool compute_uv) -> nb::object {
            linalg::svd_result r = linalg::svd(a, full_matrices, compute_uv);
            if (!compute_uv) return nb::cast(r.s);
            return nb::make_tuple(r.u, r.s, r.vh);
        },
        nb::arg("a"), nb::arg("full_matrices") = true, nb::arg("compute_uv") = true,
        "Singular value decomposition (u, s, vh), or s alone when compute_uv is False.");
    lm.def(
        "pinv", [](const array& a, double rcond) { return linalg::pinv(a, rcond); }, nb::arg("a"),
        nb::arg("rcond") = 1e-15, "Moore-Penrose pseudo-inverse (singular values below rcond * max dropped).");
    lm.def(
        "qr",
        [](const array& a, const std::string& mode) -> nb::object {
            linalg::qr_result r = linalg::qr(a, mode);
            if (mode == "r") return nb::cast(r.r);
            return nb::make_tuple(r.q, r.r);
        },
        nb::arg("a"), nb::arg("mode") = "reduced",
        "QR factorization: (q, r) for 'reduced' and 'complete', r for 'r', (h, tau) for 'raw'.");

    lm.def(
        "norm",
        [](const array& x, nb::handle ord, nb::handle axis, bool keepdims) {
            linalg::norm_order order;
            if (nb::isinstance<nb::str>(ord)) {
                std::string name = nb::cast<std::string>(ord);
                if (name != "fro" && name != "nuc")
                    throw_error<chainerx_error>("linalg.norm: invalid norm order '", name, "'");
                order.type = name == "fro" ? linalg::norm_order::kind::fro : linalg::norm_order::kind::nuc;
            } else if (!ord.is_none()) {
                order = linalg::norm_order::number(nb::cast<double>(nb::float_(ord)));
            }
            return linalg::norm(x, order, to_optional_axes(axis), keepdims);
        },
        nb::arg("x"), nb::arg("ord").none() = nb::none(), nb::arg("axis").none() = nb::none(),
        nb::arg("keepdims") = false, "Vector or matrix norm (NumPy's ord, axis and keepdims).");

    nb::handle cls = nb::type<array>();
    cls.attr("dot") = nb::cpp_function([](const array& a, const array& b) { return dot(a, b); }, nb::is_method(),
                                       nb::name("dot"), nb::scope(cls), nb::arg("b"), dot_doc);
    cls.attr("__matmul__") = nb::cpp_function(
        [](const array& self, nb::handle other) -> nb::object {
            auto o = matmul_operand(other, self);
            if (!o) return nb::borrow(Py_NotImplemented);
            return nb::cast(matmul(self, *o));
        },
        nb::is_method(), nb::name("__matmul__"), nb::scope(cls), nb::arg("other").none());
    cls.attr("__rmatmul__") = nb::cpp_function(
        [](const array& self, nb::handle other) -> nb::object {
            auto o = matmul_operand(other, self);
            if (!o) return nb::borrow(Py_NotImplemented);
            return nb::cast(matmul(*o, self));
        },
        nb::is_method(), nb::name("__rmatmul__"), nb::scope(cls), nb::arg("other").none());
    // a @= b writes the product into a, which must keep its shape (as NumPy requires).
    cls.attr("__imatmul__") = nb::cpp_function(
        [](nb::handle self_obj, nb::handle other) -> nb::object {
            const array& self = nb::cast<const array&>(self_obj);
            auto o = matmul_operand(other, self);
            if (!o) return nb::borrow(Py_NotImplemented);
            detail::check_inplace("matmul", &self);
            array product = matmul(self, *o);
            if (!(product.shape() == self.shape()))
                throw_error<dimension_error>("matmul: in-place product of shape ", product.shape(),
                                             " does not fit the output of shape ", self.shape());
            copy_into(self, product);
            return nb::borrow(self_obj);
        },
        nb::is_method(), nb::name("__imatmul__"), nb::scope(cls), nb::arg("other").none());
}

}  // namespace chainerx::python
