// The harness of the backend op checks (op_checks.h): the same random inputs on a candidate and on
// the reference backend, the comparison of their outputs, and the record of each check with its
// tolerance and reason. Shared by the files that check one family of ops each.
#pragma once

#include "engine/backend/backend.h"
#include "engine/backend/host_backend.h"
#include "engine/core/bf16.h"
#include "engine/core/counter_rng.h"
#include "engine/tools/int8_codes.h"
#include "engine/tools/op_checks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace ffint8::opchecks {

// The same inputs on both backends: host vectors uploaded into each.
struct Pair
{
    Tensor cand, ref;
};

class Checker
{
public:
    Checker(Backend &cand, Backend &ref, uint64_t seed)
        : m_cand(cand), m_ref(ref), m_rng(seed), m_hostCandidate(dynamic_cast<HostBackend *>(&cand) != nullptr)
    {
    }

    Pair floats(int rows, int cols, float lo = -1.0f, float hi = 1.0f)
    {
        std::vector<float> v(size_t(rows) * cols);
        for (float &x : v)
            x = lo + (hi - lo) * m_rng.uniform();
        return upload(v, rows, cols);
    }
    Pair upload(const std::vector<float> &v, int rows, int cols)
    {
        Pair p{m_cand.allocate(rows, cols, DType::F32, MemoryCategory::Workspace),
               m_ref.allocate(rows, cols, DType::F32, MemoryCategory::Workspace)};
        m_cand.upload(p.cand, v.data(), v.size() * 4);
        m_ref.upload(p.ref, v.data(), v.size() * 4);
        return p;
    }
    using Codes = Int8Codes;
    Pair int8s(int rows, int cols, Codes codes = Codes::Signed)
    {
        const std::vector<int8_t> v = randomInt8Codes(size_t(rows) * cols, codes, m_rng);
        Pair p{m_cand.allocate(rows, cols, DType::S8, MemoryCategory::Workspace),
               m_ref.allocate(rows, cols, DType::S8, MemoryCategory::Workspace)};
        m_cand.upload(p.cand, v.data(), v.size());
        m_ref.upload(p.ref, v.data(), v.size());
        return p;
    }
    // BF16 words of uniform values in [lo, hi) (truncated: the rounding of the inputs does not matter).
    Pair bf16s(int rows, int cols, float lo, float hi)
    {
        std::vector<uint16_t> v(size_t(rows) * cols);
        for (auto &h : v) {
            float x = lo + (hi - lo) * m_rng.uniform();
            uint32_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            h = uint16_t(bits >> 16);
        }
        Pair p{m_cand.allocate(rows, cols, DType::BF16, MemoryCategory::Workspace),
               m_ref.allocate(rows, cols, DType::BF16, MemoryCategory::Workspace)};
        m_cand.upload(p.cand, v.data(), v.size() * 2);
        m_ref.upload(p.ref, v.data(), v.size() * 2);
        return p;
    }
    Pair zeros(int rows, int cols, DType t)
    {
        Pair p{m_cand.allocate(rows, cols, t, MemoryCategory::Workspace),
               m_ref.allocate(rows, cols, t, MemoryCategory::Workspace)};
        m_cand.fillZero(p.cand);
        m_ref.fillZero(p.ref);
        return p;
    }

    // An F32 or BF16 tensor's values as floats on the host.
    static std::vector<float> floatsOf(Backend &b, const Tensor &t)
    {
        std::vector<float> v(t.count());
        if (t.dtype() == DType::F32) {
            b.download(t, v.data(), v.size() * 4);
            return v;
        }
        std::vector<uint16_t> h(t.count());
        b.download(t, h.data(), h.size() * 2);
        for (size_t i = 0; i < h.size(); ++i)
            v[i] = bf16ToFloat(h[i]);
        return v;
    }

    // Largest |candidate - reference| / (scale) over the tensor.
    double difference(Pair &p, double scale = 1.0)
    {
        size_t n = p.cand.count();
        double worst = 0.0;
        if (p.cand.dtype() == DType::F32 || p.cand.dtype() == DType::BF16) {
            std::vector<float> a = floatsOf(m_cand, p.cand), b = floatsOf(m_ref, p.ref);
            for (size_t i = 0; i < n; ++i) {
                double d = std::abs(double(a[i]) - double(b[i])) / scale;
                if (std::isnan(d) || std::isnan(a[i]) != std::isnan(b[i]))
                    return INFINITY;
                worst = std::max(worst, d);
            }
        } else if (p.cand.dtype() == DType::S32) {
            std::vector<int32_t> a(n), b(n);
            m_cand.download(p.cand, a.data(), n * 4);
            m_ref.download(p.ref, b.data(), n * 4);
            for (size_t i = 0; i < n; ++i)
                worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
        } else {
            std::vector<int8_t> a(n), b(n);
            m_cand.download(p.cand, a.data(), n);
            m_ref.download(p.ref, b.data(), n);
            for (size_t i = 0; i < n; ++i)
                worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
        }
        return worst;
    }

    // Largest |candidate - reference| / max(1, |reference|): FP32 results of a device backend, whose
    // last bits may differ, compared in units that do not grow with the values' size.
    double relativeDifference(Pair &p)
    {
        if (p.cand.dtype() != DType::F32 && p.cand.dtype() != DType::BF16)
            return difference(p);
        size_t n = p.cand.count();
        std::vector<float> a = floatsOf(m_cand, p.cand), b = floatsOf(m_ref, p.ref);
        double worst = 0.0;
        for (size_t i = 0; i < n; ++i) {
            if (std::isnan(a[i]) != std::isnan(b[i]))
                return INFINITY;
            if (!std::isnan(a[i]))
                worst = std::max(worst, std::abs(double(a[i]) - double(b[i])) / std::max(1.0, std::abs(double(b[i]))));
        }
        return worst;
    }

    // Records an op the host backends compute bit for bit like the reference (they share its row
    // kernels): exact there; on a device backend compared relatively within `deviceTolerance`.
    void recordExactOnHost(const std::string &op, const std::string &shape, std::vector<Pair *> outputs,
                           double deviceTolerance, const std::string &deviceReason)
    {
        double error = 0.0;
        for (Pair *p : outputs)
            error = std::max(error, m_hostCandidate ? difference(*p) : relativeDifference(*p));
        if (m_hostCandidate)
            record(op, shape, error, 0.0, kExactHost);
        else
            record(op, shape, error, deviceTolerance, deviceReason);
    }

    void record(const std::string &op, const std::string &shape, double error, double tolerance,
                const std::string &reason)
    {
        results.push_back({op, shape, error, tolerance, reason, error <= tolerance});
    }

    Backend &m_cand;
    Backend &m_ref;
    SplitMix64 m_rng;
    bool m_hostCandidate; // runs the reference's own row kernels
    std::vector<OpCheckResult> results;

    static constexpr const char *kExactHost = "host backends run the same row kernels: bit-identical";
};

// A window op's case: images, kernel, stride, padding (at most half the kernel) and groups.
struct Window
{
    int batch, height, width, channels, kernelH, kernelW, stride, padding, groups;

    WindowGeometry geometry() const
    {
        WindowGeometry g;
        g.batch = batch;
        g.height = height;
        g.width = width;
        g.channels = channels;
        g.kernelH = kernelH;
        g.kernelW = kernelW;
        g.strideH = g.strideW = stride;
        // At most half the kernel, so the same windows serve the poolings.
        g.padH = kernelH / 2 < padding ? kernelH / 2 : padding;
        g.padW = kernelW / 2 < padding ? kernelW / 2 : padding;
        return g;
    }
    std::string text() const
    {
        const WindowGeometry g = geometry();
        return "n=" + std::to_string(batch) + " " + std::to_string(height) + "x" + std::to_string(width) + "x"
            + std::to_string(channels) + " k=" + std::to_string(kernelH) + "x" + std::to_string(kernelW)
            + " s=" + std::to_string(stride) + " p=" + std::to_string(g.padH) + "x" + std::to_string(g.padW)
            + " g=" + std::to_string(groups);
    }
    int imageValues() const { return batch * height * width * channels; }
};

inline Tensor &side(Pair &p, bool candidate)
{
    return candidate ? p.cand : p.ref;
}

// Runs f(backend, isCandidate) on the candidate, then on the reference backend.
template <class F> void onBoth(Checker &c, F f)
{
    f(c.m_cand, true);
    f(c.m_ref, false);
}

inline std::string dims(int m, int n, int k = -1)
{
    return "m=" + std::to_string(m) + " n=" + std::to_string(n) + (k >= 0 ? " k=" + std::to_string(k) : "");
}

inline const char *kExact = "the same arithmetic in the same order on every backend: bit-identical";
inline const char *kExactInt = "integer arithmetic is exact";
// Device kernels follow the host kernels' order of operations (dot products in the same 16 partial
// sums, explicit FMAs where GCC contracts), but whether GCC contracts a*b+c into an FMA depends on
// the target (-march); where the two differ, the last bit or two do.
inline const char *kDeviceFma = "FMA contraction may differ from the host compiler's in the last bits (relative 1e-6)";
inline const char *kDeviceMaths
    = "CUDA's expf/log1pf are within 2 ulp of glibc's, plus FMA contraction (relative 2e-6)";

// The layer ops (im2col, col2im, batch norm, pooling, add): op_checks_layers.cpp.
void checkLayerOps(Checker &c);
// The activations besides ReLU and dropout: op_checks_activations.cpp.
void checkActivationOps(Checker &c);
// The depthwise convolution ops: op_checks_depthwise.cpp.
void checkDepthwiseOps(Checker &c);
// FF's class-groups loss: op_checks_class_groups.cpp.
void checkClassGroupsOps(Checker &c);

} // namespace ffint8::opchecks
