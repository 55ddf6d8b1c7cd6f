// Autograd's Python API: backprop ids and scopes, backprop modes, gradients on arrays, backward().
#include <nanobind/stl/pair.h>
#include <nanobind/stl/vector.h>

#include "chainerx/autograd/gradient_check.hpp"
#include "common.hpp"

namespace chainerx::python {

namespace {
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
    for (nb::handle item : h) arrays.push_back(nb::cast<array>(item));
    return arrays;
}

// A backprop mode scope for Python's with-statement (one C++ type per Python class).
template <bool Enabled>
struct mode_scope_py {
    static constexpr bool enabled = Enabled;
    nb::object target;  // None (default context), a Context, a BackpropId or a list of them
    std::unique_ptr<detail::backprop_mode_scope> scope;

    void enter() {
        context* ctx;
        if (target.is_none()) {
            scope = std::make_unique<detail::backprop_mode_scope>(enabled, get_default_context(), std::nullopt);
        } else if (nb::try_cast<context*>(target, ctx) && ctx) {
            scope = std::make_unique<detail::backprop_mode_scope>(enabled, *ctx, std::nullopt);
        } else {
            std::vector<backprop_id> ids = to_backprop_ids(target);
            context& c = ids.empty() ? get_default_context() : ids[0].get_context();
            scope = std::make_unique<detail::backprop_mode_scope>(enabled, c, std::move(ids));
        }
    }
};

struct backprop_scope_py {
    std::string name;
    context* ctx;
    std::optional<backprop_id> id;
};
}  // namespace

void init_autograd(nb::module_& m) {
    nb::class_<backprop_id>(m, "BackpropId", "Names a graph; arrays may take part in several graphs.")
        .def_prop_ro("name", &backprop_id::name)
        .def_prop_ro("context", &backprop_id::get_context, nb::rv_policy::reference)
        .def("__eq__",
             [](const backprop_id& a, nb::handle b) {
                 backprop_id* other;
                 return nb::try_cast<backprop_id*>(b, other) && other && *other == a;
             })
        .def("__hash__", [](const backprop_id& a) { return a.ordinal(); })
        .def("__repr__", [](const backprop_id& a) { return "<BackpropId name='" + a.name() + "'>"; });

    nb::class_<any_graph>(m, "AnyGraph", "Marker for is_backprop_required: any graph.");
    m.attr("anygraph") = nb::cast(any_graph{});

    auto context_cls = nb::type<context>();
    context_cls.attr("make_backprop_id") =
        nb::cpp_function([](context& c, const std::string& name) { return make_backprop_id(name, c); }, nb::is_method(),
                         nb::name("make_backprop_id"), nb::scope(context_cls), nb::arg("backprop_name"));
    context_cls.attr("release_backprop_id") =
        nb::cpp_function([](context&, const backprop_id& id) { release_backprop_id(id); }, nb::is_method(),
                         nb::name("release_backprop_id"), nb::scope(context_cls), nb::arg("backprop_id"));
    context_cls.attr("_check_valid_backprop_id") =
        nb::cpp_function([](context&, const backprop_id& id) { id.check_valid(); }, nb::is_method(),
                         nb::name("_check_valid_backprop_id"), nb::scope(context_cls), nb::arg("backprop_id"));

    nb::class_<backprop_scope_py>(m, "BackpropScope", "Makes a fresh backprop id, released on exit.")
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
        nb::arg("backprop_name"), nb::arg("context").none() = nb::none());

    nb::class_<mode_scope_py<false>>(m, "NoBackpropMode")
        .def("__enter__", [](mode_scope_py<false>& s) { s.enter(); })
        .def("__exit__", [](mode_scope_py<false>& s, nb::args) { s.scope.reset(); });
    nb::class_<mode_scope_py<true>>(m, "ForceBackpropMode")
        .def("__enter__", [](mode_scope_py<true>& s) { s.enter(); })
        .def("__exit__", [](mode_scope_py<true>& s, nb::args) { s.scope.reset(); });
    m.def(
        "no_backprop_mode", [](nb::object target) { return mode_scope_py<false>{target, nullptr}; },
        nb::arg("backprop_id").none() = nb::none());
    m.def(
        "force_backprop_mode", [](nb::object target) { return mode_scope_py<true>{target, nullptr}; },
        nb::arg("backprop_id").none() = nb::none());
    m.def(
        "is_backprop_required",
        [](nb::handle target) {
            context* ctx;
            if (!target.is_none() && nb::try_cast<context*>(target, ctx) && ctx)
                return is_backprop_required(backprop_id(*ctx, 0));
            return is_backprop_required(to_backprop_id(target));
        },
        nb::arg("backprop_id").none() = nb::none());

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
        nb::arg("backprop_id").none() = nb::none());
    method(
        "is_grad_required", [](const array& a, nb::handle id) { return is_grad_required(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none());
    method(
        "is_backprop_required",
        [](const array& a, nb::handle id) {
            if (nb::isinstance<any_graph>(id)) return is_backprop_required_any(a);
            return is_backprop_required(a, to_backprop_id(id));
        },
        nb::arg("backprop_id").none() = nb::none());
    method(
        "_is_chained",
        [](const array& a, nb::handle id) {
            graph_entry* e = detail::find_entry(a, to_backprop_id(id));
            return e && e->node->creator != nullptr;
        },
        nb::arg("backprop_id").none() = nb::none());
    method(
        "get_grad", [](const array& a, nb::handle id) { return get_grad(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none());
    method(
        "set_grad", [](const array& a, std::optional<array> g, nb::handle id) { set_grad(a, g, to_backprop_id(id)); },
        nb::arg("grad").none(), nb::arg("backprop_id").none() = nb::none());
    method(
        "cleargrad", [](const array& a, nb::handle id) { cleargrad(a, to_backprop_id(id)); },
        nb::arg("backprop_id").none() = nb::none());
    cls.attr("grad") = nb::steal(PyObject_CallFunctionObjArgs(
        reinterpret_cast<PyObject*>(&PyProperty_Type), nb::cpp_function([](const array& a) -> std::optional<array> {
                                                           graph_entry* e =
                                                               detail::find_entry(a, default_backprop_id());
                                                           return e ? e->grad : std::nullopt;
                                                       }).ptr(),
        nb::cpp_function([](const array& a, std::optional<array> g) { set_grad(a, g); }, nb::arg("self"),
                         nb::arg("grad").none())
            .ptr(),
        nullptr));
    method(
        "backward",
        [](const array& a, nb::handle id, bool double_backprop, std::optional<double> loss_scale) {
            backward({a}, to_backprop_id(id), double_backprop, loss_scale);
        },
        nb::arg("backprop_id").none() = nb::none(), nb::arg("enable_double_backprop") = false,
        nb::arg("loss_scale").none() = nb::none());
    method(
        "as_grad_stopped",
        [](const array& a, nb::handle ids_or_copy, bool copy) {
            if (ids_or_copy.is_valid() && !ids_or_copy.is_none() && !PyBool_Check(ids_or_copy.ptr()))
                return as_grad_stopped(a, to_backprop_ids(ids_or_copy), copy);
            bool copy_flag = copy || (ids_or_copy.is_valid() && ids_or_copy.ptr() == Py_True);
            return as_grad_stopped(a, copy_flag);
        },
        nb::arg("backprop_ids").none() = nb::none(), nb::arg("copy") = false);
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
            nb::object result = func(*args);
            std::vector<array> ys;
            if (nb::isinstance<nb::tuple>(result) || nb::isinstance<nb::list>(result)) {
                for (nb::handle y : result) ys.push_back(y.is_none() ? array() : nb::cast<array>(y));
            } else {
                ys.push_back(nb::cast<array>(result));
            }
            return ys;
        });
    };
    auto array_list_or_none = [](nb::handle h) {
        std::vector<array> arrays;
        if (h.is_none()) return arrays;
        array* a;
        if (nb::try_cast<array*>(h, a) && a) return std::vector<array>{*a};
        for (nb::handle item : h) arrays.push_back(item.is_none() ? array() : nb::cast<array>(item));
        return arrays;
    };
    auto optional_id = [](nb::handle h) -> std::optional<backprop_id> {
        if (h.is_none()) return std::nullopt;
        return to_backprop_id(h);
    };
    m.def(
        "check_backward",
        [=](nb::object func, nb::handle inputs, nb::handle grad_outputs, double eps, double atol, double rtol,
            nb::handle id) {
            check_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs), eps, atol, rtol,
                           optional_id(id));
        },
        nb::arg("func"), nb::arg("inputs"), nb::arg("grad_outputs").none(), nb::arg("eps") = 1e-3,
        nb::arg("atol") = 1e-5, nb::arg("rtol") = 1e-4, nb::arg("backprop_id").none() = nb::none(),
        "Raises GradientCheckError when backward's gradients of func differ from numerical ones.");
    m.def(
        "check_double_backward",
        [=](nb::object func, nb::handle inputs, nb::handle grad_outputs, nb::handle grad_grad_inputs, double eps,
            double atol, double rtol, nb::handle id) {
            check_double_backward(wrap(func), array_list_or_none(inputs), array_list_or_none(grad_outputs),
                                  array_list_or_none(grad_grad_inputs), eps, atol, rtol, optional_id(id));
        },
        nb::arg("func"), nb::arg("inputs"), nb::arg("grad_outputs"), nb::arg("grad_grad_inputs"), nb::arg("eps") = 1e-3,
        nb::arg("atol") = 1e-4, nb::arg("rtol") = 1e-3, nb::arg("backprop_id").none() = nb::none(),
        "check_backward applied to the first-order gradient of func.");

    m.def(
        "backward",
        [](nb::handle outputs, nb::handle id, bool double_backprop, std::optional<double> loss_scale) {
            backward(to_array_list(outputs), to_backprop_id(id), double_backprop, loss_scale);
        },
        nb::arg("outputs"), nb::arg("backprop_id").none() = nb::none(), nb::arg("enable_double_backprop") = false,
        nb::arg("loss_scale").none() = nb::none());
    m.def(
        "grad",
        [](nb::handle outputs, nb::handle inputs, nb::handle id, bool double_backprop, bool set_grad_flag,
           bool retain_grad, nb::handle grad_outputs, std::optional<double> loss_scale) {
            std::vector<std::optional<array>> seeds;
            if (!grad_outputs.is_none()) {
                for (nb::handle g : grad_outputs) {
                    if (g.is_none()) {
                        seeds.push_back(std::nullopt);
                    } else {
                        seeds.push_back(nb::cast<array>(g));
                    }
                }
            }
            return grad(to_array_list(outputs), to_array_list(inputs), to_backprop_id(id), double_backprop,
                        set_grad_flag, seeds, loss_scale, retain_grad);
        },
        nb::arg("outputs"), nb::arg("inputs"), nb::arg("backprop_id").none() = nb::none(),
        nb::arg("enable_double_backprop") = false, nb::arg("set_grad") = false, nb::arg("retain_grad") = false,
        nb::arg("grad_outputs").none() = nb::none(), nb::arg("loss_scale").none() = nb::none());
}

}  // namespace chainerx::python
