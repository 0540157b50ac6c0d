#include "Flag.h"

#include "common/Clock.h"
#include "common/Error.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace sp {

QJsonObject Flag::toJson() const
{
    return QJsonObject{
        {QStringLiteral("key"), key},
        {QStringLiteral("description"), description},
        {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
        {QStringLiteral("enabled"), enabled},
        {QStringLiteral("percent"), percent()},
        {QStringLiteral("prerequisites"), QJsonArray::fromStringList(prerequisites)},
        {QStringLiteral("includeSegments"), QJsonArray::fromStringList(includeSegments)},
        {QStringLiteral("excludeSegments"), QJsonArray::fromStringList(excludeSegments)},
        {QStringLiteral("version"), version},
        {QStringLiteral("updatedAt"), toStoredTime(updatedAt)},
        {QStringLiteral("updatedBy"), updatedBy},
    };
}

QString SegmentRule::opName(Op op)
{
    switch (op) {
    case Op::Equals: return QStringLiteral("==");
    case Op::NotEquals: return QStringLiteral("!=");
    case Op::In: return QStringLiteral("in");
    case Op::StartsWith: return QStringLiteral("starts_with");
    case Op::EndsWith: return QStringLiteral("ends_with");
    }
    return {};
}

QString SegmentRule::toText() const
{
    return attribute + QLatin1Char(' ') + opName(op) + QLatin1Char(' ') + values.join(QLatin1Char(','));
}

QJsonObject SegmentRule::toJson() const
{
    return QJsonObject{{QStringLiteral("attribute"), attribute},
                       {QStringLiteral("op"), opName(op)},
                       {QStringLiteral("values"), QJsonArray::fromStringList(values)}};
}

SegmentRule SegmentRule::fromJson(const QJsonObject &o)
{
    SegmentRule r;
    r.attribute = o.value(QStringLiteral("attribute")).toString();
    const QString op = o.value(QStringLiteral("op")).toString();
    for (Op candidate : {Op::Equals, Op::NotEquals, Op::In, Op::StartsWith, Op::EndsWith})
        if (opName(candidate) == op)
            r.op = candidate;
    for (const auto &v : o.value(QStringLiteral("values")).toArray())
        r.values << v.toString();
    return r;
}

QJsonObject Segment::toJson(bool withKeys) const
{
    QJsonArray rulesJson;
    for (const auto &r : rules)
        rulesJson.append(r.toJson());
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("description"), description},
                  {QStringLiteral("keyCount"), keys.size()},
                  {QStringLiteral("rules"), rulesJson},
                  {QStringLiteral("version"), version}};
    if (withKeys)
        o.insert(QStringLiteral("keys"), QJsonArray::fromStringList(keys));
    return o;
}

void FlagRules::checkKey(const QString &key)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}$"));
    if (!re.match(key).hasMatch())
        invalid(tr("Invalid flag key \"%1\": use 1-64 characters, a lower-case letter first, then a-z, 0-9, '_', '.' or '-'.")
                    .arg(key));
}

void FlagRules::checkSegmentName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}$"));
    if (!re.match(name).hasMatch())
        invalid(tr("Invalid segment name \"%1\": use 1-64 characters, a lower-case letter first, then a-z, 0-9, '_', '.' or '-'.")
                    .arg(name));
}

void FlagRules::checkTag(const QString &tag)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9][a-z0-9_.-]{0,31}$"));
    if (!re.match(tag).hasMatch())
        invalid(tr("Invalid tag \"%1\": use 1-32 characters from a-z, 0-9, '_', '.' or '-'.").arg(tag));
}

int FlagRules::parsePercent(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,3})(?:\\.(\\d+))?$"));
    const QString t = text.trimmed();
    const auto m = re.match(t);
    if (!m.hasMatch())
        invalid(tr("Invalid percentage \"%1\": expected a number from 0 to 100, e.g. 5 or 33.3.").arg(text));
    const QString decimals = m.captured(2);
    if (decimals.size() > 1 && decimals.mid(1).count(QLatin1Char('0')) != decimals.size() - 1)
        invalid(tr("Invalid percentage \"%1\": at most one decimal (steps of 0.1 %).").arg(text));
    const int tenths = m.captured(1).toInt() * 10 + (decimals.isEmpty() ? 0 : decimals.left(1).toInt());
    if (tenths > 1000)
        invalid(tr("Invalid percentage \"%1\": must be between 0 and 100.").arg(text));
    return tenths;
}

QString FlagRules::formatPercent(int tenths)
{
    return tenths % 10 == 0 ? QString::number(tenths / 10) : QStringLiteral("%1.%2").arg(tenths / 10).arg(tenths % 10);
}

SegmentRule FlagRules::parseRule(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*([A-Za-z_][A-Za-z0-9_]{0,63})\\s+(==|!=|in|starts_with|ends_with)\\s+(.+?)\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        invalid(tr("Invalid rule \"%1\": expected ATTRIBUTE OPERATOR VALUE with operator ==, !=, in, starts_with or ends_with "
                   "(e.g. \"email ends_with @acme.com\").")
                    .arg(text));
    SegmentRule rule;
    rule.attribute = m.captured(1);
    const QString op = m.captured(2);
    const QString value = m.captured(3);
    if (op == QLatin1String("in")) {
        rule.op = SegmentRule::Op::In;
        for (const QString &v : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            rule.values << v.trimmed();
        if (rule.values.isEmpty())
            invalid(tr("Invalid rule \"%1\": \"in\" needs a comma-separated list of values.").arg(text));
        return rule;
    }
    rule.op = op == QLatin1String("==")            ? SegmentRule::Op::Equals
              : op == QLatin1String("!=")          ? SegmentRule::Op::NotEquals
              : op == QLatin1String("starts_with") ? SegmentRule::Op::StartsWith
                                                   : SegmentRule::Op::EndsWith;
    rule.values = QStringList{value};
    return rule;
}

void FlagRules::checkTargetingKey(const QString &key, const QString &where)
{
    if (key.isEmpty())
        invalid(tr("%1: empty targeting key.").arg(where));
    if (key.size() > 256)
        invalid(tr("%1: targeting key longer than 256 characters.").arg(where));
    for (QChar c : key)
        if (c.category() == QChar::Other_Control)
            invalid(tr("%1: targeting key contains a control character.").arg(where));
}

} // namespace sp
