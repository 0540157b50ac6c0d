#pragma once

#include <QByteArray>
#include <QString>

namespace sp {

// Replaces path with data so that readers see either the old content or the new one, never a
// mix: the bytes go to a temporary file in the same directory, which is flushed and renamed over
// path on success. On any failure the temporary file is removed, path is left untouched and
// sp::fail() is thrown naming path and the reason.
void writeFileAtomically(const QString &path, const QByteArray &data);

// The whole content of path; sp::fail() naming path and the reason when it cannot be read.
QByteArray readFileOrThrow(const QString &path);

} // namespace sp
