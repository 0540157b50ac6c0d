#include "Cli.h"
#include "common/EnglishPlurals.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("SyncPilot"));
    QCoreApplication::setApplicationName(QStringLiteral("syncpilot"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SYNCPILOT_VERSION));
    sp::EnglishPlurals::install(&app);
    sp::cli::Cli cli;
    return cli.run(QCoreApplication::arguments().mid(1));
}
