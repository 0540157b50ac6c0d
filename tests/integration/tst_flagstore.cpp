#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QTest>

using namespace sp;

namespace {

const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"), QStringLiteral("because"));

FlagDraft draft(const QString &key, bool on = false, int tenths = 0, QStringList prereqs = {})
{
    FlagDraft d;
    d.key = key;
    d.enabled = on;
    d.percentTenths = tenths;
    d.prerequisites = std::move(prereqs);
    return d;
}

ErrorKind kindOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return e.kind();
    }
    return ErrorKind(0);
}

qint64 auditCount(Workspace &ws) { return AuditLog(ws).list().size(); }

} // namespace

class TstFlagStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void createAndReadBack_data() { test::addEngineColumn(); }
    void createAndReadBack()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        FlagStore store(*ws);
        Segment beta;
        beta.name = QStringLiteral("beta");
        beta.keys = {QStringLiteral("bob"), QStringLiteral("alice"), QStringLiteral("bob")};
        beta.rules = {FlagRules::parseRule(QStringLiteral("plan in pro,team"))};
        store.createSegment(beta, ctx);
        store.create(draft(QStringLiteral("base"), true, 1000), ctx);
        FlagDraft d = draft(QStringLiteral("sync.figma"), true, 333, {QStringLiteral("base")});
        d.description = QStringLiteral("Figma variables sync — ünïcode");
        d.tags = {QStringLiteral("sync"), QStringLiteral("figma")};
        d.includeSegments = {QStringLiteral("beta")};
        store.create(d, ctx);

        // read through a second connection: what is committed, not what is cached
        auto other = Workspace::open(location);
        const Flag f = FlagStore(*other).get(QStringLiteral("sync.figma"));
        QCOMPARE(f.description, d.description);
        QCOMPARE(f.tags, (QStringList{"figma", "sync"}));
        QCOMPARE(f.percentTenths, 333);
        QVERIFY(f.enabled);
        QCOMPARE(f.prerequisites, QStringList{QStringLiteral("base")});
        QCOMPARE(f.includeSegments, QStringList{QStringLiteral("beta")});
        QCOMPARE(f.version, 1);
        QCOMPARE(f.updatedBy, ctx.actor);
        const Segment s = FlagStore(*other).snapshot().segments.value(QStringLiteral("beta"));
        QCOMPARE(s.keys, (QStringList{"alice", "bob"}));
        QCOMPARE(s.rules.size(), 1);
        QCOMPARE(s.rules.first().values, (QStringList{"pro", "team"}));

        const AuditEntry last = AuditLog(*other).list().last();
        QCOMPARE(last.action, QStringLiteral("flag.create"));
        QCOMPARE(last.object, QStringLiteral("flag:sync.figma"));
        QCOMPARE(last.reason, QStringLiteral("because"));
        QCOMPARE(last.source, QStringLiteral("test"));
        QCOMPARE(last.before, QStringLiteral("null"));
        QVERIFY(last.after.contains(QStringLiteral("\"percent\":33.3")));
    }

    void updateBumpsVersionAndAudits_data() { test::addEngineColumn(); }
    void updateBumpsVersionAndAudits()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        FlagStore store(*ws);
        store.create(draft(QStringLiteral("ramp")), ctx);
        FlagPatch p;
        p.enabled = true;
        p.percentTenths = 50;
        const Flag f = store.update(QStringLiteral("ramp"), p, ctx);
        QCOMPARE(f.version, 2);
        const AuditEntry e = AuditLog(*ws).list().last();
        QCOMPARE(e.action, QStringLiteral("flag.update"));
        QVERIFY(e.before.contains(QStringLiteral("\"enabled\":false")));
        QVERIFY(e.after.contains(QStringLiteral("\"enabled\":true")));
        QVERIFY(e.after.contains(QStringLiteral("\"percent\":5")));

        // the same values again: no new version, no audit entry
        const qint64 entries = auditCount(*ws);
        QCOMPARE(store.update(QStringLiteral("ramp"), p, ctx).version, 2);
        QCOMPARE(auditCount(*ws), entries);
    }

    void staleVersionIsAConflict_data() { test::addEngineColumn(); }
    void staleVersionIsAConflict()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto mine = Workspace::open(location);
        auto theirs = Workspace::open(location);
        FlagStore(*mine).create(draft(QStringLiteral("shared")), ctx);
        const Flag seen = FlagStore(*mine).get(QStringLiteral("shared"));

        FlagPatch their;
        their.percentTenths = 100;
        FlagStore(*theirs).update(QStringLiteral("shared"), their, ctx);

        FlagPatch my;
        my.enabled = true;
        my.expectedVersion = seen.version;
        const qint64 entries = auditCount(*mine);
        try {
            FlagStore(*mine).update(QStringLiteral("shared"), my, ctx);
            QFAIL("a stale edit overwrote a newer version");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Conflict);
            QVERIFY2(e.message().contains(QStringLiteral("version 2")) && e.message().contains(QStringLiteral("version 1")),
                     qPrintable(e.message()));
        }
        const Flag now = FlagStore(*mine).get(QStringLiteral("shared"));
        QCOMPARE(now.percentTenths, 100); // their update survived
        QVERIFY(!now.enabled);
        QCOMPARE(auditCount(*mine), entries);
    }

    void invalidChangesChangeNothing_data() { test::addEngineColumn(); }
    void invalidChangesChangeNothing()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        FlagStore store(*ws);
        store.create(draft(QStringLiteral("a"), true, 1000), ctx);
        store.create(draft(QStringLiteral("b"), true, 1000, {QStringLiteral("a")}), ctx);
        store.create(draft(QStringLiteral("c"), true, 1000, {QStringLiteral("b")}), ctx);
        const FlagSnapshot before = store.snapshot();
        const qint64 entries = auditCount(*ws);

        FlagPatch cycle;
        cycle.prerequisites = QStringList{QStringLiteral("c")};
        QCOMPARE(kindOf([&] { store.update(QStringLiteral("a"), cycle, ctx); }), ErrorKind::InvalidInput);
        FlagPatch self;
        self.prerequisites = QStringList{QStringLiteral("a")};
        QCOMPARE(kindOf([&] { store.update(QStringLiteral("a"), self, ctx); }), ErrorKind::InvalidInput);
        QCOMPARE(kindOf([&] { store.create(draft(QStringLiteral("d"), true, 0, {QStringLiteral("ghost")}), ctx); }), ErrorKind::InvalidInput);
        QCOMPARE(kindOf([&] { store.create(draft(QStringLiteral("a")), ctx); }), ErrorKind::Conflict);
        QCOMPARE(kindOf([&] { store.create(draft(QStringLiteral("Bad Key")), ctx); }), ErrorKind::InvalidInput);
        QCOMPARE(kindOf([&] { store.create(draft(QStringLiteral("e"), true, 1001), ctx); }), ErrorKind::InvalidInput);
        FlagDraft seg = draft(QStringLiteral("f"));
        seg.includeSegments = {QStringLiteral("nobody")};
        QCOMPARE(kindOf([&] { store.create(seg, ctx); }), ErrorKind::InvalidInput);
        FlagPatch on;
        on.enabled = true;
        QCOMPARE(kindOf([&] { store.update(QStringLiteral("zzz"), on, ctx); }), ErrorKind::InvalidInput);

        const FlagSnapshot after = store.snapshot();
        QCOMPARE(after.flags.keys(), before.flags.keys());
        for (const Flag &f : before.flags)
            QCOMPARE(after.flags.value(f.key).toJson(), f.toJson());
        QCOMPARE(after.revision, before.revision);
        QCOMPARE(auditCount(*ws), entries);
    }

    void killSwitch_data() { test::addEngineColumn(); }
    void killSwitch()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        FlagStore store(*ws);
        FlagDraft s = draft(QStringLiteral("sync.sheets"), true, 1000);
        s.tags = {QStringLiteral("sync")};
        store.create(s, ctx);
        store.create(draft(QStringLiteral("ui.theme"), true, 1000), ctx);
        store.setKillSwitch(true, ctx);
        QVERIFY(store.killSwitch());
        const Evaluator e(store.snapshot());
        QCOMPARE(e.evaluate(QStringLiteral("sync.sheets"), EvalContext{"k", nullptr}).reason, EvalReason::KillSwitch);
        QVERIFY(e.evaluate(QStringLiteral("ui.theme"), EvalContext{"k", nullptr}).on);
        QCOMPARE(AuditLog(*ws).list().last().action, QStringLiteral("killswitch.on"));
        store.setKillSwitch(false, ctx);
        QVERIFY(Evaluator(store.snapshot()).evaluate(QStringLiteral("sync.sheets"), EvalContext{"k", nullptr}).on);
    }
};

QTEST_GUILESS_MAIN(TstFlagStore)
#include "tst_flagstore.moc"
