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
    // Fast path for the one form toStoredTime() writes, "2026-11-21T10:02:03.456Z": reading a
    // workspace parses thousands of these, and QDateTime::fromString is slow.
    if (s.size() == 24 && s[4] == QLatin1Char('-') && s[7] == QLatin1Char('-') && s[10] == QLatin1Char('T')
        && s[13] == QLatin1Char(':') && s[16] == QLatin1Char(':') && s[19] == QLatin1Char('.') && s[23] == QLatin1Char('Z')) {
        const auto num = [&](int from, int len) {
            int v = 0;
            for (int i = from; i < from + len; ++i) {
                const int d = s[i].unicode() - '0';
                if (d < 0 || d > 9)
                    return -1;
                v = v * 10 + d;
            }
            return v;
        };
        const QDate date(num(0, 4), num(5, 2), num(8, 2));
        const QTime time(num(11, 2), num(14, 2), num(17, 2), num(20, 3));
        if (date.isValid() && time.isValid())
            return QDateTime(date, time, QTimeZone::utc());
    }
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (t.isValid())
        t = t.toUTC();
    return t;
}

} // namespace sp
