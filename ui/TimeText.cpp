#include "TimeText.h"

#include <algorithm>

namespace sp {

QString TimeText::timeLeft(qint64 secs)
{
    if (secs <= 0)
        return tr("hold time over");
    if (secs < 60)
        return tr("%1 s left").arg(secs);
    const qint64 d = secs / 86400;
    const qint64 h = (secs % 86400) / 3600;
    const qint64 m = (secs % 3600) / 60;
    if (d > 0)
        return tr("%1 d %2 h left").arg(d).arg(h);
    return h > 0 ? tr("%1 h %2 min left").arg(h).arg(m) : tr("%1 min left").arg(std::max<qint64>(1, m));
}

} // namespace sp
