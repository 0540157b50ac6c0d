#pragma once

#include "RunRecord.h"

#include <QCoreApplication>
#include <QList>

#include <memory>
#include <optional>

namespace sp {

class Workspace;
struct ChangeContext;

// What a guardrail or a chart needs about the runs of one flag and cohort in a time window.
struct WindowStats
{
    qint64 runs = 0;
    qint64 errors = 0;
    qint64 critical = 0;
    qint64 mismatches = 0;
    qint64 http429 = 0;   // 429 responses seen (the sum over runs)
    qint64 retries = 0;
    double p50Ms = 0;     // latency percentiles over the runs in the window (0 when runs == 0)
    double p95Ms = 0;
    double p99Ms = 0;
    qint64 latencySumMs = 0; // exact sum of the durations (for a mean)

    double errorRate() const { return runs ? double(errors) / double(runs) : 0.0; }
    double rate429() const { return runs ? double(http429) / double(runs) : 0.0; }
    double meanMs() const { return runs ? double(latencySumMs) / double(runs) : 0.0; }
};

// Stores run records and answers windowed questions about them fast: every ingest also updates
// per-minute buckets (flag, cohort, minute) with counters and a latency histogram, and 10-minute,
// hourly, 6-hourly and daily rollups of them (metric_rollups), so a 24-hour window reads about 25
// bucket rows instead of every record. Edges of a window that are not whole minutes are read from the
// raw records, so counts are exact at any boundary.
class RunRecordStore
{
    Q_DECLARE_TR_FUNCTIONS(RunRecordStore)

public:
    explicit RunRecordStore(Workspace &workspace) : m_ws(workspace) {}

    // Stores records and updates their buckets in one transaction (all or nothing).
    void ingest(const QList<RunRecord> &records);
    // Reads JSON Lines (one record a line); on any bad line throws InvalidInput naming
    // "FILE:LINE: field …" and ingests nothing. Returns the number of records stored.
    qint64 ingestJsonl(const QString &path);
    // The parsing half of ingestJsonl (no database access): every record of the file, or
    // InvalidInput naming up to ten bad lines as "FILE:LINE: …". An empty file is an error too.
    static QList<RunRecord> parseJsonl(const QString &path);

    // Stats for runs of flagKey on cohort with from <= startedAt < to. Counts and sums are exact
    // at any millisecond boundary; p50/p95/p99 come from the merged latency histograms and are
    // within LatencyHistogram::kMaxRelativeError (1.6 %) of the exact nearest-rank percentiles.
    WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const;
    // Whether any run of flagKey on cohort started in [from, to) (cheap: one bucket index seek).
    bool hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const;
    // Raw records of a flag in [from, to), oldest first (for backtests).
    QList<RunRecord> records(const QString &flagKey, const QDateTime &from, const QDateTime &to) const;
    // One WindowStats per step-long interval in [from, to), for charts (the last one may be
    // shorter). Reads buckets in bulk when from is a whole minute and step a multiple of 60 s.
    QList<WindowStats> series(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to,
                              qint64 stepSeconds) const;

    // Retention: raw records older than rawDays and buckets older than bucketDays are deleted.
    // Settings live in the workspace (meta retention_raw_days, default 30; retention_bucket_days,
    // default 400). Returns the number of raw records deleted.
    qint64 applyRetention(const QDateTime &now);
    static int rawRetentionDays(const Workspace &ws);
    static int bucketRetentionDays(const Workspace &ws);
    // Sets either or both (1 to 36 500 days) with an audit entry "metrics.retention"; InvalidInput
    // when out of range. Returns true when something changed.
    static bool setRetentionDays(Workspace &ws, std::optional<int> rawDays, std::optional<int> bucketDays,
                                 const ChangeContext &ctx);
    static constexpr int kDefaultRawRetentionDays = 30;
    static constexpr int kDefaultBucketRetentionDays = 400;
    static constexpr int kMaxRetentionDays = 36500;

private:
    struct Cache; // prepared statements, reused by every call on this store
    Cache &cache() const;

    Workspace &m_ws;
    mutable std::shared_ptr<Cache> m_cache;
};

} // namespace sp
