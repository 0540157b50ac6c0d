#include "BreakerStateStore.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QHash>
#include <QSqlQuery>

namespace sp {

namespace {

bool validState(const QString &state)
{
    return state == QLatin1String("closed") || state == QLatin1String("open") || state == QLatin1String("half_open");
}

BreakerState stateFrom(const QSqlQuery &q)
{
    BreakerState s;
    s.upstream = q.value(0).toString();
    s.state = q.value(1).toString();
    s.failures = q.value(2).toInt();
    s.since = fromStoredTime(q.value(3).toString());
    s.updatedAt = fromStoredTime(q.value(4).toString());
    s.lastError = q.value(5).toString();
    s.publisher = q.value(6).toString();
    return s;
}

const QString kSelect = QStringLiteral("SELECT upstream, state, failures, since, updated_at, last_error, publisher FROM breaker_states");

} // namespace

void BreakerStateStore::publish(const QList<BreakerState> &states)
{
    for (const BreakerState &s : states) {
        if (s.upstream.trimmed().isEmpty())
            throw Error(ErrorKind::InvalidInput, tr("A circuit breaker state needs an upstream."));
        if (!validState(s.state))
            throw Error(ErrorKind::InvalidInput,
                        tr("Circuit breaker state of %1: \"%2\" is not closed, open or half_open.").arg(s.upstream, s.state));
    }
    if (states.isEmpty())
        return;
    const QDateTime now = Clock::current().now();
    m_ws.write([&] {
        for (const BreakerState &s : states) {
            const QDateTime updated = s.updatedAt.isValid() ? s.updatedAt : now;
            QSqlQuery q = m_ws.exec(QStringLiteral("SELECT state, since FROM breaker_states WHERE upstream = ?"), {s.upstream});
            const bool known = q.next();
            const QString before = known ? q.value(0).toString() : QString();
            const bool changed = before != s.state;
            // A state that did not change keeps the time it was entered; a new one starts now
            // (or when the publisher says it started).
            QString since = known && !changed ? q.value(1).toString() : toStoredTime(s.since.isValid() ? s.since : updated);
            q.finish();
            if (known) {
                m_ws.exec(QStringLiteral("UPDATE breaker_states SET state = ?, failures = ?, since = ?, updated_at = ?,"
                                         " last_error = ?, publisher = ? WHERE upstream = ?"),
                          {s.state, s.failures, since, toStoredTime(updated), s.lastError, s.publisher, s.upstream});
            } else {
                m_ws.exec(QStringLiteral("INSERT INTO breaker_states (upstream, state, failures, since, updated_at, last_error, publisher)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?)"),
                          {s.upstream, s.state, s.failures, since, toStoredTime(updated), s.lastError, s.publisher});
            }
            // An upstream first seen closed is no event: nothing happened to it yet.
            if (changed && (known || s.state != QLatin1String("closed")))
                m_ws.exec(QStringLiteral("INSERT INTO breaker_events (at, upstream, state, last_error) VALUES (?, ?, ?, ?)"),
                          {since, s.upstream, s.state, s.lastError});
        }
    });
}

QList<BreakerState> BreakerStateStore::list() const
{
    QList<BreakerState> out;
    QSqlQuery q = m_ws.exec(kSelect + QStringLiteral(" ORDER BY upstream"));
    while (q.next())
        out << stateFrom(q);
    return out;
}

QList<BreakerState> BreakerStateStore::open() const
{
    QList<BreakerState> out;
    QSqlQuery q = m_ws.exec(kSelect + QStringLiteral(" WHERE state <> 'closed' ORDER BY upstream"));
    while (q.next())
        out << stateFrom(q);
    return out;
}

QList<BreakerEvent> BreakerStateStore::events(const QDateTime &from, const QDateTime &to) const
{
    QList<BreakerEvent> out;
    m_ws.read([&] {
        const QString fromText = toStoredTime(from);
        // Each query in its own scope: PostgreSQL deallocates a prepared statement when its
        // QSqlQuery goes, which must not happen while the next one is still streaming rows.
        {
            // The state each upstream was in at `from`: its latest event before it.
            QSqlQuery q = m_ws.exec(QStringLiteral("SELECT e.upstream, e.state, e.last_error FROM breaker_events e"
                                                   " WHERE e.id = (SELECT MAX(l.id) FROM breaker_events l"
                                                   "  WHERE l.upstream = e.upstream AND l.at < ?)"
                                                   " ORDER BY e.upstream"),
                                    {fromText});
            while (q.next())
                out << BreakerEvent{from, q.value(0).toString(), q.value(1).toString(), q.value(2).toString()};
        }
        {
            QSqlQuery q = m_ws.exec(QStringLiteral("SELECT at, upstream, state, last_error FROM breaker_events"
                                                   " WHERE at >= ? AND at < ? ORDER BY at, id"),
                                    {fromText, toStoredTime(to)});
            while (q.next())
                out << BreakerEvent{fromStoredTime(q.value(0).toString()), q.value(1).toString(), q.value(2).toString(),
                                    q.value(3).toString()};
        }
    });
    return out;
}

} // namespace sp
