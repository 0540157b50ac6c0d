// FigmaPlanner (POST bodies for the Figma Variables API) and FigmaFileState (parsing GET
// …/variables/local). Pure: no server; answers are simulated by mapping every temporary id.
#include "common/Error.h"
#include "sync/FigmaPlanner.h"
#include "sync/FigmaVariables.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace sp;

namespace {

const QString Light = QStringLiteral("Light");
const QString Dark = QStringLiteral("Dark");

Variable var(const QString &name, VariableType type, const QList<VariableValue> &values, const QString &description = {})
{
    Variable v;
    v.name = name;
    v.type = type;
    v.values = values;
    v.description = description;
    return v;
}

VariableValue color(double r, double g, double b, double a = 1) { return VariableValue::ofColor(Rgba{r, g, b, a}); }

// A file with collection "Brand" (modes Light 1:0, Dark 1:1) and local variables given as
// (name, type, {light, dark}) with ids VariableID:1:<n>.
struct StateBuilder
{
    FigmaFileState state;
    StateBuilder(const QStringList &modes = {Light, Dark})
    {
        state.fileKey = QStringLiteral("FILEKEY");
        FigmaCollection c;
        c.id = QStringLiteral("VariableCollectionId:1:1");
        c.name = QStringLiteral("Brand");
        for (int i = 0; i < modes.size(); ++i)
            c.modes.append(FigmaMode{QStringLiteral("1:%1").arg(i), modes.at(i)});
        c.defaultModeId = c.modes.first().id;
        state.collections.append(c);
    }
    QString add(const QString &name, VariableType type, const QList<VariableValue> &values, const QString &description = {})
    {
        FigmaVariable v;
        v.id = QStringLiteral("VariableID:1:%1").arg(100 + state.variables.size());
        v.name = name;
        v.collectionId = state.collections.first().id;
        v.type = type;
        v.description = description;
        for (int i = 0; i < values.size(); ++i)
            v.valuesByMode.insert(state.collections.first().modes.at(i).id, values.at(i));
        state.variables.append(v);
        state.namesById.insert(v.id, v.name);
        return v.id;
    }
};

QJsonArray section(const QJsonObject &body, const char *key) { return body.value(QLatin1String(key)).toArray(); }

QList<QJsonObject> withAction(const QJsonArray &a, const QString &action)
{
    QList<QJsonObject> out;
    for (const QJsonValue &v : a)
        if (v.toObject().value(QStringLiteral("action")).toString() == action)
            out.append(v.toObject());
    return out;
}

QJsonObject createOf(const QJsonObject &body, const QString &name)
{
    for (const QJsonObject &o : withAction(section(body, "variables"), QStringLiteral("CREATE")))
        if (o.value(QStringLiteral("name")).toString() == name)
            return o;
    return {};
}

QList<QJsonObject> valuesOf(const QJsonObject &body, const QString &variableId)
{
    QList<QJsonObject> out;
    for (const QJsonValue &v : section(body, "variableModeValues"))
        if (v.toObject().value(QStringLiteral("variableId")).toString() == variableId)
            out.append(v.toObject());
    return out;
}

// Runs a plan to the end, answering each body as Figma would (every CREATE's temporary id gets
// a fresh real id), and checks the rules every body must follow.
struct Run
{
    QList<QJsonObject> bodies;
    QHash<QString, QString> realIds;
};

Run runPlan(FigmaPlanner &planner, qsizetype maxBytes = FigmaLimits::maxBodyBytes)
{
    Run run;
    QSet<QString> tempIdsOfEarlierBodies;
    int counter = 5000;
    while (planner.hasNext()) {
        const QJsonObject body = planner.next();
        const QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
        if (bytes.size() > maxBytes)
            qFatal("body %lld has %lld bytes, over the limit", qlonglong(run.bodies.size() + 1), qlonglong(bytes.size()));
        // Temporary ids of earlier bodies must never appear again: they are meaningless to Figma.
        for (const char *key : {"variableCollections", "variableModes", "variables", "variableModeValues"}) {
            for (const QJsonValue &entry : section(body, key)) {
                const QJsonObject o = entry.toObject();
                for (const QString &id : {o.value(QStringLiteral("id")).toString(), o.value(QStringLiteral("variableCollectionId")).toString(),
                                          o.value(QStringLiteral("variableId")).toString(), o.value(QStringLiteral("modeId")).toString(),
                                          o.value(QStringLiteral("initialModeId")).toString(),
                                          o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString()})
                    if (tempIdsOfEarlierBodies.contains(id))
                        qFatal("body %lld reuses temporary id %s of an earlier body", qlonglong(run.bodies.size() + 1), qPrintable(id));
            }
        }
        QJsonObject map;
        QSet<QString> tempsHere;
        auto create = [&](const QJsonObject &o, const char *prefix) {
            const QString id = o.value(QStringLiteral("id")).toString();
            if (id.isEmpty())
                return;
            if (tempsHere.contains(id))
                qFatal("temporary id %s used twice in one body", qPrintable(id));
            tempsHere.insert(id);
            map.insert(id, QStringLiteral("%1:9:%2").arg(QLatin1String(prefix)).arg(++counter));
        };
        for (const QJsonObject &o : withAction(section(body, "variableCollections"), QStringLiteral("CREATE"))) {
            create(o, "VariableCollectionId");
            const QString initial = o.value(QStringLiteral("initialModeId")).toString();
            tempsHere.insert(initial);
            map.insert(initial, QStringLiteral("9:%1").arg(++counter));
        }
        for (const QJsonObject &o : withAction(section(body, "variableModes"), QStringLiteral("CREATE")))
            create(o, "Mode");
        for (const QJsonObject &o : withAction(section(body, "variables"), QStringLiteral("CREATE")))
            create(o, "VariableID");
        // Every id a value uses is a real id or created in this very body.
        for (const QJsonValue &v : section(body, "variableModeValues")) {
            const QJsonObject o = v.toObject();
            QStringList refs{o.value(QStringLiteral("variableId")).toString(), o.value(QStringLiteral("modeId")).toString()};
            if (o.value(QStringLiteral("value")).toObject().value(QStringLiteral("type")) == QLatin1String("VARIABLE_ALIAS"))
                refs << o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString();
            for (const QString &r : refs)
                if (r.startsWith(QLatin1String("tmp_")) && !tempsHere.contains(r))
                    qFatal("value references %s, created in no earlier or same body", qPrintable(r));
        }
        for (auto it = map.begin(); it != map.end(); ++it)
            run.realIds.insert(it.key(), it.value().toString());
        tempIdsOfEarlierBodies.unite(tempsHere);
        planner.applyResponse(map);
        run.bodies.append(body);
    }
    return run;
}

VariableCollection sampleCollection()
{
    VariableCollection c;
    c.name = QStringLiteral("Brand");
    c.modes = {Light, Dark};
    c.variables = {
        var(QStringLiteral("color/brand"), VariableType::Color, {color(0.2, 0.4, 1), color(0.1, 0.2, 0.5, 0.5)}, QStringLiteral("Main brand colour")),
        var(QStringLiteral("space/md"), VariableType::Float, {VariableValue::ofNumber(16, QStringLiteral("px")), VariableValue::ofNumber(12.5)}),
        var(QStringLiteral("flag/rounded"), VariableType::Boolean, {VariableValue::ofBoolean(true), VariableValue::ofBoolean(false)}),
        var(QStringLiteral("font/body"), VariableType::String, {VariableValue::ofString(QStringLiteral("Inter")), VariableValue::ofString(QStringLiteral("Inter Dark"))}),
        var(QStringLiteral("color/primary"), VariableType::Color, {VariableValue::ofAlias(QStringLiteral("color/brand")), color(0, 0, 0)}),
    };
    return c;
}

QString invalidMessage(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::InvalidInput)
            return QStringLiteral("wrong kind: ") + e.message();
        return e.message();
    }
    return {};
}

} // namespace

class TstFigmaPlanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsCollectionModesVariablesAndValuesInOneBody()
    {
        const FigmaFileState empty;
        const VariableCollection desired = sampleCollection();
        FigmaPlanner planner(empty, desired, FigmaPlanner::Scope::all());
        QCOMPARE(planner.planned().created, 5);
        QCOMPARE(planner.planned().updated, 0);
        const Run run = runPlan(planner);
        QCOMPARE(run.bodies.size(), 1);
        const QJsonObject body = run.bodies.first();

        const QJsonArray collections = section(body, "variableCollections");
        QCOMPARE(collections.size(), 1);
        const QJsonObject coll = collections.first().toObject();
        QCOMPARE(coll.value(QStringLiteral("action")).toString(), QStringLiteral("CREATE"));
        QCOMPARE(coll.value(QStringLiteral("name")).toString(), QStringLiteral("Brand"));
        const QString collId = coll.value(QStringLiteral("id")).toString();
        const QString initialMode = coll.value(QStringLiteral("initialModeId")).toString();
        QVERIFY(!initialMode.isEmpty());

        // The initial mode is renamed to the first desired mode; the second is created.
        const QJsonArray modes = section(body, "variableModes");
        QCOMPARE(modes.size(), 2);
        QCOMPARE(modes.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(modes.at(0).toObject().value(QStringLiteral("id")).toString(), initialMode);
        QCOMPARE(modes.at(0).toObject().value(QStringLiteral("name")).toString(), Light);
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("CREATE"));
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("name")).toString(), Dark);
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("variableCollectionId")).toString(), collId);
        const QString darkId = modes.at(1).toObject().value(QStringLiteral("id")).toString();

        QCOMPARE(withAction(section(body, "variables"), QStringLiteral("CREATE")).size(), 5);
        const QJsonObject brand = createOf(body, QStringLiteral("color/brand"));
        QCOMPARE(brand.value(QStringLiteral("resolvedType")).toString(), QStringLiteral("COLOR"));
        QCOMPARE(brand.value(QStringLiteral("description")).toString(), QStringLiteral("Main brand colour"));
        QCOMPARE(brand.value(QStringLiteral("variableCollectionId")).toString(), collId);
        QCOMPARE(section(body, "variableModeValues").size(), 10);

        // A number with a unit is written as its number; colours as 0..1 floats.
        const QString spaceId = createOf(body, QStringLiteral("space/md")).value(QStringLiteral("id")).toString();
        const QList<QJsonObject> space = valuesOf(body, spaceId);
        QCOMPARE(space.size(), 2);
        QCOMPARE(space.at(0).value(QStringLiteral("modeId")).toString(), initialMode);
        QCOMPARE(space.at(0).value(QStringLiteral("value")), QJsonValue(16));
        QCOMPARE(space.at(1).value(QStringLiteral("modeId")).toString(), darkId);
        const QJsonObject dark = valuesOf(body, brand.value(QStringLiteral("id")).toString()).at(1).value(QStringLiteral("value")).toObject();
        QCOMPARE(dark.value(QStringLiteral("a")).toDouble(), 0.5);
        QCOMPARE(dark.value(QStringLiteral("b")).toDouble(), 0.5);

        // The alias points at the temporary id of a variable created in the same body, and comes
        // after every literal value.
        const QString primaryId = createOf(body, QStringLiteral("color/primary")).value(QStringLiteral("id")).toString();
        const QList<QJsonObject> primary = valuesOf(body, primaryId);
        QCOMPARE(primary.size(), 2);
        const QJsonObject alias = primary.at(primary.at(0).value(QStringLiteral("value")).toObject().contains(QStringLiteral("type")) ? 0 : 1)
                                      .value(QStringLiteral("value")).toObject();
        QCOMPARE(alias.value(QStringLiteral("type")).toString(), QStringLiteral("VARIABLE_ALIAS"));
        QCOMPARE(alias.value(QStringLiteral("id")).toString(), brand.value(QStringLiteral("id")).toString());
        const QJsonArray values = section(body, "variableModeValues");
        QVERIFY(values.last().toObject().value(QStringLiteral("value")).toObject().contains(QStringLiteral("type")));
        QCOMPARE(planner.applied().created, 5);
        QCOMPARE(planner.bodiesApplied(), 1);
    }

    void fullReplaceWritesEveryValueDeletesAndRecreates()
    {
        StateBuilder b;
        const QString same = b.add(QStringLiteral("a"), VariableType::String, {VariableValue::ofString(QStringLiteral("x")), VariableValue::ofString(QStringLiteral("y"))});
        const QString changed = b.add(QStringLiteral("b"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(2)});
        const QString gone = b.add(QStringLiteral("c"), VariableType::Boolean, {VariableValue::ofBoolean(true), VariableValue::ofBoolean(true)});
        const QString retyped = b.add(QStringLiteral("d"), VariableType::String, {VariableValue::ofString(QStringLiteral("1")), VariableValue::ofString(QStringLiteral("2"))});

        VariableCollection desired;
        desired.name = QStringLiteral("Brand");
        desired.modes = {Light, Dark};
        desired.variables = {
            var(QStringLiteral("a"), VariableType::String, {VariableValue::ofString(QStringLiteral("x")), VariableValue::ofString(QStringLiteral("y"))}),
            var(QStringLiteral("b"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(3)}),
            var(QStringLiteral("d"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(2)}),
            var(QStringLiteral("e"), VariableType::Float, {VariableValue::ofAlias(QStringLiteral("b")), VariableValue::ofAlias(QStringLiteral("d"))}),
        };
        FigmaPlanner planner(b.state, desired, FigmaPlanner::Scope::all());
        QCOMPARE(planner.planned().created, 2);
        QCOMPARE(planner.planned().deleted, 2);
        QCOMPARE(planner.planned().updated, 2);
        const Run run = runPlan(planner);
        QCOMPARE(run.bodies.size(), 1);
        const QJsonObject body = run.bodies.first();
        QVERIFY(!body.contains(QStringLiteral("variableCollections")));
        QVERIFY(!body.contains(QStringLiteral("variableModes")));

        const QList<QJsonObject> deletes = withAction(section(body, "variables"), QStringLiteral("DELETE"));
        QCOMPARE(deletes.size(), 2);
        QCOMPARE(deletes.at(0).value(QStringLiteral("id")).toString(), gone);
        QCOMPARE(deletes.at(1).value(QStringLiteral("id")).toString(), retyped);
        // Deletions come before creations (room under the limit).
        QCOMPARE(section(body, "variables").at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("DELETE"));
        const QJsonObject newD = createOf(body, QStringLiteral("d"));
        QCOMPARE(newD.value(QStringLiteral("resolvedType")).toString(), QStringLiteral("FLOAT"));
        // Legacy full replace writes every value, unchanged ones too.
        QCOMPARE(valuesOf(body, same).size(), 2);
        QCOMPARE(valuesOf(body, changed).size(), 2);
        QCOMPARE(valuesOf(body, newD.value(QStringLiteral("id")).toString()).size(), 2);
        // Aliases: to an existing variable by its real id, to a recreated one by its new temp id.
        const QList<QJsonObject> e = valuesOf(body, createOf(body, QStringLiteral("e")).value(QStringLiteral("id")).toString());
        QCOMPARE(e.size(), 2);
        QStringList targets;
        for (const QJsonObject &o : e)
            targets << o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY2(targets.contains(changed), qPrintable(targets.join(u',')));
        QVERIFY2(targets.contains(newD.value(QStringLiteral("id")).toString()), qPrintable(targets.join(u',')));
        QCOMPARE(planner.applied().deleted, 2);
    }

    void syncScopeSendsOnlyTheChangedValues()
    {
        StateBuilder b;
        const QString a = b.add(QStringLiteral("a"), VariableType::String, {VariableValue::ofString(QStringLiteral("x")), VariableValue::ofString(QStringLiteral("y"))});
        const QString bId = b.add(QStringLiteral("b"), VariableType::Color, {color(1, 0, 0), color(0, 1, 0)}, QStringLiteral("old"));
        const QString c = b.add(QStringLiteral("c"), VariableType::Boolean, {VariableValue::ofBoolean(true), VariableValue::ofBoolean(true)});
        const QString stale = b.add(QStringLiteral("stale"), VariableType::Boolean, {VariableValue::ofBoolean(true), VariableValue::ofBoolean(true)});

        VariableCollection desired;
        desired.name = QStringLiteral("Brand");
        desired.modes = {Light, Dark};
        desired.variables = {
            var(QStringLiteral("a"), VariableType::String, {VariableValue::ofString(QStringLiteral("changed")), VariableValue::ofString(QStringLiteral("y"))}),
            // Same colour up to 8-bit channels in Light: not sent. Dark changed.
            var(QStringLiteral("b"), VariableType::Color, {color(1.0005, 0.001, 0), color(0, 0, 1)}, QStringLiteral("old")),
            var(QStringLiteral("e"), VariableType::String, {VariableValue::ofAlias(QStringLiteral("a")), VariableValue::ofString(QStringLiteral("z"))}),
            var(QStringLiteral("stale"), VariableType::Boolean, {VariableValue::ofBoolean(false), VariableValue::ofBoolean(false)}),
        };
        // "stale" differs in Figma but is not in the changed list: the sync path leaves it.
        FigmaPlanner planner(b.state, desired, FigmaPlanner::Scope::only({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("e")}, {QStringLiteral("c")}));
        QCOMPARE(planner.planned().created, 1);
        QCOMPARE(planner.planned().updated, 2);
        QCOMPARE(planner.planned().deleted, 1);
        const Run run = runPlan(planner);
        QCOMPARE(run.bodies.size(), 1);
        const QJsonObject body = run.bodies.first();

        QCOMPARE(withAction(section(body, "variables"), QStringLiteral("DELETE")).size(), 1);
        QCOMPARE(withAction(section(body, "variables"), QStringLiteral("DELETE")).first().value(QStringLiteral("id")).toString(), c);
        QCOMPARE(withAction(section(body, "variables"), QStringLiteral("UPDATE")).size(), 0);
        const QList<QJsonObject> aValues = valuesOf(body, a);
        QCOMPARE(aValues.size(), 1);
        QCOMPARE(aValues.first().value(QStringLiteral("modeId")).toString(), QStringLiteral("1:0"));
        QCOMPARE(aValues.first().value(QStringLiteral("value")).toString(), QStringLiteral("changed"));
        const QList<QJsonObject> bValues = valuesOf(body, bId);
        QCOMPARE(bValues.size(), 1);
        QCOMPARE(bValues.first().value(QStringLiteral("modeId")).toString(), QStringLiteral("1:1"));
        QVERIFY(valuesOf(body, stale).isEmpty());
        // The new variable aliases an existing one by its real id.
        const QList<QJsonObject> eValues = valuesOf(body, createOf(body, QStringLiteral("e")).value(QStringLiteral("id")).toString());
        QCOMPARE(eValues.size(), 2);
        bool aliasSeen = false;
        for (const QJsonObject &o : eValues)
            if (o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString() == a)
                aliasSeen = true;
        QVERIFY(aliasSeen);
        QCOMPARE(section(body, "variableModeValues").size(), 4);
    }

    void syncScopeWithNothingToDoSendsNothing()
    {
        StateBuilder b;
        b.add(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(4), VariableValue::ofNumber(8)});
        VariableCollection desired;
        desired.name = QStringLiteral("Brand");
        desired.modes = {Light, Dark};
        desired.variables = {var(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(4, QStringLiteral("px")), VariableValue::ofNumber(8)})};
        FigmaPlanner planner(b.state, desired, FigmaPlanner::Scope::only({QStringLiteral("a")}, {QStringLiteral("missing")}));
        QVERIFY(planner.isEmpty());
        QVERIFY(!planner.hasNext());
    }

    void modesAreRenamedDeletedOnlyInFullReplace()
    {
        StateBuilder b({Light, Dark, QStringLiteral("Dim")});
        const QString a = b.add(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(2), VariableValue::ofNumber(3)});
        VariableCollection desired;
        desired.name = QStringLiteral("Brand");
        desired.modes = {Light, QStringLiteral("Night")};
        desired.variables = {var(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(9)})};

        FigmaPlanner full(b.state, desired, FigmaPlanner::Scope::all());
        const QJsonObject body = runPlan(full).bodies.first();
        const QJsonArray modes = section(body, "variableModes");
        QCOMPARE(modes.size(), 2);
        QCOMPARE(modes.at(0).toObject(), (QJsonObject{{QStringLiteral("action"), QStringLiteral("DELETE")}, {QStringLiteral("id"), QStringLiteral("1:2")}}));
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("1:1"));
        QCOMPARE(modes.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Night"));
        QCOMPARE(valuesOf(body, a).size(), 2);

        // The sync path never deletes a mode; a new one gets a value from every variable.
        VariableCollection more = desired;
        more.modes = {Light, Dark, QStringLiteral("Dim"), QStringLiteral("Contrast")};
        more.variables = {var(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(1), VariableValue::ofNumber(2), VariableValue::ofNumber(3), VariableValue::ofNumber(4)})};
        FigmaPlanner sync(b.state, more, FigmaPlanner::Scope::only({}));
        const QJsonObject syncBody = runPlan(sync).bodies.first();
        QCOMPARE(section(syncBody, "variableModes").size(), 1);
        QCOMPARE(section(syncBody, "variableModes").first().toObject().value(QStringLiteral("action")).toString(), QStringLiteral("CREATE"));
        const QList<QJsonObject> values = valuesOf(syncBody, a);
        QCOMPARE(values.size(), 1);
        QCOMPARE(values.first().value(QStringLiteral("modeId")).toString(),
                 section(syncBody, "variableModes").first().toObject().value(QStringLiteral("id")).toString());
        QCOMPARE(values.first().value(QStringLiteral("value")), QJsonValue(4));
    }

    void batchesOverFourMegabytesUseRealIdsOfEarlierBatches()
    {
        // 4 000 variables × 40 modes with long strings: about 30 MB of values.
        VariableCollection desired;
        desired.name = QStringLiteral("Big");
        for (int m = 0; m < 40; ++m)
            desired.modes << QStringLiteral("Mode %1").arg(m);
        const QString filler(120, u'x');
        for (int i = 0; i < 4000; ++i) {
            QList<VariableValue> values;
            for (int m = 0; m < 40; ++m) {
                // The second half aliases the first half in mode 0, so aliases cross batches.
                if (i >= 2000 && m == 0)
                    values << VariableValue::ofAlias(QStringLiteral("text/%1").arg(i - 2000));
                else
                    values << VariableValue::ofString(QStringLiteral("%1 %2 %3").arg(i).arg(m).arg(filler));
            }
            desired.variables << var(QStringLiteral("text/%1").arg(i), VariableType::String, values);
        }
        const FigmaFileState empty;
        FigmaPlanner planner(empty, desired, FigmaPlanner::Scope::all());
        QCOMPARE(planner.planned().created, 4000);
        const Run run = runPlan(planner); // checks sizes, temp id reuse and creation order
        QVERIFY2(run.bodies.size() >= 5, qPrintable(QString::number(run.bodies.size())));
        QCOMPARE(planner.bodiesApplied(), run.bodies.size());
        QCOMPARE(planner.applied().created, 4000);

        int values = 0, creates = 0, realRefs = 0, aliasesToReal = 0;
        QSet<QString> realIds;
        for (auto it = run.realIds.begin(); it != run.realIds.end(); ++it)
            realIds.insert(it.value());
        for (int i = 0; i < run.bodies.size(); ++i) {
            const QJsonObject &body = run.bodies.at(i);
            QCOMPARE(body.contains(QStringLiteral("variableCollections")), i == 0);
            creates += withAction(section(body, "variables"), QStringLiteral("CREATE")).size();
            for (const QJsonValue &v : section(body, "variableModeValues")) {
                ++values;
                const QJsonObject o = v.toObject();
                if (i > 0 && realIds.contains(o.value(QStringLiteral("variableId")).toString()) && realIds.contains(o.value(QStringLiteral("modeId")).toString()))
                    ++realRefs;
                if (i > 0 && realIds.contains(o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString()))
                    ++aliasesToReal;
            }
        }
        QCOMPARE(creates, 4000);
        QCOMPARE(values, 4000 * 40);
        QVERIFY(realRefs > 0);
        QCOMPARE(aliasesToReal, 2000); // every alias value came after batch 1 and used real ids
    }

    void smallLimitSplitsExactly()
    {
        const FigmaFileState empty;
        const VariableCollection desired = sampleCollection();
        FigmaPlanner planner(empty, desired, FigmaPlanner::Scope::all(), 400);
        const Run run = runPlan(planner, 400);
        QVERIFY(run.bodies.size() > 3);
        int values = 0;
        for (const QJsonObject &b : run.bodies)
            values += section(b, "variableModeValues").size();
        QCOMPARE(values, 10);
        QCOMPARE(planner.applied().created, 5);

        // One value larger than the limit cannot be sent at all.
        VariableCollection huge = desired;
        huge.variables[3].values[1] = VariableValue::ofString(QString(500, u'y'));
        FigmaPlanner tooBig(empty, huge, FigmaPlanner::Scope::all(), 400);
        const QString message = invalidMessage([&] { runPlan(tooBig, 400); });
        QVERIFY2(message.contains(QStringLiteral("font/body")) && message.contains(QStringLiteral("400")), qPrintable(message));
    }

    void missingRealIdInAnswerFails()
    {
        const FigmaFileState empty;
        FigmaPlanner planner(empty, sampleCollection(), FigmaPlanner::Scope::all(), 400);
        planner.next();
        planner.applyResponse({}); // Figma "forgot" the ids
        try {
            while (planner.hasNext())
                planner.next();
            QFAIL("expected an error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Failure);
            QVERIFY2(e.message().contains(QStringLiteral("tmp_")), qPrintable(e.message()));
        }
    }

    void limitsAndNamesAreRefusedBeforeAnythingIsPlanned()
    {
        const FigmaFileState empty;
        VariableCollection tooMany;
        tooMany.name = QStringLiteral("Huge");
        tooMany.modes = {Light};
        for (int i = 0; i < 5001; ++i)
            tooMany.variables << var(QStringLiteral("n/%1").arg(i), VariableType::Float, {VariableValue::ofNumber(i)});
        QString m = invalidMessage([&] { FigmaPlanner(empty, tooMany, FigmaPlanner::Scope::all()); });
        QVERIFY2(m.contains(QStringLiteral("Huge")) && m.contains(QStringLiteral("5001")) && m.contains(QStringLiteral("5000")), qPrintable(m));

        VariableCollection modes;
        modes.name = QStringLiteral("Modal");
        for (int i = 0; i < 41; ++i)
            modes.modes << QStringLiteral("M%1").arg(i);
        m = invalidMessage([&] { FigmaPlanner::checkDesired(modes); });
        QVERIFY2(m.contains(QStringLiteral("Modal")) && m.contains(QStringLiteral("41")) && m.contains(QStringLiteral("40")), qPrintable(m));

        for (const QString &bad : {QStringLiteral("color.primary"), QStringLiteral("a{b"), QStringLiteral("c}")}) {
            VariableCollection c = sampleCollection();
            c.variables[1].name = bad;
            m = invalidMessage([&] { FigmaPlanner(empty, c, FigmaPlanner::Scope::all()); });
            QVERIFY2(m.contains(bad) && m.contains(QStringLiteral("Brand")), qPrintable(m));
        }

        VariableCollection cycle = sampleCollection();
        cycle.variables[0].values[0] = VariableValue::ofAlias(QStringLiteral("color/primary"));
        m = invalidMessage([&] { FigmaPlanner::checkDesired(cycle); });
        QVERIFY2(m.contains(QStringLiteral("cycle"))
                     && (m.contains(QStringLiteral("color/brand → color/primary → color/brand"))
                         || m.contains(QStringLiteral("color/primary → color/brand → color/primary"))),
                 qPrintable(m));

        VariableCollection wrongType = sampleCollection();
        wrongType.variables[1].values[0] = VariableValue::ofAlias(QStringLiteral("color/brand"));
        m = invalidMessage([&] { FigmaPlanner::checkDesired(wrongType); });
        QVERIFY2(m.contains(QStringLiteral("space/md")) && m.contains(QStringLiteral("COLOR")), qPrintable(m));

        VariableCollection dangling = sampleCollection();
        dangling.variables[4].values[1] = VariableValue::ofAlias(QStringLiteral("color/none"));
        m = invalidMessage([&] { FigmaPlanner::checkDesired(dangling); });
        QVERIFY2(m.contains(QStringLiteral("color/none")) && m.contains(QStringLiteral("Dark")), qPrintable(m));

        VariableCollection longMode = sampleCollection();
        longMode.modes[1] = QString(41, u'm');
        m = invalidMessage([&] { FigmaPlanner::checkDesired(longMode); });
        QVERIFY2(m.contains(QStringLiteral("40 characters")), qPrintable(m));

        // The sync path counts what Figma already has: 4 999 there + 2 new = 5 001.
        StateBuilder b({Light});
        VariableCollection desired;
        desired.name = QStringLiteral("Brand");
        desired.modes = {Light};
        for (int i = 0; i < 4999; ++i)
            b.add(QStringLiteral("old/%1").arg(i), VariableType::Float, {VariableValue::ofNumber(i)});
        desired.variables << var(QStringLiteral("new/1"), VariableType::Float, {VariableValue::ofNumber(1)})
                          << var(QStringLiteral("new/2"), VariableType::Float, {VariableValue::ofNumber(2)});
        m = invalidMessage([&] { FigmaPlanner(b.state, desired, FigmaPlanner::Scope::only({QStringLiteral("new/1"), QStringLiteral("new/2")})); });
        QVERIFY2(m.contains(QStringLiteral("5001")) && m.contains(QStringLiteral("FILEKEY")), qPrintable(m));
        // Deleting one in the same run makes room.
        FigmaPlanner room(b.state, desired, FigmaPlanner::Scope::only({QStringLiteral("new/1"), QStringLiteral("new/2")}, {QStringLiteral("old/7")}));
        QCOMPARE(room.planned().deleted, 1);
        QCOMPARE(room.planned().created, 2);
    }

    void parsesLocalVariables()
    {
        const QByteArray json = R"({"status":200,"error":false,"meta":{
          "variableCollections":{
            "VariableCollectionId:1:1":{"id":"VariableCollectionId:1:1","name":"Brand","key":"k","modes":[{"modeId":"1:0","name":"Light"},{"modeId":"1:1","name":"Dark"}],"defaultModeId":"1:0","remote":false,"hiddenFromPublishing":false,"variableIds":["VariableID:1:2","VariableID:1:3"]},
            "VariableCollectionId:9:9":{"id":"VariableCollectionId:9:9","name":"Library","key":"k2","modes":[{"modeId":"9:0","name":"Default"}],"defaultModeId":"9:0","remote":true,"hiddenFromPublishing":false,"variableIds":["VariableID:9:1"]}},
          "variables":{
            "VariableID:1:2":{"id":"VariableID:1:2","name":"color/brand","key":"a","variableCollectionId":"VariableCollectionId:1:1","resolvedType":"COLOR","valuesByMode":{"1:0":{"r":0.2,"g":0.4,"b":1,"a":1},"1:1":{"r":0,"g":0,"b":0,"a":0.5}},"remote":false,"description":"Brand","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}},
            "VariableID:1:3":{"id":"VariableID:1:3","name":"color/link","key":"b","variableCollectionId":"VariableCollectionId:1:1","resolvedType":"COLOR","valuesByMode":{"1:0":{"type":"VARIABLE_ALIAS","id":"VariableID:1:2"},"1:1":{"type":"VARIABLE_ALIAS","id":"VariableID:9:1"}},"remote":false,"description":"","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}},
            "VariableID:9:1":{"id":"VariableID:9:1","name":"lib/blue","key":"c","variableCollectionId":"VariableCollectionId:9:9","resolvedType":"COLOR","valuesByMode":{"9:0":{"r":0,"g":0,"b":1,"a":1}},"remote":true,"description":"","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}}}}})";
        const FigmaFileState state = FigmaFileState::fromJson(json, QStringLiteral("FK"));
        QCOMPARE(state.collections.size(), 1);
        QCOMPARE(state.variables.size(), 2);
        const VariableCollection c = state.toCollection(QStringLiteral("Brand"));
        QCOMPARE(c.modes, (QStringList{Light, Dark}));
        QCOMPARE(c.variables.size(), 2);
        const Variable *brand = c.find(QStringLiteral("color/brand"));
        QVERIFY(brand);
        QCOMPARE(brand->description, QStringLiteral("Brand"));
        QCOMPARE(brand->values.at(0), color(0.2, 0.4, 1));
        QCOMPARE(brand->values.at(1).color.hex(), QStringLiteral("#00000080"));
        QCOMPARE(c.find(QStringLiteral("color/link"))->values.at(0), VariableValue::ofAlias(QStringLiteral("color/brand")));
        QCOMPARE(c.find(QStringLiteral("color/link"))->values.at(1), VariableValue::ofAlias(QStringLiteral("lib/blue")));

        const VariableCollection absent = state.toCollection(QStringLiteral("Nope"));
        QCOMPARE(absent.name, QStringLiteral("Nope"));
        QVERIFY(absent.modes.isEmpty());
        QVERIFY(absent.variables.isEmpty());
    }

    void malformedAnswersNameTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        const QByteArray head = R"({"meta":{"variableCollections":{"C":{"id":"C","name":"Brand","modes":[{"modeId":"1:0","name":"Light"}],"defaultModeId":"1:0"}},"variables":{"V":)";
        QTest::newRow("no meta") << QByteArray(R"({"status":200})") << QStringLiteral("\"meta\"");
        QTest::newRow("not json") << QByteArray("<html>") << QStringLiteral("not a JSON object");
        QTest::newRow("modes") << QByteArray(R"({"meta":{"variableCollections":{"C":{"id":"C","name":"B","modes":{}}},"variables":{}}})") << QStringLiteral("meta.variableCollections.C.modes");
        QTest::newRow("type") << head + R"({"id":"V","name":"x","variableCollectionId":"C","resolvedType":"COLOUR","valuesByMode":{}}}}})" << QStringLiteral("meta.variables.V.resolvedType");
        QTest::newRow("float") << head + R"({"id":"V","name":"x","variableCollectionId":"C","resolvedType":"FLOAT","valuesByMode":{"1:0":"12"}}}}})" << QStringLiteral("meta.variables.V.valuesByMode.1:0");
        QTest::newRow("channel") << head + R"({"id":"V","name":"x","variableCollectionId":"C","resolvedType":"COLOR","valuesByMode":{"1:0":{"r":2,"g":0,"b":0}}}}}})" << QStringLiteral("meta.variables.V.valuesByMode.1:0.r");
        QTest::newRow("name") << head + R"({"id":"V","variableCollectionId":"C","resolvedType":"FLOAT","valuesByMode":{}}}}})" << QStringLiteral("meta.variables.V.name");
    }

    void malformedAnswersNameTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        const QString m = invalidMessage([&] { FigmaFileState::fromJson(json, QStringLiteral("FK9")); });
        QVERIFY2(m.contains(field) && m.contains(QStringLiteral("FK9")), qPrintable(m));
    }

    void missingValueOrUnknownAliasIsReported()
    {
        StateBuilder b;
        b.add(QStringLiteral("a"), VariableType::Float, {VariableValue::ofNumber(1)}); // no Dark value
        QString m = invalidMessage([&] { b.state.toCollection(QStringLiteral("Brand")); });
        QVERIFY2(m.contains(QStringLiteral("\"a\"")) && m.contains(Dark), qPrintable(m));

        StateBuilder c;
        c.add(QStringLiteral("b"), VariableType::Float, {VariableValue::ofAlias(QStringLiteral("VariableID:404")), VariableValue::ofNumber(1)});
        m = invalidMessage([&] { c.state.toCollection(QStringLiteral("Brand")); });
        QVERIFY2(m.contains(QStringLiteral("VariableID:404")), qPrintable(m));
    }
};

QTEST_GUILESS_MAIN(TstFigmaPlanner)
#include "tst_figma_planner.moc"
