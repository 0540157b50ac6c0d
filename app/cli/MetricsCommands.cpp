// metrics ingest, metrics show, metrics retention.
#include "Cli.h"

#include "common/Clock.h"
#include "flags/Flag.h"
#include "metrics/RunRecordStore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <climits>
#include <optional>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(MetricsCommands)
};

// "90s", "15m", "1h", "7d" -> seconds
qint64 parseDuration(const QString &text, const QString &option)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,9})([smhd])$"));
    const auto m = re.match(text);
    const qint64 n = m.hasMatch() ? m.captured(1).toLongLong() : 0;
    if (n <= 0)
        invalid(Tr::tr("%1: \"%2\" is not a duration; use e.g. 90s, 15m, 1h or 7d.").arg(option, text));
    const QChar unit = m.captured(2).at(0);
    return unit == QLatin1Char('s') ? n : unit == QLatin1Char('m') ? n * 60 : unit == QLatin1Char('h') ? n * 3600 : n * 86400;
}

int parseDays(const QString &text, const QString &option)
{
    bool ok = false;
    const int days = text.toInt(&ok);
    if (!ok || days < 1 || days > RunRecordStore::kMaxRetentionDays)
        invalid(Tr::tr("%1: \"%2\" is not a number of days between 1 and %3.").arg(option, text).arg(RunRecordStore::kMaxRetentionDays));
    return days;
}

QString percent(double rate) { return QString::number(rate * 100.0, 'f', 1) + QStringLiteral(" %"); }

QString millis(double ms) { return QString::number(qRound64(ms)) + QStringLiteral(" ms"); }

QJsonObject statsJson(const WindowStats &s)
{
    return QJsonObject{{QStringLiteral("runs"), s.runs},
                       {QStringLiteral("errors"), s.errors},
                       {QStringLiteral("errorRate"), s.errorRate()},
                       {QStringLiteral("critical"), s.critical},
                       {QStringLiteral("p50Ms"), s.p50Ms},
                       {QStringLiteral("p95Ms"), s.p95Ms},
                       {QStringLiteral("p99Ms"), s.p99Ms},
                       {QStringLiteral("meanMs"), s.meanMs()},
                       {QStringLiteral("mismatches"), s.mismatches},
                       {QStringLiteral("http429"), s.http429},
                       {QStringLiteral("rate429"), s.rate429()},
                       {QStringLiteral("retries"), s.retries}};
}

QString statsLine(const QString &cohort, const WindowStats &s)
{
    if (s.runs == 0)
        return Tr::tr("  %1: no runs").arg(cohort);
    return Tr::tr("  %1: %n run(s), %2 errors (%3), %4 critical, latency p50 %5 / p95 %6 / p99 %7, "
                  "%8 mismatches, %9 × 429 (%10 per run), %11 retries",
                  nullptr, int(qMin<qint64>(s.runs, INT_MAX)))
        .arg(cohort)
        .arg(s.errors)
        .arg(percent(s.errorRate()))
        .arg(s.critical)
        .arg(millis(s.p50Ms), millis(s.p95Ms), millis(s.p99Ms))
        .arg(s.mismatches)
        .arg(s.http429)
        .arg(QString::number(s.rate429(), 'f', 2))
        .arg(s.retries);
}

QJsonObject retentionJson(const Workspace &ws)
{
    return QJsonObject{{QStringLiteral("rawDays"), RunRecordStore::rawRetentionDays(ws)},
                       {QStringLiteral("bucketDays"), RunRecordStore::bucketRetentionDays(ws)}};
}

} // namespace

void addMetricsCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("metrics"), QStringLiteral("ingest")}, QStringLiteral("FILE"),
        Tr::tr("Store run records from a JSON Lines file (one record a line); any bad line stores nothing."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("FILE"), Tr::tr("JSON Lines file of run records."));
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString path = oneArg(p, Tr::tr("file"));
            // Parse the whole file before touching the workspace: a bad line changes nothing.
            const QList<RunRecord> records = RunRecordStore::parseJsonl(path);
            Workspace &ws = cli.workspace();
            ws.write([&] {
                RunRecordStore(ws).ingest(records);
                // One entry per import (run records are telemetry, not changes).
                AuditLog(ws).append(cli.context(QStringLiteral("cli")), QStringLiteral("metrics.ingest"), QStringLiteral("metrics"),
                                    QJsonValue(),
                                    QJsonObject{{QStringLiteral("ingested"), records.size()},
                                                {QStringLiteral("file"), QFileInfo(path).absoluteFilePath()}});
            });
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("ingested"), records.size()}});
            else
                cli.out(Tr::tr("Ingested %1 run records from %2").arg(records.size()).arg(path));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("metrics"), QStringLiteral("show")}, QStringLiteral("FLAG"),
        Tr::tr("Health of a flag's runs in a recent window, per cohort: runs, error rate, critical errors, "
               "p50/p95/p99 latency, mismatches, 429s."),
        [](QCommandLineParser &p) {
            p.addPositionalArgument(QStringLiteral("FLAG"), Tr::tr("Flag key"));
            p.addOptions({opt(QStringLiteral("window"), Tr::tr("How far back from now (90s, 15m, 1h, 7d; default 1h)."), QStringLiteral("DURATION")),
                          opt(QStringLiteral("cohort"), Tr::tr("Only this cohort: sync, legacy or shadow."), QStringLiteral("COHORT"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString key = oneArg(p, Tr::tr("flag key"));
            FlagRules::checkKey(key);
            const QString windowText = p.isSet(QStringLiteral("window")) ? p.value(QStringLiteral("window")) : QStringLiteral("1h");
            const qint64 seconds = parseDuration(windowText, QStringLiteral("--window"));
            QList<RunPath> cohorts{RunPath::Sync, RunPath::Legacy, RunPath::Shadow};
            if (p.isSet(QStringLiteral("cohort"))) {
                RunPath only;
                if (!parseRunPath(p.value(QStringLiteral("cohort")), &only))
                    invalid(Tr::tr("--cohort: \"%1\" is not a cohort; use sync, legacy or shadow.").arg(p.value(QStringLiteral("cohort"))));
                cohorts = {only};
            }
            const QDateTime to = Clock::current().now().toUTC();
            const QDateTime from = to.addSecs(-seconds);
            RunRecordStore store(cli.workspace());
            QJsonObject perCohort;
            QStringList lines;
            for (RunPath c : cohorts) {
                const WindowStats s = store.window(key, c, from, to);
                perCohort.insert(runPathName(c), statsJson(s));
                lines << statsLine(runPathName(c), s);
            }
            if (cli.json()) {
                cli.outJson(QJsonObject{{QStringLiteral("flag"), key},
                                        {QStringLiteral("window"), windowText},
                                        {QStringLiteral("from"), toStoredTime(from)},
                                        {QStringLiteral("to"), toStoredTime(to)},
                                        {QStringLiteral("cohorts"), perCohort}});
                return 0;
            }
            cli.out(Tr::tr("Runs of %1 in the last %2 (%3 to %4):").arg(key, windowText, toStoredTime(from), toStoredTime(to)));
            for (const QString &l : lines)
                cli.out(l);
            return 0;
        }};

    commands << Command{
        {QStringLiteral("metrics"), QStringLiteral("retention")}, {},
        Tr::tr("Show or set how long raw run records and metric buckets are kept; --apply deletes what is older now."),
        [](QCommandLineParser &p) {
            p.addOptions({opt(QStringLiteral("raw-days"), Tr::tr("Keep raw run records this many days (default 30)."), QStringLiteral("N")),
                          opt(QStringLiteral("bucket-days"), Tr::tr("Keep per-minute buckets and rollups this many days (default 400)."), QStringLiteral("N")),
                          opt(QStringLiteral("apply"), Tr::tr("Delete records and buckets older than the retention now.")),
                          opt(QStringLiteral("reason"), Tr::tr("Why (kept in the audit log)."), QStringLiteral("T"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            if (!p.positionalArguments().isEmpty())
                Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
            std::optional<int> raw;
            std::optional<int> bucket;
            if (p.isSet(QStringLiteral("raw-days")))
                raw = parseDays(p.value(QStringLiteral("raw-days")), QStringLiteral("--raw-days"));
            if (p.isSet(QStringLiteral("bucket-days")))
                bucket = parseDays(p.value(QStringLiteral("bucket-days")), QStringLiteral("--bucket-days"));
            Workspace &ws = cli.workspace();
            bool changed = false;
            if (raw || bucket)
                changed = RunRecordStore::setRetentionDays(ws, raw, bucket, cli.context(QStringLiteral("cli"), p.value(QStringLiteral("reason"))));
            qint64 deleted = -1;
            if (p.isSet(QStringLiteral("apply")))
                deleted = RunRecordStore(ws).applyRetention(Clock::current().now());
            const QJsonObject settings = retentionJson(ws);
            if (cli.json()) {
                QJsonObject o = settings;
                o.insert(QStringLiteral("changed"), changed);
                if (deleted >= 0)
                    o.insert(QStringLiteral("deletedRawRecords"), deleted);
                cli.outJson(o);
                return 0;
            }
            cli.out(Tr::tr("Raw run records are kept %1 days; metric buckets %2 days.%3")
                        .arg(settings.value(QStringLiteral("rawDays")).toInt())
                        .arg(settings.value(QStringLiteral("bucketDays")).toInt())
                        .arg(raw || bucket ? (changed ? Tr::tr(" (changed)") : Tr::tr(" (unchanged)")) : QString()));
            if (deleted >= 0)
                cli.out(Tr::tr("Deleted %n raw run record(s) past the retention.", nullptr, int(qMin<qint64>(deleted, INT_MAX))));
            return 0;
        }};
}

} // namespace sp::cli
