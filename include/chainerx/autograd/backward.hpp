#pragma once

// The backward pass: gradients flow from outputs to inputs through op nodes in decreasing rank
// order (an iterative traversal, so arbitrarily deep graphs cannot overflow the stack), are summed
// where an array feeds several ops, and are stored on arrays that require grad.
#include <map>
#include <queue>
#include <set>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {

namespace detail {
// Adds g to the gradient stored in e (or stores it, with replace or when there is none). Threads may
// accumulate into one array at once: the sum is computed outside the lock (kernels may give up
// Python's GIL, which another thread may hold while waiting for the lock) and stored only if no
// other thread stored meanwhile; otherwise it is computed again from the newer gradient.
inline void store_grad(graph_entry& e, const array& g, bool replace) {
    std::optional<array> old;
    {
        std::lock_guard lock(grad_mutex());
        old = e.grad;
    }
    for (;;) {
        std::optional<array> updated = replace || !old ? g : add(*old, g);
        std::optional<array> dropped;  // released after the lock
        std::lock_guard lock(grad_mutex());
        bool unchanged = e.grad.has_value() == old.has_value() && (!old || e.grad->same_body(*old));
        if (unchanged) {
            dropped = std::exchange(e.grad, std::move(updated));
            return;
        }
        old = e.grad;
    }
}

inline void accumulate(std::optional<array>& total, const array& g) { total = total ? add(*total, g) : g; }

// Gradients of the given nodes. With store_grads, also adds them to the stored gradients of arrays
// that require grad; with retain_all, stores the gradient of every array the pass reaches (Chainer's
// retain_grad: intermediate arrays then require grad too). `retain` are nodes whose gradients are
// returned.
inline std::map<array_node*, array> run_backward(const std::vector<array>& outputs,
                                                 const std::vector<std::optional<array>>& seeds, const backprop_id& id,
                                                 bool enable_double_backprop, bool store_grads,
                                                 const std::vector<array_node*>& retain, bool retain_all = false) {
    id.check_valid();
    std::map<array_node*, std::optional<array>> grads;
    std::vector<std::shared_ptr<array_node>> keep_alive;
    auto by_rank = [](const std::shared_ptr<op_node>& a, const std::shared_ptr<op_node>& b) {
        return a->rank < b->rank || (a->rank == b->rank && a.get() < b.get());
    };
    std::priority_queue<std::shared_ptr<op_node>, std::vector<std::shared_ptr<op_node>>, decltype(by_rank)> queue(
        by_rank);
    std::set<op_node*> queued;
    auto push = [&](const std::shared_ptr<op_node>& op) {
        if (op && queued.insert(op.get()).second) queue.push(op);
    };

    for (size_t i = 0; i < outputs.size(); ++i) {
        graph_entry* e = find_entry(outputs[i], id);
        if (!e) continue;
        keep_alive.push_back(e->node);
        accumulate(grads[e->node.get()],
                   seeds[i] ? *seeds[i] : ones(outputs[i].shape(), outputs[i].dtype(), outputs[i].get_device()));
        push(e->node->creator);
    }

    // Gradients are computed with differentiable routines; they are recorded only for double backprop.
    std::optional<no_backprop_mode> no_record;
    std::optional<force_backprop_mode> force_record;
    if (enable_double_backprop) {
        force_record.emplace(std::vector<backprop_id>{id});
    } else {
        no_record.emplace(id.get_context());
    }

    while (!queue.empty()) {
        std::shared_ptr<op_node> op = queue.top();
        queue.pop();
        std::vector<array> output_grads;
        for (size_t i = 0; i < op->outputs.size(); ++i) {
            std::shared_ptr<array_node> node = op->outputs[i].lock();
            std::optional<array> g;
            if (node) {
                auto it = grads.find(node.get());
                if (it != grads.end()) {
                    g = it->second;
                    bool wanted = std::find(retain.begin(), retain.end(), node.get()) != retain.end();
                    if (!wanted && !retain_all && !(store_grads && node->grad_required)) grads.erase(it);  // free early
                }
            }
            output_grads.push_back(g ? *g : zeros(op->output_shapes[i], op->output_dtypes[i], *op->dev));
        }
        std::vector<array> input_grads = op->backward(output_grads);
        // The pass has used what the node keeps: its inputs may be written again (an optimizer updates
        // parameters in place while the graph is still referenced).
        retained_storages().release(op->retained);
        for (size_t i = 0; i < op->inputs.size(); ++i) {
            const std::shared_ptr<array_node>& node = op->inputs[i];
            if (!node || i >= input_grads.size() || !input_grads[i].defined()) continue;
            keep_alive.push_back(node);
            accumulate(grads[node.get()], input_grads[i]);
            push(node->creator);
        }
    }

    std::map<array_node*, array> result;
    for (auto& [node, g] : grads) {
        if (!g) continue;
        if ((store_grads && node->grad_required) || retain_all) {
            if (std::shared_ptr<array_body> body = node->body.lock()) {
                array owner = array::from_body(body);
                graph_entry* e = find_entry(owner, id);
                // An intermediate array keeps its gradient off the graph: a recorded gradient of y
                // often refers back to y (that of y * y holds y), and y holding it would be a
                // reference cycle that keeps both graphs alive after the user drops y. (Chainer
                // marks every intermediate output as requiring grad.)
                array stored = node->creator && enable_double_backprop ? as_grad_stopped(*g) : *g;
                if (e && retain_all) {
                    node->grad_required = true;
                    store_grad(*e, stored, true);
                } else if (e) {
                    store_grad(*e, stored, false);
                }
            }
        }
        result.emplace(node, *g);
    }
    return result;
}
}  // namespace detail

// Computes gradients of `outputs` and stores them on every array that requires grad in graph `id`.
// Outputs without a gradient are seeded with ones; loss_scale multiplies every seed.
inline void backward(const std::vector<array>& outputs, const backprop_id& id = default_backprop_id(),
                     bool enable_double_backprop = false, std::optional<double> loss_scale = std::nullopt) {
    std::vector<std::optional<array>> seeds;
    for (const array& out : outputs) {
        graph_entry* e = detail::find_entry(out, id);
        std::optional<array> stored;
        if (e) {
            std::lock_guard lock(detail::grad_mutex());
            stored = e->grad;
        }
        if (stored) {
            seeds.push_back(loss_scale ? multiply(*stored, *loss_scale) : *stored);
        } else {
            seeds.push_back(full(out.shape(), loss_scale.value_or(1.0), out.dtype(), out.get_device()));
        }
    }
    detail::run_backward(outputs, seeds, id, enable_double_backprop, true, {});
}

// Gradients of `outputs` with respect to `inputs` (undefined where unreachable), without touching
// the arrays' stored gradients unless set_grad.
inline std::vector<std::optional<array>> grad(const std::vector<array>& outputs, const std::vector<array>& inputs,
                                              const backprop_id& id = default_backprop_id(),
                                              bool enable_double_backprop = false, bool set_grad_flag = false,
                                              const std::vector<std::optional<array>>& grad_outputs = {},
                                              std::optional<double> loss_scale = std::nullopt,
                                              bool retain_grad = false) {
    if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
        throw_error<gradient_error>("grad: ", grad_outputs.size(), " grad_outputs for ", outputs.size(), " outputs");
    std::vector<std::optional<array>> seeds;
    for (size_t i = 0; i < outputs.size(); ++i) {
        if (!grad_outputs.empty() && grad_outputs[i]) {
            if (!(grad_outputs[i]->shape() == outputs[i].shape()))
                throw_error<gradient_error>("grad: grad_outputs[", i, "] has shape ", grad_outputs[i]->shape(),
                                            ", the output has shape ", outputs[i].shape());
            seeds.push_back(loss_scale ? multiply(*grad_outputs[i], *loss_scale) : *grad_outputs[i]);
        } else {
            seeds.push_back(
                full(outputs[i].shape(), loss_scale.value_or(1.0), outputs[i].dtype(), outputs[i].get_device()));
        }
    }
    std::vector<array_node*> wanted;
    for (const array& in : inputs) {
        graph_entry* e = detail::find_entry(in, id);
        wanted.push_back(e ? e->node.get() : nullptr);
    }
    auto grads = detail::run_backward(outputs, seeds, id, enable_double_backprop, false, wanted, retain_grad);
    std::vector<std::optional<array>> result;
    for (size_t i = 0; i < inputs.size(); ++i) {
        auto it = wanted[i] ? grads.find(wanted[i]) : grads.end();
        result.push_back(it == grads.end() ? std::nullopt : std::optional<array>(it->second));
        if (set_grad_flag && !retain_grad && result.back()) set_grad(inputs[i], result.back(), id);
    }
    return result;
}

}  // namespace chainerx
