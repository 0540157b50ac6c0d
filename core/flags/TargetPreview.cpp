#include "TargetPreview.h"

#include "Evaluator.h"
#include "FlagStore.h"
#include "sync/SyncConfig.h"

#include <QSet>

#include <algorithm>
#include <string>

namespace sp {

TargetPreview::TargetPreview(FlagSnapshot snapshot, QStringList knownTargets, QString flagKey)
    : m_snapshot(std::move(snapshot)), m_targets(std::move(knownTargets)), m_flagKey(std::move(flagKey))
{
    if (isValid())
        m_current = evaluateAll(m_snapshot);
}

TargetPreview TargetPreview::load(Workspace &workspace, const QString &flagKey)
{
    FlagSnapshot snapshot = FlagStore(workspace).snapshot();
    if (!snapshot.flags.contains(flagKey))
        return TargetPreview(std::move(snapshot), {}, flagKey);
    const QList<SyncConfig> configs = SyncConfigStore(workspace).list();
    QStringList targets = knownTargets(snapshot, configs, flagKey);
    return TargetPreview(std::move(snapshot), std::move(targets), flagKey);
}

QStringList TargetPreview::knownTargets(const FlagSnapshot &snapshot, const QList<SyncConfig> &configs, const QString &flagKey)
{
    QSet<QString> keys;
    for (const SyncConfig &config : configs) {
        if (config.flagKey != flagKey)
            continue;
        for (const SyncTargetSpec &target : config.targets)
            keys.insert(target.id);
    }
    for (const Segment &segment : snapshot.segments)
        for (const QString &key : segment.keys)
            keys.insert(key);
    QStringList sorted(keys.begin(), keys.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

SidePreview TargetPreview::preview(Workspace &workspace, const QString &flagKey, std::optional<bool> on,
                                   std::optional<int> percentTenths)
{
    return load(workspace, flagKey).preview(on, percentTenths);
}

std::vector<bool> TargetPreview::evaluateAll(const FlagSnapshot &snapshot) const
{
    const Evaluator evaluator(snapshot);
    const int index = evaluator.indexOf(m_flagKey);
    std::vector<bool> sides;
    sides.reserve(static_cast<size_t>(m_targets.size()));
    const Attributes none;
    std::string key;
    for (const QString &target : m_targets) {
        key = target.toStdString();
        sides.push_back(index >= 0 && evaluator.evaluate(index, EvalContext{key, &none}).on);
    }
    return sides;
}

SidePreview TargetPreview::preview(std::optional<bool> on, std::optional<int> percentTenths) const
{
    SidePreview result;
    if (!isValid())
        return result;
    result.known = int(m_targets.size());
    const Flag &stored = m_snapshot.flags[m_flagKey];
    const bool proposedOn = on.value_or(stored.enabled);
    const int proposedPercent = std::clamp(percentTenths.value_or(stored.percentTenths), 0, 1000);
    if (proposedOn == stored.enabled && proposedPercent == stored.percentTenths)
        return result; // nothing changes: no need to evaluate anything

    FlagSnapshot proposed = m_snapshot;
    Flag &flag = proposed.flags[m_flagKey];
    flag.enabled = proposedOn;
    flag.percentTenths = proposedPercent;
    const std::vector<bool> after = evaluateAll(proposed);
    for (size_t i = 0; i < after.size(); ++i) {
        if (after[i] && !m_current[i])
            ++result.turnOn;
        else if (!after[i] && m_current[i])
            ++result.turnOff;
    }
    return result;
}

} // namespace sp
