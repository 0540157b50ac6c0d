// The agent loop inside a console: a worker thread with its own connection takes the controller
// lock, ticks and syncs, reports through queued signals, waits while another process holds the
// lock and takes over when it goes, and gives the lock back when stopped.
#include "TestSupport.h"

#include "rollout/BackgroundAgent.h"
#include "workspace/Workspace.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace sp;
using namespace sp::test;

namespace {

const QByteArray kSheet = "Name,Type,Light,Dark\n"
                          "color/brand/primary,COLOR,#1e66f5,#89b4fa\n"
                          "color/bg,,#ffffff,#1e1e2e\n"
                          "space/md,FLOAT,16px,16px\n";

constexpr qint64 kIntervalMs = 200;

// A workspace with one sync config "cfg": a CSV sheet written to one DTCG file.
struct Fixture
{
    QTemporaryDir dir;
    QString sheet;
    QString target;

    bool setUp(const QString &location)
    {
        sheet = dir.filePath(QStringLiteral("sheet.csv"));
        target = dir.filePath(QStringLiteral("tokens.json"));
        writeFile(sheet, kSheet);
        const QList<QStringList> steps{
            {QStringLiteral("init")},
            {QStringLiteral("flag"), QStringLiteral("create"), QStringLiteral("sync.x")},
            {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("cfg"), QStringLiteral("--flag"),
             QStringLiteral("sync.x"), QStringLiteral("--source"), QStringLiteral("csv:") + sheet, QStringLiteral("--interval"),
             QStringLiteral("3600"), QStringLiteral("--target"), QStringLiteral("a=dtcg:") + target},
        };
        for (const QStringList &args : steps) {
            const CliResult r = runCli(location, args);
            if (r.exitCode != 0) {
                qWarning("%s: %s", qPrintable(args.join(QLatin1Char(' '))), qPrintable(r.text()));
                return false;
            }
        }
        return true;
    }
};

} // namespace

class TestBackgroundAgent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void takesTheLockTicksAndReleases_data() { addEngineColumn(); }
    void takesTheLockTicksAndReleases()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(location, f.dir);
        QVERIFY(f.setUp(location));

        BackgroundAgent agent(location, kIntervalMs);
        QSignalSpy here(&agent, &BackgroundAgent::controllerHere);
        QSignalSpy elsewhere(&agent, &BackgroundAgent::controllerElsewhere);
        QSignalSpy synced(&agent, &BackgroundAgent::synced);
        QSignalSpy problems(&agent, &BackgroundAgent::problem);
        agent.start();
        QVERIFY(agent.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(here.size(), 1, 20000);
        QCOMPARE(elsewhere.size(), 0);

        // The first tick runs the due config; the result arrives here, on the test's thread.
        QTRY_VERIFY_WITH_TIMEOUT(synced.size() >= 1, 20000);
        const SyncRun run = synced.first().first().value<SyncRun>();
        QCOMPARE(run.config, QStringLiteral("cfg"));
        QVERIFY2(run.ok(), qPrintable(run.failure));
        QCOMPARE(run.targets.size(), 1);
        QVERIFY(QFileInfo::exists(f.target));
        QVERIFY(readFile(f.target).contains("#ffffff"));
        QVERIFY2(problems.isEmpty(), problems.isEmpty() ? "" : qPrintable(problems.first().first().toString()));

        // The heartbeat names this process.
        {
            const auto ws = Workspace::open(location, Workspace::OpenMode::MustExist);
            const QJsonObject beat = QJsonDocument::fromJson(ws->meta(QStringLiteral("controller_heartbeat")).toUtf8()).object();
            QVERIFY2(beat.value(QStringLiteral("holder")).toString().contains(QString::number(QCoreApplication::applicationPid())),
                     qPrintable(ws->meta(QStringLiteral("controller_heartbeat"))));
            QCOMPARE(beat.value(QStringLiteral("intervalMs")).toInteger(), kIntervalMs);
        }

        // While the console holds the lock, a headless agent is refused.
        const CliResult refused = runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(refused.exitCode == 4, qPrintable(refused.text()));

        // A saved CSV runs the config at once (its interval is an hour: only the file watch can run it).
        QByteArray changed = kSheet;
        changed.replace("color/bg,,#ffffff", "color/bg,,#abcdef");
        writeFile(f.sheet, changed);
        QTRY_VERIFY_WITH_TIMEOUT(readFile(f.target).contains("#abcdef"), 20000);

        agent.stop();
        QVERIFY(!agent.isRunning());
        const CliResult once = runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(once.exitCode == 0, qPrintable(once.text()));
    }

    void secondConsoleWaitsThenTakesOver_data() { addEngineColumn(); }
    void secondConsoleWaitsThenTakesOver()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(location, f.dir);
        QVERIFY(f.setUp(location));

        BackgroundAgent first(location, kIntervalMs);
        first.setNoSync(true);
        QSignalSpy firstHere(&first, &BackgroundAgent::controllerHere);
        first.start();
        QTRY_COMPARE_WITH_TIMEOUT(firstHere.size(), 1, 20000);

        BackgroundAgent second(location, kIntervalMs);
        second.setNoSync(true);
        QSignalSpy secondHere(&second, &BackgroundAgent::controllerHere);
        QSignalSpy secondElsewhere(&second, &BackgroundAgent::controllerElsewhere);
        second.start();
        QTRY_COMPARE_WITH_TIMEOUT(secondElsewhere.size(), 1, 20000);
        QVERIFY2(secondElsewhere.first().first().toString().contains(QString::number(QCoreApplication::applicationPid())),
                 qPrintable(secondElsewhere.first().first().toString()));
        QCOMPARE(secondHere.size(), 0);

        first.stop();
        QTRY_COMPARE_WITH_TIMEOUT(secondHere.size(), 1, 20000);
        // It said "elsewhere" once, not on every retry.
        QCOMPARE(secondElsewhere.size(), 1);

        // Destroying the console's agent stops it and frees the lock.
        {
            BackgroundAgent scoped(location, kIntervalMs);
            scoped.start();
        }
        const CliResult refused = runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(refused.exitCode == 4, qPrintable(refused.text())); // `second` still holds it
        second.stop();
        const CliResult once = runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(once.exitCode == 0, qPrintable(once.text()));
    }

    void runSyncNowRunsOnTheWorker_data() { addEngineColumn(); }
    void runSyncNowRunsOnTheWorker()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(location, f.dir);
        QVERIFY(f.setUp(location));

        BackgroundAgent agent(location, kIntervalMs);
        agent.setNoSync(true); // scheduled syncs are someone else's: only "Run now" may write
        QSignalSpy here(&agent, &BackgroundAgent::controllerHere);
        QSignalSpy synced(&agent, &BackgroundAgent::synced);
        QSignalSpy problems(&agent, &BackgroundAgent::problem);
        agent.start();
        QTRY_COMPARE_WITH_TIMEOUT(here.size(), 1, 20000);
        QVERIFY(!QFileInfo::exists(f.target));

        agent.runSyncNow(QStringLiteral("cfg"));
        QTRY_COMPARE_WITH_TIMEOUT(synced.size(), 1, 20000);
        const SyncRun run = synced.first().first().value<SyncRun>();
        QCOMPARE(run.config, QStringLiteral("cfg"));
        QVERIFY2(run.ok(), qPrintable(run.failure));
        QVERIFY(readFile(f.target).contains("#1e66f5"));

        // An unknown config is a problem named in words, and nothing runs.
        agent.runSyncNow(QStringLiteral("nope"));
        QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 1, 20000);
        QVERIFY2(problems.first().first().toString().contains(QLatin1String("nope")), qPrintable(problems.first().first().toString()));
        QCOMPARE(synced.size(), 1);
        agent.stop();

        // Not running: refused at once.
        agent.runSyncNow(QStringLiteral("cfg"));
        QCOMPARE(problems.size(), 2);
    }

    void missingWorkspaceIsAProblem()
    {
        QTemporaryDir dir;
        BackgroundAgent agent(dir.filePath(QStringLiteral("missing.sqlite")), kIntervalMs);
        QSignalSpy problems(&agent, &BackgroundAgent::problem);
        QSignalSpy here(&agent, &BackgroundAgent::controllerHere);
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 20000);
        QVERIFY2(problems.first().first().toString().contains(QLatin1String("missing.sqlite")),
                 qPrintable(problems.first().first().toString()));
        // It retries every interval but says so once, not on every attempt.
        QTest::qWait(int(kIntervalMs) * 3);
        QCOMPARE(problems.size(), 1);
        agent.stop();
        QCOMPARE(here.size(), 0);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("missing.sqlite"))));
    }
};

QTEST_GUILESS_MAIN(TestBackgroundAgent)
#include "tst_background_agent.moc"
