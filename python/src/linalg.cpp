// Linear algebra: dot, matmul (and the @ operators), tensordot, einsum, and chainerx.linalg.
#include "chainerx/routines/linalg.hpp"
#include "chainerx/routines/einsum.hpp"
#include "chainerx/routines/products.hpp"

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
    const char* dot_doc = R"(Dot product of two arrays (NumPy's dot).

Args:
    a: first array (for the ndarray method, the array itself).
    b: second array.
Returns:
    a * b when either is 0-d; otherwise the sum over the last axis of a and the second-to-last
    axis of b (the only one when b is 1-d), of shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:].
    The dtype is the operands' promoted dtype (16-bit floats compute in float32). Native device
    only. Differentiable (backprop and double backprop).)";
    const char* matmul_doc = R"(Matrix product of two arrays (NumPy's matmul, the @ operator).

Args:
    a: first array, at least 1-d: a stack of matrices in its last two axes (1-d: a row vector).
    b: second array, at least 1-d (1-d: a column vector). The batch axes broadcast together.
Returns:
    The stack of products; the axes added for 1-d operands are removed. 0-d operands raise
    DimensionError (use multiply). The dtype is the operands' promoted dtype (16-bit floats compute
    in float32). Native device only. Differentiable (backprop and double backprop).)";
    m.def("dot", [](const array& a, const array& b) { return dot(a, b); }, nb::arg("a"), nb::arg("b"), dot_doc);
    m.def(
        "matmul", [](const array& a, const array& b) { return matmul(a, b); }, nb::arg("a"), nb::arg("b"), matmul_doc);

    m.def(
        "tensordot",
        [](const array& a, const array& b, nb::handle axes) {
            if (PyIndex_Check(axes.ptr())) return tensordot(a, b, to_int64(axes));
            if (!PySequence_Check(axes.ptr()) || nb::len(axes) != 2)
                throw nb::type_error("tensordot: axes must be an int or a pair of axis sequences");
            auto axis_list = [](nb::handle h) { return PyIndex_Check(h.ptr()) ? shape_t{to_int64(h)} : to_shape(h); };
            return tensordot(a, b, axis_list(axes[0]), axis_list(axes[1]));
        },
        nb::arg("a"), nb::arg("b"), nb::arg("axes") = 2,
        R"(Tensor dot product: sums the products of a and b over the given axes (NumPy's tensordot).

Args:
    a: first array.
    b: second array.
    axes: an int n, to sum over the last n axes of a and the first n of b, or a pair
        (axes_a, axes_b) of ints or int sequences, summed pairwise.
Returns:
    An array with a's remaining axes, then b's, in the operands' promoted dtype. Differentiable
    (backprop and double backprop).)");
    m.def(
        "einsum",
        [](const std::string& subscripts, nb::args operands) {
            std::vector<array> arrays;
            for (nb::handle h : operands) arrays.push_back(to_array_arg(h, "einsum"));
            return einsum(subscripts, arrays);
        },
        nb::arg("subscripts"), nb::arg("operands"),
        R"(Einstein summation over the operands, as NumPy's einsum (an extension over ChainerX).

Args:
    subscripts: NumPy's subscripts: one comma-separated term of letters per operand, with an
        explicit output after '->' ('ij,jk->ik') or the implicit one (the labels used once, in
        alphabetical order); '...' stands for broadcast axes, and a label repeated in one term
        takes a diagonal.
    operands: the chainerx.ndarray operands, as positional arguments.
Returns:
    An array in the operands' promoted dtype, contracted left to right with one matrix product per
    step. Differentiable (backprop and double backprop).)");

    // chainerx.linalg (python/chainerx/linalg.py re-exports these).
    nb::module_ lm = m.def_submodule("_linalg", "LAPACK-backed linear algebra (see chainerx.linalg).");
    lm.def("_is_lapack_available", &linalg::is_lapack_available);
    lm.def(
        "solve", [](const array& a, const array& b) { return linalg::solve(a, b); }, nb::arg("a"), nb::arg("b"),
        R"(Solves the linear system a @ x = b for x.

Args:
    a: square matrices (..., n, n).
    b: a vector (n,), the right-hand side of every system, or matrices (..., n, k) whose batch
        axes broadcast with a's.
Returns:
    x, of b's shape with the broadcast batch axes. Singular matrices raise ChainerxError.
    Differentiable (backprop and double backprop).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "inv", [](const array& a) { return linalg::inv(a); }, nb::arg("a"),
        R"(Inverse of a square matrix, or of each matrix of a stack.

Args:
    a: square matrices (..., n, n).
Returns:
    The inverses, of a's shape. Singular matrices raise ChainerxError. Differentiable (backprop
    and double backprop).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "det", [](const array& a) { return linalg::det(a); }, nb::arg("a"),
        R"(Determinant of a square matrix, or of each matrix of a stack.

Args:
    a: square matrices (..., n, n).
Returns:
    The determinants, of shape a.shape[:-2] (computed by LU factorization). Differentiable
    (backprop and double backprop; the gradient needs a invertible).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "slogdet",
        [](const array& a) {
            auto [sign, logdet] = linalg::slogdet(a);
            return nb::make_tuple(sign, logdet);
        },
        nb::arg("a"),
        R"(Sign and natural logarithm of the absolute determinant of square matrices.

Args:
    a: square matrices (..., n, n).
Returns:
    (sign, logabsdet), each of shape a.shape[:-2]: sign is 1, -1, or 0 for a singular matrix
    (logabsdet is then -inf). Differentiable through logabsdet (backprop and double backprop).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "cholesky", [](const array& a) { return linalg::cholesky(a); }, nb::arg("a"),
        R"(Cholesky factor L (a = L @ L.T, L lower triangular) of symmetric positive-definite matrices.

Args:
    a: symmetric positive-definite matrices (..., n, n); only their lower triangle is read.
Returns:
    L, of a's shape. A matrix that is not positive definite raises ChainerxError. Differentiable
    (backprop and double backprop).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
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
        nb::arg("a"), nb::arg("UPLO") = "L",
        R"(Eigenvalues and eigenvectors of symmetric matrices.

Args:
    a: symmetric matrices (..., n, n).
    UPLO: 'L' to read the lower triangle of a, 'U' the upper one.
Returns:
    (w, v): the eigenvalues in ascending order (..., n) and the eigenvectors as the columns of
    v (..., n, n). Differentiable (backprop and double backprop; the eigenvectors' gradient is not
    finite for repeated eigenvalues).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "eigvalsh",
        [uplo_char](const array& a, const std::string& uplo) { return linalg::eigvalsh(a, uplo_char(uplo)); },
        nb::arg("a"), nb::arg("UPLO") = "L",
        R"(Eigenvalues of symmetric matrices.

Args:
    a: symmetric matrices (..., n, n).
    UPLO: 'L' to read the lower triangle of a, 'U' the upper one.
Returns:
    The eigenvalues in ascending order, of shape (..., n). Differentiable (through eigh).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "svd",
        [](const array& a, bool full_matrices, bool compute_uv) -> nb::object {
            linalg::svd_result r = linalg::svd(a, full_matrices, compute_uv);
            if (!compute_uv) return nb::cast(r.s);
            return nb::make_tuple(r.u, r.s, r.vh);
        },
        nb::arg("a"), nb::arg("full_matrices") = true, nb::arg("compute_uv") = true,
        R"(Singular value decomposition a = u @ diag(s) @ vh of matrices.

Args:
    a: matrices (..., m, n).
    full_matrices: u of shape (..., m, m) and vh (..., n, n) if True, else (..., m, k) and
        (..., k, n) with k = min(m, n).
    compute_uv: return (u, s, vh) if True, s alone if False.
Returns:
    The singular values s (..., k) in descending order, with u and vh when compute_uv is True.
    Differentiable (backprop and double backprop), except with full_matrices=True for non-square
    matrices, whose backward raises ChainerxError (as in ChainerX).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "pinv", [](const array& a, double rcond) { return linalg::pinv(a, rcond); }, nb::arg("a"),
        nb::arg("rcond") = 1e-15,
        R"(Moore-Penrose pseudo-inverse of matrices, computed from their SVD.

Args:
    a: matrices (..., m, n).
    rcond: singular values at most rcond times the largest one count as zero.
Returns:
    The pseudo-inverses (..., n, m). Differentiable (backprop and double backprop).
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");
    lm.def(
        "qr",
        [](const array& a, const std::string& mode) -> nb::object {
            linalg::qr_result r = linalg::qr(a, mode);
            if (mode == "r") return nb::cast(r.r);
            return nb::make_tuple(r.q, r.r);
        },
        nb::arg("a"), nb::arg("mode") = "reduced",
        R"(QR factorization a = q @ r of matrices, q orthonormal and r upper triangular.

Args:
    a: matrices (..., m, n); k = min(m, n).
    mode: 'reduced' for (q, r) of shapes (..., m, k) and (..., k, n); 'complete' for (..., m, m)
        and (..., m, n); 'r' for r alone (..., k, n); 'raw' for NumPy's (h, tau).
Returns:
    As mode says. Differentiable (backprop and double backprop) when m >= n, except mode 'raw' and
    'complete' with m > n.
    bool and integers compute in float32; float16 and bfloat16 raise DtypeError. Native device only.)");

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
        nb::arg("keepdims") = false,
        R"(Vector or matrix norm, as NumPy's linalg.norm.

Args:
    x: input array.
    ord: the order: None, a number (inf and -inf included), 'fro' or 'nuc'. Vectors take any
        number; matrices take 'fro', 'nuc', 1, -1, 2, -2, inf and -inf.
    axis: None, an int (vector norms along it) or a pair of ints (matrix norms over them). With
        None, the 2-norm of the flattened x if ord is None, else the norm of a 1-d or 2-d x.
    keepdims: keep the normed axes, with length 1.
Returns:
    The norms, in x's float dtype (bool and integers compute in float32; float16 and bfloat16
    raise DtypeError). Differentiable (backprop and double backprop).)");

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
            check_inplace("matmul", &self);
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
