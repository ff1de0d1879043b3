// The launcher tab: the experiment form, its buttons (open, save, run) and the queue of runs.
#pragma once

#include "app/spec/experiment_spec.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace ffint8 {

class LauncherForm;
class RunQueue;

class LaunchPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LaunchPanel(RunQueue *queue, QWidget *parent = nullptr);

    LauncherForm *form() const { return m_form; }
    QPushButton *runButton() const { return m_run; }
    QListWidget *queueList() const { return m_queueList; }
    // What the last attempt to run or save found wrong, or empty.
    QString problems() const;

    // As the Run button: checks the form and emits launchRequested, or shows what is wrong.
    bool requestRun();

signals:
    void launchRequested(const ffint8::ExperimentSpec &spec);

private:
    void refreshQueue();
    void showProblems(const QString &text);

    RunQueue *m_queue;
    LauncherForm *m_form = nullptr;
    QPushButton *m_run = nullptr;
    QLabel *m_problems = nullptr;
    QListWidget *m_queueList = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_stopAll = nullptr;
};

} // namespace ffint8
