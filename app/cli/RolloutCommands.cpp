// rollout start | status | advance | pause | resume | abort | backtest, and guardrail list | set | disable | remove
#include "Cli.h"

#include "common/Clock.h"
#include "flags/Flag.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Backtest.h"
#include "rollout/Guardrail.h"
#include "rollout/Rollout.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlQuery>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(RolloutCommands)
};

QCommandLineOption reasonOption() { return QCommandLineOption(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log and the ledger)."), QStringLiteral("T")); }

QString oneFlag(QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        Cli::usage(Tr::tr("Expected exactly one flag key."));
    const QString key = p.positionalArguments().first();
    FlagRules::checkKey(key);
    return key;
}

RolloutPlan planFrom(QCommandLineParser &p, QString *templateName)
{
    const bool hasPlan = p.isSet(QStringLiteral("plan"));
    const bool hasTemplate = p.isSet(QStringLiteral("template"));
    if (hasPlan == hasTemplate)
        Cli::usage(Tr::tr("Give either --plan \"5:24h,25:48h,50:72h,100\" or --template canary|daily|ladder."));
    if (hasTemplate) {
        *templateName = p.value(QStringLiteral("template"));
        return RolloutPlan::fromTemplate(*templateName);
    }
    return RolloutPlan::parse(p.value(QStringLiteral("plan")));
}

QString timeLeft(qint64 secs)
{
    if (secs <= 0)
        return Tr::tr("hold time over");
    if (secs < 60)
        return Tr::tr("%1 s left").arg(secs);
    const qint64 h = secs / 3600;
    const qint64 m = (secs % 3600) / 60;
    return h > 0 ? Tr::tr("%1 h %2 min left").arg(h).arg(m) : Tr::tr("%1 min left").arg(std::max<qint64>(1, m));
}

// Status of one rollout in words and JSON: the timeline, guardrails, recent decisions.
void printStatus(Cli &cli, const Rollout &r, QJsonArray *json)
{
    Workspace &ws = cli.workspace();
    const QDateTime now = Clock::current().now();
    RunRecordStore records(ws);
    const StoreWindowSource source(records);
    const GuardrailEvaluator evaluator(source);
    const GuardrailHistory previous = GuardrailStore(ws).history(r.id);
    QJsonArray guardJson;
    QStringList guardLines;
    for (const Guardrail &g : GuardrailStore(ws).effective(r.flagKey)) {
        GuardrailResult res = evaluator.evaluate(g, r.flagKey, now, previous.breaches.value(g.name), previous.notBefore);
        static const char *const names[] = {"healthy", "breached", "insufficient data"};
        guardLines << QStringLiteral("  [%1] %2: %3").arg(QString::fromLatin1(names[int(res.status)]), g.name, GuardrailEvaluator::describe(g, res));
        QJsonObject o = res.evidence(g);
        o.insert(QStringLiteral("words"), GuardrailEvaluator::describe(g, res));
        guardJson.append(o);
    }
    const QList<LedgerEntry> decisions = DecisionLedger(ws).list(r.flagKey, 10);
    if (json) {
        QJsonObject o = r.toJson(now);
        o.insert(QStringLiteral("guardrails"), guardJson);
        QJsonArray d;
        for (const LedgerEntry &e : decisions)
            d.append(e.toJson());
        o.insert(QStringLiteral("decisions"), d);
        json->append(o);
        return;
    }
    cli.out(Tr::tr("%1 — %2 (plan %3%4)")
                .arg(r.flagKey, rolloutStateName(r.state), r.plan.toText(),
                     r.templateName.isEmpty() ? QString() : Tr::tr(", template %1").arg(r.templateName)));
    QStringList timeline;
    for (int i = 0; i < r.plan.phases.size(); ++i) {
        const QString text = r.plan.phases.at(i).toText();
        timeline << (i == r.phaseIndex ? QStringLiteral("[%1]").arg(text) : text);
    }
    cli.out(QStringLiteral("  ") + timeline.join(QStringLiteral(" → ")));
    if (r.state == RolloutState::Running)
        cli.out(Tr::tr("  Phase %1 of %2 since %3, %4.")
                    .arg(r.phaseIndex + 1)
                    .arg(r.plan.phases.size())
                    .arg(toStoredTime(r.phaseStartedAt), r.isLastPhase() && r.phase().holdSeconds == 0 ? Tr::tr("final")
                                                                                                       : timeLeft(now.secsTo(r.phaseEndsAt()))));
    if (!r.stateReason.isEmpty())
        cli.out(QStringLiteral("  ") + r.stateReason);
    cli.out(Tr::tr("  Guardrails:"));
    for (const QString &l : guardLines)
        cli.out(QStringLiteral("  ") + l);
    if (!decisions.isEmpty()) {
        cli.out(Tr::tr("  Decisions:"));
        for (const LedgerEntry &e : decisions)
            cli.out(QStringLiteral("    %1  %2  %3  %4").arg(toStoredTime(e.at), e.kind.leftJustified(8),
                                                            e.automatic ? Tr::tr("auto") : e.actor, e.summary));
    }
}

} // namespace

void addRolloutCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("rollout"), QStringLiteral("start")}, QStringLiteral("KEY --plan \"5:24h,25:48h,50:72h,100\" | --template canary|daily|ladder"),
        Tr::tr("Start a phased rollout of a flag; the controller advances it when hold times pass and guardrails are healthy."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key"));
            p.addOptions({QCommandLineOption(QStringLiteral("plan"),
                                             Tr::tr("Phases PERCENT:HOLD or segment=NAME:HOLD, comma-separated; the last needs no hold."),
                                             QStringLiteral("PLAN")),
                          QCommandLineOption(QStringLiteral("template"), Tr::tr("canary, daily or ladder."), QStringLiteral("NAME")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = oneFlag(p);
            QString templateName;
            const RolloutPlan plan = planFrom(p, &templateName);
            const Rollout r = RolloutStore(cli.workspace()).start(key, plan, templateName,
                                                                  cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(r.toJson(Clock::current().now()));
            else
                cli.out(Tr::tr("Started the rollout of %1 at %2 (plan %3).").arg(key, r.phase().toText(), plan.toText()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("rollout"), QStringLiteral("status")}, QStringLiteral("[KEY]"),
        Tr::tr("Rollouts with their phase, time left, guardrails in words and the decision ledger."),
        [](QCommandLineParser &p) { p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key (default: every active rollout)")); },
        [](Cli &cli, QCommandLineParser &p) {
            RolloutStore store(cli.workspace());
            QList<Rollout> rollouts;
            if (p.positionalArguments().isEmpty()) {
                rollouts = store.list(true);
            } else {
                const QString key = oneFlag(p);
                const auto r = store.latest(key);
                if (!r)
                    invalid(Tr::tr("Flag %1 has never had a rollout.").arg(key));
                rollouts << *r;
            }
            QJsonArray json;
            for (const Rollout &r : rollouts)
                printStatus(cli, r, cli.json() ? &json : nullptr);
            if (cli.json())
                cli.outJson(p.positionalArguments().isEmpty() ? QJsonValue(json) : json.first());
            else if (rollouts.isEmpty())
                cli.out(Tr::tr("No active rollouts. Start one with: syncpilot-cli rollout start KEY --template canary"));
            return 0;
        }};

    struct Step
    {
        const char *word;
        const char *description;
    };
    for (const Step &s : {Step{"advance", QT_TRANSLATE_NOOP("RolloutCommands", "Move a rollout to its next phase now.")},
                          Step{"pause", QT_TRANSLATE_NOOP("RolloutCommands", "Pause a rollout: the controller stops advancing it.")},
                          Step{"resume", QT_TRANSLATE_NOOP("RolloutCommands", "Resume a paused rollout; its phase's hold time starts again.")},
                          Step{"abort", QT_TRANSLATE_NOOP("RolloutCommands", "Stop a rollout where it is; the flag keeps its settings.")}}) {
        const QString word = QString::fromLatin1(s.word);
        commands << Command{
            {QStringLiteral("rollout"), word}, QStringLiteral("KEY [--reason T]"), Tr::tr(s.description),
            [](QCommandLineParser &p) {
                p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key"));
                p.addOption(reasonOption());
            },
            [word](Cli &cli, QCommandLineParser &p) {
                const QString key = oneFlag(p);
                RolloutStore store(cli.workspace());
                const ChangeContext ctx = cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason")));
                Rollout r;
                if (word == QLatin1String("advance"))
                    r = store.advance(key, ctx);
                else if (word == QLatin1String("pause"))
                    r = store.pause(key, ctx);
                else if (word == QLatin1String("resume"))
                    r = store.resume(key, ctx);
                else
                    r = store.abort(key, ctx);
                if (cli.json())
                    cli.outJson(r.toJson(Clock::current().now()));
                else
                    cli.out(Tr::tr("Rollout of %1: %2 at %3.").arg(key, rolloutStateName(r.state), r.phase().toText()));
                return 0;
            }};
    }

    commands << Command{
        {QStringLiteral("rollout"), QStringLiteral("backtest")},
        QStringLiteral("KEY --plan P | --template T --from T --to T [--tick 1m]"),
        Tr::tr("Replay recorded runs through a plan and its guardrails: when it would have advanced, paused or rolled back."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key"));
            p.addOptions({QCommandLineOption(QStringLiteral("plan"), Tr::tr("The plan to try."), QStringLiteral("PLAN")),
                          QCommandLineOption(QStringLiteral("template"), Tr::tr("canary, daily or ladder."), QStringLiteral("NAME")),
                          QCommandLineOption(QStringLiteral("from"), Tr::tr("Start of the replay (ISO 8601 or an age: 7d)."), QStringLiteral("T")),
                          QCommandLineOption(QStringLiteral("to"), Tr::tr("End of the replay (default: now)."), QStringLiteral("T")),
                          QCommandLineOption(QStringLiteral("tick"), Tr::tr("Controller interval to simulate (default 1m)."), QStringLiteral("D"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = oneFlag(p);
            QString templateName;
            const RolloutPlan plan = planFrom(p, &templateName);
            if (!p.isSet(QStringLiteral("from")))
                Cli::usage(Tr::tr("--from T is required."));
            const QDateTime from = Cli::parseTime(p.value(QStringLiteral("from")), QStringLiteral("--from"));
            const QDateTime to = p.isSet(QStringLiteral("to")) ? Cli::parseTime(p.value(QStringLiteral("to")), QStringLiteral("--to"))
                                                               : Clock::current().now();
            if (to <= from)
                invalid(Tr::tr("--to must be after --from."));
            const qint64 tick = p.isSet(QStringLiteral("tick")) ? RolloutPlanText::parseDuration(p.value(QStringLiteral("tick")), QStringLiteral("--tick")) : 60;
            Workspace &ws = cli.workspace();
            const QList<Guardrail> guardrails = GuardrailStore(ws).effective(key);
            qint64 maxWindow = 0;
            for (const Guardrail &g : guardrails)
                maxWindow = std::max(maxWindow, g.windowSeconds);
            const QList<RunRecord> records = RunRecordStore(ws).records(key, from.addSecs(-maxWindow), to.addSecs(1));
            const BacktestReport report = Backtest::run(key, records, plan, guardrails, from, to, tick);
            if (cli.json()) {
                QJsonArray events;
                for (const BacktestEvent &e : report.events)
                    events.append(e.toJson());
                cli.outJson(QJsonObject{{QStringLiteral("flag"), key},
                                        {QStringLiteral("plan"), plan.toText()},
                                        {QStringLiteral("records"), report.records},
                                        {QStringLiteral("finalState"), report.finalState},
                                        {QStringLiteral("finalPhase"), report.finalPhase},
                                        {QStringLiteral("events"), events}});
                return 0;
            }
            cli.out(Tr::tr("Backtest of %1 with plan %2 over %n run record(s):", nullptr, int(report.records)).arg(key, plan.toText()));
            for (const BacktestEvent &e : report.events)
                cli.out(QStringLiteral("  %1  %2  %3").arg(toStoredTime(e.at), e.kind.leftJustified(8), e.summary));
            cli.out(Tr::tr("Final state: %1 at %2.").arg(report.finalState, plan.phases.at(report.finalPhase).toText()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("guardrail"), QStringLiteral("list")}, QStringLiteral("[KEY]"),
        Tr::tr("The guardrails in force for a flag (built-in defaults, workspace defaults, the flag's own) in words."),
        [](QCommandLineParser &p) { p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key")); },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = p.positionalArguments().value(0);
            if (!key.isEmpty())
                FlagRules::checkKey(key);
            const QList<Guardrail> list = GuardrailStore(cli.workspace()).effective(key);
            if (cli.json()) {
                QJsonArray a;
                for (const Guardrail &g : list) {
                    QJsonObject o = g.toJson();
                    o.insert(QStringLiteral("words"), GuardrailEvaluator::describeRule(g));
                    a.append(o);
                }
                cli.outJson(a);
                return 0;
            }
            for (const Guardrail &g : list)
                cli.out(QStringLiteral("%1  %2\n    %3").arg(g.name.leftJustified(16), g.toSpec(), GuardrailEvaluator::describeRule(g)));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("guardrail"), QStringLiteral("set")}, QStringLiteral("KEY|--default NAME \"SPEC\""),
        Tr::tr("Add or replace a guardrail, e.g. \"error_rate > 5% window=10m min=50 action=rollback\"."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("ARGS"), Tr::tr("[KEY] NAME SPEC"));
            p.addOptions({QCommandLineOption(QStringLiteral("default"), Tr::tr("Set it for every flag of the workspace.")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QStringList args = p.positionalArguments();
            const bool def = p.isSet(QStringLiteral("default"));
            if (args.size() != (def ? 2 : 3))
                Cli::usage(Tr::tr("Expected KEY NAME SPEC, or --default NAME SPEC."));
            const QString key = def ? QString() : args[0];
            const Guardrail g = Guardrail::parse(args[def ? 0 : 1], args[def ? 1 : 2]);
            GuardrailStore(cli.workspace()).set(key, g, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(g.toJson());
            else
                cli.out(Tr::tr("Guardrail %1 for %2: %3.").arg(g.name, def ? Tr::tr("every flag") : key, GuardrailEvaluator::describeRule(g)));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("guardrail"), QStringLiteral("disable")}, QStringLiteral("KEY|--default NAME"),
        Tr::tr("Switch a guardrail off for a flag (or for every flag), including a built-in one."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("ARGS"), Tr::tr("[KEY] NAME"));
            p.addOptions({QCommandLineOption(QStringLiteral("default"), Tr::tr("For every flag of the workspace.")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QStringList args = p.positionalArguments();
            const bool def = p.isSet(QStringLiteral("default"));
            if (args.size() != (def ? 1 : 2))
                Cli::usage(Tr::tr("Expected KEY NAME, or --default NAME."));
            const QString key = def ? QString() : args[0];
            const QString name = args.last();
            GuardrailStore store(cli.workspace());
            Guardrail g;
            bool found = false;
            for (const Guardrail &e : store.effective(key))
                if (e.name == name) {
                    g = e;
                    found = true;
                }
            if (!found)
                invalid(Tr::tr("No guardrail \"%1\" is in force for %2.").arg(name, def ? Tr::tr("the workspace") : key));
            g.enabled = false;
            store.set(key, g, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (!cli.json())
                cli.out(Tr::tr("Guardrail %1 is off for %2.").arg(name, def ? Tr::tr("every flag") : key));
            else
                cli.outJson(g.toJson());
            return 0;
        }};

    commands << Command{
        {QStringLiteral("guardrail"), QStringLiteral("remove")}, QStringLiteral("KEY|--default NAME"),
        Tr::tr("Remove a guardrail set with guardrail set/disable (the built-in default applies again)."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("ARGS"), Tr::tr("[KEY] NAME"));
            p.addOptions({QCommandLineOption(QStringLiteral("default"), Tr::tr("The workspace-wide one.")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QStringList args = p.positionalArguments();
            const bool def = p.isSet(QStringLiteral("default"));
            if (args.size() != (def ? 1 : 2))
                Cli::usage(Tr::tr("Expected KEY NAME, or --default NAME."));
            GuardrailStore(cli.workspace()).remove(def ? QString() : args[0], args.last(),
                                                   cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("removed"), args.last()}});
            else
                cli.out(Tr::tr("Removed guardrail %1.").arg(args.last()));
            return 0;
        }};
}

} // namespace sp::cli
