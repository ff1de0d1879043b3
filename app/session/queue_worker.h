// A board's worker on a shared store's work queue (`ffint8 worker`): takes back the claims of
// workers that stopped beating, claims the next run this board can train, trains it as `ffint8 run`
// would (recorded in the same store, under its suite and this board's name), beats its heartbeat
// from a thread of its own meanwhile, records how the run ended, and takes the next.
#pragma once

#include "app/session/run_session.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace ffint8 {

struct WorkerOptions
{
    QString database;           // the store's address
    QString board;              // recorded with each run; empty: this host's name
    int maxRuns = 0;            // stop after this many runs (0: no limit)
    bool exitWhenEmpty = false; // stop when nothing is queued for this board and nothing is claimed
    double heartbeatSeconds = 5.0;
    double staleAfterSeconds = 60.0; // a claim without a heartbeat for this long goes back to the queue
    double pollSeconds = 2.0;        // how often an idle worker looks at the queue
    QStringList backends;            // what this board can train on; empty: every backend available here
    SessionOptions session;          // telemetry and output settings for each run (spec, store, suite set per run)
};

class QueueWorker
{
public:
    using Log = std::function<void(const QString &line)>;
    // `watch` is called with each run's session before it trains and with nullptr after (the
    // command line stops it on Ctrl-C through this); `log` gets one line per event.
    QueueWorker(WorkerOptions options, Log log, std::function<void(RunSession *)> watch = {});

    // Works until a stop condition; returns the number of runs it trained. Throws StoreError when
    // the store cannot be opened at the start.
    int run();
    const QString &workerId() const { return m_workerId; }

private:
    WorkerOptions m_options;
    Log m_log;
    std::function<void(RunSession *)> m_watch;
    QString m_workerId; // board/pid: unique among the workers of one store
};

} // namespace ffint8
