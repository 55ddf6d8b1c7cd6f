// Bindings for routines/rnn: lstm, slstm, tree_lstm and the n_step_* networks. As in ChainerX, the
// n_step_* functions, slstm and tree_lstm take positional arguments only (no nb::arg names).
#include "common.hpp"

#include "chainerx/routines/rnn.hpp"

namespace chainerx::python {

namespace {

using array_lists = std::vector<std::vector<array>>;

nb::tuple pair_tuple(const std::vector<array>& c_h) { return nb::make_tuple(c_h[0], c_h[1]); }

nb::tuple with_cell(const rnn_result& r) { return nb::make_tuple(r.hy, r.cy, r.ys); }
nb::tuple without_cell(const rnn_result& r) { return nb::make_tuple(r.hy, r.ys); }

}  // namespace

void init_rnn(nb::module_& m) {
    m.def(
        "lstm", [](const array& c, const array& x) { return pair_tuple(lstm(c, x)); }, nb::arg("c"), nb::arg("x"),
        "LSTM cell: x (B, 4N) holds gates a, i, f, o interleaved; returns (c_new, h).");
    m.def(
        "slstm",
        [](const array& c1, const array& c2, const array& x1, const array& x2) {
            return pair_tuple(slstm(c1, c2, x1, x2));
        },
        "S-LSTM cell merging two children; returns (c, h).");
    m.def(
        "tree_lstm",
        [](nb::args args) {
            std::vector<array> arrays;
            for (nb::handle h : args) arrays.push_back(nb::cast<array>(h));
            return pair_tuple(tree_lstm(arrays));
        },
        "Tree-LSTM cell: tree_lstm(c1, ..., cn, x) with x holding gates a, i, o, f1..fn in blocks; returns (c, h).");
    m.def(
        "n_step_lstm",
        [](int64_t n_layers, const array& hx, const array& cx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return with_cell(n_step_lstm(n_layers, hx, cx, ws, bs, xs)); },
        "Stacked LSTM over variable-length sequences; returns (hy, cy, ys).");
    m.def(
        "n_step_bilstm",
        [](int64_t n_layers, const array& hx, const array& cx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return with_cell(n_step_bilstm(n_layers, hx, cx, ws, bs, xs)); },
        "Stacked bidirectional LSTM; returns (hy, cy, ys).");
    m.def(
        "n_step_gru",
        [](int64_t n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return without_cell(n_step_gru(n_layers, hx, ws, bs, xs)); },
        "Stacked GRU; returns (hy, ys).");
    m.def(
        "n_step_bigru",
        [](int64_t n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return without_cell(n_step_bigru(n_layers, hx, ws, bs, xs)); },
        "Stacked bidirectional GRU; returns (hy, ys).");
    m.def(
        "n_step_rnn",
        [](int64_t n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs,
           const std::string& activation) { return without_cell(n_step_rnn(n_layers, hx, ws, bs, xs, activation)); },
        "Stacked Elman RNN with activation 'tanh' or 'relu'; returns (hy, ys).");
    m.def(
        "n_step_birnn",
        [](int64_t n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs,
           const std::string& activation) { return without_cell(n_step_birnn(n_layers, hx, ws, bs, xs, activation)); },
        "Stacked bidirectional Elman RNN with activation 'tanh' or 'relu'; returns (hy, ys).");
}

}  // namespace chainerx::python
