#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace sp::test {

// The real OAuth2/OIDC server of tests/interop/oidc-test-server.mjs (oidc-provider under node) on
// loopback, with LOG_TOKENS=1 so a test can search what SyncPilot wrote for the tokens it issued.
// Stopped by the destructor (and by itself if this process dies: EXIT_WITH_PARENT=1).
class OidcTestServer
{
public:
    OidcTestServer() = default;
    ~OidcTestServer();
    OidcTestServer(const OidcTestServer &) = delete;
    OidcTestServer &operator=(const OidcTestServer &) = delete;

    // Why the server cannot run here (node or tests/interop/node_modules/oidc-provider missing),
    // empty when it can. Tests skip on it, or fail under CI=true.
    static QString missingPrerequisite();

    // Starts the server and waits (up to 30 s) for its "ISSUER http://127.0.0.1:PORT" line.
    // False with *error set when it could not.
    bool start(QString *error);
    // "http://127.0.0.1:PORT", empty before start() succeeded.
    QString issuer() const { return m_issuer; }
    // Every access and refresh token the server has issued so far.
    QStringList issuedTokens();

private:
    QProcess m_process;
    QByteArray m_out;
    QString m_issuer;
};

} // namespace sp::test
