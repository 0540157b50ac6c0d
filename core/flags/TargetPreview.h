#pragma once

#include "Flag.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sp {

class Workspace;
struct SyncConfig;

// How many known targets of a flag would change side under a proposed change.
struct SidePreview
{
    int known = 0;   // known targets evaluated
    int turnOn = 0;  // off now, on with the proposal
    int turnOff = 0; // on now, off with the proposal

    int changing() const { return turnOn + turnOff; }
    bool operator==(const SidePreview &) const = default;
};

// Answers "how many of the targets we know would change side" before a flag change is applied.
// The known targets of a flag are the target ids of every sync config gated by it plus every
// targeting key listed in any segment, deduplicated. Each is evaluated with the real Evaluator
// (master switch, kill switch, prerequisites, segments, split) and no attributes, once with the
// flag as stored and once as proposed.
//
// Load once (snapshot + targets, a few queries), then preview() as often as a slider moves: it
// evaluates in memory only and is safe to call from any thread.
class TargetPreview
{
    Q_DECLARE_TR_FUNCTIONS(TargetPreview)

public:
    TargetPreview() = default;
    TargetPreview(FlagSnapshot snapshot, QStringList knownTargets, QString flagKey);

    // Reads the flags, segments and sync configs of the workspace. An unknown flag gives an
    // invalid preview (isValid() false) rather than an error: it may just have been deleted.
    static TargetPreview load(Workspace &workspace, const QString &flagKey);
    // The known targets of flagKey, sorted and without duplicates.
    static QStringList knownTargets(const FlagSnapshot &snapshot, const QList<SyncConfig> &configs, const QString &flagKey);
    // One-shot: load() then preview().
    static SidePreview preview(Workspace &workspace, const QString &flagKey, std::optional<bool> on,
                               std::optional<int> percentTenths);

    bool isValid() const { return m_snapshot.flags.contains(m_flagKey); }
    QString flagKey() const { return m_flagKey; }
    const FlagSnapshot &snapshot() const { return m_snapshot; }
    const QStringList &targets() const { return m_targets; }
    // The flag as stored when this preview was loaded (a default Flag when invalid).
    Flag flag() const { return m_snapshot.flags.value(m_flagKey); }

    // Unset fields keep the stored value. percentTenths outside 0..1000 is clamped.
    SidePreview preview(std::optional<bool> on, std::optional<int> percentTenths) const;

private:
    std::vector<bool> evaluateAll(const FlagSnapshot &snapshot) const;

    FlagSnapshot m_snapshot;
    QStringList m_targets;
    QString m_flagKey;
    std::vector<bool> m_current; // each target's side with the flag as stored
};

} // namespace sp
