// syncpilot: the desktop console. Opens one workspace (a file, a PostgreSQL URL, the demo) in a
// MainWindow; --screenshot DIR renders every view to PNG files for the docs and for checking the look.

#include "HealthView.h"
#include "MainWindow.h"

#include "rollout/BackgroundAgent.h"
#include "rollout/Controller.h"
#include "Palette.h"
#include "Translations.h"

#include "common/Error.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "ConsoleContext.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QThread>
#include <QIcon>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <unistd.h>
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

// Shows each view, waits until its background queries have answered (at most a few seconds),
// and saves it as DIR/<view>.png; exits with 0 when every picture was written.
void saveScreenshots(sp::MainWindow &window, const QString &dir)
{
    if (!QDir().mkpath(dir)) {
        printError(QCoreApplication::translate("main", "Cannot create the directory %1.").arg(dir));
        QCoreApplication::exit(1);
        return;
    }
    bool ok = true;
    for (int i = 0; i < sp::MainWindow::PageCount; ++i) {
        const auto page = sp::MainWindow::Page(i);
        window.showPage(page);
        QElapsedTimer waited;
        waited.start();
        // Let the view lay out, start its queries, receive the answers and repaint.
        do {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            QThread::msleep(20);
        } while ((window.context().tasks()->pending() > 0 || waited.elapsed() < 600) && waited.elapsed() < 8000);
        QCoreApplication::processEvents();
        const QString file = QDir(dir).filePath(sp::MainWindow::pageName(page) + QStringLiteral(".png"));
        if (!window.grab().save(file, "PNG")) {
            printError(QCoreApplication::translate("main", "Cannot write the screenshot to %1.").arg(file));
            ok = false;
        }
    }
    QCoreApplication::exit(ok ? 0 : 1);
}

// Milliseconds since the kernel started this process (exec, dynamic linking and Qt's start-up
// included), from /proc; -1 where there is no /proc.
qint64 msSinceProcessStart()
{
    QFile stat(QStringLiteral("/proc/self/stat")), uptime(QStringLiteral("/proc/uptime"));
    if (!stat.open(QIODevice::ReadOnly) || !uptime.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray s = stat.readAll();
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    const double startTicks = fields.value(19).toDouble();                     // field 22: starttime
    const double upSeconds = uptime.readAll().split(' ').value(0).toDouble();
    const long ticks = sysconf(_SC_CLK_TCK);
    return qint64((upSeconds - startTicks / double(ticks)) * 1000.0);
}

// "VmRSS" / "VmHWM" of this process in MiB, from /proc/self/status.
double memoryMiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field) + 1).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

// --measure-startup: prints how long the first window took to paint and the resident memory
// then; then shows every view in turn (the Health view over 7 days, the Audit view with its first
// page), and prints the memory after that and the peak; then exits (tests/benchmarks/README.md).
class StartupProbe : public QObject
{
public:
    StartupProbe(sp::MainWindow *window, qint64 mainStartedMs, QElapsedTimer sinceMain)
        : m_window(window), m_mainStartedMs(mainStartedMs), m_sinceMain(sinceMain)
    {
        window->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_window && event->type() == QEvent::Paint && !m_painted) {
            m_painted = true;
            QTimer::singleShot(0, this, [this] {
                const qint64 sinceMain = m_sinceMain.elapsed();
                std::printf("first_window_ms=%lld (since exec; %lld since main)\n",
                            m_mainStartedMs >= 0 ? m_mainStartedMs + sinceMain : sinceMain, sinceMain);
                std::printf("rss_at_first_window_mib=%.1f\n", memoryMiB("VmRSS:"));
                std::fflush(stdout);
                visit(1);
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    // Shows page i, lets its queries answer, then goes on to the next one.
    void visit(int i)
    {
        if (i >= sp::MainWindow::PageCount) {
            std::printf("rss_after_every_view_mib=%.1f\npeak_rss_mib=%.1f\n", memoryMiB("VmRSS:"), memoryMiB("VmHWM:"));
            std::fflush(stdout);
            QCoreApplication::exit(0);
            return;
        }
        const auto page = sp::MainWindow::Page(i);
        m_window->showPage(page);
        if (auto *health = qobject_cast<sp::HealthView *>(m_window->page(page)))
            health->setRangeSeconds(7 * 86400);
        QTimer::singleShot(2000, this, [this, i] { visit(i + 1); });
    }

    sp::MainWindow *m_window;
    qint64 m_mainStartedMs;
    QElapsedTimer m_sinceMain;
    bool m_painted = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    const qint64 mainStartedMs = msSinceProcessStart();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SyncPilot"));
    QApplication::setApplicationName(QStringLiteral("syncpilot"));
    QApplication::setApplicationVersion(QStringLiteral(SYNCPILOT_VERSION));
    QGuiApplication::setDesktopFileName(kDesktopId);
    QApplication::setWindowIcon(QIcon::fromTheme(kDesktopId));

    // --lang, else the language chosen in View ▸ Language, else the system's.
    QString lang = languageArgument(QApplication::arguments());
    if (!isSupportedLanguage(lang))
        lang = sp::MainWindow::preferredLanguage();
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
        QCoreApplication::translate("main", "Save a picture of every view (overview.png, flags.png, …) in DIR and exit."),
        QCoreApplication::translate("main", "DIR"));
    const QCommandLineOption paletteOption(
        QStringLiteral("palette"),
        QCoreApplication::translate("main", "Colours: system (default), light or dark."),
        QCoreApplication::translate("main", "NAME"));
    const QCommandLineOption measureOption(
        QStringLiteral("measure-startup"),
        QCoreApplication::translate("main", "Print the time to the first window and the memory used, then exit."));
    parser.addOptions({workspaceOption, demoOption, langOption, screenshotOption, paletteOption, measureOption});

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
    if (parser.isSet(paletteOption) && !sp::applyPalette(parser.value(paletteOption))) {
        printError(QCoreApplication::translate("main", "Unknown palette \"%1\"; use system, light or dark.").arg(parser.value(paletteOption)));
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
        printError(QCoreApplication::translate("main", "--screenshot needs a directory."));
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

    sp::MainWindow window(*workspace, location);
    if (!takeScreenshot)
        window.restoreSettings(); // screenshots always show the default layout
    std::unique_ptr<StartupProbe> probe;
    if (parser.isSet(measureOption))
        probe = std::make_unique<StartupProbe>(&window, mainStartedMs, sinceMain);
    window.show();

    // This console runs the controller and the sync engine on a worker thread when no other
    // process does (it takes over when that one stops), so rollouts advance, guardrails act and
    // syncs run while the window is open. The header says which.
    std::unique_ptr<sp::BackgroundAgent> agent;
    if (!takeScreenshot) {
        agent = std::make_unique<sp::BackgroundAgent>(location, qint64(sp::Controller::defaultIntervalSeconds) * 1000);
        window.attachAgent(agent.get());
        agent->start();
    } else {
        // Every view in turn, each once its background queries have answered.
        QTimer::singleShot(0, &window, [&] { saveScreenshots(window, screenshot); });
    }
    const int rc = QApplication::exec();
    agent.reset(); // releases the controller lock before the workspace closes
    return rc;
}
