#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace chainerx {

// ChainerX's exception hierarchy. In C++ every class derives from chainerx_error; the Python layer
// maps each to the ChainerX exception of the same name (index_error maps to Python's IndexError).
class chainerx_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

#define CHAINERX_DEFINE_ERROR(name)           \
    class name : public chainerx_error {      \
      public:                                 \
        using chainerx_error::chainerx_error; \
    };
CHAINERX_DEFINE_ERROR(context_error)
CHAINERX_DEFINE_ERROR(backend_error)
CHAINERX_DEFINE_ERROR(device_error)
CHAINERX_DEFINE_ERROR(dimension_error)
CHAINERX_DEFINE_ERROR(dtype_error)
CHAINERX_DEFINE_ERROR(not_implemented_error)
CHAINERX_DEFINE_ERROR(gradient_error)
CHAINERX_DEFINE_ERROR(gradient_check_error)
CHAINERX_DEFINE_ERROR(index_error)
// A write into a read-only array; Python sees an error that is also a ValueError, as NumPy raises.
CHAINERX_DEFINE_ERROR(read_only_error)
#undef CHAINERX_DEFINE_ERROR

// Builds a message from streamable parts: throw_error<dtype_error>("add: ", a.dtype(), ...).
template <class Error, class... Parts>
[[noreturn]] void throw_error(Parts&&... parts) {
    std::ostringstream os;
    (os << ... << std::forward<Parts>(parts));
    throw Error(os.str());
}

}  // namespace chainerx
