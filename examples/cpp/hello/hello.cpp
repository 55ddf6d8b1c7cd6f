// A first chainerx program in C++: no Python involved.
#include <iostream>

#include "chainerx/chainerx.hpp"

int main() {
    namespace chx = chainerx;
    chx::array x = chx::arange(0, 6, 1, chx::dtype::float32);
    chx::array y = chx::exp(chx::reshape(x, {2, 3}));
    chx::array z = chx::add(y, 1.0);  // broadcasting a scalar
    std::cout << "dtype " << z.dtype() << ", shape " << z.shape()
              << ", z[1,2] = " << static_cast<float*>(z.raw_data())[5] << std::endl;
    return 0;
}
