#pragma once

// A table of functions keyed by a C++ type: the key names what the function does (an op and its
// element types) and has a member `function`, the function pointer's type. Backends keep their
// compiled kernels in one (device/device.hpp), user dtypes their typed entry points
// (dtype/dtype.hpp). Filled before it is shared, read-only afterwards.
#include <cstddef>
#include <typeindex>
#include <unordered_map>

namespace chainerx {

class function_table {
  public:
    template <class Key>
    void add(typename Key::function f) {
        functions_[typeid(Key)] = reinterpret_cast<void (*)()>(f);
    }
    // The function, or nullptr when the table has none for Key.
    template <class Key>
    typename Key::function find() const {
        auto it = functions_.find(typeid(Key));
        return it == functions_.end() ? nullptr : reinterpret_cast<typename Key::function>(it->second);
    }
    size_t size() const { return functions_.size(); }

  private:
    std::unordered_map<std::type_index, void (*)()> functions_;
};

}  // namespace chainerx
