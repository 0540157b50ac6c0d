#pragma once

#include <QLocale>

namespace sp {

// Installs SyncPilot's own translation (embedded under :/i18n by qt_add_translations) and Qt's
// qtbase translation (dialog buttons, context menus) for locale, when they exist. Replaces any
// translators installed by an earlier call. Returns whether SyncPilot's translation was found;
// English needs none.
bool installTranslations(const QLocale &locale);

} // namespace sp
