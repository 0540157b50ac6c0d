#include "auth/Pkce.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace sp;

class TestPkce : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc7636AppendixB()
    {
        // RFC 7636 Appendix B: the verifier and the S256 challenge the RFC derives from it.
        QCOMPARE(Pkce::s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                 QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }

    void verifierIsLongEnoughAndUrlSafe()
    {
        const QRegularExpression unreserved(QStringLiteral("^[A-Za-z0-9_-]{43,128}$"));
        for (int i = 0; i < 50; ++i) {
            const QByteArray v = Pkce::newVerifier();
            QVERIFY2(unreserved.match(QString::fromLatin1(v)).hasMatch(), v.constData());
            const QByteArray c = Pkce::s256Challenge(v);
            QCOMPARE(c.size(), 43); // 32 bytes of SHA-256, base64url without '='
            QVERIFY(!c.contains('=') && !c.contains('+') && !c.contains('/'));
        }
    }

    void valuesAreFresh()
    {
        QSet<QByteArray> verifiers;
        QSet<QByteArray> states;
        for (int i = 0; i < 200; ++i) {
            verifiers.insert(Pkce::newVerifier());
            states.insert(Pkce::newState());
        }
        QCOMPARE(verifiers.size(), 200);
        QCOMPARE(states.size(), 200);
        QVERIFY(Pkce::newState().size() >= 32);
    }

    void randomBytesAreSpread()
    {
        // A generator stuck on a few byte values (e.g. only filling every fourth byte) would show up here.
        const QByteArray raw = QByteArray::fromBase64(Pkce::randomUrlSafe(3000), QByteArray::Base64UrlEncoding);
        QCOMPARE(raw.size(), 3000);
        QSet<char> seen;
        for (char c : raw)
            seen.insert(c);
        QVERIFY2(seen.size() > 200, qPrintable(QString::number(seen.size())));
    }
};

QTEST_GUILESS_MAIN(TestPkce)
#include "tst_pkce.moc"
