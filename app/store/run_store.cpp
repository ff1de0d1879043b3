// The SQLite run store.
#include "app/store/run_store.h"

#include "app/store/store_error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

#include <cmath>
#include <iterator>
#include <csignal>
#include <unistd.h>

namespace ffint8 {

namespace {

// Version 0 -> 1. Each later version appends one entry: migrations only ever go forward.
const char *const kMigrations[] = {
    R"(CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        dataset TEXT NOT NULL,
        backend TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        message TEXT NOT NULL DEFAULT '');
    CREATE TABLE epoch_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        train_loss REAL, test_acc REAL, val_acc REAL, seconds REAL, eval_seconds REAL,
        samples_per_s REAL, lambda REAL, peak_engine_bytes INTEGER, energy_j REAL, mean_power_w REAL,
        PRIMARY KEY (run_id, epoch));
    CREATE TABLE layer_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        layer INTEGER NOT NULL,
        g_pos REAL, g_neg REAL, loss REAL, grad_norm REAL, deviation REAL,
        PRIMARY KEY (run_id, epoch, layer));
    CREATE TABLE tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag));
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        text TEXT NOT NULL);
    CREATE INDEX runs_by_status ON runs(status);)",
    // 1 -> 2: power samples with their source, and epoch boundaries on the same monotonic clock.
    R"(ALTER TABLE runs ADD COLUMN power_source TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN power_interval_ms INTEGER;
    ALTER TABLE epoch_metrics ADD COLUMN t_start REAL;
    ALTER TABLE epoch_metrics ADD COLUMN t_end REAL;
    CREATE TABLE samples (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        t REAL NOT NULL,
        board_w REAL NOT NULL);
    CREATE INDEX samples_by_run ON samples(run_id, t);)",
};
static_assert(std::size(kMigrations) == kStoreSchemaVersion, "one migration per schema version");

QString nowUtc() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

QVariant number(double v) { return std::isnan(v) || v < -0.5 ? QVariant() : QVariant(v); }
QVariant finite(double v) { return std::isnan(v) ? QVariant() : QVariant(v); }
// A null QString binds as SQL NULL; the store's text columns hold "" for "nothing" instead.
QVariant text(const QString &s) { return QVariant(s.isNull() ? QStringLiteral("") : s); }

} // namespace

QString RunStore::defaultPath()
{
    QString base = qEnvironmentVariable("XDG_DATA_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = QDir::homePath() + "/.local/share";
    return base + "/ffint8/runs.sqlite";
}

RunStore::RunStore(const QString &path, int schemaVersion) : m_path(path), m_connection("ffint8-store-" + QUuid::createUuid().toString())
{
    // Refuse what is not an SQLite database before SQLite touches it: it must never be overwritten.
    QFile existing(path);
    if (existing.exists() && existing.size() > 0) {
        if (!existing.open(QIODevice::ReadOnly))
            throw StoreError(QStringLiteral("cannot read the run database %1: %2").arg(path, existing.errorString()));
        if (existing.read(16) != QByteArray("SQLite format 3\0", 16))
            throw StoreError(QStringLiteral("%1 is not an SQLite database (refusing to use or overwrite it)").arg(path));
    } else {
        QDir().mkpath(QFileInfo(path).absolutePath());
    }
    m_db = QSqlDatabase::addDatabase("QSQLITE", m_connection);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions("QSQLITE_BUSY_TIMEOUT=5000");
    if (!m_db.open())
        throw StoreError(QStringLiteral("cannot open the run database %1: %2").arg(path, m_db.lastError().text()));
    QSqlQuery check(m_db);
    if (!check.exec("PRAGMA quick_check") || !check.next() || check.value(0).toString() != "ok")
        throw StoreError(QStringLiteral("the run database %1 is corrupt (%2); it was left as it is")
                             .arg(path, check.lastError().isValid() ? check.lastError().text() : check.value(0).toString()));
    check.finish();
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    migrate(schemaVersion);
    if (schemaVersion >= 1) // before version 1 there is no runs table (the migration tests build one)
        markInterruptedRuns();
}

RunStore::~RunStore()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

void RunStore::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        throw StoreError(QStringLiteral("%1: %2 failed: %3").arg(m_path, sql.left(60), q.lastError().text()));
}

int RunStore::schemaVersion()
{
    QSqlQuery q(m_db);
    if (!q.exec("PRAGMA user_version") || !q.next())
        throw StoreError(QStringLiteral("%1: cannot read the schema version: %2").arg(m_path, q.lastError().text()));
    return q.value(0).toInt();
}

void RunStore::migrate(int target)
{
    const int version = schemaVersion();
    if (version > kStoreSchemaVersion)
        throw StoreError(QStringLiteral("%1 has schema version %2; this build knows up to %3 (a newer ffint8 wrote it)")
                             .arg(m_path).arg(version).arg(kStoreSchemaVersion));
    for (int v = version; v < target; ++v) {
        if (!m_db.transaction())
            throw StoreError(QStringLiteral("%1: cannot start a migration: %2").arg(m_path, m_db.lastError().text()));
        for (const QString &statement : QString(kMigrations[v]).split(';', Qt::SkipEmptyParts))
            if (!statement.trimmed().isEmpty())
                exec(statement);
        // user_version takes no bound parameter; the value is our own constant, never user input.
        exec(QStringLiteral("PRAGMA user_version=%1").arg(v + 1));
        if (!m_db.commit())
            throw StoreError(QStringLiteral("%1: migration to version %2 failed: %3").arg(m_path).arg(v + 1).arg(m_db.lastError().text()));
    }
}

void RunStore::markInterruptedRuns()
{
    QSqlQuery q(m_db);
    q.prepare("SELECT id, pid, host FROM runs WHERE status = 'running'");
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, q.lastError().text()));
    const QString host = QSysInfo::machineHostName();
    QList<qint64> gone;
    while (q.next()) {
        const pid_t pid = pid_t(q.value(1).toLongLong());
        // Only a run of this machine can be known dead: its process no longer exists.
        if (q.value(2).toString() == host && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
            gone << q.value(0).toLongLong();
    }
    q.finish();
    for (qint64 id : gone)
        finishRun(id, "interrupted", "the process running it ended without finishing it");
}

qint64 RunStore::createRun(const RunRecord &run)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at) "
              "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)");
    for (const QVariant &v : {text(run.name), text(run.specJson), text(run.algorithm), text(run.dataset),
                              text(run.backend), text(QSysInfo::machineHostName()), QVariant(qint64(::getpid())),
                              QVariant(nowUtc())})
        q.addBindValue(v);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot record the run: %2").arg(m_path, q.lastError().text()));
    return q.lastInsertId().toLongLong();
}

void RunStore::addEpoch(qint64 runId, const EpochMetrics &e, const EpochEnergy &energy)
{
    if (!m_db.transaction())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, m_db.lastError().text()));
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO epoch_metrics (run_id, epoch, train_loss, test_acc, val_acc, seconds, eval_seconds, "
              "samples_per_s, lambda, peak_engine_bytes, energy_j, mean_power_w, t_start, t_end) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const QVariant &v : {QVariant(runId), QVariant(e.epoch + 1), finite(e.trainLoss), number(e.testAccuracy),
                              number(e.validationAccuracy), QVariant(e.trainSeconds), QVariant(e.evalSeconds),
                              QVariant(e.samplesPerSecond), QVariant(double(e.lambda)), QVariant(qint64(e.memory.peakTotal)),
                              energy.joules ? QVariant(*energy.joules) : QVariant(),
                              energy.meanWatts ? QVariant(*energy.meanWatts) : QVariant(), QVariant(e.monotonicStart),
                              QVariant(e.monotonicEnd)})
        q.addBindValue(v);
    bool ok = q.exec();
    QSqlQuery l(m_db);
    l.prepare("INSERT INTO layer_metrics (run_id, epoch, layer, g_pos, g_neg, loss, grad_norm, deviation) "
              "VALUES (?,?,?,?,?,?,?,?)");
    for (size_t i = 0; ok && i < e.layers.size(); ++i) {
        const LayerMetrics &m = e.layers[i];
        for (const QVariant &v : {QVariant(runId), QVariant(e.epoch + 1), QVariant(int(i)), finite(m.goodnessPos),
                                  finite(m.goodnessNeg), finite(m.loss), finite(m.gradNorm), finite(m.deviation)})
            l.addBindValue(v);
        ok = l.exec();
    }
    const QString error = ok ? QString() : (q.lastError().isValid() ? q.lastError().text() : l.lastError().text());
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        throw StoreError(QStringLiteral("%1: cannot record epoch %2 of run %3: %4")
                             .arg(m_path).arg(e.epoch + 1).arg(runId).arg(ok ? m_db.lastError().text() : error));
    }
}

void RunStore::finishRun(qint64 runId, const QString &status, const QString &message)
{
    QSqlQuery q(m_db);
    q.prepare("UPDATE runs SET status = ?, message = ?, ended_at = ? WHERE id = ?");
    for (const QVariant &v : {text(status), text(message), QVariant(nowUtc()), QVariant(runId)})
        q.addBindValue(v);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot finish run %2: %3").arg(m_path).arg(runId).arg(q.lastError().text()));
}

void RunStore::addTag(qint64 runId, const QString &tag)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)");
    q.addBindValue(runId);
    q.addBindValue(text(tag));
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot tag run %2: %3").arg(m_path).arg(runId).arg(q.lastError().text()));
}

void RunStore::addNote(qint64 runId, const QString &note)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO notes (run_id, created_at, text) VALUES (?, ?, ?)");
    q.addBindValue(runId);
    q.addBindValue(nowUtc());
    q.addBindValue(text(note));
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot add a note to run %2: %3").arg(m_path).arg(runId).arg(q.lastError().text()));
}

void RunStore::setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs)
{
    QSqlQuery q(m_db);
    q.prepare("UPDATE runs SET power_source = ?, power_interval_ms = ? WHERE id = ?");
    q.addBindValue(text(source));
    q.addBindValue(intervalMs ? QVariant(*intervalMs) : QVariant());
    q.addBindValue(runId);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot record the power source of run %2: %3").arg(m_path).arg(runId).arg(q.lastError().text()));
}

void RunStore::addSamples(qint64 runId, const std::vector<PowerPoint> &samples)
{
    if (samples.empty())
        return;
    if (!m_db.transaction())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, m_db.lastError().text()));
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO samples (run_id, t, board_w) VALUES (?, ?, ?)");
    bool ok = true;
    for (const PowerPoint &p : samples) {
        q.addBindValue(runId);
        q.addBindValue(p.seconds);
        q.addBindValue(p.watts);
        if (!(ok = q.exec()))
            break;
    }
    if (!ok || !m_db.commit()) {
        const QString error = ok ? m_db.lastError().text() : q.lastError().text();
        m_db.rollback();
        throw StoreError(QStringLiteral("%1: cannot record power samples of run %2: %3").arg(m_path).arg(runId).arg(error));
    }
}

std::vector<PowerPoint> RunStore::samples(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT t, board_w FROM samples WHERE run_id = ? ORDER BY t");
    q.addBindValue(runId);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, q.lastError().text()));
    std::vector<PowerPoint> list;
    while (q.next())
        list.push_back({q.value(0).toDouble(), q.value(1).toDouble()});
    return list;
}

std::pair<double, double> RunStore::epochSpan(qint64 runId, int epoch)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT t_start, t_end FROM epoch_metrics WHERE run_id = ? AND epoch = ?");
    q.addBindValue(runId);
    q.addBindValue(epoch);
    if (!q.exec() || !q.next())
        throw StoreError(QStringLiteral("%1: run %2 has no epoch %3").arg(m_path).arg(runId).arg(epoch));
    return {q.value(0).toDouble(), q.value(1).toDouble()};
}

bool RunStore::deleteRun(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("DELETE FROM runs WHERE id = ?");
    q.addBindValue(runId);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: cannot delete run %2: %3").arg(m_path).arg(runId).arg(q.lastError().text()));
    return q.numRowsAffected() > 0;
}

QList<RunRecord> RunStore::selectRuns(const QString &where, const QVariant &bound)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT id, name, spec_json, status, algorithm, dataset, backend, started_at, ended_at, message "
              "FROM runs " + where + " ORDER BY id");
    if (bound.isValid())
        q.addBindValue(bound);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, q.lastError().text()));
    QList<RunRecord> list;
    while (q.next())
        list.append({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                     q.value(4).toString(), q.value(5).toString(), q.value(6).toString(), q.value(7).toString(),
                     q.value(8).toString(), q.value(9).toString()});
    return list;
}

QList<RunRecord> RunStore::runs() { return selectRuns(QString(), QVariant()); }

std::optional<RunRecord> RunStore::run(qint64 runId)
{
    const QList<RunRecord> found = selectRuns("WHERE id = ?", runId);
    return found.isEmpty() ? std::nullopt : std::optional<RunRecord>(found.first());
}

QStringList RunStore::textsOf(const char *sql, qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare(sql);
    q.addBindValue(runId);
    if (!q.exec())
        throw StoreError(QStringLiteral("%1: %2").arg(m_path, q.lastError().text()));
    QStringList list;
    while (q.next())
        list << q.value(0).toString();
    return list;
}

QStringList RunStore::tags(qint64 runId) { return textsOf("SELECT tag FROM tags WHERE run_id = ? ORDER BY tag", runId); }

QStringList RunStore::notes(qint64 runId) { return textsOf("SELECT text FROM notes WHERE run_id = ? ORDER BY id", runId); }

int RunStore::epochCount(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT COUNT(*) FROM epoch_metrics WHERE run_id = ?");
    q.addBindValue(runId);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

} // namespace ffint8
