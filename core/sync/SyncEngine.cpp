#include "sync/SyncEngine.h"

#include "auth/FigmaCredentials.h"
#include "auth/OAuthSession.h"
#include "auth/OAuthSettings.h"
#include "auth/SecretStore.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "net/HttpClient.h"
#include "net/RequestError.h"
#include "sync/CollectionDiff.h"
#include "sync/CsvReader.h"
#include "sync/DtcgFormat.h"
#include "sync/DualModeManager.h"
#include "sync/FigmaTarget.h"
#include "sync/GoogleSheetsSource.h"
#include "sync/Mapping.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>

namespace sp {

namespace {

// Figma targets adapt FigmaTarget to the two paths: the backup of a Figma collection is its DTCG
// form, and restoring it is a full replace with that content.
class FigmaSyncTarget : public SyncTarget
{
public:
    FigmaSyncTarget(net::HttpClient &http, FigmaSettings settings, QString token)
        : m_figma(http, std::move(settings), std::move(token)) {}

    QByteArray backup(bool *existed) override
    {
        const VariableCollection current = m_figma.read();
        *existed = !current.modes.isEmpty();
        return *existed ? DtcgFormat::write(current) : QByteArray();
    }
    void restore(const QByteArray &content, bool existed) override
    {
        VariableCollection before;
        if (existed)
            before = DtcgFormat::read(content, SyncEngine::tr("the kept Figma content"));
        else
            before.name = m_figma.read().name; // an empty collection: every variable is deleted
        m_figma.write(before, nullptr);
    }
    TargetWriteCounts writeFull(const VariableCollection &collection, const QByteArray &) override
    {
        const FigmaWriteResult r = m_figma.write(collection, nullptr);
        return TargetWriteCounts{r.created, r.updated, r.deleted};
    }
    TargetWriteCounts writeChanges(const VariableCollection &result, const CollectionDiff &diff, const QByteArray &) override
    {
        QStringList changed, deleted;
        for (const VariableChange &c : diff.changes)
            (c.kind == VariableChange::Kind::Deleted ? deleted : changed) << c.name;
        const FigmaWriteResult r = m_figma.write(result, &changed, deleted);
        return TargetWriteCounts{r.created, r.updated, r.deleted};
    }
    net::CallStats stats() const override { return m_figma.stats(); }

private:
    FigmaTarget m_figma;
};

// The collection a config writes: the mapping's name for it, else the config's name.
QString collectionName(const SyncConfig &config)
{
    const QString named = config.mapping.value(QStringLiteral("collection")).toString();
    return named.isEmpty() ? config.name : named;
}

QString encode(const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); }
QByteArray decode(const QString &text) { return QByteArray::fromBase64(text.toLatin1()); }

void pause(int ms)
{
    if (ms <= 0)
        return;
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

// Everything one run shares between its targets.
// The sync half of one target: sync's result for a given target content and last synced state.
// Targets that hold the same bytes and were synced to the same state share it (a run over 50
// identical token files computes it once).
struct SyncHalf
{
    CollectionDiff diff;
    VariableCollection result; // what the target holds now + the diff since its last sync
    QStringList mismatchNames; // where result differs from legacy's collection
    QByteArray serialized;     // result as DTCG, made once when a sync-path target writes it
};

// One distinct content found on the targets of a run (compared byte for byte): kept once for undo,
// parsed once, and the key of the sync halves computed on it.
struct TargetContent
{
    QByteArray bytes;
    bool existed = false;
    std::optional<VariableCollection> parsed;
    QHash<QString, std::shared_ptr<SyncHalf>> halves; // by the target's last synced hash
    qint64 blobId = 0;                                // once stored
};

struct SyncEngine::Context
{
    SyncConfig config;
    VariableCollection collection;
    QString hash;
    bool dryRun = false;
    std::unique_ptr<Evaluator> evaluator;
    QHash<QString, VariableCollection> states; // synced states by hash, read once per run
    std::vector<std::unique_ptr<TargetContent>> contents;
    QByteArray serialized; // the collection as DTCG, made once for every legacy write

    TargetContent *content(QByteArray bytes, bool existed)
    {
        for (const auto &c : contents)
            if (c->existed == existed && c->bytes.size() == bytes.size() && c->bytes == bytes)
                return c.get();
        auto c = std::make_unique<TargetContent>();
        c->bytes = std::move(bytes);
        c->existed = existed;
        contents.push_back(std::move(c));
        return contents.back().get();
    }
};

// What a target is about to get: prepared for every target first (reads, diffs, the content to
// keep for undo), so the backups of all targets commit in one transaction before any target is
// written, and a crash during the writes still leaves every way back.
struct SyncEngine::PendingWrite
{
    int index = 0; // into SyncRun::targets
    QString targetId;
    std::unique_ptr<SyncTarget> target;
    TargetContent *before = nullptr;  // what the target holds now (kept for undo)
    bool full = true;                 // legacy's full replace (legacy and shadow paths)
    std::shared_ptr<SyncHalf> half;   // sync path: what it writes
    std::optional<net::RequestError> syncFailure; // shadow: the sync half failed, legacy is still written
    QElapsedTimer timer;
};

QJsonObject TargetRun::toJson() const
{
    QJsonObject o{{QStringLiteral("target"), targetId},
                  {QStringLiteral("path"), runPathName(path)},
                  {QStringLiteral("ok"), ok},
                  {QStringLiteral("errorClass"), errorClass},
                  {QStringLiteral("message"), message},
                  {QStringLiteral("created"), counts.created},
                  {QStringLiteral("updated"), counts.updated},
                  {QStringLiteral("deleted"), counts.deleted},
                  {QStringLiteral("unchanged"), unchanged},
                  {QStringLiteral("critical"), critical},
                  {QStringLiteral("mismatches"), mismatches},
                  {QStringLiteral("mismatchingVariables"), QJsonArray::fromStringList(mismatchNames)},
                  {QStringLiteral("durationMs"), durationMs},
                  {QStringLiteral("apiCalls"), calls.apiCalls},
                  {QStringLiteral("retries"), calls.retries},
                  {QStringLiteral("http429"), calls.http429},
                  {QStringLiteral("rehearsal"), rehearsal}};
    if (!preview.isEmpty())
        o.insert(QStringLiteral("diff"), QJsonArray::fromStringList(preview));
    return o;
}

bool SyncRun::ok() const { return failure.isEmpty() && failedTargets() == 0; }

int SyncRun::failedTargets() const
{
    int n = 0;
    for (const TargetRun &t : targets)
        n += t.ok ? 0 : 1;
    return n;
}

QJsonObject SyncRun::toJson() const
{
    QJsonArray t;
    for (const TargetRun &r : targets)
        t.append(r.toJson());
    return QJsonObject{{QStringLiteral("config"), config},
                       {QStringLiteral("mode"), syncModeName(mode)},
                       {QStringLiteral("dryRun"), dryRun},
                       {QStringLiteral("rehearsal"), rehearsal},
                       {QStringLiteral("rehearsalSettings"), rehearsalText},
                       {QStringLiteral("ok"), ok()},
                       {QStringLiteral("rowsRead"), rowsRead},
                       {QStringLiteral("variables"), variables},
                       {QStringLiteral("collectionHash"), collectionHash},
                       {QStringLiteral("failure"), failure},
                       {QStringLiteral("failureClass"), failureClass},
                       {QStringLiteral("problems"), QJsonArray::fromStringList(problems)},
                       {QStringLiteral("targets"), t},
                       {QStringLiteral("fellBack"), fellBack},
                       {QStringLiteral("fallbackReason"), fallbackReason},
                       {QStringLiteral("durationMs"), durationMs}};
}

SyncEngine::SyncEngine(Workspace &workspace) : m_ws(workspace) {}

SyncEngine::SyncEngine(Workspace &workspace, Services services) : m_ws(workspace), m_services(services) {}

SyncEngine::~SyncEngine() = default;

net::HttpClient &SyncEngine::http()
{
    if (m_services.http)
        return *m_services.http;
    if (!m_ownHttp) {
        m_ownHttp = std::make_unique<net::HttpClient>();
        m_services.http = m_ownHttp.get();
    }
    return *m_ownHttp;
}

SecretStore &SyncEngine::secrets()
{
    if (m_services.secrets)
        return *m_services.secrets;
    if (!m_ownSecrets) {
        m_ownSecrets = std::make_unique<KeychainSecretStore>();
        m_services.secrets = m_ownSecrets.get();
    }
    return *m_ownSecrets;
}

std::unique_ptr<SyncTarget> SyncEngine::makeTarget(const SyncTargetSpec &spec)
{
    if (m_factory)
        return m_factory(spec);
    if (spec.kind == SyncTargetSpec::Kind::Dtcg)
        return std::make_unique<DtcgFileTarget>(spec.location);
    const std::optional<QString> token = FigmaCredentials::token(secrets());
    if (!token)
        throw Error(ErrorKind::InvalidInput,
                    tr("No Figma token is stored: run `syncpilot-cli auth figma set-token` (it goes to the keychain)."));
    FigmaSettings settings;
    settings.fileKey = spec.location;
    const QString base = m_ws.meta(QStringLiteral("figma.api_url"));
    if (!base.isEmpty())
        settings.baseUrl = QUrl(base);
    settings.collection = m_currentCollection;
    return std::make_unique<FigmaSyncTarget>(http(), settings, *token);
}

Table SyncEngine::readSource(const SyncConfig &config, net::CallStats *calls)
{
    if (config.source.kind == SourceSpec::Kind::Csv)
        return CsvReader::readFile(config.source.path);
    const OAuthSettings settings = OAuthSettings::load(m_ws);
    OAuthSession session(settings, secrets(), OAuthSettings::clientSecret(secrets()).value_or(QString()));
    if (!session.isSignedIn())
        throw Error(ErrorKind::InvalidInput,
                    tr("The source of \"%1\" is a Google spreadsheet and nobody is signed in to Google here: run "
                       "`syncpilot-cli auth google sign-in`.")
                        .arg(config.name));
    SheetsSettings sheets;
    sheets.spreadsheetId = config.source.spreadsheetId;
    sheets.ranges = config.source.ranges;
    const QString base = m_ws.meta(QStringLiteral("google.sheets_url"));
    if (!base.isEmpty())
        sheets.baseUrl = QUrl(base);
    GoogleSheetsSource source(http(), sheets);
    const QString upstream = source.upstream();
    http().setRateLimit(upstream, GoogleSheetsSource::defaultRateLimit());
    http().setAuthProvider(upstream, [&session](bool force) { return session.authorizationHeader(force); });
    const QList<Table> tables = source.read();
    *calls = source.stats();
    if (tables.isEmpty())
        invalid(tr("The spreadsheet %1 returned no sheet.").arg(config.source.spreadsheetId));
    return tables.first();
}

MappingSpec SyncEngine::mappingSpec(const SyncConfig &config)
{
    MappingSpec spec = MappingSpec::fromJson(QJsonDocument(config.mapping).toJson(QJsonDocument::Compact),
                                             tr("the mapping of sync config %1").arg(config.name));
    if (spec.collection.isEmpty())
        spec.collection = config.name;
    return spec;
}

SourcePreview SyncEngine::preview(const SyncConfig &config)
{
    SourcePreview p;
    p.table = readSource(config, &p.calls);
    p.mapping = Mapping::map(p.table, mappingSpec(config));
    return p;
}

void SyncEngine::readAndMap(const SyncConfig &config, SyncRun &run, VariableCollection *collection, net::CallStats *calls)
{
    const Table table = readSource(config, calls);
    MappingResult mapped = Mapping::map(table, mappingSpec(config));
    run.rowsRead = mapped.rowsRead;
    for (const MappingProblem &p : mapped.problems)
        run.problems << p.text();
    if (!mapped.ok()) {
        run.failure = tr("The mapping found %1 problem(s); nothing was written.").arg(mapped.problems.size());
        run.failureClass = QStringLiteral("mapping");
        return;
    }
    *collection = std::move(mapped.collection);
}

SyncRun SyncEngine::run(const QString &configName, bool dryRun, const ChangeContext &ctx)
{
    QElapsedTimer timer;
    timer.start();
    const QDateTime startedAt = Clock::current().now();
    Context c;
    c.config = SyncConfigStore(m_ws).get(configName);
    c.dryRun = dryRun;
    SyncRun run;
    run.config = c.config.name;
    run.mode = c.config.mode;
    run.dryRun = dryRun;
    run.rehearsal = c.config.rehearsal.enabled;
    run.rehearsalText = c.config.rehearsal.enabled ? c.config.rehearsal.describe() : QString();

    net::CallStats sourceCalls;
    try {
        readAndMap(c.config, run, &c.collection, &sourceCalls);
    } catch (const net::RequestError &e) {
        run.failure = e.message();
        run.failureClass = net::errorClassName(e.errorClass());
    } catch (const Error &e) {
        run.failure = e.message();
        run.failureClass = QStringLiteral("source");
    }
    run.variables = int(c.collection.variables.size());
    c.hash = QString::fromLatin1(c.collection.contentHash());
    run.collectionHash = c.hash;

    m_currentCollection = collectionName(c.config);
    if (run.failure.isEmpty())
        c.evaluator = std::make_unique<Evaluator>(FlagStore(m_ws).snapshot());
    std::vector<PendingWrite> writes;
    for (const SyncTargetSpec &spec : c.config.targets) {
        TargetRun t;
        t.targetId = spec.id;
        t.rehearsal = run.rehearsal;
        if (!run.failure.isEmpty()) {
            // Nothing is written when the source or the mapping failed; every target records it,
            // on the path it would have taken, so the guardrails see the failure.
            t.path = DualModeManager::pathFor(c.config, false);
            t.ok = false;
            t.errorClass = run.failureClass;
            t.message = run.failure;
            t.calls = sourceCalls;
        } else if (std::optional<PendingWrite> w = prepareTarget(c, spec, t)) {
            w->index = int(run.targets.size());
            writes.push_back(std::move(*w));
        }
        run.targets << t;
    }
    storeBackups(c, writes);
    for (PendingWrite &w : writes)
        applyWrite(c, w, run.targets[w.index]);
    run.durationMs = timer.elapsed();
    if (!dryRun)
        record(c.config, run, c.collection, startedAt, ctx);
    return run;
}

void SyncEngine::recordFailure(TargetRun &t, const Error &e, const SyncTarget *target)
{
    t.ok = false;
    if (const auto *request = dynamic_cast<const net::RequestError *>(&e))
        t.errorClass = net::errorClassName(request->errorClass());
    else
        t.errorClass = e.kind() == ErrorKind::InvalidInput ? QStringLiteral("config") : QStringLiteral("io");
    t.message = e.message();
    if (target)
        t.calls.add(target->stats());
}

std::optional<SyncEngine::PendingWrite> SyncEngine::prepareTarget(Context &c, const SyncTargetSpec &spec, TargetRun &t)
{
    PendingWrite w;
    w.timer.start();
    w.targetId = spec.id;
    const QByteArray key = spec.id.toUtf8();
    const Decision decision = c.evaluator->indexOf(c.config.flagKey) < 0
                                  ? Decision{}
                                  : c.evaluator->evaluate(c.config.flagKey, EvalContext{std::string_view(key.constData(), key.size()), nullptr});
    t.path = DualModeManager::pathFor(c.config, decision.on);
    try {
        // The sync path with an unchanged source has nothing to do: not even a read.
        if (t.path == RunPath::Sync && spec.lastHash == c.hash && spec.state == QLatin1String("ok") && !c.dryRun) {
            t.unchanged = true;
            t.written = true;
            t.durationMs = w.timer.elapsed();
            return std::nullopt;
        }
        w.target = makeTarget(spec);
        bool existed = false;
        QByteArray bytes = w.target->backup(&existed);
        w.before = c.content(std::move(bytes), existed);
        auto current = [&]() -> const VariableCollection & {
            if (!w.before->parsed)
                w.before->parsed = w.before->existed ? DtcgFormat::read(w.before->bytes, spec.location) : VariableCollection{};
            return *w.before->parsed;
        };
        if (t.path == RunPath::Legacy) {
            if (!c.dryRun)
                return w;
            const CollectionDiff diff = diffCollections(current(), c.collection);
            t.preview = diff.lines();
            t.counts = TargetWriteCounts{diff.created(), diff.updated(), diff.deleted()};
            t.durationMs = w.timer.elapsed();
            return std::nullopt;
        }
        // The sync path: the diff between what this target was last synced to and the new
        // collection, applied to what the target holds now.
        std::shared_ptr<SyncHalf> &half = w.before->halves[spec.lastHash];
        if (!half) {
            half = std::make_shared<SyncHalf>();
            const VariableCollection *base = &current();
            if (!spec.lastHash.isEmpty()) {
                if (!c.states.contains(spec.lastHash)) {
                    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT content FROM sync_states WHERE config = ? AND hash = ?"),
                                            {c.config.name, spec.lastHash});
                    if (q.next())
                        c.states.insert(spec.lastHash, DtcgFormat::read(decode(q.value(0).toString()), tr("the synced state of %1").arg(spec.id)));
                    q.finish();
                }
                const auto it = c.states.constFind(spec.lastHash);
                if (it != c.states.constEnd())
                    base = &*it;
            }
            half->diff = diffCollections(*base, c.collection);
            half->result = applyDiff(current(), half->diff);
            half->mismatchNames = mismatchingVariables(c.collection, half->result);
        }
        w.half = half;
        if (c.config.rehearsal.appliesTo(spec.id)) {
            try {
                injectRehearsal(c.config.rehearsal, spec.id, t);
            } catch (const net::RequestError &e) {
                // On the shadow path a failure of the sync half is recorded, but legacy's
                // result is still written: hybrid never lets the new path break a target.
                if (t.path == RunPath::Sync)
                    throw;
                w.syncFailure = e;
            }
        }
        if (!w.syncFailure) {
            t.mismatches = int(half->mismatchNames.size());
            t.mismatchNames = half->mismatchNames.mid(0, 20);
        }
        if (c.dryRun) {
            t.preview = half->diff.lines();
            t.counts = TargetWriteCounts{half->diff.created(), half->diff.updated(), half->diff.deleted()};
            if (w.syncFailure)
                recordFailure(t, *w.syncFailure, w.target.get());
            t.durationMs = w.timer.elapsed();
            return std::nullopt;
        }
        w.full = t.path != RunPath::Sync;
        return w;
    } catch (const Error &e) {
        recordFailure(t, e, w.target.get());
        // Nothing reaches this target in this run (a failed read, or the sync path's own
        // failure): the guardrails count that as critical. A dry run changes nothing either way.
        t.critical = !c.dryRun;
    }
    t.durationMs = w.timer.elapsed();
    return std::nullopt;
}

void SyncEngine::applyWrite(Context &c, PendingWrite &w, TargetRun &t)
{
    try {
        if (w.full) {
            if (c.serialized.isEmpty())
                c.serialized = DtcgFormat::write(c.collection);
            t.counts = w.target->writeFull(c.collection, c.serialized);
        } else {
            if (w.half->serialized.isEmpty() && !w.half->diff.isEmpty())
                w.half->serialized = DtcgFormat::write(w.half->result);
            t.counts = w.target->writeChanges(w.half->result, w.half->diff, w.half->serialized);
        }
        t.written = true;
        t.calls.add(w.target->stats());
        if (w.syncFailure)
            recordFailure(t, *w.syncFailure, nullptr); // legacy was written; the sync half's failure is the record's
    } catch (const Error &e) {
        recordFailure(t, e, w.target.get());
        t.critical = true;
    }
    t.durationMs = w.timer.elapsed();
}

void SyncEngine::storeBackups(Context &c, const std::vector<PendingWrite> &writes)
{
    // Committed before any write starts: a crash during the writes still leaves the way back.
    // Each distinct content is stored once, however many targets held it.
    if (writes.empty())
        return;
    const QString now = toStoredTime(Clock::current().now());
    m_ws.write([&] {
        for (const PendingWrite &w : writes) {
            if (w.before->blobId == 0)
                w.before->blobId = storeBlob(w.before->bytes);
            m_ws.exec(QStringLiteral("INSERT INTO sync_backups (config, target_id, taken_at, existed, blob_id) VALUES (?, ?, ?, ?, ?)"),
                      {c.config.name, w.targetId, now, w.before->existed ? 1 : 0, w.before->blobId});
        }
        pruneBackups(c.config.name);
    });
}

qint64 SyncEngine::storeBlob(const QByteArray &content)
{
    QSqlQuery q = m_ws.exec(m_ws.isPostgres() ? QStringLiteral("INSERT INTO sync_blobs (content) VALUES (?) RETURNING id")
                                              : QStringLiteral("INSERT INTO sync_blobs (content) VALUES (?)"),
                            {encode(content)});
    qint64 id = 0;
    if (m_ws.isPostgres()) {
        q.next();
        id = q.value(0).toLongLong();
    } else {
        id = q.lastInsertId().toLongLong();
    }
    q.finish();
    return id;
}

void SyncEngine::pruneBackups(const QString &config)
{
    // The newest kBackupsPerTarget per target stay; contents no backup refers to go.
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT id, target_id FROM sync_backups WHERE config = ? ORDER BY target_id, id DESC"), {config});
    QVariantList old;
    QString current;
    int seen = 0;
    while (q.next()) {
        const QString target = q.value(1).toString();
        seen = target == current ? seen + 1 : 1;
        current = target;
        if (seen > kBackupsPerTarget)
            old << q.value(0);
    }
    q.finish();
    for (const QVariant &id : old)
        m_ws.exec(QStringLiteral("DELETE FROM sync_backups WHERE id = ?"), {id});
    if (!old.isEmpty())
        m_ws.exec(QStringLiteral("DELETE FROM sync_blobs WHERE id NOT IN (SELECT blob_id FROM sync_backups)"));
}

void SyncEngine::injectRehearsal(const RehearsalSettings &rehearsal, const QString &targetId, TargetRun &t)
{
    // Rehearsal: the sync path meets what a bad upstream day brings.
    pause(rehearsal.latencyMs);
    const double draw429 = m_random ? m_random() : QRandomGenerator::global()->generateDouble();
    if (draw429 < rehearsal.http429Rate) {
        t.calls.http429 += 1;
        t.calls.retries += 1;
    }
    const double drawError = m_random ? m_random() : QRandomGenerator::global()->generateDouble();
    if (drawError < rehearsal.errorRate) {
        net::HttpResponse injectedFailure;
        injectedFailure.status = 500;
        injectedFailure.error = net::ErrorClass::Http5xx;
        throw net::RequestError(injectedFailure, tr("rehearsal: injected upstream failure (HTTP 500) on the sync path of %1").arg(targetId));
    }
}

void SyncEngine::record(const SyncConfig &config, SyncRun &run, const VariableCollection &collection, const QDateTime &startedAt,
                        const ChangeContext &ctx)
{
    QList<RunRecord> records;
    bool compared = false;
    int mismatchingVariables = 0, mismatchingTargets = 0, changed = 0;
    for (const TargetRun &t : run.targets) {
        RunRecord r;
        r.flagKey = config.flagKey;
        r.config = config.name;
        r.target = t.targetId;
        r.path = t.path;
        r.startedAt = startedAt;
        r.durationMs = t.durationMs;
        r.ok = t.ok;
        r.errorClass = t.ok ? QString() : t.errorClass;
        r.critical = !t.ok && t.critical;
        r.rowsRead = run.rowsRead;
        r.varsCreated = t.counts.created;
        r.varsUpdated = t.counts.updated;
        r.varsDeleted = t.counts.deleted;
        r.apiCalls = t.calls.apiCalls;
        r.retries = t.calls.retries;
        r.http429 = t.calls.http429;
        r.mismatches = t.mismatches;
        r.rehearsal = t.rehearsal;
        records << r;
        if (t.path != RunPath::Legacy && t.ok && run.failure.isEmpty())
            compared = true;
        if (t.mismatches > 0) {
            mismatchingVariables += t.mismatches;
            ++mismatchingTargets;
        }
        changed += t.counts.created + t.counts.updated + t.counts.deleted;
    }
    const DualModeManager::Outcome outcome = DualModeManager::afterRun(config, compared, mismatchingVariables, mismatchingTargets);
    run.fellBack = outcome.fallBack;
    run.fallbackReason = outcome.fallBack ? outcome.fallbackReason : config.fallbackReason;
    const QString now = toStoredTime(Clock::current().now());
    const QString outcomeText = run.ok() ? QStringLiteral("ok") : run.failure.isEmpty() ? QStringLiteral("partial") : QStringLiteral("failed");

    m_ws.write([&] {
        RunRecordStore(m_ws).ingest(records);
        bool anySynced = false;
        for (const TargetRun &t : run.targets) {
            const bool synced = t.written && run.failure.isEmpty();
            anySynced = anySynced || synced;
            m_ws.exec(QStringLiteral("UPDATE sync_targets SET state = ?, last_path = ?, last_error = ?, last_run_at = ?,"
                                     " last_hash = CASE WHEN ? = 1 THEN ? ELSE last_hash END WHERE config = ? AND target_id = ?"),
                      {t.ok ? QStringLiteral("ok") : QStringLiteral("failed"), runPathName(t.path), t.ok ? QString() : t.message, now,
                       synced ? 1 : 0, run.collectionHash, config.name, t.targetId});
            for (const QString &name : t.mismatchNames) {
                m_ws.exec(QStringLiteral("INSERT INTO sync_mismatches (config, target_id, run_at, variable) VALUES (?, ?, ?, ?)"),
                          {config.name, t.targetId, now, name});
            }
        }
        if (anySynced) {
            QSqlQuery q = m_ws.exec(QStringLiteral("SELECT 1 FROM sync_states WHERE config = ? AND hash = ?"), {config.name, run.collectionHash});
            const bool have = q.next();
            q.finish();
            if (!have)
                m_ws.exec(QStringLiteral("INSERT INTO sync_states (config, hash, content, created_at) VALUES (?, ?, ?, ?)"),
                          {config.name, run.collectionHash, encode(DtcgFormat::write(collection)), now});
            // States no target refers to any more are dropped.
            m_ws.exec(QStringLiteral("DELETE FROM sync_states WHERE config = ? AND hash NOT IN"
                                     " (SELECT last_hash FROM sync_targets WHERE config = ?)"),
                      {config.name, config.name});
        }
        m_ws.exec(QStringLiteral("UPDATE sync_config_state SET runs = runs + 1, mismatching_in_row = ?, consistent_in_row = ?,"
                                 " last_run_at = ?, last_outcome = ?, last_source_hash = ? WHERE config = ?"),
                  {outcome.counters.mismatchingInRow, outcome.counters.consistentInRow, now, outcomeText, run.collectionHash,
                   config.name});
        if (outcome.fallBack) {
            m_ws.exec(QStringLiteral("UPDATE sync_configs SET fallback_reason = ?, version = version + 1, updated_at = ? WHERE name = ?"),
                      {outcome.fallbackReason, now, config.name});
            ChangeContext engine = ctx;
            engine.reason = outcome.fallbackReason;
            AuditLog(m_ws).append(engine, QStringLiteral("sync.fallback"), QStringLiteral("sync:") + config.name,
                                  QJsonObject{{QStringLiteral("fallbackReason"), config.fallbackReason}},
                                  QJsonObject{{QStringLiteral("fallbackReason"), outcome.fallbackReason}});
        }
        // Runs that changed a target, failed, or ran under rehearsal are audited; a quiet poll
        // that found nothing new is not (the run records keep it).
        if (changed > 0 || !run.ok() || run.rehearsal) {
            ChangeContext runCtx = ctx;
            if (run.rehearsal)
                runCtx.reason = tr("REHEARSAL (%1)%2").arg(run.rehearsalText, ctx.reason.isEmpty() ? QString() : QStringLiteral("; ") + ctx.reason);
            QJsonObject summary{{QStringLiteral("mode"), syncModeName(run.mode)},
                                {QStringLiteral("outcome"), outcomeText},
                                {QStringLiteral("targets"), run.targets.size()},
                                {QStringLiteral("failedTargets"), run.failedTargets()},
                                {QStringLiteral("variablesWritten"), changed},
                                {QStringLiteral("mismatches"), mismatchingVariables},
                                {QStringLiteral("collectionHash"), run.collectionHash},
                                {QStringLiteral("rehearsal"), run.rehearsal}};
            if (!run.failure.isEmpty())
                summary.insert(QStringLiteral("failure"), run.failure);
            AuditLog(m_ws).append(runCtx, QStringLiteral("sync.run"), QStringLiteral("sync:") + config.name, QJsonValue(), summary);
        }
    });
}

void SyncEngine::undo(const QString &configName, const QString &targetId, const ChangeContext &ctx)
{
    const SyncConfig config = SyncConfigStore(m_ws).get(configName);
    const SyncTargetSpec *spec = config.target(targetId);
    if (!spec)
        invalid(tr("The sync config \"%1\" has no target \"%2\".").arg(configName, targetId));
    qint64 backupId = 0;
    QByteArray content;
    bool existed = false;
    QString takenAt;
    m_ws.read([&] {
        QSqlQuery q = m_ws.exec(QStringLiteral("SELECT b.id, c.content, b.existed, b.taken_at FROM sync_backups b JOIN sync_blobs c ON c.id = b.blob_id"
                                               " WHERE b.config = ? AND b.target_id = ? ORDER BY b.id DESC"),
                                {configName, targetId});
        if (q.next()) {
            backupId = q.value(0).toLongLong();
            content = decode(q.value(1).toString());
            existed = q.value(2).toInt() != 0;
            takenAt = q.value(3).toString();
        }
        q.finish();
    });
    if (backupId == 0)
        invalid(tr("There is nothing to undo for target \"%1\" of \"%2\": SyncPilot has not written it yet.").arg(targetId, configName));

    m_currentCollection = collectionName(config);
    std::unique_ptr<SyncTarget> target = makeTarget(*spec);
    bool nowExisted = false;
    const QByteArray current = target->backup(&nowExisted);
    target->restore(content, existed);
    m_ws.write([&] {
        // The content undo replaced becomes the newest backup, so undoing twice redoes.
        m_ws.exec(QStringLiteral("DELETE FROM sync_backups WHERE id = ?"), {backupId});
        m_ws.exec(QStringLiteral("INSERT INTO sync_backups (config, target_id, taken_at, existed, blob_id) VALUES (?, ?, ?, ?, ?)"),
                  {configName, targetId, toStoredTime(Clock::current().now()), nowExisted ? 1 : 0, storeBlob(current)});
        m_ws.exec(QStringLiteral("DELETE FROM sync_blobs WHERE id NOT IN (SELECT blob_id FROM sync_backups)"));
        // The target no longer holds a state SyncPilot knows: the next sync run diffs it in full.
        m_ws.exec(QStringLiteral("UPDATE sync_targets SET state = 'undone', last_hash = '', last_error = '' WHERE config = ? AND target_id = ?"),
                  {configName, targetId});
        AuditLog(m_ws).append(ctx, QStringLiteral("sync.undo"), QStringLiteral("sync:%1/%2").arg(configName, targetId),
                              QJsonObject{{QStringLiteral("bytes"), current.size()}, {QStringLiteral("existed"), nowExisted}},
                              QJsonObject{{QStringLiteral("bytes"), content.size()},
                                          {QStringLiteral("existed"), existed},
                                          {QStringLiteral("keptAt"), takenAt}});
    });
}

QStringList SyncEngine::dueConfigs(const QDateTime &now) const
{
    QStringList due;
    for (const SyncConfig &c : SyncConfigStore(m_ws).list()) {
        if (c.targets.isEmpty())
            continue;
        const QDateTime last = c.lastRunAt.isEmpty() ? QDateTime() : fromStoredTime(c.lastRunAt);
        if (!last.isValid() || last.secsTo(now) >= c.intervalSeconds)
            due << c.name;
    }
    return due;
}

} // namespace sp
