// The host backends' row kernel of the class-groups loss (Backend::ffClassGroupsLoss), declared in
// host_kernels.h.
#include "engine/backend/host_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ffint8::hostkernels {

namespace {

// FfClassGroupsArgs: channel c of `channels` is in group floor(c * classes / channels).
int classGroupOf(int channel, int channels, int classes)
{
    return int(int64_t(channel) * classes / channels);
}

} // namespace

void ffClassGroupsRows(const FfClassGroupsArgs &a, int r0, int r1)
{
    const int positions = a.cols / a.channels;
    std::vector<int> groupOf(size_t(a.channels));
    std::vector<float> perValue(size_t(a.classes), 0.0f); // 1 / values in the group
    for (int c = 0; c < a.channels; ++c) {
        groupOf[size_t(c)] = classGroupOf(c, a.channels, a.classes);
        perValue[size_t(groupOf[size_t(c)])] += float(positions);
    }
    for (float &v : perValue)
        v = 1.0f / v;
    std::vector<float> sums(size_t(a.classes)), coefficient(size_t(a.classes));
    for (int r = r0; r < r1; ++r) {
        const float *y = a.y + size_t(r) * size_t(a.cols);
        std::fill(sums.begin(), sums.end(), 0.0f);
        for (int p = 0; p < positions; ++p) {
            const float *at = y + size_t(p) * size_t(a.channels);
            for (int c = 0; c < a.channels; ++c)
                sums[size_t(groupOf[size_t(c)])] += at[c] * at[c];
        }
        float *goodness = a.goodnessOut ? a.goodnessOut + size_t(r) * size_t(a.classes) : sums.data();
        for (int j = 0; j < a.classes; ++j)
            goodness[j] = sums[size_t(j)] * perValue[size_t(j)];
        if (!a.labels)
            continue;
        const int label = a.labels[r];
        const float top = *std::max_element(goodness, goodness + a.classes);
        float total = 0.0f;
        for (int j = 0; j < a.classes; ++j)
            total += std::exp(goodness[j] - top);
        const float logTotal = top + std::log(total);
        if (a.lossOut)
            a.lossOut[r] = logTotal - goodness[label];
        if (!a.gradY)
            continue;
        for (int j = 0; j < a.classes; ++j) {
            const float dLdG = std::exp(goodness[j] - logTotal) - (j == label ? 1.0f : 0.0f);
            coefficient[size_t(j)] = a.lossScale * dLdG * 2.0f * perValue[size_t(j)];
        }
        float *gy = a.gradY + size_t(r) * size_t(a.cols);
        for (int p = 0; p < positions; ++p) {
            const size_t o = size_t(p) * size_t(a.channels);
            for (int c = 0; c < a.channels; ++c)
                gy[o + size_t(c)] = coefficient[size_t(groupOf[size_t(c)])] * y[o + size_t(c)];
        }
    }
}

} // namespace ffint8::hostkernels
