#include "common/Error.h"
#include "flags/Flag.h"

#include <QTest>

using namespace sp;

class TstFlagRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keys_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << "checkout" << true;
        QTest::newRow("dots dashes") << "sync.figma-v2_beta" << true;
        QTest::newRow("64 chars") << QString(QLatin1Char('a')).repeated(64) << true;
        QTest::newRow("65 chars") << QString(QLatin1Char('a')).repeated(65) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("digit first") << "1flag" << false;
        QTest::newRow("upper") << "Checkout" << false;
        QTest::newRow("space") << "check out" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("umlaut") << QStringLiteral("gr\u00fcn") << false;
    }
    void keys()
    {
        QFETCH(QString, key);
        QFETCH(bool, valid);
        bool ok = true;
        try {
            FlagRules::checkKey(key);
        } catch (const Error &e) {
            ok = false;
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY(e.message().contains(QLatin1Char('"') + key + QLatin1Char('"')));
        }
        QCOMPARE(ok, valid);
    }

    void percent_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("tenths"); // -1: invalid
        QTest::newRow("0") << "0" << 0;
        QTest::newRow("0.1") << "0.1" << 1;
        QTest::newRow("5") << "5" << 50;
        QTest::newRow("33.3") << "33.3" << 333;
        QTest::newRow("33.30") << "33.30" << 333;
        QTest::newRow("100") << "100" << 1000;
        QTest::newRow("100.0") << "100.0" << 1000;
        QTest::newRow("100.1") << "100.1" << -1;
        QTest::newRow("101") << "101" << -1;
        QTest::newRow("-1") << "-1" << -1;
        QTest::newRow("33.33") << "33.33" << -1;
        QTest::newRow("0.05") << "0.05" << -1;
        QTest::newRow("abc") << "abc" << -1;
        QTest::newRow("empty") << "" << -1;
        QTest::newRow("5%") << "5%" << -1;
        QTest::newRow("1e2") << "1e2" << -1;
    }
    void percent()
    {
        QFETCH(QString, text);
        QFETCH(int, tenths);
        int got = -1;
        try {
            got = FlagRules::parsePercent(text);
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY(e.message().contains(text));
        }
        QCOMPARE(got, tenths);
        if (tenths >= 0)
            QCOMPARE(FlagRules::parsePercent(FlagRules::formatPercent(tenths)), tenths);
    }

    void rules()
    {
        SegmentRule r = FlagRules::parseRule(QStringLiteral("email ends_with @acme.com"));
        QCOMPARE(r.attribute, QStringLiteral("email"));
        QCOMPARE(r.op, SegmentRule::Op::EndsWith);
        QCOMPARE(r.values, QStringList{QStringLiteral("@acme.com")});
        r = FlagRules::parseRule(QStringLiteral("country in DE, AT,CH"));
        QCOMPARE(r.op, SegmentRule::Op::In);
        QCOMPARE(r.values, (QStringList{"DE", "AT", "CH"}));
        QCOMPARE(FlagRules::parseRule(QStringLiteral("plan != free")).op, SegmentRule::Op::NotEquals);
        QCOMPARE(SegmentRule::fromJson(r.toJson()).values, r.values);
        for (const char *bad : {"email", "email contains x", "1x == y", "user.name == x", "== x"}) {
            try {
                FlagRules::parseRule(QString::fromLatin1(bad));
                QFAIL(bad);
            } catch (const Error &e) {
                QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TstFlagRules)
#include "tst_flagrules.moc"
