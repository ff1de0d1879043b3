// The run store: every run, its spec, per-epoch and per-layer metrics and power samples, in SQLite
// (WAL, foreign keys, prepared statements only). Schema version in PRAGMA user_version, migrated
// forward on open. One RunStore is one connection and belongs to the thread that opened it.
#pragma once

#include "app/telemetry/energy.h"
#include "engine/train/metrics.h"

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <optional>

namespace ffint8 {

constexpr int kStoreSchemaVersion = 2;

struct RunRecord
{
    qint64 id = 0;
    QString name;
    QString specJson;
    QString status; // running, completed, diverged, cancelled, failed, interrupted
    QString algorithm;
    QString dataset;
    QString backend;
    QString startedAt; // ISO 8601, UTC
    QString endedAt;
    QString message;
};

struct EpochEnergy
{
    std::optional<double> joules;
    std::optional<double> meanWatts;
};

class RunStore
{
public:
    // Opens (creating it where there is no file) the database at `path`. Throws StoreError naming the
    // file when it is not an SQLite database, is corrupt, or is newer than this build; such a file is
    // never written to. Runs left "running" by a process that is gone are marked "interrupted".
    // `schemaVersion` below the current one builds an old schema: only for the migration tests.
    explicit RunStore(const QString &path, int schemaVersion = kStoreSchemaVersion);
    ~RunStore();
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;

    static QString defaultPath(); // $XDG_DATA_HOME/ffint8/runs.sqlite (~/.local/share/ffint8/runs.sqlite)

    qint64 createRun(const RunRecord &run);
    void addEpoch(qint64 runId, const EpochMetrics &epoch, const EpochEnergy &energy = {});
    void finishRun(qint64 runId, const QString &status, const QString &message);
    void addTag(qint64 runId, const QString &tag);
    void addNote(qint64 runId, const QString &note);
    void setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs);
    // Board power samples on the monotonic clock of the epochs' t_start and t_end, in one transaction.
    void addSamples(qint64 runId, const std::vector<PowerPoint> &samples);
    std::vector<PowerPoint> samples(qint64 runId);
    std::pair<double, double> epochSpan(qint64 runId, int epoch); // epochs from 1
    // Deletes the run and everything recorded with it; false where there was no such run.
    bool deleteRun(qint64 runId);

    std::optional<RunRecord> run(qint64 runId);
    QList<RunRecord> runs();
    QStringList tags(qint64 runId);
    QStringList notes(qint64 runId);
    int epochCount(qint64 runId);
    int schemaVersion();

private:
    void exec(const QString &sql);
    QStringList textsOf(const char *sql, qint64 runId); // the first column of a query bound to one run
    // `where` is fixed SQL of this class (never user text); `bound` its one parameter, if any.
    QList<RunRecord> selectRuns(const QString &where, const QVariant &bound);
    void migrate(int target);
    void markInterruptedRuns();

    QString m_path;
    QString m_connection;
    QSqlDatabase m_db;
};

} // namespace ffint8
