#pragma once

#include <QByteArray>
#include <QString>

namespace sp {

// Appends s as a JSON string literal (RFC 8259): quotes, backslash and control characters
// escaped, everything else as UTF-8. For hand-built JSON on hot paths (audit hashing, the flagd
// file), where building a QJsonObject tree costs more than the work around it.
void appendJsonString(QByteArray &out, const QString &s);

} // namespace sp
