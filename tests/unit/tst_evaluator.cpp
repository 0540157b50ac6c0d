#include "common/Error.h"
#include "flags/Evaluator.h"
#include "flags/Murmur3.h"

#include <QTest>

using namespace sp;

namespace {

Flag makeFlag(const QString &key, bool on, int tenths, QStringList tags = {})
{
    Flag f;
    f.key = key;
    f.enabled = on;
    f.percentTenths = tenths;
    f.tags = std::move(tags);
    return f;
}

std::string keyOf(int i) { return "user-" + std::to_string(i) + "@example.com"; }

} // namespace

class TstEvaluator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitMatchesFlagdArithmetic()
    {
        FlagSnapshot s;
        s.flags.insert(QStringLiteral("checkout"), makeFlag(QStringLiteral("checkout"), true, 333));
        const Evaluator e(s);
        int on = 0;
        for (int i = 0; i < 20000; ++i) {
            const std::string k = keyOf(i);
            const Decision d = e.evaluate(0, EvalContext{k, nullptr});
            QCOMPARE(d.reason, EvalReason::Split);
            const bool expected = fractionalBucket(murmur3_32("checkout" + k), 1000) < 333;
            QCOMPARE(d.on, expected);
            on += d.on;
        }
        // 33.3 % of 20 000 = 6660; a wrong split (e.g. percent instead of tenths) is far off.
        QVERIFY2(on > 6300 && on < 7000, qPrintable(QString::number(on)));
    }

    // Raising the percentage only adds keys: nobody who was on goes off.
    void raisingPercentOnlyAddsKeys()
    {
        QList<std::vector<bool>> results;
        for (int tenths : {0, 1, 50, 250, 333, 500, 999, 1000}) {
            FlagSnapshot s;
            s.flags.insert(QStringLiteral("ramp"), makeFlag(QStringLiteral("ramp"), true, tenths));
            const Evaluator e(s);
            std::vector<bool> r;
            for (int i = 0; i < 5000; ++i) {
                const std::string k = keyOf(i);
                r.push_back(e.evaluate(0, EvalContext{k, nullptr}).on);
            }
            results << r;
        }
        for (int step = 1; step < results.size(); ++step)
            for (size_t i = 0; i < results[step].size(); ++i)
                QVERIFY(!results[step - 1][i] || results[step][i]);
        QVERIFY(std::none_of(results.first().begin(), results.first().end(), [](bool b) { return b; }));
        QVERIFY(std::all_of(results.last().begin(), results.last().end(), [](bool b) { return b; }));
    }

    void reasonsInPrecedenceOrder()
    {
        FlagSnapshot s;
        Segment beta;
        beta.name = QStringLiteral("beta");
        beta.keys = {QStringLiteral("alice")};
        Segment blocked;
        blocked.name = QStringLiteral("blocked");
        blocked.rules = {SegmentRule{QStringLiteral("client"), SegmentRule::Op::StartsWith, {QStringLiteral("legacy-")}}};
        s.segments.insert(beta.name, beta);
        s.segments.insert(blocked.name, blocked);
        Flag base = makeFlag(QStringLiteral("base"), true, 0);
        base.includeSegments = {QStringLiteral("beta")};
        Flag feature = makeFlag(QStringLiteral("feature"), true, 0, {QStringLiteral("sync")});
        feature.prerequisites = {QStringLiteral("base")};
        feature.includeSegments = {QStringLiteral("beta")};
        feature.excludeSegments = {QStringLiteral("blocked")};
        s.flags.insert(base.key, base);
        s.flags.insert(feature.key, feature);

        Attributes legacy{{"client", "legacy-ios"}};
        Attributes modern{{"client", "ios"}};
        {
            const Evaluator e(s);
            QCOMPARE(e.evaluate(QStringLiteral("feature"), EvalContext{"alice", &modern}).reason, EvalReason::SegmentIncluded);
            QVERIFY(e.evaluate(QStringLiteral("feature"), EvalContext{"alice", &modern}).on);
            const Decision excluded = e.evaluate(QStringLiteral("feature"), EvalContext{"alice", &legacy});
            QCOMPARE(excluded.reason, EvalReason::SegmentExcluded);
            QVERIFY(!excluded.on);
            QCOMPARE(e.explain(excluded), QStringLiteral("in excluded segment blocked"));
            // bob is not in beta, so base (0 %) is off for him: the prerequisite fails first
            const Decision prereq = e.evaluate(QStringLiteral("feature"), EvalContext{"bob", &modern});
            QCOMPARE(prereq.reason, EvalReason::PrerequisiteOff);
            QCOMPARE(e.keyAt(prereq.cause), QStringLiteral("base"));
        }
        s.killSwitch = true;
        {
            const Evaluator e(s);
            QCOMPARE(e.evaluate(QStringLiteral("feature"), EvalContext{"alice", &modern}).reason, EvalReason::KillSwitch);
            // the kill switch only touches flags tagged sync
            QCOMPARE(e.evaluate(QStringLiteral("base"), EvalContext{"alice", &modern}).reason, EvalReason::SegmentIncluded);
        }
        s.flags[QStringLiteral("feature")].enabled = false;
        {
            const Evaluator e(s);
            QCOMPARE(e.evaluate(QStringLiteral("feature"), EvalContext{"alice", &modern}).reason, EvalReason::Disabled);
        }
    }

    void ruleSemanticsFollowJsonLogic_data()
    {
        QTest::addColumn<int>("op");
        QTest::addColumn<QStringList>("values");
        QTest::addColumn<QString>("attribute"); // "<missing>" for none
        QTest::addColumn<bool>("matches");
        using Op = SegmentRule::Op;
        QTest::newRow("== hit") << int(Op::Equals) << QStringList{"pro"} << "pro" << true;
        QTest::newRow("== miss") << int(Op::Equals) << QStringList{"pro"} << "free" << false;
        QTest::newRow("== missing") << int(Op::Equals) << QStringList{"pro"} << "<missing>" << false;
        QTest::newRow("!= other") << int(Op::NotEquals) << QStringList{"pro"} << "free" << true;
        QTest::newRow("!= same") << int(Op::NotEquals) << QStringList{"pro"} << "pro" << false;
        QTest::newRow("!= missing is true (null != 'pro')") << int(Op::NotEquals) << QStringList{"pro"} << "<missing>" << true;
        QTest::newRow("in hit") << int(Op::In) << QStringList{"DE", "AT"} << "AT" << true;
        QTest::newRow("in miss") << int(Op::In) << QStringList{"DE", "AT"} << "A" << false;
        QTest::newRow("in missing") << int(Op::In) << QStringList{"DE"} << "<missing>" << false;
        QTest::newRow("starts_with") << int(Op::StartsWith) << QStringList{"ios-"} << "ios-17" << true;
        QTest::newRow("starts_with miss") << int(Op::StartsWith) << QStringList{"ios-"} << "android" << false;
        QTest::newRow("ends_with") << int(Op::EndsWith) << QStringList{"@acme.com"} << "jo@acme.com" << true;
        QTest::newRow("ends_with missing") << int(Op::EndsWith) << QStringList{"@acme.com"} << "<missing>" << false;
    }

    void ruleSemanticsFollowJsonLogic()
    {
        QFETCH(int, op);
        QFETCH(QStringList, values);
        QFETCH(QString, attribute);
        QFETCH(bool, matches);
        FlagSnapshot s;
        Segment seg;
        seg.name = QStringLiteral("seg");
        seg.rules = {SegmentRule{QStringLiteral("attr"), SegmentRule::Op(op), values}};
        s.segments.insert(seg.name, seg);
        Flag f = makeFlag(QStringLiteral("f"), true, 0);
        f.includeSegments = {QStringLiteral("seg")};
        s.flags.insert(f.key, f);
        const Evaluator e(s);
        Attributes attrs;
        if (attribute != QLatin1String("<missing>"))
            attrs["attr"] = attribute.toStdString();
        QCOMPARE(e.evaluate(0, EvalContext{"k", &attrs}).on, matches);
    }

    void unknownFlagIsInvalidInput()
    {
        const Evaluator e(FlagSnapshot{});
        try {
            e.evaluate(QStringLiteral("nope"), EvalContext{"k", nullptr});
            QFAIL("expected sp::Error");
        } catch (const Error &err) {
            QCOMPARE(err.kind(), ErrorKind::InvalidInput);
            QVERIFY(err.message().contains(QStringLiteral("nope")));
        }
    }
};

QTEST_GUILESS_MAIN(TstEvaluator)
#include "tst_evaluator.moc"
