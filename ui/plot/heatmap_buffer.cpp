// The bounded grid behind a unit x step heatmap.
#include "ui/plot/heatmap_buffer.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

HeatmapBuffer::HeatmapBuffer(int capacity) : m_capacity(std::max(2, capacity + (capacity & 1))) { }

void HeatmapBuffer::setUnitCount(int units)
{
    m_units = std::max(0, units);
    clear();
}

void HeatmapBuffer::clear()
{
    m_cells.assign(size_t(m_capacity) * size_t(m_units), Cell{});
    m_columns = 0;
    m_width = 1;
    m_lastStep = 0;
}

void HeatmapBuffer::append(qint64 step, const std::vector<double> &values)
{
    if (step <= 0 || m_units == 0)
        return;
    const qint64 first = step > m_lastStep ? m_lastStep + 1 : step;
    // Room for the column of `step` first: the grid widens before anything is added.
    while ((step - 1) / m_width >= m_capacity)
        mergePairs();
    add(first, step, values);
    m_lastStep = std::max(m_lastStep, step);
    m_columns = int((m_lastStep - 1) / m_width) + 1;
}

void HeatmapBuffer::add(qint64 first, qint64 last, const std::vector<double> &values)
{
    for (qint64 c = (first - 1) / m_width; c <= (last - 1) / m_width; ++c) {
        // The steps of [first, last] that fall in column c: (c * w, (c + 1) * w].
        const qint64 steps = std::min(last, (c + 1) * m_width) - std::max(first, c * m_width + 1) + 1;
        for (int u = 0; u < m_units && size_t(u) < values.size(); ++u) {
            if (!std::isfinite(values[size_t(u)]))
                continue;
            Cell &target = cell(int(c), u);
            target.sum += values[size_t(u)] * double(steps);
            target.steps += steps;
        }
    }
}

void HeatmapBuffer::mergePairs()
{
    for (int c = 0; c < m_capacity / 2; ++c) {
        for (int u = 0; u < m_units; ++u) {
            const Cell a = cell(2 * c, u), b = cell(2 * c + 1, u);
            cell(c, u) = Cell{a.sum + b.sum, a.steps + b.steps};
        }
    }
    for (int c = m_capacity / 2; c < m_capacity; ++c)
        for (int u = 0; u < m_units; ++u)
            cell(c, u) = Cell{};
    m_width *= 2;
    m_columns = m_lastStep > 0 ? int((m_lastStep - 1) / m_width) + 1 : 0;
}

double HeatmapBuffer::value(int column, int unit) const
{
    if (column < 0 || column >= m_columns || unit < 0 || unit >= m_units)
        return NAN;
    const Cell &c = m_cells[size_t(column) * size_t(m_units) + size_t(unit)];
    return c.steps > 0 ? c.sum / double(c.steps) : NAN;
}

double HeatmapBuffer::columnCentre(int column) const
{
    return (double(column) + 0.5) * double(m_width) + 0.5;
}

} // namespace ffint8
