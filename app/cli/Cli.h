#pragma once

#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/Evaluator.h"
#include "workspace/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonValue>
#include <QList>
#include <QStringList>

#include <functional>
#include <memory>

namespace sp::cli {

class Cli;

// One CLI command ("flag set"): its words, help, options and action.
struct Command
{
    QStringList words;
    QString synopsis;    // arguments after the words, for the usage line
    QString description; // one line, translated
    std::function<void(QCommandLineParser &)> options;
    std::function<int(Cli &, QCommandLineParser &)> run;
};

// A targeting key from a keys file, with its optional attributes (key<TAB>name=value…).
struct KeyLine
{
    QString key;
    Attributes attributes;
    int line = 0;
};

// The command-line front end: global options, dispatch, output in text or JSON, exit codes
// (0 ok, 1 failure, 2 usage, 3 invalid input, 4 conflict).
class Cli
{
    Q_DECLARE_TR_FUNCTIONS(Cli)

public:
    Cli();
    int run(const QStringList &arguments);

    // The workspace of --workspace; only `init` may create one.
    Workspace &workspace(Workspace::OpenMode mode = Workspace::OpenMode::MustExist);
    bool json() const { return m_json; }
    ChangeContext context(const QString &source, const QString &reason = {}) const;

    void out(const QString &text) const;          // a line on stdout
    void outJson(const QJsonValue &value) const;  // indented JSON on stdout
    void warn(const QString &text) const;         // a line on stderr

    [[noreturn]] static void usage(const QString &message);
    // Reads a keys file: one targeting key a line, optionally followed by TAB-separated name=value
    // attributes. Blank lines are skipped; anything else malformed is an error naming FILE:LINE.
    static QList<KeyLine> readKeysFile(const QString &path, bool allowAttributes);
    static Attributes parseAttributes(const QStringList &pairs, const QString &where);
    static QDateTime parseTime(const QString &text, const QString &option);

private:
    void printHelp(const QStringList &prefix) const;
    const Command *find(const QStringList &words, int *consumed) const;

    QList<Command> m_commands;
    QString m_location;
    bool m_json = false;
    std::unique_ptr<Workspace> m_ws;
};

// An option with a value when valueName is given, a switch otherwise.
QCommandLineOption opt(const QString &name, const QString &help, const QString &valueName = {});
// The single positional argument, or a usage error naming what was expected.
QString oneArg(QCommandLineParser &p, const QString &what);

void addWorkspaceCommands(QList<Command> &commands);
void addFlagCommands(QList<Command> &commands);
void addAuditCommands(QList<Command> &commands);
void addMetricsCommands(QList<Command> &commands);  // MetricsCommands.cpp
void addRolloutCommands(QList<Command> &commands);  // RolloutCommands.cpp
void addRollbackCommands(QList<Command> &commands); // RollbackCommands.cpp
void addAgentCommands(QList<Command> &commands);    // AgentCommands.cpp (agent, webhook)
void addMapCommands(QList<Command> &commands);      // MapCommands.cpp (map)
void addAuthCommands(QList<Command> &commands);     // AuthCommands.cpp (auth google|figma …)
void addSyncCommands(QList<Command> &commands);     // SyncCommands.cpp (sync config|run|undo)

} // namespace sp::cli
