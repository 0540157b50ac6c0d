#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace sp {

// The redirect target of an installed-app OAuth2 sign-in (RFC 8252 §7.3): a tiny HTTP server on
// 127.0.0.1 and an ephemeral port that waits for the browser to deliver `code` (or `error`) and
// `state`. Our own rather than QOAuthHttpServerReplyHandler, whose 6.4 version listens on every
// interface, treats any path (/favicon.ico) as the callback and never closes (qt-notes §1.2).
//
// Rules:
// - Only `GET /?…` is the callback; any other path is 404, any other method 405. Neither ends the wait.
// - A callback whose `state` is missing or differs from ours is answered 400 and NEVER accepted,
//   and the wait goes on: a stale tab of an earlier attempt, or another local program or web page
//   guessing the port, must neither sign us in nor be able to abort the real sign-in. The count
//   of such refusals is reported, so a timeout can say why nothing was accepted.
// - The first callback with the right state ends the wait and stops listening. With `error` it is
//   answered at once with the error page; with `code` the browser's answer is held until finish()
//   tells the outcome of the token exchange, so the page says what really happened.
class LoopbackReceiver : public QObject
{
    Q_OBJECT

public:
    struct Callback
    {
        enum class Outcome { Code, Error, TimedOut, Cancelled };
        Outcome outcome = Outcome::TimedOut;
        QString code;
        QString error;            // the provider's error code (access_denied, …)
        QString errorDescription; // the provider's text, if any
        int refused = 0;          // callbacks refused for a wrong or missing state
    };

    explicit LoopbackReceiver(QByteArray expectedState, QObject *parent = nullptr);
    ~LoopbackReceiver() override;

    // Starts listening on 127.0.0.1:<ephemeral>. Throws sp::Error when no port can be opened.
    void listen();
    bool isListening() const { return m_server.isListening(); }
    // http://127.0.0.1:<port>/ : the redirect_uri of the authorization and token requests.
    QUrl redirectUri() const;

    // Blocks in a local event loop until the callback arrives, timeoutMs pass or cancel() is called.
    Callback waitForCallback(int timeoutMs);
    // Answers the browser that delivered the code with the final page, then closes its connection.
    void finish(bool success, const QString &message);
    void cancel();

Q_SIGNALS:
    void done();

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void handleRequest(QTcpSocket *socket, const QByteArray &requestLine);
    void accept(Callback::Outcome outcome);
    static void reply(QTcpSocket *socket, int status, const QString &message, bool success);

    QTcpServer m_server;
    QByteArray m_state;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QPointer<QTcpSocket> m_held; // the browser waiting for finish()
    Callback m_result;
    bool m_done = false;
};

} // namespace sp
