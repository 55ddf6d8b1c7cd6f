#pragma once

// Random arrays from a counter-based generator (Philox4x32-10, Salmon et al., SC'11). Element i of
// the k-th draw of a generator seeded with s is a pure function of (s, k, i), so the same seed gives
// the same arrays whatever the number of threads or the device, and the fill is parallel. A
// generator is a seed plus a draw counter; default_generator() is the process-wide one that
// chainerx.random.seed() seeds.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "chainerx/routines/creation_basic.hpp"

namespace chainerx::random {

struct philox_block {
    uint32_t v[4];
};

// Philox4x32 with 10 rounds: counter (4 words) and key (2 words) to 4 random words.
CHAINERX_HOST_DEVICE inline philox_block philox4x32_10(philox_block ctr, uint32_t k0, uint32_t k1) {
    constexpr uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u, w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
        uint64_t p0 = static_cast<uint64_t>(m0) * ctr.v[0];
        uint64_t p1 = static_cast<uint64_t>(m1) * ctr.v[2];
        ctr = {{static_cast<uint32_t>(p1 >> 32) ^ ctr.v[1] ^ k0, static_cast<uint32_t>(p1),
                static_cast<uint32_t>(p0 >> 32) ^ ctr.v[3] ^ k1, static_cast<uint32_t>(p0)}};
        k0 += w0;
        k1 += w1;
    }
    return ctr;
}

// A double in [0, 1) from 53 random bits of two words.
CHAINERX_HOST_DEVICE inline double unit_double(uint32_t a, uint32_t b) {
    return static_cast<double>((static_cast<uint64_t>(a >> 5) << 26) | (b >> 6)) * (1.0 / 9007199254740992.0);
}

// The random words for element `index` of draw `stream` under key `key`.
CHAINERX_HOST_DEVICE inline philox_block random_words(uint64_t key, uint64_t stream, uint64_t index) {
    philox_block ctr{{static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), static_cast<uint32_t>(stream),
                      static_cast<uint32_t>(stream >> 32)}};
    return philox4x32_10(ctr, static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32));
}

class generator {
  public:
    explicit generator(uint64_t seed_value) : key_(seed_value) {}
    generator() : generator(entropy_seed()) {}

    // Restarts the generator's sequence from a seed.
    void seed(uint64_t seed_value) {
        std::lock_guard<std::mutex> lock(mutex_);
        key_ = seed_value;
        draws_ = 0;
    }
    void seed() { seed(entropy_seed()); }
    // The key and draw number for the next array.
    std::pair<uint64_t, uint64_t> next_draw() {
        std::lock_guard<std::mutex> lock(mutex_);
        return {key_, draws_++};
    }

    static uint64_t entropy_seed() {
        std::random_device device;
        return (static_cast<uint64_t>(device()) << 32) ^ device();
    }

  private:
    std::mutex mutex_;
    uint64_t key_;
    uint64_t draws_ = 0;
};

inline generator& default_generator() {
    static generator instance;
    return instance;
}
inline void seed(uint64_t seed_value) { default_generator().seed(seed_value); }

namespace detail {
// A new float array of `shape` whose elements 2k and 2k + 1 are the pair sample(random_words(key,
// draw, k)), computed in double and rounded to the dtype (each block of four words gives two
// elements).
template <class Sample>
array fill_random(const char* name, const shape_t& shape, dtype type, device& dev, generator& gen, Sample sample) {
    check_shape(shape, name);
    if (!is_float(type)) throw_error<dtype_error>(name, ": dtype must be a float dtype, got ", type);
    array out = empty(shape, type, dev);
    int64_t n = out.size();
    auto [key, draw] = gen.next_draw();
    dispatch_dtype(type, [&]<class T>() {
        if constexpr (is_float_v<T>) {
            std::unique_ptr<T[]> host;
            T* dst = static_cast<T*>(out.raw_data());
            if (!dev.is_host()) {
                host = std::make_unique<T[]>(static_cast<size_t>(n));
                dst = host.get();
            }
            {
                constexpr int64_t cost = 32;  // Philox rounds and a log/sqrt/sincos per pair
                long_running_scope unlock(n * cost / 2);
                int64_t pairs = (n + 1) / 2;
                parallel_for(pairs, parallel_threshold / cost, [&, key = key, draw = draw](int64_t b, int64_t e) {
                    for (int64_t k = b; k < e; ++k) {
                        auto [first, second] = sample(random_words(key, draw, static_cast<uint64_t>(k)));
                        dst[2 * k] = value_cast<T>(first);
                        if (2 * k + 1 < n) dst[2 * k + 1] = value_cast<T>(second);
                    }
                });
            }
            if (host && n > 0) dev.copy_from_host(out.raw_data(), host.get(), static_cast<size_t>(n) * sizeof(T));
        }
    });
    return out;
}

inline void check_finite(double v, const char* name, const char* arg) {
    if (!std::isfinite(v)) throw std::invalid_argument(std::string(name) + ": " + arg + " must be finite");
}
}  // namespace detail

// Samples of N(loc, scale^2) (Box-Muller: two samples from two 53-bit uniforms).
inline array normal(const shape_t& shape, double loc = 0.0, double scale = 1.0, dtype type = dtype::float64,
                    device& dev = get_default_device(), generator& gen = default_generator()) {
    detail::check_finite(loc, "normal", "loc");
    detail::check_finite(scale, "normal", "scale");
    if (scale < 0) throw std::invalid_argument("normal: scale must be non-negative");
    return detail::fill_random("normal", shape, type, dev, gen, [loc, scale](const philox_block& w) {
        double u1 = 1.0 - unit_double(w.v[0], w.v[1]);  // (0, 1]: the log is finite
        double angle = 6.283185307179586477 * unit_double(w.v[2], w.v[3]);
        double radius = scale * std::sqrt(-2.0 * std::log(u1));
        return std::pair<double, double>{loc + radius * std::cos(angle), loc + radius * std::sin(angle)};
    });
}

// Samples uniform on [low, high).
inline array uniform(const shape_t& shape, double low = 0.0, double high = 1.0, dtype type = dtype::float64,
                     device& dev = get_default_device(), generator& gen = default_generator()) {
    detail::check_finite(low, "uniform", "low");
    detail::check_finite(high, "uniform", "high");
    return detail::fill_random("uniform", shape, type, dev, gen, [low, high](const philox_block& w) {
        return std::pair<double, double>{low + (high - low) * unit_double(w.v[0], w.v[1]),
                                         low + (high - low) * unit_double(w.v[2], w.v[3])};
    });
}

}  // namespace chainerx::random
