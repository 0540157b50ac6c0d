#include "FakeBrowser.h"
#include "OidcTestServer.h"
#include "TestSupport.h"
#include "auth/OAuthSession.h"
#include "auth/OAuthSettings.h"
#include "auth/SecretStore.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace sp;
using sp::test::FakeBrowser;

namespace {

bool underCi() { return qEnvironmentVariable("CI") == QLatin1String("true"); }

} // namespace

class TestGoogleSignIn : public QObject
{
    Q_OBJECT

    test::OidcTestServer m_server;
    QString m_issuer;
    std::unique_ptr<SecretStore> m_store;
    bool m_keychain = false;

    OAuthSettings settings() const
    {
        OAuthSettings s;
        s.clientId = QStringLiteral("syncpilot-desktop");
        s.authorizationUrl = QUrl(m_issuer + QStringLiteral("/auth"));
        s.tokenUrl = QUrl(m_issuer + QStringLiteral("/token"));
        s.revocationUrl = QUrl(m_issuer + QStringLiteral("/token/revocation"));
        s.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
        return s;
    }

    QString signIn(OAuthSession &session, FakeBrowser &browser, int timeoutMs = 30'000)
    {
        try {
            return session.signIn([&](const QUrl &url) { browser.open(url); }, timeoutMs);
        } catch (const Error &) {
            if (!browser.failure.isEmpty()) // why the "browser" never got to the callback
                qWarning("browser: %s", qPrintable(browser.failure));
            throw;
        }
    }

    // Every access and refresh token the server has issued so far (LOG_TOKENS=1).
    QStringList issuedTokens() { return m_server.issuedTokens(); }

    std::optional<QString> stored(const QString &key) { return m_store->read(key); }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = test::OidcTestServer::missingPrerequisite(); !missing.isEmpty()) {
            if (underCi())
                QFAIL(qPrintable(QStringLiteral("CI=true but the OIDC test server cannot run: ") + missing));
            QSKIP(qPrintable(missing));
        }
        QString error;
        QVERIFY2(m_server.start(&error), qPrintable(error));
        m_issuer = m_server.issuer();

        // The refresh token goes to the real keychain when one is reachable (./test.sh runs ctest
        // under with-keyring.sh); else to memory, and the keychain parts are skipped.
        auto keychain = std::make_unique<KeychainSecretStore>(QStringLiteral("SyncPilot-test-%1").arg(QCoreApplication::applicationPid()), 10'000);
        try {
            keychain->read(QStringLiteral("probe"));
            m_store = std::move(keychain);
            m_keychain = true;
        } catch (const Error &e) {
            if (underCi())
                QFAIL(qPrintable(QStringLiteral("CI=true but no Secret Service is reachable: ") + e.message()));
            qWarning("No Secret Service reachable, refresh tokens go to memory: %s", qPrintable(e.message()));
            m_store = std::make_unique<MemorySecretStore>();
        }
    }

    void cleanupTestCase()
    {
        if (m_store) {
            m_store->remove(OAuthSession::refreshTokenKey);
            m_store->remove(OAuthSession::accountKey);
        }
    }

    void init()
    {
        m_store->remove(OAuthSession::refreshTokenKey);
        m_store->remove(OAuthSession::accountKey);
    }

    void cleanup() { Clock::install(nullptr); }

    void signInStoresTheRefreshTokenAndRefreshRotatesIt()
    {
        ManualClock clock(QDateTime::currentDateTimeUtc());
        Clock::install(&clock);
        OAuthSession session(settings(), *m_store);
        FakeBrowser browser;
        QVERIFY(!session.isSignedIn());

        QCOMPARE(signIn(session, browser), QStringLiteral("test-user"));
        QVERIFY2(browser.failure.isEmpty(), qPrintable(browser.failure));
        // The browser gets its page once the exchange is done (it reads it after signIn returns).
        QTRY_COMPARE_WITH_TIMEOUT(browser.callbackStatuses, QList<int>{200}, 10'000);
        QVERIFY(browser.lastPage.contains("SyncPilot is signed in"));

        // What went out in the authorization request.
        const QUrlQuery q(browser.authorizationUrl);
        QCOMPARE(q.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
        QCOMPARE(q.queryItemValue(QStringLiteral("access_type")), QStringLiteral("offline"));
        QCOMPARE(q.queryItemValue(QStringLiteral("prompt")), QStringLiteral("consent"));
        QVERIFY(q.queryItemValue(QStringLiteral("state")).size() >= 32);
        const QUrl redirect(q.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(redirect.port() > 0);

        QVERIFY(session.isSignedIn());
        QCOMPARE(session.account(), QStringLiteral("test-user"));
        QCOMPARE(stored(OAuthSession::accountKey), std::optional<QString>(QStringLiteral("test-user")));
        const std::optional<QString> rt1 = stored(OAuthSession::refreshTokenKey);
        QVERIFY(rt1 && !rt1->isEmpty());
        QVERIFY(issuedTokens().contains(*rt1));

        // The access token of the exchange is used while it is fresh.
        const QByteArray h1 = session.authorizationHeader(false);
        QVERIFY(h1.startsWith("Bearer ") && h1.size() > 20);
        QVERIFY(issuedTokens().contains(QString::fromUtf8(h1.mid(7))));
        clock.advance(3000'000); // 50 min of the server's 60: still more than a minute left
        QCOMPARE(session.authorizationHeader(false), h1);
        QCOMPARE(stored(OAuthSession::refreshTokenKey), rt1);

        // After a 401 (forceRefresh): a new access token, and the rotated refresh token is kept.
        const QByteArray h2 = session.authorizationHeader(true);
        QVERIFY(h2.startsWith("Bearer "));
        QVERIFY(h2 != h1);
        const std::optional<QString> rt2 = stored(OAuthSession::refreshTokenKey);
        QVERIFY(rt2 && *rt2 != *rt1);
        QVERIFY(issuedTokens().contains(*rt2));

        // Under a minute before expiry it refreshes by itself.
        clock.advance(3550'000);
        const QByteArray h3 = session.authorizationHeader(false);
        QVERIFY(h3 != h2);
        QVERIFY(stored(OAuthSession::refreshTokenKey) != rt2);
        QCOMPARE(session.authorizationHeader(false), h3);
    }

    void tamperedStateIsRefused()
    {
        {
            // Forged state first, then the real callback: only the real one counts.
            OAuthSession session(settings(), *m_store);
            FakeBrowser browser;
            browser.tamperState = true;
            QCOMPARE(signIn(session, browser), QStringLiteral("test-user"));
            QTRY_COMPARE_WITH_TIMEOUT(browser.callbackStatuses, (QList<int>{400, 200}), 10'000);
        }
        init();
        {
            // Only a forged one: never accepted; the sign-in ends without storing anything.
            OAuthSession session(settings(), *m_store);
            FakeBrowser browser;
            browser.tamperState = true;
            browser.deliverReal = false;
            try {
                signIn(session, browser, 2000);
                QFAIL("a callback with a wrong state was accepted");
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(QLatin1String("wrong state")), qPrintable(e.message()));
            }
            QCOMPARE(browser.callbackStatuses, QList<int>{400});
            QVERIFY(!session.isSignedIn());
            QCOMPARE(stored(OAuthSession::refreshTokenKey), std::nullopt);
        }
    }

    void pkceIsEnforced_data()
    {
        QTest::addColumn<bool>("drop");
        QTest::newRow("verifier omitted") << true;
        QTest::newRow("verifier altered") << false;
    }

    void pkceIsEnforced()
    {
        QFETCH(bool, drop);
        OAuthSession session(settings(), *m_store);
        bool sawVerifier = false;
        session.setTokenRequestHook([&](OAuthSession::FormFields &fields) {
            for (qsizetype i = 0; i < fields.size(); ++i) {
                if (fields[i].first != QLatin1String("code_verifier"))
                    continue;
                sawVerifier = true;
                if (drop)
                    fields.removeAt(i);
                else
                    fields[i].second = fields[i].second.left(42) + (fields[i].second.endsWith(QLatin1Char('x')) ? u'y' : u'x');
                return;
            }
        });
        FakeBrowser browser;
        try {
            signIn(session, browser);
            QFAIL("the server accepted a token request without the right PKCE verifier");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QLatin1String("invalid_grant")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(m_issuer + QStringLiteral("/token")), qPrintable(e.message()));
        }
        QVERIFY(sawVerifier);
        QVERIFY(!session.isSignedIn());
        QCOMPARE(stored(OAuthSession::refreshTokenKey), std::nullopt);
        // The browser is told too.
        QTRY_VERIFY_WITH_TIMEOUT(browser.lastPage.contains("invalid_grant"), 10'000);
    }

    void signOutRevokes()
    {
        OAuthSession session(settings(), *m_store);
        FakeBrowser browser;
        QCOMPARE(signIn(session, browser), QStringLiteral("test-user"));
        const QString revoked = *stored(OAuthSession::refreshTokenKey);
        QCOMPARE(session.signOut(), QString());
        QVERIFY(!session.isSignedIn());
        QCOMPARE(stored(OAuthSession::refreshTokenKey), std::nullopt);
        QCOMPARE(stored(OAuthSession::accountKey), std::nullopt);

        // A stale copy of the revoked token (another machine's backup, say) is dead at the server:
        // the refresh fails with invalid_grant, which means "sign in again", and the copy goes.
        m_store->write(OAuthSession::refreshTokenKey, revoked);
        m_store->write(OAuthSession::accountKey, QStringLiteral("test-user"));
        OAuthSession stale(settings(), *m_store);
        try {
            stale.authorizationHeader(false);
            QFAIL("a revoked refresh token still worked");
        } catch (const Error &e) {
            QCOMPARE(e.message(), QStringLiteral("Google sign-in for test-user expired or was revoked; "
                                                 "sign in again with `syncpilot-cli auth google sign-in`."));
            QVERIFY(!e.message().contains(revoked));
        }
        QCOMPARE(stored(OAuthSession::refreshTokenKey), std::nullopt);
        QVERIFY(!stale.isSignedIn());
    }

    void failedRevokeStillSignsOutLocally()
    {
        OAuthSession session(settings(), *m_store);
        FakeBrowser browser;
        signIn(session, browser);
        const QString token = *stored(OAuthSession::refreshTokenKey);
        OAuthSettings broken = settings();
        broken.revocationUrl = QUrl(QStringLiteral("http://127.0.0.1:1/revoke")); // nothing listens there
        OAuthSession offline(broken, *m_store);
        const QString warning = offline.signOut();
        QVERIFY2(warning.contains(QLatin1String("127.0.0.1:1/revoke")), qPrintable(warning));
        QVERIFY(!warning.contains(token));
        QCOMPARE(stored(OAuthSession::refreshTokenKey), std::nullopt);
        QCOMPARE(stored(OAuthSession::accountKey), std::nullopt);
    }

    void notSignedIn()
    {
        OAuthSession session(settings(), *m_store);
        try {
            session.authorizationHeader(false);
            QFAIL("an access token without a sign-in");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QLatin1String("auth google sign-in")), qPrintable(e.message()));
        }
    }

    // The whole CLI path on a real SQLite workspace and SyncPilot's real keychain service (only
    // inside with-keyring.sh's throwaway keyring): no token, client secret or Figma token may end up
    // in the database, the WAL, the audit export or anything the CLI printed.
    void secretsStayInTheKeychain()
    {
        if (!m_keychain || !qEnvironmentVariableIsSet("SYNCPILOT_KEYRING_SANDBOX")) {
            if (underCi())
                QFAIL("CI=true but this test is not running under tests/support/with-keyring.sh");
            QSKIP("needs the throwaway keyring of tests/support/with-keyring.sh (./test.sh provides it)");
        }
        QTemporaryDir dir;
        const QString ws = dir.filePath(QStringLiteral("secrets.sqlite"));
        QByteArray printed;
        auto cli = [&](const QStringList &args, const QByteArray &in = {}) {
            const test::CliResult r = test::runCli(ws, args, in);
            printed += r.out + r.err;
            return r;
        };
        QCOMPARE(cli({QStringLiteral("init")}).exitCode, 0);

        const QByteArray clientSecret = "client-secret-7f3a9c";
        test::CliResult r = cli({QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("configure"),
                                 QStringLiteral("--client-id"), QStringLiteral("syncpilot-desktop"),
                                 QStringLiteral("--auth-url"), m_issuer + QStringLiteral("/auth"),
                                 QStringLiteral("--token-url"), m_issuer + QStringLiteral("/token"),
                                 QStringLiteral("--revoke-url"), m_issuer + QStringLiteral("/token/revocation"),
                                 QStringLiteral("--scopes"), QStringLiteral("openid offline_access"),
                                 QStringLiteral("--client-secret-stdin")},
                                clientSecret + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        KeychainSecretStore real; // SyncPilot's own service, in the throwaway keyring
        QCOMPARE(OAuthSettings::clientSecret(real), std::optional<QString>(QString::fromLatin1(clientSecret)));
        // The test server's client is public: take the secret out again before signing in.
        r = cli({QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("configure"), QStringLiteral("--client-secret-stdin")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(OAuthSettings::clientSecret(real), std::nullopt);

        // Sign in through the CLI; this test is its browser.
        QProcess signIn;
        signIn.start(test::cliPath(), {QStringLiteral("--workspace"), ws, QStringLiteral("auth"), QStringLiteral("google"),
                                       QStringLiteral("sign-in"), QStringLiteral("--no-browser"), QStringLiteral("--timeout"),
                                       QStringLiteral("60")});
        QVERIFY(signIn.waitForStarted());
        FakeBrowser browser;
        QByteArray err;
        QDeadlineTimer deadline(60'000);
        while (browser.authorizationUrl.isEmpty() && !deadline.hasExpired() && signIn.state() == QProcess::Running) {
            signIn.waitForReadyRead(100);
            err += signIn.readAllStandardError();
            for (const QByteArray &line : err.split('\n')) {
                if (line.startsWith(m_issuer.toUtf8() + "/auth?"))
                    browser.open(QUrl::fromEncoded(line.trimmed()));
            }
        }
        QVERIFY2(!browser.authorizationUrl.isEmpty(), err.constData());
        QTRY_VERIFY_WITH_TIMEOUT(signIn.state() == QProcess::NotRunning, 60'000);
        const QByteArray signInOut = signIn.readAllStandardOutput();
        err += signIn.readAllStandardError();
        printed += signInOut + err;
        QVERIFY2(signIn.exitCode() == 0, err.constData());
        QVERIFY(signInOut.contains("Signed in to Google as test-user"));
        const std::optional<QString> refreshToken = real.read(OAuthSession::refreshTokenKey);
        QVERIFY(refreshToken && issuedTokens().contains(*refreshToken));

        r = cli({QStringLiteral("auth"), QStringLiteral("status")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("signed in as test-user"));
        const QByteArray figmaToken = "figd_SeCrEt-0123456789";
        QCOMPARE(cli({QStringLiteral("auth"), QStringLiteral("figma"), QStringLiteral("set-token")}, figmaToken + '\n').exitCode, 0);
        r = cli({QStringLiteral("--json"), QStringLiteral("auth"), QStringLiteral("status")});
        QVERIFY(r.out.contains("\"tokenStored\": true"));

        // An access token used by this process from the CLI's sign-in (rotates the refresh token too).
        OAuthSession session(OAuthSettings::load(*Workspace::open(ws, Workspace::OpenMode::MustExist)), real);
        QVERIFY(session.authorizationHeader(false).startsWith("Bearer "));
        QCOMPARE(cli({QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("sign-out")}).exitCode, 0);
        QCOMPARE(real.read(OAuthSession::refreshTokenKey), std::nullopt);
        QCOMPARE(cli({QStringLiteral("auth"), QStringLiteral("figma"), QStringLiteral("clear")}).exitCode, 0);

        const QString exportFile = dir.filePath(QStringLiteral("audit.jsonl"));
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                      QStringLiteral("--out"), exportFile}).exitCode, 0);
        const QByteArray exported = test::readFile(exportFile);
        // The events are there, with the account (so the search below looks at the right place).
        for (const char *action : {"auth.google.configure", "auth.google.sign-in", "auth.google.sign-out", "auth.figma.set-token"})
            QVERIFY2(exported.contains(action), action);
        QVERIFY(exported.contains("test-user"));
        // Changes made while signed in name the account (figma set-token came after sign-in).
        bool named = false;
        for (const QByteArray &line : exported.split('\n')) {
            const QJsonObject e = QJsonDocument::fromJson(line).object();
            if (e.value(QStringLiteral("action")).toString() == QLatin1String("auth.figma.set-token"))
                named = e.value(QStringLiteral("account")).toString() == QLatin1String("test-user");
        }
        QVERIFY2(named, "the audit entry of a change made while signed in does not name the account");

        const QList<std::pair<QString, QByteArray>> places{{QStringLiteral("database"), test::readFile(ws)},
                                                           {QStringLiteral("WAL"), test::readFile(ws + QStringLiteral("-wal"))},
                                                           {QStringLiteral("audit export"), exported},
                                                           {QStringLiteral("CLI output"), printed}};
        QStringList secrets = issuedTokens();
        QVERIFY(secrets.size() >= 4);
        secrets << QString::fromLatin1(clientSecret) << QString::fromLatin1(figmaToken);
        for (const auto &[where, bytes] : places) {
            for (const QString &secret : secrets)
                QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(QStringLiteral("a secret is in the %1").arg(where)));
        }
        QVERIFY(test::readFile(ws).size() > 0);
    }
};

QTEST_GUILESS_MAIN(TestGoogleSignIn)
#include "tst_google_signin.moc"
