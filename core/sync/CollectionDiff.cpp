#include "sync/CollectionDiff.h"

#include "sync/NameIndex.h"

#include <QJsonArray>
#include <QSet>

#include <vector>

namespace sp {

namespace {

// For each mode of `to`, its index in `from`, or -1 when `from` has no such mode.
QList<int> modeMap(const QStringList &from, const QStringList &to)
{
    QList<int> map;
    map.reserve(to.size());
    for (const QString &mode : to)
        map << int(from.indexOf(mode));
    return map;
}

// VariableValue's equality, with a shortcut for colours with identical channels: comparing the
// 8-bit forms means eight roundings per colour, a third of a diff of 100 000 colour variables.
bool sameValue(const VariableValue &a, const VariableValue &b)
{
    if (a.kind != b.kind)
        return false;
    if (a.kind == VariableValue::Kind::Color && a.color.r == b.color.r && a.color.g == b.color.g && a.color.b == b.color.b
        && a.color.a == b.color.a)
        return true;
    return a == b;
}

// Whether `after` has the same type, description and values as `before`, values matched by mode
// through map (after's mode i is before's map[i]). Modes only `before` has are not looked at.
bool sameContent(const Variable &before, const Variable &after, const QList<int> &map, bool identity)
{
    if (before.type != after.type || before.description != after.description)
        return false;
    if (identity) {
        if (before.values.size() != after.values.size())
            return false;
        for (qsizetype i = 0; i < after.values.size(); ++i) {
            if (!sameValue(before.values.at(i), after.values.at(i)))
                return false;
        }
        return true;
    }
    if (after.values.size() != map.size())
        return false;
    for (qsizetype i = 0; i < map.size(); ++i) {
        const int j = map.at(i);
        if (j < 0 || j >= before.values.size() || !sameValue(before.values.at(j), after.values.at(i)))
            return false;
    }
    return true;
}

// v laid out in another mode list; a mode v has no value for gets an empty value (only when a
// diff is applied to a base it was not computed from).
Variable remap(const Variable &v, const QList<int> &map, bool identity)
{
    if (identity)
        return v;
    Variable out;
    out.name = v.name;
    out.type = v.type;
    out.description = v.description;
    out.values.reserve(map.size());
    for (const int j : map)
        out.values << (j >= 0 && j < v.values.size() ? v.values.at(j) : VariableValue{});
    return out;
}

bool sameModeSet(const QStringList &a, const QStringList &b)
{
    return a.size() == b.size() && QSet<QString>(a.cbegin(), a.cend()) == QSet<QString>(b.cbegin(), b.cend());
}

QJsonObject variableJson(const Variable &v, const QStringList &modes)
{
    QJsonObject values;
    for (qsizetype i = 0; i < v.values.size() && i < modes.size(); ++i)
        values.insert(modes.at(i), v.values.at(i).display());
    QJsonObject out{{QStringLiteral("type"), variableTypeName(v.type)}, {QStringLiteral("values"), values}};
    if (!v.description.isEmpty())
        out.insert(QStringLiteral("description"), v.description);
    return out;
}

// For each variable of `after`, the index of the variable of the same name in `before`, or -1.
// Two states of one collection nearly always list their variables in the same order, so the
// lists are walked side by side (with a short look-ahead past deleted variables) and only what
// that leaves unmatched is looked up by name. Names are unique within each collection.
std::vector<int> matchByName(const VariableCollection &before, const VariableCollection &after)
{
    constexpr qsizetype kLookAhead = 8;
    const qsizetype nb = before.variables.size();
    const qsizetype na = after.variables.size();
    std::vector<int> match(size_t(na), -1);
    std::vector<bool> taken(size_t(nb), false);
    qsizetype j = 0;
    qsizetype unmatched = 0;
    for (qsizetype i = 0; i < na; ++i) {
        const QString &name = after.variables.at(i).name;
        for (qsizetype k = j; k < nb && k <= j + kLookAhead; ++k) {
            if (before.variables.at(k).name == name) {
                match[size_t(i)] = int(k);
                taken[size_t(k)] = true;
                j = k + 1;
                break;
            }
        }
        unmatched += match[size_t(i)] < 0 ? 1 : 0;
    }
    if (unmatched == 0)
        return match;
    NameIndex rest(nb / 8);
    for (qsizetype k = 0; k < nb; ++k) {
        if (!taken[size_t(k)])
            rest.insert(before.variables.at(k).name, int(k));
    }
    for (qsizetype i = 0; i < na; ++i) {
        if (match[size_t(i)] < 0)
            match[size_t(i)] = rest.find(after.variables.at(i).name);
    }
    return match;
}

int countKind(const QList<VariableChange> &changes, VariableChange::Kind kind)
{
    int n = 0;
    for (const VariableChange &c : changes)
        n += c.kind == kind ? 1 : 0;
    return n;
}

} // namespace

int CollectionDiff::created() const { return countKind(changes, VariableChange::Kind::Created); }
int CollectionDiff::updated() const { return countKind(changes, VariableChange::Kind::Updated); }
int CollectionDiff::deleted() const { return countKind(changes, VariableChange::Kind::Deleted); }

bool CollectionDiff::modesReordered() const
{
    return modesAdded.isEmpty() && modesRemoved.isEmpty() && previousModes != modes;
}

bool CollectionDiff::isEmpty() const
{
    return !renamed && modesAdded.isEmpty() && modesRemoved.isEmpty() && !modesReordered() && changes.isEmpty();
}

QJsonObject CollectionDiff::toJson() const
{
    QJsonArray list;
    for (const VariableChange &c : changes) {
        QJsonObject entry{{QStringLiteral("name"), c.name}};
        switch (c.kind) {
        case VariableChange::Kind::Created:
            entry.insert(QStringLiteral("kind"), QStringLiteral("created"));
            entry.insert(QStringLiteral("after"), variableJson(c.after, modes));
            break;
        case VariableChange::Kind::Updated:
            entry.insert(QStringLiteral("kind"), QStringLiteral("updated"));
            entry.insert(QStringLiteral("before"), variableJson(c.before, previousModes));
            entry.insert(QStringLiteral("after"), variableJson(c.after, modes));
            break;
        case VariableChange::Kind::Deleted:
            entry.insert(QStringLiteral("kind"), QStringLiteral("deleted"));
            entry.insert(QStringLiteral("before"), variableJson(c.before, previousModes));
            break;
        }
        list.append(entry);
    }
    QJsonObject out{{QStringLiteral("collection"), name},
                    {QStringLiteral("modes"), QJsonArray::fromStringList(modes)},
                    {QStringLiteral("modesAdded"), QJsonArray::fromStringList(modesAdded)},
                    {QStringLiteral("modesRemoved"), QJsonArray::fromStringList(modesRemoved)},
                    {QStringLiteral("created"), created()},
                    {QStringLiteral("updated"), updated()},
                    {QStringLiteral("deleted"), deleted()},
                    {QStringLiteral("changes"), list}};
    if (renamed)
        out.insert(QStringLiteral("previousName"), previousName);
    return out;
}

QStringList CollectionDiff::lines() const
{
    QStringList out;
    if (renamed)
        out << tr("collection renamed %1 → %2").arg(previousName, name);
    for (const QString &mode : modesAdded)
        out << tr("+ mode %1").arg(mode);
    for (const QString &mode : modesRemoved)
        out << tr("- mode %1").arg(mode);
    if (modesReordered())
        out << tr("modes reordered: %1").arg(modes.join(QStringLiteral(", ")));
    const QList<int> map = modeMap(previousModes, modes);
    for (const VariableChange &c : changes) {
        switch (c.kind) {
        case VariableChange::Kind::Created: {
            QString line = tr("+ %1").arg(c.name);
            for (qsizetype i = 0; i < modes.size() && i < c.after.values.size(); ++i)
                line += QStringLiteral("  ") + tr("%1 %2").arg(modes.at(i), c.after.values.at(i).display());
            out << line;
            break;
        }
        case VariableChange::Kind::Updated: {
            QString line = tr("~ %1").arg(c.name);
            if (c.before.type != c.after.type)
                line += QStringLiteral("  ") + tr("type %1 → %2").arg(variableTypeName(c.before.type), variableTypeName(c.after.type));
            if (c.before.description != c.after.description)
                line += QStringLiteral("  ") + tr("description \"%1\" → \"%2\"").arg(c.before.description, c.after.description);
            for (qsizetype i = 0; i < modes.size() && i < c.after.values.size(); ++i) {
                const int j = map.at(i);
                const VariableValue &now = c.after.values.at(i);
                if (j < 0 || j >= c.before.values.size())
                    line += QStringLiteral("  ") + tr("%1 %2").arg(modes.at(i), now.display());
                else if (c.before.values.at(j) != now)
                    line += QStringLiteral("  ") + tr("%1 %2 → %3").arg(modes.at(i), c.before.values.at(j).display(), now.display());
            }
            out << line;
            break;
        }
        case VariableChange::Kind::Deleted:
            out << tr("- %1").arg(c.name);
            break;
        }
    }
    return out;
}

CollectionDiff diffCollections(const VariableCollection &before, const VariableCollection &after)
{
    CollectionDiff d;
    d.previousName = before.name;
    d.name = after.name;
    d.renamed = before.name != after.name;
    d.previousModes = before.modes;
    d.modes = after.modes;
    for (const QString &mode : after.modes) {
        if (!before.modes.contains(mode))
            d.modesAdded << mode;
    }
    for (const QString &mode : before.modes) {
        if (!after.modes.contains(mode))
            d.modesRemoved << mode;
    }
    const QList<int> map = modeMap(before.modes, after.modes);
    const bool identity = before.modes == after.modes;
    const std::vector<int> match = matchByName(before, after);
    std::vector<bool> kept(size_t(before.variables.size()), false);
    for (qsizetype i = 0; i < after.variables.size(); ++i) {
        const Variable &v = after.variables.at(i);
        const int j = match[size_t(i)];
        if (j < 0) {
            d.changes << VariableChange{VariableChange::Kind::Created, v.name, Variable{}, v};
            continue;
        }
        kept[size_t(j)] = true;
        if (!sameContent(before.variables.at(j), v, map, identity))
            d.changes << VariableChange{VariableChange::Kind::Updated, v.name, before.variables.at(j), v};
    }
    for (qsizetype j = 0; j < before.variables.size(); ++j) {
        if (!kept[size_t(j)]) {
            const Variable &v = before.variables.at(j);
            d.changes << VariableChange{VariableChange::Kind::Deleted, v.name, v, Variable{}};
        }
    }
    return d;
}

VariableCollection applyDiff(const VariableCollection &base, const CollectionDiff &diff)
{
    VariableCollection out;
    out.name = diff.renamed ? diff.name : base.name;
    for (const QString &mode : base.modes) {
        if (!diff.modesRemoved.contains(mode))
            out.modes << mode;
    }
    for (const QString &mode : diff.modesAdded) {
        if (!out.modes.contains(mode))
            out.modes << mode;
    }
    // The diff's own order when it describes the same modes (a reordering is part of a diff).
    if (sameModeSet(out.modes, diff.modes))
        out.modes = diff.modes;

    const QList<int> baseMap = modeMap(base.modes, out.modes);
    const bool baseIdentity = base.modes == out.modes;
    const QList<int> diffMap = modeMap(diff.modes, out.modes);
    const bool diffIdentity = diff.modes == out.modes;

    NameIndex changeIndex(diff.changes.size());
    for (int i = 0; i < int(diff.changes.size()); ++i)
        changeIndex.insert(diff.changes.at(i).name, i);
    std::vector<bool> used(size_t(diff.changes.size()), false);

    out.variables.reserve(base.variables.size() + diff.changes.size());
    for (const Variable &v : base.variables) {
        const int c = changeIndex.find(v.name);
        if (c < 0) {
            out.variables << remap(v, baseMap, baseIdentity);
            continue;
        }
        used[size_t(c)] = true;
        const VariableChange &change = diff.changes.at(c);
        if (change.kind != VariableChange::Kind::Deleted)
            out.variables << remap(change.after, diffMap, diffIdentity);
    }
    for (int i = 0; i < int(diff.changes.size()); ++i) {
        const VariableChange &change = diff.changes.at(i);
        if (!used[size_t(i)] && change.kind != VariableChange::Kind::Deleted)
            out.variables << remap(change.after, diffMap, diffIdentity);
    }
    return out;
}

QStringList mismatchingVariables(const VariableCollection &a, const VariableCollection &b)
{
    QStringList out;
    const bool sameModes = sameModeSet(a.modes, b.modes);
    const QList<int> map = modeMap(a.modes, b.modes);
    const bool identity = a.modes == b.modes;
    const std::vector<int> match = matchByName(b, a); // a's variables in b
    std::vector<bool> inA(size_t(b.variables.size()), false);
    for (qsizetype i = 0; i < a.variables.size(); ++i) {
        const int j = match[size_t(i)];
        if (j >= 0)
            inA[size_t(j)] = true;
        if (!sameModes || j < 0 || !sameContent(a.variables.at(i), b.variables.at(j), map, identity))
            out << a.variables.at(i).name;
    }
    for (qsizetype j = 0; j < b.variables.size(); ++j) {
        if (!inA[size_t(j)])
            out << b.variables.at(j).name;
    }
    return out;
}

} // namespace sp
