// init
#include "Cli.h"

#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"

#include <QJsonObject>

namespace sp::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(WorkspaceCommands)
};
} // namespace

void addWorkspaceCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("init")}, QStringLiteral("[--demo]"),
        Tr::tr("Create the workspace (or bring its schema up to date); --demo fills an empty one with sample data."),
        [](QCommandLineParser &p) {
            p.addOption(QCommandLineOption(QStringLiteral("demo"), Tr::tr("Add the demo flags and segments.")));
        },
        [](Cli &cli, QCommandLineParser &p) {
            if (!p.positionalArguments().isEmpty())
                Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
            Workspace &ws = cli.workspace(Workspace::OpenMode::CreateIfMissing);
            if (p.isSet(QStringLiteral("demo")))
                DemoWorkspace::populate(ws);
            const int flags = static_cast<int>(FlagStore(ws).flags().size());
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("workspace"), ws.displayLocation()},
                                        {QStringLiteral("engine"), ws.isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite")},
                                        {QStringLiteral("schemaVersion"), ws.schemaVersion()},
                                        {QStringLiteral("flags"), flags}});
            else
                cli.out(Tr::tr("Workspace %1 is ready (schema %2, %n flag(s)).", nullptr, flags).arg(ws.displayLocation()).arg(ws.schemaVersion()));
            return 0;
        }};
}

} // namespace sp::cli
