// `export flagd` for 10 000 flags: the exporter alone over an in-memory snapshot, and the whole
// publish path over a real SQLite workspace (read the snapshot, export, atomic write), which is
// what every change and the emergency rollback pay (DESIGN.md §1 "publishes", §4).
#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "flags/FlagdExporter.h"
#include "flags/FlagdPublisher.h"
#include "workspace/Workspace.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

namespace {

constexpr int kFlags = 10000;

QString flagKey(int i) { return QStringLiteral("feature.%1").arg(i, 5, 10, QLatin1Char('0')); }

// Segments: 10 key lists of 100 keys and 10 rule segments (every operator).
QList<sp::Segment> makeSegments()
{
    static const char *rules[] = {"email ends_with @acme.com", "client starts_with legacy-", "plan == pro",
                                  "country in DE,AT,CH",       "tier != free"};
    QList<sp::Segment> out;
    for (int i = 0; i < 20; ++i) {
        sp::Segment s;
        s.name = QStringLiteral("segment-%1").arg(i, 2, 10, QLatin1Char('0'));
        if (i < 10) {
            for (int k = 0; k < 100; ++k)
                s.keys << QStringLiteral("user-%1-%2@example.org").arg(i).arg(k);
        } else {
            s.rules << sp::FlagRules::parseRule(QString::fromLatin1(rules[i % 5]));
            if (i % 3 == 0)
                s.rules << sp::FlagRules::parseRule(QStringLiteral("region in north,east"));
        }
        out << s;
    }
    return out;
}

// Flag i: mixed percentages (0, 0.1, 5, 25, 33.3, 50, 99.9, 100 …), every 10th switched off, every 17th
// tagged sync, every 7th requires flag i-1 (every 49th also i-7), every 11th includes and every
// 13th excludes a segment.
sp::FlagDraft makeDraft(int i)
{
    static const int percents[] = {0, 1, 50, 250, 333, 500, 999, 1000, 100, 750};
    sp::FlagDraft d;
    d.key = flagKey(i);
    d.description = QStringLiteral("Benchmark flag %1").arg(i);
    d.enabled = i % 10 != 9;
    d.percentTenths = percents[i % 10];
    if (i % 17 == 0)
        d.tags << QStringLiteral("sync");
    if (i % 5 == 0)
        d.tags << QStringLiteral("checkout");
    if (i % 7 == 0 && i > 0)
        d.prerequisites << flagKey(i - 1);
    if (i % 49 == 0 && i > 0)
        d.prerequisites << flagKey(i - 7);
    if (i % 11 == 0)
        d.includeSegments << QStringLiteral("segment-%1").arg(i % 20, 2, 10, QLatin1Char('0'));
    if (i % 13 == 0)
        d.excludeSegments << QStringLiteral("segment-%1").arg((i + 7) % 20, 2, 10, QLatin1Char('0'));
    return d;
}

sp::FlagSnapshot makeSnapshot()
{
    sp::FlagSnapshot s;
    for (const sp::Segment &seg : makeSegments())
        s.segments.insert(seg.name, seg);
    for (int i = 0; i < kFlags; ++i) {
        const sp::FlagDraft d = makeDraft(i);
        sp::Flag f;
        f.key = d.key;
        f.description = d.description;
        f.tags = d.tags;
        f.enabled = d.enabled;
        f.percentTenths = d.percentTenths;
        f.prerequisites = d.prerequisites;
        f.includeSegments = d.includeSegments;
        f.excludeSegments = d.excludeSegments;
        f.version = 1;
        s.flags.insert(f.key, f);
    }
    return s;
}

void BM_FlagdExportToBytes(benchmark::State &state)
{
    sp::FlagSnapshot snapshot = makeSnapshot();
    snapshot.killSwitch = state.range(0) != 0;
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray out = sp::FlagdExporter::toBytes(snapshot);
        bytes = out.size();
        benchmark::DoNotOptimize(out.constData());
    }
    state.SetItemsProcessed(state.iterations() * kFlags);
    state.SetBytesProcessed(state.iterations() * bytes);
    state.counters["file_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_FlagdExportToBytes)->ArgName("killSwitch")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A workspace with the same 10 000 flags, created once through FlagStore (the same validation and
// audit entries as the CLI) inside one outer transaction. FlagStore::create reads the whole snapshot
// to validate, so this setup grows with the square of the flag count (minutes for 10 000 flags; see
// README.md). With SYNCPILOT_BENCH_WORKSPACE=FILE the workspace is kept in FILE and reused by later
// runs (the benchmarks never change it; it is only read).
class PublishFixture
{
public:
    static PublishFixture &instance()
    {
        static PublishFixture fixture;
        return fixture;
    }
    sp::Workspace &workspace() { return *m_ws; }
    QString target() const { return m_dir.filePath(QStringLiteral("flags.flagd.json")); }
    const QString &error() const { return m_error; }

private:
    PublishFixture()
    {
        // QtSql finds its drivers through the application's plugin paths.
        if (!QCoreApplication::instance()) {
            static int argc = 1;
            static char name[] = "bench_flagd_export";
            static char *argv[] = {name, nullptr};
            static QCoreApplication app(argc, argv);
        }
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("cannot create a temporary directory");
            return;
        }
        const QString kept = qEnvironmentVariable("SYNCPILOT_BENCH_WORKSPACE");
        const QString location = kept.isEmpty() ? m_dir.filePath(QStringLiteral("workspace.sqlite")) : kept;
        const bool reuse = !kept.isEmpty() && QFileInfo::exists(kept);
        try {
            m_ws = sp::Workspace::open(location);
            sp::FlagStore store(*m_ws);
            if (reuse) {
                const auto flags = store.snapshot().flags.size();
                if (flags != kFlags) {
                    m_error = QStringLiteral("%1 has %2 flags, expected %3; delete it to rebuild").arg(kept).arg(flags).arg(kFlags);
                    m_ws.reset();
                    return;
                }
                std::fprintf(stderr, "bench_flagd_export: reusing %s\n", qPrintable(kept));
                return;
            }
            QElapsedTimer timer;
            timer.start();
            const auto ctx = sp::ChangeContext::local(QStringLiteral("benchmark"), QStringLiteral("setup"));
            m_ws->write([&] {
                for (const sp::Segment &seg : makeSegments())
                    store.createSegment(seg, ctx);
                for (int i = 0; i < kFlags; ++i)
                    store.create(makeDraft(i), ctx);
            });
            std::fprintf(stderr, "bench_flagd_export: created %s with %d flags through FlagStore in %.1f s\n",
                         qPrintable(location), kFlags, static_cast<double>(timer.elapsed()) / 1000.0);
        } catch (const sp::Error &e) {
            m_error = e.message();
            m_ws.reset();
        }
    }

    QTemporaryDir m_dir;
    std::unique_ptr<sp::Workspace> m_ws;
    QString m_error;
};

// FlagdPublisher::writeTo: lock file, fresh snapshot from SQLite, export, QSaveFile atomic replace.
void BM_FlagdPublisherWriteTo(benchmark::State &state)
{
    PublishFixture &fixture = PublishFixture::instance();
    if (!fixture.error().isEmpty()) {
        state.SkipWithError(qPrintable(fixture.error()));
        return;
    }
    const sp::FlagdPublisher publisher(fixture.workspace());
    for (auto _ : state)
        publisher.writeTo(fixture.target());
    state.SetItemsProcessed(state.iterations() * kFlags);
    state.counters["file_bytes"] = static_cast<double>(QFileInfo(fixture.target()).size());
}
BENCHMARK(BM_FlagdPublisherWriteTo)->Unit(benchmark::kMillisecond)->UseRealTime();

// The snapshot read alone, to split the publish time between SQLite and the exporter.
void BM_FlagStoreSnapshot(benchmark::State &state)
{
    PublishFixture &fixture = PublishFixture::instance();
    if (!fixture.error().isEmpty()) {
        state.SkipWithError(qPrintable(fixture.error()));
        return;
    }
    const sp::FlagStore store(fixture.workspace());
    for (auto _ : state) {
        const sp::FlagSnapshot s = store.snapshot();
        benchmark::DoNotOptimize(s.flags.size());
    }
    state.SetItemsProcessed(state.iterations() * kFlags);
}
BENCHMARK(BM_FlagStoreSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
