// The dual-mode sync engine on real workspaces (SQLite and PostgreSQL), a real CSV source and real
// DTCG files: legacy / hybrid / sync paths, the proof hybrid must give before sync, fallback after
// mismatching runs, change detection, dry runs, mapping errors that write nothing, undo, rehearsal,
// run records for the guardrails, and the CLI on top.
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Controller.h"
#include "rollout/DecisionLedger.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "sync/DtcgFormat.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QtTest>

using namespace sp;
using namespace sp::test;

namespace {

const QByteArray kSheet = "Name,Type,Light,Dark\n"
                          "color/brand/primary,COLOR,#1e66f5,#89b4fa\n"
                          "color/bg,,#ffffff,#1e1e2e\n"
                          "color/link,,{color/brand/primary},{color/brand/primary}\n"
                          "space/md,FLOAT,16px,16px\n"
                          "radius/sm,,4,4\n"
                          "feature/beta,BOOLEAN,true,false\n"
                          "font/family,STRING,Inter,Inter\n";

ChangeContext ctx() { return ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test")); }

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<Workspace> ws;
    QString location;
    QString sheet;

    QString targetPath(const QString &id) const { return dir.filePath(QStringLiteral("targets/%1.tokens.json").arg(id)); }

    void setUp(const QString &loc, int percent, SyncMode mode, int targets = 4)
    {
        location = loc;
        ws = Workspace::open(loc);
        FlagDraft f;
        f.key = QStringLiteral("sync.tokens");
        f.enabled = true;
        f.percentTenths = percent * 10;
        FlagStore(*ws).create(f, ctx());
        sheet = dir.filePath(QStringLiteral("tokens.csv"));
        writeFile(sheet, kSheet);
        SyncConfig c;
        c.name = QStringLiteral("tokens");
        c.flagKey = f.key;
        c.mode = mode;
        c.source.path = sheet;
        c.requiredConsistentRuns = 3;
        for (int i = 1; i <= targets; ++i)
            c.targets << SyncTargetSpec::fromText(QStringLiteral("t%1=dtcg:%2").arg(i).arg(targetPath(QStringLiteral("t%1").arg(i))),
                                                  QStringLiteral("test"));
        SyncConfigStore(*ws).add(c, ctx());
    }
    SyncRun run(bool dry = false) { return SyncEngine(*ws).run(QStringLiteral("tokens"), dry, ctx()); }
    SyncConfig config() { return SyncConfigStore(*ws).get(QStringLiteral("tokens")); }
    int count(const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery q = ws->exec(sql, binds);
        return q.next() ? q.value(0).toInt() : -1;
    }
};

} // namespace

class TestSyncEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void legacyWritesEveryTargetAndRecordsRuns_data() { addEngineColumn(); }
    void legacyWritesEveryTargetAndRecordsRuns()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Legacy);
        const SyncRun run = f.run();
        QVERIFY2(run.ok(), qPrintable(run.failure + run.problems.join(u'\n')));
        QCOMPARE(run.variables, 7);
        QCOMPARE(run.targets.size(), 4);
        for (const TargetRun &t : run.targets) {
            QCOMPARE(t.path, RunPath::Legacy); // legacy mode: the flag does not matter
            const VariableCollection written = DtcgFormat::read(readFile(f.targetPath(t.targetId)), t.targetId);
            QCOMPARE(written.variables.size(), 7);
            QCOMPARE(written.modes, (QStringList{QStringLiteral("Light"), QStringLiteral("Dark")}));
            QCOMPARE(written.find(QStringLiteral("color/link"))->values.at(0).kind, VariableValue::Kind::Alias);
        }
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE config = 'tokens' AND path = 'legacy' AND ok = 1")), 4);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM sync_backups WHERE config = 'tokens' AND existed = 0")), 4);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM sync_targets WHERE config = 'tokens' AND state = 'ok'")), 4);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.run'")), 1);
    }

    void hybridProvesConsistencyBeforeSyncIsAllowed_data() { addEngineColumn(); }
    void hybridProvesConsistencyBeforeSyncIsAllowed()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Hybrid);
        SyncConfigStore store(*f.ws);
        try {
            store.setMode(QStringLiteral("tokens"), SyncMode::Sync, ctx());
            QFAIL("switching to sync without hybrid runs must be refused");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Conflict);
            QVERIFY2(e.message().contains(QStringLiteral("0 of the last 3")), qPrintable(e.message()));
        }
        for (int i = 0; i < 3; ++i) {
            const SyncRun run = f.run();
            QVERIFY(run.ok());
            for (const TargetRun &t : run.targets) {
                QCOMPARE(t.path, RunPath::Shadow);
                QCOMPARE(t.mismatches, 0);
            }
        }
        QCOMPARE(f.config().consistentInRow, 3);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE path = 'shadow'")), 12);
        QCOMPARE(store.setMode(QStringLiteral("tokens"), SyncMode::Sync, ctx()).mode, SyncMode::Sync);
    }

    void flagDecidesThePathPerTarget_data() { addEngineColumn(); }
    void flagDecidesThePathPerTarget()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 50, SyncMode::Hybrid, 40);
        const SyncRun run = f.run();
        int shadow = 0;
        for (const TargetRun &t : run.targets)
            shadow += t.path == RunPath::Shadow ? 1 : 0;
        // The same targets the evaluator puts on: `flag eval --keys-file` is the reference.
        QStringList keys;
        for (int i = 1; i <= 40; ++i)
            keys << QStringLiteral("t%1").arg(i);
        const QString keysFile = f.dir.filePath(QStringLiteral("keys.txt"));
        writeFile(keysFile, keys.join(u'\n').toUtf8() + '\n');
        f.ws.reset();
        const CliResult eval = runCli(loc, {QStringLiteral("flag"), QStringLiteral("eval"), QStringLiteral("sync.tokens"),
                                            QStringLiteral("--keys-file"), keysFile});
        QCOMPARE(eval.exitCode, 0);
        QCOMPARE(shadow, int(eval.out.count("\ton")));
        QVERIFY(shadow > 5 && shadow < 35);
    }

    void mismatchingRunsFallBackToLegacy_data() { addEngineColumn(); }
    void mismatchingRunsFallBackToLegacy()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Hybrid, 2);
        QVERIFY(f.run().ok());
        for (int i = 1; i <= 3; ++i) {
            // Someone edits target t1 behind SyncPilot's back: applying sync's diff to what t1
            // holds no longer gives legacy's result, and the comparison must say where.
            VariableCollection edited = DtcgFormat::read(readFile(f.targetPath(QStringLiteral("t1"))), QStringLiteral("t1"));
            edited.variables[1].values[0] = VariableValue::ofColor(Rgba{1, 0, 0, 1});
            writeFile(f.targetPath(QStringLiteral("t1")), DtcgFormat::write(edited));
            const SyncRun run = f.run();
            QCOMPARE(run.targets.at(0).mismatches, 1);
            QCOMPARE(run.targets.at(0).mismatchNames, QStringList{QStringLiteral("color/bg")});
            QCOMPARE(run.targets.at(1).mismatches, 0);
            QCOMPARE(run.fellBack, i == 3);
            // legacy's result was written regardless
            const VariableCollection now = DtcgFormat::read(readFile(f.targetPath(QStringLiteral("t1"))), QStringLiteral("t1"));
            QCOMPARE(now.find(QStringLiteral("color/bg"))->values.at(0).color.hex(), QStringLiteral("#ffffff"));
        }
        const SyncConfig c = f.config();
        QVERIFY2(c.fallbackReason.contains(QStringLiteral("3 mismatching runs")), qPrintable(c.fallbackReason));
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM sync_mismatches WHERE variable = 'color/bg' AND target_id = 't1'")), 3);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.fallback'")), 1);
        QCOMPARE(f.count(QStringLiteral("SELECT SUM(mismatches) FROM run_records WHERE path = 'shadow'")), 3);
        // The comparison keeps running after the fallback, so recovery shows.
        const SyncRun after = f.run();
        QCOMPARE(after.targets.at(0).path, RunPath::Shadow);
        QCOMPARE(after.targets.at(0).mismatches, 0);
        QCOMPARE(f.config().consistentInRow, 1);
        QVERIFY(!SyncConfigStore::refusalReason(f.config(), SyncMode::Sync).isEmpty());
    }

    void syncPathWritesOnlyTheDiff_data() { addEngineColumn(); }
    void syncPathWritesOnlyTheDiff()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Hybrid, 2);
        for (int i = 0; i < 3; ++i)
            QVERIFY(f.run().ok());
        SyncConfigStore(*f.ws).setMode(QStringLiteral("tokens"), SyncMode::Sync, ctx());
        const QByteArray before = readFile(f.targetPath(QStringLiteral("t1")));
        const QDateTime mtime = QFileInfo(f.targetPath(QStringLiteral("t1"))).lastModified();

        SyncRun run = f.run(); // source unchanged: nothing to write
        for (const TargetRun &t : run.targets) {
            QCOMPARE(t.path, RunPath::Sync);
            QVERIFY(t.unchanged);
        }
        QCOMPARE(readFile(f.targetPath(QStringLiteral("t1"))), before);
        QCOMPARE(QFileInfo(f.targetPath(QStringLiteral("t1"))).lastModified(), mtime);

        QByteArray changed = kSheet;
        changed.replace("space/md,FLOAT,16px,16px", "space/md,FLOAT,12px,16px");
        changed.append("space/lg,,24px,24px\n");
        changed.replace("feature/beta,BOOLEAN,true,false\n", "");
        writeFile(f.sheet, changed);
        run = f.run();
        QVERIFY(run.ok());
        for (const TargetRun &t : run.targets) {
            QCOMPARE(t.counts.created, 1);
            QCOMPARE(t.counts.updated, 1);
            QCOMPARE(t.counts.deleted, 1);
            QCOMPARE(t.mismatches, 0);
        }
        const VariableCollection now = DtcgFormat::read(readFile(f.targetPath(QStringLiteral("t2"))), QStringLiteral("t2"));
        QCOMPARE(now.find(QStringLiteral("space/md"))->values.at(0).display(), QStringLiteral("12px"));
        QVERIFY(now.find(QStringLiteral("space/lg")));
        QVERIFY(!now.find(QStringLiteral("feature/beta")));
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE path = 'sync' AND vars_updated = 1 AND vars_created = 1")), 2);
    }

    void dryRunChangesNothing_data() { addEngineColumn(); }
    void dryRunChangesNothing()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Legacy, 2);
        QVERIFY(f.run().ok());
        const QByteArray before = readFile(f.targetPath(QStringLiteral("t1")));
        const int records = f.count(QStringLiteral("SELECT COUNT(*) FROM run_records"));
        const int audit = f.count(QStringLiteral("SELECT COUNT(*) FROM audit_log"));
        QByteArray changed = kSheet;
        changed.replace("color/bg,,#ffffff", "color/bg,,#fafafa");
        writeFile(f.sheet, changed);
        const SyncRun dry = f.run(true);
        QVERIFY(dry.dryRun);
        QCOMPARE(dry.targets.at(0).preview.size(), 1);
        QVERIFY2(dry.targets.at(0).preview.first().contains(QStringLiteral("color/bg")), qPrintable(dry.targets.at(0).preview.first()));
        // the counts of a dry run say what the write would do
        QCOMPARE(dry.targets.at(0).counts.updated, 1);
        QCOMPARE(dry.targets.at(0).counts.created, 0);
        QCOMPARE(dry.targets.at(0).counts.deleted, 0);
        QCOMPARE(readFile(f.targetPath(QStringLiteral("t1"))), before);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records")), records);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM audit_log")), audit);

        f.ws.reset();
        const CliResult cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("tokens"), QStringLiteral("--dry-run")});
        QCOMPARE(cli.exitCode, 0);
        QVERIFY2(cli.text().contains(QStringLiteral("color/bg")) && cli.text().contains(QStringLiteral("#fafafa")), cli.out.constData());
        QCOMPARE(readFile(f.targetPath(QStringLiteral("t1"))), before);
    }

    void mappingErrorWritesNothing_data() { addEngineColumn(); }
    void mappingErrorWritesNothing()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Hybrid, 2);
        QVERIFY(f.run().ok());
        const QByteArray before = readFile(f.targetPath(QStringLiteral("t1")));
        QByteArray bad = kSheet;
        bad.replace("#1e1e2e", "#12345");
        writeFile(f.sheet, bad);
        // the preview reads and maps like a run and names the cell by row and column
        const SourcePreview preview = SyncEngine(*f.ws).preview(f.config());
        QCOMPARE(preview.table.rows.size(), 8);
        QCOMPARE(preview.mapping.problems.size(), 1);
        QCOMPARE(preview.mapping.problems.first().cell, QStringLiteral("tokens!D3"));
        QCOMPARE(preview.mapping.problems.first().row, 2);
        QCOMPARE(preview.mapping.problems.first().column, 3);
        QCOMPARE(preview.table.cell(2, 3), QStringLiteral("#12345"));
        f.ws.reset();
        const CliResult cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("tokens")});
        QCOMPARE(cli.exitCode, 3);
        QVERIFY2(cli.err.contains("tokens!D3"), cli.err.constData());
        QCOMPARE(readFile(f.targetPath(QStringLiteral("t1"))), before);
        f.ws = Workspace::open(loc);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE ok = 0 AND error_class = 'mapping'")), 2);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM sync_targets WHERE state = 'failed'")), 2);
    }

    void undoRestoresThePreviousContent_data() { addEngineColumn(); }
    void undoRestoresThePreviousContent()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 0, SyncMode::Legacy, 1);
        const QString path = f.targetPath(QStringLiteral("t1"));
        QDir().mkpath(QFileInfo(path).absolutePath());
        const QByteArray hand = "{\n  \"hand\": {\"$type\": \"number\", \"$value\": 1}\n}\n";
        writeFile(path, hand);
        QVERIFY(f.run().ok());
        const QByteArray synced = readFile(path);
        QVERIFY(synced != hand);
        f.ws.reset();
        CliResult cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("undo"), QStringLiteral("tokens"), QStringLiteral("t1")});
        QCOMPARE(cli.exitCode, 0);
        QCOMPARE(readFile(path), hand);
        cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("undo"), QStringLiteral("tokens"), QStringLiteral("t1")});
        QCOMPARE(cli.exitCode, 0);
        QCOMPARE(readFile(path), synced); // undo of the undo
        cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("undo"), QStringLiteral("tokens"), QStringLiteral("nope")});
        QCOMPARE(cli.exitCode, 3);
        f.ws = Workspace::open(loc);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.undo'")), 2);
    }

    void rehearsalInjectsFailuresAndSaysSo_data() { addEngineColumn(); }
    void rehearsalInjectsFailuresAndSaysSo()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 100, SyncMode::Hybrid, 2);
        RehearsalSettings r;
        r.enabled = true;
        r.targets = {QStringLiteral("t1")};
        r.errorRate = 1;
        r.http429Rate = 1;
        SyncConfigStore(*f.ws).setRehearsal(QStringLiteral("tokens"), r, ctx());
        f.ws.reset();
        const CliResult cli = runCli(loc, {QStringLiteral("sync"), QStringLiteral("run"), QStringLiteral("tokens")});
        QCOMPARE(cli.exitCode, 1);
        QVERIFY2(cli.out.contains("REHEARSAL"), cli.out.constData());
        QVERIFY2(cli.out.contains("http_5xx"), cli.out.constData());
        f.ws = Workspace::open(loc);
        // t1's sync path failed on purpose; legacy was still written for it
        QVERIFY(QFileInfo::exists(f.targetPath(QStringLiteral("t1"))));
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE target = 't1' AND ok = 0 AND error_class = 'http_5xx'"
                                        " AND rehearsal = 1 AND http429 = 1")),
                 1);
        QCOMPARE(f.count(QStringLiteral("SELECT COUNT(*) FROM run_records WHERE target = 't2' AND ok = 1 AND rehearsal = 1")), 1);
        bool said = false;
        for (const AuditEntry &e : AuditLog(*f.ws).list())
            said = said || (e.action == QLatin1String("sync.run") && e.reason.contains(QStringLiteral("REHEARSAL")));
        QVERIFY(said);
        const RunRecordStore records(*f.ws);
        const WindowStats shadow = records.window(QStringLiteral("sync.tokens"), RunPath::Shadow, QDateTime::currentDateTimeUtc().addSecs(-600),
                                                  QDateTime::currentDateTimeUtc().addSecs(60));
        QCOMPARE(shadow.errors, 1);
    }

    // The rehearsal an operator runs to practise: failures injected into the sync path trip the
    // rollout's error-rate guardrail, the controller rolls the flag back (off for every target),
    // and the next run writes every target on the legacy path without a failure.
    void rehearsalTripsTheGuardrailAndRollsBack_data() { addEngineColumn(); }
    void rehearsalTripsTheGuardrailAndRollsBack()
    {
        Fixture f;
        SP_FRESH_WORKSPACE(loc, f.dir);
        f.setUp(loc, 0, SyncMode::Hybrid, 20);
        RolloutStore(*f.ws).start(QStringLiteral("sync.tokens"), RolloutPlan::parse(QStringLiteral("50:1h,100")), QString(), ctx());
        RehearsalSettings r;
        r.enabled = true;
        r.errorRate = 1;
        SyncConfigStore(*f.ws).setRehearsal(QStringLiteral("tokens"), r, ctx());
        int syncRuns = 0;
        while (syncRuns < 20) {
            const SyncRun run = f.run();
            for (const TargetRun &t : run.targets) {
                QVERIFY(t.written); // hybrid writes legacy's result to every target…
                QCOMPARE(t.ok, t.path == RunPath::Legacy); // …and every sync half fails
                syncRuns += t.path == RunPath::Shadow ? 1 : 0;
            }
        }
        const QList<LedgerEntry> decisions = Controller(*f.ws).tick();
        bool rolledBack = false;
        for (const LedgerEntry &e : decisions)
            rolledBack = rolledBack || e.kind == QLatin1String("rollback");
        QVERIFY2(rolledBack, "the error-rate guardrail did not roll the flag back");
        QCOMPARE(FlagStore(*f.ws).get(QStringLiteral("sync.tokens")).percentTenths, 0); // every target back on legacy
        const SyncRun after = f.run();
        QVERIFY(after.ok());
        for (const TargetRun &t : after.targets)
            QCOMPARE(t.path, RunPath::Legacy);
    }

    void agentRunsWhenTheCsvChanges()
    {
        Fixture f;
        f.setUp(f.dir.filePath(QStringLiteral("ws.sqlite")), 0, SyncMode::Legacy, 1);
        SyncConfigStore(*f.ws).setSchedule(QStringLiteral("tokens"), 3600, std::nullopt, ctx());
        f.ws.reset();
        QProcess agent;
        agent.start(cliPath(), {QStringLiteral("--workspace"), f.location, QStringLiteral("agent"), QStringLiteral("--interval"), QStringLiteral("1h")});
        QVERIFY(agent.waitForStarted());
        const QString target = f.targetPath(QStringLiteral("t1"));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(target), 20000); // the first tick runs the config
        const QByteArray first = readFile(target);
        QByteArray changed = kSheet;
        changed.replace("color/bg,,#ffffff", "color/bg,,#abcdef");
        writeFile(f.sheet, changed); // the interval is an hour: only the file watch can run it now
        QTRY_VERIFY_WITH_TIMEOUT(readFile(target).contains("#abcdef"), 20000);
        QVERIFY(first != readFile(target));
        agent.terminate();
        QVERIFY(agent.waitForFinished(20000));
        QCOMPARE(agent.exitCode(), 0);
    }

    void configCommands_data() { addEngineColumn(); }
    void configCommands()
    {
        QTemporaryDir dir;
        SP_FRESH_WORKSPACE(loc, dir);
        QCOMPARE(runCli(loc, {QStringLiteral("init")}).exitCode, 0);
        QCOMPARE(runCli(loc, {QStringLiteral("flag"), QStringLiteral("create"), QStringLiteral("sync.x")}).exitCode, 0);
        const QString sheet = dir.filePath(QStringLiteral("s.csv"));
        writeFile(sheet, kSheet);
        CliResult r = runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("cfg"),
                                   QStringLiteral("--flag"), QStringLiteral("sync.x"), QStringLiteral("--source"), QStringLiteral("csv:") + sheet,
                                   QStringLiteral("--mode"), QStringLiteral("hybrid"), QStringLiteral("--target"),
                                   QStringLiteral("a=dtcg:") + dir.filePath(QStringLiteral("a.json"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        r = runCli(loc, {QStringLiteral("--json"), QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("cfg")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject shown = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(shown.value(QStringLiteral("mode")).toString(), QStringLiteral("hybrid"));
        QCOMPARE(shown.value(QStringLiteral("targets")).toArray().size(), 1);
        // a config whose flag does not exist, a bad source, a taken name: refused with exit codes
        QCOMPARE(runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("c2"), QStringLiteral("--flag"),
                              QStringLiteral("nope"), QStringLiteral("--source"), QStringLiteral("csv:") + sheet})
                     .exitCode,
                 3);
        QCOMPARE(runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("c3"), QStringLiteral("--flag"),
                              QStringLiteral("sync.x"), QStringLiteral("--source"), QStringLiteral("ftp:x")})
                     .exitCode,
                 3);
        QCOMPARE(runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("cfg"), QStringLiteral("--flag"),
                              QStringLiteral("sync.x"), QStringLiteral("--source"), QStringLiteral("csv:") + sheet})
                     .exitCode,
                 4);
        r = runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("cfg"), QStringLiteral("--mode"),
                         QStringLiteral("sync")});
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(r.err.contains("consistent"), r.err.constData());
        r = runCli(loc, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("list")});
        QVERIFY(r.out.contains("cfg"));
    }
};

QTEST_GUILESS_MAIN(TestSyncEngine)
#include "tst_sync_engine.moc"
