#include "FlagdExporter.h"

#include "common/Json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace sp {

namespace {

QJsonObject op(const QString &name, const QJsonValue &args) { return QJsonObject{{name, args}}; }

QJsonObject var(const QString &name) { return op(QStringLiteral("var"), name); }

bool isFalse(const QJsonValue &v) { return v.isBool() && !v.toBool(); }
bool isTrue(const QJsonValue &v) { return v.isBool() && v.toBool(); }

// Combines with constant folding, so plain flags publish as plainly as possible.
QJsonValue allOf(const QJsonArray &parts)
{
    QJsonArray rest;
    for (const auto &p : parts) {
        if (isFalse(p))
            return false;
        if (!isTrue(p))
            rest.append(p);
    }
    if (rest.isEmpty())
        return true;
    if (rest.size() == 1)
        return rest.first();
    return op(QStringLiteral("and"), rest);
}

QJsonValue anyOf(const QJsonArray &parts)
{
    QJsonArray rest;
    for (const auto &p : parts) {
        if (isTrue(p))
            return true;
        if (!isFalse(p))
            rest.append(p);
    }
    if (rest.isEmpty())
        return false;
    if (rest.size() == 1)
        return rest.first();
    return op(QStringLiteral("or"), rest);
}

QJsonValue ruleCondition(const SegmentRule &rule)
{
    const QJsonObject attr = var(rule.attribute);
    const QString first = rule.values.value(0);
    switch (rule.op) {
    case SegmentRule::Op::Equals: return op(QStringLiteral("=="), QJsonArray{attr, first});
    case SegmentRule::Op::NotEquals: return op(QStringLiteral("!="), QJsonArray{attr, first});
    case SegmentRule::Op::In: return op(QStringLiteral("in"), QJsonArray{attr, QJsonArray::fromStringList(rule.values)});
    case SegmentRule::Op::StartsWith: return op(QStringLiteral("starts_with"), QJsonArray{attr, first});
    case SegmentRule::Op::EndsWith: return op(QStringLiteral("ends_with"), QJsonArray{attr, first});
    }
    return false;
}

// Conditions computed once per export: a segment used by many flags, or a prerequisite shared
// by many dependents, is built once (10 000-flag exports stay fast).
struct Memo
{
    QHash<QString, QJsonValue> segments;
    QHash<QString, QJsonValue> flags;
};

QJsonValue buildSegmentCondition(const FlagSnapshot &snapshot, const QString &name)
{
    const auto it = snapshot.segments.constFind(name);
    if (it == snapshot.segments.constEnd())
        return false;
    QJsonArray any;
    if (!it->keys.isEmpty()) {
        QStringList keys = it->keys;
        keys.sort();
        any.append(op(QStringLiteral("in"), QJsonArray{var(QStringLiteral("targetingKey")), QJsonArray::fromStringList(keys)}));
    }
    if (!it->rules.isEmpty()) {
        QJsonArray all;
        for (const auto &r : it->rules)
            all.append(ruleCondition(r));
        any.append(allOf(all));
    }
    return anyOf(any);
}

QJsonValue segmentCondition(const FlagSnapshot &snapshot, const QString &name, Memo &memo)
{
    auto cached = memo.segments.constFind(name);
    if (cached == memo.segments.constEnd())
        cached = memo.segments.insert(name, buildSegmentCondition(snapshot, name));
    return *cached;
}

QJsonValue splitCondition(const Flag &flag)
{
    if (flag.percentTenths >= 1000)
        return true;
    if (flag.percentTenths <= 0)
        return false;
    // The bucketing value is spelled out (not flagd's implicit $flagd.flagKey + targetingKey) so a
    // prerequisite's split stays correct when inlined into a dependent flag.
    const QJsonArray fractional{
        op(QStringLiteral("cat"), QJsonArray{flag.key, var(QStringLiteral("targetingKey"))}),
        QJsonArray{QStringLiteral("on"), flag.percentTenths},
        QJsonArray{QStringLiteral("off"), 1000 - flag.percentTenths},
    };
    return op(QStringLiteral("=="), QJsonArray{op(QStringLiteral("fractional"), fractional), QStringLiteral("on")});
}

QJsonValue flagCondition(const FlagSnapshot &snapshot, const QString &key, int depth, Memo &memo)
{
    if (const auto cached = memo.flags.constFind(key); cached != memo.flags.constEnd())
        return *cached;
    const auto it = snapshot.flags.constFind(key);
    if (it == snapshot.flags.constEnd() || depth > snapshot.flags.size())
        return false;
    const Flag &f = *it;
    if (!f.enabled || (snapshot.killSwitch && f.isSync()))
        return false;
    QJsonArray all;
    for (const QString &p : f.prerequisites)
        all.append(flagCondition(snapshot, p, depth + 1, memo));
    QJsonArray excluded;
    for (const QString &s : f.excludeSegments)
        excluded.append(segmentCondition(snapshot, s, memo));
    const QJsonValue anyExcluded = anyOf(excluded);
    if (isTrue(anyExcluded))
        return false;
    if (!isFalse(anyExcluded))
        all.append(op(QStringLiteral("!"), QJsonArray{anyExcluded}));
    QJsonArray onPaths;
    for (const QString &s : f.includeSegments)
        onPaths.append(segmentCondition(snapshot, s, memo));
    onPaths.append(splitCondition(f));
    all.append(anyOf(onPaths));
    const QJsonValue c = allOf(all);
    memo.flags.insert(key, c);
    return c;
}

} // namespace

QJsonValue FlagdExporter::condition(const FlagSnapshot &snapshot, const QString &key)
{
    Memo memo;
    return flagCondition(snapshot, key, 0, memo);
}

QJsonObject FlagdExporter::toJson(const FlagSnapshot &snapshot)
{
    QJsonObject flags;
    Memo memo;
    for (const Flag &f : snapshot.flags) {
        const QJsonValue cond = flagCondition(snapshot, f.key, 0, memo);
        QJsonObject flag{
            {QStringLiteral("state"), QStringLiteral("ENABLED")},
            {QStringLiteral("variants"), QJsonObject{{QStringLiteral("on"), true}, {QStringLiteral("off"), false}}},
            {QStringLiteral("defaultVariant"), isTrue(cond) ? QStringLiteral("on") : QStringLiteral("off")},
            {QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("description"), f.description},
                         {QStringLiteral("tags"), f.tags.join(QLatin1Char(','))},
                         {QStringLiteral("enabled"), f.enabled},
                         {QStringLiteral("percentage"), f.percent()},
                         {QStringLiteral("version"), f.version}}},
        };
        if (!cond.isBool())
            flag.insert(QStringLiteral("targeting"),
                        op(QStringLiteral("if"), QJsonArray{cond, QStringLiteral("on"), QStringLiteral("off")}));
        flags.insert(f.key, flag);
    }
    return QJsonObject{
        {QStringLiteral("$schema"), QStringLiteral("https://flagd.dev/schema/v0/flags.json")},
        {QStringLiteral("metadata"),
         QJsonObject{{QStringLiteral("flagSetId"), QStringLiteral("syncpilot")},
                     {QStringLiteral("killSwitch"), snapshot.killSwitch}}},
        {QStringLiteral("flags"), flags},
    };
}

QByteArray FlagdExporter::toBytes(const FlagSnapshot &snapshot)
{
    // The same document as toJson(), written directly: after an emergency rollback every flag is
    // republished, and building a QJsonObject per flag was most of that cost. Keys in the order
    // QJsonDocument writes them (sorted), compact.
    QByteArray out;
    out.reserve(256 + 320 * snapshot.flags.size());
    out += R"({"$schema":"https://flagd.dev/schema/v0/flags.json","flags":{)";
    Memo memo;
    bool first = true;
    for (const Flag &f : snapshot.flags) {
        const QJsonValue cond = flagCondition(snapshot, f.key, 0, memo);
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, f.key);
        out += isTrue(cond) ? R"(:{"defaultVariant":"on","metadata":{"description":)" : R"(:{"defaultVariant":"off","metadata":{"description":)";
        appendJsonString(out, f.description);
        out += f.enabled ? R"(,"enabled":true,"percentage":)" : R"(,"enabled":false,"percentage":)";
        out += QByteArray::number(f.percent(), 'g', QLocale::FloatingPointShortest);
        out += R"(,"tags":)";
        appendJsonString(out, f.tags.join(QLatin1Char(',')));
        out += R"(,"version":)";
        out += QByteArray::number(f.version);
        out += R"(},"state":"ENABLED")";
        if (!cond.isBool()) {
            out += R"(,"targeting":)";
            out += QJsonDocument(op(QStringLiteral("if"), QJsonArray{cond, QStringLiteral("on"), QStringLiteral("off")}))
                       .toJson(QJsonDocument::Compact);
        }
        out += R"(,"variants":{"off":false,"on":true}})";
    }
    out += snapshot.killSwitch ? R"(},"metadata":{"flagSetId":"syncpilot","killSwitch":true}})"
                               : R"(},"metadata":{"flagSetId":"syncpilot","killSwitch":false}})";
    out += '\n';
    return out;
}

} // namespace sp
