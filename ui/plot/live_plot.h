// One live plot: a QCustomPlot whose series live in bounded buffers and redraw on a coalescing timer.
#pragma once

#include "ui/plot/redraw_throttle.h"
#include "ui/plot/series_buffer.h"

#include <QColor>
#include <QWidget>
#include <memory>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPItemText;
class QCPTextElement;

namespace ffint8 {

// A run reports far faster than a screen can show, so append() only stores the point and marks the
// plot dirty; a timer redraws at most kMaxRedrawsPerSecond times a second, and only when something
// changed. Each redraw draws at most about two points per pixel column of each series (its buffer's
// min/max decimation), so the cost of a redraw does not grow with the length of the run.
class LivePlot : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxRedrawsPerSecond = RedrawThrottle::kMaxPerSecond;

    explicit LivePlot(const QString &title, const QString &xLabel, const QString &yLabel, QWidget *parent = nullptr);
    ~LivePlot() override;

    // Returns the series' index. `rightAxis` puts it on the value axis at the right (shown from then on).
    // `capacity` bounds its buffer (SeriesBuffer): one of many per-unit series may take fewer buckets.
    int addSeries(const QString &name, const QColor &color, Qt::PenStyle style = Qt::SolidLine, bool rightAxis = false,
                  int capacity = SeriesBuffer::kDefaultCapacity);
    // A hidden series keeps receiving points but is not drawn, scaled to or listed in the legend:
    // the live view keeps every unit's curves and shows those the user picked.
    void setSeriesVisible(int series, bool visible);
    bool isSeriesVisible(int series) const;
    // A new colour for a series' line, its style kept (units recoloured when a run names more).
    void setSeriesColour(int series, const QColor &colour);
    // At most `entries` legend entries (0: no limit): a plot of more listed series says how many
    // there are in `overflowNote` ("%1" takes the count) instead, where entries past a plot's
    // height would crowd out its axes. The live view's unit list names and colours the units.
    void setLegendLimit(int entries, const QString &overflowNote);
    // The note shown in place of the legend, or empty while the legend lists every series.
    QString legendNote() const;
    void setRightAxisLabel(const QString &label);
    // Retitles the plot (the live view shows BP's gradient figures where FF's goodness would be).
    void setTitleAndLabel(const QString &title, const QString &yLabel);
    // Draws a disc at each point: for sparse series (one point per epoch) that a line alone hides.
    void setMarkers(int series, bool on);
    // Ticks on whole numbers only, for an x axis that counts (epochs).
    void setIntegerX(bool on);

    void append(int series, double x, double y);
    void setSeries(int series, const QVector<double> &xs, const QVector<double> &ys);
    void clear(); // the data of every series; the series stay
    void removeAllSeries(); // the series too, for a plot that is rebuilt for another run

    // A line of text in the middle of the axes, for what the plot cannot show and why ("no power
    // source"); empty hides it.
    void setMessage(const QString &text);
    QString message() const { return m_messageText; }

    QString title() const;
    int seriesCount() const { return int(m_series.size()); }
    QString seriesName(int series) const;

    // Draws what is pending at once (before an export, or to time a redraw).
    void redrawNow();

    // Counters for the tests and the benchmark.
    int redrawCount() const { return m_redrawCount; }
    qint64 pointCount(int series) const; // points received
    int drawnPointCount(int series) const; // points handed to QCustomPlot at the last redraw
    double lastRedrawMilliseconds() const { return m_lastRedrawMs; }
    double worstRedrawMilliseconds() const { return m_worstRedrawMs; }
    size_t bufferBytes() const; // memory held by the series' buffers

    QCustomPlot *customPlot() const { return m_plot; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Series
    {
        explicit Series(int capacity) : buffer(capacity) { }
        QCPGraph *graph = nullptr;
        SeriesBuffer buffer;
        bool visible = true;
    };
    void markDirty();
    void redraw();
    Series &seriesAt(int series);
    const Series &seriesAt(int series) const;

    QCustomPlot *m_plot = nullptr;
    QCPTextElement *m_title = nullptr;
    QCPItemText *m_message = nullptr;
    QCPTextElement *m_legendNote = nullptr;
    int m_legendLimit = 0;
    QString m_legendOverflow;
    QString m_messageText;
    std::vector<std::unique_ptr<Series>> m_series;
    RedrawThrottle m_throttle;
    int m_redrawCount = 0;
    double m_lastRedrawMs = 0.0;
    double m_worstRedrawMs = 0.0;
};

} // namespace ffint8
