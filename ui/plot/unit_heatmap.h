// A unit x step heatmap of one per-unit figure (FF's separation, BP's gradient norm), units named
// on their axis: the one picture of a run with 20 or 200 units that stays readable.
#pragma once

#include "ui/plot/heatmap_buffer.h"
#include "ui/plot/redraw_throttle.h"

#include <QStringList>
#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCPTextElement;

namespace ffint8 {

// Steps run along x, units down y (the first unit at the top), each cell coloured by the unit's mean
// figure over the cell's steps (HeatmapBuffer, so memory and redraw cost stay bounded however long
// the run). Redraws are coalesced as a LivePlot's. Clicking a unit's row emits unitClicked.
class UnitHeatmap : public QWidget
{
    Q_OBJECT
public:
    // Diverging: a colour scale symmetric around 0 (red below, blue above), for separation.
    // Logarithmic: for positive figures spanning decades (gradient norms).
    enum class Scale { Diverging, Logarithmic };

    explicit UnitHeatmap(QWidget *parent = nullptr);
    ~UnitHeatmap() override;

    // The units, one row each, top to bottom; empties the map.
    void setUnits(const QStringList &names);
    QStringList units() const { return m_units; }
    void setTitleAndScale(const QString &title, const QString &scaleLabel, Scale scale);
    // One progress report: each unit's figure at `step` (NaN: none; see HeatmapBuffer::append).
    void append(qint64 step, const std::vector<double> &values);
    void clear(); // the data; the units stay

    // A line of text in the middle of the map for what it cannot show and why; empty hides it.
    void setMessage(const QString &text);
    QString message() const { return m_messageText; }
    QString title() const;

    // Draws what is pending at once (before an export, or in a test).
    void redrawNow();

    const HeatmapBuffer &buffer() const { return m_buffer; }
    QCustomPlot *customPlot() const { return m_plot; }
    QCPColorMap *colorMap() const { return m_map; }
    QCPColorScale *colorScale() const { return m_scale; }
    // The unit axis's label at each unit, top to bottom: the unit's name, or empty where the rows
    // are too low for every name and only every n-th is written.
    QStringList unitAxisLabels() const;

signals:
    void unitClicked(int unit);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void redraw();
    void updateUnitTicks();

    QCustomPlot *m_plot = nullptr;
    QCPTextElement *m_title = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPColorScale *m_scale = nullptr;
    QCPItemText *m_message = nullptr;
    QString m_messageText;
    QStringList m_units;
    Scale m_scaleKind = Scale::Diverging;
    HeatmapBuffer m_buffer;
    RedrawThrottle m_throttle;
};

} // namespace ffint8
