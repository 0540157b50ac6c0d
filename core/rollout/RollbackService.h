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

    QJsonObject toJson() const;
};

struct RollbackResult
{
    qint64 snapshotId = 0;
    QStringList flagsTurnedOff;
    QList<qint64> rolloutsRolledBack;
    QStringList configsToLegacy;
    qint64 elapsedMs = 0;
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

private:
    Workspace &m_ws;
};

} // namespace sp
