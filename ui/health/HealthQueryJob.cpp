#include "HealthQueryJob.h"

#include "metrics/BreakerStateStore.h"
#include "metrics/Lttb.h"
#include "metrics/RunRecordStore.h"
#include "rollout/DecisionLedger.h"
#include "rollout/Guardrail.h"

#include <QLocale>
#include <QTimeZone>
#include <QMap>

#include <algorithm>
#include <array>
#include <cmath>

namespace sp {

namespace {

qint64 floorTo(qint64 value, qint64 step)
{
    const qint64 q = value / step;
    return (value % step < 0 ? q - 1 : q) * step;
}

QString cohortLabel(RunPath path)
{
    switch (path) {
    case RunPath::Legacy:
        return HealthQueryJob::tr("legacy");
    case RunPath::Sync:
        return HealthQueryJob::tr("sync");
    case RunPath::Shadow:
        return HealthQueryJob::tr("shadow");
    }
    return {};
}

QString number(double v)
{
    return QLocale().toString(v, 'g', 3);
}

QString comparison(const Guardrail &g)
{
    return g.orEqual ? QStringLiteral("≥") : QStringLiteral(">");
}

// Breaker state as a step line: closed 0, half open 0.5, open 1.
double breakerLevel(const QString &state)
{
    if (state == QLatin1String("open"))
        return 1.0;
    if (state == QLatin1String("half_open"))
        return 0.5;
    return 0.0;
}

HealthData::Line makeLine(HealthData::Metric metric, const QString &id, const QString &label, RunPath cohort = RunPath::Sync,
                          bool p50 = false)
{
    HealthData::Line line;
    line.metric = metric;
    line.id = id;
    line.label = label;
    line.cohort = cohort;
    line.p50 = p50;
    return line;
}

} // namespace

qint64 HealthQueryJob::stepFor(qint64 spanMs)
{
    static constexpr std::array<qint64, 5> steps = {60, 600, 3600, 21600, 86400};
    for (qint64 s : steps) {
        if ((spanMs + s * 1000 - 1) / (s * 1000) + 1 <= kMaxIntervals)
            return s;
    }
    return steps.back();
}

HealthData HealthQueryJob::run(Workspace &workspace, const Request &request)
{
    HealthData data;
    data.flagKey = request.flagKey;
    data.fromMs = request.fromMs;
    data.toMs = std::max(request.toMs, request.fromMs + 1000);
    data.targetPoints = std::max(16, request.targetPoints);
    data.stepSeconds = stepFor(data.toMs - data.fromMs);
    if (request.flagKey.isEmpty())
        return data;

    const RunRecordStore store(workspace);
    const qint64 stepMs = data.stepSeconds * 1000;
    // Buckets are read in bulk when intervals start on whole steps.
    const qint64 alignedFrom = floorTo(data.fromMs, stepMs);
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(alignedFrom, QTimeZone::utc());
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(data.toMs, QTimeZone::utc());
    const double perMinute = 60.0 / double(data.stepSeconds);

    QMap<RunPath, WindowStats> totals;
    for (RunPath cohort : {RunPath::Sync, RunPath::Legacy, RunPath::Shadow}) {
        if (!store.hasRuns(request.flagKey, cohort, from, to))
            continue;
        data.hasRuns = true;
        if (cohort == RunPath::Shadow)
            data.hasShadow = true;
        const QList<WindowStats> windows = store.series(request.flagKey, cohort, from, to, data.stepSeconds);
        const QString name = runPathName(cohort);
        const QString label = cohortLabel(cohort);
        HealthData::Line errorRate = makeLine(HealthData::Metric::ErrorRate, QStringLiteral("errorRate.") + name, label, cohort);
        HealthData::Line p95 = makeLine(HealthData::Metric::Latency, QStringLiteral("latencyP95.") + name, label, cohort);
        HealthData::Line p50 = makeLine(HealthData::Metric::Latency, QStringLiteral("latencyP50.") + name, tr("%1 p50").arg(label), cohort, true);
        HealthData::Line runs = makeLine(HealthData::Metric::Runs, QStringLiteral("runs.") + name, label, cohort);
        HealthData::Line mismatches = makeLine(HealthData::Metric::Mismatches, QStringLiteral("mismatches.") + name, label, cohort);
        HealthData::Line rate429 = makeLine(HealthData::Metric::Rate429, QStringLiteral("rate429.") + name, label, cohort);
        for (HealthData::Line *line : {&errorRate, &p95, &p50, &runs, &mismatches, &rate429})
            line->points.reserve(windows.size());
        for (qsizetype i = 0; i < windows.size(); ++i) {
            const WindowStats &w = windows.at(i);
            const double x = double(alignedFrom + i * stepMs);
            runs.points.append({x, double(w.runs) * perMinute});
            mismatches.points.append({x, double(w.mismatches) * perMinute});
            if (w.runs == 0)
                continue; // no rate or latency without runs: the line bridges the gap
            errorRate.points.append({x, w.errorRate() * 100.0});
            p95.points.append({x, w.p95Ms});
            p50.points.append({x, w.p50Ms});
            rate429.points.append({x, w.rate429()});
        }
        for (HealthData::Line *line : {&errorRate, &p95, &p50, &runs, &mismatches, &rate429}) {
            line->rawPoints = line->points.size();
            line->points = lttb(line->points, data.targetPoints);
            data.lines.append(std::move(*line));
        }
        totals.insert(cohort, store.window(request.flagKey, cohort, from, to));
    }

    // Guardrail levels in the unit of their chart.
    for (const Guardrail &g : GuardrailStore(workspace).effective(request.flagKey)) {
        if (!g.enabled)
            continue;
        const QString action = Guardrail::actionName(g.action);
        HealthData::Threshold t;
        t.id = QStringLiteral("threshold.") + g.name;
        t.action = action;
        switch (g.metric) {
        case GuardrailMetric::ErrorRate:
            t.metric = HealthData::Metric::ErrorRate;
            t.value = g.threshold * 100.0;
            t.label = tr("%1: %2 %3 %4 %").arg(g.name, action, comparison(g), number(t.value));
            if (g.relativeToLegacy) {
                if (!totals.contains(RunPath::Legacy))
                    continue;
                t.value = g.threshold * totals.value(RunPath::Legacy).errorRate() * 100.0;
                t.label = tr("%1: %2 %3 %4 % of legacy (%5 %)")
                              .arg(g.name, action, comparison(g), number(g.threshold * 100.0), number(t.value));
            }
            break;
        case GuardrailMetric::LatencyP50:
        case GuardrailMetric::LatencyP95: {
            t.metric = HealthData::Metric::Latency;
            const bool p50 = g.metric == GuardrailMetric::LatencyP50;
            if (g.relativeToLegacy) {
                // The level the sync cohort is held to: the legacy percentile over the whole range.
                const WindowStats legacy = totals.value(RunPath::Legacy);
                if (legacy.runs == 0)
                    continue;
                t.value = g.threshold * (p50 ? legacy.p50Ms : legacy.p95Ms);
                t.label = tr("%1: %2 %3 %4 % of legacy = %5 ms")
                              .arg(g.name, action, comparison(g), number(g.threshold * 100.0), number(std::round(t.value)));
            } else {
                t.value = g.threshold;
                t.label = tr("%1: %2 %3 %4 ms").arg(g.name, action, comparison(g), number(t.value));
            }
            break;
        }
        case GuardrailMetric::Mismatches:
            t.metric = HealthData::Metric::Mismatches;
            // The chart counts per minute; the guardrail counts per window.
            t.value = g.threshold * 60.0 / double(std::max<qint64>(1, g.windowSeconds));
            t.label = tr("%1: %2 %3 %4 in %5 min").arg(g.name, action, comparison(g), number(g.threshold),
                                                      number(double(g.windowSeconds) / 60.0));
            break;
        case GuardrailMetric::Rate429:
            t.metric = HealthData::Metric::Rate429;
            t.value = g.threshold;
            t.label = tr("%1: %2 %3 %4 per run").arg(g.name, action, comparison(g), number(t.value));
            if (g.relativeToLegacy) {
                if (!totals.contains(RunPath::Legacy))
                    continue;
                t.value = g.threshold * totals.value(RunPath::Legacy).rate429();
                t.label = tr("%1: %2 %3 %4 % of legacy (%5 per run)")
                              .arg(g.name, action, comparison(g), number(g.threshold * 100.0), number(t.value));
            }
            break;
        case GuardrailMetric::CriticalErrors:
        case GuardrailMetric::LatencyP99:
            continue; // not drawn: no chart in that unit
        }
        data.thresholds.append(t);
    }

    // Decisions in the range: this flag's, and kills of everything.
    static const QStringList kinds = {QStringLiteral("pause"), QStringLiteral("rollback"), QStringLiteral("kill"),
                                      QStringLiteral("advance")};
    for (const LedgerEntry &e : DecisionLedger(workspace).list()) {
        if (!kinds.contains(e.kind))
            continue;
        if (e.flagKey != request.flagKey && !(e.kind == QLatin1String("kill") && e.flagKey.isEmpty()))
            continue;
        const qint64 at = e.at.toMSecsSinceEpoch();
        if (at < data.fromMs || at > data.toMs)
            continue;
        data.markers.append({at, e.kind, e.summary, e.automatic});
    }

    if (request.breakers) {
        // Each upstream as a step line: the state at `from`, then every change.
        QMap<QString, HealthData::Line> byUpstream;
        for (const BreakerEvent &e : BreakerStateStore(workspace).events(from, to)) {
            auto it = byUpstream.find(e.upstream);
            if (it == byUpstream.end()) {
                HealthData::Line line = makeLine(HealthData::Metric::Breakers, QStringLiteral("breaker.") + e.upstream, e.upstream);
                line.breaker = true;
                it = byUpstream.insert(e.upstream, line);
            }
            const double x = double(std::max(e.at.toMSecsSinceEpoch(), alignedFrom));
            const double y = breakerLevel(e.state);
            if (!it->points.isEmpty())
                it->points.append({x, it->points.constLast().y()});
            it->points.append({x, y});
        }
        for (HealthData::Line &line : byUpstream) {
            line.points.append({double(data.toMs), line.points.constLast().y()});
            line.rawPoints = line.points.size();
            data.lines.append(line);
        }
    }
    return data;
}

} // namespace sp
