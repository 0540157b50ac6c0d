#include "RolloutPlan.h"

#include "common/Error.h"
#include "flags/Flag.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace sp {

qint64 RolloutPlanText::parseDuration(const QString &text, const QString &where)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,6})([smhd])$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        invalid(tr("%1: \"%2\" is not a duration; use a number with s, m, h or d (e.g. 24h, 90m, 2d).").arg(where, text));
    const qint64 n = m.captured(1).toLongLong();
    switch (m.captured(2).at(0).toLatin1()) {
    case 's': return n;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    default: return n * 86400;
    }
}

QString RolloutPlanText::formatDuration(qint64 s)
{
    if (s == 0)
        return QStringLiteral("0s");
    if (s % 86400 == 0 && s >= 7 * 86400)
        return QStringLiteral("%1d").arg(s / 86400);
    if (s % 3600 == 0)
        return QStringLiteral("%1h").arg(s / 3600);
    if (s % 60 == 0)
        return QStringLiteral("%1m").arg(s / 60);
    return QStringLiteral("%1s").arg(s);
}

QString Phase::toText() const
{
    QString head = isSegment() ? QStringLiteral("segment=") + segment : FlagRules::formatPercent(percentTenths);
    return holdSeconds > 0 ? head + QLatin1Char(':') + RolloutPlanText::formatDuration(holdSeconds) : head;
}

QString Phase::label() const
{
    return isSegment() ? RolloutPlanText::tr("segment %1").arg(segment)
                       : RolloutPlanText::tr("%1 %").arg(FlagRules::formatPercent(percentTenths));
}

RolloutPlan RolloutPlan::parse(const QString &text)
{
    RolloutPlan plan;
    const QStringList parts = text.split(QLatin1Char(','), Qt::KeepEmptyParts);
    int lastPercent = -1;
    for (int i = 0; i < parts.size(); ++i) {
        const QString part = parts[i].trimmed();
        const QString where = RolloutPlanText::tr("Plan phase %1 (\"%2\")").arg(i + 1).arg(part);
        if (part.isEmpty())
            invalid(RolloutPlanText::tr("Plan \"%1\": phase %2 is empty.").arg(text).arg(i + 1));
        Phase p;
        QString head = part;
        const int colon = part.lastIndexOf(QLatin1Char(':'));
        if (colon >= 0) {
            head = part.left(colon).trimmed();
            p.holdSeconds = RolloutPlanText::parseDuration(part.mid(colon + 1), where);
            if (p.holdSeconds <= 0)
                invalid(RolloutPlanText::tr("%1: the hold time must be longer than zero.").arg(where));
        }
        if (head.startsWith(QLatin1String("segment="))) {
            p.segment = head.mid(8);
            FlagRules::checkSegmentName(p.segment);
        } else {
            try {
                p.percentTenths = FlagRules::parsePercent(head);
            } catch (const Error &e) {
                invalid(QStringLiteral("%1: %2").arg(where, e.message()));
            }
            if (p.percentTenths <= lastPercent)
                invalid(RolloutPlanText::tr("%1: percentages must rise from phase to phase.").arg(where));
            lastPercent = p.percentTenths;
        }
        const bool last = i == parts.size() - 1;
        if (!last && p.holdSeconds == 0)
            invalid(RolloutPlanText::tr("%1: every phase but the last needs a hold time, e.g. 25:48h.").arg(where));
        plan.phases << p;
    }
    if (plan.phases.isEmpty())
        invalid(RolloutPlanText::tr("The plan is empty."));
    return plan;
}

QStringList RolloutPlan::templateNames() { return {QStringLiteral("canary"), QStringLiteral("daily"), QStringLiteral("ladder")}; }

RolloutPlan RolloutPlan::fromTemplate(const QString &name)
{
    if (name == QLatin1String("canary"))
        return parse(QStringLiteral("5:24h,25:48h,50:72h,100"));
    if (name == QLatin1String("daily"))
        return parse(QStringLiteral("segment=dev-team:24h,10:24h,25:24h,50:24h,100"));
    if (name == QLatin1String("ladder"))
        return parse(QStringLiteral("1:24h,5:24h,10:24h,25:24h,50:24h,100"));
    invalid(RolloutPlanText::tr("Unknown template \"%1\": use canary, daily or ladder.").arg(name));
}

QString RolloutPlan::toText() const
{
    QStringList parts;
    for (const Phase &p : phases)
        parts << p.toText();
    return parts.join(QLatin1Char(','));
}

QJsonArray RolloutPlan::toJson() const
{
    QJsonArray a;
    for (const Phase &p : phases) {
        QJsonObject o{{QStringLiteral("holdSeconds"), p.holdSeconds}};
        if (p.isSegment())
            o.insert(QStringLiteral("segment"), p.segment);
        else
            o.insert(QStringLiteral("percent"), p.percentTenths / 10.0);
        a.append(o);
    }
    return a;
}

RolloutPlan RolloutPlan::fromJson(const QJsonArray &array)
{
    RolloutPlan plan;
    for (const auto &v : array) {
        const QJsonObject o = v.toObject();
        Phase p;
        p.holdSeconds = o.value(QStringLiteral("holdSeconds")).toInteger();
        if (o.contains(QStringLiteral("segment")))
            p.segment = o.value(QStringLiteral("segment")).toString();
        else
            p.percentTenths = int(std::lround(o.value(QStringLiteral("percent")).toDouble() * 10));
        plan.phases << p;
    }
    return plan;
}

qint64 RolloutPlan::totalHoldSeconds() const
{
    qint64 s = 0;
    for (const Phase &p : phases)
        s += p.holdSeconds;
    return s;
}

} // namespace sp
