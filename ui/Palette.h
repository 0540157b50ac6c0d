#pragma once

#include <QPalette>
#include <QString>

namespace sp {

// The window follows the system's palette (light or dark) by default. "--palette dark|light"
// forces one, on the Fusion style, for desktops that do not pass their scheme on to Qt and for
// screenshots of both.
QPalette darkPalette();
QPalette lightPalette();
// "dark", "light" or "system"; returns false for anything else.
bool applyPalette(const QString &name);

} // namespace sp
