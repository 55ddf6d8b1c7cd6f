// Chainer's bridge. Chainer 7 runs a FunctionNode that has no forward_chainerx (or whose
// forward_chainerx returns chainer.Fallback) on NumPy views of the chainerx inputs, then calls
// _function_node_forward to connect the outputs to the inputs in chainerx's graph; the op recorded
// here calls the node's _backward_chainerx in backprop.
#include "common.hpp"

namespace chainerx::python {

namespace {
// A Python object that graph nodes own and may drop on any thread, with or without the GIL.
using shared_object = std::shared_ptr<nb::object>;
shared_object share(nb::object o) {
    return shared_object(new nb::object(std::move(o)), [](nb::object* p) {
        if (!Py_IsInitialized()) return;  // the interpreter is gone: nothing left to release
        nb::gil_scoped_acquire gil;
        delete p;
    });
}

// An output the backward needs. The output's own array while someone holds it; otherwise a new
// array over the same data, put back on the output's graph nodes so that a recorded backward
// (double backprop) still reaches this op, as ChainerX does.
struct retained_output {
    std::weak_ptr<array_body> body;
    array data;                                    // grad-stopped view of the output
    std::vector<std::weak_ptr<array_node>> nodes;  // the output's nodes, one per graph

    array get() const {
        if (std::shared_ptr<array_body> alive = body.lock()) return array::from_body(std::move(alive));
        array view = as_grad_stopped(data);
        for (const auto& weak : nodes) {
            std::shared_ptr<array_node> node = weak.lock();
            if (!node) continue;
            auto& graph = view.body()->graph;
            if (!graph) graph = std::make_shared<graph_state>();
            graph->entries.push_back({std::move(node), std::nullopt});
        }
        return view;
    }
};

struct chainer_function {
    shared_object node;                 // the chainer.FunctionNode
    std::vector<bool> targets;          // inputs that take part in a graph: they get gradients
    std::vector<size_t> float_outputs;  // Chainer's index of each recorded output
    size_t output_count = 0;
    std::vector<retained_output> retained_outputs;

    // Calls FunctionNode._backward_chainerx(target_input_indexes, grad_outputs, retained_inputs,
    // retained_outputs) and spreads its gradients over the inputs.
    std::vector<array> backward(const std::vector<array>& output_grads,
                                const std::vector<retained_array>& retained_inputs) const {
        nb::gil_scoped_acquire gil;
        nb::list target_indexes, grads, inputs, outputs;
        for (size_t i = 0; i < targets.size(); ++i)
            if (targets[i]) target_indexes.append(i);
        std::vector<nb::object> by_output(output_count, nb::none());
        for (size_t k = 0; k < float_outputs.size(); ++k) by_output[float_outputs[k]] = nb::cast(output_grads[k]);
        for (nb::object& g : by_output) grads.append(g);
        for (const retained_array& a : retained_inputs) inputs.append(a.defined() ? nb::cast(a.get()) : nb::none());
        for (const retained_output& r : retained_outputs) outputs.append(nb::cast(r.get()));
        nb::object result = node->attr("_backward_chainerx")(target_indexes, grads, inputs, outputs);
        // Chainer keeps the retained arrays on the node after backward; they hold this op's outputs,
        // whose graph holds this node: a reference cycle through C++ that Python's gc cannot see.
        node->attr("_chainerx_retained_inputs") = nb::none();
        node->attr("_chainerx_retained_outputs") = nb::none();

        std::vector<array> input_grads(targets.size());
        size_t k = 0;
        for (nb::handle g : result) {
            while (k < targets.size() && !targets[k]) ++k;
            if (k == targets.size()) throw_error<chainerx_error>("_backward_chainerx returned too many gradients");
            if (!g.is_none()) input_grads[k] = to_array_arg(g, "_backward_chainerx");
            ++k;
        }
        return input_grads;
    }
};

// The recorded op's backward; a named type, so that visit_chainer_op can find its node.
struct chainer_backward {
    std::shared_ptr<chainer_function> fn;
    std::vector<retained_array> kept_inputs;

    std::vector<array> operator()(const std::vector<array>& output_grads) const {
        return fn->backward(output_grads, kept_inputs);
    }
};

std::vector<size_t> to_indexes(nb::handle h, size_t count, const char* what) {
    std::vector<size_t> indexes;
    if (h.is_none()) return indexes;
    for (nb::handle item : h) {
        int64_t i = to_int64(item);
        if (i < 0 || static_cast<size_t>(i) >= count)
            throw nb::index_error((std::string("_function_node_forward: ") + what + " index out of range").c_str());
        indexes.push_back(static_cast<size_t>(i));
    }
    return indexes;
}

void function_node_forward(nb::object function_node, nb::handle inputs_obj, nb::handle outputs_obj,
                           nb::handle input_indexes_to_retain, nb::handle output_indexes_to_retain) {
    std::vector<array> inputs, outputs;
    for (nb::handle h : inputs_obj) inputs.push_back(h.is_none() ? array() : to_array_arg(h, "_function_node_forward"));
    for (nb::handle h : outputs_obj) {
        const array& out = to_array_arg(h, "_function_node_forward");
        if (out.body()->graph)
            throw_error<chainerx_error>("_function_node_forward: an output is already part of a graph");
        outputs.push_back(out);
    }
    std::vector<size_t> retain_in = to_indexes(input_indexes_to_retain, inputs.size(), "input");
    std::vector<size_t> retain_out = to_indexes(output_indexes_to_retain, outputs.size(), "output");

    auto fn = std::make_shared<chainer_function>();
    fn->output_count = outputs.size();
    bool any_target = false;
    for (const array& in : inputs) {
        fn->targets.push_back(in.defined() && is_backprop_required_any(in));
        any_target = any_target || fn->targets.back();
    }
    std::vector<const array*> recorded_outputs;
    for (size_t i = 0; i < outputs.size(); ++i) {
        if (!is_float(outputs[i].dtype())) continue;  // only float arrays carry gradients
        fn->float_outputs.push_back(i);
        recorded_outputs.push_back(&outputs[i]);
    }
    if (!any_target || recorded_outputs.empty()) return;  // nothing to differentiate
    fn->node = share(std::move(function_node));
    for (size_t i : retain_out)
        fn->retained_outputs.push_back({outputs[i].body_ptr(), as_grad_stopped(outputs[i]), {}});

    // The backward keeps the retained inputs' memory and graph nodes: record_op marks them, so
    // in-place writes into them are refused while the graph lives.
    std::vector<retained_array> kept_inputs;
    for (size_t i : retain_in) kept_inputs.emplace_back(inputs[i]);
    std::vector<const array*> recorded_inputs;
    for (const array& in : inputs) recorded_inputs.push_back(in.defined() ? &in : nullptr);
    record_op("chainer_function", recorded_inputs, recorded_outputs, chainer_backward{fn, std::move(kept_inputs)});

    // The output nodes exist only now; the retained outputs need them once the outputs are gone.
    for (size_t r = 0; r < retain_out.size(); ++r) {
        if (graph_state* graph = outputs[retain_out[r]].body()->graph.get())
            for (graph_entry& e : graph->entries) fn->retained_outputs[r].nodes.push_back(e.node);
    }
}

constexpr const char* function_node_forward_doc =
    R"(Connects the outputs of a Chainer FunctionNode to its inputs in chainerx's graph.

Chainer calls this after running a FunctionNode on NumPy views of chainerx arrays (its fallback);
in backprop, the recorded op calls function_node._backward_chainerx with the indexes of the inputs
that need gradients, the output gradients and the retained arrays.

Args:
    function_node: the chainer.FunctionNode whose backward computes the gradients.
    inputs: the input ndarrays (None for a missing input).
    outputs: the output ndarrays, which must not be part of a graph yet.
    input_indexes_to_retain: indexes of the inputs the backward needs (or None).
    output_indexes_to_retain: indexes of the outputs the backward needs (or None).)";
}  // namespace

int visit_chainer_op(const op_node& op, visitproc visit, void* arg) {
    const auto* backward = op.backward.target<chainer_backward>();
    if (backward && backward->fn.use_count() == 1 && backward->fn->node.use_count() == 1)
        Py_VISIT(backward->fn->node->ptr());
    return 0;
}

void init_chainer_interop(nb::module_& m) {
    m.def("_function_node_forward", &function_node_forward, nb::arg("function_node"), nb::arg("inputs"),
          nb::arg("outputs"), nb::arg("input_indexes_to_retain") = nb::none(),
          nb::arg("output_indexes_to_retain") = nb::none(), function_node_forward_doc);
}

}  // namespace chainerx::python
