// The launcher tab's layout and its buttons; the queue itself is app/session/run_queue.
#include "ui/launcher/launch_panel.h"

#include "app/session/run_queue.h"
#include "ui/launcher/launcher_form.h"
#include "ui/settings/last_folder.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace ffint8 {

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

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(open);
    buttons->addWidget(save);
    buttons->addStretch(1);
    buttons->addWidget(m_run);

    auto *formSide = new QWidget;
    auto *formLayout = new QVBoxLayout(formSide);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(m_form, 1);
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

    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("launchSplitter"));
    split->addWidget(formSide);
    split->addWidget(queueSide);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_run, &QPushButton::clicked, this, &LaunchPanel::requestRun);
    connect(m_form, &LauncherForm::validityChanged, m_run, &QPushButton::setEnabled);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open experiment spec"), lastFolder(QStringLiteral("specs")), tr("Experiment specs (*.json)"));
        rememberFolder(QStringLiteral("specs"), path);
        QString error;
        if (!path.isEmpty() && !m_form->loadFile(path, &error))
            showProblems(error);
        else if (!path.isEmpty())
            showProblems(QString());
    });
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
        m_queueList->addItem(tr("training: %1").arg(m_queue->current()->options().spec.name));
    for (const SessionOptions &waiting : m_queue->pending())
        m_queueList->addItem(tr("waiting: %1").arg(waiting.spec.name));
    m_queueList->setCurrentRow(qMin(row, m_queueList->count() - 1));
    m_run->setText(m_queue->isRunning() ? tr("Add to queue") : tr("Run"));
    // With nothing training there is nothing to stop.
    m_stop->setEnabled(m_queue->isRunning());
    m_stopAll->setEnabled(m_queue->isRunning() || !m_queue->pending().isEmpty());
}

} // namespace ffint8
