#pragma once

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace sp {

class SecretStore;

// The Figma personal access token: in the keychain (key "figma/token"), nowhere else.
class FigmaCredentials
{
    Q_DECLARE_TR_FUNCTIONS(FigmaCredentials)

public:
    // Throws sp::Error(InvalidInput) for an empty token or one with whitespace inside.
    static void setToken(SecretStore &store, const QString &token);
    static std::optional<QString> token(SecretStore &store);
    static void clear(SecretStore &store);
};

} // namespace sp
