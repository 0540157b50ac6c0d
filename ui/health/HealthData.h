#pragma once

#include "metrics/RunRecord.h"

#include <QDateTime>
#include <QList>
#include <QPointF>
#include <QString>

namespace sp {

// Everything the Health view draws for one flag and time range, built on the worker thread by
// HealthQueryJob and handed to the GUI in one piece. Times are ms since the epoch (x of every point).
struct HealthData
{
    // Which chart a series, threshold line or marker belongs to.
    enum class Metric { ErrorRate, Latency, Runs, Mismatches, Rate429, Breakers };

    // One line of a chart, already downsampled (LTTB) to at most the requested number of points.
    struct Line
    {
        Metric metric = Metric::Runs;
        QString id;      // stable object name: "errorRate.sync", "latencyP95.legacy", "breaker.api.figma.com"
        QString label;   // legend text (translated)
        RunPath cohort = RunPath::Sync;
        bool p50 = false;      // the latency chart draws p50 thinner/dotted
        bool breaker = false;  // breaker lines are not cohorts
        QList<QPointF> points;
        qsizetype rawPoints = 0; // before downsampling
    };

    // A guardrail drawn as a dashed horizontal line at `value` (in the chart's unit).
    struct Threshold
    {
        Metric metric = Metric::ErrorRate;
        QString id;     // "threshold.error-rate" (the guardrail's name)
        QString label;  // "error-rate: rollback > 10 %"
        QString action; // warn, pause, rollback, kill
        double value = 0;
    };

    // A rollout decision inside the range: a vertical line with the summary as tooltip.
    struct Marker
    {
        qint64 atMs = 0;
        QString kind;    // pause, rollback, kill, advance, …
        QString summary;
        bool automatic = false;
    };

    QString flagKey;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    qint64 stepSeconds = 60;
    int targetPoints = 0;
    bool hasRuns = false;     // any run of any cohort in the range
    bool hasShadow = false;
    QList<Line> lines;
    QList<Threshold> thresholds;
    QList<Marker> markers;
    bool breakersAvailable = true;
};

} // namespace sp
