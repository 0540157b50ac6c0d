#include "RolloutText.h"

#include "TimeText.h"

#include <algorithm>

namespace sp {

QString RolloutText::state(RolloutState state)
{
    switch (state) {
    case RolloutState::Draft:
        return tr("Draft");
    case RolloutState::Running:
        return tr("Running");
    case RolloutState::Paused:
        return tr("Paused");
    case RolloutState::Completed:
        return tr("Completed");
    case RolloutState::RolledBack:
        return tr("Rolled back");
    case RolloutState::Aborted:
        return tr("Aborted");
    }
    return {};
}

QString RolloutText::hold(qint64 seconds)
{
    if (seconds <= 0)
        return tr("final");
    if (seconds % 86400 == 0 && seconds >= 3 * 86400)
        return tr("%n day(s)", nullptr, int(seconds / 86400));
    if (seconds % 3600 == 0)
        return tr("%1 h").arg(seconds / 3600);
    if (seconds >= 3600)
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    if (seconds % 60 == 0)
        return tr("%1 min").arg(seconds / 60);
    return tr("%1 s").arg(seconds);
}

QString RolloutText::duration(qint64 seconds)
{
    return seconds <= 0 ? tr("%1 s").arg(0) : hold(seconds);
}

QString RolloutText::planInWords(const RolloutPlan &plan)
{
    QStringList parts;
    for (const Phase &p : plan.phases)
        parts << (p.holdSeconds > 0 ? tr("%1 for %2").arg(p.label(), hold(p.holdSeconds)) : p.label());
    return parts.join(QStringLiteral(" → "));
}

QString RolloutText::phase(const Rollout &r)
{
    if (r.plan.phases.isEmpty())
        return {};
    return tr("%1 of %2: %3").arg(r.phaseIndex + 1).arg(r.plan.phases.size()).arg(r.phase().label());
}

QString RolloutText::timeLeft(const Rollout &r, const QDateTime &now)
{
    if (r.state != RolloutState::Running || r.plan.phases.isEmpty())
        return {};
    if (r.isLastPhase() && r.phase().holdSeconds == 0)
        return tr("final");
    return TimeText::timeLeft(now.secsTo(r.phaseEndsAt()));
}

} // namespace sp
