#pragma once

#include <QCoreApplication>
#include <QString>

namespace sp {

// Durations in words, the same on every view.
class TimeText
{
    Q_DECLARE_TR_FUNCTIONS(TimeText)

public:
    // "23 h 59 min left", "2 d 4 h left", "40 s left"; "hold time over" when secs <= 0.
    static QString timeLeft(qint64 secs);
};

} // namespace sp
