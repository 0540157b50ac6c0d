#include "AuditEntryFormatter.h"

#include "Icons.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace sp {

namespace {

QJsonValue parse(const QString &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArrayLiteral("[") + text.toUtf8() + QByteArrayLiteral("]"));
    return doc.isArray() && !doc.array().isEmpty() ? doc.array().first() : QJsonValue(text);
}

// A value as indented JSON text, every line after the first indented by indent spaces.
QString pretty(const QJsonValue &v, int indent)
{
    QString text;
    if ((v.isObject() && v.toObject().isEmpty()) || (v.isArray() && v.toArray().isEmpty()))
        text = v.isObject() ? QStringLiteral("{}") : QStringLiteral("[]");
    else if (v.isObject())
        text = QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    else if (v.isArray())
        text = QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    else if (v.isNull() || v.isUndefined())
        text = QStringLiteral("null");
    else {
        const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
        text = QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
    }
    if (indent > 0)
        text.replace(QLatin1Char('\n'), QLatin1Char('\n') + QString(indent, QLatin1Char(' ')));
    return text;
}

QString mix(const QColor &a, const QColor &b, double share)
{
    return QColor::fromRgbF(float(a.redF() * share + b.redF() * (1 - share)), float(a.greenF() * share + b.greenF() * (1 - share)),
                            float(a.blueF() * share + b.blueF() * (1 - share)))
        .name();
}

// One side (before or after) as HTML inside <pre>: an object key by key, changed keys on a
// highlighted background.
QString sideHtml(const QJsonValue &v, const QSet<QString> &changed, bool wholeChanged, const QString &highlight)
{
    const auto mark = [&](const QString &escaped, bool on) {
        return on ? QStringLiteral("<span style=\"background-color:%1\">%2</span>").arg(highlight, escaped) : escaped;
    };
    if (!v.isObject())
        return mark(pretty(v, 0).toHtmlEscaped(), wholeChanged);
    const QJsonObject o = v.toObject();
    if (o.isEmpty())
        return QStringLiteral("{}");
    QString out = QStringLiteral("{\n");
    const QStringList keys = o.keys();
    for (int i = 0; i < keys.size(); ++i) {
        const QString &key = keys[i];
        QString line = QStringLiteral("  %1: %2%3")
                           .arg(pretty(QJsonValue(key), 0), pretty(o.value(key), 2), i + 1 < keys.size() ? QStringLiteral(",") : QString());
        out += mark(line.toHtmlEscaped(), changed.contains(key)) + QLatin1Char('\n');
    }
    return out + QLatin1Char('}');
}

} // namespace

QStringList AuditEntryFormatter::changedKeys(const QString &beforeJson, const QString &afterJson)
{
    const QJsonValue before = parse(beforeJson);
    const QJsonValue after = parse(afterJson);
    QSet<QString> keys;
    const QJsonObject b = before.toObject();
    const QJsonObject a = after.toObject();
    if (!before.isObject() && !after.isObject())
        return {};
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!a.contains(it.key()) || a.value(it.key()) != it.value())
            keys.insert(it.key());
    for (auto it = a.begin(); it != a.end(); ++it)
        if (!b.contains(it.key()) || b.value(it.key()) != it.value())
            keys.insert(it.key());
    QStringList sorted(keys.begin(), keys.end());
    sorted.sort();
    return sorted;
}

QString AuditEntryFormatter::html(const AuditEntry &e, const QPalette &palette)
{
    const QJsonValue before = parse(e.before);
    const QJsonValue after = parse(e.after);
    const QStringList changed = changedKeys(e.before, e.after);
    const QSet<QString> changedSet(changed.begin(), changed.end());
    const bool wholeChanged = before != after;
    const QString highlight = mix(Icons::warning(), palette.color(QPalette::Base), 0.35);
    const QString muted = palette.color(QPalette::PlaceholderText).name();

    const auto row = [](const QString &label, const QString &value) {
        return QStringLiteral("<tr><td style=\"padding-right:12px\"><b>%1</b></td><td>%2</td></tr>").arg(label.toHtmlEscaped(), value);
    };
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(tr("Entry #%1: %2 on %3").arg(e.seq).arg(e.action, e.object).toHtmlEscaped());
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += row(tr("Time"), tr("%1 (%2 UTC)")
                                .arg(e.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                     e.at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")))
                                .toHtmlEscaped());
    html += row(tr("Actor"), (e.account.isEmpty() ? e.actor : tr("%1, signed in as %2").arg(e.actor, e.account)).toHtmlEscaped());
    html += row(tr("Source"), e.source.toHtmlEscaped());
    html += row(tr("Reason"), e.reason.isEmpty() ? QStringLiteral("<span style=\"color:%1\">%2</span>").arg(muted, tr("(none given)").toHtmlEscaped())
                                                 : e.reason.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    html += row(tr("Changed"), changed.isEmpty() ? (wholeChanged ? tr("the value") : tr("nothing")).toHtmlEscaped()
                                                 : QStringLiteral("<span style=\"background-color:%1\">%2</span>")
                                                       .arg(highlight, changed.join(QStringLiteral(", ")).toHtmlEscaped()));
    html += QStringLiteral("</table>");
    html += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"4\"><tr><th align=\"left\" width=\"50%\">%1</th>"
                           "<th align=\"left\" width=\"50%\">%2</th></tr><tr><td valign=\"top\"><pre>%3</pre></td>"
                           "<td valign=\"top\"><pre>%4</pre></td></tr></table>")
                .arg(tr("Before").toHtmlEscaped(), tr("After").toHtmlEscaped(), sideHtml(before, changedSet, wholeChanged, highlight),
                     sideHtml(after, changedSet, wholeChanged, highlight));
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += row(tr("Previous hash"), QStringLiteral("<code>%1</code>").arg(e.prevHash.toHtmlEscaped()));
    html += row(tr("This hash"), QStringLiteral("<code>%1</code>").arg(e.hash.toHtmlEscaped()));
    html += QStringLiteral("</table>");
    return html;
}

} // namespace sp
