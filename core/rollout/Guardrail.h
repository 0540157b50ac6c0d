#pragma once

#include "audit/AuditLog.h"
#include "metrics/RunRecordStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QJsonObject>
#include <QList>

namespace sp {

class Workspace;

enum class GuardrailMetric {
    ErrorRate,      // errors / runs of the sync cohort
    CriticalErrors, // count of critical errors in the sync cohort
    Mismatches,     // data inconsistencies found by hybrid comparisons (sync + shadow cohorts)
    LatencyP50,
    LatencyP95,
    LatencyP99,
    Rate429,        // 429 responses per run
};

enum class GuardrailAction { Warn, Pause, Rollback, Kill };

// A guardrail: metric, comparison, threshold, window, minimum sample, consecutive-breach count
// and action (DESIGN.md §1). "Relative" guardrails compare the sync cohort with the legacy cohort
// over the same window: threshold 1.15 means "115 % of legacy".
struct Guardrail
{
    QString name;
    GuardrailMetric metric = GuardrailMetric::ErrorRate;
    bool orEqual = false;        // >= instead of >
    double threshold = 0;
    bool relativeToLegacy = false;
    qint64 windowSeconds = 300;
    int minSamples = 1;          // runs of the watched cohort(s) in the window, before anything is judged
    int consecutive = 1;         // breached evaluations in a row before the action is taken
    GuardrailAction action = GuardrailAction::Pause;
    bool enabled = true;

    // The seeds' defaults: error rate > 10 % (min 20 runs) → rollback; ≥ 3 critical errors in
    // 5 min → rollback; ≥ 1 inconsistency in 1 min → rollback; p95 > 115 % of legacy over 10 min
    // → pause.
    static QList<Guardrail> defaults();
    // "error_rate > 10% window=15m min=20 action=rollback", "critical >= 3 window=5m action=rollback",
    // "p95 > 115% legacy window=10m min=20 action=pause", "rate_429 > 0.5 window=5m consecutive=3 action=warn".
    static Guardrail parse(const QString &name, const QString &spec);
    QString toSpec() const;
    QJsonObject toJson() const;
    static Guardrail fromJson(const QJsonObject &o);

    static QString metricName(GuardrailMetric m);
    static QString actionName(GuardrailAction a);
    bool isCount() const { return metric == GuardrailMetric::CriticalErrors || metric == GuardrailMetric::Mismatches; }
};

// Where windows of run-record statistics come from: the workspace, or memory (backtests).
class WindowSource
{
public:
    virtual ~WindowSource() = default;
    virtual WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const = 0;
    // false only when the cohort certainly has no run in [from, to): lets the evaluator skip a
    // window read for a cohort a flag never uses (most flags have no hybrid shadow runs).
    virtual bool hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
    {
        Q_UNUSED(flagKey);
        Q_UNUSED(cohort);
        Q_UNUSED(from);
        Q_UNUSED(to);
        return true;
    }
};

class StoreWindowSource final : public WindowSource
{
public:
    explicit StoreWindowSource(const RunRecordStore &store) : m_store(store) {}
    WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const override
    {
        return m_store.window(flagKey, cohort, from, to);
    }
    bool hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const override
    {
        return m_store.hasRuns(flagKey, cohort, from, to);
    }

private:
    const RunRecordStore &m_store;
};

// Remembers each window it was asked for: a controller tick evaluates several guardrails per flag
// over the same windows (sync, shadow, legacy), which are read once per tick this way. Keep one
// per tick: later runs are not seen.
class TickWindowSource final : public WindowSource
{
public:
    explicit TickWindowSource(const WindowSource &inner) : m_inner(inner) {}
    WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const override;
    bool hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const override;

private:
    struct Key
    {
        QString flagKey;
        int cohort;
        qint64 from, to;
        bool operator==(const Key &o) const { return cohort == o.cohort && from == o.from && to == o.to && flagKey == o.flagKey; }
    };
    friend size_t qHash(const Key &k, size_t seed) { return qHashMulti(seed, k.flagKey, k.cohort, k.from, k.to); }
    const WindowSource &m_inner;
    mutable QHash<Key, WindowStats> m_windows;
    mutable QHash<Key, bool> m_present;
};

struct GuardrailResult
{
    enum class Status { Healthy, Breached, InsufficientData };
    Status status = Status::InsufficientData;
    double value = 0;          // the metric (ratio 0..1 for rates, ms for latency, a count for counts)
    double legacyValue = 0;    // relative guardrails
    double effectiveThreshold = 0;
    qint64 samples = 0;
    qint64 legacySamples = 0;
    int consecutiveBreaches = 0; // including this evaluation
    bool trips = false;          // breached, enough samples, consecutive count reached: act now

    QJsonObject evidence(const Guardrail &g) const;
};

class GuardrailEvaluator
{
    Q_DECLARE_TR_FUNCTIONS(Guardrail)

public:
    explicit GuardrailEvaluator(const WindowSource &source) : m_source(source) {}

    // previousBreaches: consecutive breaches counted before this evaluation. notBefore (when
    // valid) shortens the window: no run that started earlier is counted.
    GuardrailResult evaluate(const Guardrail &g, const QString &flagKey, const QDateTime &now, int previousBreaches = 0,
                             const QDateTime &notBefore = {}) const;

    // In words, when the guardrail acts and where it stands: "Rolls back on the 3rd critical error
    // within 5 minutes; 1 so far."
    static QString describe(const Guardrail &g, const GuardrailResult &r);
    static QString describeRule(const Guardrail &g);
    static QString ordinal(int n);

private:
    const WindowSource &m_source;
};

// The guardrails in force for a flag: built-in defaults, overridden by name by workspace-wide
// definitions (flag_key ''), overridden by the flag's own. A disabled definition removes the name.
struct GuardrailHistory
{
    // How many evaluations in a row each guardrail has been breached, as of the controller's last
    // tick (guardrail name -> count; absent = 0).
    QMap<QString, int> breaches;
    // Runs before this time are not evidence any more: the rollout was restored or resumed by an
    // operator then, who decided to go on (otherwise the runs that caused a rollback would roll
    // the restored rollout back again at once). Invalid: no such decision.
    QDateTime notBefore;
};

class GuardrailStore
{
    Q_DECLARE_TR_FUNCTIONS(Guardrail)

public:
    explicit GuardrailStore(Workspace &workspace) : m_ws(workspace) {}
    QList<Guardrail> effective(const QString &flagKey) const;
    // flagKey empty: the workspace default. Audited. Inside or outside a transaction.
    void set(const QString &flagKey, const Guardrail &g, const ChangeContext &ctx);
    void remove(const QString &flagKey, const QString &name, const ChangeContext &ctx);
    // Where a rollout's guardrails stand between controller ticks.
    GuardrailHistory history(qint64 rolloutId) const;

private:
    Workspace &m_ws;
};

} // namespace sp
