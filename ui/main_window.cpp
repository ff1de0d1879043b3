// The main window: wiring between the queue, the store and the tabs; menus; closing during a run.
#include "ui/main_window.h"

#include "app/session/run_queue.h"
#include "app/session/run_session.h"
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/summary_bars.h"
#include "ui/export/export_dialog.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/live/live_view.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/plot_export.h"
#include "ui/plot/unit_heatmap.h"
#include "ui/settings/last_folder.h"
#include "ui/settings/settings_dialog.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QRegularExpression>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <qcustomplot.h>

namespace ffint8 {

MainWindow::MainWindow(const QString &databasePath, QWidget *parent)
    : QMainWindow(parent), m_settings(WorkbenchSettings::load())
{
    setWindowTitle(tr("FF-INT8 Workbench"));
    m_settings.applyDatasetFolder();
    m_queue = new RunQueue(this);
    m_launch = new LaunchPanel(m_queue);
    m_live = new LiveView;
    m_browser = new RunsBrowser;
    m_compare = new CompareView;
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(m_launch, tr("Launch"));
    m_tabs->addTab(m_live, tr("Live"));
    m_tabs->addTab(m_browser, tr("Runs"));
    m_tabs->addTab(m_compare, tr("Compare"));
    setCentralWidget(m_tabs);
    m_storeLabel = new QLabel;
    m_storeLabel->setObjectName(QStringLiteral("storeLabel"));
    statusBar()->addPermanentWidget(m_storeLabel);
    buildMenus();

    confirmClose = [this](const QString &question) {
        return QMessageBox::question(this, tr("A run is training"), question) == QMessageBox::Yes;
    };

    connect(m_launch, &LaunchPanel::launchRequested, this, &MainWindow::launch);
    connect(m_launch, &LaunchPanel::suiteLaunchRequested, this, &MainWindow::launchSuite);
    connect(m_queue, &RunQueue::sessionStarting, this, &MainWindow::sessionStarting);
    connect(m_queue, &RunQueue::sessionEnded, this, &MainWindow::sessionEnded);
    connect(m_queue, &RunQueue::pendingChanged, this, &MainWindow::updateRunActions);
    connect(m_queue, &RunQueue::stopRequested, m_live, &LiveView::showStopping);
    connect(m_browser, &RunsBrowser::openRunRequested, this, [this](qint64 runId) {
        if (!m_store)
            return;
        if (m_queue->isRunning()) {
            statusBar()->showMessage(tr("A run is training in the live view; its plots stay until it ends"), 5000);
            return;
        }
        m_live->showStoredRun(*m_store, runId);
        m_tabs->setCurrentWidget(m_live);
    });
    connect(m_browser, &RunsBrowser::compareRequested, this, &MainWindow::compareRuns);
    connect(m_browser, &RunsBrowser::exportRequested, this, &MainWindow::exportTables);
    connect(m_browser, &RunsBrowser::storeError, this, &MainWindow::showStoreProblem);
    connect(m_compare, &CompareView::storeError, this, &MainWindow::showStoreProblem);

    QString error;
    const QString path = databasePath.isEmpty() ? m_settings.effectiveDatabasePath() : databasePath;
    if (!openDatabase(path, &error)) {
        // Said where it stays in sight: nothing can be recorded until a store is opened.
        m_storeLabel->setText(tr("No run store is open: %1").arg(error));
        showStoreProblem(error);
    }
    updateRunActions();

    QSettings state;
    restoreGeometry(state.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(state.value(QStringLiteral("window/state")).toByteArray());
    if (!state.contains(QStringLiteral("window/geometry")))
        resize(1280, 860);
    m_tabs->setCurrentIndex(state.value(QStringLiteral("window/tab"), 0).toInt());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &spec or suite..."), QKeySequence::Open, m_launch, &LaunchPanel::openSpecInteractively);
    file->addAction(tr("&Open run store..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open run store"), QFileInfo(m_databasePath).path(),
                                                          tr("SQLite databases (*.sqlite *.db);;All files (*)"));
        QString error;
        if (!path.isEmpty() && !openDatabase(path, &error))
            QMessageBox::critical(this, tr("Run store"), error);
    });
    file->addAction(tr("Export &table..."), this, [this] { exportTables(m_browser->selectedRunIds()); });
    file->addAction(tr("Export &plot..."), this, &MainWindow::exportPlotInteractively);
    file->addSeparator();
    file->addAction(tr("&Settings..."), this, &MainWindow::editSettings);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Run the form's experiment"), QKeySequence(Qt::CTRL | Qt::Key_R), m_launch,
                   &LaunchPanel::requestRun);
    m_pauseAction = run->addAction(tr("&Pause / resume"), QKeySequence(Qt::CTRL | Qt::Key_P), this, [this] {
        if (RunSession *s = m_queue->current(); s && m_queue->isRunning())
            s->isPaused() ? s->resume() : s->pause();
    });
    m_stopAction
        = run->addAction(tr("&Stop"), QKeySequence(Qt::CTRL | Qt::Key_Period), m_queue, &RunQueue::stopCurrent);
    m_stopAllAction = run->addAction(tr("Stop &all"), m_queue, &RunQueue::stopAll);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAllAction->setObjectName(QStringLiteral("stopAllAction"));
}

// Pause and stop act on the run training now: with none they would do nothing, so they are off.
void MainWindow::updateRunActions()
{
    const bool running = m_queue->isRunning();
    m_pauseAction->setEnabled(running);
    m_stopAction->setEnabled(running);
    m_stopAllAction->setEnabled(running || !m_queue->pending().isEmpty());
}

bool MainWindow::openDatabase(const QString &path, QString *error)
{
    try {
        auto store = std::make_unique<RunStore>(path);
        // Widgets drop their pointers to the old store before it closes.
        m_live->stopFollowing();
        m_browser->setStore(store.get());
        m_compare->setStore(store.get());
        m_store = std::move(store);
        if (path != m_databasePath && m_queue->isRunning())
            statusBar()->showMessage(
                tr("'%1' is still recorded in %2; the runs started from now go to %3")
                    .arg(m_queue->current()->options().spec.name, m_queue->current()->options().databasePath, path));
        // Runs waiting in the queue have not opened a store yet: they go where the browser looks.
        m_queue->setPendingDatabasePath(path);
        m_databasePath = path;
        m_storeLabel->setText(tr("Run store: %1").arg(path));
        m_browser->refresh();
        return true;
    } catch (const StoreError &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
}

bool MainWindow::launchSpec(const QString &specOrPreset, QString *error)
{
    QString problem;
    LauncherForm *form = m_launch->form();
    const QString path = QFileInfo::exists(specOrPreset) ? specOrPreset : builtInExperiment(specOrPreset);
    if (!path.isEmpty() && isSuiteFile(path)) {
        Suite suite;
        try {
            suite = parseSuiteFile(path);
        } catch (const SpecError &e) {
            problem = QString::fromUtf8(e.what());
        }
        if (problem.isEmpty() && !m_store)
            problem = tr("'%1' not started: %2").arg(specOrPreset, m_storeLabel->text());
        if (!problem.isEmpty()) {
            if (error)
                *error = problem;
            statusBar()->showMessage(problem);
            return false;
        }
        form->setSpec(suite.runs.first());
        launchSuite(suite);
        return true;
    }
    const bool loaded = QFileInfo::exists(specOrPreset) ? form->loadFile(specOrPreset, &problem)
                                                        : form->loadPreset(specOrPreset, &problem);
    if (!loaded) {
        if (!QFileInfo::exists(specOrPreset) && !form->presetNames().contains(specOrPreset))
            problem = tr("'%1' is neither a spec or suite file nor a preset (presets: %2)")
                          .arg(specOrPreset, form->presetNames().join(QStringLiteral(", ")));
        if (error)
            *error = problem;
        statusBar()->showMessage(problem);
        return false;
    }
    if (!m_store) {
        problem = tr("'%1' not started: %2").arg(specOrPreset, m_storeLabel->text());
        if (error)
            *error = problem;
        statusBar()->showMessage(problem);
        return false;
    }
    if (!m_launch->requestRun()) {
        if (error)
            *error = m_launch->problems();
        return false;
    }
    return true;
}

void MainWindow::launch(const ExperimentSpec &spec)
{
    enqueue(spec, QString());
}

void MainWindow::launchSuite(const Suite &suite)
{
    for (const ExperimentSpec &run : suite.runs)
        if (!enqueue(run, suite.isSuite ? suite.name : QString()))
            return;
    statusBar()->showMessage(tr("Queued the %1 runs of suite %2").arg(suite.runs.size()).arg(suite.name));
}

bool MainWindow::enqueue(const ExperimentSpec &spec, const QString &suite)
{
    // A run with no store would train and leave no record behind: refused until one is open.
    if (!m_store) {
        statusBar()->showMessage(
            tr("'%1' not started: %2. Open one with File > Open run store.").arg(spec.name, m_storeLabel->text()));
        return false;
    }
    SessionOptions options;
    options.spec = spec;
    options.suite = suite;
    options.databasePath = m_databasePath;
    options.telemetry = m_settings.telemetrySource.isEmpty() ? spec.telemetrySource : m_settings.telemetrySource;
    options.telemetryIntervalMs
        = m_settings.telemetryIntervalMs > 0 ? m_settings.telemetryIntervalMs : spec.telemetryIntervalMs;
    m_queue->enqueue(std::move(options));
    return true;
}

void MainWindow::sessionStarting(RunSession *session)
{
    m_live->attach(session);
    m_tabs->setCurrentWidget(m_live);
    statusBar()->showMessage(tr("Training %1").arg(session->options().spec.name));
    // The browser lists the run as soon as the store has it.
    connect(session, &RunSession::started, m_browser, &RunsBrowser::refresh);
    connect(session, &RunSession::failed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("The run could not start: %1").arg(message));
    });
    connect(session, &RunSession::storeProblem, this, &MainWindow::showStoreProblem);
    updateRunActions();
}

void MainWindow::sessionEnded(RunSession *session, const RunSummary &summary)
{
    QString text = tr("%1: %2").arg(session->options().spec.name, QString::fromUtf8(runStatusName(summary.status)));
    if (!summary.message.empty())
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(summary.message));
    statusBar()->showMessage(text);
    m_browser->refreshWithChoices();
    updateRunActions();
}

void MainWindow::compareRuns(const QList<qint64> &runIds)
{
    m_compare->setRuns(runIds);
    m_tabs->setCurrentWidget(m_compare);
}

void MainWindow::exportTables(const QList<qint64> &runIds)
{
    if (!m_store) {
        QMessageBox::warning(this, tr("Export"), tr("No run store is open."));
        return;
    }
    QList<qint64> ids = runIds;
    if (ids.isEmpty()) {
        for (const RunRecord &r : m_store->runs())
            ids << r.id;
    }
    ExportDialog dialog(m_store.get(), ids, this);
    dialog.exec();
}

QStringList MainWindow::plotNames() const
{
    QStringList names{QStringLiteral("live/heatmap")};
    for (const char *name : {"goodness", "separation", "loss", "accuracy", "power", "memory", "throughput"})
        if (m_live->plotNamed(QString::fromLatin1(name)))
            names << QStringLiteral("live/%1").arg(QString::fromLatin1(name));
    names << QStringLiteral("compare") << QStringLiteral("compare/summary");
    return names;
}

QString MainWindow::plotTitle(const QString &plotName) const
{
    if (plotName == QLatin1String("compare"))
        return tr("Compare: %1 of the compared runs").arg(m_compare->metricCombo()->currentText());
    if (plotName == QLatin1String("compare/summary"))
        return tr("Compare: summary bars (accuracy, time, energy, memory)");
    if (plotName == QLatin1String("live/heatmap"))
        return tr("Live: %1").arg(m_live->heatmap()->title());
    if (plotName.startsWith(QLatin1String("live/")))
        if (LivePlot *live = m_live->plotNamed(plotName.mid(5)))
            return tr("Live: %1").arg(live->title());
    return {};
}

bool MainWindow::exportPlot(const QString &plotName, const QString &path, QString *error)
{
    QCustomPlot *plot = nullptr;
    if (plotName == QStringLiteral("compare"))
        plot = m_compare->plot();
    else if (plotName == QStringLiteral("compare/summary"))
        plot = m_compare->summaryBars()->plot();
    else if (plotName == QStringLiteral("live/heatmap")) {
        m_live->heatmap()->redrawNow(); // as a live plot, its redraws are coalesced
        plot = m_live->heatmap()->customPlot();
    } else if (plotName.startsWith(QStringLiteral("live/")))
        if (LivePlot *live = m_live->plotNamed(plotName.mid(5))) {
            live->redrawNow(); // its redraws are coalesced: the points of the last moments may be pending
            plot = live->customPlot();
        }
    if (!plot) {
        if (error)
            *error = tr("no plot named '%1' (plots: %2)").arg(plotName, plotNames().join(QStringLiteral(", ")));
        return false;
    }
    return savePlot(plot, path, error);
}

// A file name from a plot's title: "Live: Train loss" -> "live-train-loss.png".
QString MainWindow::plotFileName(const QString &title)
{
    QString name = title.toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    return name.section('-', 0, 7, QString::SectionSkipEmpty) + QStringLiteral(".png");
}

void MainWindow::exportPlotInteractively()
{
    // The user picks a plot by the title it shows, not by its internal name.
    const QStringList names = plotNames();
    QStringList titles;
    for (const QString &name : names)
        titles << plotTitle(name);
    bool ok = false;
    const QString title = QInputDialog::getItem(this, tr("Export plot"), tr("Plot"), titles, 0, false, &ok);
    if (!ok || !titles.contains(title))
        return;
    const QString name = names[titles.indexOf(title)];
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export plot"), lastFolder(QStringLiteral("plots"), plotFileName(title)),
        tr("PNG image (*.png);;PDF document (*.pdf);;SVG image (*.svg)"));
    rememberFolder(QStringLiteral("plots"), path);
    QString error;
    if (!path.isEmpty() && !exportPlot(name, path, &error))
        QMessageBox::critical(this, tr("Export plot"), error);
}

void MainWindow::editSettings()
{
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const WorkbenchSettings chosen = dialog.settings();
    if (chosen.effectiveDatabasePath() != m_databasePath) {
        QString error;
        if (!openDatabase(chosen.effectiveDatabasePath(), &error)) {
            QMessageBox::critical(this, tr("Run store"), error);
            return; // nothing is saved that would not open
        }
    }
    m_settings = chosen;
    m_settings.save();
    m_settings.applyDatasetFolder();
}

void MainWindow::showStoreProblem(const QString &message)
{
    statusBar()->showMessage(tr("Run store: %1").arg(message));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_queue->isRunning()) {
        const QString name = m_queue->current()->options().spec.name;
        const int waiting = int(m_queue->pending().size());
        QString question = tr("'%1' is training. Stop it (it is recorded as cancelled) and quit?").arg(name);
        if (waiting > 0)
            question += tr(" The %n queued run(s) will not start.", nullptr, waiting);
        if (!confirmClose(question)) {
            event->ignore();
            return;
        }
        m_queue->stopAll();
        // The run ends after its current batch and records its status before its thread returns.
        m_queue->waitForCurrent();
    }
    QSettings state;
    state.setValue(QStringLiteral("window/geometry"), saveGeometry());
    state.setValue(QStringLiteral("window/state"), saveState());
    state.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    event->accept();
}

} // namespace ffint8
