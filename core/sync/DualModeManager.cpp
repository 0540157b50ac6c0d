#include "sync/DualModeManager.h"

namespace sp {

RunPath DualModeManager::pathFor(const SyncConfig &config, bool flagOn)
{
    if (config.mode == SyncMode::Legacy || !flagOn)
        return RunPath::Legacy;
    if (config.mode == SyncMode::Sync && config.fallbackReason.isEmpty())
        return RunPath::Sync;
    return RunPath::Shadow;
}

DualModeManager::Outcome DualModeManager::afterRun(const SyncConfig &config, bool compared, int mismatchingVariables,
                                                   int mismatchingTargets)
{
    Outcome o;
    o.counters = Counters{config.mismatchingInRow, config.consistentInRow};
    if (!compared || config.mode == SyncMode::Legacy)
        return o;
    if (mismatchingVariables > 0) {
        ++o.counters.mismatchingInRow;
        o.counters.consistentInRow = 0;
    } else {
        o.counters.mismatchingInRow = 0;
        ++o.counters.consistentInRow;
    }
    if (config.fallbackReason.isEmpty() && o.counters.mismatchingInRow >= kMismatchingRunsBeforeFallback) {
        o.fallBack = true;
        o.fallbackReason = tr("fell back to legacy after %1 mismatching runs in a row (last run: %2 variable(s) differed on %3 target(s))")
                               .arg(o.counters.mismatchingInRow)
                               .arg(mismatchingVariables)
                               .arg(mismatchingTargets);
    }
    return o;
}

} // namespace sp
