// `ffint8 bench`: INT8 against FP32 GEMMs at the model's shapes, and one epoch of each FF algorithm,
// measured in one process so that the ratios compare like with like on a noisy machine.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/bench_epochs.h"
#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/spec_error.h"
#include "engine/backend/backend_factory.h"
#include "engine/core/counter_rng.h"
#include "engine/tools/step_breakdown.h"
#include "engine/train/training_run.h"

#include <QJsonArray>
#include <QTextStream>

#include <algorithm>

namespace ffint8 {

namespace {

constexpr double kGemmBudget = 0.3; // seconds of repeated calls per GEMM and type

struct GemmShape
{
    QString what;
    Trans ta, tb;
    int m, n, k;
};

std::vector<GemmShape> shapesOf(const TrainConfig &c)
{
    std::vector<GemmShape> shapes;
    const int rows = 2 * c.batch;
    for (size_t i = 0; i + 1 < c.layers.size(); ++i) {
        int in = c.layers[i], out = c.layers[i + 1];
        QString layer = QStringLiteral("layer %1 %2x%3").arg(i).arg(in).arg(out);
        shapes.push_back({layer + " forward", Trans::No, Trans::Yes, rows, out, in});
        shapes.push_back({layer + " weight grad", Trans::Yes, Trans::No, out, in, rows});
        shapes.push_back({layer + " input grad", Trans::No, Trans::No, rows, in, out});
    }
    shapes.push_back({"square 1024", Trans::No, Trans::Yes, 1024, 1024, 1024});
    shapes.push_back({"square 2048", Trans::No, Trans::Yes, 2048, 2048, 2048});
    return shapes;
}

} // namespace

int benchCommand(const QStringList &args)
{
    QTextStream err(stderr), out(stdout);
    TrainInvocation inv;
    try {
        inv = parseTrainArguments(args, ExtraFlags{false, false});
    } catch (const SpecError &e) {
        err << "ffint8 bench: " << e.what() << "\n";
        return ExitUsage;
    }
    try {
        const TrainConfig &config = inv.spec.config;
        auto backend = createBackend(config.backend, config.threads);
        if (!inv.json)
            out << "backend: " << QString::fromStdString(backend->description()) << "\n\n"
                << QStringLiteral("%1 %2 %3 %4\n").arg("GEMM (m x n x k)", -44).arg("FP32 GFLOP/s", 13).arg("INT8 GOP/s", 12).arg("INT8/FP32", 10);

        SplitMix64 rng(config.seed);
        double sumF32 = 0, sumS8 = 0;
        for (const GemmShape &s : shapesOf(config)) {
            const int aRows = s.ta == Trans::Yes ? s.k : s.m, aCols = s.ta == Trans::Yes ? s.m : s.k;
            const int bRows = s.tb == Trans::Yes ? s.n : s.k, bCols = s.tb == Trans::Yes ? s.k : s.n;
            Tensor a = backend->allocate(aRows, aCols, DType::F32, MemoryCategory::Workspace);
            Tensor b = backend->allocate(bRows, bCols, DType::F32, MemoryCategory::Workspace);
            Tensor c = backend->allocate(s.m, s.n, DType::F32, MemoryCategory::Workspace);
            Tensor qa = backend->allocate(aRows, aCols, DType::S8, MemoryCategory::Workspace);
            Tensor qb = backend->allocate(bRows, bCols, DType::S8, MemoryCategory::Workspace);
            Tensor qc = backend->allocate(s.m, s.n, DType::S32, MemoryCategory::Workspace);
            std::vector<float> hostA(a.count()), hostB(b.count());
            std::vector<int8_t> hostQa(a.count()), hostQb(b.count());
            for (size_t i = 0; i < hostA.size(); ++i)
                hostQa[i] = int8_t(int(rng.below(255)) - 127), hostA[i] = rng.uniform() - 0.5f;
            for (size_t i = 0; i < hostB.size(); ++i)
                hostQb[i] = int8_t(int(rng.below(255)) - 127), hostB[i] = rng.uniform() - 0.5f;
            backend->upload(a, hostA.data(), a.bytes());
            backend->upload(b, hostB.data(), b.bytes());
            backend->upload(qa, hostQa.data(), qa.bytes());
            backend->upload(qb, hostQb.data(), qb.bytes());
            const double ops = 2.0 * s.m * s.n * s.k;
            double tF32 = secondsPerCall([&] {
                backend->gemmF32(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.f32(), aCols, b.f32(), bCols, 0.0f, c.f32(), s.n);
                backend->synchronize();
            }, kGemmBudget);
            double tS8 = secondsPerCall([&] {
                backend->gemmS8S8S32(s.ta, s.tb, s.m, s.n, s.k, qa.s8(), aCols, qb.s8(), bCols, qc.s32(), s.n);
                backend->synchronize();
            }, kGemmBudget);
            if (!s.what.startsWith("square")) {
                sumF32 += tF32;
                sumS8 += tS8;
            }
            const QString shape = QStringLiteral("%1 (%2x%3x%4)").arg(s.what).arg(s.m).arg(s.n).arg(s.k);
            if (inv.json)
                printEvent(QJsonObject{{"event", "gemm"}, {"shape", shape}, {"m", s.m}, {"n", s.n}, {"k", s.k},
                                       {"f32_gflops", ops / tF32 / 1e9}, {"s8_gops", ops / tS8 / 1e9}, {"ratio", tF32 / tS8}});
            else
                out << QStringLiteral("%1 %2 %3 %4\n").arg(shape, -44).arg(ops / tF32 / 1e9, 13, 'f', 1).arg(ops / tS8 / 1e9, 12, 'f', 1).arg(tF32 / tS8, 9, 'f', 2) << Qt::flush;
        }
        if (inv.json)
            printEvent(QJsonObject{{"event", "gemm_total"}, {"model_shapes_ratio", sumF32 / sumS8}});
        else
            out << QStringLiteral("%1 %2\n\n").arg("all model shapes: INT8 rate / FP32 rate", -71).arg(sumF32 / sumS8, 9, 'f', 2);

        benchEpochs(config, inv.json, out);
        return ExitOk;
    } catch (const std::exception &e) {
        err << "ffint8 bench: " << e.what() << "\n";
        return ExitError;
    }
}

int backendsCommand(const QStringList &)
{
    QTextStream out(stdout);
    for (const auto &b : backendAvailability())
        out << QStringLiteral("%1 %2 %3\n").arg(QString::fromStdString(b.name), -10).arg(b.available ? "available  " : "unavailable")
                   .arg(QString::fromStdString(b.reason));
    return ExitOk;
}

} // namespace ffint8
