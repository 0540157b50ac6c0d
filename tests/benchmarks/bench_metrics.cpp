// Run records: ingest throughput and guardrail-style window queries (DESIGN.md §4: ingest
// >= 50 000 records/s; guardrails over 24 h of records for 20 flags <= 20 ms).
//
//   bench_metrics --benchmark_min_time=1
//
// The 24-hour workspace (20 flags x sync + legacy, one run a second each: 3.46 million records)
// is built once per process in a temporary SQLite file; building it is itself an ingest of 3.46
// million records and is reported on stderr. SYNCPILOT_BENCH_RUNS_PER_MINUTE changes the density
// (default 60).
#include "metrics/RunRecordStore.h"
#include "rollout/Guardrail.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTimeZone>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>

using namespace sp;

namespace {

constexpr int kFlags = 20;
constexpr int kBatch = 5000;
const qint64 kStartMs = QDateTime(QDate(2026, 3, 2), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();

QString flagKey(int i) { return QStringLiteral("sync.flag-%1").arg(i, 2, 10, QLatin1Char('0')); }

// Runs in time order: for each tick, one run per flag and cohort (sync, legacy).
class RunGenerator
{
public:
    explicit RunGenerator(qint64 startMs, qint64 tickMs) : m_nowMs(startMs), m_tickMs(tickMs) {}

    QList<RunRecord> next(int n)
    {
        QList<RunRecord> out;
        out.reserve(n);
        while (out.size() < n) {
            RunRecord r;
            r.flagKey = m_keys[m_flag];
            r.config = QStringLiteral("sheet-to-tokens");
            r.target = QStringLiteral("target-%1").arg(m_rng() % 50);
            r.path = m_sync ? RunPath::Sync : RunPath::Legacy;
            r.startedAt = QDateTime::fromMSecsSinceEpoch(m_nowMs + qint64(m_rng() % quint64(m_tickMs)), QTimeZone::utc());
            r.durationMs = qint64(m_latency(m_rng));
            r.ok = m_rng() % 50 != 0;
            r.errorClass = r.ok ? QString() : QStringLiteral("http_5xx");
            r.critical = !r.ok && m_rng() % 10 == 0;
            r.rowsRead = 1000;
            r.varsUpdated = int(m_rng() % 20);
            r.apiCalls = 3;
            r.http429 = m_rng() % 100 == 0 ? 1 : 0;
            r.retries = r.http429;
            r.mismatches = m_sync && m_rng() % 500 == 0 ? 1 : 0;
            out << r;
            m_sync = !m_sync;
            if (m_sync && ++m_flag == kFlags) {
                m_flag = 0;
                m_nowMs += m_tickMs;
            }
        }
        return out;
    }

    qint64 nowMs() const { return m_nowMs; }

private:
    QStringList m_keys = [] {
        QStringList k;
        for (int i = 0; i < kFlags; ++i)
            k << flagKey(i);
        return k;
    }();
    qint64 m_nowMs;
    qint64 m_tickMs;
    int m_flag = 0;
    bool m_sync = true;
    std::mt19937_64 m_rng{12345};
    std::lognormal_distribution<double> m_latency{std::log(250.0), 0.6};
};

void BM_Ingest(benchmark::State &state)
{
    QTemporaryDir dir;
    auto ws = Workspace::open(dir.filePath(QStringLiteral("ingest.sqlite")));
    RunRecordStore store(*ws);
    RunGenerator gen(kStartMs, 1000);
    qint64 total = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const QList<RunRecord> batch = gen.next(kBatch);
        state.ResumeTiming();
        store.ingest(batch);
        total += batch.size();
    }
    state.SetItemsProcessed(total);
    state.counters["records/s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ingest)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParseJsonl(benchmark::State &state)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.jsonl"));
    {
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        RunGenerator gen(kStartMs, 1000);
        for (const RunRecord &r : gen.next(50'000))
            f.write(QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact) + '\n');
    }
    qint64 total = 0;
    for (auto _ : state) {
        const QList<RunRecord> records = RunRecordStore::parseJsonl(path);
        benchmark::DoNotOptimize(records.size());
        total += records.size();
    }
    state.counters["records/s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseJsonl)->Unit(benchmark::kMillisecond)->UseRealTime();

// One workspace with 24 hours of runs for 20 flags, built once.
struct DayWorkspace
{
    QTemporaryDir dir;
    std::unique_ptr<Workspace> ws;
    qint64 endMs = 0;
    qint64 records = 0;

    DayWorkspace()
    {
        ws = Workspace::open(dir.filePath(QStringLiteral("day.sqlite")));
        const int perMinute = qEnvironmentVariableIntValue("SYNCPILOT_BENCH_RUNS_PER_MINUTE") > 0
                                  ? qEnvironmentVariableIntValue("SYNCPILOT_BENCH_RUNS_PER_MINUTE")
                                  : 60;
        const qint64 tickMs = 60'000 / perMinute;
        RunGenerator gen(kStartMs, tickMs);
        RunRecordStore store(*ws);
        QElapsedTimer timer;
        timer.start();
        const qint64 endOfDay = kStartMs + 86'400'000;
        while (gen.nowMs() < endOfDay) {
            QList<RunRecord> batch = gen.next(kBatch);
            batch.removeIf([&](const RunRecord &r) { return r.startedAt.toMSecsSinceEpoch() >= endOfDay; });
            store.ingest(batch);
            records += batch.size();
        }
        endMs = endOfDay;
        const double secs = double(timer.elapsed()) / 1000.0;
        std::fprintf(stderr, "bench_metrics: 24 h workspace: %lld records (20 flags x sync+legacy, %d runs/min each) "
                             "ingested in %.1f s = %.0f records/s; file %.0f MB\n",
                     static_cast<long long>(records), perMinute, secs, double(records) / secs,
                     double(QFile(dir.filePath(QStringLiteral("day.sqlite"))).size()) / 1e6);
    }

    static DayWorkspace &get()
    {
        static DayWorkspace w;
        return w;
    }
};

QDateTime at(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()); }

// What a controller tick asks for 20 flags: error rate, critical errors, p95 of sync and of legacy
// and mismatches, each over the last 24 hours, with "now" in the middle of a minute (so both
// edges are read from raw records). Five window queries per flag, 100 in all.
void BM_Guardrails24h20Flags(benchmark::State &state)
{
    DayWorkspace &day = DayWorkspace::get();
    RunRecordStore store(*day.ws);
    const qint64 now = day.endMs - 17'345; // mid-minute, just before the last record
    const QDateTime from = at(now - 86'400'000);
    const QDateTime to = at(now);
    double sink = 0;
    qint64 runs = 0;
    for (auto _ : state) {
        for (int f = 0; f < kFlags; ++f) {
            const QString key = flagKey(f);
            const WindowStats errors = store.window(key, RunPath::Sync, from, to);
            const WindowStats critical = store.window(key, RunPath::Sync, from, to);
            const WindowStats p95Sync = store.window(key, RunPath::Sync, from, to);
            const WindowStats p95Legacy = store.window(key, RunPath::Legacy, from, to);
            const WindowStats mismatches = store.window(key, RunPath::Sync, from, to);
            sink += errors.errorRate() + double(critical.critical) + p95Sync.p95Ms / p95Legacy.p95Ms + double(mismatches.mismatches);
            runs += errors.runs;
        }
    }
    benchmark::DoNotOptimize(sink);
    state.counters["runs/window"] = double(runs) / double(state.iterations()) / kFlags;
    state.counters["records"] = double(day.records);
}
BENCHMARK(BM_Guardrails24h20Flags)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same question through what the controller really runs: GuardrailEvaluator over a tick's
// window source, five 24-hour guardrails per flag (sync and shadow cohorts, legacy for the
// relative p95 rule), 20 flags.
void BM_GuardrailEvaluator24h20Flags(benchmark::State &state)
{
    DayWorkspace &day = DayWorkspace::get();
    RunRecordStore store(*day.ws);
    const StoreWindowSource records(store);
    const QDateTime now = at(day.endMs - 17'345);
    const QList<Guardrail> rails = {
        Guardrail::parse(QStringLiteral("errors"), QStringLiteral("error_rate > 10% window=24h min=20 action=rollback")),
        Guardrail::parse(QStringLiteral("critical"), QStringLiteral("critical >= 3 window=24h action=rollback")),
        Guardrail::parse(QStringLiteral("p95"), QStringLiteral("p95 > 115% legacy window=24h min=20 action=pause")),
        Guardrail::parse(QStringLiteral("mismatch"), QStringLiteral("mismatches >= 1 window=24h action=rollback")),
        Guardrail::parse(QStringLiteral("throttle"), QStringLiteral("rate_429 > 0.5 window=24h action=warn")),
    };
    int breached = 0;
    for (auto _ : state) {
        const TickWindowSource tick(records);
        const GuardrailEvaluator evaluator(tick);
        for (int f = 0; f < kFlags; ++f)
            for (const Guardrail &g : rails)
                breached += evaluator.evaluate(g, flagKey(f), now).status == GuardrailResult::Status::Breached ? 1 : 0;
    }
    benchmark::DoNotOptimize(breached);
}
BENCHMARK(BM_GuardrailEvaluator24h20Flags)->Unit(benchmark::kMillisecond)->UseRealTime();

// The seeds' short windows: 3 critical errors in 5 minutes, 1 inconsistency in 1 minute, p95 over
// 10 minutes; 20 flags.
void BM_GuardrailsShortWindows20Flags(benchmark::State &state)
{
    DayWorkspace &day = DayWorkspace::get();
    RunRecordStore store(*day.ws);
    const qint64 now = day.endMs - 17'345;
    for (auto _ : state) {
        for (int f = 0; f < kFlags; ++f) {
            const QString key = flagKey(f);
            benchmark::DoNotOptimize(store.window(key, RunPath::Sync, at(now - 300'000), at(now)).critical);
            benchmark::DoNotOptimize(store.window(key, RunPath::Sync, at(now - 60'000), at(now)).mismatches);
            benchmark::DoNotOptimize(store.window(key, RunPath::Sync, at(now - 600'000), at(now)).p95Ms);
            benchmark::DoNotOptimize(store.window(key, RunPath::Legacy, at(now - 600'000), at(now)).p95Ms);
        }
    }
}
BENCHMARK(BM_GuardrailsShortWindows20Flags)->Unit(benchmark::kMillisecond)->UseRealTime();

// A 24-hour chart of one flag and cohort at 5-minute steps (288 points).
void BM_Series24h5min(benchmark::State &state)
{
    DayWorkspace &day = DayWorkspace::get();
    RunRecordStore store(*day.ws);
    const qint64 end = day.endMs;
    for (auto _ : state)
        benchmark::DoNotOptimize(store.series(flagKey(3), RunPath::Sync, at(end - 86'400'000), at(end), 300).size());
}
BENCHMARK(BM_Series24h5min)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
