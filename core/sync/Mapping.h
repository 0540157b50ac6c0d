#pragma once

#include "sync/Table.h"
#include "sync/VariableCollection.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace sp {

// Which parts of a sheet hold what (DESIGN.md §1 "Mapping"). Columns are named by their header
// text (case-insensitive) or by letter ("A"). Stored as JSON in a mapping file:
// {"collection":"Tokens","headerRow":1,"nameColumn":"Name","typeColumn":"Type",
//  "descriptionColumn":"Description","modeColumns":["Light","Dark"]}
struct MappingSpec
{
    QString collection;                 // empty: the table's name
    int headerRow = 1;                  // 1-based, as the sheet shows it
    QString nameColumn = QStringLiteral("Name");
    QString typeColumn = QStringLiteral("Type");               // optional column; "" = none
    QString descriptionColumn = QStringLiteral("Description"); // optional column; "" = none
    QStringList modeColumns;            // empty: every other non-empty header is a mode

    // Throws sp::invalid naming where (a file path) and the field at fault.
    static MappingSpec fromJson(const QByteArray &json, const QString &where);
    // Throws sp::fail when the file cannot be read, sp::invalid when it is malformed.
    static MappingSpec fromFile(const QString &path);
    QJsonObject toJson() const;
};

// One thing wrong with the sheet, at one cell ("Sheet1!C7") or a whole row ("Sheet1!1:1").
struct MappingProblem
{
    QString cell;
    QString message;
    int row = -1;    // 0-based table row, -1 for the whole table
    int column = -1; // 0-based column, -1 for a whole row

    // "Sheet1!C7: \"#12345\" is not a colour"
    QString text() const;
};

struct MappingResult
{
    VariableCollection collection; // as far as it could be mapped; unusable unless ok()
    QList<MappingProblem> problems; // in sheet order (row, then column)
    int rowsRead = 0;               // data rows with a name (blank rows are not counted)

    // A result with problems must not be written anywhere.
    bool ok() const { return problems.isEmpty(); }
};

// Maps a table to one variable collection: the header row names the modes, each following row
// with a name becomes a variable. Checks names, types, values, duplicates and aliases (unknown
// targets, type mismatches, cycles) and reports every problem with its cell instead of stopping
// at the first one.
class Mapping
{
    Q_DECLARE_TR_FUNCTIONS(Mapping)

public:
    static constexpr int maxModes = 40;        // Figma's limit per collection
    static constexpr int maxModeNameLength = 40;

    static MappingResult map(const Table &table, const MappingSpec &spec);
};

} // namespace sp
