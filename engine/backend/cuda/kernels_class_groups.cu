// The class-groups loss (Backend::ffClassGroupsLoss): one block per row, each class's sum of squares
// by a block reduction in double over its group's values, the softmax by one thread, the gradient by
// all. The same formula as the host's, summed in another order: equal within float rounding.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

__device__ inline int groupOf(int channel, int channels, int classes)
{
    return int((long long)channel * classes / channels);
}

// The first channel of class j's group: the smallest c with groupOf(c) >= j.
__device__ inline int firstChannel(int j, int channels, int classes)
{
    return int(((long long)j * channels + classes - 1) / classes);
}

__global__ void classGroupsKernel(FfClassGroupsArgs a)
{
    __shared__ float goodness[kMaxClassGroups];
    __shared__ float coefficient[kMaxClassGroups];
    const int r = blockIdx.x;
    const int positions = a.cols / a.channels;
    const float *y = a.y + size_t(r) * size_t(a.cols);
    for (int j = 0; j < a.classes; ++j) {
        const int c0 = firstChannel(j, a.channels, a.classes), c1 = firstChannel(j + 1, a.channels, a.classes);
        const int width = c1 - c0;
        const int values = positions * width;
        double sum = 0.0;
        for (int t = threadIdx.x; t < values; t += blockDim.x) {
            const float v = y[size_t(t / width) * size_t(a.channels) + size_t(c0 + t % width)];
            sum += double(v) * double(v);
        }
        sum = blockSum(sum);
        if (threadIdx.x == 0)
            goodness[j] = float(sum / double(values));
    }
    __syncthreads();
    if (a.goodnessOut)
        for (int j = threadIdx.x; j < a.classes; j += blockDim.x)
            a.goodnessOut[size_t(r) * size_t(a.classes) + size_t(j)] = goodness[j];
    if (!a.labels)
        return;
    if (threadIdx.x == 0) {
        const int label = a.labels[r];
        float top = goodness[0];
        for (int j = 1; j < a.classes; ++j)
            top = fmaxf(top, goodness[j]);
        float total = 0.0f;
        for (int j = 0; j < a.classes; ++j)
            total += expf(goodness[j] - top);
        const float logTotal = top + logf(total);
        if (a.lossOut)
            a.lossOut[r] = logTotal - goodness[label];
        for (int j = 0; j < a.classes; ++j) {
            const int values = positions * (firstChannel(j + 1, a.channels, a.classes)
                                            - firstChannel(j, a.channels, a.classes));
            const float dLdG = expf(goodness[j] - logTotal) - (j == label ? 1.0f : 0.0f);
            coefficient[j] = a.lossScale * dLdG * 2.0f / float(values);
        }
    }
    __syncthreads();
    if (!a.gradY)
        return;
    float *gy = a.gradY + size_t(r) * size_t(a.cols);
    for (int i = threadIdx.x; i < a.cols; i += blockDim.x)
        gy[i] = coefficient[groupOf(i % a.channels, a.channels, a.classes)] * y[i];
}

} // namespace

void launchFfClassGroups(Stream s, const FfClassGroupsArgs &a)
{
    if (a.rows == 0)
        return;
    classGroupsKernel<<<a.rows, kThreads, 0, s.stream>>>(a);
    FFINT8_LAUNCHED(s, "classGroupsKernel");
}

} // namespace ffint8::cuda
