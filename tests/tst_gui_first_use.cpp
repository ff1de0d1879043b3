// What a new user hits first, driven on the offscreen platform: the learning rate following the
// method in the launcher, suites opened and queued, the live view readable on a laptop screen, and
// the compare view's summary bars.
#include "app/session/run_queue.h"
#include "app/store/run_store.h"
#include "engine/nn/model_spec_diff.h"
#include "ui/browser/run_filter_bar.h"
#include "ui/browser/run_table_model.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/summary_bars.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/live/live_view.h"
#include "ui/main_window.h"
#include "ui/plot/live_plot.h"
#include "support/gui_wait.h"

#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace ffint8;
using ffint8::testing::kSettleMs;

class TestGuiFirstUse : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    QList<qint64> m_suiteRuns; // the runs of the small suite, once it has run

    // Two small real runs, FF and BP, on a 784-64 MLP: seconds each.
    QString writeSmallSuite()
    {
        const QString path = m_dir.filePath("tiny-suite.json");
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(R"({"format": "ffint8-suite", "version": 1, "name": "tiny-suite", "base": "quick",
            "set": {"model.layers": [784, 64], "training.epochs": 1, "dataset.train_limit": 600,
                    "dataset.test_limit": 200, "training.metrics_every": 5, "backend.threads": 1},
            "runs": [{"name": "tiny ff", "set": {"algorithm": "ff-int8"}},
                     {"name": "tiny bp", "set": {"algorithm": "bp-fp32"}}]})");
        return path;
    }

    static QRectF legendRect(QCustomPlot *plot) { return plot->legend->outerRect(); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
        QCoreApplication::setOrganizationName("ffint8-tests");
        QCoreApplication::setApplicationName("tst_gui_first_use");
        m_db = m_dir.filePath("runs.sqlite");
    }

    // Switching between FF and BP takes the new method's learning rate unless the user typed one,
    // and the note beside the field says which happened.
    void learningRateFollowsTheMethodUntilTheUserTypesOne()
    {
        MainWindow window(m_db);
        window.show();
        LauncherForm *form = window.launchPanel()->form();
        QVERIFY(form->loadPreset("quick", nullptr));
        auto *lr = qobject_cast<QLineEdit *>(form->field("training.lr"));
        auto *note = form->findChild<QLabel *>("training.lr.note");
        QVERIFY(lr && note);
        QCOMPARE(lr->text(), QString("0.03"));
        QVERIFY(note->isHidden());

        form->setFieldText("algorithm", "bp-fp32");
        QCOMPARE(lr->text(), QString("0.001"));
        QVERIFY(note->isVisible());
        QVERIFY2(note->text().contains("bp-fp32") && note->text().contains("0.001"), qPrintable(note->text()));
        QCOMPARE(form->spec()->config.lr, 0.001f);
        form->setFieldText("algorithm", "bp-ui8"); // the same default: nothing to change
        QCOMPARE(lr->text(), QString("0.001"));
        form->setFieldText("algorithm", "ff-fp32");
        QCOMPARE(lr->text(), QString("0.03"));

        // Typed by the user: kept across methods, and the note says what the method's own would be.
        lr->selectAll();
        QTest::keyClicks(lr, "0.005");
        QCOMPARE(lr->text(), QString("0.005"));
        QVERIFY(note->isHidden());
        form->setFieldText("algorithm", "bp-int8");
        QCOMPARE(lr->text(), QString("0.005"));
        QVERIFY2(note->text().contains("0.005") && note->text().contains("0.001"), qPrintable(note->text()));
        QCOMPARE(form->spec()->config.lr, 0.005f);

        // A preset loaded afresh follows its method again.
        QVERIFY(form->loadPreset("quick", nullptr));
        form->setFieldText("algorithm", "bp-fp32");
        QCOMPARE(lr->text(), QString("0.001"));
    }

    // The shipped spec of a model described layer by layer: the model field shows its name, the
    // spec the form makes (and saves) keeps the model, and naming a preset there replaces it.
    void aDescribedModelStaysWithTheForm()
    {
        LauncherForm form;
        QVERIFY(form.presetNames().contains("custom-cnn"));
        QString error;
        QVERIFY2(form.loadPreset("custom-cnn", &error), qPrintable(error));
        auto *model = qobject_cast<QLineEdit *>(form.field("model.preset"));
        QVERIFY(model);
        QCOMPARE(model->text(), QString("tiny-resnet"));
        QVERIFY(form.isValid());
        const ExperimentSpec file = parseSpecFile(FFINT8_SOURCE_DIR "/experiments/custom-cnn.json");
        QVERIFY(file.config.customModel);
        std::optional<ExperimentSpec> spec = form.spec();
        QVERIFY(spec && spec->config.customModel);
        QCOMPARE(modelSpecDifference(*spec->config.customModel, *file.config.customModel, "form", "file"), std::string());
        const QString saved = m_dir.filePath("from-form.json");
        QVERIFY2(form.saveSpec(saved, &error), qPrintable(error));
        const ExperimentSpec reread = parseSpecFile(saved);
        QVERIFY(reread.config.customModel);
        QCOMPARE(modelSpecDifference(*reread.config.customModel, *file.config.customModel, "saved", "file"), std::string());

        form.setFieldText("model.preset", "cnn-small");
        QVERIFY(form.isValid());
        spec = form.spec();
        QVERIFY(spec && !spec->config.customModel);
        QCOMPARE(spec->config.model, std::string("cnn-small"));
        form.setFieldText("model.preset", "tiny-resnet"); // the described model again
        spec = form.spec();
        QVERIFY(spec && spec->config.customModel);
    }

    // A suite opened in the launcher offers to queue all its runs; they are recorded under its name
    // and the Runs tab filters on it.
    void aSuiteIsQueuedWholeAndFilteredInTheRunsTab()
    {
        const QString path = writeSmallSuite();
        QVERIFY(!path.isEmpty());
        MainWindow window(m_db);
        window.show();
        LaunchPanel *launch = window.launchPanel();
        QString error;
        QVERIFY2(launch->form()->loadFile(path, &error), qPrintable(error));
        QCOMPARE(qobject_cast<QLineEdit *>(launch->form()->field("name"))->text(), QString("tiny ff")); // the first run
        QVERIFY(launch->queueSuiteButton()->isVisible());
        QCOMPARE(launch->queueSuiteButton()->text(), QString("Queue all 2 runs"));
        QVERIFY(launch->suiteLabel()->text().contains("tiny bp"));
        QVERIFY(!window.queue()->isRunning()); // opening alone queues nothing
        QTest::mouseClick(launch->queueSuiteButton(), Qt::LeftButton);
        QVERIFY(window.queue()->isRunning());
        QCOMPARE(window.queue()->pending().size(), 1);
        QVERIFY(launch->queueList()->item(1)->text().contains("suite tiny-suite"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning() && window.queue()->pending().isEmpty(), 120000);

        RunStore store(m_db);
        RunFilter suiteFilter;
        suiteFilter.suite = "tiny-suite";
        const QList<RunRecord> runs = store.runs(suiteFilter);
        QCOMPARE(runs.size(), 2);
        for (const RunRecord &run : runs) {
            QCOMPARE(run.status, QString("completed"));
            // Each run at its own method's learning rate.
            QString lr;
            for (const auto &[key, value] : store.params(run.id))
                if (key == "training.lr")
                    lr = value;
            QCOMPARE(lr.toDouble(), run.algorithm == "bp-fp32" ? 0.001 : 0.03);
            m_suiteRuns.prepend(run.id);
        }
        std::sort(m_suiteRuns.begin(), m_suiteRuns.end());

        // The Runs tab: a suite column, and a filter that leaves the suite's runs alone.
        RunsBrowser *browser = window.browser();
        QComboBox *suites = browser->filterBar()->suiteCombo();
        const int index = suites->findData("tiny-suite");
        QVERIFY(index > 0);
        suites->setCurrentIndex(index);
        QAbstractItemModel *model = browser->view()->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, kSettleMs);
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->index(row, RunTableModel::SuiteColumn).data().toString(), QString("tiny-suite"));
        QCOMPARE(model->headerData(RunTableModel::SuiteColumn, Qt::Horizontal).toString(), QString("Suite"));
    }

    // --run SUITE (a built-in one here) queues every run at once; a broken suite is refused with its
    // file, line and field.
    void runOptionQueuesEveryRunOfASuite()
    {
        MainWindow window(m_db);
        QString error;
        QVERIFY2(window.launchSpec("paper-mlp-fashion", &error), qPrintable(error));
        QVERIFY(window.queue()->isRunning());
        QCOMPARE(window.queue()->pending().size(), 5);
        QCOMPARE(window.queue()->pending().first().suite, QString("paper-mlp-fashion"));
        QCOMPARE(window.queue()->pending().first().spec.config.lr, 0.001f); // bp-int8
        window.queue()->stopAll();
        window.queue()->waitForCurrent();

        const QString broken = m_dir.filePath("broken-suite.json");
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "{\"format\": \"ffint8-suite\", \"version\": 1,\n \"runs\": [{\"set\": {\"training.lr\": \"fast\"}}]}");
        file.close();
        QVERIFY(!window.launchSpec(broken, &error));
        QVERIFY2(error.contains("broken-suite.json:2:") && error.contains("training.lr"), qPrintable(error));

        // The presets list the built-in suites too.
        QVERIFY(window.launchPanel()->form()->presetNames().contains("lookahead-ablation"));
        QVERIFY(window.launchPanel()->form()->loadPreset("lookahead-ablation", &error));
        QCOMPARE(window.launchPanel()->queueSuiteButton()->text(), QString("Queue all 18 runs"));
    }

    // Before any run the live view says what it waits for; each plot names what it shows in the
    // export list by its title.
    void anEmptyLiveViewSaysWhatItWaitsFor()
    {
        MainWindow window(m_db);
        QVERIFY2(window.liveView()->statusText().contains("Launch"), qPrintable(window.liveView()->statusText()));
        for (LivePlot *plot : window.liveView()->plots())
            QVERIFY2(!plot->message().isEmpty(), qPrintable(plot->objectName()));
        for (const QString &name : window.plotNames()) {
            const QString title = window.plotTitle(name);
            QVERIFY2(!title.isEmpty() && !title.contains('/'), qPrintable(name + ": " + title));
        }
        QCOMPARE(window.plotTitle("live/loss"), QString("Live: Train loss"));
        QCOMPARE(MainWindow::plotFileName("Live: Train loss"), QString("live-train-loss.png"));
    }

    // At 1366x768 and 1920x1080 every plot is at least 200 px tall (the grid scrolls), legends stand
    // beside the data, and the memory plot gives the engine's account an axis of its own.
    void liveViewIsReadableOnLaptopAndDesktopScreens()
    {
        QVERIFY(!m_suiteRuns.isEmpty());
        MainWindow window(m_db);
        window.show();
        window.browser()->selectRuns({m_suiteRuns.first()});
        window.browser()->openAction()->trigger();
        QCOMPARE(window.tabs()->currentWidget(), window.liveView());
        for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)}) {
            window.resize(size);
            QTRY_COMPARE_WITH_TIMEOUT(window.size(), size, kSettleMs);
            QCoreApplication::processEvents();
            for (LivePlot *plot : window.liveView()->plots()) {
                plot->redrawNow();
                QVERIFY2(plot->height() >= 200,
                         qPrintable(QStringLiteral("%1 at %2x%3: %4 px")
                                        .arg(plot->objectName())
                                        .arg(size.width())
                                        .arg(size.height())
                                        .arg(plot->height())));
                QCustomPlot *custom = plot->customPlot();
                if (custom->legend->visible() && custom->legend->itemCount() > 0)
                    QVERIFY2(!legendRect(custom).intersects(custom->axisRect()->rect()),
                             qPrintable(plot->objectName()));
            }
        }
        LivePlot *memory = window.liveView()->plotNamed("memory");
        QCustomPlot *custom = memory->customPlot();
        QCPGraph *engine = custom->graph(0);
        QVERIFY(engine->name().contains("engine"));
        QCOMPARE(engine->valueAxis(), custom->yAxis2);
        QVERIFY(engine->data()->size() > 0);
        const double peak = engine->data()->at(0)->value;
        // The account fills its axis, not a sliver of the RSS's.
        QVERIFY2(custom->yAxis2->range().upper < peak * 2.0,
                 qPrintable(QString::number(custom->yAxis2->range().upper)));
    }

    // A run that fails before it starts is stored: the header names it, as the Runs tab does.
    void aFailedRunsHeaderNamesItsStoredRun()
    {
        MainWindow window(m_db);
        LauncherForm *form = window.launchPanel()->form();
        QVERIFY(form->loadPreset("quick", nullptr));
        form->setFieldText("name", "first-use missing data");
        form->setFieldText("dataset.name", "no-such-dataset");
        QVERIFY(window.launchPanel()->requestRun());
        QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isRunning(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->statusText().contains("no-such-dataset"), kSettleMs);
        RunStore store(m_db);
        RunFilter filter;
        filter.text = "first-use missing data";
        const QList<RunRecord> runs = store.runs(filter);
        QCOMPARE(runs.size(), 1);
        const QString title = window.liveView()->titleText();
        QVERIFY2(title.contains(QStringLiteral("run %1").arg(runs.first().id)) && !title.contains("not stored"),
                 qPrintable(title));
    }

    // The compare view draws the summary as bars beside the curves, one per run in its curve's
    // colour, and exports them like every plot.
    void compareViewShowsTheSummaryAsBars()
    {
        QVERIFY(m_suiteRuns.size() == 2);
        MainWindow window(m_db);
        window.show();
        window.resize(1366, 768);
        window.browser()->selectRuns(m_suiteRuns);
        window.browser()->compareAction()->trigger();
        QCOMPARE(window.tabs()->currentWidget(), window.compareView());
        QCoreApplication::processEvents();
        SummaryBars *bars = window.compareView()->summaryBars();
        RunStore store(m_db);
        QList<double> accuracy, seconds, memory;
        QCOMPARE(window.compareView()->runIds().size(), 2);
        for (qint64 id : window.compareView()->runIds()) {
            const RunRecord run = *store.run(id);
            accuracy << run.testAccuracy * 100.0;
            seconds << run.trainSeconds;
            memory << double(run.peakEngineBytes) / (1024.0 * 1024.0);
        }
        QCOMPARE(bars->values(SummaryBars::TestAccuracy), accuracy);
        QCOMPARE(bars->values(SummaryBars::TrainTime), seconds);
        QCOMPARE(bars->values(SummaryBars::PeakEngineMemory), memory);
        // No power source in the tests: the energy panel says why it is empty.
        QVERIFY(!bars->note(SummaryBars::Energy).isEmpty());
        QCOMPARE(bars->plot()->plottableCount(), 3 * 2);
        // Beside the curves, not below them.
        const QRect curves(window.compareView()->plot()->mapTo(&window, QPoint()),
                           window.compareView()->plot()->size());
        const QRect barsRect(bars->mapTo(&window, QPoint()), bars->size());
        QVERIFY(barsRect.left() >= curves.right());
        QVERIFY(barsRect.top() < curves.bottom());
        // The curves' legend names both runs outside the data.
        QCustomPlot *curvePlot = window.compareView()->plot();
        curvePlot->replot();
        QCOMPARE(curvePlot->legend->itemCount(), 2);
        QVERIFY(!legendRect(curvePlot).intersects(curvePlot->axisRect()->rect()));

        const QString png = m_dir.filePath("bars.png");
        QString error;
        QVERIFY2(window.exportPlot("compare/summary", png, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), bars->plot()->size());
    }
};

QTEST_MAIN(TestGuiFirstUse)
#include "tst_gui_first_use.moc"
