#pragma once

#include "auth/OAuthSettings.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <QUrl>

namespace sp {

// Runs the blocking browser sign-in (OAuthSession::signIn) on a thread of its own, so the window
// keeps working while the browser is open. The authorization address comes back to this object's
// thread (browserRequested), where the view opens it; cancel() ends the wait at once.
class GoogleSignIn : public QObject
{
    Q_OBJECT

public:
    explicit GoogleSignIn(QObject *parent = nullptr);
    ~GoogleSignIn() override; // cancels a sign-in under way and waits for its thread

    // Starts a sign-in with settings (already loaded and validated by the caller).
    void start(const OAuthSettings &settings, int timeoutMs = 300'000);
    void cancel();
    bool isRunning() const { return !m_thread.isNull(); }

Q_SIGNALS:
    void browserRequested(const QUrl &url);
    void signedIn(const QString &account);
    void failed(const QString &message);
    void cancelled();

private:
    void finish(quint64 generation, bool ok, const QString &text);

    QPointer<QThread> m_thread; // the sign-in under way (a cancelled one deletes itself when done)
    quint64 m_generation = 0;
};

} // namespace sp
