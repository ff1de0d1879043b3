// The run store: opening, migrating and writing (reads in run_store_reads.cpp, PostgreSQL's
// connection in postgres_store.cpp).
#include "app/store/run_store.h"

#include "app/store/batch_insert.h"
#include "app/store/postgres_store.h"
#include "app/store/sql_dialect.h"
#include "app/store/store_error.h"
#include "app/store/store_migrations.h"
#include "app/store/store_values.h"
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

using namespace store_values;

namespace {

// How long a write waits for another process's lock before it fails as Busy.
constexpr int kBusyTimeoutMs = 5000;


// SQLite's primary result codes (the low byte of an extended code).
StoreError::Kind sqliteErrorKind(const QSqlError &error)
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

// One row per unit and stored metric that is not NaN, added to `insert` (columns run, epoch or step,
// unit, metric, value). Returns the rows added.
size_t insertUnitRows(BatchInsert &insert, qint64 runId, qint64 at, const std::vector<LayerMetrics> &units)
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
            insert.add({QVariant(runId), QVariant(at), QVariant(int(i)), names[k], QVariant(value)});
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

RunStore::RunStore(const QString &address, int schemaVersion)
    : m_address(StoreAddress::parse(address)), m_path(m_address.display()),
      m_connection("ffint8-store-" + QUuid::createUuid().toString())
{
    if (!m_address.isPostgres())
        refuseWhatIsNotSqlite();
    // A store refused from here on must not keep its connection: it holds the file open (and its
    // locks), or a server's connection, and a program that tries many stores would gather them.
    try {
        openDatabase(schemaVersion);
    } catch (...) {
        closeConnection();
        throw;
    }
}

void RunStore::refuseWhatIsNotSqlite()
{
    // Refuse what is not an SQLite database before SQLite touches it: it must never be overwritten.
    const QString &path = m_path;
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
}

void RunStore::openDatabase(int schemaVersion)
{
    if (m_address.isPostgres())
        openPostgres();
    else
        openSqlite();
    migrate(schemaVersion);
    if (schemaVersion >= 1) // before version 1 there is no runs table (the migration tests build one)
        markInterruptedRuns();
}

void RunStore::openSqlite()
{
    const QString &path = m_path;
    m_db = QSqlDatabase::addDatabase("QSQLITE", m_connection);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!m_db.open())
        throw StoreError(QStringLiteral("cannot open the run database %1: %2").arg(path, m_db.lastError().text()));
    QSqlQuery check = query();
    if (!check.exec("PRAGMA quick_check") || !check.next() || check.value(0).toString() != "ok")
        throw StoreError(QStringLiteral("the run database %1 is corrupt (%2); it was left as it is")
                             .arg(path, check.lastError().isValid() ? check.lastError().text() : check.value(0).toString()));
    check.finish();
    enableWal();
    exec("PRAGMA foreign_keys=ON");
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
        QSqlQuery q = query();
        if (q.exec("PRAGMA journal_mode=WAL") && q.next())
            return;
        if (sqliteErrorKind(q.lastError()) != StoreError::Kind::Busy || deadline.hasExpired())
            fail(QStringLiteral("cannot turn on write-ahead logging"), q.lastError());
        q.finish();
        QThread::msleep(10);
    }
}

QSqlQuery RunStore::query()
{
    if (m_transactionDepth == 0)
        reconnectIfLost();
    return QSqlQuery(m_db);
}

void RunStore::exec(const QString &sql)
{
    QSqlQuery q = query();
    if (!q.exec(sql))
        throw StoreError(QStringLiteral("%1: %2 failed: %3").arg(m_path, sql.left(60), q.lastError().text()));
}

int RunStore::schemaVersion()
{
    if (m_address.isPostgres())
        return postgresSchemaVersion();
    QSqlQuery q = query();
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
    // PostgreSQL: a transaction-scoped advisory lock plays BEGIN IMMEDIATE's part, and its DDL is
    // transactional too, so a failed step leaves the schema as it was.
    transaction(QStringLiteral("cannot migrate the schema to version %1").arg(target), [&] {
        if (m_address.isPostgres()) {
            exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kPostgresMigrationLock));
            refuseForeignDatabase();
            exec(QStringLiteral("CREATE TABLE IF NOT EXISTS ffint8_schema (version BIGINT NOT NULL)"));
        }
        const int version = schemaVersion();
        if (version > kStoreSchemaVersion)
            throw StoreError(QStringLiteral("%1 has schema version %2; this build knows up to %3 (a newer ffint8 wrote it)")
                                 .arg(m_path).arg(version).arg(kStoreSchemaVersion));
        for (int v = version; v < target; ++v) {
            for (const QString &statement : migrationStatements(v))
                exec(statement);
            if (v == 5)
                giveRunsUuids();
        }
        if (version >= target)
            return;
        if (m_address.isPostgres()) {
            exec(QStringLiteral("DELETE FROM ffint8_schema"));
            QSqlQuery q = query();
            q.prepare(QStringLiteral("INSERT INTO ffint8_schema (version) VALUES (?)"));
            q.addBindValue(target);
            execute(q, QStringLiteral("cannot record the schema version"));
        } else {
            // user_version takes no bound parameter; the value is our own constant, never user input.
            exec(QStringLiteral("PRAGMA user_version=%1").arg(target));
        }
    });
}

QStringList RunStore::migrationStatements(int from) const
{
    QStringList statements;
    for (const QString &statement : QString(storeMigration(from)).split(';', Qt::SkipEmptyParts))
        if (!statement.trimmed().isEmpty())
            statements << (m_address.isPostgres() ? postgresSchemaSql(statement) : statement);
    return statements;
}

void RunStore::giveRunsUuids()
{
    QSqlQuery q = query();
    if (!q.exec(QStringLiteral("SELECT id FROM runs WHERE uuid IS NULL")))
        fail(QStringLiteral("cannot list the runs without a UUID"), q.lastError());
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    q.finish();
    QSqlQuery set = query();
    set.prepare(QStringLiteral("UPDATE runs SET uuid = ? WHERE id = ?"));
    for (qint64 id : ids) {
        bindAll(set, {QVariant(QUuid::createUuid().toString(QUuid::WithoutBraces)), QVariant(id)});
        execute(set, QStringLiteral("cannot give run %1 a UUID").arg(id));
    }
}

void RunStore::markInterruptedRuns()
{
    QSqlQuery q = query();
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
    const StoreError::Kind kind = m_address.isPostgres() ? postgresErrorKind(error) : sqliteErrorKind(error);
    if (kind == StoreError::Kind::Unreachable)
        m_connectionLost = true;
    throw StoreError(QStringLiteral("%1: %2: %3").arg(m_path, what, error.text()), kind);
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
    reconnectIfLost();
    struct Depth
    {
        int &depth;
        Depth(int &d) : depth(++d) {}
        ~Depth() { --depth; }
    } depth(m_transactionDepth);
    // BEGIN IMMEDIATE takes the write lock up front, so a lock held elsewhere is waited for (busy
    // timeout) here rather than failing at once when a read transaction would have to upgrade.
    // COMMIT through a query: QSqlDatabase::commit() drops SQLite's error code, which tells a
    // held lock from a full disk. PostgreSQL locks rows, not the database: a plain BEGIN.
    QSqlQuery control(m_db);
    if (!control.exec(m_address.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")))
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

qint64 RunStore::createRun(const RunRecord &run)
{
    RunRecord r = run;
    r.status = QStringLiteral("running");
    r.host = QSysInfo::machineHostName();
    if (r.startedAt.isEmpty())
        r.startedAt = nowUtc();
    if (r.board.isEmpty())
        r.board = r.host;
    if (!(r.targetAccuracy > 0))
        r.targetAccuracy = NAN;
    return insertRun(r, qint64(::getpid()));
}

qint64 RunStore::importRun(const RunRecord &r)
{
    // pid 0: no process of this host runs it, so it is never taken for an interrupted run here.
    return insertRun(r, 0);
}

qint64 RunStore::insertRun(const RunRecord &r, qint64 pid)
{
    QSqlQuery q = query();
    // RETURNING rather than lastInsertId(), which PostgreSQL's driver answers with an OID.
    q.prepare("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at, suite, seed, "
              "device, versions, target_acc, uuid, board) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    bindAll(q, {text(r.name), text(r.specJson), text(r.status), text(r.algorithm), text(r.dataset), text(r.backend),
                text(r.host), QVariant(pid), text(r.startedAt), text(r.suite), QVariant(qint64(r.seed)), text(r.device),
                QVariant(r.versions.isEmpty() ? QStringLiteral("{}") : r.versions), finite(r.targetAccuracy),
                QVariant(r.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : r.uuid), text(r.board)});
    execute(q, QStringLiteral("cannot record the run %1").arg(r.name));
    if (!q.next())
        fail(QStringLiteral("cannot read the new run's id"), q.lastError());
    return q.value(0).toLongLong();
}

void RunStore::setRecordedResults(qint64 runId, const RunRecord &r)
{
    QSqlQuery q = query();
    q.prepare("UPDATE runs SET status = ?, message = ?, ended_at = ?, epochs_done = ?, test_acc = ?, val_acc = ?, "
              "train_seconds = ?, total_seconds = ?, energy_j = ?, peak_engine_bytes = ?, peak_rss_bytes = ?, "
              "target_epoch = ?, target_seconds = ?, power_source = ?, power_interval_ms = ? WHERE id = ?");
    bindAll(q, {text(r.status), text(r.message), r.endedAt.isEmpty() ? QVariant() : QVariant(r.endedAt), QVariant(r.epochsDone),
                finite(r.testAccuracy), finite(r.validationAccuracy), finite(r.trainSeconds), finite(r.totalSeconds),
                finite(r.energyJoules), QVariant(r.peakEngineBytes), QVariant(r.peakRssBytes),
                r.targetEpoch > 0 ? QVariant(r.targetEpoch) : QVariant(), r.targetEpoch > 0 ? finite(r.targetSeconds) : QVariant(),
                text(r.powerSource), r.powerIntervalMs ? QVariant(*r.powerIntervalMs) : QVariant(), QVariant(runId)});
    execute(q, QStringLiteral("cannot record the results of run %1").arg(runId));
}

void RunStore::setParams(qint64 runId, const QList<QPair<QString, QString>> &params)
{
    transaction(QStringLiteral("cannot record the settings of run %1").arg(runId), [&] {
        QSqlQuery q = query();
        q.prepare("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?) "
                  "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value");
        for (const auto &[key, value] : params) {
            bindAll(q, {QVariant(runId), text(key), text(value)});
            execute(q, QStringLiteral("cannot record setting %1 of run %2").arg(key).arg(runId));
        }
    });
}

void RunStore::renameRun(qint64 runId, const QString &name)
{
    QSqlQuery q = query();
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
        QSqlQuery q = query();
        q.prepare("INSERT INTO run_units (run_id, unit_index, name) VALUES (?, ?, ?) "
                  "ON CONFLICT (run_id, unit_index) DO UPDATE SET name = excluded.name");
        for (qsizetype i = 0; i < names.size(); ++i) {
            bindAll(q, {QVariant(runId), QVariant(int(i)), text(names[i])});
            execute(q, what);
        }
    });
}

void RunStore::nameUnnamedUnits(qint64 runId, size_t count, const QString &what)
{
    if (count == 0)
        return;
    QSqlQuery q = query();
    q.prepare("INSERT INTO run_units (run_id, unit_index, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
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
    QSqlQuery q = query();
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
    BatchInsert u(m_db, "INSERT INTO unit_metrics (run_id, epoch, unit_index, metric, value)", 5, {},
                  [&](QSqlQuery &query) { execute(query, what); });
    size_t rows = 1 + insertUnitRows(u, runId, e.epoch + 1, e.layers);
    u.flush();
    // The run row carries the latest results, so that a killed run still shows how far it got.
    QSqlQuery r = query();
    r.prepare("UPDATE runs SET epochs_done = ?, test_acc = ?, val_acc = ?, train_seconds = COALESCE(train_seconds, 0) + ?, "
              "peak_engine_bytes = " + greatest(isPostgres(), "peak_engine_bytes", "?") + " WHERE id = ?");
    bindAll(r, {QVariant(e.epoch + 1), number(e.testAccuracy), number(e.validationAccuracy), QVariant(e.trainSeconds),
                QVariant(qint64(e.memory.peakTotal)), QVariant(runId)});
    execute(r, what);
    if (e.reachedTarget) {
        // Written with the epoch that reached it, so that a run killed later still has it.
        QSqlQuery t = query();
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
    auto run = [&](QSqlQuery &query) { execute(query, what); };
    BatchInsert q(m_db, "INSERT INTO progress (run_id, step, epoch, batch, batches, elapsed_s, train_loss, samples_per_s)", 8,
                  " ON CONFLICT (run_id, step) DO UPDATE SET epoch = excluded.epoch, batch = excluded.batch, "
                  "batches = excluded.batches, elapsed_s = excluded.elapsed_s, train_loss = excluded.train_loss, "
                  "samples_per_s = excluded.samples_per_s",
                  run);
    BatchInsert u(m_db, "INSERT INTO progress_units (run_id, step, unit_index, metric, value)", 5,
                  " ON CONFLICT (run_id, step, unit_index, metric) DO UPDATE SET value = excluded.value", run);
    size_t units = 0;
    for (const StoredProgress &s : reports)
        units = std::max(units, s.metrics.layers.size());
    nameUnnamedUnits(runId, units, what);
    // A step reported twice keeps its last report, as a replacing insert would: one statement may
    // not update the same row twice.
    std::map<qint64, const StoredProgress *> byStep;
    for (const StoredProgress &s : reports)
        byStep[s.step] = &s;
    size_t rows = 0;
    for (const auto &[step, report] : byStep) {
        const ProgressMetrics &p = report->metrics;
        q.add({QVariant(runId), QVariant(step), QVariant(p.epoch + 1), QVariant(p.batch), QVariant(p.batchesPerEpoch),
               QVariant(p.elapsedSeconds), finite(p.trainLoss), QVariant(p.samplesPerSecond)});
        rows += 1 + insertUnitRows(u, runId, step, p.layers);
    }
    q.flush();
    u.flush();
    return rows;
}

void RunStore::finishRun(qint64 runId, const RunResult &r)
{
    QSqlQuery q = query();
    if (r.epochsDone > 0 || !std::isnan(r.trainSeconds)) {
        // A target epoch of 0 keeps what the epochs recorded (NULL where none reached it).
        q.prepare("UPDATE runs SET status = ?, message = ?, ended_at = ?, epochs_done = ?, test_acc = ?, val_acc = ?, "
                  "train_seconds = ?, total_seconds = ?, energy_j = ?, peak_engine_bytes = " +
                  greatest(isPostgres(), "peak_engine_bytes", "?") + ", "
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
    QSqlQuery q = query();
    q.prepare("INSERT INTO tags (run_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING");
    bindAll(q, {QVariant(runId), text(tag)});
    execute(q, QStringLiteral("cannot tag run %1").arg(runId));
}

bool RunStore::removeTag(qint64 runId, const QString &tag)
{
    QSqlQuery q = query();
    q.prepare("DELETE FROM tags WHERE run_id = ? AND tag = ?");
    bindAll(q, {QVariant(runId), text(tag)});
    execute(q, QStringLiteral("cannot untag run %1").arg(runId));
    return q.numRowsAffected() > 0;
}

void RunStore::addNote(qint64 runId, const QString &note)
{
    QSqlQuery q = query();
    q.prepare("INSERT INTO notes (run_id, created_at, text) VALUES (?, ?, ?)");
    bindAll(q, {QVariant(runId), QVariant(nowUtc()), text(note)});
    execute(q, QStringLiteral("cannot add a note to run %1").arg(runId));
}

void RunStore::setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs)
{
    QSqlQuery q = query();
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
    BatchInsert q(m_db, "INSERT INTO samples (run_id, t, board_w)", 3, {}, [&](QSqlQuery &query) { execute(query, what); });
    for (const PowerPoint &p : samples)
        q.add({QVariant(runId), QVariant(p.seconds), QVariant(p.watts)});
    q.flush();
}

bool RunStore::deleteRun(qint64 runId)
{
    QSqlQuery q = query();
    q.prepare("DELETE FROM runs WHERE id = ?");
    q.addBindValue(runId);
    execute(q, QStringLiteral("cannot delete run %1").arg(runId));
    return q.numRowsAffected() > 0;
}

bool RunStore::checkpoint()
{
    if (isPostgres())
        return false; // the server's disk: nothing this client can free
    QSqlQuery q = query();
    return q.exec("PRAGMA wal_checkpoint(TRUNCATE)") && q.next() && q.value(0).toInt() == 0;
}

} // namespace ffint8
