#include "WorkspaceWatcher.h"

#include "Workspace.h"
#include "common/Error.h"

namespace sp {

WorkspaceWatcher::WorkspaceWatcher(Workspace &workspace, int intervalMs, QObject *parent)
    : QObject(parent), m_ws(workspace)
{
    m_revision = m_ws.revision();
    connect(&m_timer, &QTimer::timeout, this, &WorkspaceWatcher::check);
    m_timer.start(intervalMs);
}

void WorkspaceWatcher::check()
{
    qint64 now = m_revision;
    try {
        now = m_ws.revision();
    } catch (const Error &) {
        return; // a busy or briefly unreachable database: try again next tick
    }
    if (now != m_revision) {
        m_revision = now;
        Q_EMIT changed(now);
    }
}

} // namespace sp
