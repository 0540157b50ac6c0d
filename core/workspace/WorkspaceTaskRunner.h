#pragma once

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace sp {

class Workspace;
class WorkspaceTaskWorker;

// Long queries off the GUI thread (DESIGN.md §2: one connection per thread; the GUI never blocks
// on long SQL). A worker thread opens its own connection to the workspace location on first use
// and runs jobs in order; each result is handed back on the runner's thread, to a receiver that
// may have gone away in the meantime (then it is dropped).
//
// A job submitted under a key replaces a job with the same key that has not started yet, so a
// view that refreshes on every change never builds a queue of stale queries.
class WorkspaceTaskRunner : public QObject
{
    Q_OBJECT

public:
    explicit WorkspaceTaskRunner(QString location, QObject *parent = nullptr);
    ~WorkspaceTaskRunner() override; // waits for the job under way, drops the rest

    // job runs on the worker thread with the worker's Workspace; done(result) runs on this
    // object's thread if receiver still exists. A thrown sp::Error (or the connection failing to
    // open) calls failed(message) instead, when given.
    template<typename T>
    void run(const QString &key, QObject *receiver, std::function<T(Workspace &)> job, std::function<void(T)> done,
             std::function<void(QString)> failed = {})
    {
        auto result = std::make_shared<T>();
        submit(
            key, receiver, [job = std::move(job), result](Workspace &ws) { *result = job(ws); },
            [done = std::move(done), result] { done(std::move(*result)); }, std::move(failed));
    }

    // Jobs submitted and not yet delivered (for tests and the busy indicator).
    int pending() const;

Q_SIGNALS:
    void busyChanged(bool busy);

private:
    friend class WorkspaceTaskWorker;
    void submit(const QString &key, QObject *receiver, std::function<void(Workspace &)> job, std::function<void()> done,
                std::function<void(QString)> failed);
    void deliver(QPointer<QObject> receiver, std::function<void()> done, std::function<void(QString)> failed,
                 const QString &error);

    QString m_location;
    QThread *m_thread = nullptr;
    WorkspaceTaskWorker *m_worker = nullptr;
    mutable QMutex m_mutex;
    QHash<QString, quint64> m_latest; // key -> newest generation submitted
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_stopping = false;
};

} // namespace sp
