// The Health view's query on a big workspace (DESIGN.md §4: "a 7-day window of 1 million records
// stays smooth"): HealthQueryJob::run for one flag over 15 min, 24 h and 7 d, as the view's worker
// thread runs it every 2 s while Live. Needs the workspace of gen_big_workspace:
//   SYNCPILOT_BENCH_WORKSPACE=/tmp/syncpilot-big.sqlite bench_health
// (without it, a workspace of 100 000 records is generated in a temporary directory first).

#include "HealthQueryJob.h"

#include "common/Clock.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "workspace/Workspace.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

namespace {

sp::Workspace &workspace()
{
    static QTemporaryDir dir;
    static std::unique_ptr<sp::Workspace> ws = [] {
        const QString given = qEnvironmentVariable("SYNCPILOT_BENCH_WORKSPACE");
        if (!given.isEmpty())
            return sp::Workspace::open(given, sp::Workspace::OpenMode::MustExist);
        auto fresh = sp::Workspace::open(dir.filePath(QStringLiteral("health.sqlite")));
        sp::FlagDraft d;
        d.key = QStringLiteral("sync.bench");
        d.tags = {QStringLiteral("sync")};
        sp::FlagStore(*fresh).create(d, sp::ChangeContext::local(QStringLiteral("bench")));
        const QDateTime now = sp::Clock::current().now();
        QList<sp::RunRecord> records;
        for (int i = 0; i < 100'000; ++i) {
            sp::RunRecord r;
            r.flagKey = d.key;
            r.config = QStringLiteral("bench");
            r.target = QStringLiteral("t%1").arg(i % 50);
            r.path = i % 3 ? sp::RunPath::Legacy : sp::RunPath::Sync;
            r.startedAt = now.addMSecs(-qint64(7) * 86400 * 1000 + qint64(i) * 6048);
            r.durationMs = 100 + i % 300;
            r.ok = i % 50 != 0;
            if (!r.ok)
                r.errorClass = QStringLiteral("http_5xx");
            records << r;
        }
        sp::RunRecordStore(*fresh).ingest(records);
        return fresh;
    }();
    return *ws;
}

QString busiestFlag(sp::Workspace &ws)
{
    for (const sp::Flag &f : sp::FlagStore(ws).flags())
        if (f.tags.contains(QStringLiteral("sync")) && f.key != QLatin1String("sync.cross-view-updates"))
            return f.key;
    return {};
}

void BM_HealthQuery(benchmark::State &state)
{
    sp::Workspace &ws = workspace();
    sp::HealthQueryJob::Request request;
    request.flagKey = busiestFlag(ws);
    const qint64 now = sp::Clock::current().now().toMSecsSinceEpoch();
    request.toMs = now;
    request.fromMs = now - state.range(0) * 1000;
    request.targetPoints = 1200;
    for (auto _ : state) {
        const sp::HealthData data = sp::HealthQueryJob::run(ws, request);
        benchmark::DoNotOptimize(&data);
    }
    state.SetLabel(request.flagKey.toStdString());
}
BENCHMARK(BM_HealthQuery)->Arg(15 * 60)->Arg(86400)->Arg(7 * 86400)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
