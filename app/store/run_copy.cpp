// Copying a run between stores.
#include "app/store/run_copy.h"

#include "app/store/store_error.h"

namespace ffint8 {

CopyOutcome copyRun(RunStore &from, qint64 runId, RunStore &to, qint64 *targetId)
{
    const std::optional<RunRecord> run = from.run(runId);
    if (!run)
        throw StoreError(QStringLiteral("%1 has no run %2").arg(from.displayName()).arg(runId));
    // Read everything before the target's transaction opens, so that it stays short.
    const QList<QPair<QString, QString>> params = from.params(runId);
    const QStringList units = from.units(runId);
    const QStringList tags = from.tags(runId);
    const QStringList notes = from.notes(runId);
    const std::vector<StoredEpoch> epochs = from.epochs(runId);
    const std::vector<StoredProgress> progress = from.progress(runId);
    const std::vector<PowerPoint> samples = from.samples(runId);

    CopyOutcome outcome = CopyOutcome::Copied;
    qint64 id = 0;
    const QString what = QStringLiteral("cannot copy run %1 (%2) into %3").arg(runId).arg(run->uuid, to.displayName());
    to.transaction(what, [&] {
        outcome = CopyOutcome::Copied;
        if (const std::optional<qint64> existing = to.runByUuid(run->uuid)) {
            const RunRecord there = *to.run(*existing);
            if (there.status == run->status && there.epochsDone == run->epochsDone &&
                to.epochCount(*existing) == int(epochs.size())) {
                id = *existing;
                outcome = CopyOutcome::AlreadyThere;
                return;
            }
            to.deleteRun(*existing);
            outcome = CopyOutcome::Updated;
        }
        id = to.importRun(*run);
        to.setParams(id, params);
        to.setUnits(id, units);
        for (const QString &tag : tags)
            to.addTag(id, tag);
        for (const QString &note : notes)
            to.addNote(id, note);
        for (const StoredEpoch &e : epochs)
            to.insertEpoch(id, e.metrics, EpochEnergy{e.joules, e.meanWatts});
        if (!progress.empty())
            to.insertProgress(id, progress, what);
        if (!samples.empty())
            to.insertSamples(id, samples, what);
        to.setRecordedResults(id, *run);
    });
    if (targetId)
        *targetId = id;
    return outcome;
}

} // namespace ffint8
