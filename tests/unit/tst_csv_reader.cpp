#include "common/Error.h"
#include "sync/CsvReader.h"

#include <QTemporaryDir>
#include <QTest>

#include "TestSupport.h"

using namespace sp;

namespace {

Table parse(const QByteArray &data, QChar delimiter = QChar())
{
    return CsvReader::parse(data, QStringLiteral("Sheet1"), QStringLiteral("tokens.csv"), delimiter);
}

QString errorOf(const QByteArray &data, QChar delimiter = QChar())
{
    try {
        parse(data, delimiter);
    } catch (const Error &e) {
        return QString::number(int(e.kind())) + u' ' + e.message();
    }
    return QStringLiteral("no error");
}

} // namespace

class TstCsvReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainRows()
    {
        const Table t = parse("Name,Light,Dark\ncolor/bg,#fff,#000\n");
        QCOMPARE(t.name, QStringLiteral("Sheet1"));
        QCOMPARE(t.origin, QStringLiteral("tokens.csv"));
        QCOMPARE(t.rows.size(), 2);
        QCOMPARE(t.rows[0], (QStringList{"Name", "Light", "Dark"}));
        QCOMPARE(t.rows[1], (QStringList{"color/bg", "#fff", "#000"}));
    }

    void lineEndingsAndLastLine_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("LF") << QByteArray("a,b\nc,d\n");
        QTest::newRow("CRLF") << QByteArray("a,b\r\nc,d\r\n");
        QTest::newRow("CR") << QByteArray("a,b\rc,d\r");
        QTest::newRow("no final newline") << QByteArray("a,b\nc,d");
        QTest::newRow("CRLF, no final newline") << QByteArray("a,b\r\nc,d");
        QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF" "a,b\nc,d\n");
    }
    void lineEndingsAndLastLine()
    {
        QFETCH(QByteArray, data);
        const Table t = parse(data);
        QCOMPARE(t.rows.size(), 2);
        QCOMPARE(t.rows[0], (QStringList{"a", "b"}));
        QCOMPARE(t.rows[1], (QStringList{"c", "d"}));
    }

    void quotedFields()
    {
        const Table t = parse("Name,Description\n"
                              "font/family,\"Inter, sans-serif\"\n"
                              "quote,\"say \"\"hi\"\"\"\n"
                              "multi,\"line one\nline two\"\n"
                              "empty,\"\"\n"
                              "\"quoted name\",x\n");
        QCOMPARE(t.rows.size(), 6);
        QCOMPARE(t.cell(1, 1), QStringLiteral("Inter, sans-serif"));
        QCOMPARE(t.cell(2, 1), QStringLiteral("say \"hi\""));
        QCOMPARE(t.cell(3, 1), QStringLiteral("line one\nline two"));
        QCOMPARE(t.cell(4, 1), QString());
        QCOMPARE(t.rows[4].size(), 2);
        QCOMPARE(t.cell(5, 0), QStringLiteral("quoted name"));
    }

    void emptyFieldsAndRows()
    {
        const Table t = parse("a,,c\n\n,,\nx\n");
        QCOMPARE(t.rows.size(), 4);
        QCOMPARE(t.rows[0], (QStringList{"a", "", "c"}));
        QCOMPARE(t.rows[1].join(QString()), QString()); // a blank line is a blank row: row numbers stay the sheet's
        QCOMPARE(t.rows[2], (QStringList{"", "", ""}));
        QCOMPARE(t.rows[3], (QStringList{"x"}));
        QCOMPARE(parse("").rows.size(), 0);
        QCOMPARE(parse("\xEF\xBB\xBF").rows.size(), 0);
    }

    void unicode()
    {
        const Table t = parse("Name,Light\nbrand/naïve,Grüße 🎨\n");
        QCOMPARE(t.cell(1, 0), QStringLiteral("brand/naïve"));
        QCOMPARE(t.cell(1, 1), QStringLiteral("Grüße 🎨"));
    }

    void detectsDelimiter()
    {
        QCOMPARE(CsvReader::detectDelimiter("Name\tLight\tDark\n"), '\t');
        QCOMPARE(CsvReader::detectDelimiter("Name,Light,Dark\n"), ',');
        QCOMPARE(CsvReader::detectDelimiter("Name\tLight,Dark\n"), ',');
        QCOMPARE(CsvReader::detectDelimiter("\"a,b\"\tLight\n"), '\t'); // the comma is inside quotes
        QCOMPARE(CsvReader::detectDelimiter("Name\nx\ty\n"), ','); // only the first line counts

        const Table tsv = parse("Name\tDescription\nspace/4\tfour, small\n");
        QCOMPARE(tsv.rows[1], (QStringList{"space/4", "four, small"}));
        const Table forced = parse("a\tb,c\n", QLatin1Char('\t'));
        QCOMPARE(forced.rows[0], (QStringList{"a", "b,c"}));
        const Table semicolon = parse("a;\"b;c\"\n", QLatin1Char(';'));
        QCOMPARE(semicolon.rows[0], (QStringList{"a", "b;c"}));
    }

    void errorsNameFileAndLine_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unterminated") << QByteArray("Name,Light\na,b\nc,\"open\nstill open\n")
                                      << "3 tokens.csv:3: unterminated quoted field in column B";
        QTest::newRow("unterminated after multiline field")
            << QByteArray("Name,Light\n\"x\ny\",1\n\"z") << "3 tokens.csv:4: unterminated quoted field in column A";
        QTest::newRow("stray quote") << QByteArray("Name,Light\nsay \"hi\",x\n")
                                     << "3 tokens.csv:2: stray quote in the unquoted field in column A";
        QTest::newRow("stray quote CRLF") << QByteArray("a,b\r\nc,d\r\ne,f\"\r\n")
                                          << "3 tokens.csv:3: stray quote in the unquoted field in column B";
        QTest::newRow("text after closing quote") << QByteArray("a,\"b\"c\n")
                                                  << "3 tokens.csv:1: text after the closing quote of the field in column B";
        QTest::newRow("invalid UTF-8") << QByteArray("Name,Light\nok,1\nbad,\xff\xfe\n") << "3 tokens.csv:3: not valid UTF-8";
        QTest::newRow("latin-1") << QByteArray("a,b\n\ncaf\xe9,1\n") << "3 tokens.csv:3: not valid UTF-8";
        QTest::newRow("overlong") << QByteArray("a,\xc0\xaf\n") << "3 tokens.csv:1: not valid UTF-8";
        QTest::newRow("surrogate") << QByteArray("a,\xed\xa0\x80\n") << "3 tokens.csv:1: not valid UTF-8";
        QTest::newRow("truncated sequence") << QByteArray("a,\xe2\x82") << "3 tokens.csv:1: not valid UTF-8";
    }
    void errorsNameFileAndLine()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, expected);
        const QString error = errorOf(data);
        QVERIFY2(error.startsWith(expected), qPrintable(error));
    }

    void readsFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString csv = dir.filePath(QStringLiteral("design-tokens.csv"));
        test::writeFile(csv, "Name,Light\ncolor/bg,#fff\n");
        const Table t = CsvReader::readFile(csv);
        QCOMPARE(t.name, QStringLiteral("design-tokens"));
        QCOMPARE(t.origin, csv);
        QCOMPARE(t.cell(1, 1), QStringLiteral("#fff"));

        // .tsv is TAB-separated even when the first line has a comma.
        const QString tsv = dir.filePath(QStringLiteral("Tokens.tsv"));
        test::writeFile(tsv, "Name,x\tLight\nspace/4\t4px\n");
        const Table t2 = CsvReader::readFile(tsv);
        QCOMPARE(t2.name, QStringLiteral("Tokens"));
        QCOMPARE(t2.rows[0], (QStringList{"Name,x", "Light"}));

        // Errors name the path given.
        test::writeFile(csv, "a,\"b\n");
        try {
            CsvReader::readFile(csv);
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(e.message().startsWith(csv + QStringLiteral(":1: unterminated quoted field")), qPrintable(e.message()));
        }

        const QString missing = dir.filePath(QStringLiteral("missing.csv"));
        try {
            CsvReader::readFile(missing);
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Failure);
            QVERIFY2(e.message().contains(missing), qPrintable(e.message()));
        }
        try {
            CsvReader::readFile(dir.path());
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Failure);
            QVERIFY2(e.message().contains(dir.path()), qPrintable(e.message()));
        }
    }

    void largeInput()
    {
        // Many rows with repeated values: the shared-string path must still give every row its own
        // cells.
        QByteArray data("Name,Type,Light,Dark\n");
        for (int i = 0; i < 5000; ++i)
            data += "v/" + QByteArray::number(i) + ",FLOAT," + QByteArray::number(i % 7) + "px,\"" + QByteArray::number(i) + "\"\n";
        const Table t = parse(data);
        QCOMPARE(t.rows.size(), 5001);
        QCOMPARE(t.cell(4000, 0), QStringLiteral("v/3999"));
        QCOMPARE(t.cell(4000, 1), QStringLiteral("FLOAT"));
        QCOMPARE(t.cell(4000, 2), QStringLiteral("%1px").arg(3999 % 7));
        QCOMPARE(t.cell(4000, 3), QStringLiteral("3999"));
    }
};

QTEST_GUILESS_MAIN(TstCsvReader)
#include "tst_csv_reader.moc"
