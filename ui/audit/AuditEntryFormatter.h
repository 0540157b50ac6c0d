#pragma once

#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QPalette>
#include <QStringList>

namespace sp {

// The detail pane's text for one audit entry: who, when, why, the before and after states as
// indented JSON with the keys that changed highlighted (and listed, so colour is not the only
// cue), and the hashes that chain it.
class AuditEntryFormatter
{
    Q_DECLARE_TR_FUNCTIONS(AuditEntryFormatter)

public:
    // Top-level keys whose value differs between before and after (added and removed ones too),
    // sorted. Empty when neither side is a JSON object and both are equal.
    static QStringList changedKeys(const QString &beforeJson, const QString &afterJson);
    // Rich text for a QTextBrowser, coloured from palette.
    static QString html(const AuditEntry &entry, const QPalette &palette);
};

} // namespace sp
