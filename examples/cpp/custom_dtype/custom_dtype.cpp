// A dtype of the user's own: "fixed", a Q15.16 fixed-point number in 32 bits, as used on hardware
// without floating point, where every result must be reproducible bit for bit. One traits
// specialization and one registration make it a chainerx dtype: arrays of it are created, printed,
// cast, computed with every elementwise op and reduction its operations allow, and differentiated.
#include <cmath>
#include <compare>
#include <cstdint>
#include <iostream>
#include <limits>

#include "chainerx/register_dtype.hpp"

struct fixed_point {
    int32_t raw;  // value * 2^16
    fixed_point() = default;
    explicit fixed_point(double v) : raw(static_cast<int32_t>(std::lround(v * 65536.0))) {}
    explicit operator double() const { return raw / 65536.0; }
    static fixed_point from_raw(int64_t r) {
        fixed_point f;
        f.raw = static_cast<int32_t>(r);
        return f;
    }
    friend fixed_point operator+(fixed_point a, fixed_point b) { return from_raw(int64_t{a.raw} + b.raw); }
    friend fixed_point operator-(fixed_point a, fixed_point b) { return from_raw(int64_t{a.raw} - b.raw); }
    friend fixed_point operator-(fixed_point a) { return from_raw(-int64_t{a.raw}); }
    friend fixed_point operator*(fixed_point a, fixed_point b) { return from_raw(int64_t{a.raw} * b.raw >> 16); }
    friend fixed_point operator/(fixed_point a, fixed_point b) {
        return from_raw(b.raw ? (int64_t{a.raw} << 16) / b.raw : 0);
    }
    friend auto operator<=>(fixed_point a, fixed_point b) = default;
    friend bool operator==(fixed_point a, fixed_point b) = default;
    // The math functions it provides (through double): ops using others (sin, ...) raise dtype_error.
    friend fixed_point exp(fixed_point x) { return fixed_point(std::exp(double(x))); }
    friend fixed_point log(fixed_point x) { return fixed_point(std::log(double(x))); }
    friend fixed_point tanh(fixed_point x) { return fixed_point(std::tanh(double(x))); }
    friend fixed_point sqrt(fixed_point x) { return fixed_point(std::sqrt(double(x))); }
    friend std::ostream& operator<<(std::ostream& os, fixed_point x) { return os << double(x); }
};

template <>
struct std::numeric_limits<fixed_point> : std::numeric_limits<int32_t> {  // for max/min: the range of raw
    static fixed_point lowest() { return fixed_point::from_raw(INT32_MIN); }
    static fixed_point max() { return fixed_point::from_raw(INT32_MAX); }
};

template <>
struct chainerx::dtype_traits<fixed_point> {
    static constexpr dtype_kind kind = dtype_kind::float_;  // a real number: autograd may differentiate it
    static constexpr std::string_view name = "fixed";
};

int main() {
    namespace chx = chainerx;
    const chx::dtype fixed_t = chx::register_dtype<fixed_point>();

    chx::array x = chx::astype(chx::divide(chx::arange(-3, 3, 1, chx::dtype::float64), 4.0), fixed_t);
    chx::require_grad(x);
    chx::array y = chx::sum(chx::add(chx::multiply(x, x), chx::tanh(x)));  // sum(x^2 + tanh(x))
    chx::backward({y});
    std::cout << "x = " << x << "\ny = " << y << "\ndy/dx = " << *chx::get_grad(x) << "\n";

    // The same in float64: the gradient 2x + 1 - tanh(x)^2 agrees to the precision of Q15.16.
    chx::array x64 = chx::astype(x, chx::dtype::float64);
    chx::array expected = chx::subtract(chx::add(chx::multiply(x64, 2), 1), chx::square(chx::tanh(x64)));
    chx::array error =
        chx::amax(chx::absolute(chx::subtract(chx::astype(*chx::get_grad(x), chx::dtype::float64), expected)));
    double max_error = chx::as_scalar(error).to<double>();
    std::cout << "max |gradient - float64 gradient| = " << max_error << "\n";
    std::cout << "max(x) = " << chx::amax(x) << ", mean(x) = " << chx::mean(x) << "\n";

    bool ok = max_error < 1e-4 && chx::amax(x).dtype() == fixed_t;
    try {
        chx::sin(x);  // fixed_point provides no sin
        ok = false;
    } catch (const chx::dtype_error& e) {
        std::cout << "as expected: " << e.what() << "\n";
    }
    std::cout << (ok ? "OK" : "FAILED") << std::endl;
    return ok ? 0 : 1;
}
