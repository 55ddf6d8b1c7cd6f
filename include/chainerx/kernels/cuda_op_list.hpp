#pragma once

// X-macro lists of the elementwise functors in chainerx::ops (chainerx/routines/math.hpp) and
// their number of inputs, grouped by the translation unit of cuda/ that compiles their CUDA kernels.
// Both open doors read them: the CUDA backend puts a kernel of each op for every dtype it accepts
// into its kernel_table (cuda/elementwise.cuh), and register_dtype<T>() gives a user dtype the ops
// that T supports (chainerx/register_dtype.hpp). An op missing here raises not_implemented_error
// on CUDA devices and dtype_error for user dtypes; tests/cpp/test_cuda.cpp checks the CUDA table.

// unary.cu
#define CHAINERX_CUDA_UNARY_OPS(X) \
    X(negative, 1)                 \
    X(square, 1)                   \
    X(absolute, 1)                 \
    X(sign, 1)                     \
    X(logical_not, 1)              \
    X(isnan, 1)                    \
    X(isinf, 1)                    \
    X(isfinite, 1)

// float_math.cu: float dtypes only (four kernels each)
#define CHAINERX_CUDA_FLOAT_MATH_OPS(X) \
    X(sqrt, 1)                          \
    X(fabs, 1)                          \
    X(exp, 1)                           \
    X(expm1, 1)                         \
    X(exp2, 1)                          \
    X(log, 1)                           \
    X(log10, 1)                         \
    X(log2, 1)                          \
    X(log1p, 1)                         \
    X(erf, 1)                           \
    X(sin, 1)                           \
    X(cos, 1)                           \
    X(tan, 1)                           \
    X(arcsin, 1)                        \
    X(arccos, 1)                        \
    X(arctan, 1)                        \
    X(sinh, 1)                          \
    X(cosh, 1)                          \
    X(tanh, 1)                          \
    X(arcsinh, 1)                       \
    X(arccosh, 1)                       \
    X(arctanh, 1)                       \
    X(ceil, 1)                          \
    X(floor, 1)                         \
    X(fix, 1)                           \
    X(true_divide, 2)                   \
    X(arctan2, 2)

// arithmetic.cu
#define CHAINERX_CUDA_ARITHMETIC_OPS(X) \
    X(add, 2)                           \
    X(subtract, 2)                      \
    X(multiply, 2)                      \
    X(floor_divide, 2)                  \
    X(remainder, 2)                     \
    X(fmod, 2)                          \
    X(power, 2)                         \
    X(maximum, 2)                       \
    X(minimum, 2)                       \
    X(bitwise_and, 2)                   \
    X(bitwise_or, 2)                    \
    X(bitwise_xor, 2)                   \
    X(left_shift, 2)                    \
    X(right_shift, 2)

// comparison.cu
#define CHAINERX_CUDA_COMPARISON_OPS(X) \
    X(equal, 2)                         \
    X(not_equal, 2)                     \
    X(greater, 2)                       \
    X(greater_equal, 2)                 \
    X(less, 2)                          \
    X(less_equal, 2)                    \
    X(logical_and, 2)                   \
    X(logical_or, 2)                    \
    X(logical_xor, 2)                   \
    X(where, 3)

#define CHAINERX_CUDA_ALL_OPS(X)    \
    CHAINERX_CUDA_UNARY_OPS(X)      \
    CHAINERX_CUDA_FLOAT_MATH_OPS(X) \
    CHAINERX_CUDA_ARITHMETIC_OPS(X) \
    CHAINERX_CUDA_COMPARISON_OPS(X)
