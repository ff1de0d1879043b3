// The runs browser (see runs_browser.h).
#include "ui/browser/runs_browser.h"

#include "app/store/store_error.h"
#include "ui/browser/run_filter_bar.h"
#include "ui/browser/run_table_model.h"

#include <QAction>
#include <QHeaderView>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

namespace ffint8 {

namespace {

// How many runs a confirmation names before it says "and N more".
constexpr int kNamedRunsInQuestion = 10;
// How often the runs of a shared (PostgreSQL) store are listed again: other boards add and finish
// runs. With notifications, the timer only covers those a lost connection dropped.
constexpr int kSharedStoreRefreshMs = 5000;
constexpr int kNotifiedStoreRefreshMs = 30000;
// Notifications come with every batch a writer commits (4 a second per run): one listing for a burst.
constexpr int kChangeSettleMs = 300;

BrowserAskers dialogAskers(QWidget *parent)
{
    BrowserAskers a;
    a.askText = [parent](const QString &title, const QString &label, const QString &initial, bool multiLine) {
        bool ok = false;
        const QString text = multiLine ? QInputDialog::getMultiLineText(parent, title, label, initial, &ok)
                                       : QInputDialog::getText(parent, title, label, QLineEdit::Normal, initial, &ok);
        return ok ? std::optional<QString>(text) : std::nullopt;
    };
    a.askItem = [parent](const QString &title, const QString &label, const QStringList &items) {
        bool ok = false;
        const QString item = QInputDialog::getItem(parent, title, label, items, 0, false, &ok);
        return ok ? std::optional<QString>(item) : std::nullopt;
    };
    a.confirm = [parent](const QString &title, const QString &question) {
        return QMessageBox::question(parent, title, question, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            == QMessageBox::Yes;
    };
    return a;
}

QStringList sortedUnique(QStringList values)
{
    values.removeAll(QString());
    values.sort();
    values.removeDuplicates();
    return values;
}

} // namespace

RunsBrowser::RunsBrowser(QWidget *parent)
    : QWidget(parent),
      m_askers(dialogAskers(this)),
      m_filterBar(new RunFilterBar(this)),
      m_toolBar(new QToolBar(this)),
      m_model(new RunTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)),
      m_rename(new QAction(tr("Rename…"), this)),
      m_tag(new QAction(tr("Tag…"), this)),
      m_removeTag(new QAction(tr("Remove tag…"), this)),
      m_note(new QAction(tr("Note…"), this)),
      m_delete(new QAction(tr("Delete…"), this)),
      m_open(new QAction(tr("Open plots"), this)),
      m_compare(new QAction(tr("Compare"), this)),
      m_export(new QAction(tr("Export…"), this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunTableModel::IdColumn, Qt::DescendingOrder); // the newest runs first
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    // Column widths from the first rows only: measuring every row of a large store would stall a refresh.
    m_view->horizontalHeader()->setResizeContentsPrecision(200);

    m_rename->setShortcut(QKeySequence(Qt::Key_F2));
    m_delete->setShortcut(QKeySequence::Delete);
    for (QAction *action : {m_open, m_compare, m_export, m_rename, m_tag, m_removeTag, m_note, m_delete}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        m_toolBar->addAction(action);
        if (action == m_export)
            m_toolBar->addSeparator();
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_view, 1);

    connect(m_rename, &QAction::triggered, this, &RunsBrowser::renameSelected);
    connect(m_tag, &QAction::triggered, this, &RunsBrowser::tagSelected);
    connect(m_removeTag, &QAction::triggered, this, &RunsBrowser::removeTagFromSelected);
    connect(m_note, &QAction::triggered, this, &RunsBrowser::addNoteToSelected);
    connect(m_delete, &QAction::triggered, this, &RunsBrowser::deleteSelected);
    connect(m_open, &QAction::triggered, this, &RunsBrowser::openSelected);
    connect(m_compare, &QAction::triggered, this, &RunsBrowser::compareSelected);
    connect(m_export, &QAction::triggered, this, &RunsBrowser::exportSelected);
    connect(m_filterBar, &RunFilterBar::filterChanged, this, &RunsBrowser::refresh);
    m_sharedStoreTimer.setInterval(kSharedStoreRefreshMs);
    m_changeTimer.setSingleShot(true);
    m_changeTimer.setInterval(kChangeSettleMs);
    connect(&m_changeTimer, &QTimer::timeout, this, &RunsBrowser::refreshWithChoices);
    connect(&m_sharedStoreTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshWithChoices();
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, &RunsBrowser::showContextMenu);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        emit openRunRequested(m_model->runId(m_proxy->mapToSource(index).row()));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsBrowser::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RunsBrowser::updateActions);
    updateActions();
}

void RunsBrowser::setStore(RunStore *store)
{
    m_store = store;
    delete m_changeContext;
    m_changeContext = new QObject(this);
    const bool notified = store && store->watchChanges(m_changeContext, [this](qint64) { m_changeTimer.start(); });
    m_sharedStoreTimer.setInterval(notified ? kNotifiedStoreRefreshMs : kSharedStoreRefreshMs);
    if (store && store->isPostgres())
        m_sharedStoreTimer.start();
    else
        m_sharedStoreTimer.stop();
    refreshChoices();
    refresh();
}

void RunsBrowser::setAskers(const BrowserAskers &askers)
{
    const BrowserAskers defaults = dialogAskers(this);
    m_askers.askText = askers.askText ? askers.askText : defaults.askText;
    m_askers.askItem = askers.askItem ? askers.askItem : defaults.askItem;
    m_askers.confirm = askers.confirm ? askers.confirm : defaults.confirm;
}

void RunsBrowser::refreshChoices()
{
    RunFilterChoices choices;
    if (m_store) {
        try {
            for (const RunRecord &run : m_store->runs()) {
                choices.statuses << run.status;
                choices.algorithms << run.algorithm;
                choices.datasets << run.dataset;
                if (!run.suite.isEmpty())
                    choices.suites << run.suite;
                if (!run.board.isEmpty())
                    choices.boards << run.board;
            }
            choices.tags = m_store->allTags();
        } catch (const StoreError &e) {
            emit storeError(QString::fromStdString(e.what()));
        }
    }
    choices.statuses = sortedUnique(choices.statuses);
    choices.algorithms = sortedUnique(choices.algorithms);
    choices.datasets = sortedUnique(choices.datasets);
    choices.suites = sortedUnique(choices.suites);
    choices.boards = sortedUnique(choices.boards);
    m_filterBar->setChoices(choices);
}

void RunsBrowser::refreshWithChoices()
{
    refreshChoices();
    refresh();
}

void RunsBrowser::refresh()
{
    const QList<qint64> selected = selectedRunIds();
    QList<RunRecord> runs;
    QList<QStringList> tags;
    if (m_store) {
        try {
            runs = m_store->runs(m_filterBar->filter());
            for (const RunRecord &run : runs)
                tags << m_store->tags(run.id);
        } catch (const StoreError &e) {
            runs.clear();
            tags.clear();
            emit storeError(QString::fromStdString(e.what()));
        }
    }
    const int rowsBefore = m_model->rowCount();
    m_model->setRuns(runs, tags);
    // Fit the columns when runs come or go (a run listed while "running" ends "completed"); a plain
    // refresh keeps the widths the user has set.
    if (m_model->rowCount() != rowsBefore)
        m_view->resizeColumnsToContents();
    selectRuns(selected);
}

QList<qint64> RunsBrowser::selectedRunIds() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex &index : rows)
        ids << m_model->runId(m_proxy->mapToSource(index).row());
    return ids;
}

void RunsBrowser::selectRuns(const QList<qint64> &runIds)
{
    QItemSelection selection;
    for (qint64 id : runIds) {
        const int row = m_model->rowOfRun(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index.siblingAtColumn(RunTableModel::ColumnCount - 1));
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!selection.isEmpty())
        m_view->selectionModel()->setCurrentIndex(selection.first().topLeft(), QItemSelectionModel::NoUpdate);
}

void RunsBrowser::updateActions()
{
    const qsizetype n = m_view->selectionModel()->selectedRows().size();
    const bool writable = m_store != nullptr;
    m_rename->setEnabled(writable && n == 1);
    m_tag->setEnabled(writable && n >= 1);
    m_removeTag->setEnabled(writable && n >= 1);
    m_note->setEnabled(writable && n >= 1);
    m_delete->setEnabled(writable && n >= 1);
    m_open->setEnabled(n == 1);
    m_compare->setEnabled(n >= 2);
    m_export->setEnabled(n >= 1);
}

void RunsBrowser::showContextMenu(const QPoint &position)
{
    QMenu menu(this);
    menu.addActions({m_open, m_compare, m_export});
    menu.addSeparator();
    menu.addActions({m_rename, m_tag, m_removeTag, m_note});
    menu.addSeparator();
    menu.addAction(m_delete);
    menu.exec(m_view->viewport()->mapToGlobal(position));
}

void RunsBrowser::changeStore(const std::function<void()> &change)
{
    try {
        change();
    } catch (const StoreError &e) {
        emit storeError(QString::fromStdString(e.what()));
    }
    refreshChoices();
    refresh();
    emit runsChanged();
}

QString RunsBrowser::describeRuns(const QList<qint64> &runIds) const
{
    QStringList named;
    for (qint64 id : runIds.first(std::min<qsizetype>(runIds.size(), kNamedRunsInQuestion))) {
        const int row = m_model->rowOfRun(id);
        const QString name = row >= 0 ? m_model->runs()[row].name : QString();
        named << (name.isEmpty() ? tr("run %1").arg(id) : tr("run %1 \u201c%2\u201d").arg(id).arg(name));
    }
    if (runIds.size() > kNamedRunsInQuestion)
        named << tr("and %1 more").arg(runIds.size() - kNamedRunsInQuestion);
    return named.join(QStringLiteral(", "));
}

void RunsBrowser::renameSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!m_store || ids.size() != 1)
        return;
    const qint64 id = ids.first();
    const QString current = m_model->runs()[m_model->rowOfRun(id)].name;
    const std::optional<QString> name
        = m_askers.askText(tr("Rename run"), tr("New name of run %1:").arg(id), current, false);
    if (!name)
        return;
    if (name->trimmed().isEmpty()) {
        emit storeError(tr("a run's name cannot be empty; run %1 keeps the name \u201c%2\u201d").arg(id).arg(current));
        return;
    }
    changeStore([&] { m_store->renameRun(id, name->trimmed()); });
}

void RunsBrowser::tagSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!m_store || ids.isEmpty())
        return;
    const std::optional<QString> tag
        = m_askers.askText(tr("Tag runs"), tr("Tag for %1:").arg(describeRuns(ids)), {}, false);
    if (!tag)
        return;
    if (tag->trimmed().isEmpty()) {
        emit storeError(tr("a tag cannot be empty; %1 not tagged").arg(describeRuns(ids)));
        return;
    }
    changeStore([&] {
        for (qint64 id : ids)
            m_store->addTag(id, tag->trimmed());
    });
}

void RunsBrowser::removeTagFromSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!m_store || ids.isEmpty())
        return;
    QStringList tags;
    for (qint64 id : ids)
        tags << m_model->tags(m_model->rowOfRun(id));
    tags = sortedUnique(tags);
    if (tags.isEmpty()) {
        emit storeError(tr("%1 has no tags to remove").arg(describeRuns(ids)));
        return;
    }
    const std::optional<QString> tag
        = m_askers.askItem(tr("Remove tag"), tr("Tag to remove from %1:").arg(describeRuns(ids)), tags);
    if (!tag)
        return;
    changeStore([&] {
        for (qint64 id : ids)
            m_store->removeTag(id, *tag); // false for a run that never had it: nothing to undo there
    });
}

void RunsBrowser::addNoteToSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!m_store || ids.isEmpty())
        return;
    const std::optional<QString> note
        = m_askers.askText(tr("Add note"), tr("Note on %1:").arg(describeRuns(ids)), {}, true);
    if (!note || note->trimmed().isEmpty())
        return;
    changeStore([&] {
        for (qint64 id : ids)
            m_store->addNote(id, *note);
    });
}

void RunsBrowser::deleteSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!m_store || ids.isEmpty())
        return;
    // Deleted under it, a training run (started here or by any other process on this store) would go
    // on writing rows the store drops, and be lost. The store marks runs of dead processes
    // "interrupted" when it opens, so "running" there means training now.
    QList<qint64> training;
    try {
        for (qint64 id : ids)
            if (const std::optional<RunRecord> run = m_store->run(id); run && run->status == QLatin1String("running"))
                training << id;
    } catch (const StoreError &e) {
        emit storeError(QString::fromStdString(e.what()));
        return;
    }
    if (!training.isEmpty()) {
        emit storeError(
            tr("%1 is training: stop it before deleting it; nothing was deleted").arg(describeRuns(training)));
        return;
    }
    const QString question = tr("Delete %1 and everything recorded with %2? This cannot be undone.")
                                 .arg(describeRuns(ids), ids.size() == 1 ? tr("it") : tr("them"));
    if (!m_askers.confirm(tr("Delete runs"), question))
        return;
    changeStore([&] {
        for (qint64 id : ids)
            m_store->deleteRun(id);
    });
}

void RunsBrowser::openSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (ids.size() == 1)
        emit openRunRequested(ids.first());
}

void RunsBrowser::compareSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (ids.size() >= 2)
        emit compareRequested(ids);
}

void RunsBrowser::exportSelected()
{
    const QList<qint64> ids = selectedRunIds();
    if (!ids.isEmpty())
        emit exportRequested(ids);
}

} // namespace ffint8
