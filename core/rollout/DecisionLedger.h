#pragma once

#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlQuery>

namespace sp {

class Workspace;

// Every rollout decision, automatic or manual, with the evidence behind it: the metric values,
// thresholds and sample counts the controller saw, or the operator's reason.
struct LedgerEntry
{
    qint64 id = 0;
    QDateTime at;
    QString flagKey;
    qint64 rolloutId = 0;
    QString kind;        // start, advance, hold, pause, resume, rollback, kill, abort, complete, warn, restore
    bool automatic = false;
    QString actor;
    QString source;      // controller, cli, gui, agent
    QString summary;     // one sentence in words: "Rolled back: 3 critical errors in 5 min (threshold 3)"
    QJsonObject evidence;

    QJsonObject toJson() const;

    // Columns of the decisions table in the order fromRow() reads them.
    static QString columns();
    static LedgerEntry fromRow(const QSqlQuery &q);
};

class DecisionLedger
{
    Q_DECLARE_TR_FUNCTIONS(DecisionLedger)

public:
    explicit DecisionLedger(Workspace &workspace) : m_ws(workspace) {}

    // Inside Workspace::write(): the decision commits with the change it explains.
    LedgerEntry record(const ChangeContext &ctx, const QString &flagKey, qint64 rolloutId, const QString &kind,
                       bool automatic, const QString &summary, const QJsonObject &evidence = {});
    // Newest last. flagKey empty: all flags. limit 0: all.
    QList<LedgerEntry> list(const QString &flagKey = {}, int limit = 0) const;
    // Entries with an id above afterId, oldest first.
    QList<LedgerEntry> since(qint64 afterId) const;
    qint64 lastId() const;

private:
    Workspace &m_ws;
};

} // namespace sp
