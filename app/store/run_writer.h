// Writes runs to the store from a thread and a connection of its own, in batched transactions, so
// that the training thread never waits for the disk or for another process's lock. What cannot be
// written yet (the database is locked elsewhere) stays buffered and is retried; what can never be
// written (the disk is full) marks the writer's runs failed with the reason, as far as the disk allows.
#pragma once

#include "app/store/run_store.h"

#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <variant>

namespace ffint8 {

class RunWriter
{
public:
    // Called on the writer's thread with a message for the user, when a write fails (and whether
    // it will be retried).
    using ProblemHandler = std::function<void(const QString &message, bool willRetry)>;

    // Opens the store at `path` on the writer's thread; throws StoreError when it cannot be opened.
    // Small batches wait up to `flushIntervalMs` for more rows; epochs and run outcomes go at once.
    explicit RunWriter(const QString &path, ProblemHandler onProblem = {}, int flushIntervalMs = 250);
    // Writes what is buffered (waiting at most 30 s for a lock held elsewhere, 5 minutes for a
    // database server that cannot be reached; setCloseTimeout), then stops.
    ~RunWriter();
    RunWriter(const RunWriter &) = delete;
    RunWriter &operator=(const RunWriter &) = delete;

    const QString &path() const { return m_path; }
    void setCloseTimeout(int ms) { m_closeTimeoutMs = ms; }

    // Records a new run with its settings, tags and unit names (RunStore::setUnits) and returns its
    // id: waits for the write.
    qint64 createRun(const RunRecord &run, const QList<QPair<QString, QString>> &params, const QStringList &tags,
                     const QStringList &units = {});

    // Queued; they return at once.
    void setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs);
    void addProgress(qint64 runId, const StoredProgress &report);
    void addEpoch(qint64 runId, const EpochMetrics &epoch, const EpochEnergy &energy);
    void addSamples(qint64 runId, std::vector<PowerPoint> samples);
    void finishRun(qint64 runId, const RunResult &result);

    // Waits until everything queued before the call is committed: true if so within `timeoutMs`.
    bool flush(int timeoutMs);
    // Set when the store can take no more writes (disk full, file size limit): the reason.
    QString fatalProblem() const;
    size_t buffered() const; // items queued or waiting for a retry
    size_t rowsWritten() const;

private:
    struct Create { RunRecord run; QList<QPair<QString, QString>> params; QStringList tags; QStringList units; std::shared_ptr<std::promise<qint64>> id; };
    struct PowerSource { qint64 runId; QString source; std::optional<int> intervalMs; };
    struct Progress { qint64 runId; StoredProgress report; };
    struct Epoch { qint64 runId; EpochMetrics epoch; EpochEnergy energy; };
    struct Samples { qint64 runId; std::vector<PowerPoint> samples; };
    struct Finish { qint64 runId; RunResult result; };
    using Item = std::variant<Create, PowerSource, Progress, Epoch, Samples, Finish>;

    void post(Item item, bool urgent);
    void loop();
    size_t write(RunStore &store, std::deque<Item> &batch); // rows written; throws StoreError
    void giveUp(RunStore &store, const QString &reason);

    QString m_path;
    ProblemHandler m_onProblem;
    int m_flushIntervalMs;
    static constexpr int kFileCloseTimeoutMs = 30000;
    static constexpr int kServerCloseTimeoutMs = 300000;
    int m_closeTimeoutMs;

    mutable std::mutex m_lock;
    std::condition_variable m_wake;      // the writer: new items, or stop
    std::condition_variable m_committed; // flush(): progress
    std::deque<Item> m_queue;
    bool m_urgent = false;
    bool m_stop = false;
    uint64_t m_posted = 0;
    uint64_t m_done = 0; // items committed or given up on
    size_t m_retrying = 0;
    size_t m_rows = 0;
    QString m_fatal;
    QList<qint64> m_openRuns; // created here and not finished: marked failed if the disk fills
    RunStore *m_store = nullptr; // lives on the writer's thread
    std::thread m_thread;
};

} // namespace ffint8
