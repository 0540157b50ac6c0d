#include "RunRecordStore.h"

#include "LatencyHistogram.h"
#include "audit/AuditLog.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringDecoder>
#include <QTimeZone>

#include <algorithm>
#include <charconv>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace sp {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kDayMs = 86'400'000;
// Rollup spans in minutes, coarsest first; 1 is the minute bucket itself (metric_buckets).
constexpr std::array<int, 5> kSpansDescending{1440, 360, 60, 10, 1};
constexpr std::array<int, 4> kRollupSpans{10, 60, 360, 1440};
// Rows per INSERT statement (one JSON parameter of this many rows, about 150 bytes each).
constexpr qsizetype kRowsPerStatement = 5000;
constexpr int kMaxReportedBadLines = 10;

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

qint64 ceilDiv(qint64 a, qint64 b) { return -floorDiv(-a, b); }

qint64 floorMod(qint64 a, qint64 b) { return a - floorDiv(a, b) * b; }

// Every text column is NOT NULL: a null QString means "empty", not SQL NULL.
QVariant text(const QString &s) { return s.isNull() ? QVariant(QString(QLatin1String(""))) : QVariant(s); }

} // namespace

// Types held by RunRecordStore::Cache: named (not anonymous) so the cache may hold them.
namespace runrecords {

// Counters and latencies of a set of runs: a bucket row, a window, an interval of a series.
struct Aggregate
{
    qint64 runs = 0;
    qint64 errors = 0;
    qint64 critical = 0;
    qint64 mismatches = 0;
    qint64 http429 = 0;
    qint64 retries = 0;
    qint64 latencySum = 0;
    LatencyHistogram latency;

    void addRun(bool ok, bool isCritical, qint64 runMismatches, qint64 run429, qint64 runRetries, qint64 durationMs)
    {
        ++runs;
        errors += ok ? 0 : 1;
        critical += isCritical ? 1 : 0;
        mismatches += runMismatches;
        http429 += run429;
        retries += runRetries;
        latencySum += durationMs;
        latency.add(durationMs);
    }

    void merge(const Aggregate &o)
    {
        runs += o.runs;
        errors += o.errors;
        critical += o.critical;
        mismatches += o.mismatches;
        http429 += o.http429;
        retries += o.retries;
        latencySum += o.latencySum;
        latency.merge(o.latency);
    }

    WindowStats stats() const
    {
        WindowStats s;
        s.runs = runs;
        s.errors = errors;
        s.critical = critical;
        s.mismatches = mismatches;
        s.http429 = http429;
        s.retries = retries;
        s.latencySumMs = latencySum;
        if (runs > 0) {
            s.p50Ms = latency.percentile(0.50);
            s.p95Ms = latency.percentile(0.95);
            s.p99Ms = latency.percentile(0.99);
        }
        return s;
    }
};

// A prepared statement executed many times with positional binds; errors throw sp::Error naming
// the workspace and the statement.
class Statement
{
public:
    Statement(const Workspace &ws, QString sql) : m_ws(ws), m_query(ws.database()), m_sql(std::move(sql))
    {
        m_query.setForwardOnly(true);
        if (!m_query.prepare(m_sql))
            raise();
    }

    QSqlQuery &query() { return m_query; }
    void bind(int pos, const QVariant &value) { m_query.bindValue(pos, value); }

    QSqlQuery &exec(std::initializer_list<QVariant> binds)
    {
        int i = 0;
        for (const QVariant &v : binds)
            m_query.bindValue(i++, v);
        return exec();
    }

    QSqlQuery &exec()
    {
        if (!m_query.exec())
            raise();
        return m_query;
    }

private:
    [[noreturn]] void raise()
    {
        const QString err = m_query.lastError().text().trimmed();
        if (err.contains(QLatin1String("readonly database")) || err.contains(QLatin1String("read-only")))
            invalid(RunRecordStore::tr("Workspace %1 is read-only; nothing was changed.").arg(m_ws.displayLocation()));
        fail(RunRecordStore::tr("Database error in workspace %1: %2 (statement: %3)")
                 .arg(m_ws.displayLocation(), err, m_sql.left(120)));
    }

    const Workspace &m_ws;
    QSqlQuery m_query;
    QString m_sql;
};

// One row of a JSON array of rows (see insertRows).
class JsonRow
{
public:
    explicit JsonRow(QByteArray &out) : m_out(out) {}

    JsonRow &operator<<(qint64 v)
    {
        separate();
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        m_out.append(buf, end - buf);
        return *this;
    }
    JsonRow &operator<<(int v) { return *this << qint64(v); }
    JsonRow &operator<<(bool v) { return *this << qint64(v ? 1 : 0); }
    JsonRow &operator<<(const QString &v)
    {
        separate();
        m_out += '"';
        const QByteArray utf8 = v.toUtf8();
        if (std::none_of(utf8.begin(), utf8.end(), [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; })) {
            m_out += utf8; // the usual case: nothing to escape
            m_out += '"';
            return *this;
        }
        for (const char c : utf8) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                m_out += '\\';
                m_out += c;
            } else if (u < 0x20) {
                static const char hex[] = "0123456789abcdef";
                m_out += "\\u00";
                m_out += hex[u >> 4];
                m_out += hex[u & 0xf];
            } else {
                m_out += c;
            }
        }
        m_out += '"';
        return *this;
    }

private:
    void separate()
    {
        if (m_any)
            m_out += ',';
        m_any = true;
    }

    QByteArray &m_out;
    bool m_any = false;
};

struct Column
{
    const char *name;
    bool integer;
};

// Inserts many rows with ONE bound parameter: a JSON array of row arrays, unpacked by the database
// itself (SQLite json_each, PostgreSQL json_array_elements). Binding every value through QtSql
// costs about a microsecond a value (QSqlResult::bindValue formats and hashes a name for each),
// which alone would hold ingest well under 50 000 records/s; this way the values still never
// reach the SQL text. tail follows the SELECT (e.g. an ON CONFLICT clause).
void insertRows(const Workspace &ws, const QString &table, const std::vector<Column> &columns, const QString &tail,
                qsizetype rows, const std::function<void(JsonRow &, qsizetype row)> &fillRow)
{
    if (rows == 0)
        return;
    QStringList names;
    QStringList values;
    for (size_t i = 0; i < columns.size(); ++i) {
        names << QString::fromLatin1(columns[i].name);
        const QString value = ws.isPostgres() ? QStringLiteral("(r ->> %1)").arg(i) : QStringLiteral("json_extract(r, '$[%1]')").arg(i);
        values << (columns[i].integer ? QStringLiteral("CAST(%1 AS BIGINT)").arg(value) : value);
    }
    // Materialising the rows first matters on SQLite: extracting from json_each's values directly
    // is several times slower. "WHERE true" keeps SQLite from reading ON CONFLICT as a join clause.
    const QString source = ws.isPostgres() ? QStringLiteral("SELECT value FROM json_array_elements(CAST(? AS json))")
                                            : QStringLiteral("SELECT value FROM json_each(?)");
    Statement st(ws, QStringLiteral("WITH rows_in(r) AS MATERIALIZED (%1) INSERT INTO %2 (%3) SELECT %4 FROM rows_in WHERE true%5")
                         .arg(source, table, names.join(QStringLiteral(", ")), values.join(QStringLiteral(", ")), tail));
    QByteArray json;
    for (qsizetype at = 0; at < rows; at += kRowsPerStatement) {
        const qsizetype n = std::min(kRowsPerStatement, rows - at);
        json.clear();
        json.reserve(n * 160);
        json += '[';
        for (qsizetype i = 0; i < n; ++i) {
            if (i)
                json += ',';
            json += '[';
            JsonRow row(json);
            fillRow(row, at + i);
            json += ']';
        }
        json += ']';
        st.exec({QString::fromUtf8(json)});
    }
}

const QString kBucketColumns = QStringLiteral("runs, errors, critical, mismatches, http429, retries, latency_sum_ms, latency_hist");

// The same columns for reading: on SQLite the histogram comes as bytes, which spares QtSql a
// UTF-16 conversion of every row (it is ASCII).
QString bucketColumnsForReading(const Workspace &ws)
{
    return ws.isPostgres() ? kBucketColumns
                           : QStringLiteral("runs, errors, critical, mismatches, http429, retries, latency_sum_ms,"
                                            " CAST(latency_hist AS BLOB)");
}

// Reads the counter columns (kBucketColumns, starting at column `first`) of a bucket row.
void readBucket(const Workspace &ws, const QSqlQuery &q, int first, Aggregate &into)
{
    into.runs += q.value(first).toLongLong();
    into.errors += q.value(first + 1).toLongLong();
    into.critical += q.value(first + 2).toLongLong();
    into.mismatches += q.value(first + 3).toLongLong();
    into.http429 += q.value(first + 4).toLongLong();
    into.retries += q.value(first + 5).toLongLong();
    into.latencySum += q.value(first + 6).toLongLong();
    const QVariant hist = q.value(first + 7);
    const bool ok = hist.typeId() == QMetaType::QByteArray ? into.latency.addEncoded(QByteArrayView(hist.toByteArray()))
                                                           : into.latency.addEncoded(QStringView(hist.toString()));
    if (!ok)
        fail(RunRecordStore::tr("Workspace %1: a metrics bucket holds a malformed latency histogram (\"%2\").")
                 .arg(ws.displayLocation(), hist.toString().left(60)));
}

// Whole minutes [a, b) as aligned blocks, largest first where they fit: a 24-hour window becomes
// at most 9 + 5 + 5 + 4 + 5 + 5 + 9 blocks (about 25 on average) instead of 1 440 minutes.
struct Block
{
    int span;     // minutes
    qint64 start; // epoch minute, a multiple of span
};

constexpr std::array<int, 5> kSpansAscending{1, 10, 60, 360, 1440};

size_t spanIndex(int span) { return span == 1 ? 0 : span == 10 ? 1 : span == 60 ? 2 : span == 360 ? 3 : 4; }

std::vector<Block> decompose(qint64 a, qint64 b)
{
    std::vector<Block> out;
    qint64 cur = a;
    while (cur < b) {
        int span = 1;
        for (int s : kSpansDescending) {
            if (floorMod(cur, s) == 0 && cur + s <= b) {
                span = s;
                break;
            }
        }
        out.push_back(Block{span, cur});
        cur += span;
    }
    return out;
}

inline char16_t codeUnit(QChar c) { return c.unicode(); }
inline char16_t codeUnit(char c) { return char16_t(static_cast<unsigned char>(c)); }

// "120,85,3012" -> three latencies.
template<typename Text>
void addDurations(Text text, LatencyHistogram &into)
{
    qint64 value = 0;
    bool any = false;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const char16_t ch = i < text.size() ? codeUnit(text[i]) : u',';
        if (ch >= u'0' && ch <= u'9') {
            value = value * 10 + (ch - u'0');
            any = true;
        } else if (ch == u',') {
            if (any)
                into.add(value);
            value = 0;
            any = false;
        }
    }
}

// Reads the raw records and buckets of one flag and cohort. Statements are prepared on first use
// and reused, so a series of many intervals prepares each at most once.
class WindowReader
{
public:
    WindowReader(const Workspace &ws, const QString &flagKey, RunPath cohort) : m_ws(ws) { select(flagKey, cohort); }

    // Switches to another flag and cohort, keeping the prepared statements.
    void select(const QString &flagKey, RunPath cohort)
    {
        m_flag = text(flagKey);
        m_cohort = runPathName(cohort);
    }

    // Runs with fromMs <= started_ms < toMs (and, when given, with from2Ms <= started_ms < to2Ms),
    // from the raw records: summed by the database, with the durations as one comma-separated
    // text, so a window edge is one or two result rows instead of one per run.
    void raw(qint64 fromMs, qint64 toMs, Aggregate &into, qint64 from2Ms = 0, qint64 to2Ms = 0)
    {
        if (fromMs >= toMs && from2Ms >= to2Ms)
            return;
        if (!m_raw) {
            const QString one = QStringLiteral(
                "SELECT COUNT(*), SUM(CASE WHEN ok = 0 THEN 1 ELSE 0 END), SUM(critical), SUM(mismatches),"
                " SUM(http429), SUM(retries), SUM(duration_ms), %1 FROM run_records"
                " WHERE flag_key = ? AND path = ? AND started_ms >= ? AND started_ms < ?")
                .arg(m_ws.isPostgres() ? QStringLiteral("string_agg(CAST(duration_ms AS TEXT), ',')")
                                       : QStringLiteral("CAST(group_concat(duration_ms) AS BLOB)"));
            m_raw = std::make_unique<Statement>(m_ws, one + QStringLiteral(" UNION ALL ") + one);
        }
        QSqlQuery &q = m_raw->exec({m_flag, m_cohort, fromMs, std::max(fromMs, toMs), m_flag, m_cohort, from2Ms, std::max(from2Ms, to2Ms)});
        while (q.next()) {
            if (q.value(0).toLongLong() == 0)
                continue;
            into.runs += q.value(0).toLongLong();
            into.errors += q.value(1).toLongLong();
            into.critical += q.value(2).toLongLong();
            into.mismatches += q.value(3).toLongLong();
            into.http429 += q.value(4).toLongLong();
            into.retries += q.value(5).toLongLong();
            into.latencySum += q.value(6).toLongLong();
            const QVariant durations = q.value(7);
            if (durations.typeId() == QMetaType::QByteArray)
                addDurations(QByteArrayView(durations.toByteArray()), into.latency);
            else
                addDurations(QStringView(durations.toString()), into.latency);
        }
        q.finish();
    }

    // Buckets of span minutes whose start is in [fromStart, toStart); fn(start, row) for each.
    void buckets(int span, qint64 fromStart, qint64 toStart, const std::function<void(qint64, const QSqlQuery &)> &fn)
    {
        if (fromStart >= toStart)
            return;
        QSqlQuery *q;
        if (span == 1) {
            if (!m_minutes)
                m_minutes = std::make_unique<Statement>(
                    m_ws, QStringLiteral("SELECT minute, %1 FROM metric_buckets"
                                         " WHERE flag_key = ? AND cohort = ? AND minute >= ? AND minute < ?")
                              .arg(bucketColumnsForReading(m_ws)));
            q = &m_minutes->exec({m_flag, m_cohort, fromStart, toStart});
        } else {
            if (!m_rollups)
                m_rollups = std::make_unique<Statement>(
                    m_ws, QStringLiteral("SELECT start_minute, %1 FROM metric_rollups"
                                         " WHERE flag_key = ? AND cohort = ? AND span_minutes = ?"
                                         " AND start_minute >= ? AND start_minute < ?")
                              .arg(bucketColumnsForReading(m_ws)));
            q = &m_rollups->exec({m_flag, m_cohort, span, fromStart, toStart});
        }
        while (q->next())
            fn(q->value(0).toLongLong(), *q);
        q->finish();
    }

    void window(qint64 fromMs, qint64 toMs, Aggregate &into)
    {
        if (fromMs >= toMs)
            return;
        const qint64 firstWhole = ceilDiv(fromMs, kMinuteMs);
        const qint64 endWhole = floorDiv(toMs, kMinuteMs);
        if (firstWhole >= endWhole) { // inside one minute, or across one boundary without a whole minute
            raw(fromMs, toMs, into);
            return;
        }
        raw(fromMs, firstWhole * kMinuteMs, into, endWhole * kMinuteMs, toMs);

        // The blocks form at most two runs per span (spans rise, then fall): read every run with
        // one statement of fixed shape (unused runs are empty ranges).
        struct Run
        {
            qint64 from = 0;
            qint64 to = 0;
        };
        std::array<std::array<Run, 2>, kSpansAscending.size()> runs{}; // per span index
        std::array<int, kSpansAscending.size()> used{};
        const std::vector<Block> blocks = decompose(firstWhole, endWhole);
        for (size_t i = 0; i < blocks.size();) {
            size_t j = i + 1;
            while (j < blocks.size() && blocks[j].span == blocks[i].span)
                ++j;
            const int span = blocks[i].span;
            const size_t k = spanIndex(span);
            if (used[k] == 2) { // cannot happen with nested spans; stay correct anyway
                buckets(span, blocks[i].start, blocks[j - 1].start + span,
                        [&](qint64, const QSqlQuery &q) { readBucket(m_ws, q, 1, into); });
            } else {
                runs[k][size_t(used[k]++)] = Run{blocks[i].start, blocks[j - 1].start + span};
            }
            i = j;
        }
        if (!m_window) {
            const QString cols = bucketColumnsForReading(m_ws);
            const QString minute = QStringLiteral("SELECT minute, %1 FROM metric_buckets"
                                                  " WHERE flag_key = ? AND cohort = ? AND minute >= ? AND minute < ?")
                                       .arg(cols);
            const QString rollup = QStringLiteral("SELECT start_minute, %1 FROM metric_rollups WHERE flag_key = ? AND cohort = ?"
                                                  " AND span_minutes = ? AND start_minute >= ? AND start_minute < ?")
                                       .arg(cols);
            m_window = std::make_unique<Statement>(
                m_ws, QStringList{minute, minute, rollup, rollup, rollup, rollup, rollup, rollup, rollup, rollup}.join(QStringLiteral(" UNION ALL ")));
        }
        int pos = 0;
        for (size_t k = 0; k < kSpansAscending.size(); ++k) {
            for (const Run &r : runs[k]) {
                m_window->bind(pos++, m_flag);
                m_window->bind(pos++, m_cohort);
                if (k > 0)
                    m_window->bind(pos++, kSpansAscending[k]);
                m_window->bind(pos++, r.from);
                m_window->bind(pos++, r.to);
            }
        }
        QSqlQuery &q = m_window->exec();
        while (q.next())
            readBucket(m_ws, q, 1, into);
        q.finish();
    }

private:
    const Workspace &m_ws;
    QVariant m_flag;
    QVariant m_cohort;
    std::unique_ptr<Statement> m_raw;
    std::unique_ptr<Statement> m_minutes;
    std::unique_ptr<Statement> m_rollups;
    std::unique_ptr<Statement> m_window;
};

} // namespace runrecords

using namespace runrecords;

struct RunRecordStore::Cache
{
    explicit Cache(const Workspace &ws) : reader(ws, QString(), RunPath::Legacy) {}
    WindowReader reader; // its statements are prepared once per store
};

RunRecordStore::Cache &RunRecordStore::cache() const
{
    if (!m_cache)
        m_cache = std::make_shared<Cache>(m_ws);
    return *m_cache;
}

namespace {

using BucketKey = std::tuple<QString, int, int, qint64>; // flag, cohort (RunPath), span, start minute

RunPath cohortOf(int value) { return static_cast<RunPath>(value); }

int parseDays(const QString &value, int fallback)
{
    bool ok = false;
    const int days = value.toInt(&ok);
    return ok && days >= 1 && days <= RunRecordStore::kMaxRetentionDays ? days : fallback;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Ingest

void RunRecordStore::ingest(const QList<RunRecord> &records)
{
    if (records.isEmpty())
        return;
    {
        // Flag keys repeat: match each distinct one against the pattern once.
        QSet<QString> checkedKeys;
        for (qsizetype i = 0; i < records.size(); ++i) {
            const RunRecord &r = records[i];
            const bool newKey = !checkedKeys.contains(r.flagKey);
            const QString problem = r.problem(newKey);
            if (!problem.isEmpty())
                invalid(tr("run record %1: %2").arg(i + 1).arg(problem));
            if (newKey)
                checkedKeys.insert(r.flagKey);
        }
    }

    // Merge in memory first: one upsert per (flag, cohort, span, start) per batch.
    std::map<BucketKey, Aggregate> buckets;
    {
        Aggregate *last = nullptr;
        BucketKey lastKey;
        for (const RunRecord &r : records) {
            const BucketKey key{r.flagKey, int(r.path), 1, floorDiv(r.startedAt.toMSecsSinceEpoch(), kMinuteMs)};
            if (!last || key != lastKey) { // records mostly arrive in runs of one key
                last = &buckets[key];
                lastKey = key;
            }
            last->addRun(r.ok, r.critical, r.mismatches, r.http429, r.retries, r.durationMs);
        }
    }
    std::map<BucketKey, Aggregate> rollups;
    for (const auto &[key, agg] : buckets) {
        const auto &[flag, cohort, span, minute] = key;
        for (int s : kRollupSpans)
            rollups[BucketKey{flag, cohort, s, minute - floorMod(minute, s)}].merge(agg);
    }
    buckets.merge(rollups);

    m_ws.write([&] {
        insertRows(m_ws, QStringLiteral("run_records"),
                   {{"flag_key", false}, {"config", false}, {"target", false}, {"path", false}, {"started_ms", true},
                    {"duration_ms", true}, {"ok", true}, {"error_class", false}, {"critical", true}, {"rows_read", true},
                    {"vars_created", true}, {"vars_updated", true}, {"vars_deleted", true}, {"api_calls", true},
                    {"retries", true}, {"http429", true}, {"mismatches", true}, {"rehearsal", true}},
                   QString(), records.size(), [&](JsonRow &row, qsizetype i) {
                       const RunRecord &r = records[i];
                       row << r.flagKey << r.config << r.target << runPathName(r.path) << r.startedAt.toMSecsSinceEpoch()
                           << r.durationMs << r.ok << r.errorClass << r.critical << r.rowsRead << r.varsCreated
                           << r.varsUpdated << r.varsDeleted << r.apiCalls << r.retries << r.http429 << r.mismatches
                           << r.rehearsal;
                   });

        // Fold in what is already stored for the touched buckets (under the write lock, so no
        // other writer can change them in between). Keys of one (flag, cohort, span) are adjacent
        // in the map; near ones are read with one range query.
        WindowReader &reader = cache().reader;
        for (auto it = buckets.begin(); it != buckets.end();) {
            const auto &[flag, cohort, span, start] = it->first;
            auto end = it;
            qint64 last = start;
            while (end != buckets.end() && std::get<0>(end->first) == flag && std::get<1>(end->first) == cohort
                   && std::get<2>(end->first) == span && std::get<3>(end->first) - last <= 64 * qint64(span)) {
                last = std::get<3>(end->first);
                ++end;
            }
            reader.select(flag, cohortOf(cohort));
            reader.buckets(span, start, last + 1, [&, f = flag, c = cohort, s = span](qint64 at, const QSqlQuery &q) {
                const auto found = buckets.find(BucketKey{f, c, s, at});
                if (found != buckets.end())
                    readBucket(m_ws, q, 1, found->second);
            });
            it = end;
        }

        std::vector<std::pair<const BucketKey *, const Aggregate *>> minutes;
        std::vector<std::pair<const BucketKey *, const Aggregate *>> coarse;
        for (const auto &[key, agg] : buckets)
            (std::get<2>(key) == 1 ? minutes : coarse).emplace_back(&key, &agg);

        const QString set = QStringLiteral(
            " DO UPDATE SET runs = excluded.runs, errors = excluded.errors, critical = excluded.critical,"
            " mismatches = excluded.mismatches, http429 = excluded.http429, retries = excluded.retries,"
            " latency_sum_ms = excluded.latency_sum_ms, latency_hist = excluded.latency_hist");
        const std::vector<Column> counters{{"runs", true},    {"errors", true},  {"critical", true},
                                           {"mismatches", true}, {"http429", true}, {"retries", true},
                                           {"latency_sum_ms", true}, {"latency_hist", false}};
        const auto fillCounters = [](JsonRow &row, const Aggregate &a) {
            row << a.runs << a.errors << a.critical << a.mismatches << a.http429 << a.retries << a.latencySum
                << a.latency.encode();
        };
        std::vector<Column> minuteColumns{{"flag_key", false}, {"cohort", false}, {"minute", true}};
        minuteColumns.insert(minuteColumns.end(), counters.begin(), counters.end());
        insertRows(m_ws, QStringLiteral("metric_buckets"), minuteColumns, QStringLiteral(" ON CONFLICT (flag_key, cohort, minute)") + set,
                   qsizetype(minutes.size()), [&](JsonRow &row, qsizetype i) {
                       const auto &[key, agg] = minutes[size_t(i)];
                       row << std::get<0>(*key) << runPathName(cohortOf(std::get<1>(*key))) << std::get<3>(*key);
                       fillCounters(row, *agg);
                   });
        std::vector<Column> rollupColumns{{"flag_key", false}, {"cohort", false}, {"span_minutes", true}, {"start_minute", true}};
        rollupColumns.insert(rollupColumns.end(), counters.begin(), counters.end());
        insertRows(m_ws, QStringLiteral("metric_rollups"), rollupColumns,
                   QStringLiteral(" ON CONFLICT (flag_key, cohort, span_minutes, start_minute)") + set,
                   qsizetype(coarse.size()), [&](JsonRow &row, qsizetype i) {
                       const auto &[key, agg] = coarse[size_t(i)];
                       row << std::get<0>(*key) << runPathName(cohortOf(std::get<1>(*key))) << std::get<2>(*key)
                           << std::get<3>(*key);
                       fillCounters(row, *agg);
                   });
    });
}

QList<RunRecord> RunRecordStore::parseJsonl(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        invalid(tr("%1: cannot read the file: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();

    QList<RunRecord> out;
    QStringList problems;
    int badLines = 0;
    int line = 0;
    qsizetype pos = 0;
    const auto problem = [&](const QString &message) {
        if (++badLines <= kMaxReportedBadLines)
            problems << message;
    };
    while (pos < data.size()) {
        qsizetype nl = data.indexOf('\n', pos);
        if (nl < 0)
            nl = data.size();
        QByteArrayView bytes(data.constData() + pos, nl - pos);
        pos = nl + 1;
        ++line;
        if (bytes.endsWith('\r'))
            bytes.chop(1);
        if (line == 1 && bytes.startsWith("\xEF\xBB\xBF"))
            bytes = bytes.sliced(3);
        const QString where = QStringLiteral("%1:%2").arg(path).arg(line);

        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = utf8.decode(bytes);
        if (utf8.hasError()) {
            problem(tr("%1: the line is not valid UTF-8").arg(where));
            continue;
        }
        if (decoded.trimmed().isEmpty())
            continue; // blank lines separate nothing, but are harmless
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &err);
        if (err.error != QJsonParseError::NoError) {
            problem(tr("%1: malformed JSON at column %2: %3").arg(where).arg(err.offset + 1).arg(err.errorString()));
            continue;
        }
        if (!doc.isObject()) {
            problem(tr("%1: expected a JSON object (one run record a line)").arg(where));
            continue;
        }
        try {
            out << RunRecord::fromJson(doc.object(), where);
        } catch (const Error &e) {
            problem(e.message());
        }
    }
    if (badLines > 0) {
        if (badLines > kMaxReportedBadLines)
            problems << tr("%1: %n more bad line(s) not shown", nullptr, badLines - kMaxReportedBadLines).arg(path);
        problems << tr("Nothing was ingested.");
        invalid(problems.join(QLatin1Char('\n')));
    }
    if (out.isEmpty())
        invalid(tr("%1: no run records in the file (it is empty); nothing was ingested.").arg(path));
    return out;
}

qint64 RunRecordStore::ingestJsonl(const QString &path)
{
    const QList<RunRecord> records = parseJsonl(path);
    ingest(records);
    return records.size();
}

// ---------------------------------------------------------------------------------------------
// Queries

WindowStats RunRecordStore::window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
{
    Aggregate agg;
    m_ws.read([&] {
        WindowReader &reader = cache().reader;
        reader.select(flagKey, cohort);
        reader.window(from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch(), agg);
    });
    return agg.stats();
}

bool RunRecordStore::hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
{
    // Every record is counted in its minute's bucket, so the buckets from from's minute to to's
    // say whether any run of the cohort falls in [from, to): one index seek.
    bool found = false;
    m_ws.read([&] {
        QSqlQuery q = m_ws.exec(QStringLiteral("SELECT 1 FROM metric_buckets WHERE flag_key = ? AND cohort = ? AND minute >= ? AND minute <= ? LIMIT 1"),
                                {text(flagKey), runPathName(cohort), floorDiv(from.toMSecsSinceEpoch(), kMinuteMs),
                                 floorDiv(to.toMSecsSinceEpoch(), kMinuteMs)});
        found = q.next();
        q.finish();
    });
    return found;
}

QList<RunRecord> RunRecordStore::records(const QString &flagKey, const QDateTime &from, const QDateTime &to) const
{
    QList<RunRecord> out;
    m_ws.read([&] {
        QSqlQuery q = m_ws.exec(
            QStringLiteral("SELECT id, flag_key, config, target, path, started_ms, duration_ms, ok, error_class, critical,"
                           " rows_read, vars_created, vars_updated, vars_deleted, api_calls, retries, http429, mismatches,"
                           " rehearsal FROM run_records WHERE flag_key = ? AND started_ms >= ? AND started_ms < ?"
                           " ORDER BY started_ms, id"),
            {text(flagKey), from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch()});
        while (q.next()) {
            RunRecord r;
            r.id = q.value(0).toLongLong();
            r.flagKey = q.value(1).toString();
            r.config = q.value(2).toString();
            r.target = q.value(3).toString();
            parseRunPath(q.value(4).toString(), &r.path);
            r.startedAt = QDateTime::fromMSecsSinceEpoch(q.value(5).toLongLong(), QTimeZone::utc());
            r.durationMs = q.value(6).toLongLong();
            r.ok = q.value(7).toInt() != 0;
            r.errorClass = q.value(8).toString();
            r.critical = q.value(9).toInt() != 0;
            r.rowsRead = q.value(10).toInt();
            r.varsCreated = q.value(11).toInt();
            r.varsUpdated = q.value(12).toInt();
            r.varsDeleted = q.value(13).toInt();
            r.apiCalls = q.value(14).toInt();
            r.retries = q.value(15).toInt();
            r.http429 = q.value(16).toInt();
            r.mismatches = q.value(17).toInt();
            r.rehearsal = q.value(18).toInt() != 0;
            out << r;
        }
    });
    return out;
}

QList<WindowStats> RunRecordStore::series(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to,
                                          qint64 stepSeconds) const
{
    if (stepSeconds <= 0)
        invalid(tr("A series needs a step of at least one second."));
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    if (toMs <= fromMs)
        return {};
    const qint64 stepMs = stepSeconds * 1000;
    const qint64 count = ceilDiv(toMs - fromMs, stepMs);
    if (count > 1'000'000)
        invalid(tr("A series of %1 intervals is too long; use a larger step.").arg(count));

    std::vector<Aggregate> intervals(static_cast<size_t>(count));
    const auto intervalEnd = [&](qint64 i) { return std::min(fromMs + (i + 1) * stepMs, toMs); };
    m_ws.read([&] {
        WindowReader &reader = cache().reader;
        reader.select(flagKey, cohort);
        if (stepMs % kMinuteMs != 0 || floorMod(fromMs, kMinuteMs) != 0) {
            // Intervals that do not start on whole minutes: each one on its own.
            for (qint64 i = 0; i < count; ++i)
                reader.window(fromMs + i * stepMs, intervalEnd(i), intervals[size_t(i)]);
            return;
        }
        // Every interval starts on a whole minute: decompose each into blocks, then read every
        // span's blocks with few range queries and hand each row to its interval.
        std::array<QHash<qint64, qint64>, kSpansAscending.size()> owner; // per span index: block start -> interval
        for (qint64 i = 0; i < count; ++i) {
            const qint64 s = fromMs + i * stepMs;
            const qint64 e = intervalEnd(i);
            const qint64 endWhole = floorDiv(e, kMinuteMs);
            for (const Block &b : decompose(floorDiv(s, kMinuteMs), endWhole))
                owner[spanIndex(b.span)].insert(b.start, i);
            reader.raw(endWhole * kMinuteMs, e, intervals[size_t(i)]); // only the last can be partial
        }
        for (int span : kSpansDescending) {
            const QHash<qint64, qint64> &map = owner[spanIndex(span)];
            if (map.isEmpty())
                continue;
            std::vector<qint64> starts(map.keyBegin(), map.keyEnd());
            std::sort(starts.begin(), starts.end());
            for (size_t a = 0; a < starts.size();) {
                size_t b = a + 1;
                while (b < starts.size() && starts[b] - starts[b - 1] <= 64 * qint64(span))
                    ++b;
                reader.buckets(span, starts[a], starts[b - 1] + 1, [&](qint64 start, const QSqlQuery &q) {
                    const auto found = map.constFind(start);
                    if (found != map.constEnd())
                        readBucket(m_ws, q, 1, intervals[size_t(found.value())]);
                });
                a = b;
            }
        }
    });

    QList<WindowStats> out;
    out.reserve(count);
    for (const Aggregate &a : intervals)
        out << a.stats();
    return out;
}

// ---------------------------------------------------------------------------------------------
// Retention

int RunRecordStore::rawRetentionDays(const Workspace &ws)
{
    return parseDays(ws.meta(QStringLiteral("retention_raw_days")), kDefaultRawRetentionDays);
}

int RunRecordStore::bucketRetentionDays(const Workspace &ws)
{
    return parseDays(ws.meta(QStringLiteral("retention_bucket_days")), kDefaultBucketRetentionDays);
}

bool RunRecordStore::setRetentionDays(Workspace &ws, std::optional<int> rawDays, std::optional<int> bucketDays,
                                      const ChangeContext &ctx)
{
    const auto check = [](std::optional<int> days, const QString &what) {
        if (days && (*days < 1 || *days > kMaxRetentionDays))
            invalid(tr("%1 must be between 1 and %2 days, not %3.").arg(what).arg(kMaxRetentionDays).arg(*days));
    };
    check(rawDays, tr("Raw run-record retention"));
    check(bucketDays, tr("Bucket retention"));
    bool changed = false;
    ws.write([&] {
        const int rawBefore = rawRetentionDays(ws);
        const int bucketBefore = bucketRetentionDays(ws);
        const int rawAfter = rawDays.value_or(rawBefore);
        const int bucketAfter = bucketDays.value_or(bucketBefore);
        if (rawAfter == rawBefore && bucketAfter == bucketBefore)
            return;
        ws.setMeta(QStringLiteral("retention_raw_days"), QString::number(rawAfter));
        ws.setMeta(QStringLiteral("retention_bucket_days"), QString::number(bucketAfter));
        AuditLog(ws).append(ctx, QStringLiteral("metrics.retention"), QStringLiteral("metrics"),
                            QJsonObject{{QStringLiteral("rawDays"), rawBefore}, {QStringLiteral("bucketDays"), bucketBefore}},
                            QJsonObject{{QStringLiteral("rawDays"), rawAfter}, {QStringLiteral("bucketDays"), bucketAfter}});
        changed = true;
    });
    return changed;
}

qint64 RunRecordStore::applyRetention(const QDateTime &now)
{
    const qint64 nowMs = now.toMSecsSinceEpoch();
    const qint64 rawCutoffMs = nowMs - qint64(rawRetentionDays(m_ws)) * kDayMs;
    const qint64 bucketCutoffMinute = floorDiv(nowMs - qint64(bucketRetentionDays(m_ws)) * kDayMs, kMinuteMs);

    // Checked first so that a periodic call with nothing to delete does not bump the revision
    // (and make every watcher reload).
    const auto anything = [&] {
        const QStringList probes{
            QStringLiteral("SELECT 1 FROM run_records WHERE started_ms < ? LIMIT 1"),
            QStringLiteral("SELECT 1 FROM metric_buckets WHERE minute < ? LIMIT 1"),
            QStringLiteral("SELECT 1 FROM metric_rollups WHERE start_minute + span_minutes <= ? LIMIT 1")};
        const QVariantList binds{rawCutoffMs, bucketCutoffMinute, bucketCutoffMinute};
        for (int i = 0; i < probes.size(); ++i)
            if (m_ws.exec(probes[i], {binds[i]}).next())
                return true;
        return false;
    };
    if (!anything())
        return 0;

    qint64 deleted = 0;
    m_ws.write([&] {
        deleted = m_ws.exec(QStringLiteral("DELETE FROM run_records WHERE started_ms < ?"), {rawCutoffMs}).numRowsAffected();
        m_ws.exec(QStringLiteral("DELETE FROM metric_buckets WHERE minute < ?"), {bucketCutoffMinute});
        // A rollup goes once all of it is past the cutoff.
        m_ws.exec(QStringLiteral("DELETE FROM metric_rollups WHERE start_minute + span_minutes <= ?"), {bucketCutoffMinute});
    });
    return deleted;
}

} // namespace sp
