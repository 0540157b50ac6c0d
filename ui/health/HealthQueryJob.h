#pragma once

#include "HealthData.h"

#include <QCoreApplication>

namespace sp {

class Workspace;

// Builds the Health view's data for one flag and range on the worker thread: picks a bucket step so
// the store returns at most kMaxIntervals intervals per cohort, turns the windows into chart lines,
// downsamples each line with LTTB to the requested number of points, and adds the flag's guardrail
// levels and the decisions taken in the range. Only core reads; no widgets.
class HealthQueryJob
{
    Q_DECLARE_TR_FUNCTIONS(HealthQueryJob)

public:
    struct Request
    {
        QString flagKey;
        qint64 fromMs = 0;
        qint64 toMs = 0;
        int targetPoints = 1000; // about twice the plot width in pixels
        bool breakers = true;    // read the circuit breakers' state changes too
    };

    static constexpr qint64 kMaxIntervals = 10000;

    static HealthData run(Workspace &workspace, const Request &request);
    // The smallest bucket step (60 s, 10 min, 1 h, 6 h, 1 d) that keeps [from, to) within kMaxIntervals.
    static qint64 stepFor(qint64 spanMs);
};

} // namespace sp
