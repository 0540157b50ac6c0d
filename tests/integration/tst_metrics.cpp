#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "metrics/LatencyHistogram.h"
#include "metrics/RunRecordStore.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <random>

using namespace sp;

namespace {

const QDateTime T0(QDate(2026, 3, 2), QTime(8, 0), QTimeZone::utc());
const QStringList kFlags{QStringLiteral("sync.sheets"), QStringLiteral("sync.figma")};
const QList<RunPath> kCohorts{RunPath::Sync, RunPath::Legacy, RunPath::Shadow};

RunRecord makeRun(const QString &flag, RunPath path, qint64 startedMs, qint64 durationMs)
{
    RunRecord r;
    r.flagKey = flag;
    r.config = QStringLiteral("sheet-to-tokens");
    r.target = QStringLiteral("target-1");
    r.path = path;
    r.startedAt = QDateTime::fromMSecsSinceEpoch(startedMs, QTimeZone::utc());
    r.durationMs = durationMs;
    return r;
}

// Random runs over [start, start + spanMs): many share a millisecond, a few sit exactly on
// minute and hour boundaries, latencies are long-tailed.
QList<RunRecord> randomRuns(std::mt19937_64 &rng, qint64 startMs, qint64 spanMs, int n)
{
    std::lognormal_distribution<double> latency(std::log(250.0), 1.0);
    QList<RunRecord> out;
    for (int i = 0; i < n; ++i) {
        qint64 at = startMs + qint64(rng() % quint64(spanMs));
        if (i % 17 == 0)
            at -= at % 60'000; // on a minute boundary
        if (i % 101 == 0)
            at -= at % 3'600'000;
        RunRecord r = makeRun(kFlags[int(rng() % 2)], kCohorts[int(rng() % 3)], at, qint64(latency(rng)));
        r.ok = rng() % 8 != 0;
        r.errorClass = r.ok ? QString() : QStringLiteral("http_5xx");
        r.critical = !r.ok && rng() % 3 == 0;
        r.mismatches = rng() % 10 == 0 ? int(rng() % 4) : 0;
        r.http429 = rng() % 6 == 0 ? int(1 + rng() % 3) : 0;
        r.retries = r.http429 + (rng() % 9 == 0 ? 1 : 0);
        r.rowsRead = int(rng() % 1000);
        out << r;
    }
    return out;
}

struct Expected
{
    WindowStats stats;
    std::vector<qint64> latencies;
};

Expected bruteForce(const QList<RunRecord> &all, const QString &flag, RunPath cohort, qint64 fromMs, qint64 toMs)
{
    Expected e;
    for (const RunRecord &r : all) {
        const qint64 t = r.startedAt.toMSecsSinceEpoch();
        if (r.flagKey != flag || r.path != cohort || t < fromMs || t >= toMs)
            continue;
        ++e.stats.runs;
        e.stats.errors += r.ok ? 0 : 1;
        e.stats.critical += r.critical ? 1 : 0;
        e.stats.mismatches += r.mismatches;
        e.stats.http429 += r.http429;
        e.stats.retries += r.retries;
        e.stats.latencySumMs += r.durationMs;
        e.latencies.push_back(r.durationMs);
    }
    return e;
}

double exactPercentile(std::vector<qint64> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t rank = std::clamp<size_t>(size_t(std::ceil(p * double(v.size()))), 1, v.size());
    return double(v[rank - 1]);
}

// Counts exact; percentiles within the histogram's documented bound of the exact nearest rank.
bool sameStats(const WindowStats &got, const Expected &want, QString *why)
{
    const WindowStats &w = want.stats;
    if (got.runs != w.runs || got.errors != w.errors || got.critical != w.critical || got.mismatches != w.mismatches
        || got.http429 != w.http429 || got.retries != w.retries || got.latencySumMs != w.latencySumMs) {
        *why = QStringLiteral("counts: got runs %1 errors %2 critical %3 mismatches %4 429 %5 retries %6 sum %7; "
                              "want %8 %9 %10 %11 %12 %13 %14")
                   .arg(got.runs).arg(got.errors).arg(got.critical).arg(got.mismatches).arg(got.http429).arg(got.retries)
                   .arg(got.latencySumMs).arg(w.runs).arg(w.errors).arg(w.critical).arg(w.mismatches).arg(w.http429)
                   .arg(w.retries).arg(w.latencySumMs);
        return false;
    }
    const std::array<std::pair<double, double>, 3> pcts{{{0.50, got.p50Ms}, {0.95, got.p95Ms}, {0.99, got.p99Ms}}};
    for (const auto &[p, value] : pcts) {
        const double exact = exactPercentile(want.latencies, p);
        if (std::abs(value - exact) > exact * LatencyHistogram::kMaxRelativeError + 1e-9) {
            *why = QStringLiteral("p%1: got %2, exact %3").arg(p * 100).arg(value).arg(exact);
            return false;
        }
    }
    return true;
}

qint64 countRows(Workspace &ws, const QString &table)
{
    QSqlQuery q = ws.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table);
    q.next();
    return q.value(0).toLongLong();
}

QByteArray jsonLine(const RunRecord &r) { return QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact) + '\n'; }

ErrorKind kindOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return e.kind();
    }
    return ErrorKind(0);
}

} // namespace

class TstMetrics : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void windowsAreExactAtEveryEdge_data() { test::addEngineColumn(); }
    void windowsAreExactAtEveryEdge()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        std::mt19937_64 rng(42);
        const qint64 start = T0.toMSecsSinceEpoch() - 7 * 60'000 - 1234; // not aligned to anything
        const qint64 span = 27 * 3'600'000LL;                            // crosses a day boundary
        QList<RunRecord> all;
        // several batches, overlapping in time, so buckets are merged with stored ones
        for (int batch = 0; batch < 4; ++batch) {
            const QList<RunRecord> runs = randomRuns(rng, start, span, 1500);
            store.ingest(runs);
            all << runs;
        }
        QCOMPARE(countRows(*ws, QStringLiteral("run_records")), qint64(all.size()));

        // many random windows, plus edges that sit on and next to minute, hour and day boundaries
        QList<std::pair<qint64, qint64>> windows;
        for (int i = 0; i < 150; ++i) {
            qint64 a = start - 60'000 + qint64(rng() % quint64(span + 120'000));
            qint64 b = start - 60'000 + qint64(rng() % quint64(span + 120'000));
            if (a > b)
                std::swap(a, b);
            if (i % 5 == 1)
                a -= a % 60'000;
            if (i % 5 == 2)
                b -= b % 3'600'000;
            if (i % 5 == 3)
                b = a + qint64(rng() % 400'000); // short windows, often inside one minute
            windows.append({a, b});
        }
        const qint64 day = (T0.toMSecsSinceEpoch() / 86'400'000) * 86'400'000;
        windows.append({day, day + 86'400'000});
        windows.append({day - 1, day + 1});
        windows.append({day + 3'600'000, day + 2 * 3'600'000});
        windows.append({day + 3'600'000 - 1, day + 2 * 3'600'000 + 1});
        windows.append({start - 1, start + span + 1});
        windows.append({start, start});
        for (const auto &[a, b] : windows) {
            for (const QString &flag : kFlags)
                for (RunPath cohort : kCohorts) {
                    const WindowStats got = store.window(flag, cohort, QDateTime::fromMSecsSinceEpoch(a, QTimeZone::utc()),
                                                         QDateTime::fromMSecsSinceEpoch(b, QTimeZone::utc()));
                    QString why;
                    QVERIFY2(sameStats(got, bruteForce(all, flag, cohort, a, b), &why),
                             qPrintable(QStringLiteral("[%1, %2) %3/%4: %5").arg(a).arg(b).arg(flag, runPathName(cohort), why)));
                }
        }
    }

    void criticalErrorsInFiveMinutes_data() { test::addEngineColumn(); }
    void criticalErrorsInFiveMinutes()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        const QString flag = QStringLiteral("sync.sheets");
        const qint64 t = T0.toMSecsSinceEpoch() + 12'345; // "now", mid-minute
        const qint64 from = t - 5 * 60'000;
        QList<RunRecord> runs;
        const auto critical = [&](qint64 at) {
            RunRecord r = makeRun(flag, RunPath::Sync, at, 300);
            r.ok = false;
            r.errorClass = QStringLiteral("inconsistency");
            r.critical = true;
            runs << r;
        };
        critical(from - 1);  // just before the window
        critical(from);      // first millisecond of the window
        critical(from + 60'000 - from % 60'000); // a whole minute later, on the boundary
        critical(t - 1);     // last millisecond of the window
        critical(t);         // just after
        for (qint64 at = from - 120'000; at < t + 120'000; at += 7'000)
            runs << makeRun(flag, RunPath::Sync, at, 200); // healthy background
        RunRecord legacyCritical = makeRun(flag, RunPath::Legacy, t - 1000, 100);
        legacyCritical.ok = false;
        legacyCritical.errorClass = QStringLiteral("network");
        legacyCritical.critical = true;
        runs << legacyCritical; // another cohort: does not count for sync
        store.ingest(runs);

        const auto at = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()); };
        const WindowStats s = store.window(flag, RunPath::Sync, at(from), at(t));
        QCOMPARE(s.critical, 3);
        QCOMPARE(s.errors, 3);
        QCOMPARE(store.window(flag, RunPath::Sync, at(from + 1), at(t)).critical, 2);
        QCOMPARE(store.window(flag, RunPath::Sync, at(from), at(t + 1)).critical, 4);
        QCOMPARE(store.window(flag, RunPath::Sync, at(from - 1), at(t + 1)).critical, 5);
        QCOMPARE(store.window(flag, RunPath::Legacy, at(from), at(t)).critical, 1);
        QCOMPARE(store.window(flag, RunPath::Shadow, at(from), at(t)).runs, 0);
        QCOMPARE(store.window(QStringLiteral("other.flag"), RunPath::Sync, at(from), at(t)).runs, 0);
    }

    void cohortsAnd429Rate_data() { test::addEngineColumn(); }
    void cohortsAnd429Rate()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        const QString flag = QStringLiteral("sync.figma");
        QList<RunRecord> runs;
        for (int i = 0; i < 200; ++i) {
            RunRecord s = makeRun(flag, RunPath::Sync, T0.toMSecsSinceEpoch() + i * 9'000, 1000 + i);
            s.http429 = i % 4 == 0 ? 2 : 0; // 50 runs with two 429s each
            s.retries = s.http429;
            s.mismatches = i % 50 == 0 ? 1 : 0;
            runs << s;
            RunRecord l = makeRun(flag, RunPath::Legacy, T0.toMSecsSinceEpoch() + i * 9'000, 100 + i);
            l.ok = i % 10 != 0;
            l.errorClass = l.ok ? QString() : QStringLiteral("network");
            runs << l;
        }
        store.ingest(runs);
        const QDateTime from = T0;
        const QDateTime to = T0.addSecs(3600);
        const WindowStats sync = store.window(flag, RunPath::Sync, from, to);
        const WindowStats legacy = store.window(flag, RunPath::Legacy, from, to);
        QCOMPARE(sync.runs, 200);
        QCOMPARE(sync.http429, 100);
        QCOMPARE(sync.rate429(), 0.5);
        QCOMPARE(sync.retries, 100);
        QCOMPARE(sync.mismatches, 4);
        QCOMPARE(sync.errors, 0);
        QCOMPARE(legacy.runs, 200);
        QCOMPARE(legacy.http429, 0);
        QCOMPARE(legacy.errors, 20);
        QCOMPARE(legacy.errorRate(), 0.1);
        QCOMPARE(legacy.mismatches, 0);
        // latencies are kept apart: sync 1000..1199 ms, legacy 100..299 ms
        QVERIFY(std::abs(sync.p50Ms - 1099) <= 1099 * LatencyHistogram::kMaxRelativeError);
        QVERIFY(std::abs(legacy.p95Ms - 289) <= 289 * LatencyHistogram::kMaxRelativeError);
        QVERIFY(std::abs(sync.meanMs() - 1099.5) < 1e-9);
    }

    void seriesMatchesWindows_data() { test::addEngineColumn(); }
    void seriesMatchesWindows()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        std::mt19937_64 rng(7);
        const qint64 start = T0.toMSecsSinceEpoch();
        const QList<RunRecord> all = randomRuns(rng, start, 6 * 3'600'000LL, 3000);
        store.ingest(all);
        const QString flag = kFlags.first();
        struct Case
        {
            qint64 fromMs;
            qint64 toMs;
            qint64 step;
        };
        const QList<Case> cases{
            {start, start + 6 * 3'600'000LL, 3600},            // hourly, aligned: bucket path
            {start, start + 6 * 3'600'000LL + 30'000, 300},    // 5-minute steps, partial last interval
            {start + 60'000, start + 3 * 3'600'000LL, 1800},  // aligned to a minute only
            {start + 12'345, start + 2 * 3'600'000LL, 600},   // not aligned: per interval
            {start - 3'600'000, start + 90 * 60'000, 45},    // step not a multiple of a minute
            {start, start + 86'400'000, 86'400},              // one day
        };
        for (const Case &c : cases) {
            for (RunPath cohort : kCohorts) {
                const QList<WindowStats> series =
                    store.series(flag, cohort, QDateTime::fromMSecsSinceEpoch(c.fromMs, QTimeZone::utc()),
                                 QDateTime::fromMSecsSinceEpoch(c.toMs, QTimeZone::utc()), c.step);
                const qint64 expectedCount = (c.toMs - c.fromMs + c.step * 1000 - 1) / (c.step * 1000);
                QCOMPARE(series.size(), expectedCount);
                for (qsizetype i = 0; i < series.size(); ++i) {
                    const qint64 a = c.fromMs + i * c.step * 1000;
                    const qint64 b = std::min(a + c.step * 1000, c.toMs);
                    QString why;
                    QVERIFY2(sameStats(series[i], bruteForce(all, flag, cohort, a, b), &why),
                             qPrintable(QStringLiteral("step %1 interval %2: %3").arg(c.step).arg(i).arg(why)));
                }
            }
        }
        QCOMPARE(kindOf([&] { store.series(flag, RunPath::Sync, T0, T0.addSecs(60), 0); }), ErrorKind::InvalidInput);
        QVERIFY(store.series(flag, RunPath::Sync, T0, T0, 60).isEmpty());
    }

    void recordsRoundTrip_data() { test::addEngineColumn(); }
    void recordsRoundTrip()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        RunRecord r = makeRun(QStringLiteral("sync.sheets"), RunPath::Shadow, T0.toMSecsSinceEpoch() + 5, 42);
        r.ok = false;
        r.errorClass = QStringLiteral("mapping");
        r.critical = true;
        r.rowsRead = 1;
        r.varsCreated = 2;
        r.varsUpdated = 3;
        r.varsDeleted = 4;
        r.apiCalls = 5;
        r.retries = 6;
        r.http429 = 7;
        r.mismatches = 8;
        r.rehearsal = true;
        RunRecord later = makeRun(QStringLiteral("sync.sheets"), RunPath::Sync, T0.toMSecsSinceEpoch() + 6, 1);
        store.ingest({later, r, makeRun(QStringLiteral("sync.other"), RunPath::Sync, T0.toMSecsSinceEpoch() + 5, 1)});
        const QList<RunRecord> got = store.records(QStringLiteral("sync.sheets"), T0, T0.addSecs(1));
        QCOMPARE(got.size(), 2);
        QVERIFY(got[0].id > 0);
        QCOMPARE(got[0].toJson(), r.toJson()); // oldest first
        QCOMPARE(got[1].toJson(), later.toJson());
        QCOMPARE(RunRecord::fromJson(r.toJson(), QStringLiteral("x")).toJson(), r.toJson());

        // invalid records in code are refused, and nothing of the batch is stored
        RunRecord negative = later;
        negative.durationMs = -1;
        RunRecord badKey = later;
        badKey.flagKey = QStringLiteral("Bad Key");
        RunRecord criticalOk = later;
        criticalOk.critical = true;
        for (const RunRecord &bad : {negative, badKey, criticalOk})
            QCOMPARE(kindOf([&] { store.ingest({later, bad}); }), ErrorKind::InvalidInput);
        QCOMPARE(countRows(*ws, QStringLiteral("run_records")), 3);
    }

    void retention_data() { test::addEngineColumn(); }
    void retention()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        RunRecordStore store(*ws);
        QCOMPARE(RunRecordStore::rawRetentionDays(*ws), 30);
        QCOMPARE(RunRecordStore::bucketRetentionDays(*ws), 400);
        const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"), QStringLiteral("disk"));
        QVERIFY(RunRecordStore::setRetentionDays(*ws, 2, 5, ctx));
        QVERIFY(!RunRecordStore::setRetentionDays(*ws, 2, std::nullopt, ctx)); // unchanged
        QCOMPARE(kindOf([&] { RunRecordStore::setRetentionDays(*ws, 0, std::nullopt, ctx); }), ErrorKind::InvalidInput);
        QCOMPARE(RunRecordStore::rawRetentionDays(*ws), 2);
        QCOMPARE(RunRecordStore::bucketRetentionDays(*ws), 5);
        const AuditEntry e = AuditLog(*ws).list().last();
        QCOMPARE(e.action, QStringLiteral("metrics.retention"));
        QVERIFY(e.after.contains(QStringLiteral("\"rawDays\":2")));

        const QString flag = QStringLiteral("sync.sheets");
        const QDateTime now = T0.addDays(10);
        const auto daysAgo = [&](double d) { return now.toMSecsSinceEpoch() - qint64(d * 86'400'000); };
        QList<RunRecord> runs;
        for (double d : {7.0, 6.0, 4.0, 3.0, 2.5, 1.5, 0.5, 0.1})
            runs << makeRun(flag, RunPath::Sync, daysAgo(d), 100);
        store.ingest(runs);
        QCOMPARE(store.applyRetention(now), 5); // older than 2 days: 7, 6, 4, 3, 2.5
        QCOMPARE(countRows(*ws, QStringLiteral("run_records")), 3);
        // buckets older than 5 days are gone (7 and 6), the rest still answer whole-minute windows
        QCOMPARE(countRows(*ws, QStringLiteral("metric_buckets")), 6);
        QCOMPARE(store.window(flag, RunPath::Sync, now.addDays(-8), now).runs, 6);
        const QDateTime fourDaysAgo = QDateTime::fromMSecsSinceEpoch(daysAgo(4), QTimeZone::utc());
        QCOMPARE(store.window(flag, RunPath::Sync, fourDaysAgo.addSecs(-3600), fourDaysAgo.addSecs(3600)).runs, 1);
        QSqlQuery old = ws->exec(QStringLiteral("SELECT COUNT(*) FROM metric_rollups WHERE start_minute + span_minutes <= ?"),
                                 {(daysAgo(5)) / 60'000});
        old.next();
        QCOMPARE(old.value(0).toLongLong(), 0);
        // nothing left to delete: no write, no new revision
        const qint64 revision = ws->revision();
        QCOMPARE(store.applyRetention(now), 0);
        QCOMPARE(ws->revision(), revision);
    }

    void cliIngestGoodFile_data() { test::addEngineColumn(); }
    void cliIngestGoodFile()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QCOMPARE(test::runCli(location, {QStringLiteral("init")}).exitCode, 0);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QByteArray lines;
        for (int i = 0; i < 120; ++i) {
            RunRecord r = makeRun(QStringLiteral("sync.sheets"), i % 2 ? RunPath::Sync : RunPath::Legacy, now - 1000 - i * 10'000, 100 + i);
            r.ok = i % 10 != 0;
            r.errorClass = r.ok ? QString() : QStringLiteral("network");
            r.http429 = i % 3 == 0 ? 1 : 0;
            lines += jsonLine(r);
            if (i == 60)
                lines += "\r\n"; // a blank line (with CRLF) is harmless
        }
        const QString file = m_dir.filePath(QStringLiteral("good-%1.jsonl").arg(engine));
        test::writeFile(file, lines);
        const test::CliResult r = test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("ingest"), file});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out).trimmed(), QStringLiteral("Ingested 120 run records from %1").arg(file));
        {
            auto ws = Workspace::open(location);
            QCOMPARE(countRows(*ws, QStringLiteral("run_records")), 120);
            const AuditEntry e = AuditLog(*ws).list().last();
            QCOMPARE(e.action, QStringLiteral("metrics.ingest"));
            QVERIFY(e.after.contains(QStringLiteral("\"ingested\":120")));
            QVERIFY(e.after.contains(QStringLiteral("good-%1.jsonl").arg(engine)));
        }
        const test::CliResult j = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("metrics"), QStringLiteral("ingest"), file});
        QCOMPARE(j.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(j.out).object().value(QStringLiteral("ingested")).toInt(), 120);

        const test::CliResult show = test::runCli(
            location, {QStringLiteral("--json"), QStringLiteral("metrics"), QStringLiteral("show"), QStringLiteral("sync.sheets"),
                       QStringLiteral("--window"), QStringLiteral("1h"), QStringLiteral("--cohort"), QStringLiteral("sync")});
        QCOMPARE(show.exitCode, 0);
        const QJsonObject cohorts = QJsonDocument::fromJson(show.out).object().value(QStringLiteral("cohorts")).toObject();
        QCOMPARE(cohorts.keys(), QStringList{QStringLiteral("sync")});
        QCOMPARE(cohorts.value(QStringLiteral("sync")).toObject().value(QStringLiteral("runs")).toInt(), 120); // 60 twice
        const test::CliResult words = test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("show"), QStringLiteral("sync.sheets")});
        QCOMPARE(words.exitCode, 0);
        QVERIFY2(words.text().contains(QStringLiteral("legacy: 120 runs, 24 errors (20.0 %)")), qPrintable(words.text()));
        QCOMPARE(test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("show"), QStringLiteral("sync.sheets"),
                                         QStringLiteral("--window"), QStringLiteral("soon")}).exitCode, 3);

        const test::CliResult ret = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("metrics"), QStringLiteral("retention"),
                                                            QStringLiteral("--raw-days"), QStringLiteral("14")});
        QCOMPARE(ret.exitCode, 0);
        const QJsonObject retention = QJsonDocument::fromJson(ret.out).object();
        QCOMPARE(retention.value(QStringLiteral("rawDays")).toInt(), 14);
        QCOMPARE(retention.value(QStringLiteral("bucketDays")).toInt(), 400);
        QCOMPARE(test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("retention"), QStringLiteral("--bucket-days"),
                                         QStringLiteral("0")}).exitCode, 3);
        auto ws = Workspace::open(location);
        QCOMPARE(AuditLog(*ws).list().last().action, QStringLiteral("metrics.retention"));
    }

    void cliIngestBadFiles_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected"); // in the message, after FILE
        const RunRecord good = makeRun(QStringLiteral("sync.sheets"), RunPath::Sync, T0.toMSecsSinceEpoch(), 100);
        const QByteArray ok = jsonLine(good);
        const auto lineWith = [&](const char *from, const char *to) {
            QByteArray l = ok;
            l.replace(from, to);
            return l;
        };
        const QList<std::tuple<const char *, QByteArray, QString>> cases{
            {"malformed-json", ok + ok + "{\"flag\": \"sync.sheets\",\n" + ok, QStringLiteral(":3: malformed JSON")},
            {"missing-field", ok + lineWith("\"durationMs\":100,", ""), QStringLiteral(":2: field \"durationMs\" is required")},
            {"wrong-type", ok + ok + ok + lineWith("\"durationMs\":100", "\"durationMs\":\"100\""),
             QStringLiteral(":4: field \"durationMs\" must be a non-negative integer")},
            {"negative", lineWith("\"durationMs\":100", "\"durationMs\":-5"), QStringLiteral(":1: field \"durationMs\" must be a non-negative integer")},
            {"unknown-field", ok + lineWith("\"durationMs\"", "\"duration_ms\":1,\"durationMs\""), QStringLiteral(":2: unknown field \"duration_ms\"")},
            {"bad-path", lineWith("\"path\":\"sync\"", "\"path\":\"fast\""), QStringLiteral(":1: field \"path\" must be")},
            {"bad-flag", lineWith("\"flag\":\"sync.sheets\"", "\"flag\":\"Sync Sheets\""), QStringLiteral(":1: field \"flag\"")},
            {"bad-time", lineWith("Z\"", "\""), QStringLiteral(":1: field \"startedAt\" must be an ISO-8601 time")},
            {"not-object", ok + "[1, 2]\n", QStringLiteral(":2: expected a JSON object")},
            {"empty", QByteArray(), QStringLiteral(": no run records")},
            {"only-blank", QByteArray("\n\n  \n"), QStringLiteral(": no run records")},
            {"non-utf8", ok + ok + "{\"flag\":\"sync.sheets\",\"config\":\"caf\xe9\"}\n", QStringLiteral(":3: the line is not valid UTF-8")},
        };
        for (const char *engine : {"sqlite", "postgresql"})
            for (const auto &[name, content, expected] : cases)
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(QLatin1String(engine), QLatin1String(name))))
                    << QString::fromLatin1(engine) << content << expected;
    }
    void cliIngestBadFiles()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QCOMPARE(test::runCli(location, {QStringLiteral("init")}).exitCode, 0);
        // something stored before, which must stay exactly as it is
        const QString seed = m_dir.filePath(QStringLiteral("seed.jsonl"));
        test::writeFile(seed, jsonLine(makeRun(QStringLiteral("sync.sheets"), RunPath::Legacy, T0.toMSecsSinceEpoch(), 5)));
        QCOMPARE(test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("ingest"), seed}).exitCode, 0);
        qint64 records, buckets, audit, revision;
        {
            auto ws = Workspace::open(location);
            records = countRows(*ws, QStringLiteral("run_records"));
            buckets = countRows(*ws, QStringLiteral("metric_buckets"));
            audit = countRows(*ws, QStringLiteral("audit_log"));
            revision = ws->revision();
        }
        const QString file = m_dir.filePath(QStringLiteral("runs.jsonl"));
        test::writeFile(file, content);
        const test::CliResult r = test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("ingest"), file});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(file + expected), qPrintable(r.text()));
        auto ws = Workspace::open(location);
        QCOMPARE(countRows(*ws, QStringLiteral("run_records")), records);
        QCOMPARE(countRows(*ws, QStringLiteral("metric_buckets")), buckets);
        QCOMPARE(countRows(*ws, QStringLiteral("audit_log")), audit);
        QCOMPARE(ws->revision(), revision);

        const test::CliResult j = test::runCli(location, {QStringLiteral("--json"), QStringLiteral("metrics"), QStringLiteral("ingest"), file});
        QCOMPARE(j.exitCode, 3);
        QCOMPARE(QJsonDocument::fromJson(j.err).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("exitCode")).toInt(), 3);
    }

    void cliIngestMissingFile()
    {
        const test::CliResult r = test::runCli(m_dir.filePath(QStringLiteral("none.sqlite")),
                                               {QStringLiteral("metrics"), QStringLiteral("ingest"), m_dir.filePath(QStringLiteral("nope.jsonl"))});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(QStringLiteral("nope.jsonl: cannot read")), qPrintable(r.text()));
    }

    void manyBadLinesAreListed()
    {
        QByteArray content;
        for (int i = 0; i < 25; ++i)
            content += "{\"flag\": 1}\n";
        const QString file = m_dir.filePath(QStringLiteral("many.jsonl"));
        test::writeFile(file, content);
        try {
            RunRecordStore::parseJsonl(file);
            QFAIL("bad lines were accepted");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY(e.message().contains(file + QStringLiteral(":1: field \"flag\" must be a string")));
            QVERIFY(e.message().contains(file + QStringLiteral(":10: ")));
            QVERIFY(!e.message().contains(file + QStringLiteral(":11: ")));
            QVERIFY2(e.message().contains(QStringLiteral("15 more bad lines")), qPrintable(e.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstMetrics)
#include "tst_metrics.moc"
