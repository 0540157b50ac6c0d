// map: a sheet export (CSV/TSV) through the mapping to a DTCG tokens file, for previews and scripts.
#include "Cli.h"

#include "common/AtomicFile.h"
#include "sync/CsvReader.h"
#include "sync/DtcgFormat.h"
#include "sync/Mapping.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(MapCommands)
};

QChar delimiterFrom(const QString &text)
{
    if (text.isEmpty())
        return {};
    if (text == QLatin1String("tab") || text == QLatin1String("\\t") || text == QLatin1String("\t"))
        return QLatin1Char('\t');
    if (text == QLatin1String("comma"))
        return QLatin1Char(',');
    if (text == QLatin1String("semicolon"))
        return QLatin1Char(';');
    if (text.size() == 1 && text.at(0).unicode() < 0x80 && text.at(0) != QLatin1Char('"'))
        return text.at(0);
    Cli::usage(Tr::tr("--delimiter must be comma, tab, semicolon or a single ASCII character, not \"%1\".").arg(text));
}

void writeStdout(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

} // namespace

void addMapCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("map")}, QStringLiteral("--in FILE [--mapping FILE] [--collection NAME] --out FILE|-"),
        Tr::tr("Map a CSV/TSV sheet export to a DTCG tokens file; on any problem list every cell at fault and write nothing."),
        [](QCommandLineParser &p) {
            p.addOptions({
                opt(QStringLiteral("in"), Tr::tr("The sheet export: .csv (comma or TAB, detected) or .tsv."), QStringLiteral("FILE")),
                opt(QStringLiteral("mapping"), Tr::tr("Mapping file (JSON: headerRow, nameColumn, typeColumn, descriptionColumn, modeColumns, collection)."),
                    QStringLiteral("FILE")),
                opt(QStringLiteral("collection"), Tr::tr("Collection name (default: the mapping's, else the file's base name)."), QStringLiteral("NAME")),
                opt(QStringLiteral("delimiter"), Tr::tr("Field delimiter: comma, tab, semicolon or one character (default: detected)."),
                    QStringLiteral("D")),
                opt(QStringLiteral("out"), Tr::tr("Where to write the tokens (replaced atomically); - for standard output."), QStringLiteral("FILE")),
            });
        },
        [](Cli &cli, QCommandLineParser &p) {
            if (!p.positionalArguments().isEmpty())
                Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
            const QString in = p.value(QStringLiteral("in"));
            const QString out = p.value(QStringLiteral("out"));
            if (in.isEmpty())
                Cli::usage(Tr::tr("map needs --in FILE: the CSV or TSV export of the sheet."));
            if (out.isEmpty())
                Cli::usage(Tr::tr("map needs --out FILE (or --out - for standard output)."));

            MappingSpec spec;
            if (p.isSet(QStringLiteral("mapping")))
                spec = MappingSpec::fromFile(p.value(QStringLiteral("mapping")));
            if (p.isSet(QStringLiteral("collection")))
                spec.collection = p.value(QStringLiteral("collection"));
            const Table table = CsvReader::readFile(in, delimiterFrom(p.value(QStringLiteral("delimiter"))));
            const MappingResult result = Mapping::map(table, spec);

            if (!result.ok()) {
                if (cli.json()) {
                    QJsonArray problems;
                    for (const MappingProblem &problem : result.problems)
                        problems.append(QJsonObject{{QStringLiteral("cell"), problem.cell}, {QStringLiteral("message"), problem.message}});
                    cli.outJson(QJsonObject{{QStringLiteral("problems"), problems}, {QStringLiteral("rowsRead"), result.rowsRead}});
                } else {
                    QByteArray lines;
                    for (const MappingProblem &problem : result.problems)
                        lines += problem.text().toUtf8() + '\n';
                    std::fwrite(lines.constData(), 1, size_t(lines.size()), stderr);
                    std::fflush(stderr);
                }
                invalid(Tr::tr("%n problem(s) in %1; nothing was written.", nullptr, int(result.problems.size())).arg(in));
            }

            const QByteArray tokens = DtcgFormat::write(result.collection);
            if (out == QLatin1String("-")) {
                writeStdout(tokens);
                return 0;
            }
            writeFileAtomically(out, tokens);
            const int count = int(result.collection.variables.size());
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("variables"), count},
                                        {QStringLiteral("modes"), QJsonArray::fromStringList(result.collection.modes)},
                                        {QStringLiteral("out"), out}});
            else
                cli.out(Tr::tr("Mapped %n variable(s) in modes %1 to %2.", nullptr, count)
                            .arg(result.collection.modes.join(QStringLiteral(", ")), out));
            return 0;
        }};
}

} // namespace sp::cli
