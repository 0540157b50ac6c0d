#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QUrl>

class QNetworkReply;

namespace sp::test {

// The system browser, played by an HTTP client: follows the OAuth server's own redirects (with its
// cookies) until one points at our redirect_uri, then delivers that callback to the loopback
// receiver. Asynchronous like a real browser: open() returns at once.
class FakeBrowser : public QObject
{
public:
    bool tamperState = false;  // first deliver the callback with a forged state
    bool deliverReal = true;   // then the real one
    QUrl authorizationUrl;
    QList<int> callbackStatuses; // HTTP status of each delivery to the receiver, in order
    QByteArray lastPage;
    QString failure;

    void open(const QUrl &url);

private:
    QNetworkReply *get(const QUrl &url);
    void hop(const QUrl &url, int n);
    void deliver(QList<QUrl> urls);

    QNetworkAccessManager m_nam; // keeps the OAuth server's cookies, as a browser does
    QString m_redirectUri;
};

} // namespace sp::test
