#pragma once

#include "sync/Table.h"

#include <QByteArrayView>
#include <QChar>
#include <QCoreApplication>
#include <QString>

namespace sp {

// Reads a CSV or TSV export of a sheet (RFC 4180) into a Table: quoted fields with "" escapes and
// embedded delimiters or line breaks, CRLF/LF/CR line ends, an optional UTF-8 byte order mark, a
// last line with or without a line break. Every record becomes one row, so row i of the table is
// row i+1 of the sheet the file was exported from (which is what cell references must name).
class CsvReader
{
    Q_DECLARE_TR_FUNCTIONS(CsvReader)

public:
    // delimiter null: TAB when the first record has a TAB and no comma outside quotes, else comma.
    // Throws sp::invalid naming origin and line ("tokens.csv:12: unterminated quoted field").
    static Table parse(QByteArrayView data, const QString &sheetName, const QString &origin,
                       QChar delimiter = QChar());
    // The sheet name is the file's base name; ".tsv" files are TAB-separated unless delimiter is
    // given. An unreadable file throws sp::fail naming the path.
    static Table readFile(const QString &path, QChar delimiter = QChar());

    // The delimiter auto-detection of parse(), for callers that want to show it.
    static char detectDelimiter(QByteArrayView data);
};

} // namespace sp
