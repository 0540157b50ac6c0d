#pragma once

#include <QCoreApplication>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace sp {

// One step of a rollout: a percentage or a segment, held for a while before the next step.
struct Phase
{
    int percentTenths = -1; // 0..1000, or -1 when the phase targets a segment
    QString segment;        // the segment switched on in this phase (kept on in later phases)
    qint64 holdSeconds = 0; // 0 on the last phase: it completes as soon as it is reached

    bool isSegment() const { return !segment.isEmpty(); }
    QString toText() const; // "25:48h", "segment=dev-team:24h", "100"
    QString label() const;  // "25 %", "segment dev-team": what the phase turns on, in words
};

// An ordered list of phases. Text form: "5:24h,25:48h,50:72h,100" or with segment phases
// "segment=dev-team:24h,10:24h,25:24h,50:24h,100". Durations: s, m, h, d (e.g. 90m, 2d).
struct RolloutPlan
{
    QList<Phase> phases;

    // Throws sp::Error(InvalidInput) naming the phase at fault; percentages must rise.
    static RolloutPlan parse(const QString &text);
    // canary (5 % 24 h → 25 % 48 h → 50 % 72 h → 100 %), daily (dev team → 10 → 25 → 50 → 100 %,
    // a day each), ladder (1 → 5 → 10 → 25 → 50 → 100 %, a day each).
    static RolloutPlan fromTemplate(const QString &name);
    static QStringList templateNames();

    QString toText() const;
    QJsonArray toJson() const;
    static RolloutPlan fromJson(const QJsonArray &array);
    qint64 totalHoldSeconds() const;
};

class RolloutPlanText
{
    Q_DECLARE_TR_FUNCTIONS(RolloutPlan)

public:
    static qint64 parseDuration(const QString &text, const QString &where); // "24h" -> 86400
    static QString formatDuration(qint64 seconds);                         // 86400 -> "24h", 5400 -> "90m"
};

} // namespace sp
