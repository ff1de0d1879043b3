// The live view's choice of units to draw as curves.
#include "ui/live/unit_picker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace ffint8 {

UnitPicker::UnitPicker(QWidget *parent) : QWidget(parent), m_list(new QListWidget(this)), m_count(new QLabel(this))
{
    m_list->setObjectName(QStringLiteral("unitList"));
    // A range: shift-click its first and last rows, then tick or untick any of them.
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setToolTip(tr("Tick the units to draw. Shift- or Ctrl-click rows to select several: ticking one of "
                          "the selected rows ticks them all"));
    m_count->setObjectName(QStringLiteral("unitCount"));
    m_count->setToolTip(
        tr("The units whose figures the curve plots below show; click a row of the heatmap to add or remove it"));
    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->setSpacing(2);
    auto addButton = [&](const QString &name, const QString &text, const QString &tip, void (UnitPicker::*action)()) {
        auto *b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        connect(b, &QToolButton::clicked, this, action);
        buttons->addWidget(b);
    };
    addButton(QStringLiteral("unitsAll"), tr("All"), tr("Draw every unit"), &UnitPicker::checkAll);
    addButton(QStringLiteral("unitsNone"), tr("None"), tr("Draw no unit"), &UnitPicker::checkNone);
    addButton(QStringLiteral("unitsDefault"), tr("Default"), tr("The first, middle and last unit"),
              &UnitPicker::checkDefault);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_count);
    layout->addLayout(buttons);
    layout->addWidget(m_list, 1);
    setMinimumWidth(120);
    setMaximumWidth(200);
    connect(m_list, &QListWidget::itemChanged, this, &UnitPicker::onItemChanged);
    m_count->setText(countText());
}

QList<int> UnitPicker::defaultSelection(int units)
{
    QList<int> picked;
    if (units <= 0)
        return picked;
    for (int unit : {0, (units - 1) / 2, units - 1})
        if (!picked.contains(unit))
            picked << unit;
    return picked;
}

void UnitPicker::setUnits(const QStringList &names)
{
    const QList<int> before = selected();
    const bool keep = m_list->count() > 0 && names.mid(0, m_list->count()) == units();
    {
        const QSignalBlocker blocker(m_list);
        m_list->clear();
        const QList<int> checked = keep ? before : defaultSelection(int(names.size()));
        for (int u = 0; u < int(names.size()); ++u) {
            auto *item = new QListWidgetItem(names[u], m_list);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setCheckState(checked.contains(u) ? Qt::Checked : Qt::Unchecked);
        }
    }
    announce();
}

void UnitPicker::setColours(const QList<QColor> &colours)
{
    const QSignalBlocker blocker(m_list); // a decoration is no change of choice
    for (int u = 0; u < m_list->count() && u < int(colours.size()); ++u)
        m_list->item(u)->setData(Qt::DecorationRole, colours[u]);
}

QStringList UnitPicker::units() const
{
    QStringList names;
    for (int u = 0; u < m_list->count(); ++u)
        names << m_list->item(u)->text();
    return names;
}

QList<int> UnitPicker::selected() const
{
    QList<int> picked;
    for (int u = 0; u < m_list->count(); ++u)
        if (m_list->item(u)->checkState() == Qt::Checked)
            picked << u;
    return picked;
}

void UnitPicker::setSelected(const QList<int> &units)
{
    {
        const QSignalBlocker blocker(m_list);
        for (int u = 0; u < m_list->count(); ++u)
            m_list->item(u)->setCheckState(units.contains(u) ? Qt::Checked : Qt::Unchecked);
    }
    announce();
}

void UnitPicker::toggle(int unit)
{
    QListWidgetItem *item = m_list->item(unit);
    if (!item)
        return;
    {
        // That unit alone (a heatmap row clicked), whatever rows the list has selected.
        const QSignalBlocker blocker(m_list);
        item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked);
    }
    announce();
}

void UnitPicker::checkAll()
{
    QList<int> all;
    for (int u = 0; u < m_list->count(); ++u)
        all << u;
    setSelected(all);
}

void UnitPicker::checkNone()
{
    setSelected({});
}

void UnitPicker::checkDefault()
{
    setSelected(defaultSelection(m_list->count()));
}

QString UnitPicker::countText() const
{
    return tr("Curves of %1 of %2 units").arg(selected().size()).arg(m_list->count());
}

// Ticking a row of a multi-row selection ticks the whole selection: a range in two clicks.
void UnitPicker::onItemChanged(QListWidgetItem *item)
{
    if (item->isSelected()) {
        const QSignalBlocker blocker(m_list);
        for (QListWidgetItem *other : m_list->selectedItems())
            other->setCheckState(item->checkState());
    }
    announce();
}

void UnitPicker::announce()
{
    m_count->setText(countText());
    emit selectionChanged(selected());
}

} // namespace ffint8
