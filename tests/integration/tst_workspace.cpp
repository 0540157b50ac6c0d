#include "TestSupport.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTest>
#include <QUrl>

using namespace sp;

namespace {

Error openError(const QString &location)
{
    try {
        Workspace::open(location);
    } catch (const Error &e) {
        return e;
    }
    return Error(ErrorKind::Failure, QStringLiteral("<no error>"));
}

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed again when s goes out of scope: nothing listens there
}

} // namespace

class TstWorkspace : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void migratesOnOpenAndReopens_data() { test::addEngineColumn(); }
    void migratesOnOpenAndReopens()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        {
            auto ws = Workspace::open(location);
            QCOMPARE(ws->schemaVersion(), Workspace::latestSchemaVersion());
            QCOMPARE(ws->revision(), 0);
            ws->write([&] { ws->setMeta(QStringLiteral("probe"), QStringLiteral("1")); });
            QCOMPARE(ws->revision(), 1);
        }
        auto again = Workspace::open(location); // idempotent: nothing re-applied
        QCOMPARE(again->schemaVersion(), Workspace::latestSchemaVersion());
        QCOMPARE(again->meta(QStringLiteral("probe")), QStringLiteral("1"));
        QSqlQuery q = again->exec(QStringLiteral("SELECT count(*) FROM schema_migrations"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), Workspace::latestSchemaVersion());
    }

    void sqlitePragmas()
    {
        auto ws = Workspace::open(m_dir.filePath(QStringLiteral("pragmas.sqlite")));
        QSqlQuery q = ws->exec(QStringLiteral("PRAGMA journal_mode"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        q = ws->exec(QStringLiteral("PRAGMA foreign_keys"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        q = ws->exec(QStringLiteral("PRAGMA busy_timeout"));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() >= 5000);
    }

    void writeRollsBackOnError_data() { test::addEngineColumn(); }
    void writeRollsBackOnError()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        const qint64 before = ws->revision();
        QVERIFY_THROWS_EXCEPTION(Error, ws->write([&] {
            ws->setMeta(QStringLiteral("half"), QStringLiteral("written"));
            invalid(QStringLiteral("stop"));
        }));
        QCOMPARE(ws->meta(QStringLiteral("half")), QString());
        QCOMPARE(ws->revision(), before);
    }

    void rejectsNonSqliteFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.txt"));
        test::writeFile(path, "these are my notes, not a database\n");
        const Error e = openError(path);
        QCOMPARE(e.kind(), ErrorKind::InvalidInput);
        QVERIFY2(e.message().contains(path) && e.message().contains(QStringLiteral("not an SQLite database")), qPrintable(e.message()));
        QCOMPARE(test::readFile(path), QByteArray("these are my notes, not a database\n")); // untouched
    }

    void rejectsCorruptedSqliteFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("corrupt.sqlite"));
        { auto ws = Workspace::open(path); }
        QByteArray bytes = test::readFile(path);
        QVERIFY(bytes.size() > 100);
        for (int i = 16; i < 100; ++i) // the header's page size, counters, schema cookie…
            bytes[i] = char(0xff);
        test::writeFile(path, bytes);
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        const Error e = openError(path);
        QVERIFY2(e.kind() == ErrorKind::InvalidInput || e.kind() == ErrorKind::Failure, qPrintable(e.message()));
        QVERIFY2(e.message().contains(path), qPrintable(e.message()));
        QCOMPARE(test::readFile(path), bytes);
    }

    void rejectsForeignSqliteDatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("other-app.sqlite"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("foreign"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("CREATE TABLE contacts (name TEXT)"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("foreign"));
        const Error e = openError(path);
        QCOMPARE(e.kind(), ErrorKind::InvalidInput);
        QVERIFY2(e.message().contains(QStringLiteral("not a SyncPilot workspace")), qPrintable(e.message()));
    }

    void readOnlyFileRefusesWrites()
    {
        const QString path = m_dir.filePath(QStringLiteral("readonly.sqlite"));
        {
            auto ws = Workspace::open(path);
            FlagStore(*ws).create(FlagDraft{QStringLiteral("one"), {}, {}, true, 50, {}, {}, {}}, ChangeContext::local(QStringLiteral("test")));
        }
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        const QByteArray before = test::readFile(path);
        auto ws = Workspace::open(path);
        QVERIFY(ws->isReadOnly());
        QCOMPARE(FlagStore(*ws).flags().size(), 1); // reading works
        try {
            FlagStore(*ws).update(QStringLiteral("one"), FlagPatch{false, {}, {}, {}, {}, {}, {}, {}}, ChangeContext::local(QStringLiteral("test")));
            QFAIL("write to a read-only workspace succeeded");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(e.message().contains(QStringLiteral("read-only")) && e.message().contains(path), qPrintable(e.message()));
        }
        QCOMPARE(test::readFile(path), before);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    void unreachablePostgres()
    {
        const QString dsn = QStringLiteral("postgresql://syncpilot:topsecret@127.0.0.1:%1/nowhere").arg(freePort());
        QElapsedTimer t;
        t.start();
        const Error e = openError(dsn);
        QCOMPARE(e.kind(), ErrorKind::Failure);
        QVERIFY2(e.message().contains(QStringLiteral("Cannot connect to the PostgreSQL workspace")), qPrintable(e.message()));
        QVERIFY2(!e.message().contains(QStringLiteral("topsecret")), "the password must never appear in messages");
        QVERIFY2(e.message().contains(QStringLiteral("***")), qPrintable(e.message()));
    }

    void malformedPostgresUrl()
    {
        const Error e = openError(QStringLiteral("postgresql://"));
        QCOMPARE(e.kind(), ErrorKind::InvalidInput);
    }

    // Opening a second connection in the same process (the GUI's worker thread, a read-back)
    // must not drop the first one's SQLite locks: if it did, another process closing its last
    // connection would see no reader, delete the WAL and leave the first connection with
    // "disk I/O error".
    void secondOpenKeepsTheFirstConnectionsLocks()
    {
        const QString location = m_dir.filePath(QStringLiteral("locks.sqlite"));
        auto first = Workspace::open(location);
        FlagDraft a;
        a.key = QStringLiteral("first");
        FlagStore(*first).create(a, ChangeContext::local(QStringLiteral("test")));
        QCOMPARE(FlagStore(*first).flags().size(), 1);
        {
            auto second = Workspace::open(location);
            QCOMPARE(FlagStore(*second).flags().size(), 1);
        }
        const test::CliResult cli = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("create"), QStringLiteral("second")});
        QCOMPARE(cli.exitCode, 0);
        QVERIFY(QFile::exists(location + QStringLiteral("-wal")));
        QCOMPARE(FlagStore(*first).flags().size(), 2);
        FlagDraft c;
        c.key = QStringLiteral("third");
        FlagStore(*first).create(c, ChangeContext::local(QStringLiteral("test")));
        auto third = Workspace::open(location);
        QCOMPARE(FlagStore(*third).flags().size(), 3);
    }

    void directoryIsNotAWorkspace()
    {
        const Error e = openError(m_dir.path());
        QCOMPARE(e.kind(), ErrorKind::InvalidInput);
        QVERIFY(e.message().contains(QStringLiteral("directory")));
    }
};

QTEST_GUILESS_MAIN(TstWorkspace)
#include "tst_workspace.moc"
