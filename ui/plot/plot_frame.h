// What every live plot widget has around its QCustomPlot: the plot filling the widget, a bold
// title row above the axes, and a grey line of text in their middle for what it cannot show.
#pragma once

class QCPItemText;
class QCPTextElement;
class QCustomPlot;
class QString;
class QWidget;

namespace ffint8 {

// Lays `plot` out to fill `widget`, inserts a title row above its axes (the widget's font, bold,
// wrapped) and returns the title.
QCPTextElement *frameLivePlot(QWidget *widget, QCustomPlot *plot, const QString &title);
// A hidden text item centred on the axes, in grey: setText and setVisible show a message there.
QCPItemText *addCentredMessage(QCustomPlot *plot);

} // namespace ffint8
