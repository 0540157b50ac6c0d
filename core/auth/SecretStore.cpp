#include "SecretStore.h"

#include "common/Error.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace sp {

SecretStore::~SecretStore() = default;

namespace {

// QtKeychain jobs are asynchronous; the callers of SecretStore are not. Runs job to completion
// (or the timeout: a keychain waiting for an unlock prompt nobody answers) in a local event loop.
// Returns false on timeout.
bool runJob(QKeychain::Job &job, int timeoutMs)
{
    job.setAutoDelete(false);      // we read the result after finished()
    job.setInsecureFallback(false); // never a plaintext file
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    job.start();
    if (!finished)
        loop.exec();
    return finished;
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
        QKeychain::ReadPasswordJob job(m_service);
        job.setKey(key);
        if (!runJob(job, m_timeoutMs)) {
            problem = tr("no answer within %1 s (is the keychain locked?)").arg(m_timeoutMs / 1000);
            continue;
        }
        if (job.error() == QKeychain::NoError)
            return job.textData();
        if (job.error() == QKeychain::EntryNotFound)
            return std::nullopt;
        problem = job.errorString();
    }
    fail(tr("Cannot read \"%1\" from the keychain (service \"%2\"): %3").arg(key, m_service, problem));
}

void KeychainSecretStore::write(const QString &key, const QString &value)
{
    QKeychain::WritePasswordJob job(m_service);
    job.setKey(key);
    job.setTextData(value);
    if (!runJob(job, m_timeoutMs))
        fail(tr("Cannot store \"%1\" in the keychain (service \"%2\"): no answer within %3 s (is the keychain locked?)")
                 .arg(key, m_service)
                 .arg(m_timeoutMs / 1000));
    if (job.error() != QKeychain::NoError)
        fail(tr("Cannot store \"%1\" in the keychain (service \"%2\"): %3").arg(key, m_service, job.errorString()));
}

void KeychainSecretStore::remove(const QString &key)
{
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(key);
    if (!runJob(job, m_timeoutMs))
        fail(tr("Cannot remove \"%1\" from the keychain (service \"%2\"): no answer within %3 s (is the keychain locked?)")
                 .arg(key, m_service)
                 .arg(m_timeoutMs / 1000));
    if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
        fail(tr("Cannot remove \"%1\" from the keychain (service \"%2\"): %3").arg(key, m_service, job.errorString()));
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
