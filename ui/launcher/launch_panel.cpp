// The launcher tab's layout and its buttons; the queue itself is app/session/run_queue.
#include "ui/launcher/launch_panel.h"

#include "app/session/run_queue.h"
#include "ui/launcher/launcher_form.h"
#include "ui/launcher/model_summary_panel.h"
#include "ui/settings/last_folder.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace ffint8 {

namespace {

// A queued run's line: its name, and its suite where it has one.
QString queuedName(const SessionOptions &options)
{
    return options.suite.isEmpty() ? options.spec.name : QObject::tr("%1 (suite %2)").arg(options.spec.name, options.suite);
}

} // namespace

LaunchPanel::LaunchPanel(RunQueue *queue, QWidget *parent) : QWidget(parent), m_queue(queue)
{
    m_form = new LauncherForm;
    auto *open = new QPushButton(tr("Open spec..."));
    auto *save = new QPushButton(tr("Save as spec..."));
    m_run = new QPushButton(tr("Run"));
    m_run->setObjectName(QStringLiteral("run"));
    m_run->setDefault(true);
    m_run->setToolTip(tr("Start this experiment, or queue it after the one training now"));
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problems->setStyleSheet(QStringLiteral("color: #c62828"));
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->hide();

    m_suiteBar = new QWidget;
    m_suiteBar->setObjectName(QStringLiteral("suiteBar"));
    m_suiteLabel = new QLabel;
    m_suiteLabel->setObjectName(QStringLiteral("suiteLabel"));
    m_suiteLabel->setWordWrap(true);
    m_queueSuite = new QPushButton;
    m_queueSuite->setObjectName(QStringLiteral("queueSuite"));
    auto *dismissSuite = new QPushButton(tr("Dismiss"));
    auto *suiteLayout = new QHBoxLayout(m_suiteBar);
    suiteLayout->setContentsMargins(0, 0, 0, 0);
    suiteLayout->addWidget(m_suiteLabel, 1);
    suiteLayout->addWidget(m_queueSuite);
    suiteLayout->addWidget(dismissSuite);
    m_suiteBar->hide();

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(open);
    buttons->addWidget(save);
    buttons->addStretch(1);
    buttons->addWidget(m_run);

    auto *formSide = new QWidget;
    auto *formLayout = new QVBoxLayout(formSide);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(m_form, 1);
    formLayout->addWidget(m_suiteBar);
    formLayout->addWidget(m_problems);
    formLayout->addLayout(buttons);

    m_queueList = new QListWidget;
    m_queueList->setObjectName(QStringLiteral("queue"));
    auto *remove = new QPushButton(tr("Remove"));
    auto *up = new QPushButton(tr("Up"));
    auto *down = new QPushButton(tr("Down"));
    m_stop = new QPushButton(tr("Stop current"));
    m_stopAll = new QPushButton(tr("Stop all"));
    m_stop->setObjectName(QStringLiteral("stopCurrent"));
    m_stopAll->setObjectName(QStringLiteral("stopAll"));
    auto *queueButtons = new QHBoxLayout;
    for (QPushButton *b : {remove, up, down})
        queueButtons->addWidget(b);
    queueButtons->addStretch(1);
    queueButtons->addWidget(m_stop);
    queueButtons->addWidget(m_stopAll);
    auto *queueSide = new QWidget;
    auto *queueLayout = new QVBoxLayout(queueSide);
    queueLayout->setContentsMargins(0, 0, 0, 0);
    queueLayout->addWidget(new QLabel(tr("Queue: the first line trains now, the others wait their turn")));
    queueLayout->addWidget(m_queueList, 1);
    queueLayout->addLayout(queueButtons);

    // The model's summary between the form and the queue: what the run would train, before it does.
    m_modelSummary = new ModelSummaryPanel;
    m_modelSummary->setObjectName(QStringLiteral("modelSummary"));

    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("launchSplitter"));
    split->addWidget(formSide);
    split->addWidget(m_modelSummary);
    split->addWidget(queueSide);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_run, &QPushButton::clicked, this, &LaunchPanel::requestRun);
    connect(m_form, &LauncherForm::validityChanged, m_run, &QPushButton::setEnabled);
    connect(open, &QPushButton::clicked, this, &LaunchPanel::openSpecInteractively);
    connect(m_form, &LauncherForm::suiteLoaded, this, &LaunchPanel::offerSuite);
    connect(m_form, &LauncherForm::modelChanged, this, &LaunchPanel::summariseModel);
    summariseModel(); // the form filled itself (the quick preset) before anyone listened
    connect(m_queueSuite, &QPushButton::clicked, this, [this] {
        m_suiteBar->hide();
        emit suiteLaunchRequested(m_suite);
    });
    connect(dismissSuite, &QPushButton::clicked, m_suiteBar, &QWidget::hide);
    connect(save, &QPushButton::clicked, this, [this] {
        const QString name = m_form->field(QStringLiteral("name"))->property("text").toString();
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save experiment spec"), lastFolder(QStringLiteral("specs"), name + QStringLiteral(".json")),
            tr("Experiment specs (*.json)"));
        rememberFolder(QStringLiteral("specs"), path);
        QString error;
        if (!path.isEmpty())
            showProblems(m_form->saveSpec(path, &error) ? QString() : error);
    });
    // Rows past the first are the waiting experiments: pending() index = row - 1 while one trains.
    auto pendingIndex = [this] { return m_queueList->currentRow() - (m_queue->isRunning() ? 1 : 0); };
    connect(remove, &QPushButton::clicked, this, [this, pendingIndex] { m_queue->removePending(pendingIndex()); });
    connect(up, &QPushButton::clicked, this, [this, pendingIndex] {
        const int i = pendingIndex();
        if (m_queue->movePending(i, -1))
            m_queueList->setCurrentRow(m_queueList->currentRow() - 1);
    });
    connect(down, &QPushButton::clicked, this, [this, pendingIndex] {
        const int i = pendingIndex();
        if (m_queue->movePending(i, +1))
            m_queueList->setCurrentRow(m_queueList->currentRow() + 1);
    });
    connect(m_stop, &QPushButton::clicked, m_queue, &RunQueue::stopCurrent);
    connect(m_stopAll, &QPushButton::clicked, m_queue, &RunQueue::stopAll);
    connect(m_queue, &RunQueue::pendingChanged, this, &LaunchPanel::refreshQueue);
    connect(m_queue, &RunQueue::sessionEnded, this, &LaunchPanel::refreshQueue);
    refreshQueue();
}

void LaunchPanel::openSpecInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment spec or suite"), lastFolder(QStringLiteral("specs")),
                                                      tr("Experiment specs and suites (*.json)"));
    rememberFolder(QStringLiteral("specs"), path);
    if (path.isEmpty())
        return;
    m_suiteBar->hide();
    QString error;
    showProblems(m_form->loadFile(path, &error) ? QString() : error);
}

void LaunchPanel::offerSuite(const Suite &suite)
{
    m_suite = suite;
    QStringList names;
    for (const ExperimentSpec &run : suite.runs)
        names << run.name;
    const QString shown = names.size() > 6 ? names.mid(0, 6).join(QStringLiteral(", ")) + tr(", ...") : names.join(QStringLiteral(", "));
    m_suiteLabel->setText(tr("Suite %1: %2 runs (%3). The form shows the first; Run trains only the form's.")
                              .arg(suite.name).arg(suite.runs.size()).arg(shown));
    m_suiteLabel->setToolTip(suite.description);
    m_queueSuite->setText(tr("Queue all %1 runs").arg(suite.runs.size()));
    m_suiteBar->show();
}

QString LaunchPanel::problems() const
{
    return m_problems->isHidden() ? QString() : m_problems->text();
}

bool LaunchPanel::requestRun()
{
    QStringList problems;
    const std::optional<ExperimentSpec> spec = m_form->spec(&problems);
    if (!spec) {
        showProblems(tr("Not started: %1").arg(problems.join(QStringLiteral("; "))));
        return false;
    }
    showProblems(QString());
    emit launchRequested(*spec);
    return true;
}

void LaunchPanel::showProblems(const QString &text)
{
    m_problems->setText(text);
    m_problems->setVisible(!text.isEmpty());
}

void LaunchPanel::refreshQueue()
{
    const int row = m_queueList->currentRow();
    m_queueList->clear();
    if (m_queue->isRunning() && m_queue->current())
        m_queueList->addItem(tr("training: %1").arg(queuedName(m_queue->current()->options())));
    for (const SessionOptions &waiting : m_queue->pending())
        m_queueList->addItem(tr("waiting: %1").arg(queuedName(waiting)));
    m_queueList->setCurrentRow(qMin(row, m_queueList->count() - 1));
    m_run->setText(m_queue->isRunning() ? tr("Add to queue") : tr("Run"));
    // With nothing training there is nothing to stop.
    m_stop->setEnabled(m_queue->isRunning());
    m_stopAll->setEnabled(m_queue->isRunning() || !m_queue->pending().isEmpty());
}

void LaunchPanel::summariseModel()
{
    QString problem;
    if (const std::optional<TrainConfig> config = m_form->modelConfig(&problem))
        m_modelSummary->showConfig(*config);
    else
        m_modelSummary->showProblem(problem);
}

} // namespace ffint8
