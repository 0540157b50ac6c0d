#include "auth/LoopbackReceiver.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace sp;
using Outcome = LoopbackReceiver::Callback::Outcome;

namespace {

const QByteArray kState = "right-state-0123456789abcdef";

struct Answer
{
    int status = 0;
    QByteArray body;
};

// An HTTP GET as a browser sends it, driven by the event loop (the receiver runs in this thread).
class Browser
{
public:
    QNetworkReply *get(const QUrl &url)
    {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        return m_nam.get(request);
    }
    QNetworkReply *post(const QUrl &url)
    {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        return m_nam.post(request, QByteArrayLiteral("x=1"));
    }
    static Answer wait(QNetworkReply *reply)
    {
        if (!reply->isFinished()) {
            QSignalSpy spy(reply, &QNetworkReply::finished);
            if (!spy.wait(10'000))
                return {};
        }
        Answer a{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
        reply->deleteLater();
        return a;
    }

private:
    QNetworkAccessManager m_nam;
};

QUrl callbackUrl(const LoopbackReceiver &r, const QList<std::pair<QString, QString>> &items, const QString &path = QStringLiteral("/"))
{
    QUrl url = r.redirectUri();
    url.setPath(path);
    QUrlQuery q;
    for (const auto &[k, v] : items)
        q.addQueryItem(k, QString::fromUtf8(QUrl::toPercentEncoding(v)));
    url.setQuery(q);
    return url;
}

} // namespace

class TestLoopbackReceiver : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void redirectUriIsLoopbackWithEphemeralPort()
    {
        LoopbackReceiver a(kState), b(kState);
        a.listen();
        b.listen();
        QCOMPARE(a.redirectUri().scheme(), QStringLiteral("http"));
        QCOMPARE(a.redirectUri().host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(a.redirectUri().path(), QStringLiteral("/"));
        QVERIFY(a.redirectUri().port() > 0);
        QVERIFY(a.redirectUri().port() != b.redirectUri().port());
        QVERIFY(a.isListening());
    }

    void codeWithRightStateIsAcceptedAndAnsweredWithTheOutcome()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        // A code with characters that must survive decoding exactly once (Google's "4/0A…").
        QNetworkReply *reply = browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("4/0Ab+c d")},
                                                           {QStringLiteral("state"), QString::fromLatin1(kState)}}));
        const LoopbackReceiver::Callback cb = r.waitForCallback(10'000);
        QCOMPARE(cb.outcome, Outcome::Code);
        QCOMPARE(cb.code, QStringLiteral("4/0Ab+c d"));
        QCOMPARE(cb.refused, 0);
        QVERIFY(!r.isListening()); // one callback, then the port is closed
        QVERIFY(!reply->isFinished()); // held until the token exchange is done
        r.finish(true, QStringLiteral("SyncPilot is signed in. You can close this tab."));
        const Answer a = Browser::wait(reply);
        QCOMPARE(a.status, 200);
        QVERIFY(a.body.contains("SyncPilot is signed in. You can close this tab."));
    }

    void wrongStateIsRefusedAndNeverAccepted()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        const Answer wrong = Browser::wait(browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("evil-code")},
                                                                       {QStringLiteral("state"), QStringLiteral("right-state-0123456789abcdeX")}})));
        QCOMPARE(wrong.status, 400);
        QVERIFY(wrong.body.contains("state"));
        const Answer missing = Browser::wait(browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("evil-code")}})));
        QCOMPARE(missing.status, 400);
        QVERIFY(r.isListening()); // still waiting for the real one
        const LoopbackReceiver::Callback cb = r.waitForCallback(200);
        QCOMPARE(cb.outcome, Outcome::TimedOut);
        QCOMPARE(cb.refused, 2);
        QVERIFY(cb.code.isEmpty());
    }

    void wrongStateThenRightStateTakesOnlyTheRightOne()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        QCOMPARE(Browser::wait(browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("evil")},
                                                            {QStringLiteral("state"), QStringLiteral("forged")}}))).status,
                 400);
        QNetworkReply *good = browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("good")},
                                                          {QStringLiteral("state"), QString::fromLatin1(kState)}}));
        const LoopbackReceiver::Callback cb = r.waitForCallback(10'000);
        QCOMPARE(cb.outcome, Outcome::Code);
        QCOMPARE(cb.code, QStringLiteral("good"));
        QCOMPARE(cb.refused, 1);
        r.finish(false, QStringLiteral("exchange failed: invalid_grant"));
        const Answer a = Browser::wait(good);
        QVERIFY(a.body.contains("exchange failed: invalid_grant"));
    }

    void faviconIsNotTheCallback()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        // Even with a valid-looking query: only "/" is the callback.
        const Answer fav = Browser::wait(browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("x")},
                                                                     {QStringLiteral("state"), QString::fromLatin1(kState)}},
                                                                 QStringLiteral("/favicon.ico"))));
        QCOMPARE(fav.status, 404);
        QVERIFY(r.isListening());
        const LoopbackReceiver::Callback cb = r.waitForCallback(200);
        QCOMPARE(cb.outcome, Outcome::TimedOut);
        QCOMPARE(cb.refused, 0);
    }

    void otherMethodsAreRefused()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        const Answer a = Browser::wait(browser.post(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("x")},
                                                                    {QStringLiteral("state"), QString::fromLatin1(kState)}})));
        QCOMPARE(a.status, 405);
        QCOMPARE(r.waitForCallback(200).outcome, Outcome::TimedOut);
    }

    void providerErrorIsReported()
    {
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        QNetworkReply *reply = browser.get(callbackUrl(r, {{QStringLiteral("error"), QStringLiteral("access_denied")},
                                                           {QStringLiteral("error_description"), QStringLiteral("The user said no")},
                                                           {QStringLiteral("state"), QString::fromLatin1(kState)}}));
        const LoopbackReceiver::Callback cb = r.waitForCallback(10'000);
        QCOMPARE(cb.outcome, Outcome::Error);
        QCOMPARE(cb.error, QStringLiteral("access_denied"));
        QCOMPARE(cb.errorDescription, QStringLiteral("The user said no"));
        QVERIFY(cb.code.isEmpty());
        const Answer a = Browser::wait(reply);
        QCOMPARE(a.status, 200);
        QVERIFY(a.body.contains("access_denied"));
        QVERIFY(!r.isListening());
    }

    void errorWithWrongStateIsRefusedToo()
    {
        // Otherwise anyone who finds the port could abort a sign-in.
        LoopbackReceiver r(kState);
        r.listen();
        Browser browser;
        QCOMPARE(Browser::wait(browser.get(callbackUrl(r, {{QStringLiteral("error"), QStringLiteral("access_denied")},
                                                            {QStringLiteral("state"), QStringLiteral("nope")}}))).status,
                 400);
        const LoopbackReceiver::Callback cb = r.waitForCallback(200);
        QCOMPARE(cb.outcome, Outcome::TimedOut);
        QCOMPARE(cb.refused, 1);
    }

    void timeoutWithoutAnyRequest()
    {
        LoopbackReceiver r(kState);
        r.listen();
        const LoopbackReceiver::Callback cb = r.waitForCallback(100);
        QCOMPARE(cb.outcome, Outcome::TimedOut);
        QVERIFY(!r.isListening());
    }

    void abandonedSignInStillAnswersTheBrowser()
    {
        Browser browser;
        QNetworkReply *reply = nullptr;
        {
            LoopbackReceiver r(kState);
            r.listen();
            reply = browser.get(callbackUrl(r, {{QStringLiteral("code"), QStringLiteral("c")},
                                                {QStringLiteral("state"), QString::fromLatin1(kState)}}));
            QCOMPARE(r.waitForCallback(10'000).outcome, Outcome::Code);
        } // destroyed without finish()
        const Answer a = Browser::wait(reply);
        QCOMPARE(a.status, 200);
        QVERIFY(a.body.contains("stopped waiting"));
    }
};

QTEST_GUILESS_MAIN(TestLoopbackReceiver)
#include "tst_loopback_receiver.moc"
