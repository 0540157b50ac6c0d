#include "sync/FigmaPlanner.h"

#include "common/Error.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <functional>

namespace sp {

namespace {

const QString kAction = QStringLiteral("action");
const QString kId = QStringLiteral("id");
const QString kName = QStringLiteral("name");
const QString kCollectionId = QStringLiteral("variableCollectionId");
const QString kVariableId = QStringLiteral("variableId");
const QString kModeId = QStringLiteral("modeId");
const QString kValue = QStringLiteral("value");
const QString kType = QStringLiteral("type");
const QString kAlias = QStringLiteral("VARIABLE_ALIAS");

const char *const kSectionKeys[] = {"variableCollections", "variableModes", "variables", "variableModeValues"};

QJsonObject aliasJson(const QString &id)
{
    return QJsonObject{{kType, kAlias}, {kId, id}};
}

} // namespace

void FigmaPlanner::checkDesired(const VariableCollection &desired)
{
    const QString &collection = desired.name;
    if (collection.trimmed().isEmpty())
        invalid(tr("The Figma collection has no name."));
    if (desired.modes.isEmpty())
        invalid(tr("Collection \"%1\" has no modes; Figma needs at least one.").arg(collection));
    if (desired.modes.size() > FigmaLimits::maxModesPerCollection)
        invalid(tr("Collection \"%1\" has %2 modes; Figma allows at most %3 modes per collection. Nothing was sent.")
                    .arg(collection).arg(desired.modes.size()).arg(FigmaLimits::maxModesPerCollection));
    QSet<QString> modeNames;
    for (const QString &mode : desired.modes) {
        if (mode.trimmed().isEmpty())
            invalid(tr("Collection \"%1\" has a mode without a name.").arg(collection));
        if (mode.size() > FigmaLimits::maxModeNameLength)
            invalid(tr("Mode \"%1\" of collection \"%2\" is longer than %3 characters, Figma's limit for mode names.")
                        .arg(mode, collection).arg(FigmaLimits::maxModeNameLength));
        if (modeNames.contains(mode))
            invalid(tr("Collection \"%1\" has two modes called \"%2\".").arg(collection, mode));
        modeNames.insert(mode);
    }
    if (desired.variables.size() > FigmaLimits::maxVariablesPerCollection)
        invalid(tr("Collection \"%1\" has %2 variables; Figma allows at most %3 variables per collection. Nothing was sent.")
                    .arg(collection).arg(desired.variables.size()).arg(FigmaLimits::maxVariablesPerCollection));

    QHash<QString, int> index;
    index.reserve(desired.variables.size());
    for (int i = 0; i < desired.variables.size(); ++i) {
        const Variable &v = desired.variables.at(i);
        if (v.name.trimmed().isEmpty())
            invalid(tr("Collection \"%1\" has a variable without a name (number %2).").arg(collection).arg(i + 1));
        for (const QChar c : {u'.', u'{', u'}'})
            if (v.name.contains(c))
                invalid(tr("Variable \"%1\" of collection \"%2\": Figma variable names must not contain \"%3\" (use \"/\" for groups).")
                            .arg(v.name, collection, c));
        if (index.contains(v.name))
            invalid(tr("Collection \"%1\" has two variables called \"%2\".").arg(collection, v.name));
        index.insert(v.name, i);
        if (v.values.size() != desired.modes.size())
            invalid(tr("Variable \"%1\" of collection \"%2\" has %3 values for %4 modes.")
                        .arg(v.name, collection).arg(v.values.size()).arg(desired.modes.size()));
        for (int m = 0; m < v.values.size(); ++m) {
            const VariableValue &value = v.values.at(m);
            if (!FigmaValues::fits(value, v.type))
                invalid(tr("Variable \"%1\" (mode \"%2\") is %3 but its value %4 is not.")
                            .arg(v.name, desired.modes.at(m), variableTypeName(v.type), value.display()));
        }
    }
    for (const Variable &v : desired.variables) {
        for (int m = 0; m < v.values.size(); ++m) {
            const VariableValue &value = v.values.at(m);
            if (!value.isAlias())
                continue;
            const int target = index.value(value.text, -1);
            if (target < 0)
                invalid(tr("Variable \"%1\" (mode \"%2\") aliases {%3}, which is not in collection \"%4\".")
                            .arg(v.name, desired.modes.at(m), value.text, collection));
            if (desired.variables.at(target).type != v.type)
                invalid(tr("Variable \"%1\" (mode \"%2\") is %3 but aliases {%4}, which is %5.")
                            .arg(v.name, desired.modes.at(m), variableTypeName(v.type), value.text,
                                 variableTypeName(desired.variables.at(target).type)));
        }
    }
    // Cycles are per mode: Light may alias a → b while Dark aliases b → a.
    for (int m = 0; m < desired.modes.size(); ++m) {
        QList<int> state(desired.variables.size(), 0); // 0 unvisited, 1 on the path, 2 done
        for (int start = 0; start < desired.variables.size(); ++start) {
            QStringList path;
            int i = start;
            while (state.at(i) == 0 && desired.variables.at(i).values.at(m).isAlias()) {
                state[i] = 1;
                path.append(desired.variables.at(i).name);
                i = index.value(desired.variables.at(i).values.at(m).text);
            }
            if (state.at(i) == 1) {
                path.append(desired.variables.at(i).name);
                invalid(tr("Collection \"%1\", mode \"%2\": the aliases form a cycle: %3.")
                            .arg(collection, desired.modes.at(m), path.mid(path.indexOf(path.last())).join(QStringLiteral(" → "))));
            }
            for (const QString &name : std::as_const(path))
                state[index.value(name)] = 2;
            state[i] = 2;
        }
    }
}

FigmaPlanner::FigmaPlanner(const FigmaFileState &state, const VariableCollection &desired, const Scope &scope,
                           qsizetype maxBodyBytes)
    : m_scope(scope), m_maxBodyBytes(maxBodyBytes)
{
    checkDesired(desired);
    m_collection = state.collectionByName(desired.name);
    planCollectionAndModes(state, desired);
    planVariables(state, desired);
    // The plan outlives neither argument's need: it only keeps JSON.
    m_collection = nullptr;
}

QString FigmaPlanner::tempId(char kind)
{
    // Unique over the whole plan, so unique within every body; never shaped like Figma's ids.
    const QString id = QStringLiteral("tmp_%1%2").arg(QLatin1Char(kind)).arg(++m_tempCounter);
    m_tempIds.insert(id);
    return id;
}

void FigmaPlanner::add(Section section, const QJsonObject &json, Count count, const QString &what,
                       const QStringList &createsTempIds)
{
    m_entries.append(Entry{section, json, createsTempIds, count, what});
    switch (count) {
    case Count::Created: ++m_planned.created; break;
    case Count::Updated: ++m_planned.updated; break;
    case Count::Deleted: ++m_planned.deleted; break;
    case Count::None: break;
    }
}

void FigmaPlanner::planCollectionAndModes(const FigmaFileState &state, const VariableCollection &desired)
{
    const QString create = QStringLiteral("CREATE");
    if (!m_collection) {
        m_collectionId = tempId('c');
        const QString initialMode = tempId('m');
        add(Section::Collections,
            QJsonObject{{kAction, create}, {kId, m_collectionId}, {kName, desired.name}, {QStringLiteral("initialModeId"), initialMode}},
            Count::None, tr("collection \"%1\"").arg(desired.name), {m_collectionId, initialMode});
        // Figma names the initial mode "Mode 1"; the first desired mode takes it over.
        add(Section::Modes,
            QJsonObject{{kAction, QStringLiteral("UPDATE")}, {kId, initialMode}, {kName, desired.modes.first()}, {kCollectionId, m_collectionId}},
            Count::None, tr("mode \"%1\"").arg(desired.modes.first()));
        m_modeIds.append(initialMode);
        m_modeIsNew.append(true);
        for (int i = 1; i < desired.modes.size(); ++i) {
            const QString id = tempId('m');
            add(Section::Modes, QJsonObject{{kAction, create}, {kId, id}, {kName, desired.modes.at(i)}, {kCollectionId, m_collectionId}},
                Count::None, tr("mode \"%1\"").arg(desired.modes.at(i)), {id});
            m_modeIds.append(id);
            m_modeIsNew.append(true);
        }
        return;
    }

    m_collectionId = m_collection->id;
    QList<int> unmatchedDesired;
    QList<bool> existingMatched(m_collection->modes.size(), false);
    for (int i = 0; i < desired.modes.size(); ++i) {
        const int existing = m_collection->modeIndex(desired.modes.at(i));
        m_modeIds.append(existing >= 0 ? m_collection->modes.at(existing).id : QString());
        m_modeIsNew.append(existing < 0);
        if (existing >= 0)
            existingMatched[existing] = true;
        else
            unmatchedDesired.append(i);
    }
    QList<int> unmatchedExisting;
    for (int i = 0; i < existingMatched.size(); ++i)
        if (!existingMatched.at(i))
            unmatchedExisting.append(i);

    if (m_scope.fullReplace) {
        // A mode the source renamed keeps its Figma id (and the designs bound to it): pair the
        // leftover modes in order and rename; delete what remains, create what is missing.
        // Deletions go first so the count never exceeds the limit on the way.
        const qsizetype renames = std::min(unmatchedDesired.size(), unmatchedExisting.size());
        for (qsizetype k = renames; k < unmatchedExisting.size(); ++k) {
            const FigmaMode &mode = m_collection->modes.at(unmatchedExisting.at(k));
            add(Section::Modes, QJsonObject{{kAction, QStringLiteral("DELETE")}, {kId, mode.id}},
                Count::None, tr("mode \"%1\"").arg(mode.name));
        }
        for (qsizetype k = 0; k < renames; ++k) {
            const FigmaMode &mode = m_collection->modes.at(unmatchedExisting.at(k));
            const int d = unmatchedDesired.at(k);
            add(Section::Modes,
                QJsonObject{{kAction, QStringLiteral("UPDATE")}, {kId, mode.id}, {kName, desired.modes.at(d)}, {kCollectionId, m_collectionId}},
                Count::None, tr("mode \"%1\"").arg(desired.modes.at(d)));
            m_modeIds[d] = mode.id;
        }
        unmatchedDesired = unmatchedDesired.mid(renames);
    } else if (m_collection->modes.size() + unmatchedDesired.size() > FigmaLimits::maxModesPerCollection) {
        invalid(tr("Collection \"%1\" in Figma file %2 would have %3 modes; Figma allows at most %4. Nothing was sent.")
                    .arg(desired.name, state.fileKey)
                    .arg(m_collection->modes.size() + unmatchedDesired.size())
                    .arg(FigmaLimits::maxModesPerCollection));
    }
    for (const int d : std::as_const(unmatchedDesired)) {
        const QString id = tempId('m');
        add(Section::Modes, QJsonObject{{kAction, create}, {kId, id}, {kName, desired.modes.at(d)}, {kCollectionId, m_collectionId}},
            Count::None, tr("mode \"%1\"").arg(desired.modes.at(d)), {id});
        m_modeIds[d] = id;
    }
}

void FigmaPlanner::planVariables(const FigmaFileState &state, const VariableCollection &desired)
{
    QHash<QString, const FigmaVariable *> existing;
    QList<const FigmaVariable *> existingInOrder;
    if (m_collection) {
        existingInOrder = state.variablesOf(m_collection->id);
        for (const FigmaVariable *v : std::as_const(existingInOrder))
            if (!existing.contains(v->name))
                existing.insert(v->name, v);
    }

    // Which desired variables this plan writes.
    QSet<QString> written;
    if (m_scope.fullReplace || !m_collection) {
        for (const Variable &v : desired.variables)
            written.insert(v.name);
    } else {
        for (const QString &name : std::as_const(m_scope.changed))
            if (desired.find(name))
                written.insert(name);
    }
    auto recreated = [&](const Variable &v) {
        const FigmaVariable *e = existing.value(v.name);
        return e && e->type != v.type;
    };
    // A written variable's alias targets must exist in Figma by the time its values land, and
    // a recreated variable gets a new id, so whatever aliases it must be written again.
    for (bool grew = true; grew;) {
        grew = false;
        for (const Variable &v : desired.variables) {
            const bool isWritten = written.contains(v.name);
            for (const VariableValue &value : v.values) {
                if (!value.isAlias())
                    continue;
                const Variable *target = desired.find(value.text);
                if (isWritten && (!existing.contains(target->name) || recreated(*target)) && !written.contains(target->name)) {
                    written.insert(target->name);
                    grew = true;
                }
                if (!isWritten && written.contains(target->name) && recreated(*target)) {
                    written.insert(v.name);
                    grew = true;
                    break;
                }
            }
        }
    }

    // Deletions first: they make room under the variable limit.
    const QString del = QStringLiteral("DELETE");
    QSet<QString> deleted;
    auto addDelete = [&](const FigmaVariable *v) {
        if (deleted.contains(v->id))
            return;
        deleted.insert(v->id);
        add(Section::Variables, QJsonObject{{kAction, del}, {kId, v->id}}, Count::Deleted, tr("variable \"%1\"").arg(v->name));
    };
    if (m_scope.fullReplace) {
        for (const FigmaVariable *v : std::as_const(existingInOrder))
            if (!desired.find(v->name) || existing.value(v->name) != v)
                addDelete(v);
    } else {
        for (const QString &name : std::as_const(m_scope.deleted))
            if (!desired.find(name) && existing.contains(name))
                addDelete(existing.value(name));
    }
    for (const Variable &v : desired.variables)
        if (written.contains(v.name) && recreated(v))
            addDelete(existing.value(v.name));

    // Creations and description updates.
    QSet<QString> created;
    QSet<QString> counted; // updated variables already counted
    for (const Variable &v : desired.variables) {
        const FigmaVariable *e = existing.value(v.name);
        if (e && !recreated(v)) {
            m_variableIds.insert(v.name, e->id);
            if (written.contains(v.name) && e->description != v.description) {
                add(Section::Variables, QJsonObject{{kAction, QStringLiteral("UPDATE")}, {kId, e->id}, {QStringLiteral("description"), v.description}},
                    Count::Updated, tr("variable \"%1\"").arg(v.name));
                counted.insert(v.name);
            }
            continue;
        }
        if (!written.contains(v.name))
            continue; // the sync path leaves variables missing in Figma alone unless told
        const QString id = tempId('v');
        m_variableIds.insert(v.name, id);
        created.insert(v.name);
        QJsonObject json{{kAction, QStringLiteral("CREATE")}, {kId, id}, {kName, v.name}, {kCollectionId, m_collectionId},
                         {QStringLiteral("resolvedType"), variableTypeName(v.type)}};
        if (!v.description.isEmpty())
            json.insert(QStringLiteral("description"), v.description);
        add(Section::Variables, json, Count::Created, tr("variable \"%1\"").arg(v.name), {id});
    }
    const qsizetype finalCount = existing.size() - deleted.size() + created.size();
    if (finalCount > FigmaLimits::maxVariablesPerCollection)
        invalid(tr("Collection \"%1\" in Figma file %2 would have %3 variables; Figma allows at most %4 per collection. Nothing was sent.")
                    .arg(desired.name, state.fileKey).arg(finalCount).arg(FigmaLimits::maxVariablesPerCollection));

    // Values: literals first, then aliases with their targets' values set before them, so no
    // intermediate state of an alias chain closes a loop through an old value.
    struct PendingValue
    {
        int variable;
        int mode;
        int depth;
    };
    QList<PendingValue> literals;
    QList<PendingValue> aliases;
    QList<QHash<QString, int>> depthByMode(desired.modes.size());
    std::function<int(int, int)> depth = [&](int variable, int mode) -> int {
        const VariableValue &value = desired.variables.at(variable).values.at(mode);
        if (!value.isAlias())
            return 0;
        const auto known = depthByMode[mode].constFind(value.text);
        if (known != depthByMode[mode].constEnd())
            return *known + 1;
        const int d = depth(desired.indexOf(value.text), mode); // acyclic: checkDesired
        depthByMode[mode].insert(value.text, d);
        return d + 1;
    };
    for (int i = 0; i < desired.variables.size(); ++i) {
        const Variable &v = desired.variables.at(i);
        if (!m_variableIds.contains(v.name))
            continue;
        const bool isCreated = created.contains(v.name);
        const bool isWritten = written.contains(v.name);
        const FigmaVariable *e = isCreated ? nullptr : existing.value(v.name);
        for (int m = 0; m < desired.modes.size(); ++m) {
            const VariableValue &value = v.values.at(m);
            bool send = isCreated || m_modeIsNew.at(m) || (isWritten && m_scope.fullReplace);
            if (!send && isWritten) {
                const VariableValue current = e->valuesByMode.value(m_modeIds.at(m));
                send = value.isAlias() ? !(current.isAlias() && current.text == m_variableIds.value(value.text))
                                       : current != FigmaValues::stored(value);
            }
            if (!send)
                continue;
            if (value.isAlias())
                aliases.append(PendingValue{i, m, depth(i, m)});
            else
                literals.append(PendingValue{i, m, 0});
        }
    }
    std::stable_sort(aliases.begin(), aliases.end(), [](const PendingValue &a, const PendingValue &b) { return a.depth < b.depth; });
    for (const QList<PendingValue> *list : {&literals, &aliases}) {
        for (const PendingValue &p : *list) {
            const Variable &v = desired.variables.at(p.variable);
            const VariableValue &value = v.values.at(p.mode);
            const QJsonValue json = value.isAlias() ? QJsonValue(aliasJson(m_variableIds.value(value.text)))
                                                    : FigmaValues::literalJson(value);
            Count count = Count::None;
            if (!created.contains(v.name) && !counted.contains(v.name)) {
                counted.insert(v.name);
                count = Count::Updated;
            }
            add(Section::Values, QJsonObject{{kVariableId, m_variableIds.value(v.name)}, {kModeId, m_modeIds.at(p.mode)}, {kValue, json}},
                count, tr("the value of variable \"%1\" in mode \"%2\"").arg(v.name, desired.modes.at(p.mode)));
        }
    }
}

QString FigmaPlanner::resolvedId(const QString &id, int body, const Entry &entry) const
{
    const auto createdIn = m_tempBody.constFind(id);
    if (createdIn == m_tempBody.constEnd()) {
        // Not created yet: only possible for a real id (the plan orders creations first).
        Q_ASSERT(!m_tempIds.contains(id) || entry.createsTempIds.contains(id));
        return id;
    }
    if (*createdIn == body)
        return id;
    const QString real = m_realIds.value(id);
    if (real.isEmpty())
        fail(tr("Figma's answer to batch %1 did not include the id it gave to %2 (temporary id %3), which batch %4 needs for %5.")
                 .arg(*createdIn).arg(id.startsWith(QLatin1String("tmp_v")) ? tr("a new variable") : tr("a new collection or mode"), id)
                 .arg(body).arg(entry.what));
    return real;
}

QJsonObject FigmaPlanner::resolved(const Entry &entry, int body) const
{
    QJsonObject json = entry.json;
    for (const QString &key : {kId, kCollectionId, kVariableId, kModeId}) {
        const auto it = json.find(key);
        if (it == json.end() || (key == kId && entry.createsTempIds.contains(it->toString())))
            continue;
        *it = resolvedId(it->toString(), body, entry);
    }
    const auto value = json.find(kValue);
    if (value != json.end() && value->isObject() && value->toObject().value(kType) == kAlias)
        *value = aliasJson(resolvedId(value->toObject().value(kId).toString(), body, entry));
    return json;
}

QJsonObject FigmaPlanner::next()
{
    Q_ASSERT(hasNext());
    const int body = m_bodies + 1;
    QJsonArray arrays[4];
    qsizetype entryBytes[4] = {0, 0, 0, 0};
    // Exact size of the compact serialization of the body with the given sections.
    auto bodySize = [&]() {
        qsizetype size = 2; // {}
        int sections = 0;
        for (int s = 0; s < 4; ++s) {
            if (arrays[s].isEmpty())
                continue;
            size += qsizetype(qstrlen(kSectionKeys[s])) + 5 + entryBytes[s] + (arrays[s].size() - 1); // "key":[…] and commas
            ++sections;
        }
        return size + std::max(0, sections - 1);
    };
    m_pendingCounts.clear();
    while (m_next < m_entries.size()) {
        const Entry &entry = m_entries.at(m_next);
        const QJsonObject json = resolved(entry, body);
        const qsizetype size = QJsonDocument(json).toJson(QJsonDocument::Compact).size();
        const int s = int(entry.section);
        arrays[s].append(json);
        entryBytes[s] += size;
        if (bodySize() > m_maxBodyBytes) {
            arrays[s].removeLast();
            entryBytes[s] -= size;
            if (bodySize() == 2)
                invalid(tr("%1 alone is larger than the %2 bytes Figma accepts in one request.")
                            .arg(entry.what).arg(m_maxBodyBytes));
            break;
        }
        for (const QString &id : entry.createsTempIds)
            m_tempBody.insert(id, body);
        m_pendingCounts.append(entry.count);
        ++m_next;
    }
    ++m_bodies;
    QJsonObject out;
    for (int s = 0; s < 4; ++s)
        if (!arrays[s].isEmpty())
            out.insert(QLatin1String(kSectionKeys[s]), arrays[s]);
    Q_ASSERT(QJsonDocument(out).toJson(QJsonDocument::Compact).size() == bodySize());
    return out;
}

void FigmaPlanner::applyResponse(const QJsonObject &tempIdToRealId)
{
    for (auto it = tempIdToRealId.begin(); it != tempIdToRealId.end(); ++it)
        if (it.value().isString())
            m_realIds.insert(it.key(), it.value().toString());
    for (const Count c : std::as_const(m_pendingCounts)) {
        switch (c) {
        case Count::Created: ++m_applied.created; break;
        case Count::Updated: ++m_applied.updated; break;
        case Count::Deleted: ++m_applied.deleted; break;
        case Count::None: break;
        }
    }
    m_pendingCounts.clear();
    ++m_bodiesApplied;
}

} // namespace sp
