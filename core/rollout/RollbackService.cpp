#include "RollbackService.h"

#include "DecisionLedger.h"
#include "flags/FlagStore.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/Flag.h"
#include "flags/FlagdPublisher.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSet>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>

namespace sp {

namespace {

const QString kFlags = QStringLiteral("flags");
const QString kRollouts = QStringLiteral("rollouts");
const QString kConfigs = QStringLiteral("syncConfigs");
const QString kKillSwitch = QStringLiteral("killSwitch");
const QString kEnabled = QStringLiteral("enabled");
const QString kPercent = QStringLiteral("percentTenths");
const QString kVersion = QStringLiteral("version");
const QString kState = QStringLiteral("state");
const QString kPhase = QStringLiteral("phaseIndex");
const QString kFlag = QStringLiteral("flag");
const QString kMode = QStringLiteral("mode");

// IN lists are chunked well below SQLite's and PostgreSQL's bound-parameter limits.
constexpr int kInChunk = 500;

struct RolloutRow
{
    qint64 id = 0;
    QString flagKey;
    QString state;
    int phaseIndex = 0;
    qint64 version = 0;
};

struct ConfigRow
{
    QString name;
    QString flagKey;
    QString mode;
    qint64 version = 0;
};

// The objects one rollback act looks at, read inside its write transaction.
struct State
{
    QMap<QString, Flag> flags;               // the candidate flags, in full (for the audit entries)
    QHash<QString, QStringList> prerequisites; // every flag's prerequisites (gradual ordering)
    QList<RolloutRow> rollouts;              // running and paused
    QList<ConfigRow> configs;
    bool killSwitch = false;
};

// What one transaction changes.
struct Changes
{
    QList<Flag> flags;          // as they were; turned off (0 %)
    QList<RolloutRow> rollouts; // as they were; rolled back
    QList<ConfigRow> configs;   // as they were; set to legacy

    bool isEmpty() const { return flags.isEmpty() && rollouts.isEmpty() && configs.isEmpty(); }
};

QString jsonText(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QJsonObject parseObject(const QString &text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

QString placeholders(qsizetype n)
{
    QString s;
    s.reserve(n * 3);
    for (qsizetype i = 0; i < n; ++i)
        s += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return s;
}

// Runs "<head> WHERE <column> IN (…)" over values in chunks; returns the rows affected.
int execIn(Workspace &ws, const QString &head, const QVariantList &headBinds, const QString &column, const QVariantList &values)
{
    int affected = 0;
    for (qsizetype at = 0; at < values.size(); at += kInChunk) {
        const QVariantList chunk = values.mid(at, kInChunk);
        QSqlQuery q = ws.exec(QStringLiteral("%1 WHERE %2 IN (%3)").arg(head, column, placeholders(chunk.size())), headBinds + chunk);
        affected += q.numRowsAffected();
    }
    return affected;
}

bool isOn(const Flag &f) { return f.enabled || f.percentTenths > 0; }
bool isActiveState(const QString &state)
{
    return state == QLatin1String("running") || state == QLatin1String("paused") || state == QLatin1String("draft");
}

QJsonObject flagState(bool enabled, int percentTenths, qint64 version)
{
    return QJsonObject{{kEnabled, enabled}, {kPercent, percentTenths}, {kVersion, version}};
}
QJsonObject flagState(const Flag &f) { return flagState(f.enabled, f.percentTenths, f.version); }
QJsonObject rolloutState(const RolloutRow &r)
{
    return QJsonObject{{kFlag, r.flagKey}, {kState, r.state}, {kPhase, r.phaseIndex}, {kVersion, r.version}};
}
QJsonObject configState(const ConfigRow &c)
{
    return QJsonObject{{kFlag, c.flagKey}, {kMode, c.mode}, {kVersion, c.version}};
}

// Flags matching an optional WHERE clause, with their prerequisites and segments, and the whole
// prerequisite graph.
void loadFlags(Workspace &ws, State &state, const QString &where, const QVariantList &binds)
{
    // Each query lives in its own scope: QPSQL deallocates a prepared statement when its
    // QSqlQuery goes away, which would discard the rows of a query still being read.
    {
        QSqlQuery q = ws.exec(QStringLiteral("SELECT %1 FROM flags").arg(FlagStore::flagColumns())
                                  + (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where),
                              binds);
        while (q.next()) {
            const Flag f = FlagStore::readFlag(q);
            state.flags.insert(f.key, f);
        }
    }
    {
        QSqlQuery q = ws.exec(QStringLiteral("SELECT flag_key, requires_key FROM flag_prerequisites ORDER BY flag_key, requires_key"));
        while (q.next()) {
            const QString key = q.value(0).toString();
            state.prerequisites[key] << q.value(1).toString();
            const auto it = state.flags.find(key);
            if (it != state.flags.end())
                it->prerequisites << q.value(1).toString();
        }
    }
    {
        QSqlQuery q = ws.exec(QStringLiteral("SELECT flag_key, segment, mode FROM flag_segments ORDER BY flag_key, segment"));
        while (q.next()) {
            const auto it = state.flags.find(q.value(0).toString());
            if (it != state.flags.end())
                (q.value(2).toString() == QLatin1String("include") ? it->includeSegments : it->excludeSegments) << q.value(1).toString();
        }
    }
}

// Every flag tagged sync. The LIKE only narrows the read: tags are a JSON array of plain words.
void loadSyncFlags(Workspace &ws, State &state)
{
    loadFlags(ws, state, QStringLiteral("tags LIKE ?"), {QStringLiteral("%\"sync\"%")});
    for (auto it = state.flags.begin(); it != state.flags.end();)
        it = it->isSync() ? std::next(it) : state.flags.erase(it);
}

QList<RolloutRow> readRollouts(QSqlQuery &q)
{
    QList<RolloutRow> out;
    while (q.next())
        out << RolloutRow{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toInt(),
                          q.value(4).toLongLong()};
    return out;
}

QList<RolloutRow> loadActiveRollouts(Workspace &ws, const QString &flagKey = {})
{
    QString sql = QStringLiteral("SELECT id, flag_key, state, phase_index, version FROM rollouts WHERE state IN ('running', 'paused')");
    QVariantList binds;
    if (!flagKey.isNull()) {
        sql += QStringLiteral(" AND flag_key = ?");
        binds << flagKey;
    }
    QSqlQuery q = ws.exec(sql + QStringLiteral(" ORDER BY id"), binds);
    return readRollouts(q);
}

QList<ConfigRow> loadConfigs(Workspace &ws)
{
    QList<ConfigRow> out;
    QSqlQuery q = ws.exec(QStringLiteral("SELECT name, flag_key, mode, version FROM sync_configs ORDER BY name"));
    while (q.next())
        out << ConfigRow{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong()};
    return out;
}

bool killSwitchOn(Workspace &ws) { return ws.meta(QStringLiteral("kill_switch")) == QLatin1String("on"); }

// Everything an emergency or gradual rollback may touch: sync flags, active rollouts, sync configs.
State loadFullState(Workspace &ws)
{
    State s;
    loadSyncFlags(ws, s);
    s.rollouts = loadActiveRollouts(ws);
    s.configs = loadConfigs(ws);
    s.killSwitch = killSwitchOn(ws);
    return s;
}

// The before-state of a snapshot: every flag, rollout and config the act looks at.
QJsonObject stateJson(const State &s)
{
    QJsonObject flags, rollouts, configs;
    for (const Flag &f : s.flags)
        flags.insert(f.key, flagState(f));
    for (const RolloutRow &r : s.rollouts)
        rollouts.insert(QString::number(r.id), rolloutState(r));
    for (const ConfigRow &c : s.configs)
        configs.insert(c.name, configState(c));
    return QJsonObject{{kFlags, flags}, {kRollouts, rollouts}, {kConfigs, configs}, {kKillSwitch, s.killSwitch}};
}

// The after-state of changes, merged into a snapshot state (pure: computed before anything is written,
// so the snapshot is stored once with both states).
void mergeAfter(const Changes &c, QJsonObject &state)
{
    QJsonObject flags = state.value(kFlags).toObject();
    QJsonObject rollouts = state.value(kRollouts).toObject();
    QJsonObject configs = state.value(kConfigs).toObject();
    for (const Flag &f : c.flags)
        flags.insert(f.key, flagState(false, 0, f.version + 1));
    for (const RolloutRow &r : c.rollouts) {
        RolloutRow done = r;
        done.state = QStringLiteral("rolled_back");
        done.version = r.version + 1;
        rollouts.insert(QString::number(r.id), rolloutState(done));
    }
    for (const ConfigRow &cfg : c.configs) {
        ConfigRow done = cfg;
        done.mode = QStringLiteral("legacy");
        done.version = cfg.version + 1;
        configs.insert(cfg.name, configState(done));
    }
    state.insert(kFlags, flags);
    state.insert(kRollouts, rollouts);
    state.insert(kConfigs, configs);
}

// Applies changes inside the caller's write transaction: flags off, rollouts rolled back, configs
// to legacy (a few statements, whatever the number of objects), one flag.update audit entry per
// flag and one ledger entry per rollout. Fills result.
void applyChanges(Workspace &ws, const Changes &c, const ChangeContext &ctx, const QDateTime &now, const QString &why,
                  RollbackResult &result)
{
    const QString at = toStoredTime(now);
    if (!c.flags.isEmpty()) {
        QVariantList keys;
        for (const Flag &f : c.flags)
            keys << f.key;
        const int n = execIn(ws, QStringLiteral("UPDATE flags SET enabled = 0, percent_tenths = 0, version = version + 1, updated_at = ?,"
                                                " updated_by = ?"),
                             {at, ctx.actor}, QStringLiteral("key"), keys);
        if (n != c.flags.size())
            fail(RollbackService::tr("The rollback could not turn off every flag (%1 of %2); nothing was changed.").arg(n).arg(c.flags.size()));
    }
    if (!c.rollouts.isEmpty()) {
        QVariantList ids;
        for (const RolloutRow &r : c.rollouts)
            ids << r.id;
        execIn(ws, QStringLiteral("UPDATE rollouts SET state = 'rolled_back', state_reason = ?, version = version + 1, updated_at = ?"),
               {why, at}, QStringLiteral("id"), ids);
    }
    if (!c.configs.isEmpty()) {
        QVariantList names;
        for (const ConfigRow &cfg : c.configs)
            names << cfg.name;
        execIn(ws, QStringLiteral("UPDATE sync_configs SET mode = 'legacy', fallback_reason = ?, version = version + 1, updated_at = ?"),
               {why, at}, QStringLiteral("name"), names);
    }

    QList<AuditLog::Change> audited;
    audited.reserve(c.flags.size());
    const QString updatedAt = toStoredTime(now);
    for (const Flag &f : c.flags) {
        // The after-state as FlagStore would write it, derived from the before-state's JSON.
        const QJsonObject before = f.toJson();
        QJsonObject after = before;
        after.insert(QStringLiteral("enabled"), false);
        after.insert(QStringLiteral("percent"), 0);
        after.insert(QStringLiteral("version"), f.version + 1);
        after.insert(QStringLiteral("updatedAt"), updatedAt);
        after.insert(QStringLiteral("updatedBy"), ctx.actor);
        audited << AuditLog::Change{QStringLiteral("flag.update"), QStringLiteral("flag:") + f.key, before, after};
        result.flagsTurnedOff << f.key;
    }
    AuditLog(ws).appendMany(ctx, audited);
    DecisionLedger ledger(ws);
    const bool automatic = ctx.source == QLatin1String("controller");
    for (const RolloutRow &r : c.rollouts) {
        // The controller's reason already says what happened and why; an operator's gets context.
        ledger.record(ctx, r.flagKey, r.id, QStringLiteral("rollback"), automatic,
                      automatic ? ctx.reason
                                : RollbackService::tr("Rollout %1 of %2 rolled back in phase %3 (was %4): %5")
                                      .arg(r.id)
                                      .arg(r.flagKey)
                                      .arg(r.phaseIndex + 1)
                                      .arg(r.state, why),
                      [&] {
                          // the controller's evidence (guardrail values) travels with its context
                          QJsonObject evidence = ctx.evidence;
                          evidence.insert(QStringLiteral("reason"), ctx.reason);
                          evidence.insert(QStringLiteral("previousState"), r.state);
                          evidence.insert(QStringLiteral("phaseIndex"), r.phaseIndex);
                          evidence.insert(QStringLiteral("snapshotId"), result.snapshotId);
                          return evidence;
                      }());
        result.rolloutsRolledBack << r.id;
    }
    for (const ConfigRow &cfg : c.configs)
        result.configsToLegacy << cfg.name;
}

qint64 insertSnapshot(Workspace &ws, const QDateTime &now, const QString &kind, const ChangeContext &ctx,
                      const QJsonObject &before, const QJsonObject &after)
{
    QSqlQuery q = ws.exec(QStringLiteral("INSERT INTO snapshots (at, kind, reason, actor, before_state, after_state)"
                                         " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
                          {toStoredTime(now), kind, ctx.reason, ctx.actor, jsonText(before), jsonText(after)});
    if (!q.next())
        fail(RollbackService::tr("Could not store the rollback snapshot; nothing was changed."));
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    return id;
}

void updateSnapshotAfter(Workspace &ws, qint64 id, const QJsonObject &after)
{
    ws.exec(QStringLiteral("UPDATE snapshots SET after_state = ? WHERE id = ?"), {jsonText(after), id});
}

QJsonObject actJson(const RollbackResult &r)
{
    QJsonArray rollouts;
    for (qint64 id : r.rolloutsRolledBack)
        rollouts.append(id);
    return QJsonObject{{QStringLiteral("snapshotId"), r.snapshotId},
                       {QStringLiteral("flagsTurnedOff"), QJsonArray::fromStringList(r.flagsTurnedOff)},
                       {QStringLiteral("rolloutsRolledBack"), rollouts},
                       {QStringLiteral("configsToLegacy"), QJsonArray::fromStringList(r.configsToLegacy)}};
}

// Publishes after a commit; a failure does not undo the (already committed) rollback.
void publish(Workspace &ws, RollbackResult &result)
{
    try {
        FlagdPublisher(ws).publishIfConfigured();
    } catch (const Error &e) {
        result.publishError = e.message();
    }
}

QString onOff(bool on) { return on ? RollbackService::tr("on") : RollbackService::tr("off"); }
QString percentText(int tenths) { return RollbackService::tr("%1 %").arg(FlagRules::formatPercent(tenths)); }

RollbackSnapshot readSnapshot(QSqlQuery &q)
{
    RollbackSnapshot s;
    s.id = q.value(0).toLongLong();
    s.at = fromStoredTime(q.value(1).toString());
    s.kind = q.value(2).toString();
    s.reason = q.value(3).toString();
    s.actor = q.value(4).toString();
    s.before = parseObject(q.value(5).toString());
    s.after = parseObject(q.value(6).toString());
    const QString restored = q.value(7).toString();
    if (!restored.isEmpty())
        s.restoredAt = fromStoredTime(restored);
    return s;
}

const QString kSnapshotColumns = QStringLiteral("id, at, kind, reason, actor, before_state, after_state, restored_at");

// The snapshot restore() works on: the given one, or the newest not yet restored.
RollbackSnapshot pickSnapshot(Workspace &ws, qint64 id)
{
    QSqlQuery q = id > 0 ? ws.exec(QStringLiteral("SELECT %1 FROM snapshots WHERE id = ?").arg(kSnapshotColumns), {id})
                         : ws.exec(QStringLiteral("SELECT %1 FROM snapshots WHERE restored_at = '' ORDER BY id DESC LIMIT 1").arg(kSnapshotColumns));
    if (!q.next()) {
        if (id > 0)
            invalid(RollbackService::tr("There is no snapshot %1. List them with: syncpilot-cli snapshot list").arg(id));
        invalid(RollbackService::tr("There is no rollback snapshot left to restore."));
    }
    RollbackSnapshot s = readSnapshot(q);
    q.finish();
    return s;
}

// Current values of the objects a snapshot names.
struct Current
{
    QMap<QString, Flag> flags;
    QMap<qint64, RolloutRow> rollouts;
    QMap<QString, ConfigRow> configs;
    QMap<QString, qint64> activeRolloutOfFlag; // flag -> its draft/running/paused rollout now
};

Current loadCurrent(Workspace &ws, const RollbackSnapshot &s)
{
    Current c;
    State st;
    const QStringList keys = s.before.value(kFlags).toObject().keys();
    if (!keys.isEmpty()) {
        QVariantList binds;
        for (const QString &k : keys)
            binds << k;
        for (qsizetype at = 0; at < binds.size(); at += kInChunk) {
            const QVariantList chunk = binds.mid(at, kInChunk);
            loadFlags(ws, st, QStringLiteral("key IN (%1)").arg(placeholders(chunk.size())), chunk);
        }
    }
    c.flags = st.flags;
    const QJsonObject rollouts = s.before.value(kRollouts).toObject();
    QVariantList ids;
    for (auto it = rollouts.begin(); it != rollouts.end(); ++it)
        ids << it.key().toLongLong();
    for (qsizetype at = 0; at < ids.size(); at += kInChunk) {
        const QVariantList chunk = ids.mid(at, kInChunk);
        QSqlQuery r = ws.exec(QStringLiteral("SELECT id, flag_key, state, phase_index, version FROM rollouts WHERE id IN (%1)")
                                  .arg(placeholders(chunk.size())),
                              chunk);
        for (const RolloutRow &row : readRollouts(r))
            c.rollouts.insert(row.id, row);
    }
    {
        QSqlQuery active = ws.exec(QStringLiteral("SELECT id, flag_key FROM rollouts WHERE state IN ('draft', 'running', 'paused')"));
        while (active.next())
            c.activeRolloutOfFlag.insert(active.value(1).toString(), active.value(0).toLongLong());
    }
    for (const ConfigRow &cfg : loadConfigs(ws))
        c.configs.insert(cfg.name, cfg);
    return c;
}

QStringList diff(const RollbackSnapshot &s, const Current &c)
{
    QStringList out;
    const QJsonObject flags = s.after.value(kFlags).toObject();
    for (auto it = flags.begin(); it != flags.end(); ++it) {
        const QJsonObject was = it.value().toObject();
        const auto now = c.flags.constFind(it.key());
        if (now == c.flags.constEnd()) {
            out << RollbackService::tr("flag %1: deleted since the rollback").arg(it.key());
            continue;
        }
        if (now->enabled != was.value(kEnabled).toBool())
            out << RollbackService::tr("flag %1: now %2, was %3 right after the rollback").arg(it.key(), onOff(now->enabled), onOff(was.value(kEnabled).toBool()));
        if (now->percentTenths != was.value(kPercent).toInt())
            out << RollbackService::tr("flag %1: now %2, was %3 right after the rollback")
                       .arg(it.key(), percentText(now->percentTenths), percentText(was.value(kPercent).toInt()));
    }
    const QJsonObject rollouts = s.after.value(kRollouts).toObject();
    const QJsonObject rolloutsBefore = s.before.value(kRollouts).toObject();
    for (auto it = rollouts.begin(); it != rollouts.end(); ++it) {
        const QJsonObject was = it.value().toObject();
        const qint64 id = it.key().toLongLong();
        const QString flag = was.value(kFlag).toString();
        const auto now = c.rollouts.constFind(id);
        if (now == c.rollouts.constEnd()) {
            out << RollbackService::tr("rollout %1 of flag %2: deleted since the rollback").arg(id).arg(flag);
            continue;
        }
        if (now->state != was.value(kState).toString()) {
            out << RollbackService::tr("rollout %1 of flag %2: now %3, was %4 right after the rollback").arg(id).arg(flag, now->state, was.value(kState).toString());
            continue;
        }
        // Putting this rollout back would make two active rollouts for one flag.
        const QString stateBefore = rolloutsBefore.value(it.key()).toObject().value(kState).toString();
        const auto other = c.activeRolloutOfFlag.constFind(flag);
        if (isActiveState(stateBefore) && other != c.activeRolloutOfFlag.constEnd() && *other != id)
            out << RollbackService::tr("flag %1: rollout %2 was started since the rollback").arg(flag).arg(*other);
    }
    const QJsonObject configs = s.after.value(kConfigs).toObject();
    for (auto it = configs.begin(); it != configs.end(); ++it) {
        const QString was = it.value().toObject().value(kMode).toString();
        const auto now = c.configs.constFind(it.key());
        if (now == c.configs.constEnd())
            out << RollbackService::tr("sync config %1: deleted since the rollback").arg(it.key());
        else if (now->mode != was)
            out << RollbackService::tr("sync config %1: now %2, was %3 right after the rollback").arg(it.key(), now->mode, was);
    }
    return out;
}

// Dependents before their prerequisites: a flag's level is 0 when no flag requires it, else one
// more than the highest level among the flags that require it (directly or through any flag).
QStringList dependentsFirst(const QStringList &keys, const QHash<QString, QStringList> &prerequisites)
{
    QHash<QString, QStringList> dependents;
    for (auto it = prerequisites.begin(); it != prerequisites.end(); ++it)
        for (const QString &p : it.value())
            dependents[p] << it.key();
    QHash<QString, int> level;
    std::function<int(const QString &, int)> levelOf = [&](const QString &key, int depth) -> int {
        if (const auto it = level.constFind(key); it != level.constEnd())
            return *it;
        int l = 0;
        if (depth < 10000) // prerequisites are acyclic (FlagStore::validate); this only guards corrupt data
            for (const QString &d : dependents.value(key))
                l = std::max(l, levelOf(d, depth + 1) + 1);
        level.insert(key, l);
        return l;
    };
    QStringList ordered = keys;
    for (const QString &k : ordered)
        levelOf(k, 0);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const QString &a, const QString &b) {
        const int la = level.value(a), lb = level.value(b);
        return la != lb ? la < lb : a < b;
    });
    return ordered;
}

} // namespace

QJsonObject RollbackSnapshot::toJson() const
{
    QJsonArray rollouts;
    for (qint64 id : restoredRollouts)
        rollouts.append(id);
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("at"), toStoredTime(at)},
                  {QStringLiteral("kind"), kind},
                  {QStringLiteral("reason"), reason},
                  {QStringLiteral("actor"), actor},
                  {QStringLiteral("before"), before},
                  {QStringLiteral("after"), after},
                  {QStringLiteral("restoredAt"), restoredAt.isValid() ? toStoredTime(restoredAt) : QString()}};
    if (!restoredFlags.isEmpty() || !restoredRollouts.isEmpty() || !restoredConfigs.isEmpty()) {
        o.insert(QStringLiteral("restoredFlags"), QJsonArray::fromStringList(restoredFlags));
        o.insert(QStringLiteral("restoredRollouts"), rollouts);
        o.insert(QStringLiteral("restoredConfigs"), QJsonArray::fromStringList(restoredConfigs));
    }
    return o;
}

QJsonObject RollbackResult::toJson() const
{
    QJsonObject o = actJson(*this);
    o.insert(QStringLiteral("elapsedMs"), elapsedMs);
    o.insert(QStringLiteral("nothingToDo"), nothingToDo());
    if (!publishError.isEmpty())
        o.insert(QStringLiteral("publishError"), publishError);
    return o;
}

RollbackResult RollbackService::emergency(const ChangeContext &ctx)
{
    QElapsedTimer timer;
    timer.start();
    RollbackResult result;
    m_ws.write([&] {
        const State s = loadFullState(m_ws);
        Changes c;
        for (const Flag &f : s.flags)
            if (isOn(f))
                c.flags << f;
        c.rollouts = s.rollouts;
        for (const ConfigRow &cfg : s.configs)
            if (cfg.mode != QLatin1String("legacy"))
                c.configs << cfg;
        if (c.isEmpty())
            return;
        const QDateTime now = fromStoredTime(toStoredTime(Clock::current().now()));
        const QJsonObject before = stateJson(s);
        QJsonObject after = before;
        mergeAfter(c, after);
        result.snapshotId = insertSnapshot(m_ws, now, QStringLiteral("emergency"), ctx, before, after);
        applyChanges(m_ws, c, ctx, now, tr("Emergency rollback (snapshot %1): %2").arg(result.snapshotId).arg(ctx.reason), result);
        AuditLog(m_ws).append(ctx, QStringLiteral("rollback.emergency"), QStringLiteral("workspace"), before, actJson(result));
    });
    publish(m_ws, result);
    result.elapsedMs = timer.elapsed();
    return result;
}

RollbackResult RollbackService::selective(const QString &flagKey, const ChangeContext &ctx)
{
    FlagRules::checkKey(flagKey);
    QElapsedTimer timer;
    timer.start();
    RollbackResult result;
    m_ws.write([&] {
        State s;
        loadFlags(m_ws, s, QStringLiteral("key = ?"), {flagKey});
        if (!s.flags.contains(flagKey))
            invalid(tr("Unknown flag \"%1\"; nothing was changed.").arg(flagKey));
        s.rollouts = loadActiveRollouts(m_ws, flagKey);
        s.killSwitch = killSwitchOn(m_ws);
        Changes c;
        if (isOn(s.flags.value(flagKey)))
            c.flags << s.flags.value(flagKey);
        c.rollouts = s.rollouts;
        if (c.isEmpty())
            return;
        const QDateTime now = fromStoredTime(toStoredTime(Clock::current().now()));
        const QJsonObject before = stateJson(s);
        QJsonObject after = before;
        mergeAfter(c, after);
        result.snapshotId = insertSnapshot(m_ws, now, QStringLiteral("selective"), ctx, before, after);
        applyChanges(m_ws, c, ctx, now, tr("Rollback of %1 (snapshot %2): %3").arg(flagKey).arg(result.snapshotId).arg(ctx.reason), result);
        AuditLog(m_ws).append(ctx, QStringLiteral("rollback.selective"), QStringLiteral("flag:") + flagKey, before, actJson(result));
    });
    publish(m_ws, result);
    result.elapsedMs = timer.elapsed();
    return result;
}

RollbackResult RollbackService::gradual(qint64 stepDelayMs, const ChangeContext &ctx, const std::function<void(qint64)> &sleep)
{
    if (stepDelayMs < 0)
        invalid(tr("The step delay cannot be negative."));
    QElapsedTimer timer;
    timer.start();
    RollbackResult result;

    // A step per flag (dependents first), then one for the sync configs no step covered.
    struct Step
    {
        QString flagKey;
    };
    QList<Step> steps;
    QJsonObject after;
    int index = 0;

    // One step inside the current transaction: re-read the step's objects (they may have changed
    // since the plan was made), turn them off, and record the after-state so far.
    const auto runStep = [&](const Step &step, const QDateTime &now) {
        Changes c;
        State s;
        if (!step.flagKey.isEmpty()) {
            loadFlags(m_ws, s, QStringLiteral("key = ?"), {step.flagKey});
            const auto f = s.flags.constFind(step.flagKey);
            if (f != s.flags.constEnd() && f->isSync() && isOn(*f))
                c.flags << *f;
            c.rollouts = loadActiveRollouts(m_ws, step.flagKey);
        }
        QSet<QString> stepFlags;
        for (const Step &st : steps)
            if (!st.flagKey.isEmpty())
                stepFlags.insert(st.flagKey);
        for (const ConfigRow &cfg : loadConfigs(m_ws)) {
            if (cfg.mode == QLatin1String("legacy"))
                continue;
            const bool mine = step.flagKey.isEmpty() ? !stepFlags.contains(cfg.flagKey) : cfg.flagKey == step.flagKey;
            if (mine)
                c.configs << cfg;
        }
        RollbackResult stepResult;
        stepResult.snapshotId = result.snapshotId;
        applyChanges(m_ws, c, ctx, now, tr("Gradual rollback (snapshot %1): %2").arg(result.snapshotId).arg(ctx.reason), stepResult);
        mergeAfter(c, after);
        updateSnapshotAfter(m_ws, result.snapshotId, after);
        result.flagsTurnedOff += stepResult.flagsTurnedOff;
        result.rolloutsRolledBack += stepResult.rolloutsRolledBack;
        result.configsToLegacy += stepResult.configsToLegacy;
        GradualStep g;
        g.index = ++index;
        g.count = static_cast<int>(steps.size());
        g.flagKey = step.flagKey;
        g.turnedOff = !stepResult.flagsTurnedOff.isEmpty();
        g.rolloutsRolledBack = stepResult.rolloutsRolledBack;
        g.configsToLegacy = stepResult.configsToLegacy;
        return g;
    };

    // The first transaction plans the act, keeps the full before-state and runs the first step.
    GradualStep first;
    m_ws.write([&] {
        const State s = loadFullState(m_ws);
        QSet<QString> keys;
        for (const Flag &f : s.flags)
            if (isOn(f))
                keys.insert(f.key);
        for (const RolloutRow &r : s.rollouts)
            keys.insert(r.flagKey);
        // A rollout of a flag not tagged sync is rolled back in a step of its own (its flag stays as it is).
        for (const QString &k : dependentsFirst(QStringList(keys.begin(), keys.end()), s.prerequisites))
            steps << Step{k};
        QSet<QString> stepFlags(keys);
        bool leftover = false;
        for (const ConfigRow &cfg : s.configs)
            leftover = leftover || (cfg.mode != QLatin1String("legacy") && !stepFlags.contains(cfg.flagKey));
        if (leftover)
            steps << Step{QString()};
        if (steps.isEmpty())
            return;
        const QDateTime now = fromStoredTime(toStoredTime(Clock::current().now()));
        const QJsonObject before = stateJson(s);
        after = before;
        result.snapshotId = insertSnapshot(m_ws, now, QStringLiteral("gradual"), ctx, before, before);
        QStringList order;
        for (const Step &st : steps)
            order << st.flagKey;
        AuditLog(m_ws).append(ctx, QStringLiteral("rollback.gradual"), QStringLiteral("workspace"), before,
                              QJsonObject{{QStringLiteral("snapshotId"), result.snapshotId},
                                          {QStringLiteral("order"), QJsonArray::fromStringList(order)},
                                          {QStringLiteral("stepDelayMs"), stepDelayMs}});
        first = runStep(steps.first(), now);
    });
    publish(m_ws, result);
    if (steps.isEmpty()) {
        result.elapsedMs = timer.elapsed();
        return result;
    }
    if (m_stepObserver)
        m_stepObserver(first);

    const auto wait = sleep ? sleep : [](qint64 ms) { QThread::msleep(static_cast<unsigned long>(ms)); };
    for (qsizetype i = 1; i < steps.size(); ++i) {
        wait(stepDelayMs);
        GradualStep g;
        m_ws.write([&] { g = runStep(steps.at(i), fromStoredTime(toStoredTime(Clock::current().now()))); });
        publish(m_ws, result);
        if (m_stepObserver)
            m_stepObserver(g);
    }
    result.elapsedMs = timer.elapsed();
    return result;
}

QStringList RollbackService::differences(qint64 snapshotId) const
{
    QStringList out;
    m_ws.read([&] {
        const RollbackSnapshot s = pickSnapshot(m_ws, snapshotId);
        out = diff(s, loadCurrent(m_ws, s));
    });
    return out;
}

RollbackSnapshot RollbackService::restore(qint64 snapshotId, const ChangeContext &ctx)
{
    RollbackSnapshot snap;
    m_ws.write([&] {
        snap = pickSnapshot(m_ws, snapshotId);
        if (snap.restoredAt.isValid())
            conflict(tr("Snapshot %1 was already restored at %2; nothing was changed.").arg(snap.id).arg(toStoredTime(snap.restoredAt)));
        const Current cur = loadCurrent(m_ws, snap);
        const QStringList changed = diff(snap, cur);
        if (!changed.isEmpty())
            conflict(tr("Snapshot %1 was not restored: the workspace changed since the rollback (%n change(s)); nothing was changed.\n  %2",
                        nullptr, static_cast<int>(changed.size()))
                         .arg(snap.id)
                         .arg(changed.join(QStringLiteral("\n  "))));

        const QDateTime now = fromStoredTime(toStoredTime(Clock::current().now()));
        const QString at = toStoredTime(now);
        const QString why = tr("Restored from snapshot %1: %2").arg(snap.id).arg(ctx.reason);
        AuditLog audit(m_ws);

        const QJsonObject flags = snap.before.value(kFlags).toObject();
        for (auto it = flags.begin(); it != flags.end(); ++it) {
            const QJsonObject was = it.value().toObject();
            const Flag &before = cur.flags[it.key()];
            Flag f = before;
            f.enabled = was.value(kEnabled).toBool();
            f.percentTenths = was.value(kPercent).toInt();
            if (f.enabled == before.enabled && f.percentTenths == before.percentTenths)
                continue;
            f.version = before.version + 1;
            f.updatedAt = now;
            f.updatedBy = ctx.actor;
            QSqlQuery q = m_ws.exec(QStringLiteral("UPDATE flags SET enabled = ?, percent_tenths = ?, version = version + 1, updated_at = ?,"
                                                   " updated_by = ? WHERE key = ? AND version = ?"),
                                    {f.enabled ? 1 : 0, f.percentTenths, at, ctx.actor, f.key, before.version});
            if (q.numRowsAffected() != 1)
                conflict(tr("Flag %1 was changed by someone else meanwhile; nothing was changed.").arg(f.key));
            audit.append(ctx, QStringLiteral("flag.update"), QStringLiteral("flag:") + f.key, before.toJson(), f.toJson());
            snap.restoredFlags << f.key;
        }

        DecisionLedger ledger(m_ws);
        const bool automatic = ctx.source == QLatin1String("controller");
        const QJsonObject rollouts = snap.before.value(kRollouts).toObject();
        for (auto it = rollouts.begin(); it != rollouts.end(); ++it) {
            const QJsonObject was = it.value().toObject();
            const RolloutRow &now_ = cur.rollouts[it.key().toLongLong()];
            const QString state = was.value(kState).toString();
            const int phase = was.value(kPhase).toInt();
            if (state == now_.state && phase == now_.phaseIndex)
                continue;
            // A running rollout starts its phase's hold time again: the metrics of the rolled-back
            // period must not count towards the next advance.
            if (state == QLatin1String("running"))
                m_ws.exec(QStringLiteral("UPDATE rollouts SET state = ?, phase_index = ?, phase_started_at = ?, state_reason = ?,"
                                         " version = version + 1, updated_at = ? WHERE id = ?"),
                          {state, phase, at, why, at, now_.id});
            else
                m_ws.exec(QStringLiteral("UPDATE rollouts SET state = ?, phase_index = ?, state_reason = ?, version = version + 1,"
                                         " updated_at = ? WHERE id = ?"),
                          {state, phase, why, at, now_.id});
            ledger.record(ctx, now_.flagKey, now_.id, QStringLiteral("restore"), automatic,
                          tr("Rollout %1 of %2 restored to %3 in phase %4 (snapshot %5)")
                              .arg(now_.id)
                              .arg(now_.flagKey, state)
                              .arg(phase + 1)
                              .arg(snap.id),
                          QJsonObject{{QStringLiteral("reason"), ctx.reason}, {QStringLiteral("snapshotId"), snap.id},
                                      {QStringLiteral("phaseIndex"), phase}});
            snap.restoredRollouts << now_.id;
        }

        const QJsonObject configs = snap.before.value(kConfigs).toObject();
        for (auto it = configs.begin(); it != configs.end(); ++it) {
            const QString mode = it.value().toObject().value(kMode).toString();
            if (mode == cur.configs[it.key()].mode)
                continue;
            m_ws.exec(QStringLiteral("UPDATE sync_configs SET mode = ?, fallback_reason = '', version = version + 1, updated_at = ?"
                                     " WHERE name = ?"),
                      {mode, at, it.key()});
            snap.restoredConfigs << it.key();
        }

        m_ws.exec(QStringLiteral("UPDATE snapshots SET restored_at = ? WHERE id = ?"), {at, snap.id});
        snap.restoredAt = now;
        QJsonArray restoredRollouts;
        for (qint64 id : snap.restoredRollouts)
            restoredRollouts.append(id);
        const bool selective = snap.kind == QLatin1String("selective") && flags.size() == 1;
        audit.append(ctx, QStringLiteral("rollback.restore"),
                     selective ? QStringLiteral("flag:") + flags.begin().key() : QStringLiteral("workspace"), snap.after,
                     QJsonObject{{QStringLiteral("snapshotId"), snap.id},
                                 {QStringLiteral("kind"), snap.kind},
                                 {QStringLiteral("flags"), QJsonArray::fromStringList(snap.restoredFlags)},
                                 {QStringLiteral("rollouts"), restoredRollouts},
                                 {QStringLiteral("configs"), QJsonArray::fromStringList(snap.restoredConfigs)}});
    });
    RollbackResult ignored;
    publish(m_ws, ignored);
    if (!ignored.publishError.isEmpty())
        fail(ignored.publishError);
    return snap;
}

QList<RollbackSnapshot> RollbackService::snapshots(int limit) const
{
    QList<RollbackSnapshot> out;
    QString sql = QStringLiteral("SELECT %1 FROM snapshots ORDER BY id DESC").arg(kSnapshotColumns);
    QVariantList binds;
    if (limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        binds << limit;
    }
    m_ws.read([&] {
        QSqlQuery q = m_ws.exec(sql, binds);
        while (q.next())
            out << readSnapshot(q);
    });
    return out;
}

} // namespace sp
