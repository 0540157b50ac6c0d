#include "WorkspaceTaskRunner.h"

#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QMutexLocker>
#include <QThread>

#include <deque>
#include <exception>

namespace sp {

// Lives on the worker thread; owns that thread's connection.
class WorkspaceTaskWorker : public QObject
{
public:
    explicit WorkspaceTaskWorker(QString location) : m_location(std::move(location)) {}

    // Runs on the worker thread. Returns an error message, or an empty string on success.
    QString execute(const std::function<void(Workspace &)> &job)
    {
        try {
            if (!m_ws)
                m_ws = Workspace::open(m_location, Workspace::OpenMode::MustExist);
            job(*m_ws);
            return {};
        } catch (const Error &e) {
            return e.message();
        } catch (const std::exception &e) {
            return QString::fromLocal8Bit(e.what());
        }
    }

    void close() { m_ws.reset(); }

    // Runs task on the worker thread after every task posted before it. A job may spin a nested
    // event loop (HTTP, the keychain), which delivers the next posted task: that one waits for the
    // job under way instead of running inside it (two sync previews refreshing the same Google
    // token at once, one connection used by two jobs).
    void post(std::function<void()> task)
    {
        m_queue.push_back(std::move(task));
        if (m_draining)
            return;
        m_draining = true;
        while (!m_queue.empty()) {
            const std::function<void()> next = std::move(m_queue.front());
            m_queue.pop_front();
            next();
        }
        m_draining = false;
        if (m_finishing)
            finish();
    }

    // Closes the connection and deletes this worker, once the task under way (if any) is done.
    void finish()
    {
        if (m_draining) {
            m_finishing = true;
            return;
        }
        close();
        delete this;
    }

private:
    QString m_location;
    std::unique_ptr<Workspace> m_ws;
    std::deque<std::function<void()>> m_queue;
    bool m_draining = false;
    bool m_finishing = false;
};

WorkspaceTaskRunner::WorkspaceTaskRunner(QString location, QObject *parent) : QObject(parent), m_location(std::move(location))
{
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("workspace-tasks"));
    m_worker = new WorkspaceTaskWorker(m_location);
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

WorkspaceTaskRunner::~WorkspaceTaskRunner()
{
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true; // every queued job is skipped, not run
    }
    // The connection is closed on the thread that opened it, then the thread ends.
    WorkspaceTaskWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->finish(); }, Qt::QueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

int WorkspaceTaskRunner::pending() const
{
    QMutexLocker lock(&m_mutex);
    return m_pending;
}

void WorkspaceTaskRunner::submit(const QString &key, QObject *receiver, std::function<void(Workspace &)> job,
                                 std::function<void()> done, std::function<void(QString)> failed)
{
    quint64 generation = 0;
    bool becameBusy = false;
    {
        QMutexLocker lock(&m_mutex);
        generation = ++m_generation;
        if (!key.isEmpty())
            m_latest.insert(key, generation);
        becameBusy = m_pending++ == 0;
    }
    if (becameBusy)
        Q_EMIT busyChanged(true);

    QPointer<QObject> target(receiver);
    WorkspaceTaskWorker *worker = m_worker;
    std::function<void()> task =
        [this, worker, generation, key, target, job = std::move(job), done = std::move(done), failed = std::move(failed)]() mutable {
            bool stale = false;
            {
                QMutexLocker lock(&m_mutex);
                stale = m_stopping || (!key.isEmpty() && m_latest.value(key) != generation);
            }
            QString error;
            if (!stale)
                error = worker->execute(job);
            else
                done = nullptr; // superseded: nothing to hand back
            QMetaObject::invokeMethod(
                this,
                [this, target, done = std::move(done), failed = std::move(failed), error]() mutable {
                    deliver(target, std::move(done), std::move(failed), error);
                },
                Qt::QueuedConnection);
        };
    QMetaObject::invokeMethod(worker, [worker, task = std::move(task)]() mutable { worker->post(std::move(task)); }, Qt::QueuedConnection);
}

void WorkspaceTaskRunner::deliver(QPointer<QObject> receiver, std::function<void()> done, std::function<void(QString)> failed,
                                  const QString &error)
{
    bool idle = false;
    {
        QMutexLocker lock(&m_mutex);
        idle = --m_pending == 0;
    }
    if (receiver && done && error.isEmpty())
        done();
    else if (receiver && done && failed)
        failed(error);
    if (idle)
        Q_EMIT busyChanged(false);
}

} // namespace sp
