#pragma once

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <functional>
#include <memory>

namespace sp {

// One workspace database: an SQLite file (WAL, foreign keys, busy timeout) or a PostgreSQL
// database shared by a team. A Workspace owns one connection and must be used from the thread
// that opened it (QtSql's rule); open another Workspace per thread.
class Workspace
{
    Q_DECLARE_TR_FUNCTIONS(Workspace)

public:
    enum class Engine { Sqlite, Postgres };

    enum class OpenMode {
        CreateIfMissing, // a new SQLite file / an empty PostgreSQL database becomes a workspace
        MustExist,       // refuse (InvalidInput) unless the workspace was initialised before
    };

    // location: a file path, or a postgresql://user:password@host:port/db DSN. Applies pending
    // migrations. Throws sp::Error with a message naming the location (never the password).
    static std::unique_ptr<Workspace> open(const QString &location, OpenMode mode = OpenMode::CreateIfMissing);

    // The file used when no --workspace is given: under QStandardPaths::AppDataLocation.
    static QString defaultLocation();

    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    Engine engine() const { return m_engine; }
    bool isPostgres() const { return m_engine == Engine::Postgres; }
    // The location as given, with any password masked: safe for logs and messages.
    QString displayLocation() const { return m_display; }
    // Short human name: the file name or the database name.
    QString name() const;
    bool isReadOnly() const { return m_readOnly; }
    int schemaVersion() const;
    static int latestSchemaVersion();

    QSqlDatabase database() const;

    // Runs fn inside one write transaction, serialised against every other writer of this
    // workspace in any process (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
    // lock), and bumps the workspace revision. Rolls back and rethrows if fn throws.
    void write(const std::function<void()> &fn);
    // Runs fn inside a read transaction: one consistent snapshot of the workspace.
    void read(const std::function<void()> &fn) const;
    bool inTransaction() const { return m_txDepth > 0; }

    // Executes sql with bound values, throws sp::Error(Failure) naming the statement on error.
    QSqlQuery exec(const QString &sql, const QVariantList &binds = {}) const;

    // Changes each time any process commits a write. Cheap to poll.
    qint64 revision() const;

    // Small named values (kill switch, publish path, …). setMeta only inside write().
    QString meta(const QString &name, const QString &fallback = {}) const;
    void setMeta(const QString &name, const QString &value);
    // Bookkeeping that is not a change of the workspace (controller heartbeat, webhook cursors):
    // written in its own short write transaction (or the enclosing one) WITHOUT bumping the
    // revision, so watchers and GUIs do not reload for it. Not audited.
    void setMetaQuietly(const QString &name, const QString &value);

    // The PostgreSQL channel every committed write notifies (payload: the new revision).
    static constexpr const char *changeChannel = "syncpilot_changes";
    // Opens a second connection to the same database under connectionName (same file or DSN and
    // options; PostgreSQL: application_name set to applicationName when given), for a listener or
    // a session-level lock that must not share this object's transactions. Same thread only.
    // The caller closes it and calls QSqlDatabase::removeDatabase(connectionName). Throws
    // sp::Error naming the location (never the password) if it cannot connect.
    QSqlDatabase openSideConnection(const QString &connectionName, const QString &applicationName = {}) const;

private:
    Workspace(Engine engine, QString connectionName, QString display, bool readOnly);
    void migrate();
    void exclusive(const std::function<void()> &fn, bool bumpRevision);

    Engine m_engine;
    QString m_connection;
    QString m_display;
    bool m_readOnly = false;
    mutable int m_txDepth = 0;
};

} // namespace sp
