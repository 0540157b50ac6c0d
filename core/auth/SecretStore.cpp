#include "SecretStore.h"

#include "common/Error.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <memory>

#include <qt6keychain/keychain.h>

namespace sp {

SecretStore::~SecretStore() = default;

namespace {

// QtKeychain is not thread-safe: its jobs go through one process-wide queue (a QObject living in
// the thread that first started a job), which a job started on another thread leaves with a
// dangling pointer to it (a crash on the next keychain call). SyncPilot reads the keychain from
// worker threads (the Google sign-in, sync runs and previews), so every job runs on this one
// thread of its own, whichever thread asks; the caller blocks until it is done.
QThread *s_keychainThread = nullptr;

QObject *keychainContext()
{
    static QObject *const context = [] {
        s_keychainThread = new QThread;
        s_keychainThread->setObjectName(QStringLiteral("keychain"));
        auto *object = new QObject;
        object->moveToThread(s_keychainThread);
        s_keychainThread->start();
        qAddPostRoutine([] { // with the application object: no thread left running at exit
            s_keychainThread->quit();
            s_keychainThread->wait();
        });
        return object;
    }();
    return context;
}

enum class Op { Read, Write, Remove };

struct JobOutcome
{
    bool finished = false; // false: no answer within the timeout
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QString text;
};

// QtKeychain jobs are asynchronous; the callers of SecretStore are not. Runs one job to completion
// (or the timeout: a keychain waiting for an unlock prompt nobody answers) in a local event loop
// on the keychain thread.
JobOutcome runJob(Op op, const QString &service, const QString &key, const QString &value, int timeoutMs)
{
    JobOutcome outcome;
    auto run = [&] {
        std::unique_ptr<QKeychain::Job> job;
        switch (op) {
        case Op::Read:
            job = std::make_unique<QKeychain::ReadPasswordJob>(service);
            break;
        case Op::Write: {
            auto write = std::make_unique<QKeychain::WritePasswordJob>(service);
            write->setTextData(value);
            job = std::move(write);
            break;
        }
        case Op::Remove:
            job = std::make_unique<QKeychain::DeletePasswordJob>(service);
            break;
        }
        job->setKey(key);
        job->setAutoDelete(false);      // we read the result after finished()
        job->setInsecureFallback(false); // never a plaintext file
        QEventLoop loop;
        QObject::connect(job.get(), &QKeychain::Job::finished, &loop, [&] {
            outcome.finished = true;
            loop.quit();
        });
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        job->start();
        if (!outcome.finished)
            loop.exec();
        if (!outcome.finished)
            return;
        outcome.error = job->error();
        outcome.errorString = job->errorString();
        if (op == Op::Read)
            outcome.text = static_cast<QKeychain::ReadPasswordJob *>(job.get())->textData();
    };
    QObject *context = keychainContext();
    if (QThread::currentThread() == context->thread() || !s_keychainThread->isRunning())
        run(); // on the keychain thread already (or after it ended, at exit)
    else
        QMetaObject::invokeMethod(context, run, Qt::BlockingQueuedConnection);
    return outcome;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, int timeoutMs)
    : m_service(std::move(service)), m_timeoutMs(timeoutMs)
{
}

std::optional<QString> KeychainSecretStore::read(const QString &key)
{
    QString problem;
    // The Secret Service may not be ready right at session start (Nextcloud's experience), so a
    // failed read is tried once more before it counts.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const JobOutcome job = runJob(Op::Read, m_service, key, QString(), m_timeoutMs);
        if (!job.finished) {
            problem = tr("no answer within %1 s (is the keychain locked?)").arg(m_timeoutMs / 1000);
            continue;
        }
        if (job.error == QKeychain::NoError)
            return job.text;
        if (job.error == QKeychain::EntryNotFound)
            return std::nullopt;
        problem = job.errorString;
    }
    fail(tr("Cannot read \"%1\" from the keychain (service \"%2\"): %3").arg(key, m_service, problem));
}

void KeychainSecretStore::write(const QString &key, const QString &value)
{
    const JobOutcome job = runJob(Op::Write, m_service, key, value, m_timeoutMs);
    if (!job.finished)
        fail(tr("Cannot store \"%1\" in the keychain (service \"%2\"): no answer within %3 s (is the keychain locked?)")
                 .arg(key, m_service)
                 .arg(m_timeoutMs / 1000));
    if (job.error != QKeychain::NoError)
        fail(tr("Cannot store \"%1\" in the keychain (service \"%2\"): %3").arg(key, m_service, job.errorString));
}

void KeychainSecretStore::remove(const QString &key)
{
    const JobOutcome job = runJob(Op::Remove, m_service, key, QString(), m_timeoutMs);
    if (!job.finished)
        fail(tr("Cannot remove \"%1\" from the keychain (service \"%2\"): no answer within %3 s (is the keychain locked?)")
                 .arg(key, m_service)
                 .arg(m_timeoutMs / 1000));
    if (job.error != QKeychain::NoError && job.error != QKeychain::EntryNotFound)
        fail(tr("Cannot remove \"%1\" from the keychain (service \"%2\"): %3").arg(key, m_service, job.errorString));
}

std::optional<QString> MemorySecretStore::read(const QString &key)
{
    const auto it = m_values.constFind(key);
    if (it == m_values.constEnd())
        return std::nullopt;
    return *it;
}

void MemorySecretStore::write(const QString &key, const QString &value) { m_values.insert(key, value); }

void MemorySecretStore::remove(const QString &key) { m_values.remove(key); }

} // namespace sp
