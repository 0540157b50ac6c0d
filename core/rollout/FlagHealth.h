#pragma once

#include "common/Clock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>

namespace sp {

class Workspace;

// How one flag is doing now, in one word and one sentence (the Overview's "health per flag"):
// Critical when a rollback or kill guardrail is breached or the flag was just rolled back,
// Warning when a warn or pause guardrail is breached or a running rollout lacks the data to be
// judged, Healthy when every guardrail with enough runs is healthy, NoData when no guardrail has
// enough runs yet and no rollout is running.
struct FlagHealth
{
    enum class Level { Healthy, Warning, Critical, NoData };
    QString flagKey;
    Level level = Level::NoData;
    QString reason;          // in words, from GuardrailEvaluator::describe where a guardrail decided
    QString guardrail;       // the guardrail that decided (empty for healthy / rolled back)
    bool rolloutRunning = false;

    static QString levelName(Level level); // healthy, warning, critical, no_data
};

class FlagHealthSummary
{
    Q_DECLARE_TR_FUNCTIONS(FlagHealthSummary)

public:
    explicit FlagHealthSummary(Workspace &workspace) : m_ws(workspace) {}

    // Every flag that has a sync config, an active rollout, sync-cohort runs in the last 24 hours
    // or a rollback within the last hour, by key.
    QList<FlagHealth> all(const QDateTime &now) const;
    // One flag (evaluates its effective guardrails over the run records).
    FlagHealth of(const QString &flagKey, const QDateTime &now) const;

    static constexpr qint64 kRecentRunsSeconds = 24 * 3600;
    static constexpr qint64 kJustRolledBackSeconds = 3600;

private:
    Workspace &m_ws;
};

} // namespace sp
