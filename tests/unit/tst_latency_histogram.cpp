#include "metrics/LatencyHistogram.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace sp;

namespace {

// The exact nearest-rank percentile: the ceil(p * n)-th smallest sample.
double exactPercentile(std::vector<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    const size_t rank = std::clamp<size_t>(size_t(std::ceil(p * double(values.size()))), 1, values.size());
    return double(values[rank - 1]);
}

LatencyHistogram histogramOf(const std::vector<qint64> &values)
{
    LatencyHistogram h;
    for (qint64 v : values)
        h.add(v);
    return h;
}

void checkPercentiles(const std::vector<qint64> &values, const char *what)
{
    const LatencyHistogram h = histogramOf(values);
    QCOMPARE(h.count(), quint64(values.size()));
    for (double p : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const double exact = exactPercentile(values, p);
        const double approx = h.percentile(p);
        const double bound = exact * LatencyHistogram::kMaxRelativeError;
        QVERIFY2(std::abs(approx - exact) <= bound + 1e-9,
                 qPrintable(QStringLiteral("%1: p%2 exact %3, histogram %4, bound %5")
                                .arg(QLatin1String(what)).arg(p * 100).arg(exact).arg(approx).arg(bound)));
        if (exact < LatencyHistogram::kExactLimit)
            QCOMPARE(approx, exact); // small values are exact
    }
}

} // namespace

class TstLatencyHistogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketLayout()
    {
        // every value lies in its bucket, buckets tile the line without gaps, and the
        // representative is within the documented relative error of every value of the bucket
        for (int i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
            QCOMPARE(LatencyHistogram::upperBound(i) + 1, LatencyHistogram::lowerBound(i + 1));
            QCOMPARE(LatencyHistogram::indexOf(LatencyHistogram::lowerBound(i)), i);
            QCOMPARE(LatencyHistogram::indexOf(LatencyHistogram::upperBound(i)), i);
            const double lo = double(LatencyHistogram::lowerBound(i));
            const double hi = double(LatencyHistogram::upperBound(i));
            const double rep = LatencyHistogram::representative(i);
            QVERIFY(rep >= lo && rep <= hi);
            if (lo > 0)
                QVERIFY2((rep - lo) / lo <= LatencyHistogram::kMaxRelativeError, qPrintable(QString::number(i)));
        }
        QCOMPARE(LatencyHistogram::indexOf(0), 0);
        QCOMPARE(LatencyHistogram::indexOf(-5), 0);
        QCOMPARE(LatencyHistogram::indexOf(63), 63);
        QCOMPARE(LatencyHistogram::indexOf(std::numeric_limits<qint64>::max()), LatencyHistogram::kBucketCount - 1);
        QCOMPARE(LatencyHistogram::upperBound(LatencyHistogram::kBucketCount - 1), std::numeric_limits<qint64>::max());
        QVERIFY(LatencyHistogram::kMaxRelativeError <= 0.02);
    }

    void percentilesUniform()
    {
        std::mt19937_64 rng(1);
        for (int round = 0; round < 20; ++round) {
            std::uniform_int_distribution<qint64> dist(0, 5000);
            std::vector<qint64> values(size_t(1 + rng() % 5000));
            for (qint64 &v : values)
                v = dist(rng);
            checkPercentiles(values, "uniform");
        }
    }

    void percentilesSkewed()
    {
        std::mt19937_64 rng(2);
        for (int round = 0; round < 20; ++round) {
            // long-tailed latencies: log-normal around 200 ms with a heavy tail
            std::lognormal_distribution<double> dist(std::log(200.0), 1.2);
            std::vector<qint64> values(size_t(1 + rng() % 20000));
            for (qint64 &v : values)
                v = qint64(dist(rng));
            checkPercentiles(values, "lognormal");
        }
        // bimodal: most runs fast, a few hit a 30 s timeout
        std::vector<qint64> bimodal;
        for (int i = 0; i < 9700; ++i)
            bimodal.push_back(40 + i % 20);
        for (int i = 0; i < 300; ++i)
            bimodal.push_back(30000 + i);
        checkPercentiles(bimodal, "bimodal");
        // one value, and huge values
        checkPercentiles({777}, "single");
        checkPercentiles({1, 1'000'000'000'000LL, 5'000'000, 3}, "huge");
        QCOMPARE(LatencyHistogram().percentile(0.95), 0.0);
    }

    void mergeIsHistogramOfConcatenation()
    {
        std::mt19937_64 rng(3);
        std::lognormal_distribution<double> dist(std::log(300.0), 1.0);
        for (int round = 0; round < 50; ++round) {
            std::vector<qint64> a(rng() % 500);
            std::vector<qint64> b(rng() % 500);
            for (qint64 &v : a)
                v = qint64(dist(rng)) * (round % 3 == 0 ? 100 : 1);
            for (qint64 &v : b)
                v = qint64(dist(rng));
            LatencyHistogram merged = histogramOf(a);
            merged.merge(histogramOf(b));
            std::vector<qint64> all = a;
            all.insert(all.end(), b.begin(), b.end());
            QVERIFY(merged == histogramOf(all));
            QCOMPARE(merged.count(), quint64(all.size()));
            if (!all.empty())
                QCOMPARE(merged.percentile(0.95), histogramOf(all).percentile(0.95));
            // merge order does not matter, and encoded merges equal in-memory merges
            LatencyHistogram other = histogramOf(b);
            other.merge(histogramOf(a));
            QVERIFY(other == merged);
            LatencyHistogram viaText;
            QVERIFY(viaText.addEncoded(histogramOf(a).encode()));
            QVERIFY(viaText.addEncoded(histogramOf(b).encode()));
            QVERIFY(viaText == merged);
        }
    }

    void encodeDecodeRoundTrip()
    {
        std::mt19937_64 rng(4);
        std::lognormal_distribution<double> dist(std::log(150.0), 1.5);
        for (int round = 0; round < 100; ++round) {
            LatencyHistogram h;
            const int n = int(rng() % 2000);
            for (int i = 0; i < n; ++i)
                h.add(qint64(dist(rng)), 1 + rng() % 3);
            const QString text = h.encode();
            bool ok = false;
            const LatencyHistogram back = LatencyHistogram::decode(text, &ok);
            QVERIFY(ok);
            QVERIFY(back == h);
            QCOMPARE(back.encode(), text);
        }
        QCOMPARE(LatencyHistogram().encode(), QString());
        bool ok = false;
        QVERIFY(LatencyHistogram::decode(QString(), &ok).isEmpty());
        QVERIFY(ok);

        LatencyHistogram small;
        small.add(5);
        small.add(5);
        small.add(6);
        small.add(1000);
        QCOMPARE(small.encode(), QStringLiteral("5x2,1,%1").arg(LatencyHistogram::indexOf(1000) - 6));

        // compact: a minute of 1 000 varied runs stays small
        LatencyHistogram minute;
        for (int i = 0; i < 1000; ++i)
            minute.add(qint64(dist(rng)));
        QVERIFY2(minute.encode().size() < 1200, qPrintable(QString::number(minute.encode().size())));
    }

    void malformedTextIsRejectedAndChangesNothing()
    {
        LatencyHistogram h;
        h.add(100);
        const LatencyHistogram before = h;
        for (const char *bad : {"x", "1,", ",1", "1,,2", "1x0", "1,0", "a", "1x", "5000", "1 2", "-1", "1x99999999999999999999999"}) {
            QVERIFY2(!h.addEncoded(QString::fromLatin1(bad)), bad);
            QVERIFY2(h == before, bad);
        }
    }
};

QTEST_GUILESS_MAIN(TstLatencyHistogram)
#include "tst_latency_histogram.moc"
