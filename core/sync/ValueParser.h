#pragma once

#include "sync/VariableCollection.h"

#include <QCoreApplication>
#include <QString>
#include <QStringView>

#include <optional>

namespace sp {

// Turns one sheet cell into a typed variable value. Accepted forms:
// - COLOR: #RGB, #RGBA, #RRGGBB, #RRGGBBAA; rgb()/rgba() with commas or spaces ("rgb(51 102 255 / 80%)"),
//   channels 0–255 or percentages, alpha 0–1 or a percentage; hsl()/hsla() alike (hue in degrees).
// - FLOAT: a decimal number ("12", "-0.5", "1e3"), optionally followed by a unit ("12px", "1.5rem",
//   "50%", "200ms"); the unit is kept, lower case.
// - BOOLEAN: true/false or yes/no in any case (Sheets sends TRUE/FALSE).
// - STRING: any text, kept as written.
// - An alias "{group/name}" (or "{group.name}", normalised to "/") stands for any type; the mapping
//   checks it against the variable it names.
// Values other than strings may be surrounded by spaces. Failures come back as a sentence naming
// the text ("\"#12345\" is not a colour").
class ValueParser
{
    Q_DECLARE_TR_FUNCTIONS(ValueParser)

public:
    // The shape of a cell as type inference sees it.
    enum class Shape {
        Empty,
        Alias,
        Color,        // a valid colour
        ColorLike,    // meant as a colour but malformed: "#12345", "rgb(300,0,0)"
        Number,       // a valid number with or without a unit
        NumberLike,   // starts like a number but is not one: "12pz", "1.2.3"
        Boolean,
        Text,
    };

    // Parses text as a value of type. Returns false and sets *error (when given) on failure.
    static bool parse(const QString &text, VariableType type, VariableValue *value, QString *error = nullptr);

    static bool parseColor(QStringView text, Rgba *color, QString *error = nullptr);
    static bool parseNumber(QStringView text, double *number, QString *unit, QString *error = nullptr);
    static bool parseBoolean(QStringView text, bool *value, QString *error = nullptr);
    // "{color/brand/500}" or "{color.brand.500}" → "color/brand/500". False when text is not in
    // braces; a name inside that breaks the naming rules sets *error.
    static bool parseAlias(QStringView text, QString *name, QString *error = nullptr);
    // True when text is written as an alias (in braces), whether or not the name inside is valid.
    static bool looksLikeAlias(QStringView text);

    // When value is given and the shape is Color, Number, Boolean or Alias (with a valid name), it
    // receives the parsed value, so inference does not parse a cell twice.
    static Shape shape(QStringView text, VariableValue *value = nullptr);
    // The type of a row from the shapes of its non-empty, non-alias cells: all colours (valid or
    // nearly) → COLOR, all numbers (at least one valid) → FLOAT, all booleans → BOOLEAN, otherwise
    // STRING. No literal at all (only aliases) → nullopt: the type comes from the alias target.
    static std::optional<VariableType> inferType(const QList<Shape> &shapes);

    // The rules for a variable name ("color/brand/500"): "/" separates groups, no empty group, no
    // ".", "{" or "}", no group starting with "$". Returns an empty string when valid, else why not.
    static QString checkName(QStringView name);
};

} // namespace sp
