#include "Cli.h"
#include "common/EnglishPlurals.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

namespace {

// Only a PDF report paints text, which needs QtGui's font machinery; every other command keeps
// the lighter QCoreApplication (and needs no display or platform plugin).
bool wantsPdfReport(int argc, char **argv)
{
    bool audit = false;
    bool exportWord = false;
    bool pdf = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "audit")
            audit = true;
        else if (arg == "export" && audit)
            exportWord = true;
        else if (arg == "--format=pdf" || arg == "-format=pdf")
            pdf = true;
        else if ((arg == "--format" || arg == "-format") && i + 1 < argc && QByteArray(argv[i + 1]) == "pdf")
            pdf = true;
    }
    return audit && exportWord && pdf;
}

} // namespace

int main(int argc, char **argv)
{
    std::unique_ptr<QCoreApplication> app;
    if (wantsPdfReport(argc, argv)) {
        // headless by default: servers and CI have no display, and a report draws nothing on screen
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setOrganizationName(QStringLiteral("SyncPilot"));
    QCoreApplication::setApplicationName(QStringLiteral("syncpilot"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SYNCPILOT_VERSION));
    sp::EnglishPlurals::install(app.get());
    sp::cli::Cli cli;
    return cli.run(QCoreApplication::arguments().mid(1));
}
