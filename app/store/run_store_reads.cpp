// The run store's reads: runs by filter, their epochs, progress, unit metrics, tags and notes.
#include "app/store/run_store.h"

#include "app/store/sql_dialect.h"
#include "app/store/store_error.h"
#include "app/store/store_values.h"
#include "app/store/unit_metrics.h"

#include <QDate>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace ffint8 {

using namespace store_values;

QList<QPair<QString, QString>> RunStore::params(qint64 runId)
{
    QSqlQuery q = query();
    q.prepare("SELECT key, value FROM params WHERE run_id = ? ORDER BY key");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot read the settings of run %1").arg(runId));
    QList<QPair<QString, QString>> list;
    while (q.next())
        list.append({q.value(0).toString(), q.value(1).toString()});
    return list;
}

QStringList RunStore::units(qint64 runId)
{
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare("SELECT unit_index, name FROM run_units WHERE run_id = ? ORDER BY unit_index");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot read the unit names of run %1").arg(runId));
    QStringList names;
    while (q.next()) {
        // A gap (a store written by hand) keeps every later unit at its own index.
        const int index = q.value(0).toInt();
        if (index < 0 || index > (1 << 20))
            continue;
        while (names.size() < index)
            names << fallbackUnitName(int(names.size()));
        names << q.value(1).toString();
    }
    return names;
}

std::vector<PowerPoint> RunStore::samples(qint64 runId, double after)
{
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare("SELECT t, board_w FROM samples WHERE run_id = ? AND t > ? ORDER BY t");
    bindAll(q, {QVariant(runId), QVariant(after)});
    execute(q, QStringLiteral("cannot read the power samples of run %1").arg(runId));
    std::vector<PowerPoint> list;
    while (q.next())
        list.push_back({q.value(0).toDouble(), q.value(1).toDouble()});
    return list;
}

std::pair<double, double> RunStore::epochSpan(qint64 runId, int epoch)
{
    QSqlQuery q = query();
    q.prepare("SELECT t_start, t_end FROM epoch_metrics WHERE run_id = ? AND epoch = ?");
    bindAll(q, {QVariant(runId), QVariant(epoch)});
    if (!q.exec() || !q.next())
        throw StoreError(QStringLiteral("%1: run %2 has no epoch %3").arg(m_path).arg(runId).arg(epoch));
    return {q.value(0).toDouble(), q.value(1).toDouble()};
}

QList<RunRecord> RunStore::runs(const RunFilter &f)
{
    // Every condition is fixed SQL with a bound value; a filter field that is empty is skipped.
    QStringList where;
    QVariantList bound;
    auto condition = [&](const QString &value, const char *sql, const QVariant &bind) {
        if (!value.isEmpty()) {
            where << QString::fromLatin1(sql);
            bound << bind;
        }
    };
    condition(f.status, "status = ?", f.status);
    condition(f.algorithm, "algorithm = ?", f.algorithm);
    condition(f.dataset, "dataset = ?", f.dataset);
    condition(f.suite, "suite = ?", f.suite);
    condition(f.board, "board = ?", f.board);
    condition(f.tag, "id IN (SELECT run_id FROM tags WHERE tag = ?)", f.tag);
    condition(f.since, "started_at >= ?", f.since);
    // A bare date covers its whole day: compare against the next day's start.
    const bool untilIsDate = f.until.size() == 10;
    condition(f.until, untilIsDate ? "started_at < ?" : "started_at <= ?",
              untilIsDate ? QDate::fromString(f.until, Qt::ISODate).addDays(1).toString(Qt::ISODate) : f.until);
    if (!f.text.isEmpty()) {
        const bool pg = isPostgres();
        where << QStringLiteral("(%1 OR %2 OR %3 OR id IN (SELECT run_id FROM notes WHERE %4))")
                     .arg(containsLowercased(pg, "name"), containsLowercased(pg, "spec_json"),
                          containsLowercased(pg, "message"), containsLowercased(pg, "text"));
        for (int i = 0; i < 4; ++i)
            bound << f.text.toLower();
    }
    return selectRuns(where, bound);
}

QList<RunRecord> RunStore::selectRuns(const QStringList &where, const QVariantList &bound)
{
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare("SELECT id, name, spec_json, status, algorithm, dataset, backend, started_at, ended_at, message, suite, "
              "seed, host, device, versions, epochs_done, test_acc, val_acc, train_seconds, total_seconds, energy_j, "
              "peak_engine_bytes, peak_rss_bytes, target_acc, target_epoch, target_seconds, uuid, board, power_source, power_interval_ms FROM runs" +
              (where.isEmpty() ? QString() : " WHERE " + where.join(" AND ")) + " ORDER BY id");
    for (const QVariant &v : bound)
        q.addBindValue(v);
    execute(q, QStringLiteral("cannot list runs"));
    QList<RunRecord> list;
    while (q.next()) {
        RunRecord r;
        r.id = q.value(0).toLongLong();
        r.name = q.value(1).toString();
        r.specJson = q.value(2).toString();
        r.status = q.value(3).toString();
        r.algorithm = q.value(4).toString();
        r.dataset = q.value(5).toString();
        r.backend = q.value(6).toString();
        r.startedAt = q.value(7).toString();
        r.endedAt = q.value(8).toString();
        r.message = q.value(9).toString();
        r.suite = q.value(10).toString();
        r.seed = quint64(q.value(11).toLongLong());
        r.host = q.value(12).toString();
        r.device = q.value(13).toString();
        r.versions = q.value(14).toString();
        r.epochsDone = q.value(15).toInt();
        r.testAccuracy = realOf(q.value(16));
        r.validationAccuracy = realOf(q.value(17));
        r.trainSeconds = realOf(q.value(18));
        r.totalSeconds = realOf(q.value(19));
        r.energyJoules = realOf(q.value(20));
        r.peakEngineBytes = q.value(21).toLongLong();
        r.peakRssBytes = q.value(22).toLongLong();
        r.targetAccuracy = realOf(q.value(23));
        r.targetEpoch = q.value(24).toInt(); // NULL reads as 0: not reached
        r.targetSeconds = realOf(q.value(25));
        r.uuid = q.value(26).toString();
        r.board = q.value(27).toString();
        r.powerSource = q.value(28).toString();
        if (!q.value(29).isNull())
            r.powerIntervalMs = q.value(29).toInt();
        list.append(r);
    }
    return list;
}

std::optional<RunRecord> RunStore::run(qint64 runId)
{
    const QList<RunRecord> found = selectRuns({QStringLiteral("id = ?")}, {runId});
    return found.isEmpty() ? std::nullopt : std::optional<RunRecord>(found.first());
}

std::vector<StoredEpoch> RunStore::epochs(qint64 runId, int afterEpoch)
{
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare("SELECT epoch, train_loss, test_acc, val_acc, seconds, eval_seconds, samples_per_s, lambda, "
              "peak_engine_bytes, energy_j, mean_power_w, t_start, t_end FROM epoch_metrics WHERE run_id = ? AND epoch > ? "
              "ORDER BY epoch");
    bindAll(q, {QVariant(runId), QVariant(afterEpoch)});
    execute(q, QStringLiteral("cannot read the epochs of run %1").arg(runId));
    std::vector<StoredEpoch> list;
    while (q.next()) {
        StoredEpoch s;
        EpochMetrics &e = s.metrics;
        e.epoch = q.value(0).toInt() - 1;
        e.trainLoss = realOf(q.value(1));
        e.testAccuracy = q.value(2).isNull() ? -1.0 : q.value(2).toDouble();
        e.validationAccuracy = q.value(3).isNull() ? -1.0 : q.value(3).toDouble();
        e.trainSeconds = q.value(4).toDouble();
        e.evalSeconds = q.value(5).toDouble();
        e.samplesPerSecond = q.value(6).toDouble();
        e.lambda = float(q.value(7).toDouble());
        e.memory.peakTotal = size_t(q.value(8).toLongLong());
        if (!q.value(9).isNull())
            s.joules = q.value(9).toDouble();
        if (!q.value(10).isNull())
            s.meanWatts = q.value(10).toDouble();
        e.monotonicStart = q.value(11).toDouble();
        e.monotonicEnd = q.value(12).toDouble();
        list.push_back(s);
    }
    q.finish();
    std::map<qint64, std::vector<LayerMetrics> *> layersAt;
    for (StoredEpoch &s : list)
        layersAt[s.metrics.epoch + 1] = &s.metrics.layers;
    readUnitMetrics(runId, "SELECT epoch, unit_index, metric, value FROM unit_metrics WHERE run_id = ? AND epoch > ?", afterEpoch,
                    layersAt);
    return list;
}

std::vector<StoredProgress> RunStore::progress(qint64 runId, qint64 afterStep)
{
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare("SELECT step, epoch, batch, batches, elapsed_s, train_loss, samples_per_s FROM progress WHERE run_id = ? "
              "AND step > ? ORDER BY step");
    bindAll(q, {QVariant(runId), QVariant(afterStep)});
    execute(q, QStringLiteral("cannot read the progress of run %1").arg(runId));
    std::vector<StoredProgress> list;
    while (q.next()) {
        StoredProgress s;
        s.step = q.value(0).toLongLong();
        s.metrics.epoch = q.value(1).toInt() - 1;
        s.metrics.batch = q.value(2).toInt();
        s.metrics.batchesPerEpoch = q.value(3).toInt();
        s.metrics.elapsedSeconds = q.value(4).toDouble();
        s.metrics.trainLoss = realOf(q.value(5));
        s.metrics.samplesPerSecond = q.value(6).toDouble();
        list.push_back(s);
    }
    q.finish();
    std::map<qint64, std::vector<LayerMetrics> *> layersAt;
    for (StoredProgress &s : list)
        layersAt[s.step] = &s.metrics.layers;
    readUnitMetrics(runId, "SELECT step, unit_index, metric, value FROM progress_units WHERE run_id = ? AND step > ?",
                    afterStep, layersAt);
    return list;
}

void RunStore::readUnitMetrics(qint64 runId, const char *sql, qint64 after,
                               const std::map<qint64, std::vector<LayerMetrics> *> &layersAt)
{
    // One entry per unit of the run, NaN until a row gives a figure.
    const size_t units = size_t(this->units(runId).size());
    for (const auto &[at, layers] : layersAt)
        layers->resize(units);
    QSqlQuery q = query();
    q.setForwardOnly(true);
    q.prepare(QString::fromLatin1(sql));
    bindAll(q, {QVariant(runId), QVariant(after)});
    execute(q, QStringLiteral("cannot read the unit metrics of run %1").arg(runId));
    while (q.next()) {
        // A row of an epoch or step that is not stored, or of a metric this build does not know, has
        // nowhere to go and is passed over.
        const auto it = layersAt.find(q.value(0).toLongLong());
        const size_t unit = size_t(q.value(1).toLongLong());
        if (it != layersAt.end() && unit < units)
            setUnitMetric((*it->second)[unit], q.value(2).toString(), realOf(q.value(3)));
    }
}

QStringList RunStore::textsOf(const char *sql, qint64 runId)
{
    QSqlQuery q = query();
    q.prepare(sql);
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot read run %1").arg(runId));
    QStringList list;
    while (q.next())
        list << q.value(0).toString();
    return list;
}

QStringList RunStore::tags(qint64 runId) { return textsOf("SELECT tag FROM tags WHERE run_id = ? ORDER BY tag", runId); }

QStringList RunStore::notes(qint64 runId) { return textsOf("SELECT text FROM notes WHERE run_id = ? ORDER BY id", runId); }

QStringList RunStore::allTags()
{
    QSqlQuery q = query();
    q.prepare("SELECT DISTINCT tag FROM tags ORDER BY tag");
    execute(q, QStringLiteral("cannot list the tags"));
    QStringList list;
    while (q.next())
        list << q.value(0).toString();
    return list;
}

int RunStore::epochCount(qint64 runId)
{
    QSqlQuery q = query();
    q.prepare("SELECT COUNT(*) FROM epoch_metrics WHERE run_id = ?");
    q.addBindValue(runId);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

QString RunStore::integrityCheck()
{
    QSqlQuery q = query();
    // A server keeps its own files whole (checksums, write-ahead log); what is left to check is
    // that it answers.
    if (isPostgres())
        return q.exec("SELECT 1") && q.next() ? QStringLiteral("ok") : q.lastError().text();
    if (!q.exec("PRAGMA integrity_check") || !q.next())
        return q.lastError().text();
    return q.value(0).toString();
}

std::optional<qint64> RunStore::runByUuid(const QString &uuid)
{
    QSqlQuery q = query();
    q.prepare("SELECT id FROM runs WHERE uuid = ?");
    q.addBindValue(uuid);
    execute(q, QStringLiteral("cannot look up run %1").arg(uuid));
    return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt;
}

} // namespace ffint8
