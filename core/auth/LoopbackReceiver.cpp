#include "LoopbackReceiver.h"

#include "common/Error.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

namespace sp {

namespace {

constexpr qsizetype kMaxRequestHead = 16 * 1024; // a browser's GET with cookies fits easily

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
    }
}

// Equal length and content, without an early exit that tells a guesser how much was right.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

LoopbackReceiver::LoopbackReceiver(QByteArray expectedState, QObject *parent)
    : QObject(parent), m_state(std::move(expectedState))
{
    connect(&m_server, &QTcpServer::newConnection, this, &LoopbackReceiver::onNewConnection);
}

LoopbackReceiver::~LoopbackReceiver()
{
    // The browser must not spin forever when the sign-in is abandoned before finish().
    if (m_held)
        reply(m_held, 200, tr("SyncPilot stopped waiting for this sign-in. Start it again from SyncPilot."), false);
}

void LoopbackReceiver::listen()
{
    // LocalHost (127.0.0.1), never Any: the callback must not be reachable from the network.
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        fail(tr("Cannot open a port on 127.0.0.1 for the sign-in callback: %1").arg(m_server.errorString()));
}

QUrl LoopbackReceiver::redirectUri() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server.serverPort());
    url.setPath(QStringLiteral("/"));
    return url;
}

LoopbackReceiver::Callback LoopbackReceiver::waitForCallback(int timeoutMs)
{
    if (!m_done) {
        QEventLoop loop;
        connect(this, &LoopbackReceiver::done, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!m_done)
        accept(Callback::Outcome::TimedOut);
    return m_result;
}

void LoopbackReceiver::finish(bool success, const QString &message)
{
    if (m_held)
        reply(m_held, 200, message, success);
    m_held = nullptr;
}

void LoopbackReceiver::cancel()
{
    if (!m_done)
        accept(Callback::Outcome::Cancelled);
}

void LoopbackReceiver::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void LoopbackReceiver::onReadyRead(QTcpSocket *socket)
{
    if (!m_buffers.contains(socket) && socket->property("answered").toBool()) {
        socket->readAll(); // a request after ours was answered: ignored, the connection is closing
        return;
    }
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > kMaxRequestHead) {
            m_buffers.remove(socket);
            reply(socket, 431, tr("The request is too large."), false);
        }
        return;
    }
    const QByteArray requestLine = buffer.left(buffer.indexOf("\r\n"));
    m_buffers.remove(socket);
    socket->setProperty("answered", true);
    handleRequest(socket, requestLine);
}

void LoopbackReceiver::handleRequest(QTcpSocket *socket, const QByteArray &requestLine)
{
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts[1].startsWith('/')) {
        reply(socket, 400, tr("This is not a request SyncPilot understands."), false);
        return;
    }
    if (parts[0] != "GET") {
        reply(socket, 405, tr("This is not a request SyncPilot understands."), false);
        return;
    }
    const QUrl url = QUrl::fromEncoded("http://127.0.0.1" + parts[1]);
    if (url.path() != QLatin1String("/")) {
        reply(socket, 404, tr("Not found."), false); // /favicon.ico and friends: not the callback
        return;
    }
    if (m_done) {
        reply(socket, 400, tr("This sign-in is already complete. You can close this tab."), false);
        return;
    }
    const QUrlQuery query(url);
    const QByteArray state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toUtf8();
    if (state.isEmpty() || !sameSecret(state, m_state)) {
        ++m_result.refused;
        reply(socket, 400, tr("This sign-in response does not belong to the sign-in SyncPilot is waiting for "
                              "(the state parameter does not match). It was ignored."), false);
        return;
    }
    const QString error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    if (!error.isEmpty()) {
        m_result.error = error;
        m_result.errorDescription = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
        reply(socket, 200, m_result.errorDescription.isEmpty()
                               ? tr("Sign-in was not completed: %1. You can close this tab.").arg(error)
                               : tr("Sign-in was not completed: %1 (%2). You can close this tab.").arg(error, m_result.errorDescription),
              false);
        accept(Callback::Outcome::Error);
        return;
    }
    if (code.isEmpty()) {
        reply(socket, 400, tr("The sign-in response has neither a code nor an error."), false);
        return;
    }
    m_result.code = code;
    m_held = socket;
    accept(Callback::Outcome::Code);
}

void LoopbackReceiver::accept(Callback::Outcome outcome)
{
    m_done = true;
    m_result.outcome = outcome;
    m_server.close(); // one sign-in, one callback
    Q_EMIT done();
}

void LoopbackReceiver::reply(QTcpSocket *socket, int status, const QString &message, bool success)
{
    const QString title = success ? tr("SyncPilot: signed in") : tr("SyncPilot: sign-in");
    const QByteArray body = QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1</title></head>"
                                           "<body style=\"font-family:sans-serif;margin:3em\"><h1>%1</h1><p>%2</p></body></html>\n")
                                .arg(title.toHtmlEscaped(), message.toHtmlEscaped())
                                .toUtf8();
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    head += "Content-Type: text/html; charset=utf-8\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    head += "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n";
    socket->write(head + body);
    socket->flush();              // into the kernel now: the socket may be destroyed right after
    socket->disconnectFromHost(); // after the bytes are written
}

} // namespace sp
