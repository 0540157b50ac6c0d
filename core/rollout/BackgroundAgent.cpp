#include "BackgroundAgent.h"

#include "common/Error.h"
#include "rollout/ControllerLock.h"
#include "workspace/Workspace.h"

#include <QThread>
#include <QTimer>

#include <memory>

namespace sp {

// Lives on the worker thread: everything that touches the database is created, used and
// destroyed there.
class BackgroundAgentWorker : public QObject
{
    Q_OBJECT

public:
    BackgroundAgentWorker(QString location, qint64 intervalMs, bool noSync)
        : m_location(std::move(location)), m_intervalMs(intervalMs), m_noSync(noSync)
    {
    }

    void begin()
    {
        m_timer = std::make_unique<QTimer>();
        m_timer->setSingleShot(true); // the interval runs from the end of a pass: passes never overlap
        connect(m_timer.get(), &QTimer::timeout, this, &BackgroundAgentWorker::pass);
        pass();
    }

    void runSync(const QString &config)
    {
        if (!open())
            return;
        m_loop->runSync(config);
    }

    void shutdown()
    {
        m_timer.reset();
        m_loop.reset();
        if (m_lock)
            m_lock->release();
        m_lock.reset();
        m_ws.reset();
        m_state = State::Stopped;
    }

Q_SIGNALS:
    void controllerHere();
    void controllerElsewhere(const QString &holderDescription);
    void decided(const sp::LedgerEntry &entry);
    void synced(const sp::SyncRun &run);
    void problem(const QString &message);
    void lockLost(const QString &holder);

private:
    enum class State { Unknown, Here, Elsewhere, Stopped };

    bool open()
    {
        if (m_ws)
            return true;
        try {
            m_ws = Workspace::open(m_location, Workspace::OpenMode::MustExist);
            m_lock = std::make_unique<ControllerLock>(*m_ws);
            m_loop = std::make_unique<AgentLoop>(*m_ws, *m_lock, m_intervalMs);
            m_loop->setNoSync(m_noSync);
            m_openError.clear();
            connect(m_loop.get(), &AgentLoop::decided, this, &BackgroundAgentWorker::decided);
            connect(m_loop.get(), &AgentLoop::synced, this, &BackgroundAgentWorker::synced);
            connect(m_loop.get(), &AgentLoop::problem, this, &BackgroundAgentWorker::problem);
            connect(m_loop.get(), &AgentLoop::lockLost, this, &BackgroundAgentWorker::lockLost);
            connect(m_loop.get(), &AgentLoop::wakeRequested, this, [this] {
                if (m_timer && m_state == State::Here)
                    m_timer->start(0);
            });
            return true;
        } catch (const Error &e) {
            m_loop.reset();
            m_lock.reset();
            m_ws.reset();
            // Retried every interval: say it once (and again only if the reason changes).
            if (e.message() != m_openError)
                Q_EMIT problem(e.message());
            m_openError = e.message();
            return false;
        }
    }

    // One interval's work: take the lock if nobody has it, then tick while it is ours.
    void pass()
    {
        if (m_state == State::Stopped)
            return;
        if (open()) {
            if (m_state != State::Here) {
                bool got = false;
                try {
                    got = m_lock->tryAcquire();
                } catch (const Error &e) {
                    Q_EMIT problem(e.message());
                }
                if (got) {
                    m_state = State::Here;
                    Q_EMIT controllerHere();
                } else {
                    const QString holder = m_lock->holderDescription();
                    if (m_state != State::Elsewhere || holder != m_holder)
                        Q_EMIT controllerElsewhere(holder);
                    m_state = State::Elsewhere;
                    m_holder = holder;
                }
            }
            if (m_state == State::Here) {
                m_loop->tick();
                if (m_loop->hasLostLock()) {
                    // Someone else took over (a dropped PostgreSQL session): go back to waiting.
                    m_state = State::Elsewhere;
                    m_holder = m_lock->holderDescription();
                    Q_EMIT controllerElsewhere(m_holder);
                }
            }
        }
        if (m_timer)
            m_timer->start(int(m_intervalMs));
    }

    QString m_location;
    qint64 m_intervalMs;
    bool m_noSync;
    State m_state = State::Unknown;
    QString m_holder;
    QString m_openError;
    std::unique_ptr<Workspace> m_ws;
    std::unique_ptr<ControllerLock> m_lock;
    std::unique_ptr<AgentLoop> m_loop;
    std::unique_ptr<QTimer> m_timer;
};

BackgroundAgent::BackgroundAgent(QString workspaceLocation, qint64 intervalMs, QObject *parent)
    : QObject(parent), m_location(std::move(workspaceLocation)), m_intervalMs(std::max<qint64>(intervalMs, 10))
{
    registerAgentMetaTypes();
}

BackgroundAgent::~BackgroundAgent() { stop(); }

void BackgroundAgent::start()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("syncpilot-agent"));
    auto *worker = new BackgroundAgentWorker(m_location, m_intervalMs, m_noSync);
    worker->moveToThread(m_thread);
    m_worker = worker;
    // Worker -> owner: queued, since this object lives on the owner's thread.
    connect(worker, &BackgroundAgentWorker::controllerHere, this, &BackgroundAgent::controllerHere);
    connect(worker, &BackgroundAgentWorker::controllerElsewhere, this, &BackgroundAgent::controllerElsewhere);
    connect(worker, &BackgroundAgentWorker::decided, this, &BackgroundAgent::decided);
    connect(worker, &BackgroundAgentWorker::synced, this, &BackgroundAgent::synced);
    connect(worker, &BackgroundAgentWorker::problem, this, &BackgroundAgent::problem);
    connect(worker, &BackgroundAgentWorker::lockLost, this, &BackgroundAgent::lockLost);
    connect(m_thread, &QThread::started, worker, &BackgroundAgentWorker::begin);
    // Deferred deletes still run once the thread's loop has quit, before the thread ends.
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread->start();
}

void BackgroundAgent::runSyncNow(const QString &config)
{
    if (!m_worker) {
        Q_EMIT problem(tr("Cannot run %1: the background agent is not running.").arg(config));
        return;
    }
    QMetaObject::invokeMethod(m_worker, [worker = m_worker.data(), config] { worker->runSync(config); }, Qt::QueuedConnection);
}

void BackgroundAgent::stop()
{
    if (!m_thread)
        return;
    // Queued behind whatever the worker already has to do (a "Run now" asked for before stop).
    QThread *thread = m_thread;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker.data(), thread] {
        worker->shutdown();
        thread->quit();
    }, Qt::QueuedConnection);
    thread->wait();
    delete thread;
    m_thread = nullptr;
    m_worker = nullptr;
    Q_EMIT stopped();
}

} // namespace sp

#include "BackgroundAgent.moc"
