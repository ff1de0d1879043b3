// A bounded buffer of one live series that keeps every extreme, and the points to draw for a pixel width.
#include "ui/plot/series_buffer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ffint8 {

SeriesBuffer::SeriesBuffer(int capacity)
    : m_capacity(std::max(2, capacity + (capacity & 1))) // even, so buckets merge in whole pairs
{
    m_buckets.reserve(size_t(m_capacity));
}

void SeriesBuffer::append(double x, double y)
{
    ++m_received;
    if (!std::isfinite(x) || !std::isfinite(y)) {
        ++m_dropped;
        return;
    }
    if (m_buckets.empty()) {
        m_xMin = m_xMax = x;
    } else {
        m_xMin = std::min(m_xMin, x);
        m_xMax = std::max(m_xMax, x);
    }
    m_last = QPointF(x, y);
    if (!m_buckets.empty() && m_buckets.back().count < m_pointsPerBucket) {
        Bucket &b = m_buckets.back();
        if (y < b.yLow) {
            b.xLow = x;
            b.yLow = y;
        }
        if (y > b.yHigh) {
            b.xHigh = x;
            b.yHigh = y;
        }
        ++b.count;
        return;
    }
    // Only the last bucket is ever partly filled and it is full here, so whole pairs merge into full
    // buckets and the new point starts a bucket of its own.
    if (int(m_buckets.size()) == m_capacity)
        mergePairs();
    m_buckets.push_back(Bucket{x, y, x, y, 1});
}

void SeriesBuffer::mergePairs()
{
    // Each pair becomes one bucket holding the lower of the two lows and the higher of the two highs,
    // so the extremes survive every merge; the first of equal values is kept, as append() does.
    size_t out = 0;
    for (size_t i = 0; i + 1 < m_buckets.size(); i += 2, ++out) {
        const Bucket &a = m_buckets[i];
        const Bucket &b = m_buckets[i + 1];
        Bucket m = a;
        if (b.yLow < a.yLow) {
            m.xLow = b.xLow;
            m.yLow = b.yLow;
        }
        if (b.yHigh > a.yHigh) {
            m.xHigh = b.xHigh;
            m.yHigh = b.yHigh;
        }
        m.count = a.count + b.count;
        m_buckets[out] = m;
    }
    m_buckets.resize(out);
    m_pointsPerBucket *= 2;
}

void SeriesBuffer::clear()
{
    m_buckets.clear();
    m_pointsPerBucket = 1;
    m_received = 0;
    m_dropped = 0;
    m_last = QPointF();
    m_xMin = m_xMax = 0.0;
}

size_t SeriesBuffer::memoryBytes() const
{
    return sizeof(*this) + m_buckets.capacity() * sizeof(Bucket);
}

QPointF SeriesBuffer::minPoint() const
{
    auto it = std::min_element(m_buckets.begin(), m_buckets.end(),
                               [](const Bucket &a, const Bucket &b) { return a.yLow < b.yLow; });
    return it == m_buckets.end() ? QPointF() : QPointF(it->xLow, it->yLow);
}

QPointF SeriesBuffer::maxPoint() const
{
    auto it = std::max_element(m_buckets.begin(), m_buckets.end(),
                               [](const Bucket &a, const Bucket &b) { return a.yHigh < b.yHigh; });
    return it == m_buckets.end() ? QPointF() : QPointF(it->xHigh, it->yHigh);
}

QVector<QPointF> SeriesBuffer::points() const
{
    QVector<QPointF> out;
    out.reserve(qsizetype(m_buckets.size()) * 2 + 1);
    for (const Bucket &b : m_buckets) {
        const QPointF low(b.xLow, b.yLow), high(b.xHigh, b.yHigh);
        if (low == high) {
            out.append(low);
        } else if (b.xHigh < b.xLow) {
            out.append(high);
            out.append(low);
        } else {
            out.append(low);
            out.append(high);
        }
    }
    if (!out.isEmpty() && out.last() != m_last)
        out.append(m_last);
    return out;
}

QVector<QPointF> SeriesBuffer::pointsForWidth(double xLo, double xHi, int columns) const
{
    const QVector<QPointF> kept = points();
    if (kept.isEmpty() || columns <= 0)
        return kept;

    constexpr qsizetype kNone = -1;
    std::vector<qsizetype> low(size_t(columns), kNone), high(size_t(columns), kNone);
    qsizetype before = kNone, after = kNone; // the nearest kept points outside the range
    const double span = xHi - xLo;
    for (qsizetype i = 0; i < kept.size(); ++i) {
        const QPointF &p = kept[i];
        if (p.x() < xLo) {
            if (before == kNone || p.x() >= kept[before].x())
                before = i;
            continue;
        }
        if (p.x() > xHi) {
            if (after == kNone || p.x() < kept[after].x())
                after = i;
            continue;
        }
        int column = span > 0 ? int(std::floor((p.x() - xLo) / span * columns)) : 0;
        column = std::clamp(column, 0, columns - 1);
        if (low[size_t(column)] == kNone || p.y() < kept[low[size_t(column)]].y())
            low[size_t(column)] = i;
        if (high[size_t(column)] == kNone || p.y() > kept[high[size_t(column)]].y())
            high[size_t(column)] = i;
    }

    const bool lastInRange = m_last.x() >= xLo && m_last.x() <= xHi;
    const int lastColumn
        = std::clamp(span > 0 ? int(std::floor((m_last.x() - xLo) / span * columns)) : 0, 0, columns - 1);
    QVector<QPointF> out;
    out.reserve(2 * columns + 3);
    if (before != kNone)
        out.append(kept[before]);
    for (int c = 0; c < columns; ++c) {
        if (low[size_t(c)] == kNone)
            continue;
        QPointF column[3];
        int n = 0;
        column[n++] = kept[low[size_t(c)]];
        if (high[size_t(c)] != low[size_t(c)])
            column[n++] = kept[high[size_t(c)]];
        // The last point joins its column, so the line ends where the run is now.
        if (lastInRange && c == lastColumn && std::find(column, column + n, m_last) == column + n)
            column[n++] = m_last;
        std::stable_sort(column, column + n, [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
        for (int k = 0; k < n; ++k)
            out.append(column[k]);
    }
    if (after != kNone)
        out.append(kept[after]);
    return out;
}

} // namespace ffint8
