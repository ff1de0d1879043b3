// `ffint8 train`: one run on this machine, reported as text or JSON events.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/prepared_run.h"
#include "app/cli/run_events.h"
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "app/telemetry/telemetry_recorder.h"
#include "engine/core/error.h"
#include "engine/io/model_file.h"
#include "engine/train/training_run.h"

#include <QJsonDocument>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace ffint8 {

namespace {

// The run that Ctrl-C cancels. A signal handler can do no more than set a flag, and the run's
// cancel() is exactly that (a lock-free atomic store).
std::atomic<TrainingRun *> g_interruptible{nullptr};

extern "C" void onInterrupt(int)
{
    if (TrainingRun *run = g_interruptible.load())
        run->cancel();
}

QString percent(double fraction) { return fraction < 0 ? QStringLiteral("-") : QString::number(fraction * 100.0, 'f', 2) + " %"; }
QString mib(size_t bytes) { return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 2) + " MiB"; }

} // namespace

int trainCommand(const QStringList &args)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    TrainInvocation inv;
    try {
        inv = parseTrainArguments(args, ExtraFlags{true, false, true});
    } catch (const SpecError &e) {
        err << "ffint8 train: " << e.what() << "\n";
        return ExitUsage;
    }
    const TrainConfig &config = inv.spec.config;
    try {
        const TelemetryChoice telemetryChoice = chooseTelemetry(inv.telemetry, inv.tegrastatsProgram, inv.telemetryIntervalMs,
                                                                QStringLiteral("/sys"), inv.replaySpeed);
        DatasetSplits data = loadRunData(config);
        PreparedRun prepared = prepareRun(config, data);
        Trainer &trainer = *prepared.trainer;
        TelemetryRecorder telemetry(telemetryChoice);

        // The run is recorded where asked; a store that fails later costs the record, never the run.
        std::unique_ptr<RunStore> store;
        qint64 runId = 0;
        if (!inv.databasePath.isEmpty()) {
            store = std::make_unique<RunStore>(inv.databasePath);
            RunRecord record;
            record.name = inv.spec.name;
            record.specJson = QString::fromUtf8(QJsonDocument(specToJson(inv.spec)).toJson(QJsonDocument::Compact));
            record.algorithm = algorithmName(config.algorithm);
            record.dataset = QString::fromStdString(data.train.name);
            record.backend = QString::fromStdString(trainer.backend().name());
            runId = store->createRun(record);
            store->setPowerSource(runId, telemetryChoice.source,
                                  telemetry.active() ? std::optional<int>(telemetryChoice.intervalMs) : std::nullopt);
        }
        size_t storedSamples = 0;
        auto storeNewSamples = [&] {
            const std::vector<PowerPoint> fresh = telemetry.log().pointsFrom(storedSamples);
            store->addSamples(runId, fresh);
            storedSamples += fresh.size();
        };
        auto recordEpoch = [&](const EpochMetrics &e, const QJsonObject &event) {
            if (!store)
                return;
            EpochEnergy energy;
            if (event.contains("energy_j")) {
                energy.joules = event["energy_j"].toDouble();
                energy.meanWatts = event["mean_power_w"].toDouble();
            }
            try {
                store->addEpoch(runId, e, energy);
                storeNewSamples();
            } catch (const StoreError &error) {
                err << "ffint8 train: " << error.what() << " (training goes on)\n";
                err.flush();
            }
        };

        RunCallbacks callbacks;
        if (inv.json) {
            QJsonObject start = startEvent(inv.spec, trainer, data);
            start["telemetry"] = telemetryObject(telemetry);
            if (store)
                start["run_id"] = runId;
            printEvent(start);
            callbacks.onProgress = [](const ProgressMetrics &p) { printEvent(progressEvent(p)); };
            callbacks.onEpoch = [&](const EpochMetrics &e) {
                QJsonObject event = epochEvent(e);
                addEnergy(event, telemetry, e.monotonicStart, e.monotonicEnd);
                if (store)
                    event["run_id"] = runId;
                recordEpoch(e, event);
                printEvent(event);
            };
        } else {
            out << "power: " << telemetryChoice.reason << "\n";
            out << "training " << algorithmName(config.algorithm) << " on " << QString::fromStdString(data.train.name)
                << " (" << data.train.count << " train, " << data.test.count << " test) with the "
                << QString::fromStdString(trainer.backend().description()) << "\n";
            out.flush();
            callbacks.onEpoch = [&](const EpochMetrics &e) {
                QJsonObject event;
                addEnergy(event, telemetry, e.monotonicStart, e.monotonicEnd);
                recordEpoch(e, event);
                out << QStringLiteral("epoch %1  loss %2  test %3  train %4 s  %5 samples/s  lambda %6  engine peak %7\n")
                           .arg(e.epoch + 1, 3)
                           .arg(e.trainLoss, 0, 'f', 4)
                           .arg(percent(e.testAccuracy))
                           .arg(e.trainSeconds, 0, 'f', 2)
                           .arg(e.samplesPerSecond, 0, 'f', 0)
                           .arg(double(e.lambda), 0, 'g', 3)
                           .arg(mib(e.memory.peakTotal));
                out.flush();
            };
        }

        TrainingRun run(trainer, data, callbacks);
        g_interruptible.store(&run);
        auto previous = std::signal(SIGINT, onInterrupt);
        RunSummary summary = run.run();
        std::signal(SIGINT, previous);
        g_interruptible.store(nullptr);
        telemetry.stop();
        if (store) {
            try {
                storeNewSamples();
                store->finishRun(runId, runStatusName(summary.status), QString::fromStdString(summary.message));
            } catch (const StoreError &error) {
                err << "ffint8 train: " << error.what() << "\n";
            }
        }
        if (!telemetry.problem().isEmpty())
            err << "ffint8 train: telemetry: " << telemetry.problem() << "\n";

        if (!inv.savePath.isEmpty() && summary.status == RunStatus::Completed)
            saveModel(inv.savePath.toStdString(), ModelFile{config, trainer.parameters()});

        if (inv.json) {
            QJsonObject event = summaryEvent(config, summary);
            addEnergy(event, telemetry, summary.monotonicStart, summary.monotonicEnd);
            event["telemetry"] = telemetryObject(telemetry);
            if (store)
                event["run_id"] = runId;
            printEvent(event);
        } else {
            out << runStatusName(summary.status) << ": test accuracy " << percent(summary.testAccuracy) << " after "
                << summary.epochsCompleted << " epochs, " << QString::number(summary.trainSeconds, 'f', 2)
                << " s training, engine peak " << mib(summary.memory.peakTotal) << "\n";
            if (!inv.savePath.isEmpty() && summary.status == RunStatus::Completed)
                out << "model saved to " << inv.savePath << "\n";
        }
        if (summary.status != RunStatus::Completed)
            err << "ffint8 train: run " << runStatusName(summary.status) << ": "
                << QString::fromStdString(summary.message) << "\n";
        switch (summary.status) {
        case RunStatus::Completed: return ExitOk;
        case RunStatus::Diverged: return ExitDiverged;
        case RunStatus::Cancelled: return ExitCancelled;
        case RunStatus::Failed: return ExitError;
        }
        return ExitError;
    } catch (const SpecError &e) {
        err << "ffint8 train: " << e.what() << "\n";
        return ExitUsage;
    } catch (const std::exception &e) {
        err << "ffint8 train: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
