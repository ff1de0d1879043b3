// The cores a run can use: the load of other processes measured from the kernel's accounting, and
// the cpu backend's automatic thread count following it.
#include "app/system/busy_processes.h"
#include "engine/backend/core_availability.h"
#include "engine/backend/cpu_backend.h"

#include <QtTest>
#include <chrono>
#include <sched.h>
#include <thread>
#include <vector>

using namespace ffint8;

class TestCoreAvailability : public QObject
{
    Q_OBJECT

private slots:
    void coresAreTheAffinityMask()
    {
        cpu_set_t set;
        CPU_ZERO(&set);
        QCOMPARE(sched_getaffinity(0, sizeof set, &set), 0);
        QCOMPARE(CoreAvailability().cores(), CPU_COUNT(&set));
    }

    void tooShortAWindowMeasuresNothing()
    {
        CoreAvailability cores;
        QCOMPARE(cores.othersBusySince(std::chrono::hours(1)), -1.0);
    }

    // With every core spun by other processes while this one sleeps, nearly all of them count as busy.
    void busyProcessesCountAsOthersLoad()
    {
        CoreAvailability cores;
        QVERIFY(cores.measurable());
        BusyProcesses load(cores.cores());
        cores.othersBusySince(std::chrono::milliseconds(0)); // start the window once they run
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        const double others = cores.othersBusySince(std::chrono::milliseconds(500));
        QVERIFY2(others >= 0.7 * cores.cores(),
                 qPrintable(QString("others' load %1 of %2 cores").arg(others).arg(cores.cores())));
    }

    // The work this process does itself is not others' load: a core's worth of this process's
    // spinning leaves the measured load of others where it was without it.
    void ownWorkIsNotOthersLoad()
    {
        CoreAvailability cores;
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        const double idle = cores.othersBusySince(std::chrono::milliseconds(500));
        QVERIFY(idle >= 0.0);
        if (idle > cores.cores() - 1.0)
            QSKIP(qPrintable(QString("other processes keep %1 of %2 cores busy: no core left to tell this "
                                     "process's work apart")
                                 .arg(idle)
                                 .arg(cores.cores())));
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
        volatile double x = 0;
        while (std::chrono::steady_clock::now() < end)
            x = x + 1.0;
        const double spinning = cores.othersBusySince(std::chrono::milliseconds(500));
        QVERIFY2(
            spinning <= idle + 0.5,
            qPrintable(QString("others' load %1 while this process spun, %2 while it slept").arg(spinning).arg(idle)));
    }

    // Automatic threads drop to one when other processes take every core; a fixed count stays.
    void automaticThreadsFollowTheLoad()
    {
        const int cores = CoreAvailability().cores();
        if (cores < 2)
            QSKIP("one core: there is no thread count to give up");
        CpuBackend automatic(0), fixed(cores);
        QVERIFY(automatic.followsLoad());
        QVERIFY(!fixed.followsLoad());
        QCOMPARE(automatic.threads(), cores);
        QVERIFY(automatic.description().find("following the load") != std::string::npos);

        BusyProcesses load(cores);
        std::vector<float> a(64 * 64, 1.0f), c(64 * 64);
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
        while (std::chrono::steady_clock::now() < end && automatic.threads() != 1) {
            for (CpuBackend *b : {&automatic, &fixed})
                b->gemmF32(Trans::No, Trans::No, 64, 64, 64, 1.0f, a.data(), 64, a.data(), 64, 0.0f, c.data(), 64);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        QCOMPARE(automatic.threads(), 1);
        QCOMPARE(fixed.threads(), cores);
    }
};

QTEST_APPLESS_MAIN(TestCoreAvailability)
#include "tst_core_availability.moc"
