#pragma once

#include "audit/AuditLog.h"
#include "rollout/BackgroundAgent.h"

#include <QObject>
#include <QPointer>
#include <QString>

namespace sp {

class Clock;
class Workspace;
class WorkspaceTaskRunner;
class WorkspaceWatcher;

// What every view of one console shares: the workspace (GUI-thread connection, for short reads
// and every write), a watcher that says within a second when any process committed, a runner
// for long queries on a worker thread, and the console's background agent when it runs one.
// Views write through core objects with change() as the context, so audit entries say "gui" and
// name the signed-in account.
class ConsoleContext : public QObject
{
    Q_OBJECT

public:
    // location: what the workspace was opened from (the worker thread opens its own connection).
    ConsoleContext(Workspace &workspace, QString location, QObject *parent = nullptr);
    ~ConsoleContext() override;

    Workspace &workspace() const { return m_ws; }
    QString location() const { return m_location; }
    WorkspaceWatcher *watcher() const { return m_watcher; }
    WorkspaceTaskRunner *tasks() const { return m_tasks; }
    const Clock &clock() const;
    bool isReadOnly() const;

    // The console's controller and sync engine; null in tests and screenshots (then "Run now"
    // runs the sync through the task runner).
    BackgroundAgent *agent() const { return m_agent; }
    void setAgent(BackgroundAgent *agent);

    // Who acts: this OS user from the GUI, with the Google account signed in here.
    ChangeContext change(const QString &reason = {}) const;
    QString account() const;

    // Tells the window to show a message in the status bar (timeoutMs 0: until replaced).
    void showStatus(const QString &text, int timeoutMs = 5000) { Q_EMIT statusMessage(text, timeoutMs); }
    // A change was refused or failed: the window shows it in one non-blocking message box.
    void reportWriteError(const QString &message) { Q_EMIT writeFailed(message); }

Q_SIGNALS:
    void statusMessage(const QString &text, int timeoutMs);
    void writeFailed(const QString &message);
    void agentChanged();
    // Someone signed in or out on this computer (the Sync view's button): the header updates.
    void accountChanged();

public:
    void notifyAccountChanged() { Q_EMIT accountChanged(); }

private:
    Workspace &m_ws;
    QString m_location;
    WorkspaceWatcher *m_watcher = nullptr;
    WorkspaceTaskRunner *m_tasks = nullptr;
    QPointer<BackgroundAgent> m_agent;
};

} // namespace sp
