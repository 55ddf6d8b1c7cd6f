// Autograd's Python API: backprop ids and scopes, backprop modes, gradients on arrays, backward().
#include <nanobind/stl/pair.h>
#include <nanobind/stl/vector.h>

#include <set>
#include <sstream>
#include <thread>

#include "chainerx/autograd/gradient_check.hpp"
#include "common.hpp"

namespace chainerx::python {

namespace {
// None or a float. (A std::optional<double> parameter makes GCC 12 warn, falsely, about an
// uninitialized double inside nanobind's caster at -O3.)
std::optional<double> to_optional_double(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    return nb::cast<double>(h);
}

// Marker accepted by is_backprop_required for "any graph".
struct any_graph {};

backprop_id to_backprop_id(nb::handle h) {
    if (h.is_none()) return default_backprop_id();
    backprop_id* id;
    if (nb::try_cast<backprop_id*>(h, id) && id) return *id;
    if (nb::isinstance<nb::str>(h))
        throw nb::type_error("a backprop id must be a chainerx.BackpropId (from backprop_scope or make_backprop_id)");
    throw nb::type_error("expected a chainerx.BackpropId or None");
}

std::vector<backprop_id> to_backprop_ids(nb::handle h) {
    std::vector<backprop_id> ids;
    if (nb::isinstance<nb::list>(h) || nb::isinstance<nb::tuple>(h)) {
        for (nb::handle item : h) ids.push_back(to_backprop_id(item));
    } else {
        ids.push_back(to_backprop_id(h));
    }
    return ids;
}

std::vector<array> to_array_list(nb::handle h) {
    std::vector<array> arrays;
    array* a;
    if (nb::try_cast<array*>(h, a) && a) {
        arrays.push_back(*a);
        return arrays;
    }
    for (nb::handle item : h) arrays.push_back(to_array_arg(item, "backward"));
    return arrays;
}

// A backprop mode scope for Python's with-statement (one C++ type per Python class).
template <bool Enabled>
struct mode_scope_py {
    static constexpr bool enabled = Enabled;
    nb::object target;  // None (default context), a Context, a BackpropId or a list of them
    std::unique_ptr<backprop_mode_scope> scope;
    std::thread::id owner{};  // the thread that entered it (modes are per thread)

    void enter() {
        if (scope && owner != std::this_thread::get_id())
            throw nb::builtin_exception(nb::exception_type::runtime_error,
                                        "this backprop mode scope is active on another thread");
        owner = std::this_thread::get_id();
        context* ctx;
        if (target.is_none()) {
            scope = std::make_unique<backprop_mode_scope>(enabled, get_default_context(), std::nullopt);
        } else if (nb::try_cast<context*>(target, ctx) && ctx) {
            scope = std::make_unique<backprop_mode_scope>(enabled, *ctx, std::nullopt);
        } else {
            std::vector<backprop_id> ids = to_backprop_ids(target);
            context& c = ids.empty() ? get_default_context() : ids[0].get_context();
            scope = std::make_unique<backprop_mode_scope>(enabled, c, std::move(ids));
        }
    }
    // Restores what the scope changed, its own entry only (scopes may be exited out of order). The
    // modes are the entering thread's: exiting from another thread cannot reach them and is refused.
    void exit() {
        if (scope && owner != std::this_thread::get_id())
            throw nb::builtin_exception(nb::exception_type::runtime_error,
                                        "a backprop mode scope must be exited on the thread that entered it");
        scope.reset();
    }
};

struct backprop_scope_py {
    std::string name;
    context* ctx;
    std::optional<backprop_id> id;
};

// The graph behind a (graph id), one node a line, inputs indented under the op that consumes them; an op
// reached twice is printed once.
std::string debug_graph_text(const array& a, const backprop_id& id) {
    std::ostringstream os;
    std::shared_ptr<array_node> root = get_array_node(a, id);
    if (!root) {
        os << "array " << a.shape() << " is not in graph " << id.name();
        return os.str();
    }
    std::set<const op_node*> seen;
    auto dump = [&](auto& self, const array_node& node, int depth) -> void {
        std::string indent(2 * static_cast<size_t>(depth), ' ');
        os << indent << "ArrayNode<" << &node << " rank=" << node.rank << (node.grad_required ? " grad_required" : "")
           << ">\n";
        const op_node* op = node.creator.get();
        if (!op) return;
        if (!seen.insert(op).second) {
            os << indent << "  Op<" << op->name << " " << op << "> (above)\n";
            return;
        }
        os << indent << "  Op<" << op->name << " " << op << " rank=" << op->rank << ">\n";
        for (const auto& input : op->inputs) {
            if (input) {
                self(self, *input, depth + 2);
            } else {
                os << indent << "    (input not in this graph)\n";
            }
        }
    };
    os << "Graph " << id.name() << " of array " << a.shape() << " " << a.dtype() << "\n";
    dump(dump, *root, 0);
    return os.str();
}

// ---- docstrings ----
constexpr const char* no_backprop_mode_doc = R"(Returns a context manager inside which operations record no graph.

with chainerx.no_backprop_mode(): ... turns recording off on this thread for every graph of the
default context; scopes nest, and the innermost one that applies to a graph decides.

Args:
    backprop_id: None (every graph of the default context), a Context (every graph of it), or a
        BackpropId or a list of them (only those graphs).)";

constexpr const char* force_backprop_mode_doc =
    R"(Returns a context manager inside which operations record graphs again.

Undoes an enclosing no_backprop_mode on this thread, for every graph of the default context or for
the given ones; the innermost scope that applies to a graph decides.

Args:
    backprop_id: None (every graph of the default context), a Context (every graph of it), or a
        BackpropId or a list of them (only those graphs).)";

constexpr const char* backward_method_doc =
    R"(Backpropagates from this array, storing gradients on the arrays that require grad.

The seed is this array's gradient when one is set, else ones. Gradients are added to the ones
already stored (call cleargrad to start over).

Args:
    backprop_id: the graph to backpropagate through; None is the default graph.
    enable_double_backprop: if True, the backward computation is itself recorded, so the gradients
        can be differentiated again.
    loss_scale: a factor that multiplies the seed (and so every gradient); None is 1.)";

constexpr const char* as_grad_stopped_doc = R"(Returns a view of this array that is cut off from its graphs.

Args:
    backprop_ids: None cuts the view off from every graph; a BackpropId or a list of them cuts it
        off from those graphs only (it stays in the others). A bool here is taken as copy, as in
        ChainerX's as_grad_stopped(copy).
    copy: if True, the result is a copy of the data instead of a view.)";

constexpr const char* check_backward_doc = R"(Checks func's backward against numerical gradients (central differences).

The gradients backward computes for the inputs are compared with those of
sum(func(inputs)[k] * grad_outputs[k]) by central differences.

Args:
    func: called as func(xs) with the list of input arrays, as in ChainerX; returns an ndarray or
        a tuple or list of them.
    inputs: an ndarray or a sequence of them; func sees copies.
    grad_outputs: the output gradients, one array per output of func (an ndarray or a sequence).
    eps: the finite-difference step: a float for all inputs, or (as ChainerX) a list with one array per
        input, each of one element or of the input's shape (a step per element).
    atol: the absolute tolerance.
    rtol: the relative tolerance: an element passes if |analytical - numerical| <= atol + rtol * |numerical|.
    backprop_id: the graph to record on; None uses a temporary one.
Raises:
    GradientCheckError: a gradient differs from the numerical one.)";

constexpr const char* check_double_backward_doc = R"(Checks the second-order gradients of func against numerical ones.

check_backward is applied to the first-order gradient of func, as a function of (inputs,
grad_outputs), with grad_grad_inputs as its output gradients.

Args:
    func: called as func(xs) with the list of input arrays, as in ChainerX; returns an ndarray or
        a tuple or list of them.
    inputs: an ndarray or a sequence of them.
    grad_outputs: the output gradients of func, one per output.
    grad_grad_inputs: the gradients of the first-order input gradients, one per input.
    eps: the finite-difference step: a float for everything, or (as ChainerX) a list of arrays, one per
        input and then one per output gradient, each of one element or of that array's shape.
    atol: the absolute tolerance.
    rtol: the relative tolerance (an element passes if |error| <= atol + rtol * |numerical|).
    backprop_id: the graph to record on; None uses a temporary one.
Raises:
    GradientCheckError: a gradient differs from the numerical one.)";

constexpr const char* backward_doc = R"(Backpropagates from outputs, storing gradients on the arrays that require grad.

Each output's seed is its gradient when one is set, else ones. Gradients are added to the ones
already stored (cleargrad starts over).

Args:
    outputs: an ndarray or a sequence of them.
    backprop_id: the graph to backpropagate through; None is the default graph.
    enable_double_backprop: if True, the backward computation is itself recorded, so the gradients
        can be differentiated again.
    loss_scale: a factor that multiplies every seed; None is 1.)";

constexpr const char* grad_doc = R"(Computes the gradients of outputs with respect to inputs.

Unlike backward, the arrays' stored gradients are left alone unless set_grad or retain_grad is True.

Args:
    outputs: an ndarray or a sequence of them.
    inputs: an ndarray or a sequence of them.
    backprop_id: the graph to backpropagate through; None is the default graph.
    enable_double_backprop: if True, the gradient computation is recorded, so the results can be
        differentiated again.
    set_grad: if True, each gradient is also stored on its input (as set_grad does).
    retain_grad: if True, the gradient of every array the pass reaches is stored on it (intermediate
        arrays then require grad).
    grad_outputs: the seeds, one per output (None entries: ones); None seeds every output with ones.
    loss_scale: a factor that multiplies every seed; None is 1.
Returns:
    A list with the gradient of each input, None where an input is not reached from the outputs.
Raises:
    GradientError: grad_outputs does not match outputs in number or shape.)";
}  // namespace

void init_autograd(nb::module_& m) {
    nb::class_<backprop_id>(m, "BackpropId",
                            "Identifies a graph (backprop_scope and Context.make_backprop_id make them).\n\n"
                            "An array may take part in several graphs; backward, grad and the gradient methods of "
                            "ndarray take the graph's id (None: the default graph of the default context).")
        .def_prop_ro("name", &backprop_id::name,
                     "The name the backprop id was made with ('<default>' for the default).")
        .def_prop_ro("context", &backprop_id::get_context, nb::rv_policy::reference,
                     "The Context the backprop id belongs to.")
        .def("__eq__",
             [](const backprop_id& a, nb::handle b) {
                 backprop_id* other;
                 return nb::try_cast<backprop_id*>(b, other) && other && *other == a;
             })
        .def("__hash__", [](const backprop_id& a) { return a.ordinal(); })
        .def("__repr__", [](const backprop_id& a) { return "<BackpropId name='" + a.name() + "'>"; });

    nb::class_<any_graph>(m, "AnyGraph",
                          "The type of chainerx.anygraph, which asks ndarray.is_backprop_required about any graph.");
    m.attr("anygraph") = nb::cast(any_graph{});

    auto context_cls = nb::type<context>();
    context_cls.attr("make_backprop_id") =
        nb::cpp_function([](context& c, const std::string& name) { return make_backprop_id(name, c); }, nb::is_method(),
                         nb::name("make_backprop_id"), nb::scope(context_cls), nb::arg("backprop_name"),
                         "Makes a new BackpropId (a new graph) named backprop_name in this context.\n\n"
                         "Release it with release_backprop_id; backprop_scope does both.");
    context_cls.attr("release_backprop_id") =
        nb::cpp_function([](context&, const backprop_id& id) { release_backprop_id(id); }, nb::is_method(),
                         nb::name("release_backprop_id"), nb::scope(context_cls), nb::arg("backprop_id"),
                         "Releases backprop_id: using it afterwards raises ContextError.\n\n"
                         "The default backprop id cannot be released (ContextError).");
    context_cls.attr("_check_valid_backprop_id") =
        nb::cpp_function([](context&, const backprop_id& id) { id.check_valid(); }, nb::is_method(),
                         nb::name("_check_valid_backprop_id"), nb::scope(context_cls), nb::arg("backprop_id"));

    nb::class_<backprop_scope_py>(m, "BackpropScope",
                                  "The context manager backprop_scope returns: entering it makes a new BackpropId "
                                  "(the with-statement's target), leaving it releases the id.")
        .def("__enter__",
             [](backprop_scope_py& s) {
                 s.id = make_backprop_id(s.name, *s.ctx);
                 return *s.id;
             })
        .def("__exit__", [](backprop_scope_py& s, nb::args) {
            if (s.id) release_backprop_id(*s.id);
            s.id.reset();
        });
    m.def(
        "backprop_scope",
        [](const std::string& name, context* ctx) {
            return backprop_scope_py{name, ctx ? ctx : &get_default_context(), std::nullopt};
        },
        nb::arg("backprop_name"), nb::arg("context").none() = nb::none(),
        "Returns a context manager that makes a new graph for its with-block.\n\n"
        "with chainerx.backprop_scope('name') as backprop_id: ... makes a BackpropId named backprop_name in "
        "context (None: the default context) on entry and releases it on exit.");

    nb::class_<mode_scope_py<false>>(m, "NoBackpropMode",
                                     "The context manager no_backprop_mode returns: recording is off in its "
                                     "with-block.")
        .def("__enter__", [](mode_scope_py<false>& s) { s.enter(); })
        .def("__exit__", [](mode_scope_py<false>& s, nb::args) { s.exit(); });
    nb::class_<mode_scope_py<true>>(m, "ForceBackpropMode",
                                    "The context manager force_backprop_mode returns: recording is on again in its "
                                    "with-block.")
        .def("__enter__", [](mode_scope_py<true>& s) { s.enter(); })
        .def("__exit__", [](mode_scope_py<true>& s, nb::args) { s.exit(); });
    m.def(
        "no_backprop_mode", [](nb::object target) { return mode_scope_py<false>{target, nullptr}; },
        nb::arg("backprop_id").none() = nb::none(), no_backprop_mode_doc);
    m.def(
        "force_backprop_mode", [](nb::object target) { return mode_scope_py<true>{target, nullptr}; },
        nb::arg("backprop_id").none() = nb::none(), force_backprop_mode_doc);
    m.def(
        "is_backprop_required",
        [](nb::handle target, nb::handle context_arg) {
            // ChainerX has two overloads, is_backprop_required(backprop_id) and is_backprop_required(context).
            if (!target.is_none() && !context_arg.is_none())
                throw nb::type_error("is_backprop_required: give backprop_id or context, not both");
            if (target.is_none()) target = context_arg;
            context* ctx;
            if (!target.is_none() && nb::try_cast<context*>(target, ctx) && ctx)
                return is_backprop_required(backprop_id(*ctx, 0));
            return is_backprop_required(to_backprop_id(target));
        },
        nb::arg("backprop_id").none() = nb::none(), nb::arg("context").none() = nb::none(),
        "Whether operations on this thread record graph backprop_id, given the no_backprop_mode and "
        "force_backprop_mode scopes.\n\n"
        "backprop_id: a BackpropId; None is the default graph, and a Context means its default graph.\n"
        "context: a Context, asking about its default graph (ChainerX's other form; give one of the two).");

    auto cls = nb::type<array>();
    auto method = [&](const char* name, auto&& f, auto... extra) {
        cls.attr(name) =
            nb::cpp_function(std::forward<decltype(f)>(f), nb::is_method(), nb::name(name), nb::scope(cls), extra...);
    };
    method(
        "require_grad",
        [](nb::handle self, nb::handle id) {
            require_grad(nb::cast<const array&>(self), to_backprop_id(id));
            return nb::borrow(self);
        },
        nb::arg("backprop_id").none() = nb::none(),
        "Marks this array as a leaf whose gradient backward stores, in graph backprop_id (None: the default).\n\n"
        "Returns the array itself. Only float arrays can require grad (DtypeError).");
    method(
        "is_grad_required", [](const array& a, nb::handle id) { return is_grad_required(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none(),
        "Whether require_grad was called on this array for graph backprop_id (None: the default graph).");
    method(
        "is_backprop_required",
        [](const array& a, nb::handle id) {
            if (nb::isinstance<any_graph>(id)) return is_backprop_required_any(a);
            return is_backprop_required(a, to_backprop_id(id));
        },
        nb::arg("backprop_id").none() = nb::none(),
        "Whether an operation on this array would be recorded for backprop.\n\n"
        "True when the array is part of graph backprop_id (None: the default graph) and recording is on for it; "
        "chainerx.anygraph asks about any of the array's graphs.");
    method(
        "_is_chained", [](const array& a, nb::handle id) { return is_chained(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none());
    method(
        "get_grad", [](const array& a, nb::handle id) { return get_grad(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none(),
        "Returns the gradient stored for graph backprop_id (None: the default), or None if there is none yet.\n\n"
        "Raises ChainerxError when the array does not require grad in that graph.");
    method(
        "set_grad", [](const array& a, std::optional<array> g, nb::handle id) { set_grad(a, g, to_backprop_id(id)); },
        nb::arg("grad").none(), nb::arg("backprop_id").none() = nb::none(),
        "Stores grad as this array's gradient in graph backprop_id (None: the default); None clears it.\n\n"
        "grad must have the array's shape (DimensionError) and dtype (DtypeError); setting one on an array that "
        "does not require grad makes it require grad.");
    method(
        "cleargrad", [](const array& a, nb::handle id) { cleargrad(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none(),
        "Clears the gradient stored for graph backprop_id (None: the default); the array still requires grad.");
    cls.attr("grad") = nb::steal(PyObject_CallFunctionObjArgs(
        reinterpret_cast<PyObject*>(&PyProperty_Type),
        nb::cpp_function([](const array& a) { return find_grad(a); }).ptr(),
        nb::cpp_function([](const array& a, std::optional<array> g) { set_grad(a, g); }, nb::arg("self"),
                         nb::arg("grad").none())
            .ptr(),
        Py_None, nb::str("The gradient in the default graph, or None; assigning to it works as set_grad does.").ptr(),
        nullptr));
    method(
        "backward",
        [](const array& a, nb::handle id, bool double_backprop, nb::handle loss_scale) {
            backward({a}, to_backprop_id(id), double_backprop, to_optional_double(loss_scale));
        },
        nb::arg("backprop_id").none() = nb::none(), nb::arg("enable_double_backprop") = false,
        nb::arg("loss_scale").none() = nb::none(), backward_method_doc);
    method(
        "as_grad_stopped",
        [](const array& a, nb::handle ids_or_copy, bool copy) {
            if (ids_or_copy.is_valid() && !ids_or_copy.is_none() && !PyBool_Check(ids_or_copy.ptr()))
                return as_grad_stopped(a, to_backprop_ids(ids_or_copy), copy);
            bool copy_flag = copy || (ids_or_copy.is_valid() && ids_or_copy.ptr() == Py_True);
            return as_grad_stopped(a, copy_flag);
        },
        nb::arg("backprop_ids").none() = nb::none(), nb::arg("copy") = false, as_grad_stopped_doc);
    method(
        "_debug_dump_computational_graph",
        [](const array& a, nb::handle id) {
            nb::module_::import_("builtins").attr("print")(debug_graph_text(a, to_backprop_id(id)));
        },
        nb::arg("backprop_id").none() = nb::none());
    method("_backprop_ids", [](const array& a) {
        std::vector<std::string> names;
        if (graph_state* g = a.body()->graph.get())
            for (graph_entry& e : g->entries) names.push_back(e.node->id.name());
        return names;
    });

    // Gradient checks: a Python callable wrapped as a differentiable function.
    auto wrap = [](nb::object func) {
        return differentiable_function([func](const std::vector<array>& xs) {
            nb::list args;
            for (const array& x : xs) args.append(nb::cast(x));
            nb::object result = func(args);  // ChainerX's contract: one list of arrays
            std::vector<array> ys;
            if (nb::isinstance<nb::tuple>(result) || nb::isinstance<nb::list>(result)) {
                for (nb::handle y : result) ys.push_back(y.is_none() ? array() : to_array_arg(y, "check_backward"));
            } else {
                ys.push_back(to_array_arg(result, "check_backward"));
            }
            return ys;
        });
    };
    auto array_list_or_none = [](nb::handle h) {
        std::vector<array> arrays;
        if (h.is_none()) return arrays;
        array* a;
        if (nb::try_cast<array*>(h, a) && a) return std::vector<array>{*a};
        for (nb::handle item : h) arrays.push_back(item.is_none() ? array() : to_array_arg(item, "check_backward"));
        return arrays;
    };
    auto optional_id = [](nb::handle h) -> std::optional<backprop_id> {
        if (h.is_none()) return std::nullopt;
        return to_backprop_id(h);
    };
    // eps: a number, or ChainerX's list of arrays (an ndarray or a number per entry is taken too).
    auto is_number = [](nb::handle h) { return !nb::isinstance<array>(h) && !PySequence_Check(h.ptr()); };
    auto eps_arrays = [=](nb::handle h) {
        std::vector<array> arrays;
        array* a;
        if (nb::try_cast<array*>(h, a) && a) return std::vector<array>{*a};
        for (nb::handle item : h)
            arrays.push_back(is_number(item) ? full({}, nb::cast<double>(item), dtype::float64)
                                             : nb::cast<array>(item));
        return arrays;
    };
    m.def(
        "check_backward",
        [=](nb::object func, nb::handle inputs, nb::handle grad_outputs, nb::handle eps, double atol, double rtol,
            nb::handle id) {
            if (is_number(eps))
                check_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs),
                               nb::cast<double>(eps), atol, rtol, optional_id(id));
            else
                check_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs),
                               eps_arrays(eps), atol, rtol, optional_id(id));
        },
        nb::arg("func"), nb::arg("inputs"), nb::arg("grad_outputs").none(), nb::arg("eps") = 1e-3,
        nb::arg("atol") = 1e-5, nb::arg("rtol") = 1e-4, nb::arg("backprop_id").none() = nb::none(), check_backward_doc);
    m.def(
        "check_double_backward",
        [=](nb::object func, nb::handle inputs, nb::handle grad_outputs, nb::handle grad_grad_inputs, nb::handle eps,
            double atol, double rtol, nb::handle id) {
            if (is_number(eps))
                check_double_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs),
                                      array_list_or_none(grad_grad_inputs), nb::cast<double>(eps), atol, rtol,
                                      optional_id(id));
            else
                check_double_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs),
                                      array_list_or_none(grad_grad_inputs), eps_arrays(eps), atol, rtol,
                                      optional_id(id));
        },
        nb::arg("func"), nb::arg("inputs"), nb::arg("grad_outputs"), nb::arg("grad_grad_inputs"), nb::arg("eps") = 1e-3,
        nb::arg("atol") = 1e-5, nb::arg("rtol") = 1e-4, nb::arg("backprop_id").none() = nb::none(),
        check_double_backward_doc);

    m.def(
        "backward",
        [](nb::handle outputs, nb::handle id, bool double_backprop, nb::handle loss_scale) {
            backward(to_array_list(outputs), to_backprop_id(id), double_backprop, to_optional_double(loss_scale));
        },
        nb::arg("outputs"), nb::arg("backprop_id").none() = nb::none(), nb::arg("enable_double_backprop") = false,
        nb::arg("loss_scale").none() = nb::none(), backward_doc);
    m.def(
        "grad",
        [](nb::handle outputs, nb::handle inputs, nb::handle id, bool double_backprop, bool set_grad_flag,
           bool retain_grad, nb::handle grad_outputs, nb::handle loss_scale) {
            std::vector<std::optional<array>> seeds;
            if (!grad_outputs.is_none()) {
                for (nb::handle g : grad_outputs) {
                    if (g.is_none()) {
                        seeds.push_back(std::nullopt);
                    } else {
                        seeds.push_back(to_array_arg(g, "grad"));
                    }
                }
            }
            return grad(to_array_list(outputs), to_array_list(inputs), to_backprop_id(id), double_backprop,
                        set_grad_flag, seeds, to_optional_double(loss_scale), retain_grad);
        },
        nb::arg("outputs"), nb::arg("inputs"), nb::arg("backprop_id").none() = nb::none(),
        nb::arg("enable_double_backprop") = false, nb::arg("set_grad") = false, nb::arg("retain_grad") = false,
        nb::arg("grad_outputs").none() = nb::none(), nb::arg("loss_scale").none() = nb::none(), grad_doc);
}

}  // namespace chainerx::python
