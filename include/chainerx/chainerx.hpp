#pragma once

// The whole library: include this one header.
#include "chainerx/core/array.hpp"
#include "chainerx/core/scalar.hpp"
#include "chainerx/device/device.hpp"
#include "chainerx/dtype/dtype.hpp"
#include "chainerx/routines/creation_basic.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/creation.hpp"
#include "chainerx/routines/indexing.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/reduction.hpp"
#include "chainerx/autograd/backward.hpp"
#include "chainerx/autograd/gradient_check.hpp"
