#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>

class QDateTime;
class QNetworkAccessManager;
class QRandomGenerator;

namespace sp::net {

// Why a request did not succeed, in the words run records, guardrails and messages use.
enum class ErrorClass {
    None,
    Network,     // connection refused / reset, DNS, TLS: retried
    Timeout,     // no complete answer within the request's timeout: retried
    Http429,     // rate limited: retried after Retry-After
    Http5xx,     // server error: retried
    Http4xx,     // the request is wrong (400, 404, 409, …): not retried
    Auth,        // 401 after one refresh, or 403: not retried
    Malformed,   // 2xx whose body is not the JSON the caller expects: not retried
    CircuitOpen, // the upstream's breaker is open: not sent at all
};

// "network", "timeout", "http_429", "http_5xx", "http_4xx", "auth", "malformed", "circuit_open", "".
QString errorClassName(ErrorClass error);
bool isRetryable(ErrorClass error); // Network, Timeout, Http429, Http5xx

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    // The rate limiter and circuit breaker key. Empty: defaultUpstream(url).
    QString upstream;
    int timeoutMs = 30'000; // whole request, body included (a slow body times out too)
    bool expectJson = true; // a 2xx whose body is not JSON is ErrorClass::Malformed
    // false for a request that must not run twice (Figma's POST …/variables creates variables):
    // only a 429, which says the request was not processed, is retried; a 5xx, a timeout or a
    // reset may have been applied, so the caller re-reads the state instead of resending.
    bool idempotent = true;
};

// "host:port" of url, the port defaulting to the scheme's (https 443, http 80), so
// "https://sheets.googleapis.com/…" is upstream "sheets.googleapis.com:443".
QString defaultUpstream(const QUrl &url);

struct HttpResponse
{
    int status = 0;           // last HTTP status, 0 when none arrived
    QByteArray body;          // last body received (also for errors: Google/Figma error JSON)
    QJsonDocument json;       // parsed body when it is JSON
    QList<std::pair<QByteArray, QByteArray>> headers;
    ErrorClass error = ErrorClass::None;
    QString message;          // translated, names the upstream and what happened; empty when ok
    int attempts = 0;         // requests actually sent
    int retries = 0;          // attempts - 1 when retried
    int http429 = 0;          // how many answers were 429
    qint64 waitedMs = 0;      // time spent in backoff and rate limiting

    bool ok() const { return error == ErrorClass::None; }
    QByteArray header(const QByteArray &name) const; // case-insensitive, empty if absent
};

// Exponential backoff with full jitter (delay = random(0 .. min(maxDelay, base * 2^n))), with
// Retry-After (seconds or HTTP date) taking precedence when the server sends it.
struct RetryPolicy
{
    int maxAttempts = 5;
    int baseDelayMs = 500;
    int maxDelayMs = 32'000;
    int maxRetryAfterMs = 120'000; // a longer Retry-After is reported, not waited for
};

// The wait before retry number retryIndex (0 for the first retry): full jitter over
// [0, min(maxDelayMs, baseDelayMs * 2^retryIndex)].
qint64 backoffDelayMs(const RetryPolicy &policy, int retryIndex, QRandomGenerator &random);
// Retry-After as delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), in ms
// from now (never negative); -1 when absent or unreadable.
qint64 retryAfterMs(const QByteArray &value, const QDateTime &nowUtc);

// Open after failureThreshold consecutive retryable failures of one upstream; after coolDownMs
// one probe request is let through (half-open): success closes, failure re-opens.
struct BreakerPolicy
{
    int failureThreshold = 5;
    int coolDownMs = 30'000;
};

// Token bucket: `perMinute` requests refilled evenly, up to `burst` at once. perMinute 0 = off.
struct RateLimit
{
    double perMinute = 0;
    int burst = 1;
};

class CircuitBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };
    explicit CircuitBreaker(BreakerPolicy policy = {}) : m_policy(policy) {}
    // May a request go now? In Open state after the cool-down, lets exactly one probe through.
    bool allow(qint64 nowMs);
    void recordSuccess();
    void recordFailure(qint64 nowMs);
    // The probe that allow() let through was never sent (e.g. no sign-in): let the next one try.
    void cancelProbe();
    // Open past its cool-down reads as HalfOpen (a probe may go).
    State state(qint64 nowMs) const;
    State storedState() const { return m_state; }
    qint64 openedAtMs() const { return m_openedAt; }
    // Consecutive failures counted since the last success.
    int failures() const { return m_failures; }

private:
    BreakerPolicy m_policy;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openedAt = 0;
    bool m_probeInFlight = false;
};

class TokenBucket
{
public:
    explicit TokenBucket(RateLimit limit = {}) : m_limit(limit) {}
    // Takes one token; returns how many ms the caller must wait first (0 when one was available).
    qint64 take(qint64 nowMs);
    bool enabled() const { return m_limit.perMinute > 0; }

private:
    RateLimit m_limit;
    double m_tokens = -1; // -1: full on first use
    qint64 m_lastMs = 0;
    bool m_started = false; // m_tokens is a real balance (it can be -1 after a reservation)
};

// The one door to every upstream (Google, Figma, the OAuth server): retries, breaker, rate limit
// and bounded concurrency in one place, so no client can forget them. Blocking calls that spin a
// local event loop: use from the thread that created the client (the CLI's main thread, the sync
// worker thread); never from the GUI thread.
class HttpClient : public QObject
{
    Q_OBJECT

public:
    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    void setRetryPolicy(const RetryPolicy &policy);
    void setBreakerPolicy(const BreakerPolicy &policy);
    void setRateLimit(const QString &upstream, const RateLimit &limit);
    void setMaxConcurrency(int n); // sendAll runs at most n requests at once (default 4)
    // Tests: a fixed seed for the jitter (the waits show in HttpResponse::waitedMs).
    void setRandomSeed(quint32 seed);

    // Called for requests to `upstream` to get the Authorization header value ("Bearer …").
    // forceRefresh is true after a 401: the provider refreshes once, the request is retried once.
    // A provider that throws sp::Error fails the request with ErrorClass::Auth and its message.
    using AuthProvider = std::function<QByteArray(bool forceRefresh)>;
    void setAuthProvider(const QString &upstream, AuthProvider provider);

    HttpResponse send(const HttpRequest &request);
    // Sends all, at most maxConcurrency at once; responses in request order.
    QList<HttpResponse> sendAll(const QList<HttpRequest> &requests);

    CircuitBreaker::State breakerState(const QString &upstream) const;
    // Upstreams whose breaker is open or half-open right now.
    QStringList openBreakers() const;
    // Every upstream this client has sent to (or refused to send to), sorted.
    QStringList knownUpstreams() const;
    // Consecutive failures the upstream's breaker has counted (0 for an unknown upstream).
    int breakerFailures(const QString &upstream) const;
    // The last retryable failure of the upstream, in words (HttpResponse::message: host and what
    // happened, never a header or token); empty when none was seen.
    QString breakerLastError(const QString &upstream) const;

Q_SIGNALS:
    // A breaker changed state (for the GUI and run records).
    void breakerChanged(const QString &upstream, sp::net::CircuitBreaker::State state);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace sp::net
