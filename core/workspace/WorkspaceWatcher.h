#pragma once

#include <QObject>
#include <QTimer>

namespace sp {

class Workspace;

// Tells observers (the GUI's models) that some process committed a change to the workspace, by
// polling the workspace revision. Cheap: one indexed single-row read per tick.
class WorkspaceWatcher : public QObject
{
    Q_OBJECT

public:
    explicit WorkspaceWatcher(Workspace &workspace, int intervalMs = 400, QObject *parent = nullptr);
    qint64 revision() const { return m_revision; }

public Q_SLOTS:
    void check();

Q_SIGNALS:
    void changed(qint64 revision);

private:
    Workspace &m_ws;
    QTimer m_timer;
    qint64 m_revision = -1;
};

} // namespace sp
