#include "OidcTestServer.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QProcessEnvironment>
#include <QStandardPaths>

namespace sp::test {

namespace {

QString interopDir() { return QStringLiteral(SYNCPILOT_SOURCE_DIR "/tests/interop"); }

} // namespace

OidcTestServer::~OidcTestServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QString OidcTestServer::missingPrerequisite()
{
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        return QStringLiteral("node is not installed");
    if (!QDir(interopDir() + QStringLiteral("/node_modules/oidc-provider")).exists())
        return QStringLiteral("tests/interop/node_modules/oidc-provider is missing (run `npm ci` in tests/interop, as test.sh does)");
    return {};
}

bool OidcTestServer::start(QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (const QString missing = missingPrerequisite(); !missing.isEmpty())
        return fail(missing);
    if (m_process.state() != QProcess::NotRunning)
        return fail(QStringLiteral("the OIDC test server is already running"));
    const QString interop = interopDir();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PORT"), QStringLiteral("0"));
    env.insert(QStringLiteral("LOG_TOKENS"), QStringLiteral("1"));
    env.insert(QStringLiteral("EXIT_WITH_PARENT"), QStringLiteral("1")); // no orphan server if the test crashes
    m_process.setProcessEnvironment(env);
    m_process.setWorkingDirectory(interop);
    m_process.start(QStandardPaths::findExecutable(QStringLiteral("node")), {interop + QStringLiteral("/oidc-test-server.mjs")});
    if (!m_process.waitForStarted())
        return fail(m_process.errorString());
    QDeadlineTimer deadline(30'000);
    while (!m_out.contains('\n') || !m_out.contains("ISSUER ")) {
        if (deadline.hasExpired() || m_process.state() != QProcess::Running)
            return fail(QStringLiteral("the OIDC test server did not start: ") + QString::fromUtf8(m_process.readAllStandardError()));
        m_process.waitForReadyRead(200);
        m_out += m_process.readAllStandardOutput();
    }
    const qsizetype at = m_out.indexOf("ISSUER ");
    m_issuer = QString::fromUtf8(m_out.mid(at + 7, m_out.indexOf('\n', at) - at - 7)).trimmed();
    if (!m_issuer.startsWith(QLatin1String("http://127.0.0.1:"))) {
        const QString printed = m_issuer;
        m_issuer.clear();
        return fail(QStringLiteral("the OIDC test server printed an unexpected issuer: ") + printed);
    }
    return true;
}

QStringList OidcTestServer::issuedTokens()
{
    m_out += m_process.readAllStandardOutput();
    QStringList tokens;
    for (const QByteArray &line : m_out.split('\n')) {
        if (line.startsWith("TOKEN "))
            tokens << QString::fromUtf8(line.split(' ').value(2)).trimmed();
    }
    return tokens;
}

} // namespace sp::test
