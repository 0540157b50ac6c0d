#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace sp {

// Which code path a run took: the legacy full replace, the new sync path, or the shadow
// comparison of hybrid mode. The guardrails compare the sync cohort against the legacy one.
enum class RunPath { Legacy, Sync, Shadow };

QString runPathName(RunPath path);               // "legacy", "sync", "shadow"
bool parseRunPath(const QString &text, RunPath *path);

// One sync run, as the sync engine (or `metrics ingest`) reports it. Feeds guardrails and charts.
struct RunRecord
{
    qint64 id = 0;
    QString flagKey;      // the flag that gates the sync path of this config
    QString config;       // sync config name
    QString target;       // target id (the targeting key of the rollout)
    RunPath path = RunPath::Legacy;
    QDateTime startedAt;
    qint64 durationMs = 0;
    bool ok = true;
    QString errorClass;   // empty when ok; e.g. network, http_5xx, http_429, mapping, conflict, inconsistency
    bool critical = false;
    int rowsRead = 0;
    int varsCreated = 0;
    int varsUpdated = 0;
    int varsDeleted = 0;
    int apiCalls = 0;
    int retries = 0;
    int http429 = 0;
    int mismatches = 0;
    bool rehearsal = false; // failures injected on purpose (rehearsal mode)

    // JSON Lines form: {"flag":"…","config":"…","target":"…","path":"sync","startedAt":"ISO-8601",
    // "durationMs":123,"ok":true,"errorClass":"","critical":false,"rows":…,"created":…,"updated":…,
    // "deleted":…,"apiCalls":…,"retries":…,"http429":…,"mismatches":…,"rehearsal":false}
    QJsonObject toJson() const;
    // Throws sp::Error(InvalidInput) naming `where` and the field at fault.
    static RunRecord fromJson(const QJsonObject &o, const QString &where);
    // The rules fromJson enforces, for records built in code (RunRecordStore::ingest checks them):
    // a valid flag key, a valid start at or after 1970, durationMs and counts >= 0, errorClass
    // empty when ok, critical only when not ok. Throws sp::Error(InvalidInput) naming `where`.
    void validate(const QString &where) const;
    // The first rule broken, in words ("field \"durationMs\" must be a non-negative integer"), or
    // an empty string. checkKey false skips the flag-key pattern (a batch checks each key once).
    QString problem(bool checkKey = true) const;
};

} // namespace sp
