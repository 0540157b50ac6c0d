#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace sp::test {

// Data rows "sqlite" and "postgresql" for a data-driven Qt test (column "engine").
void addEngineColumn();

// A fresh, empty workspace location for engine ("sqlite" or "postgresql"): a file in dir, or a
// new database in the throwaway cluster of test.sh (SYNCPILOT_TEST_DB_URL). Returns an empty
// string when PostgreSQL is not available outside CI; under CI=true that is a hard failure.
QString freshWorkspace(const QString &engine, const QTemporaryDir &dir);

// Call at the start of a data-driven test: skips (or fails under CI) a postgresql row when no
// PostgreSQL is available, and returns the workspace location to use.
#define SP_FRESH_WORKSPACE(var, dir)                                                                 \
    QFETCH(QString, engine);                                                                         \
    const QString var = ::sp::test::freshWorkspace(engine, dir);                                     \
    if (var.isEmpty()) {                                                                             \
        if (qEnvironmentVariable("CI") == QLatin1String("true"))                                     \
            QFAIL("CI=true but SYNCPILOT_TEST_DB_URL is not set: PostgreSQL tests cannot be skipped"); \
        QSKIP("PostgreSQL not available (run through ./test.sh)");                                   \
    }

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString text() const { return QString::fromUtf8(out + err); }
};

// Runs syncpilot-cli with args (a workspace is passed as the first --workspace if given).
CliResult runCli(const QString &workspace, const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 60000);

QString cliPath();
QString sharedTestData(const QString &relative);
QByteArray readFile(const QString &path);
void writeFile(const QString &path, const QByteArray &bytes);

// Opens a direct SQL connection to a workspace (to tamper with it as an attacker would).
// Returns the Qt connection name; remove it with QSqlDatabase::removeDatabase when done.
QString rawConnection(const QString &workspace);

} // namespace sp::test
