#pragma once

#include "Guardrail.h"
#include "RolloutPlan.h"
#include "metrics/RunRecord.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <vector>

namespace sp {

// Run records held in memory, answering window queries exactly (for backtests).
class MemoryWindowSource final : public WindowSource
{
public:
    explicit MemoryWindowSource(const QList<RunRecord> &records);
    WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const override;

private:
    struct Run
    {
        qint64 startMs;
        qint64 durationMs;
        bool ok;
        bool critical;
        int mismatches;
        int http429;
        int retries;
    };
    std::vector<Run> m_runs[3]; // by cohort, sorted by start
    QString m_flag;
};

struct BacktestEvent
{
    QDateTime at;
    QString kind;      // advance, hold, pause, rollback, kill, warn, complete
    int phaseIndex = 0;
    QString phase;     // the phase after the event
    QString summary;
    QJsonObject evidence;

    QJsonObject toJson() const;
};

struct BacktestReport
{
    QList<BacktestEvent> events;
    QString finalState;   // running, paused, completed, rolled_back
    int finalPhase = 0;
    qint64 records = 0;
};

// Replays stored run records through a plan and its guardrails, tick by tick, as the controller
// would have: when it would have advanced, held, paused or rolled back. Starts at `from` in phase
// 0. Nothing is written.
class Backtest
{
    Q_DECLARE_TR_FUNCTIONS(Backtest)

public:
    static BacktestReport run(const QString &flagKey, const QList<RunRecord> &records, const RolloutPlan &plan,
                              const QList<Guardrail> &guardrails, const QDateTime &from, const QDateTime &to,
                              qint64 tickSeconds = 60);
};

} // namespace sp
