// Processes that keep cores busy for as long as this object lives: the load of a shared desktop,
// made on purpose so that a benchmark can measure how training copes with it.
#pragma once

#include <vector>

namespace ffint8 {

class BusyProcesses
{
public:
    // Starts `count` processes that each spin on one core; throws std::runtime_error when one
    // cannot be started.
    explicit BusyProcesses(int count);
    ~BusyProcesses();
    BusyProcesses(const BusyProcesses &) = delete;
    BusyProcesses &operator=(const BusyProcesses &) = delete;

    int count() const { return int(m_pids.size()); }

private:
    void stopAll();

    std::vector<int> m_pids;
};

} // namespace ffint8
