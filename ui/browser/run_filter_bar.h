// The runs browser's filter row: status, algorithm, dataset, tag, suite and board choices, an optional date range and a
// text search, turned into the store's RunFilter.
#pragma once

#include "app/store/run_store.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QTimer;

namespace ffint8 {

// The values the combos offer, as found in the store.
struct RunFilterChoices
{
    QStringList statuses;
    QStringList algorithms;
    QStringList datasets;
    QStringList tags;
    QStringList suites;
    QStringList boards;
};

class RunFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit RunFilterBar(QWidget *parent = nullptr);

    // Replaces the combos' entries, keeping each current choice where it is still offered.
    void setChoices(const RunFilterChoices &choices);
    RunFilter filter() const;
    // Shows `filter` in the widgets and emits filterChanged at once.
    void setFilter(const RunFilter &filter);

    QComboBox *statusCombo() const { return m_status; }
    QComboBox *algorithmCombo() const { return m_algorithm; }
    QComboBox *datasetCombo() const { return m_dataset; }
    QComboBox *tagCombo() const { return m_tag; }
    QComboBox *suiteCombo() const { return m_suite; }
    QComboBox *boardCombo() const { return m_board; }
    QLineEdit *textEdit() const { return m_text; }

signals:
    void filterChanged(const ffint8::RunFilter &filter);

private:
    void emitFilter();
    static void fillCombo(QComboBox *combo, const QStringList &values);
    static void selectValue(QComboBox *combo, const QString &value);
    static QString valueOf(const QComboBox *combo);

    QComboBox *m_status;
    QComboBox *m_algorithm;
    QComboBox *m_dataset;
    QComboBox *m_tag;
    QComboBox *m_suite;
    QComboBox *m_board;
    QCheckBox *m_useSince;
    QDateEdit *m_since;
    QCheckBox *m_useUntil;
    QDateEdit *m_until;
    QLineEdit *m_text;
    QTimer *m_textTimer; // typing settles before the store is queried again
    bool m_updating = false;
};

} // namespace ffint8
