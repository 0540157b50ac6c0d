#include "net/HttpClient.h"

#include <algorithm>
#include <cmath>

namespace sp::net {

qint64 TokenBucket::take(qint64 nowMs)
{
    if (!enabled())
        return 0;
    const double burst = std::max(1, m_limit.burst);
    const double perMs = m_limit.perMinute / 60'000.0;
    if (!m_started) {
        m_started = true;
        m_tokens = burst;
        m_lastMs = nowMs;
    }
    m_tokens = std::min(burst, m_tokens + double(std::max<qint64>(0, nowMs - m_lastMs)) * perMs);
    m_lastMs = std::max(m_lastMs, nowMs);
    // The token is taken now even when it is not there yet (the balance goes negative): callers
    // that come later queue behind this one instead of racing for the same refill.
    m_tokens -= 1;
    if (m_tokens >= 0)
        return 0;
    return qint64(std::ceil(-m_tokens / perMs));
}

} // namespace sp::net
