#pragma once

#include "sync/VariableCollection.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace sp {

// A collection as one W3C Design Tokens (DTCG) file, in the string-valued form Style Dictionary
// 4.x builds: colours "#rrggbb"/"#rrggbbaa", dimensions "12px", numbers, and — as Figma's own
// export does — "string" and "boolean" tokens. Groups come from the "/" segments of the names.
//
// A token's $value is its value in the collection's first mode. SyncPilot's extras live under
// "$extensions" → "io.syncpilot", which DTCG tools preserve and Style Dictionary ignores:
// the root holds the collection name, the mode list and — only when the variables are not
// already in group order — the variable order; every token of a collection with several modes
// holds its value per mode. With those, read(write(c)) == c.
class DtcgFormat
{
    Q_DECLARE_TR_FUNCTIONS(DtcgFormat)

public:
    // Deterministic bytes (2-space indent, trailing newline). Throws sp::invalid naming the
    // variable when the collection cannot be expressed in DTCG: a name segment that is empty,
    // starts with "$" or contains ".", "{" or "}"; a name that is both a token and a group; a
    // duplicate name or mode; a value count that does not match the modes; a non-finite number;
    // a string that would read back as an alias ("{…}").
    static QByteArray write(const VariableCollection &c);

    // Reads what write() produces, and DTCG from other tools: $type inherited from groups, alias
    // tokens without a type taking their target's, tokens without SyncPilot modes giving one mode
    // named "Value", 2025.10 object colours and dimensions. The collection name defaults to the
    // file name in where without its extensions. Throws sp::invalid naming where and the JSON
    // pointer of the fault ("tokens.json: /color/brand: \"$value\" missing").
    static VariableCollection read(const QByteArray &data, const QString &where);

    // "color/brand/primary" -> "{color.brand.primary}", the DTCG alias syntax.
    static QString reference(const QString &name);
};

} // namespace sp
