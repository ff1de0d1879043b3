// The bounded grid behind a unit x step heatmap: per unit, the mean of its reported values over
// each column of steps, the columns widening as the run grows.
#pragma once

#include <QtGlobal>
#include <vector>

namespace ffint8 {

// A progress report gives each unit's figure averaged over the batches since the previous report,
// so a report at step s fills every step of (previous step, s] with its value. Column c covers the
// steps (c * w, (c + 1) * w] and holds, per unit, the mean of its values over the steps it has
// values for; w starts at 1 and doubles (neighbouring columns merge in pairs, their means
// weighted by their steps) whenever the steps would need more than the capacity's columns. So the
// grid is exact until the run outgrows it and then keeps the mean of every column it merged,
// and its memory stays capacity x units whatever the length of the run.
class HeatmapBuffer
{
public:
    static constexpr int kDefaultCapacity = 512;

    explicit HeatmapBuffer(int capacity = kDefaultCapacity);

    // Empties the grid and gives it `units` rows.
    void setUnitCount(int units);
    void clear(); // keeps the unit count

    // The values of the report at `step` (> 0), one per unit (NaN: no figure; entries beyond the
    // unit count are ignored). A step not beyond the last counts for that step alone.
    void append(qint64 step, const std::vector<double> &values);

    int capacity() const { return m_capacity; }
    int unitCount() const { return m_units; }
    int columnCount() const { return m_columns; } // from step 1 to the last reported step
    qint64 stepsPerColumn() const { return m_width; }
    qint64 lastStep() const { return m_lastStep; }
    // The mean of the unit's values over the column's steps; NaN where it has none there.
    double value(int column, int unit) const;
    // The middle of the column's steps, (c + 0.5) * w + 0.5: where its cell is centred on a step axis.
    double columnCentre(int column) const;

private:
    struct Cell
    {
        double sum = 0.0; // of value x steps
        qint64 steps = 0;
    };
    Cell &cell(int column, int unit) { return m_cells[size_t(column) * size_t(m_units) + size_t(unit)]; }
    void add(qint64 first, qint64 last, const std::vector<double> &values); // the steps [first, last]
    void mergePairs();

    int m_capacity;
    int m_units = 0;
    int m_columns = 0;
    qint64 m_width = 1;
    qint64 m_lastStep = 0;
    std::vector<Cell> m_cells; // capacity x units, column-major by column
};

} // namespace ffint8
