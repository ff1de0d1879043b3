// BusyProcesses with fork(): the child only spins until it is killed, so forking a process that
// already runs threads is safe (the child calls nothing that could need their locks).
#include "app/system/busy_processes.h"

#include <cerrno>
#include <cstring>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ffint8 {

BusyProcesses::BusyProcesses(int count)
{
    for (int i = 0; i < count; ++i) {
        const pid_t pid = fork();
        if (pid < 0) {
            const std::string why = std::strerror(errno);
            stopAll();
            throw std::runtime_error("cannot start a busy process: fork: " + why);
        }
        if (pid == 0) {
            volatile unsigned long spin = 0;
            for (;;)
                spin = spin + 1;
        }
        m_pids.push_back(pid);
    }
}

BusyProcesses::~BusyProcesses()
{
    stopAll();
}

void BusyProcesses::stopAll()
{
    for (int pid : m_pids) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    m_pids.clear();
}

} // namespace ffint8
