#include "DecisionLedger.h"

#include "common/Clock.h"
#include "workspace/Workspace.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace sp {

QJsonObject LedgerEntry::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("at"), toStoredTime(at)},
                       {QStringLiteral("flag"), flagKey},
                       {QStringLiteral("rolloutId"), rolloutId},
                       {QStringLiteral("kind"), kind},
                       {QStringLiteral("automatic"), automatic},
                       {QStringLiteral("actor"), actor},
                       {QStringLiteral("source"), source},
                       {QStringLiteral("summary"), summary},
                       {QStringLiteral("evidence"), evidence}};
}

QString LedgerEntry::columns()
{
    return QStringLiteral("id, at, flag_key, rollout_id, kind, automatic, actor, source, summary, evidence");
}

LedgerEntry LedgerEntry::fromRow(const QSqlQuery &q)
{
    LedgerEntry e;
    e.id = q.value(0).toLongLong();
    e.at = fromStoredTime(q.value(1).toString());
    e.flagKey = q.value(2).toString();
    e.rolloutId = q.value(3).toLongLong();
    e.kind = q.value(4).toString();
    e.automatic = q.value(5).toInt() != 0;
    e.actor = q.value(6).toString();
    e.source = q.value(7).toString();
    e.summary = q.value(8).toString();
    e.evidence = QJsonDocument::fromJson(q.value(9).toString().toUtf8()).object();
    return e;
}

LedgerEntry DecisionLedger::record(const ChangeContext &ctx, const QString &flagKey, qint64 rolloutId, const QString &kind,
                                   bool automatic, const QString &summary, const QJsonObject &evidence)
{
    Q_ASSERT(m_ws.inTransaction());
    LedgerEntry e;
    e.at = fromStoredTime(toStoredTime(Clock::current().now()));
    e.flagKey = flagKey;
    e.rolloutId = rolloutId;
    e.kind = kind;
    e.automatic = automatic;
    e.actor = ctx.actor;
    e.source = ctx.source;
    e.summary = summary;
    e.evidence = evidence;
    QSqlQuery q = m_ws.exec(QStringLiteral("INSERT INTO decisions (at, flag_key, rollout_id, kind, automatic, actor, source, summary, evidence)"
                                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                            {toStoredTime(e.at), e.flagKey, e.rolloutId, e.kind, automatic ? 1 : 0, e.actor, e.source, e.summary,
                             QString::fromUtf8(QJsonDocument(evidence).toJson(QJsonDocument::Compact))});
    if (q.next())
        e.id = q.value(0).toLongLong();
    q.finish(); // QPSQL: release the statement before another query reads rows
    return e;
}

namespace {

QList<LedgerEntry> query(const Workspace &ws, const QString &where, const QVariantList &binds, int limit)
{
    QString sql = QStringLiteral("SELECT %1 FROM decisions").arg(LedgerEntry::columns())
                  + where + QStringLiteral(" ORDER BY id DESC");
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);
    QList<LedgerEntry> out;
    QSqlQuery q = ws.exec(sql, binds);
    while (q.next())
        out.prepend(LedgerEntry::fromRow(q));
    return out;
}

} // namespace

QList<LedgerEntry> DecisionLedger::list(const QString &flagKey, int limit) const
{
    if (flagKey.isEmpty())
        return query(m_ws, {}, {}, limit);
    return query(m_ws, QStringLiteral(" WHERE flag_key = ?"), {flagKey}, limit);
}

QList<LedgerEntry> DecisionLedger::since(qint64 afterId) const
{
    return query(m_ws, QStringLiteral(" WHERE id > ?"), {afterId}, 0);
}

qint64 DecisionLedger::lastId() const
{
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM decisions"));
    const qint64 id = q.next() ? q.value(0).toLongLong() : 0;
    q.finish();
    return id;
}

} // namespace sp
