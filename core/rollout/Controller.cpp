#include "Controller.h"

#include "Guardrail.h"
#include "RollbackService.h"
#include "Rollout.h"
#include "flags/FlagdPublisher.h"
#include "metrics/RunRecordStore.h"
#include "workspace/Workspace.h"

#include <QJsonArray>
#include <QSqlQuery>

namespace sp {

namespace {

struct Evaluation
{
    Guardrail guardrail;
    GuardrailResult result;
};

int severity(GuardrailAction a)
{
    switch (a) {
    case GuardrailAction::Warn: return 1;
    case GuardrailAction::Pause: return 2;
    case GuardrailAction::Rollback: return 3;
    case GuardrailAction::Kill: return 4;
    }
    return 0;
}

} // namespace

Controller::Controller(Workspace &workspace, const Clock &clock) : m_ws(workspace), m_clock(clock) {}

QList<LedgerEntry> Controller::tick()
{
    const QDateTime now = m_clock.now();
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("controller"));
    RolloutStore rollouts(m_ws, m_clock);
    GuardrailStore guardrails(m_ws);
    RunRecordStore records(m_ws);
    const StoreWindowSource store(records);
    const TickWindowSource source(store); // guardrails of a flag share windows: read each once a tick
    const GuardrailEvaluator evaluator(source);
    DecisionLedger ledger(m_ws);
    const qint64 lastLedgerId = ledger.lastId();

    for (const Rollout &r : rollouts.list(true)) {
        if (r.state != RolloutState::Running && r.state != RolloutState::Paused)
            continue;
        // evaluate every guardrail, carrying consecutive-breach counts from the last tick
        const GuardrailHistory previous = guardrails.history(r.id);
        QList<Evaluation> evals;
        for (const Guardrail &g : guardrails.effective(r.flagKey))
            evals << Evaluation{g, evaluator.evaluate(g, r.flagKey, now, previous.breaches.value(g.name), previous.notBefore)};
        bool countsChanged = false;
        for (const Evaluation &e : evals)
            countsChanged |= previous.breaches.value(e.guardrail.name) != e.result.consecutiveBreaches;
        if (countsChanged) {
            m_ws.write([&] {
                for (const Evaluation &e : evals) {
                    m_ws.exec(QStringLiteral("DELETE FROM guardrail_state WHERE rollout_id = ? AND guardrail = ?"), {r.id, e.guardrail.name});
                    m_ws.exec(QStringLiteral("INSERT INTO guardrail_state (rollout_id, guardrail, consecutive_breaches, last_evaluated_at)"
                                             " VALUES (?, ?, ?, ?)"),
                              {r.id, e.guardrail.name, e.result.consecutiveBreaches, toStoredTime(now)});
                }
            });
        }

        QJsonArray evidenceList;
        for (const Evaluation &e : evals)
            evidenceList.append(e.result.evidence(e.guardrail));
        QJsonObject evidence{{QStringLiteral("guardrails"), evidenceList},
                             {QStringLiteral("phase"), r.phase().label()},
                             {QStringLiteral("phaseIndex"), r.phaseIndex},
                             {QStringLiteral("heldSeconds"), r.phaseStartedAt.secsTo(now)},
                             {QStringLiteral("holdSeconds"), r.phase().holdSeconds}};

        // the most severe tripping guardrail decides
        const Evaluation *worst = nullptr;
        for (const Evaluation &e : evals)
            if (e.result.trips && (!worst || severity(e.guardrail.action) > severity(worst->guardrail.action)))
                worst = &e;
        if (worst) {
            const QString why = GuardrailEvaluator::describe(worst->guardrail, worst->result);
            evidence.insert(QStringLiteral("trippedBy"), worst->guardrail.name);
            ChangeContext acting = ctx;
            switch (worst->guardrail.action) {
            case GuardrailAction::Kill:
                acting.reason = tr("Guardrail %1 of %2 tripped: %3").arg(worst->guardrail.name, r.flagKey, why);
                acting.evidence = evidence;
                m_ws.write([&] {
                    RollbackService(m_ws).emergency(acting);
                    ledger.record(acting, r.flagKey, r.id, QStringLiteral("kill"), true,
                                  tr("Emergency rollback of everything: guardrail %1 of %2 tripped. %3").arg(worst->guardrail.name, r.flagKey, why),
                                  evidence);
                });
                FlagdPublisher(m_ws).publishIfConfigured();
                return ledger.since(lastLedgerId); // everything is rolled back: nothing left to tick
            case GuardrailAction::Rollback:
                // the rollback's ledger entry carries this reason and evidence
                acting.reason = tr("Rolled back %1: guardrail %2 tripped. %3").arg(r.flagKey, worst->guardrail.name, why);
                acting.evidence = evidence;
                RollbackService(m_ws).selective(r.flagKey, acting);
                continue;
            case GuardrailAction::Pause:
                if (r.state == RolloutState::Running)
                    rollouts.pause(r.flagKey, ctx, true,
                                   tr("Paused %1 at %2: guardrail %3 tripped. %4").arg(r.flagKey, r.phase().label(), worst->guardrail.name, why),
                                   evidence);
                continue;
            case GuardrailAction::Warn:
                // once per breach episode: when the streak first reaches the required count
                if (worst->result.consecutiveBreaches == worst->guardrail.consecutive)
                    m_ws.write([&] {
                        ledger.record(ctx, r.flagKey, r.id, QStringLiteral("warn"), true,
                                      tr("Warning for %1: guardrail %2 breached. %3").arg(r.flagKey, worst->guardrail.name, why), evidence);
                    });
                break;
            }
        }
        if (r.state != RolloutState::Running)
            continue;
        if (now < r.phaseEndsAt())
            continue; // still holding this phase
        QStringList notHealthy;
        for (const Evaluation &e : evals)
            if (e.result.status != GuardrailResult::Status::Healthy)
                notHealthy << GuardrailEvaluator::describe(e.guardrail, e.result);
        if (!notHealthy.isEmpty()) {
            const QString reason = tr("Holding %1 at %2 past its hold time: %3").arg(r.flagKey, r.phase().label(), notHealthy.join(QLatin1Char(' ')));
            if (reason != r.stateReason) {
                m_ws.write([&] {
                    ledger.record(ctx, r.flagKey, r.id, QStringLiteral("hold"), true, reason, evidence);
                    m_ws.exec(QStringLiteral("UPDATE rollouts SET state_reason = ? WHERE id = ?"), {reason, r.id});
                });
            }
            continue;
        }
        const QString healthy = tr("held %1, all %n guardrail(s) healthy", nullptr, int(evals.size()))
                                    .arg(RolloutPlanText::formatDuration(r.phaseStartedAt.secsTo(now)));
        if (r.isLastPhase()) {
            rollouts.complete(r.flagKey, ctx, tr("Completed the rollout of %1 at %2: %3.").arg(r.flagKey, r.phase().label(), healthy), evidence);
        } else {
            const QString next = r.plan.phases.at(r.phaseIndex + 1).label();
            rollouts.advance(r.flagKey, ctx, true,
                             tr("Advanced %1 from %2 to %3: %4.").arg(r.flagKey, r.phase().label(), next, healthy), evidence);
        }
    }
    return ledger.since(lastLedgerId);
}

} // namespace sp
