// The SQLite run store.
#include "app/store/run_store.h"

#include "app/store/store_error.h"
#include "app/store/store_migrations.h"
#include "app/store/unit_metrics.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QDate>
#include <QDeadlineTimer>
#include <QThread>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <csignal>
#include <unistd.h>

namespace ffint8 {

namespace {

// How long a write waits for another process's lock before it fails as Busy.
constexpr int kBusyTimeoutMs = 5000;

QString nowUtc() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

QVariant number(double v) { return std::isnan(v) || v < -0.5 ? QVariant() : QVariant(v); }
QVariant finite(double v) { return std::isnan(v) ? QVariant() : QVariant(v); }
// A null QString binds as SQL NULL; the store's text columns hold "" for "nothing" instead.
QVariant text(const QString &s) { return QVariant(s.isNull() ? QStringLiteral("") : s); }
double realOf(const QVariant &v) { return v.isNull() ? NAN : v.toDouble(); }

// SQLite's primary result codes (the low byte of an extended code).
StoreError::Kind kindOf(const QSqlError &error)
{
    // Some of Qt's errors carry only SQLite's message (its messages are fixed English text).
    if (error.nativeErrorCode().isEmpty()) {
        const QString text = error.databaseText();
        if (text.contains("locked") || text.contains("busy"))
            return StoreError::Kind::Busy;
        if (text.contains("disk") || text.contains("full"))
            return StoreError::Kind::Full;
        return StoreError::Kind::Other;
    }
    switch (error.nativeErrorCode().toInt() & 0xff) {
    case 5:  // SQLITE_BUSY
    case 6:  // SQLITE_LOCKED
        return StoreError::Kind::Busy;
    case 10: // SQLITE_IOERR: a write the file system refused (a file size limit, a failing disk)
    case 13: // SQLITE_FULL
        return StoreError::Kind::Full;
    default:
        return StoreError::Kind::Other;
    }
}

void bindAll(QSqlQuery &q, std::initializer_list<QVariant> values)
{
    for (const QVariant &v : values)
        q.addBindValue(v);
}

// One row per unit and stored metric that is not NaN, through `insert` (prepared with run, epoch or
// step, unit, metric, value; `execute` runs it). Returns the rows written.
size_t insertUnitRows(QSqlQuery &insert, qint64 runId, qint64 at, const std::vector<LayerMetrics> &units,
                      const std::function<void()> &execute)
{
    // The names as bound values once, not a new string per row (read-only, so any thread may share them).
    static const std::vector<QVariant> names = [] {
        std::vector<QVariant> v;
        for (const UnitMetricField &f : kStoredUnitMetrics)
            v.emplace_back(QString::fromLatin1(f.name));
        return v;
    }();
    size_t rows = 0;
    for (size_t i = 0; i < units.size(); ++i) {
        for (size_t k = 0; k < std::size(kStoredUnitMetrics); ++k) {
            const double value = units[i].*kStoredUnitMetrics[k].field;
            if (std::isnan(value))
                continue;
            bindAll(insert, {QVariant(runId), QVariant(at), QVariant(int(i)), names[k], QVariant(value)});
            execute();
            ++rows;
        }
    }
    return rows;
}

} // namespace

QString RunStore::defaultPath()
{
    const QString chosen = qEnvironmentVariable("FFINT8_DB");
    if (!chosen.isEmpty())
        return chosen;
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
        // Closed before SQLite opens the file: closing any descriptor of a file drops every POSIX
        // lock this process holds on it, SQLite's too. Closed later (it used to be, when this
        // constructor returned), it dropped the shared lock that keeps another process, ending,
        // from taking the store for its own and deleting the write-ahead log under us: runs were
        // then written to a log no one read (lost epochs and results, two runs given one id).
        existing.close();
    } else {
        QDir().mkpath(QFileInfo(path).absolutePath());
    }
    m_db = QSqlDatabase::addDatabase("QSQLITE", m_connection);
    // A store refused from here on must not keep its connection: it holds the file open (and its
    // locks), and a program that tries many files would gather them.
    try {
        openDatabase(schemaVersion);
    } catch (...) {
        closeConnection();
        throw;
    }
}

void RunStore::openDatabase(int schemaVersion)
{
    const QString &path = m_path;
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!m_db.open())
        throw StoreError(QStringLiteral("cannot open the run database %1: %2").arg(path, m_db.lastError().text()));
    QSqlQuery check(m_db);
    if (!check.exec("PRAGMA quick_check") || !check.next() || check.value(0).toString() != "ok")
        throw StoreError(QStringLiteral("the run database %1 is corrupt (%2); it was left as it is")
                             .arg(path, check.lastError().isValid() ? check.lastError().text() : check.value(0).toString()));
    check.finish();
    enableWal();
    exec("PRAGMA foreign_keys=ON");
    migrate(schemaVersion);
    if (schemaVersion >= 1) // before version 1 there is no runs table (the migration tests build one)
        markInterruptedRuns();
}

RunStore::~RunStore() { closeConnection(); }

void RunStore::closeConnection()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

void RunStore::enableWal()
{
    // Turning a new database to WAL needs it to itself for a moment, and SQLite answers "database
    // is locked" at once instead of waiting (the busy timeout does not apply to this pragma) while
    // another process that opens the same new file reads it. So it is retried for as long as the
    // busy timeout would have waited. A store already in WAL answers at once.
    QDeadlineTimer deadline(kBusyTimeoutMs);
    for (;;) {
        QSqlQuery q(m_db);
        if (q.exec("PRAGMA journal_mode=WAL") && q.next())
            return;
        if (kindOf(q.lastError()) != StoreError::Kind::Busy || deadline.hasExpired())
            fail(QStringLiteral("cannot turn on write-ahead logging"), q.lastError());
        q.finish();
        QThread::msleep(10);
    }
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
    // Any number of processes may open a new store at once (two `ffint8 train --db NEW` started
    // together): the version is read and every step applied inside one BEGIN IMMEDIATE, so one
    // process migrates while the others wait for the write lock (busy timeout), then find the
    // version already current and do nothing. A version read outside the lock would be stale.
    transaction(QStringLiteral("cannot migrate the schema to version %1").arg(target), [&] {
        const int version = schemaVersion();
        if (version > kStoreSchemaVersion)
            throw StoreError(QStringLiteral("%1 has schema version %2; this build knows up to %3 (a newer ffint8 wrote it)")
                                 .arg(m_path).arg(version).arg(kStoreSchemaVersion));
        for (int v = version; v < target; ++v)
            for (const QString &statement : QString(storeMigration(v)).split(';', Qt::SkipEmptyParts))
                if (!statement.trimmed().isEmpty())
                    exec(statement);
        // user_version takes no bound parameter; the value is our own constant, never user input.
        if (version < target)
            exec(QStringLiteral("PRAGMA user_version=%1").arg(target));
    });
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
        finishRun(id, RunResult{"interrupted", "the process running it ended without finishing it"});
}

void RunStore::fail(const QString &what, const QSqlError &error)
{
    throw StoreError(QStringLiteral("%1: %2: %3").arg(m_path, what, error.text()), kindOf(error));
}

void RunStore::execute(QSqlQuery &q, const QString &what)
{
    if (!q.exec())
        fail(what, q.lastError());
}

void RunStore::transaction(const QString &what, const std::function<void()> &body)
{
    // Nested: part of the transaction already open (the writer's batch around a createRun).
    if (m_transactionDepth > 0) {
        body();
        return;
    }
    struct Depth
    {
        int &depth;
        Depth(int &d) : depth(++d) {}
        ~Depth() { --depth; }
    } depth(m_transactionDepth);
    // BEGIN IMMEDIATE takes the write lock up front, so a lock held elsewhere is waited for (busy
    // timeout) here rather than failing at once when a read transaction would have to upgrade.
    // COMMIT through a query: QSqlDatabase::commit() drops SQLite's error code, which tells a
    // held lock from a full disk.
    QSqlQuery control(m_db);
    if (!control.exec("BEGIN IMMEDIATE"))
        fail(what, control.lastError());
    try {
        body();
    } catch (...) {
        QSqlQuery(m_db).exec("ROLLBACK");
        throw;
    }
    if (!control.exec("COMMIT")) {
        const QSqlError error = control.lastError();
        QSqlQuery(m_db).exec("ROLLBACK");
        fail(what, error);
    }
}

qint64 RunStore::createRun(const RunRecord &r)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at, suite, seed, "
              "device, versions, target_acc) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bindAll(q, {text(r.name), text(r.specJson), text(r.algorithm), text(r.dataset), text(r.backend),
                text(QSysInfo::machineHostName()), QVariant(qint64(::getpid())),
                QVariant(r.startedAt.isEmpty() ? nowUtc() : r.startedAt), text(r.suite),
                QVariant(qint64(r.seed)), text(r.device), QVariant(r.versions.isEmpty() ? QStringLiteral("{}") : r.versions),
                r.targetAccuracy > 0 ? QVariant(r.targetAccuracy) : QVariant()});
    execute(q, QStringLiteral("cannot record the run"));
    return q.lastInsertId().toLongLong();
}

void RunStore::setParams(qint64 runId, const QList<QPair<QString, QString>> &params)
{
    transaction(QStringLiteral("cannot record the settings of run %1").arg(runId), [&] {
        QSqlQuery q(m_db);
        q.prepare("INSERT OR REPLACE INTO params (run_id, key, value) VALUES (?, ?, ?)");
        for (const auto &[key, value] : params) {
            bindAll(q, {QVariant(runId), text(key), text(value)});
            execute(q, QStringLiteral("cannot record setting %1 of run %2").arg(key).arg(runId));
        }
    });
}

QList<QPair<QString, QString>> RunStore::params(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT key, value FROM params WHERE run_id = ? ORDER BY key");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot read the settings of run %1").arg(runId));
    QList<QPair<QString, QString>> list;
    while (q.next())
        list.append({q.value(0).toString(), q.value(1).toString()});
    return list;
}

void RunStore::renameRun(qint64 runId, const QString &name)
{
    QSqlQuery q(m_db);
    q.prepare("UPDATE runs SET name = ? WHERE id = ?");
    bindAll(q, {text(name), QVariant(runId)});
    execute(q, QStringLiteral("cannot rename run %1").arg(runId));
}

void RunStore::setUnits(qint64 runId, const QStringList &names)
{
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (names[i].isEmpty())
            throw StoreError(QStringLiteral("%1: unit %2 of run %3 has an empty name").arg(m_path).arg(i + 1).arg(runId));
        const qsizetype first = names.indexOf(names[i]);
        if (first < i)
            throw StoreError(QStringLiteral("%1: run %2 names units %3 and %4 both '%5'; unit names must differ")
                                 .arg(m_path).arg(runId).arg(first + 1).arg(i + 1).arg(names[i]));
    }
    const QString what = QStringLiteral("cannot record the unit names of run %1").arg(runId);
    transaction(what, [&] {
        QSqlQuery q(m_db);
        q.prepare("INSERT OR REPLACE INTO run_units (run_id, unit_index, name) VALUES (?, ?, ?)");
        for (qsizetype i = 0; i < names.size(); ++i) {
            bindAll(q, {QVariant(runId), QVariant(int(i)), text(names[i])});
            execute(q, what);
        }
    });
}

QStringList RunStore::units(qint64 runId)
{
    QSqlQuery q(m_db);
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

void RunStore::nameUnnamedUnits(qint64 runId, size_t count, const QString &what)
{
    if (count == 0)
        return;
    QSqlQuery q(m_db);
    q.prepare("INSERT OR IGNORE INTO run_units (run_id, unit_index, name) VALUES (?, ?, ?)");
    for (size_t i = 0; i < count; ++i) {
        bindAll(q, {QVariant(runId), QVariant(int(i)), QVariant(fallbackUnitName(int(i)))});
        execute(q, what);
    }
}

void RunStore::addEpoch(qint64 runId, const EpochMetrics &e, const EpochEnergy &energy)
{
    transaction(QStringLiteral("cannot record epoch %1 of run %2").arg(e.epoch + 1).arg(runId),
                [&] { insertEpoch(runId, e, energy); });
}

size_t RunStore::insertEpoch(qint64 runId, const EpochMetrics &e, const EpochEnergy &energy)
{
    const QString what = QStringLiteral("cannot record epoch %1 of run %2").arg(e.epoch + 1).arg(runId);
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO epoch_metrics (run_id, epoch, train_loss, test_acc, val_acc, seconds, eval_seconds, "
              "samples_per_s, lambda, peak_engine_bytes, energy_j, mean_power_w, t_start, t_end) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    bindAll(q, {QVariant(runId), QVariant(e.epoch + 1), finite(e.trainLoss), number(e.testAccuracy),
                number(e.validationAccuracy), QVariant(e.trainSeconds), QVariant(e.evalSeconds),
                QVariant(e.samplesPerSecond), QVariant(double(e.lambda)), QVariant(qint64(e.memory.peakTotal)),
                energy.joules ? QVariant(*energy.joules) : QVariant(),
                energy.meanWatts ? QVariant(*energy.meanWatts) : QVariant(), QVariant(e.monotonicStart),
                QVariant(e.monotonicEnd)});
    execute(q, what);
    nameUnnamedUnits(runId, e.layers.size(), what);
    QSqlQuery u(m_db);
    u.prepare("INSERT INTO unit_metrics (run_id, epoch, unit_index, metric, value) VALUES (?,?,?,?,?)");
    size_t rows = 1 + insertUnitRows(u, runId, e.epoch + 1, e.layers, [&] { execute(u, what); });
    // The run row carries the latest results, so that a killed run still shows how far it got.
    QSqlQuery r(m_db);
    r.prepare("UPDATE runs SET epochs_done = ?, test_acc = ?, val_acc = ?, "
              "train_seconds = COALESCE(train_seconds, 0) + ?, peak_engine_bytes = MAX(peak_engine_bytes, ?) WHERE id = ?");
    bindAll(r, {QVariant(e.epoch + 1), number(e.testAccuracy), number(e.validationAccuracy), QVariant(e.trainSeconds),
                QVariant(qint64(e.memory.peakTotal)), QVariant(runId)});
    execute(r, what);
    if (e.reachedTarget) {
        // Written with the epoch that reached it, so that a run killed later still has it.
        QSqlQuery t(m_db);
        t.prepare("UPDATE runs SET target_epoch = ?, target_seconds = ? WHERE id = ?");
        bindAll(t, {QVariant(e.epoch + 1), QVariant(e.runTrainSeconds), QVariant(runId)});
        execute(t, what);
    }
    return rows;
}

void RunStore::addProgress(qint64 runId, const std::vector<StoredProgress> &reports)
{
    if (reports.empty())
        return;
    const QString what = QStringLiteral("cannot record the progress of run %1").arg(runId);
    transaction(what, [&] { insertProgress(runId, reports, what); });
}

size_t RunStore::insertProgress(qint64 runId, const std::vector<StoredProgress> &reports, const QString &what)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT OR REPLACE INTO progress (run_id, step, epoch, batch, batches, elapsed_s, train_loss, samples_per_s) "
              "VALUES (?,?,?,?,?,?,?,?)");
    QSqlQuery u(m_db);
    u.prepare("INSERT OR REPLACE INTO progress_units (run_id, step, unit_index, metric, value) VALUES (?,?,?,?,?)");
    size_t units = 0;
    for (const StoredProgress &s : reports)
        units = std::max(units, s.metrics.layers.size());
    nameUnnamedUnits(runId, units, what);
    size_t rows = 0;
    for (const StoredProgress &s : reports) {
        const ProgressMetrics &p = s.metrics;
        bindAll(q, {QVariant(runId), QVariant(s.step), QVariant(p.epoch + 1), QVariant(p.batch), QVariant(p.batchesPerEpoch),
                    QVariant(p.elapsedSeconds), finite(p.trainLoss), QVariant(p.samplesPerSecond)});
        execute(q, what);
        rows += 1 + insertUnitRows(u, runId, s.step, p.layers, [&] { execute(u, what); });
    }
    return rows;
}

void RunStore::finishRun(qint64 runId, const RunResult &r)
{
    QSqlQuery q(m_db);
    if (r.epochsDone > 0 || !std::isnan(r.trainSeconds)) {
        // A target epoch of 0 keeps what the epochs recorded (NULL where none reached it).
        q.prepare("UPDATE runs SET status = ?, message = ?, ended_at = ?, epochs_done = ?, test_acc = ?, val_acc = ?, "
                  "train_seconds = ?, total_seconds = ?, energy_j = ?, peak_engine_bytes = MAX(peak_engine_bytes, ?), "
                  "peak_rss_bytes = ?, target_epoch = COALESCE(?, target_epoch), "
                  "target_seconds = COALESCE(?, target_seconds) WHERE id = ?");
        const bool reached = r.targetEpoch > 0;
        bindAll(q, {text(r.status), text(r.message), QVariant(nowUtc()), QVariant(r.epochsDone), number(r.testAccuracy),
                    number(r.validationAccuracy), finite(r.trainSeconds), finite(r.totalSeconds), finite(r.energyJoules),
                    QVariant(r.peakEngineBytes), QVariant(r.peakRssBytes), reached ? QVariant(r.targetEpoch) : QVariant(),
                    reached ? finite(r.targetSeconds) : QVariant(), QVariant(runId)});
    } else {
        // Only the outcome (an interrupted run, a run that never started): the results recorded
        // epoch by epoch stay as they are.
        q.prepare("UPDATE runs SET status = ?, message = ?, ended_at = ? WHERE id = ?");
        bindAll(q, {text(r.status), text(r.message), QVariant(nowUtc()), QVariant(runId)});
    }
    execute(q, QStringLiteral("cannot finish run %1").arg(runId));
}

void RunStore::addTag(qint64 runId, const QString &tag)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)");
    bindAll(q, {QVariant(runId), text(tag)});
    execute(q, QStringLiteral("cannot tag run %1").arg(runId));
}

bool RunStore::removeTag(qint64 runId, const QString &tag)
{
    QSqlQuery q(m_db);
    q.prepare("DELETE FROM tags WHERE run_id = ? AND tag = ?");
    bindAll(q, {QVariant(runId), text(tag)});
    execute(q, QStringLiteral("cannot untag run %1").arg(runId));
    return q.numRowsAffected() > 0;
}

void RunStore::addNote(qint64 runId, const QString &note)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO notes (run_id, created_at, text) VALUES (?, ?, ?)");
    bindAll(q, {QVariant(runId), QVariant(nowUtc()), text(note)});
    execute(q, QStringLiteral("cannot add a note to run %1").arg(runId));
}

void RunStore::setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs)
{
    QSqlQuery q(m_db);
    q.prepare("UPDATE runs SET power_source = ?, power_interval_ms = ? WHERE id = ?");
    bindAll(q, {text(source), intervalMs ? QVariant(*intervalMs) : QVariant(), QVariant(runId)});
    execute(q, QStringLiteral("cannot record the power source of run %1").arg(runId));
}

void RunStore::addSamples(qint64 runId, const std::vector<PowerPoint> &samples)
{
    if (samples.empty())
        return;
    const QString what = QStringLiteral("cannot record power samples of run %1").arg(runId);
    transaction(what, [&] { insertSamples(runId, samples, what); });
}

void RunStore::insertSamples(qint64 runId, const std::vector<PowerPoint> &samples, const QString &what)
{
    QSqlQuery q(m_db);
    q.prepare("INSERT INTO samples (run_id, t, board_w) VALUES (?, ?, ?)");
    for (const PowerPoint &p : samples) {
        bindAll(q, {QVariant(runId), QVariant(p.seconds), QVariant(p.watts)});
        execute(q, what);
    }
}

std::vector<PowerPoint> RunStore::samples(qint64 runId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare("SELECT t, board_w FROM samples WHERE run_id = ? ORDER BY t");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot read the power samples of run %1").arg(runId));
    std::vector<PowerPoint> list;
    while (q.next())
        list.push_back({q.value(0).toDouble(), q.value(1).toDouble()});
    return list;
}

std::pair<double, double> RunStore::epochSpan(qint64 runId, int epoch)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT t_start, t_end FROM epoch_metrics WHERE run_id = ? AND epoch = ?");
    bindAll(q, {QVariant(runId), QVariant(epoch)});
    if (!q.exec() || !q.next())
        throw StoreError(QStringLiteral("%1: run %2 has no epoch %3").arg(m_path).arg(runId).arg(epoch));
    return {q.value(0).toDouble(), q.value(1).toDouble()};
}

bool RunStore::deleteRun(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("DELETE FROM runs WHERE id = ?");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot delete run %1").arg(runId));
    return q.numRowsAffected() > 0;
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
    condition(f.tag, "id IN (SELECT run_id FROM tags WHERE tag = ?)", f.tag);
    condition(f.since, "started_at >= ?", f.since);
    // A bare date covers its whole day: compare against the next day's start.
    const bool untilIsDate = f.until.size() == 10;
    condition(f.until, untilIsDate ? "started_at < ?" : "started_at <= ?",
              untilIsDate ? QDate::fromString(f.until, Qt::ISODate).addDays(1).toString(Qt::ISODate) : f.until);
    if (!f.text.isEmpty()) {
        // instr() on lower(): a plain substring, with no LIKE wildcards for the user to escape.
        where << "(instr(lower(name), ?) > 0 OR instr(lower(spec_json), ?) > 0 OR instr(lower(message), ?) > 0 "
                 "OR id IN (SELECT run_id FROM notes WHERE instr(lower(text), ?) > 0))";
        for (int i = 0; i < 4; ++i)
            bound << f.text.toLower();
    }
    return selectRuns(where, bound);
}

QList<RunRecord> RunStore::selectRuns(const QStringList &where, const QVariantList &bound)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare("SELECT id, name, spec_json, status, algorithm, dataset, backend, started_at, ended_at, message, suite, "
              "seed, host, device, versions, epochs_done, test_acc, val_acc, train_seconds, total_seconds, energy_j, "
              "peak_engine_bytes, peak_rss_bytes, target_acc, target_epoch, target_seconds FROM runs" +
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
        list.append(r);
    }
    return list;
}

std::optional<RunRecord> RunStore::run(qint64 runId)
{
    const QList<RunRecord> found = selectRuns({QStringLiteral("id = ?")}, {runId});
    return found.isEmpty() ? std::nullopt : std::optional<RunRecord>(found.first());
}

std::vector<StoredEpoch> RunStore::epochs(qint64 runId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare("SELECT epoch, train_loss, test_acc, val_acc, seconds, eval_seconds, samples_per_s, lambda, "
              "peak_engine_bytes, energy_j, mean_power_w, t_start, t_end FROM epoch_metrics WHERE run_id = ? ORDER BY epoch");
    q.addBindValue(runId);
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
    readUnitMetrics(runId, "SELECT epoch, unit_index, metric, value FROM unit_metrics WHERE run_id = ?", layersAt);
    return list;
}

std::vector<StoredProgress> RunStore::progress(qint64 runId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare("SELECT step, epoch, batch, batches, elapsed_s, train_loss, samples_per_s FROM progress WHERE run_id = ? ORDER BY step");
    q.addBindValue(runId);
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
    readUnitMetrics(runId, "SELECT step, unit_index, metric, value FROM progress_units WHERE run_id = ?", layersAt);
    return list;
}

void RunStore::readUnitMetrics(qint64 runId, const char *sql, const std::map<qint64, std::vector<LayerMetrics> *> &layersAt)
{
    // One entry per unit of the run, NaN until a row gives a figure.
    const size_t units = size_t(this->units(runId).size());
    for (const auto &[at, layers] : layersAt)
        layers->resize(units);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QString::fromLatin1(sql));
    q.addBindValue(runId);
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
    QSqlQuery q(m_db);
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
    QSqlQuery q(m_db);
    q.prepare("SELECT DISTINCT tag FROM tags ORDER BY tag");
    execute(q, QStringLiteral("cannot list the tags"));
    QStringList list;
    while (q.next())
        list << q.value(0).toString();
    return list;
}

int RunStore::epochCount(qint64 runId)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT COUNT(*) FROM epoch_metrics WHERE run_id = ?");
    q.addBindValue(runId);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

bool RunStore::checkpoint()
{
    QSqlQuery q(m_db);
    return q.exec("PRAGMA wal_checkpoint(TRUNCATE)") && q.next() && q.value(0).toInt() == 0;
}

QString RunStore::integrityCheck()
{
    QSqlQuery q(m_db);
    if (!q.exec("PRAGMA integrity_check") || !q.next())
        return q.lastError().text();
    return q.value(0).toString();
}

} // namespace ffint8
