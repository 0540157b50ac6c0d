// Two or more processes editing one workspace at once: no update is lost, the audit chain stays
// whole, and a stale edit is refused with exit code 4.
#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QProcess>
#include <QTest>

using namespace sp;

class TstConcurrency : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void parallelWritersLoseNothing_data() { test::addEngineColumn(); }
    void parallelWritersLoseNothing()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QCOMPARE(test::runCli(location, {"init"}).exitCode, 0);
        QCOMPARE(test::runCli(location, {"flag", "create", "contended"}).exitCode, 0);
        // Each writer process changes the same flag many times, alternating values so every
        // call is a real change; with a lost update the final version would be short.
        constexpr int writers = 3;
        constexpr int changesEach = 12;
        QList<QProcess *> procs;
        for (int w = 0; w < writers; ++w) {
            auto *p = new QProcess(this);
            QString script = QStringLiteral("set -e; for i in $(seq 1 %1); do \"%2\" --workspace '%3' flag set contended --percent %4$i.1 --reason w%4 >/dev/null; "
                                            "\"%2\" --workspace '%3' flag set contended --percent %4$i.2 >/dev/null; done")
                                 .arg(changesEach / 2)
                                 .arg(test::cliPath(), location)
                                 .arg(w + 1);
            p->start(QStringLiteral("bash"), {QStringLiteral("-c"), script});
            procs << p;
        }
        for (QProcess *p : procs) {
            QVERIFY(p->waitForFinished(240000));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        auto ws = Workspace::open(location);
        const Flag f = FlagStore(*ws).get(QStringLiteral("contended"));
        QCOMPARE(f.version, 1 + writers * changesEach);
        QCOMPARE(AuditLog(*ws).list().size(), 1 + writers * changesEach);
        const AuditVerification v = AuditLog(*ws).verify();
        QVERIFY2(v.ok, qPrintable(v.problem));
    }

    void staleEditFromAnotherProcessIsRefused_data() { test::addEngineColumn(); }
    void staleEditFromAnotherProcessIsRefused()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QCOMPARE(test::runCli(location, {"init"}).exitCode, 0);
        QCOMPARE(test::runCli(location, {"flag", "create", "race"}).exitCode, 0);
        // operator A reads version 1, operator B changes the flag, A's edit must bounce
        QCOMPARE(test::runCli(location, {"flag", "set", "race", "--percent", "10", "--expect-version", "1"}).exitCode, 0);
        const auto r = test::runCli(location, {"flag", "set", "race", "--on", "--expect-version", "1"});
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(r.text().contains(QStringLiteral("Flag race was changed by")), qPrintable(r.text()));
        auto ws = Workspace::open(location);
        const Flag f = FlagStore(*ws).get(QStringLiteral("race"));
        QVERIFY(!f.enabled);
        QCOMPARE(f.percentTenths, 100);
    }
};

QTEST_GUILESS_MAIN(TstConcurrency)
#include "tst_concurrency.moc"
