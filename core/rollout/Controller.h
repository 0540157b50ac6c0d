#pragma once

#include "DecisionLedger.h"
#include "common/Clock.h"

#include <QCoreApplication>
#include <QList>

namespace sp {

class Workspace;

// The rollout controller: one pass (tick) over every running rollout. It advances a phase when
// the hold time has passed and every guardrail is healthy with enough samples, acts when a
// guardrail trips (warn, pause, rollback, kill), and writes every decision to the ledger. Time
// comes from the clock, so a 72-hour plan runs in milliseconds under a ManualClock. Only the
// holder of the ControllerLock should tick a workspace.
class Controller
{
    Q_DECLARE_TR_FUNCTIONS(Controller)

public:
    explicit Controller(Workspace &workspace, const Clock &clock = Clock::current());

    // Returns the decisions this tick made (empty when nothing changed).
    QList<LedgerEntry> tick();

    static constexpr int defaultIntervalSeconds = 10;

private:
    Workspace &m_ws;
    const Clock &m_clock;
};

} // namespace sp
