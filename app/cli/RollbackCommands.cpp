// rollback, restore and snapshot commands (DESIGN.md §1 "Rollouts, guardrails, rollbacks").
#include "Cli.h"
#include "rollout/Notifier.h"

#include "common/Clock.h"
#include "rollout/RollbackService.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>
#include <cstdio>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(RollbackCommands)
};

QString requiredReason(QCommandLineParser &p)
{
    const QString reason = p.value(QStringLiteral("reason")).trimmed();
    if (reason.isEmpty())
        Cli::usage(Tr::tr("--reason is required: say why (it is kept in the audit log and the snapshot)."));
    return reason;
}

// "2s", "500ms", "1.5s", "1m" -> milliseconds.
qint64 parseStepDelay(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s|m)$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        invalid(Tr::tr("--step-delay: \"%1\" is not a duration; use for example 2s, 500ms or 1m.").arg(text));
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double ms = unit == QLatin1String("ms") ? n : unit == QLatin1String("s") ? n * 1000.0 : n * 60000.0;
    if (ms > 3600000.0)
        invalid(Tr::tr("--step-delay: \"%1\" is longer than an hour.").arg(text));
    return static_cast<qint64>(std::llround(ms));
}

QString idList(const QList<qint64> &ids)
{
    QStringList out;
    for (qint64 id : ids)
        out << QStringLiteral("#%1").arg(id);
    return out.join(QStringLiteral(", "));
}

QString summary(const RollbackResult &r)
{
    QStringList parts;
    if (!r.flagsTurnedOff.isEmpty())
        parts << Tr::tr("%n flag(s) off (%1)", nullptr, static_cast<int>(r.flagsTurnedOff.size())).arg(r.flagsTurnedOff.join(QStringLiteral(", ")));
    if (!r.rolloutsRolledBack.isEmpty())
        parts << Tr::tr("%n rollout(s) rolled back (%1)", nullptr, static_cast<int>(r.rolloutsRolledBack.size())).arg(idList(r.rolloutsRolledBack));
    if (!r.configsToLegacy.isEmpty())
        parts << Tr::tr("%n sync config(s) back to legacy (%1)", nullptr, static_cast<int>(r.configsToLegacy.size()))
                     .arg(r.configsToLegacy.join(QStringLiteral(", ")));
    return parts.join(QStringLiteral("; "));
}

QString stepLine(const GradualStep &g)
{
    QStringList parts;
    if (g.turnedOff)
        parts << Tr::tr("%1 off").arg(g.flagKey);
    if (!g.rolloutsRolledBack.isEmpty())
        parts << Tr::tr("rollout %1 rolled back").arg(idList(g.rolloutsRolledBack));
    if (!g.configsToLegacy.isEmpty())
        parts << Tr::tr("sync config(s) %1 back to legacy").arg(g.configsToLegacy.join(QStringLiteral(", ")));
    if (parts.isEmpty())
        parts << Tr::tr("%1 was already off").arg(g.flagKey.isEmpty() ? Tr::tr("everything") : g.flagKey);
    return Tr::tr("Step %1/%2: %3").arg(g.index).arg(g.count).arg(parts.join(QStringLiteral("; ")));
}

QJsonObject stepJson(const GradualStep &g)
{
    QJsonArray rollouts;
    for (qint64 id : g.rolloutsRolledBack)
        rollouts.append(id);
    return QJsonObject{{QStringLiteral("step"), g.index},
                       {QStringLiteral("flag"), g.flagKey},
                       {QStringLiteral("turnedOff"), g.turnedOff},
                       {QStringLiteral("rolloutsRolledBack"), rollouts},
                       {QStringLiteral("configsToLegacy"), QJsonArray::fromStringList(g.configsToLegacy)}};
}

// Prints the outcome of a rollback; 1 when the flagd file could not be republished.
// Webhooks hear about every rollback and restore at once, not only when an agent runs.
void notifyWebhooks(Cli &cli)
{
    const WebhookFlushResult sent = Notifier(cli.workspace()).flush();
    for (const WebhookProblem &p : sent.problems)
        cli.warn(Tr::tr("Webhook %1 not notified: %2").arg(p.webhookId).arg(p.message));
}

int report(Cli &cli, const QString &kind, const RollbackResult &r, const QJsonArray &steps = {})
{
    if (!r.nothingToDo())
        notifyWebhooks(cli);
    if (cli.json()) {
        QJsonObject o = r.toJson();
        o.insert(QStringLiteral("kind"), kind);
        if (!steps.isEmpty())
            o.insert(QStringLiteral("steps"), steps);
        if (r.snapshotId > 0)
            o.insert(QStringLiteral("restoreCommand"), QStringLiteral("syncpilot-cli restore %1").arg(r.snapshotId));
        cli.outJson(o);
    } else if (r.nothingToDo()) {
        cli.out(kind == QLatin1String("selective")
                    ? Tr::tr("Nothing to roll back: the flag is already off and has no running or paused rollout.")
                    : Tr::tr("Nothing to roll back: no sync flag is on, no rollout is running or paused, every sync config is legacy."));
    } else {
        const QString what = summary(r);
        cli.out(kind == QLatin1String("emergency") ? Tr::tr("Emergency rollback done in %1 ms: %2.").arg(r.elapsedMs).arg(what)
                : kind == QLatin1String("gradual") ? Tr::tr("Gradual rollback done in %1 ms: %2.").arg(r.elapsedMs).arg(what)
                                                   : Tr::tr("Rolled back: %1.").arg(what));
        cli.out(Tr::tr("Snapshot %1 keeps the state before. Restore with: syncpilot-cli restore %1").arg(r.snapshotId));
    }
    if (!r.publishError.isEmpty()) {
        cli.warn(r.publishError);
        return 1;
    }
    return 0;
}

int counted(const QJsonObject &o, const QString &key) { return static_cast<int>(o.value(key).toObject().size()); }

} // namespace

void addRollbackCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("rollback")}, QStringLiteral("--all | KEY | --gradual [--step-delay 2s]  --reason T"),
        Tr::tr("Return to legacy: every sync flag at once (--all), one flag (KEY), or flag by flag, dependents first (--gradual)."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("The flag to roll back (selective rollback)."));
            p.addOptions({opt(QStringLiteral("all"), Tr::tr("Emergency rollback: every sync flag off, every running rollout rolled back, "
                                                            "every sync config to legacy, in one transaction.")),
                          opt(QStringLiteral("gradual"), Tr::tr("Turn sync flags off one by one, dependents before their prerequisites.")),
                          opt(QStringLiteral("step-delay"), Tr::tr("Wait between gradual steps (default 2s; s, ms or m)."), QStringLiteral("D")),
                          opt(QStringLiteral("reason"), Tr::tr("Why (required; kept in the audit log and the snapshot)."), QStringLiteral("T"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QStringList args = p.positionalArguments();
            const bool all = p.isSet(QStringLiteral("all"));
            const bool gradual = p.isSet(QStringLiteral("gradual"));
            if (args.size() > 1)
                Cli::usage(Tr::tr("Give one flag key at most (got %1).").arg(args.join(QLatin1Char(' '))));
            if (int(all) + int(gradual) + int(!args.isEmpty()) != 1)
                Cli::usage(Tr::tr("Say what to roll back: --all, a flag KEY, or --gradual (exactly one of them)."));
            if (p.isSet(QStringLiteral("step-delay")) && !gradual)
                Cli::usage(Tr::tr("--step-delay only goes with --gradual."));
            const QString reason = requiredReason(p);
            const ChangeContext ctx = cli.context(QStringLiteral("cli"), reason);
            RollbackService service(cli.workspace());
            if (all)
                return report(cli, QStringLiteral("emergency"), service.emergency(ctx));
            if (!args.isEmpty()) {
                FlagRules::checkKey(args.first());
                return report(cli, QStringLiteral("selective"), service.selective(args.first(), ctx));
            }
            const qint64 delay = p.isSet(QStringLiteral("step-delay")) ? parseStepDelay(p.value(QStringLiteral("step-delay"))) : 2000;
            QJsonArray steps;
            service.setStepObserver([&](const GradualStep &g) {
                if (cli.json())
                    steps.append(stepJson(g));
                else
                    cli.out(stepLine(g));
            });
            const RollbackResult r = service.gradual(delay, ctx);
            return report(cli, QStringLiteral("gradual"), r, steps);
        }};

    commands << Command{
        {QStringLiteral("restore")}, QStringLiteral("[SNAPSHOT_ID] [--reason T]"),
        Tr::tr("Put back the state a rollback snapshot kept (default: the newest not yet restored); refused when something changed since."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("SNAPSHOT_ID"), Tr::tr("The snapshot to restore (see: snapshot list)."));
            p.addOption(opt(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log)."), QStringLiteral("T")));
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QStringList args = p.positionalArguments();
            if (args.size() > 1)
                Cli::usage(Tr::tr("Give one snapshot id at most."));
            qint64 id = 0;
            if (!args.isEmpty()) {
                bool ok = false;
                id = args.first().toLongLong(&ok);
                if (!ok || id <= 0)
                    invalid(Tr::tr("\"%1\" is not a snapshot id; list them with: syncpilot-cli snapshot list").arg(args.first()));
            }
            RollbackService service(cli.workspace());
            const ChangeContext ctx = cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason")));
            RollbackSnapshot s;
            try {
                s = service.restore(id, ctx);
            } catch (const Error &e) {
                if (e.kind() != ErrorKind::Conflict || !cli.json())
                    throw;
                // Scripts get the differences as a list, not only inside the message.
                QJsonArray differences;
                try {
                    for (const QString &d : service.differences(id))
                        differences.append(d);
                } catch (const Error &) {
                    // already restored: the message says so
                }
                const QJsonObject err{{QStringLiteral("error"),
                                       QJsonObject{{QStringLiteral("kind"), QStringLiteral("conflict")},
                                                   {QStringLiteral("message"), e.message()},
                                                   {QStringLiteral("differences"), differences},
                                                   {QStringLiteral("exitCode"), static_cast<int>(ErrorKind::Conflict)}}}};
                const QByteArray bytes = QJsonDocument(err).toJson(QJsonDocument::Compact) + '\n';
                std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
                return static_cast<int>(ErrorKind::Conflict);
            }
            notifyWebhooks(cli);
            if (cli.json()) {
                cli.outJson(s.toJson());
                return 0;
            }
            cli.out(Tr::tr("Restored snapshot %1 (%2 rollback of %3 by %4): %5 flag(s), %6 rollout(s) and %7 sync config(s) are back "
                           "to their state before.")
                        .arg(s.id)
                        .arg(s.kind, toStoredTime(s.at), s.actor)
                        .arg(s.restoredFlags.size())
                        .arg(s.restoredRollouts.size())
                        .arg(s.restoredConfigs.size()));
            if (!s.restoredFlags.isEmpty())
                cli.out(Tr::tr("Flags: %1").arg(s.restoredFlags.join(QStringLiteral(", "))));
            if (!s.restoredRollouts.isEmpty())
                cli.out(Tr::tr("Rollouts: %1 (running phases restart their hold time now)").arg(idList(s.restoredRollouts)));
            if (!s.restoredConfigs.isEmpty())
                cli.out(Tr::tr("Sync configs: %1").arg(s.restoredConfigs.join(QStringLiteral(", "))));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("snapshot"), QStringLiteral("list")}, QStringLiteral("[--limit N]"),
        Tr::tr("List rollback snapshots, newest first, and whether each was restored."),
        [](QCommandLineParser &p) {
            p.addOption(opt(QStringLiteral("limit"), Tr::tr("At most N snapshots (default 20, 0: all)."), QStringLiteral("N")));
        },
        [](Cli &cli, QCommandLineParser &p) {
            if (!p.positionalArguments().isEmpty())
                Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
            int limit = 20;
            if (p.isSet(QStringLiteral("limit"))) {
                bool ok = false;
                limit = p.value(QStringLiteral("limit")).toInt(&ok);
                if (!ok || limit < 0)
                    invalid(Tr::tr("--limit: \"%1\" is not a number of snapshots.").arg(p.value(QStringLiteral("limit"))));
            }
            const QList<RollbackSnapshot> list = RollbackService(cli.workspace()).snapshots(limit);
            if (cli.json()) {
                QJsonArray arr;
                for (const RollbackSnapshot &s : list)
                    arr.append(s.toJson());
                cli.outJson(arr);
                return 0;
            }
            if (list.isEmpty()) {
                cli.out(Tr::tr("No rollback snapshots yet."));
                return 0;
            }
            for (const RollbackSnapshot &s : list) {
                cli.out(Tr::tr("%1  %2  %3  %4  %5 flag(s), %6 rollout(s), %7 config(s)  %8  %9")
                            .arg(QString::number(s.id).rightJustified(5), toStoredTime(s.at), s.kind.leftJustified(9), s.actor)
                            .arg(counted(s.before, QStringLiteral("flags")))
                            .arg(counted(s.before, QStringLiteral("rollouts")))
                            .arg(counted(s.before, QStringLiteral("syncConfigs")))
                            .arg(s.restoredAt.isValid() ? Tr::tr("restored %1").arg(toStoredTime(s.restoredAt)) : Tr::tr("not restored"),
                                 s.reason));
            }
            return 0;
        }};
}

} // namespace sp::cli
