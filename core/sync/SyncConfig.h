#pragma once

#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sp {

class Workspace;

// How a config writes its targets (DESIGN.md §1 "Dual-mode manager").
enum class SyncMode {
    Legacy, // every target gets a full replace of the collection (the existing import)
    Sync,   // targets the config's flag turns on get only the variable-level diff
    Hybrid, // both are computed on the same snapshot, legacy's result is written, sync's compared
};
QString syncModeName(SyncMode mode); // "legacy", "sync", "hybrid"
bool parseSyncMode(const QString &text, SyncMode *mode);

// Where the table comes from: a local CSV/TSV export or a Google spreadsheet.
struct SourceSpec
{
    enum class Kind { Csv, Sheets };
    Kind kind = Kind::Csv;
    QString path;          // Csv
    QString spreadsheetId; // Sheets
    QStringList ranges;    // Sheets: sheet names or A1 ranges; empty = the first sheet

    // "csv:/path/tokens.csv" or "sheets:1AbC…!Tokens" (the form `sync config add --source` takes).
    QString toText() const;
    static SourceSpec fromText(const QString &text, const QString &where);
    QJsonObject toJson() const;
    static SourceSpec fromJson(const QJsonObject &o, const QString &where);
};

// One place a config writes: a DTCG file or a Figma file. Its id is the targeting key the
// config's flag is evaluated for, so a rollout moves targets to the sync path one by one.
struct SyncTargetSpec
{
    enum class Kind { Dtcg, Figma };
    QString id;
    Kind kind = Kind::Dtcg;
    QString location; // the file path, or the Figma file key

    // What the last run did to it.
    QString state;    // new, ok, failed, undone
    QString lastPath; // legacy, sync, shadow
    QString lastHash; // the collection hash it was last synced to ("" = unknown: next sync diffs in full)
    QString lastError;
    QString lastRunAt;

    QString kindName() const; // "dtcg", "figma"
    // "ID=dtcg:PATH" or "ID=figma:FILE_KEY" (the form `--target` takes).
    static SyncTargetSpec fromText(const QString &text, const QString &where);
    QString toText() const;
    QJsonObject toJson() const;
};

// Failures injected on purpose into the sync path of chosen targets, so operators can rehearse a
// guardrail trip and a rollback without breaking anything real. While enabled, every run record,
// the audit log and the CLI say "rehearsal".
struct RehearsalSettings
{
    bool enabled = false;
    QStringList targets;  // empty: every target on the sync path
    double errorRate = 0; // 0..1: share of sync-path runs that fail (as an upstream 5xx would)
    int latencyMs = 0;    // added to every sync-path run
    double http429Rate = 0; // 0..1: share of sync-path runs that meet a 429 first (retried)

    bool appliesTo(const QString &targetId) const { return enabled && (targets.isEmpty() || targets.contains(targetId)); }
    QString describe() const; // "errors 30 %, +200 ms, 429s 10 % on app-01, app-02"
    QJsonObject toJson() const;
    static RehearsalSettings fromJson(const QJsonObject &o, const QString &where);
};

struct SyncConfig
{
    QString name;
    QString flagKey; // decides per target whether it takes the sync path
    SyncMode mode = SyncMode::Legacy;
    SourceSpec source;
    QJsonObject mapping;       // MappingSpec as JSON (empty: defaults)
    int intervalSeconds = 60;  // how often the agent runs it (sync mode also polls the source)
    int requiredConsistentRuns = 20; // hybrid runs in a row without mismatch before sync is allowed
    RehearsalSettings rehearsal;
    QString fallbackReason;    // non-empty: the sync path is off (fallback or rollback), comparison goes on
    qint64 version = 1;
    QDateTime createdAt, updatedAt;
    QList<SyncTargetSpec> targets;

    // Counters of the dual-mode manager.
    int runs = 0;
    int mismatchingInRow = 0;
    int consistentInRow = 0;
    QString lastRunAt;
    QString lastOutcome;

    const SyncTargetSpec *target(const QString &id) const;
    QJsonObject settingsJson() const; // what sync_configs.settings holds
    QJsonObject toJson() const;       // everything, for show --json and the audit
};

// Reads and changes sync configs and their targets; every change is audited.
class SyncConfigStore
{
    Q_DECLARE_TR_FUNCTIONS(SyncConfigStore)

public:
    explicit SyncConfigStore(Workspace &workspace) : m_ws(workspace) {}

    QList<SyncConfig> list() const;
    std::optional<SyncConfig> find(const QString &name) const;
    SyncConfig get(const QString &name) const; // InvalidInput naming the config if unknown

    // Validates names, the flag (must exist), the source and targets; Conflict if the name is taken.
    SyncConfig add(const SyncConfig &config, const ChangeContext &ctx);
    void remove(const QString &name, const ChangeContext &ctx);
    // Switching to sync is refused (Conflict, with the reason in words) unless the last
    // requiredConsistentRuns hybrid runs were consistent. Any switch clears a fallback.
    SyncConfig setMode(const QString &name, SyncMode mode, const ChangeContext &ctx);
    // Why `mode` cannot be chosen now, in words; empty when it can.
    static QString refusalReason(const SyncConfig &config, SyncMode mode);
    SyncConfig setRehearsal(const QString &name, const RehearsalSettings &rehearsal, const ChangeContext &ctx);
    SyncConfig setSchedule(const QString &name, std::optional<int> intervalSeconds, std::optional<int> requiredConsistentRuns,
                           const ChangeContext &ctx);
    SyncConfig addTarget(const QString &name, const SyncTargetSpec &target, const ChangeContext &ctx);
    SyncConfig removeTarget(const QString &name, const QString &targetId, const ChangeContext &ctx);

    static void validateName(const QString &name, const QString &what);

private:
    void writeSettings(const SyncConfig &before, const SyncConfig &after, const QString &action, const ChangeContext &ctx);

    Workspace &m_ws;
};

} // namespace sp
