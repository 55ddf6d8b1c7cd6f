// Contexts, backends, devices and their scopes, with ChainerX's Python API.
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common.hpp"

namespace chainerx::python {

namespace {
// Context scope: makes a context the default of this thread for a with-block.
struct context_scope_py {
    context* ctx;
    std::unique_ptr<context_scope> scope{};
    std::optional<std::thread::id> owner{};  // the thread that entered it, until it is exited
};
// Device scope: makes a device the default of this thread for a with-block.
struct device_scope_py {
    device* dev;
    std::unique_ptr<device_scope> scope{};
    std::optional<std::thread::id> owner{};
};

// The defaults are per thread: a scope exited on another thread than the one that entered it would
// restore that thread's defaults to the other's, so it is refused.
void check_scope_thread(const std::optional<std::thread::id>& owner, const char* what) {
    if (owner && *owner != std::this_thread::get_id())
        throw nb::builtin_exception(nb::exception_type::runtime_error,
                                    (std::string(what) + " must be exited on the thread that entered it").c_str());
}

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

    nb::class_<context>(m, "Context",
                        "Owns backends and devices (and backprop ids); arrays live on a device of a context.\n\n"
                        "Context() makes a new context independent of the global default one; its devices are "
                        "distinct objects from those of other contexts.")
        .def(nb::init<>(), "Makes a new, empty context.")
        .def(
            "get_backend", [](context& c, const std::string& name) -> backend& { return c.get_backend(name); },
            nb::arg("backend_name"), ref,
            "Returns the backend named backend_name ('native' or 'cuda'), made on first use.\n\n"
            "Raises BackendError for an unknown backend or one that cannot be used (cuda without a GPU).")
        .def(
            "get_device",
            [](context& c, const std::string& name, std::optional<int> index) -> device& {
                return c.get_device(name, index.value_or(-1));
            },
            nb::arg("device_name"), nb::arg("index") = nb::none(), ref,
            "Returns a device of this context: get_device('native:1') or get_device('native', 1).\n\n"
            "device_name is 'backend:index' or a backend name, with index (default 0) giving the index. Raises "
            "DeviceError for a malformed name or an index out of range, BackendError for an unknown backend.");

    nb::class_<backend>(m, "Backend", "A kind of device (native, cuda) within a context; it owns its devices.")
        .def_prop_ro("name", &backend::name, "The backend's name, 'native' or 'cuda'.")
        .def_prop_ro("context", &backend::get_context, ref, "The Context the backend belongs to.")
        .def("get_device", &backend::get_device, nb::arg("index"), ref,
             "Returns the backend's device with the given index (DeviceError when it is out of range).")
        .def("get_device_count", &backend::device_count,
             "Returns the number of devices of this backend (4 for native, as in ChainerX).");

    nb::class_<device>(m, "Device",
                       "A device such as native:0 or cuda:0; devices are singletons within a context.\n\n"
                       "Get one with chainerx.get_device or Context.get_device; Device objects pickle by name.")
        .def_prop_ro("name", &device::name, "The device's name, 'backend:index' (e.g. 'native:0').")
        .def_prop_ro("backend", &device::get_backend, ref, "The Backend the device belongs to.")
        .def_prop_ro("context", &device::get_context, ref, "The Context the device belongs to.")
        .def_prop_ro("index", &device::index, "The device's index within its backend.")
        .def("synchronize", &device::synchronize,
             "Waits until all work queued on the device has finished (a no-op on native devices).")
        .def("cached_bytes", &device::cached_bytes,
             "The bytes of freed memory the device's caching allocator keeps for reuse (native devices share "
             "one cache).")
        .def("release_cached", &device::release_cached, nb::call_guard<nb::gil_scoped_release>(),
             "Gives the memory the device's caching allocator keeps back to the system (the allocator also does "
             "this by itself before it reports being out of memory).")
        .def("__repr__", [](const device& d) { return d.name(); })
        .def("__reduce__", [](const device& d) {
            nb::object recover = nb::module_::import_("chainerx._device").attr("_recover_device");
            return nb::make_tuple(recover, nb::make_tuple(d.get_backend().name(), d.index()));
        });

    nb::class_<device_scope_py>(m, "DeviceScope",
                                "The context manager using_device returns: its device is this thread's default "
                                "device within the with-block (the with-statement's target is the scope).")
        .def_prop_ro(
            "device", [](const device_scope_py& s) -> device& { return *s.dev; }, ref,
            "The Device the scope makes the default.")
        .def(
            "__enter__",
            [](device_scope_py& s) -> device_scope_py& {
                check_scope_thread(s.owner, "a device scope");  // entered again while active
                s.owner = std::this_thread::get_id();
                s.scope.reset();  // entered again: restore first, so that exiting restores what was before
                s.scope = std::make_unique<device_scope>(*s.dev);
                return s;
            },
            ref)
        .def("__exit__", [](device_scope_py& s, nb::args) {
            check_scope_thread(s.owner, "a device scope");
            s.owner.reset();
            s.scope.reset();
        });

    nb::class_<context_scope_py>(m, "ContextScope",
                                 "The context manager context_scope returns: its context is this thread's default "
                                 "context within the with-block.")
        .def(
            "__enter__",
            [](context_scope_py& s) -> context_scope_py& {
                check_scope_thread(s.owner, "a context scope");
                s.owner = std::this_thread::get_id();
                s.scope.reset();
                s.scope = std::make_unique<context_scope>(*s.ctx);
                return s;
            },
            ref)
        .def("__exit__", [](context_scope_py& s, nb::args) {
            check_scope_thread(s.owner, "a context scope");
            s.owner.reset();
            s.scope.reset();
        });

    m.def(
        "get_backend", [](const std::string& name) -> backend& { return get_default_context().get_backend(name); },
        nb::arg("backend_name"), ref,
        "Returns the backend named backend_name ('native' or 'cuda') of the default context.\n\n"
        "Raises BackendError for an unknown backend or one that cannot be used (cuda without a GPU).");
    m.def("get_device", &device_from_args, nb::arg("device"), nb::arg("index") = nb::none(), ref,
          "Returns a device of the default context: get_device('native:1'), get_device('native', 1) or "
          "get_device(device).\n\n"
          "device is a Device (returned as is; giving an index too is a TypeError), a name 'backend:index', or a "
          "backend name with index (default 0) giving the index. Raises DeviceError for a malformed name or an index "
          "out of range, BackendError for an unknown backend.");
    m.def(
        "get_default_device", []() -> device& { return get_default_device(); }, ref,
        "Returns this thread's default device: the one set_default_device or using_device chose, else native:0 of "
        "the default context.");
    m.def(
        "set_default_device", [](nb::handle d) { set_default_device(device_from_args(d, std::nullopt)); },
        nb::arg("device"),
        "Makes device (a Device or a name such as 'native:1') this thread's default device.\n\n"
        "If device belongs to another context, that context becomes this thread's default context too.");
    m.def(
        "using_device",
        [](nb::handle d, std::optional<int> index) { return device_scope_py{&device_from_args(d, index)}; },
        nb::arg("device"), nb::arg("index") = nb::none(),
        "Returns a DeviceScope: with chainerx.using_device('native:1'): ... makes the device this thread's default "
        "inside the block.\n\n"
        "device and index are as in get_device (a Device, 'native:1', or 'native' with index). The default device "
        "and context in effect before are restored on exit.");
    m.def(
        "get_default_context", []() -> context& { return get_default_context(); }, ref,
        "Returns this thread's default context (the global default context unless one was set for the thread).");
    m.def(
        "set_default_context", [](context& c) { set_default_context(c); }, nb::arg("context"),
        "Makes context this thread's default context; the thread's default device becomes context's native:0.");
    m.def(
        "get_global_default_context", []() -> context& { return get_global_default_context(); }, ref,
        "Returns the process-wide default context, which threads without a default context of their own use.");
    m.def(
        "set_global_default_context", [](context& c) { set_global_default_context(c); }, nb::arg("context"),
        "Makes context the process-wide default context (threads that set their own keep it).");
    m.def(
        "context_scope", [](context& c) { return context_scope_py{&c}; }, nb::arg("context"), nb::keep_alive<0, 1>(),
        "Returns a ContextScope: with chainerx.context_scope(context): ... makes context this thread's default "
        "context (and its native:0 the default device) inside the block; the previous ones are restored on exit.");
}

}  // namespace chainerx::python
