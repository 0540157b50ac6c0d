// Only one process runs the controller: the agent holds the ControllerLock (SQLite lock file,
// PostgreSQL advisory lock), others are refused with the holder's description, a killed holder is
// replaced within seconds, and SIGTERM/SIGINT stop the agent cleanly.
#include "TestSupport.h"
#include "rollout/ControllerLock.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace sp;

namespace {

// An agent as its own process; its stdout is collected as it comes.
class AgentProcess
{
public:
    AgentProcess(const QString &workspace, const QStringList &extra = {})
    {
        m_process.setProgram(test::cliPath());
        m_process.setArguments(QStringList{QStringLiteral("--workspace"), workspace, QStringLiteral("agent"),
                                           QStringLiteral("--interval"), QStringLiteral("1s")} + extra);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, [this] { m_err += m_process.readAllStandardError(); });
        m_process.start();
    }
    ~AgentProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    // True once the agent said it holds the lock (its signal handlers are installed by then).
    bool waitRunning(int timeoutMs = 10000)
    {
        QElapsedTimer t;
        t.start();
        while (!m_out.contains("agent running") && t.elapsed() < timeoutMs) {
            if (m_process.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(20);
        }
        return m_out.contains("agent running");
    }
    bool waitFinished(int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (m_process.state() != QProcess::NotRunning && t.elapsed() < timeoutMs)
            QTest::qWait(10);
        if (m_process.state() != QProcess::NotRunning)
            return false;
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return true;
    }
    void signal(int sig) { ::kill(pid_t(m_process.processId()), sig); }
    qint64 pid() const { return m_process.processId(); }
    QProcess &process() { return m_process; }
    QString output() const { return QString::fromUtf8(m_out + m_err); }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

void initWorkspace(const QString &location)
{
    const test::CliResult r = test::runCli(location, {QStringLiteral("init")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
}

} // namespace

class TstControllerLock : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void secondHolderRefusedUntilFirstDies_data() { test::addEngineColumn(); }
    void secondHolderRefusedUntilFirstDies()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        initWorkspace(location);
        auto ws = Workspace::open(location);

        auto a = std::make_unique<AgentProcess>(location);
        QVERIFY2(a->waitRunning(), qPrintable(a->output()));
        const QString aPid = QStringLiteral("pid %1").arg(a->pid());

        // B (this process) is refused and told who holds it.
        ControllerLock b(*ws);
        QVERIFY(!b.tryAcquire());
        QVERIFY(!b.isHeld());
        const QString holder = b.holderDescription();
        QVERIFY2(holder.contains(aPid), qPrintable(holder));
        qInfo("holder: %s", qPrintable(holder));

        // A second agent is refused with exit code 4.
        const test::CliResult second = test::runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QCOMPARE(second.exitCode, 4);
        QVERIFY2(second.text().contains(QLatin1String("the controller already runs in")), qPrintable(second.text()));
        QVERIFY2(second.text().contains(aPid), qPrintable(second.text()));

        // The heartbeat names the holder.
        QTRY_VERIFY_WITH_TIMEOUT(!ws->meta(QStringLiteral("controller_heartbeat")).isEmpty(), 5000);
        const QJsonObject beat = QJsonDocument::fromJson(ws->meta(QStringLiteral("controller_heartbeat")).toUtf8()).object();
        QVERIFY2(beat.value(QStringLiteral("holder")).toString().contains(aPid), qPrintable(ws->meta(QStringLiteral("controller_heartbeat"))));
        QVERIFY(!beat.value(QStringLiteral("at")).toString().isEmpty());

        // A dies without cleaning up: a new agent takes over within seconds.
        a->signal(SIGKILL);
        QVERIFY(a->waitFinished(5000));
        QElapsedTimer takeover;
        takeover.start();
        auto c = std::make_unique<AgentProcess>(location);
        bool running = false;
        while (!running && takeover.elapsed() < 5000) {
            running = c->waitRunning(5000);
            if (!running) { // refused while the dead session was still being cleaned up: retry
                c = std::make_unique<AgentProcess>(location);
                QTest::qWait(100);
            }
        }
        QVERIFY2(running, qPrintable(c->output()));
        qInfo("new agent took over %lld ms after the holder was killed", takeover.elapsed());
        QVERIFY(!b.tryAcquire());
        QVERIFY2(b.holderDescription().contains(QStringLiteral("pid %1").arg(c->pid())), qPrintable(b.holderDescription()));

        // C killed too: now B takes it directly.
        c->signal(SIGKILL);
        QVERIFY(c->waitFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(b.tryAcquire(), 5000);
        QVERIFY(b.isHeld());
        const test::CliResult refused = test::runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QCOMPARE(refused.exitCode, 4);
        b.release();
        QVERIFY(!b.isHeld());
        const test::CliResult once = test::runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(once.exitCode == 0, qPrintable(once.text()));
    }

    void sigtermStopsCleanly_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<int>("sig");
        QTest::newRow("sqlite-SIGTERM") << QStringLiteral("sqlite") << int(SIGTERM);
        QTest::newRow("sqlite-SIGINT") << QStringLiteral("sqlite") << int(SIGINT);
        QTest::newRow("postgresql-SIGTERM") << QStringLiteral("postgresql") << int(SIGTERM);
        QTest::newRow("postgresql-SIGINT") << QStringLiteral("postgresql") << int(SIGINT);
    }
    void sigtermStopsCleanly()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QFETCH(int, sig);
        initWorkspace(location);
        auto ws = Workspace::open(location);
        const qint64 revision = ws->revision();

        AgentProcess agent(location);
        QVERIFY2(agent.waitRunning(), qPrintable(agent.output()));
        QTest::qWait(1200); // let it tick at least once more
        QElapsedTimer t;
        t.start();
        agent.signal(sig);
        QVERIFY2(agent.waitFinished(2000), "the agent did not stop within 2 s");
        qInfo("agent stopped %lld ms after signal %d", t.elapsed(), sig);
        QCOMPARE(agent.process().exitStatus(), QProcess::NormalExit);
        QVERIFY2(agent.process().exitCode() == 0, qPrintable(agent.output()));
        QVERIFY2(agent.output().contains(QLatin1String("agent stopped")), qPrintable(agent.output()));

        // The lock is free at once, and another agent can start.
        ControllerLock lock(*ws);
        QVERIFY2(lock.tryAcquire(), qPrintable(lock.holderDescription()));
        lock.release();
        const test::CliResult once = test::runCli(location, {QStringLiteral("agent"), QStringLiteral("--once")});
        QVERIFY2(once.exitCode == 0, qPrintable(once.text()));

        // The heartbeat was written without bumping the revision (no GUI reloads for it).
        QVERIFY(!ws->meta(QStringLiteral("controller_heartbeat")).isEmpty());
        QCOMPARE(ws->revision(), revision);
    }

    void badInterval_data() { test::addEngineColumn(); }
    void badInterval()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        initWorkspace(location);
        for (const QString &bad : {QStringLiteral("0s"), QStringLiteral("fast"), QStringLiteral("10x"), QStringLiteral("-1s")}) {
            const test::CliResult r = test::runCli(location, {QStringLiteral("agent"), QStringLiteral("--interval"), bad});
            QVERIFY2(r.exitCode == 3 || r.exitCode == 2, qPrintable(bad + QLatin1String(": ") + r.text()));
        }
    }
};

QTEST_GUILESS_MAIN(TstControllerLock)
#include "tst_controller_lock.moc"
