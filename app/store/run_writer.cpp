// The store's writer thread.
#include "app/store/run_writer.h"

#include "app/store/store_error.h"

#include <algorithm>
#include <chrono>

namespace ffint8 {

namespace {

template <class... F> struct Overloaded : F... { using F::operator()...; };
template <class... F> Overloaded(F...) -> Overloaded<F...>;

// After a failed attempt the writer waits this long before the next: the store's own busy timeout
// has already waited for the lock.
constexpr auto kRetryPause = std::chrono::milliseconds(500);

} // namespace

RunWriter::RunWriter(const QString &path, ProblemHandler onProblem, int flushIntervalMs)
    : m_path(path), m_onProblem(std::move(onProblem)), m_flushIntervalMs(flushIntervalMs),
      // A database server restarting takes longer than another process's write to a file: a run
      // that ends meanwhile waits longer for its last writes.
      m_closeTimeoutMs(StoreAddress::isPostgres(path) ? kServerCloseTimeoutMs : kFileCloseTimeoutMs)
{
    std::promise<void> opened;
    std::future<void> openResult = opened.get_future();
    m_thread = std::thread([this, &opened] {
        std::unique_ptr<RunStore> store;
        try {
            store = std::make_unique<RunStore>(m_path);
        } catch (...) {
            opened.set_exception(std::current_exception());
            return;
        }
        opened.set_value();
        m_store = store.get();
        loop();
        m_store = nullptr;
    });
    try {
        openResult.get();
    } catch (...) {
        m_thread.join();
        throw;
    }
}

RunWriter::~RunWriter()
{
    const bool written = flush(m_closeTimeoutMs);
    {
        std::lock_guard guard(m_lock);
        m_stop = true;
        if (!written && m_fatal.isEmpty() && m_onProblem)
            m_onProblem(QStringLiteral("%1: %2 buffered writes were still waiting for the database after %3 s and are lost")
                            .arg(m_path).arg(m_queue.size() + m_retrying).arg(m_closeTimeoutMs / 1000),
                        false);
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void RunWriter::post(Item item, bool urgent)
{
    {
        std::lock_guard guard(m_lock);
        m_queue.push_back(std::move(item));
        ++m_posted;
        m_urgent = m_urgent || urgent;
    }
    if (urgent)
        m_wake.notify_one();
}

qint64 RunWriter::createRun(const RunRecord &run, const QList<QPair<QString, QString>> &params, const QStringList &tags,
                            const QStringList &units)
{
    auto id = std::make_shared<std::promise<qint64>>();
    std::future<qint64> result = id->get_future();
    post(Create{run, params, tags, units, id}, true);
    return result.get();
}

void RunWriter::setPowerSource(qint64 runId, const QString &source, std::optional<int> intervalMs)
{
    post(PowerSource{runId, source, intervalMs}, false);
}

void RunWriter::addProgress(qint64 runId, const StoredProgress &report) { post(Progress{runId, report}, false); }

void RunWriter::addEpoch(qint64 runId, const EpochMetrics &epoch, const EpochEnergy &energy)
{
    post(Epoch{runId, epoch, energy}, true);
}

void RunWriter::addSamples(qint64 runId, std::vector<PowerPoint> samples)
{
    if (!samples.empty())
        post(Samples{runId, std::move(samples)}, false);
}

void RunWriter::finishRun(qint64 runId, const RunResult &result) { post(Finish{runId, result}, true); }

bool RunWriter::flush(int timeoutMs)
{
    std::unique_lock guard(m_lock);
    const uint64_t target = m_posted;
    m_urgent = true;
    m_wake.notify_one();
    return m_committed.wait_for(guard, std::chrono::milliseconds(timeoutMs),
                                [&] { return m_done >= target || !m_fatal.isEmpty() || !m_thread.joinable(); }) &&
           m_done >= target;
}

QString RunWriter::fatalProblem() const
{
    std::lock_guard guard(m_lock);
    return m_fatal;
}

size_t RunWriter::buffered() const
{
    std::lock_guard guard(m_lock);
    return m_queue.size() + m_retrying;
}

size_t RunWriter::rowsWritten() const
{
    std::lock_guard guard(m_lock);
    return m_rows;
}

void RunWriter::loop()
{
    RunStore &store = *m_store;
    std::deque<Item> batch; // taken from the queue, not yet committed
    bool reportedBusy = false;
    for (;;) {
        {
            std::unique_lock guard(m_lock);
            if (batch.empty())
                m_wake.wait_for(guard, std::chrono::milliseconds(m_flushIntervalMs), [&] { return m_stop || m_urgent; });
            if (m_stop && m_queue.empty() && (batch.empty() || !m_fatal.isEmpty()))
                return;
            m_urgent = false;
            while (!m_queue.empty()) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            m_retrying = batch.size();
        }
        if (batch.empty())
            continue;
        if (!m_fatal.isEmpty()) { // nothing more can be written: what comes now is dropped
            std::lock_guard guard(m_lock);
            m_done += batch.size();
            m_retrying = 0;
            batch.clear();
            m_committed.notify_all();
            continue;
        }
        try {
            const size_t rows = write(store, batch);
            std::lock_guard guard(m_lock);
            m_done += batch.size();
            m_rows += rows;
            m_retrying = 0;
            batch.clear();
            m_committed.notify_all();
            if (reportedBusy && m_onProblem)
                m_onProblem(QStringLiteral("%1: the database is writable again; the buffered metrics are written").arg(m_path), false);
            reportedBusy = false;
        } catch (const StoreError &e) {
            if (e.kind() == StoreError::Kind::Busy || e.kind() == StoreError::Kind::Unreachable) {
                if (!reportedBusy && m_onProblem)
                    m_onProblem(QStringLiteral("%1 (%2; %3 writes buffered, retrying)")
                                    .arg(QString::fromUtf8(e.what()),
                                         e.kind() == StoreError::Kind::Busy ? QStringLiteral("another process holds the write lock")
                                                                            : QStringLiteral("the database server cannot be reached"))
                                    .arg(batch.size()),
                                true);
                reportedBusy = true;
                std::unique_lock guard(m_lock);
                m_wake.wait_for(guard, kRetryPause, [&] { return m_stop; });
                if (m_stop && m_queue.empty()) {
                    // Closing: the destructor's flush has already waited its time for the lock.
                    m_done += batch.size();
                    m_committed.notify_all();
                    return;
                }
            } else if (e.kind() == StoreError::Kind::Full) {
                giveUp(store, QString::fromUtf8(e.what()) + QStringLiteral(" (the disk is full, or the file may not grow)"));
                batch.clear();
            } else {
                // Anything else would fail again the same way: say what is lost and go on.
                if (m_onProblem)
                    m_onProblem(QStringLiteral("%1 (%2 writes dropped)").arg(QString::fromUtf8(e.what())).arg(batch.size()), false);
                for (Item &item : batch)
                    if (auto *create = std::get_if<Create>(&item))
                        create->id->set_exception(std::make_exception_ptr(e));
                std::lock_guard guard(m_lock);
                m_done += batch.size();
                m_retrying = 0;
                batch.clear();
                m_committed.notify_all();
            }
        }
    }
}

size_t RunWriter::write(RunStore &store, std::deque<Item> &batch)
{
    size_t rows = 0;
    std::vector<std::pair<std::shared_ptr<std::promise<qint64>>, qint64>> created;
    QList<qint64> finished;
    store.transaction(QStringLiteral("cannot write %1 buffered metrics").arg(batch.size()), [&] {
        rows = 0;
        created.clear();
        finished.clear();
        // Progress reports of one run in a row go in as one insert call (one prepared statement).
        std::vector<StoredProgress> reports;
        qint64 reportsRun = 0;
        auto flushReports = [&] {
            if (!reports.empty())
                rows += store.insertProgress(reportsRun, reports,
                                             QStringLiteral("cannot record the progress of run %1").arg(reportsRun));
            reports.clear();
        };
        for (Item &item : batch) {
            if (auto *p = std::get_if<Progress>(&item)) {
                if (p->runId != reportsRun)
                    flushReports();
                reportsRun = p->runId;
                reports.push_back(p->report);
                continue;
            }
            flushReports();
            std::visit(Overloaded{
                           [&](Create &c) {
                               const qint64 id = store.createRun(c.run);
                               store.setParams(id, c.params);
                               for (const QString &tag : c.tags)
                                   store.addTag(id, tag);
                               store.setUnits(id, c.units);
                               created.emplace_back(c.id, id);
                               rows += 1 + size_t(c.params.size() + c.tags.size() + c.units.size());
                           },
                           [&](PowerSource &s) { store.setPowerSource(s.runId, s.source, s.intervalMs); },
                           [&](Progress &) {},
                           [&](Epoch &e) {
                               rows += store.insertEpoch(e.runId, e.epoch, e.energy);
                           },
                           [&](Samples &s) {
                               store.insertSamples(s.runId, s.samples, QStringLiteral("cannot record power samples of run %1").arg(s.runId));
                               rows += s.samples.size();
                           },
                           [&](Finish &f) {
                               store.finishRun(f.runId, f.result);
                               finished << f.runId;
                               ++rows;
                           },
                       },
                       item);
        }
        flushReports();
        // Readers of a shared store that listen hear of the runs written (at the commit).
        QList<qint64> touched;
        for (const auto &[promise, id] : created)
            touched << id;
        for (const Item &item : batch)
            std::visit(Overloaded{[&](const Create &) {}, [&](const auto &written) { touched << written.runId; }}, item);
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        store.notifyChanged(touched);
    });
    for (auto &[promise, id] : created) {
        promise->set_value(id);
        std::lock_guard guard(m_lock);
        m_openRuns << id;
    }
    std::lock_guard guard(m_lock);
    for (qint64 id : finished)
        m_openRuns.removeAll(id);
    return rows;
}

void RunWriter::giveUp(RunStore &store, const QString &reason)
{
    QList<qint64> open;
    {
        std::lock_guard guard(m_lock);
        m_fatal = reason;
        open = m_openRuns;
    }
    // Emptying the write-ahead log gives back the room it took, which is usually enough for the
    // few bytes that say why the run ended.
    store.checkpoint();
    QString outcome = QStringLiteral("; the run is marked failed");
    for (qint64 id : open) {
        try {
            store.finishRun(id, RunResult{"failed", QStringLiteral("the run store could not be written: %1").arg(reason)});
        } catch (const StoreError &e) {
            outcome = QStringLiteral("; marking the run failed did not succeed either (%1), so it will read as interrupted").arg(e.what());
        }
    }
    if (m_onProblem)
        m_onProblem(reason + (open.isEmpty() ? QString() : outcome), false);
    std::lock_guard guard(m_lock);
    m_done = m_posted - m_queue.size();
    m_retrying = 0;
    m_committed.notify_all();
}

} // namespace ffint8
