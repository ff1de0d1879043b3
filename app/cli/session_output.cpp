// Command-line output of a run session.
#include "app/cli/session_output.h"

#include "app/cli/commands.h"
#include "app/session/run_events.h"

#include <QTextStream>

#include <atomic>
#include <memory>
#include <csignal>

namespace ffint8 {

namespace {

std::atomic<RunSession *> g_interruptible{nullptr};
std::atomic<RunGroup *> g_interruptibleGroup{nullptr};

extern "C" void onInterrupt(int)
{
    if (RunSession *session = g_interruptible.load())
        session->stop();
    if (RunGroup *group = g_interruptibleGroup.load())
        group->stop();
}

// SIGTERM (kill, systemd, a batch scheduler's time limit) and SIGHUP (a closed terminal or ssh
// session) end a run like Ctrl-C: stopped after the current batch and recorded as cancelled,
// instead of killed mid-write and found "interrupted" later.
void handleInterrupts(bool handle)
{
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
        std::signal(signal, handle ? onInterrupt : SIG_DFL);
}

QString percent(double fraction) { return fraction < 0 ? QStringLiteral("-") : QString::number(fraction * 100.0, 'f', 2) + " %"; }
QString mib(size_t bytes) { return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 2) + " MiB"; }

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

} // namespace

void stopOnInterrupt(RunSession *session)
{
    g_interruptible.store(session);
    handleInterrupts(session != nullptr);
}

void stopGroupOnInterrupt(RunGroup *group)
{
    g_interruptibleGroup.store(group);
    handleInterrupts(group != nullptr);
}

void printSessionOutput(RunSession &session, bool json, const QString &command, const QString &label)
{
    const QString prefix = label.isEmpty() ? QString() : label + ": ";
    // Direct connections: the command line runs the session on its own thread (runHere).
    QObject::connect(&session, &RunSession::storeProblem, &session, [command](const QString &message) {
        err() << "ffint8 " << command << ": store: " << message << "\n";
        err().flush();
    }, Qt::DirectConnection);
    QObject::connect(&session, &RunSession::failed, &session, [command, prefix](const QString &message) {
        err() << "ffint8 " << command << ": " << prefix << message << "\n";
        err().flush();
    }, Qt::DirectConnection);
    if (json) {
        QObject::connect(&session, &RunSession::started, &session, [](qint64, const QJsonObject &e) { printEvent(e); }, Qt::DirectConnection);
        QObject::connect(&session, &RunSession::progress, &session, [](const ProgressMetrics &, const QJsonObject &e) { printEvent(e); }, Qt::DirectConnection);
        QObject::connect(&session, &RunSession::epochFinished, &session, [](const EpochMetrics &, const QJsonObject &e) { printEvent(e); }, Qt::DirectConnection);
        QObject::connect(&session, &RunSession::targetReached, &session, [](const EpochMetrics &, const QJsonObject &e) { printEvent(e); }, Qt::DirectConnection);
    } else {
        QObject::connect(&session, &RunSession::started, &session, [](qint64 runId, const QJsonObject &e) {
            out() << "power: " << e["telemetry"].toObject()["reason"].toString() << "\n";
            out() << "training " << e["algo"].toString() << " on " << e["dataset"].toString() << " ("
                  << e["train_examples"].toInt() << " train, " << e["test_examples"].toInt() << " test) with the "
                  << e["backend_description"].toString() << "\n";
            if (runId)
                out() << "recording as run " << runId << "\n";
            out().flush();
        }, Qt::DirectConnection);
        QObject::connect(&session, &RunSession::epochFinished, &session, [prefix](const EpochMetrics &e, const QJsonObject &) {
            out() << prefix << QStringLiteral("epoch %1  loss %2  test %3  train %4 s  %5 samples/s  lr %6  lambda %7  engine peak %8\n")
                         .arg(e.epoch + 1, 3)
                         .arg(e.trainLoss, 0, 'f', 4)
                         .arg(percent(e.testAccuracy))
                         .arg(e.trainSeconds, 0, 'f', 2)
                         .arg(e.samplesPerSecond, 0, 'f', 0)
                         .arg(double(e.learningRate), 0, 'g', 3)
                         .arg(double(e.lambda), 0, 'g', 3)
                         .arg(mib(e.memory.peakTotal));
            out().flush();
        }, Qt::DirectConnection);
        QObject::connect(&session, &RunSession::targetReached, &session, [prefix](const EpochMetrics &e, const QJsonObject &event) {
            out() << prefix << QStringLiteral("target %1 reached in epoch %2 after %3 s training (test %4)\n")
                         .arg(percent(event["target_acc"].toDouble()))
                         .arg(e.epoch + 1)
                         .arg(e.runTrainSeconds, 0, 'f', 2)
                         .arg(percent(e.testAccuracy));
            out().flush();
        }, Qt::DirectConnection);
    }
    // A run that never started has said why through failed(); one that did reports its outcome.
    auto trained = std::make_shared<bool>(false);
    QObject::connect(&session, &RunSession::started, &session, [trained](qint64, const QJsonObject &) { *trained = true; },
                     Qt::DirectConnection);
    QObject::connect(&session, &RunSession::finished, &session, [json, command, prefix, trained, &session](const RunSummary &s, const QJsonObject &e) {
        if (json)
            printEvent(e);
        if (!*trained)
            return;
        if (!json) {
            out() << prefix << runStatusName(s.status) << ": test accuracy " << percent(s.testAccuracy) << " after " << s.epochsCompleted
                  << " epochs, " << QString::number(s.trainSeconds, 'f', 2) << " s training, engine peak "
                  << mib(s.memory.peakTotal) << "\n";
            if (e.contains("target_acc") && s.targetEpoch == 0)
                out() << prefix << "target " << percent(e["target_acc"].toDouble()) << " not reached in " << s.epochsCompleted
                      << " epochs\n";
            if (!session.options().savePath.isEmpty() && s.status == RunStatus::Completed)
                out() << "model saved to " << session.options().savePath << "\n";
            out().flush();
        }
        if (s.status != RunStatus::Completed)
            err() << "ffint8 " << command << ": " << prefix << "run " << runStatusName(s.status) << ": " << QString::fromStdString(s.message) << "\n";
        if (e.contains("telemetry_problem"))
            err() << "ffint8 " << command << ": telemetry: " << e["telemetry_problem"].toString() << "\n";
        err().flush();
    }, Qt::DirectConnection);
}

int exitCodeOf(const RunSession &session, const RunSummary &summary)
{
    if (session.failedOnUsage())
        return ExitUsage;
    switch (summary.status) {
    case RunStatus::Completed: return ExitOk;
    case RunStatus::Diverged: return ExitDiverged;
    case RunStatus::Cancelled: return ExitCancelled;
    case RunStatus::Failed: return ExitError;
    }
    return ExitError;
}

} // namespace ffint8
