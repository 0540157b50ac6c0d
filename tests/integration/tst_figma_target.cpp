// FigmaTarget against tests/interop/fake_figma.mjs: a local Figma Variables API that validates
// every POST body against the official OpenAPI schema (@figma/rest-api-spec) before applying it
// with Figma's rules. Every test uses its own file key.
#include "FakeFigmaServer.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "net/HttpClient.h"
#include "net/RequestError.h"
#include "sync/FigmaPlanner.h"
#include "sync/FigmaTarget.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

using namespace sp;

namespace {

const QString kToken = QStringLiteral("figma-test-token-3f9a");

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

// Why two collections differ, for failure messages.
QString difference(const VariableCollection &a, const VariableCollection &b)
{
    if (a.name != b.name)
        return QStringLiteral("name %1 vs %2").arg(a.name, b.name);
    if (a.modes != b.modes)
        return QStringLiteral("modes %1 vs %2").arg(a.modes.join(u','), b.modes.join(u','));
    if (a.variables.size() != b.variables.size())
        return QStringLiteral("%1 vs %2 variables").arg(a.variables.size()).arg(b.variables.size());
    for (const Variable &v : a.variables) {
        const Variable *w = b.find(v.name);
        if (!w)
            return QStringLiteral("%1 missing").arg(v.name);
        if (v.type != w->type || v.description != w->description)
            return QStringLiteral("%1: type/description differ").arg(v.name);
        for (int m = 0; m < v.values.size(); ++m)
            if (v.values.at(m) != w->values.value(m))
                return QStringLiteral("%1 (%2): %3 vs %4").arg(v.name, a.modes.at(m), v.values.at(m).display(), w->values.value(m).display());
    }
    return {};
}

// Same variables regardless of order (Figma keeps its own order).
bool sameContent(const VariableCollection &a, const VariableCollection &b)
{
    return difference(a, b).isEmpty() && difference(b, a).isEmpty();
}

VariableCollection everyKind()
{
    VariableCollection c;
    c.name = QStringLiteral("Brand");
    c.modes = {QStringLiteral("Light"), QStringLiteral("Dark")};
    c.variables = {
        var(QStringLiteral("color/brand"), VariableType::Color, {color(0.2, 0.4, 1), color(0.1, 0.15, 0.3, 0.5)}, QStringLiteral("The brand colour")),
        var(QStringLiteral("color/text"), VariableType::Color, {color(0, 0, 0), color(1, 1, 1)}),
        var(QStringLiteral("color/link"), VariableType::Color, {VariableValue::ofAlias(QStringLiteral("color/brand")), VariableValue::ofAlias(QStringLiteral("color/text"))}),
        var(QStringLiteral("space/md"), VariableType::Float, {VariableValue::ofNumber(16), VariableValue::ofNumber(12.5)}),
        var(QStringLiteral("space/lg"), VariableType::Float, {VariableValue::ofAlias(QStringLiteral("space/md")), VariableValue::ofNumber(-3)}),
        var(QStringLiteral("flag/rounded"), VariableType::Boolean, {VariableValue::ofBoolean(true), VariableValue::ofBoolean(false)}),
        var(QStringLiteral("font/body"), VariableType::String, {VariableValue::ofString(QStringLiteral("Inter")), VariableValue::ofString(QStringLiteral("Inter \"Dark\" ü"))}),
        var(QStringLiteral("font/heading"), VariableType::String, {VariableValue::ofAlias(QStringLiteral("font/body")), VariableValue::ofString(QString())}),
    };
    return c;
}

} // namespace

class TstFigmaTarget : public QObject
{
    Q_OBJECT

    test::FakeFigmaServer m_fake{kToken};
    QUrl m_base;
    QSet<QString> m_fileKeys;

    QJsonDocument admin(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        return m_fake.admin(method, path, body);
    }
    void seed(const QString &fileKey, const QJsonObject &meta = {})
    {
        m_fileKeys.insert(fileKey);
        admin("PUT", QStringLiteral("/__state/") + fileKey, QJsonDocument(meta).toJson());
    }
    void faults(const QJsonArray &list) { admin("POST", QStringLiteral("/__faults"), QJsonDocument(list).toJson()); }
    QList<QJsonObject> posts(const QString &fileKey)
    {
        QList<QJsonObject> out;
        for (const QJsonValue &v : admin("GET", QStringLiteral("/__log")).array())
            if (v.toObject().value(QStringLiteral("fileKey")).toString() == fileKey)
                out.append(v.toObject());
        return out;
    }
    FigmaSettings settings(const QString &fileKey, const QString &collection = QStringLiteral("Brand")) const
    {
        FigmaSettings s;
        s.baseUrl = m_base;
        s.fileKey = fileKey;
        s.collection = collection;
        return s;
    }
    static void quickRetries(net::HttpClient &http)
    {
        net::RetryPolicy retry;
        retry.baseDelayMs = 50;
        retry.maxDelayMs = 200;
        http.setRetryPolicy(retry);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString why = m_fake.start();
        if (!why.isEmpty()) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL(qPrintable(QStringLiteral("CI=true: ") + why));
            QSKIP(qPrintable(why));
        }
        m_base = m_fake.url();
    }

    void cleanupTestCase() { QVERIFY(m_fake.stop()); }

    void fullSyncReadsBackEqual()
    {
        const QString key = QStringLiteral("FullSync1");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key), kToken);

        const VariableCollection before = target.read();
        QCOMPARE(before.name, QStringLiteral("Brand"));
        QVERIFY(before.modes.isEmpty());
        QVERIFY(before.variables.isEmpty());

        const VariableCollection desired = everyKind();
        const FigmaWriteResult result = target.write(desired, nullptr);
        QCOMPARE(result.created, desired.variables.size());
        QCOMPARE(result.updated, 0);
        QCOMPARE(result.deleted, 0);
        QCOMPARE(result.bodies, 1);
        const VariableCollection back = target.read();
        QVERIFY2(sameContent(desired, back), qPrintable(difference(desired, back) + difference(back, desired)));
        QCOMPARE(back.find(QStringLiteral("color/brand"))->values.at(1).color.hex(), QStringLiteral("#1a264d80"));
        QCOMPARE(target.stats().apiCalls, 4); // GET, GET, POST, GET
        QCOMPARE(target.stats().http429, 0);

        // A second full replace changes nothing but still writes every value (legacy semantics).
        const FigmaWriteResult again = target.write(desired, nullptr);
        QCOMPARE(again.created, 0);
        QCOMPARE(again.updated, desired.variables.size());
        const QList<QJsonObject> log = posts(key);
        QCOMPARE(log.size(), 2);
        QCOMPARE(log.last().value(QStringLiteral("body")).toObject().value(QStringLiteral("variableModeValues")).toArray().size(),
                 desired.variables.size() * 2);
        QVERIFY(sameContent(desired, target.read()));

        // A number with a unit is stored as its number.
        VariableCollection withUnit = desired;
        withUnit.variables[3].values[0] = VariableValue::ofNumber(24, QStringLiteral("px"));
        target.write(withUnit, nullptr);
        QCOMPARE(target.read().find(QStringLiteral("space/md"))->values.at(0), VariableValue::ofNumber(24));
    }

    void fullReplaceOverAnExistingCollection()
    {
        // A file as Figma describes it: a local collection (Light, Dim) using a remote library
        // variable, plus that library's remote collection, which sync must never touch.
        const QString key = QStringLiteral("Existing9");
        const QByteArray meta = R"({
          "variableCollections": {
            "VariableCollectionId:7:1": {"id":"VariableCollectionId:7:1","name":"Brand","key":"k1","modes":[{"modeId":"7:0","name":"Light"},{"modeId":"7:1","name":"Dim"}],
                                         "defaultModeId":"7:0","remote":false,"hiddenFromPublishing":false,"variableIds":["VariableID:7:2","VariableID:7:3"]},
            "VariableCollectionId:8:1": {"id":"VariableCollectionId:8:1","name":"Library","key":"k2","modes":[{"modeId":"8:0","name":"Default"}],
                                         "defaultModeId":"8:0","remote":true,"hiddenFromPublishing":false,"variableIds":["VariableID:8:2"]}},
          "variables": {
            "VariableID:7:2": {"id":"VariableID:7:2","name":"color/old","key":"a","variableCollectionId":"VariableCollectionId:7:1","resolvedType":"COLOR",
                               "valuesByMode":{"7:0":{"r":1,"g":0,"b":0,"a":1},"7:1":{"type":"VARIABLE_ALIAS","id":"VariableID:8:2"}},
                               "remote":false,"description":"","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}},
            "VariableID:7:3": {"id":"VariableID:7:3","name":"space/md","key":"b","variableCollectionId":"VariableCollectionId:7:1","resolvedType":"FLOAT",
                               "valuesByMode":{"7:0":4,"7:1":8},"remote":false,"description":"","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}},
            "VariableID:8:2": {"id":"VariableID:8:2","name":"lib/blue","key":"c","variableCollectionId":"VariableCollectionId:8:1","resolvedType":"COLOR",
                               "valuesByMode":{"8:0":{"r":0,"g":0,"b":1,"a":1}},"remote":true,"description":"","hiddenFromPublishing":false,"scopes":["ALL_SCOPES"],"codeSyntax":{}}}})";
        seed(key, QJsonDocument::fromJson(meta).object());
        net::HttpClient http;
        FigmaTarget target(http, settings(key), kToken);

        const VariableCollection before = target.read();
        QCOMPARE(before.modes, (QStringList{QStringLiteral("Light"), QStringLiteral("Dim")}));
        QCOMPARE(before.variables.size(), 2);
        QCOMPARE(before.find(QStringLiteral("color/old"))->values.at(1), VariableValue::ofAlias(QStringLiteral("lib/blue")));

        const VariableCollection desired = everyKind(); // modes Light, Dark
        const FigmaWriteResult result = target.write(desired, nullptr);
        QCOMPARE(result.deleted, 1);  // color/old
        QCOMPARE(result.updated, 1);  // space/md keeps its id
        QCOMPARE(result.created, desired.variables.size() - 1);
        const VariableCollection back = target.read();
        QVERIFY2(sameContent(desired, back), qPrintable(difference(desired, back) + difference(back, desired)));

        // The renamed mode and the updated variable kept their Figma ids; the library is untouched.
        const FigmaFileState state = target.readState();
        const FigmaCollection *brand = state.collectionByName(QStringLiteral("Brand"));
        QVERIFY(brand);
        QCOMPARE(brand->modes.at(1).id, QStringLiteral("7:1"));
        QCOMPARE(brand->modes.at(1).name, QStringLiteral("Dark"));
        QCOMPARE(state.variableById(QStringLiteral("VariableID:7:3"))->name, QStringLiteral("space/md"));
        QCOMPARE(state.namesById.value(QStringLiteral("VariableID:8:2")), QStringLiteral("lib/blue"));
        QVERIFY(!state.collectionByName(QStringLiteral("Library"))); // remote: not ours
    }

    void syncPathSendsOnlyTheChanges()
    {
        const QString key = QStringLiteral("SyncPath2");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key), kToken);
        VariableCollection desired = everyKind();
        target.write(desired, nullptr);
        const qsizetype postsBefore = posts(key).size();

        // Change 3 values in 3 variables, delete one variable, add one.
        desired.variables[1].values[1] = color(0.9, 0.9, 0.9);              // color/text, Dark
        desired.variables[3].values[0] = VariableValue::ofNumber(18);         // space/md, Light
        desired.variables[6].values[0] = VariableValue::ofString(QStringLiteral("Roboto")); // font/body, Light
        desired.variables.removeAt(5);                                        // flag/rounded
        desired.variables.append(var(QStringLiteral("radius/sm"), VariableType::Float,
                                     {VariableValue::ofNumber(4), VariableValue::ofAlias(QStringLiteral("space/md"))}));
        const QStringList changed{QStringLiteral("color/text"), QStringLiteral("space/md"), QStringLiteral("font/body"), QStringLiteral("radius/sm")};
        const FigmaWriteResult result = target.write(desired, &changed, {QStringLiteral("flag/rounded")});
        QCOMPARE(result.created, 1);
        QCOMPARE(result.updated, 3);
        QCOMPARE(result.deleted, 1);
        QCOMPARE(result.bodies, 1);

        const QList<QJsonObject> log = posts(key);
        QCOMPARE(log.size(), postsBefore + 1);
        const QJsonObject body = log.last().value(QStringLiteral("body")).toObject();
        QVERIFY(!body.contains(QStringLiteral("variableCollections")));
        QVERIFY(!body.contains(QStringLiteral("variableModes")));
        const QJsonArray variables = body.value(QStringLiteral("variables")).toArray();
        QCOMPARE(variables.size(), 2);
        QCOMPARE(variables.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("DELETE"));
        QCOMPARE(variables.at(1).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("CREATE"));
        QCOMPARE(variables.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("radius/sm"));
        QCOMPARE(body.value(QStringLiteral("variableModeValues")).toArray().size(), 3 + 2);

        const VariableCollection back = target.read();
        QVERIFY2(sameContent(desired, back), qPrintable(difference(desired, back) + difference(back, desired)));
    }

    void rateLimitIsHonoured()
    {
        const QString key = QStringLiteral("RateLimited3");
        seed(key);
        net::HttpClient http;
        quickRetries(http);
        FigmaTarget target(http, settings(key), kToken);
        faults(QJsonArray{QJsonObject{{QStringLiteral("status"), 429}, {QStringLiteral("retryAfter"), 1}, {QStringLiteral("method"), QStringLiteral("POST")}}});
        const FigmaWriteResult result = target.write(everyKind(), nullptr);
        QCOMPARE(result.bodies, 1);
        QCOMPARE(target.stats().http429, 1);
        QVERIFY(target.stats().retries >= 1);
        const QList<QJsonObject> log = posts(key);
        QCOMPARE(log.size(), 2);
        QCOMPARE(log.at(0).value(QStringLiteral("status")).toInt(), 429);
        QCOMPARE(log.at(1).value(QStringLiteral("status")).toInt(), 200);
        QVERIFY(sameContent(everyKind(), target.read()));
    }

    void overVariableLimitSendsNothing()
    {
        const QString key = QStringLiteral("TooMany4");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key, QStringLiteral("Huge")), kToken);
        VariableCollection huge;
        huge.name = QStringLiteral("Huge");
        huge.modes = {QStringLiteral("Default")};
        for (int i = 0; i < 5001; ++i)
            huge.variables.append(var(QStringLiteral("n/%1").arg(i), VariableType::Float, {VariableValue::ofNumber(i)}));
        try {
            target.write(huge, nullptr);
            QFAIL("a collection over 5000 variables was accepted");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(e.message().contains(QStringLiteral("Huge")) && e.message().contains(QStringLiteral("5000")), qPrintable(e.message()));
        }
        QCOMPARE(target.stats().apiCalls, 0);
        QVERIFY(posts(key).isEmpty());
        QVERIFY(target.read().variables.isEmpty());
    }

    void multiBatchWriteUsesRealIdsOfEarlierBatches()
    {
        const QString key = QStringLiteral("Batches5");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key, QStringLiteral("Copy")), kToken);
        // 1 200 variables × 4 modes × ~1 KB strings ≈ 5 MB of values; the second half aliases the
        // first in mode 1, so aliases of later batches point at variables made by earlier ones.
        VariableCollection desired;
        desired.name = QStringLiteral("Copy");
        desired.modes = {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr"), QStringLiteral("ja")};
        const QString text(1000, u't');
        for (int i = 0; i < 1200; ++i) {
            QList<VariableValue> values;
            for (int m = 0; m < 4; ++m)
                values << (i >= 600 && m == 1 ? VariableValue::ofAlias(QStringLiteral("copy/%1").arg(i - 600))
                                              : VariableValue::ofString(QStringLiteral("%1-%2-").arg(i).arg(m) + text));
            desired.variables.append(var(QStringLiteral("copy/%1").arg(i), VariableType::String, values));
        }
        const FigmaWriteResult result = target.write(desired, nullptr);
        QVERIFY2(result.bodies >= 2, qPrintable(QString::number(result.bodies)));
        QCOMPARE(result.created, 1200);

        const QList<QJsonObject> log = posts(key);
        QCOMPARE(log.size(), result.bodies);
        QSet<QString> tempIds, realIds;
        for (const QJsonObject &entry : log) {
            QCOMPARE(entry.value(QStringLiteral("status")).toInt(), 200);
            QVERIFY(entry.value(QStringLiteral("bytes")).toInteger() <= FigmaLimits::maxBodyBytes);
        }
        const QJsonObject first = log.first().value(QStringLiteral("tempIdToRealId")).toObject();
        for (auto it = first.begin(); it != first.end(); ++it) {
            tempIds.insert(it.key());
            realIds.insert(it.value().toString());
        }
        QVERIFY(!realIds.isEmpty());
        int realReferences = 0;
        for (const QJsonValue &v : log.at(1).value(QStringLiteral("body")).toObject().value(QStringLiteral("variableModeValues")).toArray()) {
            const QJsonObject o = v.toObject();
            QVERIFY(!tempIds.contains(o.value(QStringLiteral("variableId")).toString()));
            QVERIFY(!tempIds.contains(o.value(QStringLiteral("modeId")).toString()));
            QVERIFY(!tempIds.contains(o.value(QStringLiteral("value")).toObject().value(QStringLiteral("id")).toString()));
            if (realIds.contains(o.value(QStringLiteral("modeId")).toString()))
                ++realReferences;
        }
        QVERIFY(realReferences > 0);
        const VariableCollection back = target.read();
        QVERIFY2(sameContent(desired, back), qPrintable(difference(desired, back)));
    }

    void failedLaterBatchReportsWhatWasApplied()
    {
        const QString key = QStringLiteral("Partial6");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key, QStringLiteral("Copy")), kToken);
        VariableCollection desired;
        desired.name = QStringLiteral("Copy");
        desired.modes = {QStringLiteral("en"), QStringLiteral("de")};
        const QString text(2000, u'p');
        for (int i = 0; i < 1100; ++i)
            desired.variables.append(var(QStringLiteral("p/%1").arg(i), VariableType::String,
                                         {VariableValue::ofString(QString::number(i) + text), VariableValue::ofString(text)}));
        faults(QJsonArray{QJsonObject{{QStringLiteral("status"), 400}, {QStringLiteral("method"), QStringLiteral("POST")},
                                      {QStringLiteral("skip"), 1}, {QStringLiteral("message"), QStringLiteral("Something in batch two")}}});
        try {
            const FigmaWriteResult result = target.write(desired, nullptr);
            QFAIL(qPrintable(QStringLiteral("the failing second batch was not reported (%1 bodies)").arg(result.bodies)));
        } catch (const net::RequestError &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(e.message().contains(key) && e.message().contains(QStringLiteral("Something in batch two"))
                         && e.message().contains(QStringLiteral("1 earlier batch")), qPrintable(e.message()));
        }
        QCOMPARE(target.lastWrite().bodies, 1);
        QVERIFY(target.lastWrite().created > 0);
        QCOMPARE(target.read().variables.size(), target.lastWrite().created);
    }

    void wrongTokenIsDenied()
    {
        const QString key = QStringLiteral("Denied7");
        seed(key);
        net::HttpClient http;
        FigmaTarget target(http, settings(key), QStringLiteral("not-the-token"));
        try {
            target.write(everyKind(), nullptr);
            QFAIL("a wrong token was accepted");
        } catch (const net::RequestError &e) {
            QCOMPARE(e.errorClass(), net::ErrorClass::Auth);
            QCOMPARE(e.response().status, 403);
            QVERIFY2(e.message().contains(key) && e.message().contains(QStringLiteral("Enterprise"))
                         && e.message().contains(QStringLiteral("edit access")), qPrintable(e.message()));
        }
        QVERIFY(posts(key).isEmpty());
    }

    void unknownFileIsNotFound()
    {
        net::HttpClient http;
        FigmaTarget target(http, settings(QStringLiteral("NoSuchFile8")), kToken);
        try {
            target.read();
            QFAIL("an unknown file was read");
        } catch (const net::RequestError &e) {
            QCOMPARE(e.response().status, 404);
            QVERIFY2(e.message().contains(QStringLiteral("NoSuchFile8")) && e.message().contains(QStringLiteral("not found")), qPrintable(e.message()));
        }
    }

    // Last: every body any test sent passed the official schema.
    void everyPayloadWasSchemaValid()
    {
        const QJsonArray log = admin("GET", QStringLiteral("/__log")).array();
        QVERIFY(log.size() >= 8);
        for (const QJsonValue &v : log) {
            const QJsonObject entry = v.toObject();
            QVERIFY2(entry.value(QStringLiteral("valid")).toBool(),
                     qPrintable(entry.value(QStringLiteral("fileKey")).toString() + u' '
                                + QString::fromUtf8(QJsonDocument(entry.value(QStringLiteral("errors")).toArray()).toJson(QJsonDocument::Compact))));
        }
    }
};

QTEST_GUILESS_MAIN(TstFigmaTarget)
#include "tst_figma_target.moc"
