// flag, segment, killswitch, export and publish commands.
#include "Cli.h"

#include "common/Clock.h"
#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "flags/FlagdExporter.h"
#include "flags/FlagdPublisher.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(FlagCommands)
};

void noArgs(QCommandLineParser &p)
{
    if (!p.positionalArguments().isEmpty())
        Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
}

QString flagLine(const Flag &f, bool killSwitch)
{
    QString state = f.enabled ? QStringLiteral("on") : QStringLiteral("off");
    if (f.enabled && killSwitch && f.isSync())
        state = QStringLiteral("killed");
    return QStringLiteral("%1  %2  %3  %4  %5  v%6")
        .arg(f.key.leftJustified(32), state.leftJustified(6),
             (FlagRules::formatPercent(f.percentTenths) + QLatin1Char('%')).rightJustified(6),
             f.tags.join(QLatin1Char(',')).leftJustified(16),
             f.prerequisites.isEmpty() ? QStringLiteral("-") : QStringLiteral("requires ") + f.prerequisites.join(QLatin1Char(',')))
        .arg(f.version);
}

void printFlag(Cli &cli, const Flag &f, bool killSwitch)
{
    if (cli.json()) {
        QJsonObject o = f.toJson();
        o.insert(QStringLiteral("killedBySwitch"), killSwitch && f.isSync() && f.enabled);
        cli.outJson(o);
        return;
    }
    cli.out(Tr::tr("Flag:          %1").arg(f.key));
    cli.out(Tr::tr("Description:   %1").arg(f.description));
    cli.out(Tr::tr("State:         %1%2").arg(f.enabled ? Tr::tr("on") : Tr::tr("off"),
                                               killSwitch && f.isSync() ? Tr::tr(" (forced off by the kill switch)") : QString()));
    cli.out(Tr::tr("Rollout:       %1 %").arg(FlagRules::formatPercent(f.percentTenths)));
    cli.out(Tr::tr("Tags:          %1").arg(f.tags.join(QStringLiteral(", "))));
    cli.out(Tr::tr("Prerequisites: %1").arg(f.prerequisites.join(QStringLiteral(", "))));
    cli.out(Tr::tr("Included:      %1").arg(f.includeSegments.join(QStringLiteral(", "))));
    cli.out(Tr::tr("Excluded:      %1").arg(f.excludeSegments.join(QStringLiteral(", "))));
    cli.out(Tr::tr("Version:       %1, changed %2 by %3").arg(f.version).arg(toStoredTime(f.updatedAt), f.updatedBy));
}

QStringList checkedKeys(const QStringList &keys)
{
    for (const QString &k : keys)
        FlagRules::checkKey(k);
    return keys;
}

QStringList checkedTags(const QStringList &tags)
{
    for (const QString &t : tags)
        FlagRules::checkTag(t);
    return tags;
}

} // namespace

void addFlagCommands(QList<Command> &commands)
{
    const auto reasonOption = [] { return opt(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log)."), QStringLiteral("T")); };

    commands << Command{
        {QStringLiteral("flag"), QStringLiteral("list")}, {}, Tr::tr("List every flag with state, rollout %, tags and prerequisites."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            const FlagSnapshot s = FlagStore(cli.workspace()).snapshot();
            if (cli.json()) {
                QJsonArray arr;
                for (const Flag &f : s.flags)
                    arr.append(f.toJson());
                cli.outJson(QJsonObject{{QStringLiteral("killSwitch"), s.killSwitch},
                                        {QStringLiteral("revision"), s.revision},
                                        {QStringLiteral("flags"), arr}});
                return 0;
            }
            if (s.killSwitch)
                cli.out(Tr::tr("Kill switch ON: every flag tagged sync is forced off."));
            for (const Flag &f : s.flags)
                cli.out(flagLine(f, s.killSwitch));
            if (s.flags.isEmpty())
                cli.out(Tr::tr("No flags yet. Create one with: syncpilot-cli flag create KEY"));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("flag"), QStringLiteral("show")}, QStringLiteral("KEY"), Tr::tr("Show one flag in full."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            FlagStore store(cli.workspace());
            printFlag(cli, store.get(oneArg(p, Tr::tr("flag key"))), store.killSwitch());
            return 0;
        }};

    commands << Command{
        {QStringLiteral("flag"), QStringLiteral("create")}, QStringLiteral("KEY"),
        Tr::tr("Create a flag (off, 0 % unless --on/--percent are given)."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key: [a-z][a-z0-9_.-]{0,63}"));
            p.addOptions({opt(QStringLiteral("description"), Tr::tr("What the flag turns on."), QStringLiteral("T")),
                          opt(QStringLiteral("tag"), Tr::tr("A tag (repeatable); 'sync' puts the flag under the kill switch."), QStringLiteral("T")),
                          opt(QStringLiteral("requires"), Tr::tr("A prerequisite flag (repeatable)."), QStringLiteral("KEY")),
                          opt(QStringLiteral("include-segment"), Tr::tr("A segment that is always on (repeatable)."), QStringLiteral("S")),
                          opt(QStringLiteral("exclude-segment"), Tr::tr("A segment that is always off (repeatable)."), QStringLiteral("S")),
                          opt(QStringLiteral("on"), Tr::tr("Create it switched on.")),
                          opt(QStringLiteral("percent"), Tr::tr("Rollout percentage, 0-100 in steps of 0.1."), QStringLiteral("P")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            FlagDraft d;
            d.key = oneArg(p, Tr::tr("flag key"));
            FlagRules::checkKey(d.key);
            d.description = p.value(QStringLiteral("description"));
            d.tags = checkedTags(p.values(QStringLiteral("tag")));
            d.prerequisites = checkedKeys(p.values(QStringLiteral("requires")));
            d.includeSegments = p.values(QStringLiteral("include-segment"));
            d.excludeSegments = p.values(QStringLiteral("exclude-segment"));
            d.enabled = p.isSet(QStringLiteral("on"));
            if (p.isSet(QStringLiteral("percent")))
                d.percentTenths = FlagRules::parsePercent(p.value(QStringLiteral("percent")));
            FlagStore store(cli.workspace());
            const Flag f = store.create(d, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                printFlag(cli, f, store.killSwitch());
            else
                cli.out(Tr::tr("Created flag %1 (%2, %3 %).").arg(f.key, f.enabled ? Tr::tr("on") : Tr::tr("off"),
                                                                   FlagRules::formatPercent(f.percentTenths)));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("flag"), QStringLiteral("set")}, QStringLiteral("KEY"),
        Tr::tr("Change a flag: state, rollout %, description, tags, prerequisites, segments."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key"));
            p.addOptions({opt(QStringLiteral("on"), Tr::tr("Switch the flag on.")),
                          opt(QStringLiteral("off"), Tr::tr("Switch the flag off.")),
                          opt(QStringLiteral("percent"), Tr::tr("Rollout percentage, 0-100 in steps of 0.1."), QStringLiteral("P")),
                          opt(QStringLiteral("description"), Tr::tr("New description."), QStringLiteral("T")),
                          opt(QStringLiteral("tag"), Tr::tr("Replace the tags (repeatable)."), QStringLiteral("T")),
                          opt(QStringLiteral("no-tags"), Tr::tr("Remove every tag.")),
                          opt(QStringLiteral("requires"), Tr::tr("Replace the prerequisites (repeatable)."), QStringLiteral("KEY")),
                          opt(QStringLiteral("no-requires"), Tr::tr("Remove every prerequisite.")),
                          opt(QStringLiteral("include-segment"), Tr::tr("Replace the included segments (repeatable)."), QStringLiteral("S")),
                          opt(QStringLiteral("exclude-segment"), Tr::tr("Replace the excluded segments (repeatable)."), QStringLiteral("S")),
                          opt(QStringLiteral("no-segments"), Tr::tr("Remove every included and excluded segment.")),
                          opt(QStringLiteral("expect-version"),
                              Tr::tr("Refuse (exit 4) unless the flag is still at this version."), QStringLiteral("N")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = oneArg(p, Tr::tr("flag key"));
            FlagRules::checkKey(key);
            if (p.isSet(QStringLiteral("on")) && p.isSet(QStringLiteral("off")))
                Cli::usage(Tr::tr("--on and --off exclude each other."));
            FlagPatch patch;
            if (p.isSet(QStringLiteral("on")) || p.isSet(QStringLiteral("off")))
                patch.enabled = p.isSet(QStringLiteral("on"));
            if (p.isSet(QStringLiteral("percent")))
                patch.percentTenths = FlagRules::parsePercent(p.value(QStringLiteral("percent")));
            if (p.isSet(QStringLiteral("description")))
                patch.description = p.value(QStringLiteral("description"));
            if (p.isSet(QStringLiteral("tag")))
                patch.tags = checkedTags(p.values(QStringLiteral("tag")));
            if (p.isSet(QStringLiteral("no-tags")))
                patch.tags = QStringList{};
            if (p.isSet(QStringLiteral("requires")))
                patch.prerequisites = checkedKeys(p.values(QStringLiteral("requires")));
            if (p.isSet(QStringLiteral("no-requires")))
                patch.prerequisites = QStringList{};
            if (p.isSet(QStringLiteral("include-segment")))
                patch.includeSegments = p.values(QStringLiteral("include-segment"));
            if (p.isSet(QStringLiteral("exclude-segment")))
                patch.excludeSegments = p.values(QStringLiteral("exclude-segment"));
            if (p.isSet(QStringLiteral("no-segments"))) {
                patch.includeSegments = QStringList{};
                patch.excludeSegments = QStringList{};
            }
            if (p.isSet(QStringLiteral("expect-version"))) {
                bool ok = false;
                patch.expectedVersion = p.value(QStringLiteral("expect-version")).toLongLong(&ok);
                if (!ok)
                    invalid(Tr::tr("--expect-version: \"%1\" is not a version number.").arg(p.value(QStringLiteral("expect-version"))));
            }
            if (patch.isEmpty())
                Cli::usage(Tr::tr("Nothing to change: give --on, --off, --percent or another option (see --help)."));
            FlagStore store(cli.workspace());
            const Flag f = store.update(key, patch, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                printFlag(cli, f, store.killSwitch());
            else
                cli.out(Tr::tr("Flag %1 is now %2 at %3 % (version %4).")
                            .arg(f.key, f.enabled ? Tr::tr("on") : Tr::tr("off"), FlagRules::formatPercent(f.percentTenths))
                            .arg(f.version));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("flag"), QStringLiteral("eval")}, QStringLiteral("KEY"),
        Tr::tr("Evaluate a flag for one targeting key, or for every key of a file (\"key<TAB>on|off\" lines)."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("KEY"), Tr::tr("Flag key"));
            p.addOptions({opt(QStringLiteral("targeting-key"), Tr::tr("The context's targeting key."), QStringLiteral("K")),
                          opt(QStringLiteral("keys-file"),
                              Tr::tr("One targeting key a line, optionally followed by TAB-separated name=value attributes."),
                              QStringLiteral("FILE")),
                          opt(QStringLiteral("attr"), Tr::tr("A context attribute name=value (repeatable)."), QStringLiteral("NAME=VALUE"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = oneArg(p, Tr::tr("flag key"));
            FlagRules::checkKey(key);
            const bool single = p.isSet(QStringLiteral("targeting-key"));
            const bool file = p.isSet(QStringLiteral("keys-file"));
            if (single == file)
                Cli::usage(Tr::tr("Give either --targeting-key K or --keys-file FILE."));
            const Attributes common = Cli::parseAttributes(p.values(QStringLiteral("attr")), QStringLiteral("--attr"));
            QList<KeyLine> keys;
            if (single) {
                FlagRules::checkTargetingKey(p.value(QStringLiteral("targeting-key")), QStringLiteral("--targeting-key"));
                keys << KeyLine{p.value(QStringLiteral("targeting-key")), {}, 0};
            } else {
                keys = Cli::readKeysFile(p.value(QStringLiteral("keys-file")), true);
            }
            const FlagSnapshot snapshot = FlagStore(cli.workspace()).snapshot();
            const Evaluator evaluator(snapshot);
            const int index = evaluator.indexOf(key);
            if (index < 0)
                invalid(Tr::tr("Unknown flag \"%1\".").arg(key));
            QJsonArray results;
            QByteArray lines;
            for (const KeyLine &k : keys) {
                Attributes attrs = common;
                for (const auto &[name, value] : k.attributes)
                    attrs[name] = value;
                const std::string tk = k.key.toStdString();
                const Decision d = evaluator.evaluate(index, EvalContext{tk, &attrs});
                if (cli.json()) {
                    results.append(QJsonObject{{QStringLiteral("targetingKey"), k.key},
                                               {QStringLiteral("value"), d.on},
                                               {QStringLiteral("variant"), d.on ? QStringLiteral("on") : QStringLiteral("off")},
                                               {QStringLiteral("reason"), Evaluator::reasonName(d.reason)},
                                               {QStringLiteral("explanation"), evaluator.explain(d)}});
                } else if (single) {
                    cli.out(QStringLiteral("%1 (%2: %3)").arg(d.on ? QStringLiteral("on") : QStringLiteral("off"),
                                                               Evaluator::reasonName(d.reason), evaluator.explain(d)));
                } else {
                    lines += tk;
                    lines += d.on ? "\ton\n" : "\toff\n";
                }
            }
            if (cli.json())
                cli.outJson(single ? QJsonValue(results.first()) : QJsonValue(results));
            else if (!single)
                std::fwrite(lines.constData(), 1, static_cast<size_t>(lines.size()), stdout);
            return 0;
        }};

    commands << Command{
        {QStringLiteral("segment"), QStringLiteral("create")}, QStringLiteral("NAME"),
        Tr::tr("Create a segment from a keys file and/or attribute rules."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("NAME"), Tr::tr("Segment name: [a-z][a-z0-9_.-]{0,63}"));
            p.addOptions({opt(QStringLiteral("keys-file"), Tr::tr("One targeting key a line."), QStringLiteral("FILE")),
                          opt(QStringLiteral("rule"),
                              Tr::tr("An attribute rule, all must hold (repeatable): \"email ends_with @acme.com\", "
                                     "\"country in DE,AT\", \"plan == pro\", \"tier != free\", \"client starts_with ios-\"."),
                              QStringLiteral("RULE")),
                          opt(QStringLiteral("description"), Tr::tr("What the segment is."), QStringLiteral("T")),
                          reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            Segment s;
            s.name = oneArg(p, Tr::tr("segment name"));
            FlagRules::checkSegmentName(s.name);
            s.description = p.value(QStringLiteral("description"));
            if (p.isSet(QStringLiteral("keys-file")))
                for (const KeyLine &k : Cli::readKeysFile(p.value(QStringLiteral("keys-file")), false))
                    s.keys << k.key;
            for (const QString &r : p.values(QStringLiteral("rule")))
                s.rules << FlagRules::parseRule(r);
            if (s.keys.isEmpty() && s.rules.isEmpty())
                Cli::usage(Tr::tr("Give --keys-file FILE and/or --rule RULE."));
            const Segment created = FlagStore(cli.workspace()).createSegment(s, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            if (cli.json())
                cli.outJson(created.toJson(false));
            else
                cli.out(Tr::tr("Created segment %1 (%2 keys, %3 rules).").arg(created.name).arg(created.keys.size()).arg(created.rules.size()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("segment"), QStringLiteral("list")}, {}, Tr::tr("List segments."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            const QList<Segment> segments = FlagStore(cli.workspace()).segments();
            if (cli.json()) {
                QJsonArray arr;
                for (const Segment &s : segments)
                    arr.append(s.toJson(false));
                cli.outJson(arr);
                return 0;
            }
            for (const Segment &s : segments) {
                QStringList rules;
                for (const SegmentRule &r : s.rules)
                    rules << r.toText();
                cli.out(QStringLiteral("%1  %2  %3").arg(s.name.leftJustified(24), Tr::tr("%n key(s)", nullptr, static_cast<int>(s.keys.size())).leftJustified(10),
                                                          rules.join(QStringLiteral(" and "))));
            }
            return 0;
        }};

    for (const bool on : {true, false}) {
        commands << Command{
            {QStringLiteral("killswitch"), on ? QStringLiteral("on") : QStringLiteral("off")}, QStringLiteral("--reason T"),
            on ? Tr::tr("Force every flag tagged sync off, at once, everywhere the flag file is read.")
               : Tr::tr("Release the kill switch: sync flags evaluate by their own settings again."),
            [reasonOption](QCommandLineParser &p) { p.addOption(reasonOption()); },
            [on](Cli &cli, QCommandLineParser &p) {
                noArgs(p);
                if (p.value(QStringLiteral("reason")).trimmed().isEmpty())
                    Cli::usage(Tr::tr("The kill switch needs --reason T (it goes into the audit log)."));
                FlagStore(cli.workspace()).setKillSwitch(on, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
                if (cli.json())
                    cli.outJson(QJsonObject{{QStringLiteral("killSwitch"), on}});
                else
                    cli.out(on ? Tr::tr("Kill switch ON: every sync flag is off.") : Tr::tr("Kill switch off."));
                return 0;
            }};
    }

    commands << Command{
        {QStringLiteral("export"), QStringLiteral("flagd")}, QStringLiteral("[--out FILE]"),
        Tr::tr("Write the flags as a flagd flag-definition file (stdout, or FILE atomically)."),
        [](QCommandLineParser &p) { p.addOption(opt(QStringLiteral("out"), Tr::tr("Write to this file."), QStringLiteral("FILE"))); },
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            FlagdPublisher publisher(cli.workspace());
            if (p.isSet(QStringLiteral("out"))) {
                publisher.writeTo(p.value(QStringLiteral("out")));
                if (!cli.json())
                    cli.out(Tr::tr("Wrote %1.").arg(p.value(QStringLiteral("out"))));
                else
                    cli.outJson(QJsonObject{{QStringLiteral("written"), p.value(QStringLiteral("out"))}});
            } else {
                const QByteArray bytes = publisher.currentExport();
                std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
            }
            return 0;
        }};

    commands << Command{
        {QStringLiteral("publish"), QStringLiteral("flagd")}, QStringLiteral("PATH | --off"),
        Tr::tr("Keep PATH current: every change from any process rewrites it atomically. --off stops."),
        [reasonOption](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("PATH"), Tr::tr("Where flagd or an in-process provider reads the flags."));
            p.addOptions({opt(QStringLiteral("off"), Tr::tr("Stop publishing.")), reasonOption()});
        },
        [](Cli &cli, QCommandLineParser &p) {
            FlagdPublisher publisher(cli.workspace());
            const auto ctx = cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason")));
            if (p.isSet(QStringLiteral("off"))) {
                noArgs(p);
                publisher.configure(QString(), ctx);
                if (cli.json())
                    cli.outJson(QJsonObject{{QStringLiteral("publishing"), false}});
                else
                    cli.out(Tr::tr("Publishing stopped; the last written file stays where it is."));
                return 0;
            }
            publisher.configure(oneArg(p, Tr::tr("path")), ctx);
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("publishing"), true}, {QStringLiteral("path"), publisher.path()}});
            else
                cli.out(Tr::tr("Publishing flags to %1 on every change.").arg(publisher.path()));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("publish"), QStringLiteral("status")}, {}, Tr::tr("Show where flags are published and whether the file is current."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            const FlagdPublisher::Status s = FlagdPublisher(cli.workspace()).status();
            if (cli.json()) {
                cli.outJson(QJsonObject{{QStringLiteral("publishing"), !s.path.isEmpty()},
                                        {QStringLiteral("path"), s.path},
                                        {QStringLiteral("exists"), s.exists},
                                        {QStringLiteral("upToDate"), s.upToDate},
                                        {QStringLiteral("flags"), s.flags},
                                        {QStringLiteral("revision"), s.revision}});
                return 0;
            }
            if (s.path.isEmpty()) {
                cli.out(Tr::tr("Publishing is off. Turn it on with: syncpilot-cli publish flagd PATH"));
                return 0;
            }
            cli.out(Tr::tr("Publishing to %1").arg(s.path));
            cli.out(!s.exists      ? Tr::tr("The file is missing; it is written again on the next change.")
                    : s.upToDate   ? Tr::tr("The file is current: %n flag(s), workspace revision %1.", nullptr, s.flags).arg(s.revision)
                                   : Tr::tr("The file differs from the workspace; it is rewritten on the next change."));
            return 0;
        }};

}

} // namespace sp::cli
