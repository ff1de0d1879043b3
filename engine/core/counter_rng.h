// A counter-based random number generator: value i of stream `seed` is a pure function of (seed, i),
// so the reference, CPU and CUDA backends draw the same numbers in any order or thread layout.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define FFINT8_HOST_DEVICE __host__ __device__
#else
#define FFINT8_HOST_DEVICE
#endif

namespace ffint8 {

// splitmix64's finaliser over a seed-mixed counter: cheap, stateless, passes BigCrush as a hash.
FFINT8_HOST_DEVICE inline uint64_t counterHash(uint64_t seed, uint64_t counter)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + counter * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 bits, exactly representable in FP32 on every backend.
FFINT8_HOST_DEVICE inline float counterUniform(uint64_t seed, uint64_t counter)
{
    return float(uint32_t(counterHash(seed, counter) >> 40)) * (1.0f / 16777216.0f);
}

// A small sequential generator for host-side choices (shuffles, negative labels, initialisation).
class SplitMix64
{
public:
    explicit SplitMix64(uint64_t seed) : m_state(seed) {}
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Unbiased draw in [0, bound) (Lemire's method without the rare-retry shortcut).
    uint32_t below(uint32_t bound)
    {
        uint64_t threshold = (0x100000000ull - bound) % bound;
        for (;;) {
            uint64_t m = (next() >> 32) * uint64_t(bound);
            if (uint32_t(m) >= threshold)
                return uint32_t(m >> 32);
        }
    }
    float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }

private:
    uint64_t m_state;
};

} // namespace ffint8
