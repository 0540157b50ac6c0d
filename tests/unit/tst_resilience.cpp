// The resilience building blocks with explicit times: circuit breaker states, token-bucket
// arithmetic, backoff jitter bounds, Retry-After parsing.
#include "net/CallStats.h"
#include "net/HttpClient.h"
#include "net/RequestError.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

using namespace sp;
using namespace sp::net;
using State = CircuitBreaker::State;

class TstResilience : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void breakerOpensAfterConsecutiveFailures()
    {
        CircuitBreaker b(BreakerPolicy{.failureThreshold = 3, .coolDownMs = 1000});
        QVERIFY(b.allow(0));
        b.recordFailure(10);
        b.recordFailure(20);
        QCOMPARE(b.state(20), State::Closed);
        b.recordSuccess(); // not consecutive any more
        b.recordFailure(30);
        b.recordFailure(40);
        QCOMPARE(b.state(40), State::Closed);
        QVERIFY(b.allow(40));
        b.recordFailure(50); // third in a row
        QCOMPARE(b.state(50), State::Open);
        QCOMPARE(b.openedAtMs(), 50);
        QVERIFY(!b.allow(51));
        QVERIFY(!b.allow(1049));
        QCOMPARE(b.state(1049), State::Open);
    }

    void breakerHalfOpenLetsOneProbe()
    {
        CircuitBreaker b(BreakerPolicy{.failureThreshold = 2, .coolDownMs = 1000});
        b.recordFailure(0);
        b.recordFailure(100);
        QCOMPARE(b.storedState(), State::Open);
        QCOMPARE(b.state(1100), State::HalfOpen); // cool-down over: a probe may go
        QVERIFY(b.allow(1100));
        QCOMPARE(b.storedState(), State::HalfOpen);
        QVERIFY(!b.allow(1101)); // only one probe at a time
        QVERIFY(!b.allow(5000));

        b.recordFailure(1200); // the probe failed: open again, a fresh cool-down
        QCOMPARE(b.state(1200), State::Open);
        QCOMPARE(b.openedAtMs(), 1200);
        QVERIFY(!b.allow(2199));
        QVERIFY(b.allow(2200));
        b.recordSuccess(); // the probe worked
        QCOMPARE(b.state(2300), State::Closed);
        QVERIFY(b.allow(2300));
        QVERIFY(b.allow(2300));
        b.recordFailure(2400); // the count started over
        QCOMPARE(b.state(2400), State::Closed);
    }

    void breakerCancelledProbeFreesTheSlot()
    {
        CircuitBreaker b(BreakerPolicy{.failureThreshold = 1, .coolDownMs = 100});
        b.recordFailure(0);
        QVERIFY(b.allow(100));
        QVERIFY(!b.allow(100));
        b.cancelProbe();
        QCOMPARE(b.storedState(), State::HalfOpen);
        QVERIFY(b.allow(101));
    }

    void breakerWithZeroThresholdNeverOpens()
    {
        CircuitBreaker b(BreakerPolicy{.failureThreshold = 0, .coolDownMs = 100});
        for (int i = 0; i < 50; ++i)
            b.recordFailure(i);
        QCOMPARE(b.state(50), State::Closed);
        QVERIFY(b.allow(50));
    }

    void bucketDisabledNeverWaits()
    {
        TokenBucket bucket;
        QVERIFY(!bucket.enabled());
        for (int i = 0; i < 100; ++i)
            QCOMPARE(bucket.take(0), 0);
    }

    void bucketBurstThenEvenSpacing()
    {
        TokenBucket bucket(RateLimit{.perMinute = 60, .burst = 2}); // one token a second
        QVERIFY(bucket.enabled());
        QCOMPARE(bucket.take(0), 0);
        QCOMPARE(bucket.take(0), 0);
        QCOMPARE(bucket.take(0), 1000); // reserved: the caller goes at t = 1 s
        QCOMPARE(bucket.take(0), 2000); // queues behind the previous reservation
        QCOMPARE(bucket.take(500), 2500);
        // At 10 s the balance (-3 + 10 refilled) is capped at the burst of 2.
        QCOMPARE(bucket.take(10'000), 0);
        QCOMPARE(bucket.take(10'000), 0);
        QCOMPARE(bucket.take(10'000), 1000);
    }

    void bucketFractionalRefill()
    {
        TokenBucket bucket(RateLimit{.perMinute = 120, .burst = 1}); // one token per 500 ms
        QCOMPARE(bucket.take(1000), 0);
        QCOMPARE(bucket.take(1100), 400); // 0.2 refilled, 0.8 missing
        QCOMPARE(bucket.take(1500), 500); // the previous caller holds the token due at 1500
        QCOMPARE(bucket.take(100'000), 0);
    }

    void bucketStartingAtTimeZeroIsFullOnce()
    {
        // The first use fills the bucket; a later negative balance must not look like "unused".
        TokenBucket bucket(RateLimit{.perMinute = 60, .burst = 1});
        QCOMPARE(bucket.take(0), 0);
        QCOMPARE(bucket.take(0), 1000);
        QCOMPARE(bucket.take(0), 2000);
    }

    void jitterStaysWithinTheCap()
    {
        const RetryPolicy policy{.maxAttempts = 5, .baseDelayMs = 100, .maxDelayMs = 1000, .maxRetryAfterMs = 1000};
        QRandomGenerator random(42);
        for (int retry = 0; retry < 8; ++retry) {
            const qint64 cap = std::min<qint64>(1000, 100LL << retry);
            qint64 low = cap;
            qint64 high = 0;
            for (int i = 0; i < 400; ++i) {
                const qint64 d = backoffDelayMs(policy, retry, random);
                QVERIFY2(d >= 0 && d <= cap, qPrintable(QStringLiteral("retry %1: %2 outside [0, %3]").arg(retry).arg(d).arg(cap)));
                low = std::min(low, d);
                high = std::max(high, d);
            }
            // Full jitter uses the whole range, not just its top.
            QVERIFY2(low < cap / 4, qPrintable(QString::number(low)));
            QVERIFY2(high > cap * 3 / 4, qPrintable(QString::number(high)));
        }
    }

    void jitterIsReproducibleWithASeed()
    {
        const RetryPolicy policy{.maxAttempts = 5, .baseDelayMs = 50, .maxDelayMs = 32'000, .maxRetryAfterMs = 1000};
        QRandomGenerator a(7);
        QRandomGenerator b(7);
        QRandomGenerator c(8);
        QList<qint64> first, second, other;
        for (int retry = 0; retry < 10; ++retry) {
            first << backoffDelayMs(policy, retry, a);
            second << backoffDelayMs(policy, retry, b);
            other << backoffDelayMs(policy, retry, c);
        }
        QCOMPARE(first, second);
        QVERIFY(first != other);
    }

    void jitterEdgeCases()
    {
        QRandomGenerator random(1);
        const RetryPolicy zero{.maxAttempts = 5, .baseDelayMs = 0, .maxDelayMs = 1000, .maxRetryAfterMs = 1000};
        QCOMPARE(backoffDelayMs(zero, 3, random), 0);
        const RetryPolicy big{.maxAttempts = 5, .baseDelayMs = 500, .maxDelayMs = 32'000, .maxRetryAfterMs = 1000};
        for (int i = 0; i < 100; ++i)
            QVERIFY(backoffDelayMs(big, 1000, random) <= 32'000); // no shift overflow
    }

    void retryAfterForms_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("seconds") << QByteArray("1") << qint64(1000);
        QTest::newRow("spaces") << QByteArray(" 120 ") << qint64(120'000);
        QTest::newRow("zero") << QByteArray("0") << qint64(0);
        QTest::newRow("imf-fixdate") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << qint64(30'000);
        QTest::newRow("rfc850") << QByteArray("Wednesday, 21-Oct-15 07:28:00 GMT") << qint64(30'000);
        QTest::newRow("asctime") << QByteArray("Wed Oct 21 07:28:00 2015") << qint64(30'000);
        QTest::newRow("past date") << QByteArray("Wed, 21 Oct 2015 07:00:00 GMT") << qint64(0);
        QTest::newRow("empty") << QByteArray("") << qint64(-1);
        QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
        QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    }

    void retryAfterForms()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, expected);
        const QDateTime now(QDate(2015, 10, 21), QTime(7, 27, 30), Qt::UTC);
        QCOMPARE(retryAfterMs(value, now), expected);
    }

    void errorClasses()
    {
        QCOMPARE(errorClassName(ErrorClass::Http429), QStringLiteral("http_429"));
        QCOMPARE(errorClassName(ErrorClass::Http5xx), QStringLiteral("http_5xx"));
        QCOMPARE(errorClassName(ErrorClass::CircuitOpen), QStringLiteral("circuit_open"));
        QCOMPARE(errorClassName(ErrorClass::None), QString());
        for (ErrorClass e : {ErrorClass::Network, ErrorClass::Timeout, ErrorClass::Http429, ErrorClass::Http5xx})
            QVERIFY(isRetryable(e));
        for (ErrorClass e : {ErrorClass::None, ErrorClass::Http4xx, ErrorClass::Auth, ErrorClass::Malformed, ErrorClass::CircuitOpen})
            QVERIFY(!isRetryable(e));
    }

    void upstreamNames()
    {
        QCOMPARE(defaultUpstream(QUrl(QStringLiteral("https://sheets.googleapis.com/v4/x"))), QStringLiteral("sheets.googleapis.com:443"));
        QCOMPARE(defaultUpstream(QUrl(QStringLiteral("http://example.com/"))), QStringLiteral("example.com:80"));
        QCOMPARE(defaultUpstream(QUrl(QStringLiteral("http://127.0.0.1:4567/a"))), QStringLiteral("127.0.0.1:4567"));
    }

    void responseHeaderIsCaseInsensitive()
    {
        HttpResponse r;
        r.headers = {{"Content-Type", "application/json"}, {"retry-after", "3"}};
        QCOMPARE(r.header("Retry-After"), QByteArray("3"));
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QVERIFY(r.header("X-Missing").isEmpty());
    }

    void callStatsAddUp()
    {
        CallStats stats;
        HttpResponse a;
        a.attempts = 3;
        a.retries = 2;
        a.http429 = 1;
        HttpResponse b;
        b.attempts = 1;
        stats.add(a);
        stats.add(b);
        QCOMPARE(stats.apiCalls, 4);
        QCOMPARE(stats.retries, 2);
        QCOMPARE(stats.http429, 1);
    }

    void requestErrorKinds()
    {
        HttpResponse bad;
        bad.status = 400;
        bad.error = ErrorClass::Http4xx;
        bad.message = QStringLiteral("x: request rejected (400)");
        const RequestError invalidInput(bad);
        QCOMPARE(invalidInput.kind(), ErrorKind::InvalidInput);
        QCOMPARE(invalidInput.errorClass(), ErrorClass::Http4xx);
        QCOMPARE(invalidInput.message(), bad.message);

        HttpResponse down;
        down.status = 503;
        down.error = ErrorClass::Http5xx;
        const RequestError failure(down, QStringLiteral("refined"));
        QCOMPARE(failure.kind(), ErrorKind::Failure);
        QCOMPARE(failure.message(), QStringLiteral("refined"));
        QCOMPARE(failure.response().status, 503);
    }
};

QTEST_GUILESS_MAIN(TstResilience)
#include "tst_resilience.moc"
