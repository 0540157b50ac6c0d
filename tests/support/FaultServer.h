#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <utility>

class QTcpSocket;

namespace sp::test {

// A scriptable HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests of anything that talks to
// an upstream: it answers each request with the next queued Reply, else with the handler's, else
// 404. Replies can also misbehave: reset the connection, never answer, trickle a slow body, or
// send a body that is not JSON. Keep-alive and Content-Length request bodies are supported
// (what QNetworkAccessManager sends). Runs on the thread's event loop, so the code under test
// must spin one (blocking HttpClient calls do).
class FaultServer : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray target; // path and query exactly as received (still percent-encoded)
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        qint64 receivedAtMs = 0; // since the server started

        QByteArray header(const QByteArray &name) const; // case-insensitive, empty if absent
        QByteArray path() const;                          // target without the query
        QString decodedPath() const;                      // percent-decoded path
        QUrlQuery query() const;                          // QUrlQuery::queryItemValue(…, QUrl::FullyDecoded)
        QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    };

    struct Reply
    {
        enum class Action {
            Respond, // status, headers, body (after delayMs)
            Reset,   // read the request, then reset the connection (RST). Qt may quietly resend
                     // the request once on a new connection before it reports the error.
            ResetMidBody, // send the headers and part of the body, then reset: always reported
            Hang,    // read the request, never answer
            SlowBody // send the headers at once, then the body chunkSize bytes every intervalMs
        };
        Action action = Action::Respond;
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        int delayMs = 0;      // Respond: wait this long before answering (keeps requests in flight)
        int intervalMs = 100; // SlowBody
        int chunkSize = 1;    // SlowBody

        Reply &header(const QByteArray &name, const QByteArray &value)
        {
            headers.emplaceBack(name, value);
            return *this;
        }
        Reply &delayed(int ms)
        {
            delayMs = ms;
            return *this;
        }

        static Reply json(int status, const QByteArray &body);
        static Reply json(int status, const QJsonDocument &body) { return json(status, body.toJson(QJsonDocument::Compact)); }
        static Reply text(int status, const QByteArray &body, const QByteArray &contentType = "text/plain");
        static Reply reset();
        static Reply resetMidBody();
        static Reply hang();
        static Reply slowBody(int status, const QByteArray &body, int intervalMs, int chunkSize = 1);
        // 200 with a Content-Type of application/json and a body that is not JSON.
        static Reply malformedJson();
        // Google's error JSON: {"error":{"code","message","status","details":[ErrorInfo reason]}}.
        static Reply googleError(int code, const QString &status, const QString &message, const QString &reason = {});
    };

    using Handler = std::function<Reply(const Request &)>;

    explicit FaultServer(QObject *parent = nullptr);
    ~FaultServer() override;

    QUrl url() const; // http://127.0.0.1:<port>/
    QUrl url(const QString &pathAndQuery) const;
    quint16 port() const;
    // "127.0.0.1:<port>", HttpClient's default upstream name for this server.
    QString upstream() const;

    void enqueue(const Reply &reply); // used first, in order
    void setHandler(Handler handler); // when the queue is empty
    int queued() const { return int(m_queue.size()); }

    QList<Request> requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }
    void clearRequests();
    int inFlight() const { return m_inFlight; }
    int maxInFlight() const { return m_maxInFlight; }
    // Closes every open connection (the listening socket stays): the next request needs a new one.
    void dropConnections();

private:
    struct Connection
    {
        QByteArray buffer;
        bool busy = false; // a request is being answered (or hung)
    };

    void onReadyRead(QTcpSocket *socket);
    void processBuffer(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const Reply &reply);
    void finishRequest(QTcpSocket *socket);
    void resetConnection(QTcpSocket *socket);
    static QByteArray statusLine(int status);

    QTcpServer m_server;
    QElapsedTimer m_clock;
    QList<Reply> m_queue;
    Handler m_handler;
    QList<Request> m_requests;
    QHash<QTcpSocket *, Connection> m_connections;
    int m_inFlight = 0;
    int m_maxInFlight = 0;
};

} // namespace sp::test
