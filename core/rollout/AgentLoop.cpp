#include "AgentLoop.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "metrics/BreakerStateStore.h"
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
    connect(&m_http, &net::HttpClient::breakerChanged, this, &AgentLoop::onBreakerChanged);
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
    // An open breaker turns half-open when its cool-down passes without any request: a tick
    // publishes that too (and nothing at all when no state changed).
    publishBreakers();
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
        SyncEngine engine(m_ws, services());
        const SyncRun run = engine.run(config, false, ChangeContext::local(QStringLiteral("agent")));
        m_changed.remove(config);
        publishBreakers();
        Q_EMIT synced(run);
    } catch (const Error &e) {
        publishBreakers();
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
        SyncEngine engine(m_ws, services());
        watchSources();
        QStringList due = engine.dueConfigs(Clock::current().now());
        for (const QString &name : std::as_const(m_changed))
            if (!due.contains(name))
                due << name;
        m_changed.clear();
        for (const QString &name : std::as_const(due)) {
            const SyncRun run = engine.run(name, false, ChangeContext::local(QStringLiteral("agent")));
            publishBreakers();
            Q_EMIT synced(run);
        }
    } catch (const Error &e) {
        Q_EMIT problem(tr("Sync run failed: %1").arg(e.message()));
    }
}

SyncEngine::Services AgentLoop::services()
{
    SyncEngine::Services services;
    services.http = &m_http;
    services.secrets = m_secrets;
    return services;
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

// A breaker moved while a request was under way. Publish at once unless a write transaction of
// this connection is open (the change would commit or roll back with someone else's work): then
// the next publishBreakers() after the run writes it.
void AgentLoop::onBreakerChanged()
{
    if (!m_ws.inTransaction())
        publishBreakers();
}

void AgentLoop::publishBreakers()
{
    if (m_ws.inTransaction())
        return;
    QList<BreakerState> changed;
    const QDateTime now = Clock::current().now();
    for (const QString &upstream : m_http.knownUpstreams()) {
        BreakerState s;
        s.upstream = upstream;
        switch (m_http.breakerState(upstream)) {
        case net::CircuitBreaker::State::Closed: s.state = QStringLiteral("closed"); break;
        case net::CircuitBreaker::State::Open: s.state = QStringLiteral("open"); break;
        case net::CircuitBreaker::State::HalfOpen: s.state = QStringLiteral("half_open"); break;
        }
        s.failures = m_http.breakerFailures(upstream);
        s.lastError = m_http.breakerLastError(upstream);
        s.updatedAt = now;
        s.publisher = m_self;
        const QString fingerprint = s.state + u'|' + QString::number(s.failures) + u'|' + s.lastError;
        if (m_published.value(upstream) == fingerprint)
            continue;
        // A healthy upstream nobody has published yet is not worth a write either.
        if (!m_published.contains(upstream) && s.state == QLatin1String("closed") && s.failures == 0) {
            bool known = false;
            try {
                for (const BreakerState &p : BreakerStateStore(m_ws).list())
                    known = known || p.upstream == upstream;
            } catch (const Error &) {
                known = true;
            }
            if (!known) {
                m_published.insert(upstream, fingerprint);
                continue;
            }
        }
        changed << s;
    }
    if (changed.isEmpty())
        return;
    try {
        BreakerStateStore(m_ws).publish(changed);
        for (const BreakerState &s : std::as_const(changed))
            m_published.insert(s.upstream, s.state + u'|' + QString::number(s.failures) + u'|' + s.lastError);
    } catch (const Error &e) {
        Q_EMIT problem(tr("Cannot publish the circuit breaker states: %1").arg(e.message()));
    }
}

} // namespace sp
