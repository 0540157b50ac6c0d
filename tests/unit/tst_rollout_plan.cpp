#include "common/Error.h"
#include "rollout/Guardrail.h"
#include "rollout/RolloutPlan.h"

#include <QTest>

using namespace sp;

class TstRolloutPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesPlans()
    {
        const RolloutPlan p = RolloutPlan::parse(QStringLiteral("5:24h, 25:48h,50:72h,100"));
        QCOMPARE(p.phases.size(), 4);
        QCOMPARE(p.phases[0].percentTenths, 50);
        QCOMPARE(p.phases[0].holdSeconds, 24 * 3600);
        QCOMPARE(p.phases[2].holdSeconds, 72 * 3600);
        QCOMPARE(p.phases[3].percentTenths, 1000);
        QCOMPARE(p.phases[3].holdSeconds, 0);
        QCOMPARE(p.toText(), QStringLiteral("5:24h,25:48h,50:72h,100"));
        QCOMPARE(RolloutPlan::fromJson(p.toJson()).toText(), p.toText());

        const RolloutPlan daily = RolloutPlan::fromTemplate(QStringLiteral("daily"));
        QCOMPARE(daily.phases.first().segment, QStringLiteral("dev-team"));
        QCOMPARE(daily.toText(), QStringLiteral("segment=dev-team:24h,10:24h,25:24h,50:24h,100"));
        QCOMPARE(RolloutPlan::fromTemplate(QStringLiteral("ladder")).phases.size(), 6);
        QCOMPARE(RolloutPlan::fromTemplate(QStringLiteral("canary")).totalHoldSeconds(), 144 * 3600);
        QCOMPARE(RolloutPlan::parse(QStringLiteral("0.1:90m,100")).phases[0].holdSeconds, 5400);
    }

    void rejectsBadPlans_data()
    {
        QTest::addColumn<QString>("plan");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("no hold") << "5,100" << "needs a hold time";
        QTest::newRow("falling") << "50:1h,25:1h,100" << "must rise";
        QTest::newRow("over 100") << "5:1h,101" << "\"101\"";
        QTest::newRow("bad duration") << "5:1week,100" << "\"1week\"";
        QTest::newRow("zero hold") << "5:0h,100" << "longer than zero";
        QTest::newRow("bad segment") << "segment=Dev Team:1h,100" << "Invalid segment name";
        QTest::newRow("empty phase") << "5:1h,,100" << "phase 2 is empty";
        QTest::newRow("unknown template") << "@nightly" << "Unknown template";
    }
    void rejectsBadPlans()
    {
        QFETCH(QString, plan);
        QFETCH(QString, message);
        try {
            if (plan.startsWith(QLatin1Char('@')))
                RolloutPlan::fromTemplate(plan.mid(1));
            else
                RolloutPlan::parse(plan);
            QFAIL("accepted");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(e.message().contains(message), qPrintable(e.message()));
        }
    }

    void guardrailSpecsRoundTrip()
    {
        for (const Guardrail &g : Guardrail::defaults()) {
            const Guardrail again = Guardrail::parse(g.name, g.toSpec());
            QCOMPARE(again.toSpec(), g.toSpec());
        }
        const Guardrail p95 = Guardrail::defaults().at(3);
        QVERIFY(p95.relativeToLegacy);
        QCOMPARE(p95.threshold, 1.15);
        QCOMPARE(p95.windowSeconds, 600);
        QCOMPARE(p95.action, GuardrailAction::Pause);
        const Guardrail errorRate = Guardrail::defaults().at(0);
        QCOMPARE(errorRate.threshold, 0.10);
        QCOMPARE(errorRate.minSamples, 20);
        QCOMPARE(errorRate.action, GuardrailAction::Rollback);
    }

    void guardrailWords()
    {
        const QList<Guardrail> d = Guardrail::defaults();
        QCOMPARE(GuardrailEvaluator::describeRule(d[1]), QStringLiteral("Rolls back on the 3rd critical error within 5 minutes"));
        QCOMPARE(GuardrailEvaluator::describeRule(d[2]), QStringLiteral("Rolls back on the 1st data inconsistency within 1 minute"));
        QCOMPARE(GuardrailEvaluator::describeRule(d[0]),
                 QStringLiteral("Rolls back when the error rate over 15 minutes is above 10 % (at least 20 runs)"));
        QCOMPARE(GuardrailEvaluator::describeRule(d[3]),
                 QStringLiteral("Pauses when p95 latency over 10 minutes is above 115 % of legacy (at least 20 runs in each cohort)"));
        GuardrailResult r;
        r.status = GuardrailResult::Status::Healthy;
        r.samples = 40;
        r.value = 1;
        QCOMPARE(GuardrailEvaluator::describe(d[1], r), QStringLiteral("Rolls back on the 3rd critical error within 5 minutes; 1 so far."));
        r.status = GuardrailResult::Status::InsufficientData;
        r.samples = 12;
        QCOMPARE(GuardrailEvaluator::describe(d[0], r),
                 QStringLiteral("Rolls back when the error rate over 15 minutes is above 10 % (at least 20 runs); not enough runs yet (12 of 20)."));
        QCOMPARE(GuardrailEvaluator::ordinal(11), QStringLiteral("11th"));
        QCOMPARE(GuardrailEvaluator::ordinal(22), QStringLiteral("22nd"));
        // "> 2" acts on the 3rd, ">= 2" on the 2nd
        QVERIFY(GuardrailEvaluator::describeRule(Guardrail::parse(QStringLiteral("x"), QStringLiteral("critical > 2 window=5m"))).contains(QStringLiteral("3rd")));
        QVERIFY(GuardrailEvaluator::describeRule(Guardrail::parse(QStringLiteral("x"), QStringLiteral("critical >= 2 window=5m"))).contains(QStringLiteral("2nd")));
    }

    void rejectsBadGuardrails_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::newRow("metric") << "latency > 5";
        QTest::newRow("comparison") << "error_rate < 10%";
        QTest::newRow("threshold") << "error_rate > lots";
        QTest::newRow("rate over 1") << "error_rate > 5";
        QTest::newRow("action") << "critical >= 3 action=panic";
        QTest::newRow("window") << "critical >= 3 window=soon";
        QTest::newRow("min") << "critical >= 3 min=0";
        QTest::newRow("setting") << "critical >= 3 colour=red";
        QTest::newRow("short") << "critical";
    }
    void rejectsBadGuardrails()
    {
        QFETCH(QString, spec);
        QVERIFY_THROWS_EXCEPTION(Error, Guardrail::parse(QStringLiteral("g"), spec));
    }
};

QTEST_GUILESS_MAIN(TstRolloutPlan)
#include "tst_rollout_plan.moc"
