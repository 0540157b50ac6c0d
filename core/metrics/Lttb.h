#pragma once

#include <QList>
#include <QPointF>

#include <span>

namespace sp {

// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013) for the live health charts: a
// long series is reduced to `threshold` points that keep its visual shape (peaks and dips survive,
// unlike with averaging or every-n-th sampling), and the chart series is then replaced at once.
//
// Points are (x, y) with x finite and non-decreasing (time in ms fits a double exactly); unsorted
// x is the caller's bug and is only asserted in debug builds.
//
// Contract:
// - threshold <= 0, or threshold >= points.size(): nothing is dropped, the input is returned as is.
// - threshold 1: the first point; threshold 2: the first and the last point.
// - Otherwise the first and the last point are kept, the points between are split into
//   threshold - 2 buckets of (nearly) equal count, and each bucket keeps the point forming the
//   largest triangle with the point kept from the bucket before and the mean of the bucket after.
//   Ties go to the earliest point, so the result is deterministic. The output has exactly
//   `threshold` points, in input order.
//
// Gaps: a point whose y is NaN (or infinite) marks a gap, e.g. a stretch with no runs. Gaps are
// never averaged into neighbours or dropped: each maximal run of non-finite points is kept as one
// point (its first), and each finite stretch between gaps is downsampled on its own, its first
// and last point kept, with the remaining budget shared in proportion to the stretch lengths
// (largest remainder, earlier stretch first on ties). The output then has exactly `threshold`
// points as long as threshold leaves room for every gap and both ends of every stretch; with
// more gaps than that it has exactly those structural points (more than threshold).
// threshold 1 and 2 ignore gaps.

// The indices (ascending) of the points kept. Cost: one pass over the points, no allocation but
// the result.
QList<qsizetype> lttbIndices(std::span<const QPointF> points, int threshold);

// The points kept, in order.
QList<QPointF> lttb(std::span<const QPointF> points, int threshold);
// Same; returns `points` itself (shared, no copy) when nothing is dropped.
QList<QPointF> lttb(const QList<QPointF> &points, int threshold);

} // namespace sp
