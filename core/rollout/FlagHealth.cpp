#include "FlagHealth.h"

#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Guardrail.h"
#include "rollout/Rollout.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QSet>

#include <optional>

namespace sp {

QString FlagHealth::levelName(Level level)
{
    switch (level) {
    case Level::Healthy: return QStringLiteral("healthy");
    case Level::Warning: return QStringLiteral("warning");
    case Level::Critical: return QStringLiteral("critical");
    case Level::NoData: return QStringLiteral("no_data");
    }
    return {};
}

namespace {

bool justRolledBack(const Rollout *r, const QDateTime &now)
{
    return r && r->state == RolloutState::RolledBack && r->updatedAt.isValid()
           && r->updatedAt.secsTo(now) <= FlagHealthSummary::kJustRolledBackSeconds;
}

} // namespace

QList<FlagHealth> FlagHealthSummary::all(const QDateTime &now) const
{
    QSet<QString> keys;
    for (const SyncConfig &c : SyncConfigStore(m_ws).list())
        if (!c.flagKey.isEmpty())
            keys.insert(c.flagKey);
    for (const Rollout &r : RolloutStore(m_ws).list(false))
        if (r.isActive() || justRolledBack(&r, now))
            keys.insert(r.flagKey);
    const RunRecordStore records(m_ws);
    const QDateTime from = now.addSecs(-kRecentRunsSeconds);
    for (const Flag &f : FlagStore(m_ws).flags())
        if (!keys.contains(f.key) && records.hasRuns(f.key, RunPath::Sync, from, now.addMSecs(1)))
            keys.insert(f.key);
    QStringList sorted(keys.cbegin(), keys.cend());
    sorted.sort();
    QList<FlagHealth> out;
    for (const QString &key : std::as_const(sorted))
        out << of(key, now);
    return out;
}

FlagHealth FlagHealthSummary::of(const QString &flagKey, const QDateTime &now) const
{
    FlagHealth h;
    h.flagKey = flagKey;
    const std::optional<Rollout> rollout = RolloutStore(m_ws).latest(flagKey);
    h.rolloutRunning = rollout && rollout->state == RolloutState::Running;

    const RunRecordStore records(m_ws);
    const StoreWindowSource source(records);
    const GuardrailEvaluator evaluator(source);
    struct Judged
    {
        Guardrail guardrail;
        GuardrailResult result;
    };
    QList<Judged> critical, warning, lacking;
    int healthy = 0;
    const GuardrailStore guardrails(m_ws);
    const GuardrailHistory previous = rollout && rollout->isActive() ? guardrails.history(rollout->id) : GuardrailHistory();
    for (const Guardrail &g : guardrails.effective(flagKey)) {
        const GuardrailResult r = evaluator.evaluate(g, flagKey, now, previous.breaches.value(g.name), previous.notBefore);
        if (r.status == GuardrailResult::Status::Breached) {
            const bool severe = g.action == GuardrailAction::Rollback || g.action == GuardrailAction::Kill;
            (severe ? critical : warning) << Judged{g, r};
        } else if (r.status == GuardrailResult::Status::InsufficientData) {
            lacking << Judged{g, r};
        } else {
            ++healthy;
        }
    }
    const auto andMore = [](const QString &text, qsizetype others) {
        return others > 0 ? tr("%1 (and %n more breached)", nullptr, int(others)).arg(text) : text;
    };
    if (!critical.isEmpty()) {
        const Judged &j = critical.first();
        h.level = FlagHealth::Level::Critical;
        h.guardrail = j.guardrail.name;
        h.reason = andMore(GuardrailEvaluator::describe(j.guardrail, j.result), critical.size() - 1 + warning.size());
    } else if (justRolledBack(rollout ? &*rollout : nullptr, now)) {
        h.level = FlagHealth::Level::Critical;
        h.reason = rollout->stateReason.isEmpty() ? tr("Rolled back at %1.").arg(rollout->updatedAt.toLocalTime().toString(QStringLiteral("HH:mm")))
                                                  : tr("Rolled back at %1: %2").arg(rollout->updatedAt.toLocalTime().toString(QStringLiteral("HH:mm")),
                                                                                    rollout->stateReason);
    } else if (!warning.isEmpty()) {
        const Judged &j = warning.first();
        h.level = FlagHealth::Level::Warning;
        h.guardrail = j.guardrail.name;
        h.reason = andMore(GuardrailEvaluator::describe(j.guardrail, j.result), warning.size() - 1);
    } else if (!lacking.isEmpty() && h.rolloutRunning) {
        const Judged &j = lacking.first();
        h.level = FlagHealth::Level::Warning;
        h.guardrail = j.guardrail.name;
        QStringList names;
        for (const Judged &l : std::as_const(lacking))
            names << l.guardrail.name;
        h.reason = tr("Rollout running without enough data for %1: %2").arg(names.join(QStringLiteral(", ")),
                                                                            GuardrailEvaluator::describe(j.guardrail, j.result));
    } else if (healthy > 0) {
        h.level = FlagHealth::Level::Healthy;
        h.reason = lacking.isEmpty() ? tr("All %n guardrail(s) healthy.", nullptr, healthy)
                                     : tr("%n guardrail(s) healthy; not enough runs yet for %1.", nullptr, healthy)
                                           .arg(lacking.first().guardrail.name);
    } else {
        h.level = FlagHealth::Level::NoData;
        h.reason = lacking.isEmpty() ? tr("No guardrail applies to this flag.")
                                     : tr("Not enough runs yet to judge: %1").arg(GuardrailEvaluator::describe(lacking.first().guardrail,
                                                                                                                lacking.first().result));
    }
    return h;
}

} // namespace sp
