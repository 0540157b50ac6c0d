#include "Clock.h"

#include <QTimeZone>

namespace sp {

namespace {
const SystemClock s_system;
const Clock *s_installed = nullptr;
} // namespace

const Clock &Clock::current() { return s_installed ? *s_installed : s_system; }

void Clock::install(const Clock *clock) { s_installed = clock; }

QString toStoredTime(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QDateTime fromStoredTime(const QString &s)
{
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (t.isValid())
        t = t.toUTC();
    return t;
}

} // namespace sp
