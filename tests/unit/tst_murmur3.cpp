#include "flags/Murmur3.h"

#include <QRandomGenerator>
#include <QTest>

using namespace sp;

class TstMurmur3 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void referenceVectors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<quint32>("expected");
        // Published MurmurHash3_x86_32 vectors.
        QTest::newRow("empty") << QByteArray() << 0u << 0u;
        QTest::newRow("empty seed 1") << QByteArray() << 1u << 0x514E28B7u;
        QTest::newRow("empty seed ffffffff") << QByteArray() << 0xffffffffu << 0x81F16F39u;
        QTest::newRow("zero bytes") << QByteArray(4, '\0') << 0u << 0x2362F9DEu;
        QTest::newRow("test") << QByteArray("test") << 0u << 0xba6bd213u;
        QTest::newRow("Hello, world!") << QByteArray("Hello, world!") << 0u << 0xc0363e43u;
        QTest::newRow("quick brown fox") << QByteArray("The quick brown fox jumps over the lazy dog") << 0u << 0x2e4ff723u;
        // flagd-testbed's hash edge cases (gherkin/targeting.feature): keys found by brute force
        // to hash to the boundary values of the fractional bucketing.
        QTest::newRow("ejOoVL -> 0") << QByteArray("ejOoVL") << 0u << 0u;
        QTest::newRow("bY9fO- -> 1") << QByteArray("bY9fO-") << 0u << 1u;
        QTest::newRow("SI7p- -> i32 max") << QByteArray("SI7p-") << 0u << 2147483647u;
        QTest::newRow("6LvT0 -> 2^31") << QByteArray("6LvT0") << 0u << 2147483648u;
        QTest::newRow("ceQdGm -> u32 max") << QByteArray("ceQdGm") << 0u << 4294967295u;
    }

    void referenceVectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(quint32, seed);
        QFETCH(quint32, expected);
        QCOMPARE(murmur3_32(std::string_view(input.constData(), size_t(input.size())), seed), expected);
    }

    // The two-part form (flagKey + targetingKey without concatenating) must equal the hash of
    // the concatenation for every split point and length (tails of 0-3 bytes on both sides).
    void twoPartEqualsConcatenation()
    {
        QRandomGenerator rng(42);
        for (int len = 0; len < 40; ++len) {
            std::string s(size_t(len), '\0');
            for (auto &c : s)
                c = char(rng.bounded(256));
            const quint32 whole = murmur3_32(s);
            for (int cut = 0; cut <= len; ++cut)
                QCOMPARE(murmur3_32(std::string_view(s).substr(0, size_t(cut)), std::string_view(s).substr(size_t(cut))), whole);
        }
    }

    // Bucketing is over UTF-8 bytes (flagd), not UTF-16 units.
    void hashesUtf8Bytes()
    {
        const QByteArray utf8 = QStringLiteral("caf\u00e9").toUtf8();
        QCOMPARE(utf8.size(), 5);
        QCOMPARE(murmur3_32(std::string_view("caf"), std::string_view("\xc3\xa9")),
                 murmur3_32(std::string_view(utf8.constData(), 5)));
        QVERIFY(murmur3_32(std::string_view(utf8.constData(), 5)) != murmur3_32(std::string_view("caf\xe9", 4)));
    }

    void bucketBoundaries()
    {
        QCOMPARE(fractionalBucket(0, 1000), 0u);
        QCOMPARE(fractionalBucket(0xffffffffu, 1000), 999u);
        QCOMPARE(fractionalBucket(2147483647u, 100), 49u);
        QCOMPARE(fractionalBucket(2147483648u, 100), 50u);
        QCOMPARE(fractionalBucket(0xffffffffu, 1), 0u);
    }
};

QTEST_GUILESS_MAIN(TstMurmur3)
#include "tst_murmur3.moc"
