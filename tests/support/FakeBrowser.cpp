#include "FakeBrowser.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

namespace sp::test {

void FakeBrowser::open(const QUrl &url)
{
    authorizationUrl = url;
    m_redirectUri = QUrlQuery(url).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded);
    hop(url, 0);
}

QNetworkReply *FakeBrowser::get(const QUrl &url)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return m_nam.get(request);
}

void FakeBrowser::hop(const QUrl &url, int n)
{
    if (n > 10) {
        failure = QStringLiteral("too many redirects");
        return;
    }
    QNetworkReply *reply = get(url);
    connect(reply, &QNetworkReply::finished, this, [this, reply, url, n] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray rawLocation = reply->rawHeader("Location"); // may be relative
        const QUrl location = rawLocation.isEmpty() ? QUrl() : url.resolved(QUrl::fromEncoded(rawLocation));
        if (status < 300 || status > 399 || location.isEmpty()) {
            failure = QStringLiteral("the OAuth server stopped at HTTP %1: %2").arg(status).arg(QString::fromUtf8(reply->readAll().left(300)));
            return;
        }
        if (location.toString().startsWith(m_redirectUri)) {
            QList<QUrl> deliveries;
            if (tamperState) {
                QUrl forged = location;
                QUrlQuery q(forged);
                const QString state = q.queryItemValue(QStringLiteral("state"));
                q.removeAllQueryItems(QStringLiteral("state"));
                q.addQueryItem(QStringLiteral("state"), state.left(state.size() - 1) + (state.endsWith(QLatin1Char('A')) ? u'B' : u'A'));
                forged.setQuery(q);
                deliveries << forged;
            }
            if (deliverReal)
                deliveries << location;
            deliver(deliveries);
            return;
        }
        hop(location, n + 1);
    });
}

void FakeBrowser::deliver(QList<QUrl> urls)
{
    if (urls.isEmpty())
        return;
    QNetworkReply *reply = get(urls.takeFirst());
    connect(reply, &QNetworkReply::finished, this, [this, reply, urls] {
        reply->deleteLater();
        callbackStatuses << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        lastPage = reply->readAll();
        deliver(urls);
    });
}

} // namespace sp::test
