#pragma once

#include "sync/VariableCollection.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace sp {

// What `GET /v1/files/:file_key/variables/local` says about a file, reduced to what sync needs.
// Remote (library) variables and collections are left out of `collections`/`variables`, but their
// names stay known so that an alias to one can still be shown.

struct FigmaMode
{
    QString id;   // "1:0"
    QString name; // "Light"
};

struct FigmaCollection
{
    QString id; // "VariableCollectionId:1:2"
    QString name;
    QList<FigmaMode> modes; // Figma's order; the default mode is usually first
    QString defaultModeId;

    // The index in `modes` of the mode called name, or -1.
    int modeIndex(const QString &name) const;
};

struct FigmaVariable
{
    QString id; // "VariableID:1:3"
    QString name;
    QString collectionId;
    VariableType type = VariableType::String;
    QString description;
    // Keyed by mode id. An alias is VariableValue::ofAlias(<the referenced variable's *id*>);
    // FigmaFileState::toCollection turns ids into names.
    QHash<QString, VariableValue> valuesByMode;
};

struct FigmaFileState
{
    QString fileKey; // for messages
    QList<FigmaCollection> collections; // local ones only
    QList<FigmaVariable> variables;     // local, not deletedButReferenced
    QHash<QString, QString> namesById;  // every variable in the answer, remote and deleted included

    // Parses the answer of GET …/variables/local. Throws sp::invalid naming the file key and the
    // JSON field at fault ("meta.variables.VariableID:1:2.resolvedType") when the shape is wrong.
    static FigmaFileState fromJson(const QJsonObject &root, const QString &fileKey);
    static FigmaFileState fromJson(const QByteArray &body, const QString &fileKey);

    const FigmaCollection *collectionByName(const QString &name) const;
    const FigmaVariable *variableById(const QString &id) const;
    // The variables of a collection, in the order of the answer.
    QList<const FigmaVariable *> variablesOf(const QString &collectionId) const;

    // The collection called name as the shared model: modes in Figma's order, variables in the
    // order of the answer, aliases by the referenced variable's name, numbers without unit.
    // An absent collection gives an empty collection with that name and no modes.
    // Throws sp::invalid when a variable lacks a value for a mode or aliases an unknown id.
    VariableCollection toCollection(const QString &name) const;

    Q_DECLARE_TR_FUNCTIONS(FigmaFileState) // leaves the rest private
    mutable QHash<QString, int> m_variableIndex;
};

// Conversions between the model's values and Figma's JSON.
class FigmaValues
{
    Q_DECLARE_TR_FUNCTIONS(FigmaValues)

public:
    // {"r":…,"g":…,"b":…,"a":…} with components 0..1.
    static QJsonObject colorJson(const Rgba &color);
    // A literal in Figma's JSON for value (a number with a unit is written as its number).
    // Aliases are not literals: the caller builds {"type":"VARIABLE_ALIAS","id":…} itself.
    static QJsonValue literalJson(const VariableValue &value);
    // Value as Figma stores it: units dropped (Figma's FLOAT has none), everything else kept.
    static VariableValue stored(const VariableValue &value);
    // Whether value's kind fits a variable of type (aliases always fit here; their target's type
    // is checked separately).
    static bool fits(const VariableValue &value, VariableType type);
};

} // namespace sp
