#include "Notifier.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QLockFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTimer>
#include <QUrl>

#include <optional>

namespace sp {

namespace {

// Serialises flushes across processes on PostgreSQL ("SyPW"), so two flushers never send the same
// entry twice.
constexpr qint64 kFlushLockKey = 0x53795057;
constexpr int kBatch = 200;

QString cursorName(qint64 webhookId) { return QStringLiteral("webhook_cursor.%1").arg(webhookId); }

void waitMs(int ms)
{
    if (ms <= 0)
        return;
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec(QEventLoop::ExcludeUserInputEvents);
}

// Per process: a webhook that failed is left alone for a while, so a dead receiver does not cost
// the agent its retry time on every tick.
struct HoldOff
{
    int failures = 0;
    QDateTime until;
};

QHash<QString, HoldOff> &holdOffs()
{
    static QHash<QString, HoldOff> map;
    return map;
}

// Retry-After: delta-seconds or an HTTP-date.
std::optional<qint64> retryAfterMs(const QByteArray &value)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 secs = v.toLongLong(&ok);
    if (ok)
        return qMax<qint64>(0, secs) * 1000;
    QString text = QString::fromLatin1(v);
    text.replace(QLatin1String(" GMT"), QLatin1String(" +0000"));
    const QDateTime at = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!at.isValid())
        return std::nullopt;
    return qMax<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(at));
}

struct Attempt
{
    int status = 0;
    QString message;
    std::optional<qint64> retryAfter;
    bool ok() const { return status >= 200 && status < 300; }
    bool retryable() const { return status == 0 || status == 429 || status >= 500; }
};

// Words for a failed request that never name the URL (Qt's errorString() does, and a Slack URL is
// a secret).
QString networkErrorText(QNetworkReply::NetworkError error, int timeoutMs)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError: return Notifier::tr("connection refused");
    case QNetworkReply::RemoteHostClosedError: return Notifier::tr("connection closed by the server");
    case QNetworkReply::HostNotFoundError: return Notifier::tr("host not found");
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: return Notifier::tr("no answer within %1 s").arg(timeoutMs / 1000.0, 0, 'g', 3);
    case QNetworkReply::SslHandshakeFailedError: return Notifier::tr("TLS handshake failed");
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError: return Notifier::tr("network unavailable");
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError: return Notifier::tr("proxy unreachable");
    default: return Notifier::tr("network error %1").arg(int(error));
    }
}

Attempt post(QNetworkAccessManager &nam, const QUrl &url, const QByteArray &body, qint64 entryId, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("SyncPilot/" SYNCPILOT_VERSION));
    request.setRawHeader("X-SyncPilot-Delivery", QByteArray::number(entryId));
    request.setTransferTimeout(timeoutMs);
    std::unique_ptr<QNetworkReply> reply(nam.post(request, body));
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    }
    Attempt a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (a.status == 0) {
        a.message = networkErrorText(reply->error(), timeoutMs);
    } else {
        const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        a.message = phrase.isEmpty() ? QStringLiteral("HTTP %1").arg(a.status) : QStringLiteral("HTTP %1 %2").arg(a.status).arg(phrase);
        if (reply->hasRawHeader("Retry-After"))
            a.retryAfter = retryAfterMs(reply->rawHeader("Retry-After"));
    }
    return a;
}

QString kindInWords(const QString &kind)
{
    static const QHash<QString, const char *> words{
        {QStringLiteral("start"), QT_TRANSLATE_NOOP("Notifier", "Rollout started")},
        {QStringLiteral("advance"), QT_TRANSLATE_NOOP("Notifier", "Rollout advanced")},
        {QStringLiteral("hold"), QT_TRANSLATE_NOOP("Notifier", "Rollout held")},
        {QStringLiteral("pause"), QT_TRANSLATE_NOOP("Notifier", "Rollout paused")},
        {QStringLiteral("resume"), QT_TRANSLATE_NOOP("Notifier", "Rollout resumed")},
        {QStringLiteral("rollback"), QT_TRANSLATE_NOOP("Notifier", "Rolled back")},
        {QStringLiteral("kill"), QT_TRANSLATE_NOOP("Notifier", "Emergency rollback")},
        {QStringLiteral("abort"), QT_TRANSLATE_NOOP("Notifier", "Rollout aborted")},
        {QStringLiteral("complete"), QT_TRANSLATE_NOOP("Notifier", "Rollout completed")},
        {QStringLiteral("warn"), QT_TRANSLATE_NOOP("Notifier", "Guardrail warning")},
        {QStringLiteral("restore"), QT_TRANSLATE_NOOP("Notifier", "Restored")},
    };
    const auto it = words.constFind(kind);
    return it == words.constEnd() ? kind : Notifier::tr(it.value());
}

// Holds the cross-process flush lock for one flush.
class FlushLock
{
public:
    FlushLock(Workspace &ws, int timeoutMs) : m_ws(ws)
    {
        if (!ws.isPostgres()) {
            m_file = std::make_unique<QLockFile>(ws.displayLocation() + QStringLiteral(".webhooks.lock"));
            m_file->setStaleLockTime(0); // stale only when the holder died
            m_held = m_file->tryLock(timeoutMs);
            return;
        }
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            QSqlQuery q = ws.exec(QStringLiteral("SELECT pg_try_advisory_lock(?)"), {kFlushLockKey});
            if (q.next() && q.value(0).toBool()) {
                m_held = true;
                return;
            }
            if (timer.elapsed() >= timeoutMs)
                return;
            waitMs(100);
        }
    }
    ~FlushLock()
    {
        if (!m_held)
            return;
        if (m_file) {
            m_file->unlock();
        } else {
            try {
                m_ws.exec(QStringLiteral("SELECT pg_advisory_unlock(?)"), {kFlushLockKey});
            } catch (const Error &) {
                // the session is gone, and the lock with it
            }
        }
    }
    FlushLock(const FlushLock &) = delete;
    FlushLock &operator=(const FlushLock &) = delete;
    bool held() const { return m_held; }

private:
    Workspace &m_ws;
    std::unique_ptr<QLockFile> m_file;
    bool m_held = false;
};


} // namespace

QString Webhook::displayUrl() const { return Notifier::displayUrl(url); }

QJsonObject Webhook::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("url"), displayUrl()},
                       {QStringLiteral("format"), format},
                       {QStringLiteral("enabled"), enabled},
                       {QStringLiteral("createdAt"), toStoredTime(createdAt)},
                       {QStringLiteral("cursor"), cursor}};
}

QString Notifier::displayUrl(const QString &url)
{
    const QUrl u(url);
    if (!u.isValid() || u.host().isEmpty())
        return tr("(not a URL)");
    QString out = u.scheme() + QStringLiteral("://") + u.host();
    if (u.port() > 0)
        out += QLatin1Char(':') + QString::number(u.port());
    const QStringList segments = u.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!segments.isEmpty())
        out += QLatin1Char('/') + segments.first();
    if (segments.size() > 1 || u.hasQuery())
        out += QStringLiteral("/***");
    return out;
}

bool Notifier::isNotable(const LedgerEntry &entry)
{
    static const QStringList always{QStringLiteral("pause"), QStringLiteral("rollback"), QStringLiteral("kill"),
                                    QStringLiteral("abort"), QStringLiteral("restore")};
    return always.contains(entry.kind) || (entry.automatic && entry.kind != QLatin1String("hold"));
}

QJsonObject Notifier::jsonPayload(const LedgerEntry &entry, const QString &workspaceName)
{
    QJsonObject o = entry.toJson();
    o.insert(QStringLiteral("workspace"), workspaceName);
    return o;
}

QJsonObject Notifier::slackPayload(const LedgerEntry &entry, const QString &workspaceName)
{
    const QString what = entry.flagKey.isEmpty() ? tr("all sync flags") : QStringLiteral("`%1`").arg(entry.flagKey);
    const QString who = entry.automatic ? tr("automatic, by the %1").arg(entry.source) : tr("by %1 via %2").arg(entry.actor, entry.source);
    const QString text = tr("SyncPilot [%1] %2: %3. %4 (%5)")
                             .arg(workspaceName, kindInWords(entry.kind), what, entry.summary, who);
    return QJsonObject{{QStringLiteral("text"), text}};
}

Webhook Notifier::add(const QString &url, const QString &format, const ChangeContext &ctx)
{
    const QUrl u(url.trimmed(), QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
        invalid(tr("Webhook URL \"%1\" is not an http:// or https:// URL with a host.").arg(displayUrl(url)));
    if (format != QLatin1String("json") && format != QLatin1String("slack"))
        invalid(tr("--format: \"%1\" is not a webhook format; use json or slack.").arg(format));
    Webhook w;
    w.url = u.toString(QUrl::FullyEncoded);
    w.format = format;
    w.createdAt = fromStoredTime(toStoredTime(Clock::current().now()));
    m_ws.write([&] {
        QSqlQuery q = m_ws.exec(QStringLiteral("INSERT INTO webhooks (url, format, enabled, created_at) VALUES (?, ?, 1, ?) RETURNING id"),
                                {w.url, w.format, toStoredTime(w.createdAt)});
        if (q.next())
            w.id = q.value(0).toLongLong();
        q = QSqlQuery();
        // A new webhook hears about what happens from now on, not the whole history.
        QSqlQuery last = m_ws.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM decisions"));
        w.cursor = last.next() ? last.value(0).toLongLong() : 0;
        last = QSqlQuery();
        m_ws.setMeta(cursorName(w.id), QString::number(w.cursor));
        AuditLog(m_ws).append(ctx, QStringLiteral("webhook.add"), QStringLiteral("webhook:%1").arg(w.id), QJsonValue(), w.toJson());
    });
    return w;
}

void Notifier::remove(qint64 id, const ChangeContext &ctx)
{
    m_ws.write([&] {
        std::optional<Webhook> found;
        for (const Webhook &w : list())
            if (w.id == id)
                found = w;
        if (!found)
            invalid(tr("No webhook with id %1 (see: syncpilot-cli webhook list).").arg(id));
        m_ws.exec(QStringLiteral("DELETE FROM webhooks WHERE id = ?"), {id});
        m_ws.exec(QStringLiteral("DELETE FROM workspace_meta WHERE name = ?"), {cursorName(id)});
        AuditLog(m_ws).append(ctx, QStringLiteral("webhook.remove"), QStringLiteral("webhook:%1").arg(id), found->toJson(), QJsonValue());
    });
}

QList<Webhook> Notifier::list() const
{
    QList<Webhook> out;
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT id, url, format, enabled, created_at FROM webhooks ORDER BY id"));
    while (q.next()) {
        Webhook w;
        w.id = q.value(0).toLongLong();
        w.url = q.value(1).toString();
        w.format = q.value(2).toString();
        w.enabled = q.value(3).toInt() != 0;
        w.createdAt = fromStoredTime(q.value(4).toString());
        out << w;
    }
    q = QSqlQuery();
    for (Webhook &w : out)
        w.cursor = m_ws.meta(cursorName(w.id), QStringLiteral("0")).toLongLong();
    return out;
}

WebhookFlushResult Notifier::flush()
{
    Q_ASSERT(!m_ws.inTransaction());
    WebhookFlushResult result;
    QElapsedTimer clock;
    clock.start();

    QList<Webhook> hooks = list();
    hooks.removeIf([](const Webhook &w) { return !w.enabled; });
    if (hooks.isEmpty())
        return result;

    FlushLock lock(m_ws, m_options.budgetMs);
    if (!lock.held()) {
        result.problems << WebhookProblem{0, 0, 0, 0, false, tr("Another process is delivering webhooks; the entries wait for the next flush.")};
        return result;
    }
    hooks = list(); // cursors may have moved while we waited for the lock
    const QString workspaceName = m_ws.name();
    QNetworkAccessManager nam;

    for (const Webhook &w : std::as_const(hooks)) {
        if (!w.enabled)
            continue;
        const QString holdKey = m_ws.displayLocation() + QLatin1Char('#') + QString::number(w.id);
        if (m_options.holdOffMs > 0 && holdOffs().contains(holdKey)
            && QDateTime::currentDateTimeUtc() < holdOffs().value(holdKey).until)
            continue;
        const QUrl url(w.url);
        qint64 cursor = w.cursor;
        bool failed = false;
        while (!failed) {
            QList<LedgerEntry> entries;
            {
                QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM decisions WHERE id > ? AND (kind IN ('pause', 'rollback', 'kill', 'abort', 'restore')"
                                                       " OR (automatic <> 0 AND kind <> 'hold')) ORDER BY id LIMIT %2")
                                            .arg(LedgerEntry::columns())
                                            .arg(kBatch),
                                        {cursor});
                while (q.next())
                    entries << LedgerEntry::fromRow(q);
            }
            for (const LedgerEntry &e : std::as_const(entries)) {
                const QJsonObject payload = w.format == QLatin1String("slack") ? slackPayload(e, workspaceName) : jsonPayload(e, workspaceName);
                const QByteArray body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
                Attempt a;
                int attempts = 0;
                for (;;) {
                    a = post(nam, url, body, e.id, m_options.requestTimeoutMs);
                    ++attempts;
                    ++result.attempts;
                    if (a.ok() || !a.retryable() || attempts >= m_options.maxAttempts)
                        break;
                    qint64 delay;
                    if (a.retryAfter) {
                        delay = qMin<qint64>(*a.retryAfter, m_options.maxRetryAfterMs);
                    } else {
                        const qint64 ceiling = qMin<qint64>(m_options.maxDelayMs, qint64(m_options.baseDelayMs) << (attempts - 1));
                        delay = QRandomGenerator::global()->bounded(ceiling + 1);
                    }
                    if (clock.elapsed() + delay > m_options.budgetMs) {
                        a.message = tr("%1; gave up for now (the flush took too long)").arg(a.message);
                        break;
                    }
                    waitMs(int(delay));
                }
                if (a.ok()) {
                    ++result.delivered;
                } else if (!a.retryable()) {
                    result.problems << WebhookProblem{w.id, e.id, attempts, a.status, true,
                                                      tr("Webhook %1 (%2) refused decision %3: %4; skipped.")
                                                          .arg(w.id).arg(w.displayUrl()).arg(e.id).arg(a.message)};
                } else {
                    result.problems << WebhookProblem{w.id, e.id, attempts, a.status, false,
                                                      tr("Webhook %1 (%2) could not take decision %3 after %4 attempts: %5; "
                                                         "it will be sent again on the next flush.")
                                                          .arg(w.id).arg(w.displayUrl()).arg(e.id).arg(attempts).arg(a.message)};
                    failed = true;
                    break;
                }
                cursor = e.id;
                m_ws.setMetaQuietly(cursorName(w.id), QString::number(cursor));
            }
            if (entries.size() < kBatch)
                break;
        }
        if (failed && m_options.holdOffMs > 0) {
            HoldOff &h = holdOffs()[holdKey];
            const qint64 wait = qMin<qint64>(qint64(m_options.holdOffMs) << qMin(h.failures, 4), 15 * 60 * 1000);
            ++h.failures;
            h.until = QDateTime::currentDateTimeUtc().addMSecs(wait);
        } else if (!failed) {
            holdOffs().remove(holdKey);
        }
    }
    return result;
}

} // namespace sp
