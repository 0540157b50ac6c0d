#include "DemoWorkspace.h"

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <cmath>
#include <numbers>

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
    // A week of recorded runs, so the health charts, the overview and backtests have something
    // to show from the first minute.
    addHistory(workspace, Clock::current().now());
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

namespace sp {

void DemoWorkspace::addHistory(Workspace &workspace, const QDateTime &now)
{
    struct History
    {
        const char *flag;
        const char *config;
        double syncPerMinute;   // mean runs a minute per cohort
        double legacyPerMinute;
        double shadowPerMinute;
        double legacyMs;        // typical duration of a legacy run
        bool live;              // the demo's own sync config runs this flag's syncs for real
    };
    // Few flags and modest rates: every (flag, cohort, minute) with a run is a bucket row, and the
    // whole history must store in well under two seconds.
    const QList<History> flags = {
        {"sheets.incremental-diff", "design-tokens", 1.0, 0.8, 0.4, 240.0, true},
        {"sync.central-store", "central-store", 0.5, 0.3, 0.0, 320.0, false},
        {"sync.realtime", "figma-realtime", 0.3, 0.4, 0.0, 410.0, false},
    };
    constexpr qint64 kMinute = 60 * 1000;
    constexpr qint64 kDays = 7;
    const qint64 endMs = now.toMSecsSinceEpoch() - now.toMSecsSinceEpoch() % kMinute;
    const qint64 startMs = endMs - kDays * 24 * 60 * kMinute;
    const qint64 quietFromMs = endMs - 120 * kMinute; // nothing alarming in the last two hours
    // For a flag whose syncs the demo really runs, the recorded history stops this long before
    // `now`: the longest window of the built-in guardrails (error rate, 15 minutes). Its guardrails
    // then judge live runs only; recorded and live runs never share a window, so the local file
    // writes (tens of ms) are never compared with the recorded latencies (hundreds of ms).
    constexpr qint64 kLiveMinutes = 15;

    // Error and 429 bursts (minutes before the end, length in minutes), days ago.
    struct Burst
    {
        qint64 minutesAgo;
        qint64 length;
        double errorRate;
        double rate429;
    };
    const QList<Burst> bursts = {{5 * 1440 + 200, 35, 0.22, 0.4}, {3 * 1440 + 610, 20, 0.35, 0.1}, {1 * 1440 + 900, 25, 0.12, 1.2}};

    QRandomGenerator rng(20261122);
    const auto uniform = [&rng] { return rng.generateDouble(); };
    // Poisson-ish count with the given mean (mean < 3 here: inverse transform).
    const auto count = [&](double mean) {
        const double l = std::exp(-mean);
        int k = 0;
        double p = uniform();
        while (p > l && k < 10) {
            p *= uniform();
            ++k;
        }
        return k;
    };
    // Log-normal duration around `typical` ms: mild noise, a long tail for p95.
    const auto duration = [&](double typical) {
        const double u1 = std::max(1e-12, uniform());
        const double u2 = uniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
        return qint64(std::max(5.0, typical * std::exp(0.35 * z)));
    };

    RunRecordStore store(workspace);
    QList<RunRecord> batch;
    batch.reserve(20000);
    const auto flush = [&] {
        if (!batch.isEmpty())
            store.ingest(batch);
        batch.clear();
    };

    QStringList targets;
    for (int i = 1; i <= kDemoTargets; ++i)
        targets << QStringLiteral("app-%1").arg(i, 2, 10, QLatin1Char('0'));
    for (const History &h : flags) {
        const QString flagKey = QString::fromLatin1(h.flag);
        const QString config = QString::fromLatin1(h.config);
        const qint64 flagEndMs = h.live ? endMs - kLiveMinutes * kMinute : endMs;
        for (qint64 minute = startMs; minute < flagEndMs; minute += kMinute) {
            const qint64 ago = (endMs - minute) / kMinute;
            const bool quiet = minute >= quietFromMs;
            // A daily cycle: busier and a little slower during the (UTC) working day, quiet at night.
            const double hour = double((minute / kMinute) % 1440) / 60.0;
            const double day = std::sin((hour - 8.0) / 24.0 * 2.0 * std::numbers::pi); // peaks at 14:00
            const double load = 0.8 + 0.35 * day;
            const double slower = 1.0 + 0.15 * day;
            double burstErrors = 0;
            double burst429 = 0;
            for (const Burst &b : bursts) {
                if (ago <= b.minutesAgo && ago > b.minutesAgo - b.length) {
                    burstErrors = b.errorRate;
                    burst429 = b.rate429;
                }
            }
            for (RunPath path : {RunPath::Sync, RunPath::Legacy, RunPath::Shadow}) {
                const double perMinute = path == RunPath::Sync     ? h.syncPerMinute
                                         : path == RunPath::Legacy ? h.legacyPerMinute
                                                                   : h.shadowPerMinute;
                if (perMinute <= 0)
                    continue;
                const int runs = count(perMinute * load);
                for (int i = 0; i < runs; ++i) {
                    RunRecord r;
                    r.flagKey = flagKey;
                    r.config = config;
                    r.target = targets.at(rng.bounded(kDemoTargets));
                    r.path = path;
                    r.startedAt = QDateTime::fromMSecsSinceEpoch(minute + rng.bounded(int(kMinute)), Qt::UTC);
                    // The sync path is the faster one (variable-level diff instead of a full replace).
                    const double typical = (path == RunPath::Legacy ? h.legacyMs : h.legacyMs * (quiet ? 0.55 : 0.7)) * slower;
                    r.durationMs = duration(typical);
                    // Rare failures outside the bursts, so the bursts stand out on the charts.
                    const double errorRate = quiet ? 0.001 : (path == RunPath::Sync ? 0.002 + burstErrors : 0.001);
                    const double rate429 = quiet ? 0.0 : 0.004 + burst429;
                    r.ok = uniform() >= errorRate;
                    if (!r.ok) {
                        const double which = uniform();
                        r.errorClass = which < 0.5 ? QStringLiteral("http_5xx") : which < 0.85 ? QStringLiteral("network") : QStringLiteral("mapping");
                        r.durationMs += duration(typical) / 2;
                    }
                    r.rowsRead = 120 + rng.bounded(40);
                    r.varsUpdated = rng.bounded(6);
                    r.varsCreated = uniform() < 0.05 ? 1 : 0;
                    r.apiCalls = 2 + rng.bounded(3);
                    if (uniform() < rate429) {
                        r.http429 = 1 + rng.bounded(2);
                        r.retries = r.http429;
                        r.durationMs += 150 * r.http429; // the backoff before each retry
                    }
                    // Hybrid comparisons find an inconsistency now and then, never recently.
                    if (path == RunPath::Shadow && !quiet && ago > 1440 && uniform() < 0.002)
                        r.mismatches = 1;
                    batch.append(r);
                }
            }
            if (batch.size() >= 20000)
                flush();
        }
    }
    flush();
}

} // namespace sp
