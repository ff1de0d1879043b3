// The launcher tab: the experiment form, its buttons (open, save, run), a suite's runs to queue and
// the queue of runs.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/spec/suite.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace ffint8 {

class LauncherForm;
class ModelSummaryPanel;
class RunQueue;

class LaunchPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LaunchPanel(RunQueue *queue, QWidget *parent = nullptr);

    LauncherForm *form() const { return m_form; }
    // The summary of the model the form describes, for its dataset's input.
    ModelSummaryPanel *modelSummary() const { return m_modelSummary; }
    QPushButton *runButton() const { return m_run; }
    // "Queue all N runs" of the suite opened last; hidden while none is open.
    QPushButton *queueSuiteButton() const { return m_queueSuite; }
    QLabel *suiteLabel() const { return m_suiteLabel; }
    QListWidget *queueList() const { return m_queueList; }
    // What the last attempt to run or save found wrong, or empty.
    QString problems() const;

    // As the Run button: checks the form and emits launchRequested, or shows what is wrong.
    bool requestRun();
    // The Open spec dialog (the button and File > Open spec or suite).
    void openSpecInteractively();

signals:
    void launchRequested(const ffint8::ExperimentSpec &spec);
    void suiteLaunchRequested(const ffint8::Suite &suite);

private:
    void refreshQueue();
    void showProblems(const QString &text);
    void offerSuite(const Suite &suite);
    void summariseModel();

    RunQueue *m_queue;
    LauncherForm *m_form = nullptr;
    ModelSummaryPanel *m_modelSummary = nullptr;
    QPushButton *m_run = nullptr;
    QLabel *m_problems = nullptr;
    QListWidget *m_queueList = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_stopAll = nullptr;
    // A suite opened from a file or the presets is not queued on opening (browsing the presets
    // must not line up hours of training); it waits here for one click.
    Suite m_suite;
    QWidget *m_suiteBar = nullptr;
    QLabel *m_suiteLabel = nullptr;
    QPushButton *m_queueSuite = nullptr;
};

} // namespace ffint8
