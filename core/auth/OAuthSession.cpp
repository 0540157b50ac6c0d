#include "OAuthSession.h"

#include "LoopbackReceiver.h"
#include "Pkce.h"
#include "SignedInAccount.h"
#include "SecretStore.h"
#include "common/Clock.h"
#include "common/Error.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

namespace sp {

const QString OAuthSession::refreshTokenKey = QStringLiteral("google/refresh-token");
const QString OAuthSession::accountKey = QStringLiteral("google/account");

namespace {

constexpr qint64 kRefreshMarginMs = 60'000; // refresh a minute before the access token expires

} // namespace

OAuthSession::OAuthSession(OAuthSettings settings, SecretStore &store, std::optional<QString> clientSecret, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_store(store)
    , m_clientSecret(std::move(clientSecret))
    , m_nam(new QNetworkAccessManager(this))
{
    if (m_clientSecret && m_clientSecret->isEmpty())
        m_clientSecret.reset();
}

OAuthSession::~OAuthSession() = default;

QByteArray OAuthSession::formEncode(const FormFields &fields)
{
    QByteArray out;
    for (const auto &[name, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

QString OAuthSession::accountFromIdToken(const QByteArray &idToken)
{
    // Only a display name is taken from it, so the signature is not checked: the token came
    // straight from the token endpoint over the connection we opened, and nothing is authorised
    // on the strength of this claim.
    const QList<QByteArray> parts = idToken.split('.');
    if (parts.size() < 2)
        return {};
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding)).object();
    const QString email = claims.value(QStringLiteral("email")).toString();
    return email.isEmpty() ? claims.value(QStringLiteral("sub")).toString() : email;
}

void OAuthSession::addClientAuth(FormFields &fields) const
{
    fields.append({QStringLiteral("client_id"), m_settings.clientId});
    if (m_clientSecret) // client_secret_post; a public client relies on PKCE alone
        fields.append({QStringLiteral("client_secret"), *m_clientSecret});
}

OAuthSession::TokenReply OAuthSession::postForm(const QUrl &url, FormFields fields, bool tokenRequest)
{
    if (tokenRequest && m_tokenHook)
        m_tokenHook(fields);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(m_transferTimeoutMs);
    // A redirected POST would carry the secrets somewhere nobody configured.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);

    QNetworkReply *reply = m_nam->post(request, formEncode(fields));
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();

    TokenReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    result.json = QJsonDocument::fromJson(body).object();
    if (result.status == 0) {
        result.networkError = reply->error() == QNetworkReply::OperationCanceledError
                                  ? tr("no answer within %n second(s)", nullptr, m_transferTimeoutMs / 1000)
                                  : reply->errorString();
    }
    reply->deleteLater();
    return result;
}

QString OAuthSession::tokenError(const TokenReply &reply, const QString &what) const
{
    if (!reply.networkError.isEmpty())
        return tr("%1 failed: cannot reach %2: %3.").arg(what, m_settings.tokenUrl.toString(), reply.networkError);
    const QString error = reply.json.value(QStringLiteral("error")).toString();
    const QString description = reply.json.value(QStringLiteral("error_description")).toString();
    if (error.isEmpty())
        return tr("%1 failed: %2 answered HTTP %3 without an OAuth error.").arg(what, m_settings.tokenUrl.toString()).arg(reply.status);
    if (description.isEmpty())
        return tr("%1 failed: %2 answered %3 (HTTP %4).").arg(what, m_settings.tokenUrl.toString(), error).arg(reply.status);
    return tr("%1 failed: %2 answered %3: %4 (HTTP %5).")
        .arg(what, m_settings.tokenUrl.toString(), error, description)
        .arg(reply.status);
}

void OAuthSession::acceptAccessToken(const QJsonObject &json)
{
    const QString tokenType = json.value(QStringLiteral("token_type")).toString();
    const QString accessToken = json.value(QStringLiteral("access_token")).toString();
    if (accessToken.isEmpty())
        fail(tr("The token endpoint %1 sent no access_token.").arg(m_settings.tokenUrl.toString()));
    if (!tokenType.isEmpty() && tokenType.compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0)
        fail(tr("The token endpoint %1 sent a token of type \"%2\"; SyncPilot needs a Bearer token.")
                 .arg(m_settings.tokenUrl.toString(), tokenType));
    const qint64 expiresIn = json.value(QStringLiteral("expires_in")).toInteger(3600);
    m_accessToken = accessToken.toUtf8();
    m_expiresAt = Clock::current().now().addSecs(expiresIn);
}

QString OAuthSession::signIn(const std::function<void(const QUrl &)> &openBrowser, int timeoutMs)
{
    m_settings.validate();
    const QByteArray verifier = Pkce::newVerifier();
    const QByteArray state = Pkce::newState(); // fresh for every attempt
    LoopbackReceiver receiver(state);
    receiver.listen();
    const QString redirectUri = receiver.redirectUri().toString();

    QUrl url = m_settings.authorizationUrl;
    const FormFields params{{QStringLiteral("response_type"), QStringLiteral("code")},
                            {QStringLiteral("client_id"), m_settings.clientId},
                            {QStringLiteral("redirect_uri"), redirectUri},
                            {QStringLiteral("scope"), m_settings.scopes.join(QLatin1Char(' '))},
                            {QStringLiteral("state"), QString::fromLatin1(state)},
                            {QStringLiteral("code_challenge"), QString::fromLatin1(Pkce::s256Challenge(verifier))},
                            {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
                            // Google: a refresh token, and a fresh one on every consent.
                            {QStringLiteral("access_type"), QStringLiteral("offline")},
                            {QStringLiteral("prompt"), QStringLiteral("consent")}};
    const QByteArray existing = url.query(QUrl::FullyEncoded).toLatin1();
    url.setQuery(QString::fromLatin1(existing.isEmpty() ? formEncode(params) : existing + '&' + formEncode(params)),
                 QUrl::StrictMode);
    openBrowser(url);

    const LoopbackReceiver::Callback callback = receiver.waitForCallback(timeoutMs);
    switch (callback.outcome) {
    case LoopbackReceiver::Callback::Outcome::TimedOut:
        if (callback.refused > 0)
            fail(tr("Google sign-in: no valid answer from the browser within %n second(s); %1 answer(s) with a wrong state "
                    "were refused. Start the sign-in again.", nullptr, timeoutMs / 1000)
                     .arg(callback.refused));
        fail(tr("Google sign-in: no answer from the browser within %n second(s). Start the sign-in again.", nullptr,
                timeoutMs / 1000));
    case LoopbackReceiver::Callback::Outcome::Cancelled:
        fail(tr("Google sign-in was cancelled."));
    case LoopbackReceiver::Callback::Outcome::Error:
        if (callback.errorDescription.isEmpty())
            fail(tr("Google sign-in was not completed in the browser: %1.").arg(callback.error));
        fail(tr("Google sign-in was not completed in the browser: %1 (%2).").arg(callback.error, callback.errorDescription));
    case LoopbackReceiver::Callback::Outcome::Code:
        break;
    }

    FormFields fields{{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                      {QStringLiteral("code"), callback.code}, // already decoded once: no double encoding (B2)
                      {QStringLiteral("redirect_uri"), redirectUri},
                      {QStringLiteral("code_verifier"), QString::fromLatin1(verifier)}};
    addClientAuth(fields);
    try {
        const TokenReply reply = postForm(m_settings.tokenUrl, fields, true);
        if (reply.status != 200)
            fail(tokenError(reply, tr("Google sign-in")));
        const QString refreshToken = reply.json.value(QStringLiteral("refresh_token")).toString();
        if (refreshToken.isEmpty())
            fail(tr("Google sign-in failed: %1 issued no refresh token (offline access was not granted).")
                     .arg(m_settings.tokenUrl.toString()));
        acceptAccessToken(reply.json);
        const QString name = accountFromIdToken(reply.json.value(QStringLiteral("id_token")).toString().toUtf8());
        m_store.write(refreshTokenKey, refreshToken);
        if (name.isEmpty())
            m_store.remove(accountKey);
        else
            m_store.write(accountKey, name);
        SignedInAccount::remember(name);
        m_refreshError.reset();
        receiver.finish(true, tr("SyncPilot is signed in. You can close this tab."));
        Q_EMIT accountChanged(name);
        return name;
    } catch (const Error &e) {
        m_accessToken.clear();
        receiver.finish(false, e.message());
        throw;
    }
}

bool OAuthSession::isSignedIn() { return m_store.read(refreshTokenKey).has_value(); }

QString OAuthSession::account() { return m_store.read(accountKey).value_or(QString()); }

QByteArray OAuthSession::authorizationHeader(bool forceRefresh)
{
    if (m_refreshing) {
        // Another caller (re-entered through a nested event loop) is refreshing: one refresh in
        // flight, everyone gets its outcome.
        QEventLoop loop;
        connect(this, &OAuthSession::refreshFinished, &loop, &QEventLoop::quit);
        loop.exec();
        if (m_refreshError)
            fail(*m_refreshError);
        return "Bearer " + m_accessToken;
    }
    const bool fresh = !m_accessToken.isEmpty() && Clock::current().now().msecsTo(m_expiresAt) > kRefreshMarginMs;
    if (forceRefresh || !fresh)
        refresh();
    return "Bearer " + m_accessToken;
}

void OAuthSession::refresh()
{
    m_refreshing = true;
    m_refreshError.reset();
    try {
        const std::optional<QString> refreshToken = m_store.read(refreshTokenKey);
        if (!refreshToken)
            fail(tr("Not signed in to Google: run `syncpilot-cli auth google sign-in`."));
        FormFields fields{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                          {QStringLiteral("refresh_token"), *refreshToken}};
        addClientAuth(fields);
        const TokenReply reply = postForm(m_settings.tokenUrl, fields, true);
        if (reply.status != 200) {
            if (reply.json.value(QStringLiteral("error")).toString() == QLatin1String("invalid_grant")) {
                // Expired, revoked, or pushed out by the per-user token limit (qt-notes §2.5): only
                // a new sign-in helps, so the dead token goes.
                m_accessToken.clear();
                const QString who = account();
                m_store.remove(refreshTokenKey);
                SignedInAccount::forget();
                if (who.isEmpty())
                    fail(tr("Google sign-in expired or was revoked; sign in again with `syncpilot-cli auth google sign-in`."));
                fail(tr("Google sign-in for %1 expired or was revoked; sign in again with `syncpilot-cli auth google sign-in`.")
                         .arg(who));
            }
            fail(tokenError(reply, tr("Refreshing the Google access token")));
        }
        acceptAccessToken(reply.json);
        // Providers may rotate the refresh token (public clients always do at oidc-provider);
        // the old one is then dead, so the new one must be kept.
        const QString rotated = reply.json.value(QStringLiteral("refresh_token")).toString();
        if (!rotated.isEmpty() && rotated != *refreshToken)
            m_store.write(refreshTokenKey, rotated);
    } catch (const Error &e) {
        m_refreshError = e.message();
        m_refreshing = false;
        Q_EMIT refreshFinished();
        throw;
    }
    m_refreshing = false;
    Q_EMIT refreshFinished();
}

QString OAuthSession::signOut()
{
    m_accessToken.clear();
    m_expiresAt = {};
    QString warning;
    if (const std::optional<QString> refreshToken = m_store.read(refreshTokenKey)) {
        FormFields fields{{QStringLiteral("token"), *refreshToken},
                          {QStringLiteral("token_type_hint"), QStringLiteral("refresh_token")}};
        addClientAuth(fields);
        const TokenReply reply = postForm(m_settings.revocationUrl, fields, false);
        if (!reply.networkError.isEmpty())
            warning = tr("The sign-in was removed from this computer, but revoking it at %1 failed: %2. "
                         "Revoke SyncPilot's access in your Google account settings.")
                          .arg(m_settings.revocationUrl.toString(), reply.networkError);
        else if (reply.status != 200)
            warning = tr("The sign-in was removed from this computer, but %1 refused to revoke it (HTTP %2%3). "
                         "Revoke SyncPilot's access in your Google account settings.")
                          .arg(m_settings.revocationUrl.toString())
                          .arg(reply.status)
                          .arg(reply.json.contains(QStringLiteral("error"))
                                   ? QStringLiteral(", ") + reply.json.value(QStringLiteral("error")).toString()
                                   : QString());
    }
    m_store.remove(refreshTokenKey);
    m_store.remove(accountKey);
    SignedInAccount::forget();
    Q_EMIT accountChanged(QString());
    return warning;
}

} // namespace sp
