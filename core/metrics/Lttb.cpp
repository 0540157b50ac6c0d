#include "Lttb.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sp {

namespace {

// A maximal run of finite points [begin, end), or of gap points (non-finite y).
struct Stretch
{
    qsizetype begin = 0;
    qsizetype end = 0;
    bool gap = false;
    qsizetype keep = 0; // points of this stretch in the output
};

// Appends the indices LTTB keeps when reducing the finite stretch [begin, end) to `count` points.
// Bucket bounds are computed in integers so that they are exact and every bucket is non-empty.
void downsampleStretch(const QPointF *pts, qsizetype begin, qsizetype end, qsizetype count,
                       QList<qsizetype> &out)
{
    const qsizetype n = end - begin;
    if (count >= n) {
        for (qsizetype i = begin; i < end; ++i)
            out.push_back(i);
        return;
    }
    if (count <= 0)
        return;
    out.push_back(begin);
    if (count == 1)
        return;

    const qsizetype inner = n - 2;       // points between the two kept ends
    const qsizetype buckets = count - 2; // < inner, so each bucket holds at least one point
    const auto bucketStart = [=](qsizetype b) { return begin + 1 + b * inner / buckets; };

    qsizetype selected = begin;
    qsizetype start = begin + 1;
    for (qsizetype b = 0; b < buckets; ++b) {
        const qsizetype stop = bucketStart(b + 1);
        // The last bucket looks ahead to the last point alone, which is kept anyway.
        const qsizetype nextStop = b + 1 < buckets ? bucketStart(b + 2) : end;
        double sumX = 0;
        double sumY = 0;
        for (qsizetype j = stop; j < nextStop; ++j) {
            sumX += pts[j].x();
            sumY += pts[j].y();
        }
        const double nextCount = double(nextStop - stop);
        const double px = pts[selected].x();
        const double py = pts[selected].y();
        // Relative to the previous point, so that large x (ms since the epoch) keep their precision.
        const double ax = sumX / nextCount - px;
        const double ay = sumY / nextCount - py;

        // Twice the triangle area is |a x (p_j - p)|; the constant factor does not change the winner.
        double bestArea = -1;
        qsizetype best = start;
        for (qsizetype j = start; j < stop; ++j) {
            const double area = std::abs(ax * (pts[j].y() - py) - (pts[j].x() - px) * ay);
            if (area > bestArea) {
                bestArea = area;
                best = j;
            }
        }
        out.push_back(best);
        selected = best;
        start = stop;
    }
    out.push_back(end - 1);
}

// Shares `extra` points over the finite stretches in proportion to how many points each could
// still give (its length beyond its two ends), by largest remainder so the sum is exact.
void shareBudget(QList<Stretch> &stretches, qint64 extra)
{
    qint64 capacity = 0;
    for (const Stretch &s : stretches) {
        if (!s.gap)
            capacity += s.end - s.begin - s.keep;
    }
    if (extra >= capacity) {
        for (Stretch &s : stretches)
            s.keep = s.gap ? 1 : s.end - s.begin;
        return;
    }
    // extra < capacity <= number of points, so extra * c cannot overflow for any series that fits in memory.
    QList<std::pair<qint64, qsizetype>> remainders; // (remainder, stretch index)
    qint64 given = 0;
    for (qsizetype i = 0; i < stretches.size(); ++i) {
        Stretch &s = stretches[i];
        if (s.gap)
            continue;
        const qint64 c = s.end - s.begin - s.keep;
        const qint64 share = extra * c / capacity;
        s.keep += share;
        given += share;
        remainders.push_back({extra * c % capacity, i});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    // Each leftover point goes to a stretch with a non-zero remainder, so no stretch exceeds its length.
    for (qsizetype k = 0; given < extra; ++k, ++given)
        ++stretches[remainders[k].second].keep;
}

} // namespace

QList<qsizetype> lttbIndices(std::span<const QPointF> points, int threshold)
{
    const qsizetype n = qsizetype(points.size());
    const QPointF *pts = points.data();
#ifndef QT_NO_DEBUG
    for (qsizetype i = 1; i < n; ++i)
        Q_ASSERT_X(pts[i - 1].x() <= pts[i].x(), "sp::lttb", "x must be non-decreasing");
#endif
    QList<qsizetype> out;
    if (threshold <= 0 || threshold >= n) {
        out.resize(n);
        std::iota(out.begin(), out.end(), qsizetype(0));
        return out;
    }
    if (threshold == 1)
        return {0};
    if (threshold == 2)
        return {0, n - 1};

    QList<Stretch> stretches;
    for (qsizetype i = 0; i < n;) {
        const bool gap = !std::isfinite(pts[i].y());
        qsizetype j = i + 1;
        while (j < n && !std::isfinite(pts[j].y()) == gap)
            ++j;
        stretches.push_back({.begin = i, .end = j, .gap = gap, .keep = gap ? 1 : std::min<qsizetype>(j - i, 2)});
        i = j;
    }
    qint64 structural = 0;
    for (const Stretch &s : stretches)
        structural += s.keep;
    if (threshold > structural)
        shareBudget(stretches, threshold - structural);

    out.reserve(std::max<qint64>(threshold, structural));
    for (const Stretch &s : stretches) {
        if (s.gap)
            out.push_back(s.begin);
        else
            downsampleStretch(pts, s.begin, s.end, s.keep, out);
    }
    return out;
}

QList<QPointF> lttb(std::span<const QPointF> points, int threshold)
{
    const QList<qsizetype> indices = lttbIndices(points, threshold);
    QList<QPointF> out;
    out.reserve(indices.size());
    for (qsizetype i : indices)
        out.push_back(points[size_t(i)]);
    return out;
}

QList<QPointF> lttb(const QList<QPointF> &points, int threshold)
{
    if (threshold <= 0 || threshold >= points.size())
        return points;
    return lttb(std::span<const QPointF>(points.constData(), size_t(points.size())), threshold);
}

} // namespace sp
