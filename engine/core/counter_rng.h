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

// Chris Wellons' "lowbias32" integer hash: 32-bit multiplies and shifts only, so a loop of it
// vectorises on CPUs and is cheap on GPUs.
FFINT8_HOST_DEVICE inline uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

// Random bits number `counter` of stream `seed`: two rounds, the first keyed by the seed and the
// counter's high word, so streams and 2^32-long stretches of one stream do not overlap.
FFINT8_HOST_DEVICE inline uint32_t counterHash(uint64_t seed, uint64_t counter)
{
    uint32_t key = hash32(uint32_t(seed) ^ hash32(uint32_t(seed >> 32) ^ uint32_t(counter >> 32) * 0x9E3779B9u));
    return hash32(uint32_t(counter) ^ key);
}

// Uniform in [0, 1) with 24 bits, exactly representable in FP32 on every backend.
FFINT8_HOST_DEVICE inline float counterUniform(uint64_t seed, uint64_t counter)
{
    return float(counterHash(seed, counter) >> 8) * (1.0f / 16777216.0f);
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
