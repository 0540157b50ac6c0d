#include "sync/CsvReader.h"

#include "common/Error.h"

#include <QFile>
#include <QFileInfo>

#include <cstring>

namespace sp {

namespace {

// Offset of the first byte that is not well-formed UTF-8 (overlongs, surrogates and code points
// above U+10FFFF included), or -1. QString::fromUtf8 would replace such bytes silently, and a
// token value that silently changed is worse than an error.
qsizetype firstInvalidUtf8(const uchar *p, qsizetype n)
{
    qsizetype i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            quint64 word;
            std::memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        const uchar c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        quint32 cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (int k = 1; k < len; ++k) {
            const uchar cc = p[i + k];
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += len;
    }
    return -1;
}

// Line breaks in [a, b): LF, CR and CRLF each count once.
int countLineBreaks(const char *a, const char *b)
{
    int n = 0;
    for (const char *p = a; p < b; ++p) {
        if (*p == '\n')
            ++n;
        else if (*p == '\r' && (p + 1 >= b || p[1] != '\n'))
            ++n;
    }
    return n;
}

// The previous row's unquoted text per column: type columns and repeated values ("COLOR", "0",
// "true") then share one QString instead of allocating one per cell.
struct ColumnCache
{
    QByteArrayView bytes;
    QString text;
};

} // namespace

char CsvReader::detectDelimiter(QByteArrayView data)
{
    bool inQuotes = false;
    bool tab = false;
    for (const char c : data) {
        if (c == '"')
            inQuotes = !inQuotes;
        else if (inQuotes)
            continue;
        else if (c == '\n' || c == '\r')
            break;
        else if (c == ',')
            return ',';
        else if (c == '\t')
            tab = true;
    }
    return tab ? '\t' : ',';
}

Table CsvReader::parse(QByteArrayView data, const QString &sheetName, const QString &origin, QChar delimiter)
{
    Table table;
    table.name = sheetName;
    table.origin = origin;
    const QString source = origin.isEmpty() ? sheetName : origin;

    if (data.startsWith("\xEF\xBB\xBF"))
        data = data.sliced(3);
    const char *p = data.data();
    const char *const end = p + data.size();

    if (const qsizetype bad = firstInvalidUtf8(reinterpret_cast<const uchar *>(p), data.size()); bad >= 0) {
        const int line = 1 + countLineBreaks(p, p + bad);
        invalid(tr("%1:%2: not valid UTF-8 (byte %3 of the line); save the file as UTF-8.")
                    .arg(source).arg(line).arg(bad - (data.first(bad).lastIndexOf('\n') + 1) + 1));
    }
    if (p == end)
        return table;

    if (!delimiter.isNull() && delimiter.unicode() > 0x7f)
        invalid(tr("%1: the delimiter must be an ASCII character, not \"%2\".").arg(source, QString(delimiter)));
    const char delim = delimiter.isNull() ? detectDelimiter(data) : char(delimiter.unicode());
    if (delim == '"' || delim == '\n' || delim == '\r')
        invalid(tr("%1: \"%2\" cannot be a delimiter.").arg(source, QString(delimiter)));

    int line = 1;
    QStringList row;
    QList<ColumnCache> cache;
    // Typical exports have a few hundred bytes per row at most; this avoids regrowing the list.
    table.rows.reserve(qsizetype(data.size() / 64) + 1);

    for (;;) {
        const int column = int(row.size());
        if (p < end && *p == '"') {
            const int startLine = line;
            ++p;
            const char *segment = p;
            QByteArray unescaped;
            bool escaped = false;
            for (;;) {
                const char *q = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
                if (!q)
                    invalid(tr("%1:%2: unterminated quoted field in column %3 (a \" opens it and no \" closes it).")
                                .arg(source).arg(startLine).arg(columnLetters(column)));
                line += countLineBreaks(p, q);
                if (q + 1 < end && q[1] == '"') {
                    unescaped.append(segment, q + 1 - segment);
                    p = q + 2;
                    segment = p;
                    escaped = true;
                    continue;
                }
                if (escaped) {
                    unescaped.append(segment, q - segment);
                    row.append(QString::fromUtf8(unescaped));
                } else {
                    row.append(QString::fromUtf8(segment, q - segment));
                }
                p = q + 1;
                break;
            }
            if (p < end && *p != delim && *p != '\n' && *p != '\r')
                invalid(tr("%1:%2: text after the closing quote of the field in column %3; "
                           "a quote inside a quoted field is written twice (\"\").")
                            .arg(source).arg(line).arg(columnLetters(column)));
        } else {
            const char *q = p;
            while (q < end && *q != delim && *q != '\n' && *q != '\r') {
                if (*q == '"')
                    invalid(tr("%1:%2: stray quote in the unquoted field in column %3; quote the whole field "
                               "and write the quote twice (\"say \"\"hi\"\"\").")
                                .arg(source).arg(line).arg(columnLetters(column)));
                ++q;
            }
            if (q == p) {
                row.append(QString());
            } else {
                const QByteArrayView bytes(p, q - p);
                if (column >= cache.size())
                    cache.resize(column + 1);
                ColumnCache &c = cache[column];
                if (c.bytes != bytes) {
                    c.bytes = bytes;
                    c.text = QString::fromUtf8(bytes);
                }
                row.append(c.text);
            }
            p = q;
        }

        if (p < end && *p == delim) {
            ++p;
            continue;
        }
        const qsizetype width = row.size();
        table.rows.append(std::move(row));
        row = QStringList();
        row.reserve(width);
        if (p >= end)
            break;
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            ++p;
        ++p;
        ++line;
        if (p >= end)
            break;
    }
    return table;
}

Table CsvReader::readFile(const QString &path, QChar delimiter)
{
    const QFileInfo info(path);
    if (info.isDir())
        fail(tr("Cannot read %1: it is a directory, not a CSV file.").arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
    if (delimiter.isNull() && info.suffix().compare(QLatin1String("tsv"), Qt::CaseInsensitive) == 0)
        delimiter = QLatin1Char('\t');
    return parse(data, info.completeBaseName(), path, delimiter);
}

} // namespace sp
