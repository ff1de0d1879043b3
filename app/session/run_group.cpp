// Several sessions on one thread: one after another, or round robin over their epochs.
#include "app/session/run_group.h"

#include "app/session/prepared_run.h"
#include "app/spec/spec_error.h"
#include "app/telemetry/telemetry_recorder.h"

namespace ffint8 {

namespace {

bool sameTelemetry(const SessionOptions &a, const SessionOptions &b)
{
    return a.telemetry == b.telemetry && a.tegrastatsProgram == b.tegrastatsProgram
        && a.telemetryIntervalMs == b.telemetryIntervalMs && a.replaySpeed == b.replaySpeed
        && a.sysfsRoot == b.sysfsRoot;
}

} // namespace

RunGroup::RunGroup(const QList<SessionOptions> &runs, Order order, std::shared_ptr<const DatasetSplits> data)
    : m_order(order), m_data(std::move(data))
{
    for (const SessionOptions &options : runs)
        m_sessions.push_back(std::make_unique<RunSession>(options));
}

RunGroup::~RunGroup() = default;

void RunGroup::stop()
{
    m_stopped.store(true);
    for (const auto &session : m_sessions)
        session->stop();
}

std::vector<RunSummary> RunGroup::run()
{
    if (m_sessions.empty())
        return {};
    bool shareData = !m_data;
    for (const auto &session : m_sessions)
        shareData = shareData && sameRunData(session->options().spec.config, m_sessions.front()->options().spec.config);
    if (shareData) {
        try {
            m_data = std::make_shared<const DatasetSplits>(loadRunData(m_sessions.front()->options().spec.config));
        } catch (const std::exception &) {
            // Each run then tries on its own, fails with the same reason and is recorded with it.
        }
    }
    for (const auto &session : m_sessions)
        session->m_sharedData = m_data;
    return m_order == Order::InTurn ? runInTurn() : runOneAfterAnother();
}

std::vector<RunSummary> RunGroup::runOneAfterAnother()
{
    std::vector<RunSummary> summaries;
    for (const auto &session : m_sessions) {
        if (m_stopped.load())
            break;
        summaries.push_back(session->execute());
    }
    return summaries;
}

// One thread, not one per run: with more OpenMP thread pools than cores, libgomp stops spinning
// between parallel regions and every region then waits for its threads to wake (measured 3.5x
// slower here).
std::vector<RunSummary> RunGroup::runInTurn()
{
    // One power source for all: the runs' epochs alternate within one span of time, and several
    // tegrastats or polling threads at once would only disturb what they measure.
    std::shared_ptr<TelemetryRecorder> telemetry;
    bool shareTelemetry = true;
    for (const auto &session : m_sessions)
        shareTelemetry = shareTelemetry && sameTelemetry(session->options(), m_sessions.front()->options());
    if (shareTelemetry) {
        const SessionOptions &o = m_sessions.front()->options();
        try {
            telemetry = std::make_shared<TelemetryRecorder>(
                chooseTelemetry(o.telemetry, o.tegrastatsProgram, o.telemetryIntervalMs, o.sysfsRoot, o.replaySpeed));
        } catch (const SpecError &) {
            // Each run then chooses on its own and fails with the reason, as a run alone would.
        }
    }
    std::vector<bool> going;
    for (const auto &session : m_sessions) {
        session->m_sharedTelemetry = telemetry;
        session->m_sharesProcess = true;
        going.push_back(session->begin());
    }
    for (bool any = true; any;) {
        any = false;
        for (size_t i = 0; i < m_sessions.size(); ++i) {
            if (going[i])
                going[i] = m_sessions[i]->trainNextEpoch();
            any = any || going[i];
        }
    }
    if (telemetry)
        telemetry->stop();
    std::vector<RunSummary> summaries;
    for (const auto &session : m_sessions)
        summaries.push_back(session->end());
    return summaries;
}

} // namespace ffint8
