#pragma once

#include <QString>

namespace sp {

// The name of the Google account signed in on this computer (an e-mail address, not a secret),
// remembered in the user's settings so every audit entry can name it without a keychain round
// trip. The tokens themselves stay in the keychain (OAuthSession).
class SignedInAccount
{
public:
    static QString current();
    static void remember(const QString &account);
    static void forget();
};

} // namespace sp
