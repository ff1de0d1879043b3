// Runs that belong together, as a comparison's methods or a benchmark's epochs: each a RunSession,
// prepared, measured and recorded like any run, trained on the calling thread one after another or
// in turn, one epoch each (A1 B1 A2 B2 ...), so that a machine whose speed drifts (other tenants,
// thermal throttling, a Jetson's DVFS) slows each run alike and their time ratios stay meaningful.
#pragma once

#include "app/session/run_session.h"

#include <QList>
#include <atomic>
#include <memory>
#include <vector>

namespace ffint8 {

class RunGroup
{
public:
    enum class Order { OneAfterAnother, InTurn };

    // `data`: the splits every run trains on, already loaded (loadRunData, or a caller's own cut of
    // them); null: the group loads them once where every run's data settings agree (sameRunData),
    // and each run loads its own otherwise.
    RunGroup(const QList<SessionOptions> &runs, Order order, std::shared_ptr<const DatasetSplits> data = {});
    ~RunGroup();
    RunGroup(const RunGroup &) = delete;
    RunGroup &operator=(const RunGroup &) = delete;

    int size() const { return int(m_sessions.size()); }
    // Connect to a session's signals before run() to miss none of them.
    RunSession &session(int i) { return *m_sessions[size_t(i)]; }

    // Trains every run and returns the summaries of those that ran, in order: all of them, unless
    // stop() was called while they trained one after another (then the runs after the stopped one
    // never start and are not recorded). Runs in turn share one power source where their telemetry
    // settings agree, and none of them records a peak RSS of its own (they share the process).
    std::vector<RunSummary> run();

    // Safe from any thread and from signal handlers (atomic stores only): stops every run after its
    // current batch.
    void stop();

private:
    std::vector<RunSummary> runOneAfterAnother();
    std::vector<RunSummary> runInTurn();

    Order m_order;
    std::vector<std::unique_ptr<RunSession>> m_sessions;
    std::shared_ptr<const DatasetSplits> m_data;
    std::atomic<bool> m_stopped{false};
};

} // namespace ffint8
