#include "sync/FigmaVariables.h"

#include "common/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace sp {

int FigmaCollection::modeIndex(const QString &name) const
{
    for (int i = 0; i < modes.size(); ++i)
        if (modes.at(i).name == name)
            return i;
    return -1;
}

namespace {

// Reads one answer; every accessor names the JSON path it looked at, so a message points at the
// exact field Figma (or a proxy in between) got wrong.
class Reader
{
public:
    explicit Reader(const QString &fileKey) : m_fileKey(fileKey) {}

    [[noreturn]] void bad(const QString &path, const QString &expected) const
    {
        invalid(FigmaFileState::tr("Figma file %1: the variables answer is malformed: \"%2\" %3")
                    .arg(m_fileKey, path, expected));
    }

    QJsonObject object(const QJsonObject &parent, const QString &key, const QString &path) const
    {
        const QJsonValue v = parent.value(key);
        if (!v.isObject())
            bad(path, FigmaFileState::tr("must be an object"));
        return v.toObject();
    }
    QString string(const QJsonObject &parent, const QString &key, const QString &path) const
    {
        const QJsonValue v = parent.value(key);
        if (!v.isString())
            bad(path, FigmaFileState::tr("must be a string"));
        return v.toString();
    }
    QString optionalString(const QJsonObject &parent, const QString &key, const QString &path) const
    {
        const QJsonValue v = parent.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString())
            bad(path, FigmaFileState::tr("must be a string"));
        return v.toString();
    }
    bool optionalBool(const QJsonObject &parent, const QString &key, const QString &path) const
    {
        const QJsonValue v = parent.value(key);
        if (v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool())
            bad(path, FigmaFileState::tr("must be true or false"));
        return v.toBool();
    }

    VariableValue value(const QJsonValue &v, VariableType type, const QString &path) const
    {
        if (v.isObject() && v.toObject().value(QLatin1String("type")) == QLatin1String("VARIABLE_ALIAS")) {
            const QString id = v.toObject().value(QLatin1String("id")).toString();
            if (id.isEmpty())
                bad(path + QLatin1String(".id"), FigmaFileState::tr("must be the id of the aliased variable"));
            return VariableValue::ofAlias(id);
        }
        switch (type) {
        case VariableType::Color: {
            const QJsonObject o = v.toObject();
            const char *channels[] = {"r", "g", "b", "a"};
            double c[4] = {0, 0, 0, 1};
            if (!v.isObject())
                bad(path, FigmaFileState::tr("must be a colour {r, g, b, a} or an alias"));
            for (int i = 0; i < 4; ++i) {
                const QJsonValue channel = o.value(QLatin1String(channels[i]));
                if (i == 3 && channel.isUndefined())
                    break;
                if (!channel.isDouble() || channel.toDouble() < 0 || channel.toDouble() > 1)
                    bad(path + u'.' + QLatin1String(channels[i]), FigmaFileState::tr("must be a number from 0 to 1"));
                c[i] = channel.toDouble();
            }
            return VariableValue::ofColor(Rgba{c[0], c[1], c[2], c[3]});
        }
        case VariableType::Float:
            if (!v.isDouble())
                bad(path, FigmaFileState::tr("must be a number or an alias"));
            return VariableValue::ofNumber(v.toDouble());
        case VariableType::Boolean:
            if (!v.isBool())
                bad(path, FigmaFileState::tr("must be true, false or an alias"));
            return VariableValue::ofBoolean(v.toBool());
        case VariableType::String:
            if (!v.isString())
                bad(path, FigmaFileState::tr("must be a string or an alias"));
            return VariableValue::ofString(v.toString());
        }
        bad(path, FigmaFileState::tr("has an unknown type"));
    }

private:
    QString m_fileKey;
};

} // namespace

FigmaFileState FigmaFileState::fromJson(const QByteArray &body, const QString &fileKey)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        invalid(tr("Figma file %1: the variables answer is not a JSON object (%2 at byte %3)")
                    .arg(fileKey, error.errorString()).arg(error.offset));
    return fromJson(doc.object(), fileKey);
}

FigmaFileState FigmaFileState::fromJson(const QJsonObject &root, const QString &fileKey)
{
    const Reader in(fileKey);
    FigmaFileState state;
    state.fileKey = fileKey;

    const QJsonObject meta = in.object(root, QStringLiteral("meta"), QStringLiteral("meta"));
    const QJsonObject collections = in.object(meta, QStringLiteral("variableCollections"), QStringLiteral("meta.variableCollections"));
    const QJsonObject variables = in.object(meta, QStringLiteral("variables"), QStringLiteral("meta.variables"));

    QHash<QString, const FigmaCollection *> localCollections;
    for (auto it = collections.begin(); it != collections.end(); ++it) {
        const QString path = QStringLiteral("meta.variableCollections.") + it.key();
        if (!it.value().isObject())
            in.bad(path, tr("must be an object"));
        const QJsonObject c = it.value().toObject();
        if (in.optionalBool(c, QStringLiteral("remote"), path + QLatin1String(".remote")))
            continue;
        FigmaCollection collection;
        collection.id = in.string(c, QStringLiteral("id"), path + QLatin1String(".id"));
        collection.name = in.string(c, QStringLiteral("name"), path + QLatin1String(".name"));
        collection.defaultModeId = in.optionalString(c, QStringLiteral("defaultModeId"), path + QLatin1String(".defaultModeId"));
        const QJsonValue modes = c.value(QLatin1String("modes"));
        if (!modes.isArray())
            in.bad(path + QLatin1String(".modes"), tr("must be an array"));
        const QJsonArray modeArray = modes.toArray();
        for (int i = 0; i < modeArray.size(); ++i) {
            const QString modePath = QStringLiteral("%1.modes[%2]").arg(path).arg(i);
            if (!modeArray.at(i).isObject())
                in.bad(modePath, tr("must be an object"));
            const QJsonObject m = modeArray.at(i).toObject();
            collection.modes.append(FigmaMode{in.string(m, QStringLiteral("modeId"), modePath + QLatin1String(".modeId")),
                                              in.string(m, QStringLiteral("name"), modePath + QLatin1String(".name"))});
        }
        state.collections.append(collection);
    }
    for (const FigmaCollection &c : std::as_const(state.collections))
        localCollections.insert(c.id, &c);

    for (auto it = variables.begin(); it != variables.end(); ++it) {
        const QString path = QStringLiteral("meta.variables.") + it.key();
        if (!it.value().isObject())
            in.bad(path, tr("must be an object"));
        const QJsonObject v = it.value().toObject();
        FigmaVariable variable;
        variable.id = in.string(v, QStringLiteral("id"), path + QLatin1String(".id"));
        variable.name = in.string(v, QStringLiteral("name"), path + QLatin1String(".name"));
        state.namesById.insert(variable.id, variable.name);
        if (in.optionalBool(v, QStringLiteral("remote"), path + QLatin1String(".remote"))
            || in.optionalBool(v, QStringLiteral("deletedButReferenced"), path + QLatin1String(".deletedButReferenced")))
            continue;
        variable.collectionId = in.string(v, QStringLiteral("variableCollectionId"), path + QLatin1String(".variableCollectionId"));
        const QString typeName = in.string(v, QStringLiteral("resolvedType"), path + QLatin1String(".resolvedType"));
        // Figma spells exactly these four; anything else is not Figma's answer.
        static const QStringList figmaTypes{QStringLiteral("BOOLEAN"), QStringLiteral("FLOAT"), QStringLiteral("STRING"), QStringLiteral("COLOR")};
        if (!figmaTypes.contains(typeName) || !parseVariableType(typeName, &variable.type))
            in.bad(path + QLatin1String(".resolvedType"), tr("is \"%1\", expected BOOLEAN, FLOAT, STRING or COLOR").arg(typeName));
        variable.description = in.optionalString(v, QStringLiteral("description"), path + QLatin1String(".description"));
        const QJsonObject values = in.object(v, QStringLiteral("valuesByMode"), path + QLatin1String(".valuesByMode"));
        for (auto value = values.begin(); value != values.end(); ++value)
            variable.valuesByMode.insert(value.key(), in.value(value.value(), variable.type,
                                                               path + QLatin1String(".valuesByMode.") + value.key()));
        // A local variable must belong to a local collection; one pointing elsewhere is an
        // extension override or a broken answer, neither of which sync may touch.
        if (!localCollections.contains(variable.collectionId))
            continue;
        state.variables.append(variable);
    }
    return state;
}

const FigmaCollection *FigmaFileState::collectionByName(const QString &name) const
{
    for (const FigmaCollection &c : collections)
        if (c.name == name)
            return &c;
    return nullptr;
}

const FigmaVariable *FigmaFileState::variableById(const QString &id) const
{
    if (m_variableIndex.size() != variables.size()) {
        m_variableIndex.clear();
        for (int i = 0; i < variables.size(); ++i)
            m_variableIndex.insert(variables.at(i).id, i);
    }
    const int i = m_variableIndex.value(id, -1);
    return i >= 0 && i < variables.size() && variables.at(i).id == id ? &variables.at(i) : nullptr;
}

QList<const FigmaVariable *> FigmaFileState::variablesOf(const QString &collectionId) const
{
    QList<const FigmaVariable *> out;
    for (const FigmaVariable &v : variables)
        if (v.collectionId == collectionId)
            out.append(&v);
    return out;
}

VariableCollection FigmaFileState::toCollection(const QString &name) const
{
    VariableCollection out;
    out.name = name;
    const FigmaCollection *collection = collectionByName(name);
    if (!collection)
        return out;
    for (const FigmaMode &m : collection->modes)
        out.modes.append(m.name);
    for (const FigmaVariable *v : variablesOf(collection->id)) {
        Variable variable;
        variable.name = v->name;
        variable.type = v->type;
        variable.description = v->description;
        for (const FigmaMode &m : collection->modes) {
            const auto value = v->valuesByMode.constFind(m.id);
            if (value == v->valuesByMode.constEnd())
                invalid(tr("Figma file %1: variable \"%2\" has no value for mode \"%3\" of collection \"%4\"")
                            .arg(fileKey, v->name, m.name, name));
            if (value->isAlias()) {
                const auto target = namesById.constFind(value->text);
                if (target == namesById.constEnd())
                    invalid(tr("Figma file %1: variable \"%2\" (mode \"%3\") aliases %4, which the file does not contain")
                                .arg(fileKey, v->name, m.name, value->text));
                variable.values.append(VariableValue::ofAlias(*target));
            } else {
                variable.values.append(*value);
            }
        }
        out.variables.append(variable);
    }
    return out;
}

QJsonObject FigmaValues::colorJson(const Rgba &color)
{
    return QJsonObject{{QStringLiteral("r"), color.r}, {QStringLiteral("g"), color.g},
                       {QStringLiteral("b"), color.b}, {QStringLiteral("a"), color.a}};
}

QJsonValue FigmaValues::literalJson(const VariableValue &value)
{
    switch (value.kind) {
    case VariableValue::Kind::Color: return colorJson(value.color);
    case VariableValue::Kind::Number: return value.number;
    case VariableValue::Kind::Boolean: return value.boolean;
    case VariableValue::Kind::String: return value.text;
    case VariableValue::Kind::Alias: break;
    }
    return QJsonValue::Null;
}

VariableValue FigmaValues::stored(const VariableValue &value)
{
    if (value.kind == VariableValue::Kind::Number && !value.unit.isEmpty())
        return VariableValue::ofNumber(value.number);
    return value;
}

bool FigmaValues::fits(const VariableValue &value, VariableType type)
{
    switch (value.kind) {
    case VariableValue::Kind::Alias: return true;
    case VariableValue::Kind::Color: return type == VariableType::Color;
    case VariableValue::Kind::Number: return type == VariableType::Float;
    case VariableValue::Kind::Boolean: return type == VariableType::Boolean;
    case VariableValue::Kind::String: return type == VariableType::String;
    }
    return false;
}

} // namespace sp
