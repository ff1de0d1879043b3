// The workbench driven as a user would, on the offscreen platform: fill the launcher and start a
// real run, watch the plots receive data, stop it, find it in the browser, compare two runs, export a
// table and a plot, see a failing run's error, queue runs, close during a run.
#include "app/session/run_queue.h"
#include "app/session/run_session.h"
#include "app/store/run_store.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/export/export_dialog.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/live/live_view.h"
#include "ui/main_window.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/unit_heatmap.h"
#include "ui/settings/last_folder.h"
#include "ui/settings/workbench_settings.h"
#include "support/gui_wait.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QGroupBox>
#include <QtTest>
#include <qcustomplot.h>

using namespace ffint8;
using ffint8::testing::kSettleMs;

class TestGuiWorkbench : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;

    // A small real experiment: Fashion-MNIST, a 784-100-100 MLP, progress every 5 batches.
    void fillSmallRun(LauncherForm *form, const QString &name, int epochs, int trainLimit)
    {
        QVERIFY(form->loadPreset(QStringLiteral("quick"), nullptr));
        form->setFieldText(QStringLiteral("name"), name);
        form->setFieldText(QStringLiteral("model.layers"), QStringLiteral("784,100,100"));
        form->setFieldText(QStringLiteral("training.epochs"), QString::number(epochs));
        form->setFieldText(QStringLiteral("dataset.train_limit"), QString::number(trainLimit));
        form->setFieldText(QStringLiteral("dataset.test_limit"), QStringLiteral("500"));
        form->setFieldText(QStringLiteral("training.metrics_every"), QStringLiteral("5"));
        form->setFieldText(QStringLiteral("backend.threads"), QStringLiteral("1"));
        form->setFieldText(QStringLiteral("telemetry.source"), QStringLiteral("none"));
    }

    static QPushButton *buttonNamed(QWidget *parent, const QString &text)
    {
        for (QPushButton *b : parent->findChildren<QPushButton *>())
            if (b->text().remove('&') == text)
                return b;
        return nullptr;
    }

    static std::optional<RunRecord> storedRun(const QString &db, const QString &name)
    {
        RunStore store(db);
        for (const RunRecord &r : store.runs())
            if (r.name == name)
                return r;
        return std::nullopt;
    }

    // The browser's rows whose cells hold `text` (in any column).
    static int rowsHolding(RunsBrowser *browser, const QString &text)
    {
        QAbstractItemModel *model = browser->view()->model();
        int found = 0;
        for (int row = 0; row < model->rowCount(); ++row)
            for (int column = 0; column < model->columnCount(); ++column)
                if (model->index(row, column).data().toString() == text) {
                    ++found;
                    break;
                }
        return found;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Settings and window state of this test stay in its own folder.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
        QCoreApplication::setOrganizationName("ffint8-tests");
        QCoreApplication::setApplicationName("tst_gui_workbench");
        m_db = m_dir.filePath("runs.sqlite");
    }

    void badFieldIsShownBesideItAndNothingStarts()
    {
        MainWindow window(m_db);
        LauncherForm *form = window.launchPanel()->form();
        form->setFieldText("training.lr", "fast");
        auto *error = window.findChild<QLabel *>("training.lr.error");
        QVERIFY(error);
        QVERIFY2(error->text().contains("fast"), qPrintable(error->text()));
        QVERIFY(!window.launchPanel()->runButton()->isEnabled());
        QVERIFY(!window.launchPanel()->requestRun());
        QVERIFY(window.launchPanel()->problems().contains("training.lr"));
        QVERIFY(!window.queue()->isRunning());
        form->setFieldText("training.lr", "0.03");
        QVERIFY(error->text().isEmpty());
        QVERIFY(window.launchPanel()->runButton()->isEnabled());
    }

    // Settings the chosen algorithm ignores are greyed out, and say why; choosing another algorithm
    // brings them back.
    void settingsTheAlgorithmIgnoresAreGreyedOut()
    {
        MainWindow window(m_db);
        LauncherForm *form = window.launchPanel()->form();
        auto group = [&](const char *key) { return form->findChild<QGroupBox *>(QStringLiteral("group.") + key); };
        QVERIFY(group("ff") && group("ff.lookahead") && group("int8") && group("ui8") && group("training"));
        form->setFieldText("algorithm", "ff-int8");
        QVERIFY(group("ff")->isEnabled() && group("ff.lookahead")->isEnabled() && group("int8")->isEnabled());
        QVERIFY(!group("ui8")->isEnabled());
        form->setFieldText("algorithm", "bp-fp32");
        QVERIFY(!group("ff")->isEnabled() && !group("ff.lookahead")->isEnabled() && !group("int8")->isEnabled());
        QVERIFY2(group("ff")->toolTip().contains("bp-fp32"), qPrintable(group("ff")->toolTip()));
        QVERIFY(group("training")->isEnabled());
        form->setFieldText("algorithm", "bp-ui8");
        QVERIFY(group("ui8")->isEnabled() && group("int8")->isEnabled() && !group("ff")->isEnabled());
        // BP-UI8 sets its own quantisers: of the INT8 group only the optimizer state applies.
        QVERIFY(form->findChild<QWidget *>("int8.optimizer_state")->isEnabled());
        QVERIFY(!form->findChild<QWidget *>("int8.weight_rounding")->isEnabled());
        QVERIFY(window.launchPanel()->runButton()->isEnabled()); // greyed out is not invalid

        // A value in error stays editable when its group no longer applies, so that it can be fixed.
        form->setFieldText("algorithm", "ff-int8");
        form->setFieldText("ff.theta", "high");
        QVERIFY(!window.launchPanel()->runButton()->isEnabled());
        form->setFieldText("algorithm", "bp-fp32");
        QVERIFY(group("ff")->isEnabled());
        form->setFieldText("ff.theta", "2");
        QVERIFY(window.launchPanel()->runButton()->isEnabled());
        form->setFieldText("algorithm", "bp-int8");
        QVERIFY(!group("ff")->isEnabled());
    }

    void launchWatchStopFindCompareExport()
    {
        MainWindow window(m_db);
        window.show();
        LaunchPanel *launch = window.launchPanel();

        // 1. A long run from the form: the live view receives data, then the user stops it.
        fillSmallRun(launch->form(), "gui stopped", 200, 0);
        QTest::mouseClick(launch->runButton(), Qt::LeftButton);
        QVERIFY(window.queue()->isRunning());
        QCOMPARE(window.tabs()->currentWidget(), window.liveView());
        LivePlot *goodness = window.liveView()->plotNamed("goodness");
        QVERIFY(goodness);
        // The per-unit curves exist once the run has started and named its units.
        QTRY_VERIFY_WITH_TIMEOUT(goodness->seriesCount() > 0 && goodness->pointCount(0) > 3, 60000);
        QCOMPARE(goodness->seriesName(0), QString("fc1 +"));
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->plotNamed("loss")->pointCount(0) > 3, 60000);
        QPushButton *stop = buttonNamed(window.liveView(), "Stop");
        QVERIFY(stop);
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->statusText().contains("cancelled"), kSettleMs);
        std::optional<RunRecord> stopped = storedRun(m_db, "gui stopped");
        QVERIFY(stopped);
        QCOMPARE(stopped->status, QString("cancelled"));

        // 2. A short run to completion.
        fillSmallRun(launch->form(), "gui completed", 2, 3000);
        QVERIFY(launch->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->statusText().contains("completed"), kSettleMs);
        QCOMPARE(window.liveView()->plotNamed("accuracy")->pointCount(0), 2);
        std::optional<RunRecord> completed = storedRun(m_db, "gui completed");
        QVERIFY(completed);
        QCOMPARE(completed->status, QString("completed"));
        QCOMPARE(completed->epochsDone, 2);

        // 3. Both are in the browser.
        window.tabs()->setCurrentWidget(window.browser());
        QTRY_COMPARE_WITH_TIMEOUT(rowsHolding(window.browser(), "gui stopped"), 1, kSettleMs);
        QCOMPARE(rowsHolding(window.browser(), "gui completed"), 1);

        // 4. Compare them: one curve per run.
        window.browser()->selectRuns({stopped->id, completed->id});
        QCOMPARE(window.browser()->selectedRunIds().size(), 2);
        QVERIFY(window.browser()->compareAction()->isEnabled());
        window.browser()->compareAction()->trigger();
        QCOMPARE(window.tabs()->currentWidget(), window.compareView());
        QCOMPARE(window.compareView()->plot()->graphCount(), 2);

        // 5. A table of the two runs, and a plot.
        ExportDialog dialog(window.store(), {stopped->id, completed->id}, &window);
        const QString table = m_dir.filePath("table.csv");
        QString error;
        QVERIFY2(dialog.exportTo(table, &error), qPrintable(error));
        QFile csv(table);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray text = csv.readAll();
        QVERIFY(text.contains("gui stopped"));
        QVERIFY(text.contains("gui completed"));
        QVERIFY(text.contains("cancelled"));
        // The paper layout leaves the stopped run out, and the dialog says so.
        dialog.setTableLayout(TableLayout::Paper);
        QVERIFY2(dialog.noteText().contains(QStringLiteral("did not finish: %1 (cancelled)").arg(stopped->id)),
                 qPrintable(dialog.noteText()));
        dialog.setTableLayout(TableLayout::Long);
        QVERIFY(dialog.noteText().isEmpty());
        const QString png = m_dir.filePath("goodness.png");
        QVERIFY2(window.exportPlot("live/goodness", png, &error), qPrintable(error));
        QVERIFY(!QImage(png).isNull());
        QVERIFY(!window.exportPlot("live/nothing", png, &error));
        QVERIFY(error.contains("live/nothing"));

        // 6. Opening a finished run's plots from the browser shows its stored epochs.
        window.browser()->selectRuns({completed->id});
        window.browser()->openAction()->trigger();
        QCOMPARE(window.tabs()->currentWidget(), window.liveView());
        QCOMPARE(window.liveView()->plotNamed("accuracy")->pointCount(0), 2);
    }

    void failingRunShowsItsErrorAndIsStored()
    {
        MainWindow window(m_db);
        fillSmallRun(window.launchPanel()->form(), "gui no data", 1, 100);
        window.launchPanel()->form()->setFieldText("dataset.name", "no-such-dataset");
        QVERIFY(window.launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->statusText().contains("no-such-dataset"), kSettleMs);
        std::optional<RunRecord> failed = storedRun(m_db, "gui no data");
        QVERIFY(failed);
        QCOMPARE(failed->status, QString("failed"));
        QVERIFY(failed->message.contains("no-such-dataset"));
        // The window lives on and runs the next experiment.
        fillSmallRun(window.launchPanel()->form(), "gui after failure", 1, 500);
        QVERIFY(window.launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 60000);
        QCOMPARE(storedRun(m_db, "gui after failure")->status, QString("completed"));
    }

    // BP has no goodness: its first two plots show each layer's output-gradient norm and the
    // direction deviation of its INT8 quantisation (1 - cos, so within [0, 2]).
    void backpropRunsPlotGradientNormAndDeviation()
    {
        MainWindow window(m_db);
        LauncherForm *form = window.launchPanel()->form();
        fillSmallRun(form, "gui bp-int8", 1, 2000);
        form->setFieldText("algorithm", "bp-int8");
        form->setFieldText("training.lr", "0.001");
        QVERIFY(window.launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 60000);
        QVERIFY(window.liveView()->statusText().startsWith("completed"));
        LivePlot *norms = window.liveView()->plotNamed("goodness");
        LivePlot *deviation = window.liveView()->plotNamed("separation");
        QVERIFY(norms->title().contains("gradient norm"));
        QVERIFY(deviation->title().contains("deviation"));
        // BP's units are the hidden layers and the head, as the mlp preset's graph names them.
        QCOMPARE(window.liveView()->units(), (QStringList{"fc1", "fc2", "head"}));
        QCOMPARE(norms->seriesCount(), 3);
        QCOMPARE(window.liveView()->heatmap()->units(), window.liveView()->units());
        for (int layer = 0; layer < 2; ++layer) {
            QVERIFY(norms->pointCount(layer) > 0);
            QVERIFY(deviation->pointCount(layer) > 0);
            norms->redrawNow();
            deviation->redrawNow();
            for (const QCPGraphData &point : *deviation->customPlot()->graph(layer)->data())
                QVERIFY2(point.value >= 0.0 && point.value <= 2.0, qPrintable(QString::number(point.value)));
            for (const QCPGraphData &point : *norms->customPlot()->graph(layer)->data())
                QVERIFY(point.value > 0.0);
        }
    }

    void queuedRunsRunInTurn()
    {
        MainWindow window(m_db);
        LaunchPanel *launch = window.launchPanel();
        fillSmallRun(launch->form(), "gui queue 1", 1, 2000);
        QVERIFY(launch->requestRun());
        fillSmallRun(launch->form(), "gui queue 2", 1, 1000);
        QVERIFY(launch->requestRun());
        QCOMPARE(window.queue()->pending().size(), 1);
        QCOMPARE(launch->queueList()->count(), 2);
        QVERIFY(launch->queueList()->item(1)->text().contains("gui queue 2"));
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->pending().isEmpty() && !window.queue()->isRunning(), 120000);
        const std::optional<RunRecord> first = storedRun(m_db, "gui queue 1");
        const std::optional<RunRecord> second = storedRun(m_db, "gui queue 2");
        QVERIFY(first && second);
        QCOMPARE(first->status, QString("completed"));
        QCOMPARE(second->status, QString("completed"));
        QVERIFY(first->id < second->id);
        QVERIFY(first->endedAt <= second->startedAt);
    }

    void closingDuringARunAsksAndStopsItCleanly()
    {
        auto window = std::make_unique<MainWindow>(m_db);
        window->show();
        fillSmallRun(window->launchPanel()->form(), "gui closed", 200, 0);
        QVERIFY(window->launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(window->liveView()->plotNamed("loss")->pointCount(0) > 0, 60000);
        QString asked;
        window->confirmClose = [&asked](const QString &question) {
            asked = question;
            return false;
        };
        QVERIFY(!window->close());
        QVERIFY(asked.contains("gui closed"));
        QVERIFY(window->queue()->isRunning());
        window->confirmClose = [](const QString &) { return true; };
        QVERIFY(window->close());
        QVERIFY(!window->queue()->isRunning() || !window->queue()->current()->isRunning());
        window.reset();
        QCOMPARE(storedRun(m_db, "gui closed")->status, QString("cancelled"));
    }

    void runOptionStartsASpecFileOrPreset()
    {
        MainWindow window(m_db);
        const QString spec = m_dir.filePath("small.json");
        fillSmallRun(window.launchPanel()->form(), "gui from file", 1, 500);
        QString error;
        QVERIFY2(window.launchPanel()->form()->saveSpec(spec, &error), qPrintable(error));
        MainWindow second(m_db);
        QVERIFY2(second.launchSpec(spec, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!second.queue()->isRunning(), 60000);
        QCOMPARE(storedRun(m_db, "gui from file")->status, QString("completed"));
        QVERIFY(!second.launchSpec("no-such-preset", &error));
        QVERIFY(error.contains("no-such-preset"));
        QVERIFY(error.contains("quick")); // the presets it could have been
    }

    void settingsFoldersAndWindowStatePersist()
    {
        WorkbenchSettings chosen;
        chosen.databasePath = m_db;
        chosen.datasetFolder = m_dir.filePath("datasets");
        chosen.telemetrySource = "none";
        chosen.telemetryIntervalMs = 500;
        chosen.save();
        const WorkbenchSettings loaded = WorkbenchSettings::load();
        QCOMPARE(loaded.databasePath, chosen.databasePath);
        QCOMPARE(loaded.datasetFolder, chosen.datasetFolder);
        QCOMPARE(loaded.telemetrySource, chosen.telemetrySource);
        QCOMPARE(loaded.telemetryIntervalMs, 500);
        loaded.applyDatasetFolder();
        QCOMPARE(qgetenv("FFINT8_DATA"), chosen.datasetFolder.toLocal8Bit());
        WorkbenchSettings().save();
        WorkbenchSettings::load().applyDatasetFolder();

        rememberFolder("plots", m_dir.filePath("figures/goodness.png"));
        QCOMPARE(lastFolder("plots", "x.pdf"), m_dir.filePath("figures/x.pdf"));
        rememberFolder("plots", QString()); // a cancelled dialog changes nothing
        QCOMPARE(lastFolder("plots"), m_dir.filePath("figures"));

        {
            MainWindow window(m_db);
            window.show();
            window.tabs()->setCurrentWidget(window.browser());
            window.resize(1111, 777);
            QVERIFY(window.close());
        }
        MainWindow reopened(m_db);
        QCOMPARE(reopened.tabs()->currentWidget(), reopened.browser());
        // The offscreen platform adds its frame's height on restore; the width is exact, and neither is
        // the default size (1280 x 860).
        QCOMPARE(reopened.width(), 1111);
        QVERIFY2(qAbs(reopened.height() - 777) <= 50, qPrintable(QString::number(reopened.height())));
    }

    void anUnusableStoreIsRefusedAndLeftAlone()
    {
        const QString junk = m_dir.filePath("notes.txt");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray content = QByteArray("not a database, and it must stay as it is\n").repeated(200);
        f.write(content);
        f.close();
        MainWindow window(m_db);
        QString error;
        QVERIFY(!window.openDatabase(junk, &error));
        QVERIFY2(error.contains(junk), qPrintable(error));
        QCOMPARE(window.databasePath(), m_db); // the open store stays
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content);
    }

    // A store that does not open at startup: the window says which file and why, and starts no run
    // that would leave no record.
    void withoutAStoreNothingStartsAndTheReasonIsShown()
    {
        const QString junk = m_dir.filePath("junk-store.txt");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("not a database\n").repeated(100));
        f.close();
        MainWindow window(junk);
        QVERIFY(!window.store());
        auto *storeLabel = window.findChild<QLabel *>("storeLabel");
        QVERIFY(storeLabel);
        QVERIFY2(storeLabel->text().contains(junk), qPrintable(storeLabel->text()));
        fillSmallRun(window.launchPanel()->form(), "gui without store", 1, 500);
        window.launchPanel()->requestRun();
        QVERIFY(!window.queue()->isRunning());
        QVERIFY(!window.queue()->current());
        QVERIFY2(window.statusBar()->currentMessage().contains(junk), qPrintable(window.statusBar()->currentMessage()));
        QString error;
        QVERIFY(!window.launchSpec("quick", &error));
        QVERIFY2(error.contains(junk), qPrintable(error));
        QVERIFY(!window.queue()->current());
    }

    // Pause and stop are offered only while a run trains, and the training run cannot be deleted
    // from the browser under its session.
    void stopAndDeleteFollowTheRun()
    {
        MainWindow window(m_db);
        window.show();
        auto *stopAction = window.findChild<QAction *>("stopAction");
        auto *pauseAction = window.findChild<QAction *>("pauseAction");
        auto *stopCurrent = window.launchPanel()->findChild<QPushButton *>("stopCurrent");
        QVERIFY(stopAction && pauseAction && stopCurrent);
        QVERIFY(!stopAction->isEnabled() && !pauseAction->isEnabled() && !stopCurrent->isEnabled());

        fillSmallRun(window.launchPanel()->form(), "gui not deletable", 200, 0);
        QVERIFY(window.launchPanel()->requestRun());
        QVERIFY(stopAction->isEnabled() && pauseAction->isEnabled() && stopCurrent->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(rowsHolding(window.browser(), "gui not deletable"), 1, 60000);
        const qint64 id = window.queue()->current()->runId();
        QVERIFY(id > 0);
        int asked = 0;
        BrowserAskers askers;
        askers.confirm = [&asked](const QString &, const QString &) {
            ++asked;
            return true;
        };
        window.browser()->setAskers(askers);
        window.browser()->selectRuns({id});
        window.browser()->deleteSelected();
        QCOMPARE(asked, 0);
        QVERIFY(storedRun(m_db, "gui not deletable"));

        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->plotNamed("loss")->pointCount(0) > 0, 60000);
        QPushButton *stop = window.liveView()->findChild<QPushButton *>("stopButton");
        QPushButton *pause = window.liveView()->findChild<QPushButton *>("pauseButton");
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(!pause->isEnabled()); // a stopping run is not paused or resumed any more
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 60000);
        QVERIFY(!stopAction->isEnabled() && !pauseAction->isEnabled() && !stopCurrent->isEnabled());

        // Ended, it can go.
        window.browser()->selectRuns({id});
        window.browser()->deleteSelected();
        QCOMPARE(asked, 1);
        QVERIFY(!storedRun(m_db, "gui not deletable"));
    }

    // Stop from the Run menu (or the queue's button) shows in the live view as a stop from its own
    // button does: "stopping", and no pause, until the run ends as cancelled.
    void menuStopShowsStopping()
    {
        MainWindow window(m_db);
        window.show();
        fillSmallRun(window.launchPanel()->form(), "gui menu stop", 200, 0);
        QVERIFY(window.launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->plotNamed("loss")->pointCount(0) > 0, 60000);
        QPushButton *pause = window.liveView()->findChild<QPushButton *>("pauseButton");
        QVERIFY(pause->isEnabled());
        window.findChild<QAction *>("stopAction")->trigger();
        QVERIFY2(window.liveView()->statusText().contains("stopping"), qPrintable(window.liveView()->statusText()));
        QVERIFY(!pause->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 60000);
        QCOMPARE(storedRun(m_db, "gui menu stop")->status, QString("cancelled"));
    }

    // Runs waiting in the queue are recorded in the store the user switched to, where the browser
    // looks; the run training keeps the store it opened.
    void queuedRunsFollowAStoreSwitch()
    {
        const QString other = m_dir.filePath("switched.sqlite");
        MainWindow window(m_db);
        fillSmallRun(window.launchPanel()->form(), "gui switch training", 200, 0);
        QVERIFY(window.launchPanel()->requestRun());
        fillSmallRun(window.launchPanel()->form(), "gui switch waiting", 1, 500);
        QVERIFY(window.launchPanel()->requestRun());
        QString error;
        QVERIFY2(window.openDatabase(other, &error), qPrintable(error));
        QVERIFY2(window.statusBar()->currentMessage().contains(m_db), qPrintable(window.statusBar()->currentMessage()));
        window.queue()->stopCurrent();
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->pending().isEmpty() && !window.queue()->isRunning(), 60000);
        QCOMPARE(storedRun(m_db, "gui switch training")->status, QString("cancelled"));
        QVERIFY(!storedRun(m_db, "gui switch waiting"));
        const std::optional<RunRecord> waiting = storedRun(other, "gui switch waiting");
        QVERIFY(waiting);
        QCOMPARE(waiting->status, QString("completed"));
        QTRY_COMPARE_WITH_TIMEOUT(rowsHolding(window.browser(), "gui switch waiting"), 1, kSettleMs);
    }

    // A live plot redraws on a timer; an export right after its data came must not miss any.
    void anExportedLivePlotHoldsEveryPoint()
    {
        qint64 id = 0;
        {
            RunStore store(m_db);
            RunRecord r;
            r.name = "gui exported";
            r.specJson = "{}";
            r.algorithm = "ff-int8";
            r.dataset = "fashion-mnist";
            r.backend = "reference";
            id = store.createRun(r);
            for (int epoch = 0; epoch < 3; ++epoch) {
                EpochMetrics e;
                e.epoch = epoch;
                e.testAccuracy = 0.5 + 0.1 * epoch;
                e.monotonicStart = epoch;
                e.monotonicEnd = epoch + 1;
                store.addEpoch(id, e);
            }
        }
        MainWindow window(m_db);
        window.liveView()->showStoredRun(*window.store(), id);
        QString error;
        QVERIFY2(window.exportPlot("live/accuracy", m_dir.filePath("accuracy.png"), &error), qPrintable(error));
        QCOMPARE(window.liveView()->plotNamed("accuracy")->customPlot()->graph(0)->data()->size(), 3);
    }
};

QTEST_MAIN(TestGuiWorkbench)
#include "tst_gui_workbench.moc"
