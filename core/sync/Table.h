#pragma once

#include <QList>
#include <algorithm>
#include <QString>
#include <QStringList>

namespace sp {

// A sheet as the sources deliver it: rows of text cells, ragged (a source may omit trailing empty
// cells and rows, as the Sheets API does). Cell (row r, column c) is rows[r][c], both 0-based;
// a missing cell reads as empty. `name` is the sheet name used in messages ("Sheet1!C7").
struct Table
{
    QString name;
    QList<QStringList> rows;
    QString origin; // the file path or the spreadsheet id, for messages about the whole table

    QString cell(int row, int column) const
    {
        if (row < 0 || row >= rows.size())
            return {};
        const QStringList &r = rows.at(row);
        return column >= 0 && column < r.size() ? r.at(column) : QString();
    }
    int columnCount() const
    {
        qsizetype n = 0;
        for (const QStringList &r : rows)
            n = std::max(n, r.size());
        return int(n);
    }
};

// "A", "B", …, "Z", "AA", … for a 0-based column.
QString columnLetters(int column);
// "Sheet1!C7" for 0-based row and column; sheet names that are not plain words are quoted the
// way Sheets writes them ('My sheet'!C7).
QString cellReference(const QString &sheet, int row, int column);

} // namespace sp
