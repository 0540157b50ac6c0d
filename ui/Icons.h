#pragma once

#include <QColor>
#include <QIcon>

namespace sp::Icons {

enum class Glyph {
    Overview, Flags, Rollouts, Sync, Health, Audit,
    Emergency, Restore, Play, Pause, Stop, Forward, Undo, Add, Edit, Export, Verify, SignIn, Refresh,
};

// Icons drawn as vector shapes at whatever size and device pixel ratio they are shown at (crisp on
// high-DPI screens, no image files), in the palette's text colour of the moment, so they follow
// the system's light or dark palette.
QIcon icon(Glyph glyph);

// A filled circle in a semantic colour (health green / amber / red, breaker open …).
QIcon dot(const QColor &color);

// The semantic colours, readable on light and dark backgrounds alike.
QColor healthy();
QColor warning();
QColor danger();
QColor neutral();

} // namespace sp::Icons
