#include "FakeFigmaServer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QNetworkReply>
#include <QStandardPaths>

namespace sp::test {

QString FakeFigmaServer::interopDir()
{
    return QDir(QStringLiteral(SYNCPILOT_SOURCE_DIR)).filePath(QStringLiteral("tests/interop"));
}

FakeFigmaServer::~FakeFigmaServer() { stop(); }

QString FakeFigmaServer::start()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        return QStringLiteral("node is not installed");
    if (!QFileInfo::exists(QDir(interopDir()).filePath(QStringLiteral("node_modules/@figma/rest-api-spec/openapi/openapi.yaml"))))
        return QStringLiteral("tests/interop/node_modules is missing (run `npm ci` in tests/interop; test.sh does)");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("FIGMA_TOKEN"), m_token);
    env.insert(QStringLiteral("PORT"), QStringLiteral("0"));
    m_server.setProcessEnvironment(env);
    m_server.setWorkingDirectory(interopDir());
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start(node, {QStringLiteral("fake_figma.mjs")});
    if (!m_server.waitForStarted(10'000))
        return m_server.errorString();
    QByteArray out;
    QElapsedTimer waited;
    waited.start();
    while (!out.contains('\n') && waited.elapsed() < 30'000 && m_server.state() == QProcess::Running) {
        m_server.waitForReadyRead(1'000);
        out += m_server.readAllStandardOutput();
    }
    if (!out.startsWith("LISTENING "))
        return QStringLiteral("fake_figma.mjs did not start: ") + QString::fromUtf8(out);
    m_base = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(out.mid(10).trimmed().toInt()));
    return {};
}

bool FakeFigmaServer::stop()
{
    if (m_server.state() == QProcess::NotRunning)
        return true;
    m_server.terminate(); // SIGTERM: the server closes and exits 0
    return m_server.waitForFinished(10'000) && m_server.exitStatus() == QProcess::NormalExit && m_server.exitCode() == 0;
}

QJsonDocument FakeFigmaServer::admin(const QByteArray &method, const QString &path, const QByteArray &body)
{
    QNetworkRequest request(m_base.resolved(QUrl(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    if (reply->error() != QNetworkReply::NoError)
        qFatal("fake_figma admin %s %s: %s", method.constData(), qPrintable(path), qPrintable(reply->errorString()));
    return QJsonDocument::fromJson(reply->readAll());
}

} // namespace sp::test
