#include "GoogleSignIn.h"

#include "auth/OAuthSession.h"
#include "auth/SecretStore.h"
#include "common/Error.h"

#include <exception>

namespace sp {

GoogleSignIn::GoogleSignIn(QObject *parent) : QObject(parent) {}

GoogleSignIn::~GoogleSignIn()
{
    if (QThread *thread = m_thread.data()) {
        ++m_generation;
        thread->quit(); // leaves the receiver's local event loop
        thread->wait();
    }
}

void GoogleSignIn::start(const OAuthSettings &settings, int timeoutMs)
{
    if (m_thread)
        return;
    const quint64 generation = ++m_generation;
    QPointer<GoogleSignIn> self(this);
    QThread *thread = QThread::create([self, settings, timeoutMs, generation] {
        bool ok = false;
        QString text;
        try {
            KeychainSecretStore store;
            OAuthSession session(settings, store, OAuthSettings::clientSecret(store));
            text = session.signIn(
                [self, generation](const QUrl &url) {
                    // Opened on the GUI thread; this thread goes on to wait for the callback.
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, url, generation] {
                            if (self && self->m_generation == generation)
                                Q_EMIT self->browserRequested(url);
                        },
                        Qt::QueuedConnection);
                },
                timeoutMs);
            ok = true;
        } catch (const Error &e) {
            text = e.message();
        } catch (const std::exception &e) {
            text = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, ok, text] {
                if (self)
                    self->finish(generation, ok, text);
            },
            Qt::QueuedConnection);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_thread = thread;
    thread->start();
}

void GoogleSignIn::cancel()
{
    QThread *thread = m_thread.data();
    if (!thread)
        return;
    ++m_generation; // whatever this attempt reports now is ignored
    m_thread.clear();
    // QThread::quit() ends every event loop running in that thread, so the receiver's wait
    // returns at once and the listening port closes.
    thread->quit();
    Q_EMIT cancelled();
}

void GoogleSignIn::finish(quint64 generation, bool ok, const QString &text)
{
    if (generation != m_generation)
        return;
    m_thread.clear();
    if (ok)
        Q_EMIT signedIn(text);
    else
        Q_EMIT failed(text);
}

} // namespace sp
