// The trainer's prediction for every example of a dataset, in order: what model-file tests compare
// before saving and after loading.
#pragma once

#include "engine/data/dataset.h"
#include "engine/train/trainer.h"

#include <QtTest>

#include <numeric>
#include <vector>

namespace ffint8 {

inline std::vector<uint8_t> predictAll(Trainer &t, const Dataset &data)
{
    std::vector<int> idx(size_t(data.count));
    std::iota(idx.begin(), idx.end(), 0);
    std::vector<uint8_t> p(idx.size());
    if (!t.predict(data, idx.data(), int(idx.size()), p.data(), nullptr)) // nothing can cancel it
        QTest::qFail("the prediction stopped early", __FILE__, __LINE__);
    return p;
}

} // namespace ffint8
