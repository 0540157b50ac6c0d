#pragma once

#include "rollout/AgentLoop.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QThread;

namespace sp {

class BackgroundAgentWorker;

// The agent loop inside a console (issue 5: "this console runs the controller"): a worker thread
// with its own Workspace connection takes the controller lock and ticks, so the GUI thread never
// waits on the database. While another process holds the lock it says so and tries again every
// interval, taking over when that agent stops. Signals arrive on the thread that owns this object.
class BackgroundAgent : public QObject
{
    Q_OBJECT

public:
    BackgroundAgent(QString workspaceLocation, qint64 intervalMs, QObject *parent = nullptr);
    ~BackgroundAgent() override; // stops

    void start();
    // Releases the lock, closes the worker's connection and joins the thread. Waits for a tick
    // that is under way to finish (ticks are never cut short half-way).
    void stop();
    bool isRunning() const { return m_thread != nullptr; }

    // Runs one sync config on the worker (the GUI's "Run now"), whether or not this console
    // holds the controller lock; the result comes as synced() or problem().
    void runSyncNow(const QString &config);
    void setNoSync(bool noSync) { m_noSync = noSync; } // takes effect on the next start()

Q_SIGNALS:
    void controllerHere();
    void controllerElsewhere(const QString &holderDescription);
    void decided(const sp::LedgerEntry &entry);
    void synced(const sp::SyncRun &run);
    void problem(const QString &message);
    void lockLost(const QString &holder);
    void stopped();

private:
    QString m_location;
    qint64 m_intervalMs;
    bool m_noSync = false;
    QThread *m_thread = nullptr;
    QPointer<BackgroundAgentWorker> m_worker;
};

} // namespace sp
