#include "auth/SignedInAccount.h"

#include <QSettings>

namespace sp {

namespace {

const QString kKey = QStringLiteral("google/account");

// The user's own settings file (not the workspace: a team shares that).
struct UserSettings : QSettings
{
    UserSettings() : QSettings(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("SyncPilot"), QStringLiteral("syncpilot")) {}
};

} // namespace

QString SignedInAccount::current() { return UserSettings().value(kKey).toString(); }

void SignedInAccount::remember(const QString &account)
{
    UserSettings s;
    if (account.isEmpty())
        s.remove(kKey);
    else
        s.setValue(kKey, account);
}

void SignedInAccount::forget() { remember(QString()); }

} // namespace sp
