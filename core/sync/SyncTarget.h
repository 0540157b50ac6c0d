#pragma once

#include "net/CallStats.h"
#include "sync/VariableCollection.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace sp {

struct CollectionDiff;

// What a write changed, as run records count it.
struct TargetWriteCounts
{
    int created = 0;
    int updated = 0;
    int deleted = 0;
};

// Where a sync config writes one collection. Both paths end here: legacy replaces the whole
// collection, sync sends only a diff. Every target can hand out its current content as bytes
// before a write and take them back, which is what `sync undo` restores.
class SyncTarget
{
public:
    virtual ~SyncTarget() = default;

    // The current content as bytes (for undo and for the sync path, which parses them as DTCG),
    // and whether there was any.
    virtual QByteArray backup(bool *existed) = 0;
    virtual void restore(const QByteArray &content, bool existed) = 0;
    // Legacy: make the target hold exactly `collection`. `dtcg` is the collection as DTCG, made
    // once per run for every target that can use it (empty: make it yourself).
    virtual TargetWriteCounts writeFull(const VariableCollection &collection, const QByteArray &dtcg = {}) = 0;
    // Sync: apply `diff`; `result` is what the target holds afterwards (base + diff), `dtcg` the
    // result as DTCG when someone made it already.
    virtual TargetWriteCounts writeChanges(const VariableCollection &result, const CollectionDiff &diff, const QByteArray &dtcg = {}) = 0;
    // API calls, retries and 429s so far (remote targets).
    virtual net::CallStats stats() const { return {}; }
};

// A DTCG tokens file, written atomically (a temporary file renamed over the old one), so a crash
// leaves it old or new, never half-written.
class DtcgFileTarget : public SyncTarget
{
    Q_DECLARE_TR_FUNCTIONS(DtcgFileTarget)

public:
    explicit DtcgFileTarget(QString path) : m_path(std::move(path)) {}

    QByteArray backup(bool *existed) override;
    void restore(const QByteArray &content, bool existed) override;
    TargetWriteCounts writeFull(const VariableCollection &collection, const QByteArray &dtcg = {}) override;
    TargetWriteCounts writeChanges(const VariableCollection &result, const CollectionDiff &diff, const QByteArray &dtcg = {}) override;

private:
    QString m_path;
};

} // namespace sp
