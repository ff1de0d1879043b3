// Which units the live view draws as curves: a checkable list of the run's unit names, by default
// the first, the middle and the last, so a network of 20+ units shows three legible curves.
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

class QListWidget;

namespace ffint8 {

class UnitPicker : public QWidget
{
    Q_OBJECT
public:
    explicit UnitPicker(QWidget *parent = nullptr);

    // The first, middle and last of `units` units (fewer where they coincide), in order.
    static QList<int> defaultSelection(int units);

    // Lists the units. Units already listed keep their check (a run that names more units than it
    // announced); a new list gets the default selection.
    void setUnits(const QStringList &names);
    QStringList units() const;
    QList<int> selected() const; // in unit order
    void setSelected(const QList<int> &units);
    void toggle(int unit);

    QListWidget *list() const { return m_list; }

signals:
    void selectionChanged(const QList<int> &units);

private:
    QListWidget *m_list;
};

} // namespace ffint8
