// GoogleSheetsSource against a local server answering the Sheets API v4 as documented
// (spreadsheets.get, values:batchGet, Google's error JSON): request shape, cell conversion,
// ragged and empty ranges, sign-in refresh and the message for each documented error.
#include "FaultServer.h"
#include "TestSupport.h"
#include "net/RequestError.h"
#include "sync/GoogleSheetsSource.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace sp;
using sp::test::FaultServer;
using Reply = FaultServer::Reply;

namespace {

// Fixture JSON written with ' for " so it reads easily (a real ' is written \\u0027).
QByteArray js(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

const QString spreadsheetId = QStringLiteral("1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms");

// The Sheets upstream with a signed-in provider that counts refreshes.
struct Fixture
{
    FaultServer server;
    net::HttpClient http;
    int refreshes = 0;

    Fixture()
    {
        http.setRetryPolicy(net::RetryPolicy{.maxAttempts = 3, .baseDelayMs = 10, .maxDelayMs = 50, .maxRetryAfterMs = 5000});
        http.setAuthProvider(server.upstream(), [this](bool forceRefresh) {
            if (forceRefresh)
                ++refreshes;
            return refreshes ? QByteArray("Bearer refreshed-token") : QByteArray("Bearer test-token");
        });
    }

    GoogleSheetsSource source(const QStringList &ranges = {})
    {
        SheetsSettings settings;
        settings.baseUrl = server.url();
        settings.spreadsheetId = spreadsheetId;
        settings.ranges = ranges;
        return GoogleSheetsSource(http, settings);
    }
};

QStringList rangesOf(const FaultServer::Request &request)
{
    return request.query().allQueryItemValues(QStringLiteral("ranges"), QUrl::FullyDecoded);
}

} // namespace

class TstGoogleSheets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rangeSyntax_data()
    {
        QTest::addColumn<QString>("range");
        QTest::addColumn<QString>("sheet");
        QTest::addColumn<QString>("cells");
        QTest::addColumn<QString>("a1");
        QTest::newRow("bare") << "Colors" << "Colors" << "" << "Colors";
        QTest::newRow("bare with spaces") << "Tokens (Light)" << "Tokens (Light)" << "" << "'Tokens (Light)'";
        QTest::newRow("sheet and cells") << "Colors!A1:D20" << "Colors" << "A1:D20" << "Colors!A1:D20";
        QTest::newRow("unquoted spaces") << "My sheet!A:Z" << "My sheet" << "A:Z" << "'My sheet'!A:Z";
        QTest::newRow("quoted quote") << "'It''s'!A1:Z" << "It's" << "A1:Z" << "'It''s'!A1:Z";
        QTest::newRow("quoted bang") << "'Hi!'!B2" << "Hi!" << "B2" << "'Hi!'!B2";
        QTest::newRow("cell-like name") << "A1" << "A1" << "" << "'A1'";
    }

    void rangeSyntax()
    {
        QFETCH(QString, range);
        QFETCH(QString, sheet);
        QFETCH(QString, cells);
        QFETCH(QString, a1);
        const GoogleSheetsSource::RangeParts parts = GoogleSheetsSource::splitRange(range);
        QCOMPARE(parts.sheet, sheet);
        QCOMPARE(parts.cells, cells);
        QCOMPARE(GoogleSheetsSource::a1Range(parts.sheet, parts.cells), a1);
    }

    void cellConversion_data()
    {
        QTest::addColumn<QString>("cellJson");
        QTest::addColumn<QString>("text");
        QTest::newRow("string") << "\"#FF8800\"" << "#FF8800";
        QTest::newRow("string that looks numeric") << "\"007\"" << "007";
        QTest::newRow("integer") << "16" << "16";
        QTest::newRow("fraction") << "1.5" << "1.5";
        QTest::newRow("tenth") << "0.1" << "0.1";
        QTest::newRow("million") << "1000000" << "1000000";
        QTest::newRow("negative") << "-2.25" << "-2.25";
        QTest::newRow("small") << "0.0001" << "0.0001";
        QTest::newRow("huge") << "1e21" << "1e+21";
        QTest::newRow("true") << "true" << "TRUE";
        QTest::newRow("false") << "false" << "FALSE";
        QTest::newRow("null") << "null" << "";
    }

    void cellConversion()
    {
        QFETCH(QString, cellJson);
        QFETCH(QString, text);
        const QJsonArray array = QJsonDocument::fromJson("[" + cellJson.toUtf8() + "]").array();
        QCOMPARE(array.size(), 1);
        QCOMPARE(GoogleSheetsSource::cellText(array.at(0)), text);
    }

    void sheetNamesInTabOrder()
    {
        Fixture f;
        f.server.enqueue(Reply::json(200, js("{'sheets':["
            "{'properties':{'sheetId':7,'title':'Tokens (Light)','index':1}},"
            "{'properties':{'sheetId':0,'title':'Colors','index':0}},"
            "{'properties':{'sheetId':9,'title':'It\\u0027s','index':2}}]}")));
        GoogleSheetsSource source = f.source();
        QCOMPARE(source.sheetNames(), (QStringList{QStringLiteral("Colors"), QStringLiteral("Tokens (Light)"), QStringLiteral("It's")}));
        QCOMPARE(f.server.requestCount(), 1);
        const FaultServer::Request r = f.server.requests().constFirst();
        QCOMPARE(r.method, QByteArray("GET"));
        QCOMPARE(r.path(), "/v4/spreadsheets/" + spreadsheetId.toLatin1());
        QCOMPARE(r.query().queryItemValue(QStringLiteral("fields"), QUrl::FullyDecoded), QStringLiteral("sheets.properties(title,index)"));
        QCOMPARE(r.header("Authorization"), QByteArray("Bearer test-token"));
        QCOMPARE(source.stats().apiCalls, 1);
    }

    void batchGetReadsEveryRangeInOneCall()
    {
        Fixture f;
        f.server.enqueue(Reply::json(200, js("{'spreadsheetId':'x','valueRanges':["
            "{'range':'Colors!A1:Z1000','majorDimension':'ROWS','values':["
                "['name','light','dark','enabled'],"
                "['color/bg','#FFFFFF','#000000',true],"
                "['spacing/sm',4,8.5,false],"
                "['only/name'],"
                "[],"
                "['big',1000000,0.1,null,'tail']]},"
            "{'range':'\\u0027Tokens (Light)\\u0027!A1:D20','majorDimension':'ROWS'},"
            "{'range':'\\u0027It\\u0027\\u0027s\\u0027!A1:Z','majorDimension':'ROWS','values':[['x',-3]]}]}")));
        GoogleSheetsSource source = f.source({QStringLiteral("Colors"), QStringLiteral("Tokens (Light)!A1:D20"), QStringLiteral("'It''s'!A1:Z")});
        const QList<Table> tables = source.read();

        QCOMPARE(f.server.requestCount(), 1);
        const FaultServer::Request r = f.server.requests().constFirst();
        QCOMPARE(r.path(), "/v4/spreadsheets/" + spreadsheetId.toLatin1() + "/values:batchGet");
        QCOMPARE(rangesOf(r), (QStringList{QStringLiteral("Colors"), QStringLiteral("'Tokens (Light)'!A1:D20"), QStringLiteral("'It''s'!A1:Z")}));
        // Percent-encoded on the wire (qt-notes §2.6), so "'", "(", "!", ":" and spaces survive.
        QVERIFY2(r.target.contains("ranges=%27Tokens%20%28Light%29%27%21A1%3AD20"), r.target.constData());
        QCOMPARE(r.query().queryItemValue(QStringLiteral("valueRenderOption")), QStringLiteral("UNFORMATTED_VALUE"));
        QCOMPARE(r.query().queryItemValue(QStringLiteral("majorDimension")), QStringLiteral("ROWS"));
        QCOMPARE(r.header("Authorization"), QByteArray("Bearer test-token"));

        QCOMPARE(tables.size(), 3);
        const Table &colors = tables.at(0);
        QCOMPARE(colors.name, QStringLiteral("Colors"));
        QCOMPARE(colors.origin, spreadsheetId);
        QCOMPARE(colors.rows.size(), 6);
        QCOMPARE(colors.rows.at(1), (QStringList{"color/bg", "#FFFFFF", "#000000", "TRUE"}));
        QCOMPARE(colors.rows.at(2), (QStringList{"spacing/sm", "4", "8.5", "FALSE"}));
        QCOMPARE(colors.rows.at(3), QStringList{"only/name"}); // ragged: trailing cells omitted
        QCOMPARE(colors.cell(3, 2), QString());
        QVERIFY(colors.rows.at(4).isEmpty());
        QCOMPARE(colors.rows.at(5), (QStringList{"big", "1000000", "0.1", "", "tail"}));
        QCOMPARE(colors.columnCount(), 5);
        QCOMPARE(colors.cell(40, 0), QString());

        QCOMPARE(tables.at(1).name, QStringLiteral("Tokens (Light)"));
        QVERIFY(tables.at(1).rows.isEmpty()); // no "values": an empty sheet
        QCOMPARE(tables.at(2).name, QStringLiteral("It's"));
        QCOMPARE(tables.at(2).rows, QList<QStringList>{(QStringList{"x", "-3"})});

        QCOMPARE(source.stats().apiCalls, 1);
        QCOMPARE(source.stats().retries, 0);
    }

    void noRangesMeansTheFirstSheet()
    {
        Fixture f;
        f.server.enqueue(Reply::json(200, js("{'sheets':[{'properties':{'title':'Design tokens','index':0}},{'properties':{'title':'Other','index':1}}]}")));
        f.server.enqueue(Reply::json(200, js("{'valueRanges':[{'range':'\\u0027Design tokens\\u0027!A1:Z1000','values':[['a','b']]}]}")));
        GoogleSheetsSource source = f.source();
        const QList<Table> tables = source.read();
        QCOMPARE(f.server.requestCount(), 2);
        QCOMPARE(rangesOf(f.server.requests().at(1)), QStringList{QStringLiteral("'Design tokens'")});
        QCOMPARE(tables.size(), 1);
        QCOMPARE(tables.at(0).name, QStringLiteral("Design tokens"));
        QCOMPARE(tables.at(0).rows.at(0), (QStringList{"a", "b"}));
        QCOMPARE(source.stats().apiCalls, 2);
    }

    void expiredTokenIsRefreshedOnce()
    {
        Fixture f;
        f.server.enqueue(Reply::googleError(401, QStringLiteral("UNAUTHENTICATED"),
                                            QStringLiteral("Request had invalid authentication credentials.")));
        f.server.enqueue(Reply::json(200, js("{'valueRanges':[{'range':'Colors!A1:B2','values':[['a']]}]}")));
        GoogleSheetsSource source = f.source({QStringLiteral("Colors!A1:B2")});
        const QList<Table> tables = source.read();
        QCOMPARE(tables.at(0).rows.at(0), QStringList{"a"});
        QCOMPARE(f.refreshes, 1);
        QCOMPARE(f.server.requests().at(0).header("Authorization"), QByteArray("Bearer test-token"));
        QCOMPARE(f.server.requests().at(1).header("Authorization"), QByteArray("Bearer refreshed-token"));
        QCOMPARE(source.stats().apiCalls, 2);
    }

    void documentedErrors_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("googleMessage");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("errorClass");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QStringList>("mustContain");
        QTest::addColumn<int>("requests");

        QTest::newRow("404 not found") << 404 << "NOT_FOUND" << "Requested entity was not found." << ""
                                       << int(net::ErrorClass::Http4xx) << int(ErrorKind::Failure)
                                       << QStringList{spreadsheetId, "not found", "Requested entity was not found."} << 1;
        QTest::newRow("403 no access") << 403 << "PERMISSION_DENIED" << "The caller does not have permission" << ""
                                       << int(net::ErrorClass::Auth) << int(ErrorKind::Failure)
                                       << QStringList{spreadsheetId, "no access", "share it", "The caller does not have permission"} << 1;
        QTest::newRow("403 api disabled")
            << 403 << "PERMISSION_DENIED"
            << "Google Sheets API has not been used in project 123 before or it is disabled." << "SERVICE_DISABLED"
            << int(net::ErrorClass::Auth) << int(ErrorKind::Failure)
            << QStringList{spreadsheetId, "Sheets API is not enabled", "has not been used in project 123"} << 1;
        QTest::newRow("400 bad range") << 400 << "INVALID_ARGUMENT" << "Unable to parse range: 'Missing'!A1:Z" << ""
                                       << int(net::ErrorClass::Http4xx) << int(ErrorKind::InvalidInput)
                                       << QStringList{spreadsheetId, "has no range 'Missing'!A1:Z"} << 1;
        QTest::newRow("401 after refresh") << 401 << "UNAUTHENTICATED" << "Request had invalid authentication credentials." << ""
                                           << int(net::ErrorClass::Auth) << int(ErrorKind::Failure)
                                           << QStringList{spreadsheetId, "sign in to Google again"} << 2;
        QTest::newRow("429 quota") << 429 << "RESOURCE_EXHAUSTED"
                                   << "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'"
                                   << "RATE_LIMIT_EXCEEDED" << int(net::ErrorClass::Http429) << int(ErrorKind::Failure)
                                   << QStringList{spreadsheetId, "Missing!A1:Z", "rate limited (429), gave up after 3 attempts", "Quota exceeded"}
                                   << 3;
        QTest::newRow("503 unavailable") << 503 << "UNAVAILABLE" << "The service is currently unavailable." << ""
                                         << int(net::ErrorClass::Http5xx) << int(ErrorKind::Failure)
                                         << QStringList{spreadsheetId, "Missing!A1:Z", "server error (503)", "gave up after 3 attempts"} << 3;
    }

    void documentedErrors()
    {
        QFETCH(int, code);
        QFETCH(QString, status);
        QFETCH(QString, googleMessage);
        QFETCH(QString, reason);
        QFETCH(int, errorClass);
        QFETCH(int, kind);
        QFETCH(QStringList, mustContain);
        QFETCH(int, requests);

        Fixture f;
        f.server.setHandler([&](const FaultServer::Request &) { return Reply::googleError(code, status, googleMessage, reason); });
        GoogleSheetsSource source = f.source({QStringLiteral("Missing!A1:Z")});
        try {
            source.read();
            QFAIL("read() should have thrown");
        } catch (const net::RequestError &e) {
            QCOMPARE(int(e.errorClass()), errorClass);
            QCOMPARE(int(e.kind()), kind);
            QCOMPARE(e.response().status, code);
            for (const QString &part : mustContain)
                QVERIFY2(e.message().contains(part), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(e.message(), part)));
        }
        QCOMPARE(f.server.requestCount(), requests);
        QCOMPARE(source.stats().apiCalls, requests);
        QCOMPARE(f.refreshes, code == 401 ? 1 : 0);
        if (code == 429)
            QCOMPARE(source.stats().http429, 3);
    }

    void metadataErrorNamesTheSpreadsheet()
    {
        Fixture f;
        f.server.enqueue(Reply::googleError(404, QStringLiteral("NOT_FOUND"), QStringLiteral("Requested entity was not found.")));
        GoogleSheetsSource source = f.source();
        try {
            source.sheetNames();
            QFAIL("sheetNames() should have thrown");
        } catch (const net::RequestError &e) {
            QVERIFY2(e.message().contains(spreadsheetId) && e.message().contains(QLatin1String("not found")), qPrintable(e.message()));
        }
    }

    void wrongShapeIsMalformed()
    {
        Fixture f;
        f.server.enqueue(Reply::json(200, js("{'valueRanges':[{'range':'A!A1','values':[['a']]}]}"))); // 1 range for 2 asked
        GoogleSheetsSource source = f.source({QStringLiteral("A"), QStringLiteral("B")});
        try {
            source.read();
            QFAIL("read() should have thrown");
        } catch (const net::RequestError &e) {
            QCOMPARE(e.errorClass(), net::ErrorClass::Malformed);
            QVERIFY2(e.message().contains(spreadsheetId), qPrintable(e.message()));
        }
        QCOMPARE(f.server.requestCount(), 1);
    }

    void brokenJsonIsMalformedAndNotRetried()
    {
        Fixture f;
        f.server.setHandler([](const FaultServer::Request &) { return Reply::malformedJson(); });
        GoogleSheetsSource source = f.source({QStringLiteral("Colors")});
        try {
            source.read();
            QFAIL("read() should have thrown");
        } catch (const net::RequestError &e) {
            QCOMPARE(e.errorClass(), net::ErrorClass::Malformed);
            QVERIFY2(e.message().contains(spreadsheetId) && e.message().contains(QLatin1String("Colors"))
                         && e.message().contains(QLatin1String("malformed")),
                     qPrintable(e.message()));
        }
        QCOMPARE(f.server.requestCount(), 1);
    }

    void missingIdIsInvalidInputAndSendsNothing()
    {
        Fixture f;
        SheetsSettings settings;
        settings.baseUrl = f.server.url();
        GoogleSheetsSource source(f.http, settings);
        try {
            source.read();
            QFAIL("read() should have thrown");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
        }
        QCOMPARE(f.server.requestCount(), 0);
    }

    void defaults()
    {
        const net::RateLimit limit = GoogleSheetsSource::defaultRateLimit();
        QCOMPARE(limit.perMinute, 60.0);
        QVERIFY(limit.burst >= 1);
        net::HttpClient http;
        GoogleSheetsSource google(http, SheetsSettings{});
        QCOMPARE(google.upstream(), QStringLiteral("sheets.googleapis.com:443"));
    }
};

QTEST_GUILESS_MAIN(TstGoogleSheets)
#include "tst_google_sheets.moc"
