#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>

namespace sp {

class Workspace;

// The circuit breakers of the process that runs the sync engine (the agent, or a console holding
// the controller), published in the workspace so every console can show them (issue 5: "open
// circuit breakers" on the Overview, breaker state on the Health charts).
struct BreakerState
{
    QString upstream;      // the host the breaker guards: "sheets.googleapis.com", "api.figma.com"
    QString state;         // closed, open, half_open
    int failures = 0;      // consecutive failures counted
    QDateTime since;       // when it entered this state
    QDateTime updatedAt;   // last time the publishing process wrote it
    QString lastError;     // the failure that opened it, in words (never a secret or token)
    QString publisher;     // "agent on host (pid 123)", "console on host (pid 456)"
};

struct BreakerEvent
{
    QDateTime at;
    QString upstream;
    QString state;         // the state entered
    QString lastError;
};

class BreakerStateStore
{
    Q_DECLARE_TR_FUNCTIONS(BreakerStateStore)

public:
    explicit BreakerStateStore(Workspace &workspace) : m_ws(workspace) {}

    // Upserts every state given; a change of state also appends a BreakerEvent. One transaction.
    void publish(const QList<BreakerState> &states);
    // Every upstream known, by name.
    QList<BreakerState> list() const;
    // Only the ones not closed.
    QList<BreakerState> open() const;
    // State changes in [from, to), oldest first, plus the state each upstream was in at `from`.
    QList<BreakerEvent> events(const QDateTime &from, const QDateTime &to) const;

private:
    Workspace &m_ws;
};

} // namespace sp
