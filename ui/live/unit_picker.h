// Which units the live view draws as curves: a checkable list of the run's unit names, by default
// the first, the middle and the last, so a network of 20+ units shows three legible curves.
#pragma once

#include <QColor>
#include <QList>
#include <QStringList>
#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QToolButton;

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
    // Each unit's colour as a swatch beside its name: with many units the list is the curves'
    // legend (the plots' own legends give way past a dozen curves).
    void setColours(const QList<QColor> &colours);
    QStringList units() const;
    QList<int> selected() const; // in unit order
    void setSelected(const QList<int> &units);
    void toggle(int unit);

    // The buttons' actions: every unit, none, the default three.
    void checkAll();
    void checkNone();
    void checkDefault();

    QListWidget *list() const { return m_list; }
    QString countText() const; // "3 of 24 units"

signals:
    void selectionChanged(const QList<int> &units);

private:
    void onItemChanged(QListWidgetItem *item);
    void announce();

    QListWidget *m_list;
    QLabel *m_count;
};

} // namespace ffint8
