#pragma once

#include "sync/VariableCollection.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace sp {

// One variable that a sync creates, updates or deletes. before is empty for Created, after for
// Deleted; each is laid out in the modes of its own collection (CollectionDiff::previousModes
// and modes).
struct VariableChange
{
    enum class Kind { Created, Updated, Deleted };
    Kind kind = Kind::Updated;
    QString name;
    Variable before;
    Variable after;
};

// What turns one state of a collection into another, variable by variable: what the sync path
// writes instead of replacing everything. Values are compared per mode name, so a reordering
// of modes changes no variable; a new mode updates every variable (each gains a value); a
// removed mode only drops values.
struct CollectionDiff
{
    Q_DECLARE_TR_FUNCTIONS(CollectionDiff)

public:
    QStringList modesAdded, modesRemoved;
    bool renamed = false;
    QList<VariableChange> changes; // in `after` order, then deletions in `before` order

    // Both sides' collection name and modes: applyDiff needs the new ones, lines() the old ones.
    QString previousName, name;
    QStringList previousModes, modes;

    int created() const;
    int updated() const;
    int deleted() const;
    bool modesReordered() const;
    bool isEmpty() const;
    // {"collection", "previousName"?, "modes", "modesAdded", "modesRemoved", "created",
    //  "updated", "deleted", "changes": [{"kind", "name", "before"?, "after"?}]}; a variable is
    //  {"type", "description", "values": {mode: display text}}.
    QJsonObject toJson() const;
    // The dry-run preview, one line per change, mode and collection lines first:
    //   + mode Dusk / - mode Dim / collection renamed Brand → Brand 2
    //   + color/brand/600  Light #1e66f5  Dark #89b4fa
    //   ~ space/md  Light 16px → 12px
    //   - old/token
    QStringList lines() const;
};

// The changes from before to after, matching variables by name. A different type, description
// or value in any mode of after is an update.
CollectionDiff diffCollections(const VariableCollection &before, const VariableCollection &after);

// base + diff: base's order with updates in place and deletions removed, creations appended;
// name and modes as the diff says. applyDiff(b, diffCollections(b, a)) has a's content, by name.
VariableCollection applyDiff(const VariableCollection &base, const CollectionDiff &diff);

// The names of variables that differ between a and b: present in only one, or with a different
// type, description or value. Matching is by name, regardless of variable order; values are
// compared per mode name, regardless of mode order. A mode present in only one collection makes
// every variable differ (each has a value the other lacks), so every name is reported. The
// collection names are not compared. Order: a's names, then names only in b in b's order.
QStringList mismatchingVariables(const VariableCollection &a, const VariableCollection &b);

} // namespace sp
