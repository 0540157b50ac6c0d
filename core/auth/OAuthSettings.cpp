#include "OAuthSettings.h"

#include "SecretStore.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QHostAddress>
#include <QJsonArray>

namespace sp {

namespace {

const QString kClientId = QStringLiteral("google.client_id");
const QString kAuthUrl = QStringLiteral("google.auth_url");
const QString kTokenUrl = QStringLiteral("google.token_url");
const QString kRevokeUrl = QStringLiteral("google.revoke_url");
const QString kScopes = QStringLiteral("google.scopes");
const QString kSecretKey = QStringLiteral("google/client-secret");

bool isLoopback(const QString &host)
{
    if (host == QLatin1String("localhost"))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

void checkEndpoint(const QUrl &url, const QString &setting)
{
    if (!url.isValid() || url.host().isEmpty())
        invalid(OAuthSettings::tr("Google sign-in setting %1 is not a valid URL: \"%2\".").arg(setting, url.toString()));
    const bool https = url.scheme() == QLatin1String("https");
    const bool localHttp = url.scheme() == QLatin1String("http") && isLoopback(url.host());
    if (!https && !localHttp)
        invalid(OAuthSettings::tr("Google sign-in setting %1 must be an https:// URL (http:// only on 127.0.0.1): \"%2\".")
                    .arg(setting, url.toString()));
}

} // namespace

OAuthSettings OAuthSettings::googleDefaults()
{
    OAuthSettings s;
    s.authorizationUrl = QUrl(QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth"));
    s.tokenUrl = QUrl(QStringLiteral("https://oauth2.googleapis.com/token"));
    s.revocationUrl = QUrl(QStringLiteral("https://oauth2.googleapis.com/revoke"));
    s.scopes = {QStringLiteral("openid"), QStringLiteral("email"),
                QStringLiteral("https://www.googleapis.com/auth/spreadsheets.readonly")};
    return s;
}

OAuthSettings OAuthSettings::load(const Workspace &ws)
{
    const OAuthSettings d = googleDefaults();
    OAuthSettings s;
    s.clientId = ws.meta(kClientId);
    s.authorizationUrl = QUrl(ws.meta(kAuthUrl, d.authorizationUrl.toString()));
    s.tokenUrl = QUrl(ws.meta(kTokenUrl, d.tokenUrl.toString()));
    s.revocationUrl = QUrl(ws.meta(kRevokeUrl, d.revocationUrl.toString()));
    s.scopes = ws.meta(kScopes, d.scopes.join(QLatin1Char(' '))).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    return s;
}

void OAuthSettings::save(Workspace &ws) const
{
    ws.setMeta(kClientId, clientId);
    ws.setMeta(kAuthUrl, authorizationUrl.toString());
    ws.setMeta(kTokenUrl, tokenUrl.toString());
    ws.setMeta(kRevokeUrl, revocationUrl.toString());
    ws.setMeta(kScopes, scopes.join(QLatin1Char(' ')));
}

void OAuthSettings::validate() const
{
    checkEndpoint(authorizationUrl, kAuthUrl);
    checkEndpoint(tokenUrl, kTokenUrl);
    checkEndpoint(revocationUrl, kRevokeUrl);
    if (clientId.trimmed().isEmpty())
        invalid(tr("Google sign-in setting google.client_id is not set: run `syncpilot-cli auth google configure --client-id ID`."));
    if (scopes.isEmpty())
        invalid(tr("Google sign-in setting google.scopes is empty."));
}

QJsonObject OAuthSettings::toJson() const
{
    return QJsonObject{{QStringLiteral("clientId"), clientId},
                       {QStringLiteral("authorizationUrl"), authorizationUrl.toString()},
                       {QStringLiteral("tokenUrl"), tokenUrl.toString()},
                       {QStringLiteral("revocationUrl"), revocationUrl.toString()},
                       {QStringLiteral("scopes"), QJsonArray::fromStringList(scopes)}};
}

std::optional<QString> OAuthSettings::clientSecret(SecretStore &store)
{
    std::optional<QString> secret = store.read(kSecretKey);
    if (secret && secret->isEmpty())
        return std::nullopt;
    return secret;
}

void OAuthSettings::setClientSecret(SecretStore &store, const QString &secret)
{
    if (secret.isEmpty())
        store.remove(kSecretKey);
    else
        store.write(kSecretKey, secret);
}

} // namespace sp
