#pragma once

#include <QCoreApplication>

#include "audit/AuditLog.h"

namespace sp {

class Workspace;

// Fills an empty workspace with the sample data of the seeds: sync flags at several rollout
// stages, a dev-team segment, prerequisites. Used by `init --demo` and `syncpilot --demo`.
class DemoWorkspace
{
    Q_DECLARE_TR_FUNCTIONS(DemoWorkspace)

public:
    static void populate(Workspace &workspace);
    // About seven days of recorded runs before `now` (sync and legacy cohorts, shadow for the hybrid
    // flag) for the demo's sync flags, so the Health charts have a history: mild noise, p95 latency
    // of a few hundred ms, a few error and 429 bursts days ago, and a quiet last two hours so no
    // guardrail of the running demo rollout trips. The flag the demo syncs for real has no recorded
    // runs in the last 15 minutes: its guardrails judge live runs only. Deterministic (fixed seed).
    // Not audited.
    static void addHistory(Workspace &workspace, const QDateTime &now);
    // The demo's own file (never the user's workspace): under the app data location.
    static QString defaultLocation();
    // Where the demo's sample sheet and its 50 DTCG targets live: beside an SQLite workspace
    // ("demo-sync/" next to demo.sqlite), under the app data location for PostgreSQL.
    static QString filesDirectory(const Workspace &workspace);
    static constexpr int kDemoTargets = 50;

private:
    static void addSync(Workspace &workspace, const ChangeContext &ctx);
};

} // namespace sp
