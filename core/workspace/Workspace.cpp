#include "Workspace.h"

#include "Migrations.h"
#include "common/Clock.h"
#include "common/Error.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace sp {

namespace {

// Serialises writers on PostgreSQL (pg_advisory_xact_lock). Any constant works; this is "SyPi".
constexpr qint64 kWriteLockKey = 0x53795069;

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("syncpilot-%1").arg(counter.fetchAndAddRelaxed(1));
}

bool isPostgresDsn(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

QString maskPassword(const QString &dsn)
{
    QUrl url(dsn);
    if (!url.password().isEmpty())
        url.setPassword(QStringLiteral("***"));
    return url.toString();
}

bool hasWriteBits(const QString &path)
{
    const auto perms = QFile::permissions(path);
    return perms & (QFileDevice::WriteOwner | QFileDevice::WriteGroup | QFileDevice::WriteOther);
}

} // namespace

Workspace::Workspace(Engine engine, QString connectionName, QString display, bool readOnly)
    : m_engine(engine), m_connection(std::move(connectionName)), m_display(std::move(display)), m_readOnly(readOnly)
{
}

Workspace::~Workspace()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QString Workspace::defaultLocation()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("workspace.sqlite"));
}

std::unique_ptr<Workspace> Workspace::open(const QString &location, OpenMode mode)
{
    const QString name = nextConnectionName();
    std::unique_ptr<Workspace> ws;

    if (isPostgresDsn(location)) {
        const QUrl url(location);
        const QString display = maskPassword(location);
        if (!url.isValid() || url.host().isEmpty() || url.path().size() < 2)
            invalid(tr("Workspace %1 is not a valid PostgreSQL URL (expected postgresql://user:password@host:port/database).")
                        .arg(display));
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            fail(tr("The Qt PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql."));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        ws.reset(new Workspace(Engine::Postgres, name, display, false));
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(url.userName(QUrl::FullyDecoded));
        db.setPassword(url.password(QUrl::FullyDecoded));
        QStringList options{QStringLiteral("connect_timeout=5"), QStringLiteral("application_name=syncpilot")};
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
            if (key != QLatin1String("application_name") && key != QLatin1String("connect_timeout"))
                options << key + QLatin1Char('=') + value;
            else if (key == QLatin1String("connect_timeout"))
                options[0] = key + QLatin1Char('=') + value;
        db.setConnectOptions(options.join(QLatin1Char(';')));
        if (!db.open())
            fail(tr("Cannot connect to the PostgreSQL workspace %1: %2").arg(display, db.lastError().text().trimmed()));
        ws->exec(QStringLiteral("SET client_min_messages TO WARNING"));
        if (mode == OpenMode::MustExist) {
            QSqlQuery q = ws->exec(QStringLiteral("SELECT to_regclass('schema_migrations') IS NOT NULL"));
            if (!q.next() || !q.value(0).toBool())
                invalid(tr("The PostgreSQL database %1 holds no SyncPilot workspace yet; create it with: "
                           "syncpilot-cli --workspace %1 init").arg(display));
        }
    } else {
        const QFileInfo info(location);
        const QString path = info.absoluteFilePath();
        if (info.isDir())
            invalid(tr("Workspace %1 is a directory, not a workspace file.").arg(path));
        bool readOnly = false;
        // The file's header is checked without opening it here when this process may already
        // hold SQLite connections to it: closing any descriptor of a file drops every POSIX lock
        // the process holds on it, so another process would then see no reader and could remove
        // the WAL under our connections ("disk I/O error"). A wrong header is looked for only
        // once SQLite itself has refused the file.
        const auto checkHeader = [&path, &info] {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                invalid(tr("Workspace %1 cannot be read: %2").arg(path, file.errorString()));
            const QByteArray header = file.read(16);
            if (info.size() > 0 && header != QByteArrayLiteral("SQLite format 3\0"))
                invalid(tr("%1 is not a SyncPilot workspace: it is not an SQLite database file.").arg(path));
        };
        if (info.exists()) {
            if (!info.isReadable())
                checkHeader(); // names the reason the file cannot be read
            // Root ignores permission bits, so honour a file marked read-only explicitly.
            readOnly = !info.isWritable() || !hasWriteBits(path);
        } else {
            if (mode == OpenMode::MustExist)
                invalid(tr("Workspace %1 does not exist; create it with: syncpilot-cli --workspace %1 init").arg(path));
            if (!QDir().mkpath(info.absolutePath()))
                fail(tr("Cannot create the folder for workspace %1.").arg(path));
        }
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
            fail(tr("The Qt SQLite driver (QSQLITE) is not installed; install libqt6sql6-sqlite."));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        ws.reset(new Workspace(Engine::Sqlite, name, path, readOnly));
        db.setDatabaseName(path);
        db.setConnectOptions(readOnly ? QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000;QSQLITE_OPEN_READONLY")
                                      : QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        if (!db.open()) {
            if (info.exists())
                checkHeader();
            fail(tr("Cannot open workspace %1: %2").arg(path, db.lastError().text().trimmed()));
        }
        QSqlQuery probe(db);
        if (!probe.exec(QStringLiteral("PRAGMA schema_version"))) {
            if (info.exists())
                checkHeader();
            invalid(tr("%1 is not a usable SyncPilot workspace: %2").arg(path, probe.lastError().text().trimmed()));
        }
        probe.finish();
        if (!readOnly) {
            // WAL lets readers (the GUI, publish status) run while a writer commits.
            ws->exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            ws->exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        }
        ws->exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        // A foreign SQLite database must not be turned into a workspace by accident.
        QSqlQuery tables = ws->exec(QStringLiteral(
            "SELECT count(*), sum(CASE WHEN name = 'schema_migrations' THEN 1 ELSE 0 END) FROM sqlite_master WHERE type = 'table'"));
        tables.next();
        if (tables.value(0).toInt() > 0 && tables.value(1).toInt() == 0)
            invalid(tr("%1 is an SQLite database but not a SyncPilot workspace.").arg(path));
    }
    ws->migrate();
    return ws;
}

QString Workspace::name() const
{
    if (isPostgres())
        return QUrl(m_display).path().mid(1);
    return QFileInfo(m_display).completeBaseName();
}

QSqlDatabase Workspace::database() const { return QSqlDatabase::database(m_connection, false); }

QSqlQuery Workspace::exec(const QString &sql, const QVariantList &binds) const
{
    QSqlQuery q(database());
    q.setForwardOnly(true);
    bool ok;
    if (binds.isEmpty()) {
        ok = q.exec(sql);
    } else {
        ok = q.prepare(sql);
        if (ok) {
            for (const QVariant &v : binds) {
                // Every text column is NOT NULL: a null QString means "empty", not SQL NULL.
                if (v.typeId() == QMetaType::QString && v.toString().isNull())
                    q.addBindValue(QString(QLatin1String("")));
                else
                    q.addBindValue(v);
            }
            ok = q.exec();
        }
    }
    if (!ok) {
        const QSqlError err = q.lastError();
        const QString text = err.text().trimmed();
        if (text.contains(QLatin1String("readonly database")) || text.contains(QLatin1String("read-only")))
            invalid(tr("Workspace %1 is read-only; nothing was changed.").arg(m_display));
        fail(tr("Database error in workspace %1: %2 (statement: %3)").arg(m_display, text, sql.left(120)));
    }
    return q;
}

void Workspace::exclusive(const std::function<void()> &fn, bool bumpRevision)
{
    if (m_txDepth > 0) { // nested: part of the enclosing transaction
        fn();
        return;
    }
    if (m_readOnly)
        invalid(tr("Workspace %1 is read-only; nothing was changed.").arg(m_display));
    if (isPostgres()) {
        exec(QStringLiteral("BEGIN"));
    } else {
        QSqlQuery q(database());
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
            const QString text = q.lastError().text().trimmed();
            if (text.contains(QLatin1String("readonly")))
                invalid(tr("Workspace %1 is read-only; nothing was changed.").arg(m_display));
            fail(tr("Workspace %1 is busy (another process holds the write lock): %2").arg(m_display, text));
        }
    }
    ++m_txDepth;
    try {
        if (isPostgres())
            exec(QStringLiteral("SELECT pg_advisory_xact_lock(?)"), {kWriteLockKey});
        fn();
        if (bumpRevision) {
            const QString next = QString::number(revision() + 1);
            exec(QStringLiteral("UPDATE workspace_meta SET value = ? WHERE name = 'revision'"), {next});
            // Delivered to every LISTENing WorkspaceWatcher when (and only if) this commits.
            if (isPostgres())
                exec(QStringLiteral("SELECT pg_notify(?, ?)"), {QString::fromLatin1(changeChannel), next});
        }
        exec(QStringLiteral("COMMIT"));
        --m_txDepth;
    } catch (...) {
        --m_txDepth;
        QSqlQuery rollback(database());
        rollback.exec(QStringLiteral("ROLLBACK"));
        throw;
    }
}

void Workspace::write(const std::function<void()> &fn) { exclusive(fn, true); }

void Workspace::read(const std::function<void()> &fn) const
{
    if (m_txDepth > 0) {
        fn();
        return;
    }
    exec(isPostgres() ? QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") : QStringLiteral("BEGIN"));
    ++m_txDepth;
    try {
        fn();
        --m_txDepth;
        exec(QStringLiteral("COMMIT"));
    } catch (...) {
        --m_txDepth;
        QSqlQuery rollback(database());
        rollback.exec(QStringLiteral("ROLLBACK"));
        throw;
    }
}

qint64 Workspace::revision() const { return meta(QStringLiteral("revision"), QStringLiteral("0")).toLongLong(); }

QString Workspace::meta(const QString &name, const QString &fallback) const
{
    QSqlQuery q = exec(QStringLiteral("SELECT value FROM workspace_meta WHERE name = ?"), {name});
    return q.next() ? q.value(0).toString() : fallback;
}

void Workspace::setMeta(const QString &name, const QString &value)
{
    Q_ASSERT(m_txDepth > 0);
    QSqlQuery q = exec(QStringLiteral("UPDATE workspace_meta SET value = ? WHERE name = ?"), {value, name});
    if (q.numRowsAffected() == 0)
        exec(QStringLiteral("INSERT INTO workspace_meta (name, value) VALUES (?, ?)"), {name, value});
}

void Workspace::setMetaQuietly(const QString &name, const QString &value)
{
    exclusive([&] { setMeta(name, value); }, false);
}

QSqlDatabase Workspace::openSideConnection(const QString &connectionName, const QString &applicationName) const
{
    QSqlDatabase db = QSqlDatabase::cloneDatabase(database(), connectionName);
    if (isPostgres() && !applicationName.isEmpty()) {
        QStringList options = db.connectOptions().split(QLatin1Char(';'), Qt::SkipEmptyParts);
        options.removeIf([](const QString &o) { return o.startsWith(QLatin1String("application_name=")); });
        // QPSQL joins the options with spaces into a libpq conninfo string: quote the value
        // (libpq keeps the first NAMEDATALEN - 1 bytes); ';' would split the option list.
        QString app = applicationName.left(63);
        app.replace(QLatin1Char(';'), QLatin1Char(','));
        app.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
        app.replace(QLatin1Char('\''), QLatin1String("\\'"));
        options << QStringLiteral("application_name='%1'").arg(app);
        db.setConnectOptions(options.join(QLatin1Char(';')));
    }
    if (!db.open()) {
        const QString text = db.lastError().text().trimmed();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connectionName);
        fail(tr("Cannot open a second connection to workspace %1: %2").arg(m_display, text));
    }
    if (isPostgres()) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("SET client_min_messages TO WARNING"));
    } else {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    }
    return db;
}

int Workspace::latestSchemaVersion() { return migrations().isEmpty() ? 0 : migrations().constLast().version; }

int Workspace::schemaVersion() const
{
    QSqlQuery q = exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    return q.next() ? q.value(0).toInt() : 0;
}

void Workspace::migrate()
{
    const auto pending = [this] {
        QSqlQuery q(database());
        if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) || !q.next())
            return true; // no table yet
        return q.value(0).toInt() < latestSchemaVersion();
    };
    if (!pending())
        return;
    if (m_readOnly)
        invalid(tr("Workspace %1 is read-only and needs a schema upgrade; open it writable once.").arg(m_display));

    exclusive([this] {
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"));
        const int current = schemaVersion(); // re-read under the lock: another process may have migrated
        for (const Migration &m : migrations()) {
            if (m.version <= current)
                continue;
            const QString idType = isPostgres() ? QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                                                : QStringLiteral("INTEGER PRIMARY KEY");
            for (QString sql : m.statements)
                exec(sql.replace(QLatin1String("{id}"), idType));
            for (const QString &sql : isPostgres() ? m.postgresStatements : m.sqliteStatements)
                exec(sql);
            exec(QStringLiteral("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
                 {m.version, toStoredTime(Clock::current().now())});
        }
    }, false);
}

} // namespace sp
