// Tests of the CUDA backend (chainerx::cuda). Without a GPU only the error path runs; with one,
// results of CUDA kernels are compared with the native device's.
#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "chainerx/chainerx.hpp"
#include "chainerx/device/cuda.hpp"
#include "chainerx/routines/math.hpp"

namespace {

// The CUDA backend comes in through the registry, as a user's device would.
[[maybe_unused]] const bool cuda_registered = (chainerx::cuda::register_backend(), true);

int cuda_device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return n;
}

#define SKIP_WITHOUT_GPU() \
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device"

template <class T>
chainerx::array from_host(const std::vector<T>& values, const chainerx::shape_t& shape, chainerx::device& dev) {
    chainerx::array a = chainerx::empty(shape, chainerx::dtype_traits<T>::value, dev);
    dev.copy_from_host(a.raw_data(), values.data(), values.size() * sizeof(T));
    return a;
}

template <class T>
std::vector<T> to_host(const chainerx::array& a) {
    chainerx::array c = chainerx::ascontiguousarray(a);
    std::vector<T> values(static_cast<size_t>(c.size()));
    c.get_device().copy_to_host(values.data(), c.raw_data(), values.size() * sizeof(T));
    return values;
}

std::vector<float> iota_values(int n, float scale, float shift) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = scale * static_cast<float>(i) + shift;
    return v;
}

// Transposed view (non-contiguous) of a 2-d array.
chainerx::array transpose2d(const chainerx::array& a) {
    chainerx::shape_t shape{a.shape()[1], a.shape()[0]};
    chainerx::strides_t strides{a.strides()[1], a.strides()[0]};
    return a.make_view(shape, strides, a.offset());
}

template <class T>
void expect_close(const std::vector<T>& expected, const std::vector<T>& actual, double rtol) {
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        double e = static_cast<double>(expected[i]), g = static_cast<double>(actual[i]);
        EXPECT_NEAR(e, g, rtol * std::abs(e) + 1e-30) << "at index " << i;
    }
}

template <class... T>
struct type_list {};
using all_types =
    type_list<bool, int8_t, int16_t, int32_t, int64_t, uint8_t, chainerx::float16, float, double, chainerx::bfloat16>;
template <class T, size_t>
using repeat_t = T;

template <class Op, class T, size_t... K>
int missing_kernel(const chainerx::kernel_table& table, std::index_sequence<K...>) {
    if constexpr (std::is_invocable_v<const Op&, repeat_t<T, K>...>) {
        using Out = std::invoke_result_t<const Op&, repeat_t<T, K>...>;
        return table.find<chainerx::elementwise_kernel<Op, Out, repeat_t<T, K>...>>() ? 0 : 1;
    }
    return 0;
}
// Counts the dtypes of all_types that Op accepts with Arity inputs and that lack a kernel in `table`.
template <class Op, int Arity, class... T>
int missing_kernels(const chainerx::kernel_table& table, type_list<T...>) {
    return (missing_kernel<Op, T>(table, std::make_index_sequence<Arity>{}) + ...);
}
template <class To, class... From>
int missing_casts_into(const chainerx::kernel_table& table, type_list<From...>) {
    return (!table.find<chainerx::elementwise_kernel<chainerx::detail::cast_op<To>, To, From>>() + ...);
}
template <class... To>
int missing_casts(const chainerx::kernel_table& table, type_list<To...>) {
    return (missing_casts_into<To>(table, all_types{}) + ...);
}

}  // namespace

// Runs without a GPU: the kernel table the CUDA backend gets has every op for every dtype it supports.
TEST(CudaBackend, KernelTableIsComplete) {
    chainerx::kernel_table table;
    chainerx::cuda::add_kernels(table);
#define CHAINERX_TEST_MISSING_UNARY(name, ...) \
    EXPECT_EQ((missing_kernels<chainerx::ops::name, 1>(table, all_types{})), 0) << #name;
#define CHAINERX_TEST_MISSING_BINARY(name, ...) \
    EXPECT_EQ((missing_kernels<chainerx::ops::name, 2>(table, all_types{})), 0) << #name;
    CHAINERX_UNARY_OPS(CHAINERX_TEST_MISSING_UNARY)
    CHAINERX_BINARY_OPS(CHAINERX_TEST_MISSING_BINARY)
#undef CHAINERX_TEST_MISSING_UNARY
#undef CHAINERX_TEST_MISSING_BINARY
    EXPECT_EQ((missing_kernels<chainerx::ops::where, 3>(table, all_types{})), 0) << "where";
    EXPECT_EQ((missing_kernels<chainerx::detail::fill_op, 1>(table, all_types{})), 0);
    EXPECT_EQ(missing_casts(table, all_types{}), 0);
    EXPECT_GT(table.size(), 500u);
}

TEST(CudaBackend, NoDeviceRaisesBackendError) {
    if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
    chainerx::context ctx;
    EXPECT_THROW(ctx.get_backend("cuda"), chainerx::backend_error);
    EXPECT_THROW(ctx.get_device("cuda:0"), chainerx::backend_error);
    EXPECT_THROW(chainerx::get_device("cuda:0"), chainerx::backend_error);
    // The native backend still works after the failure.
    EXPECT_TRUE(ctx.get_device("native:0").is_host());
}

TEST(CudaBackend, Devices) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& dev = ctx.get_device("cuda:0");
    EXPECT_FALSE(dev.is_host());
    EXPECT_EQ(dev.dlpack_device_type(), 2);
    EXPECT_EQ(dev.name(), "cuda:0");
    EXPECT_EQ(&dev, &ctx.get_device("cuda", 0));
    EXPECT_EQ(ctx.get_backend("cuda").device_count(), cuda_device_count());
    EXPECT_THROW(ctx.get_device("cuda", cuda_device_count()), chainerx::device_error);
}

TEST(CudaBackend, AllocatorReusesBlocks) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& dev = ctx.get_device("cuda:0");
    void* first;
    {
        auto block = dev.allocate(1000);
        first = block.get();
        ASSERT_NE(first, nullptr);
    }
    auto again = dev.allocate(1000);
    EXPECT_EQ(again.get(), first);
    auto empty = dev.allocate(0);
    EXPECT_NE(empty.get(), nullptr);
}

TEST(CudaBackend, CopyRoundTrip) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& dev = ctx.get_device("cuda:0");
    std::vector<float> values = iota_values(1000, 0.5f, -3.0f);
    chainerx::array a = from_host(values, {10, 100}, dev);
    EXPECT_EQ(to_host<float>(a), values);
    dev.synchronize();
}

TEST(CudaElementwise, AddMatchesNative) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& gpu = ctx.get_device("cuda:0");
    chainerx::device& cpu = ctx.get_device("native:0");
    std::vector<float> x = iota_values(12 * 7, 0.25f, -5.0f);
    std::vector<float> y = iota_values(7, -1.5f, 2.0f);
    // Contiguous, broadcast, scalar and transposed (strided) operands.
    for (int variant = 0; variant < 4; ++variant) {
        auto run = [&](chainerx::device& dev) {
            chainerx::array a = from_host(x, {12, 7}, dev);
            chainerx::array b = from_host(y, {7}, dev);
            switch (variant) {
                case 0:
                    return chainerx::add(a, a);
                case 1:
                    return chainerx::add(a, b);
                case 2:
                    return chainerx::add(a, 2.5);
                default:
                    return chainerx::add(transpose2d(a), from_host(iota_values(12, 1.0f, 0.0f), {12}, dev));
            }
        };
        chainerx::array expected = run(cpu), actual = run(gpu);
        EXPECT_EQ(&actual.get_device(), &gpu);
        EXPECT_EQ(actual.shape(), expected.shape());
        EXPECT_EQ(actual.dtype(), chainerx::dtype::float32);
        EXPECT_EQ(to_host<float>(actual), to_host<float>(expected)) << "variant " << variant;
    }
}

TEST(CudaElementwise, ExpMatchesNative) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& gpu = ctx.get_device("cuda:0");
    chainerx::device& cpu = ctx.get_device("native:0");
    std::vector<float> x = iota_values(3 * 4 * 5, 0.1f, -3.0f);
    chainerx::array expected = chainerx::exp(from_host(x, {3, 4, 5}, cpu));
    chainerx::array actual = chainerx::exp(from_host(x, {3, 4, 5}, gpu));
    expect_close(to_host<float>(expected), to_host<float>(actual), 1e-6);
    // Integer input computes in float32; a float64 input stays float64.
    std::vector<int32_t> xi{-2, -1, 0, 1, 2, 3};
    chainerx::array ei = chainerx::exp(from_host(xi, {6}, cpu)), ai = chainerx::exp(from_host(xi, {6}, gpu));
    EXPECT_EQ(ai.dtype(), chainerx::dtype::float32);
    expect_close(to_host<float>(ei), to_host<float>(ai), 1e-6);
    std::vector<double> xd{-1.5, 0.0, 0.25, 10.0};
    chainerx::array ed = chainerx::exp(from_host(xd, {4}, cpu)), ad = chainerx::exp(from_host(xd, {4}, gpu));
    EXPECT_EQ(ad.dtype(), chainerx::dtype::float64);
    expect_close(to_host<double>(ed), to_host<double>(ad), 1e-14);
}

TEST(CudaElementwise, CastMatchesNative) {
    SKIP_WITHOUT_GPU();
    chainerx::context ctx;
    chainerx::device& gpu = ctx.get_device("cuda:0");
    chainerx::device& cpu = ctx.get_device("native:0");
    std::vector<float> x{-2.75f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 2.5f, 65504.0f, 1e6f, NAN};
    const chainerx::dtype targets[] = {chainerx::dtype::bool_,   chainerx::dtype::int8,    chainerx::dtype::int16,
                                       chainerx::dtype::int32,   chainerx::dtype::int64,   chainerx::dtype::uint8,
                                       chainerx::dtype::float16, chainerx::dtype::float64, chainerx::dtype::bfloat16};
    for (chainerx::dtype to : targets) {
        chainerx::array expected = chainerx::astype(from_host(x, {10}, cpu), to);
        chainerx::array actual = chainerx::astype(from_host(x, {10}, gpu), to);
        ASSERT_EQ(actual.dtype(), to);
        // Compare bytes: every cast is exact and deterministic (NaN and overflow included).
        size_t bytes = static_cast<size_t>(expected.nbytes());
        std::vector<unsigned char> eb(bytes), gb(bytes);
        cpu.copy_to_host(eb.data(), expected.raw_data(), bytes);
        gpu.copy_to_host(gb.data(), actual.raw_data(), bytes);
        EXPECT_EQ(eb, gb) << "cast float32 -> " << to;
    }
    // The fill kernel, and a strided copy (cast kernel with a 2-d strided input).
    chainerx::array filled = chainerx::full({3, 5}, 7, chainerx::dtype::int16, gpu);
    EXPECT_EQ(to_host<int16_t>(filled), std::vector<int16_t>(15, 7));
    chainerx::array t =
        transpose2d(chainerx::astype(from_host(iota_values(15, 1.0f, 0.0f), {3, 5}, gpu), chainerx::dtype::int32));
    std::vector<int32_t> transposed = to_host<int32_t>(t);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 3; ++j) EXPECT_EQ(transposed[i * 3 + j], j * 5 + i);
}
