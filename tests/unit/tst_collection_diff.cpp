#include "sync/CollectionDiff.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace sp;

namespace {

using V = VariableValue;

Rgba rgb(quint32 rrggbb)
{
    return Rgba{((rrggbb >> 16) & 0xff) / 255.0, ((rrggbb >> 8) & 0xff) / 255.0, (rrggbb & 0xff) / 255.0, 1};
}

Variable var(const QString &name, VariableType type, QList<VariableValue> values, const QString &description = {})
{
    Variable v;
    v.name = name;
    v.type = type;
    v.description = description;
    v.values = std::move(values);
    return v;
}

VariableCollection before()
{
    VariableCollection c;
    c.name = QStringLiteral("Brand");
    c.modes = {QStringLiteral("Light"), QStringLiteral("Dark")};
    c.variables = {
        var(QStringLiteral("color/brand/500"), VariableType::Color, {V::ofColor(rgb(0x1e66f5)), V::ofColor(rgb(0x89b4fa))}),
        var(QStringLiteral("space/md"), VariableType::Float, {V::ofNumber(16, QStringLiteral("px")), V::ofNumber(16, QStringLiteral("px"))}),
        var(QStringLiteral("old/token"), VariableType::String, {V::ofString(QStringLiteral("a")), V::ofString(QStringLiteral("b"))}),
        var(QStringLiteral("flags/beta"), VariableType::Boolean, {V::ofBoolean(true), V::ofBoolean(false)}, QStringLiteral("Beta UI")),
        var(QStringLiteral("color/link"), VariableType::Color,
            {V::ofAlias(QStringLiteral("color/brand/500")), V::ofAlias(QStringLiteral("color/brand/500"))}),
    };
    return c;
}

// before() with: color/brand/600 created (between existing ones), space/md changed in Light only,
// old/token deleted, flags/beta's description changed, color/link re-pointed in Dark.
VariableCollection after()
{
    VariableCollection c = before();
    c.variables.removeAt(2); // old/token
    c.variables[1].values[0] = V::ofNumber(12, QStringLiteral("px"));
    c.variables[2].description = QStringLiteral("Beta UI (new)");
    c.variables[3].values[1] = V::ofAlias(QStringLiteral("color/brand/600"));
    c.variables.insert(1, var(QStringLiteral("color/brand/600"), VariableType::Color, {V::ofColor(rgb(0x1e66f5)), V::ofColor(rgb(0x89b4fa))}));
    return c;
}

QStringList names(const VariableCollection &c)
{
    QStringList out;
    for (const Variable &v : c.variables)
        out << v.name;
    return out;
}

// Equal by name: same variables with the same content, wherever they stand, values per mode name.
void compareByName(const VariableCollection &actual, const VariableCollection &expected)
{
    QCOMPARE(actual.variables.size(), expected.variables.size());
    QCOMPARE(QSet<QString>(actual.modes.cbegin(), actual.modes.cend()), QSet<QString>(expected.modes.cbegin(), expected.modes.cend()));
    for (const Variable &e : expected.variables) {
        const Variable *a = actual.find(e.name);
        QVERIFY2(a, qPrintable(e.name));
        QCOMPARE(a->type, e.type);
        QCOMPARE(a->description, e.description);
        for (qsizetype m = 0; m < expected.modes.size(); ++m) {
            const qsizetype am = actual.modes.indexOf(expected.modes.at(m));
            QVERIFY2(a->values.at(am) == e.values.at(m), qPrintable(e.name + u' ' + expected.modes.at(m)));
        }
    }
}

VariableCollection random(quint32 seed, int count)
{
    QRandomGenerator rng(seed);
    VariableCollection c;
    c.name = QStringLiteral("R");
    c.modes = {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")};
    for (int i = 0; i < count; ++i) {
        Variable v;
        v.name = QStringLiteral("g%1/v%2").arg(rng.bounded(10)).arg(i);
        v.type = VariableType::Float;
        for (int m = 0; m < 3; ++m)
            v.values << V::ofNumber(rng.bounded(5));
        c.variables << v;
    }
    return c;
}

// Random edits: changed values, deletions, creations, a shuffle of a block, mode changes.
VariableCollection mutate(const VariableCollection &c, quint32 seed, bool changeModes)
{
    QRandomGenerator rng(seed);
    VariableCollection out = c;
    for (int i = 0; i < out.variables.size(); ++i) {
        const int roll = rng.bounded(100);
        if (roll < 5) {
            out.variables[i].values[rng.bounded(3)] = V::ofNumber(100 + rng.bounded(5));
        } else if (roll < 7) {
            out.variables[i].description = QStringLiteral("d%1").arg(i);
        } else if (roll < 8) {
            out.variables[i].type = VariableType::String;
            out.variables[i].values = {V::ofString(QStringLiteral("s")), V::ofString(QStringLiteral("t")), V::ofString(QStringLiteral("u"))};
        }
    }
    for (int k = 0; k < 10; ++k)
        out.variables.removeAt(rng.bounded(int(out.variables.size())));
    for (int k = 0; k < 10; ++k) {
        Variable v;
        v.name = QStringLiteral("new/n%1").arg(k);
        v.type = VariableType::Boolean;
        v.values = {V::ofBoolean(true), V::ofBoolean(false), V::ofBoolean(k % 2)};
        out.variables.insert(rng.bounded(int(out.variables.size()) + 1), v);
    }
    // Move a block of 30 variables to the end (order changes must not read as changes).
    const QList<Variable> block = out.variables.mid(20, 30);
    out.variables.remove(20, 30);
    out.variables << block;
    if (changeModes) {
        // C removed, D added, A and B swapped.
        out.modes = {QStringLiteral("B"), QStringLiteral("A"), QStringLiteral("D")};
        for (Variable &v : out.variables)
            v.values = {v.values.at(1), v.values.at(0), V::ofNumber(7)};
        for (Variable &v : out.variables) {
            if (v.type != VariableType::Float)
                v.values[2] = v.values.at(0);
        }
    }
    return out;
}

} // namespace

class TstCollectionDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsCreatedUpdatedDeleted()
    {
        const CollectionDiff d = diffCollections(before(), after());
        QCOMPARE(d.created(), 1);
        QCOMPARE(d.updated(), 3);
        QCOMPARE(d.deleted(), 1);
        QVERIFY(!d.isEmpty());
        QVERIFY(!d.renamed);
        QVERIFY(d.modesAdded.isEmpty() && d.modesRemoved.isEmpty());
        // after's order, then deletions in before's order
        QStringList order;
        for (const VariableChange &c : d.changes)
            order << c.name;
        QCOMPARE(order, (QStringList{QStringLiteral("color/brand/600"), QStringLiteral("space/md"), QStringLiteral("flags/beta"),
                                     QStringLiteral("color/link"), QStringLiteral("old/token")}));
        QCOMPARE(d.changes.at(0).kind, VariableChange::Kind::Created);
        QCOMPARE(d.changes.at(1).kind, VariableChange::Kind::Updated);
        QCOMPARE(d.changes.at(1).before.values.at(0), V::ofNumber(16, QStringLiteral("px")));
        QCOMPARE(d.changes.at(1).after.values.at(0), V::ofNumber(12, QStringLiteral("px")));
        QCOMPARE(d.changes.at(4).kind, VariableChange::Kind::Deleted);
        QCOMPARE(d.changes.at(4).before.name, QStringLiteral("old/token"));
    }

    void identicalCollectionsGiveAnEmptyDiff()
    {
        QVERIFY(diffCollections(before(), before()).isEmpty());
        // Order alone is not a change: the targets do not store one.
        VariableCollection shuffled = before();
        std::reverse(shuffled.variables.begin(), shuffled.variables.end());
        QVERIFY(diffCollections(before(), shuffled).changes.isEmpty());
        QVERIFY(mismatchingVariables(before(), shuffled).isEmpty());
        // A colour that differs below 8 bits is the same colour.
        VariableCollection nudged = before();
        nudged.variables[0].values[0].color.r += 0.0001;
        QVERIFY(diffCollections(before(), nudged).isEmpty());
    }

    void typeChangeIsAnUpdate()
    {
        VariableCollection changed = before();
        changed.variables[2].type = VariableType::Float;
        changed.variables[2].values = {V::ofNumber(1), V::ofNumber(2)};
        const CollectionDiff d = diffCollections(before(), changed);
        QCOMPARE(d.updated(), 1);
        QCOMPARE(d.lines(), QStringList{QStringLiteral("~ old/token  type STRING → FLOAT  Light \"a\" → 1  Dark \"b\" → 2")});
    }

    void modeChanges()
    {
        VariableCollection withDim = before();
        withDim.modes << QStringLiteral("Dim");
        for (Variable &v : withDim.variables)
            v.values << v.values.at(1);
        CollectionDiff d = diffCollections(before(), withDim);
        QCOMPARE(d.modesAdded, QStringList{QStringLiteral("Dim")});
        QCOMPARE(d.updated(), 5); // every variable gains a value
        QCOMPARE(d.lines().first(), QStringLiteral("+ mode Dim"));
        QVERIFY(d.lines().contains(QStringLiteral("~ space/md  Dim 16px")));

        // Removing it again only drops values: no variable changes.
        d = diffCollections(withDim, before());
        QCOMPARE(d.modesRemoved, QStringList{QStringLiteral("Dim")});
        QVERIFY(d.changes.isEmpty());
        QVERIFY(!d.isEmpty());
        QCOMPARE(d.lines(), QStringList{QStringLiteral("- mode Dim")});
        compareByName(applyDiff(withDim, d), before());
        QCOMPARE(applyDiff(withDim, d), before());

        // Swapping modes changes no variable but is still a change of the collection.
        VariableCollection swapped = before();
        swapped.modes = {QStringLiteral("Dark"), QStringLiteral("Light")};
        for (Variable &v : swapped.variables)
            std::swap(v.values[0], v.values[1]);
        d = diffCollections(before(), swapped);
        QVERIFY(d.changes.isEmpty());
        QVERIFY(d.modesReordered());
        QVERIFY(!d.isEmpty());
        QCOMPARE(applyDiff(before(), d), swapped);
    }

    void renameIsRecorded()
    {
        VariableCollection renamed = before();
        renamed.name = QStringLiteral("Brand 2");
        const CollectionDiff d = diffCollections(before(), renamed);
        QVERIFY(d.renamed);
        QVERIFY(d.changes.isEmpty());
        QCOMPARE(d.lines(), QStringList{QStringLiteral("collection renamed Brand → Brand 2")});
        QCOMPARE(applyDiff(before(), d).name, QStringLiteral("Brand 2"));
        QCOMPARE(d.toJson().value(QStringLiteral("previousName")).toString(), QStringLiteral("Brand"));
    }

    void previewLines()
    {
        const QStringList lines = diffCollections(before(), after()).lines();
        QCOMPARE(lines,
                 (QStringList{QStringLiteral("+ color/brand/600  Light #1e66f5  Dark #89b4fa"),
                              QStringLiteral("~ space/md  Light 16px → 12px"),
                              QStringLiteral("~ flags/beta  description \"Beta UI\" → \"Beta UI (new)\""),
                              QStringLiteral("~ color/link  Dark {color/brand/500} → {color/brand/600}"),
                              QStringLiteral("- old/token")}));
    }

    void jsonSummary()
    {
        const QJsonObject json = diffCollections(before(), after()).toJson();
        QCOMPARE(json.value(QStringLiteral("created")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("updated")).toInt(), 3);
        QCOMPARE(json.value(QStringLiteral("deleted")).toInt(), 1);
        const QJsonArray changes = json.value(QStringLiteral("changes")).toArray();
        QCOMPARE(changes.size(), 5);
        const QJsonObject md = changes.at(1).toObject();
        QCOMPARE(md.value(QStringLiteral("kind")).toString(), QStringLiteral("updated"));
        QCOMPARE(md.value(QStringLiteral("before")).toObject().value(QStringLiteral("values")).toObject().value(QStringLiteral("Light")).toString(),
                 QStringLiteral("16px"));
        QCOMPARE(md.value(QStringLiteral("after")).toObject().value(QStringLiteral("values")).toObject().value(QStringLiteral("Light")).toString(),
                 QStringLiteral("12px"));
        QVERIFY(!changes.at(4).toObject().contains(QStringLiteral("after")));
    }

    void applyDiffGivesAfter()
    {
        const CollectionDiff d = diffCollections(before(), after());
        const VariableCollection result = applyDiff(before(), d);
        QVERIFY(mismatchingVariables(result, after()).isEmpty());
        compareByName(result, after());
        // base order, updates in place, deletions removed, creations appended
        QCOMPARE(names(result), (QStringList{QStringLiteral("color/brand/500"), QStringLiteral("space/md"), QStringLiteral("flags/beta"),
                                             QStringLiteral("color/link"), QStringLiteral("color/brand/600")}));
    }

    void applyDiffOnRandomEdits_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<bool>("changeModes");
        QTest::newRow("values") << 1u << false;
        QTest::newRow("values 2") << 77u << false;
        QTest::newRow("values and modes") << 3u << true;
    }

    void applyDiffOnRandomEdits()
    {
        QFETCH(quint32, seed);
        QFETCH(bool, changeModes);
        const VariableCollection a = random(seed, 400);
        const VariableCollection b = mutate(a, seed * 31 + 1, changeModes);
        const CollectionDiff d = diffCollections(a, b);
        QVERIFY(d.created() >= 10);
        QVERIFY(d.deleted() >= 1);
        QVERIFY(d.updated() > 0);
        const VariableCollection result = applyDiff(a, d);
        QVERIFY(mismatchingVariables(result, b).isEmpty());
        compareByName(result, b);
        QCOMPARE(result.modes, b.modes);
        // And nothing left to do afterwards.
        QVERIFY(diffCollections(result, b).changes.isEmpty());
        // The counts agree with a brute-force count by name.
        int created = 0, deleted = 0, updated = 0;
        for (const Variable &v : b.variables)
            created += a.find(v.name) ? 0 : 1;
        for (const Variable &v : a.variables)
            deleted += b.find(v.name) ? 0 : 1;
        if (!changeModes) {
            for (const Variable &v : b.variables) {
                const Variable *old = a.find(v.name);
                updated += old && *old != v ? 1 : 0;
            }
            QCOMPARE(d.updated(), updated);
        }
        QCOMPARE(d.created(), created);
        QCOMPARE(d.deleted(), deleted);
    }

    void mismatchingVariablesFindsDifferences()
    {
        VariableCollection other = before();
        other.variables[1].values[1] = V::ofNumber(17, QStringLiteral("px"));
        other.variables.removeAt(2);
        other.variables << var(QStringLiteral("extra"), VariableType::Boolean, {V::ofBoolean(true), V::ofBoolean(true)});
        QCOMPARE(mismatchingVariables(before(), other),
                 (QStringList{QStringLiteral("space/md"), QStringLiteral("old/token"), QStringLiteral("extra")}));
        QCOMPARE(mismatchingVariables(other, before()),
                 (QStringList{QStringLiteral("space/md"), QStringLiteral("extra"), QStringLiteral("old/token")}));
        // A unit alone is a difference.
        other = before();
        other.variables[1].values[0].unit = QStringLiteral("rem");
        QCOMPARE(mismatchingVariables(before(), other), QStringList{QStringLiteral("space/md")});
        // A mode only one side has: every variable differs.
        other = before();
        other.modes << QStringLiteral("Dim");
        for (Variable &v : other.variables)
            v.values << v.values.at(0);
        QCOMPARE(mismatchingVariables(before(), other), names(before()));
    }
};

QTEST_GUILESS_MAIN(TstCollectionDiff)
#include "tst_collection_diff.moc"
