#include "OverviewData.h"

#include "workspace/Workspace.h"

#include <algorithm>

namespace sp {

OverviewData OverviewData::load(Workspace &ws, const QDateTime &now)
{
    OverviewData d;
    d.now = now;
    d.rollouts = RolloutStore(ws).list(true);
    d.health = FlagHealthSummary(ws).all(now);
    d.syncs = SyncConfigStore(ws).list();
    d.breakers = BreakerStateStore(ws).open();
    d.decisions = DecisionLedger(ws).list(QString(), kDecisions); // newest last
    std::reverse(d.decisions.begin(), d.decisions.end());
    d.loaded = true;
    return d;
}

} // namespace sp
