#include "EvidenceFormatter.h"

#include "Icons.h"
#include "RolloutText.h"

#include "common/Error.h"
#include "rollout/Guardrail.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace sp {

namespace {

QString number(double v, int decimals = 2)
{
    QString s = QLocale().toString(v, 'f', decimals);
    if (s.contains(QLocale().decimalPoint())) {
        while (s.endsWith(QLatin1Char('0')))
            s.chop(1);
        if (s.endsWith(QLocale().decimalPoint()))
            s.chop(1);
    }
    return s;
}

// A metric value in the unit its guardrail uses.
QString valueText(const QString &rule, double v)
{
    const QString metric = rule.section(QLatin1Char(' '), 0, 0);
    if (metric == QLatin1String("error_rate"))
        return EvidenceFormatter::tr("%1 %").arg(number(v * 100.0, 1));
    if (metric.startsWith(QLatin1Char('p')) && metric.size() == 3)
        return EvidenceFormatter::tr("%1 ms").arg(number(v, 0));
    return number(v);
}

// The threshold in force; for a guardrail relative to legacy also the share of legacy it stands for.
QString thresholdText(const QString &name, const QString &rule, double threshold)
{
    if (rule.contains(QLatin1String("legacy"))) {
        try {
            const Guardrail g = Guardrail::parse(name, rule);
            return EvidenceFormatter::tr("%1 (%2 % of legacy)").arg(valueText(rule, threshold), number(g.threshold * 100.0, 1));
        } catch (const Error &) {
        }
    }
    return valueText(rule, threshold);
}

QString statusWords(const QString &status)
{
    if (status == QLatin1String("healthy"))
        return EvidenceFormatter::tr("healthy");
    if (status == QLatin1String("breached"))
        return EvidenceFormatter::tr("breached");
    return EvidenceFormatter::tr("insufficient data");
}

QColor statusColor(const QString &status)
{
    if (status == QLatin1String("healthy"))
        return Icons::healthy();
    if (status == QLatin1String("breached"))
        return Icons::danger();
    return Icons::neutral();
}

QString esc(const QString &s) { return s.toHtmlEscaped(); }

} // namespace

QString EvidenceFormatter::kindWords(const QString &kind)
{
    static const QHash<QString, const char *> words{
        {QStringLiteral("start"), QT_TR_NOOP("Started")},       {QStringLiteral("advance"), QT_TR_NOOP("Advanced")},
        {QStringLiteral("hold"), QT_TR_NOOP("Held")},           {QStringLiteral("pause"), QT_TR_NOOP("Paused")},
        {QStringLiteral("resume"), QT_TR_NOOP("Resumed")},      {QStringLiteral("rollback"), QT_TR_NOOP("Rolled back")},
        {QStringLiteral("kill"), QT_TR_NOOP("Emergency rollback")}, {QStringLiteral("abort"), QT_TR_NOOP("Aborted")},
        {QStringLiteral("complete"), QT_TR_NOOP("Completed")}, {QStringLiteral("warn"), QT_TR_NOOP("Warning")},
        {QStringLiteral("restore"), QT_TR_NOOP("Restored")},
    };
    const char *w = words.value(kind, nullptr);
    return w ? tr(w) : kind;
}

QString EvidenceFormatter::html(const LedgerEntry &e)
{
    QString out;
    out += QStringLiteral("<p><b>%1</b> — %2</p>").arg(esc(kindWords(e.kind)), esc(e.summary));
    const QString who = e.automatic ? tr("Decided automatically by the %1.").arg(esc(e.source.isEmpty() ? tr("controller") : e.source))
                                    : tr("Manual decision by %1 (from %2).").arg(esc(e.actor), esc(e.source));
    out += QStringLiteral("<p>%1 %2</p>").arg(who, esc(QLocale().toString(e.at.toLocalTime(), QLocale::LongFormat)));

    const QJsonObject ev = e.evidence;
    if (ev.isEmpty()) {
        out += QStringLiteral("<p><i>%1</i></p>").arg(e.automatic ? tr("No metric evidence was recorded with this decision.")
                                                                  : tr("A manual step: no metric evidence, the operator decided."));
        return out;
    }
    if (ev.contains(QLatin1String("phase"))) {
        const qint64 held = ev.value(QLatin1String("heldSeconds")).toInteger();
        const qint64 hold = ev.value(QLatin1String("holdSeconds")).toInteger();
        out += QStringLiteral("<p>%1</p>")
                   .arg(hold > 0 ? tr("Phase %1, held %2 of %3.").arg(esc(ev.value(QLatin1String("phase")).toString()), RolloutText::duration(held), RolloutText::hold(hold))
                                 : tr("Phase %1 (final).").arg(esc(ev.value(QLatin1String("phase")).toString())));
    }
    const QString tripped = ev.value(QLatin1String("trippedBy")).toString();
    if (!tripped.isEmpty())
        out += QStringLiteral("<p>%1</p>").arg(tr("Tripped by guardrail <b>%1</b>.").arg(esc(tripped)));

    const QJsonArray guardrails = ev.value(QLatin1String("guardrails")).toArray();
    if (!guardrails.isEmpty()) {
        out += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='3' border='0'><tr>");
        for (const QString &h : {tr("Guardrail"), tr("Status"), tr("Value"), tr("Threshold"), tr("Samples"), tr("Window"), tr("In a row")})
            out += QStringLiteral("<th align='left' style='white-space:nowrap'>%1</th>").arg(esc(h));
        out += QStringLiteral("</tr>");
        for (const QJsonValue &v : guardrails) {
            const QJsonObject g = v.toObject();
            const QString rule = g.value(QLatin1String("rule")).toString();
            const QString status = g.value(QLatin1String("status")).toString();
            const QString name = g.value(QLatin1String("guardrail")).toString();
            QString value = valueText(rule, g.value(QLatin1String("value")).toDouble());
            QString samples = tr("%1 (min %2)").arg(g.value(QLatin1String("samples")).toInteger()).arg(g.value(QLatin1String("minSamples")).toInteger());
            if (g.contains(QLatin1String("legacyValue"))) {
                value = tr("%1 (legacy %2)").arg(value, valueText(rule, g.value(QLatin1String("legacyValue")).toDouble()));
                samples = tr("%1 sync, %2 legacy (min %3)")
                              .arg(g.value(QLatin1String("samples")).toInteger())
                              .arg(g.value(QLatin1String("legacySamples")).toInteger())
                              .arg(g.value(QLatin1String("minSamples")).toInteger());
            }
            const QString nameCell = name == tripped ? QStringLiteral("<b>%1</b>").arg(esc(name)) : esc(name);
            out += QStringLiteral("<tr><td title='%1'>%2</td><td><span style='color:%3'>●</span> %4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td></tr>")
                       .arg(esc(rule), nameCell, statusColor(status).name(), esc(statusWords(status)), esc(value),
                            esc(thresholdText(name, rule, g.value(QLatin1String("threshold")).toDouble())), esc(samples),
                            esc(RolloutText::duration(g.value(QLatin1String("windowSeconds")).toInteger())),
                            QString::number(g.value(QLatin1String("consecutiveBreaches")).toInteger()));
        }
        out += QStringLiteral("</table>");
    }
    // anything else the decision carried, as "key: value"
    QStringList other;
    static const QStringList shown{QStringLiteral("phase"), QStringLiteral("phaseIndex"), QStringLiteral("heldSeconds"),
                                   QStringLiteral("holdSeconds"), QStringLiteral("trippedBy"), QStringLiteral("guardrails")};
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        if (shown.contains(it.key()))
            continue;
        const QJsonValue v = it.value();
        const QString text = v.isObject() || v.isArray()
                                 ? QString::fromUtf8(QJsonDocument(v.isObject() ? QJsonDocument(v.toObject()) : QJsonDocument(v.toArray())).toJson(QJsonDocument::Compact))
                                 : v.toVariant().toString();
        other << QStringLiteral("<li><b>%1</b>: %2</li>").arg(esc(it.key()), esc(text));
    }
    if (!other.isEmpty())
        out += QStringLiteral("<ul>%1</ul>").arg(other.join(QString()));
    out += QStringLiteral("<p><small>%1</small><br/><code style='white-space:pre-wrap'>%2</code></p>")
               .arg(esc(tr("Raw evidence:")), esc(QString::fromUtf8(QJsonDocument(ev).toJson(QJsonDocument::Compact))));
    return out;
}

} // namespace sp
