// `syncpilot-cli map`: a sheet export to a DTCG file, every cell problem reported, nothing written
// when anything is wrong.
#include "TestSupport.h"

#include "sync/CsvReader.h"
#include "sync/DtcgFormat.h"
#include "sync/Mapping.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace sp;
using test::runCli;

namespace {

const QByteArray kBadSheet = "Name,Type,Light,Dark\n"
                             "color/a,COLOR,#fff,#000\n"
                             "color/b,COLOR,#fff,#000\n"
                             "color/c,COLOR,#fff,#000\n"
                             "color/d,COLOR,#fff,#000\n"
                             "color/e,COLOR,#fff,#000\n"
                             "color/bg,COLOR,#12345,#000\n"
                             "space/4,FLOAT,4px,4pz\n"
                             "color/a,COLOR,#fff,#fff\n";

QString demoSheet() { return QStringLiteral(SYNCPILOT_SOURCE_DIR "/resources/demo/design-tokens.csv"); }

} // namespace

class TstMapCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void writesTokens()
    {
        const QString out = m_dir.filePath(QStringLiteral("tokens.json"));
        const auto r = runCli({}, {"map", "--in", demoSheet(), "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY2(r.text().contains(QStringLiteral("Mapped ")) && r.text().contains(out), qPrintable(r.text()));

        // What the file holds is what the mapping produced.
        const MappingResult expected = Mapping::map(CsvReader::readFile(demoSheet()), {});
        QVERIFY(expected.ok());
        const VariableCollection written = DtcgFormat::read(test::readFile(out), out);
        QCOMPARE(written.modes, expected.collection.modes);
        QCOMPARE(written.variables.size(), expected.collection.variables.size());
        QVERIFY(written == expected.collection);
    }

    void jsonSummaryAndCollectionName()
    {
        const QString out = m_dir.filePath(QStringLiteral("named.tokens.json"));
        const auto r = runCli({}, {"--json", "map", "--in", demoSheet(), "--collection", "Product UI", "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("out")).toString(), out);
        QCOMPARE(o.value(QStringLiteral("modes")).toArray(), (QJsonArray{QStringLiteral("Light"), QStringLiteral("Dark")}));
        const int variables = o.value(QStringLiteral("variables")).toInt();
        QVERIFY(variables >= 150);
        const VariableCollection written = DtcgFormat::read(test::readFile(out), out);
        QCOMPARE(written.name, QStringLiteral("Product UI"));
        QCOMPARE(written.variables.size(), variables);
    }

    void writesToStdout()
    {
        const QString in = m_dir.filePath(QStringLiteral("small.csv"));
        test::writeFile(in, "Name,Light,Dark\ncolor/bg,#ffffff,#000000\nspace/4,4px,4px\n");
        const auto r = runCli({}, {"map", "--in", in, "--out", "-"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const VariableCollection c = DtcgFormat::read(r.out, QStringLiteral("stdout"));
        QCOMPARE(c.variables.size(), 2);
        QCOMPARE(c.find(QStringLiteral("color/bg"))->values[1].color.hex(), QStringLiteral("#000000"));
    }

    void mappingFile()
    {
        const QString in = m_dir.filePath(QStringLiteral("custom.tsv"));
        test::writeFile(in, "Exported from Sheets\nToken\tNotes\tDark\tLight\nradius/md\tButtons\t6px\t6px\n");
        const QString mapping = m_dir.filePath(QStringLiteral("custom.mapping.json"));
        test::writeFile(mapping, R"({"collection":"Radii","headerRow":2,"nameColumn":"Token","descriptionColumn":"Notes","modeColumns":["Light","Dark"]})");
        const QString out = m_dir.filePath(QStringLiteral("radii.json"));
        const auto r = runCli({}, {"map", "--in", in, "--mapping", mapping, "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const VariableCollection c = DtcgFormat::read(test::readFile(out), out);
        QCOMPARE(c.name, QStringLiteral("Radii"));
        QCOMPARE(c.modes, (QStringList{"Light", "Dark"}));
        QCOMPARE(c.variables.size(), 1);
        QCOMPARE(c.variables[0].description, QStringLiteral("Buttons"));

        const QString badMapping = m_dir.filePath(QStringLiteral("bad.mapping.json"));
        test::writeFile(badMapping, R"({"headerRow":"two"})");
        const auto bad = runCli({}, {"map", "--in", in, "--mapping", badMapping, "--out", out});
        QCOMPARE(bad.exitCode, 3);
        QVERIFY2(bad.text().contains(badMapping + QStringLiteral(": \"headerRow\"")), qPrintable(bad.text()));
    }

    void badCellsWriteNothing()
    {
        const QString in = m_dir.filePath(QStringLiteral("Sheet1.csv"));
        test::writeFile(in, kBadSheet);

        const QString fresh = m_dir.filePath(QStringLiteral("never.json"));
        const auto r = runCli({}, {"map", "--in", in, "--out", fresh});
        QCOMPARE(r.exitCode, 3);
        const QStringList lines = QString::fromUtf8(r.err).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 4, qPrintable(r.text()));
        QCOMPARE(lines[0], QStringLiteral("Sheet1!C7: \"#12345\" is not a colour"));
        QVERIFY2(lines[1].startsWith(QStringLiteral("Sheet1!D8: \"4pz\" is not a number")), qPrintable(lines[1]));
        QCOMPARE(lines[2], QStringLiteral("Sheet1!A9: duplicate name \"color/a\" (first at Sheet1!A2)"));
        QVERIFY2(lines[3].contains(QStringLiteral("3 problems in ")) && lines[3].contains(QStringLiteral("nothing was written")), qPrintable(lines[3]));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(fresh));

        // An existing target stays byte for byte what it was.
        const QString existing = m_dir.filePath(QStringLiteral("existing.json"));
        const QByteArray before = "{\"keep\": \"me\"}\n";
        test::writeFile(existing, before);
        const auto r2 = runCli({}, {"map", "--in", in, "--out", existing});
        QCOMPARE(r2.exitCode, 3);
        QCOMPARE(test::readFile(existing), before);
        const auto r3 = runCli({}, {"map", "--in", in, "--out", "-"});
        QCOMPARE(r3.exitCode, 3);
        QVERIFY(r3.out.isEmpty());
        QVERIFY(QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden).filter(QStringLiteral("existing")).size() == 1);
    }

    void badCellsAsJson()
    {
        const QString in = m_dir.filePath(QStringLiteral("Sheet1.csv"));
        test::writeFile(in, kBadSheet);
        const QString out = m_dir.filePath(QStringLiteral("json-never.json"));
        const auto r = runCli({}, {"--json", "map", "--in", in, "--out", out});
        QCOMPARE(r.exitCode, 3);
        const QJsonArray problems = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("problems")).toArray();
        QCOMPARE(problems.size(), 3);
        QCOMPARE(problems[0].toObject().value(QStringLiteral("cell")).toString(), QStringLiteral("Sheet1!C7"));
        QCOMPARE(problems[0].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("\"#12345\" is not a colour"));
        QCOMPARE(problems[2].toObject().value(QStringLiteral("cell")).toString(), QStringLiteral("Sheet1!A9"));
        const QJsonObject error = QJsonDocument::fromJson(r.err).object().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("exitCode")).toInt(), 3);
        QVERIFY(!QFile::exists(out));
    }

    void malformedFiles()
    {
        const QString out = m_dir.filePath(QStringLiteral("malformed-out.json"));
        const QString csv = m_dir.filePath(QStringLiteral("tokens.csv"));
        test::writeFile(csv, "Name,Light\ncolor/bg,#fff\ncolor/fg,\"#000\n");
        auto r = runCli({}, {"map", "--in", csv, "--out", out});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(csv + QStringLiteral(":3: unterminated quoted field")), qPrintable(r.text()));
        QVERIFY(!QFile::exists(out));

        test::writeFile(csv, "Name,Light\ncolor/bg,caf\xe9\n");
        r = runCli({}, {"map", "--in", csv, "--out", out});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(csv + QStringLiteral(":2: not valid UTF-8")), qPrintable(r.text()));

        const QString missing = m_dir.filePath(QStringLiteral("missing.csv"));
        r = runCli({}, {"map", "--in", missing, "--out", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.text().contains(missing), qPrintable(r.text()));
        QVERIFY(!QFile::exists(out));
    }

    void usage()
    {
        QCOMPARE(runCli({}, {"map", "--in", demoSheet()}).exitCode, 2);
        QCOMPARE(runCli({}, {"map", "--out", m_dir.filePath(QStringLiteral("x.json"))}).exitCode, 2);
        QCOMPARE(runCli({}, {"map", "--in", demoSheet(), "--out", "-", "--delimiter", "ab"}).exitCode, 2);
        QCOMPARE(runCli({}, {"map", "extra", "--in", demoSheet(), "--out", "-"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TstMapCli)
#include "tst_map_cli.moc"
