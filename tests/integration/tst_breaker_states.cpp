// Published circuit breakers (BreakerStateStore, migration 5) on both engines: publish / list /
// open / events, what another connection sees, and an AgentLoop whose Figma upstream keeps failing
// publishing its open breaker for every console, without writing again while nothing changes.
#include "FaultServer.h"
#include "TestSupport.h"

#include "auth/FigmaCredentials.h"
#include "auth/SecretStore.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "metrics/BreakerStateStore.h"
#include "net/HttpClient.h"
#include "rollout/AgentLoop.h"
#include "rollout/ControllerLock.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace sp;
using namespace sp::test;
using Reply = FaultServer::Reply;

namespace {

BreakerState state(const QString &upstream, const QString &s, int failures, const QString &error = {})
{
    BreakerState b;
    b.upstream = upstream;
    b.state = s;
    b.failures = failures;
    b.lastError = error;
    b.publisher = QStringLiteral("test publisher");
    return b;
}

qint64 eventCount(Workspace &ws)
{
    QSqlQuery q = ws.exec(QStringLiteral("SELECT count(*) FROM breaker_events"));
    return q.next() ? q.value(0).toLongLong() : -1;
}

} // namespace

class TstBreakerStates : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void publishListOpenEvents_data() { addEngineColumn(); }
    void publishListOpenEvents()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        QCOMPARE(ws->schemaVersion(), Workspace::latestSchemaVersion());
        BreakerStateStore store(*ws);
        QVERIFY(store.list().isEmpty());
        QVERIFY(store.open().isEmpty());

        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-60);
        BreakerState sheets = state(QStringLiteral("sheets.googleapis.com:443"), QStringLiteral("closed"), 0);
        BreakerState figma = state(QStringLiteral("api.figma.com:443"), QStringLiteral("open"), 5,
                                   QStringLiteral("api.figma.com:443: server error (503)"));
        figma.since = t0;
        store.publish({sheets, figma});

        const QList<BreakerState> all = store.list();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).upstream, QStringLiteral("api.figma.com:443")); // by name
        QCOMPARE(all.at(0).state, QStringLiteral("open"));
        QCOMPARE(all.at(0).failures, 5);
        QCOMPARE(all.at(0).lastError, figma.lastError);
        QCOMPARE(all.at(0).publisher, QStringLiteral("test publisher"));
        QCOMPARE(all.at(0).since, t0);
        QVERIFY(all.at(0).updatedAt.isValid());
        QCOMPARE(all.at(1).state, QStringLiteral("closed"));
        const QList<BreakerState> open = store.open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().upstream, figma.upstream);
        QCOMPARE(eventCount(*ws), 1); // the first closed state is no event; the open one is

        // The same state again: no event, and the time it was entered stays.
        figma.since = QDateTime();
        figma.failures = 6;
        store.publish({figma});
        QCOMPARE(eventCount(*ws), 1);
        QCOMPARE(store.open().first().since, t0);
        QCOMPARE(store.open().first().failures, 6);

        // Half-open, then closed: two events, oldest first, and open() is empty again.
        const QDateTime t1 = t0.addSecs(30);
        const QDateTime t2 = t0.addSecs(40);
        BreakerState probe = state(figma.upstream, QStringLiteral("half_open"), 6, figma.lastError);
        probe.since = t1;
        store.publish({probe});
        BreakerState closed = state(figma.upstream, QStringLiteral("closed"), 0, figma.lastError);
        closed.since = t2;
        store.publish({closed});
        QVERIFY(store.open().isEmpty());
        QCOMPARE(eventCount(*ws), 3);

        const QList<BreakerEvent> all3 = store.events(t0.addSecs(-1), t2.addSecs(1));
        QCOMPARE(all3.size(), 3);
        QCOMPARE(all3.at(0).state, QStringLiteral("open"));
        QCOMPARE(all3.at(0).at, t0);
        QCOMPARE(all3.at(1).state, QStringLiteral("half_open"));
        QCOMPARE(all3.at(2).state, QStringLiteral("closed"));

        // A window starting after the breaker opened begins with the state it was in then.
        const QList<BreakerEvent> later = store.events(t0.addSecs(10), t2);
        QCOMPARE(later.size(), 2);
        QCOMPARE(later.at(0).state, QStringLiteral("open"));
        QCOMPARE(later.at(0).at, t0.addSecs(10));
        QCOMPARE(later.at(1).state, QStringLiteral("half_open"));
        QCOMPARE(later.at(1).at, t1);

        // Bad input changes nothing.
        QVERIFY_THROWS_EXCEPTION(Error, store.publish({state(figma.upstream, QStringLiteral("ajar"), 0)}));
        QVERIFY_THROWS_EXCEPTION(Error, store.publish({state(QString(), QStringLiteral("open"), 0)}));
        QCOMPARE(store.list().size(), 2);
        QCOMPARE(eventCount(*ws), 3);
    }

    void anotherConnectionSeesIt_data() { addEngineColumn(); }
    void anotherConnectionSeesIt()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto publisher = Workspace::open(location);
        auto reader = Workspace::open(location);
        const qint64 revision = reader->revision();
        BreakerStateStore(*publisher).publish({state(QStringLiteral("api.figma.com:443"), QStringLiteral("open"), 5)});
        QVERIFY(reader->revision() > revision); // consoles reload on it
        const QList<BreakerState> open = BreakerStateStore(*reader).open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().upstream, QStringLiteral("api.figma.com:443"));
    }

    void agentLoopPublishesAnOpenBreaker_data() { addEngineColumn(); }
    void agentLoopPublishesAnOpenBreaker()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        FaultServer server;
        server.setHandler([](const FaultServer::Request &) { return Reply::json(503, "{\"error\":\"unavailable\"}"); });

        auto ws = Workspace::open(location);
        const ChangeContext ctx = ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test"));
        FlagDraft f;
        f.key = QStringLiteral("sync.figma");
        f.enabled = true;
        f.percentTenths = 1000;
        FlagStore(*ws).create(f, ctx);
        ws->write([&] { ws->setMeta(QStringLiteral("figma.api_url"), server.url().toString()); });
        QTemporaryDir files;
        const QString sheet = files.filePath(QStringLiteral("tokens.csv"));
        writeFile(sheet, "Name,Light\ncolor/brand,#1e66f5\n");
        SyncConfig c;
        c.name = QStringLiteral("figma-tokens");
        c.flagKey = f.key;
        c.source.path = sheet;
        c.mapping = QJsonObject{{QStringLiteral("collection"), QStringLiteral("Brand")}};
        c.targets << SyncTargetSpec::fromText(QStringLiteral("design=figma:FILEKEY123"), QStringLiteral("test"));
        SyncConfigStore(*ws).add(c, ctx);

        MemorySecretStore secrets;
        FigmaCredentials::setToken(secrets, QStringLiteral("figd_test_token"));
        ControllerLock lock(*ws);
        AgentLoop loop(*ws, lock, 10000);
        loop.setSecretStore(&secrets);
        loop.setHolder(QStringLiteral("agent under test"));
        loop.http().setRetryPolicy(net::RetryPolicy{.maxAttempts = 2, .baseDelayMs = 5, .maxDelayMs = 20, .maxRetryAfterMs = 1000});
        loop.http().setBreakerPolicy(net::BreakerPolicy{.failureThreshold = 3, .coolDownMs = 600000});

        const QString upstream = server.url().host() + u':' + QString::number(server.url().port());
        auto other = Workspace::open(location); // another console
        QVERIFY(BreakerStateStore(*other).open().isEmpty());

        // Fails 2 requests a run: the 3rd consecutive failure (in run 2) opens the breaker.
        loop.runSync(c.name);
        QList<BreakerState> open = BreakerStateStore(*other).open();
        QVERIFY(open.isEmpty());
        const QList<BreakerState> afterOne = BreakerStateStore(*other).list();
        QCOMPARE(afterOne.size(), 1); // known and failing, still closed
        QCOMPARE(afterOne.first().upstream, upstream);
        QCOMPARE(afterOne.first().state, QStringLiteral("closed"));
        QCOMPARE(afterOne.first().failures, 2);

        loop.runSync(c.name);
        open = BreakerStateStore(*other).open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().upstream, upstream);
        QCOMPARE(open.first().state, QStringLiteral("open"));
        QVERIFY(open.first().failures >= 3);
        QVERIFY2(open.first().lastError.contains(QStringLiteral("503")), qPrintable(open.first().lastError));
        QVERIFY(!open.first().lastError.contains(QStringLiteral("figd_test_token")));
        QCOMPARE(open.first().publisher, QStringLiteral("agent under test"));
        const QList<BreakerEvent> events = BreakerStateStore(*other).events(QDateTime::currentDateTimeUtc().addSecs(-600),
                                                                            QDateTime::currentDateTimeUtc().addSecs(1));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().state, QStringLiteral("open"));

        // Nothing changed: publishing again (as every tick does) writes nothing.
        const qint64 revision = other->revision();
        loop.publishBreakers();
        loop.publishBreakers();
        QCOMPARE(other->revision(), revision);

        // While open, the next run is refused without a request and the state stays published.
        const int sent = server.requests().size();
        loop.runSync(c.name);
        QCOMPARE(server.requests().size(), sent);
        QCOMPARE(BreakerStateStore(*other).open().size(), 1);
        QCOMPARE(eventCount(*other), 1);
    }
};

QTEST_GUILESS_MAIN(TstBreakerStates)
#include "tst_breaker_states.moc"
