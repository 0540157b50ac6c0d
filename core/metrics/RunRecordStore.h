#pragma once

#include "RunRecord.h"

#include <QCoreApplication>
#include <QList>

namespace sp {

class Workspace;

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

    double errorRate() const { return runs ? double(errors) / double(runs) : 0.0; }
    double rate429() const { return runs ? double(http429) / double(runs) : 0.0; }
};

// Stores run records and answers windowed questions about them fast: every ingest also updates
// per-minute buckets (flag, cohort, minute) with counters and a latency histogram, so a 24-hour
// window reads 1 440 bucket rows instead of every record. Edges of a window that are not whole
// minutes are read from the raw records, so counts are exact at any boundary.
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

    // Stats for runs of flagKey on cohort with from <= startedAt < to.
    WindowStats window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const;
    // Raw records of a flag in [from, to), oldest first (for backtests).
    QList<RunRecord> records(const QString &flagKey, const QDateTime &from, const QDateTime &to) const;
    // One WindowStats per step-long interval in [from, to), for charts.
    QList<WindowStats> series(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to,
                              qint64 stepSeconds) const;

    // Retention: raw records older than rawDays and buckets older than bucketDays are deleted.
    // Settings live in the workspace (meta retention_raw_days, default 30; retention_bucket_days,
    // default 400). Returns the number of raw records deleted.
    qint64 applyRetention(const QDateTime &now);
    static int rawRetentionDays(const Workspace &ws);
    static int bucketRetentionDays(const Workspace &ws);

private:
    Workspace &m_ws;
};

} // namespace sp
