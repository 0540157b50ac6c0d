#pragma once

#include "rollout/Rollout.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>

namespace sp {

// The Rollouts view's words for states, hold times and what is left of a phase.
class RolloutText
{
    Q_DECLARE_TR_FUNCTIONS(RolloutText)

public:
    static QString state(RolloutState state);         // "Running", "Paused", "Rolled back" …
    static QString hold(qint64 seconds);              // "24 h", "90 min", "2 days"; "final" for 0
    static QString duration(qint64 seconds);          // as hold(), "0 s" for 0
    static QString planInWords(const RolloutPlan &plan); // "5 % for 24 h → 25 % for 48 h → … → 100 %"
    // The phase column of the list and the line under the timeline: "2 of 4: 25 %".
    static QString phase(const Rollout &r);
    // Running: time left of the current phase ("final" on a last phase without hold); otherwise empty.
    static QString timeLeft(const Rollout &r, const QDateTime &now);
};

} // namespace sp
