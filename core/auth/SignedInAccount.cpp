#include "auth/SignedInAccount.h"

#include <QSettings>

namespace sp {

namespace {
const QString kKey = QStringLiteral("google/account");
} // namespace

QString SignedInAccount::current()
{
    return QSettings(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("SyncPilot"), QStringLiteral("syncpilot"))
        .value(kKey)
        .toString();
}

void SignedInAccount::remember(const QString &account)
{
    QSettings s(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("SyncPilot"), QStringLiteral("syncpilot"));
    if (account.isEmpty())
        s.remove(kKey);
    else
        s.setValue(kKey, account);
}

void SignedInAccount::forget() { remember(QString()); }

} // namespace sp
