// Reductions (sum, max, min, mean, var, argmax, ...) and their ndarray methods.
#include "common.hpp"

namespace chainerx::python {

void init_reduction(nb::module_& m) { (void)m; }

}  // namespace chainerx::python
