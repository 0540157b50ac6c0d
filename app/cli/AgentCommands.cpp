// agent (the headless controller) and webhook commands.
#include "Cli.h"
#include "metrics/RunRecordStore.h"

#include "common/Clock.h"
#include "rollout/AgentLoop.h"
#include "rollout/Controller.h"
#include "rollout/ControllerLock.h"
#include "rollout/Notifier.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QSysInfo>
#include <QTimer>

#include <cerrno>
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

// Prints what the shared agent loop reports, as the agent always has (text or --json lines).
void printAgentLoop(Cli &cli, AgentLoop &agent)
{
    QObject::connect(&agent, &AgentLoop::decided, &agent, [&cli](const LedgerEntry &e) {
        if (cli.json())
            cli.out(QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact)));
        else
            cli.out(QStringLiteral("%1  %2  %3  %4")
                        .arg(toStoredTime(e.at), e.flagKey.isEmpty() ? QStringLiteral("-") : e.flagKey, e.kind, e.summary));
    });
    QObject::connect(&agent, &AgentLoop::synced, &agent, [&cli](const SyncRun &run) {
        if (cli.json()) {
            cli.out(QString::fromUtf8(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact)));
            return;
        }
        cli.out(Tr::tr("%1  sync %2: %3 target(s), %4 failed%5%6")
                    .arg(toStoredTime(Clock::current().now()), run.config)
                    .arg(run.targets.size())
                    .arg(run.failedTargets())
                    .arg(run.failure.isEmpty() ? QString() : QStringLiteral(" — ") + run.failure,
                         run.rehearsal ? Tr::tr(" [REHEARSAL: %1]").arg(run.rehearsalText) : QString()));
        if (run.fellBack)
            cli.out(Tr::tr("  sync path of %1 switched off: %2").arg(run.config, run.fallbackReason));
    });
    QObject::connect(&agent, &AgentLoop::problem, &agent, [&cli](const QString &message) { cli.warn(message); });
    QObject::connect(&agent, &AgentLoop::lockLost, &agent, [&cli](const QString &holder) {
        cli.warn(Tr::tr("Lost the controller lock; it is now held by %1. Stopping.").arg(holder));
    });
    QObject::connect(&agent, &AgentLoop::retentionApplied, &agent, [&cli](qint64 deleted) {
        cli.out(Tr::tr("Retention: deleted %n old run record(s).", nullptr, int(std::min<qint64>(deleted, INT_MAX))));
    });
}

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
    AgentLoop agent(ws, lock, intervalMs);
    agent.setHolder(QStringLiteral("syncpilot-cli agent, pid %1 on host %2").arg(QCoreApplication::applicationPid()).arg(QSysInfo::machineHostName()));
    agent.setNoSync(p.isSet(QStringLiteral("no-sync")));
    printAgentLoop(cli, agent);

    if (p.isSet(QStringLiteral("once"))) {
        agent.tick();
        lock.release();
        return agent.hasLostLock() ? 1 : 0;
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
        if (stopping || agent.hasLostLock())
            loop.quit();
        else
            timer.start(int(intervalMs));
    });
    QObject::connect(&agent, &AgentLoop::wakeRequested, &loop, [&] {
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
    if (agent.hasLostLock())
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
