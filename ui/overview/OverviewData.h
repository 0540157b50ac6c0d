#pragma once

#include "metrics/BreakerStateStore.h"
#include "rollout/DecisionLedger.h"
#include "rollout/FlagHealth.h"
#include "rollout/Rollout.h"
#include "sync/SyncConfig.h"

#include <QDateTime>
#include <QList>

namespace sp {

class Workspace;

// Everything the Overview shows, read in one go on the task runner's worker thread (the health
// of every flag evaluates its guardrails over the run records: too slow for the GUI thread).
struct OverviewData
{
    QDateTime now;                 // the time the data was read for
    QList<Rollout> rollouts;       // active: running, paused, draft
    QList<FlagHealth> health;      // flags with a sync cohort or an active rollout
    QList<SyncConfig> syncs;       // every config with its last run and targets
    QList<BreakerState> breakers;  // only those not closed
    QList<LedgerEntry> decisions;  // the newest first
    bool loaded = false;

    static constexpr int kDecisions = 10;
    static OverviewData load(Workspace &ws, const QDateTime &now);
};

} // namespace sp
