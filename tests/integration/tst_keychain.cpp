#include "auth/FigmaCredentials.h"
#include "auth/SecretStore.h"
#include "common/Error.h"

#include <QCoreApplication>
#include <QTest>

using namespace sp;

// KeychainSecretStore against the real Secret Service (gnome-keyring under
// tests/support/with-keyring.sh, which ./test.sh wraps around ctest). Uses its own service name,
// so it never touches SyncPilot's real entries even on a developer's desktop.
class TestKeychain : public QObject
{
    Q_OBJECT

    QString m_service = QStringLiteral("SyncPilot-test-%1").arg(QCoreApplication::applicationPid());

private Q_SLOTS:
    void initTestCase()
    {
        KeychainSecretStore store(m_service, 10'000);
        try {
            store.read(QStringLiteral("probe"));
        } catch (const Error &e) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL(qPrintable(QStringLiteral("CI=true but no Secret Service is reachable: ") + e.message()));
            QSKIP(qPrintable(QStringLiteral("No Secret Service reachable (run through ./test.sh or tests/support/with-keyring.sh): ")
                             + e.message()));
        }
    }

    void writeReadRemove()
    {
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("google/refresh-token");
        const QString value = QStringLiteral("1//0g-secret+value/with=odd&chars %1").arg(QCoreApplication::applicationPid());
        store.write(key, value);
        QCOMPARE(store.read(key), std::optional<QString>(value));

        // A second store object (another process would be the same) sees it too.
        KeychainSecretStore other(m_service);
        QCOMPARE(other.read(key), std::optional<QString>(value));

        // Overwrite, not a second entry.
        store.write(key, QStringLiteral("rotated"));
        QCOMPARE(other.read(key), std::optional<QString>(QStringLiteral("rotated")));

        store.remove(key);
        QCOMPARE(store.read(key), std::nullopt);
    }

    void missingEntryIsNulloptAndRemovingItIsNoError()
    {
        KeychainSecretStore store(m_service);
        QCOMPARE(store.read(QStringLiteral("never/written")), std::nullopt);
        store.remove(QStringLiteral("never/written"));
        QCOMPARE(store.read(QStringLiteral("never/written")), std::nullopt);
    }

    void servicesAreSeparate()
    {
        KeychainSecretStore a(m_service);
        KeychainSecretStore b(m_service + QStringLiteral("-other"));
        a.write(QStringLiteral("figma/token"), QStringLiteral("figd_a"));
        QCOMPARE(b.read(QStringLiteral("figma/token")), std::nullopt);
        a.remove(QStringLiteral("figma/token"));
    }

    void figmaCredentialsRoundTrip()
    {
        KeychainSecretStore store(m_service);
        QCOMPARE(FigmaCredentials::token(store), std::nullopt);
        FigmaCredentials::setToken(store, QStringLiteral("  figd_abc123\n"));
        QCOMPARE(FigmaCredentials::token(store), std::optional<QString>(QStringLiteral("figd_abc123")));
        FigmaCredentials::clear(store);
        QCOMPARE(FigmaCredentials::token(store), std::nullopt);
    }

    void figmaTokenIsChecked()
    {
        MemorySecretStore store;
        QVERIFY_THROWS_EXCEPTION(Error, FigmaCredentials::setToken(store, QStringLiteral("   ")));
        QVERIFY_THROWS_EXCEPTION(Error, FigmaCredentials::setToken(store, QStringLiteral("two tokens")));
        QVERIFY(!store.contains(QStringLiteral("figma/token")));
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
