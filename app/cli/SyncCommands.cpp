// sync config | target | run | undo: the dual-mode sync engine from the command line.
#include "Cli.h"

#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(SyncCommands)
};

QCommandLineOption reasonOption() { return opt(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log)."), QStringLiteral("T")); }

double rate(const QString &text, const QString &option)
{
    QString t = text.trimmed();
    const bool percent = t.endsWith(u'%');
    if (percent)
        t.chop(1);
    bool ok = false;
    double v = t.toDouble(&ok);
    if (percent || v > 1)
        v /= 100.0;
    if (!ok || v < 0 || v > 1)
        Cli::usage(Tr::tr("--%1 takes a share like 0.3 or 30%, not \"%2\".").arg(option, text));
    return v;
}

int number(const QString &text, const QString &option)
{
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok)
        Cli::usage(Tr::tr("--%1 takes a whole number, not \"%2\".").arg(option, text));
    return v;
}

// Options of the commands that take CONFIG and one more argument (target add/remove, undo).
std::function<void(QCommandLineParser &)> configAnd(const QString &name, const QString &help)
{
    return [name, help](QCommandLineParser &p) {
        p.addPositionalArgument(QStringLiteral("CONFIG"), Tr::tr("Config name"));
        p.addPositionalArgument(name, help);
        p.addOptions({reasonOption()});
    };
}

std::pair<QString, QString> configAndArg(QCommandLineParser &p, const QString &usage)
{
    if (p.positionalArguments().size() != 2)
        Cli::usage(usage);
    return {p.positionalArguments().at(0), p.positionalArguments().at(1)};
}

QString rehearsalBanner(const SyncConfig &c)
{
    return Tr::tr("REHEARSAL: failures are injected on purpose into the sync path (%1).").arg(c.rehearsal.describe());
}

void printConfig(Cli &cli, const SyncConfig &c)
{
    cli.out(Tr::tr("%1 — mode %2, flag %3, source %4").arg(c.name, syncModeName(c.mode), c.flagKey, c.source.toText()));
    if (!c.fallbackReason.isEmpty())
        cli.out(Tr::tr("  Sync path off: %1").arg(c.fallbackReason));
    if (c.rehearsal.enabled)
        cli.out(QStringLiteral("  ") + rehearsalBanner(c));
    cli.out(Tr::tr("  Runs: %1, every %2 s; last %3 (%4).")
                .arg(c.runs)
                .arg(c.intervalSeconds)
                .arg(c.lastRunAt.isEmpty() ? Tr::tr("never") : c.lastRunAt, c.lastOutcome.isEmpty() ? Tr::tr("none") : c.lastOutcome));
    if (c.mode == SyncMode::Hybrid || c.mode == SyncMode::Sync)
        cli.out(Tr::tr("  Hybrid proof: %1 of %2 consistent runs in a row; %3 mismatching in a row.")
                    .arg(c.consistentInRow)
                    .arg(c.requiredConsistentRuns)
                    .arg(c.mismatchingInRow));
    const QString refusal = SyncConfigStore::refusalReason(c, SyncMode::Sync);
    if (c.mode != SyncMode::Sync && !refusal.isEmpty())
        cli.out(Tr::tr("  Sync mode not yet allowed: %1.").arg(refusal));
    cli.out(Tr::tr("  Targets (%1):").arg(c.targets.size()));
    for (const SyncTargetSpec &t : c.targets)
        cli.out(QStringLiteral("    %1  %2  %3  %4%5")
                    .arg(t.id.leftJustified(14), t.state.leftJustified(7), t.lastPath.leftJustified(7), t.toText().mid(t.id.size() + 1),
                         t.lastError.isEmpty() ? QString() : QStringLiteral("  — ") + t.lastError));
}

void printRun(Cli &cli, const SyncConfig &config, const SyncRun &run)
{
    if (run.rehearsal)
        cli.out(rehearsalBanner(config));
    if (!run.failure.isEmpty()) {
        for (const QString &p : run.problems)
            cli.warn(p);
        cli.out(Tr::tr("%1: %2").arg(run.config, run.failure));
        return;
    }
    cli.out(run.dryRun ? Tr::tr("%1 (dry run, mode %2): %3 rows → %4 variables; nothing is written.")
                             .arg(run.config, syncModeName(run.mode))
                             .arg(run.rowsRead)
                             .arg(run.variables)
                       : Tr::tr("%1 (mode %2): %3 rows → %4 variables in %5 ms.")
                             .arg(run.config, syncModeName(run.mode))
                             .arg(run.rowsRead)
                             .arg(run.variables)
                             .arg(run.durationMs));
    for (const TargetRun &t : run.targets) {
        QString what;
        if (!t.ok)
            what = Tr::tr("FAILED (%1): %2").arg(t.errorClass, t.message);
        else if (run.dryRun)
            what = t.preview.isEmpty() ? Tr::tr("no change") : Tr::tr("%1 change(s)").arg(t.preview.size());
        else if (t.unchanged)
            what = Tr::tr("unchanged since the last sync");
        else
            what = Tr::tr("+%1 ~%2 -%3").arg(t.counts.created).arg(t.counts.updated).arg(t.counts.deleted);
        if (t.mismatches > 0)
            what += Tr::tr("; %1 mismatching variable(s): %2").arg(t.mismatches).arg(t.mismatchNames.join(QStringLiteral(", ")));
        if (t.calls.retries > 0 || t.calls.http429 > 0)
            what += Tr::tr("; %1 retries, %2 × 429").arg(t.calls.retries).arg(t.calls.http429);
        if (t.rehearsal && t.path != RunPath::Legacy)
            what += Tr::tr(" [rehearsal]");
        cli.out(QStringLiteral("  %1  %2  %3").arg(t.targetId.leftJustified(14), runPathName(t.path).leftJustified(7), what));
        for (const QString &line : t.preview)
            cli.out(QStringLiteral("      ") + line);
    }
    if (run.fellBack)
        cli.out(Tr::tr("Sync path switched off: %1.").arg(run.fallbackReason));
    if (!run.ok())
        cli.out(Tr::tr("%1 of %2 target(s) failed.").arg(run.failedTargets()).arg(run.targets.size()));
}

} // namespace

void addSyncCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add")},
        QStringLiteral("NAME --flag KEY --source csv:PATH|sheets:ID[!SHEET] [--target ID=dtcg:PATH|ID=figma:FILE_KEY]..."),
        Tr::tr("Add a sync config: a source, its mapping, the flag that gates the sync path, and targets."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("NAME"), Tr::tr("Config name"));
            p.addOptions({opt(QStringLiteral("flag"), Tr::tr("Flag deciding per target whether it takes the sync path."), QStringLiteral("KEY")),
                          opt(QStringLiteral("source"), Tr::tr("csv:PATH (CSV/TSV export) or sheets:SPREADSHEET_ID[!SHEET]."), QStringLiteral("SOURCE")),
                          opt(QStringLiteral("mapping"), Tr::tr("Mapping file (JSON): header row, name/type/description/mode columns."),
                              QStringLiteral("FILE")),
                          opt(QStringLiteral("collection"), Tr::tr("Collection name (default: the config name)."), QStringLiteral("NAME")),
                          opt(QStringLiteral("mode"), Tr::tr("legacy (default) or hybrid; sync must be earned in hybrid."), QStringLiteral("MODE")),
                          opt(QStringLiteral("target"), Tr::tr("ID=dtcg:PATH or ID=figma:FILE_KEY; repeat for more."), QStringLiteral("TARGET")),
                          opt(QStringLiteral("interval"), Tr::tr("Seconds between the agent's runs (default 60)."), QStringLiteral("S")),
                          opt(QStringLiteral("consistent-runs"), Tr::tr("Consistent hybrid runs needed before sync mode (default 20)."),
                              QStringLiteral("N")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            SyncConfig c;
            c.name = oneArg(p, Tr::tr("a config name"));
            if (!p.isSet(QStringLiteral("flag")) || !p.isSet(QStringLiteral("source")))
                Cli::usage(Tr::tr("sync config add needs --flag KEY and --source csv:PATH|sheets:ID."));
            c.flagKey = p.value(QStringLiteral("flag"));
            c.source = SourceSpec::fromText(p.value(QStringLiteral("source")), QStringLiteral("--source"));
            if (p.isSet(QStringLiteral("mapping"))) {
                QFile f(p.value(QStringLiteral("mapping")));
                if (!f.open(QIODevice::ReadOnly))
                    throw Error(ErrorKind::InvalidInput, Tr::tr("Cannot read the mapping file %1: %2").arg(f.fileName(), f.errorString()));
                QJsonParseError error{};
                const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
                if (!doc.isObject())
                    throw Error(ErrorKind::InvalidInput, Tr::tr("%1: not a JSON object (%2).").arg(f.fileName(), error.errorString()));
                c.mapping = doc.object();
            }
            if (p.isSet(QStringLiteral("collection")))
                c.mapping.insert(QStringLiteral("collection"), p.value(QStringLiteral("collection")));
            if (p.isSet(QStringLiteral("mode")) && !parseSyncMode(p.value(QStringLiteral("mode")), &c.mode))
                Cli::usage(Tr::tr("--mode takes legacy, hybrid or sync, not \"%1\".").arg(p.value(QStringLiteral("mode"))));
            for (const QString &t : p.values(QStringLiteral("target")))
                c.targets << SyncTargetSpec::fromText(t, QStringLiteral("--target"));
            if (p.isSet(QStringLiteral("interval")))
                c.intervalSeconds = number(p.value(QStringLiteral("interval")), QStringLiteral("interval"));
            if (p.isSet(QStringLiteral("consistent-runs")))
                c.requiredConsistentRuns = number(p.value(QStringLiteral("consistent-runs")), QStringLiteral("consistent-runs"));
            const SyncConfig stored = SyncConfigStore(cli.workspace()).add(c, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(stored.toJson());
            else
                cli.out(Tr::tr("Sync config %1 added (mode %2, %3 target(s)).").arg(stored.name, syncModeName(stored.mode)).arg(stored.targets.size()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("list")}, {}, Tr::tr("List sync configs with mode, flag and last run."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            if (!p.positionalArguments().isEmpty())
                Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
            const QList<SyncConfig> configs = SyncConfigStore(cli.workspace()).list();
            if (cli.json()) {
                QJsonArray a;
                for (const SyncConfig &c : configs)
                    a.append(c.toJson());
                cli.outJson(a);
                return 0;
            }
            if (configs.isEmpty())
                cli.out(Tr::tr("No sync configs (add one with `syncpilot-cli sync config add`)."));
            for (const SyncConfig &c : configs)
                cli.out(QStringLiteral("%1  %2  %3  %4  %5%6")
                            .arg(c.name.leftJustified(20), syncModeName(c.mode).leftJustified(7), c.flagKey.leftJustified(26),
                                 Tr::tr("%1 target(s)").arg(c.targets.size()).leftJustified(12),
                                 c.lastRunAt.isEmpty() ? Tr::tr("never run") : Tr::tr("last run %1 %2").arg(c.lastRunAt, c.lastOutcome),
                                 c.rehearsal.enabled ? Tr::tr("  [rehearsal]") : QString()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("show")}, QStringLiteral("NAME"),
        Tr::tr("Show a sync config: source, mode, hybrid proof, rehearsal, every target's state."),
        [](QCommandLineParser &p) { p.addPositionalArgument(QStringLiteral("NAME"), Tr::tr("Config name")); },
        [](Cli &cli, QCommandLineParser &p) {
            const SyncConfig c = SyncConfigStore(cli.workspace()).get(oneArg(p, Tr::tr("a config name")));
            if (cli.json())
                cli.outJson(c.toJson());
            else
                printConfig(cli, c);
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("set")},
        QStringLiteral("NAME [--mode legacy|hybrid|sync] [--rehearsal-… | --rehearsal-off] [--interval S] [--consistent-runs N]"),
        Tr::tr("Change a sync config: its mode (sync only after enough consistent hybrid runs), rehearsal, schedule."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("NAME"), Tr::tr("Config name"));
            p.addOptions({opt(QStringLiteral("mode"), Tr::tr("legacy, hybrid or sync."), QStringLiteral("MODE")),
                          opt(QStringLiteral("rehearsal-error-rate"), Tr::tr("Rehearsal: share of sync-path runs that fail (0.3 or 30%)."),
                              QStringLiteral("R")),
                          opt(QStringLiteral("rehearsal-latency-ms"), Tr::tr("Rehearsal: latency added to sync-path runs."), QStringLiteral("MS")),
                          opt(QStringLiteral("rehearsal-429-rate"), Tr::tr("Rehearsal: share of sync-path runs that meet a 429."), QStringLiteral("R")),
                          opt(QStringLiteral("rehearsal-targets"), Tr::tr("Rehearsal: comma-separated target ids (default: all)."),
                              QStringLiteral("IDS")),
                          opt(QStringLiteral("rehearsal-off"), Tr::tr("End the rehearsal.")),
                          opt(QStringLiteral("interval"), Tr::tr("Seconds between the agent's runs."), QStringLiteral("S")),
                          opt(QStringLiteral("consistent-runs"), Tr::tr("Consistent hybrid runs needed before sync mode."), QStringLiteral("N")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString name = oneArg(p, Tr::tr("a config name"));
            SyncConfigStore store(cli.workspace());
            const ChangeContext ctx = cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason")));
            bool changed = false;
            if (p.isSet(QStringLiteral("interval")) || p.isSet(QStringLiteral("consistent-runs"))) {
                std::optional<int> interval, runs;
                if (p.isSet(QStringLiteral("interval")))
                    interval = number(p.value(QStringLiteral("interval")), QStringLiteral("interval"));
                if (p.isSet(QStringLiteral("consistent-runs")))
                    runs = number(p.value(QStringLiteral("consistent-runs")), QStringLiteral("consistent-runs"));
                store.setSchedule(name, interval, runs, ctx);
                changed = true;
            }
            const bool rehearsalOn = p.isSet(QStringLiteral("rehearsal-error-rate")) || p.isSet(QStringLiteral("rehearsal-latency-ms"))
                                     || p.isSet(QStringLiteral("rehearsal-429-rate")) || p.isSet(QStringLiteral("rehearsal-targets"));
            if (rehearsalOn && p.isSet(QStringLiteral("rehearsal-off")))
                Cli::usage(Tr::tr("--rehearsal-off cannot be combined with other rehearsal options."));
            if (rehearsalOn) {
                RehearsalSettings r = store.get(name).rehearsal;
                r.enabled = true;
                if (p.isSet(QStringLiteral("rehearsal-error-rate")))
                    r.errorRate = rate(p.value(QStringLiteral("rehearsal-error-rate")), QStringLiteral("rehearsal-error-rate"));
                if (p.isSet(QStringLiteral("rehearsal-429-rate")))
                    r.http429Rate = rate(p.value(QStringLiteral("rehearsal-429-rate")), QStringLiteral("rehearsal-429-rate"));
                if (p.isSet(QStringLiteral("rehearsal-latency-ms")))
                    r.latencyMs = number(p.value(QStringLiteral("rehearsal-latency-ms")), QStringLiteral("rehearsal-latency-ms"));
                if (p.isSet(QStringLiteral("rehearsal-targets"))) {
                    const QString ids = p.value(QStringLiteral("rehearsal-targets"));
                    r.targets = ids == QLatin1String("all") ? QStringList() : ids.split(u',', Qt::SkipEmptyParts);
                }
                if (r.latencyMs < 0 || r.latencyMs > 60'000)
                    Cli::usage(Tr::tr("--rehearsal-latency-ms must be from 0 to 60000."));
                store.setRehearsal(name, r, ctx);
                changed = true;
            } else if (p.isSet(QStringLiteral("rehearsal-off"))) {
                RehearsalSettings r = store.get(name).rehearsal;
                r.enabled = false;
                store.setRehearsal(name, r, ctx);
                changed = true;
            }
            if (p.isSet(QStringLiteral("mode"))) {
                SyncMode mode = SyncMode::Legacy;
                if (!parseSyncMode(p.value(QStringLiteral("mode")), &mode))
                    Cli::usage(Tr::tr("--mode takes legacy, hybrid or sync, not \"%1\".").arg(p.value(QStringLiteral("mode"))));
                store.setMode(name, mode, ctx);
                changed = true;
            }
            if (!changed)
                Cli::usage(Tr::tr("Nothing to change: give --mode, a rehearsal option, --interval or --consistent-runs."));
            const SyncConfig c = store.get(name);
            if (cli.json())
                cli.outJson(c.toJson());
            else
                printConfig(cli, c);
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("remove")}, QStringLiteral("NAME"),
        Tr::tr("Remove a sync config (its targets' files stay as they are)."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("NAME"), Tr::tr("Config name"));
            p.addOptions({reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString name = oneArg(p, Tr::tr("a config name"));
            SyncConfigStore(cli.workspace()).remove(name, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            cli.out(Tr::tr("Sync config %1 removed.").arg(name));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("target"), QStringLiteral("add")}, QStringLiteral("CONFIG ID=dtcg:PATH|ID=figma:FILE_KEY"),
        Tr::tr("Add a target to a sync config."),
        configAnd(QStringLiteral("TARGET"), Tr::tr("ID=dtcg:PATH or ID=figma:FILE_KEY")),
        [](Cli &cli, QCommandLineParser &p) {
            const auto [config, text] = configAndArg(p, Tr::tr("sync target add takes CONFIG and ID=dtcg:PATH|ID=figma:FILE_KEY."));
            const SyncTargetSpec t = SyncTargetSpec::fromText(text, Tr::tr("target"));
            SyncConfigStore(cli.workspace()).addTarget(config, t, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            cli.out(Tr::tr("Target %1 added.").arg(t.id));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("target"), QStringLiteral("remove")}, QStringLiteral("CONFIG ID"),
        Tr::tr("Remove a target from a sync config (its file or Figma collection stays as it is)."),
        configAnd(QStringLiteral("ID"), Tr::tr("Target id")),
        [](Cli &cli, QCommandLineParser &p) {
            const auto [config, target] = configAndArg(p, Tr::tr("sync target remove takes CONFIG and ID."));
            SyncConfigStore(cli.workspace()).removeTarget(config, target, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            cli.out(Tr::tr("Target %1 removed.").arg(target));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("run")}, QStringLiteral("CONFIG [--dry-run]"),
        Tr::tr("Run a sync config now: read, map, write every target on its path; --dry-run prints the diff and writes nothing."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("CONFIG"), Tr::tr("Config name"));
            p.addOptions({opt(QStringLiteral("dry-run"), Tr::tr("Show what each target would get; change nothing.")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString name = oneArg(p, Tr::tr("a config name"));
            Workspace &ws = cli.workspace();
            const SyncConfig config = SyncConfigStore(ws).get(name);
            SyncEngine engine(ws);
            const SyncRun run = engine.run(name, p.isSet(QStringLiteral("dry-run")), cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(run.toJson());
            else
                printRun(cli, config, run);
            if (run.failureClass == QLatin1String("mapping"))
                return int(ErrorKind::InvalidInput);
            return run.ok() ? 0 : int(ErrorKind::Failure);
        }};

    commands << Command{
        {QStringLiteral("sync"), QStringLiteral("undo")}, QStringLiteral("CONFIG TARGET"),
        Tr::tr("Put back what a target held before SyncPilot's last write to it (undo again to redo)."),
        configAnd(QStringLiteral("TARGET"), Tr::tr("Target id")),
        [](Cli &cli, QCommandLineParser &p) {
            const auto [config, target] = configAndArg(p, Tr::tr("sync undo takes CONFIG and TARGET."));
            SyncEngine(cli.workspace()).undo(config, target, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            cli.out(Tr::tr("Target %1 of %2 restored to its content before the last write.").arg(target, config));
            return 0;
        }};
}

} // namespace sp::cli
