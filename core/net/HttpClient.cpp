#include "net/HttpClient.h"

#include "common/Error.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonParseError>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <vector>

namespace sp::net {

QString errorClassName(ErrorClass error)
{
    switch (error) {
    case ErrorClass::None: return {};
    case ErrorClass::Network: return QStringLiteral("network");
    case ErrorClass::Timeout: return QStringLiteral("timeout");
    case ErrorClass::Http429: return QStringLiteral("http_429");
    case ErrorClass::Http5xx: return QStringLiteral("http_5xx");
    case ErrorClass::Http4xx: return QStringLiteral("http_4xx");
    case ErrorClass::Auth: return QStringLiteral("auth");
    case ErrorClass::Malformed: return QStringLiteral("malformed");
    case ErrorClass::CircuitOpen: return QStringLiteral("circuit_open");
    }
    return {};
}

bool isRetryable(ErrorClass error)
{
    return error == ErrorClass::Network || error == ErrorClass::Timeout || error == ErrorClass::Http429
        || error == ErrorClass::Http5xx;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

QString defaultUpstream(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    const int port = url.port(scheme == QLatin1String("https") ? 443 : scheme == QLatin1String("http") ? 80 : -1);
    return port == -1 ? url.host() : url.host() + u':' + QString::number(port);
}

qint64 backoffDelayMs(const RetryPolicy &policy, int retryIndex, QRandomGenerator &random)
{
    const int shift = std::clamp(retryIndex, 0, 30);
    const qint64 cap = std::min<qint64>(policy.maxDelayMs, qint64(std::max(0, policy.baseDelayMs)) << shift);
    if (cap <= 0)
        return 0;
    return qint64(random.bounded(quint32(cap) + 1));
}

qint64 retryAfterMs(const QByteArray &value, const QDateTime &nowUtc)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    bool isNumber = true;
    for (const char c : v)
        isNumber = isNumber && c >= '0' && c <= '9';
    if (isNumber) {
        bool ok = false;
        const qint64 seconds = v.toLongLong(&ok);
        // An absurd number of seconds is still "much too long", not "unreadable".
        return ok ? seconds * 1000 : std::numeric_limits<qint64>::max();
    }
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") first; RFC 850 and asctime are obsolete but
    // a server may still send them.
    QString text = QString::fromLatin1(v);
    QDateTime at = QDateTime::fromString(QString(text).replace(QLatin1String(" GMT"), QLatin1String(" +0000")),
                                         Qt::RFC2822Date);
    const QLocale c = QLocale::c();
    if (!at.isValid()) {
        // Without the weekday: with a two-digit year it would not match the century Qt picks.
        const QString date = text.mid(text.indexOf(u',') + 1).trimmed();
        at = c.toDateTime(date, QStringLiteral("dd-MMM-yy HH:mm:ss 'GMT'"));
        if (at.isValid() && at.date().year() < 1970) // two-digit years are this century's
            at = at.addYears(100);
    }
    if (!at.isValid())
        at = c.toDateTime(text.simplified(), QStringLiteral("ddd MMM d HH:mm:ss yyyy"));
    if (!at.isValid())
        return -1;
    if (at.timeSpec() != Qt::OffsetFromUTC)
        at = QDateTime(at.date(), at.time(), Qt::UTC);
    return std::max<qint64>(0, nowUtc.msecsTo(at));
}

namespace {

// Everything the jobs share: HttpClient::Private is this, under the name the header declares.
struct ClientState
{
    explicit ClientState(HttpClient *client) : q(client), nam(new QNetworkAccessManager(client))
    {
        clock.start();
    }

    qint64 now() const { return clock.elapsed(); }

    CircuitBreaker &breaker(const QString &upstream)
    {
        auto it = breakers.find(upstream);
        if (it == breakers.end())
            it = breakers.insert(upstream, CircuitBreaker(breakerPolicy));
        return *it;
    }

    // Runs change on the upstream's breaker and tells listeners when that moved its state.
    template<typename Change>
    void changeBreaker(const QString &upstream, Change change)
    {
        CircuitBreaker &b = breaker(upstream);
        const CircuitBreaker::State before = b.storedState();
        change(b);
        const CircuitBreaker::State after = b.storedState();
        if (after != before)
            Q_EMIT q->breakerChanged(upstream, after);
    }

    HttpClient *q;
    QNetworkAccessManager *nam;
    RetryPolicy retry;
    BreakerPolicy breakerPolicy;
    int maxConcurrency = 4;
    QHash<QString, CircuitBreaker> breakers;
    QHash<QString, QString> lastErrors; // the last retryable failure per upstream, in words
    QHash<QString, TokenBucket> buckets;
    QHash<QString, HttpClient::AuthProvider> auth;
    QRandomGenerator random{QRandomGenerator::securelySeeded()};
    QElapsedTimer clock;
};

QString transportWords(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError: return HttpClient::tr("connection refused");
    case QNetworkReply::RemoteHostClosedError: return HttpClient::tr("connection reset");
    case QNetworkReply::HostNotFoundError: return HttpClient::tr("host not found");
    case QNetworkReply::OperationCanceledError: return HttpClient::tr("request cancelled");
    case QNetworkReply::SslHandshakeFailedError: return HttpClient::tr("TLS handshake failed");
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError: return HttpClient::tr("network unavailable");
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError: return HttpClient::tr("proxy unreachable");
    case QNetworkReply::ProtocolFailure:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError: return HttpClient::tr("the answer broke the HTTP protocol");
    default: return HttpClient::tr("network error %1").arg(int(error));
    }
}

bool isTransportError(QNetworkReply::NetworkError error)
{
    // Qt numbers them: 1–199 network and proxy; 200s–400s stand for HTTP statuses (400 is a
    // "protocol" error there), which are classified by the status itself.
    return error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied;
}

// The body size the server announced, when the received body can be checked against it (not for
// HEAD, not when Qt decompressed it); -1 otherwise.
qint64 declaredLength(const HttpResponse &response, const QByteArray &method)
{
    if (method.compare("HEAD", Qt::CaseInsensitive) == 0 || response.status == 204 || response.status == 304)
        return -1;
    const QByteArray encoding = response.header("Content-Encoding").trimmed();
    if (!encoding.isEmpty() && encoding.compare("identity", Qt::CaseInsensitive) != 0)
        return -1;
    bool ok = false;
    const qint64 length = response.header("Content-Length").trimmed().toLongLong(&ok);
    return ok ? length : -1;
}

// One request through breaker, rate limit, auth, timeout and retries. Asynchronous, so that
// sendAll can keep several in flight inside one local event loop.
class Job : public QObject
{
public:
    Job(ClientState &d, const HttpRequest &request, std::function<void(const HttpResponse &)> done)
        : m_d(d), m_request(request), m_done(std::move(done))
    {
        m_upstream = request.upstream.isEmpty() ? defaultUpstream(request.url) : request.upstream;
        m_wait.setSingleShot(true);
        m_wait.setTimerType(Qt::PreciseTimer); // a coarse timer may fire early; Retry-After is a floor
        connect(&m_wait, &QTimer::timeout, this, &Job::onWaitOver);
        m_deadline.setSingleShot(true);
        m_deadline.setTimerType(Qt::PreciseTimer);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            m_timedOut = true;
            if (m_reply)
                m_reply->abort(); // finished() follows synchronously
        });
    }

    ~Job() override
    {
        if (m_reply) {
            m_reply->disconnect(this);
            m_reply->abort();
            m_reply->deleteLater();
        }
    }

    void start() { attempt(); }

private:
    void attempt()
    {
        bool allowed = false;
        m_d.changeBreaker(m_upstream, [&](CircuitBreaker &b) { allowed = b.allow(m_d.now()); });
        if (!allowed) {
            if (m_response.attempts == 0) {
                finish(ErrorClass::CircuitOpen, circuitOpenMessage());
            } else {
                // Keep what actually went wrong; the breaker only explains why we stopped early.
                finish(m_response.error, HttpClient::tr("%1; the circuit breaker for %2 is now open, so it was not retried")
                                             .arg(m_response.message, m_upstream));
            }
            return;
        }
        qint64 wait = 0;
        auto bucket = m_d.buckets.find(m_upstream);
        if (bucket != m_d.buckets.end())
            wait = bucket->take(m_d.now());
        if (wait > 0)
            waitThen(wait, &Job::transmit);
        else
            transmit();
    }

    QString circuitOpenMessage()
    {
        const CircuitBreaker &b = m_d.breaker(m_upstream);
        const qint64 left = b.openedAtMs() + m_d.breakerPolicy.coolDownMs - m_d.now();
        if (left <= 0)
            return HttpClient::tr("%1: circuit breaker half-open after repeated failures; not sent while a probe request is under way")
                .arg(m_upstream);
        return HttpClient::tr("%1: circuit breaker open after repeated failures; not sent, the next probe goes in %2 s")
            .arg(m_upstream)
            .arg(QString::number(double(left) / 1000.0, 'f', 1));
    }

    void transmit()
    {
        QByteArray authorization;
        const auto provider = m_d.auth.constFind(m_upstream);
        if (provider != m_d.auth.constEnd()) {
            try {
                authorization = (*provider)(m_forceRefresh);
            } catch (const sp::Error &e) {
                m_d.changeBreaker(m_upstream, [](CircuitBreaker &b) { b.cancelProbe(); });
                finish(ErrorClass::Auth, HttpClient::tr("%1: not signed in: %2").arg(m_upstream, e.message()));
                return;
            }
            m_forceRefresh = false;
        }

        QNetworkRequest request(m_request.url);
        request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("SyncPilot/" SYNCPILOT_VERSION));
        if (m_request.expectJson)
            request.setRawHeader("Accept", "application/json");
        if (!m_request.body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        for (const auto &[name, value] : m_request.headers)
            request.setRawHeader(name, value);
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);

        m_timedOut = false;
        ++m_response.attempts;
        const QByteArray method = m_request.method.toUpper();
        QNetworkReply *reply = nullptr;
        if (method == "GET")
            reply = m_d.nam->get(request);
        else if (method == "POST")
            reply = m_d.nam->post(request, m_request.body);
        else if (method == "PUT")
            reply = m_d.nam->put(request, m_request.body);
        else if (method == "DELETE" && m_request.body.isEmpty())
            reply = m_d.nam->deleteResource(request);
        else
            reply = m_d.nam->sendCustomRequest(request, method, m_request.body);
        m_reply = reply;
        connect(reply, &QNetworkReply::finished, this, &Job::onFinished);
        m_deadline.start(std::max(1, m_request.timeoutMs));
    }

    void onFinished()
    {
        m_deadline.stop();
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        if (!reply)
            return;
        reply->deleteLater();

        m_response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_response.body = reply->isOpen() ? reply->readAll() : QByteArray(); // closed after abort()
        m_response.headers = reply->rawHeaderPairs();
        QJsonParseError parseError{};
        m_response.json = QJsonDocument::fromJson(m_response.body, &parseError);
        const bool isJson = parseError.error == QJsonParseError::NoError;
        const int status = m_response.status;
        const QNetworkReply::NetworkError networkError = reply->error();

        ErrorClass error = ErrorClass::None;
        QString message;
        if (m_timedOut) {
            error = ErrorClass::Timeout;
            message = HttpClient::tr("%1: no complete answer within %2 s (timeout)")
                          .arg(m_upstream, QString::number(m_request.timeoutMs / 1000.0, 'g', 3));
        } else if (networkError == QNetworkReply::TimeoutError) {
            error = ErrorClass::Timeout;
            message = HttpClient::tr("%1: the connection timed out").arg(m_upstream);
        } else if (status == 0 || isTransportError(networkError)) {
            error = ErrorClass::Network;
            message = HttpClient::tr("%1: %2").arg(m_upstream, transportWords(networkError));
        } else if (const qint64 expected = declaredLength(m_response, m_request.method); m_response.body.size() < expected) {
            // Qt sometimes ends a reply cut short by the server without an error: a truncated body
            // must never pass for the whole answer (it might even parse as JSON).
            error = ErrorClass::Network;
            message = HttpClient::tr("%1: the connection was cut after %2 of %3 bytes of the answer")
                          .arg(m_upstream)
                          .arg(m_response.body.size())
                          .arg(expected);
        } else if (status == 401) {
            if (m_d.auth.contains(m_upstream) && !m_refreshed) {
                // The access token may just have expired: refresh once and resend.
                m_d.changeBreaker(m_upstream, [](CircuitBreaker &b) { b.recordSuccess(); });
                m_refreshed = true;
                m_forceRefresh = true;
                attempt();
                return;
            }
            error = ErrorClass::Auth;
            message = m_refreshed ? HttpClient::tr("%1: not authorised (401) even after refreshing the sign-in").arg(m_upstream)
                                  : HttpClient::tr("%1: not authorised (401)").arg(m_upstream);
        } else if (status == 403) {
            error = ErrorClass::Auth;
            message = HttpClient::tr("%1: access denied (403)").arg(m_upstream);
        } else if (status == 429) {
            ++m_response.http429;
            error = ErrorClass::Http429;
            message = HttpClient::tr("%1: rate limited (429)").arg(m_upstream);
        } else if (status >= 500) {
            error = ErrorClass::Http5xx;
            message = HttpClient::tr("%1: server error (%2)").arg(m_upstream).arg(status);
        } else if (status < 200 || status >= 300) {
            error = ErrorClass::Http4xx;
            const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            message = HttpClient::tr("%1: request rejected (%2)")
                          .arg(m_upstream, phrase.isEmpty() ? QString::number(status) : QString::number(status) + u' ' + phrase);
        } else if (m_request.expectJson && !isJson && !(m_response.body.isEmpty() && status == 204)) {
            error = ErrorClass::Malformed;
            message = HttpClient::tr("%1: answered %2 but the body is not JSON (malformed)").arg(m_upstream).arg(status);
        }

        if (isRetryable(error)) {
            m_d.lastErrors.insert(m_upstream, message); // before the signal, so listeners see it
            m_d.changeBreaker(m_upstream, [this](CircuitBreaker &b) { b.recordFailure(m_d.now()); });
        } else {
            m_d.changeBreaker(m_upstream, [](CircuitBreaker &b) { b.recordSuccess(); });
        }

        if (error == ErrorClass::None || !isRetryable(error)) {
            finish(error, message);
            return;
        }
        if (!m_request.idempotent && error != ErrorClass::Http429) {
            finish(error, HttpClient::tr("%1; not resent: the request may have been applied").arg(message));
            return;
        }
        if (m_response.attempts >= m_d.retry.maxAttempts) {
            finish(error, m_response.attempts > 1
                              ? HttpClient::tr("%1, gave up after %n attempt(s)", nullptr, m_response.attempts).arg(message)
                              : message);
            return;
        }
        qint64 delay = backoffDelayMs(m_d.retry, m_backoffRetries, m_d.random);
        const QByteArray retryAfterHeader = m_response.header("Retry-After");
        const qint64 retryAfter = retryAfterMs(retryAfterHeader, QDateTime::currentDateTimeUtc());
        if (retryAfter >= 0) {
            if (retryAfter > m_d.retry.maxRetryAfterMs) {
                finish(error, HttpClient::tr("%1; the server asks to wait %2 s, longer than the %3 s allowed, so it was not retried")
                                  .arg(message, QString::number(double(retryAfter) / 1000.0, 'g', 6),
                                       QString::number(m_d.retry.maxRetryAfterMs / 1000.0, 'g', 6)));
                return;
            }
            delay = retryAfter;
        }
        ++m_backoffRetries;
        m_response.error = error;
        m_response.message = message;
        waitThen(delay, &Job::attempt);
    }

    void waitThen(qint64 ms, void (Job::*next)())
    {
        m_afterWait = next;
        m_waitTarget = ms;
        m_waitClock.start();
        m_wait.start(int(std::min<qint64>(ms, std::numeric_limits<int>::max())));
    }

    void onWaitOver()
    {
        const qint64 waited = m_waitClock.elapsed();
        if (waited < m_waitTarget) {
            m_wait.start(int(std::min<qint64>(m_waitTarget - waited, std::numeric_limits<int>::max())));
            return;
        }
        m_response.waitedMs += waited;
        (this->*m_afterWait)();
    }

    void finish(ErrorClass error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_response.error = error;
        m_response.message = error == ErrorClass::None ? QString() : message;
        m_response.retries = std::max(0, m_response.attempts - 1);
        m_done(m_response);
    }

    ClientState &m_d;
    HttpRequest m_request;
    std::function<void(const HttpResponse &)> m_done;
    QString m_upstream;
    HttpResponse m_response;
    QTimer m_wait;
    QTimer m_deadline;
    QElapsedTimer m_waitClock;
    qint64 m_waitTarget = 0;
    void (Job::*m_afterWait)() = nullptr;
    QPointer<QNetworkReply> m_reply;
    bool m_timedOut = false;
    bool m_forceRefresh = false;
    bool m_refreshed = false;
    bool m_finished = false;
    int m_backoffRetries = 0;
};

} // namespace

struct HttpClient::Private : ClientState
{
    using ClientState::ClientState;
};

HttpClient::HttpClient(QObject *parent) : QObject(parent), d(std::make_unique<Private>(this)) {}

HttpClient::~HttpClient() = default;

void HttpClient::setRetryPolicy(const RetryPolicy &policy)
{
    d->retry = policy;
    d->retry.maxAttempts = std::max(1, policy.maxAttempts);
}

void HttpClient::setBreakerPolicy(const BreakerPolicy &policy)
{
    d->breakerPolicy = policy;
    d->breakers.clear(); // start afresh under the new thresholds
    d->lastErrors.clear();
}

void HttpClient::setRateLimit(const QString &upstream, const RateLimit &limit)
{
    if (limit.perMinute > 0)
        d->buckets.insert(upstream, TokenBucket(limit));
    else
        d->buckets.remove(upstream);
}

void HttpClient::setMaxConcurrency(int n)
{
    d->maxConcurrency = std::max(1, n);
}

void HttpClient::setRandomSeed(quint32 seed)
{
    d->random.seed(seed);
}

void HttpClient::setAuthProvider(const QString &upstream, AuthProvider provider)
{
    if (provider)
        d->auth.insert(upstream, std::move(provider));
    else
        d->auth.remove(upstream);
}

HttpResponse HttpClient::send(const HttpRequest &request)
{
    return sendAll({request}).constFirst();
}

QList<HttpResponse> HttpClient::sendAll(const QList<HttpRequest> &requests)
{
    QList<HttpResponse> responses(requests.size());
    if (requests.isEmpty())
        return responses;

    std::vector<std::unique_ptr<Job>> jobs;
    jobs.reserve(size_t(requests.size()));
    QEventLoop loop;
    qsizetype next = 0;
    qsizetype finished = 0;
    int running = 0;
    bool pumping = false;
    std::function<void()> pump = [&] {
        // A job may finish inside start() (breaker open): the outer call's loop picks up its slot.
        if (pumping)
            return;
        pumping = true;
        while (running < d->maxConcurrency && next < requests.size()) {
            const qsizetype index = next++;
            ++running;
            jobs.push_back(std::make_unique<Job>(*d, requests.at(index), [&, index](const HttpResponse &response) {
                responses[index] = response;
                --running;
                ++finished;
                if (finished == requests.size())
                    loop.quit();
                else
                    pump();
            }));
            jobs.back()->start();
        }
        pumping = false;
    };
    pump();
    if (finished < requests.size())
        loop.exec();
    return responses;
}

CircuitBreaker::State HttpClient::breakerState(const QString &upstream) const
{
    const auto it = d->breakers.constFind(upstream);
    return it == d->breakers.constEnd() ? CircuitBreaker::State::Closed : it->state(d->now());
}

QStringList HttpClient::openBreakers() const
{
    QStringList open;
    for (auto it = d->breakers.constBegin(); it != d->breakers.constEnd(); ++it)
        if (it->state(d->now()) != CircuitBreaker::State::Closed)
            open << it.key();
    open.sort();
    return open;
}

QStringList HttpClient::knownUpstreams() const
{
    QStringList names = d->breakers.keys();
    names.sort();
    return names;
}

int HttpClient::breakerFailures(const QString &upstream) const
{
    const auto it = d->breakers.constFind(upstream);
    return it == d->breakers.constEnd() ? 0 : it->failures();
}

QString HttpClient::breakerLastError(const QString &upstream) const
{
    return d->lastErrors.value(upstream);
}

} // namespace sp::net
