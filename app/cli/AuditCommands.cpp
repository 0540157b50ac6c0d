// audit list | export | verify
#include "Cli.h"

#include "AuditReport.h"
#include "common/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(AuditCommands)
};

void addFilterOptions(QCommandLineParser &p)
{
    p.addOptions({
        QCommandLineOption(QStringLiteral("from"), Tr::tr("Entries at or after T (ISO 8601, or an age: 24h, 7d)."), QStringLiteral("T")),
        QCommandLineOption(QStringLiteral("to"), Tr::tr("Entries before T."), QStringLiteral("T")),
        QCommandLineOption(QStringLiteral("actor"), Tr::tr("Only this actor (OS user)."), QStringLiteral("USER")),
        QCommandLineOption(QStringLiteral("object"), Tr::tr("Only this object, e.g. flag:checkout or flag:* ."), QStringLiteral("OBJECT")),
        QCommandLineOption(QStringLiteral("action"), Tr::tr("Only this action, e.g. flag.update or killswitch.* ."), QStringLiteral("ACTION")),
    });
}

AuditFilter filterFrom(QCommandLineParser &p)
{
    AuditFilter f;
    if (p.isSet(QStringLiteral("from")))
        f.from = Cli::parseTime(p.value(QStringLiteral("from")), QStringLiteral("--from"));
    if (p.isSet(QStringLiteral("to")))
        f.to = Cli::parseTime(p.value(QStringLiteral("to")), QStringLiteral("--to"));
    f.actor = p.value(QStringLiteral("actor"));
    f.object = p.value(QStringLiteral("object"));
    f.action = p.value(QStringLiteral("action"));
    return f;
}

} // namespace

void addAuditCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("audit"), QStringLiteral("list")}, QStringLiteral("[filters]"),
        Tr::tr("List audit entries, oldest first (filters: --from --to --actor --object --action --limit)."),
        [](QCommandLineParser &p) {
            addFilterOptions(p);
            p.addOption(QCommandLineOption(QStringLiteral("limit"), Tr::tr("Only the newest N entries."), QStringLiteral("N")));
        },
        [](Cli &cli, QCommandLineParser &p) {
            AuditFilter f = filterFrom(p);
            if (p.isSet(QStringLiteral("limit"))) {
                bool ok = false;
                f.limit = p.value(QStringLiteral("limit")).toInt(&ok);
                if (!ok || f.limit <= 0)
                    invalid(Tr::tr("--limit: \"%1\" is not a positive number.").arg(p.value(QStringLiteral("limit"))));
            }
            const QList<AuditEntry> entries = AuditLog(cli.workspace()).list(f);
            if (cli.json()) {
                QJsonArray arr;
                for (const AuditEntry &e : entries)
                    arr.append(e.toJson());
                cli.outJson(arr);
                return 0;
            }
            for (const AuditEntry &e : entries)
                cli.out(QStringLiteral("%1  %2  %3  %4  %5  %6%7")
                            .arg(QString::number(e.seq).rightJustified(6), toStoredTime(e.at), e.actor.leftJustified(10),
                                 e.source.leftJustified(10), e.action.leftJustified(16), e.object,
                                 e.reason.isEmpty() ? QString() : QStringLiteral("  \"%1\"").arg(e.reason)));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("audit"), QStringLiteral("export")}, QStringLiteral("--format csv|jsonl|pdf --out FILE [filters]"),
        Tr::tr("Export audit entries (verified first; stamped with the chain head) as CSV, JSON Lines or a PDF report."),
        [](QCommandLineParser &p) {
            p.addOptions({QCommandLineOption(QStringLiteral("format"), Tr::tr("csv, jsonl or pdf (a report: summary, chart of the period, table)."), QStringLiteral("FORMAT")),
                          QCommandLineOption(QStringLiteral("out"), Tr::tr("The file to write (atomically)."), QStringLiteral("FILE"))});
            addFilterOptions(p);
        },
        [](Cli &cli, QCommandLineParser &p) {
            const QString format = p.value(QStringLiteral("format"));
            if (format != QLatin1String("csv") && format != QLatin1String("jsonl") && format != QLatin1String("pdf"))
                Cli::usage(Tr::tr("--format must be csv, jsonl or pdf."));
            if (!p.isSet(QStringLiteral("out")))
                Cli::usage(Tr::tr("--out FILE is required."));
            const AuditFilter f = filterFrom(p);
            const QString path = p.value(QStringLiteral("out"));
            const auto report = [&](qint64 n) {
                if (cli.json())
                    cli.outJson(QJsonObject{{QStringLiteral("written"), path}, {QStringLiteral("entries"), n}});
                else
                    cli.out(Tr::tr("Wrote %n audit record(s) to %1.", nullptr, static_cast<int>(n)).arg(path));
                return 0;
            };
            if (format == QLatin1String("pdf"))
                return report(AuditReport::writePdf(cli.workspace(), f, path, cli.context(QStringLiteral("cli"))));
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                invalid(Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
            AuditLog log(cli.workspace());
            const qint64 n = format == QLatin1String("csv") ? log.exportCsv(file, f) : log.exportJsonl(file, f);
            if (!file.commit())
                fail(Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
            return report(n);
        }};

    commands << Command{
        {QStringLiteral("audit"), QStringLiteral("verify")}, {},
        Tr::tr("Check the hash chain; exit 1 naming the first edited or deleted entry."),
        {},
        [](Cli &cli, QCommandLineParser &) {
            const AuditVerification v = AuditLog(cli.workspace()).verify();
            if (cli.json()) {
                cli.outJson(QJsonObject{{QStringLiteral("ok"), v.ok},
                                        {QStringLiteral("entries"), v.entries},
                                        {QStringLiteral("firstBadEntry"), v.firstBadSeq},
                                        {QStringLiteral("problem"), v.problem},
                                        {QStringLiteral("head"), v.headHash}});
            } else if (v.ok) {
                cli.out(Tr::tr("Audit chain intact: %n record(s), head %1.", nullptr, static_cast<int>(v.entries)).arg(v.headHash));
            } else {
                cli.warn(Tr::tr("Audit chain BROKEN at entry %1: %2.").arg(v.firstBadSeq).arg(v.problem));
            }
            return v.ok ? 0 : 1;
        }};
}

} // namespace sp::cli
