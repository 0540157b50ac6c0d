// HttpClient against a real HTTP server on 127.0.0.1 that misbehaves as scripted: rate limits,
// server errors, resets, silence, slow bodies, broken JSON. Checks what is retried, how often,
// what the breaker and the rate limiter let through, and the class and words of each failure.
#include "FaultServer.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "net/HttpClient.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace sp;
using namespace sp::net;
using sp::test::FaultServer;
using Reply = FaultServer::Reply;

Q_DECLARE_METATYPE(sp::net::CircuitBreaker::State)

namespace {

const QByteArray okBody = QByteArrayLiteral("{\"ok\":true}");

// Fast retries, so a suite of failures stays well under a few seconds.
RetryPolicy fastRetries(int maxAttempts = 5)
{
    return RetryPolicy{.maxAttempts = maxAttempts, .baseDelayMs = 20, .maxDelayMs = 100, .maxRetryAfterMs = 5000};
}

HttpRequest get(const QUrl &url, int timeoutMs = 5000)
{
    HttpRequest r;
    r.url = url;
    r.timeoutMs = timeoutMs;
    return r;
}

} // namespace

class TstHttpFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<sp::net::CircuitBreaker::State>(); }

    void okPassesThrough()
    {
        FaultServer server;
        server.enqueue(Reply::json(200, okBody).header("X-Echo", "yes"));
        HttpClient http;
        HttpRequest request = get(server.url(QStringLiteral("/v1/things?a=1")));
        request.method = "POST";
        request.body = QByteArrayLiteral("{\"x\":1}");
        request.headers = {{"X-Custom", "42"}};
        const HttpResponse r = http.send(request);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.object().value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(r.header("x-echo"), QByteArray("yes"));
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.retries, 0);
        QVERIFY(r.message.isEmpty());
        QCOMPARE(server.requestCount(), 1);
        const FaultServer::Request seen = server.requests().constFirst();
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.target, QByteArray("/v1/things?a=1"));
        QCOMPARE(seen.body, QByteArray("{\"x\":1}"));
        QCOMPARE(seen.header("x-custom"), QByteArray("42"));
        QVERIFY(seen.header("Content-Type").startsWith("application/json"));
    }

    void rateLimitedHonoursRetryAfter()
    {
        FaultServer server;
        server.enqueue(Reply::json(429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}})").header("Retry-After", "1"));
        server.enqueue(Reply::json(200, okBody));
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/limited"))));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(r.retries, 1);
        QCOMPARE(r.http429, 1);
        // The 20 ms backoff would have retried at once; Retry-After: 1 is a floor.
        QVERIFY2(r.waitedMs >= 1000, qPrintable(QString::number(r.waitedMs)));
        const QList<FaultServer::Request> seen = server.requests();
        QCOMPARE(seen.size(), 2);
        QVERIFY2(seen.at(1).receivedAtMs - seen.at(0).receivedAtMs >= 1000,
                 qPrintable(QString::number(seen.at(1).receivedAtMs - seen.at(0).receivedAtMs)));
    }

    void retryAfterBeyondTheLimitIsReportedNotWaited()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(429, "{}").header("Retry-After", "600"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/slow-down"))));
        QCOMPARE(r.error, ErrorClass::Http429);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.http429, 1);
        QCOMPARE(r.waitedMs, 0);
        QCOMPARE(server.requestCount(), 1);
        QVERIFY2(r.message.contains(QLatin1String("600 s")) && r.message.contains(server.upstream()), qPrintable(r.message));
    }

    void serverErrorIsRetried()
    {
        FaultServer server;
        server.enqueue(Reply::json(500, "{}"));
        server.enqueue(Reply::json(200, okBody));
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/flaky"))));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.attempts, 2);
        QCOMPARE(r.retries, 1);
        QCOMPARE(r.http429, 0);
        QCOMPARE(server.requestCount(), 2);
    }

    void repeatedUnavailableGivesUp()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(503, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(4));
        http.setBreakerPolicy(BreakerPolicy{.failureThreshold = 100, .coolDownMs = 1000});
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/down"))));
        QCOMPARE(r.error, ErrorClass::Http5xx);
        QCOMPARE(errorClassName(r.error), QStringLiteral("http_5xx"));
        QCOMPARE(r.status, 503);
        QCOMPARE(r.attempts, 4);
        QCOMPARE(r.retries, 3);
        QCOMPARE(server.requestCount(), 4);
        QVERIFY2(r.message.startsWith(server.upstream() + QLatin1String(": server error (503)")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QLatin1String("gave up after 4 attempts")), qPrintable(r.message));
    }

    void repeatedRateLimitGivesUpWithCounts()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(429, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(3));
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/limited"))));
        QCOMPARE(r.error, ErrorClass::Http429);
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.http429, 3);
        QCOMPARE(r.message, server.upstream() + QLatin1String(": rate limited (429), gave up after 3 attempts"));
    }

    void connectionResetIsRetried()
    {
        // Qt resends a request on a reset connection by itself (at most twice) before it reports
        // the reset, so the server resets four times to make sure HttpClient sees one.
        FaultServer server;
        server.setHandler([&server](const FaultServer::Request &) {
            return server.requestCount() <= 4 ? Reply::reset() : Reply::json(200, okBody);
        });
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/reset-a-while"))));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.body, okBody);
        QVERIFY(r.attempts >= 2);
        QCOMPARE(r.retries, r.attempts - 1);
        QVERIFY(server.requestCount() >= r.attempts);
    }

    void connectionResetEveryTimeIsNetwork()
    {
        FaultServer server;
        // Headers and part of the body, then a reset.
        server.setHandler([](const FaultServer::Request &) { return Reply::resetMidBody(); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(3));
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/reset"))));
        QCOMPARE(r.error, ErrorClass::Network);
        QCOMPARE(errorClassName(r.error), QStringLiteral("network"));
        QCOMPARE(r.attempts, 3);
        QVERIFY(server.requestCount() >= 3);
        // Qt reports the cut as a reset, or ends the reply quietly with a short body: both are
        // network errors, never a 200.
        QVERIFY2(r.message.startsWith(server.upstream() + QLatin1String(": ")) && r.message.endsWith(QLatin1String("gave up after 3 attempts")),
                 qPrintable(r.message));
    }

    void resetBeforeAnsweringIsNetwork()
    {
        // Reset right after the request: Qt resends once by itself on a fresh connection, so the
        // server may see one request more than HttpClient counts; never fewer.
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::reset(); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(3));
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/reset"))));
        QCOMPARE(r.error, ErrorClass::Network);
        QCOMPARE(r.status, 0);
        QCOMPARE(r.attempts, 3);
        QVERIFY(server.requestCount() >= 3);
        QVERIFY2(r.message.startsWith(server.upstream() + QLatin1String(": connection reset")), qPrintable(r.message));
    }

    void connectionRefusedIsNetwork()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        } // closed: nothing listens there now
        HttpClient http;
        http.setRetryPolicy(fastRetries(2));
        const HttpResponse r = http.send(get(QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(port))));
        QCOMPARE(r.error, ErrorClass::Network);
        QCOMPARE(r.attempts, 2);
        QVERIFY2(r.message.startsWith(QStringLiteral("127.0.0.1:%1: connection refused").arg(port)), qPrintable(r.message));
    }

    void silentServerTimesOut()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::hang(); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(2));
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/hang")), 300));
        QCOMPARE(r.error, ErrorClass::Timeout);
        QCOMPARE(errorClassName(r.error), QStringLiteral("timeout"));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(server.requestCount(), 2);
        QVERIFY2(r.message.contains(QLatin1String("within 0.3 s (timeout)")) && r.message.startsWith(server.upstream()),
                 qPrintable(r.message));
    }

    void slowBodyTimesOut()
    {
        // Every byte arrives 20 ms after the last, so no single gap is long; the whole answer
        // would take 4 s, far beyond the 400 ms the request may take.
        FaultServer server;
        server.enqueue(Reply::slowBody(200, QByteArray(200, 'x'), 20));
        HttpClient http;
        http.setRetryPolicy(fastRetries(1));
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/trickle")), 400));
        QCOMPARE(r.error, ErrorClass::Timeout);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(server.requestCount(), 1);
    }

    void slowBodyWithinTheTimeoutIsFine()
    {
        FaultServer server;
        server.enqueue(Reply::slowBody(200, okBody, 5, 2));
        HttpClient http;
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/trickle")), 5000));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.body, okBody);
    }

    void malformedJsonIsNotRetried()
    {
        FaultServer server;
        server.enqueue(Reply::malformedJson());
        server.enqueue(Reply::json(200, okBody));
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/broken"))));
        QCOMPARE(r.error, ErrorClass::Malformed);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(r.message, server.upstream() + QLatin1String(": answered 200 but the body is not JSON (malformed)"));
    }

    void nonIdempotentIsResentOnlyAfter429()
    {
        // A POST that creates things must not run twice: a 500 may have been applied.
        FaultServer server;
        server.enqueue(Reply::json(500, "{\"error\":true}"));
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        HttpRequest request = get(server.url(QStringLiteral("/create")));
        request.method = "POST";
        request.body = "{}";
        request.idempotent = false;
        HttpResponse r = http.send(request);
        QCOMPARE(r.error, ErrorClass::Http5xx);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(server.requestCount(), 1);
        QVERIFY2(r.message.contains(QLatin1String("may have been applied")), qPrintable(r.message));
        // …but a 429 says nothing was processed: that is resent.
        server.enqueue(Reply::json(429, "{}").header("Retry-After", "0"));
        server.enqueue(Reply::json(200, okBody));
        r = http.send(request);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(r.http429, 1);
        QCOMPARE(server.requestCount(), 3);
    }

    void nonJsonIsFineWhenNotExpected()
    {
        FaultServer server;
        server.enqueue(Reply::text(200, "plain words"));
        HttpClient http;
        HttpRequest request = get(server.url(QStringLiteral("/text")));
        request.expectJson = false;
        const HttpResponse r = http.send(request);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.body, QByteArray("plain words"));
    }

    void clientErrorsAreNotRetried_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("errorClass");
        QTest::newRow("400") << 400 << int(ErrorClass::Http4xx);
        QTest::newRow("404") << 404 << int(ErrorClass::Http4xx);
        QTest::newRow("409") << 409 << int(ErrorClass::Http4xx);
        QTest::newRow("403") << 403 << int(ErrorClass::Auth);
        QTest::newRow("401 without sign-in") << 401 << int(ErrorClass::Auth);
    }

    void clientErrorsAreNotRetried()
    {
        QFETCH(int, status);
        QFETCH(int, errorClass);
        FaultServer server;
        server.enqueue(Reply::json(status, R"({"error":{"message":"no"}})"));
        server.enqueue(Reply::json(200, okBody));
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/wrong"))));
        QCOMPARE(int(r.error), errorClass);
        QCOMPARE(r.status, status);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(server.requestCount(), 1);
        QVERIFY(r.message.startsWith(server.upstream() + QLatin1String(": ")));
        QVERIFY2(r.message.contains(QString::number(status)), qPrintable(r.message));
        // The error body is kept for the per-API clients to refine the message.
        QCOMPARE(r.json.object().value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
                 QStringLiteral("no"));
    }

    void unauthorisedRefreshesOnceThenSucceeds()
    {
        FaultServer server;
        server.enqueue(Reply::json(401, "{}"));
        server.enqueue(Reply::json(200, okBody));
        HttpClient http;
        int calls = 0;
        int refreshes = 0;
        http.setAuthProvider(server.upstream(), [&](bool forceRefresh) {
            ++calls;
            if (forceRefresh)
                ++refreshes;
            return refreshes ? QByteArray("Bearer fresh") : QByteArray("Bearer stale");
        });
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/me"))));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(refreshes, 1);
        QCOMPARE(calls, 2);
        QCOMPARE(r.attempts, 2);
        QCOMPARE(server.requests().at(0).header("Authorization"), QByteArray("Bearer stale"));
        QCOMPARE(server.requests().at(1).header("Authorization"), QByteArray("Bearer fresh"));
    }

    void unauthorisedTwiceIsAuth()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(401, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        int refreshes = 0;
        http.setAuthProvider(server.upstream(), [&](bool forceRefresh) {
            refreshes += forceRefresh ? 1 : 0;
            return QByteArray("Bearer t");
        });
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/me"))));
        QCOMPARE(r.error, ErrorClass::Auth);
        QCOMPARE(refreshes, 1);
        QCOMPARE(r.attempts, 2);
        QCOMPARE(server.requestCount(), 2);
        QVERIFY2(r.message.contains(QLatin1String("401")) && r.message.contains(QLatin1String("refresh")), qPrintable(r.message));
    }

    void failingSignInSendsNothing()
    {
        FaultServer server;
        HttpClient http;
        http.setAuthProvider(server.upstream(), [](bool) -> QByteArray { sp::fail(QStringLiteral("the refresh token was revoked")); });
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/me"))));
        QCOMPARE(r.error, ErrorClass::Auth);
        QCOMPARE(r.attempts, 0);
        QCOMPARE(server.requestCount(), 0);
        QVERIFY2(r.message.contains(QLatin1String("the refresh token was revoked")), qPrintable(r.message));
    }

    void breakerOpensThenProbes()
    {
        FaultServer server;
        bool healthy = false;
        server.setHandler([&](const FaultServer::Request &) { return healthy ? Reply::json(200, okBody) : Reply::json(503, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(1));
        http.setBreakerPolicy(BreakerPolicy{.failureThreshold = 3, .coolDownMs = 700});
        QSignalSpy changes(&http, &HttpClient::breakerChanged);
        const QUrl url = server.url(QStringLiteral("/svc"));

        for (int i = 0; i < 3; ++i)
            QCOMPARE(http.send(get(url)).error, ErrorClass::Http5xx);
        QCOMPARE(http.breakerState(server.upstream()), CircuitBreaker::State::Open);
        QCOMPARE(http.openBreakers(), QStringList{server.upstream()});
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.at(0).at(0).toString(), server.upstream());
        QCOMPARE(changes.at(0).at(1).value<CircuitBreaker::State>(), CircuitBreaker::State::Open);

        healthy = true;
        for (int i = 0; i < 3; ++i) {
            const HttpResponse r = http.send(get(url));
            QCOMPARE(r.error, ErrorClass::CircuitOpen);
            QCOMPARE(r.attempts, 0);
            QVERIFY2(r.message.startsWith(server.upstream() + QLatin1String(": circuit breaker open")) && r.message.contains(QLatin1String("probe")),
                     qPrintable(r.message));
        }
        QCOMPARE(server.requestCount(), 3); // nothing reached the server while open

        QTRY_COMPARE_WITH_TIMEOUT(http.breakerState(server.upstream()), CircuitBreaker::State::HalfOpen, 5000);
        const HttpResponse probe = http.send(get(url));
        QVERIFY2(probe.ok(), qPrintable(probe.message));
        QCOMPARE(server.requestCount(), 4);
        QCOMPARE(http.breakerState(server.upstream()), CircuitBreaker::State::Closed);
        QVERIFY(http.openBreakers().isEmpty());
        QCOMPARE(changes.size(), 3);
        QCOMPARE(changes.at(1).at(1).value<CircuitBreaker::State>(), CircuitBreaker::State::HalfOpen);
        QCOMPARE(changes.at(2).at(1).value<CircuitBreaker::State>(), CircuitBreaker::State::Closed);
    }

    void failedProbeReopens()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(500, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(1));
        http.setBreakerPolicy(BreakerPolicy{.failureThreshold = 2, .coolDownMs = 300});
        const QUrl url = server.url(QStringLiteral("/svc"));
        http.send(get(url));
        http.send(get(url));
        QCOMPARE(http.breakerState(server.upstream()), CircuitBreaker::State::Open);
        QTRY_COMPARE_WITH_TIMEOUT(http.breakerState(server.upstream()), CircuitBreaker::State::HalfOpen, 5000);
        // Two at once while half-open: one probe goes, the other is refused without being sent.
        const QList<HttpResponse> rs = http.sendAll({get(url), get(url)});
        QCOMPARE(server.requestCount(), 3);
        QCOMPARE(rs.at(0).error, ErrorClass::Http5xx);
        QCOMPARE(rs.at(1).error, ErrorClass::CircuitOpen);
        QCOMPARE(http.breakerState(server.upstream()), CircuitBreaker::State::Open);
    }

    void breakerStopsRetriesMidway()
    {
        // Retries count towards the breaker: a request that keeps failing opens it and stops.
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(502, "{}"); });
        HttpClient http;
        http.setRetryPolicy(fastRetries(10));
        http.setBreakerPolicy(BreakerPolicy{.failureThreshold = 3, .coolDownMs = 60'000});
        const HttpResponse r = http.send(get(server.url(QStringLiteral("/svc"))));
        QCOMPARE(r.error, ErrorClass::Http5xx);
        QCOMPARE(r.attempts, 3);
        QCOMPARE(server.requestCount(), 3);
        QVERIFY2(r.message.contains(QLatin1String("circuit breaker")), qPrintable(r.message));
    }

    void rateLimiterSpacesRequests()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(200, okBody); });
        HttpClient http;
        http.setRateLimit(server.upstream(), RateLimit{.perMinute = 60, .burst = 2});
        const QUrl url = server.url(QStringLiteral("/paced"));
        qint64 waited = 0;
        for (int i = 0; i < 4; ++i) {
            const HttpResponse r = http.send(get(url));
            QVERIFY2(r.ok(), qPrintable(r.message));
            waited += r.waitedMs;
        }
        const QList<FaultServer::Request> seen = server.requests();
        QCOMPARE(seen.size(), 4);
        // Two at once (the burst), then one a second: the 4th is ~2 s after the 1st.
        QVERIFY2(seen.at(3).receivedAtMs - seen.at(0).receivedAtMs >= 1800,
                 qPrintable(QString::number(seen.at(3).receivedAtMs - seen.at(0).receivedAtMs)));
        QVERIFY2(seen.at(2).receivedAtMs - seen.at(0).receivedAtMs >= 800,
                 qPrintable(QString::number(seen.at(2).receivedAtMs - seen.at(0).receivedAtMs)));
        QVERIFY2(waited >= 1800, qPrintable(QString::number(waited)));

        // Another upstream is not slowed down by this one's limit.
        FaultServer other;
        other.setHandler([](const FaultServer::Request &) { return Reply::json(200, okBody); });
        const QList<HttpResponse> free = http.sendAll({get(other.url()), get(other.url()), get(other.url())});
        for (const HttpResponse &r : free)
            QCOMPARE(r.waitedMs, 0);
    }

    void sendAllBoundsConcurrencyAndKeepsOrder()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &request) {
            return Reply::json(200, "{\"path\":\"" + request.path() + "\"}").delayed(80);
        });
        HttpClient http;
        http.setMaxConcurrency(3);
        QList<HttpRequest> requests;
        for (int i = 0; i < 10; ++i)
            requests << get(server.url(QStringLiteral("/item/%1").arg(i)));
        const QList<HttpResponse> responses = http.sendAll(requests);
        QCOMPARE(responses.size(), 10);
        for (int i = 0; i < 10; ++i) {
            QVERIFY2(responses.at(i).ok(), qPrintable(responses.at(i).message));
            QCOMPARE(responses.at(i).json.object().value(QLatin1String("path")).toString(), QStringLiteral("/item/%1").arg(i));
        }
        QCOMPARE(server.requestCount(), 10);
        QVERIFY2(server.maxInFlight() <= 3, qPrintable(QString::number(server.maxInFlight())));
        QVERIFY2(server.maxInFlight() >= 2, qPrintable(QString::number(server.maxInFlight()))); // it did run in parallel
    }

    void sendAllMixesOutcomes()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &request) {
            if (request.path().endsWith("/bad"))
                return Reply::json(400, "{}");
            return Reply::json(200, okBody);
        });
        HttpClient http;
        http.setRetryPolicy(fastRetries());
        const QList<HttpResponse> rs =
            http.sendAll({get(server.url(QStringLiteral("/a"))), get(server.url(QStringLiteral("/bad"))), get(server.url(QStringLiteral("/c")))});
        QVERIFY(rs.at(0).ok());
        QCOMPARE(rs.at(1).error, ErrorClass::Http4xx);
        QVERIFY(rs.at(2).ok());
        QVERIFY(http.sendAll({}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstHttpFaults)
#include "tst_http_faults.moc"
