#pragma once

#include <QDateTime>

namespace sp {

// The one source of "now" in core, so time-based behaviour (audit stamps, rollout hold times,
// guardrail windows) can be driven by a fake clock in tests.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;

    // The process-wide clock: the system clock unless a test installed another one.
    static const Clock &current();
    // Installs clock for the whole process (nullptr restores the system clock). Not thread-safe:
    // call it before anything else runs.
    static void install(const Clock *clock);
};

class SystemClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
};

// A clock that only moves when told to.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start) : m_now(std::move(start)) {}
    QDateTime now() const override { return m_now; }
    void advance(qint64 msecs) { m_now = m_now.addMSecs(msecs); }
    void set(const QDateTime &t) { m_now = t; }

private:
    QDateTime m_now;
};

// ISO-8601 UTC with milliseconds: the one text form of time stored in the workspace, so text
// ordering is time ordering on both engines.
QString toStoredTime(const QDateTime &t);
QDateTime fromStoredTime(const QString &s);

} // namespace sp
