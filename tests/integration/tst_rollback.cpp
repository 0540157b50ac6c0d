// Emergency, selective and gradual rollback and restore (DESIGN.md §1 "Rollouts, guardrails,
// rollbacks"): what each changes and what it leaves alone, the snapshot, audit and ledger entries,
// the republished flagd file, the dependents-first order, and restore refusing after a change.
#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "flags/FlagdPublisher.h"
#include "rollout/DecisionLedger.h"
#include "rollout/RollbackService.h"
#include "workspace/Workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace sp;
using test::runCli;

namespace {

const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"), QStringLiteral("incident 42"));

void createFlag(FlagStore &store, const QString &key, bool on, int tenths, QStringList tags = {}, QStringList prereqs = {})
{
    FlagDraft d;
    d.key = key;
    d.enabled = on;
    d.percentTenths = tenths;
    d.tags = std::move(tags);
    d.prerequisites = std::move(prereqs);
    store.create(d, ctx);
}

const QStringList syncTag{QStringLiteral("sync")};

qint64 insertRollout(Workspace &ws, const QString &flag, const QString &state, int phase)
{
    qint64 id = 0;
    const QString t = toStoredTime(Clock::current().now().addSecs(-3600));
    ws.write([&] {
        QSqlQuery q = ws.exec(QStringLiteral("INSERT INTO rollouts (flag_key, plan, template, state, phase_index, phase_started_at,"
                                             " started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                              {flag, QStringLiteral("[]"), QStringLiteral("ladder"), state, phase, t, t, t});
        q.next();
        id = q.value(0).toLongLong();
        q.finish(); // QPSQL: read to the end before the next statement
    });
    return id;
}

void insertConfig(Workspace &ws, const QString &name, const QString &flag, const QString &mode)
{
    const QString t = toStoredTime(Clock::current().now());
    ws.write([&] {
        ws.exec(QStringLiteral("INSERT INTO sync_configs (name, flag_key, mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                {name, flag, mode, t, t});
    });
}

struct RolloutNow
{
    QString state;
    int phase = -1;
    qint64 version = 0;
    QString phaseStartedAt;
    QString reason;
};

RolloutNow rollout(Workspace &ws, qint64 id)
{
    QSqlQuery q = ws.exec(QStringLiteral("SELECT state, phase_index, version, phase_started_at, state_reason FROM rollouts WHERE id = ?"), {id});
    RolloutNow r;
    if (q.next())
        r = RolloutNow{q.value(0).toString(), q.value(1).toInt(), q.value(2).toLongLong(), q.value(3).toString(), q.value(4).toString()};
    q.finish();
    return r;
}

QString configMode(Workspace &ws, const QString &name)
{
    QSqlQuery q = ws.exec(QStringLiteral("SELECT mode FROM sync_configs WHERE name = ?"), {name});
    const QString mode = q.next() ? q.value(0).toString() : QString();
    q.finish();
    return mode;
}

qint64 count(Workspace &ws, const QString &sql)
{
    QSqlQuery q = ws.exec(sql);
    const qint64 n = q.next() ? q.value(0).toLongLong() : -1;
    q.finish();
    return n;
}

QJsonObject publishedFlags(const QString &path)
{
    return QJsonDocument::fromJson(test::readFile(path)).object().value(QStringLiteral("flags")).toObject();
}

QString published(const QString &path, const QString &key)
{
    return publishedFlags(path).value(key).toObject().value(QStringLiteral("defaultVariant")).toString();
}

bool publishedHasTargeting(const QString &path, const QString &key)
{
    return publishedFlags(path).value(key).toObject().contains(QStringLiteral("targeting"));
}

// What a flagd provider evaluates: the flags without their metadata (versions change on restore).
QJsonObject evaluationPart(const QString &path)
{
    QJsonObject flags = publishedFlags(path);
    for (auto it = flags.begin(); it != flags.end(); ++it) {
        QJsonObject f = it.value().toObject();
        f.remove(QStringLiteral("metadata"));
        it.value() = f;
    }
    return flags;
}

QList<AuditEntry> auditSince(Workspace &ws, qint64 seq)
{
    QList<AuditEntry> out;
    for (const AuditEntry &e : AuditLog(ws).list())
        if (e.seq > seq)
            out << e;
    return out;
}

qint64 auditHead(Workspace &ws)
{
    const QList<AuditEntry> all = AuditLog(ws).list();
    return all.isEmpty() ? 0 : all.last().seq;
}

// The fixture most tests share: two sync flags on (one behind a non-sync base flag), one sync
// flag already off, two non-sync flags; rollouts running, paused and completed; configs in each
// mode; publishing to a temp file.
struct Fixture
{
    std::unique_ptr<Workspace> ws;
    QString published;
    qint64 running = 0, paused = 0, completed = 0;

    Fixture(const QString &location, const QString &path)
    {
        ws = Workspace::open(location);
        published = path;
        FlagStore store(*ws);
        createFlag(store, QStringLiteral("base"), true, 1000);
        createFlag(store, QStringLiteral("sync.sheets"), true, 50, syncTag, {QStringLiteral("base")});
        createFlag(store, QStringLiteral("sync.figma"), true, 250, {QStringLiteral("figma"), QStringLiteral("sync")});
        createFlag(store, QStringLiteral("sync.idle"), false, 0, syncTag);
        createFlag(store, QStringLiteral("ui.theme"), true, 500, {QStringLiteral("ui")});
        running = insertRollout(*ws, QStringLiteral("sync.sheets"), QStringLiteral("running"), 1);
        paused = insertRollout(*ws, QStringLiteral("sync.figma"), QStringLiteral("paused"), 2);
        completed = insertRollout(*ws, QStringLiteral("ui.theme"), QStringLiteral("completed"), 5);
        insertConfig(*ws, QStringLiteral("tokens-sync"), QStringLiteral("sync.sheets"), QStringLiteral("sync"));
        insertConfig(*ws, QStringLiteral("tokens-hybrid"), QStringLiteral("sync.figma"), QStringLiteral("hybrid"));
        insertConfig(*ws, QStringLiteral("tokens-legacy"), QStringLiteral("sync.sheets"), QStringLiteral("legacy"));
        FlagdPublisher(*ws).configure(path, ctx);
    }
};

} // namespace

class TstRollback : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const char *name) const
    {
        return m_dir.filePath(QStringLiteral("%1-%2.json").arg(QString::fromLatin1(name), QString::fromLatin1(QTest::currentDataTag())));
    }

private Q_SLOTS:
    void emergency_data() { test::addEngineColumn(); }
    void emergency()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture fx(location, path("emergency"));
        Workspace &ws = *fx.ws;
        QCOMPARE(published(fx.published, QStringLiteral("sync.sheets")), QStringLiteral("off")); // 5 %: off is the default variant
        QVERIFY(publishedHasTargeting(fx.published, QStringLiteral("sync.sheets")));
        const FlagSnapshot before = FlagStore(ws).snapshot();
        const qint64 head = auditHead(ws);

        const RollbackResult r = RollbackService(ws).emergency(ctx);
        QVERIFY(r.snapshotId > 0);
        QVERIFY2(r.publishError.isEmpty(), qPrintable(r.publishError));
        QCOMPARE(r.flagsTurnedOff, (QStringList{"sync.figma", "sync.sheets"}));
        QCOMPARE(r.rolloutsRolledBack, (QList<qint64>{fx.running, fx.paused}));
        QCOMPARE(r.configsToLegacy, (QStringList{"tokens-hybrid", "tokens-sync"}));

        // exactly the sync flags that were on: off, 0 %, a new version by this actor
        auto other = Workspace::open(location); // what is committed
        const FlagSnapshot after = FlagStore(*other).snapshot();
        for (const QString key : {"sync.sheets", "sync.figma"}) {
            const Flag f = after.flags.value(key);
            QVERIFY(!f.enabled);
            QCOMPARE(f.percentTenths, 0);
            QCOMPARE(f.version, before.flags.value(key).version + 1);
            QCOMPARE(f.updatedBy, ctx.actor);
        }
        for (const QString key : {"base", "ui.theme", "sync.idle"})
            QCOMPARE(after.flags.value(key).toJson(), before.flags.value(key).toJson());
        QVERIFY(!after.killSwitch); // the kill switch is a separate control

        QCOMPARE(rollout(*other, fx.running).state, QStringLiteral("rolled_back"));
        QCOMPARE(rollout(*other, fx.running).version, 2);
        QVERIFY(rollout(*other, fx.running).reason.contains(QStringLiteral("incident 42")));
        QCOMPARE(rollout(*other, fx.paused).state, QStringLiteral("rolled_back"));
        QCOMPARE(rollout(*other, fx.completed).state, QStringLiteral("completed"));
        QCOMPARE(rollout(*other, fx.completed).version, 1);
        QCOMPARE(configMode(*other, QStringLiteral("tokens-sync")), QStringLiteral("legacy"));
        QCOMPARE(configMode(*other, QStringLiteral("tokens-hybrid")), QStringLiteral("legacy"));
        QCOMPARE(count(*other, QStringLiteral("SELECT version FROM sync_configs WHERE name = 'tokens-legacy'")), 1);
        QSqlQuery reason = other->exec(QStringLiteral("SELECT fallback_reason FROM sync_configs WHERE name = 'tokens-sync'"));
        QVERIFY(reason.next() && reason.value(0).toString().contains(QStringLiteral("incident 42")));
        reason.finish();

        // the snapshot: before and after of every sync flag, the rollouts and the configs
        const QList<RollbackSnapshot> snaps = RollbackService(*other).snapshots();
        QCOMPARE(snaps.size(), 1);
        const RollbackSnapshot s = snaps.first();
        QCOMPARE(s.id, r.snapshotId);
        QCOMPARE(s.kind, QStringLiteral("emergency"));
        QCOMPARE(s.reason, ctx.reason);
        QVERIFY(!s.restoredAt.isValid());
        const QJsonObject sheetsBefore = s.before.value("flags").toObject().value("sync.sheets").toObject();
        QCOMPARE(sheetsBefore.value("enabled").toBool(), true);
        QCOMPARE(sheetsBefore.value("percentTenths").toInt(), 50);
        QCOMPARE(s.after.value("flags").toObject().value("sync.sheets").toObject().value("percentTenths").toInt(), 0);
        QCOMPARE(s.before.value("flags").toObject().keys(), (QStringList{"sync.figma", "sync.idle", "sync.sheets"}));
        QCOMPARE(s.before.value("rollouts").toObject().value(QString::number(fx.running)).toObject().value("state").toString(),
                 QStringLiteral("running"));
        QCOMPARE(s.after.value("rollouts").toObject().value(QString::number(fx.paused)).toObject().value("state").toString(),
                 QStringLiteral("rolled_back"));
        QCOMPARE(s.before.value("syncConfigs").toObject().value("tokens-hybrid").toObject().value("mode").toString(), QStringLiteral("hybrid"));
        QCOMPARE(s.after.value("syncConfigs").toObject().value("tokens-hybrid").toObject().value("mode").toString(), QStringLiteral("legacy"));
        QCOMPARE(s.before.value("killSwitch").toBool(), false);

        // audit: one flag.update per flag, then the act; the chain still verifies
        const QList<AuditEntry> entries = auditSince(*other, head);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries[0].action, QStringLiteral("flag.update"));
        QCOMPARE(entries[0].object, QStringLiteral("flag:sync.figma"));
        QVERIFY(entries[0].before.contains(QStringLiteral("\"enabled\":true")));
        QVERIFY(entries[0].after.contains(QStringLiteral("\"enabled\":false")));
        QCOMPARE(entries[0].reason, ctx.reason);
        QCOMPARE(entries[1].object, QStringLiteral("flag:sync.sheets"));
        QCOMPARE(entries[2].action, QStringLiteral("rollback.emergency"));
        QCOMPARE(entries[2].object, QStringLiteral("workspace"));
        QVERIFY(entries[2].after.contains(QStringLiteral("\"snapshotId\":%1").arg(r.snapshotId)));
        QVERIFY(AuditLog(*other).verify().ok);

        // ledger: one manual rollback entry per rollout
        const QList<LedgerEntry> ledger = DecisionLedger(*other).list();
        QCOMPARE(ledger.size(), 2);
        for (const LedgerEntry &e : ledger) {
            QCOMPARE(e.kind, QStringLiteral("rollback"));
            QVERIFY(!e.automatic);
            QCOMPARE(e.evidence.value("snapshotId").toInteger(), r.snapshotId);
        }
        QCOMPARE(ledger[0].rolloutId, fx.running);
        QCOMPARE(ledger[0].flagKey, QStringLiteral("sync.sheets"));

        // the flagd file: every sync flag published off with no targeting; the rest as it was
        for (const QString key : {"sync.sheets", "sync.figma", "sync.idle"}) {
            QCOMPARE(published(fx.published, key), QStringLiteral("off"));
            QVERIFY(!publishedHasTargeting(fx.published, key));
        }
        QCOMPARE(published(fx.published, QStringLiteral("base")), QStringLiteral("on"));
        QVERIFY(publishedHasTargeting(fx.published, QStringLiteral("ui.theme")));
        QVERIFY(FlagdPublisher(*other).status().upToDate);

        // pressing it again: nothing to do, no new snapshot or audit entry
        const qint64 head2 = auditHead(ws);
        const RollbackResult again = RollbackService(ws).emergency(ctx);
        QVERIFY(again.nothingToDo());
        QCOMPARE(again.snapshotId, 0);
        QCOMPARE(RollbackService(ws).snapshots().size(), 1);
        QCOMPARE(auditHead(ws), head2);
    }

    void controllerRollbacksAreAutomatic_data() { test::addEngineColumn(); }
    void controllerRollbacksAreAutomatic()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture fx(location, path("controller"));
        ChangeContext controller = ChangeContext::local(QStringLiteral("controller"), QStringLiteral("guardrail kill"));
        RollbackService(*fx.ws).emergency(controller);
        for (const LedgerEntry &e : DecisionLedger(*fx.ws).list())
            QVERIFY(e.automatic);
    }

    void selective_data() { test::addEngineColumn(); }
    void selective()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture fx(location, path("selective"));
        Workspace &ws = *fx.ws;
        const qint64 head = auditHead(ws);
        const RollbackResult r = RollbackService(ws).selective(QStringLiteral("sync.sheets"), ctx);
        QVERIFY(r.snapshotId > 0);
        QCOMPARE(r.flagsTurnedOff, QStringList{QStringLiteral("sync.sheets")});
        QCOMPARE(r.rolloutsRolledBack, QList<qint64>{fx.running});
        QVERIFY(r.configsToLegacy.isEmpty());

        FlagStore store(ws);
        QVERIFY(!store.get(QStringLiteral("sync.sheets")).enabled);
        QVERIFY(store.get(QStringLiteral("sync.figma")).enabled);
        QCOMPARE(store.get(QStringLiteral("sync.figma")).percentTenths, 250);
        QCOMPARE(rollout(ws, fx.running).state, QStringLiteral("rolled_back"));
        QCOMPARE(rollout(ws, fx.paused).state, QStringLiteral("paused"));
        QCOMPARE(configMode(ws, QStringLiteral("tokens-sync")), QStringLiteral("sync"));
        QCOMPARE(published(fx.published, QStringLiteral("sync.sheets")), QStringLiteral("off"));
        QVERIFY(!publishedHasTargeting(fx.published, QStringLiteral("sync.sheets")));
        QVERIFY(publishedHasTargeting(fx.published, QStringLiteral("sync.figma")));

        const QList<AuditEntry> entries = auditSince(ws, head);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[1].action, QStringLiteral("rollback.selective"));
        QCOMPARE(entries[1].object, QStringLiteral("flag:sync.sheets"));
        const RollbackSnapshot s = RollbackService(ws).snapshots().first();
        QCOMPARE(s.kind, QStringLiteral("selective"));
        QCOMPARE(s.before.value("flags").toObject().keys(), QStringList{QStringLiteral("sync.sheets")});

        // a non-sync flag can be rolled back on its own too
        QCOMPARE(RollbackService(ws).selective(QStringLiteral("ui.theme"), ctx).flagsTurnedOff, QStringList{QStringLiteral("ui.theme")});
        // already off: nothing to do
        QVERIFY(RollbackService(ws).selective(QStringLiteral("sync.idle"), ctx).nothingToDo());
        // unknown flag: invalid input, nothing changed
        const qint64 head2 = auditHead(ws);
        try {
            RollbackService(ws).selective(QStringLiteral("ghost"), ctx);
            QFAIL("an unknown flag was rolled back");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY(e.message().contains(QStringLiteral("ghost")));
        }
        QCOMPARE(auditHead(ws), head2);
        QVERIFY(AuditLog(ws).verify().ok);
    }

    void gradualGoesDependentsFirst_data() { test::addEngineColumn(); }
    void gradualGoesDependentsFirst()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        const QString file = path("gradual");
        FlagStore store(*ws);
        // a <- b <- c (c requires b requires a), d independent, e not sync
        createFlag(store, QStringLiteral("a"), true, 1000, syncTag);
        createFlag(store, QStringLiteral("b"), true, 1000, syncTag, {QStringLiteral("a")});
        createFlag(store, QStringLiteral("c"), true, 500, syncTag, {QStringLiteral("b")});
        createFlag(store, QStringLiteral("d"), true, 100, syncTag);
        createFlag(store, QStringLiteral("e"), true, 1000, {}, {QStringLiteral("a")});
        const qint64 rolloutB = insertRollout(*ws, QStringLiteral("b"), QStringLiteral("running"), 3);
        insertConfig(*ws, QStringLiteral("cfg-b"), QStringLiteral("b"), QStringLiteral("sync"));
        insertConfig(*ws, QStringLiteral("cfg-none"), QString(), QStringLiteral("hybrid"));
        FlagdPublisher(*ws).configure(file, ctx);

        auto observer = Workspace::open(location);
        QList<qint64> delays;
        QStringList observed; // committed flag states and the published file, between steps
        QStringList stepsSeen;
        const auto look = [&] {
            QString line;
            for (const Flag &f : FlagStore(*observer).flags())
                line += QStringLiteral("%1=%2%3 ").arg(f.key, f.enabled ? QStringLiteral("on") : QStringLiteral("off"),
                                                       published(file, f.key) == QLatin1String("off") && !publishedHasTargeting(file, f.key)
                                                           ? QStringLiteral("/off")
                                                           : QStringLiteral("/live"));
            line += QStringLiteral("rollout=") + rollout(*observer, rolloutB).state;
            line += QStringLiteral(" cfg-b=") + configMode(*observer, QStringLiteral("cfg-b"));
            line += QStringLiteral(" cfg-none=") + configMode(*observer, QStringLiteral("cfg-none"));
            observed << line;
        };
        RollbackService service(*ws);
        service.setStepObserver([&](const GradualStep &g) {
            stepsSeen << QStringLiteral("%1/%2:%3").arg(g.index).arg(g.count).arg(g.flagKey);
        });
        const RollbackResult r = service.gradual(2000, ctx, [&](qint64 ms) {
            delays << ms;
            look();
        });
        look();

        QCOMPARE(stepsSeen, (QStringList{"1/5:c", "2/5:d", "3/5:b", "4/5:a", "5/5:"}));
        QCOMPARE(delays, (QList<qint64>{2000, 2000, 2000, 2000}));
        QCOMPARE(r.flagsTurnedOff, (QStringList{"c", "d", "b", "a"}));
        QCOMPARE(r.rolloutsRolledBack, QList<qint64>{rolloutB});
        QCOMPARE(r.configsToLegacy, (QStringList{"cfg-b", "cfg-none"}));
        // "e" is not sync: untouched, but published off once its prerequisite a is off
        QCOMPARE(observed, (QStringList{
            "a=on/live b=on/live c=off/off d=on/live e=on/live rollout=running cfg-b=sync cfg-none=hybrid",
            "a=on/live b=on/live c=off/off d=off/off e=on/live rollout=running cfg-b=sync cfg-none=hybrid",
            "a=on/live b=off/off c=off/off d=off/off e=on/live rollout=rolled_back cfg-b=legacy cfg-none=hybrid",
            "a=off/off b=off/off c=off/off d=off/off e=on/off rollout=rolled_back cfg-b=legacy cfg-none=hybrid",
            "a=off/off b=off/off c=off/off d=off/off e=on/off rollout=rolled_back cfg-b=legacy cfg-none=legacy",
        }));

        // one snapshot for the whole act, its after-state the final state
        const QList<RollbackSnapshot> snaps = service.snapshots();
        QCOMPARE(snaps.size(), 1);
        QCOMPARE(snaps.first().kind, QStringLiteral("gradual"));
        for (const QString key : {"a", "b", "c", "d"}) {
            QCOMPARE(snaps.first().before.value("flags").toObject().value(key).toObject().value("enabled").toBool(), true);
            QCOMPARE(snaps.first().after.value("flags").toObject().value(key).toObject().value("enabled").toBool(), false);
        }
        AuditFilter rollbacks;
        rollbacks.action = QStringLiteral("rollback.*");
        const QList<AuditEntry> acts = AuditLog(*ws).list(rollbacks);
        QCOMPARE(acts.size(), 1);
        QCOMPARE(acts.first().action, QStringLiteral("rollback.gradual"));
        QVERIFY(acts.first().after.contains(QStringLiteral("\"order\":[\"c\",\"d\",\"b\",\"a\",\"\"]")));
        QVERIFY(AuditLog(*ws).verify().ok);

        // and it restores like any other rollback
        const RollbackSnapshot restored = service.restore(0, ctx);
        QCOMPARE(restored.restoredFlags.size(), 4);
        QVERIFY(FlagStore(*ws).get(QStringLiteral("c")).enabled);
        QCOMPARE(rollout(*ws, rolloutB).state, QStringLiteral("running"));
        QCOMPARE(configMode(*ws, QStringLiteral("cfg-none")), QStringLiteral("hybrid"));
    }

    void restoreBringsBackTheStateBefore_data() { test::addEngineColumn(); }
    void restoreBringsBackTheStateBefore()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture fx(location, path("restore"));
        Workspace &ws = *fx.ws;
        const QJsonObject fileBefore = evaluationPart(fx.published);
        const FlagSnapshot before = FlagStore(ws).snapshot();
        const RolloutNow runningBefore = rollout(ws, fx.running);
        const RollbackResult r = RollbackService(ws).emergency(ctx);
        QVERIFY(evaluationPart(fx.published) != fileBefore);

        const QString restoreStarted = toStoredTime(Clock::current().now());
        const qint64 head = auditHead(ws);
        const RollbackSnapshot s = RollbackService(ws).restore(0, ctx); // the newest not yet restored
        QCOMPARE(s.id, r.snapshotId);
        QVERIFY(s.restoredAt.isValid());
        QCOMPARE(s.restoredFlags, (QStringList{"sync.figma", "sync.sheets"}));
        QCOMPARE(s.restoredRollouts, (QList<qint64>{fx.running, fx.paused}));
        QCOMPARE(s.restoredConfigs, (QStringList{"tokens-hybrid", "tokens-sync"}));

        auto other = Workspace::open(location);
        const FlagSnapshot after = FlagStore(*other).snapshot();
        for (const Flag &f : before.flags) {
            QCOMPARE(after.flags.value(f.key).enabled, f.enabled);
            QCOMPARE(after.flags.value(f.key).percentTenths, f.percentTenths);
        }
        QCOMPARE(after.flags.value("sync.sheets").version, before.flags.value("sync.sheets").version + 2);
        const RolloutNow running = rollout(*other, fx.running);
        QCOMPARE(running.state, QStringLiteral("running"));
        QCOMPARE(running.phase, 1);
        QVERIFY2(running.phaseStartedAt >= restoreStarted && running.phaseStartedAt != runningBefore.phaseStartedAt,
                 qPrintable(running.phaseStartedAt)); // its hold time starts again
        QCOMPARE(rollout(*other, fx.paused).state, QStringLiteral("paused"));
        QCOMPARE(rollout(*other, fx.paused).phase, 2);
        QCOMPARE(rollout(*other, fx.completed).state, QStringLiteral("completed"));
        QCOMPARE(configMode(*other, QStringLiteral("tokens-sync")), QStringLiteral("sync"));
        QCOMPARE(configMode(*other, QStringLiteral("tokens-hybrid")), QStringLiteral("hybrid"));
        QCOMPARE(configMode(*other, QStringLiteral("tokens-legacy")), QStringLiteral("legacy"));
        QCOMPARE(evaluationPart(fx.published), fileBefore); // the flag file evaluates as before the rollback
        QVERIFY(FlagdPublisher(*other).status().upToDate);
        QVERIFY(RollbackService(*other).snapshots().first().restoredAt.isValid());

        const QList<AuditEntry> entries = auditSince(*other, head);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.last().action, QStringLiteral("rollback.restore"));
        QVERIFY(AuditLog(*other).verify().ok);
        int restores = 0;
        for (const LedgerEntry &e : DecisionLedger(*other).list())
            restores += e.kind == QLatin1String("restore");
        QCOMPARE(restores, 2);

        // once only; and with nothing left, the default restore says so
        const auto kindOf = [&](qint64 id) {
            try {
                RollbackService(ws).restore(id, ctx);
            } catch (const Error &e) {
                return e.kind();
            }
            return ErrorKind(0);
        };
        QCOMPARE(kindOf(r.snapshotId), ErrorKind::Conflict);
        QCOMPARE(kindOf(0), ErrorKind::InvalidInput);
        QCOMPARE(kindOf(999), ErrorKind::InvalidInput);
    }

    void restoreRefusesAfterAChange_data() { test::addEngineColumn(); }
    void restoreRefusesAfterAChange()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        Fixture fx(location, path("conflict"));
        Workspace &ws = *fx.ws;
        const RollbackResult r = RollbackService(ws).emergency(ctx);
        FlagPatch p;
        p.percentTenths = 400;
        FlagStore(ws).update(QStringLiteral("sync.sheets"), p, ctx);
        FlagPatch on;
        on.enabled = true;
        FlagStore(ws).update(QStringLiteral("sync.idle"), on, ctx);
        ws.write([&] { ws.exec(QStringLiteral("UPDATE sync_configs SET mode = 'hybrid' WHERE name = 'tokens-sync'")); });
        // a new rollout for a flag whose rolled-back rollout would come back
        insertRollout(ws, QStringLiteral("sync.figma"), QStringLiteral("draft"), 0);

        const QStringList diffs = RollbackService(ws).differences(r.snapshotId);
        QVERIFY2(diffs.contains(QStringLiteral("flag sync.sheets: now 40 %, was 0 % right after the rollback")), qPrintable(diffs.join('\n')));
        QVERIFY2(diffs.contains(QStringLiteral("flag sync.idle: now on, was off right after the rollback")), qPrintable(diffs.join('\n')));
        QVERIFY2(diffs.contains(QStringLiteral("sync config tokens-sync: now hybrid, was legacy right after the rollback")),
                 qPrintable(diffs.join('\n')));
        QCOMPARE(diffs.size(), 4);

        const FlagSnapshot before = FlagStore(ws).snapshot();
        const QByteArray fileBefore = test::readFile(fx.published);
        const qint64 head = auditHead(ws);
        const qint64 decisions = DecisionLedger(ws).list().size();
        try {
            RollbackService(ws).restore(0, ctx);
            QFAIL("restore went ahead over a newer change");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Conflict);
            QVERIFY2(e.message().contains(QStringLiteral("flag sync.sheets: now 40 %, was 0 % right after the rollback")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QStringLiteral("rollout")), qPrintable(e.message()));
        }
        // nothing changed
        const FlagSnapshot after = FlagStore(ws).snapshot();
        for (const Flag &f : before.flags)
            QCOMPARE(after.flags.value(f.key).toJson(), f.toJson());
        QCOMPARE(after.revision, before.revision);
        QCOMPARE(rollout(ws, fx.running).state, QStringLiteral("rolled_back"));
        QCOMPARE(configMode(ws, QStringLiteral("tokens-hybrid")), QStringLiteral("legacy"));
        QCOMPARE(test::readFile(fx.published), fileBefore);
        QCOMPARE(auditHead(ws), head);
        QCOMPARE(DecisionLedger(ws).list().size(), decisions);
        QVERIFY(!RollbackService(ws).snapshots().first().restoredAt.isValid());
        QVERIFY(AuditLog(ws).verify().ok);
    }

    void nothingToRollBack_data() { test::addEngineColumn(); }
    void nothingToRollBack()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        FlagStore store(*ws);
        createFlag(store, QStringLiteral("ui.theme"), true, 1000);
        createFlag(store, QStringLiteral("sync.off"), false, 0, syncTag);
        const qint64 head = auditHead(*ws);
        RollbackService service(*ws);
        QVERIFY(service.emergency(ctx).nothingToDo());
        QVERIFY(service.gradual(0, ctx, [](qint64) { QFAIL("no step, no delay"); }).nothingToDo());
        QCOMPARE(service.emergency(ctx).snapshotId, 0);
        QVERIFY(service.snapshots().isEmpty());
        QCOMPARE(auditHead(*ws), head);
        QVERIFY(store.get(QStringLiteral("ui.theme")).enabled);
    }

    void cli_data() { test::addEngineColumn(); }
    void cli()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        const QString file = path("cli");
        for (const QStringList &args : QList<QStringList>{
                 {"init"},
                 {"flag", "create", "sync.sheets", "--tag", "sync", "--on", "--percent", "5"},
                 {"flag", "create", "sync.figma", "--tag", "sync", "--on", "--requires", "sync.sheets"},
                 {"publish", "flagd", file}}) {
            const auto r = runCli(location, args);
            QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        }
        // --reason is required; one of --all / KEY / --gradual
        auto r = runCli(location, {"rollback", "--all"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.text().contains(QStringLiteral("--reason")), qPrintable(r.text()));
        QCOMPARE(runCli(location, {"rollback", "--reason", "x"}).exitCode, 2);
        QCOMPARE(runCli(location, {"rollback", "--all", "sync.sheets", "--reason", "x"}).exitCode, 2);
        QCOMPARE(runCli(location, {"rollback", "--all", "--step-delay", "1s", "--reason", "x"}).exitCode, 2);
        r = runCli(location, {"rollback", "--gradual", "--step-delay", "2 parsecs", "--reason", "x"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(QStringLiteral("2 parsecs")), qPrintable(r.text()));
        r = runCli(location, {"rollback", "ghost", "--reason", "x"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(RollbackService(*Workspace::open(location)).snapshots().isEmpty());

        r = runCli(location, {"rollback", "--all", "--reason", "sheets API down"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY2(r.text().contains(QStringLiteral("2 flags off (sync.figma, sync.sheets)")), qPrintable(r.text()));
        QVERIFY2(r.text().contains(QStringLiteral("Restore with: syncpilot-cli restore 1")), qPrintable(r.text()));
        QCOMPARE(published(file, QStringLiteral("sync.sheets")), QStringLiteral("off"));
        QVERIFY(!publishedHasTargeting(file, QStringLiteral("sync.sheets")));
        r = runCli(location, {"rollback", "--all", "--reason", "again"});
        QVERIFY2(r.exitCode == 0 && r.text().contains(QStringLiteral("Nothing to roll back")), qPrintable(r.text()));

        r = runCli(location, {"--json", "snapshot", "list"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray snaps = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(snaps.size(), 1);
        QCOMPARE(snaps[0].toObject().value("kind").toString(), QStringLiteral("emergency"));
        QCOMPARE(snaps[0].toObject().value("reason").toString(), QStringLiteral("sheets API down"));
        QVERIFY(runCli(location, {"snapshot", "list"}).text().contains(QStringLiteral("not restored")));

        // someone changes a flag: restore refuses with exit 4 and says what changed
        QCOMPARE(runCli(location, {"flag", "set", "sync.sheets", "--percent", "40"}).exitCode, 0);
        r = runCli(location, {"restore"});
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(r.text().contains(QStringLiteral("flag sync.sheets: now 40 %, was 0 % right after the rollback")), qPrintable(r.text()));
        r = runCli(location, {"--json", "restore", "1"});
        QCOMPARE(r.exitCode, 4);
        const QJsonObject err = QJsonDocument::fromJson(r.err).object().value("error").toObject();
        QCOMPARE(err.value("kind").toString(), QStringLiteral("conflict"));
        QCOMPARE(err.value("differences").toArray().size(), 1);
        QCOMPARE(runCli(location, {"restore", "one"}).exitCode, 3);

        QCOMPARE(runCli(location, {"flag", "set", "sync.sheets", "--percent", "0"}).exitCode, 0);
        r = runCli(location, {"--json", "restore"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("restoredFlags").toArray().size(), 2);
        QCOMPARE(publishedHasTargeting(file, QStringLiteral("sync.sheets")), true);

        // selective and gradual, with --json and with steps printed as they happen
        r = runCli(location, {"--json", "rollback", "sync.figma", "--reason", "figma 429s"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const QJsonObject sel = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(sel.value("kind").toString(), QStringLiteral("selective"));
        QCOMPARE(sel.value("flagsTurnedOff").toArray().size(), 1);
        QCOMPARE(sel.value("restoreCommand").toString(), QStringLiteral("syncpilot-cli restore %1").arg(sel.value("snapshotId").toInteger()));
        QCOMPARE(runCli(location, {"restore"}).exitCode, 0);
        r = runCli(location, {"rollback", "--gradual", "--step-delay", "10ms", "--reason", "slow down"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY2(r.text().contains(QStringLiteral("Step 1/2: sync.figma off")) && r.text().contains(QStringLiteral("Step 2/2: sync.sheets off")),
                 qPrintable(r.text()));
        QVERIFY(r.text().indexOf(QStringLiteral("Step 1/2")) < r.text().indexOf(QStringLiteral("Step 2/2")));
        QVERIFY(r.text().contains(QStringLiteral("Restore with: syncpilot-cli restore")));

        r = runCli(location, {"audit", "verify"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
    }
};

QTEST_GUILESS_MAIN(TstRollback)
#include "tst_rollback.moc"
