#include "DemoWorkspace.h"

#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace sp {

QString DemoWorkspace::defaultLocation()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("demo/demo.sqlite"));
}

void DemoWorkspace::populate(Workspace &workspace)
{
    FlagStore store(workspace);
    if (!store.flags().isEmpty())
        conflict(tr("Workspace %1 already has flags; the demo data goes into an empty workspace only.")
                     .arg(workspace.displayLocation()));
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("cli"), tr("demo workspace"));

    Segment devTeam;
    devTeam.name = QStringLiteral("dev-team");
    devTeam.description = tr("Developers who try every sync change first");
    devTeam.keys = {QStringLiteral("alice@example.com"), QStringLiteral("bob@example.com"), QStringLiteral("chen@example.com")};
    store.createSegment(devTeam, ctx);

    Segment pilot;
    pilot.name = QStringLiteral("pilot-stores");
    pilot.description = tr("Point-of-sale stores in the pilot region");
    pilot.rules = {FlagRules::parseRule(QStringLiteral("region in north,west"))};
    store.createSegment(pilot, ctx);

    Segment blocked;
    blocked.name = QStringLiteral("legacy-only");
    blocked.description = tr("Consumers that must stay on the legacy import");
    blocked.rules = {FlagRules::parseRule(QStringLiteral("client starts_with legacy-"))};
    store.createSegment(blocked, ctx);

    struct Sample
    {
        const char *key;
        const char *description;
        QStringList tags;
        bool on;
        int tenths;
        QStringList prerequisites;
        QStringList include;
        QStringList exclude;
    };
    const QList<Sample> samples = {
        {"sync.central-store", "Central store for design variables (Svelte seed)", {"sync"}, true, 1000, {}, {}, {}},
        {"sync.realtime", "Real-time sync of variables to Figma", {"sync", "figma"}, true, 250, {"sync.central-store"}, {"dev-team"}, {"legacy-only"}},
        {"sync.conflict-resolution", "Automatic conflict resolution for concurrent edits", {"sync"}, true, 50, {"sync.realtime"}, {"dev-team"}, {}},
        {"sync.cross-view-updates", "Push updates across open views", {"sync"}, false, 0, {"sync.central-store"}, {}, {}},
        {"sheets.incremental-diff", "Variable-level diff instead of full replace (hybrid mode)", {"sync", "sheets"}, true, 333, {}, {}, {}},
        {"pos.schema-v2", "POS schema change behind a rollout (POS seed)", {"sync", "pos"}, true, 10, {}, {"pilot-stores"}, {}},
        {"supabase.sync", "Supabase sync path (Supabase seed)", {"sync", "supabase"}, true, 1, {}, {}, {}},
        {"ui.performance-panel", "Show the performance panel in the plugin", {"ui"}, true, 1000, {}, {}, {}},
        {"ui.dark-mode-tokens", "Ship dark-mode tokens to consumers", {"ui"}, false, 500, {}, {}, {}},
    };
    for (const Sample &s : samples) {
        FlagDraft d;
        d.key = QString::fromLatin1(s.key);
        d.description = QString::fromLatin1(s.description);
        d.tags = s.tags;
        d.enabled = s.on;
        d.percentTenths = s.tenths;
        d.prerequisites = s.prerequisites;
        d.includeSegments = s.include;
        d.excludeSegments = s.exclude;
        store.create(d, ctx);
    }
    addSync(workspace, ctx);
    workspace.write([&] { workspace.setMeta(QStringLiteral("demo"), QStringLiteral("yes")); });
}

QString DemoWorkspace::filesDirectory(const Workspace &workspace)
{
    if (workspace.isPostgres())
        return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("demo-sync/") + workspace.name());
    return QFileInfo(workspace.displayLocation()).absoluteDir().filePath(QFileInfo(workspace.displayLocation()).completeBaseName()
                                                                         + QStringLiteral("-sync"));
}

// The sync half of the demo: the bundled sample sheet as a CSV source, 50 local DTCG targets, a
// config in hybrid mode gated by sheets.incremental-diff, and a running canary rollout of that
// flag, so the controller and the engine have real runs to show. One run writes every target.
void DemoWorkspace::addSync(Workspace &workspace, const ChangeContext &ctx)
{
    const QDir dir(filesDirectory(workspace));
    if (!QDir().mkpath(dir.filePath(QStringLiteral("targets"))))
        fail(tr("Cannot create the demo's sync folder %1.").arg(QDir::toNativeSeparators(dir.path())));
    const QString sheet = dir.filePath(QStringLiteral("design-tokens.csv"));
    QFile::remove(sheet);
    if (!QFile::copy(QStringLiteral(":/demo/design-tokens.csv"), sheet))
        fail(tr("Cannot copy the demo's sample sheet to %1.").arg(QDir::toNativeSeparators(sheet)));
    QFile::setPermissions(sheet, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);

    SyncConfig config;
    config.name = QStringLiteral("design-tokens");
    config.flagKey = QStringLiteral("sheets.incremental-diff");
    config.mode = SyncMode::Hybrid;
    config.source.kind = SourceSpec::Kind::Csv;
    config.source.path = sheet;
    config.mapping = QJsonObject{{QStringLiteral("collection"), QStringLiteral("Design tokens")}};
    config.intervalSeconds = 30;
    for (int i = 1; i <= kDemoTargets; ++i) {
        SyncTargetSpec t;
        t.id = QStringLiteral("app-%1").arg(i, 2, 10, QLatin1Char('0'));
        t.kind = SyncTargetSpec::Kind::Dtcg;
        t.location = dir.filePath(QStringLiteral("targets/%1.tokens.json").arg(t.id));
        config.targets << t;
    }
    SyncConfigStore(workspace).add(config, ctx);
    RolloutStore(workspace).start(config.flagKey, RolloutPlan::fromTemplate(QStringLiteral("canary")), QStringLiteral("canary"), ctx);
    SyncEngine(workspace).run(config.name, false, ctx);
}

} // namespace sp
