#pragma once

#include "audit/AuditLog.h"
#include "metrics/RunRecord.h"
#include "net/CallStats.h"
#include "sync/Mapping.h"
#include "sync/SyncConfig.h"
#include "sync/SyncTarget.h"
#include "sync/Table.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sp {

class Error;
class SecretStore;
class Workspace;
namespace net {
class HttpClient;
}

// What one target went through in one run.
struct TargetRun
{
    QString targetId;
    RunPath path = RunPath::Legacy;
    bool ok = true;
    QString errorClass; // as in run records: source, mapping, io, network, http_5xx, …
    QString message;
    TargetWriteCounts counts;
    bool critical = false;   // the target did not get the data at all (its write failed)
    bool written = false;    // the target now holds the run's collection (legacy or sync write done)
    bool unchanged = false;  // sync path: the source had not changed since this target's last sync
    int mismatches = 0;      // variables where sync's result differs from legacy's
    QStringList mismatchNames;
    QStringList preview;     // dry run: the diff that would be written, one line a change
                             // (counts then says how many variables it would create, update, delete)
    qint64 durationMs = 0;
    net::CallStats calls;
    bool rehearsal = false;

    QJsonObject toJson() const;
};

// One run of a sync config over all its targets (the unit the CLI, the agent and the GUI start).
struct SyncRun
{
    QString config;
    SyncMode mode = SyncMode::Legacy;
    bool dryRun = false;
    bool rehearsal = false;
    QString rehearsalText;
    int rowsRead = 0;
    int variables = 0;
    QString collectionHash;
    QString failure;      // the source or mapping failed: nothing was written
    QString failureClass;
    QStringList problems; // mapping problems, "Sheet1!C7: …"
    QList<TargetRun> targets;
    bool fellBack = false;
    QString fallbackReason;
    qint64 durationMs = 0;

    bool ok() const;
    int failedTargets() const;
    QJsonObject toJson() const;
};

// A config's source as read and mapped, without writing anything (the GUI's mapping preview).
struct SourcePreview
{
    Table table;           // the sheet as the source delivered it
    MappingResult mapping; // every problem with its cell (row and column index into table)
    net::CallStats calls;
};

// Runs sync configs: reads the source once, maps it once, then writes every target on the path
// the dual-mode manager picks for it, keeping each target's previous content for undo and
// recording one run record per target for the guardrails.
class SyncEngine
{
    Q_DECLARE_TR_FUNCTIONS(SyncEngine)

public:
    struct Services
    {
        net::HttpClient *http = nullptr; // Google Sheets and Figma (created on demand when null)
        SecretStore *secrets = nullptr;  // the keychain (created on demand when null)
    };

    explicit SyncEngine(Workspace &workspace);
    SyncEngine(Workspace &workspace, Services services);
    ~SyncEngine();

    // Runs config now. A dry run reads and maps and reports the diff each target would get, and
    // changes nothing. Throws only for an unknown config; failures are in the returned SyncRun
    // (and its run records).
    SyncRun run(const QString &config, bool dryRun, const ChangeContext &ctx);

    // Reads config's source and maps it, as a run would, and writes nothing: the table and every
    // mapping problem. Throws sp::Error when the source cannot be read (a missing file, nobody
    // signed in for a spreadsheet) and net::RequestError when Google fails.
    SourcePreview preview(const SyncConfig &config);
    // The mapping a config uses (its JSON, the config name as the default collection).
    static MappingSpec mappingSpec(const SyncConfig &config);

    // Puts back what the target held before the last write SyncPilot made to it (and keeps the
    // content it replaces, so an undo can be undone). Throws InvalidInput when there is nothing to undo.
    void undo(const QString &config, const QString &targetId, const ChangeContext &ctx);

    // Configs whose interval has passed since their last run (for the agent).
    QStringList dueConfigs(const QDateTime &now) const;

    // Tests: build targets differently (e.g. one that dies mid-write).
    using TargetFactory = std::function<std::unique_ptr<SyncTarget>(const SyncTargetSpec &)>;
    void setTargetFactory(TargetFactory factory) { m_factory = std::move(factory); }
    // Tests: the random numbers rehearsal draws (default: QRandomGenerator::global()).
    void setRandom(std::function<double()> random) { m_random = std::move(random); }

    // How many earlier contents are kept per target.
    static constexpr int kBackupsPerTarget = 5;

private:
    struct Context;
    std::unique_ptr<SyncTarget> makeTarget(const SyncTargetSpec &spec);
    net::HttpClient &http();
    SecretStore &secrets();
    void readAndMap(const SyncConfig &config, SyncRun &run, VariableCollection *collection, net::CallStats *calls);
    Table readSource(const SyncConfig &config, net::CallStats *calls);
    struct PendingWrite;
    std::optional<PendingWrite> prepareTarget(Context &c, const SyncTargetSpec &spec, TargetRun &t);
    void applyWrite(Context &c, PendingWrite &w, TargetRun &t);
    void storeBackups(Context &c, const std::vector<PendingWrite> &writes);
    void pruneBackups(const QString &config);
    qint64 storeBlob(const QByteArray &content);
    void injectRehearsal(const RehearsalSettings &rehearsal, const QString &targetId, TargetRun &t);
    static void recordFailure(TargetRun &t, const Error &e, const SyncTarget *target);
    void record(const SyncConfig &config, SyncRun &run, const VariableCollection &collection, const QDateTime &startedAt,
                const ChangeContext &ctx);

    Workspace &m_ws;
    Services m_services;
    std::unique_ptr<net::HttpClient> m_ownHttp;
    std::unique_ptr<SecretStore> m_ownSecrets;
    TargetFactory m_factory;
    std::function<double()> m_random;
    QString m_currentCollection; // the collection Figma targets of the current run write
};

} // namespace sp
