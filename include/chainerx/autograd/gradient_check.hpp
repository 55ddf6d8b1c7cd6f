#pragma once

// Numerical gradient checks: the gradients backward computes are compared with central differences
// of sum(func(inputs) * grad_outputs). check_double_backward applies the same check to the
// first-order gradient, as a function of the inputs and the output gradients.
#include <cmath>
#include <concepts>
#include <functional>
#include <sstream>
#include <vector>

#include "chainerx/autograd/backward.hpp"

namespace chainerx {

using differentiable_function = std::function<std::vector<array>(const std::vector<array>&)>;

namespace detail {
// The elements of a as doubles, in C order.
inline std::vector<double> to_host_doubles(const array& a) {
    array c = ascontiguousarray(cast_array(a, dtype::float64, false));
    std::vector<double> values(static_cast<size_t>(c.size()));
    if (c.size() > 0) c.get_device().copy_to_host(values.data(), c.raw_data(), values.size() * sizeof(double));
    return values;
}
inline array from_host_doubles(const std::vector<double>& values, const array& like) {
    array d = empty(like.shape(), dtype::float64, like.get_device());
    if (!values.empty()) like.get_device().copy_from_host(d.raw_data(), values.data(), values.size() * sizeof(double));
    return cast_array(d, like.dtype());
}

// eps[i][j] is the step of element j of input i.
inline std::vector<std::vector<double>> numerical_grads(const differentiable_function& func,
                                                        const std::vector<array>& inputs,
                                                        const std::vector<array>& grad_outputs,
                                                        const std::vector<std::vector<double>>& eps) {
    std::vector<std::vector<double>> hosts;
    for (const array& x : inputs) hosts.push_back(to_host_doubles(x));
    std::vector<std::vector<double>> gys;
    for (const array& g : grad_outputs) gys.push_back(g.defined() ? to_host_doubles(g) : std::vector<double>{});
    auto evaluate = [&]() {
        std::vector<array> xs;
        for (size_t i = 0; i < inputs.size(); ++i) xs.push_back(from_host_doubles(hosts[i], inputs[i]));
        std::vector<array> ys;
        {
            no_backprop_mode no_record;
            ys = func(xs);
        }
        double total = 0;
        for (size_t k = 0; k < ys.size() && k < gys.size(); ++k) {
            if (!ys[k].defined() || gys[k].empty()) continue;
            std::vector<double> y = to_host_doubles(ys[k]);
            for (size_t j = 0; j < y.size(); ++j) total += y[j] * gys[k][j];
        }
        return total;
    };
    std::vector<std::vector<double>> grads;
    for (size_t i = 0; i < hosts.size(); ++i) {
        std::vector<double>& host = hosts[i];
        std::vector<double> g(host.size());
        for (size_t j = 0; j < host.size(); ++j) {
            double original = host[j];
            host[j] = original + eps[i][j];
            double plus = evaluate();
            host[j] = original - eps[i][j];
            double minus = evaluate();
            host[j] = original;
            g[j] = (plus - minus) / (2 * eps[i][j]);
        }
        grads.push_back(std::move(g));
    }
    return grads;
}

// The per-element steps: eps[i] is one step for input i (a size-1 array) or one per element (input i's shape).
inline std::vector<std::vector<double>> steps_per_element(const std::vector<array>& inputs,
                                                          const std::vector<array>& eps) {
    if (eps.size() != inputs.size())
        throw_error<dimension_error>("gradient check: ", eps.size(), " eps arrays for ", inputs.size(),
                                     " inputs (one per input)");
    std::vector<std::vector<double>> steps;
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::vector<double> e = to_host_doubles(eps[i]);
        if (e.size() == 1) {
            e.assign(static_cast<size_t>(inputs[i].size()), e[0]);
        } else if (eps[i].shape() != inputs[i].shape()) {
            throw_error<dimension_error>("gradient check: eps ", i, " has shape ", eps[i].shape(),
                                         ", not one element or the input's shape ", inputs[i].shape());
        }
        steps.push_back(std::move(e));
    }
    return steps;
}

inline std::vector<std::vector<double>> steps_per_element(const std::vector<array>& inputs, double eps) {
    std::vector<std::vector<double>> steps;
    for (const array& x : inputs) steps.emplace_back(static_cast<size_t>(x.size()), eps);
    return steps;
}
}  // namespace detail

// Throws gradient_check_error when an analytical gradient differs from the numerical one by more
// than atol + rtol * |numerical| in some element. eps is the finite-difference step: one for all inputs, or
// (as ChainerX's) one array per input, of one element or of the input's shape (a step per element).
template <typename Eps>
    requires std::same_as<Eps, double> || std::same_as<Eps, std::vector<array>>
inline void check_backward(const differentiable_function& func, const std::vector<array>& inputs,
                           const std::vector<array>& grad_outputs, const Eps& eps, double atol, double rtol,
                           std::optional<backprop_id> id = std::nullopt) {
    if (!id) {
        backprop_scope scope("check_backward");
        check_backward(func, inputs, grad_outputs, eps, atol, rtol, scope.id());
        return;
    }
    std::vector<std::vector<double>> steps = detail::steps_per_element(inputs, eps);
    std::vector<array> xs;
    for (const array& x : inputs) {
        xs.push_back(copy_array(x));
        require_grad(xs.back(), *id);
    }
    std::vector<array> ys = func(xs);
    std::vector<array> outputs;
    std::vector<std::optional<array>> seeds;
    for (size_t k = 0; k < ys.size(); ++k) {
        if (!ys[k].defined() || !is_backprop_required(ys[k], *id)) continue;
        outputs.push_back(ys[k]);
        seeds.push_back(k < grad_outputs.size() && grad_outputs[k].defined() ? std::optional<array>(grad_outputs[k])
                                                                             : std::nullopt);
    }
    std::vector<std::optional<array>> analytical(xs.size());
    if (!outputs.empty()) analytical = grad(outputs, xs, *id, false, false, seeds);
    auto numerical = detail::numerical_grads(func, inputs, grad_outputs, steps);
    for (size_t i = 0; i < xs.size(); ++i) {
        std::vector<double> a =
            analytical[i] ? detail::to_host_doubles(*analytical[i]) : std::vector<double>(numerical[i].size(), 0.0);
        for (size_t j = 0; j < a.size(); ++j) {
            double n = numerical[i][j];
            bool both_nan = std::isnan(a[j]) && std::isnan(n);
            if (!both_nan && !(std::fabs(a[j] - n) <= atol + rtol * std::fabs(n))) {
                std::ostringstream os;
                os << "check_backward: gradient of input " << i << " differs from the numerical gradient at element "
                   << j << ": analytical " << a[j] << ", numerical " << n << " (atol=" << atol << ", rtol=" << rtol
                   << ")";
                throw gradient_check_error(os.str());
            }
        }
    }
}

// eps: one step for everything, or one array per input and then one per output gradient (as ChainerX's).
template <typename Eps>
    requires std::same_as<Eps, double> || std::same_as<Eps, std::vector<array>>
inline void check_double_backward(const differentiable_function& func, const std::vector<array>& inputs,
                                  const std::vector<array>& grad_outputs, const std::vector<array>& grad_grad_inputs,
                                  const Eps& eps, double atol, double rtol,
                                  std::optional<backprop_id> id = std::nullopt) {
    size_t n = inputs.size();
    differentiable_function first_order = [&func, n](const std::vector<array>& args) {
        std::vector<array> xs(args.begin(), args.begin() + n);
        std::vector<std::optional<array>> gys(args.begin() + n, args.end());
        // A graph of its own for the first-order gradient; it records even inside the numerical
        // evaluation's no_backprop_mode, and the result is recorded on the outer graph.
        backprop_scope inner("check_double_backward_inner");
        force_backprop_mode force({inner.id()});
        for (const array& x : xs) require_grad(x, inner.id());
        std::vector<array> ys = func(xs);
        auto gxs = grad(ys, xs, inner.id(), true, false, gys);
        std::vector<array> out;
        for (auto& g : gxs) out.push_back(g ? *g : array());
        return out;
    };
    std::vector<array> all_inputs = inputs;
    all_inputs.insert(all_inputs.end(), grad_outputs.begin(), grad_outputs.end());
    check_backward(first_order, all_inputs, grad_grad_inputs, eps, atol, rtol, id);
}

}  // namespace chainerx
