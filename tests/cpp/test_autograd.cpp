// Autograd from C++: gradients, graphs freeing themselves, deep chains, modes and gradient checks.
#include <gtest/gtest.h>

#include <memory>

#include "chainerx/chainerx.hpp"

namespace chainerx {
namespace {

double first(const array& a) { return detail::to_host_doubles(a)[0]; }

TEST(Autograd, BackwardThroughBroadcast) {
    array x = full({2, 3}, 2.0, dtype::float32);
    array b = full({3}, 1.0, dtype::float32);
    require_grad(x);
    require_grad(b);
    backward({multiply(add(x, b), x)});
    EXPECT_DOUBLE_EQ(first(*get_grad(x)), 5.0);
    EXPECT_EQ(get_grad(b)->shape(), (shape_t{3}));
    EXPECT_DOUBLE_EQ(first(*get_grad(b)), 4.0);
}

TEST(Autograd, GraphFreesItselfWhenOutputsAreDropped) {
    std::weak_ptr<array_body> intermediate;
    std::weak_ptr<array_node> node;
    array x = full({4}, 1.5, dtype::float64);
    require_grad(x);
    {
        array h = exp(x);
        intermediate = h.body_ptr();
        array y = multiply(h, x);
        node = y.body()->graph->entries[0].node;
        EXPECT_FALSE(node.expired());
    }
    EXPECT_TRUE(node.expired());
    EXPECT_TRUE(intermediate.expired());
}

// A recorded gradient of a leaf refers to the leaf's graph node, not to the leaf: x -> x.grad ->
// its graph -> the backward function of x * x must not lead back to x's body.
TEST(Autograd, RecordedGradientDoesNotOwnItsLeaf) {
    std::weak_ptr<array_body> leaf;
    {
        array x = full({3}, 2.0, dtype::float64);
        require_grad(x);
        leaf = x.body_ptr();
        backward({sum(multiply(multiply(x, x), sin(x)))}, default_backprop_id(), true);
        ASSERT_TRUE(get_grad(x).has_value());
        EXPECT_TRUE(is_backprop_required(*get_grad(x)));
    }
    EXPECT_TRUE(leaf.expired());
}

// When an array a backward function keeps is gone, the function rebuilds it on the same memory and
// graph nodes: the recorded gradient still reaches the graph behind it.
TEST(Autograd, KeptArrayIsRebuiltOnItsNodes) {
    array x = full({2}, 3.0, dtype::float64);
    require_grad(x);
    array y;
    {
        array h = multiply(x, 2.0);
        y = multiply(h, h);  // keeps h
    }
    auto gx = grad({sum(y)}, {x}, default_backprop_id(), true);  // 8x, recorded through h's node
    ASSERT_TRUE(gx[0].has_value());
    EXPECT_DOUBLE_EQ(first(*gx[0]), 24.0);
    backward({sum(*gx[0])});
    EXPECT_DOUBLE_EQ(first(*get_grad(x)), 8.0);
}

TEST(Autograd, DeepChainBackpropsAndFrees) {
    array x = full({1}, 1.0, dtype::float32);
    require_grad(x);
    array y = x;
    for (int i = 0; i < 100000; ++i) y = add(y, 0.0);
    backward({y});
    EXPECT_DOUBLE_EQ(first(*get_grad(x)), 1.0);
    y = array();  // dropping the graph must not recurse 100,000 levels deep
}

TEST(Autograd, NoRecordingWithoutGraphOrInNoBackpropMode) {
    array a = ones({2}, dtype::float32);
    EXPECT_EQ(add(a, a).body()->graph, nullptr);
    require_grad(a);
    {
        no_backprop_mode off;
        EXPECT_EQ(add(a, a).body()->graph, nullptr);
        force_backprop_mode on;
        EXPECT_NE(add(a, a).body()->graph, nullptr);
    }
}

TEST(Autograd, BackpropIdsAreIndependent) {
    backprop_scope s1("one"), s2("two");
    array x = full({1}, 3.0, dtype::float64);
    require_grad(x, s1.id());
    require_grad(x, s2.id());
    array y = square(x);
    backward({y}, s1.id());
    EXPECT_DOUBLE_EQ(first(*get_grad(x, s1.id())), 6.0);
    EXPECT_FALSE(get_grad(x, s2.id()).has_value());
    EXPECT_THROW(release_backprop_id(default_backprop_id()), context_error);
}

TEST(Autograd, AsGradStoppedViewOrCopyForAllOrSomeGraphs) {
    backprop_scope s1("one"), s2("two");
    array x = full({2}, 3.0, dtype::float32);
    require_grad(x, s1.id());
    require_grad(x, s2.id());
    array view = as_grad_stopped(x), copied = as_grad_stopped(x, true), not_copied = as_grad_stopped(x, false);
    EXPECT_EQ(view.raw_data(), x.raw_data());
    EXPECT_EQ(not_copied.raw_data(), x.raw_data());
    EXPECT_NE(copied.raw_data(), x.raw_data());
    for (const array& a : {view, copied, not_copied}) EXPECT_EQ(a.body()->graph, nullptr);
    EXPECT_EQ(as_scalar(sum(copied)).to<double>(), 6.0);
    array partial = as_grad_stopped(x, {s1.id()}), partial_copy = as_grad_stopped(x, {s1.id()}, true);
    EXPECT_EQ(partial.raw_data(), x.raw_data());
    EXPECT_NE(partial_copy.raw_data(), x.raw_data());
    for (const array& a : {partial, partial_copy}) {
        EXPECT_FALSE(is_backprop_required(a, s1.id()));
        EXPECT_TRUE(is_backprop_required(a, s2.id()));
    }
}

TEST(Autograd, InPlaceOnGraphArrayIsRefused) {
    array x = ones({2}, dtype::float32);
    require_grad(x);
    EXPECT_THROW(add(x, 1, &x), chainerx_error);
    EXPECT_THROW(require_grad(ones({2}, dtype::int32)), dtype_error);
}

TEST(Autograd, InPlaceOnArrayKeptForBackwardIsRefused) {
    array x = full({2}, 3.0, dtype::float32);  // a constant: no graph of its own
    array w = require_grad(ones({2}, dtype::float32));
    array y = multiply(x, w);  // keeps x: the gradient of w is x
    EXPECT_THROW(add(x, 1, &x), chainerx_error);
    EXPECT_THROW(copyto(x, zeros({2}, dtype::float32)), chainerx_error);
    array view = as_grad_stopped(x);
    EXPECT_THROW(add(view, 0, &view), chainerx_error);  // the same memory through another body
    EXPECT_THROW(fill(view, 0), chainerx_error);
    EXPECT_EQ(as_scalar(sum(x)).to<double>(), 6.0);  // nothing was written
    array sum_only = add(w, x);                      // add reads no input values, so keeps nothing
    y = array();                                     // dropping the graph releases x
    add(x, 1, &x);
    backward({sum_only});
    EXPECT_EQ(get_grad(w)->shape(), shape_t({2}));
}

TEST(Autograd, KeptMemoryIsWritableAfterBackward) {
    array x = full({2}, 3.0, dtype::float32);
    array w = require_grad(ones({2}, dtype::float32));
    array y = multiply(x, w);
    array view = as_grad_stopped(x);
    EXPECT_THROW(add(view, 1, &view), chainerx_error);
    backward({y});  // the pass has used what the node kept
    add(view, 1, &view);
    EXPECT_EQ(as_scalar(sum(x)).to<double>(), 8.0);
    EXPECT_EQ(as_scalar(sum(*get_grad(w))).to<double>(), 6.0);
}

TEST(Autograd, BackpropModeScopesEndingOutOfOrder) {
    auto outer = std::make_unique<force_backprop_mode>();
    auto inner = std::make_unique<no_backprop_mode>();
    EXPECT_FALSE(is_backprop_required(default_backprop_id()));
    outer.reset();  // out of order: the inner scope stays in force
    EXPECT_FALSE(is_backprop_required(default_backprop_id()));
    inner.reset();
    EXPECT_TRUE(is_backprop_required(default_backprop_id()));
}

TEST(Autograd, CheckBackwardAndDoubleBackward) {
    array x = linspace(0.2, 1.4, 6, true, dtype::float64);
    array gy = linspace(-1.0, 1.0, 6, true, dtype::float64);
    differentiable_function f = [](const std::vector<array>& in) {
        return std::vector<array>{multiply(tanh(in[0]), exp(in[0]))};
    };
    check_backward(f, {x}, {gy}, 1e-6, 1e-6, 1e-6);
    check_double_backward(f, {x}, {gy}, {gy}, 1e-6, 1e-5, 1e-5);
    differentiable_function wrong = [](const std::vector<array>& in) {
        return std::vector<array>{multiply(in[0], as_grad_stopped(in[0]))};
    };
    EXPECT_THROW(check_backward(wrong, {x}, {gy}, 1e-6, 1e-6, 1e-6), gradient_check_error);
}

}  // namespace
}  // namespace chainerx
