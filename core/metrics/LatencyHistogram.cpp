#include "LatencyHistogram.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace sp {

int LatencyHistogram::indexOf(qint64 valueMs)
{
    if (valueMs < kExactLimit)
        return valueMs < 0 ? 0 : int(valueMs);
    const auto v = quint64(valueMs);
    const int exponent = 63 - std::countl_zero(v); // >= kSubBucketBits + 1
    const int shift = exponent - kSubBucketBits;
    const int sub = int(v >> shift); // in [kSubBuckets, 2 * kSubBuckets)
    return shift * kSubBuckets + sub;
}

qint64 LatencyHistogram::lowerBound(int index)
{
    if (index < kExactLimit)
        return index;
    const int shift = index / kSubBuckets - 1;
    const quint64 sub = quint64(index % kSubBuckets + kSubBuckets);
    return qint64(sub << shift);
}

qint64 LatencyHistogram::upperBound(int index)
{
    if (index < kExactLimit)
        return index;
    const int shift = index / kSubBuckets - 1;
    const quint64 sub = quint64(index % kSubBuckets + kSubBuckets);
    return qint64(((sub + 1) << shift) - 1);
}

double LatencyHistogram::representative(int index)
{
    return (double(lowerBound(index)) + double(upperBound(index))) / 2.0;
}

void LatencyHistogram::ensure(int index)
{
    if (m_counts.empty()) {
        m_first = index;
        m_counts.assign(1, 0);
        return;
    }
    if (index < m_first) {
        m_counts.insert(m_counts.begin(), size_t(m_first - index), 0);
        m_first = index;
    } else if (index >= m_first + int(m_counts.size())) {
        m_counts.resize(size_t(index - m_first + 1), 0);
    }
}

void LatencyHistogram::addToBucket(int index, quint64 count)
{
    if (count == 0 || index < 0 || index >= kBucketCount)
        return;
    ensure(index);
    m_counts[size_t(index - m_first)] += count;
    m_total += count;
}

void LatencyHistogram::add(qint64 valueMs, quint64 count) { addToBucket(indexOf(valueMs), count); }

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_total == 0)
        return;
    ensure(other.m_first);
    ensure(other.m_first + int(other.m_counts.size()) - 1);
    const size_t offset = size_t(other.m_first - m_first);
    for (size_t i = 0; i < other.m_counts.size(); ++i)
        m_counts[offset + i] += other.m_counts[i];
    m_total += other.m_total;
}

void LatencyHistogram::clear()
{
    m_counts.clear();
    m_first = 0;
    m_total = 0;
}

quint64 LatencyHistogram::countAt(int index) const
{
    if (index < m_first || index >= m_first + int(m_counts.size()))
        return 0;
    return m_counts[size_t(index - m_first)];
}

double LatencyHistogram::percentile(double p) const
{
    if (m_total == 0)
        return 0;
    const double exactRank = std::ceil(std::clamp(p, 0.0, 1.0) * double(m_total));
    const quint64 rank = std::clamp<quint64>(quint64(exactRank), 1, m_total);
    quint64 seen = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank)
            return representative(m_first + int(i));
    }
    return representative(m_first + int(m_counts.size()) - 1);
}

QString LatencyHistogram::encode() const
{
    QString out;
    out.reserve(int(m_counts.size()) * 4);
    int previous = 0;
    bool first = true;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        const quint64 c = m_counts[i];
        if (c == 0)
            continue;
        const int index = m_first + int(i);
        if (!first)
            out += QLatin1Char(',');
        out += QString::number(first ? index : index - previous);
        if (c != 1) {
            out += QLatin1Char('x');
            out += QString::number(c);
        }
        previous = index;
        first = false;
    }
    return out;
}

namespace {

inline char16_t codeUnit(QChar c) { return c.unicode(); }
inline char16_t codeUnit(char16_t c) { return c; }
inline char16_t codeUnit(char c) { return char16_t(static_cast<unsigned char>(c)); }

// Walks an encoded histogram, calling fn(index, count) for each entry; false if malformed.
// Works on UTF-16 (QStringView) and on bytes (QByteArrayView), so SQLite rows can be read as
// bytes without a UTF-16 conversion.
template<typename Text, typename Fn>
bool walkEncoded(Text text, Fn &&fn)
{
    const qsizetype size = text.size();
    const auto *data = text.data();
    qsizetype pos = 0;
    const auto at = [data](qsizetype i) { return codeUnit(data[i]); };
    const auto readNumber = [&](quint64 &value) {
        const qsizetype start = pos;
        value = 0;
        while (pos < size) {
            const char16_t ch = at(pos);
            if (ch < u'0' || ch > u'9')
                break;
            if (value > (~quint64(0) - 9) / 10)
                return false;
            value = value * 10 + quint64(ch - u'0');
            ++pos;
        }
        return pos > start;
    };
    qint64 index = 0;
    bool first = true;
    while (pos < size) {
        quint64 delta = 0;
        if (!readNumber(delta) || (!first && delta == 0) || delta >= quint64(LatencyHistogram::kBucketCount))
            return false;
        index = first ? qint64(delta) : index + qint64(delta);
        if (index >= LatencyHistogram::kBucketCount)
            return false;
        quint64 count = 1;
        if (pos < size && at(pos) == u'x') {
            ++pos;
            if (!readNumber(count) || count == 0)
                return false;
        }
        if (pos < size) {
            if (at(pos) != u',')
                return false;
            ++pos;
            if (pos == size)
                return false;
        }
        fn(int(index), count);
        first = false;
    }
    return true;
}

} // namespace

template<typename Text>
bool LatencyHistogram::addEncodedText(Text text)
{
    // Parsed into a buffer on the stack first (a histogram has at most kBucketCount entries), so
    // a malformed text changes nothing and the counters grow at most once.
    struct Entry
    {
        int index;
        quint64 count;
    };
    std::array<Entry, kBucketCount> entries;
    size_t n = 0;
    bool overflow = false;
    if (!walkEncoded(text, [&](int index, quint64 count) {
            if (n < entries.size())
                entries[n++] = Entry{index, count};
            else
                overflow = true;
        })
        || overflow)
        return false;
    if (n == 0)
        return true;
    ensure(entries[0].index);
    ensure(entries[n - 1].index); // indexes ascend
    quint64 total = 0;
    for (size_t i = 0; i < n; ++i) {
        m_counts[size_t(entries[i].index - m_first)] += entries[i].count;
        total += entries[i].count;
    }
    m_total += total;
    return true;
}

bool LatencyHistogram::addEncoded(QStringView text) { return addEncodedText(text); }

bool LatencyHistogram::addEncoded(QByteArrayView text) { return addEncodedText(text); }

LatencyHistogram LatencyHistogram::decode(QStringView text, bool *ok)
{
    LatencyHistogram h;
    const bool good = h.addEncoded(text);
    if (ok)
        *ok = good;
    return h;
}

bool LatencyHistogram::operator==(const LatencyHistogram &other) const
{
    if (m_total != other.m_total)
        return false;
    const int lo = std::min(m_first, other.m_first);
    const int hi = std::max(m_first + int(m_counts.size()), other.m_first + int(other.m_counts.size()));
    for (int i = lo; i < hi; ++i)
        if (countAt(i) != other.countAt(i))
            return false;
    return true;
}

} // namespace sp
