// The compared runs' final figures as bars, Table V as a picture: test accuracy, training time,
// energy and peak engine memory, one bar per run in each, in the runs' curve colours.
#pragma once

#include "app/store/run_store.h"

#include <QList>
#include <QWidget>

class QCPAxisRect;
class QCustomPlot;

namespace ffint8 {

class SummaryBars : public QWidget
{
    Q_OBJECT

public:
    // The four figures, in the order of their panels.
    enum Figure { TestAccuracy, TrainTime, Energy, PeakEngineMemory, FigureCount };

    explicit SummaryBars(QWidget *parent = nullptr);

    void setRuns(const QList<RunRecord> &runs);

    QCustomPlot *plot() const { return m_plot; }
    QCPAxisRect *panel(Figure figure) const { return m_panels[figure]; }
    // The bar heights drawn in a panel, in the runs' order; NaN where the run has no such figure.
    QList<double> values(Figure figure) const;
    // The panel's note for what it cannot show ("no power source"), or empty.
    QString note(Figure figure) const;

    static QString title(Figure figure);

private:
    QCustomPlot *m_plot;
    QCPAxisRect *m_panels[FigureCount] = {};
    QList<double> m_values[FigureCount];
    QString m_notes[FigureCount];
};

} // namespace ffint8
