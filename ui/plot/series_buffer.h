// A bounded buffer of one live series that keeps every extreme, and the points to draw for a pixel width.
#pragma once

#include <QPointF>
#include <QVector>
#include <cstddef>
#include <vector>

namespace ffint8 {

// A live plot may receive millions of points; the full history lives in the run store, so this keeps
// a fixed number of buckets instead. Each bucket covers consecutive points and remembers its lowest
// and highest point (with their x); when the buckets run out, neighbours are merged in pairs, which
// halves the resolution but never loses an extreme. The last point is kept exactly, so the line ends
// at the value the run reported last. Non-finite values are counted and dropped on the way in.
class SeriesBuffer
{
public:
    static constexpr int kDefaultCapacity = 4096;

    explicit SeriesBuffer(int capacity = kDefaultCapacity);

    void append(double x, double y);
    void clear();

    int capacity() const { return m_capacity; }
    int bucketCount() const { return int(m_buckets.size()); }
    qint64 receivedCount() const { return m_received; } // every append, finite or not
    qint64 droppedCount() const { return m_dropped; } // non-finite values left out
    qint64 pointsPerBucket() const { return m_pointsPerBucket; }
    bool isEmpty() const { return m_buckets.empty(); }
    // Bytes this buffer holds, whatever it has received.
    size_t memoryBytes() const;

    // Meaningful only when not empty.
    QPointF lastPoint() const { return m_last; }
    QPointF minPoint() const; // the lowest y received (the first of equals)
    QPointF maxPoint() const; // the highest y received
    double xMin() const { return m_xMin; }
    double xMax() const { return m_xMax; }

    // Everything kept, in order: each bucket's extremes by x (one point where they coincide), then
    // the last point where its bucket did not already end on it.
    QVector<QPointF> points() const;

    // The points to draw over [xLo, xHi] split into `columns` equal pixel columns: of the kept points
    // falling in each column, its lowest and its highest in x order (so at most two per column),
    // plus the exact last point where it lies in range. The nearest kept point outside each end is
    // included so the line runs to the edges. A point at x belongs to column
    // floor((x - xLo) / (xHi - xLo) * columns), clamped to the last column.
    QVector<QPointF> pointsForWidth(double xLo, double xHi, int columns) const;
    // The same over the whole x range received.
    QVector<QPointF> pointsForWidth(int columns) const { return pointsForWidth(m_xMin, m_xMax, columns); }

private:
    struct Bucket
    {
        double xLow, yLow; // the lowest point
        double xHigh, yHigh; // the highest point
        qint64 count;
    };
    void mergePairs();

    int m_capacity;
    std::vector<Bucket> m_buckets;
    qint64 m_pointsPerBucket = 1;
    qint64 m_received = 0;
    qint64 m_dropped = 0;
    QPointF m_last;
    double m_xMin = 0.0;
    double m_xMax = 0.0;
};

} // namespace ffint8
