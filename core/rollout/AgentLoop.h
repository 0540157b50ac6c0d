#pragma once

#include "net/HttpClient.h"
#include "rollout/DecisionLedger.h"
#include "sync/SyncEngine.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>

#include <map>
#include <memory>

namespace sp {

class ControllerLock;
class CsvFileSource;
class SecretStore;
class Workspace;

// One pass of whoever runs the controller (the headless agent or a console): the controller
// tick, the heartbeat, due syncs (and those whose CSV just changed), retention and webhooks.
// Reports through signals instead of printing, so the CLI and the GUI share it. Lives on the
// thread that opened its Workspace. Errors are reported and the loop carries on: a database
// that is briefly unreachable must not stop the controller for good.
class AgentLoop : public QObject
{
    Q_OBJECT

public:
    // intervalMs only goes into the heartbeat (the owner times the ticks).
    AgentLoop(Workspace &workspace, ControllerLock &lock, qint64 intervalMs, QObject *parent = nullptr);
    ~AgentLoop() override;

    // One tick. Re-acquires the lock if it was lost (a PostgreSQL session that dropped); if
    // someone else took it meanwhile, emits lockLost() and does nothing else.
    void tick();
    // Runs one sync config now, outside the schedule (the GUI's "Run now"); emits synced(), or
    // problem() for an unknown config. Does not need the controller lock.
    void runSync(const QString &config);

    bool hasLostLock() const { return m_lockLost; }
    void setNoSync(bool noSync) { m_noSync = noSync; }
    // Who writes the heartbeat, in words (default: application name, pid and host).
    void setHolder(const QString &holder) { m_self = holder; }
    QString holder() const { return m_self; }

    // The loop's HTTP client (tests tune its retry and breaker policies).
    net::HttpClient &http() { return m_http; }
    // Where the sync engine reads sign-ins and tokens (default: the OS keychain). Tests pass a
    // MemorySecretStore. Not owned.
    void setSecretStore(SecretStore *secrets) { m_secrets = secrets; }

    // Writes the state of every upstream the loop's HTTP client knows to the workspace
    // (BreakerStateStore) when it differs from what this loop last published: after each sync
    // run and tick, and when a breaker changes state. Never writes when nothing changed.
    void publishBreakers();

Q_SIGNALS:
    void decided(const sp::LedgerEntry &entry);
    void synced(const sp::SyncRun &run);
    void problem(const QString &message);
    void lockLost(const QString &holder);
    // A watched CSV source changed: the owner should tick early.
    void wakeRequested();
    void retentionApplied(qint64 deletedRecords);

private:
    void runDueSyncs();
    void watchSources();
    void applyRetention();
    void heartbeat();
    SyncEngine::Services services();
    void onBreakerChanged();

    Workspace &m_ws;
    ControllerLock &m_lock;
    qint64 m_intervalMs;
    QString m_self;
    QElapsedTimer m_lastBeat;
    QElapsedTimer m_lastRetention;
    bool m_lockLost = false;
    bool m_noSync = false;
    std::map<QString, std::unique_ptr<CsvFileSource>> m_watchers;
    QSet<QString> m_changed;
    // One HTTP client for the loop's life: circuit breakers and rate limits remember the
    // upstreams across ticks.
    net::HttpClient m_http;
    SecretStore *m_secrets = nullptr;
    // What this loop last published per upstream ("state|failures|last error"), so an unchanged
    // tick writes nothing.
    QHash<QString, QString> m_published;
};

// For queued connections (BackgroundAgent forwards these across threads).
void registerAgentMetaTypes();

} // namespace sp

Q_DECLARE_METATYPE(sp::LedgerEntry)
Q_DECLARE_METATYPE(sp::SyncRun)
