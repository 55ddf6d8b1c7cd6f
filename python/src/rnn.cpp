// Bindings for routines/rnn: lstm, slstm, tree_lstm and the n_step_* networks. As in ChainerX, the
// n_step_* functions, slstm and tree_lstm take positional arguments only: their parameters have no
// nb::arg names (this nanobind has no nb::pos_only), and nb::sig names them in the signature that
// help() and the stubs show.
#include "common.hpp"

#include "chainerx/routines/rnn.hpp"

namespace chainerx::python {

namespace {

using array_lists = std::vector<std::vector<array>>;

nb::tuple pair_tuple(const std::vector<array>& c_h) { return nb::make_tuple(c_h[0], c_h[1]); }

nb::tuple with_cell(const rnn_result& r) { return nb::make_tuple(r.hy, r.cy, r.ys); }
nb::tuple without_cell(const rnn_result& r) { return nb::make_tuple(r.hy, r.ys); }

// ---- docstrings ----
constexpr const char* lstm_doc = R"(LSTM cell (Chainer's lstm): one step from the cell state c and the gate input x.

Args:
    c: the previous cell state (B', N, ...), B' >= B; rows beyond B pass through unchanged.
    x: the gate pre-activations (B, 4N, ...), gates a, i, f, o interleaved (gate k of unit j is
        column 4j + k), as Chainer's lstm takes them.
Returns:
    (c_new, h): c_new = tanh(a) * sigmoid(i) + sigmoid(f) * c of shape (B', N, ...) and
    h = sigmoid(o) * tanh(c_new) of shape (B, N, ...). c and x must be float arrays of one dtype
    on one device. Differentiable (twice).)";

constexpr const char* slstm_doc = R"(S-LSTM cell (Chainer's slstm): an LSTM unit merging two children.

slstm(c1, c2, x1, x2), positional arguments only, as in ChainerX.

Args:
    c1: the first child's cell state (B, N, ...).
    c2: the second child's cell state, of c1's shape.
    x1: the first child's gate input (B, 4N, ...), gates a, i, f, o interleaved as in lstm.
    x2: the second child's gate input, of x1's shape.
Returns:
    (c, h): c = tanh(a1) sigmoid(i1) + tanh(a2) sigmoid(i2) + sigmoid(f1) c1 + sigmoid(f2) c2 and
    h = sigmoid(o1 + o2) tanh(c). Differentiable (twice).)";

constexpr const char* tree_lstm_doc = R"(Tree-LSTM cell (Chainer's tree_lstm) with any number of children.

tree_lstm(c1, ..., cn, x), positional arguments only: the children's cell states c1..cn (B, N, ...)
and the gate input x (B, (3 + n) N, ...) holding the gates a, i, o, f1, ..., fn in consecutive
blocks of N columns. Returns (c, h) with c = tanh(a) sigmoid(i) + sum_k sigmoid(fk) ck and
h = sigmoid(o) tanh(c). Differentiable (twice).)";

constexpr const char* n_step_lstm_doc =
    R"(Stacked LSTM over a batch of variable-length sequences (Chainer's n_step_lstm, no dropout).

n_step_lstm(n_layers, hx, cx, ws, bs, xs), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (L, B, N).
    cx: the initial cell states (L, B, N).
    ws: L lists of 8 weight matrices: W0..W3 (N, I) on the layer's input (I the input size for the
        first layer, N after it), W4..W7 (N, N) on the hidden state; W0/W4 input gate, W1/W5 forget
        gate, W2/W6 cell input, W3/W7 output gate (Chainer's order).
    bs: L lists of 8 bias vectors (N,), in the order of ws.
    xs: the inputs, one (B_t, I) array per time step, with B_t non-increasing (sequences sorted by
        decreasing length) and at most B.
Returns:
    (hy, cy, ys): the final hidden and cell states (L, B, N) and the last layer's outputs, a list of
    (B_t, N) arrays. Float arrays of one dtype and device. Differentiable (twice).)";

constexpr const char* n_step_bilstm_doc =
    R"(Stacked bidirectional LSTM over variable-length sequences (Chainer's n_step_bilstm).

n_step_bilstm(n_layers, hx, cx, ws, bs, xs), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (2L, B, N); entry 2l + d is layer l, direction d (0 forward,
        1 backward).
    cx: the initial cell states (2L, B, N), ordered as hx.
    ws: 2L lists of 8 matrices as in n_step_lstm; after the first layer the input matrices are
        (N, 2N).
    bs: 2L lists of 8 bias vectors (N,).
    xs: the inputs, one (B_t, I) array per time step, B_t non-increasing.
Returns:
    (hy, cy, ys): final states (2L, B, N) and the last layer's outputs, a list of (B_t, 2N) arrays
    (forward then backward features). Differentiable (twice).)";

constexpr const char* n_step_gru_doc =
    R"(Stacked GRU over a batch of variable-length sequences (Chainer's n_step_gru, no dropout).

n_step_gru(n_layers, hx, ws, bs, xs), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (L, B, N).
    ws: L lists of 6 matrices: W0..W2 (N, I) on the input (N, N after the first layer), W3..W5
        (N, N) on the hidden state.
    bs: L lists of 6 bias vectors (N,). Per step r = sigmoid(W0 x + b0 + W3 h + b3),
        z = sigmoid(W1 x + b1 + W4 h + b4), n = tanh(W2 x + b2 + r (W5 h + b5)), h' = (1 - z) n + z h.
    xs: the inputs, one (B_t, I) array per time step, B_t non-increasing.
Returns:
    (hy, ys): the final hidden states (L, B, N) and the last layer's outputs, a list of (B_t, N)
    arrays. Differentiable (twice).)";

constexpr const char* n_step_bigru_doc =
    R"(Stacked bidirectional GRU over variable-length sequences (Chainer's n_step_bigru).

n_step_bigru(n_layers, hx, ws, bs, xs), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (2L, B, N); entry 2l + d is layer l, direction d (0 forward,
        1 backward).
    ws: 2L lists of 6 matrices as in n_step_gru; after the first layer the input ones are (N, 2N).
    bs: 2L lists of 6 bias vectors (N,).
    xs: the inputs, one (B_t, I) array per time step, B_t non-increasing.
Returns:
    (hy, ys): final hidden states (2L, B, N) and the last layer's outputs, a list of (B_t, 2N)
    arrays. Differentiable (twice).)";

constexpr const char* n_step_rnn_doc =
    R"(Stacked Elman RNN over a batch of variable-length sequences (Chainer's n_step_rnn).

n_step_rnn(n_layers, hx, ws, bs, xs, activation), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (L, B, N).
    ws: L lists of 2 matrices: W0 (N, I) on the input (N, N after the first layer), W1 (N, N).
    bs: L lists of 2 bias vectors (N,); h' = activation(W0 x + b0 + W1 h + b1).
    xs: the inputs, one (B_t, I) array per time step, B_t non-increasing.
    activation: 'tanh' or 'relu' (ValueError otherwise).
Returns:
    (hy, ys): the final hidden states (L, B, N) and the last layer's outputs, a list of (B_t, N)
    arrays. Differentiable (twice).)";

constexpr const char* n_step_birnn_doc =
    R"(Stacked bidirectional Elman RNN over variable-length sequences (Chainer's n_step_birnn).

n_step_birnn(n_layers, hx, ws, bs, xs, activation), positional arguments only, as in ChainerX.

Args:
    n_layers: the number of layers L.
    hx: the initial hidden states (2L, B, N); entry 2l + d is layer l, direction d (0 forward,
        1 backward).
    ws: 2L lists of 2 matrices as in n_step_rnn; after the first layer W0 is (N, 2N).
    bs: 2L lists of 2 bias vectors (N,).
    xs: the inputs, one (B_t, I) array per time step, B_t non-increasing.
    activation: 'tanh' or 'relu' (ValueError otherwise).
Returns:
    (hy, ys): final hidden states (2L, B, N) and the last layer's outputs, a list of (B_t, 2N)
    arrays. Differentiable (twice).)";

}  // namespace

void init_rnn(nb::module_& m) {
    m.def(
        "lstm", [](const array& c, const array& x) { return pair_tuple(lstm(c, x)); }, nb::arg("c"), nb::arg("x"),
        lstm_doc);
    m.def(
        "slstm",
        [](const array& c1, const array& c2, const array& x1, const array& x2) {
            return pair_tuple(slstm(c1, c2, x1, x2));
        },
        nb::sig("def slstm(c1: chainerx._core.ndarray, c2: chainerx._core.ndarray, "
                "x1: chainerx._core.ndarray, x2: chainerx._core.ndarray, /) -> tuple"),
        slstm_doc);
    m.def(
        "tree_lstm",
        [](nb::args args) {
            std::vector<array> arrays;
            for (nb::handle h : args) arrays.push_back(to_array_arg(h, "tree_lstm"));
            return pair_tuple(tree_lstm(arrays));
        },
        tree_lstm_doc);
    m.def(
        "n_step_lstm",
        [](int_arg n_layers, const array& hx, const array& cx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return with_cell(n_step_lstm(n_layers, hx, cx, ws, bs, xs)); },
        nb::sig("def n_step_lstm(n_layers: int, hx: chainerx._core.ndarray, cx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], /) -> tuple"),
        n_step_lstm_doc);
    m.def(
        "n_step_bilstm",
        [](int_arg n_layers, const array& hx, const array& cx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return with_cell(n_step_bilstm(n_layers, hx, cx, ws, bs, xs)); },
        nb::sig("def n_step_bilstm(n_layers: int, hx: chainerx._core.ndarray, cx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], /) -> tuple"),
        n_step_bilstm_doc);
    m.def(
        "n_step_gru",
        [](int_arg n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return without_cell(n_step_gru(n_layers, hx, ws, bs, xs)); },
        nb::sig("def n_step_gru(n_layers: int, hx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], /) -> tuple"),
        n_step_gru_doc);
    m.def(
        "n_step_bigru",
        [](int_arg n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs) { return without_cell(n_step_bigru(n_layers, hx, ws, bs, xs)); },
        nb::sig("def n_step_bigru(n_layers: int, hx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], /) -> tuple"),
        n_step_bigru_doc);
    m.def(
        "n_step_rnn",
        [](int_arg n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs,
           const std::string& activation) { return without_cell(n_step_rnn(n_layers, hx, ws, bs, xs, activation)); },
        nb::sig("def n_step_rnn(n_layers: int, hx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], activation: str, /) -> tuple"),
        n_step_rnn_doc);
    m.def(
        "n_step_birnn",
        [](int_arg n_layers, const array& hx, const array_lists& ws, const array_lists& bs,
           const std::vector<array>& xs,
           const std::string& activation) { return without_cell(n_step_birnn(n_layers, hx, ws, bs, xs, activation)); },
        nb::sig("def n_step_birnn(n_layers: int, hx: chainerx._core.ndarray, "
                "ws: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "bs: collections.abc.Sequence[collections.abc.Sequence[chainerx._core.ndarray]], "
                "xs: collections.abc.Sequence[chainerx._core.ndarray], activation: str, /) -> tuple"),
        n_step_birnn_doc);
}

}  // namespace chainerx::python
