#include "Backtest.h"

#include <QJsonArray>

#include <algorithm>

namespace sp {

MemoryWindowSource::MemoryWindowSource(const QList<RunRecord> &records)
{
    for (const RunRecord &r : records) {
        m_flag = r.flagKey;
        m_runs[int(r.path)].push_back(Run{r.startedAt.toMSecsSinceEpoch(), r.durationMs, r.ok, r.critical, r.mismatches, r.http429, r.retries});
    }
    for (auto &v : m_runs)
        std::sort(v.begin(), v.end(), [](const Run &a, const Run &b) { return a.startMs < b.startMs; });
}

WindowStats MemoryWindowSource::window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
{
    WindowStats s;
    if (!m_flag.isEmpty() && flagKey != m_flag)
        return s;
    const auto &runs = m_runs[int(cohort)];
    const qint64 a = from.toMSecsSinceEpoch();
    const qint64 b = to.toMSecsSinceEpoch();
    auto lo = std::lower_bound(runs.begin(), runs.end(), a, [](const Run &r, qint64 t) { return r.startMs < t; });
    auto hi = std::lower_bound(lo, runs.end(), b, [](const Run &r, qint64 t) { return r.startMs < t; });
    std::vector<qint64> latencies;
    latencies.reserve(size_t(hi - lo));
    for (auto it = lo; it != hi; ++it) {
        ++s.runs;
        s.errors += it->ok ? 0 : 1;
        s.critical += it->critical ? 1 : 0;
        s.mismatches += it->mismatches;
        s.http429 += it->http429;
        s.retries += it->retries;
        latencies.push_back(it->durationMs);
    }
    if (!latencies.empty()) {
        std::sort(latencies.begin(), latencies.end());
        // nearest-rank percentiles
        const auto pct = [&](double p) {
            const size_t rank = size_t(std::ceil(p * double(latencies.size())));
            return double(latencies[std::min(latencies.size() - 1, rank == 0 ? 0 : rank - 1)]);
        };
        s.p50Ms = pct(0.50);
        s.p95Ms = pct(0.95);
        s.p99Ms = pct(0.99);
    }
    return s;
}

QJsonObject BacktestEvent::toJson() const
{
    return QJsonObject{{QStringLiteral("at"), at.toUTC().toString(Qt::ISODate)},
                       {QStringLiteral("kind"), kind},
                       {QStringLiteral("phaseIndex"), phaseIndex},
                       {QStringLiteral("phase"), phase},
                       {QStringLiteral("summary"), summary},
                       {QStringLiteral("evidence"), evidence}};
}

BacktestReport Backtest::run(const QString &flagKey, const QList<RunRecord> &records, const RolloutPlan &plan,
                             const QList<Guardrail> &guardrails, const QDateTime &from, const QDateTime &to, qint64 tickSeconds)
{
    BacktestReport report;
    report.records = records.size();
    const MemoryWindowSource source(records);
    const GuardrailEvaluator evaluator(source);
    int phase = 0;
    QDateTime phaseStart = from;
    QString state = QStringLiteral("running");
    QString lastHold;
    QMap<QString, int> breaches;
    const auto event = [&](const QDateTime &at, const QString &kind, const QString &summary, const QJsonObject &evidence) {
        report.events << BacktestEvent{at, kind, phase, plan.phases.at(phase).label(), summary, evidence};
    };
    if (plan.phases.size() == 1)
        state = QStringLiteral("completed");
    for (QDateTime t = from; t <= to && state == QLatin1String("running"); t = t.addSecs(tickSeconds)) {
        QJsonArray evidenceList;
        const Guardrail *worst = nullptr;
        GuardrailResult worstResult;
        QStringList notHealthy;
        for (const Guardrail &g : guardrails) {
            const GuardrailResult r = evaluator.evaluate(g, flagKey, t, breaches.value(g.name));
            breaches[g.name] = r.consecutiveBreaches;
            evidenceList.append(r.evidence(g));
            if (r.status != GuardrailResult::Status::Healthy)
                notHealthy << GuardrailEvaluator::describe(g, r);
            if (r.trips && (!worst || int(g.action) > int(worst->action))) {
                worst = &g;
                worstResult = r;
            }
        }
        const QJsonObject evidence{{QStringLiteral("guardrails"), evidenceList}};
        if (worst) {
            const QString why = GuardrailEvaluator::describe(*worst, worstResult);
            switch (worst->action) {
            case GuardrailAction::Kill:
            case GuardrailAction::Rollback:
                event(t, worst->action == GuardrailAction::Kill ? QStringLiteral("kill") : QStringLiteral("rollback"),
                      tr("Would roll back: guardrail %1 tripped. %2").arg(worst->name, why), evidence);
                state = QStringLiteral("rolled_back");
                continue;
            case GuardrailAction::Pause:
                event(t, QStringLiteral("pause"), tr("Would pause: guardrail %1 tripped. %2").arg(worst->name, why), evidence);
                state = QStringLiteral("paused");
                continue;
            case GuardrailAction::Warn:
                if (worstResult.consecutiveBreaches == worst->consecutive)
                    event(t, QStringLiteral("warn"), tr("Would warn: guardrail %1 breached. %2").arg(worst->name, why), evidence);
                break;
            }
        }
        if (t < phaseStart.addSecs(plan.phases.at(phase).holdSeconds))
            continue;
        if (!notHealthy.isEmpty()) {
            const QString reason = tr("Would hold at %1: %2").arg(plan.phases.at(phase).label(), notHealthy.join(QLatin1Char(' ')));
            if (reason != lastHold)
                event(t, QStringLiteral("hold"), reason, evidence);
            lastHold = reason;
            continue;
        }
        lastHold.clear();
        if (phase == plan.phases.size() - 1) {
            event(t, QStringLiteral("complete"), tr("Would complete at %1.").arg(plan.phases.at(phase).label()), evidence);
            state = QStringLiteral("completed");
            continue;
        }
        const QString fromText = plan.phases.at(phase).label();
        ++phase;
        phaseStart = t;
        event(t, QStringLiteral("advance"), tr("Would advance from %1 to %2.").arg(fromText, plan.phases.at(phase).label()), evidence);
        if (phase == plan.phases.size() - 1 && plan.phases.at(phase).holdSeconds == 0) {
            event(t, QStringLiteral("complete"), tr("Would complete at %1.").arg(plan.phases.at(phase).label()), evidence);
            state = QStringLiteral("completed");
        }
    }
    report.finalState = state;
    report.finalPhase = phase;
    return report;
}

} // namespace sp
