// The sync engine writing a Figma file through the Variables REST API, against the local fake
// Figma server (tests/interop/fake_figma.mjs), which validates every payload against the official
// schema of @figma/rest-api-spec: hybrid runs, the sync path sending only the diff, undo of a
// Figma write, and the token read from the secret store (never from the workspace).
#include "FakeFigmaServer.h"
#include "TestSupport.h"

#include "auth/FigmaCredentials.h"
#include "auth/SecretStore.h"
#include "flags/FlagStore.h"
#include "net/HttpClient.h"
#include "sync/FigmaTarget.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"
#include "workspace/Workspace.h"

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
#include <QStandardPaths>
#include <QtTest>

using namespace sp;
using namespace sp::test;

namespace {

const QString kToken = QStringLiteral("figma-engine-token-81c2");
const QString kFile = QStringLiteral("EngineFile01");

ChangeContext ctx() { return ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test")); }

const QByteArray kSheet = "Name,Light,Dark\n"
                          "color/brand,#1e66f5,#89b4fa\n"
                          "color/link,{color/brand},{color/brand}\n"
                          "space/md,16,16\n"
                          "flag/beta,true,false\n"
                          "font/family,Inter,Inter Display\n";

} // namespace

class TestSyncFigma : public QObject
{
    Q_OBJECT

    test::FakeFigmaServer m_fake{kToken};
    QUrl m_base;

    QJsonDocument admin(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        return m_fake.admin(method, path, body);
    }
    QList<QJsonObject> posts()
    {
        QList<QJsonObject> out;
        for (const QJsonValue &v : admin("GET", QStringLiteral("/__log")).array())
            if (v.toObject().value(QStringLiteral("fileKey")).toString() == kFile)
                out << v.toObject();
        return out;
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
        admin("PUT", QStringLiteral("/__state/") + kFile, "{}");
    }

    void cleanupTestCase() { QVERIFY(m_fake.stop()); }

    void hybridThenSyncThenUndo()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath(QStringLiteral("ws.sqlite")));
        FlagDraft f;
        f.key = QStringLiteral("sync.figma");
        f.enabled = true;
        f.percentTenths = 1000;
        FlagStore(*ws).create(f, ctx());
        ws->write([&] { ws->setMeta(QStringLiteral("figma.api_url"), m_base.toString()); });
        const QString sheet = dir.filePath(QStringLiteral("tokens.csv"));
        writeFile(sheet, kSheet);
        SyncConfig c;
        c.name = QStringLiteral("figma-tokens");
        c.flagKey = f.key;
        c.mode = SyncMode::Hybrid;
        c.source.path = sheet;
        c.mapping = QJsonObject{{QStringLiteral("collection"), QStringLiteral("Brand")}};
        c.requiredConsistentRuns = 2;
        c.targets << SyncTargetSpec::fromText(QStringLiteral("design=figma:") + kFile, QStringLiteral("test"));
        SyncConfigStore(*ws).add(c, ctx());

        MemorySecretStore secrets;
        net::HttpClient http;
        SyncEngine::Services services;
        services.http = &http;
        services.secrets = &secrets;
        SyncEngine engine(*ws, services);

        // No token yet: the run fails with a message saying where the token belongs.
        SyncRun run = engine.run(c.name, false, ctx());
        QVERIFY(!run.ok());
        QVERIFY2(run.targets.first().message.contains(QStringLiteral("auth figma set-token")), qPrintable(run.targets.first().message));
        QCOMPARE(posts().size(), 0);

        FigmaCredentials::setToken(secrets, kToken);
        for (int i = 0; i < 2; ++i) {
            run = engine.run(c.name, false, ctx());
            QVERIFY2(run.ok(), qPrintable(run.targets.first().message));
            QCOMPARE(run.targets.first().path, RunPath::Shadow);
            QCOMPARE(run.targets.first().mismatches, 0);
            QVERIFY(run.targets.first().calls.apiCalls >= 2); // GET variables/local + POST
        }
        FigmaSettings settings;
        settings.baseUrl = m_base;
        settings.fileKey = kFile;
        settings.collection = QStringLiteral("Brand");
        FigmaTarget figma(http, settings, kToken);
        VariableCollection inFigma = figma.read();
        QCOMPARE(inFigma.modes, (QStringList{QStringLiteral("Light"), QStringLiteral("Dark")}));
        QCOMPARE(inFigma.variables.size(), 5);
        QCOMPARE(inFigma.find(QStringLiteral("color/link"))->values.at(1), VariableValue::ofAlias(QStringLiteral("color/brand")));

        SyncConfigStore(*ws).setMode(c.name, SyncMode::Sync, ctx());
        QByteArray changed = kSheet;
        changed.replace("font/family,Inter,Inter Display", "font/family,Inter,Inter Tight");
        writeFile(sheet, changed);
        const int before = int(posts().size());
        run = engine.run(c.name, false, ctx());
        QVERIFY2(run.ok(), qPrintable(run.targets.first().message));
        QCOMPARE(run.targets.first().path, RunPath::Sync);
        QCOMPARE(run.targets.first().counts.updated, 1);
        const QList<QJsonObject> sent = posts();
        QCOMPARE(sent.size(), before + 1);
        // the sync path sent exactly one value: Dark of font/family
        const QJsonObject body = sent.last().value(QStringLiteral("body")).toObject();
        QCOMPARE(body.value(QStringLiteral("variableModeValues")).toArray().size(), 1);
        QCOMPARE(figma.read().find(QStringLiteral("font/family"))->values.at(1).text, QStringLiteral("Inter Tight"));

        // undo puts back what Figma held before that write
        engine.undo(c.name, QStringLiteral("design"), ctx());
        QCOMPARE(figma.read().find(QStringLiteral("font/family"))->values.at(1).text, QStringLiteral("Inter Display"));

        for (const QJsonObject &p : sent)
            QVERIFY2(p.value(QStringLiteral("valid")).toBool(), QJsonDocument(p).toJson().constData());
        for (const QJsonValue &v : admin("GET", QStringLiteral("/__log")).array())
            QVERIFY2(v.toObject().value(QStringLiteral("valid")).toBool(), "a payload failed the official schema");

        // the token is in the secret store only, never in the workspace
        ws.reset();
        QVERIFY(!readFile(dir.filePath(QStringLiteral("ws.sqlite"))).contains(kToken.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestSyncFigma)
#include "tst_sync_figma.moc"
