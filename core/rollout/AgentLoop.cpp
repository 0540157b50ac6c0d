#include "AgentLoop.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Controller.h"
#include "rollout/ControllerLock.h"
#include "rollout/Notifier.h"
#include "sync/CsvFileSource.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>

#include <algorithm>

namespace sp {

void registerAgentMetaTypes()
{
    qRegisterMetaType<sp::LedgerEntry>();
    qRegisterMetaType<sp::SyncRun>();
}

AgentLoop::AgentLoop(Workspace &workspace, ControllerLock &lock, qint64 intervalMs, QObject *parent)
    : QObject(parent), m_ws(workspace), m_lock(lock), m_intervalMs(intervalMs),
      m_self(QStringLiteral("%1, pid %2 on host %3")
                 .arg(QCoreApplication::applicationName())
                 .arg(QCoreApplication::applicationPid())
                 .arg(QSysInfo::machineHostName()))
{
    registerAgentMetaTypes();
}

AgentLoop::~AgentLoop() = default;

void AgentLoop::tick()
{
    bool held = false;
    try {
        held = m_lock.isHeld() || m_lock.tryAcquire();
    } catch (const Error &e) {
        Q_EMIT problem(tr("Cannot check the controller lock: %1").arg(e.message()));
    }
    if (!held) {
        // PostgreSQL session lost and someone else took over meanwhile: never run two controllers.
        m_lockLost = true;
        Q_EMIT lockLost(m_lock.holderDescription());
        return;
    }
    m_lockLost = false;
    try {
        const QList<LedgerEntry> entries = Controller(m_ws).tick();
        for (const LedgerEntry &e : entries)
            Q_EMIT decided(e);
    } catch (const Error &e) {
        Q_EMIT problem(tr("Controller tick failed: %1").arg(e.message()));
    }
    heartbeat();
    runDueSyncs();
    applyRetention();
    try {
        const WebhookFlushResult r = Notifier(m_ws).flush();
        for (const WebhookProblem &p : r.problems)
            Q_EMIT problem(p.message);
    } catch (const Error &e) {
        Q_EMIT problem(tr("Webhook delivery failed: %1").arg(e.message()));
    }
}

void AgentLoop::runSync(const QString &config)
{
    try {
        SyncEngine::Services services;
        services.http = &m_http;
        SyncEngine engine(m_ws, services);
        const SyncRun run = engine.run(config, false, ChangeContext::local(QStringLiteral("agent")));
        m_changed.remove(config);
        Q_EMIT synced(run);
    } catch (const Error &e) {
        Q_EMIT problem(tr("Sync run failed: %1").arg(e.message()));
    }
}

// The loop is also the headless sync engine: every config whose interval has passed runs (sync
// mode polls its source this way: an unchanged source costs one read and no write).
void AgentLoop::runDueSyncs()
{
    if (m_noSync)
        return;
    try {
        SyncEngine::Services services;
        services.http = &m_http;
        SyncEngine engine(m_ws, services);
        watchSources();
        QStringList due = engine.dueConfigs(Clock::current().now());
        for (const QString &name : std::as_const(m_changed))
            if (!due.contains(name))
                due << name;
        m_changed.clear();
        for (const QString &name : std::as_const(due))
            Q_EMIT synced(engine.run(name, false, ChangeContext::local(QStringLiteral("agent"))));
    } catch (const Error &e) {
        Q_EMIT problem(tr("Sync run failed: %1").arg(e.message()));
    }
}

// CSV sources are watched: a saved sheet export runs its config at once instead of waiting for
// the interval (wakeRequested() asks the owner for an early tick).
void AgentLoop::watchSources()
{
    QSet<QString> seen;
    for (const SyncConfig &c : SyncConfigStore(m_ws).list()) {
        if (c.source.kind != SourceSpec::Kind::Csv)
            continue;
        seen.insert(c.name);
        auto it = m_watchers.find(c.name);
        if (it != m_watchers.end() && it->second->path() == c.source.path)
            continue;
        auto watcher = std::make_unique<CsvFileSource>(c.source.path);
        const QString name = c.name;
        connect(watcher.get(), &CsvFileSource::changed, this, [this, name] {
            m_changed.insert(name);
            Q_EMIT wakeRequested();
        });
        m_watchers[c.name] = std::move(watcher);
    }
    for (auto it = m_watchers.begin(); it != m_watchers.end();)
        it = seen.contains(it->first) ? std::next(it) : m_watchers.erase(it);
}

// Old run records go at most once an hour, by whoever runs the controller.
void AgentLoop::applyRetention()
{
    if (m_lastRetention.isValid() && m_lastRetention.elapsed() < 3600000)
        return;
    m_lastRetention.start();
    try {
        const qint64 deleted = RunRecordStore(m_ws).applyRetention(Clock::current().now());
        if (deleted > 0)
            Q_EMIT retentionApplied(deleted);
    } catch (const Error &e) {
        Q_EMIT problem(tr("Retention failed: %1").arg(e.message()));
    }
}

// At most once a minute, without bumping the revision (no GUI reloads for it).
void AgentLoop::heartbeat()
{
    if (m_lastBeat.isValid() && m_lastBeat.elapsed() < 60000)
        return;
    const QJsonObject beat{{QStringLiteral("at"), toStoredTime(Clock::current().now())},
                           {QStringLiteral("holder"), m_self},
                           {QStringLiteral("intervalMs"), m_intervalMs}};
    try {
        m_ws.setMetaQuietly(QStringLiteral("controller_heartbeat"), QString::fromUtf8(QJsonDocument(beat).toJson(QJsonDocument::Compact)));
        m_lastBeat.start();
    } catch (const Error &e) {
        Q_EMIT problem(tr("Cannot write the controller heartbeat: %1").arg(e.message()));
    }
}

} // namespace sp
