#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace sp {

// A feature flag as stored in the workspace (DESIGN.md §1 "Flags and evaluation").
struct Flag
{
    QString key;
    QString description;
    QStringList tags;
    bool enabled = false;
    int percentTenths = 0;          // rollout percentage in tenths: 0..1000 (0.1 % steps)
    QStringList prerequisites;      // flags that must be on for the same context
    QStringList includeSegments;    // matching contexts are on (unless excluded)
    QStringList excludeSegments;    // matching contexts are off
    qint64 version = 0;             // bumped by every change; optimistic concurrency
    QDateTime createdAt;
    QDateTime updatedAt;
    QString updatedBy;

    bool isSync() const { return tags.contains(QStringLiteral("sync")); }
    double percent() const { return percentTenths / 10.0; }
    QJsonObject toJson() const;
};

// A segment: a named list of targeting keys and/or attribute rules (all rules must hold).
struct SegmentRule
{
    enum class Op { Equals, NotEquals, In, StartsWith, EndsWith };
    QString attribute;
    Op op = Op::Equals;
    QStringList values; // one value, or several for In

    QString toText() const;  // "email ends_with @acme.com"
    QJsonObject toJson() const;
    static SegmentRule fromJson(const QJsonObject &o);
    static QString opName(Op op);
};

struct Segment
{
    QString name;
    QString description;
    QStringList keys;
    QList<SegmentRule> rules;
    qint64 version = 0;
    QDateTime createdAt;
    QDateTime updatedAt;

    QJsonObject toJson(bool withKeys = true) const;
};

// Everything evaluation needs, read in one consistent snapshot.
struct FlagSnapshot
{
    QMap<QString, Flag> flags;
    QMap<QString, Segment> segments;
    bool killSwitch = false;
    qint64 revision = 0;
};

// Validation shared by the CLI, the GUI and the store. Each throws sp::Error(InvalidInput) with a
// message naming the offending value.
class FlagRules
{
    Q_DECLARE_TR_FUNCTIONS(FlagRules)

public:
    static void checkKey(const QString &key);              // [a-z][a-z0-9_.-]{0,63}
    static void checkSegmentName(const QString &name);     // same pattern as flag keys
    static void checkTag(const QString &tag);              // [a-z0-9][a-z0-9_.-]{0,31}
    // "5", "33.3", "100" -> tenths. At most one decimal, 0..100.
    static int parsePercent(const QString &text);
    static QString formatPercent(int tenths);               // 333 -> "33.3", 50 -> "5"
    // "email ends_with @acme.com", "country in DE,AT", "plan == pro"
    static SegmentRule parseRule(const QString &text);
    static void checkTargetingKey(const QString &key, const QString &where);
};

} // namespace sp
