#pragma once

#include <QCoreApplication>

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
};

} // namespace sp
