#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace sp {

class SecretStore;
class Workspace;

// Where and as whom SyncPilot signs in to Google. Kept in the workspace (meta google.*) so a team
// shares one OAuth client; configurable so tests can point it at a real OAuth server on loopback.
// The client secret is NOT part of it: it lives in the keychain only (clientSecret()).
struct OAuthSettings
{
    Q_DECLARE_TR_FUNCTIONS(OAuthSettings)

public:
    QString clientId;
    QUrl authorizationUrl;
    QUrl tokenUrl;
    QUrl revocationUrl;
    QStringList scopes;

    // Google's endpoints (qt-notes §2.1) and read-only Sheets scope; no client id.
    static OAuthSettings googleDefaults();
    // The workspace's settings, Google's defaults for whatever is not set.
    static OAuthSettings load(const Workspace &ws);
    // Must be called inside Workspace::write().
    void save(Workspace &ws) const;

    // Throws sp::Error(InvalidInput) naming the setting when one is missing or unusable: endpoints
    // must be https, or http on a loopback address (tests).
    void validate() const;
    // For audit entries and `auth status --json`: no secret in it.
    QJsonObject toJson() const;

    // The Google Desktop-app client secret (optional: without it the client is public and relies on
    // PKCE alone). Keychain only, key "google/client-secret".
    static std::optional<QString> clientSecret(SecretStore &store);
    static void setClientSecret(SecretStore &store, const QString &secret); // empty: remove
};

} // namespace sp
