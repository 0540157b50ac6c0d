// agent (the headless controller) and webhook commands.
#include "Cli.h"
#include "metrics/RunRecordStore.h"

#include "common/Clock.h"
#include "rollout/Controller.h"
#include "rollout/ControllerLock.h"
#include "rollout/Notifier.h"
#include "net/HttpClient.h"
#include "sync/CsvFileSource.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QSet>
#include <QSysInfo>
#include <QTimer>

#include <cerrno>
#include <map>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(AgentCommands)
};

void noArgs(QCommandLineParser &p)
{
    if (!p.positionalArguments().isEmpty())
        Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
}

// "10s", "500ms", "2m", "1h" or plain seconds.
qint64 parseDurationMs(const QString &text, const QString &option)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s|m|h)?$"));
    const auto m = re.match(text.trimmed());
    if (m.hasMatch()) {
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        const double factor = unit == QLatin1String("ms") ? 1 : unit == QLatin1String("m") ? 60000 : unit == QLatin1String("h") ? 3600000 : 1000;
        const qint64 ms = qint64(n * factor);
        if (ms >= 100 && ms <= qint64(24) * 3600000)
            return ms;
    }
    invalid(Tr::tr("%1: \"%2\" is not a duration between 100ms and 24h (examples: 10s, 500ms, 2m).").arg(option, text));
}

// SIGTERM/SIGINT -> one byte into a pipe; the event loop reads it. write() is async-signal-safe,
// nothing else happens in the handler.
int g_stopPipe[2] = {-1, -1};

extern "C" void onStopSignal(int)
{
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_stopPipe[1], &byte, 1);
    errno = saved;
}

class StopSignals
{
public:
    StopSignals()
    {
        if (::pipe2(g_stopPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            fail(Tr::tr("Cannot set up signal handling: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        struct sigaction sa = {};
        sa.sa_handler = onStopSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGTERM, &sa, &m_oldTerm);
        ::sigaction(SIGINT, &sa, &m_oldInt);
        m_notifier = std::make_unique<QSocketNotifier>(g_stopPipe[0], QSocketNotifier::Read);
    }
    ~StopSignals()
    {
        ::sigaction(SIGTERM, &m_oldTerm, nullptr);
        ::sigaction(SIGINT, &m_oldInt, nullptr);
        m_notifier.reset();
        ::close(g_stopPipe[0]);
        ::close(g_stopPipe[1]);
        g_stopPipe[0] = g_stopPipe[1] = -1;
    }
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

    QSocketNotifier *notifier() const { return m_notifier.get(); }
    static void drain()
    {
        char buf[64];
        while (::read(g_stopPipe[0], buf, sizeof buf) > 0) {
        }
    }

private:
    struct sigaction m_oldTerm = {};
    struct sigaction m_oldInt = {};
    std::unique_ptr<QSocketNotifier> m_notifier;
};

QString intervalText(qint64 ms)
{
    return ms % 1000 == 0 ? Tr::tr("%1 s").arg(ms / 1000) : Tr::tr("%1 ms").arg(ms);
}

// One controller pass, its log lines, the heartbeat and the webhooks. Errors are reported and the
// agent carries on: a database that is briefly unreachable must not stop the controller for good.
class AgentLoop
{
public:
    AgentLoop(Cli &cli, Workspace &ws, ControllerLock &lock, qint64 intervalMs)
        : m_cli(cli), m_ws(ws), m_lock(lock), m_intervalMs(intervalMs),
          m_self(QStringLiteral("syncpilot-cli agent, pid %1 on host %2").arg(QCoreApplication::applicationPid()).arg(QSysInfo::machineHostName()))
    {
    }

    bool lockLost() const { return m_lockLost; }

    void tick()
    {
        if (!m_lock.isHeld() && !m_lock.tryAcquire()) {
            // PostgreSQL session lost and someone else took over meanwhile: never run two controllers.
            m_lockLost = true;
            m_cli.warn(Tr::tr("Lost the controller lock; it is now held by %1. Stopping.").arg(m_lock.holderDescription()));
            return;
        }
        try {
            const QList<LedgerEntry> entries = Controller(m_ws).tick();
            for (const LedgerEntry &e : entries) {
                if (m_cli.json())
                    m_cli.out(QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact)));
                else
                    m_cli.out(QStringLiteral("%1  %2  %3  %4")
                                  .arg(toStoredTime(e.at), e.flagKey.isEmpty() ? QStringLiteral("-") : e.flagKey, e.kind, e.summary));
            }
        } catch (const Error &e) {
            m_cli.warn(Tr::tr("Controller tick failed: %1").arg(e.message()));
        }
        heartbeat();
        runDueSyncs();
        applyRetention();
        try {
            const WebhookFlushResult r = Notifier(m_ws).flush();
            for (const WebhookProblem &p : r.problems)
                m_cli.warn(p.message);
        } catch (const Error &e) {
            m_cli.warn(Tr::tr("Webhook delivery failed: %1").arg(e.message()));
        }
    }

private:
    // The agent is also the headless sync engine: every config whose interval has passed runs
    // (sync mode polls its source this way: an unchanged source costs one read and no write).
    void runDueSyncs()
    {
        if (m_noSync)
            return;
        try {
            // One HTTP client for the agent's life: circuit breakers and rate limits remember
            // the upstreams across ticks.
            SyncEngine::Services services;
            services.http = &m_http;
            SyncEngine engine(m_ws, services);
            watchSources();
            QStringList due = engine.dueConfigs(Clock::current().now());
            for (const QString &name : std::as_const(m_changed))
                if (!due.contains(name))
                    due << name;
            m_changed.clear();
            for (const QString &name : std::as_const(due)) {
                const SyncRun run = engine.run(name, false, ChangeContext::local(QStringLiteral("agent")));
                if (m_cli.json()) {
                    m_cli.out(QString::fromUtf8(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact)));
                    continue;
                }
                m_cli.out(Tr::tr("%1  sync %2: %3 target(s), %4 failed%5%6")
                              .arg(toStoredTime(Clock::current().now()), run.config)
                              .arg(run.targets.size())
                              .arg(run.failedTargets())
                              .arg(run.failure.isEmpty() ? QString() : QStringLiteral(" — ") + run.failure,
                                   run.rehearsal ? Tr::tr(" [REHEARSAL: %1]").arg(run.rehearsalText) : QString()));
                if (run.fellBack)
                    m_cli.out(Tr::tr("  sync path of %1 switched off: %2").arg(run.config, run.fallbackReason));
            }
        } catch (const Error &e) {
            m_cli.warn(Tr::tr("Sync run failed: %1").arg(e.message()));
        }
    }

    // CSV sources are watched: a saved sheet export runs its config at once instead of waiting
    // for the interval (wake() asks the event loop for an early tick).
    void watchSources()
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
            QObject::connect(watcher.get(), &CsvFileSource::changed, watcher.get(), [this, name] {
                m_changed.insert(name);
                if (m_wake)
                    m_wake();
            });
            m_watchers[c.name] = std::move(watcher);
        }
        for (auto it = m_watchers.begin(); it != m_watchers.end();)
            it = seen.contains(it->first) ? std::next(it) : m_watchers.erase(it);
    }

public:
    void setNoSync(bool noSync) { m_noSync = noSync; }
    void setWake(std::function<void()> wake) { m_wake = std::move(wake); }

private:
    // Old run records go at most once an hour, by whoever runs the controller.
    void applyRetention()
    {
        if (m_lastRetention.isValid() && m_lastRetention.elapsed() < 3600000)
            return;
        m_lastRetention.start();
        try {
            const qint64 deleted = RunRecordStore(m_ws).applyRetention(Clock::current().now());
            if (deleted > 0)
                m_cli.out(Tr::tr("Retention: deleted %n old run record(s).", nullptr, int(std::min<qint64>(deleted, INT_MAX))));
        } catch (const Error &e) {
            m_cli.warn(Tr::tr("Retention failed: %1").arg(e.message()));
        }
    }

    // At most once a minute, without bumping the revision (no GUI reloads for it).
    void heartbeat()
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
            m_cli.warn(Tr::tr("Cannot write the controller heartbeat: %1").arg(e.message()));
        }
    }

    Cli &m_cli;
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
    std::function<void()> m_wake;
    net::HttpClient m_http;
};

int runAgent(Cli &cli, QCommandLineParser &p)
{
    noArgs(p);
    const qint64 intervalMs = p.isSet(QStringLiteral("interval"))
                                  ? parseDurationMs(p.value(QStringLiteral("interval")), QStringLiteral("--interval"))
                                  : qint64(Controller::defaultIntervalSeconds) * 1000;
    Workspace &ws = cli.workspace();
    ControllerLock lock(ws);
    if (!lock.tryAcquire())
        conflict(Tr::tr("the controller already runs in %1").arg(lock.holderDescription()));
    AgentLoop agent(cli, ws, lock, intervalMs);
    agent.setNoSync(p.isSet(QStringLiteral("no-sync")));

    if (p.isSet(QStringLiteral("once"))) {
        agent.tick();
        lock.release();
        return agent.lockLost() ? 1 : 0;
    }

    StopSignals stopSignals;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true); // the interval runs from the end of a tick: ticks never overlap
    bool busy = false;
    bool stopping = false;
    QObject::connect(stopSignals.notifier(), &QSocketNotifier::activated, &loop, [&] {
        StopSignals::drain();
        stopping = true;
        if (!busy) // else the current tick finishes first
            loop.quit();
    });
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        busy = true;
        agent.tick();
        busy = false;
        if (stopping || agent.lockLost())
            loop.quit();
        else
            timer.start(int(intervalMs));
    });
    agent.setWake([&] {
        if (!busy && !stopping)
            timer.start(0);
    });
    cli.out(Tr::tr("agent running on %1: controller lock held, one tick every %2 (stop with SIGTERM or Ctrl+C)")
                .arg(ws.displayLocation(), intervalText(intervalMs)));
    timer.start(0);
    loop.exec();
    timer.stop();

    lock.release();
    ws.database().close();
    if (agent.lockLost())
        return 1;
    cli.out(Tr::tr("agent stopped"));
    return 0;
}

void printWebhook(Cli &cli, const Webhook &w)
{
    cli.out(QStringLiteral("%1  %2  %3  %4  %5")
                .arg(QString::number(w.id).rightJustified(4), w.format.leftJustified(5),
                     (w.enabled ? Tr::tr("enabled") : Tr::tr("disabled")).leftJustified(8), w.displayUrl(),
                     Tr::tr("delivered up to decision %1").arg(w.cursor)));
}

} // namespace

void addAgentCommands(QList<Command> &commands)
{
    const auto reasonOption = [] { return opt(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log)."), QStringLiteral("T")); };

    commands << Command{
        {QStringLiteral("agent")}, QString(),
        Tr::tr("Run the rollout controller headless: takes the controller lock, ticks, delivers webhooks, stops on SIGTERM."),
        [](QCommandLineParser &p) {
            p.addOptions({opt(QStringLiteral("interval"), Tr::tr("Time between ticks (default 10s; e.g. 500ms, 30s, 2m)."), QStringLiteral("D")),
                          opt(QStringLiteral("once"), Tr::tr("Run one tick, deliver webhooks and exit.")),
                          opt(QStringLiteral("no-sync"), Tr::tr("Run the controller only; leave sync configs to another agent."))});
        },
        runAgent};

    commands << Command{
        {QStringLiteral("webhook"), QStringLiteral("add")}, QStringLiteral("URL"),
        Tr::tr("Send rollbacks and controller actions to URL as JSON (or Slack text) POSTs."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("URL"), Tr::tr("http:// or https:// URL"));
            p.addOptions({opt(QStringLiteral("format"), Tr::tr("json (default) or slack."), QStringLiteral("F")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString url = oneArg(p, Tr::tr("URL"));
            const QString format = p.isSet(QStringLiteral("format")) ? p.value(QStringLiteral("format")) : QStringLiteral("json");
            Notifier notifier(cli.workspace());
            const Webhook w = notifier.add(url, format, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(w.toJson());
            else
                cli.out(Tr::tr("Added webhook %1 (%2): %3").arg(w.id).arg(w.format, w.displayUrl()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("webhook"), QStringLiteral("list")}, QString(), Tr::tr("List the webhooks (URLs shortened: they may hold secrets)."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            const QList<Webhook> hooks = Notifier(cli.workspace()).list();
            if (cli.json()) {
                QJsonArray arr;
                for (const Webhook &w : hooks)
                    arr.append(w.toJson());
                cli.outJson(arr);
                return 0;
            }
            for (const Webhook &w : hooks)
                printWebhook(cli, w);
            if (hooks.isEmpty())
                cli.out(Tr::tr("No webhooks. Add one with: syncpilot-cli webhook add URL"));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("webhook"), QStringLiteral("remove")}, QStringLiteral("ID"), Tr::tr("Remove a webhook."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Webhook id (see webhook list)"));
            p.addOptions({reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString text = oneArg(p, Tr::tr("webhook id"));
            bool ok = false;
            const qint64 id = text.toLongLong(&ok);
            if (!ok || id <= 0)
                invalid(Tr::tr("\"%1\" is not a webhook id (see: syncpilot-cli webhook list).").arg(text));
            Notifier(cli.workspace()).remove(id, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("removed"), id}});
            else
                cli.out(Tr::tr("Removed webhook %1.").arg(id));
            return 0;
        }};
}

} // namespace sp::cli
