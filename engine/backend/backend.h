// The backend interface: memory, GEMMs, quantisers and the fused element-wise ops of FF and BP
// training. Trainers and layers speak only to this; the reference backend defines what each op means.
#pragma once

#include "engine/core/memory_account.h"
#include "engine/core/tensor.h"

#include <cstdint>
#include <string>

namespace ffint8 {

enum class Trans : bool { No = false, Yes = true };
enum class Rounding : uint8_t { Nearest, Stochastic };
enum class Goodness : uint8_t { Sum, Mean };
enum class OptimizerKind : uint8_t { Sgd, Adam };
// The element-wise activations besides ReLU (which is fused into other ops): MobileNet-V2's ReLU6,
// EfficientNet's SiLU, and the sigmoid of squeeze-excitation gates.
enum class PointwiseFunction : uint8_t { Relu6, Silu, Sigmoid };

// Symmetric INT8 quantisation: q = clamp(round(x * factor / scale), -127, 127) with
// scale = max|x * factor| / 127 over the tensor (perRow = false) or over each row (perRow = true).
// `columnFactors` (optional, one per column) multiplies x before quantising: it folds per-channel
// weight scales into a gradient so that the input-gradient GEMM can stay INT8.
// Stochastic rounding adds uniform noise u(seed, counter + r * cols + c) in [0, 1) and floors.
struct QuantiseArgs
{
    const float *x = nullptr;
    int rows = 0;
    int cols = 0;
    bool perRow = false;
    Rounding rounding = Rounding::Nearest;
    uint64_t seed = 0;
    uint64_t counter = 0;
    const float *columnFactors = nullptr;
    // Optional clipping value (one value): scale = min(max|x|, clip) / 127, so values beyond the
    // clip saturate at +-127 (per-tensor only; BP-UI8's direction-sensitive gradient clipping).
    const float *clip = nullptr;
    int8_t *q = nullptr;
    float *scales = nullptr; // 1 value, or `rows` values when perRow
};

// y = acc * scaleA * scaleB[col or 0] + bias[col], then ReLU if asked. Null scaleB or bias: 1 or 0.
struct DequantiseArgs
{
    const int32_t *acc = nullptr;
    int rows = 0;
    int cols = 0;
    const float *scaleA = nullptr; // one value
    const float *scaleB = nullptr; // one value, or `cols` values when scaleBPerColumn
    bool scaleBPerColumn = false;
    const float *bias = nullptr;
    bool relu = false;
    float *y = nullptr;
};

// The FF loss of one layer over a batch whose first `positiveRows` rows are positive data:
// G = sum (or mean) of y^2 per row, L_pos = softplus(theta - G), L_neg = softplus(G - theta).
// Writes G and L per row and gradY = lossScale * dL/dy.
struct FfLossArgs
{
    const float *y = nullptr;
    int rows = 0;
    int cols = 0;
    int positiveRows = 0;
    Goodness goodness = Goodness::Mean;
    float theta = 2.0f;
    float lossScale = 1.0f;
    float *goodnessOut = nullptr;
    float *lossOut = nullptr;
    float *gradY = nullptr;
};

// The class-groups loss (channel-wise competition, CwComp): a unit's output channels are split into
// `classes` consecutive groups (channel c of `channels` is in group c * classes / channels; the
// channel of feature i is i % channels, NHWC), class j's goodness is the mean of squares over its
// group's values, and the loss is the cross entropy of softmax(goodness) against the label.
struct FfClassGroupsArgs
{
    const float *y = nullptr;
    int rows = 0;
    int cols = 0;     // features per row, a multiple of `channels`
    int channels = 0; // at least `classes`
    int classes = 0;
    const int32_t *labels = nullptr; // S32 rows; null: goodness only
    float lossScale = 1.0f;
    float *goodnessOut = nullptr; // rows x classes
    float *lossOut = nullptr;     // rows; with labels
    float *gradY = nullptr;       // rows x cols, lossScale * dL/dy; with labels
};

// A gradient given either as FP32 or as INT32 accumulators with the product of two scales.
struct GradientRef
{
    const float *f32 = nullptr;
    const int32_t *s32 = nullptr;
    const float *scaleA = nullptr;
    const float *scaleB = nullptr;
};

// The stream of the random bits that round BF16 optimizer state (UpdateArgs), apart from the
// weights' own stochastic re-quantisation, which uses `seed` with the same counters.
constexpr uint64_t kStateStream = 0x5354415445ULL;

// One optimizer step over a [rows x cols] parameter, fused with re-quantisation to INT8.
// Weights are `master` (FP32, updated in place) or, with no master copy, the INT8 `q` itself:
// dequantised, updated and re-quantised per row (stochastic rounding keeps small updates alive).
struct UpdateArgs
{
    int rows = 0;
    int cols = 0;
    float *master = nullptr;
    int8_t *q = nullptr;      // INT8 copy to refresh (or to update, when master is null)
    float *qScales = nullptr; // one per row when qPerRow, else one
    bool qPerRow = true;
    Rounding qRounding = Rounding::Nearest;
    uint64_t seed = 0;
    uint64_t counter = 0;
    GradientRef grad;
    float *state1 = nullptr; // SGD momentum or Adam first moment
    float *state2 = nullptr; // Adam second moment
    // The same state held as BF16 words instead (state1/state2 null): read exactly, computed in FP32
    // and written back with stochastic rounding, so that updates far below BF16's 8-bit resolution
    // (Adam's second moment moves by 0.1 % a step) still move it on average. The 16 random bits of
    // element i are the low (state1) and high (state2) half of counterHash(seed ^ kStateStream, counter + i).
    uint16_t *state1Bf16 = nullptr;
    uint16_t *state2Bf16 = nullptr;
    OptimizerKind optimizer = OptimizerKind::Sgd;
    float lr = 0.01f;
    float momentum = 0.9f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float epsilon = 1e-8f;
    float weightDecay = 0.0f;
    int step = 1; // 1-based, for Adam's bias correction
};

// A 2-D window (a convolution's or a pooling's) over a batch of NHWC images: value (h, w, c) of
// image n is x[((n * height + h) * width + w) * channels + c]. Output position (oh, ow) covers
// image rows oh * strideH - padH + [0, kernelH) and columns ow * strideW - padW + [0, kernelW);
// positions outside the image are padding. The output is batch x outHeight() x outWidth(), NHWC too.
struct WindowGeometry
{
    int batch = 1;
    int height = 1;
    int width = 1;
    int channels = 1;
    int kernelH = 1, kernelW = 1;
    int strideH = 1, strideW = 1;
    int padH = 0, padW = 0;

    int outHeight() const { return (height + 2 * padH - kernelH) / strideH + 1; }
    int outWidth() const { return (width + 2 * padW - kernelW) / strideW + 1; }
};

// Throws EngineError naming `op` unless g is a window op it can run: positive sizes, an output of at
// least 1 x 1, channels divisible by `groups`, and for a pooling (every window must reach into the
// image, or a maximum would be undefined) padding of at most half the kernel.
void checkWindowGeometry(const char *op, const WindowGeometry &g, int groups, bool pooling);

// The output positions a depthwise weight gradient sums in one block (Backend::depthwiseConvWeightGradientF32).
constexpr int kDepthwiseRowBlock = 256;

// Batch normalisation of NHWC data seen as [count x channels] (count = batch * height * width):
// y = (x - mean[c]) * invStd[c] * gamma[c] + beta[c] with invStd = 1 / sqrt(var[c] + eps), in FP32.
// Training: mean and the biased variance var (sum of squared deviations / count) are computed per
// channel in double (two passes), rounded to FP32 and written; then runningMean = (1 - momentum) *
// runningMean + momentum * mean, and runningVar likewise with the unbiased variance var * count /
// (count - 1) (var itself when count is 1). Evaluation: mean and var are read (the caller passes the
// running statistics there) and nothing else is written but y.
struct BatchNormArgs
{
    const float *x = nullptr;
    int count = 0;
    int channels = 0;
    const float *gamma = nullptr;
    const float *beta = nullptr;
    float eps = 1e-5f;
    bool training = true;
    float momentum = 0.1f;
    float *mean = nullptr;
    float *var = nullptr;
    float *runningMean = nullptr; // training only
    float *runningVar = nullptr;  // training only
    float *y = nullptr;
};

// The gradients of a training-mode batch normalisation, given the mean and var its forward wrote:
// with xhat = (x - mean) * invStd, gradBeta[c] = sum over rows of gradY and gradGamma[c] = sum of
// gradY * xhat (both in double, rounded to FP32), and gradX = gamma * invStd * (gradY - gradBeta /
// count - xhat * gradGamma / count) in FP32. gradX may be null (only the parameters' gradients).
struct BatchNormBackwardArgs
{
    const float *x = nullptr;
    const float *gradY = nullptr;
    int count = 0;
    int channels = 0;
    const float *gamma = nullptr;
    const float *mean = nullptr;
    const float *var = nullptr;
    float eps = 1e-5f;
    float *gradX = nullptr;
    float *gradGamma = nullptr;
    float *gradBeta = nullptr;
};

class Backend
{
public:
    virtual ~Backend() = default;

    virtual std::string name() const = 0;
    // One line about the hardware and libraries this backend runs on (recorded with each run).
    virtual std::string description() const = 0;
    virtual void setThreads(int threads) { (void)threads; }
    // Called on the thread that is about to issue ops (a run may start on another thread than the
    // one that built the backend): sets per-thread state such as denormal flushing.
    virtual void attachToThread() {}

    Tensor allocate(int rows, int cols, DType dtype, MemoryCategory category);
    MemoryAccount &memory() { return m_memory; }

    virtual void upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes = 0) = 0;
    virtual void download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes = 0) = 0;
    virtual void fillZero(Tensor &t) = 0;
    virtual void synchronize() {}

    // Row-major C[m x n] = alpha * op(A) * op(B) + beta * C, op(A) is m x k, op(B) is k x n.
    virtual void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc) = 0;
    // Row-major C[m x n] = op(A) * op(B) in INT8 x INT8 with exact INT32 accumulation.
    virtual void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda,
                             const int8_t *b, int ldb, int32_t *c, int ldc) = 0;

    virtual void quantise(const QuantiseArgs &args) = 0;
    virtual void dequantise(const DequantiseArgs &args) = 0;
    // y += bias (per column), then ReLU if asked; in place.
    virtual void biasActivation(float *y, int rows, int cols, const float *bias, bool relu) = 0;
    // out = x / (||x|| + eps) per row; norms[r] = ||x_r||.
    virtual void lengthNormalise(const float *x, int rows, int cols, float eps, float *out, float *norms) = 0;
    // gradIn = d(out)/dx^T gradOut, with out and norms from lengthNormalise.
    virtual void lengthNormaliseBackward(const float *out, const float *norms, const float *gradOut, int rows,
                                         int cols, float eps, float *gradIn) = 0;
    virtual void ffLoss(const FfLossArgs &args) = 0;
    virtual void ffClassGroupsLoss(const FfClassGroupsArgs &args) = 0;
    // Look-ahead: gradUpdate = (own + lambda * later) * [y > 0], gradPropagate = (own + later) * [y > 0].
    // `later` may be null (nothing from later layers): then gradPropagate is not written. `y` may be
    // null: no mask (a graph unit's own layers apply theirs). gradPropagate may be `own` itself.
    virtual void lookaheadCombine(const float *own, const float *later, const float *y, int rows, int cols,
                                  float lambda, float *gradUpdate, float *gradPropagate) = 0;
    // g *= [y > 0] in place (ReLU backward).
    virtual void reluBackward(float *g, const float *y, int rows, int cols) = 0;
    // out[c] = alpha * sum over rows of g[r][c].
    virtual void columnSums(const float *g, int rows, int cols, float alpha, float *out) = 0;
    // dst[c][r] = src[r][c]: src is [rows x cols] row-major, dst [cols x rows]. A GEMM operand used
    // by several GEMMs in a row is transposed once so that each of them reads it in place.
    virtual void transposeS8(const int8_t *src, int rows, int cols, int8_t *dst) = 0;
    virtual void updateParameters(const UpdateArgs &args) = 0;

    // Softmax cross-entropy over `cols` classes per row: lossOut[r] = -log softmax(logits_r)[label_r],
    // gradLogits = lossScale * (softmax - onehot(label)).
    virtual void softmaxCrossEntropy(const float *logits, int rows, int cols, const int32_t *labels, float lossScale,
                                     float *lossOut, float *gradLogits) = 0;
    // For each of `count` clipping values c: the direction deviation 1 - cos(x, Q_c(x)) of x's
    // per-tensor INT8 quantisation with scale c / 127 (round to nearest, saturating). Written to the
    // host array `deviations`: the clipping search of BP-UI8 runs on the host over these few numbers.
    virtual void quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                                       float *deviationsHost) = 0;
    // --- layer ops (convolutions, batch norm, pooling, residual adds); images are NHWC ---
    // im2col: the convolution's input patches as rows, so that a convolution is a GEMM.
    // cols[(n * outHeight + oh) * outWidth + ow][((grp * kernelH + kh) * kernelW + kw) * cg + c] is
    // image n's value at (oh * strideH - padH + kh, ow * strideW - padW + kw, grp * cg + c), or 0 in
    // the padding, with cg = channels / groups: a row holds kernelH * kernelW * channels values and
    // the columns of group grp are one contiguous block of kernelH * kernelW * cg, so that each group
    // is one GEMM over that leading dimension.
    virtual void im2colF32(const float *x, const WindowGeometry &g, int groups, float *cols) = 0;
    // The same over INT8 codes; padding is code 0, which stands for 0 in a symmetric quantisation.
    virtual void im2colS8(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols) = 0;
    // col2im, im2col's transpose (the input gradient of a convolution): gradX at (n, h, w, c) is the
    // FP32 sum of every element of cols that im2col would have copied from there, added in the order
    // of kh, then kw ascending; positions no window reads get 0. gradX is overwritten.
    virtual void col2imF32(const float *cols, const WindowGeometry &g, int groups, float *gradX) = 0;
    // Depthwise convolution (groups = channels, one filter per channel), with no im2col: the weights
    // are [channels x kernelH * kernelW], w[c * kernelH * kernelW + kh * kernelW + kw] (a grouped
    // convolution's weights when groups = channels). Window positions in the padding are skipped
    // (they would add a zero). Every output is overwritten. Checked as im2col with groups = channels.
    // FP32 forward: y at (n, oh, ow, c) = FP32 of the double sum, in (kh, kw) order ascending, of the
    // exact products double(x) * double(w[c][kh][kw]): the reference backend's GEMM over im2col's
    // columns computes the same, bit for bit.
    virtual void depthwiseConvF32(const float *x, const WindowGeometry &g, const float *w, float *y) = 0;
    // INT8 forward: the same sum of code products in exact INT32 arithmetic.
    virtual void depthwiseConvS8(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y) = 0;
    // FP32 input gradient: gradX at (n, h, w, c) = FP32 sum, in (kh, kw) order ascending and starting
    // from 0, of the FP32 products gradY(n, oh, ow, c) * w[c][kh][kw] over the output positions (oh, ow)
    // whose window reads (h, w) at (kh, kw); 0 where none does. Each product rounded to FP32 before it
    // is added: col2im of the reference backend's per-group GEMM gives the same bits.
    virtual void depthwiseConvInputGradientF32(const float *gradY, const WindowGeometry &g, const float *w,
                                               float *gradX) = 0;
    // INT8 input gradient: the same sum of code products in exact INT32 arithmetic.
    virtual void depthwiseConvInputGradientS8(const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                              int32_t *gradX) = 0;
    // FP32 weight gradient: gradW[c][kh][kw] = sum over the output positions r = (n * outHeight + oh) *
    // outWidth + ow of the exact products double(gradY(r, c)) * double(x at the position that r's window
    // reads at (kh, kw), channel c), in this order: r split into blocks of kDepthwiseRowBlock
    // consecutive positions (the last one shorter), each block summed in double with r ascending, the
    // block sums added in double in block order, the total rounded once to FP32. The blocks are what
    // lets a device sum them in parallel and still give the host's bits.
    virtual void depthwiseConvWeightGradientF32(const float *x, const float *gradY, const WindowGeometry &g,
                                                float *gradW) = 0;
    // INT8 weight gradient: the same sum of code products in exact INT32 arithmetic (order irrelevant).
    virtual void depthwiseConvWeightGradientS8(const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                               int32_t *gradW) = 0;
    virtual void batchNormForward(const BatchNormArgs &args) = 0;
    virtual void batchNormBackward(const BatchNormBackwardArgs &args) = 0;
    // Max pooling: y at (n, oh, ow, c) is the largest x over the window's positions inside the image
    // (padding never wins, as if it held -infinity; every window must reach into the image), the
    // first in (kh, kw) order among equal values. argmax (optional) gets that position's h * width + w.
    virtual void maxPoolForward(const float *x, const WindowGeometry &g, float *y, int32_t *argmax) = 0;
    // gradX at (n, h, w, c) = FP32 sum, in (kh, kw) order, of gradY over the windows of image n and
    // channel c whose argmax is (h, w); 0 elsewhere. gradX is overwritten.
    virtual void maxPoolBackward(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX) = 0;
    // Average pooling with the padding counted as zeros (PyTorch's count_include_pad): y = (sum of
    // the window's image values in (kh, kw) order) / (kernelH * kernelW).
    virtual void avgPoolForward(const float *x, const WindowGeometry &g, float *y) = 0;
    // gradX at (n, h, w, c) = sum, in (kh, kw) order, of gradY / (kernelH * kernelW) over the windows
    // that hold (h, w). gradX is overwritten.
    virtual void avgPoolBackward(const float *gradY, const WindowGeometry &g, float *gradX) = 0;
    // out = a + b element-wise (b null: out = a, a copy), then max(out, 0) when relu; out may be a or b.
    virtual void addTensors(const float *a, const float *b, int rows, int cols, bool relu, float *out) = 0;
    // y = f(x) element-wise over rows x cols values (y may be x), with s = 1 / (1 + expf(-x)):
    // relu6 0 where x < 0, 6 where x > 6, else x (NaN stays NaN); silu x * s; sigmoid s.
    virtual void pointwiseForward(PointwiseFunction f, const float *x, int rows, int cols, float *y) = 0;
    // gradX = gradY * f'(x) (gradX may be gradY): relu6 gradY where 0 < y < 6, else 0 (the
    // output tells, so x may be null); silu gradY * (s + x * (s * (1 - s))) from x (y unused);
    // sigmoid gradY * (y * (1 - y)) from y (x may be null).
    virtual void pointwiseBackward(PointwiseFunction f, const float *x, const float *y, const float *gradY, int rows,
                                   int cols, float *gradX) = 0;
    // Inverted dropout over rows x cols values (y may be x): value i = r * cols + c is kept when
    // counterUniform(seed, counter + i) >= rate and then multiplied by 1 / (1 - rate) (rate in
    // [0, 1)), else 0. Its backward pass is the same call on the gradient with the same counter.
    virtual void dropout(const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter,
                         float *y) = 0;

    // sum of x^2 over `count` values, returned to the host (metrics: gradient norms).
    virtual double squaredNorm(const float *x, size_t count) = 0;
    // max |x| over `count` values, returned to the host (the range a clipping search scans).
    virtual float maxAbsValue(const float *x, size_t count) = 0;

protected:
    virtual void *rawAllocate(size_t bytes) = 0;
    virtual void rawFree(void *p) = 0;

private:
    friend class Tensor;
    friend class OpTimingBackend; // forwards allocations to the backend it wraps
    void releaseTensor(void *p, size_t bytes, MemoryCategory category);

    MemoryAccount m_memory;
};

} // namespace ffint8
