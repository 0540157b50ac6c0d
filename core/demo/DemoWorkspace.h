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
