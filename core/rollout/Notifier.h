#pragma once

#include "DecisionLedger.h"
#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

namespace sp {

class Workspace;

// A URL that hears about rollbacks and controller actions.
struct Webhook
{
    qint64 id = 0;
    QString url;         // as stored; may carry a secret (Slack): show displayUrl() instead
    QString format;      // json, slack
    bool enabled = true;
    QDateTime createdAt;
    qint64 cursor = 0;   // the newest ledger entry already delivered (or skipped)

    QString displayUrl() const;
    QJsonObject toJson() const; // with the display URL, never the full one
};

// One delivery that did not succeed, in words, for the log.
struct WebhookProblem
{
    qint64 webhookId = 0;
    qint64 entryId = 0;
    int attempts = 0;
    int httpStatus = 0;  // 0: no HTTP answer (refused, reset, timeout)
    bool skipped = false; // a 4xx other than 429: the entry was passed over, not retried later
    QString message;
};

struct WebhookFlushResult
{
    int delivered = 0;   // entry x webhook pairs answered with 2xx
    int attempts = 0;    // HTTP requests made
    QList<WebhookProblem> problems;
};

// Sends the decision ledger's notable entries to every enabled webhook. The ledger is the outbox:
// flush() delivers, in order, every entry newer than the webhook's cursor that is a pause,
// rollback, kill, abort or restore, or any automatic decision except hold; the cursor (meta
// webhook_cursor.<id>, written without bumping the workspace revision) advances after each 2xx.
// JSON form: LedgerEntry::toJson() plus "workspace"; Slack form: {"text": "…"}.
// 429, 5xx and network errors are retried with exponential backoff and full jitter, honouring
// Retry-After; other 4xx are reported and the entry skipped. A webhook that still fails stops
// there for this flush (later entries wait, order is kept) and is reported. Delivery is at least
// once: a crash between the 2xx and the cursor write resends that entry (the body's "id" lets
// receivers deduplicate). Flushes are serialised across processes.
//
// Blocking (a local QEventLoop), bounded by Options::budgetMs; call it outside Workspace::write()
// from the thread that owns the workspace: the agent after each tick, rollback commands after
// they commit.
class Notifier
{
    Q_DECLARE_TR_FUNCTIONS(Notifier)

public:
    struct Options
    {
        int maxAttempts = 5;
        int baseDelayMs = 500;      // backoff: a random wait in [0, min(maxDelayMs, base * 2^(n-1))]
        int maxDelayMs = 8000;
        int maxRetryAfterMs = 60000;
        int requestTimeoutMs = 10000;
        int budgetMs = 30000;       // no new attempt starts after this much time in one flush
        // After a webhook still failed, later flushes in this process leave it alone this long
        // (doubling per failure, at most 15 min), so a dead receiver does not slow every agent
        // tick. 0: retry on every flush.
        int holdOffMs = 60000;
    };

    explicit Notifier(Workspace &workspace) : m_ws(workspace) {}
    Notifier(Workspace &workspace, const Options &options) : m_ws(workspace), m_options(options) {}

    // Management, each audited (webhook.add / webhook.remove) with the display URL only.
    // url: http or https with a host, else InvalidInput; format: json or slack.
    Webhook add(const QString &url, const QString &format, const ChangeContext &ctx);
    void remove(qint64 id, const ChangeContext &ctx); // unknown id: InvalidInput
    QList<Webhook> list() const;

    WebhookFlushResult flush();

    static bool isNotable(const LedgerEntry &entry);
    static QJsonObject jsonPayload(const LedgerEntry &entry, const QString &workspaceName);
    static QJsonObject slackPayload(const LedgerEntry &entry, const QString &workspaceName);
    // scheme://host:port/first-segment/… — no user info, no query, no secret path.
    static QString displayUrl(const QString &url);

private:
    Workspace &m_ws;
    Options m_options;
};

} // namespace sp
