#include "AuditLog.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "common/Json.h"
#include "workspace/Workspace.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>


#include <pwd.h>
#include <unistd.h>

namespace sp {

namespace {

QString jsonText(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("null");
    // scalars: wrap to serialise, then unwrap
    const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QJsonValue parseJsonText(const QString &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArrayLiteral("[") + text.toUtf8() + QByteArrayLiteral("]"));
    return doc.isArray() ? doc.array().first() : QJsonValue(text);
}

const QString kGenesis = QString(64, QLatin1Char('0'));

QString csvField(const QString &s)
{
    if (s.contains(QLatin1Char('"')) || s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('\n')) || s.contains(QLatin1Char('\r'))) {
        QString q = s;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    }
    return s;
}

} // namespace

ChangeContext ChangeContext::local(const QString &source, const QString &reason)
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *pw = getpwuid(geteuid()))
            user = QString::fromLocal8Bit(pw->pw_name);
    }
    if (user.isEmpty())
        user = QStringLiteral("uid-%1").arg(geteuid());
    return ChangeContext{user, QString(), source, reason, {}};
}

QJsonObject AuditEntry::toJson() const
{
    return QJsonObject{{QStringLiteral("seq"), seq},
                       {QStringLiteral("at"), toStoredTime(at)},
                       {QStringLiteral("actor"), actor},
                       {QStringLiteral("account"), account},
                       {QStringLiteral("action"), action},
                       {QStringLiteral("object"), object},
                       {QStringLiteral("before"), parseJsonText(before)},
                       {QStringLiteral("after"), parseJsonText(after)},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("source"), source},
                       {QStringLiteral("prevHash"), prevHash},
                       {QStringLiteral("hash"), hash}};
}

QByteArray AuditEntry::canonical() const
{
    // A JSON object with its keys in sorted order; before/after as their stored text, so both
    // engines hash the very bytes they store. Built by hand: it is computed for every entry that
    // is written or verified.
    const std::pair<const char *, QString> fields[] = {
        {"account", account}, {"action", action}, {"actor", actor}, {"after", after}, {"at", toStoredTime(at)},
        {"before", before},   {"object", object}, {"reason", reason}, {"seq", QString::number(seq)}, {"source", source},
    };
    QByteArray out;
    out.reserve(256 + before.size() + after.size());
    out += '{';
    bool first = true;
    for (const auto &[key, value] : fields) {
        if (!first)
            out += ',';
        first = false;
        out += '"';
        out += key;
        out += "\":";
        appendJsonString(out, value);
    }
    out += '}';
    return out;
}

QByteArray AuditLog::hashOf(const QString &prevHash, const AuditEntry &entry)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(prevHash.toLatin1());
    h.addData(QByteArrayView("\n"));
    h.addData(entry.canonical());
    return h.result().toHex();
}

AuditEntry AuditLog::append(const ChangeContext &ctx, const QString &action, const QString &object,
                            const QJsonValue &before, const QJsonValue &after)
{
    return appendMany(ctx, {Change{action, object, before, after}});
}

AuditEntry AuditLog::appendMany(const ChangeContext &ctx, const QList<Change> &changes)
{
    Q_ASSERT(m_ws.inTransaction());
    QSqlQuery head = m_ws.exec(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1"));
    const bool hadHead = head.next();
    qint64 seq = hadHead ? head.value(0).toLongLong() : 0;
    QString prev = hadHead ? head.value(1).toString() : kGenesis;
    head.finish();
    if (changes.isEmpty())
        return {};
    // stored with millisecond precision: hash what is stored
    const QDateTime at = fromStoredTime(toStoredTime(Clock::current().now().toUTC()));
    QSqlQuery insert(m_ws.database());
    if (!insert.prepare(QStringLiteral("INSERT INTO audit_log (seq, at, actor, account, action, object, before_json, after_json,"
                                       " reason, source, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
        fail(tr("Cannot write the audit log of workspace %1.").arg(m_ws.displayLocation()));
    AuditEntry e;
    for (const Change &c : changes) {
        e = AuditEntry{};
        e.seq = ++seq;
        e.prevHash = prev;
        e.at = at;
        e.actor = ctx.actor;
        e.account = ctx.account;
        e.action = c.action;
        e.object = c.object;
        e.before = jsonText(c.before);
        e.after = jsonText(c.after);
        e.reason = ctx.reason;
        e.source = ctx.source;
        e.hash = QString::fromLatin1(hashOf(e.prevHash, e));
        const QVariantList values{e.seq, toStoredTime(e.at), e.actor, e.account.isNull() ? QString(QLatin1String("")) : e.account,
                                  e.action, e.object, e.before, e.after, e.reason.isNull() ? QString(QLatin1String("")) : e.reason,
                                  e.source, e.prevHash, e.hash};
        for (int i = 0; i < values.size(); ++i)
            insert.bindValue(i, values[i]);
        if (!insert.exec())
            fail(tr("Cannot write the audit log of workspace %1: %2").arg(m_ws.displayLocation(), insert.lastError().text()));
        prev = e.hash;
    }
    insert.finish();
    if (hadHead)
        m_ws.exec(QStringLiteral("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"), {e.seq, e.hash});
    else
        m_ws.exec(QStringLiteral("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"), {e.seq, e.hash});
    return e;
}

namespace {

// The WHERE clause (" AND …" conditions after "WHERE 1 = 1") of filter, its values in binds.
QString whereOf(const AuditFilter &filter, QVariantList &binds)
{
    QString sql;
    if (filter.from) {
        sql += QStringLiteral(" AND at >= ?");
        binds << toStoredTime(*filter.from);
    }
    if (filter.to) {
        sql += QStringLiteral(" AND at < ?");
        binds << toStoredTime(*filter.to);
    }
    if (!filter.actor.isEmpty()) {
        sql += QStringLiteral(" AND actor = ?");
        binds << filter.actor;
    }
    const auto addPattern = [&](const QString &column, const QString &value) {
        if (value.isEmpty())
            return;
        if (value.endsWith(QLatin1Char('*'))) {
            // prefix match without LIKE wildcards from user input
            sql += QStringLiteral(" AND substr(%1, 1, %2) = ?").arg(column).arg(value.size() - 1);
            binds << value.left(value.size() - 1);
        } else {
            sql += QStringLiteral(" AND %1 = ?").arg(column);
            binds << value;
        }
    };
    addPattern(QStringLiteral("object"), filter.object);
    addPattern(QStringLiteral("action"), filter.action);
    if (!filter.reasonContains.isEmpty()) {
        // LIKE is case-sensitive on PostgreSQL and not on SQLite: compare lower-cased text on
        // both, with the user's % _ and \ escaped.
        QString needle = filter.reasonContains.toLower();
        needle.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
        needle.replace(QLatin1Char('%'), QStringLiteral("\\%"));
        needle.replace(QLatin1Char('_'), QStringLiteral("\\_"));
        sql += QStringLiteral(" AND lower(reason) LIKE ? ESCAPE '\\'");
        binds << QStringLiteral("%%1%").arg(needle);
    }
    if (filter.afterSeq > 0) {
        sql += QStringLiteral(" AND seq > ?");
        binds << filter.afterSeq;
    }
    if (filter.beforeSeq > 0) {
        sql += QStringLiteral(" AND seq < ?");
        binds << filter.beforeSeq;
    }
    return sql;
}

} // namespace

void AuditLog::forEach(const AuditFilter &filter, const std::function<void(const AuditEntry &)> &fn) const
{
    QVariantList binds;
    QString sql = QStringLiteral("SELECT seq, at, actor, account, action, object, before_json, after_json, reason, source,"
                                 " prev_hash, hash FROM audit_log WHERE 1 = 1")
                  + whereOf(filter, binds);
    if (filter.newestFirst) {
        sql += QStringLiteral(" ORDER BY seq DESC");
        if (filter.limit > 0)
            sql += QStringLiteral(" LIMIT %1").arg(filter.limit);
    } else {
        sql += QStringLiteral(" ORDER BY seq");
        if (filter.limit > 0) {
            // the newest N, still printed oldest first
            sql = QStringLiteral("SELECT * FROM (%1 DESC LIMIT %2) newest ORDER BY seq").arg(sql).arg(filter.limit);
        }
    }
    QSqlQuery q = m_ws.exec(sql, binds);
    while (q.next()) {
        AuditEntry e;
        e.seq = q.value(0).toLongLong();
        e.at = fromStoredTime(q.value(1).toString());
        e.actor = q.value(2).toString();
        e.account = q.value(3).toString();
        e.action = q.value(4).toString();
        e.object = q.value(5).toString();
        e.before = q.value(6).toString();
        e.after = q.value(7).toString();
        e.reason = q.value(8).toString();
        e.source = q.value(9).toString();
        e.prevHash = q.value(10).toString();
        e.hash = q.value(11).toString();
        fn(e);
    }
}

QList<AuditEntry> AuditLog::list(const AuditFilter &filter) const
{
    QList<AuditEntry> out;
    forEach(filter, [&](const AuditEntry &e) { out.append(e); });
    return out;
}

qint64 AuditLog::count(const AuditFilter &filter) const
{
    QVariantList binds;
    QString sql = QStringLiteral("SELECT seq FROM audit_log WHERE 1 = 1") + whereOf(filter, binds);
    if (filter.limit > 0)
        sql += QStringLiteral(" ORDER BY seq DESC LIMIT %1").arg(filter.limit);
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT COUNT(*) FROM (%1) matching").arg(sql), binds);
    return q.next() ? q.value(0).toLongLong() : 0;
}

AuditVerification AuditLog::verify() const
{
    AuditVerification v;
    m_ws.read([&] {
        QString prev = kGenesis;
        qint64 expectedSeq = 1;
        forEach({}, [&](const AuditEntry &e) {
            if (!v.ok)
                return;
            ++v.entries;
            if (e.seq != expectedSeq) {
                v.ok = false;
                v.firstBadSeq = expectedSeq;
                v.problem = tr("entry %1 is missing (the next entry is %2)").arg(expectedSeq).arg(e.seq);
                return;
            }
            if (e.prevHash != prev) {
                v.ok = false;
                v.firstBadSeq = e.seq;
                v.problem = tr("entry %1 does not link to the entry before it").arg(e.seq);
                return;
            }
            if (QString::fromLatin1(hashOf(prev, e)) != e.hash) {
                v.ok = false;
                v.firstBadSeq = e.seq;
                v.problem = tr("entry %1 was changed after it was written (its hash does not match)").arg(e.seq);
                return;
            }
            prev = e.hash;
            ++expectedSeq;
        });
        if (!v.ok)
            return;
        QSqlQuery head = m_ws.exec(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1"));
        const bool hasHead = head.next();
        const qint64 headSeq = hasHead ? head.value(0).toLongLong() : 0;
        const QString headHash = hasHead ? head.value(1).toString() : kGenesis;
        if (headSeq != expectedSeq - 1 || headHash != prev) {
            v.ok = false;
            v.firstBadSeq = std::min(headSeq, expectedSeq - 1) + 1;
            v.problem = headSeq > expectedSeq - 1
                            ? tr("entries %1 to %2 were deleted (the log ends at %3)").arg(expectedSeq).arg(headSeq).arg(expectedSeq - 1)
                            : tr("the chain head does not match the newest entry %1").arg(expectedSeq - 1);
            return;
        }
        v.headHash = prev;
    });
    return v;
}

qint64 AuditLog::exportCsv(QIODevice &out, const AuditFilter &filter) const
{
    qint64 n = 0;
    m_ws.read([&] {
        const AuditVerification v = verify();
        if (!v.ok)
            fail(tr("The audit chain does not verify (%1); export refused.").arg(v.problem));
        // RFC 4180 has no comment lines, so the chain head each row was verified against is a column.
        out.write(QByteArrayLiteral("seq,at,actor,account,source,action,object,reason,before,after,hash,verified_head\r\n"));
        forEach(filter, [&](const AuditEntry &e) {
            const QStringList fields{QString::number(e.seq), toStoredTime(e.at), e.actor, e.account, e.source, e.action,
                                     e.object, e.reason, e.before, e.after, e.hash, v.headHash};
            QStringList encoded;
            for (const QString &f : fields)
                encoded << csvField(f);
            out.write(encoded.join(QLatin1Char(',')).toUtf8() + QByteArrayLiteral("\r\n"));
            ++n;
        });
    });
    return n;
}

qint64 AuditLog::exportJsonl(QIODevice &out, const AuditFilter &filter) const
{
    qint64 n = 0;
    m_ws.read([&] {
        const AuditVerification v = verify();
        if (!v.ok)
            fail(tr("The audit chain does not verify (%1); export refused.").arg(v.problem));
        const QJsonObject header{{QStringLiteral("type"), QStringLiteral("syncpilot-audit-export")},
                                 {QStringLiteral("chainHead"), v.headHash},
                                 {QStringLiteral("entries"), v.entries}};
        out.write(QJsonDocument(header).toJson(QJsonDocument::Compact) + '\n');
        forEach(filter, [&](const AuditEntry &e) {
            out.write(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact) + '\n');
            ++n;
        });
    });
    return n;
}

} // namespace sp
