#pragma once

#include <QObject>
#include <QSqlDriver>
#include <QString>
#include <QTimer>
#include <QVariant>

namespace sp {

class Workspace;

// Tells observers (the GUI's models) that some process — this one, the CLI, another console, the
// agent — committed a change to the workspace, within a second.
//
// It watches through a connection of its own, so it never touches the workspace object's
// transactions and sees this process's own commits like anyone else's:
// - SQLite: polls `PRAGMA data_version` every intervalMs (a no-I/O read that changes only when
//   another connection committed) and reads the revision only then.
// - PostgreSQL: LISTENs on Workspace::changeChannel (every write NOTIFYs at commit), with a slow
//   fallback poll that also notices a lost connection; on reconnect it resubscribes and emits
//   changed() once, because notifications sent while disconnected are gone.
// If the side connection cannot be opened it falls back to polling the revision through the
// workspace object itself, as before.
class WorkspaceWatcher : public QObject
{
    Q_OBJECT

public:
    // intervalMs: the SQLite poll period (and the retry period while a PostgreSQL listener is
    // disconnected). The PostgreSQL fallback poll runs every fallbackPollMs.
    explicit WorkspaceWatcher(Workspace &workspace, int intervalMs = 200, QObject *parent = nullptr);
    ~WorkspaceWatcher() override;

    qint64 revision() const { return m_revision; }
    // PostgreSQL: true while LISTENing. SQLite: true while the side connection is open.
    bool isListening() const { return m_sideOpen; }

    static constexpr int fallbackPollMs = 5000;

public Q_SLOTS:
    // Reads the revision now and emits changed() if it moved.
    void check();

Q_SIGNALS:
    void changed(qint64 revision);

private:
    void poll();
    void onNotification(const QString &channel, QSqlDriver::NotificationSource source, const QVariant &payload);
    bool openSide();
    void closeSide();
    qint64 readRevision(bool *ok);

    Workspace &m_ws;
    QTimer m_timer;
    QString m_connection;
    bool m_sideOpen = false;
    bool m_checkQueued = false;
    int m_intervalMs;
    qint64 m_revision = -1;
    qint64 m_dataVersion = -1;
};

} // namespace sp
