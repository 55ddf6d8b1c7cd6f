// Recurrent cells and networks (routines/rnn.hpp) from C++: values against scalar transcriptions of
// Chainer's equations, gradients, and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "chainerx/routines/rnn.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::expect_near;
using testing::make;
using testing::to_values;
using testing::values_t;

double sig(double x) { return 1 / (1 + std::exp(-x)); }

TEST(RnnTest, LstmValuesWithInterleavedGates) {
    // 2 units, 3 rows of c, 2 rows of x: the last row of c passes through.
    values_t cv{0.5, -0.2, 0.1, 0.3, 0.9, -0.9};
    values_t xv{0.1, 0.2, -0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 1.0, -1.0, 0.5, 0.25, 0.3, 0.2, -0.1, -0.6};
    array c = make({3, 2}, dtype::float64, cv), x = make({2, 8}, dtype::float64, xv);
    std::vector<array> out = lstm(c, x);
    values_t c_expected, h_expected;
    for (int b = 0; b < 2; ++b) {
        for (int j = 0; j < 2; ++j) {
            const double* g = &xv[b * 8 + j * 4];  // a, i, f, o of unit j
            double cn = std::tanh(g[0]) * sig(g[1]) + sig(g[2]) * cv[b * 2 + j];
            c_expected.push_back(cn);
            h_expected.push_back(sig(g[3]) * std::tanh(cn));
        }
    }
    c_expected.push_back(0.9);
    c_expected.push_back(-0.9);
    EXPECT_EQ(out[0].shape(), (shape_t{3, 2}));
    EXPECT_EQ(out[1].shape(), (shape_t{2, 2}));
    expect_near(to_values(out[0]), c_expected, 1e-14);
    expect_near(to_values(out[1]), h_expected, 1e-14);
}

TEST(RnnTest, LstmGradients) {
    array c = make({2, 1}, dtype::float64, {0.3, -0.6});
    array x = make({2, 4}, dtype::float64, {0.1, -0.4, 0.8, 0.2, -0.7, 0.5, 0.3, -0.2});
    array gc = make({2, 1}, dtype::float64, {0.5, -1.0}), gh = make({2, 1}, dtype::float64, {0.2, 0.7});
    array ggc = make({2, 1}, dtype::float64, {-0.3, 0.4});
    array ggx = make({2, 4}, dtype::float64, {0.2, 0.1, -0.5, 0.3, 0.6, -0.2, 0.4, 0.1});
    auto f = [](const std::vector<array>& v) { return lstm(v[0], v[1]); };
    check_backward(f, {c, x}, {gc, gh}, 1e-6, 1e-6, 1e-6);
    check_double_backward(f, {c, x}, {gc, gh}, {ggc, ggx}, 1e-6, 1e-5, 1e-5);
}

TEST(RnnTest, NStepRnnVariableLengthOneUnit) {
    // One unit, one layer, tanh: h' = tanh(w0 x + b0 + w1 h + b1); batches 2 then 1.
    double w0 = 0.7, w1 = -0.4, b0 = 0.1, b1 = -0.3;
    std::vector<std::vector<array>> ws{{make({1, 1}, dtype::float64, {w0}), make({1, 1}, dtype::float64, {w1})}};
    std::vector<std::vector<array>> bs{{make({1}, dtype::float64, {b0}), make({1}, dtype::float64, {b1})}};
    array hx = make({1, 2, 1}, dtype::float64, {0.2, -0.5});
    std::vector<array> xs{make({2, 1}, dtype::float64, {1.0, -2.0}), make({1, 1}, dtype::float64, {0.5})};
    rnn_result r = n_step_rnn(1, hx, ws, bs, xs, "tanh");
    double h00 = std::tanh(w0 * 1.0 + b0 + w1 * 0.2 + b1), h01 = std::tanh(w0 * -2.0 + b0 + w1 * -0.5 + b1);
    double h10 = std::tanh(w0 * 0.5 + b0 + w1 * h00 + b1);
    EXPECT_FALSE(r.cy.defined());
    ASSERT_EQ(r.ys.size(), 2u);
    expect_near(to_values(r.ys[0]), {h00, h01}, 1e-14);
    expect_near(to_values(r.ys[1]), {h10}, 1e-14);
    EXPECT_EQ(r.hy.shape(), (shape_t{1, 2, 1}));
    expect_near(to_values(r.hy), {h10, h01}, 1e-14);  // the second sequence ended after one step

    // Bidirectional with the same weights both ways: the backward pass starts each sequence at its end.
    rnn_result bi = n_step_birnn(1, make({2, 2, 1}, dtype::float64, {0.2, -0.5, 0.2, -0.5}), {ws[0], ws[0]},
                                 {bs[0], bs[0]}, xs, "tanh");
    double g1 = std::tanh(w0 * 0.5 + b0 + w1 * 0.2 + b1);  // sequence 0 backward: x=0.5 then x=1.0
    double g0 = std::tanh(w0 * 1.0 + b0 + w1 * g1 + b1);
    expect_near(to_values(bi.ys[1]), {h10, g1}, 1e-14);
    expect_near(to_values(bi.ys[0]), {h00, g0, h01, h01}, 1e-14);  // sequence 1 has one step: same both ways
}

TEST(RnnTest, NStepGruGradients) {
    std::vector<std::vector<array>> ws(1), bs(1);
    for (int j = 0; j < 6; ++j) {
        ws[0].push_back(make({1, 1}, dtype::float64, {0.3 - 0.2 * j}));
        bs[0].push_back(make({1}, dtype::float64, {0.1 * j - 0.2}));
    }
    auto f = [](const std::vector<array>& v) {
        std::vector<std::vector<array>> w{{v.begin() + 1, v.begin() + 7}}, b{{v.begin() + 7, v.begin() + 13}};
        rnn_result r = n_step_gru(1, v[0], w, b, {v[13], v[14]});
        return std::vector<array>{r.hy, r.ys[0], r.ys[1]};
    };
    std::vector<array> inputs{make({1, 2, 1}, dtype::float64, {0.4, -0.3})};
    inputs.insert(inputs.end(), ws[0].begin(), ws[0].end());
    inputs.insert(inputs.end(), bs[0].begin(), bs[0].end());
    inputs.push_back(make({2, 1}, dtype::float64, {0.9, -0.8}));
    inputs.push_back(make({1, 1}, dtype::float64, {0.5}));
    check_backward(f, inputs,
                   {make({1, 2, 1}, dtype::float64, {0.3, -0.6}), make({2, 1}, dtype::float64, {1.0, 0.2}),
                    make({1, 1}, dtype::float64, {-0.4})},
                   1e-6, 1e-6, 1e-6);
}

TEST(RnnTest, Errors) {
    array c = make({2, 1}, dtype::float64, {0, 0});
    EXPECT_THROW(lstm(c, make({2, 3}, dtype::float64, {0, 0, 0, 0, 0, 0})), dimension_error);
    EXPECT_THROW(lstm(c, make({2, 4}, dtype::float32, std::vector<double>(8))), dtype_error);
    EXPECT_THROW(tree_lstm({c}), dimension_error);
    std::vector<std::vector<array>> ws{{make({1, 1}, dtype::float64, {1}), make({1, 1}, dtype::float64, {1})}};
    std::vector<std::vector<array>> bs{{make({1}, dtype::float64, {0}), make({1}, dtype::float64, {0})}};
    array hx = make({1, 1, 1}, dtype::float64, {0});
    std::vector<array> xs{make({1, 1}, dtype::float64, {1})};
    EXPECT_THROW(n_step_rnn(1, hx, ws, bs, xs, "sigmoid"), std::invalid_argument);
    EXPECT_THROW(n_step_rnn(2, hx, ws, bs, xs, "tanh"), dimension_error);
    EXPECT_THROW(n_step_gru(1, hx, ws, bs, xs), dimension_error);  // GRU needs 6 matrices
    EXPECT_THROW(n_step_rnn(1, hx, ws, bs, {}, "relu"), dimension_error);
    EXPECT_THROW(n_step_rnn(1, hx, ws, bs, {make({2, 1}, dtype::float64, {1, 2})}, "relu"), dimension_error);
}

}  // namespace
}  // namespace chainerx
