// The live view's choice of units to draw as curves.
#include "ui/live/unit_picker.h"

#include <QLabel>
#include <QListWidget>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace ffint8 {

UnitPicker::UnitPicker(QWidget *parent) : QWidget(parent), m_list(new QListWidget(this))
{
    m_list->setObjectName(QStringLiteral("unitList"));
    auto *hint = new QLabel(tr("Curves of"), this);
    hint->setToolTip(
        tr("The units whose figures the curve plots below show; click a row of the heatmap to add or remove it"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(hint);
    layout->addWidget(m_list, 1);
    setMinimumWidth(120);
    setMaximumWidth(200);
    connect(m_list, &QListWidget::itemChanged, this, [this] { emit selectionChanged(selected()); });
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
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            item->setCheckState(checked.contains(u) ? Qt::Checked : Qt::Unchecked);
        }
    }
    emit selectionChanged(selected());
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
    emit selectionChanged(selected());
}

void UnitPicker::toggle(int unit)
{
    if (QListWidgetItem *item = m_list->item(unit))
        item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked); // itemChanged follows
}

} // namespace ffint8
