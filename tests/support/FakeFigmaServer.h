#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace sp::test {

// tests/interop/fake_figma.mjs run as a child process: a local Figma Variables API that checks
// every POST body against the official @figma/rest-api-spec schema and keeps a log of them.
class FakeFigmaServer
{
public:
    explicit FakeFigmaServer(QString token) : m_token(std::move(token)) {}
    ~FakeFigmaServer();

    // Empty when running; else why not: node or tests/interop/node_modules missing, or the server
    // did not start. Callers QSKIP with it, or QFAIL under CI=true.
    QString start();
    // Stops with SIGTERM; false when it did not exit cleanly.
    bool stop();

    QUrl url() const { return m_base; }
    // The admin endpoints (/__state/KEY, /__faults, /__log); blocks until the answer is in.
    QJsonDocument admin(const QByteArray &method, const QString &path, const QByteArray &body = {});
    static QString interopDir();

private:
    QString m_token;
    QProcess m_server;
    QUrl m_base;
    QNetworkAccessManager m_nam;
};

} // namespace sp::test
