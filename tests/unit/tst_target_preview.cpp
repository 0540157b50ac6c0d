// TargetPreview: which targets a flag knows (sync config targets + segment keys, deduplicated) and
// how many of them change side under a proposed state / percentage, checked against the real
// Evaluator key by key, on snapshots and on a real workspace.

#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "flags/TargetPreview.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sp;

namespace {

Flag makeFlag(const QString &key, bool on, int percent)
{
    Flag f;
    f.key = key;
    f.enabled = on;
    f.percentTenths = percent;
    f.version = 1;
    return f;
}

QStringList numberedKeys(const QString &prefix, int n)
{
    QStringList keys;
    for (int i = 0; i < n; ++i)
        keys << QStringLiteral("%1-%2").arg(prefix).arg(i, 4, 10, QLatin1Char('0'));
    return keys;
}

// The independent count: evaluate every key before and after with two Evaluators.
SidePreview bruteForce(const FlagSnapshot &before, const QString &flagKey, bool on, int percent, const QStringList &keys)
{
    FlagSnapshot after = before;
    after.flags[flagKey].enabled = on;
    after.flags[flagKey].percentTenths = percent;
    const Evaluator a(before);
    const Evaluator b(after);
    const Attributes none;
    SidePreview p;
    p.known = int(keys.size());
    for (const QString &k : keys) {
        const std::string key = k.toStdString();
        const bool was = a.evaluate(flagKey, EvalContext{key, &none}).on;
        const bool now = b.evaluate(flagKey, EvalContext{key, &none}).on;
        p.turnOn += now && !was;
        p.turnOff += was && !now;
    }
    return p;
}

} // namespace

class TstTargetPreview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownTargetsAreConfigTargetsAndSegmentKeys();
    void splitMatchesEvaluator_data();
    void splitMatchesEvaluator();
    void switchingOffTurnsEveryOnTargetOff();
    void killSwitchAndPrerequisiteHoldTargetsOff();
    void segmentsOverrideTheSplit();
    void unchangedProposalChangesNothing();
    void unknownFlagIsInvalid();
    void readsWorkspace();
};

void TstTargetPreview::knownTargetsAreConfigTargetsAndSegmentKeys()
{
    FlagSnapshot s;
    s.flags.insert(QStringLiteral("sync.a"), makeFlag(QStringLiteral("sync.a"), true, 0));
    Segment seg;
    seg.name = QStringLiteral("team");
    seg.keys = {QStringLiteral("app-02"), QStringLiteral("zed")};
    s.segments.insert(seg.name, seg);
    SyncConfig mine;
    mine.name = QStringLiteral("mine");
    mine.flagKey = QStringLiteral("sync.a");
    for (const char *id : {"app-01", "app-02", "app-03"}) {
        SyncTargetSpec t;
        t.id = QString::fromLatin1(id);
        mine.targets << t;
    }
    SyncConfig other = mine;
    other.name = QStringLiteral("other");
    other.flagKey = QStringLiteral("sync.b");
    other.targets.first().id = QStringLiteral("not-mine");

    QCOMPARE(TargetPreview::knownTargets(s, {mine, other}, QStringLiteral("sync.a")),
             (QStringList{QStringLiteral("app-01"), QStringLiteral("app-02"), QStringLiteral("app-03"), QStringLiteral("zed")}));
    // A flag without configs still knows the segments' keys.
    QCOMPARE(TargetPreview::knownTargets(s, {mine, other}, QStringLiteral("sync.c")),
             (QStringList{QStringLiteral("app-02"), QStringLiteral("zed")}));
}

void TstTargetPreview::splitMatchesEvaluator_data()
{
    QTest::addColumn<bool>("onBefore");
    QTest::addColumn<int>("before");
    QTest::addColumn<bool>("onAfter");
    QTest::addColumn<int>("after");
    QTest::newRow("0 -> 50 %") << true << 0 << true << 500;
    QTest::newRow("50 -> 12.5 %") << true << 500 << true << 125;
    QTest::newRow("33.3 -> 33.4 %") << true << 333 << true << 334;
    QTest::newRow("off 80 -> on 80 %") << false << 800 << true << 800;
    QTest::newRow("on 20 -> off 100 %") << true << 200 << false << 1000;
    QTest::newRow("100 -> 0 %") << true << 1000 << true << 0;
}

void TstTargetPreview::splitMatchesEvaluator()
{
    QFETCH(bool, onBefore);
    QFETCH(int, before);
    QFETCH(bool, onAfter);
    QFETCH(int, after);
    FlagSnapshot s;
    s.flags.insert(QStringLiteral("ramp"), makeFlag(QStringLiteral("ramp"), onBefore, before));
    const QStringList keys = numberedKeys(QStringLiteral("user"), 2000);
    const TargetPreview preview(s, keys, QStringLiteral("ramp"));
    QVERIFY(preview.isValid());
    const SidePreview got = preview.preview(onAfter, after);
    const SidePreview expected = bruteForce(s, QStringLiteral("ramp"), onAfter, after, keys);
    QCOMPARE(got.known, 2000);
    QCOMPARE(got.turnOn, expected.turnOn);
    QCOMPARE(got.turnOff, expected.turnOff);
    QVERIFY(got.changing() > 0); // 2000 keys always straddle these bucket boundaries
    if (onBefore && onAfter && after > before)
        QCOMPARE(got.turnOff, 0); // raising a percentage only adds keys
}

void TstTargetPreview::switchingOffTurnsEveryOnTargetOff()
{
    FlagSnapshot s;
    s.flags.insert(QStringLiteral("ramp"), makeFlag(QStringLiteral("ramp"), true, 1000));
    const QStringList keys = numberedKeys(QStringLiteral("k"), 40);
    const SidePreview p = TargetPreview(s, keys, QStringLiteral("ramp")).preview(false, std::nullopt);
    QCOMPARE(p, (SidePreview{40, 0, 40}));
}

void TstTargetPreview::killSwitchAndPrerequisiteHoldTargetsOff()
{
    const QStringList keys = numberedKeys(QStringLiteral("k"), 100);
    FlagSnapshot s;
    Flag sync = makeFlag(QStringLiteral("sync.flag"), true, 0);
    sync.tags = {QStringLiteral("sync")};
    s.flags.insert(sync.key, sync);
    s.killSwitch = true;
    QCOMPARE(TargetPreview(s, keys, sync.key).preview(std::nullopt, 1000), (SidePreview{100, 0, 0}));

    FlagSnapshot p;
    p.flags.insert(QStringLiteral("base"), makeFlag(QStringLiteral("base"), false, 1000));
    Flag child = makeFlag(QStringLiteral("child"), true, 0);
    child.prerequisites = {QStringLiteral("base")};
    p.flags.insert(child.key, child);
    QCOMPARE(TargetPreview(p, keys, child.key).preview(std::nullopt, 1000), (SidePreview{100, 0, 0}));
    // With the prerequisite on everywhere, the same ramp moves every key.
    p.flags[QStringLiteral("base")].enabled = true;
    QCOMPARE(TargetPreview(p, keys, child.key).preview(std::nullopt, 1000), (SidePreview{100, 100, 0}));
}

void TstTargetPreview::segmentsOverrideTheSplit()
{
    FlagSnapshot s;
    Segment in;
    in.name = QStringLiteral("insiders");
    in.keys = numberedKeys(QStringLiteral("in"), 10);
    Segment out;
    out.name = QStringLiteral("blocked");
    out.keys = numberedKeys(QStringLiteral("out"), 5);
    s.segments.insert(in.name, in);
    s.segments.insert(out.name, out);
    Flag f = makeFlag(QStringLiteral("seg"), true, 0);
    f.includeSegments = {in.name};
    f.excludeSegments = {out.name};
    s.flags.insert(f.key, f);
    const QStringList keys = TargetPreview::knownTargets(s, {}, f.key);
    QCOMPARE(keys.size(), 15);
    // Insiders are on already, blocked keys stay off: 0 -> 100 % moves nobody.
    QCOMPARE(TargetPreview(s, keys, f.key).preview(std::nullopt, 1000), (SidePreview{15, 0, 0}));
    // Switching the flag off turns the insiders off.
    QCOMPARE(TargetPreview(s, keys, f.key).preview(false, std::nullopt), (SidePreview{15, 0, 10}));
}

void TstTargetPreview::unchangedProposalChangesNothing()
{
    FlagSnapshot s;
    s.flags.insert(QStringLiteral("ramp"), makeFlag(QStringLiteral("ramp"), true, 420));
    const TargetPreview preview(s, numberedKeys(QStringLiteral("k"), 50), QStringLiteral("ramp"));
    QCOMPARE(preview.preview(std::nullopt, std::nullopt), (SidePreview{50, 0, 0}));
    QCOMPARE(preview.preview(true, 420), (SidePreview{50, 0, 0}));
    // Out of range is clamped, not an error.
    QCOMPARE(preview.preview(true, 5000), preview.preview(true, 1000));
}

void TstTargetPreview::unknownFlagIsInvalid()
{
    FlagSnapshot s;
    const TargetPreview preview(s, {QStringLiteral("a")}, QStringLiteral("gone"));
    QVERIFY(!preview.isValid());
    QCOMPARE(preview.preview(true, 1000), SidePreview{});
}

void TstTargetPreview::readsWorkspace()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto ws = Workspace::open(dir.filePath(QStringLiteral("preview.sqlite")));
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"));
    FlagStore store(*ws);
    FlagDraft draft;
    draft.key = QStringLiteral("tokens.sync");
    draft.enabled = true;
    draft.percentTenths = 100;
    store.create(draft, ctx);
    Segment seg;
    seg.name = QStringLiteral("dev-team");
    seg.keys = {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("target-03")}; // target-03 is also a config target
    store.createSegment(seg, ctx);

    SyncConfig config;
    config.name = QStringLiteral("tokens");
    config.flagKey = draft.key;
    config.mode = SyncMode::Hybrid;
    config.source.kind = SourceSpec::Kind::Csv;
    config.source.path = dir.filePath(QStringLiteral("tokens.csv"));
    for (int i = 0; i < 30; ++i)
        config.targets << SyncTargetSpec::fromText(QStringLiteral("target-%1=dtcg:%2").arg(i, 2, 10, QLatin1Char('0'))
                                                       .arg(dir.filePath(QStringLiteral("t%1.json").arg(i))),
                                                   QStringLiteral("test"));
    SyncConfigStore(*ws).add(config, ctx);

    const TargetPreview loaded = TargetPreview::load(*ws, draft.key);
    QVERIFY(loaded.isValid());
    QCOMPARE(loaded.targets().size(), 32); // 30 targets + alice + bob, target-03 once
    const SidePreview got = TargetPreview::preview(*ws, draft.key, std::nullopt, 735);
    QCOMPARE(got, bruteForce(store.snapshot(), draft.key, true, 735, loaded.targets()));
    QCOMPARE(got.turnOff, 0);
    QVERIFY(got.turnOn > 0);
}

QTEST_GUILESS_MAIN(TstTargetPreview)
#include "tst_target_preview.moc"
