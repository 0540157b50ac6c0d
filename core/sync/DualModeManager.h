#pragma once

#include "metrics/RunRecord.h"
#include "sync/SyncConfig.h"

#include <QCoreApplication>
#include <QString>

namespace sp {

// The rules of the dual-mode manager (DESIGN.md §1), apart from any I/O: which path a target
// takes, and what a finished run does to a config's hybrid counters and fallback.
class DualModeManager
{
    Q_DECLARE_TR_FUNCTIONS(DualModeManager)

public:
    // Runs in a row with mismatches after which the sync path is switched off.
    static constexpr int kMismatchingRunsBeforeFallback = 3;

    // legacy mode, or the flag off for this target → Legacy; sync mode with the flag on → Sync,
    // unless a fallback (or rollback) has switched the sync path off; hybrid mode with the flag on
    // → Shadow (legacy written, sync computed and compared). Shadow after a fallback too: the
    // comparison keeps running so recovery is visible.
    static RunPath pathFor(const SyncConfig &config, bool flagOn);

    struct Counters
    {
        int mismatchingInRow = 0;
        int consistentInRow = 0;
    };
    struct Outcome
    {
        Counters counters;
        bool fallBack = false;  // this run switched the sync path off
        QString fallbackReason; // in words, when fallBack
    };
    // A run that compared (some target on the sync or shadow path, and no comparison failed to
    // run) counts toward the proof of consistency or toward fallback; other runs leave the
    // counters alone.
    static Outcome afterRun(const SyncConfig &config, bool compared, int mismatchingVariables, int mismatchingTargets);
};

} // namespace sp
