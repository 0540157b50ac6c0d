#include "ControllerLock.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSysInfo>

namespace sp {

namespace {

// The session-level advisory lock that marks the controller on PostgreSQL ("SyPC"); distinct from
// the transaction-scoped write lock, so holding it never blocks writers.
constexpr qint64 kControllerLockKey = 0x53795043;

QString nextLockConnection()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("syncpilot-controller-%1").arg(counter.fetchAndAddRelaxed(1));
}

QString shortTime(const QDateTime &t)
{
    return t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

struct ControllerLock::Private
{
    Workspace &ws;
    std::unique_ptr<QLockFile> file; // SQLite
    QString connection;              // PostgreSQL: the session that holds the advisory lock
    bool held = false;

    explicit Private(Workspace &w) : ws(w) {}

    QString lockPath() const { return ws.displayLocation() + QStringLiteral(".controller.lock"); }

    void closeConnection()
    {
        if (connection.isEmpty())
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        connection.clear();
    }
};

ControllerLock::ControllerLock(Workspace &workspace) : d(std::make_unique<Private>(workspace)) {}

ControllerLock::~ControllerLock() { release(); }

bool ControllerLock::tryAcquire()
{
    if (isHeld())
        return true;
    release(); // a lost PostgreSQL session: start over

    if (!d->ws.isPostgres()) {
        d->file = std::make_unique<QLockFile>(d->lockPath());
        // Held for days by the agent, so never stale by age: only when its holder died (QLockFile
        // checks the PID and process name on this host).
        d->file->setStaleLockTime(0);
        if (!d->file->tryLock(0)) {
            if (d->file->error() == QLockFile::PermissionError)
                fail(tr("Cannot create the controller lock file %1: permission denied.").arg(d->lockPath()));
            d->file.reset();
            return false;
        }
        d->held = true;
        return true;
    }

    d->connection = nextLockConnection();
    // The application name tells other consoles who holds the lock (see holderDescription()).
    const QString app = QStringLiteral("syncpilot controller pid %1 on %2")
                            .arg(QCoreApplication::applicationPid())
                            .arg(QSysInfo::machineHostName());
    QSqlDatabase db = d->ws.openSideConnection(d->connection, app);
    QSqlQuery q(db);
    bool got = false;
    if (q.prepare(QStringLiteral("SELECT pg_try_advisory_lock(?)"))) {
        q.addBindValue(kControllerLockKey);
        got = q.exec() && q.next() && q.value(0).toBool();
    }
    q = QSqlQuery();
    db = QSqlDatabase();
    if (!got) {
        d->closeConnection();
        return false;
    }
    d->held = true;
    return true;
}

void ControllerLock::release()
{
    if (d->file) {
        if (d->held)
            d->file->unlock();
        d->file.reset();
    }
    if (!d->connection.isEmpty()) {
        if (d->held) {
            QSqlQuery q(QSqlDatabase::database(d->connection, false));
            if (q.prepare(QStringLiteral("SELECT pg_advisory_unlock(?)"))) {
                q.addBindValue(kControllerLockKey);
                q.exec();
            }
        }
        // Closing the session releases the advisory lock anyway, even if the unlock failed.
        d->closeConnection();
    }
    d->held = false;
}

bool ControllerLock::isHeld() const
{
    if (!d->held)
        return false;
    if (!d->ws.isPostgres())
        return d->file && d->file->isLocked();
    // The lock lives as long as its session: ask the server whether this session still has it.
    QSqlQuery q(QSqlDatabase::database(d->connection, false));
    q.setForwardOnly(true);
    if (!q.prepare(QStringLiteral("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'"
                                  " AND granted AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1")))
        return false;
    q.addBindValue(kControllerLockKey >> 32);
    q.addBindValue(kControllerLockKey & 0xffffffff);
    return q.exec() && q.next() && q.value(0).toInt() > 0;
}

QString ControllerLock::holderDescription() const
{
    if (!d->ws.isPostgres()) {
        QLockFile probe(d->lockPath());
        qint64 pid = 0;
        QString host;
        QString app;
        if (!probe.getLockInfo(&pid, &host, &app))
            return tr("nobody (no lock file %1)").arg(d->lockPath());
        const QDateTime since = QFileInfo(d->lockPath()).lastModified();
        return tr("pid %1 (%2) on host %3 since %4").arg(pid).arg(app.isEmpty() ? tr("unknown program") : app,
                                                                  host.isEmpty() ? tr("unknown") : host, shortTime(since));
    }

    // Any connection will do; the workspace's own is fine outside a transaction, and a read
    // inside one is harmless too.
    QSqlQuery q(d->ws.database());
    q.setForwardOnly(true);
    const bool ok = q.prepare(QStringLiteral(
                        "SELECT a.pid, a.application_name, COALESCE(host(a.client_addr), ''), a.backend_start"
                        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? AND l.objid::bigint = ?"
                        " AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    if (ok) {
        q.addBindValue(kControllerLockKey >> 32);
        q.addBindValue(kControllerLockKey & 0xffffffff);
    }
    if (!ok || !q.exec())
        return tr("an unknown session (cannot read pg_locks)");
    if (!q.next())
        return tr("nobody");
    const QString app = q.value(1).toString();
    const QString from = q.value(2).toString();
    const QDateTime since = q.value(3).toDateTime();
    return tr("%1 (database session %2%3, since %4)")
        .arg(app.isEmpty() ? tr("an unnamed client") : app)
        .arg(q.value(0).toLongLong())
        .arg(from.isEmpty() ? QString() : tr(" from %1").arg(from), since.isValid() ? shortTime(since) : tr("unknown"));
}

} // namespace sp
