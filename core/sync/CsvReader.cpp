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

// The text of every cell of one parse, each followed by a NUL, in one UTF-16 block that the cells
// share: each cell is a QString slice of the block (a reference count, no allocation of its own).
// One allocation per cell was most of the parse time of a 100 000-row sheet (DESIGN.md §4).
// A slice behaves as any QString: it is NUL-terminated, and writing to it copies it out first
// while the block is shared. Cells kept after the table is gone keep the block alive, which costs
// no more memory than one allocation per cell would.
class CellBlock
{
public:
    // Every field's text takes at most as many UTF-16 units as its bytes in the file, and its NUL
    // takes the place of the delimiter or line break after it: size + 1 units always suffice.
    explicit CellBlock(qsizetype bytes)
        : m_block(bytes + 1, Qt::Uninitialized)
        , m_end(m_block.data_ptr().data() + bytes + 1)
        , m_out(m_block.data_ptr().data())
        , m_cell(m_out)
    {
    }

    // Appends well-formed UTF-8 (parse() checked the whole input first) to the current cell.
    void append(const char *p, const char *end)
    {
        Q_ASSERT(end - p <= m_end - m_out);
        const auto *u = reinterpret_cast<const uchar *>(p);
        const auto *const e = reinterpret_cast<const uchar *>(end);
        while (u < e) {
            const uchar c = *u;
            if (c < 0x80) {
                *m_out++ = c;
                ++u;
                continue;
            }
            char32_t cp;
            if (c < 0xE0) {
                cp = char32_t(c & 0x1F) << 6 | (u[1] & 0x3F);
                u += 2;
            } else if (c < 0xF0) {
                cp = char32_t(c & 0x0F) << 12 | char32_t(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
                u += 3;
            } else {
                cp = char32_t(c & 0x07) << 18 | char32_t(u[1] & 0x3F) << 12 | char32_t(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
                u += 4;
            }
            if (cp < 0x10000) {
                *m_out++ = char16_t(cp);
            } else {
                *m_out++ = QChar::highSurrogate(cp);
                *m_out++ = QChar::lowSurrogate(cp);
            }
        }
    }

    // Each slice holds a reference to the block. They are added all at once when the CellBlock
    // goes (one atomic add instead of one per cell, which was a tenth of the parse time), so no
    // cell may be destroyed before that: parse() declares its block after the table and the
    // row, which the cells go to, and an exception unwinds the block first.
    ~CellBlock() { m_block.data_ptr().d_ptr()->ref_.fetchAndAddRelaxed(m_slices); }
    CellBlock(const CellBlock &) = delete;
    CellBlock &operator=(const CellBlock &) = delete;

    // The cell appended since the last take().
    QString take()
    {
        const qsizetype size = m_out - m_cell;
        if (size == 0)
            return QString();
        Q_ASSERT(m_out < m_end);
        *m_out++ = u'\0';
        QString cell(QString::DataPointer(m_block.data_ptr().d_ptr(), m_cell, size));
        ++m_slices;
        m_cell = m_out;
        return cell;
    }

private:
    QString m_block;
    int m_slices = 0;
    // Written through raw pointers: m_block.data() would copy the block once a cell shares it.
    char16_t *const m_end;
    char16_t *m_out;
    char16_t *m_cell;
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
    CellBlock cells(end - p);
    // Typical exports have a few hundred bytes per row at most; this avoids regrowing the list.
    table.rows.reserve(qsizetype(data.size() / 64) + 1);

    for (;;) {
        const int column = int(row.size());
        if (p < end && *p == '"') {
            const int startLine = line;
            ++p;
            const char *segment = p;
            for (;;) {
                const char *q = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
                if (!q)
                    invalid(tr("%1:%2: unterminated quoted field in column %3 (a \" opens it and no \" closes it).")
                                .arg(source).arg(startLine).arg(columnLetters(column)));
                line += countLineBreaks(p, q);
                if (q + 1 < end && q[1] == '"') {
                    cells.append(segment, q + 1);
                    p = q + 2;
                    segment = p;
                    continue;
                }
                cells.append(segment, q);
                row.append(cells.take());
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
            cells.append(p, q);
            row.append(cells.take());
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
