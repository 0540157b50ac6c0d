#include "net/HttpClient.h"

namespace sp::net {

bool CircuitBreaker::allow(qint64 nowMs)
{
    switch (m_state) {
    case State::Closed:
        return true;
    case State::Open:
        if (nowMs - m_openedAt < m_policy.coolDownMs)
            return false;
        m_state = State::HalfOpen;
        m_probeInFlight = true;
        return true;
    case State::HalfOpen:
        // One probe at a time: its outcome decides for everyone.
        if (m_probeInFlight)
            return false;
        m_probeInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess()
{
    m_state = State::Closed;
    m_failures = 0;
    m_probeInFlight = false;
}

void CircuitBreaker::recordFailure(qint64 nowMs)
{
    if (m_state == State::HalfOpen) {
        m_state = State::Open;
        m_openedAt = nowMs;
        m_probeInFlight = false;
        return;
    }
    ++m_failures;
    // Requests already in flight when the breaker opened may still fail; they do not extend the
    // cool-down, or a burst of them would keep the upstream shut for longer than configured.
    if (m_state == State::Closed && m_policy.failureThreshold > 0 && m_failures >= m_policy.failureThreshold) {
        m_state = State::Open;
        m_openedAt = nowMs;
    }
}

void CircuitBreaker::cancelProbe()
{
    if (m_state == State::HalfOpen)
        m_probeInFlight = false;
}

CircuitBreaker::State CircuitBreaker::state(qint64 nowMs) const
{
    if (m_state == State::Open && nowMs - m_openedAt >= m_policy.coolDownMs)
        return State::HalfOpen;
    return m_state;
}

} // namespace sp::net
