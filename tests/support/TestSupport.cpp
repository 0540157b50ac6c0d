#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

#include "common/EnglishPlurals.h"

namespace {
// Every test program speaks English with proper plurals, like the CLI and the GUI.
void installPlurals() { sp::EnglishPlurals::install(QCoreApplication::instance()); }
Q_COREAPP_STARTUP_FUNCTION(installPlurals)
} // namespace

namespace sp::test {

void addEngineColumn()
{
    QTest::addColumn<QString>("engine");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

QString freshWorkspace(const QString &engine, const QTemporaryDir &dir)
{
    static int counter = 0;
    if (engine == QLatin1String("sqlite"))
        return dir.filePath(QStringLiteral("ws-%1.sqlite").arg(++counter));

    const QString base = qEnvironmentVariable("SYNCPILOT_TEST_DB_URL");
    if (base.isEmpty())
        return {};
    QUrl url(base);
    const QString name = QStringLiteral("sp_t_%1_%2").arg(QCoreApplication::applicationPid()).arg(QRandomGenerator::global()->generate() & 0xffffff);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("sp-test-admin"));
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (!db.open())
            qFatal("cannot connect to SYNCPILOT_TEST_DB_URL: %s", qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("CREATE DATABASE %1").arg(name)))
            qFatal("cannot create test database: %s", qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("sp-test-admin"));
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

QString cliPath() { return QStringLiteral(SYNCPILOT_CLI_PATH); }

QString sharedTestData(const QString &relative)
{
    return QDir(QStringLiteral(SYNCPILOT_SHARED_TESTDATA)).filePath(relative);
}

CliResult runCli(const QString &workspace, const QStringList &args, const QByteArray &stdinData, int timeoutMs)
{
    QProcess p;
    QStringList all;
    if (!workspace.isEmpty())
        all << QStringLiteral("--workspace") << workspace;
    all << args;
    p.start(cliPath(), all);
    if (!p.waitForStarted())
        qFatal("cannot start %s", qPrintable(cliPath()));
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timeout";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

QString rawConnection(const QString &workspace)
{
    static int counter = 0;
    const QString name = QStringLiteral("sp-raw-%1").arg(++counter);
    if (workspace.startsWith(QLatin1String("postgresql://"))) {
        const QUrl url(workspace);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (!db.open())
            qFatal("raw connection failed: %s", qPrintable(db.lastError().text()));
    } else {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(workspace);
        if (!db.open())
            qFatal("raw connection failed: %s", qPrintable(db.lastError().text()));
    }
    return name;
}

} // namespace sp::test
