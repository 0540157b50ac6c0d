// The rollout controller on a fake clock: plans advance at exactly the right times, guardrails
// act (and only) when they should, and every decision lands in the ledger with its evidence.
#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Backtest.h"
#include "rollout/Controller.h"
#include "rollout/RollbackService.h"
#include "rollout/Guardrail.h"
#include "rollout/Rollout.h"
#include "workspace/Workspace.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

using namespace sp;

namespace {

const QDateTime T0(QDate(2026, 3, 2), QTime(8, 0), QTimeZone::utc());

RunRecord run(const QString &flag, RunPath path, const QDateTime &at, qint64 ms = 200, bool ok = true, bool critical = false)
{
    RunRecord r;
    r.flagKey = flag;
    r.config = QStringLiteral("sheet-to-tokens");
    r.target = QStringLiteral("target-1");
    r.path = path;
    r.startedAt = at;
    r.durationMs = ms;
    r.ok = ok;
    r.errorClass = ok ? QString() : QStringLiteral("http_5xx");
    r.critical = critical;
    r.rowsRead = 100;
    return r;
}

// perMinute healthy runs per cohort (sync and legacy) in [from, to)
QList<RunRecord> healthy(const QString &flag, const QDateTime &from, const QDateTime &to, int perMinute = 3)
{
    QList<RunRecord> out;
    for (QDateTime t = from; t < to; t = t.addSecs(60))
        for (int i = 0; i < perMinute; ++i) {
            out << run(flag, RunPath::Sync, t.addSecs(i * 60 / perMinute), 200 + i);
            out << run(flag, RunPath::Legacy, t.addSecs(i * 60 / perMinute), 210 + i);
        }
    return out;
}

struct Fixture
{
    ManualClock clock{T0};
    std::unique_ptr<Workspace> ws;

    explicit Fixture(const QString &location)
    {
        Clock::install(&clock);
        ws = Workspace::open(location);
        FlagDraft d;
        d.key = QStringLiteral("sync.sheets");
        d.tags = {QStringLiteral("sync")};
        FlagStore(*ws).create(d, ChangeContext::local(QStringLiteral("test")));
    }
    ~Fixture() { Clock::install(nullptr); }

    QList<LedgerEntry> tickAt(const QDateTime &t)
    {
        clock.set(t);
        return Controller(*ws, clock).tick();
    }
    Rollout rollout() { return *RolloutStore(*ws, clock).latest(QStringLiteral("sync.sheets")); }
    Flag flag() { return FlagStore(*ws).get(QStringLiteral("sync.sheets")); }
};

} // namespace

class TstController : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void canaryAdvancesOnTime_data() { test::addEngineColumn(); }
    void canaryAdvancesOnTime()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        RunRecordStore(*f.ws).ingest(healthy(QStringLiteral("sync.sheets"), T0.addSecs(-3600), T0.addSecs(145 * 3600), 2));
        RolloutStore(*f.ws, f.clock).start(QStringLiteral("sync.sheets"), RolloutPlan::fromTemplate(QStringLiteral("canary")),
                                           QStringLiteral("canary"), ChangeContext::local(QStringLiteral("test")));
        QCOMPARE(f.flag().percentTenths, 50);
        QVERIFY(f.flag().enabled);

        // tick every 10 minutes for 145 hours; the phase must change exactly at 24 h, 72 h, 144 h
        const auto expectedTenths = [](qint64 minutes) {
            if (minutes < 24 * 60) return 50;
            if (minutes < 72 * 60) return 250;
            if (minutes < 144 * 60) return 500;
            return 1000;
        };
        QList<QDateTime> advances;
        for (qint64 m = 10; m <= 145 * 60; m += 10) {
            const QDateTime t = T0.addSecs(m * 60);
            for (const LedgerEntry &e : f.tickAt(t)) {
                QVERIFY2(e.kind == QLatin1String("advance") || e.kind == QLatin1String("complete"), qPrintable(e.summary));
                QVERIFY(e.automatic);
                if (e.kind == QLatin1String("advance"))
                    advances << e.at;
            }
            QCOMPARE(f.flag().percentTenths, expectedTenths(m));
        }
        QCOMPARE(advances, (QList<QDateTime>{T0.addSecs(24 * 3600), T0.addSecs(72 * 3600), T0.addSecs(144 * 3600)}));
        QCOMPARE(f.rollout().state, RolloutState::Completed);
        // the evidence behind an automatic advance: every guardrail, healthy, with its samples
        const QList<LedgerEntry> ledger = DecisionLedger(*f.ws).list(QStringLiteral("sync.sheets"));
        const LedgerEntry first = *std::find_if(ledger.begin(), ledger.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("advance"); });
        QVERIFY2(first.summary.contains(QStringLiteral("from 5 % to 25 %")), qPrintable(first.summary));
        const QJsonArray guardrails = first.evidence.value(QStringLiteral("guardrails")).toArray();
        QCOMPARE(guardrails.size(), 4);
        for (const auto &g : guardrails) {
            QCOMPARE(g.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
            QVERIFY(g.toObject().value(QStringLiteral("samples")).toInt() >= 1);
        }
        QVERIFY(AuditLog(*f.ws).verify().ok);
    }

    void criticalErrorBurst_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QList<int>>("errorMinutes"); // minutes after the burst start
        QTest::addColumn<int>("rollbackAfter");       // index of the error after which it rolls back, -1: never
        for (const char *e : {"sqlite", "postgresql"}) {
            QTest::addRow("%s: 3 within 5 minutes", e) << QString::fromLatin1(e) << QList<int>{0, 1, 2} << 2;
            QTest::addRow("%s: 3 within 4 minutes", e) << QString::fromLatin1(e) << QList<int>{0, 2, 4} << 2;
            QTest::addRow("%s: only 2", e) << QString::fromLatin1(e) << QList<int>{0, 1} << -1;
            QTest::addRow("%s: 3 spread over 6 minutes", e) << QString::fromLatin1(e) << QList<int>{0, 3, 6} << -1;
        }
    }
    void criticalErrorBurst()
    {
        QFETCH(QList<int>, errorMinutes);
        QFETCH(int, rollbackAfter);
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        const QDateTime burst = T0.addSecs(3600);
        RunRecordStore(*f.ws).ingest(healthy(QStringLiteral("sync.sheets"), T0.addSecs(-3600), T0.addSecs(3 * 3600), 10));
        RolloutStore(*f.ws, f.clock).start(QStringLiteral("sync.sheets"), RolloutPlan::parse(QStringLiteral("25:24h,100")), {},
                                           ChangeContext::local(QStringLiteral("test")));
        for (int i = 0; i < errorMinutes.size(); ++i) {
            // the error happens, then the controller ticks 10 s later
            const QDateTime at = burst.addSecs(errorMinutes[i] * 60);
            RunRecordStore(*f.ws).ingest({run(QStringLiteral("sync.sheets"), RunPath::Sync, at, 900, false, true)});
            const QList<LedgerEntry> decisions = f.tickAt(at.addSecs(10));
            const bool rolledBack = std::any_of(decisions.begin(), decisions.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("rollback"); });
            QCOMPARE(rolledBack, i == rollbackAfter);
            if (rolledBack) {
                QCOMPARE(f.rollout().state, RolloutState::RolledBack);
                QVERIFY(!f.flag().enabled);
                const LedgerEntry e = *std::find_if(decisions.begin(), decisions.end(), [](const LedgerEntry &d) { return d.kind == QLatin1String("rollback"); });
                QVERIFY2(e.summary.contains(QStringLiteral("on the 3rd critical error within 5 minutes; 3 so far")), qPrintable(e.summary));
                QCOMPARE(e.evidence.value(QStringLiteral("trippedBy")).toString(), QStringLiteral("critical-errors"));
                return;
            }
            QCOMPARE(f.rollout().state, RolloutState::Running);
            QVERIFY(f.flag().enabled);
        }
        QVERIFY(rollbackAfter < 0);
        // the words for where it stands
        const Guardrail g = Guardrail::parse(QStringLiteral("critical-errors"), QStringLiteral("critical >= 3 window=5m action=rollback"));
        RunRecordStore store(*f.ws);
        const StoreWindowSource source(store);
        const GuardrailResult r = GuardrailEvaluator(source).evaluate(g, QStringLiteral("sync.sheets"), f.clock.now());
        QVERIFY(GuardrailEvaluator::describe(g, r).startsWith(QStringLiteral("Rolls back on the 3rd critical error within 5 minutes; ")));
    }

    // An operator's Restore after a rollback means "go on": the runs that caused the rollback are
    // no longer evidence (otherwise the next tick would roll the restored rollout back at once),
    // while new failures after the restore are judged as always.
    void restoreIsJudgedOnFreshRuns_data() { test::addEngineColumn(); }
    void restoreIsJudgedOnFreshRuns()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        const QString key = QStringLiteral("sync.sheets");
        RunRecordStore(*f.ws).ingest(healthy(key, T0.addSecs(-3600), T0.addSecs(3 * 3600), 10));
        RolloutStore(*f.ws, f.clock).start(key, RolloutPlan::parse(QStringLiteral("25:24h,100")), {}, ChangeContext::local(QStringLiteral("test")));
        const QDateTime burst = T0.addSecs(3600);
        for (int i = 0; i < 3; ++i)
            RunRecordStore(*f.ws).ingest({run(key, RunPath::Sync, burst.addSecs(i * 20), 900, false, true)});
        const QList<LedgerEntry> first = f.tickAt(burst.addSecs(70));
        QVERIFY(std::any_of(first.begin(), first.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("rollback"); }));
        QCOMPARE(f.rollout().state, RolloutState::RolledBack);

        f.clock.set(burst.addSecs(90));
        RollbackService(*f.ws).restore(0, ChangeContext::local(QStringLiteral("gui"), QStringLiteral("cause fixed")));
        QCOMPARE(f.rollout().state, RolloutState::Running);
        // Still within the 5-minute window of the three critical errors: not evidence any more.
        const QList<LedgerEntry> afterRestore = f.tickAt(burst.addSecs(100));
        QVERIFY(std::none_of(afterRestore.begin(), afterRestore.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("rollback"); }));
        QCOMPARE(f.rollout().state, RolloutState::Running);
        QVERIFY(f.flag().enabled);
        const GuardrailHistory history = GuardrailStore(*f.ws).history(f.rollout().id);
        QCOMPARE(history.notBefore, burst.addSecs(90));

        // New critical errors after the restore trip it again.
        for (int i = 0; i < 3; ++i)
            RunRecordStore(*f.ws).ingest({run(key, RunPath::Sync, burst.addSecs(110 + i * 10), 900, false, true)});
        const QList<LedgerEntry> again = f.tickAt(burst.addSecs(150));
        QVERIFY(std::any_of(again.begin(), again.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("rollback"); }));
        QCOMPARE(f.rollout().state, RolloutState::RolledBack);
    }

    void tooFewSamplesHolds_data() { test::addEngineColumn(); }
    void tooFewSamplesHolds()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        // sync runs only: the p95-vs-legacy guardrail has no legacy cohort to compare with
        QList<RunRecord> syncOnly;
        for (QDateTime t = T0.addSecs(-600); t < T0.addSecs(2 * 3600); t = t.addSecs(20))
            syncOnly << run(QStringLiteral("sync.sheets"), RunPath::Sync, t);
        RunRecordStore(*f.ws).ingest(syncOnly);
        RolloutStore(*f.ws, f.clock).start(QStringLiteral("sync.sheets"), RolloutPlan::parse(QStringLiteral("5:1h,100")), {},
                                           ChangeContext::local(QStringLiteral("test")));
        f.tickAt(T0.addSecs(3600));
        f.tickAt(T0.addSecs(3660));
        QCOMPARE(f.rollout().phaseIndex, 0);
        QCOMPARE(f.flag().percentTenths, 50);
        const QList<LedgerEntry> holds = [&] {
            QList<LedgerEntry> out;
            for (const LedgerEntry &e : DecisionLedger(*f.ws).list(QStringLiteral("sync.sheets")))
                if (e.kind == QLatin1String("hold"))
                    out << e;
            return out;
        }();
        QCOMPARE(holds.size(), 1); // recorded once, not on every tick
        QVERIFY2(holds.first().summary.contains(QStringLiteral("not enough runs yet")), qPrintable(holds.first().summary));
        // legacy runs arrive: the next tick advances (and completes at 100 %)
        QList<RunRecord> legacy;
        for (QDateTime t = T0.addSecs(3000); t < T0.addSecs(3720); t = t.addSecs(20))
            legacy << run(QStringLiteral("sync.sheets"), RunPath::Legacy, t);
        RunRecordStore(*f.ws).ingest(legacy);
        f.tickAt(T0.addSecs(3720));
        QCOMPARE(f.rollout().state, RolloutState::Completed);
        QCOMPARE(f.flag().percentTenths, 1000);
    }

    void pauseAndKillActions_data() { test::addEngineColumn(); }
    void pauseAndKillActions()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"));
        FlagDraft other;
        other.key = QStringLiteral("sync.figma");
        other.tags = {QStringLiteral("sync")};
        other.enabled = true;
        other.percentTenths = 1000;
        FlagStore(*f.ws).create(other, ctx);
        GuardrailStore(*f.ws).set(QStringLiteral("sync.sheets"),
                                  Guardrail::parse(QStringLiteral("throttled"), QStringLiteral("rate_429 > 50% window=5m min=5 action=pause")), ctx);
        RunRecordStore(*f.ws).ingest(healthy(QStringLiteral("sync.sheets"), T0.addSecs(-3600), T0.addSecs(600), 10));
        RolloutStore(*f.ws, f.clock).start(QStringLiteral("sync.sheets"), RolloutPlan::parse(QStringLiteral("10:1h,100")), {}, ctx);
        QVERIFY(f.tickAt(T0.addSecs(60)).isEmpty());

        QList<RunRecord> throttled;
        for (int i = 0; i < 10; ++i) {
            RunRecord r = run(QStringLiteral("sync.sheets"), RunPath::Sync, T0.addSecs(120 + i));
            r.http429 = 5;
            throttled << r;
        }
        RunRecordStore(*f.ws).ingest(throttled);
        const QList<LedgerEntry> paused = f.tickAt(T0.addSecs(180));
        QCOMPARE(paused.size(), 1);
        QCOMPARE(paused.first().kind, QStringLiteral("pause"));
        QCOMPARE(f.rollout().state, RolloutState::Paused);
        QVERIFY(f.flag().enabled); // pausing keeps the flag where it is
        QCOMPARE(f.flag().percentTenths, 100);
        // a paused rollout does not advance, even after its hold time
        f.tickAt(T0.addSecs(2 * 3600));
        QCOMPARE(f.rollout().phaseIndex, 0);

        // kill: one flag's guardrail rolls back every sync flag
        RolloutStore(*f.ws, f.clock).abort(QStringLiteral("sync.sheets"), ctx);
        RolloutStore(*f.ws, f.clock).start(QStringLiteral("sync.sheets"), RolloutPlan::parse(QStringLiteral("10:1h,100")), {}, ctx);
        GuardrailStore(*f.ws).set(QStringLiteral("sync.sheets"),
                                  Guardrail::parse(QStringLiteral("any-critical"), QStringLiteral("critical >= 1 window=5m action=kill")), ctx);
        RunRecordStore(*f.ws).ingest({run(QStringLiteral("sync.sheets"), RunPath::Sync, T0.addSecs(2 * 3600 + 5), 100, false, true)});
        const QList<LedgerEntry> killed = f.tickAt(T0.addSecs(2 * 3600 + 10));
        QVERIFY(std::any_of(killed.begin(), killed.end(), [](const LedgerEntry &e) { return e.kind == QLatin1String("kill"); }));
        QVERIFY(!f.flag().enabled);
        QVERIFY(!FlagStore(*f.ws).get(QStringLiteral("sync.figma")).enabled);
        QCOMPARE(f.rollout().state, RolloutState::RolledBack);
    }

    void backtestReplaysRecords_data() { test::addEngineColumn(); }
    void backtestReplaysRecords()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture f(location);
        QList<RunRecord> records = healthy(QStringLiteral("sync.sheets"), T0, T0.addSecs(30 * 3600), 3);
        // a burst of critical errors at 26 h
        for (int i = 0; i < 3; ++i)
            records << run(QStringLiteral("sync.sheets"), RunPath::Sync, T0.addSecs(26 * 3600 + i * 30), 500, false, true);
        RunRecordStore(*f.ws).ingest(records);
        const BacktestReport report = Backtest::run(QStringLiteral("sync.sheets"),
                                                    RunRecordStore(*f.ws).records(QStringLiteral("sync.sheets"), T0.addSecs(-900), T0.addSecs(30 * 3600)),
                                                    RolloutPlan::fromTemplate(QStringLiteral("canary")), Guardrail::defaults(), T0,
                                                    T0.addSecs(30 * 3600));
        QCOMPARE(report.finalState, QStringLiteral("rolled_back"));
        QCOMPARE(report.events.size(), 2);
        QCOMPARE(report.events[0].kind, QStringLiteral("advance"));
        QCOMPARE(report.events[0].at, T0.addSecs(24 * 3600));
        QCOMPARE(report.events[1].kind, QStringLiteral("rollback"));
        QVERIFY(report.events[1].at >= T0.addSecs(26 * 3600 + 60) && report.events[1].at <= T0.addSecs(26 * 3600 + 120));
        // nothing was written
        QVERIFY(!RolloutStore(*f.ws, f.clock).latest(QStringLiteral("sync.sheets")));

        // the CLI prints the same
        const auto r = test::runCli(location, {"--json", "rollout", "backtest", "sync.sheets", "--template", "canary", "--from",
                                               T0.toString(Qt::ISODate), "--to", T0.addSecs(30 * 3600).toString(Qt::ISODate)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY2(r.text().contains(QStringLiteral("\"finalState\": \"rolled_back\"")), qPrintable(r.text()));
    }
};

QTEST_GUILESS_MAIN(TstController)
#include "tst_controller.moc"
