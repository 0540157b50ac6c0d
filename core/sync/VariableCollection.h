#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace sp {

// The four variable types of Figma's Variables API, which the mapping produces and every target
// understands. Names as Figma spells them ("COLOR", "FLOAT", "BOOLEAN", "STRING").
enum class VariableType { Color, Float, Boolean, String };

QString variableTypeName(VariableType type);
// Accepts the Figma names in any case, plus "color", "number"/"float"/"dimension", "bool"/"boolean",
// "string"/"text". Returns false for anything else.
bool parseVariableType(const QString &text, VariableType *type);

// A colour in sRGB with components 0..1 (Figma's representation). Two colours are equal when
// their 8-bit channels are equal: that is what every target can store, so comparing floats would
// report drift that no one can see (Figma's own examples compare via hex for the same reason).
struct Rgba
{
    double r = 0, g = 0, b = 0, a = 1;

    // "#rrggbb" when opaque, "#rrggbbaa" otherwise; lower case.
    QString hex() const;
    // The packed 8-bit channels 0xRRGGBBAA, the identity used for comparison.
    quint32 packed() const;
    bool operator==(const Rgba &o) const { return packed() == o.packed(); }
};

// One value of a variable in one mode: a literal of the variable's type, or an alias to another
// variable of the same collection by its full name ("color/brand/primary").
struct VariableValue
{
    enum class Kind { Color, Number, Boolean, String, Alias };

    Kind kind = Kind::String;
    Rgba color;
    double number = 0;
    bool boolean = false;
    QString text;  // the string value, or the alias target's name
    QString unit;  // FLOAT only: "px", "rem", … when the cell said "12px"; empty for plain numbers

    static VariableValue ofColor(const Rgba &c) { VariableValue v; v.kind = Kind::Color; v.color = c; return v; }
    static VariableValue ofNumber(double n, const QString &unit = {}) { VariableValue v; v.kind = Kind::Number; v.number = n; v.unit = unit; return v; }
    static VariableValue ofBoolean(bool b) { VariableValue v; v.kind = Kind::Boolean; v.boolean = b; return v; }
    static VariableValue ofString(const QString &s) { VariableValue v; v.kind = Kind::String; v.text = s; return v; }
    static VariableValue ofAlias(const QString &name) { VariableValue v; v.kind = Kind::Alias; v.text = name; return v; }

    bool isAlias() const { return kind == Kind::Alias; }
    // Equal as the targets store them: colours by 8-bit channels, numbers exactly, units and
    // strings by content, aliases by target name.
    bool operator==(const VariableValue &o) const;
    bool operator!=(const VariableValue &o) const { return !(*this == o); }
    // For messages and diffs: "#3366ff", "12px", "true", "\"Inter\"", "{color/brand/primary}".
    QString display() const;
};

// One design variable: a name with "/" groups, a type, and one value per mode of its collection.
struct Variable
{
    QString name;                // "color/brand/primary"
    VariableType type = VariableType::String;
    QString description;
    QList<VariableValue> values; // values[i] belongs to VariableCollection::modes[i]

    bool operator==(const Variable &o) const
    { return name == o.name && type == o.type && description == o.description && values == o.values; }
    bool operator!=(const Variable &o) const { return !(*this == o); }
};

// A table mapped into one collection of variables with modes (Light, Dark, …). Variables keep the
// order of the sheet; names are unique (the mapping refuses duplicates).
struct VariableCollection
{
    QString name;
    QStringList modes;
    QList<Variable> variables;

    // Index of the (first) variable called name, or -1. Hashed: the index is built on the first
    // call, extended when variables were appended since, and rebuilt when a hit shows an edit in
    // place (or the list shrank). A miss right after renaming a variable in place can be stale.
    int indexOf(const QString &name) const;
    const Variable *find(const QString &name) const;
    // SHA-256 over a canonical form (name, modes, variables in order): the change detection of
    // sync mode ("did the source change since the last run?").
    QByteArray contentHash() const;

    bool operator==(const VariableCollection &o) const
    { return name == o.name && modes == o.modes && variables == o.variables; }

private:
    struct NameLookup;
    // Built lazily by indexOf; copies of the collection share it until one of them changes it.
    mutable std::shared_ptr<NameLookup> m_lookup;
};

} // namespace sp
