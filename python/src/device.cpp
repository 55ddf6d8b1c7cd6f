// Contexts, backends, devices and their scopes, with ChainerX's Python API.
#include "common.hpp"

namespace chainerx::python {

namespace {
// Context scope: makes a context the default of this thread for a with-block.
struct context_scope_py {
    context* ctx;
    context* saved = nullptr;
    device* saved_device = nullptr;
};
// Device scope: makes a device the default of this thread for a with-block.
struct device_scope_py {
    device* dev;
    context* saved_context = nullptr;
    device* saved_device = nullptr;
};

device& device_from_args(nb::handle dev_or_name, std::optional<int> index) {
    device* d;
    if (nb::try_cast<device*>(dev_or_name, d) && d) {
        if (index) throw nb::type_error("an index cannot be given with a Device object");
        return *d;
    }
    return get_default_context().get_device(nb::cast<std::string>(dev_or_name), index.value_or(-1));
}
}  // namespace

void init_device(nb::module_& m) {
    constexpr auto ref = nb::rv_policy::reference;

    nb::class_<context>(m, "Context", "Owns backends and devices; arrays live on a device of a context.")
        .def(nb::init<>())
        .def(
            "get_backend", [](context& c, const std::string& name) -> backend& { return c.get_backend(name); },
            nb::arg("backend_name"), ref, "Returns the backend of the given name.")
        .def(
            "get_device",
            [](context& c, const std::string& name, std::optional<int> index) -> device& {
                return c.get_device(name, index.value_or(-1));
            },
            nb::arg("device_name"), nb::arg("index") = nb::none(), ref, "Returns a device by name and index.");

    nb::class_<backend>(m, "Backend", "A kind of device (native, cuda) within a context.")
        .def_prop_ro("name", &backend::name)
        .def_prop_ro("context", &backend::get_context, ref)
        .def("get_device", &backend::get_device, nb::arg("index"), ref)
        .def("get_device_count", &backend::device_count);

    nb::class_<device>(m, "Device", "A device such as native:0; devices are singletons within a context.")
        .def_prop_ro("name", &device::name)
        .def_prop_ro("backend", &device::get_backend, ref)
        .def_prop_ro("context", &device::get_context, ref)
        .def_prop_ro("index", &device::index)
        .def("synchronize", &device::synchronize)
        .def("__repr__", [](const device& d) { return d.name(); })
        .def("__reduce__", [](const device& d) {
            nb::object recover = nb::module_::import_("chainerx._device").attr("_recover_device");
            return nb::make_tuple(recover, nb::make_tuple(d.get_backend().name(), d.index()));
        });

    nb::class_<device_scope_py>(m, "DeviceScope", "Makes a device the default within a with-block.")
        .def_prop_ro(
            "device", [](const device_scope_py& s) -> device& { return *s.dev; }, ref)
        .def(
            "__enter__",
            [](device_scope_py& s) -> device_scope_py& {
                s.saved_context = detail::thread_default_context_slot();
                s.saved_device = detail::thread_default_device_slot();
                set_default_device(*s.dev);
                return s;
            },
            ref)
        .def("__exit__", [](device_scope_py& s, nb::args) {
            detail::thread_default_context_slot() = s.saved_context;
            detail::thread_default_device_slot() = s.saved_device;
        });

    nb::class_<context_scope_py>(m, "ContextScope", "Makes a context the default within a with-block.")
        .def(
            "__enter__",
            [](context_scope_py& s) -> context_scope_py& {
                s.saved = detail::thread_default_context_slot();
                s.saved_device = detail::thread_default_device_slot();
                set_default_context(*s.ctx);
                return s;
            },
            ref)
        .def("__exit__", [](context_scope_py& s, nb::args) {
            detail::thread_default_context_slot() = s.saved;
            detail::thread_default_device_slot() = s.saved_device;
        });

    m.def(
        "get_backend", [](const std::string& name) -> backend& { return get_default_context().get_backend(name); },
        nb::arg("backend_name"), ref);
    m.def("get_device", &device_from_args, nb::arg("device"), nb::arg("index") = nb::none(), ref,
          "get_device('native:1'), get_device('native', 1) or get_device(device).");
    m.def("get_default_device", []() -> device& { return get_default_device(); }, ref);
    m.def(
        "set_default_device", [](nb::handle d) { set_default_device(device_from_args(d, std::nullopt)); },
        nb::arg("device"));
    m.def(
        "using_device",
        [](nb::handle d, std::optional<int> index) { return device_scope_py{&device_from_args(d, index)}; },
        nb::arg("device"), nb::arg("index") = nb::none(), "A DeviceScope that makes the device the default.");
    m.def("get_default_context", []() -> context& { return get_default_context(); }, ref);
    m.def("set_default_context", [](context& c) { set_default_context(c); }, nb::arg("context"));
    m.def("get_global_default_context", []() -> context& { return get_global_default_context(); }, ref);
    m.def("set_global_default_context", [](context& c) { set_global_default_context(c); }, nb::arg("context"));
    m.def("context_scope", [](context& c) { return context_scope_py{&c}; }, nb::arg("context"), nb::keep_alive<0, 1>());
}

}  // namespace chainerx::python
