// The runs browser: the stored runs in a filterable, sortable table, and what can be done to them
// (rename, tag, note, delete, open, compare, export). The store does the work; this forwards to it.
#pragma once

#include "app/store/run_store.h"

#include <QList>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <optional>

class QAction;
class QSortFilterProxyModel;
class QTableView;
class QToolBar;

namespace ffint8 {

class RunFilterBar;
class RunTableModel;

// The questions the actions ask the user. Each defaults to a modal Qt dialog; tests replace them.
struct BrowserAskers
{
    // Text from the user, or nullopt when cancelled. `multiLine` for notes.
    std::function<std::optional<QString>(const QString &title, const QString &label, const QString &initial,
                                         bool multiLine)>
        askText;
    // One of `items`, or nullopt when cancelled.
    std::function<std::optional<QString>(const QString &title, const QString &label, const QStringList &items)> askItem;
    // True only for an explicit yes.
    std::function<bool(const QString &title, const QString &question)> confirm;
};

class RunsBrowser : public QWidget
{
    Q_OBJECT

public:
    explicit RunsBrowser(QWidget *parent = nullptr);

    // The store to browse; nullptr shows an empty table. The store must outlive this widget or be unset.
    void setStore(ffint8::RunStore *store);
    ffint8::RunStore *store() const { return m_store; }
    void setAskers(const BrowserAskers &askers);

    QList<qint64> selectedRunIds() const; // in the table's current order
    void selectRuns(const QList<qint64> &runIds);

    QTableView *view() const { return m_view; }
    QTimer *sharedStoreTimer() { return &m_sharedStoreTimer; } // the listing by time, beside notifications
    RunFilterBar *filterBar() const { return m_filterBar; }
    RunTableModel *model() const { return m_model; }

    QAction *renameAction() const { return m_rename; }
    QAction *tagAction() const { return m_tag; }
    QAction *removeTagAction() const { return m_removeTag; }
    QAction *noteAction() const { return m_note; }
    QAction *deleteAction() const { return m_delete; }
    QAction *openAction() const { return m_open; }
    QAction *compareAction() const { return m_compare; }
    QAction *exportAction() const { return m_export; }

public slots:
    // Queries the store again with the current filter; the selection is kept where its runs still show.
    void refresh();
    // Re-reads the filters' choices too: after a run ends, its suite, status or algorithm may be new.
    void refreshWithChoices();
    void renameSelected();
    void tagSelected();
    void removeTagFromSelected();
    void addNoteToSelected();
    void deleteSelected(); // after the user confirms, naming the runs
    void openSelected();
    void compareSelected();
    void exportSelected();

signals:
    void openRunRequested(qint64 runId);
    void compareRequested(const QList<qint64> &runIds);
    void exportRequested(const QList<qint64> &runIds);
    void storeError(const QString &message);
    // After the store was changed from here (renamed, tagged, noted, deleted runs).
    void runsChanged();

private:
    void showContextMenu(const QPoint &position);
    void updateActions();
    void refreshChoices();
    // Runs `change` against the store, reports a StoreError instead of throwing, then refreshes.
    void changeStore(const std::function<void()> &change);
    QString describeRuns(const QList<qint64> &runIds) const;

    ffint8::RunStore *m_store = nullptr;
    // A store shared by several boards changes without this window knowing: listed again when its
    // writers say so (PostgreSQL's notifications, coalesced), and while shown on a timer besides
    // (often where there are no notifications, seldom where a lost connection may have dropped them).
    QTimer m_sharedStoreTimer;
    QTimer m_changeTimer;
    QObject *m_changeContext = nullptr; // the current store's notification connection
    BrowserAskers m_askers;
    RunFilterBar *m_filterBar;
    QToolBar *m_toolBar;
    RunTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QAction *m_rename;
    QAction *m_tag;
    QAction *m_removeTag;
    QAction *m_note;
    QAction *m_delete;
    QAction *m_open;
    QAction *m_compare;
    QAction *m_export;
};

} // namespace ffint8
