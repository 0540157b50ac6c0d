#include "FaultServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace sp::test {

QByteArray FaultServer::Request::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

QByteArray FaultServer::Request::path() const
{
    const qsizetype q = target.indexOf('?');
    return q < 0 ? target : target.left(q);
}

QString FaultServer::Request::decodedPath() const
{
    return QUrl::fromPercentEncoding(path());
}

QUrlQuery FaultServer::Request::query() const
{
    const qsizetype q = target.indexOf('?');
    return QUrlQuery(q < 0 ? QString() : QString::fromLatin1(target.mid(q + 1)));
}

FaultServer::Reply FaultServer::Reply::json(int status, const QByteArray &body)
{
    Reply r;
    r.status = status;
    r.body = body;
    r.headers.emplaceBack("Content-Type", "application/json; charset=UTF-8");
    return r;
}

FaultServer::Reply FaultServer::Reply::text(int status, const QByteArray &body, const QByteArray &contentType)
{
    Reply r;
    r.status = status;
    r.body = body;
    r.headers.emplaceBack("Content-Type", contentType);
    return r;
}

FaultServer::Reply FaultServer::Reply::reset()
{
    Reply r;
    r.action = Action::Reset;
    return r;
}

FaultServer::Reply FaultServer::Reply::resetMidBody()
{
    Reply r = json(200, QByteArrayLiteral("{\"values\": [[\"a\", \"b\"], [\"c\""));
    r.action = Action::ResetMidBody;
    return r;
}

FaultServer::Reply FaultServer::Reply::hang()
{
    Reply r;
    r.action = Action::Hang;
    return r;
}

FaultServer::Reply FaultServer::Reply::slowBody(int status, const QByteArray &body, int intervalMs, int chunkSize)
{
    Reply r = json(status, body);
    r.action = Action::SlowBody;
    r.intervalMs = intervalMs;
    r.chunkSize = qMax(1, chunkSize);
    return r;
}

FaultServer::Reply FaultServer::Reply::malformedJson()
{
    return json(200, QByteArrayLiteral("{\"values\": [[\"a\", \"b\"], <html>oops"));
}

FaultServer::Reply FaultServer::Reply::googleError(int code, const QString &status, const QString &message, const QString &reason)
{
    QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}, {QStringLiteral("status"), status}};
    if (!reason.isEmpty()) {
        error.insert(QStringLiteral("details"),
                     QJsonArray{QJsonObject{{QStringLiteral("@type"), QStringLiteral("type.googleapis.com/google.rpc.ErrorInfo")},
                                            {QStringLiteral("reason"), reason},
                                            {QStringLiteral("domain"), QStringLiteral("googleapis.com")}}});
    }
    return json(code, QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}));
}

FaultServer::FaultServer(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            m_connections.insert(socket, Connection{});
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                const auto it = m_connections.find(socket);
                if (it == m_connections.end())
                    return;
                if (it->busy)
                    --m_inFlight;
                m_connections.erase(it);
                socket->deleteLater();
            });
        }
    });
    if (!m_server.listen(QHostAddress::LocalHost))
        qFatal("FaultServer: cannot listen on 127.0.0.1: %s", qPrintable(m_server.errorString()));
    m_clock.start();
}

FaultServer::~FaultServer()
{
    m_server.close();
    const QList<QTcpSocket *> sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
    }
}

QUrl FaultServer::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port()));
}

QUrl FaultServer::url(const QString &pathAndQuery) const
{
    QString rel = pathAndQuery;
    if (rel.startsWith(u'/'))
        rel.remove(0, 1);
    return QUrl(QStringLiteral("http://127.0.0.1:%1/%2").arg(port()).arg(rel));
}

quint16 FaultServer::port() const
{
    return m_server.serverPort();
}

QString FaultServer::upstream() const
{
    return QStringLiteral("127.0.0.1:%1").arg(port());
}

void FaultServer::enqueue(const Reply &reply)
{
    m_queue.append(reply);
}

void FaultServer::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void FaultServer::clearRequests()
{
    m_requests.clear();
    m_maxInFlight = m_inFlight;
}

void FaultServer::dropConnections()
{
    const QList<QTcpSocket *> sockets = m_connections.keys();
    for (QTcpSocket *socket : sockets)
        socket->abort(); // disconnected() does the bookkeeping
}

void FaultServer::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->buffer.append(socket->readAll());
    processBuffer(socket);
}

void FaultServer::processBuffer(QTcpSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->busy)
        return;
    QByteArray &buffer = it->buffer;
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    Request request;
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    request.target = requestLine.value(1);
    qsizetype contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        request.headers.emplaceBack(name, value);
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            contentLength = value.toLongLong();
    }
    if (buffer.size() < headerEnd + 4 + contentLength)
        return; // the body is still on its way
    request.body = buffer.mid(headerEnd + 4, contentLength);
    buffer.remove(0, headerEnd + 4 + contentLength);
    request.receivedAtMs = m_clock.elapsed();

    it->busy = true;
    ++m_inFlight;
    m_maxInFlight = qMax(m_maxInFlight, m_inFlight);
    m_requests.append(request);

    Reply reply;
    if (!m_queue.isEmpty())
        reply = m_queue.takeFirst();
    else if (m_handler)
        reply = m_handler(request);
    else
        reply = Reply::text(404, "no scripted reply for " + request.method + ' ' + request.target + '\n');
    answer(socket, reply);
}

QByteArray FaultServer::statusLine(int status)
{
    static const QHash<int, QByteArray> phrases{
        {200, "OK"}, {201, "Created"}, {204, "No Content"}, {400, "Bad Request"}, {401, "Unauthorized"},
        {403, "Forbidden"}, {404, "Not Found"}, {409, "Conflict"}, {413, "Payload Too Large"},
        {429, "Too Many Requests"}, {500, "Internal Server Error"}, {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"}};
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + phrases.value(status, "Status") + "\r\n";
}

void FaultServer::answer(QTcpSocket *socket, const Reply &reply)
{
    switch (reply.action) {
    case Reply::Action::Hang:
        return; // busy until the client gives up and closes
    case Reply::Action::Reset:
        resetConnection(socket);
        return;
    case Reply::Action::ResetMidBody:
    case Reply::Action::Respond:
    case Reply::Action::SlowBody:
        break;
    }

    QByteArray head = statusLine(reply.status);
    bool hasLength = false;
    for (const auto &[name, value] : reply.headers) {
        head += name + ": " + value + "\r\n";
        hasLength = hasLength || name.compare("Content-Length", Qt::CaseInsensitive) == 0;
    }
    if (!hasLength)
        head += "Content-Length: " + QByteArray::number(reply.body.size() + (reply.action == Reply::Action::ResetMidBody ? 100 : 0)) + "\r\n";
    head += "\r\n";

    QPointer<QTcpSocket> guard(socket);
    if (reply.action == Reply::Action::ResetMidBody) {
        // The pause lets the client read the headers first: it is then mid-answer, where Qt
        // reports the reset instead of resending the request.
        socket->write(head + reply.body);
        QTimer::singleShot(50, socket, [this, socket] { resetConnection(socket); });
        return;
    }
    if (reply.action == Reply::Action::SlowBody) {
        socket->write(head);
        auto *timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        connect(timer, &QTimer::timeout, socket, [this, socket, timer, sent, reply] {
            socket->write(reply.body.mid(*sent, reply.chunkSize));
            *sent += reply.chunkSize;
            if (*sent >= reply.body.size()) {
                timer->stop();
                timer->deleteLater();
                finishRequest(socket);
            }
        });
        timer->start(reply.intervalMs);
        return;
    }
    auto send = [this, guard, head, body = reply.body] {
        if (!guard)
            return;
        guard->write(head + body);
        finishRequest(guard);
    };
    if (reply.delayMs > 0)
        QTimer::singleShot(reply.delayMs, socket, send);
    else
        send();
}

void FaultServer::resetConnection(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it != m_connections.end()) {
        if (it->busy)
            --m_inFlight;
        m_connections.erase(it);
    }
#ifdef Q_OS_UNIX
    // Linger 0: close() sends RST instead of FIN, a real "connection reset by peer".
    const struct linger hard{1, 0};
    ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
#endif
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void FaultServer::finishRequest(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end() || !it->busy)
        return;
    it->busy = false;
    --m_inFlight;
    // A pipelined or already-buffered next request goes now.
    QTimer::singleShot(0, socket, [this, socket] { processBuffer(socket); });
}

} // namespace sp::test
