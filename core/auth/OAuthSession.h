#pragma once

#include "OAuthSettings.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>
#include <utility>

class QNetworkAccessManager;

namespace sp {

class Error;
class SecretStore;

// One OS user's Google sign-in: the installed-app authorization-code flow with PKCE S256 and a
// loopback redirect (RFC 8252), then access tokens on demand. The refresh token and the account
// name live in the SecretStore (the OS keychain), never in the workspace; access tokens only in
// memory. Nothing here logs a token or puts one into an exception message.
//
// Blocking calls that spin a local event loop: use from one thread (the CLI's main thread, the
// sync worker), never the GUI thread. Token and revocation requests use QNetworkAccessManager
// directly: the OAuth endpoints are not rate-limited upstreams, so the HttpClient machinery
// (breakers, buckets) would only get in the way.
class OAuthSession : public QObject
{
    Q_OBJECT

public:
    static const QString refreshTokenKey; // "google/refresh-token"
    static const QString accountKey;      // "google/account"

    OAuthSession(OAuthSettings settings, SecretStore &store, std::optional<QString> clientSecret = std::nullopt,
                 QObject *parent = nullptr);
    ~OAuthSession() override;

    // Runs the browser sign-in: opens a loopback receiver, hands the authorization URL to
    // openBrowser (which must not block until the browser is done), waits up to timeoutMs for the
    // callback, checks state, redeems the code with the PKCE verifier and stores the refresh
    // token and the account. Returns the account name (the id_token's email, else its sub).
    // Throws sp::Error with a clear message on timeout, refusal or a failed exchange; nothing is
    // stored then.
    QString signIn(const std::function<void(const QUrl &authorizationUrl)> &openBrowser, int timeoutMs = 300'000);

    bool isSignedIn();
    QString account(); // empty when unknown

    // For net::HttpClient::setAuthProvider: "Bearer <access token>", refreshed when it expires in
    // under a minute or when forceRefresh (after a 401). A rotated refresh token is stored. A dead
    // refresh token (invalid_grant) is removed and reported as "sign in again".
    QByteArray authorizationHeader(bool forceRefresh);

    // Revokes the refresh token at the provider, then removes the local secrets, even when the
    // revocation failed. Returns an empty string, or a translated warning about the failed revoke.
    QString signOut();

    // Milliseconds a token or revocation request may take in all (default 30 s).
    void setTransferTimeout(int ms) { m_transferTimeoutMs = ms; }

    // Tests only: sees, and may change, the form fields of every token request before it is sent
    // (to prove that the server enforces PKCE when the verifier is dropped or altered).
    using FormFields = QList<std::pair<QString, QString>>;
    void setTokenRequestHook(std::function<void(FormFields &fields)> hook) { m_tokenHook = std::move(hook); }

    // The display name in an OpenID id_token: `email`, else `sub`; empty when there is none.
    static QString accountFromIdToken(const QByteArray &idToken);
    // application/x-www-form-urlencoded with every value percent-encoded (qt-notes B11).
    static QByteArray formEncode(const FormFields &fields);

Q_SIGNALS:
    void accountChanged(const QString &account);
    // After every refresh attempt; callers that arrived during a refresh wait for it.
    void refreshFinished();

private:
    struct TokenReply
    {
        int status = 0;
        QJsonObject json;
        QString networkError; // set when no HTTP answer arrived
    };
    TokenReply postForm(const QUrl &url, FormFields fields, bool tokenRequest);
    QString tokenError(const TokenReply &reply, const QString &what) const;
    void refresh();
    void acceptAccessToken(const QJsonObject &json);
    void addClientAuth(FormFields &fields) const;

    OAuthSettings m_settings;
    SecretStore &m_store;
    std::optional<QString> m_clientSecret;
    QNetworkAccessManager *m_nam;
    int m_transferTimeoutMs = 30'000;
    std::function<void(FormFields &)> m_tokenHook;

    QByteArray m_accessToken;
    QDateTime m_expiresAt;
    bool m_refreshing = false;
    std::optional<QString> m_refreshError; // why the last refresh failed, for callers that waited on it
};

} // namespace sp
