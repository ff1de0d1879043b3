// Backend op checks of FF's class-groups loss against the reference backend: an image unit's
// output with uneven groups, a flat one, and goodness alone (no labels).
#include "engine/tools/op_check_harness.h"

namespace ffint8::opchecks {

namespace {

// The host sums a group's squares in float in order, the device in double by a tree; over a few
// hundred squares the float sum's rounding reaches about 1e-6 of it.
const char *kDeviceSums = "sums of squares in another order and precision (float on the host): relative 1e-5";

struct ClassGroupsCase
{
    int rows, channels, positions, classes;
    bool labelled;
};

} // namespace

void checkClassGroupsOps(Checker &c)
{
    for (const ClassGroupsCase k : {ClassGroupsCase{37, 32, 49, 10, true}, ClassGroupsCase{19, 103, 1, 10, true},
                                    ClassGroupsCase{21, 24, 16, 10, false}}) {
        const int cols = k.channels * k.positions;
        Pair y = c.floats(k.rows, cols, -1.5f, 1.5f);
        std::vector<int32_t> labels(size_t(k.rows));
        for (auto &l : labels)
            l = int32_t(c.m_rng.below(uint32_t(k.classes)));
        Pair lab = c.zeros(1, k.rows, DType::S32);
        c.m_cand.upload(lab.cand, labels.data(), labels.size() * 4);
        c.m_ref.upload(lab.ref, labels.data(), labels.size() * 4);
        Pair g = c.zeros(k.rows, k.classes, DType::F32), l = c.zeros(1, k.rows, DType::F32);
        Pair gy = c.zeros(k.rows, cols, DType::F32);
        auto run = [&](Backend &b, Tensor &yt, Tensor &labt, Tensor &gt, Tensor &lt, Tensor &gyt) {
            FfClassGroupsArgs a;
            a.y = yt.f32();
            a.rows = k.rows;
            a.cols = cols;
            a.channels = k.channels;
            a.classes = k.classes;
            a.labels = k.labelled ? labt.s32() : nullptr;
            a.lossScale = 1.0f / float(k.rows);
            a.goodnessOut = gt.f32();
            a.lossOut = lt.f32();
            a.gradY = gyt.f32();
            b.ffClassGroupsLoss(a);
        };
        run(c.m_cand, y.cand, lab.cand, g.cand, l.cand, gy.cand);
        run(c.m_ref, y.ref, lab.ref, g.ref, l.ref, gy.ref);
        const std::string name = std::string("ff_class_groups") + (k.labelled ? "" : " goodness only");
        c.recordExactOnHost(name, dims(k.rows, cols) + " channels=" + std::to_string(k.channels),
                            k.labelled ? std::vector<Pair *>{&g, &l, &gy} : std::vector<Pair *>{&g, &gy}, 1e-5,
                            kDeviceSums);
    }
}

} // namespace ffint8::opchecks
