#pragma once

#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <functional>

namespace sp {

class Workspace;

// The state a rollback changes, captured before it acts so Restore can put it back.
struct RollbackSnapshot
{
    qint64 id = 0;
    QDateTime at;
    QString kind;        // emergency, selective, gradual
    QString reason;
    QString actor;
    QJsonObject before;  // flags (enabled, percent), rollouts (state, phase), sync configs (mode), kill switch
    QJsonObject after;   // the same, right after the rollback
    QDateTime restoredAt;
    // Filled by restore(): what it put back.
    QStringList restoredFlags;
    QList<qint64> restoredRollouts;
    QStringList restoredConfigs;

    QJsonObject toJson() const;
};

struct RollbackResult
{
    qint64 snapshotId = 0;
    QStringList flagsTurnedOff;
    QList<qint64> rolloutsRolledBack;
    QStringList configsToLegacy;
    qint64 elapsedMs = 0;
    // Set when the rollback committed but the flagd file could not be rewritten (the message says
    // why); the workspace is rolled back either way, the next successful publish catches up.
    QString publishError;

    bool nothingToDo() const { return flagsTurnedOff.isEmpty() && rolloutsRolledBack.isEmpty() && configsToLegacy.isEmpty(); }
    QJsonObject toJson() const;
};

// One committed step of a gradual rollback, reported as it happens.
struct GradualStep
{
    int index = 0;        // 1-based
    int count = 0;
    QString flagKey;      // empty for the final step that moves the remaining sync configs to legacy
    bool turnedOff = false;
    QList<qint64> rolloutsRolledBack;
    QStringList configsToLegacy;
};

// Emergency, selective and gradual rollback, and restore. Each rollback runs in one transaction
// (gradual: one per step) with its snapshot, audit entries and ledger entries, then republishes
// the flagd file.
class RollbackService
{
    Q_DECLARE_TR_FUNCTIONS(RollbackService)

public:
    explicit RollbackService(Workspace &workspace) : m_ws(workspace) {}

    // Every sync-tagged flag off, every running/paused rollout rolled back, every sync config to legacy.
    RollbackResult emergency(const ChangeContext &ctx);
    // One flag off (and its running rollout rolled back). Unknown flag: InvalidInput.
    RollbackResult selective(const QString &flagKey, const ChangeContext &ctx);
    // Sync flags off one by one in dependency order (dependents before their prerequisites),
    // waiting stepDelayMs between steps through sleep (tests pass a fake).
    RollbackResult gradual(qint64 stepDelayMs, const ChangeContext &ctx,
                           const std::function<void(qint64)> &sleep = {});

    // Reapplies a snapshot's "before" state (default: the newest snapshot not yet restored).
    // Refuses with Conflict, listing what changed, when the current state is no longer the
    // snapshot's "after" state.
    RollbackSnapshot restore(qint64 snapshotId, const ChangeContext &ctx);

    QList<RollbackSnapshot> snapshots(int limit = 20) const;

    // What changed since the snapshot's rollback, in words ("flag sync.realtime: now 40 %, was 0 %
    // right after the rollback"); empty when restore(snapshotId) would go ahead. 0: the default snapshot.
    QStringList differences(qint64 snapshotId = 0) const;

    // Called after each committed step of gradual(), before the delay (the CLI prints it).
    void setStepObserver(std::function<void(const GradualStep &)> observer) { m_stepObserver = std::move(observer); }

private:
    Workspace &m_ws;
    std::function<void(const GradualStep &)> m_stepObserver;
};

} // namespace sp
