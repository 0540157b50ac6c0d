#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <QtGlobal>

#include <vector>

namespace sp {

// A compact, mergeable latency histogram with fixed log-linear buckets (the HdrHistogram layout
// with 5 sub-bucket bits). Durations below 64 ms get a bucket each, so they are exact; above, every
// power of two is split into 32 equal buckets, so a bucket is never wider than 1/32 of its lower
// bound. A percentile is answered with the midpoint of the bucket that holds the nearest-rank
// sample, which is therefore within kMaxRelativeError (1/64, about 1.6 %) of the exact
// nearest-rank percentile of the same samples. The layout is fixed, so histograms of different
// minutes, cohorts or processes merge by adding counts, and merging loses nothing: the merge of
// two histograms is the histogram of the concatenated samples.
//
// Storage is dense between the lowest and highest bucket in use (a few hundred counters for a
// realistic latency spread), which keeps add/merge branch-free and cheap.
class LatencyHistogram
{
public:
    static constexpr int kSubBucketBits = 5;
    static constexpr int kSubBuckets = 1 << kSubBucketBits;       // 32 per power of two
    static constexpr int kExactLimit = 2 * kSubBuckets;           // values below are exact
    static constexpr int kBucketCount = kExactLimit + (63 - kSubBucketBits - 1) * kSubBuckets;
    static constexpr double kMaxRelativeError = 1.0 / (2.0 * kSubBuckets);

    // Bucket arithmetic. Negative values are clamped to 0.
    static int indexOf(qint64 valueMs);
    static qint64 lowerBound(int index);
    static qint64 upperBound(int index); // inclusive
    static double representative(int index);

    void add(qint64 valueMs, quint64 count = 1);
    void addToBucket(int index, quint64 count);
    void merge(const LatencyHistogram &other);
    void clear();

    quint64 count() const { return m_total; }
    bool isEmpty() const { return m_total == 0; }
    quint64 countAt(int index) const;

    // Nearest-rank percentile, p in (0, 1]: the representative of the bucket holding the
    // ceil(p * count)-th smallest sample. 0 when empty.
    double percentile(double p) const;

    // Text form for the latency_hist column: comma-separated "DELTA" or "DELTAxCOUNT" tokens over
    // the used buckets in ascending order (DELTA: bucket index minus the previous one; the first is
    // absolute; COUNT omitted when 1). "" is the empty histogram. A minute of a few hundred runs
    // takes a few hundred bytes.
    QString encode() const;
    // Adds an encoded histogram to this one; false (and this unchanged) if text is malformed.
    bool addEncoded(QStringView text);
    bool addEncoded(QByteArrayView text); // the same text as ASCII bytes
    static LatencyHistogram decode(QStringView text, bool *ok = nullptr);

    bool operator==(const LatencyHistogram &other) const;

private:
    void ensure(int index);
    template<typename Text>
    bool addEncodedText(Text text);

    std::vector<quint64> m_counts; // m_counts[i] counts bucket m_first + i
    int m_first = 0;
    quint64 m_total = 0;
};

} // namespace sp
