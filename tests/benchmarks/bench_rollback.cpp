// Emergency rollback (DESIGN.md §4): 500 sync flags on, 50 running rollouts and 20 sync configs in
// sync/hybrid mode, rolled back in one transaction (snapshot, 501 audit entries, 50 ledger entries)
// and the flagd file republished. Goals: p95 of 50 runs ≤ 50 ms on SQLite, ≤ 200 ms on PostgreSQL;
// "time to safety" (start of the rollback until the published file holds every sync flag off)
// ≤ 100 ms. Each run is followed, outside the timed region, by a restore of its snapshot so the
// next run has the same work to do. PostgreSQL runs when SYNCPILOT_TEST_DB_URL is set
// (tests/support/pg-throwaway.sh build/…/bench_rollback).
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagdPublisher.h"
#include "rollout/RollbackService.h"
#include "workspace/Workspace.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

namespace {

constexpr int kSyncFlags = 500;
constexpr int kOtherFlags = 100;
constexpr int kRollouts = 50;
constexpr int kConfigs = 20;

QString syncKey(int i) { return QStringLiteral("sync.feature.%1").arg(i, 3, 10, QLatin1Char('0')); }

void ensureApp()
{
    // QtSql finds its drivers through the application's plugin paths.
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "bench_rollback";
        static char *argv[] = {name, nullptr};
        static QCoreApplication app(argc, argv);
    }
}

// A new database in the cluster of SYNCPILOT_TEST_DB_URL (the throwaway cluster is removed as a whole).
QString freshPostgres()
{
    QUrl url(qEnvironmentVariable("SYNCPILOT_TEST_DB_URL"));
    const QString name = QStringLiteral("sp_bench_%1_%2").arg(QCoreApplication::applicationPid()).arg(QRandomGenerator::global()->generate() & 0xffffff);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("bench-admin"));
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (!db.open())
            return {};
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("CREATE DATABASE %1").arg(name)))
            return {};
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench-admin"));
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

// One workspace per engine, filled once with plain SQL (the rollback is measured, not the setup).
class Fixture
{
public:
    static Fixture &get(const QString &engine)
    {
        // First the application and QtSql's connection registry, so that both outlive the workspaces
        // (statics are destroyed in the reverse order of their construction).
        ensureApp();
        (void)QSqlDatabase::connectionNames();
        static std::map<QString, std::unique_ptr<Fixture>> all;
        auto &f = all[engine];
        if (!f)
            f.reset(new Fixture(engine));
        return *f;
    }

    sp::Workspace &workspace() { return *m_ws; }
    const QString &error() const { return m_error; }
    QString published() const { return m_dir.filePath(QStringLiteral("flags.flagd.json")); }
    const sp::ChangeContext ctx = sp::ChangeContext::local(QStringLiteral("benchmark"), QStringLiteral("bench"));

private:
    explicit Fixture(const QString &engine)
    {
        ensureApp();
        try {
            const QString location = engine == QLatin1String("sqlite") ? m_dir.filePath(QStringLiteral("ws.sqlite")) : freshPostgres();
            if (location.isEmpty()) {
                m_error = QStringLiteral("cannot create a PostgreSQL database in SYNCPILOT_TEST_DB_URL");
                return;
            }
            m_ws = sp::Workspace::open(location);
            fill();
            sp::FlagdPublisher(*m_ws).configure(published(), ctx);
            // One run to warm the connection's statement caches, as in a console that is open.
            sp::RollbackService service(*m_ws);
            service.restore(service.emergency(ctx).snapshotId, ctx);
        } catch (const sp::Error &e) {
            m_error = e.message();
        }
    }

    void fill()
    {
        const QString now = sp::toStoredTime(sp::Clock::current().now());
        sp::Workspace &ws = *m_ws;
        ws.write([&] {
            const auto batch = [&](const QString &sql, const QList<QVariantList> &columns) {
                QSqlQuery q(ws.database());
                q.prepare(sql);
                for (const QVariantList &c : columns)
                    q.addBindValue(c);
                if (!q.execBatch())
                    sp::fail(QStringLiteral("setup: %1").arg(q.lastError().text()));
            };
            QVariantList keys, tags, enabled, percents, times;
            for (int i = 0; i < kSyncFlags + kOtherFlags; ++i) {
                const bool sync = i < kSyncFlags;
                keys << (sync ? syncKey(i) : QStringLiteral("ui.feature.%1").arg(i));
                tags << (sync ? (i % 3 ? QStringLiteral("[\"sync\"]") : QStringLiteral("[\"figma\",\"sync\"]")) : QStringLiteral("[\"ui\"]"));
                enabled << 1;
                percents << (i % 4 == 0 ? 1000 : 50 + (i % 10) * 50);
                times << now;
            }
            batch(QStringLiteral("INSERT INTO flags (key, tags, enabled, percent_tenths, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
                  {keys, tags, enabled, percents, times, times});
            // chains of prerequisites: every 10th sync flag requires the one before it
            QVariantList from, to;
            for (int i = 1; i < kSyncFlags; i += 10) {
                from << syncKey(i);
                to << syncKey(i - 1);
            }
            batch(QStringLiteral("INSERT INTO flag_prerequisites (flag_key, requires_key) VALUES (?, ?)"), {from, to});
            QVariantList rFlags, plans, states, phases, rTimes;
            for (int i = 0; i < kRollouts; ++i) {
                rFlags << syncKey(i * 7);
                plans << QStringLiteral("[{\"percent\":5,\"hold\":86400},{\"percent\":25,\"hold\":172800},{\"percent\":100}]");
                states << QStringLiteral("running");
                phases << i % 3;
                rTimes << now;
            }
            batch(QStringLiteral("INSERT INTO rollouts (flag_key, plan, state, phase_index, phase_started_at, started_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)"),
                  {rFlags, plans, states, phases, rTimes, rTimes, rTimes});
            QVariantList names, cFlags, modes, cTimes;
            for (int i = 0; i < kConfigs; ++i) {
                names << QStringLiteral("config-%1").arg(i, 2, 10, QLatin1Char('0'));
                cFlags << syncKey(i);
                modes << (i % 2 ? QStringLiteral("hybrid") : QStringLiteral("sync"));
                cTimes << now;
            }
            batch(QStringLiteral("INSERT INTO sync_configs (name, flag_key, mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                  {names, cFlags, modes, cTimes, cTimes});
        });
    }

    QTemporaryDir m_dir;
    std::unique_ptr<sp::Workspace> m_ws;
    QString m_error;
};

bool checkResult(benchmark::State &state, const sp::RollbackResult &r)
{
    if (r.flagsTurnedOff.size() != kSyncFlags || r.rolloutsRolledBack.size() != kRollouts || r.configsToLegacy.size() != kConfigs) {
        state.SkipWithError("the rollback did not do the expected work");
        return false;
    }
    if (!r.publishError.isEmpty()) {
        state.SkipWithError(qPrintable(r.publishError));
        return false;
    }
    return true;
}

// Every sync flag published off, with no targeting.
bool fileIsSafe(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject flags = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("flags")).toObject();
    for (int i = 0; i < kSyncFlags; ++i) {
        const QJsonObject f = flags.value(syncKey(i)).toObject();
        if (f.value(QStringLiteral("defaultVariant")).toString() != QLatin1String("off") || f.contains(QStringLiteral("targeting")))
            return false;
    }
    return true;
}

// Committed and republished: the time RollbackService::emergency takes.
void BM_EmergencyRollback(benchmark::State &state, const QString &engine)
{
    Fixture &fx = Fixture::get(engine);
    if (!fx.error().isEmpty()) {
        state.SkipWithError(qPrintable(fx.error()));
        return;
    }
    sp::RollbackService service(fx.workspace());
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        const sp::RollbackResult r = service.emergency(fx.ctx);
        state.SetIterationTime(static_cast<double>(timer.nsecsElapsed()) / 1e9);
        if (!checkResult(state, r))
            return;
        service.restore(r.snapshotId, fx.ctx); // not timed
    }
    state.counters["flags"] = kSyncFlags;
    state.counters["rollouts"] = kRollouts;
    state.counters["configs"] = kConfigs;
}

// From the start of the emergency rollback until the published flagd file, read back as a flagd
// provider would, holds every sync flag off.
void BM_TimeToSafety(benchmark::State &state, const QString &engine)
{
    Fixture &fx = Fixture::get(engine);
    if (!fx.error().isEmpty()) {
        state.SkipWithError(qPrintable(fx.error()));
        return;
    }
    sp::RollbackService service(fx.workspace());
    for (auto _ : state) {
        if (fileIsSafe(fx.published())) {
            state.SkipWithError("the published file was already safe before the rollback");
            return;
        }
        QElapsedTimer timer;
        timer.start();
        const sp::RollbackResult r = service.emergency(fx.ctx);
        const bool safe = fileIsSafe(fx.published());
        state.SetIterationTime(static_cast<double>(timer.nsecsElapsed()) / 1e9);
        if (!checkResult(state, r))
            return;
        if (!safe) {
            state.SkipWithError("the published file does not hold the off state");
            return;
        }
        service.restore(r.snapshotId, fx.ctx); // not timed
    }
}

double p95(const std::vector<double> &v)
{
    if (v.empty())
        return 0;
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    const auto index = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(s.size()))) - 1;
    return s[std::min(index, s.size() - 1)];
}

double maxOf(const std::vector<double> &v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

void registerFor(const QString &engine)
{
    // SYNCPILOT_BENCH_REPETITIONS: fewer runs under a profiler (callgrind).
    const int repetitions = qEnvironmentVariableIntValue("SYNCPILOT_BENCH_REPETITIONS") > 0
                                ? qEnvironmentVariableIntValue("SYNCPILOT_BENCH_REPETITIONS")
                                : 50;
    const std::string suffix = "/" + engine.toStdString();
    for (auto [name, fn] : {std::pair{"BM_EmergencyRollback", &BM_EmergencyRollback}, std::pair{"BM_TimeToSafety", &BM_TimeToSafety}}) {
        benchmark::RegisterBenchmark((name + suffix).c_str(), fn, engine)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1)
            ->Repetitions(repetitions)
            ->ComputeStatistics("p95", p95)
            ->ComputeStatistics("max", maxOf)
            ->ReportAggregatesOnly(true);
    }
}

const bool registered = [] {
    registerFor(QStringLiteral("sqlite"));
    if (!qEnvironmentVariableIsEmpty("SYNCPILOT_TEST_DB_URL"))
        registerFor(QStringLiteral("postgresql"));
    return true;
}();

} // namespace
