#pragma once

#include "DecisionLedger.h"
#include "RolloutPlan.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlQuery>

#include <functional>

#include <optional>

namespace sp {

class Workspace;

enum class RolloutState { Draft, Running, Paused, Completed, RolledBack, Aborted };
QString rolloutStateName(RolloutState state); // draft, running, paused, completed, rolled_back, aborted
RolloutState parseRolloutState(const QString &name);

// A plan being applied to one flag.
struct Rollout
{
    qint64 id = 0;
    QString flagKey;
    RolloutPlan plan;
    QString templateName;
    RolloutState state = RolloutState::Draft;
    int phaseIndex = 0;
    QDateTime phaseStartedAt;
    QDateTime startedAt;
    QDateTime updatedAt;
    QString stateReason;
    qint64 version = 0;

    bool isActive() const { return state == RolloutState::Running || state == RolloutState::Paused || state == RolloutState::Draft; }
    const Phase &phase() const { return plan.phases.at(phaseIndex); }
    bool isLastPhase() const { return phaseIndex >= plan.phases.size() - 1; }
    QDateTime phaseEndsAt() const { return phaseStartedAt.addSecs(phase().holdSeconds); }
    QJsonObject toJson(const QDateTime &now) const;
};

// Rollouts of flags through their plans. Every step changes the flag (percentage, or an included
// segment), writes the audit log and the decision ledger in one transaction, then republishes
// the flagd file. Only one active rollout per flag.
class RolloutStore
{
    Q_DECLARE_TR_FUNCTIONS(RolloutStore)

public:
    explicit RolloutStore(Workspace &workspace, const Clock &clock = Clock::current());

    QList<Rollout> list(bool activeOnly = false) const;
    std::optional<Rollout> active(const QString &flagKey) const;
    std::optional<Rollout> latest(const QString &flagKey) const; // active, or the newest finished one
    Rollout activeOrThrow(const QString &flagKey) const;

    Rollout start(const QString &flagKey, const RolloutPlan &plan, const QString &templateName, const ChangeContext &ctx);
    // Moves to the next phase (or completes). summary/evidence explain an automatic step.
    Rollout advance(const QString &flagKey, const ChangeContext &ctx, bool automatic = false,
                    const QString &summary = {}, const QJsonObject &evidence = {});
    Rollout pause(const QString &flagKey, const ChangeContext &ctx, bool automatic = false,
                  const QString &summary = {}, const QJsonObject &evidence = {});
    Rollout resume(const QString &flagKey, const ChangeContext &ctx);
    // Finishes a rollout whose last phase has held its time.
    Rollout complete(const QString &flagKey, const ChangeContext &ctx, const QString &summary, const QJsonObject &evidence);
    // Remembers why the controller is holding (no version bump, no ledger entry).
    void noteHold(qint64 rolloutId, const QString &reason);
    // Stops the plan where it is; the flag keeps its current settings (rollback turns it off).
    Rollout abort(const QString &flagKey, const ChangeContext &ctx);

private:
    Rollout load(const QSqlQuery &q) const;
    void save(const Rollout &r);
    void applyPhase(const Rollout &r, const ChangeContext &ctx);
    Rollout change(const QString &flagKey, const ChangeContext &ctx, const std::function<QString(Rollout &)> &mutate);

    Workspace &m_ws;
    const Clock &m_clock;
};

} // namespace sp
