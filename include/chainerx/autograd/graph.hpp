#pragma once

// The define-by-run graph. An array that takes part in a graph carries a graph_state: for each
// backprop id, its array_node (and the gradient stored on it). An op whose inputs have nodes on a
// graph in which recording is on adds an op_node there, linking the inputs' nodes to new nodes of
// its outputs, with a backward function written with differentiable routines (so the gradient
// computation can itself be recorded: double backprop). Ops on arrays without graph state record
// nothing and allocate nothing.
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "chainerx/autograd/mode.hpp"
#include "chainerx/core/array.hpp"

namespace chainerx {

struct op_node;

struct array_node {
    backprop_id id;
    std::weak_ptr<array_body> body;    // to store the gradient on the array after backward
    std::shared_ptr<op_node> creator;  // none for leaves
    int64_t rank = 0;                  // creator's rank; orders the backward pass
    bool grad_required = false;        // require_grad() was called: backward stores the gradient
};

// Maps the output gradients of an op to the gradients of its inputs (an undefined array: none).
using backward_function = std::function<std::vector<array>(const std::vector<array>& output_grads)>;

struct op_node {
    const char* name;
    backprop_id id;
    int64_t rank;
    std::vector<std::shared_ptr<array_node>> inputs;  // null where an input is not in this graph
    std::vector<std::weak_ptr<array_node>> outputs;
    std::vector<shape_t> output_shapes;  // for zero gradients of outputs nobody used
    std::vector<dtype> output_dtypes;
    device* dev;
    backward_function backward;
    // The memory of inputs the backward function keeps (marked in detail::retained_storages() until
    // the backward pass has run this node, or the node is gone).
    std::vector<const void*> retained;

    ~op_node();
};

// Dropping the last reference to a deep graph would destroy it recursively (node -> creator ->
// its inputs -> ...) and overflow the stack; op nodes hand what they own to a per-thread queue
// instead, and the outermost destructor drains it iteratively.
inline op_node::~op_node() {
    detail::retained_storages().release(retained);
    thread_local bool draining = false;
    thread_local std::vector<std::shared_ptr<array_node>> pending_nodes;
    thread_local std::vector<backward_function> pending_functions;
    for (auto& node : inputs)
        if (node) pending_nodes.push_back(std::move(node));
    if (backward) pending_functions.push_back(std::move(backward));
    if (draining) return;
    draining = true;
    while (!pending_nodes.empty() || !pending_functions.empty()) {
        if (!pending_functions.empty()) {
            backward_function f = std::move(pending_functions.back());
            pending_functions.pop_back();
        } else {
            std::shared_ptr<array_node> node = std::move(pending_nodes.back());
            pending_nodes.pop_back();
        }
    }
    draining = false;
}

struct graph_entry {
    std::shared_ptr<array_node> node;
    std::optional<array> grad;
};

struct graph_state {
    std::vector<graph_entry> entries;  // one per backprop id the array is part of

    graph_entry* find(const backprop_id& id) {
        for (graph_entry& e : entries)
            if (e.node->id == id) return &e;
        return nullptr;
    }
};

// What a backward function keeps of an array it reads: the memory, layout and graph nodes, and only
// a weak reference to the array itself (ChainerX keeps inputs the same way). A backward function that
// captured the array would let a recorded gradient own the array it is the gradient of: after
// backward(enable_double_backprop=True), x -> x.grad -> x.grad's graph -> this function -> x, a
// cycle nothing frees. When the array is gone, get() rebuilds it on the same memory and nodes, so a
// recorded backward still reaches the graph behind it.
class retained_array {
  public:
    retained_array() = default;
    explicit retained_array(const array& a) {
        if (!a.defined()) return;
        body_ = a.body_ptr();
        data_ = a.data();
        shape_ = a.shape();
        strides_ = a.strides();
        offset_ = a.offset();
        type_ = a.dtype();
        dev_ = &a.get_device();
        read_only_ = a.is_read_only();
        if (graph_state* g = a.body()->graph.get()) {
            for (graph_entry& e : g->entries) {
                if (!first_node_)
                    first_node_ = e.node;
                else
                    more_nodes_.push_back(e.node);
            }
        }
    }
    bool defined() const { return dev_ != nullptr; }
    array get() const {
        if (!defined()) return array();
        if (std::shared_ptr<array_body> body = body_.lock()) return array::from_body(std::move(body));
        array a = array::from_data(shape_, strides_, type_, *dev_, data_, offset_);
        if (read_only_) a.set_read_only();
        if (first_node_) {
            auto g = std::make_shared<graph_state>();
            g->entries.push_back({first_node_, std::nullopt});
            for (const std::shared_ptr<array_node>& node : more_nodes_) g->entries.push_back({node, std::nullopt});
            a.body()->graph = std::move(g);
        }
        return a;
    }

  private:
    std::weak_ptr<array_body> body_;
    std::shared_ptr<void> data_;  // counted by record_op: a copy of this marks the memory as retained
    shape_t shape_;
    strides_t strides_;
    int64_t offset_ = 0;
    dtype type_ = dtype::float32;
    device* dev_ = nullptr;
    bool read_only_ = false;
    // The array's nodes, one per graph; the first apart, so that the common case of one graph
    // allocates nothing (backward functions are copied into the op node).
    std::shared_ptr<array_node> first_node_;
    std::vector<std::shared_ptr<array_node>> more_nodes_;
};

namespace detail {
// Guards the gradients stored on arrays (graph_entry::grad): backward passes on several threads may
// accumulate into the gradient of one shared leaf.
inline std::mutex& grad_mutex() {
    static std::mutex mutex;
    return mutex;
}

inline graph_entry* find_entry(const array& a, const backprop_id& id) {
    graph_state* g = a.body()->graph.get();
    return g ? g->find(id) : nullptr;
}
inline graph_entry& ensure_entry(const array& a, const backprop_id& id) {
    auto& g = a.body()->graph;
    if (!g) g = std::make_shared<graph_state>();
    if (graph_entry* e = g->find(id)) return *e;
    auto node = std::make_shared<array_node>(array_node{id, a.body_ptr(), nullptr, 0, false});
    g->entries.push_back({std::move(node), std::nullopt});
    return g->entries.back();
}
}  // namespace detail

// Marks a float array as a leaf whose gradient backward() stores; returns the array.
inline const array& require_grad(const array& a, const backprop_id& id = default_backprop_id()) {
    id.check_valid();
    if (!is_float(a.dtype()))
        throw_error<dtype_error>("require_grad: only float arrays can require grad, got ", a.dtype());
    detail::ensure_entry(a, id).node->grad_required = true;
    return a;
}

inline bool is_grad_required(const array& a, const backprop_id& id = default_backprop_id()) {
    graph_entry* e = detail::find_entry(a, id);
    return e && e->node->grad_required;
}

// Whether an op on `a` would record for `id` (a is in that graph and recording is on).
inline bool is_backprop_required(const array& a, const backprop_id& id = default_backprop_id()) {
    return detail::find_entry(a, id) && is_backprop_required(id);
}
// The same for any graph of the array.
inline bool is_backprop_required_any(const array& a) {
    graph_state* g = a.body()->graph.get();
    if (!g) return false;
    for (graph_entry& e : g->entries)
        if (is_backprop_required(e.node->id)) return true;
    return false;
}

// The array's node in graph `id` (the graph can be walked from it through node->creator), or null
// when the array is not in that graph.
inline std::shared_ptr<array_node> get_array_node(const array& a, const backprop_id& id = default_backprop_id()) {
    graph_entry* e = detail::find_entry(a, id);
    return e ? e->node : nullptr;
}
// Whether the array is the output of a recorded op in graph `id` (not a leaf).
inline bool is_chained(const array& a, const backprop_id& id = default_backprop_id()) {
    graph_entry* e = detail::find_entry(a, id);
    return e && e->node->creator != nullptr;
}
// The gradient stored for graph `id`, or none; unlike get_grad, an array outside the graph is not an
// error (ndarray.grad).
inline std::optional<array> find_grad(const array& a, const backprop_id& id = default_backprop_id()) {
    graph_entry* e = detail::find_entry(a, id);
    if (!e) return std::nullopt;
    std::lock_guard lock(detail::grad_mutex());
    return e->grad;
}

inline std::optional<array> get_grad(const array& a, const backprop_id& id = default_backprop_id()) {
    id.check_valid();
    graph_entry* e = detail::find_entry(a, id);
    if (!e || !e->node->grad_required)
        throw_error<chainerx_error>("get_grad: the array does not require grad for backprop id '", id.name(), "'");
    std::lock_guard lock(detail::grad_mutex());
    return e->grad;  // a copy of the handle
}

inline void set_grad(const array& a, std::optional<array> grad, const backprop_id& id = default_backprop_id()) {
    id.check_valid();
    if (grad && !(grad->shape() == a.shape()))
        throw_error<dimension_error>("set_grad: gradient of shape ", grad->shape(), " for an array of shape ",
                                     a.shape());
    if (grad && grad->dtype() != a.dtype())
        throw_error<dtype_error>("set_grad: gradient of dtype ", grad->dtype(), " for an array of dtype ", a.dtype());
    graph_entry* e = detail::find_entry(a, id);
    if (!e || !e->node->grad_required) {
        if (!grad) return;
        require_grad(a, id);
        e = detail::find_entry(a, id);
    }
    std::optional<array> old;  // released after the lock (its memory's deleter may take Python's GIL)
    std::lock_guard lock(detail::grad_mutex());
    old = std::exchange(e->grad, std::move(grad));
}

inline void cleargrad(const array& a, const backprop_id& id = default_backprop_id()) {
    if (graph_entry* e = detail::find_entry(a, id)) {
        std::optional<array> old;
        std::lock_guard lock(detail::grad_mutex());
        old = std::exchange(e->grad, std::nullopt);
    }
}

// A view of a sharing the memory but no graph (for all graphs, or the given ones). The forms that
// copy the data are routines (routines/manipulation.hpp).
inline array as_grad_stopped(const array& a) { return a.make_view(a.shape(), a.strides(), a.offset()); }

namespace detail {
// `view`, a view or copy of a outside every graph, joins a's graphs other than `ids` through the
// same nodes.
inline array keep_other_graphs(array view, const array& a, const std::vector<backprop_id>& ids) {
    if (graph_state* g = a.body()->graph.get()) {
        for (graph_entry& e : g->entries) {
            if (std::find(ids.begin(), ids.end(), e.node->id) != ids.end()) continue;
            // Keep the other graphs: the view joins them through the same nodes.
            auto& vg = view.body()->graph;
            if (!vg) vg = std::make_shared<graph_state>();
            vg->entries.push_back({e.node, std::nullopt});
        }
    }
    return view;
}
}  // namespace detail

inline array as_grad_stopped(const array& a, const std::vector<backprop_id>& ids) {
    return detail::keep_other_graphs(as_grad_stopped(a), a, ids);
}

// Records an op with the given inputs and outputs on every graph in which some input takes part
// and recording is on. Cheap when no input has graph state (the common inference path).
inline void record_op(const char* name, std::span<const array* const> inputs, std::span<const array* const> outputs,
                      const backward_function& backward) {
    bool any = false;
    for (const array* in : inputs) any = any || (in && in->body()->graph);
    if (!any || outputs.empty()) return;
    for (const array* out : outputs)
        if (!is_float(out->dtype())) return;  // only float arrays carry gradients
    // Distinct backprop ids of the inputs where recording is on.
    std::vector<backprop_id> ids;
    for (const array* in : inputs) {
        if (!in || !in->body()->graph) continue;
        for (graph_entry& e : in->body()->graph->entries) {
            const backprop_id& id = e.node->id;
            if (std::find(ids.begin(), ids.end(), id) == ids.end() && is_backprop_required(id)) ids.push_back(id);
        }
    }
    for (const backprop_id& id : ids) {
        // An input's body (a captured array) or memory (a captured retained_array) gains references
        // exactly when copying the backward function into the node copies a capture of it: that is
        // how inputs the backward keeps are found and marked.
        std::vector<std::pair<long, long>> references;
        for (const array* in : inputs)
            references.emplace_back(in ? in->body_ptr().use_count() : 0, in ? in->data().use_count() : 0);
        auto op =
            std::make_shared<op_node>(op_node{name, id, 0, {}, {}, {}, {}, &outputs[0]->get_device(), backward, {}});
        for (size_t i = 0; i < inputs.size(); ++i) {
            if (!inputs[i] || (inputs[i]->body_ptr().use_count() <= references[i].first &&
                               inputs[i]->data().use_count() <= references[i].second))
                continue;
            const void* storage = inputs[i]->data().get();
            if (!storage || std::find(op->retained.begin(), op->retained.end(), storage) != op->retained.end())
                continue;
            detail::retained_storages().retain(storage);
            op->retained.push_back(storage);
        }
        for (const array* in : inputs) {
            graph_entry* e = in ? detail::find_entry(*in, id) : nullptr;
            op->inputs.push_back(e ? e->node : nullptr);
            if (e) op->rank = std::max(op->rank, e->node->rank + 1);
        }
        for (const array* out : outputs) {
            graph_entry& e = detail::ensure_entry(*out, id);
            e.node->creator = op;
            e.node->rank = op->rank;
            op->outputs.push_back(e.node);
            op->output_shapes.push_back(out->shape());
            op->output_dtypes.push_back(out->dtype());
        }
    }
}
inline void record_op(const char* name, std::initializer_list<const array*> inputs,
                      std::initializer_list<const array*> outputs, const backward_function& backward) {
    record_op(name, std::span<const array* const>(inputs.begin(), inputs.size()),
              std::span<const array* const>(outputs.begin(), outputs.size()), backward);
}

}  // namespace chainerx
