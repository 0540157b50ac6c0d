// Crash safety of a sync run (DESIGN.md §4 "Reliability"): `syncpilot-cli sync run` is killed with
// SIGKILL while it writes its targets. Afterwards every target holds either the old or the new
// collection, byte for byte (never a half-written file), the workspace opens, its audit chain
// verifies, and the next run brings every target to the new state.
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "flags/FlagStore.h"
#include "sync/CsvReader.h"
#include "sync/DtcgFormat.h"
#include "sync/Mapping.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace sp;
using namespace sp::test;

namespace {

QByteArray sheet(int rows, const QByteArray &variant)
{
    QByteArray out = "Name,Light,Dark\n";
    for (int i = 0; i < rows; ++i)
        out += "group" + QByteArray::number(i % 50) + "/token" + QByteArray::number(i) + ",#" + variant + "1234,"
               + QByteArray::number(i) + "px\n";
    return out;
}

QByteArray expected(const QString &csv, const QString &collection)
{
    MappingSpec spec;
    spec.collection = collection;
    const MappingResult r = Mapping::map(CsvReader::readFile(csv), spec);
    if (!r.ok())
        qFatal("fixture sheet does not map");
    return DtcgFormat::write(r.collection);
}

} // namespace

class TestSyncCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedDuringTargetWrites_data() { addEngineColumn(); }
    void killedDuringTargetWrites()
    {
        QTemporaryDir dir;
        SP_FRESH_WORKSPACE(loc, dir);
        constexpr int kTargets = 30;
        const QString csv = dir.filePath(QStringLiteral("tokens.csv"));
        writeFile(csv, sheet(20000, "ab"));
        {
            auto ws = Workspace::open(loc);
            const ChangeContext ctx = ChangeContext::local(QStringLiteral("cli"));
            FlagDraft f;
            f.key = QStringLiteral("sync.crash");
            FlagStore(*ws).create(f, ctx);
            SyncConfig c;
            c.name = QStringLiteral("crash");
            c.flagKey = f.key;
            c.source.path = csv;
            for (int i = 0; i < kTargets; ++i)
                c.targets << SyncTargetSpec::fromText(
                    QStringLiteral("t%1=dtcg:%2").arg(i).arg(dir.filePath(QStringLiteral("out/t%1.tokens.json").arg(i))), QStringLiteral("test"));
            SyncConfigStore(*ws).add(c, ctx);
        }
        QCOMPARE(runCli(loc, {QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("crash")}, {}, 300000).exitCode, 0);
        const QByteArray oldBytes = expected(csv, QStringLiteral("crash"));
        for (int i = 0; i < kTargets; ++i)
            QCOMPARE(readFile(dir.filePath(QStringLiteral("out/t%1.tokens.json").arg(i))), oldBytes);

        writeFile(csv, sheet(20000, "cd"));
        const QByteArray newBytes = expected(csv, QStringLiteral("crash"));
        QVERIFY(newBytes != oldBytes);

        // Kill the run as soon as the first target has its new content: later targets are being
        // written at that moment or are still to come.
        QProcess p;
        p.start(cliPath(), {QStringLiteral("--workspace"), loc, QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("crash")});
        QVERIFY(p.waitForStarted());
        const QString first = dir.filePath(QStringLiteral("out/t0.tokens.json"));
        QElapsedTimer waited;
        waited.start();
        while (readFile(first) != newBytes && waited.elapsed() < 120000 && p.state() == QProcess::Running)
            QThread::msleep(2);
        QVERIFY2(p.state() == QProcess::Running, "the run finished before it could be killed: make the fixture bigger");
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        int updated = 0;
        QString stillOld;
        for (int i = 0; i < kTargets; ++i) {
            const QByteArray now = readFile(dir.filePath(QStringLiteral("out/t%1.tokens.json").arg(i)));
            QVERIFY2(now == oldBytes || now == newBytes, qPrintable(QStringLiteral("target t%1 is neither old nor new").arg(i)));
            updated += now == newBytes ? 1 : 0;
            if (now == oldBytes)
                stillOld = QStringLiteral("t%1").arg(i);
        }
        QVERIFY(updated >= 1);
        QVERIFY2(updated < kTargets, "every target was already new when the process died");

        // The workspace is consistent: it opens, the audit chain verifies, and a new run completes.
        CliResult verify = runCli(loc, {QStringLiteral("audit"), QStringLiteral("verify")});
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.text()));
        CliResult rerun = runCli(loc, {QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("crash")}, {}, 300000);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.text()));
        for (int i = 0; i < kTargets; ++i)
            QCOMPARE(readFile(dir.filePath(QStringLiteral("out/t%1.tokens.json").arg(i))), newBytes);
        // Undo after the crash still finds the content each target had before its last write.
        CliResult undo = runCli(loc, {QStringLiteral("sync"), QStringLiteral("undo"), QStringLiteral("crash"), stillOld});
        QVERIFY2(undo.exitCode == 0, qPrintable(undo.text()));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("out/%1.tokens.json").arg(stillOld))), oldBytes);
    }
};

QTEST_GUILESS_MAIN(TestSyncCrash)
#include "tst_sync_crash.moc"
