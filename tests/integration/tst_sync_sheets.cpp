// A sync config whose source is a Google spreadsheet, run by the engine against a local server
// that answers like Google's token endpoint and Sheets API v4 (documented JSON): the stored refresh
// token is exchanged for an access token, values:batchGet is read with UNFORMATTED_VALUE, typed
// cells (numbers, booleans) map into variables, and Google's error JSON becomes the run's message.
#include "FaultServer.h"
#include "TestSupport.h"

#include "auth/OAuthSession.h"
#include "auth/OAuthSettings.h"
#include "auth/SecretStore.h"
#include "flags/FlagStore.h"
#include "net/HttpClient.h"
#include "sync/DtcgFormat.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"
#include "workspace/Workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QtTest>

using namespace sp;
using namespace sp::test;
using Reply = FaultServer::Reply;

namespace {

const QString kSpreadsheet = QStringLiteral("1AbCdEfGhIjKlMnOp_qrs-TUV");
const QString kRefresh = QStringLiteral("refresh-token-7d41");
const QString kAccess = QStringLiteral("access-token-c0ffee");

ChangeContext ctx() { return ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test")); }

QJsonObject values()
{
    const QJsonArray rows{QJsonArray{QStringLiteral("Name"), QStringLiteral("Light"), QStringLiteral("Dark")},
                          QJsonArray{QStringLiteral("color/brand"), QStringLiteral("#1e66f5"), QStringLiteral("#89b4fa")},
                          QJsonArray{QStringLiteral("space/md"), 16, 24.5},
                          QJsonArray{QStringLiteral("flag/beta"), true, false},
                          QJsonArray{QStringLiteral("font/family"), QStringLiteral("Inter"), QStringLiteral("Inter Display")},
                          QJsonArray{}};
    return QJsonObject{{QStringLiteral("spreadsheetId"), kSpreadsheet},
                       {QStringLiteral("valueRanges"),
                        QJsonArray{QJsonObject{{QStringLiteral("range"), QStringLiteral("Tokens!A1:Z1000")},
                                               {QStringLiteral("majorDimension"), QStringLiteral("ROWS")},
                                               {QStringLiteral("values"), rows}}}}};
}

} // namespace

class TestSyncSheets : public QObject
{
    Q_OBJECT

    struct Setup
    {
        QTemporaryDir dir;
        std::unique_ptr<Workspace> ws;
        MemorySecretStore secrets;
        net::HttpClient http;

        void init(const FaultServer &server)
        {
            ws = Workspace::open(dir.filePath(QStringLiteral("ws.sqlite")));
            FlagDraft f;
            f.key = QStringLiteral("sync.sheets");
            FlagStore(*ws).create(f, ctx());
            ws->write([&] {
                OAuthSettings s = OAuthSettings::googleDefaults();
                s.clientId = QStringLiteral("desktop-client");
                s.tokenUrl = server.url(QStringLiteral("/token"));
                s.revocationUrl = server.url(QStringLiteral("/revoke"));
                s.save(*ws);
                ws->setMeta(QStringLiteral("google.sheets_url"), server.url(QStringLiteral("/")).toString());
            });
            SyncConfig c;
            c.name = QStringLiteral("sheet");
            c.flagKey = f.key;
            c.source = SourceSpec::fromText(QStringLiteral("sheets:") + kSpreadsheet + QStringLiteral("!Tokens"), QStringLiteral("test"));
            c.targets << SyncTargetSpec::fromText(QStringLiteral("web=dtcg:") + dir.filePath(QStringLiteral("web.tokens.json")),
                                                  QStringLiteral("test"));
            SyncConfigStore(*ws).add(c, ctx());
            net::RetryPolicy quick;
            quick.baseDelayMs = 10;
            quick.maxDelayMs = 50;
            http.setRetryPolicy(quick);
        }
        SyncRun run()
        {
            SyncEngine::Services services;
            services.http = &http;
            services.secrets = &secrets;
            return SyncEngine(*ws, services).run(QStringLiteral("sheet"), false, ctx());
        }
    };

private Q_SLOTS:
    void readsTheSpreadsheetWithTheStoredSignIn()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &r) {
            if (r.path() == "/token") {
                const QUrlQuery form(QString::fromUtf8(r.body));
                if (form.queryItemValue(QStringLiteral("grant_type")) != QLatin1String("refresh_token")
                    || form.queryItemValue(QStringLiteral("refresh_token")) != kRefresh)
                    return Reply::json(400, QByteArray(R"({"error":"invalid_grant"})"));
                return Reply::json(200, QJsonDocument(QJsonObject{{QStringLiteral("access_token"), kAccess},
                                                                  {QStringLiteral("expires_in"), 3599},
                                                                  {QStringLiteral("token_type"), QStringLiteral("Bearer")}}));
            }
            if (r.header("Authorization") != "Bearer " + kAccess.toUtf8())
                return Reply::googleError(401, QStringLiteral("UNAUTHENTICATED"), QStringLiteral("Request had invalid authentication credentials."));
            if (r.decodedPath().endsWith(QLatin1String("/values:batchGet")))
                return Reply::json(200, QJsonDocument(values()));
            return Reply::googleError(404, QStringLiteral("NOT_FOUND"), QStringLiteral("Requested entity was not found."));
        });
        Setup s;
        s.init(server);

        // Nobody signed in: the run says how to sign in, and writes nothing.
        SyncRun run = s.run();
        QVERIFY(!run.ok());
        QVERIFY2(run.failure.contains(QStringLiteral("auth google sign-in")), qPrintable(run.failure));
        QVERIFY(!QFile::exists(s.dir.filePath(QStringLiteral("web.tokens.json"))));

        s.secrets.write(OAuthSession::refreshTokenKey, kRefresh);
        s.secrets.write(OAuthSession::accountKey, QStringLiteral("ops@example.com"));
        run = s.run();
        QVERIFY2(run.ok(), qPrintable(run.failure + run.problems.join(u'\n') + (run.targets.isEmpty() ? QString() : run.targets.first().message)));
        QCOMPARE(run.rowsRead, 4);
        const VariableCollection written = DtcgFormat::read(readFile(s.dir.filePath(QStringLiteral("web.tokens.json"))), QStringLiteral("web"));
        QCOMPARE(written.modes, (QStringList{QStringLiteral("Light"), QStringLiteral("Dark")}));
        QCOMPARE(written.find(QStringLiteral("space/md"))->values.at(1).number, 24.5);
        QCOMPARE(written.find(QStringLiteral("flag/beta"))->type, VariableType::Boolean);
        QCOMPARE(written.find(QStringLiteral("flag/beta"))->values.at(1).boolean, false);

        // The request Sheets got: one batchGet, unformatted values, the sheet as its range.
        QList<FaultServer::Request> gets;
        for (const FaultServer::Request &r : server.requests())
            if (r.method == "GET")
                gets << r;
        QCOMPARE(gets.size(), 1);
        QCOMPARE(gets.first().query().queryItemValue(QStringLiteral("valueRenderOption")), QStringLiteral("UNFORMATTED_VALUE"));
        QVERIFY2(gets.first().decodedPath().contains(kSpreadsheet), gets.first().target.constData());
        QCOMPARE(gets.first().query().queryItemValue(QStringLiteral("ranges"), QUrl::FullyDecoded), QStringLiteral("Tokens"));

        // The run record counts the API call; neither token reaches the workspace.
        s.ws.reset();
        const QByteArray db = readFile(s.dir.filePath(QStringLiteral("ws.sqlite")));
        QVERIFY(!db.contains(kRefresh.toUtf8()));
        QVERIFY(!db.contains(kAccess.toUtf8()));
    }

    void googleErrorsBecomeTheRunsMessage()
    {
        FaultServer server;
        server.setHandler([](const FaultServer::Request &r) {
            if (r.path() == "/token")
                return Reply::json(200, QJsonDocument(QJsonObject{{QStringLiteral("access_token"), kAccess},
                                                                  {QStringLiteral("expires_in"), 3599},
                                                                  {QStringLiteral("token_type"), QStringLiteral("Bearer")}}));
            return Reply::googleError(403, QStringLiteral("PERMISSION_DENIED"), QStringLiteral("The caller does not have permission"));
        });
        Setup s;
        s.init(server);
        s.secrets.write(OAuthSession::refreshTokenKey, kRefresh);
        const SyncRun run = s.run();
        QVERIFY(!run.ok());
        QVERIFY2(run.failure.contains(kSpreadsheet), qPrintable(run.failure));
        QVERIFY2(run.failure.contains(QStringLiteral("permission")), qPrintable(run.failure));
        QSqlQuery q = s.ws->exec(QStringLiteral("SELECT error_class, ok FROM run_records WHERE config = 'sheet'"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("auth"));
        QCOMPARE(q.value(1).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSyncSheets)
#include "tst_sync_sheets.moc"
