// Webhooks: the decision ledger is the outbox. Delivered to a real HTTP server on 127.0.0.1 that
// answers as scripted (200, 500 twice then 200, 429 with Retry-After, 404, silence).
#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "rollout/DecisionLedger.h"
#include "rollout/Notifier.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace sp;

namespace {

struct Request
{
    QByteArray method;
    QByteArray path;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    qint64 atMs = 0;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A minimal HTTP/1.1 server: keep-alive, Content-Length bodies. Behaviour by path:
//   /ok…      200            /flaky…   500, 500, then 200     /limited…  429 (Retry-After: 1), then 200
//   /missing… 404            /down…    always 503             /hang…     accepts, never answers
class HookServer : public QObject
{
public:
    HookServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost))
            qFatal("cannot listen on 127.0.0.1");
        m_clock.start();
    }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path); }
    QList<Request> requests(const QByteArray &pathPrefix) const
    {
        QList<Request> out;
        for (const Request &r : m_requests)
            if (r.path.startsWith(pathPrefix))
                out << r;
        return out;
    }
    void clear() { m_requests.clear(); }

private:
    void onData(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        for (;;) {
            const qsizetype end = buf.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buf.left(end).split('\n');
            Request r;
            const QList<QByteArray> first = lines.first().trimmed().split(' ');
            r.method = first.value(0);
            r.path = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon > 0)
                    r.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            const qsizetype length = r.headers.value("content-length", "0").toLongLong();
            if (buf.size() < end + 4 + length)
                return;
            r.body = buf.mid(end + 4, length);
            buf.remove(0, end + 4 + length);
            r.atMs = m_clock.elapsed();
            m_requests << r;
            respond(s, r);
        }
    }
    void respond(QTcpSocket *s, const Request &r)
    {
        const int seen = int(requests(r.path).size());
        int status = 200;
        QByteArray extra;
        if (r.path.startsWith("/flaky"))
            status = seen <= 2 ? 500 : 200;
        else if (r.path.startsWith("/limited")) {
            status = seen <= 1 ? 429 : 200;
            if (status == 429)
                extra = "Retry-After: 1\r\n";
        } else if (r.path.startsWith("/missing"))
            status = 404;
        else if (r.path.startsWith("/down"))
            status = 503;
        else if (r.path.startsWith("/hang"))
            return;
        const QByteArray body = status == 200 ? QByteArray("ok") : QByteArray("no");
        s->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: text/plain\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body);
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
    QElapsedTimer m_clock;
};

const ChangeContext controllerCtx{QStringLiteral("syncpilot"), QString(), QStringLiteral("controller"), QString(), {}};
const ChangeContext cliCtx = ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test"));

qint64 record(Workspace &ws, const QString &kind, bool automatic, const QString &flag = QStringLiteral("checkout.sync"))
{
    LedgerEntry e;
    ws.write([&] {
        e = DecisionLedger(ws).record(automatic ? controllerCtx : cliCtx, flag, 7, kind, automatic,
                                      QStringLiteral("%1: 3 critical errors in 5 min (threshold 3)").arg(kind),
                                      QJsonObject{{QStringLiteral("critical"), 3}, {QStringLiteral("threshold"), 3}});
    });
    return e.id;
}

Notifier::Options fast()
{
    Notifier::Options o;
    o.baseDelayMs = 50;
    o.maxDelayMs = 200;
    o.requestTimeoutMs = 2000;
    o.holdOffMs = 0;
    return o;
}

} // namespace

class TstWebhooks : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void payloadsAndCursor_data() { test::addEngineColumn(); }
    void payloadsAndCursor()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        HookServer server;
        record(*ws, QStringLiteral("rollback"), true); // before any webhook: history is not sent
        Notifier notifier(*ws, fast());
        const Webhook json = notifier.add(server.url(QStringLiteral("/ok/json")), QStringLiteral("json"), cliCtx);
        const Webhook slack = notifier.add(server.url(QStringLiteral("/ok/slack/T000/B000/secret")), QStringLiteral("slack"), cliCtx);

        const qint64 rollback = record(*ws, QStringLiteral("rollback"), true);
        const qint64 advance = record(*ws, QStringLiteral("advance"), true);
        record(*ws, QStringLiteral("hold"), true);           // automatic hold: not notable
        record(*ws, QStringLiteral("start"), false);         // manual start: not notable
        const qint64 pause = record(*ws, QStringLiteral("pause"), false); // manual pause: notable
        const qint64 kill = record(*ws, QStringLiteral("kill"), false, QString());

        const qint64 revision = ws->revision();
        const WebhookFlushResult r = notifier.flush();
        QVERIFY2(r.problems.isEmpty(), qPrintable(r.problems.value(0).message));
        QCOMPARE(r.delivered, 8);
        QCOMPARE(r.attempts, 8);

        const QList<Request> got = server.requests("/ok/json");
        QCOMPARE(got.size(), 4);
        const QList<qint64> expected{rollback, advance, pause, kill};
        for (int i = 0; i < got.size(); ++i) {
            QCOMPARE(got[i].method, QByteArray("POST"));
            QCOMPARE(got[i].headers.value("content-type"), QByteArray("application/json"));
            const QJsonObject o = got[i].json();
            QCOMPARE(o.value(QStringLiteral("id")).toInteger(), expected[i]);
            QCOMPARE(o.value(QStringLiteral("workspace")).toString(), ws->name());
            for (const char *key : {"at", "flag", "rolloutId", "kind", "automatic", "actor", "source", "summary", "evidence"})
                QVERIFY2(o.contains(QLatin1String(key)), key);
        }
        const QJsonObject first = got[0].json();
        QCOMPARE(first.value(QStringLiteral("kind")).toString(), QStringLiteral("rollback"));
        QCOMPARE(first.value(QStringLiteral("flag")).toString(), QStringLiteral("checkout.sync"));
        QCOMPARE(first.value(QStringLiteral("automatic")).toBool(), true);
        QCOMPARE(first.value(QStringLiteral("evidence")).toObject().value(QStringLiteral("critical")).toInt(), 3);

        const QList<Request> texts = server.requests("/ok/slack");
        QCOMPARE(texts.size(), 4);
        const QJsonObject s = texts[0].json();
        QCOMPARE(s.keys(), QStringList{QStringLiteral("text")});
        const QString text = s.value(QStringLiteral("text")).toString();
        QVERIFY2(text.contains(QLatin1String("Rolled back")) && text.contains(QLatin1String("checkout.sync"))
                     && text.contains(QLatin1String("3 critical errors in 5 min")) && text.contains(ws->name()),
                 qPrintable(text));
        QVERIFY2(texts[3].json().value(QStringLiteral("text")).toString().contains(QLatin1String("Emergency rollback")),
                 qPrintable(texts[3].json().value(QStringLiteral("text")).toString()));

        // Cursors advanced, quietly; a second flush sends nothing again.
        QCOMPARE(ws->revision(), revision);
        for (const Webhook &w : notifier.list())
            QCOMPARE(w.cursor, kill);
        const WebhookFlushResult again = notifier.flush();
        QCOMPARE(again.attempts, 0);
        QCOMPARE(server.requests("/ok").size(), 8);

        // The secret part of a Slack URL never shows.
        QCOMPARE(slack.displayUrl(), server.url(QStringLiteral("/ok/***")));
        QVERIFY(!QJsonDocument(slack.toJson()).toJson().contains("secret"));
        Q_UNUSED(json);
    }

    void retriesWithBackoff_data() { test::addEngineColumn(); }
    void retriesWithBackoff()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        HookServer server;
        Notifier notifier(*ws, fast());
        notifier.add(server.url(QStringLiteral("/flaky")), QStringLiteral("json"), cliCtx);
        notifier.add(server.url(QStringLiteral("/limited")), QStringLiteral("json"), cliCtx);
        const qint64 id = record(*ws, QStringLiteral("rollback"), true);

        const WebhookFlushResult r = notifier.flush();
        QVERIFY2(r.problems.isEmpty(), qPrintable(r.problems.value(0).message));
        QCOMPARE(r.delivered, 2);
        QCOMPARE(r.attempts, 3 + 2);

        const QList<Request> flaky = server.requests("/flaky");
        QCOMPARE(flaky.size(), 3); // 500, 500, 200
        for (const Request &req : flaky)
            QCOMPARE(req.json().value(QStringLiteral("id")).toInteger(), id);
        const QList<Request> limited = server.requests("/limited");
        QCOMPARE(limited.size(), 2); // 429 Retry-After: 1, then 200
        const qint64 gap = limited[1].atMs - limited[0].atMs;
        QVERIFY2(gap >= 950, qPrintable(QStringLiteral("Retry-After: 1 honoured with a wait of %1 ms").arg(gap)));

        QCOMPARE(notifier.flush().attempts, 0); // delivered once, not again
    }

    void clientErrorIsReportedAndSkipped_data() { test::addEngineColumn(); }
    void clientErrorIsReportedAndSkipped()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        HookServer server;
        Notifier notifier(*ws, fast());
        const Webhook w = notifier.add(server.url(QStringLiteral("/missing/hook")), QStringLiteral("json"), cliCtx);
        const qint64 first = record(*ws, QStringLiteral("rollback"), true);
        const qint64 second = record(*ws, QStringLiteral("pause"), true);

        const WebhookFlushResult r = notifier.flush();
        QCOMPARE(r.attempts, 2); // one each: a 404 is not retried
        QCOMPARE(r.delivered, 0);
        QCOMPARE(r.problems.size(), 2);
        QCOMPARE(r.problems[0].httpStatus, 404);
        QCOMPARE(r.problems[0].entryId, first);
        QVERIFY(r.problems[0].skipped);
        QVERIFY2(r.problems[0].message.contains(QLatin1String("404")), qPrintable(r.problems[0].message));
        QCOMPARE(notifier.list().first().cursor, second);
        QCOMPARE(notifier.flush().attempts, 0);
        QCOMPARE(server.requests("/missing").size(), 2);
        Q_UNUSED(w);
    }

    void failingReceiverKeepsItsEntries_data() { test::addEngineColumn(); }
    void failingReceiverKeepsItsEntries()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        HookServer server;
        Notifier::Options o = fast();
        o.maxAttempts = 3;
        Notifier notifier(*ws, o);
        notifier.add(server.url(QStringLiteral("/down")), QStringLiteral("json"), cliCtx);
        notifier.add(server.url(QStringLiteral("/ok")), QStringLiteral("json"), cliCtx);
        const qint64 a = record(*ws, QStringLiteral("rollback"), true);
        record(*ws, QStringLiteral("kill"), true);

        const WebhookFlushResult r = notifier.flush();
        QCOMPARE(r.delivered, 2);                      // /ok got both
        QCOMPARE(r.problems.size(), 1);                // /down stopped at the first, in order
        QCOMPARE(r.problems[0].entryId, a);
        QCOMPARE(r.problems[0].attempts, 3);
        QCOMPARE(r.problems[0].httpStatus, 503);
        QVERIFY(!r.problems[0].skipped);
        QCOMPARE(server.requests("/down").size(), 3);
        QCOMPARE(notifier.list().first().cursor, a - 1); // not advanced: sent again next time

        const WebhookFlushResult again = notifier.flush();
        QCOMPARE(again.problems.size(), 1);
        QCOMPARE(server.requests("/down").size(), 6);
        QCOMPARE(server.requests("/ok").size(), 2);
    }

    void unreachableIsReportedQuickly_data() { test::addEngineColumn(); }
    void unreachableIsReportedQuickly()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            closedPort = probe.serverPort();
        }
        Notifier notifier(*ws); // the defaults, as the agent and rollback commands use them
        notifier.add(QStringLiteral("http://127.0.0.1:%1/hook/secret-token").arg(closedPort), QStringLiteral("slack"), cliCtx);
        record(*ws, QStringLiteral("rollback"), true);

        QElapsedTimer t;
        t.start();
        const WebhookFlushResult r = notifier.flush();
        const qint64 elapsed = t.elapsed();
        qInfo("closed port reported after %lld ms", elapsed);
        QCOMPARE(r.problems.size(), 1);
        QVERIFY2(r.problems[0].message.contains(QLatin1String("connection refused")), qPrintable(r.problems[0].message));
        QVERIFY2(!r.problems[0].message.contains(QLatin1String("secret")), qPrintable(r.problems[0].message));
        QCOMPARE(r.problems[0].httpStatus, 0);
        QCOMPARE(r.problems[0].attempts, 5);
        // Full-jitter backoff, 0.5 s base: at most 0.5 + 1 + 2 + 4 s of waiting in all.
        QVERIFY2(elapsed < 8000, qPrintable(QString::number(elapsed)));

        // The same process then leaves the failing receiver alone for a while (default hold-off),
        // so a long-running agent does not pay for it on every tick.
        t.restart();
        const WebhookFlushResult held = notifier.flush();
        QCOMPARE(held.attempts, 0);
        QVERIFY(t.elapsed() < 1000);
    }

    void silentReceiverTimesOut_data() { test::addEngineColumn(); }
    void silentReceiverTimesOut()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        HookServer server;
        Notifier::Options o = fast();
        o.requestTimeoutMs = 300;
        o.maxAttempts = 2;
        Notifier notifier(*ws, o);
        notifier.add(server.url(QStringLiteral("/hang")), QStringLiteral("json"), cliCtx);
        record(*ws, QStringLiteral("rollback"), true);
        QElapsedTimer t;
        t.start();
        const WebhookFlushResult r = notifier.flush();
        QCOMPARE(r.problems.size(), 1);
        QVERIFY2(r.problems[0].message.contains(QLatin1String("no answer")), qPrintable(r.problems[0].message));
        QCOMPARE(r.problems[0].attempts, 2);
        QCOMPARE(server.requests("/hang").size(), 2);
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    }

    void cliManagesWebhooksAndAgentDelivers_data() { test::addEngineColumn(); }
    void cliManagesWebhooksAndAgentDelivers()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QCOMPARE(test::runCli(location, {QStringLiteral("init")}).exitCode, 0);
        HookServer server;

        test::CliResult r = test::runCli(location, {QStringLiteral("webhook"), QStringLiteral("add"), QStringLiteral("ftp://example/x")});
        QCOMPARE(r.exitCode, 3);
        r = test::runCli(location, {QStringLiteral("webhook"), QStringLiteral("add"), server.url(QStringLiteral("/ok")),
                                    QStringLiteral("--format"), QStringLiteral("xml")});
        QCOMPARE(r.exitCode, 3);
        r = test::runCli(location, {QStringLiteral("webhook"), QStringLiteral("remove"), QStringLiteral("99")});
        QCOMPARE(r.exitCode, 3);

        r = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("webhook"), QStringLiteral("add"),
                                    server.url(QStringLiteral("/ok/agent/T1/B2/secret")), QStringLiteral("--format"), QStringLiteral("slack")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const qint64 id = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("id")).toInteger();
        QVERIFY(id > 0);
        QVERIFY(!r.out.contains("secret"));
        r = test::runCli(location, {QStringLiteral("webhook"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.text().contains(server.url(QStringLiteral("/ok/***"))) && !r.text().contains(QLatin1String("secret")), qPrintable(r.text()));

        {
            auto ws = Workspace::open(location);
            record(*ws, QStringLiteral("rollback"), false);
        }
        // The agent delivers after its tick. It runs as a separate process while this one serves
        // HTTP, so wait on the event loop, not with a blocking call.
        QProcess agent;
        agent.start(test::cliPath(), {QStringLiteral("--workspace"), location, QStringLiteral("agent"), QStringLiteral("--once")});
        QSignalSpy finished(&agent, &QProcess::finished);
        QVERIFY(finished.wait(30000));
        QVERIFY2(agent.exitCode() == 0, agent.readAllStandardError().constData());
        QCOMPARE(server.requests("/ok/agent").size(), 1);
        QVERIFY(server.requests("/ok/agent").first().json().value(QStringLiteral("text")).toString().contains(QLatin1String("Rolled back")));

        r = test::runCli(location, {QStringLiteral("webhook"), QStringLiteral("remove"), QString::number(id), QStringLiteral("--reason"), QStringLiteral("done")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        r = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("webhook"), QStringLiteral("list")});
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 0);

        // Both changes are audited, without the secret.
        r = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--action"), QStringLiteral("webhook.*")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("webhook.add") && r.out.contains("webhook.remove"), r.out.constData());
        QVERIFY(!r.out.contains("secret"));
    }
};

QTEST_GUILESS_MAIN(TstWebhooks)
#include "tst_webhooks.moc"
