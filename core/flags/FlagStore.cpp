#include "FlagStore.h"

#include "FlagdPublisher.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlQuery>

namespace sp {

namespace {

QStringList parseList(const QString &json)
{
    QStringList out;
    for (const auto &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out << v.toString();
    return out;
}

QString listJson(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList normalised(QStringList list)
{
    list.removeDuplicates();
    list.sort();
    return list;
}

// The path of a prerequisite cycle through start, or empty.
QStringList findCycle(const QString &start, const FlagSnapshot &snapshot)
{
    QStringList path{start};
    QSet<QString> done;
    std::function<bool(const QString &)> visit = [&](const QString &key) -> bool {
        const auto it = snapshot.flags.constFind(key);
        if (it == snapshot.flags.constEnd() || done.contains(key))
            return false;
        for (const QString &p : it->prerequisites) {
            path << p;
            if (p == start || visit(p))
                return true;
            path.removeLast();
        }
        done.insert(key);
        return false;
    };
    return visit(start) ? path : QStringList{};
}

} // namespace

FlagStore::FlagStore(Workspace &workspace) : m_ws(workspace) {}

FlagSnapshot FlagStore::snapshot() const
{
    FlagSnapshot s;
    m_ws.read([&] { s = loadSnapshot(); });
    return s;
}

namespace {

} // namespace

QString FlagStore::flagColumns()
{
    return QStringLiteral("key, description, tags, enabled, percent_tenths, version, created_at, updated_at, updated_by");
}

Flag FlagStore::readFlag(const QSqlQuery &q)
{
    Flag f;
    f.key = q.value(0).toString();
    f.description = q.value(1).toString();
    f.tags = parseList(q.value(2).toString());
    f.enabled = q.value(3).toInt() != 0;
    f.percentTenths = q.value(4).toInt();
    f.version = q.value(5).toLongLong();
    f.createdAt = fromStoredTime(q.value(6).toString());
    f.updatedAt = fromStoredTime(q.value(7).toString());
    f.updatedBy = q.value(8).toString();
    return f;
}

std::optional<Flag> FlagStore::loadFlag(const QString &key) const
{
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM flags WHERE key = ?").arg(flagColumns()), {key});
    if (!q.next())
        return std::nullopt;
    Flag f = readFlag(q);
    q = m_ws.exec(QStringLiteral("SELECT requires_key FROM flag_prerequisites WHERE flag_key = ? ORDER BY requires_key"), {key});
    while (q.next())
        f.prerequisites << q.value(0).toString();
    q = m_ws.exec(QStringLiteral("SELECT segment, mode FROM flag_segments WHERE flag_key = ? ORDER BY segment"), {key});
    while (q.next())
        (q.value(1).toString() == QLatin1String("include") ? f.includeSegments : f.excludeSegments) << q.value(0).toString();
    return f;
}

FlagSnapshot FlagStore::loadGraph() const
{
    FlagSnapshot s;
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT key FROM flags"));
    while (q.next()) {
        Flag f;
        f.key = q.value(0).toString();
        s.flags.insert(f.key, f);
    }
    q = m_ws.exec(QStringLiteral("SELECT flag_key, requires_key FROM flag_prerequisites"));
    while (q.next())
        s.flags[q.value(0).toString()].prerequisites << q.value(1).toString();
    q = m_ws.exec(QStringLiteral("SELECT name FROM segments"));
    while (q.next()) {
        Segment seg;
        seg.name = q.value(0).toString();
        s.segments.insert(seg.name, seg);
    }
    return s;
}

FlagSnapshot FlagStore::loadSnapshot() const
{
    FlagSnapshot s;
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT %1 FROM flags").arg(flagColumns()));
    while (q.next()) {
        Flag f = readFlag(q);
        s.flags.insert(f.key, f);
    }
    q = m_ws.exec(QStringLiteral("SELECT flag_key, requires_key FROM flag_prerequisites ORDER BY flag_key, requires_key"));
    while (q.next())
        s.flags[q.value(0).toString()].prerequisites << q.value(1).toString();
    q = m_ws.exec(QStringLiteral("SELECT flag_key, segment, mode FROM flag_segments ORDER BY flag_key, segment"));
    while (q.next()) {
        Flag &f = s.flags[q.value(0).toString()];
        (q.value(2).toString() == QLatin1String("include") ? f.includeSegments : f.excludeSegments) << q.value(1).toString();
    }
    q = m_ws.exec(QStringLiteral("SELECT name, description, rules, version, created_at, updated_at FROM segments"));
    while (q.next()) {
        Segment seg;
        seg.name = q.value(0).toString();
        seg.description = q.value(1).toString();
        for (const auto &r : QJsonDocument::fromJson(q.value(2).toString().toUtf8()).array())
            seg.rules << SegmentRule::fromJson(r.toObject());
        seg.version = q.value(3).toLongLong();
        seg.createdAt = fromStoredTime(q.value(4).toString());
        seg.updatedAt = fromStoredTime(q.value(5).toString());
        s.segments.insert(seg.name, seg);
    }
    q = m_ws.exec(QStringLiteral("SELECT segment, targeting_key FROM segment_keys ORDER BY segment, targeting_key"));
    while (q.next())
        s.segments[q.value(0).toString()].keys << q.value(1).toString();
    s.killSwitch = m_ws.meta(QStringLiteral("kill_switch")) == QLatin1String("on");
    s.revision = m_ws.revision();
    return s;
}

QList<Flag> FlagStore::flags() const { return snapshot().flags.values(); }

std::optional<Flag> FlagStore::find(const QString &key) const
{
    const FlagSnapshot s = snapshot();
    const auto it = s.flags.constFind(key);
    return it == s.flags.constEnd() ? std::nullopt : std::optional<Flag>(*it);
}

Flag FlagStore::get(const QString &key) const
{
    FlagRules::checkKey(key);
    auto f = find(key);
    if (!f)
        invalid(tr("Unknown flag \"%1\".").arg(key));
    return *f;
}

QList<Segment> FlagStore::segments() const { return snapshot().segments.values(); }

bool FlagStore::killSwitch() const { return m_ws.meta(QStringLiteral("kill_switch")) == QLatin1String("on"); }

void FlagStore::validate(const Flag &flag, const FlagSnapshot &snapshot)
{
    FlagRules::checkKey(flag.key);
    for (const QString &t : flag.tags)
        FlagRules::checkTag(t);
    if (flag.percentTenths < 0 || flag.percentTenths > 1000)
        invalid(tr("Flag %1: percentage must be between 0 and 100.").arg(flag.key));
    for (const QString &p : flag.prerequisites) {
        if (p == flag.key)
            invalid(tr("Flag %1 cannot require itself.").arg(flag.key));
        if (!snapshot.flags.contains(p))
            invalid(tr("Flag %1: prerequisite \"%2\" does not exist.").arg(flag.key, p));
    }
    for (const QString &s : flag.includeSegments + flag.excludeSegments)
        if (!snapshot.segments.contains(s))
            invalid(tr("Flag %1: segment \"%2\" does not exist.").arg(flag.key, s));
    for (const QString &s : flag.includeSegments)
        if (flag.excludeSegments.contains(s))
            invalid(tr("Flag %1: segment \"%2\" cannot be both included and excluded.").arg(flag.key, s));
    FlagSnapshot with = snapshot;
    with.flags.insert(flag.key, flag);
    const QStringList cycle = findCycle(flag.key, with);
    if (!cycle.isEmpty())
        invalid(tr("Prerequisite cycle: %1. Nothing was changed.").arg(cycle.join(QStringLiteral(" → "))));
}

void FlagStore::writeFlag(const Flag &f, bool insert)
{
    if (insert) {
        m_ws.exec(QStringLiteral("INSERT INTO flags (key, description, tags, enabled, percent_tenths, version, created_at,"
                                 " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                  {f.key, f.description, listJson(f.tags), f.enabled ? 1 : 0, f.percentTenths, f.version,
                   toStoredTime(f.createdAt), toStoredTime(f.updatedAt), f.updatedBy});
    } else {
        QSqlQuery q = m_ws.exec(QStringLiteral("UPDATE flags SET description = ?, tags = ?, enabled = ?, percent_tenths = ?,"
                                               " version = ?, updated_at = ?, updated_by = ? WHERE key = ? AND version = ?"),
                                {f.description, listJson(f.tags), f.enabled ? 1 : 0, f.percentTenths, f.version,
                                 toStoredTime(f.updatedAt), f.updatedBy, f.key, f.version - 1});
        if (q.numRowsAffected() != 1)
            conflict(tr("Flag %1 was changed by someone else meanwhile; nothing was changed.").arg(f.key));
        m_ws.exec(QStringLiteral("DELETE FROM flag_prerequisites WHERE flag_key = ?"), {f.key});
        m_ws.exec(QStringLiteral("DELETE FROM flag_segments WHERE flag_key = ?"), {f.key});
    }
    for (const QString &p : f.prerequisites)
        m_ws.exec(QStringLiteral("INSERT INTO flag_prerequisites (flag_key, requires_key) VALUES (?, ?)"), {f.key, p});
    for (const QString &s : f.includeSegments)
        m_ws.exec(QStringLiteral("INSERT INTO flag_segments (flag_key, segment, mode) VALUES (?, ?, 'include')"), {f.key, s});
    for (const QString &s : f.excludeSegments)
        m_ws.exec(QStringLiteral("INSERT INTO flag_segments (flag_key, segment, mode) VALUES (?, ?, 'exclude')"), {f.key, s});
}

Flag FlagStore::create(const FlagDraft &draft, const ChangeContext &ctx)
{
    FlagRules::checkKey(draft.key);
    Flag f;
    f.key = draft.key;
    f.description = draft.description;
    f.tags = normalised(draft.tags);
    f.enabled = draft.enabled;
    f.percentTenths = draft.percentTenths;
    f.prerequisites = normalised(draft.prerequisites);
    f.includeSegments = normalised(draft.includeSegments);
    f.excludeSegments = normalised(draft.excludeSegments);
    f.version = 1;
    f.updatedBy = ctx.actor;
    m_ws.write([&] {
        // A new flag cannot close a prerequisite cycle (nothing requires it yet), so existence
        // checks are all it needs: no full snapshot, so bulk creation stays linear.
        const FlagSnapshot graph = loadGraph();
        if (graph.flags.contains(f.key))
            conflict(tr("Flag %1 already exists; nothing was changed.").arg(f.key));
        validate(f, graph);
        f.createdAt = f.updatedAt = Clock::current().now();
        writeFlag(f, true);
        AuditLog(m_ws).append(ctx, QStringLiteral("flag.create"), QStringLiteral("flag:") + f.key, QJsonValue(), f.toJson());
    });
    afterCommit();
    return f;
}

Flag FlagStore::update(const QString &key, const FlagPatch &patch, const ChangeContext &ctx)
{
    FlagRules::checkKey(key);
    Flag result;
    bool changed = false;
    m_ws.write([&] {
        const std::optional<Flag> current = loadFlag(key);
        if (!current)
            invalid(tr("Unknown flag \"%1\"; nothing was changed.").arg(key));
        const Flag before = *current;
        if (patch.expectedVersion && *patch.expectedVersion != before.version)
            conflict(tr("Flag %1 was changed by %2 at %3 (now version %4, you edited version %5); nothing was changed. "
                        "Reload it and try again.")
                         .arg(key, before.updatedBy, toStoredTime(before.updatedAt))
                         .arg(before.version)
                         .arg(*patch.expectedVersion));
        Flag f = before;
        if (patch.enabled) f.enabled = *patch.enabled;
        if (patch.percentTenths) f.percentTenths = *patch.percentTenths;
        if (patch.description) f.description = *patch.description;
        if (patch.tags) f.tags = normalised(*patch.tags);
        if (patch.prerequisites) f.prerequisites = normalised(*patch.prerequisites);
        if (patch.includeSegments) f.includeSegments = normalised(*patch.includeSegments);
        if (patch.excludeSegments) f.excludeSegments = normalised(*patch.excludeSegments);
        if (patch.prerequisites || patch.includeSegments || patch.excludeSegments || patch.tags || patch.percentTenths)
            validate(f, loadGraph());
        if (f.toJson() == before.toJson()) {
            result = before;
            return;
        }
        f.version = before.version + 1;
        f.updatedAt = Clock::current().now();
        f.updatedBy = ctx.actor;
        writeFlag(f, false);
        AuditLog(m_ws).append(ctx, QStringLiteral("flag.update"), QStringLiteral("flag:") + key, before.toJson(), f.toJson());
        result = f;
        changed = true;
    });
    if (changed)
        afterCommit();
    return result;
}

Segment FlagStore::createSegment(const Segment &draft, const ChangeContext &ctx)
{
    FlagRules::checkSegmentName(draft.name);
    Segment seg = draft;
    seg.keys = normalised(seg.keys);
    for (const QString &k : seg.keys)
        FlagRules::checkTargetingKey(k, tr("Segment %1").arg(seg.name));
    if (seg.keys.isEmpty() && seg.rules.isEmpty())
        invalid(tr("Segment %1 needs targeting keys or at least one rule.").arg(seg.name));
    seg.version = 1;
    m_ws.write([&] {
        QSqlQuery exists = m_ws.exec(QStringLiteral("SELECT 1 FROM segments WHERE name = ?"), {seg.name});
        if (exists.next())
            conflict(tr("Segment %1 already exists; nothing was changed.").arg(seg.name));
        exists.finish();
        seg.createdAt = seg.updatedAt = Clock::current().now();
        QJsonArray rules;
        for (const auto &r : seg.rules)
            rules.append(r.toJson());
        m_ws.exec(QStringLiteral("INSERT INTO segments (name, description, rules, version, created_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?)"),
                  {seg.name, seg.description, QString::fromUtf8(QJsonDocument(rules).toJson(QJsonDocument::Compact)),
                   seg.version, toStoredTime(seg.createdAt), toStoredTime(seg.updatedAt)});
        if (!seg.keys.isEmpty()) {
            QSqlQuery insert(m_ws.database());
            insert.prepare(QStringLiteral("INSERT INTO segment_keys (segment, targeting_key) VALUES (?, ?)"));
            QVariantList names, keys;
            for (const QString &k : seg.keys) {
                names << seg.name;
                keys << k;
            }
            insert.addBindValue(names);
            insert.addBindValue(keys);
            if (!insert.execBatch())
                fail(tr("Cannot store the keys of segment %1.").arg(seg.name));
        }
        AuditLog(m_ws).append(ctx, QStringLiteral("segment.create"), QStringLiteral("segment:") + seg.name, QJsonValue(),
                              seg.toJson(false));
    });
    afterCommit();
    return seg;
}

void FlagStore::setKillSwitch(bool on, const ChangeContext &ctx)
{
    bool changed = false;
    m_ws.write([&] {
        const bool was = m_ws.meta(QStringLiteral("kill_switch")) == QLatin1String("on");
        if (was == on)
            return;
        m_ws.setMeta(QStringLiteral("kill_switch"), on ? QStringLiteral("on") : QStringLiteral("off"));
        AuditLog(m_ws).append(ctx, on ? QStringLiteral("killswitch.on") : QStringLiteral("killswitch.off"),
                              QStringLiteral("workspace"), QJsonObject{{QStringLiteral("killSwitch"), was}},
                              QJsonObject{{QStringLiteral("killSwitch"), on}});
        changed = true;
    });
    if (changed)
        afterCommit();
}

void FlagStore::afterCommit() { FlagdPublisher(m_ws).publishIfConfigured(); }

} // namespace sp
