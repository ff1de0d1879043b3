// The run store: every run, its spec, per-epoch metrics, per-unit metrics by unit and metric name,
// and power samples, in an SQLite file (WAL, foreign keys) or a PostgreSQL database shared by many
// boards (StoreAddress), with prepared statements only. One schema, written once and translated for
// PostgreSQL (sql_dialect.h); its version in SQLite's PRAGMA user_version or PostgreSQL's table
// ffint8_schema, migrated forward on open. One RunStore is one connection and belongs to the thread
// that opened it.
#pragma once

#include "app/store/store_address.h"
#include "app/telemetry/energy.h"
#include "engine/train/metrics.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QSqlError>
#include <QVariant>

#include <functional>
#include <map>
#include <optional>

namespace ffint8 {

constexpr int kStoreSchemaVersion = 6;

struct RunRecord
{
    qint64 id = 0;
    QString name;
    QString specJson;
    QString status; // running, completed, diverged, cancelled, failed, interrupted
    QString algorithm;
    QString dataset;
    QString backend;
    QString startedAt; // ISO 8601, UTC; createRun() uses the current time when empty
    QString endedAt;
    QString message;
    QString suite;  // the suite it was run in, or empty
    // All 64 bits: SQLite's integers are signed, so the column holds the seed's bits as a signed
    // number (seeds from 2^63 up show negative in the sqlite3 shell) and they are read back unsigned.
    quint64 seed = 0;
    QString host;
    QString device;   // the backend's description of the hardware
    QString versions; // JSON: ffint8, Qt, SQLite, oneDNN/CUDA as the run used them
    // Made when the run is created (createRun() makes one when empty): the run's identity across
    // stores, so that copying runs into a shared store twice copies them once.
    QString uuid;
    QString board; // the board that trained it; createRun() uses the host name when empty
    QString powerSource; // setPowerSource()
    std::optional<int> powerIntervalMs;
    // The run's results (filled by finishRun; NaN / 0 while running or where unknown).
    int epochsDone = 0;
    double testAccuracy = NAN;       // fraction
    double validationAccuracy = NAN; // fraction
    double trainSeconds = NAN;
    double totalSeconds = NAN;
    double energyJoules = NAN; // over the training epochs, where a power source was present
    qint64 peakEngineBytes = 0;
    qint64 peakRssBytes = 0;
    // The test accuracy the run was to reach (a fraction; NaN: it had none, or was recorded before
    // version 5), the first epoch (from 1) that reached it and the training seconds up to that
    // epoch's end (0 and NaN: not reached).
    double targetAccuracy = NAN;
    int targetEpoch = 0;
    double targetSeconds = NAN;
};

// What `runs list` and the workbench's browser filter on; empty fields match everything.
struct RunFilter
{
    QString status;
    QString algorithm;
    QString dataset;
    QString tag;
    QString suite;
    QString board;
    QString text;   // in the name, spec, message or notes (case-insensitive substring)
    QString since;  // ISO 8601 date or date-time, inclusive
    QString until;  // ISO 8601 date or date-time, inclusive (a date covers that whole day)
};

// The final figures a run records when it ends.
struct RunResult
{
    QString status;
    QString message;
    int epochsDone = 0;
    double testAccuracy = NAN;
    double validationAccuracy = NAN;
    double trainSeconds = NAN;
    double totalSeconds = NAN;
    double energyJoules = NAN;
    qint64 peakEngineBytes = 0;
    qint64 peakRssBytes = 0;
    // Where the target was reached (RunSummary::targetEpoch, targetSeconds); 0 leaves what the
    // epochs recorded.
    int targetEpoch = 0;
    double targetSeconds = NAN;
};

// Read back, an epoch's or a report's `layers` hold one entry per unit of the run (units()), in its
// order, NaN for every figure the store has not got for that unit there.
struct StoredEpoch
{
    EpochMetrics metrics; // memory holds only peakTotal
    std::optional<double> joules;
    std::optional<double> meanWatts;
};

// One progress report: `step` counts batches from the start of the run.
struct StoredProgress
{
    qint64 step = 0;
    ProgressMetrics metrics;
};

struct EpochEnergy
{
    std::optional<double> joules;
    std::optional<double> meanWatts;
};

class RunStore
{
public:
    // Opens the store at `address` (StoreAddress: a file path, or postgresql://USER@HOST:PORT/DBNAME),
    // creating the file or the schema where there is none. Throws StoreError naming the store when
    // the file is not an SQLite database or is corrupt, when the server cannot be reached or refuses
    // the login, when the PostgreSQL database holds another application's tables, or when the
    // schema is newer than this build; such a store is never written to. Runs of this host left
    // "running" by a process that is gone are marked "interrupted".
    // `schemaVersion` below the current one builds an old schema: only for the migration tests.
    explicit RunStore(const QString &address, int schemaVersion = kStoreSchemaVersion);
    ~RunStore();
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;

    // $FFINT8_DB, else $XDG_DATA_HOME/ffint8/runs.sqlite (~/.local/share/ffint8/runs.sqlite).
    static QString defaultPath();

    qint64 createRun(const RunRecord &run);
    // A run recorded elsewhere (copyRun): the row as `run` has it (status, times, host, results,
    // UUID), without a process of this host to watch. Its results are written last with
    // setRecordedResults(), since adding its epochs sums their times into the row.
    qint64 importRun(const RunRecord &run);
    void setRecordedResults(qint64 runId, const RunRecord &run);
    // The run's settings as (spec path, value) pairs, for filters, tables and config diffs.
    void setParams(qint64 runId, const QList<QPair<QString, QString>> &params);
    QList<QPair<QString, QString>> params(qint64 runId);
    void renameRun(qint64 runId, const QString &name);
    // The names of the run's units (Trainer::unitNames()): entry i of every epoch's and report's
    // `layers` is stored under unit i. StoreError naming the name when one is empty or repeated.
    // Units a run reports figures of without a name here are stored as fallbackUnitName(i).
    void setUnits(qint64 runId, const QStringList &names);
    QStringList units(qint64 runId); // in unit order
    void addProgress(qint64 runId, const std::vector<StoredProgress> &reports); // one transaction
    void finishRun(qint64 runId, const RunResult &result);
    void addEpoch(qint64 runId, const EpochMetrics &epoch, const EpochEnergy &energy = {});
    void addTag(qint64 runId, const QString &tag);
    bool removeTag(qint64 runId, const QString &tag); // false where the run had no such tag
    void addNote(qint64 runId, const QString &note);
    void setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs);
    // Board power samples on the monotonic clock of the epochs' t_start and t_end, in one transaction.
    void addSamples(qint64 runId, const std::vector<PowerPoint> &samples);
    std::vector<PowerPoint> samples(qint64 runId, double after = -1e300); // samples at t > after
    std::pair<double, double> epochSpan(qint64 runId, int epoch); // epochs from 1
    // Deletes the run and everything recorded with it; false where there was no such run.
    bool deleteRun(qint64 runId);

    std::optional<RunRecord> run(qint64 runId);
    QList<RunRecord> runs(const RunFilter &filter = {});
    std::vector<StoredEpoch> epochs(qint64 runId, int afterEpoch = 0); // epochs (from 1) after that one
    std::vector<StoredProgress> progress(qint64 runId, qint64 afterStep = -1); // reports after that step
    QStringList tags(qint64 runId);
    QStringList allTags();
    QStringList notes(qint64 runId);
    int epochCount(qint64 runId);
    int schemaVersion();
    QString integrityCheck(); // "ok", or what PRAGMA integrity_check found (PostgreSQL: the server's own)
    bool isPostgres() const { return m_address.isPostgres(); }
    const QString &displayName() const { return m_path; } // the file, or the address without a password
    // The run with this UUID, if the store has it.
    std::optional<qint64> runByUuid(const QString &uuid);
    // PostgreSQL: says that the runs were written to (NOTIFY ffint8_runs with each id, delivered to
    // every listening connection when the transaction commits). Nothing on SQLite, whose readers in
    // other processes cannot be told.
    void notifyChanged(const QList<qint64> &runIds);
    // PostgreSQL: calls `onChange` with a run's id, on this store's thread (from its event loop,
    // while `context` lives), whenever any connection says it wrote to the run. False where the
    // store cannot tell (SQLite, or a driver without notifications): poll instead.
    bool watchChanges(QObject *context, const std::function<void(qint64 runId)> &onChange);

    // Batched writing (RunWriter): the insert functions inside one transaction of many rows.
    // `body` runs between BEGIN and COMMIT; on any error the transaction rolls back and StoreError
    // (Busy for a lock held elsewhere, Full for a disk or file size limit) is thrown.
    void transaction(const QString &what, const std::function<void()> &body);
    // Each returns the rows it wrote.
    size_t insertEpoch(qint64 runId, const EpochMetrics &epoch, const EpochEnergy &energy);
    size_t insertProgress(qint64 runId, const std::vector<StoredProgress> &reports, const QString &what);
    void insertSamples(qint64 runId, const std::vector<PowerPoint> &samples, const QString &what);
    // Writes what is in the write-ahead log into the database and empties the log: after a failed
    // write for lack of space this frees the log's room for the last, small writes. (SQLite only.)
    bool checkpoint();

private:
    friend class WorkQueue; // its statements run on this connection, in these transactions

    // Everything the constructor does once the connection exists (see there for why it is split).
    void openDatabase(int schemaVersion);
    void refuseWhatIsNotSqlite(); // before any connection exists
    qint64 insertRun(const RunRecord &run, qint64 pid); // the row as `run` has it
    void openSqlite();
    // PostgreSQL (postgres_store.cpp): connects; refuses a database of another application.
    void openPostgres();
    void refuseForeignDatabase();
    // After the server went away (restart, network): a new connection, before the next statement
    // outside a transaction (query()) or the next transaction. A transaction that lost its
    // connection fails whole; it is never continued on another.
    void reconnectIfLost();
    // Every statement's query: on the connection, renewed first where the server was found gone
    // (outside a transaction).
    QSqlQuery query();
    int postgresSchemaVersion();
    // The SQL of migration `from` in this store's dialect, split into statements.
    QStringList migrationStatements(int from) const;
    // Gives runs recorded before version 6 a UUID each (the migration cannot make them in SQL).
    void giveRunsUuids();
    void closeConnection();
    void exec(const QString &sql);
    void enableWal();
    [[noreturn]] void fail(const QString &what, const QSqlError &error);
    void execute(QSqlQuery &q, const QString &what);
    QStringList textsOf(const char *sql, qint64 runId); // the first column of a query bound to one run
    // `where` holds fixed SQL conditions of this class (never user text), `bound` their values.
    QList<RunRecord> selectRuns(const QStringList &where, const QVariantList &bound);
    void migrate(int target);
    // Names units [0, count) of the run that have no name yet with their fallback names, so that
    // every unit a metric row refers to is in run_units.
    void nameUnnamedUnits(qint64 runId, size_t count, const QString &what);
    // The `layers` of each epoch (by its number from 1) or report (by its step) in `layersAt`: one
    // entry per unit of the run, filled from the unit rows `sql` selects for the run (epoch or step,
    // unit, metric, value; bound to the run and `after`, the epoch or step after which rows are read).
    void readUnitMetrics(qint64 runId, const char *sql, qint64 after, const std::map<qint64, std::vector<LayerMetrics> *> &layersAt);
    void markInterruptedRuns();

    StoreAddress m_address;
    QString m_path; // what messages name: m_address.display()
    QString m_connection;
    QSqlDatabase m_db;
    int m_transactionDepth = 0;
    bool m_connectionLost = false; // PostgreSQL: a query found the server gone
};

} // namespace ffint8
