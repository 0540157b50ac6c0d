#include "RunRecord.h"

#include "common/Error.h"
#include "flags/Flag.h"

#include <QJsonValue>
#include <QRegularExpression>
#include <QTimeZone>

#include <array>
#include <cmath>
#include <limits>

namespace sp {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(RunRecord)
};

// Integers in JSON are doubles: anything above 2^53 is no longer exact, so it is refused.
constexpr double kMaxExactInteger = 9007199254740992.0;

[[noreturn]] void bad(const QString &where, const QString &field, const QString &problem)
{
    invalid(Tr::tr("%1: field \"%2\" %3").arg(where, field, problem));
}

bool isNonNegativeInteger(const QJsonValue &v, double max)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && d >= 0 && d <= max && std::floor(d) == d;
}

qint64 readCount64(const QJsonObject &o, const QString &field, const QString &where, double max)
{
    const QJsonValue v = o.value(field);
    if (!isNonNegativeInteger(v, max))
        bad(where, field, Tr::tr("must be a non-negative integer"));
    return qint64(v.toDouble());
}

int readCount(const QJsonObject &o, const QString &field, const QString &where)
{
    if (!o.contains(field))
        return 0;
    return int(readCount64(o, field, where, double(std::numeric_limits<int>::max())));
}

QString readString(const QJsonObject &o, const QString &field, const QString &where, bool required)
{
    if (!o.contains(field)) {
        if (required)
            bad(where, field, Tr::tr("is required"));
        return {};
    }
    const QJsonValue v = o.value(field);
    if (!v.isString())
        bad(where, field, Tr::tr("must be a string"));
    return v.toString();
}

bool readBool(const QJsonObject &o, const QString &field, const QString &where, bool required)
{
    if (!o.contains(field)) {
        if (required)
            bad(where, field, Tr::tr("is required"));
        return false;
    }
    const QJsonValue v = o.value(field);
    if (!v.isBool())
        bad(where, field, Tr::tr("must be true or false"));
    return v.toBool();
}

const QRegularExpression &errorClassPattern()
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}$"));
    return re;
}

} // namespace

QString runPathName(RunPath path)
{
    switch (path) {
    case RunPath::Legacy: return QStringLiteral("legacy");
    case RunPath::Sync: return QStringLiteral("sync");
    case RunPath::Shadow: return QStringLiteral("shadow");
    }
    return QStringLiteral("legacy");
}

bool parseRunPath(const QString &text, RunPath *path)
{
    static const std::array<RunPath, 3> all{RunPath::Legacy, RunPath::Sync, RunPath::Shadow};
    for (RunPath p : all) {
        if (text == runPathName(p)) {
            if (path)
                *path = p;
            return true;
        }
    }
    return false;
}

QJsonObject RunRecord::toJson() const
{
    return QJsonObject{
        {QStringLiteral("flag"), flagKey},
        {QStringLiteral("config"), config},
        {QStringLiteral("target"), target},
        {QStringLiteral("path"), runPathName(path)},
        {QStringLiteral("startedAt"), startedAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("durationMs"), durationMs},
        {QStringLiteral("ok"), ok},
        {QStringLiteral("errorClass"), errorClass},
        {QStringLiteral("critical"), critical},
        {QStringLiteral("rows"), rowsRead},
        {QStringLiteral("created"), varsCreated},
        {QStringLiteral("updated"), varsUpdated},
        {QStringLiteral("deleted"), varsDeleted},
        {QStringLiteral("apiCalls"), apiCalls},
        {QStringLiteral("retries"), retries},
        {QStringLiteral("http429"), http429},
        {QStringLiteral("mismatches"), mismatches},
        {QStringLiteral("rehearsal"), rehearsal},
    };
}

RunRecord RunRecord::fromJson(const QJsonObject &o, const QString &where)
{
    static const QStringList known{
        QStringLiteral("flag"), QStringLiteral("config"), QStringLiteral("target"), QStringLiteral("path"),
        QStringLiteral("startedAt"), QStringLiteral("durationMs"), QStringLiteral("ok"), QStringLiteral("errorClass"),
        QStringLiteral("critical"), QStringLiteral("rows"), QStringLiteral("created"), QStringLiteral("updated"),
        QStringLiteral("deleted"), QStringLiteral("apiCalls"), QStringLiteral("retries"), QStringLiteral("http429"),
        QStringLiteral("mismatches"), QStringLiteral("rehearsal")};
    // A typo ("duration_ms") must not silently become a default.
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            invalid(Tr::tr("%1: unknown field \"%2\" (known fields: %3)").arg(where, it.key(), known.join(QStringLiteral(", "))));

    RunRecord r;
    r.flagKey = readString(o, QStringLiteral("flag"), where, true);
    r.config = readString(o, QStringLiteral("config"), where, false);
    r.target = readString(o, QStringLiteral("target"), where, false);

    const QString path = readString(o, QStringLiteral("path"), where, true);
    if (!parseRunPath(path, &r.path))
        bad(where, QStringLiteral("path"), Tr::tr("must be \"legacy\", \"sync\" or \"shadow\", not \"%1\"").arg(path));

    // An explicit offset is required: a time without one would be read in the local zone of
    // whoever runs the import.
    static const QRegularExpression iso(QStringLiteral(
        "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$"));
    const QString started = readString(o, QStringLiteral("startedAt"), where, true);
    QDateTime t;
    if (iso.match(started).hasMatch()) {
        t = QDateTime::fromString(started, Qt::ISODateWithMs);
        if (!t.isValid())
            t = QDateTime::fromString(started, Qt::ISODate);
    }
    if (!t.isValid())
        bad(where, QStringLiteral("startedAt"),
            Tr::tr("must be an ISO-8601 time with a zone, e.g. 2026-03-02T08:00:00.000Z, not \"%1\"").arg(started));
    r.startedAt = t.toUTC();

    if (!o.contains(QStringLiteral("durationMs")))
        bad(where, QStringLiteral("durationMs"), Tr::tr("is required"));
    r.durationMs = readCount64(o, QStringLiteral("durationMs"), where, kMaxExactInteger);
    r.ok = readBool(o, QStringLiteral("ok"), where, true);
    r.errorClass = readString(o, QStringLiteral("errorClass"), where, false);
    r.critical = readBool(o, QStringLiteral("critical"), where, false);
    r.rowsRead = readCount(o, QStringLiteral("rows"), where);
    r.varsCreated = readCount(o, QStringLiteral("created"), where);
    r.varsUpdated = readCount(o, QStringLiteral("updated"), where);
    r.varsDeleted = readCount(o, QStringLiteral("deleted"), where);
    r.apiCalls = readCount(o, QStringLiteral("apiCalls"), where);
    r.retries = readCount(o, QStringLiteral("retries"), where);
    r.http429 = readCount(o, QStringLiteral("http429"), where);
    r.mismatches = readCount(o, QStringLiteral("mismatches"), where);
    r.rehearsal = readBool(o, QStringLiteral("rehearsal"), where, false);
    r.validate(where);
    return r;
}

void RunRecord::validate(const QString &where) const
{
    const QString p = problem(true);
    if (!p.isEmpty())
        invalid(Tr::tr("%1: %2").arg(where, p));
}

QString RunRecord::problem(bool checkKey) const
{
    const auto field = [](const char *name, const QString &what) {
        return Tr::tr("field \"%1\" %2").arg(QString::fromLatin1(name), what);
    };
    if (checkKey) {
        try {
            FlagRules::checkKey(flagKey);
        } catch (const Error &e) {
            return Tr::tr("field \"flag\": %1").arg(e.message());
        }
    }
    if (!startedAt.isValid())
        return field("startedAt", Tr::tr("is required"));
    if (startedAt.toMSecsSinceEpoch() < 0)
        return field("startedAt", Tr::tr("must not be before 1970-01-01T00:00:00Z"));
    if (durationMs < 0)
        return field("durationMs", Tr::tr("must be a non-negative integer"));
    const std::array<std::pair<const char *, int>, 8> counts{{{"rows", rowsRead},
                                                              {"created", varsCreated},
                                                              {"updated", varsUpdated},
                                                              {"deleted", varsDeleted},
                                                              {"apiCalls", apiCalls},
                                                              {"retries", retries},
                                                              {"http429", http429},
                                                              {"mismatches", mismatches}}};
    for (const auto &[name, value] : counts)
        if (value < 0)
            return field(name, Tr::tr("must be a non-negative integer"));
    if (!errorClass.isEmpty()) {
        if (ok)
            return field("errorClass", Tr::tr("must be empty when \"ok\" is true"));
        if (!errorClassPattern().match(errorClass).hasMatch())
            return field("errorClass",
                         Tr::tr("must be a short lower-case word such as network, http_5xx or mapping, not \"%1\"").arg(errorClass));
    }
    if (ok && critical)
        return field("critical", Tr::tr("can only be true for a failed run (\"ok\": false)"));
    return {};
}

} // namespace sp
