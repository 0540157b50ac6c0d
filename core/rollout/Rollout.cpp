#include "Rollout.h"

#include "common/Error.h"
#include "flags/FlagStore.h"
#include "flags/FlagdPublisher.h"
#include "workspace/Workspace.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace sp {

namespace {
const char *const kStateNames[] = {"draft", "running", "paused", "completed", "rolled_back", "aborted"};
const QString kColumns = QStringLiteral("id, flag_key, plan, template, state, phase_index, phase_started_at, started_at, updated_at,"
                                        " state_reason, version");
} // namespace

QString rolloutStateName(RolloutState state) { return QString::fromLatin1(kStateNames[int(state)]); }

RolloutState parseRolloutState(const QString &name)
{
    for (int i = 0; i < 6; ++i)
        if (name == QLatin1String(kStateNames[i]))
            return RolloutState(i);
    return RolloutState::Aborted;
}

QJsonObject Rollout::toJson(const QDateTime &now) const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("flag"), flagKey},
                  {QStringLiteral("plan"), plan.toText()},
                  {QStringLiteral("phases"), plan.toJson()},
                  {QStringLiteral("template"), templateName},
                  {QStringLiteral("state"), rolloutStateName(state)},
                  {QStringLiteral("phaseIndex"), phaseIndex},
                  {QStringLiteral("phase"), phase().toText()},
                  {QStringLiteral("phaseStartedAt"), toStoredTime(phaseStartedAt)},
                  {QStringLiteral("startedAt"), toStoredTime(startedAt)},
                  {QStringLiteral("updatedAt"), toStoredTime(updatedAt)},
                  {QStringLiteral("stateReason"), stateReason},
                  {QStringLiteral("version"), version}};
    if (state == RolloutState::Running && !isLastPhase()) {
        o.insert(QStringLiteral("phaseEndsAt"), toStoredTime(phaseEndsAt()));
        o.insert(QStringLiteral("secondsLeft"), std::max<qint64>(0, now.secsTo(phaseEndsAt())));
    }
    return o;
}

RolloutStore::RolloutStore(Workspace &workspace, const Clock &clock) : m_ws(workspace), m_clock(clock) {}

Rollout RolloutStore::load(const QSqlQuery &q) const
{
    Rollout r;
    r.id = q.value(0).toLongLong();
    r.flagKey = q.value(1).toString();
    r.plan = RolloutPlan::fromJson(QJsonDocument::fromJson(q.value(2).toString().toUtf8()).array());
    r.templateName = q.value(3).toString();
    r.state = parseRolloutState(q.value(4).toString());
    r.phaseIndex = std::clamp(q.value(5).toInt(), 0, std::max<int>(0, int(r.plan.phases.size()) - 1));
    r.phaseStartedAt = fromStoredTime(q.value(6).toString());
    r.startedAt = fromStoredTime(q.value(7).toString());
    r.updatedAt = fromStoredTime(q.value(8).toString());
    r.stateReason = q.value(9).toString();
    r.version = q.value(10).toLongLong();
    return r;
}

QList<Rollout> RolloutStore::list(bool activeOnly) const
{
    QList<Rollout> out;
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM rollouts%2 ORDER BY id")
                                .arg(kColumns, activeOnly ? QStringLiteral(" WHERE state IN ('draft', 'running', 'paused')") : QString()));
    while (q.next())
        out << load(q);
    return out;
}

std::optional<Rollout> RolloutStore::active(const QString &flagKey) const
{
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM rollouts WHERE flag_key = ? AND state IN ('draft', 'running', 'paused')").arg(kColumns),
                            {flagKey});
    if (q.next())
        return load(q);
    return std::nullopt;
}

std::optional<Rollout> RolloutStore::latest(const QString &flagKey) const
{
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM rollouts WHERE flag_key = ? ORDER BY id DESC LIMIT 1").arg(kColumns), {flagKey});
    if (q.next())
        return load(q);
    return std::nullopt;
}

Rollout RolloutStore::activeOrThrow(const QString &flagKey) const
{
    FlagRules::checkKey(flagKey);
    auto r = active(flagKey);
    if (!r)
        invalid(tr("Flag %1 has no active rollout; start one with: syncpilot-cli rollout start %1 --template canary").arg(flagKey));
    return *r;
}

void RolloutStore::save(const Rollout &r)
{
    QSqlQuery q = m_ws.exec(QStringLiteral("UPDATE rollouts SET state = ?, phase_index = ?, phase_started_at = ?, updated_at = ?,"
                                           " state_reason = ?, version = ? WHERE id = ? AND version = ?"),
                            {rolloutStateName(r.state), r.phaseIndex, toStoredTime(r.phaseStartedAt), toStoredTime(r.updatedAt),
                             r.stateReason, r.version, r.id, r.version - 1});
    if (q.numRowsAffected() != 1)
        conflict(tr("The rollout of %1 was changed by someone else meanwhile; nothing was changed.").arg(r.flagKey));
}

// Sets the flag to what the current phase asks for: on, at the phase's percentage, or with the
// phase's segment included. Segments of earlier phases stay included.
void RolloutStore::applyPhase(const Rollout &r, const ChangeContext &ctx)
{
    FlagStore flags(m_ws);
    const Flag f = flags.get(r.flagKey);
    FlagPatch patch;
    patch.enabled = true;
    const Phase &p = r.phase();
    if (p.isSegment()) {
        if (!f.includeSegments.contains(p.segment))
            patch.includeSegments = f.includeSegments + QStringList{p.segment};
    } else {
        patch.percentTenths = p.percentTenths;
    }
    flags.update(r.flagKey, patch, ctx);
}

Rollout RolloutStore::start(const QString &flagKey, const RolloutPlan &plan, const QString &templateName, const ChangeContext &ctx)
{
    FlagRules::checkKey(flagKey);
    if (plan.phases.isEmpty())
        invalid(tr("The plan is empty."));
    Rollout r;
    m_ws.write([&] {
        const FlagSnapshot snap = FlagStore(m_ws).snapshot();
        if (!snap.flags.contains(flagKey))
            invalid(tr("Unknown flag \"%1\"; nothing was started.").arg(flagKey));
        for (const Phase &p : plan.phases)
            if (p.isSegment() && !snap.segments.contains(p.segment))
                invalid(tr("The plan needs segment \"%1\", which does not exist; create it with: syncpilot-cli segment create %1 --keys-file FILE")
                            .arg(p.segment));
        if (auto existing = active(flagKey))
            conflict(tr("Flag %1 already has a %2 rollout (%3); pause, abort or finish it first.")
                         .arg(flagKey, rolloutStateName(existing->state), existing->plan.toText()));
        const QDateTime now = m_clock.now();
        r.flagKey = flagKey;
        r.plan = plan;
        r.templateName = templateName;
        r.state = RolloutState::Running;
        r.phaseIndex = 0;
        r.phaseStartedAt = r.startedAt = r.updatedAt = fromStoredTime(toStoredTime(now));
        r.version = 1;
        QSqlQuery q = m_ws.exec(QStringLiteral("INSERT INTO rollouts (flag_key, plan, template, state, phase_index, phase_started_at,"
                                               " started_at, updated_at, state_reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                                {flagKey, QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)), templateName,
                                 rolloutStateName(r.state), 0, toStoredTime(now), toStoredTime(now), toStoredTime(now), QString(), 1});
        q.next();
        r.id = q.value(0).toLongLong();
        q.finish();
        if (r.plan.phases.size() == 1)
            r.state = RolloutState::Completed;
        applyPhase(r, ctx);
        if (r.state == RolloutState::Completed) {
            r.version = 2;
            save(r);
        }
        AuditLog(m_ws).append(ctx, QStringLiteral("rollout.start"), QStringLiteral("flag:") + flagKey, QJsonValue(), r.toJson(now));
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("start"), false,
                                    tr("Started %1 at %2 (plan %3).").arg(flagKey, r.phase().label(), plan.toText()));
    });
    FlagdPublisher(m_ws).publishIfConfigured();
    return r;
}

Rollout RolloutStore::change(const QString &flagKey, const ChangeContext &ctx, const std::function<QString(Rollout &)> &mutate)
{
    FlagRules::checkKey(flagKey);
    Rollout r;
    m_ws.write([&] {
        r = activeOrThrow(flagKey);
        const QJsonObject before = r.toJson(m_clock.now());
        const QString action = mutate(r);
        if (action.isEmpty())
            return;
        r.updatedAt = fromStoredTime(toStoredTime(m_clock.now()));
        ++r.version;
        save(r);
        AuditLog(m_ws).append(ctx, action, QStringLiteral("flag:") + flagKey, before, r.toJson(m_clock.now()));
    });
    FlagdPublisher(m_ws).publishIfConfigured();
    return r;
}

Rollout RolloutStore::advance(const QString &flagKey, const ChangeContext &ctx, bool automatic, const QString &summary,
                              const QJsonObject &evidence)
{
    return change(flagKey, ctx, [&](Rollout &r) {
        if (r.state != RolloutState::Running)
            conflict(tr("The rollout of %1 is %2; resume it before advancing.").arg(flagKey, rolloutStateName(r.state)));
        if (r.isLastPhase())
            conflict(tr("The rollout of %1 is already at its last phase.").arg(flagKey));
        const QString from = r.phase().label();
        ++r.phaseIndex;
        r.phaseStartedAt = fromStoredTime(toStoredTime(m_clock.now()));
        r.stateReason.clear();
        if (r.isLastPhase() && r.phase().holdSeconds == 0)
            r.state = RolloutState::Completed;
        applyPhase(r, ctx);
        const QString words = summary.isEmpty()
                                  ? tr("Advanced %1 from %2 to %3.").arg(flagKey, from, r.phase().label())
                                  : summary;
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("advance"), automatic, words, evidence);
        if (r.state == RolloutState::Completed)
            DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("complete"), automatic,
                                        tr("Completed the rollout of %1 at %2.").arg(flagKey, r.phase().label()));
        return QStringLiteral("rollout.advance");
    });
}

Rollout RolloutStore::pause(const QString &flagKey, const ChangeContext &ctx, bool automatic, const QString &summary,
                            const QJsonObject &evidence)
{
    return change(flagKey, ctx, [&](Rollout &r) {
        if (r.state == RolloutState::Paused)
            return QString(); // already paused: nothing to do
        r.state = RolloutState::Paused;
        r.stateReason = summary.isEmpty() ? ctx.reason : summary;
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("pause"), automatic,
                                    summary.isEmpty() ? tr("Paused %1 at %2: %3").arg(flagKey, r.phase().label(), ctx.reason) : summary,
                                    evidence);
        return QStringLiteral("rollout.pause");
    });
}

Rollout RolloutStore::resume(const QString &flagKey, const ChangeContext &ctx)
{
    return change(flagKey, ctx, [&](Rollout &r) {
        if (r.state != RolloutState::Paused)
            conflict(tr("The rollout of %1 is %2, not paused.").arg(flagKey, rolloutStateName(r.state)));
        r.state = RolloutState::Running;
        r.stateReason.clear();
        // the hold time of the phase starts again: the evidence before the pause does not count
        r.phaseStartedAt = fromStoredTime(toStoredTime(m_clock.now()));
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("resume"), false,
                                    tr("Resumed %1 at %2; the phase's hold time starts again.").arg(flagKey, r.phase().label()));
        return QStringLiteral("rollout.resume");
    });
}

Rollout RolloutStore::complete(const QString &flagKey, const ChangeContext &ctx, const QString &summary, const QJsonObject &evidence)
{
    return change(flagKey, ctx, [&](Rollout &r) {
        if (r.state != RolloutState::Running || !r.isLastPhase())
            conflict(tr("The rollout of %1 is not running its last phase.").arg(flagKey));
        r.state = RolloutState::Completed;
        r.stateReason.clear();
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("complete"), true, summary, evidence);
        return QStringLiteral("rollout.complete");
    });
}

void RolloutStore::noteHold(qint64 rolloutId, const QString &reason)
{
    m_ws.write([&] { m_ws.exec(QStringLiteral("UPDATE rollouts SET state_reason = ? WHERE id = ?"), {reason, rolloutId}); });
}

Rollout RolloutStore::abort(const QString &flagKey, const ChangeContext &ctx)
{
    return change(flagKey, ctx, [&](Rollout &r) {
        r.state = RolloutState::Aborted;
        r.stateReason = ctx.reason;
        DecisionLedger(m_ws).record(ctx, flagKey, r.id, QStringLiteral("abort"), false,
                                    tr("Aborted the rollout of %1 at %2; the flag keeps its settings.").arg(flagKey, r.phase().label()));
        return QStringLiteral("rollout.abort");
    });
}

} // namespace sp
