// The workbench's main window: the launcher, the live view of the run training now, the runs
// browser and the comparison, as tabs over one run store and one run queue.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/spec/suite.h"
#include "ui/settings/workbench_settings.h"

#include <QMainWindow>
#include <functional>
#include <memory>

class QAction;
class QLabel;
class QTabWidget;

namespace ffint8 {

class CompareView;
class LaunchPanel;
class LiveView;
class RunQueue;
class RunSession;
class RunStore;
class RunsBrowser;
struct RunSummary;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `databasePath` overrides the configured store for this window (--db); empty: the setting.
    explicit MainWindow(const QString &databasePath = QString(), QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a run store for browsing and for the runs started from now. On failure (not a database,
    // corrupt, locked, newer schema) the previous store stays open and `error` says why.
    bool openDatabase(const QString &path, QString *error);
    QString databasePath() const { return m_databasePath; }
    // Starts (or queues) an experiment: a spec file or a built-in preset name (--run). A suite (a
    // file or a built-in one) queues all its runs, recorded under the suite's name.
    bool launchSpec(const QString &specOrPreset, QString *error);
    void launch(const ExperimentSpec &spec);
    void launchSuite(const Suite &suite);
    // Saves one of the plots (names from plotNames()) as PNG, PDF or SVG by the file's suffix.
    QStringList plotNames() const;
    // The title a plot shows, as File > Export plot lists it ("Live: Train loss").
    QString plotTitle(const QString &plotName) const;
    // The file name Export plot suggests for a plot of that title.
    static QString plotFileName(const QString &title);
    bool exportPlot(const QString &plotName, const QString &path, QString *error);

    LaunchPanel *launchPanel() const { return m_launch; }
    LiveView *liveView() const { return m_live; }
    RunsBrowser *browser() const { return m_browser; }
    CompareView *compareView() const { return m_compare; }
    QTabWidget *tabs() const { return m_tabs; }
    RunQueue *queue() const { return m_queue; }
    RunStore *store() const { return m_store.get(); }

    // Asked when the window closes while a run trains; true stops the run and closes. The default
    // asks with a message box; tests answer for the user.
    std::function<bool(const QString &question)> confirmClose;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    bool enqueue(const ExperimentSpec &spec, const QString &suite);
    void sessionStarting(RunSession *session);
    void sessionEnded(RunSession *session, const RunSummary &summary);
    void compareRuns(const QList<qint64> &runIds);
    void exportTables(const QList<qint64> &runIds);
    void exportPlotInteractively();
    void editSettings();
    void showStoreProblem(const QString &message);
    void updateRunActions();

    WorkbenchSettings m_settings;
    QString m_databasePath;
    std::unique_ptr<RunStore> m_store;
    RunQueue *m_queue = nullptr;
    QTabWidget *m_tabs = nullptr;
    LaunchPanel *m_launch = nullptr;
    LiveView *m_live = nullptr;
    RunsBrowser *m_browser = nullptr;
    CompareView *m_compare = nullptr;
    QLabel *m_storeLabel = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_stopAllAction = nullptr;
};

} // namespace ffint8
