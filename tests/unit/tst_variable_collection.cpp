#include "sync/VariableCollection.h"

#include <QTest>

using namespace sp;

namespace {

Variable variable(const QString &name, double value)
{
    Variable v;
    v.name = name;
    v.type = VariableType::Float;
    v.values = {VariableValue::ofNumber(value, QStringLiteral("px"))};
    return v;
}

VariableCollection collection(const QStringList &names)
{
    VariableCollection c;
    c.name = QStringLiteral("Tokens");
    c.modes = QStringList{QStringLiteral("Light")};
    for (qsizetype i = 0; i < names.size(); ++i)
        c.variables.append(variable(names.at(i), double(i)));
    return c;
}

} // namespace

class TstVariableCollection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsByName()
    {
        const VariableCollection c = collection({"color/bg", "color/fg", "space/sm"});
        QCOMPARE(c.indexOf(QStringLiteral("color/fg")), 1);
        QCOMPARE(c.indexOf(QStringLiteral("space/sm")), 2);
        QCOMPARE(c.indexOf(QStringLiteral("color")), -1);
        QCOMPARE(c.indexOf(QString()), -1);
        QVERIFY(c.find(QStringLiteral("nothing")) == nullptr);
        QCOMPARE(c.find(QStringLiteral("color/bg"))->values.at(0).number, 0.0);
        QCOMPARE(VariableCollection().indexOf(QStringLiteral("x")), -1);
    }

    void duplicatesGiveTheFirst()
    {
        // Collections read from other tools can repeat a name; lookups must still work (and not
        // rebuild the index on every call, which made them quadratic).
        VariableCollection c = collection({"a", "b", "a", "c", "b"});
        for (int round = 0; round < 3; ++round) {
            QCOMPARE(c.indexOf(QStringLiteral("a")), 0);
            QCOMPARE(c.indexOf(QStringLiteral("b")), 1);
            QCOMPARE(c.indexOf(QStringLiteral("c")), 3);
            QCOMPARE(c.indexOf(QStringLiteral("d")), -1);
        }
        QCOMPARE(c.find(QStringLiteral("b")), &c.variables.at(1));

        // Appending after lookups: the new names are found, the old answers stay.
        c.variables.append(variable(QStringLiteral("d"), 5));
        c.variables.append(variable(QStringLiteral("a"), 6));
        QCOMPARE(c.indexOf(QStringLiteral("d")), 5);
        QCOMPARE(c.indexOf(QStringLiteral("a")), 0);
        QCOMPARE(c.find(QStringLiteral("d"))->values.at(0).number, 5.0);
    }

    void editsAfterLookups()
    {
        VariableCollection c = collection({"a", "b", "c", "d"});
        QCOMPARE(c.indexOf(QStringLiteral("c")), 2);

        // Removal: the list is shorter than the index.
        c.variables.removeAt(0);
        QCOMPARE(c.indexOf(QStringLiteral("c")), 1);
        QCOMPARE(c.indexOf(QStringLiteral("a")), -1);
        QCOMPARE(c.indexOf(QStringLiteral("d")), 2);

        // Rename in place: the hit for the old name no longer matches, so the index is rebuilt.
        c.variables[1].name = QStringLiteral("renamed");
        QCOMPARE(c.indexOf(QStringLiteral("c")), -1);
        QCOMPARE(c.indexOf(QStringLiteral("renamed")), 1);

        // Move: same size, different order.
        std::swap(c.variables[0], c.variables[2]);
        QCOMPARE(c.indexOf(QStringLiteral("d")), 0);
        QCOMPARE(c.indexOf(QStringLiteral("b")), 2);

        // Cleared and refilled with a name that moved.
        c.variables.clear();
        QCOMPARE(c.indexOf(QStringLiteral("b")), -1);
        c.variables.append(variable(QStringLiteral("x"), 1));
        c.variables.append(variable(QStringLiteral("b"), 2));
        QCOMPARE(c.indexOf(QStringLiteral("b")), 1);
    }

    void copiesHaveTheirOwnIndex()
    {
        VariableCollection original = collection({"a", "b"});
        QCOMPARE(original.indexOf(QStringLiteral("b")), 1);
        VariableCollection copy = original; // shares the built index
        copy.variables.append(variable(QStringLiteral("c"), 2));
        QCOMPARE(copy.indexOf(QStringLiteral("c")), 2);
        QCOMPARE(original.indexOf(QStringLiteral("c")), -1);
        original.variables.append(variable(QStringLiteral("z"), 9));
        QCOMPARE(original.indexOf(QStringLiteral("z")), 2);
        QCOMPARE(copy.indexOf(QStringLiteral("z")), -1);
        QCOMPARE(copy.indexOf(QStringLiteral("a")), 0);
    }

    void manyNames()
    {
        VariableCollection c;
        for (int i = 0; i < 20000; ++i)
            c.variables.append(variable(QStringLiteral("group%1/token%2").arg(i % 37).arg(i), i));
        c.variables.append(variable(QStringLiteral("group0/token0"), -1)); // a duplicate at the end
        for (int i = 0; i < 20000; i += 997)
            QCOMPARE(c.indexOf(QStringLiteral("group%1/token%2").arg(i % 37).arg(i)), i);
        QCOMPARE(c.indexOf(QStringLiteral("group0/token0")), 0);
        QCOMPARE(c.indexOf(QStringLiteral("group1/token0")), -1);
    }

    void contentHashIsStable()
    {
        const VariableCollection a = collection({"color/bg", "space/sm", "color/bg"});
        const QByteArray before = a.contentHash();
        QCOMPARE(before.size(), 64); // hex SHA-256
        QVERIFY(a.indexOf(QStringLiteral("space/sm")) >= 0); // lookups do not change the content
        QCOMPARE(a.contentHash(), before);
        VariableCollection b = collection({"color/bg", "space/sm", "color/bg"});
        QCOMPARE(b.contentHash(), before); // same content, built separately
        QVERIFY(a == b);

        b.variables[1].values[0] = VariableValue::ofNumber(1, QStringLiteral("rem")); // unit only
        QVERIFY(b.contentHash() != before);
        b.variables[1].values[0] = VariableValue::ofNumber(1, QStringLiteral("px"));
        QCOMPARE(b.contentHash(), before);

        VariableCollection reordered = collection({"space/sm", "color/bg", "color/bg"});
        QVERIFY(reordered.contentHash() != before); // order is content
        VariableCollection renamedMode = a;
        renamedMode.modes = QStringList{QStringLiteral("Dark")};
        QVERIFY(renamedMode.contentHash() != before);
    }
};

QTEST_GUILESS_MAIN(TstVariableCollection)
#include "tst_variable_collection.moc"
