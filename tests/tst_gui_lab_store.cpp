// The workbench on a store that other boards write to: the live view follows a run another process
// is training (its new reports, epochs and power samples drawn as they reach the store, until it
// ends), the runs browser shows and filters by board, and on a PostgreSQL store (a real server,
// tests/support/postgres_server.h) lists the runs other boards add without being asked.
#include "app/store/run_store.h"
#include "app/store/run_writer.h"
#include "support/postgres_server.h"
#include "ui/browser/run_filter_bar.h"
#include "ui/browser/run_table_model.h"
#include "ui/browser/runs_browser.h"
#include "ui/live/live_view.h"
#include "ui/live/stored_run_follower.h"
#include "ui/plot/live_plot.h"
#include "support/gui_wait.h"

#include <QComboBox>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace ffint8;
using ffint8::testing::kSettleMs;

class TestGuiLabStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static EpochMetrics epoch(int index, double accuracy)
    {
        EpochMetrics e;
        e.epoch = index;
        e.testAccuracy = accuracy;
        e.trainSeconds = 1.0;
        e.monotonicStart = 100.0 + index;
        e.monotonicEnd = 101.0 + index;
        e.layers = {LayerMetrics{2.0, 0.5, 0.1, NAN, NAN}};
        return e;
    }

    static StoredProgress report(qint64 step)
    {
        StoredProgress p;
        p.step = step;
        p.metrics.batch = int(step);
        p.metrics.batchesPerEpoch = 100;
        p.metrics.trainLoss = 1.0 / double(step);
        p.metrics.layers = {LayerMetrics{1.0 + 0.01 * double(step), 0.5, 0.1, NAN, NAN}};
        return p;
    }

private slots:
    void followsARunTrainingElsewhere()
    {
        const QString path = m_dir.filePath("shared.sqlite");
        RunStore board(path); // the other process's connection, recording the run
        RunRecord r;
        r.name = "trained on another board";
        r.algorithm = "ff-int8";
        r.dataset = "fashion-mnist";
        r.specJson = R"({"training": {"epochs": 3}})";
        r.board = "orin-nano-3";
        const qint64 id = board.createRun(r);
        board.setUnits(id, {"fc1"});
        board.addProgress(id, {report(50), report(100)});
        board.addEpoch(id, epoch(0, 0.5));

        RunStore store(path); // the workbench's
        LiveView view;
        view.resize(1000, 800);
        view.show();
        view.showStoredRun(store, id);
        QVERIFY(view.follower() && view.follower()->following());
        QVERIFY2(view.statusText().contains("orin-nano-3"), qPrintable(view.statusText()));
        QCOMPARE(view.progressText(), QString("1 of 3 epochs stored"));
        LivePlot *accuracy = view.plotNamed("accuracy");
        const qint64 accuracyPoints = accuracy->pointCount(0);

        // The other board goes on: the view draws what it adds, at the follower's next look.
        board.addProgress(id, {report(150), report(200)});
        board.addEpoch(id, epoch(1, 0.75));
        board.addSamples(id, {{101.5, 7.0}, {102.0, 7.5}});
        QTRY_COMPARE_WITH_TIMEOUT(view.progressText(), QString("2 of 3 epochs stored"), kSettleMs);
        QVERIFY(accuracy->pointCount(0) > accuracyPoints);
        QTRY_VERIFY_WITH_TIMEOUT(view.plotNamed("power")->pointCount(0) >= 2, kSettleMs);

        // It ends there: following stops, and the outcome is shown.
        board.addEpoch(id, epoch(2, 0.8));
        board.finishRun(id, RunResult{"completed", {}, 3, 0.8, NAN, 3.0, 3.5, NAN, 0, 0});
        QTRY_VERIFY_WITH_TIMEOUT(!view.follower(), kSettleMs);
        QTRY_VERIFY_WITH_TIMEOUT(view.statusText().startsWith("completed"), kSettleMs);
        QCOMPARE(view.progressText(), QString("3 of 3 epochs stored"));
    }

    // A finished run is not followed; a store closing stops the following first.
    void followsOnlyRunningRuns()
    {
        RunStore store(m_dir.filePath("finished.sqlite"));
        RunRecord r;
        r.name = "done";
        const qint64 done = store.createRun(r);
        store.finishRun(done, RunResult{"completed", {}, 1, 0.5, NAN, 1.0, 1.0, NAN, 0, 0});
        const qint64 running = store.createRun(r);
        LiveView view;
        view.showStoredRun(store, done);
        QVERIFY(!view.follower());
        view.showStoredRun(store, running);
        QVERIFY(view.follower());
        view.stopFollowing();
        QVERIFY(!view.follower());
    }

    void browserShowsAndFiltersBoards()
    {
        RunStore store(m_dir.filePath("boards.sqlite"));
        for (const char *name : {"orin-nano-1", "orin-nx", "orin-nano-1"}) {
            RunRecord r;
            r.name = QStringLiteral("on %1").arg(name);
            r.board = name;
            store.createRun(r);
        }
        RunsBrowser browser;
        browser.setStore(&store);
        auto *model = qobject_cast<QSortFilterProxyModel *>(browser.view()->model());
        QVERIFY(model);
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(model->headerData(RunTableModel::BoardColumn, Qt::Horizontal).toString(), QString("Board"));
        QCOMPARE(model->index(1, RunTableModel::BoardColumn).data().toString(), QString("orin-nx"));
        QComboBox *boards = browser.findChild<RunFilterBar *>()->boardCombo();
        QCOMPARE(boards->count(), 3); // all, and the two boards
        boards->setCurrentIndex(boards->findData("orin-nano-1"));
        QCOMPARE(model->rowCount(), 2);
        for (int row = 0; row < 2; ++row)
            QCOMPARE(model->index(row, RunTableModel::BoardColumn).data().toString(), QString("orin-nano-1"));
    }

    // On a PostgreSQL store the browser lists again by itself: at once when a writer says it wrote
    // (notifications), and on its timer for what no notification announced.
    void browserListsOtherBoardsRunsOnAPostgresStore()
    {
        ffint8::testing::PostgresServer server;
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QString lab = server.newStore();
        RunStore store(lab);
        RunsBrowser browser;
        browser.show();
        browser.setStore(&store);
        QCOMPARE(browser.view()->model()->rowCount(), 0);
        QVERIFY(browser.sharedStoreTimer()->isActive());

        // The timer out of the way: a writer's notification alone lists the store again.
        browser.sharedStoreTimer()->stop();
        {
            RunWriter writer(lab);
            RunRecord r;
            r.name = "announced";
            r.board = "xavier-nx";
            writer.createRun(r, {}, {});
        }
        QTRY_COMPARE_WITH_TIMEOUT(browser.view()->model()->rowCount(), 1, kSettleMs);
        QCOMPARE(browser.view()->model()->index(0, RunTableModel::BoardColumn).data().toString(), QString("xavier-nx"));

        // A write no notification announced (a plain connection): the timer finds it.
        RunStore otherBoard(lab);
        RunRecord quiet;
        quiet.name = "unannounced";
        otherBoard.createRun(quiet);
        browser.sharedStoreTimer()->start(200);
        QTRY_COMPARE_WITH_TIMEOUT(browser.view()->model()->rowCount(), 2, kSettleMs);

        // The live view following a run there hears of its new epochs the same way, without its timer.
        LiveView view;
        RunWriter writer(lab);
        RunRecord r3;
        r3.name = "followed";
        r3.specJson = R"({"training": {"epochs": 2}})";
        const qint64 id = writer.createRun(r3, {}, {}, {"fc1"});
        view.showStoredRun(store, id);
        QVERIFY(view.follower() && view.follower()->following());
        view.follower()->setPollInterval(3600 * 1000); // its timer out of the way: notifications only
        writer.addEpoch(id, epoch(0, 0.5), {});
        QVERIFY(writer.flush(10000));
        QTRY_COMPARE_WITH_TIMEOUT(view.progressText(), QString("1 of 2 epochs stored"), kSettleMs);
        browser.setStore(nullptr);
    }
};

QTEST_MAIN(TestGuiLabStore)
#include "tst_gui_lab_store.moc"
