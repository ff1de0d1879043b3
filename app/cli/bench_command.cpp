// `ffint8 bench`: INT8 against FP32 at the GEMMs of an FF-INT8 step, then epochs of BP-FP32, FF-FP32 and
// FF-INT8 (bench_epochs), measured in one process so that the ratios compare like with like on a noisy
// machine; for a model graph, steps of each method split by op category (bench_graph_steps).
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/bench_epochs.h"
#include "app/cli/bench_graph_steps.h"
#include "app/cli/bench_threads.h"
#include "app/session/run_events.h"
#include "app/spec/spec_error.h"
#include "engine/backend/backend_factory.h"
#include "engine/core/counter_rng.h"
#include "engine/tools/step_breakdown.h"

#include <QTextStream>

#include <algorithm>

namespace ffint8 {

namespace {

constexpr double kGemmBudget = 0.3; // seconds of repeated calls per GEMM and type

// The GEMMs of an FF-INT8 step at the spec's last epoch (look-ahead's chain included), as the
// trainer issues them, then two squares for the library's peak rates.
std::vector<StepGemm> shapesOf(const TrainConfig &c)
{
    TrainConfig ff = c;
    ff.algorithm = Algorithm::FfInt8;
    std::vector<StepGemm> shapes = stepGemms(ff, std::max(0, c.epochs - 1));
    for (int size : {1024, 2048})
        shapes.push_back({"square " + std::to_string(size), Trans::No, Trans::Yes, size, size, size, size, size, true, true, false, 0});
    return shapes;
}

// Takes `--busy N` out of args: -1 when absent. Throws SpecError for a value that is not a count.
int takeBusyFlag(QStringList &args)
{
    int busy = -1;
    for (int i = 0; i < args.size();) {
        const bool inlineValue = args[i].startsWith("--busy=");
        if (args[i] != "--busy" && !inlineValue) {
            ++i;
            continue;
        }
        if (!inlineValue && i + 1 >= args.size())
            throw SpecError("flag --busy needs a value (cores to keep busy)");
        const QString value = inlineValue ? args[i].mid(7) : args[i + 1];
        bool ok = false;
        busy = value.toInt(&ok);
        if (!ok || busy < 0 || busy > 1024)
            throw SpecError(QStringLiteral("--busy: '%1' is not a count of cores from 0 to 1024").arg(value));
        args.remove(i, inlineValue ? 1 : 2);
    }
    return busy;
}

} // namespace

int benchCommand(const QStringList &arguments)
{
    QTextStream err(stderr), out(stdout);
    TrainInvocation inv;
    QStringList args = arguments;
    int busy = -1;
    try {
        busy = takeBusyFlag(args);
        inv = parseTrainArguments(args, ExtraFlags{false, false});
    } catch (const SpecError &e) {
        err << "ffint8 bench: " << e.what() << "\n";
        return ExitUsage;
    }
    try {
        const TrainConfig &config = inv.spec.config;
        if (busy >= 0) {
            benchThreads(inv.spec, busy, inv.json, out);
            return ExitOk;
        }
        if (config.graphModel()) {
            benchGraphSteps(inv.spec, inv.json, out);
            return ExitOk;
        }
        auto backend = createBackend(config.backend, config.threads);
        if (!inv.json)
            out << "backend: " << QString::fromStdString(backend->description()) << "\n\n"
                << QStringLiteral("%1 %2 %3 %4\n").arg("GEMM of an ff-int8 step (m x n x k)", -60).arg("FP32 GFLOP/s", 13).arg("INT8 GOP/s", 12).arg("INT8/FP32", 10);

        SplitMix64 rng(config.seed);
        double sumF32 = 0, sumS8 = 0;
        for (const StepGemm &s : shapesOf(config)) {
            StepGemm f32 = s, s8 = s;
            f32.int8 = false;
            s8.int8 = true;
            GemmOperands f32Operands = gemmOperands(*backend, f32, rng), s8Operands = gemmOperands(*backend, s8, rng);
            const double ops = 2.0 * s.m * s.n * s.k;
            const double tF32 = secondsPerCall([&] {
                runGemm(*backend, f32, f32Operands);
                backend->synchronize();
            }, kGemmBudget);
            const double tS8 = secondsPerCall([&] {
                runGemm(*backend, s8, s8Operands);
                backend->synchronize();
            }, kGemmBudget);
            // The model's total as one step has it (repeats: the blocks of a weight gradient); the
            // squares, with no repeats, are left out.
            sumF32 += tF32 * s.repeats;
            sumS8 += tS8 * s.repeats;
            const QString shape = QStringLiteral("%1 (%2x%3x%4)").arg(QString::fromStdString(s.what)).arg(s.m).arg(s.n).arg(s.k);
            if (inv.json)
                printEvent(QJsonObject{{"event", "gemm"}, {"shape", shape}, {"m", s.m}, {"n", s.n}, {"k", s.k},
                                       {"f32_gflops", ops / tF32 / 1e9}, {"s8_gops", ops / tS8 / 1e9}, {"ratio", tF32 / tS8}});
            else
                out << QStringLiteral("%1 %2 %3 %4\n").arg(shape, -60).arg(ops / tF32 / 1e9, 13, 'f', 1).arg(ops / tS8 / 1e9, 12, 'f', 1).arg(tF32 / tS8, 9, 'f', 2) << Qt::flush;
        }
        if (inv.json)
            printEvent(QJsonObject{{"event", "gemm_total"}, {"model_shapes_ratio", sumF32 / sumS8}});
        else
            out << QStringLiteral("%1 %2\n\n").arg("one ff-int8 step's GEMMs: INT8 rate / FP32 rate", -87).arg(sumF32 / sumS8, 9, 'f', 2);

        benchEpochs(inv.spec, inv.json, out);
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
