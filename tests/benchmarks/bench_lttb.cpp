// LTTB downsampling for the health charts (DESIGN.md §4: 1 million points to 2 000 in <= 10 ms).
//
//   bench_lttb
//
// Each case runs 10 repetitions and reports mean / median / stddev; the goal is read on the median.
// The series is a random walk over 1 million timestamps (ms since the epoch, one point a second);
// the "gaps" cases blank 5 minutes in every hour with NaN (no runs), so 278 stretches are
// downsampled separately.
#include "metrics/Lttb.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>
#include <random>

using namespace sp;

namespace {

constexpr qsizetype kPoints = 1'000'000;
constexpr int kThreshold = 2000;

QList<QPointF> makeSeries(bool gaps)
{
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0, 1.0);
    QList<QPointF> points;
    points.reserve(kPoints);
    const double t0 = 1.77e12;
    double y = 50;
    for (qsizetype i = 0; i < kPoints; ++i) {
        y += step(rng);
        const bool blank = gaps && i % 3600 >= 3300;
        points.push_back(QPointF(t0 + double(i) * 1000.0, blank ? std::numeric_limits<double>::quiet_NaN() : y));
    }
    return points;
}

void runIndices(benchmark::State &state, bool gaps)
{
    const QList<QPointF> points = makeSeries(gaps);
    const std::span<const QPointF> view(points.constData(), size_t(points.size()));
    for (auto _ : state) {
        QList<qsizetype> kept = lttbIndices(view, kThreshold);
        benchmark::DoNotOptimize(kept.data());
    }
    state.SetItemsProcessed(state.iterations() * kPoints);
}

void runPoints(benchmark::State &state, bool gaps)
{
    const QList<QPointF> points = makeSeries(gaps);
    for (auto _ : state) {
        QList<QPointF> kept = lttb(points, kThreshold);
        benchmark::DoNotOptimize(kept.data());
    }
    state.SetItemsProcessed(state.iterations() * kPoints);
}

void BM_LttbPoints(benchmark::State &state) { runPoints(state, false); }
void BM_LttbIndices(benchmark::State &state) { runIndices(state, false); }
void BM_LttbPointsWithGaps(benchmark::State &state) { runPoints(state, true); }

} // namespace

BENCHMARK(BM_LttbPoints)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(BM_LttbIndices)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(BM_LttbPointsWithGaps)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(10)->ReportAggregatesOnly(true);
