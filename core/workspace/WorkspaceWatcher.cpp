#include "WorkspaceWatcher.h"

#include "Workspace.h"
#include "common/Error.h"

#include <QAtomicInteger>
#include <QSqlDatabase>
#include <QSqlQuery>

namespace sp {

namespace {

QString nextWatcherConnection()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("syncpilot-watch-%1").arg(counter.fetchAndAddRelaxed(1));
}

} // namespace

WorkspaceWatcher::WorkspaceWatcher(Workspace &workspace, int intervalMs, QObject *parent)
    : QObject(parent), m_ws(workspace), m_connection(nextWatcherConnection()), m_intervalMs(qMax(20, intervalMs))
{
    // Subscribe (or take the data_version baseline) before reading the revision, so a commit in
    // between is seen by one of the two.
    openSide();
    m_revision = m_ws.revision();
    connect(&m_timer, &QTimer::timeout, this, &WorkspaceWatcher::poll);
    m_timer.start(m_ws.isPostgres() && m_sideOpen ? fallbackPollMs : m_intervalMs);
}

WorkspaceWatcher::~WorkspaceWatcher() { closeSide(); }

bool WorkspaceWatcher::openSide()
{
    bool ok = false;
    try {
        QSqlDatabase db = m_ws.openSideConnection(m_connection, m_ws.isPostgres() ? QStringLiteral("syncpilot-listener") : QString());
        if (m_ws.isPostgres()) {
            QSqlDriver *driver = db.driver();
            connect(driver, &QSqlDriver::notification, this, &WorkspaceWatcher::onNotification);
            ok = driver->subscribeToNotification(QString::fromLatin1(Workspace::changeChannel));
        } else {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA data_version")) && q.next()) {
                m_dataVersion = q.value(0).toLongLong();
                ok = true;
            }
        }
    } catch (const Error &) {
        return false; // unreachable for now: the poll keeps trying
    }
    m_sideOpen = true;
    if (!ok)
        closeSide();
    return ok;
}

void WorkspaceWatcher::closeSide()
{
    if (!m_sideOpen)
        return;
    m_sideOpen = false;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.driver())
            disconnect(db.driver(), nullptr, this, nullptr);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

qint64 WorkspaceWatcher::readRevision(bool *ok)
{
    *ok = false;
    if (m_sideOpen) {
        {
            const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (db.isOpen()) { // QPSQL closes a connection it found dead
                QSqlQuery q(db);
                q.setForwardOnly(true);
                if (q.exec(QStringLiteral("SELECT value FROM workspace_meta WHERE name = 'revision'"))) {
                    *ok = true;
                    return q.next() ? q.value(0).toString().toLongLong() : 0;
                }
            }
        }
        closeSide(); // lost: the next poll reconnects
        if (m_ws.isPostgres())
            m_timer.start(m_intervalMs);
        return m_revision;
    }
    try {
        const qint64 r = m_ws.revision();
        *ok = true;
        return r;
    } catch (const Error &) {
        return m_revision; // a busy or briefly unreachable database: try again next tick
    }
}

void WorkspaceWatcher::check()
{
    m_checkQueued = false;
    bool ok = false;
    const qint64 now = readRevision(&ok);
    if (ok && now != m_revision) {
        m_revision = now;
        Q_EMIT changed(now);
    }
}

void WorkspaceWatcher::poll()
{
    if (m_ws.isPostgres()) {
        if (!m_sideOpen) {
            if (!openSide()) {
                check(); // through the workspace's own connection, if that still works
                return;
            }
            m_timer.start(fallbackPollMs);
            // Notifications sent while we were away are lost: resync once, unconditionally.
            bool ok = false;
            const qint64 now = readRevision(&ok);
            if (ok) {
                m_revision = now;
                Q_EMIT changed(now);
            }
            return;
        }
        check(); // the slow fallback: also notices a dead connection
        return;
    }

    if (!m_sideOpen && !openSide()) {
        check();
        return;
    }
    qint64 version = -1;
    {
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.setForwardOnly(true);
        if (q.exec(QStringLiteral("PRAGMA data_version")) && q.next())
            version = q.value(0).toLongLong();
    }
    if (version < 0) {
        closeSide();
        check();
        return;
    }
    if (version != m_dataVersion) {
        m_dataVersion = version;
        check();
    }
}

void WorkspaceWatcher::onNotification(const QString &channel, QSqlDriver::NotificationSource, const QVariant &)
{
    if (channel != QLatin1String(Workspace::changeChannel) || m_checkQueued)
        return;
    // A burst of commits yields one read; the payload is not trusted, the database is.
    m_checkQueued = true;
    QTimer::singleShot(0, this, &WorkspaceWatcher::check);
}

} // namespace sp
