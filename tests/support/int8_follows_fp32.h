// FF-INT8 against FF-FP32 on the same model graph and data: both learn, and INT8 lands near FP32.
#pragma once

#include "engine/backend/backend_factory.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/training_run.h"

#include <QtTest>
#include <cmath>
#include <functional>

namespace ffint8::testing {

// Trains `config` as FF-FP32 and then as FF-INT8 (cpu backend, 2 threads) on `data`. Each run must
// complete with every unit's positive goodness above its negative in the last epoch (for class
// groups: a unit's own class above the others); `checkTrainer`, when given, looks at each trainer
// before it trains. FP32 must pass 90 % and INT8 land within 5 points of it. A failure is the
// calling test's (QVERIFY returns from here only: call it last).
inline void checkInt8FollowsFp32(TrainConfig config, const DatasetSplits &data,
                                 const std::function<void(GraphFfTrainer &)> &checkTrainer = {})
{
    double accuracy[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
        config.algorithm = i ? Algorithm::FfInt8 : Algorithm::FfFp32;
        auto backend = createBackend("cpu", config.threads);
        GraphFfTrainer trainer(config, *backend);
        if (checkTrainer)
            checkTrainer(trainer);
        EpochMetrics last;
        RunCallbacks record;
        record.onEpoch = [&](const EpochMetrics &m) { last = m; };
        const RunSummary s = TrainingRun(trainer, data, record).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        QCOMPARE(last.layers.size(), trainer.unitNames().size());
        for (const LayerMetrics &m : last.layers)
            QVERIFY2(m.goodnessPos > m.goodnessNeg,
                     qPrintable(QString("%1: positive %2 vs negative %3")
                                    .arg(algorithmName(config.algorithm))
                                    .arg(m.goodnessPos)
                                    .arg(m.goodnessNeg)));
        accuracy[i] = s.testAccuracy;
    }
    QVERIFY2(accuracy[0] > 0.9, qPrintable(QString::number(accuracy[0])));
    QVERIFY2(std::abs(accuracy[1] - accuracy[0]) < 0.05,
             qPrintable(QString("fp32 %1, int8 %2").arg(accuracy[0]).arg(accuracy[1])));
}

} // namespace ffint8::testing
