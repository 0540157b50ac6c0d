#include "common/Error.h"
#include "sync/CsvReader.h"
#include "sync/Mapping.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "TestSupport.h"

using namespace sp;

namespace {

Table table(const QByteArray &csv, const QString &sheet = QStringLiteral("Sheet1"))
{
    return CsvReader::parse(csv, sheet, sheet + QStringLiteral(".csv"));
}

MappingResult map(const QByteArray &csv, const MappingSpec &spec = {})
{
    return Mapping::map(table(csv), spec);
}

QStringList texts(const MappingResult &r)
{
    QStringList out;
    for (const MappingProblem &p : r.problems)
        out << p.text();
    return out;
}

} // namespace

class TstMapping : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapsTypedRows()
    {
        const MappingResult r = map("Name,Type,Description,Light,Dark\n"
                                    "color/bg,COLOR,Page background,#ffffff,#000000\n"
                                    "space/4,FLOAT,,4px,4px\n"
                                    "feature/x,BOOLEAN,,TRUE,false\n"
                                    "font/family,STRING,,\"Inter, sans\",Inter\n"
                                    "color/fg,color,,{color/bg},{color.bg}\n");
        QVERIFY2(r.ok(), qPrintable(texts(r).join(u'\n')));
        QCOMPARE(r.rowsRead, 5);
        QCOMPARE(r.collection.name, QStringLiteral("Sheet1"));
        QCOMPARE(r.collection.modes, (QStringList{"Light", "Dark"}));
        QCOMPARE(r.collection.variables.size(), 5);
        const Variable &bg = r.collection.variables[0];
        QCOMPARE(bg.name, QStringLiteral("color/bg"));
        QCOMPARE(bg.type, VariableType::Color);
        QCOMPARE(bg.description, QStringLiteral("Page background"));
        QCOMPARE(bg.values[0].color.hex(), QStringLiteral("#ffffff"));
        QCOMPARE(bg.values[1].color.hex(), QStringLiteral("#000000"));
        const Variable *space = r.collection.find(QStringLiteral("space/4"));
        QVERIFY(space);
        QCOMPARE(space->type, VariableType::Float);
        QCOMPARE(space->values[0], VariableValue::ofNumber(4, QStringLiteral("px")));
        QCOMPARE(r.collection.find(QStringLiteral("feature/x"))->values[1], VariableValue::ofBoolean(false));
        QCOMPARE(r.collection.find(QStringLiteral("font/family"))->values[0], VariableValue::ofString(QStringLiteral("Inter, sans")));
        const Variable *fg = r.collection.find(QStringLiteral("color/fg"));
        QCOMPARE(fg->type, VariableType::Color);
        QCOMPARE(fg->values[0], VariableValue::ofAlias(QStringLiteral("color/bg")));
        QCOMPARE(fg->values[1], VariableValue::ofAlias(QStringLiteral("color/bg")));
    }

    void infersTypes()
    {
        const MappingResult r = map("Name,Light,Dark\n"
                                    "c,#fff,rgb(0 0 0)\n"
                                    "n,4px,8\n"
                                    "b,TRUE,no\n"
                                    "s,Inter,12\n"
                                    "alias-only,{c},{c}\n"
                                    "chain,{alias-only},{alias-only}\n"
                                    "num-alias,{n},2\n"
                                    "text,2x,3x\n");
        QVERIFY2(r.ok(), qPrintable(texts(r).join(u'\n')));
        auto type = [&r](const char *name) { return r.collection.find(QString::fromLatin1(name))->type; };
        QCOMPARE(type("c"), VariableType::Color);
        QCOMPARE(type("n"), VariableType::Float);
        QCOMPARE(type("b"), VariableType::Boolean);
        QCOMPARE(type("s"), VariableType::String);
        QCOMPARE(r.collection.find(QStringLiteral("s"))->values[1], VariableValue::ofString(QStringLiteral("12")));
        QCOMPARE(type("alias-only"), VariableType::Color);
        QCOMPARE(type("chain"), VariableType::Color);
        QCOMPARE(type("num-alias"), VariableType::Float);
        QCOMPARE(type("text"), VariableType::String);
    }

    void inferredTypeStillReportsBadCells()
    {
        // One good colour makes the row a colour; the broken one is reported, not turned into text.
        const MappingResult r = map("Name,Light,Dark\ncolor/bg,#ffffff,#12345\nspace/4,4px,4pz\n");
        QCOMPARE(r.problems.size(), 2);
        QVERIFY2(r.problems[0].text().startsWith(QStringLiteral("Sheet1!C2: \"#12345\" is not a colour")), qPrintable(r.problems[0].text()));
        QVERIFY2(r.problems[1].text().startsWith(QStringLiteral("Sheet1!C3: \"4pz\" is not a number")), qPrintable(r.problems[1].text()));
        QVERIFY(!r.ok());
    }

    void badValueNamesItsCell()
    {
        const MappingResult r = map("Name,Type,Light,Dark\n"
                                    "a,COLOR,#fff,#000\n"
                                    "b,COLOR,#fff,#000\n"
                                    "c,COLOR,#fff,#000\n"
                                    "d,COLOR,#fff,#000\n"
                                    "e,COLOR,#fff,#000\n"
                                    "color/bg,COLOR,#fff,#12345\n");
        QCOMPARE(texts(r), QStringList{QStringLiteral("Sheet1!D7: \"#12345\" is not a colour")});
        QCOMPARE(r.problems[0].cell, QStringLiteral("Sheet1!D7"));
        QCOMPARE(r.problems[0].row, 6);
        QCOMPARE(r.problems[0].column, 3);
        QVERIFY(!r.ok());

        const MappingResult r2 = map("Name,Type,Light\nx,FLOAT,twelve\ny,BOOLEAN,maybe\n");
        QCOMPARE(texts(r2), (QStringList{QStringLiteral("Sheet1!C2: \"twelve\" is not a number"),
                                         QStringLiteral("Sheet1!C3: \"maybe\" is not a boolean (use true or false)")}));
    }

    void quotedSheetNameInReferences()
    {
        const MappingResult r = Mapping::map(table("Name,Type,Light\nx,COLOR,nope\n", QStringLiteral("My tokens")), {});
        QCOMPARE(r.problems.size(), 1);
        QCOMPARE(r.problems[0].cell, QStringLiteral("'My tokens'!C2"));
    }

    void unknownType()
    {
        const MappingResult r = map("Name,Type,Light\nx,WIDGET,12\ny,,3\n");
        QCOMPARE(texts(r), QStringList{QStringLiteral("Sheet1!B2: \"WIDGET\" is not a type (use COLOR, FLOAT, BOOLEAN or STRING)")});
    }

    void emptyValues()
    {
        const MappingResult r = map("Name,Type,Light,Dark\nx,COLOR,#fff,\ny,,,2\n");
        QCOMPARE(texts(r), (QStringList{QStringLiteral("Sheet1!D2: empty value for mode Dark"),
                                        QStringLiteral("Sheet1!C3: empty value for mode Light")}));
    }

    void blankRowsAndNamelessRows()
    {
        const MappingResult r = map("Name,Type,Description,Light\n"
                                    "a,,,1\n"
                                    ",,,\n"
                                    "\n"
                                    " ,,, \n"
                                    ",,,5\n"
                                    ",,orphan description,\n"
                                    "b,,,2\n");
        QCOMPARE(texts(r), (QStringList{QStringLiteral("Sheet1!A6: this row has values but no name"),
                                        QStringLiteral("Sheet1!A7: this row has values but no name")}));
        QCOMPARE(r.rowsRead, 2);
    }

    void invalidNames()
    {
        const MappingResult r = map("Name,Light\ncolor.bg,1\ncolor//x,1\n$type,1\nok/{x},1\ncolor/$root,1\n");
        QCOMPARE(r.problems.size(), 5);
        QCOMPARE(r.problems[0].cell, QStringLiteral("Sheet1!A2"));
        QVERIFY(r.problems[0].message.contains(QStringLiteral("\".\"")));
        QCOMPARE(r.problems[1].cell, QStringLiteral("Sheet1!A3"));
        QVERIFY(r.problems[1].message.contains(QStringLiteral("empty group")));
        QCOMPARE(r.problems[2].cell, QStringLiteral("Sheet1!A4"));
        QVERIFY(r.problems[2].message.contains(QStringLiteral("\"$\"")));
        QCOMPARE(r.problems[3].cell, QStringLiteral("Sheet1!A5"));
        QCOMPARE(r.problems[4].cell, QStringLiteral("Sheet1!A6"));
    }

    void duplicateNames()
    {
        const MappingResult r = map("Name,Light\nx,1\ncolor/bg,#fff\ny,2\n z ,3\nw,4\nv,5\nu,6\n color/bg ,#000\nz,9\n");
        QCOMPARE(texts(r), (QStringList{QStringLiteral("Sheet1!A9: duplicate name \"color/bg\" (first at Sheet1!A3)"),
                                        QStringLiteral("Sheet1!A10: duplicate name \"z\" (first at Sheet1!A5)")}));
        QVERIFY(!r.ok());
    }

    // Large sheets are typed on two threads; what the mapping finds must not depend on that:
    // problems in both halves with their cells, a duplicate across the halves, aliases across them.
    void largeSheetsTypedInParallel()
    {
        QByteArray csv = "Name,Light,Dark\n";
        constexpr int rows = 30'000;
        for (int i = 0; i < rows; ++i)
            csv += "token/" + QByteArray::number(i) + ",#" + QByteArray::number(100000 + i % 800000) + ",#" + QByteArray::number(900000 - i % 800000) + "\n";
        csv += "alias/late,{token/3},{token/4}\n";             // row rows+2: aliases into the first half
        csv += "token/7,#000000,#000000\n";                        // row rows+3: a duplicate of a first-half name
        csv.replace("token/25000,#125000", "token/25000,#12500"); // second half: a bad colour
        csv.replace("token/10,#100010", "token/10,#10001");       // first half: a bad colour
        const MappingResult r = map(csv);
        const QString inferred = QStringLiteral(" (the row's other values make it COLOR; fill in its Type to say otherwise)");
        QCOMPARE(texts(r), (QStringList{QStringLiteral("Sheet1!B12: \"#10001\" is not a colour") + inferred,
                                        QStringLiteral("Sheet1!B25002: \"#12500\" is not a colour") + inferred,
                                        QStringLiteral("Sheet1!A%1: duplicate name \"token/7\" (first at Sheet1!A9)").arg(rows + 3)}));
        QCOMPARE(r.rowsRead, rows + 2);
        QCOMPARE(r.collection.variables.size(), rows + 1);
        QCOMPARE(r.collection.variables.at(rows).name, QStringLiteral("alias/late"));
        QCOMPARE(r.collection.variables.at(rows).type, VariableType::Color);
        QCOMPARE(r.collection.variables.at(rows - 1).values.at(1).display(), QStringLiteral("#%1").arg(900000 - (rows - 1)));
        QCOMPARE(r.collection.indexOf(QStringLiteral("token/29999")), rows - 1);
    }

    void variableThatIsAlsoAGroup()
    {
        // "color" is a variable and the group of "color/bg" and "color/fg/strong"; "color/fg" is
        // a group and a variable too, after the name that needs it. Each name that needs a
        // variable to be a group is reported at its own cell, naming the variable's cell.
        const MappingResult r = map("Name,Light\nspace,4\ncolor,#fff\ncolor/fg/strong,#111\nx,1\ny,2\nz,3\nw,4\n"
                                    "color/bg,#000\ncolor/fg,#222\ncolours/bg,#333\n");
        QCOMPARE(texts(r), (QStringList{
            QStringLiteral("Sheet1!A4: \"color/fg/strong\" needs \"color\" to be a group, but \"color\" is a variable (Sheet1!A3)"),
            QStringLiteral("Sheet1!A9: \"color/bg\" needs \"color\" to be a group, but \"color\" is a variable (Sheet1!A3)"),
            QStringLiteral("Sheet1!A10: \"color/fg\" needs \"color\" to be a group, but \"color\" is a variable (Sheet1!A3)")}));
        QCOMPARE(r.problems.at(1).row, 8);
        QCOMPARE(r.problems.at(1).column, 0);

        // Without "color", "color/fg" is still both: reported where "color/fg/strong" needs it.
        const MappingResult deeper = map("Name,Light\ncolor/fg/strong,#111\ncolor/fg,#222\ncolor/bg,#000\n");
        QCOMPARE(texts(deeper), QStringList{QStringLiteral(
            "Sheet1!A2: \"color/fg/strong\" needs \"color/fg\" to be a group, but \"color/fg\" is a variable (Sheet1!A3)")});

        // Names that only share a prefix ("color" and "colours/bg", "colo/r") are fine.
        QVERIFY(map("Name,Light\ncolor,#fff\ncolours/bg,#000\ncolor-x/y,#111\n").ok());
    }

    void aliasProblems()
    {
        const MappingResult r = map("Name,Type,Light,Dark\n"
                                    "color/bg,COLOR,#fff,#000\n"
                                    "space/4,FLOAT,4px,4px\n"
                                    "color/fg,,{color/bg},{color/nope}\n"
                                    "color/x,COLOR,{space/4},#000\n"
                                    "bad,STRING,{a//b},x\n"
                                    "bad2,,{color/bg},{a//b}\n");
        QCOMPARE(texts(r), (QStringList{QStringLiteral("Sheet1!D4: alias {color/nope} names no variable of this collection"),
                                        QStringLiteral("Sheet1!C5: alias {space/4} is FLOAT, but color/x is COLOR"),
                                        QStringLiteral("Sheet1!C6: \"{a//b}\" is not a valid alias: name \"a//b\" has an empty group "
                                                       "(\"//\", or \"/\" at the start or end)"),
                                        QStringLiteral("Sheet1!D7: \"{a//b}\" is not a valid alias: name \"a//b\" has an empty group "
                                                       "(\"//\", or \"/\" at the start or end)")}));
    }

    void aliasTypeMismatchThroughInference()
    {
        // b takes its type from a literal in Dark; its Light alias points at a FLOAT.
        const MappingResult r = map("Name,Light,Dark\nn,4,8\nb,{n},#fff\n");
        QCOMPARE(texts(r), QStringList{QStringLiteral("Sheet1!B3: alias {n} is FLOAT, but b is COLOR")});
        // Alias-only rows whose aliases disagree: the first mode's target decides, the other is wrong.
        const MappingResult r2 = map("Name,Light,Dark\nn,4,8\nc,#fff,#000\nx,{n},{c}\n");
        QCOMPARE(texts(r2), QStringList{QStringLiteral("Sheet1!C4: alias {c} is COLOR, but x is FLOAT")});
    }

    void aliasCycles()
    {
        const MappingResult r = map("Name,Light,Dark\n"
                                    "a,{b},#fff\n"   // A2 B2
                                    "b,{c},#000\n"
                                    "c,{a},#111\n"
                                    "self,{self},{self}\n"
                                    "d,#fff,{e}\n"
                                    "e,#000,{d}\n"
                                    "tail,{a},{a}\n");
        QCOMPARE(texts(r), (QStringList{
                               QStringLiteral("Sheet1!B2: alias cycle in mode Light: a → b → c → a (cells Sheet1!B2, Sheet1!B3, Sheet1!B4)"),
                               QStringLiteral("Sheet1!B5: alias cycle in mode Light: self → self (cells Sheet1!B5)"),
                               QStringLiteral("Sheet1!C5: alias cycle in mode Dark: self → self (cells Sheet1!C5)"),
                               QStringLiteral("Sheet1!C6: alias cycle in mode Dark: d → e → d (cells Sheet1!C6, Sheet1!C7)")}));
        // Each cycle once, whichever member the search meets first.
        const MappingResult r2 = map("Name,Light\nz,{y}\ny,{x}\nx,{z}\nw,{x}\n");
        QCOMPARE(r2.problems.size(), 1);
        QCOMPARE(r2.problems[0].text(), QStringLiteral("Sheet1!B2: alias cycle in mode Light: z → y → x → z (cells Sheet1!B2, Sheet1!B3, Sheet1!B4)"));
    }

    void headerProblems()
    {
        QCOMPARE(texts(map("Label,Light\nx,1\n")),
                 QStringList{QStringLiteral("Sheet1!1:1: no name column \"Name\" in header row 1 (the columns are: Label, Light)")});
        QCOMPARE(texts(map("Name,Type\nx,COLOR\n")),
                 QStringList{QStringLiteral("Sheet1!1:1: no mode columns: after the name column, add one column per mode (Light, Dark, …)")});
        QCOMPARE(texts(map("Name,Light,light,Light\nx,1,2,3\n")),
                 QStringList{QStringLiteral("Sheet1!D1: duplicate mode \"Light\" (first at Sheet1!B1)")});
        QCOMPARE(texts(map("")), QStringList{QStringLiteral("Sheet1!1:1: header row 1 is empty: it must name the columns (Name, Type, Light, Dark, …)")});
        const QString longMode(41, u'm');
        QCOMPARE(texts(map("Name," + longMode.toLatin1() + "\nx,1\n")),
                 QStringList{QStringLiteral("Sheet1!B1: mode name \"%1\" is longer than 40 characters").arg(longMode)});

        QByteArray wide("Name");
        QByteArray row("x");
        for (int i = 0; i < 41; ++i) {
            wide += ",m" + QByteArray::number(i);
            row += ",1";
        }
        QCOMPARE(texts(map(wide + '\n' + row + '\n')),
                 QStringList{QStringLiteral("Sheet1!1:1: 41 mode columns; a collection has at most 40 modes")});
        QByteArray forty("Name");
        for (int i = 0; i < 40; ++i)
            forty += ",m" + QByteArray::number(i);
        QVERIFY(map(forty + "\nx" + QByteArray(",1").repeated(40) + '\n').ok());
    }

    void specColumns()
    {
        const QByteArray csv = "Title\n"
                               "Token,Kind,Notes,Light,Dark,Comment\n"
                               "color/bg,COLOR,bg,#fff,#000,ignored\n";
        MappingSpec spec;
        spec.collection = QStringLiteral("Tokens");
        spec.headerRow = 2;
        spec.nameColumn = QStringLiteral("A");
        spec.typeColumn = QStringLiteral("kind");
        spec.descriptionColumn = QStringLiteral("C");
        spec.modeColumns = {QStringLiteral("Dark"), QStringLiteral("D")};
        const MappingResult r = map(csv, spec);
        QVERIFY2(r.ok(), qPrintable(texts(r).join(u'\n')));
        QCOMPARE(r.collection.name, QStringLiteral("Tokens"));
        QCOMPARE(r.collection.modes, (QStringList{"Dark", "Light"}));
        QCOMPARE(r.collection.variables[0].description, QStringLiteral("bg"));
        QCOMPARE(r.collection.variables[0].values[0].color.hex(), QStringLiteral("#000000"));

        // A missing column the spec names explicitly is a problem; the default optional ones are not.
        MappingSpec missing = spec;
        missing.typeColumn = QStringLiteral("Kind of thing");
        missing.modeColumns = {QStringLiteral("Dusk")};
        QCOMPARE(texts(map(csv, missing)),
                 (QStringList{QStringLiteral("Sheet1!2:2: no type column \"Kind of thing\" in header row 2 (the columns are: Token, Kind, Notes, Light, Dark, Comment)"),
                              QStringLiteral("Sheet1!2:2: no mode column \"Dusk\" in header row 2 (the columns are: Token, Kind, Notes, Light, Dark, Comment)")}));
        MappingSpec reserved = spec;
        reserved.modeColumns = {QStringLiteral("Notes")};
        QCOMPARE(texts(map(csv, reserved)),
                 QStringList{QStringLiteral("Sheet1!C2: column \"Notes\" cannot be a mode: it holds the names, types or descriptions")});
    }

    void specJson()
    {
        const MappingSpec spec = MappingSpec::fromJson(R"({"collection":"T","headerRow":3,"nameColumn":"Token",
            "typeColumn":"","descriptionColumn":"Notes","modeColumns":["Light","Dark"]})", QStringLiteral("m.json"));
        QCOMPARE(spec.collection, QStringLiteral("T"));
        QCOMPARE(spec.headerRow, 3);
        QCOMPARE(spec.nameColumn, QStringLiteral("Token"));
        QCOMPARE(spec.typeColumn, QString());
        QCOMPARE(spec.modeColumns, (QStringList{"Light", "Dark"}));
        const MappingSpec back = MappingSpec::fromJson(QJsonDocument(spec.toJson()).toJson(), QStringLiteral("x"));
        QCOMPARE(back.toJson(), spec.toJson());
        const MappingSpec defaults = MappingSpec::fromJson("{}", QStringLiteral("x"));
        QCOMPARE(defaults.toJson(), MappingSpec().toJson());

        const QList<std::pair<QByteArray, QString>> bad{
            {"[1]", QStringLiteral("m.json: a mapping must be a JSON object")},
            {"{", QStringLiteral("m.json: not valid JSON")},
            {R"({"headerRow":0})", QStringLiteral("m.json: \"headerRow\" must be a whole number")},
            {R"({"headerRow":1.5})", QStringLiteral("m.json: \"headerRow\" must be a whole number")},
            {R"({"nameColumn":3})", QStringLiteral("m.json: \"nameColumn\" must be a string")},
            {R"({"nameColumn":" "})", QStringLiteral("m.json: \"nameColumn\" must not be empty")},
            {R"({"modeColumns":"Light"})", QStringLiteral("m.json: \"modeColumns\" must be a list")},
            {R"({"modeColumns":["Light",2]})", QStringLiteral("m.json: \"modeColumns\"[1] must be a column name")},
            {R"({"modeColumn":["Light"]})", QStringLiteral("m.json: unknown field \"modeColumn\"")},
        };
        for (const auto &[json, message] : bad) {
            try {
                MappingSpec::fromJson(json, QStringLiteral("m.json"));
                QFAIL(json.constData());
            } catch (const Error &e) {
                QCOMPARE(e.kind(), ErrorKind::InvalidInput);
                QVERIFY2(e.message().startsWith(message), qPrintable(e.message()));
            }
        }

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mapping.json"));
        test::writeFile(path, R"({"collection":"FromFile"})");
        QCOMPARE(MappingSpec::fromFile(path).collection, QStringLiteral("FromFile"));
        try {
            MappingSpec::fromFile(dir.filePath(QStringLiteral("none.json")));
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Failure);
            QVERIFY(e.message().contains(dir.filePath(QStringLiteral("none.json"))));
        }
    }

    void problemsComeInSheetOrder()
    {
        const MappingResult r = map("Name,Type,Light,Dark\n"
                                    "a,,{zzz},#fff\n"    // alias problem, found late
                                    "b,COLOR,#1,#2\n"
                                    "a,,1,2\n");
        QStringList cells;
        for (const MappingProblem &p : r.problems)
            cells << p.cell;
        QCOMPARE(cells, (QStringList{"Sheet1!C2", "Sheet1!C3", "Sheet1!D3", "Sheet1!A4"}));
    }

    void demoSheetMapsCleanly()
    {
        const QString path = QStringLiteral(SYNCPILOT_SOURCE_DIR "/resources/demo/design-tokens.csv");
        const Table t = CsvReader::readFile(path);
        const MappingResult r = Mapping::map(t, {});
        QVERIFY2(r.ok(), qPrintable(texts(r).join(u'\n')));
        QVERIFY(r.rowsRead >= 150 && r.rowsRead <= 250);
        QCOMPARE(r.collection.modes, (QStringList{"Light", "Dark"}));
        QCOMPARE(r.collection.variables.size(), r.rowsRead);
        QSet<int> types;
        int aliases = 0;
        for (const Variable &v : r.collection.variables) {
            types.insert(int(v.type));
            for (const VariableValue &value : v.values)
                aliases += value.isAlias();
        }
        QCOMPARE(types.size(), 4);
        QVERIFY(aliases > 20);
        // The sample shows inference: rows without a Type still get the right one.
        QCOMPARE(r.collection.find(QStringLiteral("color/neutral/500"))->type, VariableType::Color);
        QCOMPARE(r.collection.find(QStringLiteral("color/bg/default"))->type, VariableType::Color);
        QCOMPARE(r.collection.find(QStringLiteral("space/8"))->type, VariableType::Float);
        QCOMPARE(r.collection.find(QStringLiteral("feature/dark-charts"))->type, VariableType::Boolean);
        QCOMPARE(r.collection.find(QStringLiteral("font/family/mono"))->type, VariableType::String);
    }
};

QTEST_GUILESS_MAIN(TstMapping)
#include "tst_mapping.moc"
