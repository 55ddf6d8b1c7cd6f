#pragma once

// Recurrent cells and networks with Chainer's equations and ChainerX's signatures: lstm, slstm,
// tree_lstm, and the stacked n_step_{lstm,bilstm,gru,bigru,rnn,birnn}. Every one is a composition of
// differentiable routines (linear, concatenate/split, sigmoid, tanh, add, multiply, basic indexing),
// so backward and double backward come from those routines' own rules.
//
// Cost per layer and direction of an n_step network: one GEMM projects the inputs of all time steps
// at once (with both biases folded in where the equations allow it); each step then costs one GEMM
// for the recurrence plus a handful of elementwise passes. Weights are stacked once per call.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chainerx/routines/activation.hpp"
#include "chainerx/routines/connection.hpp"
#include "chainerx/routines/indexing.hpp"
#include "chainerx/routines/joining.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"

namespace chainerx {

// The result of the n_step_* networks: final hidden states (layers * directions, B, N), final cell
// states (LSTM only; undefined otherwise) and the last layer's output for each time step.
struct rnn_result {
    array hy;
    array cy;
    std::vector<array> ys;
};

namespace detail {

inline array slice_axis(const array& a, int axis, int64_t begin, int64_t end) {
    std::vector<index_item> items(axis, index_item::slice(std::nullopt, std::nullopt, std::nullopt));
    items.push_back(index_item::slice(begin, end, 1));
    return at(a, items);
}
inline array rows(const array& a, int64_t begin, int64_t end) { return slice_axis(a, 0, begin, end); }
inline array cols(const array& a, int64_t begin, int64_t end) { return slice_axis(a, 1, begin, end); }

inline array reshape_to(const array& a, const shape_t& shape) { return a.shape() == shape ? a : reshape(a, shape); }

// Float dtype, one dtype and one device for all the arrays of an op.
inline void check_rnn_arrays(const char* op, const std::vector<const array*>& arrays) {
    const array& first = *arrays[0];
    for (const array* a : arrays) {
        if (!a->defined()) throw_error<dimension_error>(op, ": an input array is undefined");
        if (!is_float(a->dtype())) throw_error<dtype_error>(op, ": expected floating-point arrays, got ", a->dtype());
        if (a->dtype() != first.dtype())
            throw_error<dtype_error>(op, ": all arrays must have the same dtype, got ", first.dtype(), " and ",
                                     a->dtype());
        check_same_device(op, first, *a);
    }
}

// x of shape (B, gates * N, rest...) viewed as (B, N, gates, rest...) when `interleaved` (lstm,
// slstm: gate k of unit j is column gates * j + k) or (B, gates, N, rest...) otherwise (tree_lstm:
// gate k occupies columns [k N, (k + 1) N)).
inline array gate_view(const array& x, int64_t gates, bool interleaved) {
    shape_t shape{x.shape()[0]};
    int64_t units = x.shape()[1] / gates;
    if (interleaved) {
        shape.push_back(units);
        shape.push_back(gates);
    } else {
        shape.push_back(gates);
        shape.push_back(units);
    }
    for (int i = 2; i < x.ndim(); ++i) shape.push_back(x.shape()[i]);
    return reshape(x, shape);
}

// sigmoid of `count` gates packed along `axis` of g, each reshaped to `shape`: one elementwise pass.
inline std::vector<array> sigmoid_gates(const array& g, int64_t count, int axis, const shape_t& shape) {
    std::vector<array> parts = split(sigmoid(g), count, axis);
    for (array& p : parts) p = reshape_to(p, shape);
    return parts;
}

// c = a * i + f * c_prev, h = o * tanh(c), with activated gates.
inline std::pair<array, array> lstm_update(const array& c_prev, const array& a, const array& i, const array& f,
                                           const array& o) {
    array c = add(multiply(a, i), multiply(f, c_prev));
    return {c, multiply(o, tanh(c))};
}

inline void check_cell_state(const char* op, const array& c, const array& x, int64_t gates, bool smaller_batch_ok) {
    if (c.ndim() < 2)
        throw_error<dimension_error>(op, ": the cell state must have at least 2 dimensions (batch, units), got shape ",
                                     c.shape());
    if (x.ndim() != c.ndim())
        throw_error<dimension_error>(op, ": x must have as many dimensions as the cell state (", c.ndim(),
                                     "), got shapes ", x.shape(), " and ", c.shape());
    if (x.shape()[1] != gates * c.shape()[1])
        throw_error<dimension_error>(op, ": axis 1 of x must be ", gates,
                                     " times axis 1 of the cell state, got shapes ", x.shape(), " and ", c.shape());
    for (int i = 2; i < c.ndim(); ++i)
        if (x.shape()[i] != c.shape()[i])
            throw_error<dimension_error>(op, ": x and the cell state differ beyond axis 1: shapes ", x.shape(), " and ",
                                         c.shape());
    if (smaller_batch_ok ? x.shape()[0] > c.shape()[0] : x.shape()[0] != c.shape()[0])
        throw_error<dimension_error>(op, ": the batch size of x (", x.shape()[0], ") must be ",
                                     smaller_batch_ok ? "at most" : "equal to", " that of the cell state (",
                                     c.shape()[0], ")");
}

}  // namespace detail

// Chainer's lstm: x (B, 4N, ...) holds the gates a, i, f, o interleaved (gate k of unit j is column
// 4j + k); c (B', N, ...) with B' >= B. c_new = tanh(a) sigmoid(i) + sigmoid(f) c and
// h = sigmoid(o) tanh(c_new) for the first B rows; the other rows of c pass through unchanged.
// Returns {c_new (B', N, ...), h (B, N, ...)}.
template <class = void>
std::vector<array> lstm(const array& c, const array& x) {
    const char* op = "lstm";
    detail::check_rnn_arrays(op, {&c, &x});
    detail::check_cell_state(op, c, x, 4, true);
    int64_t batch = x.shape()[0];
    array c_prev = batch == c.shape()[0] ? c : detail::rows(c, 0, batch);
    std::vector<array> parts = split(detail::gate_view(x, 4, true), std::vector<int64_t>{1}, 2);  // a | i, f, o
    std::vector<array> ifo = detail::sigmoid_gates(parts[1], 3, 2, c_prev.shape());
    auto [c_new, h] =
        detail::lstm_update(c_prev, detail::reshape_to(tanh(parts[0]), c_prev.shape()), ifo[0], ifo[1], ifo[2]);
    if (batch < c.shape()[0]) c_new = concatenate({c_new, detail::rows(c, batch, c.shape()[0])}, 0);
    return {c_new, h};
}

// Chainer's slstm: an LSTM unit merging two children. x1, x2 (B, 4N, ...) interleaved as in lstm;
// c = tanh(a1) sigmoid(i1) + tanh(a2) sigmoid(i2) + sigmoid(f1) c1 + sigmoid(f2) c2 and
// h = sigmoid(o1 + o2) tanh(c). Returns {c, h}.
template <class = void>
std::vector<array> slstm(const array& c1, const array& c2, const array& x1, const array& x2) {
    const char* op = "slstm";
    detail::check_rnn_arrays(op, {&c1, &c2, &x1, &x2});
    if (!(c1.shape() == c2.shape()))
        throw_error<dimension_error>(op, ": c1 and c2 must have the same shape, got ", c1.shape(), " and ", c2.shape());
    if (!(x1.shape() == x2.shape()))
        throw_error<dimension_error>(op, ": x1 and x2 must have the same shape, got ", x1.shape(), " and ", x2.shape());
    detail::check_cell_state(op, c1, x1, 4, false);
    const shape_t& shape = c1.shape();
    array c;
    array o;
    for (int k = 0; k < 2; ++k) {
        // a | i, f | o of child k.
        std::vector<array> parts = split(detail::gate_view(k == 0 ? x1 : x2, 4, true), std::vector<int64_t>{1, 3}, 2);
        std::vector<array> i_f = detail::sigmoid_gates(parts[1], 2, 2, shape);
        array term =
            add(multiply(detail::reshape_to(tanh(parts[0]), shape), i_f[0]), multiply(i_f[1], k == 0 ? c1 : c2));
        c = k == 0 ? term : add(c, term);
        o = k == 0 ? parts[2] : add(o, parts[2]);
    }
    return {c, multiply(detail::reshape_to(sigmoid(o), shape), tanh(c))};
}

// Chainer's tree_lstm: cs_and_x = (c1, ..., cn, x) with x (B, (3 + n) N, ...) holding the gates
// a, i, o, f1, ..., fn in consecutive blocks of N columns. c = tanh(a) sigmoid(i) + sum sigmoid(fk) ck,
// h = sigmoid(o) tanh(c). Returns {c, h}.
template <class = void>
std::vector<array> tree_lstm(const std::vector<array>& cs_and_x) {
    const char* op = "tree_lstm";
    if (cs_and_x.size() < 2)
        throw_error<dimension_error>(op, ": expected at least one cell state and x, got ", cs_and_x.size(), " arrays");
    std::vector<const array*> all;
    for (const array& a : cs_and_x) all.push_back(&a);
    detail::check_rnn_arrays(op, all);
    int64_t n = cs_and_x.size() - 1;
    const array& x = cs_and_x.back();
    const array& c1 = cs_and_x[0];
    for (int64_t k = 1; k < n; ++k)
        if (!(cs_and_x[k].shape() == c1.shape()))
            throw_error<dimension_error>(op, ": all cell states must have the same shape, got ", c1.shape(), " and ",
                                         cs_and_x[k].shape());
    detail::check_cell_state(op, c1, x, 3 + n, false);
    std::vector<array> parts = split(detail::gate_view(x, 3 + n, false), std::vector<int64_t>{1}, 1);  // a | i, o, f...
    std::vector<array> g = detail::sigmoid_gates(parts[1], 2 + n, 1, c1.shape());
    array c = multiply(detail::reshape_to(tanh(parts[0]), c1.shape()), g[0]);
    for (int64_t k = 0; k < n; ++k) c = add(c, multiply(g[2 + k], cs_and_x[k]));
    return {c, multiply(g[1], tanh(c))};
}

namespace detail {

enum class rnn_mode { lstm, gru, rnn_tanh, rnn_relu };

// Weight matrices per layer and direction: input ones first, then as many recurrent ones.
inline int rnn_weight_count(rnn_mode m) { return m == rnn_mode::lstm ? 8 : m == rnn_mode::gru ? 6 : 2; }

// One layer and direction's weights stacked for one product each: wx (G N, in) and bx for the
// inputs, wh (G N, N) and bh (may be undefined) for the recurrence.
struct rnn_weights {
    array wx, bx, wh, bh;
};

// LSTM gate blocks are ordered a, i, f, o (Chainer's W2, W0, W1, W3 for the inputs, W6, W4, W5, W7
// for the recurrence), so that i, f, o are one contiguous block for one sigmoid. Both biases are
// summed into the input projection except GRU's b5, which sits inside r * (W5 h + b5).
inline rnn_weights stack_rnn_weights(rnn_mode m, const std::vector<array>& w, const std::vector<array>& b) {
    switch (m) {
        case rnn_mode::lstm:
            return {concatenate({w[2], w[0], w[1], w[3]}, 0),
                    add(concatenate({b[2], b[0], b[1], b[3]}, 0), concatenate({b[6], b[4], b[5], b[7]}, 0)),
                    concatenate({w[6], w[4], w[5], w[7]}, 0), array()};
        case rnn_mode::gru:
            return {concatenate({w[0], w[1], w[2]}, 0), concatenate({b[0], b[1], b[2]}, 0),
                    concatenate({w[3], w[4], w[5]}, 0), concatenate({b[3], b[4], b[5]}, 0)};
        default:
            return {w[0], add(b[0], b[1]), w[1], array()};
    }
}

struct rnn_state {
    array h, c;  // c: LSTM only
};

// One time step from the projected input xp (B, G N) of that step and the state of its B rows.
inline rnn_state rnn_step(rnn_mode m, const array& xp, const rnn_state& s, const rnn_weights& w) {
    int64_t n = s.h.shape()[1];
    array hp = linear(s.h, w.wh, w.bh);
    switch (m) {
        case rnn_mode::lstm: {
            array g = add(xp, hp);
            std::vector<array> ifo = sigmoid_gates(cols(g, n, 4 * n), 3, 1, s.h.shape());
            auto [c, h] = lstm_update(s.c, tanh(cols(g, 0, n)), ifo[0], ifo[1], ifo[2]);
            return {h, c};
        }
        case rnn_mode::gru: {
            // r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n),
            // h = (1 - z) n + z h_prev = n + z (h_prev - n).
            std::vector<array> xs = split(xp, std::vector<int64_t>{2 * n}, 1);
            std::vector<array> hs = split(hp, std::vector<int64_t>{2 * n}, 1);
            std::vector<array> rz = split(sigmoid(add(xs[0], hs[0])), int64_t{2}, 1);
            array cand = tanh(add(xs[1], multiply(rz[0], hs[1])));
            return {add(cand, multiply(rz[1], subtract(s.h, cand))), array()};
        }
        case rnn_mode::rnn_tanh:
            return {tanh(add(xp, hp)), array()};
        default:
            return {relu(add(xp, hp)), array()};
    }
}

// One layer in one direction over the per-step projected inputs xp (time order). Batch sizes are
// non-increasing in time: going forward, rows whose sequence has ended are set aside with their
// final state; going backward, rows join from the initial state when their sequence starts. Returns
// the hidden states of each step (time order) and stores the final state of all rows in `last`.
inline std::vector<array> rnn_direction(rnn_mode m, const std::vector<array>& xp, const rnn_state& init,
                                        const rnn_weights& w, bool reverse, rnn_state& last) {
    int64_t steps = xp.size(), total = init.h.shape()[0];
    bool cell = init.c.defined();
    auto take_rows = [&](const rnn_state& s, int64_t begin, int64_t end) {
        return rnn_state{rows(s.h, begin, end), cell ? rows(s.c, begin, end) : array()};
    };
    int64_t taken = xp[reverse ? steps - 1 : 0].shape()[0];
    rnn_state s = taken == total ? init : take_rows(init, 0, taken);
    std::vector<rnn_state> ended;
    std::vector<array> hs(steps);
    for (int64_t k = 0; k < steps; ++k) {
        int64_t t = reverse ? steps - 1 - k : k;
        int64_t batch = xp[t].shape()[0], current = s.h.shape()[0];
        if (batch < current) {
            ended.push_back(take_rows(s, batch, current));
            s = take_rows(s, 0, batch);
        } else if (batch > current) {
            rnn_state joining = take_rows(init, current, batch);
            s.h = concatenate({s.h, joining.h}, 0);
            if (cell) s.c = concatenate({s.c, joining.c}, 0);
            taken = batch;
        }
        s = rnn_step(m, xp[t], s, w);
        hs[t] = s.h;
    }
    std::vector<rnn_state> pieces{s};
    pieces.insert(pieces.end(), ended.rbegin(), ended.rend());
    if (taken < total) pieces.push_back(take_rows(init, taken, total));
    auto join = [&](array rnn_state::* member) {
        if (pieces.size() == 1) return pieces[0].*member;
        std::vector<array> parts;
        for (const rnn_state& p : pieces) parts.push_back(p.*member);
        return concatenate(parts, 0);
    };
    last.h = join(&rnn_state::h);
    if (cell) last.c = join(&rnn_state::c);
    return hs;
}

inline void check_n_step(const char* op, rnn_mode m, int dirs, int64_t n_layers, const array& hx, const array* cx,
                         const std::vector<std::vector<array>>& ws, const std::vector<std::vector<array>>& bs,
                         const std::vector<array>& xs) {
    if (n_layers <= 0) throw_error<dimension_error>(op, ": n_layers must be positive, got ", n_layers);
    if (xs.empty()) throw_error<dimension_error>(op, ": xs must hold at least one time step");
    std::vector<const array*> all{&hx};
    if (cx) all.push_back(cx);
    for (const array& x : xs) all.push_back(&x);
    for (const auto& list : {&ws, &bs})
        for (const auto& layer : *list)
            for (const array& a : layer) all.push_back(&a);
    check_rnn_arrays(op, all);

    int64_t slots = n_layers * dirs;
    if (hx.ndim() != 3 || hx.shape()[0] != slots)
        throw_error<dimension_error>(op, ": hx must have shape (", slots, ", batch, units) for ", n_layers,
                                     " layers and ", dirs, " direction(s), got ", hx.shape());
    if (cx && !(cx->shape() == hx.shape()))
        throw_error<dimension_error>(op, ": cx must have the shape of hx ", hx.shape(), ", got ", cx->shape());
    int64_t batch = hx.shape()[1], units = hx.shape()[2];
    int64_t in = xs[0].ndim() == 2 ? xs[0].shape()[1] : 0;
    int64_t previous = batch;
    for (size_t t = 0; t < xs.size(); ++t) {
        const shape_t& s = xs[t].shape();
        if (s.size() != 2 || s[1] != in)
            throw_error<dimension_error>(op, ": xs must be 2-dimensional arrays (batch, ", in, "), got shape ", s,
                                         " at step ", t);
        if (s[0] > previous)
            throw_error<dimension_error>(op, ": the batch sizes of xs must be non-increasing and at most that of hx (",
                                         batch, "), got ", s[0], " after ", previous, " at step ", t);
        previous = s[0];
    }
    int count = rnn_weight_count(m);
    if (ws.size() != static_cast<size_t>(slots) || bs.size() != static_cast<size_t>(slots))
        throw_error<dimension_error>(op, ": ws and bs must hold ", slots, " lists (", n_layers, " layers, ", dirs,
                                     " direction(s)), got ", ws.size(), " and ", bs.size());
    for (int64_t i = 0; i < slots; ++i) {
        if (ws[i].size() != static_cast<size_t>(count) || bs[i].size() != static_cast<size_t>(count))
            throw_error<dimension_error>(op, ": ws[", i, "] and bs[", i, "] must hold ", count, " arrays each, got ",
                                         ws[i].size(), " and ", bs[i].size());
        int64_t layer_in = i < dirs ? in : dirs * units;
        for (int j = 0; j < count; ++j) {
            shape_t expected{units, j < count / 2 ? layer_in : units};
            if (!(ws[i][j].shape() == expected))
                throw_error<dimension_error>(op, ": ws[", i, "][", j, "] must have shape ", expected, ", got ",
                                             ws[i][j].shape());
            if (!(bs[i][j].shape() == shape_t{units}))
                throw_error<dimension_error>(op, ": bs[", i, "][", j, "] must have shape (", units, ",), got ",
                                             bs[i][j].shape());
        }
    }
}

inline rnn_result n_step_rnn_impl(const char* op, rnn_mode m, int dirs, int64_t n_layers, const array& hx,
                                  const array* cx, const std::vector<std::vector<array>>& ws,
                                  const std::vector<std::vector<array>>& bs, const std::vector<array>& xs) {
    check_n_step(op, m, dirs, n_layers, hx, cx, ws, bs, xs);
    std::vector<int64_t> bounds;  // row offsets of steps 1.. in the inputs of all steps stacked
    int64_t offset = 0;
    for (size_t t = 0; t + 1 < xs.size(); ++t) bounds.push_back(offset += xs[t].shape()[0]);

    std::vector<array> layer_in = xs;
    std::vector<array> hy, cy;
    for (int64_t layer = 0; layer < n_layers; ++layer) {
        array stacked = layer_in.size() == 1 ? layer_in[0] : concatenate(layer_in, 0);
        std::vector<std::vector<array>> outs;
        for (int d = 0; d < dirs; ++d) {
            int64_t slot = layer * dirs + d;
            rnn_weights w = stack_rnn_weights(m, ws[slot], bs[slot]);
            array projected = linear(stacked, w.wx, w.bx);
            std::vector<array> xp = bounds.empty() ? std::vector<array>{projected} : split(projected, bounds, 0);
            std::vector<index_item> item{index_item::integer(slot)};
            rnn_state init{at(hx, item), cx ? at(*cx, item) : array()}, last;
            outs.push_back(rnn_direction(m, xp, init, w, d == 1, last));
            hy.push_back(last.h);
            if (cx) cy.push_back(last.c);
        }
        if (dirs == 1) {
            layer_in = std::move(outs[0]);
        } else {
            for (size_t t = 0; t < xs.size(); ++t) layer_in[t] = concatenate({outs[0][t], outs[1][t]}, 1);
        }
    }
    return {stack(hy, 0), cx ? stack(cy, 0) : array(), std::move(layer_in)};
}

inline rnn_mode rnn_activation(const char* op, const std::string& activation) {
    if (activation == "tanh") return rnn_mode::rnn_tanh;
    if (activation == "relu") return rnn_mode::rnn_relu;
    throw std::invalid_argument(std::string(op) + ": activation must be 'tanh' or 'relu', got '" + activation + "'");
}

}  // namespace detail

// Stacked LSTM over variable-length sequences (Chainer's n_step_lstm without dropout). hx, cx
// (n_layers, B, N); ws[l] 8 matrices: W0..W3 (N, in) for the inputs (in = I for layer 0, N after),
// W4..W7 (N, N) recurrent; bs[l] 8 vectors (N,). With W0/W4 the input gate, W1/W5 forget, W2/W6 cell
// input (tanh), W3/W7 output (cuDNN's order, as Chainer computes it). xs[t] (B_t, I) with B_t
// non-increasing. Returns hy, cy and ys[t] (B_t, N).
template <class = void>
rnn_result n_step_lstm(int64_t n_layers, const array& hx, const array& cx, const std::vector<std::vector<array>>& ws,
                       const std::vector<std::vector<array>>& bs, const std::vector<array>& xs) {
    return detail::n_step_rnn_impl("n_step_lstm", detail::rnn_mode::lstm, 1, n_layers, hx, &cx, ws, bs, xs);
}
// Bidirectional: hx, cx (2 n_layers, B, N); ws[2l + d] for layer l, direction d (0 forward, 1
// backward), input matrices (N, 2N) after the first layer; ys[t] (B_t, 2N) = [forward; backward].
template <class = void>
rnn_result n_step_bilstm(int64_t n_layers, const array& hx, const array& cx, const std::vector<std::vector<array>>& ws,
                         const std::vector<std::vector<array>>& bs, const std::vector<array>& xs) {
    return detail::n_step_rnn_impl("n_step_bilstm", detail::rnn_mode::lstm, 2, n_layers, hx, &cx, ws, bs, xs);
}
// GRU: ws[l] 6 matrices, W0..W2 on the inputs, W3..W5 recurrent. r = sigmoid(W0 x + b0 + W3 h + b3),
// z = sigmoid(W1 x + b1 + W4 h + b4), n = tanh(W2 x + b2 + r (W5 h + b5)), h' = (1 - z) n + z h.
template <class = void>
rnn_result n_step_gru(int64_t n_layers, const array& hx, const std::vector<std::vector<array>>& ws,
                      const std::vector<std::vector<array>>& bs, const std::vector<array>& xs) {
    return detail::n_step_rnn_impl("n_step_gru", detail::rnn_mode::gru, 1, n_layers, hx, nullptr, ws, bs, xs);
}
template <class = void>
rnn_result n_step_bigru(int64_t n_layers, const array& hx, const std::vector<std::vector<array>>& ws,
                        const std::vector<std::vector<array>>& bs, const std::vector<array>& xs) {
    return detail::n_step_rnn_impl("n_step_bigru", detail::rnn_mode::gru, 2, n_layers, hx, nullptr, ws, bs, xs);
}
// Elman RNN: ws[l] = {W0 (N, in), W1 (N, N)}, h' = activation(W0 x + b0 + W1 h + b1), activation
// "tanh" or "relu" (std::invalid_argument otherwise).
template <class = void>
rnn_result n_step_rnn(int64_t n_layers, const array& hx, const std::vector<std::vector<array>>& ws,
                      const std::vector<std::vector<array>>& bs, const std::vector<array>& xs,
                      const std::string& activation) {
    const char* op = "n_step_rnn";
    return detail::n_step_rnn_impl(op, detail::rnn_activation(op, activation), 1, n_layers, hx, nullptr, ws, bs, xs);
}
template <class = void>
rnn_result n_step_birnn(int64_t n_layers, const array& hx, const std::vector<std::vector<array>>& ws,
                        const std::vector<std::vector<array>>& bs, const std::vector<array>& xs,
                        const std::string& activation) {
    const char* op = "n_step_birnn";
    return detail::n_step_rnn_impl(op, detail::rnn_activation(op, activation), 2, n_layers, hx, nullptr, ws, bs, xs);
}

}  // namespace chainerx
