#include "metrics/Lttb.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace sp;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::span<const QPointF> spanOf(const QList<QPointF> &points)
{
    return {points.constData(), size_t(points.size())};
}

QList<QPointF> randomWalk(qsizetype n, unsigned seed, double x0 = 0)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> step(0.0, 1.0);
    QList<QPointF> points;
    points.reserve(n);
    double y = 0;
    for (qsizetype i = 0; i < n; ++i) {
        y += step(rng);
        points.push_back(QPointF(x0 + double(i) * 10.0, y));
    }
    return points;
}

// A deliberately plain LTTB, straight from the paper: bucket lists are materialised and the
// triangle area is computed with the shoelace formula, for comparison with the optimised pass.
QList<qsizetype> referenceLttb(const QList<QPointF> &p, int threshold)
{
    const qsizetype n = p.size();
    const qsizetype inner = n - 2;
    const qsizetype bucketCount = threshold - 2;
    std::vector<std::vector<qsizetype>> buckets(static_cast<size_t>(bucketCount));
    qsizetype b = 0;
    for (qsizetype i = 1; i < n - 1; ++i) {
        // i - 1 is in bucket b when b * inner / bucketCount <= i - 1 < (b + 1) * inner / bucketCount
        while ((b + 1) * inner / bucketCount <= i - 1)
            ++b;
        buckets[size_t(b)].push_back(i);
    }
    QList<qsizetype> out{0};
    for (qsizetype b = 0; b < bucketCount; ++b) {
        QPointF c;
        if (b + 1 < bucketCount) {
            for (qsizetype j : buckets[size_t(b + 1)])
                c += p[j];
            c /= double(buckets[size_t(b + 1)].size());
        } else {
            c = p[n - 1];
        }
        const QPointF a = p[out.last()];
        qsizetype best = -1;
        double bestArea = -1;
        for (qsizetype j : buckets[size_t(b)]) {
            const QPointF q = p[j];
            const double area = 0.5 * std::abs(a.x() * (q.y() - c.y()) + q.x() * (c.y() - a.y()) + c.x() * (a.y() - q.y()));
            if (area > bestArea) {
                bestArea = area;
                best = j;
            }
        }
        out.push_back(best);
    }
    out.push_back(n - 1);
    return out;
}

// Which LTTB bucket (0-based, of threshold - 2) the inner index i of an n-point series is in.
qsizetype bucketOf(qsizetype i, qsizetype n, int threshold)
{
    const qsizetype inner = n - 2;
    const qsizetype buckets = threshold - 2;
    qsizetype b = (i - 1) * buckets / inner;
    while (b + 1 < buckets && (b + 1) * inner / buckets <= i - 1)
        ++b;
    while (b > 0 && b * inner / buckets > i - 1)
        --b;
    return b;
}

QList<qsizetype> allIndices(qsizetype n)
{
    QList<qsizetype> all;
    for (qsizetype i = 0; i < n; ++i)
        all.push_back(i);
    return all;
}

} // namespace

class TstLttb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handComputedTenToFive()
    {
        // 8 inner points in 3 buckets: [1,2], [3,4,5], [6,7,8]; twice the triangle areas:
        //  bucket 0, from (0,0) towards the mean (4, 13/3) of bucket 1:   i1 16.33, i2 11.33 -> 1 (a dip, not the max)
        //  bucket 1, from (1,-3) towards the mean (7, 14/3) of bucket 2:  i3 14.67, i4 43, i5 5.33 -> 4
        //  bucket 2, from (4,8) towards the last point (9,0):             i6 19, i7 29, i8 12 -> 7
        const QList<double> ys{0, -3, 5, 2, 8, 3, 1, 9, 4, 0};
        QList<QPointF> points;
        for (qsizetype i = 0; i < ys.size(); ++i)
            points.push_back(QPointF(double(i), ys[i]));

        QCOMPARE(lttbIndices(spanOf(points), 5), (QList<qsizetype>{0, 1, 4, 7, 9}));
        const QList<QPointF> expected{points[0], points[1], points[4], points[7], points[9]};
        QCOMPARE(lttb(points, 5), expected);
        QCOMPARE(lttb(spanOf(points), 5), expected);
        QCOMPARE(referenceLttb(points, 5), (QList<qsizetype>{0, 1, 4, 7, 9}));
    }

    void matchesReferenceImplementation()
    {
        for (unsigned seed : {1u, 2u, 3u}) {
            const QList<QPointF> points = randomWalk(5000 + seed * 37, seed);
            for (int threshold : {3, 4, 5, 17, 100, 1000, 2499, 4999}) {
                QCOMPARE(lttbIndices(spanOf(points), threshold), referenceLttb(points, threshold));
            }
        }
    }

    void sizeEndsOrderAndOnePointPerBucket()
    {
        const QList<QPointF> points = randomWalk(10007, 7);
        const qsizetype n = points.size();
        for (int threshold : {3, 4, 7, 100, 2000, 5003, 10006}) {
            const QList<qsizetype> idx = lttbIndices(spanOf(points), threshold);
            QCOMPARE(idx.size(), qsizetype(threshold));
            QCOMPARE(idx.first(), qsizetype(0));
            QCOMPARE(idx.last(), n - 1);
            for (qsizetype k = 1; k + 1 < idx.size(); ++k) {
                QVERIFY(idx[k - 1] < idx[k]);
                QCOMPARE(bucketOf(idx[k], n, threshold), k - 1);
            }
            const QList<QPointF> out = lttb(points, threshold);
            QCOMPARE(out.size(), qsizetype(threshold));
            for (qsizetype k = 0; k < out.size(); ++k) {
                QCOMPARE(out[k], points[idx[k]]);
                if (k > 0)
                    QVERIFY(out[k - 1].x() < out[k].x());
            }
        }
    }

    void spikeAndDipInMillionFlatPointsAreKept()
    {
        // Timestamps in ms since the epoch, as the health charts use them.
        const double t0 = 1.77e12;
        QList<QPointF> points;
        points.reserve(1'000'000);
        for (int i = 0; i < 1'000'000; ++i)
            points.push_back(QPointF(t0 + i * 1000.0, 5.0));
        points[654'321].setY(100.0);
        points[123'457].setY(-40.0);

        const QList<QPointF> out = lttb(points, 2000);
        QCOMPARE(out.size(), qsizetype(2000));
        QVERIFY(out.contains(points[654'321]));
        QVERIFY(out.contains(points[123'457]));
        QCOMPARE(out.first(), points.first());
        QCOMPARE(out.last(), points.last());
        qsizetype extremes = 0;
        for (const QPointF &p : out)
            extremes += p.y() != 5.0;
        QCOMPARE(extremes, qsizetype(2));
    }

    void flatSeriesKeepsTheEarliestPointOfEachBucket()
    {
        QList<QPointF> points;
        for (int i = 0; i < 23; ++i)
            points.push_back(QPointF(i, 1.0));
        // 21 inner points in 4 buckets start at 1 + b * 21 / 4: 1, 6, 11, 16
        QCOMPARE(lttbIndices(spanOf(points), 6), (QList<qsizetype>{0, 1, 6, 11, 16, 22}));
    }

    void edgeCases()
    {
        const QList<QPointF> empty;
        QVERIFY(lttb(empty, 0).isEmpty());
        QVERIFY(lttb(empty, 5).isEmpty());
        QVERIFY(lttbIndices(spanOf(empty), 1).isEmpty());

        const QList<QPointF> one{QPointF(1, 2)};
        QCOMPARE(lttb(one, 1), one);
        QCOMPARE(lttb(one, 3), one);

        const QList<QPointF> two{QPointF(1, 2), QPointF(2, 3)};
        QCOMPARE(lttb(two, 1), QList<QPointF>{two.first()});
        QCOMPARE(lttb(two, 2), two);
        QCOMPARE(lttb(two, 3), two);

        const QList<QPointF> points = randomWalk(50, 11);
        // nothing to drop: the input as is
        for (int threshold : {0, -1, 50, 51, 1000}) {
            QCOMPARE(lttb(points, threshold), points);
            QCOMPARE(lttbIndices(spanOf(points), threshold), allIndices(50));
        }
        QCOMPARE(lttbIndices(spanOf(points), 1), QList<qsizetype>{0});
        QCOMPARE(lttbIndices(spanOf(points), 2), (QList<qsizetype>{0, 49}));
        QCOMPARE(lttbIndices(spanOf(points), 3).size(), qsizetype(3));
        // one point dropped: 48 buckets over 48 inner points, each bucket holds one
        QCOMPARE(lttbIndices(spanOf(points), 49).size(), qsizetype(49));
        const QList<qsizetype> almostAll = lttbIndices(spanOf(points), 49);
        QCOMPARE(almostAll.first(), qsizetype(0));
        QCOMPARE(almostAll.last(), qsizetype(49));

        // duplicate x (two runs in the same millisecond) is allowed
        QList<QPointF> dup;
        for (int i = 0; i < 20; ++i)
            dup.push_back(QPointF(i / 2, i % 3));
        QCOMPARE(lttb(dup, 6).size(), qsizetype(6));
    }

    void gapsSurviveAsOneMarkerEach()
    {
        // three stretches of 1000 runs; two gaps of 5 NaN points between them
        QList<QPointF> points = randomWalk(3010, 5);
        for (qsizetype i = 1000; i < 1005; ++i)
            points[i].setY(kNaN);
        for (qsizetype i = 2005; i < 2010; ++i)
            points[i].setY(std::numeric_limits<double>::infinity()); // infinite y is a gap as well
        points[1500].setY(1e6); // a spike in the middle stretch

        const QList<qsizetype> idx = lttbIndices(spanOf(points), 100);
        QCOMPARE(idx.size(), qsizetype(100));
        QVERIFY(idx.contains(1000));
        QVERIFY(idx.contains(2005));
        QVERIFY(idx.contains(1500));
        for (qsizetype i : {0, 999, 1005, 2004, 2010, 3009})
            QVERIFY2(idx.contains(i), qPrintable(QString::number(i))); // each stretch keeps its ends
        qsizetype gaps = 0;
        QList<qsizetype> perStretch(3, 0);
        for (qsizetype k = 0; k < idx.size(); ++k) {
            if (k > 0)
                QVERIFY(idx[k - 1] < idx[k]);
            const double y = points[idx[k]].y();
            if (!std::isfinite(y))
                ++gaps;
            else
                ++perStretch[idx[k] < 1000 ? 0 : idx[k] < 2005 ? 1 : 2];
        }
        QCOMPARE(gaps, qsizetype(2));
        // 98 finite points over three equal stretches: the earlier ones get the leftovers
        QCOMPARE(perStretch, (QList<qsizetype>{33, 33, 32}));

        // The points between gaps are ordinary LTTB of that stretch.
        const QList<QPointF> middle = points.mid(1005, 1000);
        QList<qsizetype> middleIdx;
        for (qsizetype i : idx) {
            if (i >= 1005 && i < 2005)
                middleIdx.push_back(i - 1005);
        }
        QCOMPARE(middleIdx, lttbIndices(spanOf(middle), 33));

        const QList<QPointF> out = lttb(points, 100);
        QCOMPARE(out.size(), qsizetype(100));
        QVERIFY(std::isnan(out[idx.indexOf(1000)].y()));
    }

    void gapsAtTheEndsAndProportionalShares()
    {
        // leading gap, a 300-point stretch, a gap, a 100-point stretch, trailing gap
        QList<QPointF> points = randomWalk(410, 9);
        for (qsizetype i : {0, 1, 2, 303, 304, 405, 406, 407, 408, 409})
            points[i].setY(kNaN);
        // stretches [3, 303) and [305, 405); structural 3 gaps + 4 ends = 7; 43 more shared 298 : 98
        const QList<qsizetype> idx = lttbIndices(spanOf(points), 50);
        QCOMPARE(idx.size(), qsizetype(50));
        QCOMPARE(idx.first(), qsizetype(0));
        QCOMPARE(idx.last(), qsizetype(405));
        QVERIFY(idx.contains(303));
        qsizetype first = 0;
        qsizetype second = 0;
        for (qsizetype i : idx) {
            first += i >= 3 && i < 303;
            second += i >= 305 && i < 405;
        }
        // 43 * 298 / 396 = 32.36, 43 * 98 / 396 = 10.64: the larger remainder (second) gets the 43rd
        QCOMPARE(first, qsizetype(2 + 32));
        QCOMPARE(second, qsizetype(2 + 11));
    }

    void moreGapsThanTheBudgetKeepsTheStructure()
    {
        // alternate finite / NaN: every point is structural
        QList<QPointF> points;
        for (int i = 0; i < 100; ++i)
            points.push_back(QPointF(i, i % 2 ? kNaN : double(i)));
        QCOMPARE(lttbIndices(spanOf(points), 10), allIndices(100));

        // a run of NaN collapses to its first point
        QList<QPointF> allNaN;
        for (int i = 0; i < 10; ++i)
            allNaN.push_back(QPointF(i, kNaN));
        QCOMPARE(lttbIndices(spanOf(allNaN), 3), QList<qsizetype>{0});

        // with room for all finite points, only repeated gap points go
        QList<QPointF> sparse;
        for (int i = 0; i < 12; ++i)
            sparse.push_back(QPointF(i, i >= 4 && i < 10 ? kNaN : 1.0));
        QCOMPARE(lttbIndices(spanOf(sparse), 11), (QList<qsizetype>{0, 1, 2, 3, 4, 10, 11}));
        // thresholds 1 and 2 ignore gaps
        QCOMPARE(lttbIndices(spanOf(sparse), 2), (QList<qsizetype>{0, 11}));
    }
};

QTEST_GUILESS_MAIN(TstLttb)
#include "tst_lttb.moc"
