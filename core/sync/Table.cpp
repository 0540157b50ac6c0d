#include "sync/Table.h"

namespace sp {

QString columnLetters(int column)
{
    QString letters;
    for (int c = column + 1; c > 0; c = (c - 1) / 26)
        letters.prepend(QChar(u'A' + (c - 1) % 26));
    return letters;
}

QString cellReference(const QString &sheet, int row, int column)
{
    bool plain = !sheet.isEmpty();
    for (const QChar ch : sheet)
        plain = plain && (ch.isLetterOrNumber() || ch == u'_');
    QString quoted = sheet;
    if (!plain)
        quoted = u'\'' + QString(sheet).replace(u'\'', QStringLiteral("''")) + u'\'';
    return quoted + u'!' + columnLetters(column) + QString::number(row + 1);
}

} // namespace sp
