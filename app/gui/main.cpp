// syncpilot: the desktop console. Opens one workspace (a file, a PostgreSQL URL, the demo) in a
// MainWindow; --screenshot renders that window to a PNG for the docs and for checking the look.

#include "MainWindow.h"

#include "rollout/BackgroundAgent.h"
#include "rollout/Controller.h"
#include "rollout/DecisionLedger.h"
#include "Translations.h"

#include "common/Error.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLocale>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QSettings>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace {

const auto kLastWorkspaceKey = QStringLiteral("workspace/last");
const auto kDesktopId = QStringLiteral("io.github.syncpilot.SyncPilot");

void printError(const QString &message) { std::fprintf(stderr, "syncpilot: %s\n", qPrintable(message)); }

// --lang decides the language of everything, including --help, so it is read before the parser
// is built. The parser checks the value properly afterwards.
QString languageArgument(const QStringList &args)
{
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--lang") && i + 1 < args.size())
            return args.at(i + 1);
        if (args.at(i).startsWith(QLatin1String("--lang=")))
            return args.at(i).mid(7);
    }
    return {};
}

bool isSupportedLanguage(const QString &lang) { return lang == QLatin1String("de") || lang == QLatin1String("en"); }

// What to remember as "the last workspace": an absolute path, or the URL without its password
// (a password never goes into the settings file; libpq can still find one in ~/.pgpass).
QString rememberedLocation(const sp::Workspace &ws, const QString &location)
{
    if (ws.isPostgres())
        return QUrl(location).toString(QUrl::RemovePassword);
    return ws.displayLocation();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SyncPilot"));
    QApplication::setApplicationName(QStringLiteral("syncpilot"));
    QApplication::setApplicationVersion(QStringLiteral(SYNCPILOT_VERSION));
    QGuiApplication::setDesktopFileName(kDesktopId);
    QApplication::setWindowIcon(QIcon::fromTheme(kDesktopId));

    const QString lang = languageArgument(QApplication::arguments());
    if (isSupportedLanguage(lang))
        QLocale::setDefault(QLocale(lang));
    sp::installTranslations(QLocale());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "SyncPilot: roll out data-sync features safely, and roll them back."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption workspaceOption(
        QStringLiteral("workspace"),
        QCoreApplication::translate("main", "Open the workspace at PATH (an SQLite file) or a postgresql:// URL."),
        QCoreApplication::translate("main", "PATH|URL"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QCoreApplication::translate("main", "Open the demo workspace (filled with sample flags on first use)."));
    const QCommandLineOption langOption(
        QStringLiteral("lang"),
        QCoreApplication::translate("main", "Language of the user interface: de or en (default: the system language)."),
        QCoreApplication::translate("main", "LANG"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main", "Save a picture of the main window as a PNG file and exit."),
        QCoreApplication::translate("main", "FILE"));
    parser.addOptions({workspaceOption, demoOption, langOption, screenshotOption});

    if (!parser.parse(QApplication::arguments())) {
        printError(parser.errorText());
        return 2;
    }
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty()) {
        printError(QCoreApplication::translate("main", "Unexpected argument \"%1\"; see --help.")
                       .arg(parser.positionalArguments().constFirst()));
        return 2;
    }
    if (parser.isSet(langOption) && !isSupportedLanguage(parser.value(langOption))) {
        printError(QCoreApplication::translate("main", "Unknown language \"%1\"; use de or en.").arg(parser.value(langOption)));
        return 2;
    }
    const bool demo = parser.isSet(demoOption);
    if (demo && parser.isSet(workspaceOption)) {
        printError(QCoreApplication::translate("main", "Use either --workspace or --demo, not both."));
        return 2;
    }
    const QString screenshot = parser.value(screenshotOption);
    const bool takeScreenshot = parser.isSet(screenshotOption);
    if (takeScreenshot && screenshot.isEmpty()) {
        printError(QCoreApplication::translate("main", "--screenshot needs a file name."));
        return 2;
    }

    // A workspace named on the command line or remembered must exist, as for the CLI (a typo
    // must not create an empty workspace); the demo and the default one are created on first use.
    QString location;
    bool remembered = false;
    auto mode = sp::Workspace::OpenMode::MustExist;
    if (demo) {
        location = sp::DemoWorkspace::defaultLocation(); // its own file, never the user's workspace
        mode = sp::Workspace::OpenMode::CreateIfMissing;
    } else if (parser.isSet(workspaceOption)) {
        location = parser.value(workspaceOption);
    } else {
        location = QSettings().value(kLastWorkspaceKey).toString();
        remembered = !location.isEmpty();
    }
    if (location.isEmpty()) {
        location = sp::Workspace::defaultLocation();
        mode = sp::Workspace::OpenMode::CreateIfMissing;
    }

    std::unique_ptr<sp::Workspace> workspace;
    try {
        workspace = sp::Workspace::open(location, mode);
        if (demo && sp::FlagStore(*workspace).flags().isEmpty())
            sp::DemoWorkspace::populate(*workspace);
    } catch (const sp::Error &e) {
        // Gone or not a workspace any more: start with the default one next time. (A server that
        // is down is a Failure, and the workspace stays remembered.)
        if (remembered && e.kind() == sp::ErrorKind::InvalidInput)
            QSettings().remove(kLastWorkspaceKey);
        if (takeScreenshot) {
            printError(e.message());
        } else {
            QMessageBox box(QMessageBox::Critical, QCoreApplication::translate("main", "SyncPilot"),
                            QCoreApplication::translate("main", "The workspace could not be opened."), QMessageBox::Ok);
            box.setInformativeText(e.message());
            box.exec();
        }
        return 1;
    }
    if (!demo && !takeScreenshot)
        QSettings().setValue(kLastWorkspaceKey, rememberedLocation(*workspace, location));

    sp::MainWindow window(*workspace);
    if (!takeScreenshot)
        window.restoreSettings(); // screenshots always show the default layout
    window.show();

    // This console runs the controller and the sync engine on a worker thread when no other
    // process does (it takes over when that one stops), so rollouts advance, guardrails act and
    // syncs run while the window is open. The status bar says which.
    std::unique_ptr<sp::BackgroundAgent> agent;
    if (!takeScreenshot) {
        auto *controllerLabel = new QLabel(&window);
        controllerLabel->setAccessibleName(QCoreApplication::translate("main", "Controller"));
        window.statusBar()->addPermanentWidget(controllerLabel);
        agent = std::make_unique<sp::BackgroundAgent>(location, qint64(sp::Controller::defaultIntervalSeconds) * 1000);
        QObject::connect(agent.get(), &sp::BackgroundAgent::controllerHere, controllerLabel, [controllerLabel] {
            controllerLabel->setText(QCoreApplication::translate("main", "Controller: this console"));
        });
        QObject::connect(agent.get(), &sp::BackgroundAgent::controllerElsewhere, controllerLabel, [controllerLabel](const QString &holder) {
            controllerLabel->setText(QCoreApplication::translate("main", "Controller: elsewhere"));
            controllerLabel->setToolTip(holder);
        });
        QObject::connect(agent.get(), &sp::BackgroundAgent::decided, &window, [&window](const sp::LedgerEntry &e) {
            window.statusBar()->showMessage(QStringLiteral("%1: %2").arg(e.flagKey, e.summary), 15000);
        });
        agent->start();
    }

    if (takeScreenshot) {
        // Give the window a moment to be laid out and exposed before grabbing it.
        QTimer::singleShot(300, &window, [&] {
            const bool saved = window.grab().save(screenshot, "PNG");
            if (!saved)
                printError(QCoreApplication::translate("main", "Cannot write the screenshot to %1.").arg(screenshot));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    const int rc = QApplication::exec();
    agent.reset(); // releases the controller lock before the workspace closes
    return rc;
}
