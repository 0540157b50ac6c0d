// FlagHealthSummary (the Overview's health per flag) on both engines: which flags are listed, and
// green / amber / red with the reason in the guardrail's words.
#include "TestSupport.h"

#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/FlagHealth.h"
#include "rollout/Guardrail.h"
#include "rollout/RollbackService.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "workspace/Workspace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sp;

namespace {

ChangeContext ctx() { return ChangeContext::local(QStringLiteral("test"), QStringLiteral("seeding")); }

void createFlag(Workspace &ws, const QString &key)
{
    FlagDraft f;
    f.key = key;
    f.tags = {QStringLiteral("sync")};
    f.enabled = true;
    FlagStore(ws).create(f, ctx());
}

void ingestRuns(Workspace &ws, const QString &flag, int n, int errors, const QDateTime &now)
{
    QList<RunRecord> records;
    for (int i = 0; i < n; ++i) {
        RunRecord r;
        r.flagKey = flag;
        r.target = QStringLiteral("t%1").arg(i);
        r.path = RunPath::Sync;
        r.startedAt = now.addSecs(-120).addMSecs(i * 100);
        r.durationMs = 150;
        r.ok = i >= errors;
        if (!r.ok)
            r.errorClass = QStringLiteral("http_5xx");
        records << r;
    }
    RunRecordStore(ws).ingest(records);
}

const FlagHealth *find(const QList<FlagHealth> &all, const QString &key)
{
    for (const FlagHealth &h : all)
        if (h.flagKey == key)
            return &h;
    return nullptr;
}

} // namespace

class TstFlagHealth : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void levelsAndReasons_data() { test::addEngineColumn(); }
    void levelsAndReasons()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const char *key : {"red", "green", "amber", "starting", "rolled", "quiet"})
            createFlag(*ws, QString::fromLatin1(key));
        ingestRuns(*ws, QStringLiteral("red"), 40, 20, now);   // 50 % > 10 %: rollback guardrail
        ingestRuns(*ws, QStringLiteral("green"), 40, 0, now);
        ingestRuns(*ws, QStringLiteral("amber"), 40, 4, now);  // 10 %: not above 10 %, above the 5 % warning
        GuardrailStore(*ws).set(QStringLiteral("amber"),
                                Guardrail::parse(QStringLiteral("early_warning"), QStringLiteral("error_rate > 5% window=15m min=10 action=warn")),
                                ctx());
        RolloutStore(*ws).start(QStringLiteral("starting"), RolloutPlan::parse(QStringLiteral("5:24h,100")), QString(), ctx());
        RolloutStore(*ws).start(QStringLiteral("rolled"), RolloutPlan::parse(QStringLiteral("5:24h,100")), QString(), ctx());
        RollbackService(*ws).selective(QStringLiteral("rolled"), ctx());

        const QList<FlagHealth> all = FlagHealthSummary(*ws).all(QDateTime::currentDateTimeUtc());
        QStringList keys;
        for (const FlagHealth &h : all)
            keys << h.flagKey;
        QCOMPARE(keys, (QStringList{QStringLiteral("amber"), QStringLiteral("green"), QStringLiteral("red"), QStringLiteral("rolled"),
                                    QStringLiteral("starting")})); // "quiet": no runs, rollout or config

        const FlagHealth *red = find(all, QStringLiteral("red"));
        QCOMPARE(red->level, FlagHealth::Level::Critical);
        QCOMPARE(red->guardrail, QStringLiteral("error-rate"));
        QVERIFY2(red->reason.contains(QStringLiteral("error rate")) && red->reason.contains(QStringLiteral("50")), qPrintable(red->reason));

        const FlagHealth *green = find(all, QStringLiteral("green"));
        QCOMPARE(green->level, FlagHealth::Level::Healthy);
        QVERIFY(!green->reason.isEmpty());

        const FlagHealth *amber = find(all, QStringLiteral("amber"));
        QCOMPARE(amber->level, FlagHealth::Level::Warning);
        QCOMPARE(amber->guardrail, QStringLiteral("early_warning"));
        QVERIFY2(amber->reason.contains(QStringLiteral("error rate")), qPrintable(amber->reason));

        // A running rollout without runs: amber, naming what lacks data.
        const FlagHealth *starting = find(all, QStringLiteral("starting"));
        QCOMPARE(starting->level, FlagHealth::Level::Warning);
        QVERIFY(starting->rolloutRunning);
        QVERIFY2(starting->reason.contains(QStringLiteral("not enough")), qPrintable(starting->reason));

        const FlagHealth *rolled = find(all, QStringLiteral("rolled"));
        QCOMPARE(rolled->level, FlagHealth::Level::Critical);
        QVERIFY2(rolled->reason.startsWith(QStringLiteral("Rolled back")), qPrintable(rolled->reason));

        // Without a rollout and without enough runs: no data, not green.
        QCOMPARE(FlagHealthSummary(*ws).of(QStringLiteral("quiet"), now).level, FlagHealth::Level::NoData);
    }
};

QTEST_GUILESS_MAIN(TstFlagHealth)
#include "tst_flag_health.moc"
