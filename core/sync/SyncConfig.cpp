#include "sync/SyncConfig.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace sp {

namespace {

const QString kSource = QStringLiteral("source");
const QString kMapping = QStringLiteral("mapping");
const QString kInterval = QStringLiteral("intervalSeconds");
const QString kConsistent = QStringLiteral("requiredConsistentRuns");
const QString kRehearsal = QStringLiteral("rehearsal");

QStringList toStrings(const QJsonArray &a)
{
    QStringList out;
    for (const QJsonValue &v : a)
        out << v.toString();
    return out;
}

double rateField(const QJsonObject &o, const QString &field, const QString &where)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined())
        return 0;
    if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > 1)
        invalid(SyncConfigStore::tr("%1: field \"%2\" must be a number from 0 to 1.").arg(where, field));
    return v.toDouble();
}

} // namespace

QString syncModeName(SyncMode mode)
{
    switch (mode) {
    case SyncMode::Legacy: return QStringLiteral("legacy");
    case SyncMode::Sync: return QStringLiteral("sync");
    case SyncMode::Hybrid: return QStringLiteral("hybrid");
    }
    return {};
}

bool parseSyncMode(const QString &text, SyncMode *mode)
{
    for (SyncMode m : {SyncMode::Legacy, SyncMode::Sync, SyncMode::Hybrid}) {
        if (syncModeName(m) == text) {
            *mode = m;
            return true;
        }
    }
    return false;
}

// ---- SourceSpec ----

QString SourceSpec::toText() const
{
    if (kind == Kind::Csv)
        return QStringLiteral("csv:") + path;
    QString text = QStringLiteral("sheets:") + spreadsheetId;
    for (const QString &r : ranges)
        text += u'!' + r;
    return text;
}

SourceSpec SourceSpec::fromText(const QString &text, const QString &where)
{
    SourceSpec s;
    if (text.startsWith(QLatin1String("csv:")) || text.startsWith(QLatin1String("tsv:"))) {
        s.kind = Kind::Csv;
        s.path = QFileInfo(text.mid(4)).absoluteFilePath();
        if (text.size() <= 4)
            invalid(SyncConfigStore::tr("%1: \"%2\" names no file (csv:PATH).").arg(where, text));
    } else if (text.startsWith(QLatin1String("sheets:"))) {
        s.kind = Kind::Sheets;
        const QStringList parts = text.mid(7).split(u'!');
        s.spreadsheetId = parts.first();
        s.ranges = parts.mid(1);
        static const QRegularExpression id(QStringLiteral("^[A-Za-z0-9_-]{10,}$"));
        if (!id.match(s.spreadsheetId).hasMatch())
            invalid(SyncConfigStore::tr("%1: \"%2\" is not a spreadsheet id (the part of the sheet's URL after /d/).")
                        .arg(where, s.spreadsheetId));
    } else {
        invalid(SyncConfigStore::tr("%1: \"%2\" is not a source; use csv:PATH or sheets:SPREADSHEET_ID[!SHEET].").arg(where, text));
    }
    return s;
}

QJsonObject SourceSpec::toJson() const
{
    if (kind == Kind::Csv)
        return QJsonObject{{QStringLiteral("kind"), QStringLiteral("csv")}, {QStringLiteral("path"), path}};
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("sheets")},
                       {QStringLiteral("spreadsheetId"), spreadsheetId},
                       {QStringLiteral("ranges"), QJsonArray::fromStringList(ranges)}};
}

SourceSpec SourceSpec::fromJson(const QJsonObject &o, const QString &where)
{
    SourceSpec s;
    const QString kind = o.value(QStringLiteral("kind")).toString();
    if (kind == QLatin1String("csv")) {
        s.kind = Kind::Csv;
        s.path = o.value(QStringLiteral("path")).toString();
    } else if (kind == QLatin1String("sheets")) {
        s.kind = Kind::Sheets;
        s.spreadsheetId = o.value(QStringLiteral("spreadsheetId")).toString();
        s.ranges = toStrings(o.value(QStringLiteral("ranges")).toArray());
    } else {
        invalid(SyncConfigStore::tr("%1: source kind \"%2\" is neither csv nor sheets.").arg(where, kind));
    }
    return s;
}

// ---- SyncTargetSpec ----

QString SyncTargetSpec::kindName() const
{
    return kind == Kind::Dtcg ? QStringLiteral("dtcg") : QStringLiteral("figma");
}

QString SyncTargetSpec::toText() const
{
    return id + u'=' + kindName() + u':' + location;
}

SyncTargetSpec SyncTargetSpec::fromText(const QString &text, const QString &where)
{
    SyncTargetSpec t;
    const int eq = text.indexOf(u'=');
    const int colon = text.indexOf(u':', eq + 1);
    if (eq <= 0 || colon < 0)
        invalid(SyncConfigStore::tr("%1: \"%2\" is not a target; use ID=dtcg:PATH or ID=figma:FILE_KEY.").arg(where, text));
    t.id = text.left(eq);
    const QString kind = text.mid(eq + 1, colon - eq - 1);
    t.location = text.mid(colon + 1);
    SyncConfigStore::validateName(t.id, SyncConfigStore::tr("%1: target id").arg(where));
    if (kind == QLatin1String("dtcg")) {
        t.kind = Kind::Dtcg;
        if (t.location.isEmpty())
            invalid(SyncConfigStore::tr("%1: target \"%2\" names no file.").arg(where, t.id));
        t.location = QFileInfo(t.location).absoluteFilePath();
    } else if (kind == QLatin1String("figma")) {
        t.kind = Kind::Figma;
        static const QRegularExpression key(QStringLiteral("^[A-Za-z0-9]{8,64}$"));
        if (!key.match(t.location).hasMatch())
            invalid(SyncConfigStore::tr("%1: \"%2\" is not a Figma file key (the part of the file's URL after /file/ or /design/).")
                        .arg(where, t.location));
    } else {
        invalid(SyncConfigStore::tr("%1: target kind \"%2\" is neither dtcg nor figma.").arg(where, kind));
    }
    t.state = QStringLiteral("new");
    return t;
}

QJsonObject SyncTargetSpec::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("kind"), kindName()},
                       {QStringLiteral("location"), location},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("lastPath"), lastPath},
                       {QStringLiteral("lastHash"), lastHash},
                       {QStringLiteral("lastError"), lastError},
                       {QStringLiteral("lastRunAt"), lastRunAt}};
}

// ---- RehearsalSettings ----

QString RehearsalSettings::describe() const
{
    if (!enabled)
        return SyncConfigStore::tr("off");
    QStringList parts;
    if (errorRate > 0)
        parts << SyncConfigStore::tr("errors %1 %").arg(qRound(errorRate * 100));
    if (latencyMs > 0)
        parts << SyncConfigStore::tr("+%1 ms").arg(latencyMs);
    if (http429Rate > 0)
        parts << SyncConfigStore::tr("429s %1 %").arg(qRound(http429Rate * 100));
    if (parts.isEmpty())
        parts << SyncConfigStore::tr("no failures");
    const QString who = targets.isEmpty() ? SyncConfigStore::tr("every sync-path target") : targets.join(QStringLiteral(", "));
    return SyncConfigStore::tr("%1 on %2").arg(parts.join(QStringLiteral(", ")), who);
}

QJsonObject RehearsalSettings::toJson() const
{
    return QJsonObject{{QStringLiteral("enabled"), enabled},
                       {QStringLiteral("targets"), QJsonArray::fromStringList(targets)},
                       {QStringLiteral("errorRate"), errorRate},
                       {QStringLiteral("latencyMs"), latencyMs},
                       {QStringLiteral("http429Rate"), http429Rate}};
}

RehearsalSettings RehearsalSettings::fromJson(const QJsonObject &o, const QString &where)
{
    RehearsalSettings r;
    r.enabled = o.value(QStringLiteral("enabled")).toBool();
    r.targets = toStrings(o.value(QStringLiteral("targets")).toArray());
    r.errorRate = rateField(o, QStringLiteral("errorRate"), where);
    r.http429Rate = rateField(o, QStringLiteral("http429Rate"), where);
    r.latencyMs = o.value(QStringLiteral("latencyMs")).toInt();
    if (r.latencyMs < 0 || r.latencyMs > 60'000)
        invalid(SyncConfigStore::tr("%1: field \"latencyMs\" must be from 0 to 60000.").arg(where));
    return r;
}

// ---- SyncConfig ----

const SyncTargetSpec *SyncConfig::target(const QString &id) const
{
    for (const SyncTargetSpec &t : targets)
        if (t.id == id)
            return &t;
    return nullptr;
}

QJsonObject SyncConfig::settingsJson() const
{
    return QJsonObject{{kSource, source.toJson()},
                       {kMapping, mapping},
                       {kInterval, intervalSeconds},
                       {kConsistent, requiredConsistentRuns},
                       {kRehearsal, rehearsal.toJson()}};
}

QJsonObject SyncConfig::toJson() const
{
    QJsonArray t;
    for (const SyncTargetSpec &target : targets)
        t.append(target.toJson());
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("flag"), flagKey},
                  {QStringLiteral("mode"), syncModeName(mode)},
                  {QStringLiteral("fallbackReason"), fallbackReason},
                  {QStringLiteral("version"), version},
                  {QStringLiteral("targets"), t},
                  {QStringLiteral("runs"), runs},
                  {QStringLiteral("mismatchingRunsInRow"), mismatchingInRow},
                  {QStringLiteral("consistentRunsInRow"), consistentInRow},
                  {QStringLiteral("lastRunAt"), lastRunAt},
                  {QStringLiteral("lastOutcome"), lastOutcome}};
    const QJsonObject settings = settingsJson();
    for (auto it = settings.begin(); it != settings.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

// ---- SyncConfigStore ----

void SyncConfigStore::validateName(const QString &name, const QString &what)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!pattern.match(name).hasMatch())
        invalid(tr("%1 \"%2\" must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 64).")
                    .arg(what, name));
}

static SyncConfig readConfig(const QSqlQuery &q)
{
    SyncConfig c;
    c.name = q.value(0).toString();
    c.flagKey = q.value(1).toString();
    parseSyncMode(q.value(2).toString(), &c.mode);
    const QString where = SyncConfigStore::tr("sync config %1").arg(c.name);
    const QJsonObject settings = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
    c.source = SourceSpec::fromJson(settings.value(kSource).toObject(), where);
    c.mapping = settings.value(kMapping).toObject();
    c.intervalSeconds = settings.value(kInterval).toInt(60);
    c.requiredConsistentRuns = settings.value(kConsistent).toInt(20);
    c.rehearsal = RehearsalSettings::fromJson(settings.value(kRehearsal).toObject(), where);
    c.fallbackReason = q.value(4).toString();
    c.version = q.value(5).toLongLong();
    c.createdAt = fromStoredTime(q.value(6).toString());
    c.updatedAt = fromStoredTime(q.value(7).toString());
    c.runs = q.value(8).toInt();
    c.mismatchingInRow = q.value(9).toInt();
    c.consistentInRow = q.value(10).toInt();
    c.lastRunAt = q.value(11).toString();
    c.lastOutcome = q.value(12).toString();
    return c;
}

static QList<SyncConfig> loadConfigs(const Workspace &ws, const QString &name)
{
    QString sql = QStringLiteral(
        "SELECT c.name, c.flag_key, c.mode, c.settings, c.fallback_reason, c.version, c.created_at, c.updated_at,"
        " COALESCE(s.runs, 0), COALESCE(s.mismatching_in_row, 0), COALESCE(s.consistent_in_row, 0),"
        " COALESCE(s.last_run_at, ''), COALESCE(s.last_outcome, '')"
        " FROM sync_configs c LEFT JOIN sync_config_state s ON s.config = c.name");
    QVariantList binds;
    if (!name.isNull()) {
        sql += QStringLiteral(" WHERE c.name = ?");
        binds << name;
    }
    sql += QStringLiteral(" ORDER BY c.name");
    QList<SyncConfig> configs;
    ws.read([&] {
        QSqlQuery q = ws.exec(sql, binds);
        while (q.next())
            configs << readConfig(q);
        QSqlQuery t = ws.exec(QStringLiteral("SELECT config, target_id, kind, location, state, last_path, last_hash, last_error,"
                                             " last_run_at FROM sync_targets ORDER BY config, target_id"));
        while (t.next()) {
            const QString config = t.value(0).toString();
            for (SyncConfig &c : configs) {
                if (c.name != config)
                    continue;
                SyncTargetSpec target;
                target.id = t.value(1).toString();
                target.kind = t.value(2).toString() == QLatin1String("figma") ? SyncTargetSpec::Kind::Figma
                                                                              : SyncTargetSpec::Kind::Dtcg;
                target.location = t.value(3).toString();
                target.state = t.value(4).toString();
                target.lastPath = t.value(5).toString();
                target.lastHash = t.value(6).toString();
                target.lastError = t.value(7).toString();
                target.lastRunAt = t.value(8).toString();
                c.targets << target;
            }
        }
    });
    return configs;
}

QList<SyncConfig> SyncConfigStore::list() const
{
    return loadConfigs(m_ws, QString());
}

std::optional<SyncConfig> SyncConfigStore::find(const QString &name) const
{
    const QList<SyncConfig> found = loadConfigs(m_ws, name.isNull() ? QStringLiteral("") : name);
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

SyncConfig SyncConfigStore::get(const QString &name) const
{
    std::optional<SyncConfig> c = find(name);
    if (!c)
        invalid(tr("There is no sync config \"%1\" (see `syncpilot-cli sync config list`).").arg(name));
    return *c;
}

static void insertTarget(Workspace &ws, const QString &config, const SyncTargetSpec &t)
{
    ws.exec(QStringLiteral("INSERT INTO sync_targets (config, target_id, kind, location, state) VALUES (?, ?, ?, ?, 'new')"),
            {config, t.id, t.kindName(), t.location});
}

static void checkTargets(const QList<SyncTargetSpec> &targets)
{
    QStringList seen;
    for (const SyncTargetSpec &t : targets) {
        if (seen.contains(t.id))
            invalid(SyncConfigStore::tr("Target id \"%1\" is given twice.").arg(t.id));
        seen << t.id;
    }
}

SyncConfig SyncConfigStore::add(const SyncConfig &config, const ChangeContext &ctx)
{
    validateName(config.name, tr("Sync config name"));
    if (config.requiredConsistentRuns < 1 || config.requiredConsistentRuns > 10'000)
        invalid(tr("The number of consistent hybrid runs must be from 1 to 10000."));
    if (config.intervalSeconds < 5 || config.intervalSeconds > 86'400)
        invalid(tr("The run interval must be from 5 to 86400 seconds."));
    if (config.source.kind == SourceSpec::Kind::Csv && config.source.path.isEmpty())
        invalid(tr("The sync config \"%1\" has no source file.").arg(config.name));
    checkTargets(config.targets);
    if (config.mode == SyncMode::Sync)
        conflict(tr("A new config cannot start in sync mode: start in hybrid, which proves the sync path first."));
    m_ws.write([&] {
        if (!FlagStore(m_ws).find(config.flagKey))
            invalid(tr("There is no flag \"%1\" to gate the sync config \"%2\".").arg(config.flagKey, config.name));
        QSqlQuery q = m_ws.exec(QStringLiteral("SELECT 1 FROM sync_configs WHERE name = ?"), {config.name});
        if (q.next())
            conflict(tr("A sync config called \"%1\" exists already.").arg(config.name));
        const QString now = toStoredTime(Clock::current().now());
        m_ws.exec(QStringLiteral("INSERT INTO sync_configs (name, flag_key, mode, settings, fallback_reason, version, created_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, '', 1, ?, ?)"),
                  {config.name, config.flagKey, syncModeName(config.mode),
                   QString::fromUtf8(QJsonDocument(config.settingsJson()).toJson(QJsonDocument::Compact)), now, now});
        m_ws.exec(QStringLiteral("INSERT INTO sync_config_state (config) VALUES (?)"), {config.name});
        for (const SyncTargetSpec &t : config.targets)
            insertTarget(m_ws, config.name, t);
        SyncConfig stored = config;
        stored.version = 1;
        AuditLog(m_ws).append(ctx, QStringLiteral("sync.config.add"), QStringLiteral("sync:") + config.name, QJsonValue(),
                              stored.toJson());
    });
    return get(config.name);
}

void SyncConfigStore::remove(const QString &name, const ChangeContext &ctx)
{
    m_ws.write([&] {
        const SyncConfig before = get(name);
        m_ws.exec(QStringLiteral("DELETE FROM sync_targets WHERE config = ?"), {name});
        m_ws.exec(QStringLiteral("DELETE FROM sync_states WHERE config = ?"), {name});
        m_ws.exec(QStringLiteral("DELETE FROM sync_config_state WHERE config = ?"), {name});
        m_ws.exec(QStringLiteral("DELETE FROM sync_configs WHERE name = ?"), {name});
        AuditLog(m_ws).append(ctx, QStringLiteral("sync.config.remove"), QStringLiteral("sync:") + name, before.toJson(),
                              QJsonValue());
    });
}

QString SyncConfigStore::refusalReason(const SyncConfig &config, SyncMode mode)
{
    if (mode != SyncMode::Sync || config.mode == SyncMode::Sync)
        return {};
    if (config.mode != SyncMode::Hybrid)
        return tr("switch \"%1\" to hybrid first: sync mode needs %2 consistent hybrid runs in a row")
            .arg(config.name)
            .arg(config.requiredConsistentRuns);
    if (config.consistentInRow < config.requiredConsistentRuns)
        return tr("only %1 of the last %2 hybrid runs of \"%3\" in a row were consistent; sync mode needs %2")
            .arg(config.consistentInRow)
            .arg(config.requiredConsistentRuns)
            .arg(config.name);
    return {};
}

void SyncConfigStore::writeSettings(const SyncConfig &before, const SyncConfig &after, const QString &action,
                                    const ChangeContext &ctx)
{
    const QString now = toStoredTime(Clock::current().now());
    const int n = m_ws.exec(QStringLiteral("UPDATE sync_configs SET mode = ?, settings = ?, fallback_reason = ?, version = version + 1,"
                                           " updated_at = ? WHERE name = ? AND version = ?"),
                            {syncModeName(after.mode),
                             QString::fromUtf8(QJsonDocument(after.settingsJson()).toJson(QJsonDocument::Compact)),
                             after.fallbackReason, now, after.name, before.version})
                      .numRowsAffected();
    if (n != 1)
        conflict(tr("The sync config \"%1\" was changed by someone else meanwhile; nothing was changed.").arg(after.name));
    SyncConfig audited = after;
    audited.version = before.version + 1;
    AuditLog(m_ws).append(ctx, action, QStringLiteral("sync:") + after.name, before.toJson(), audited.toJson());
}

SyncConfig SyncConfigStore::setMode(const QString &name, SyncMode mode, const ChangeContext &ctx)
{
    m_ws.write([&] {
        const SyncConfig before = get(name);
        const QString refusal = refusalReason(before, mode);
        if (!refusal.isEmpty())
            conflict(tr("Sync mode refused: %1.").arg(refusal));
        SyncConfig after = before;
        after.mode = mode;
        after.fallbackReason.clear();
        writeSettings(before, after, QStringLiteral("sync.config.mode"), ctx);
        // A new mode starts a new proof: the counters describe runs in this mode only.
        m_ws.exec(QStringLiteral("UPDATE sync_config_state SET mismatching_in_row = 0, consistent_in_row = 0 WHERE config = ?"), {name});
    });
    return get(name);
}

SyncConfig SyncConfigStore::setRehearsal(const QString &name, const RehearsalSettings &rehearsal, const ChangeContext &ctx)
{
    m_ws.write([&] {
        const SyncConfig before = get(name);
        for (const QString &t : rehearsal.targets)
            if (!before.target(t))
                invalid(tr("The sync config \"%1\" has no target \"%2\".").arg(name, t));
        SyncConfig after = before;
        after.rehearsal = rehearsal;
        writeSettings(before, after, rehearsal.enabled ? QStringLiteral("sync.rehearsal.on") : QStringLiteral("sync.rehearsal.off"),
                      ctx);
    });
    return get(name);
}

SyncConfig SyncConfigStore::setSchedule(const QString &name, std::optional<int> intervalSeconds,
                                        std::optional<int> requiredConsistentRuns, const ChangeContext &ctx)
{
    if (intervalSeconds && (*intervalSeconds < 5 || *intervalSeconds > 86'400))
        invalid(tr("The run interval must be from 5 to 86400 seconds."));
    if (requiredConsistentRuns && (*requiredConsistentRuns < 1 || *requiredConsistentRuns > 10'000))
        invalid(tr("The number of consistent hybrid runs must be from 1 to 10000."));
    m_ws.write([&] {
        const SyncConfig before = get(name);
        SyncConfig after = before;
        if (intervalSeconds)
            after.intervalSeconds = *intervalSeconds;
        if (requiredConsistentRuns)
            after.requiredConsistentRuns = *requiredConsistentRuns;
        writeSettings(before, after, QStringLiteral("sync.config.set"), ctx);
    });
    return get(name);
}

SyncConfig SyncConfigStore::addTarget(const QString &name, const SyncTargetSpec &target, const ChangeContext &ctx)
{
    m_ws.write([&] {
        const SyncConfig before = get(name);
        if (before.target(target.id))
            conflict(tr("The sync config \"%1\" has a target \"%2\" already.").arg(name, target.id));
        insertTarget(m_ws, name, target);
        AuditLog(m_ws).append(ctx, QStringLiteral("sync.target.add"), QStringLiteral("sync:%1/%2").arg(name, target.id), QJsonValue(),
                              target.toJson());
    });
    return get(name);
}

SyncConfig SyncConfigStore::removeTarget(const QString &name, const QString &targetId, const ChangeContext &ctx)
{
    m_ws.write([&] {
        const SyncConfig before = get(name);
        const SyncTargetSpec *t = before.target(targetId);
        if (!t)
            invalid(tr("The sync config \"%1\" has no target \"%2\".").arg(name, targetId));
        m_ws.exec(QStringLiteral("DELETE FROM sync_targets WHERE config = ? AND target_id = ?"), {name, targetId});
        AuditLog(m_ws).append(ctx, QStringLiteral("sync.target.remove"), QStringLiteral("sync:%1/%2").arg(name, targetId),
                              t->toJson(), QJsonValue());
    });
    return get(name);
}

} // namespace sp
