// The frame every live plot widget puts around its QCustomPlot.
#include "ui/plot/plot_frame.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace ffint8 {

QCPTextElement *frameLivePlot(QWidget *widget, QCustomPlot *plot, const QString &title)
{
    auto *layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = widget->font();
    titleFont.setBold(true);
    auto *element = new QCPTextElement(plot, title, titleFont);
    plot->plotLayout()->addElement(0, 0, element);
    element->setTextFlags(Qt::TextWordWrap | Qt::AlignCenter);
    return element;
}

QCPItemText *addCentredMessage(QCustomPlot *plot)
{
    auto *message = new QCPItemText(plot);
    message->position->setType(QCPItemPosition::ptAxisRectRatio);
    message->position->setCoords(0.5, 0.5);
    message->setPositionAlignment(Qt::AlignCenter);
    message->setColor(QColor(110, 110, 110));
    message->setVisible(false);
    return message;
}

} // namespace ffint8
