#include "sync/FigmaTarget.h"

#include "common/Error.h"
#include "net/RequestError.h"
#include "sync/FigmaPlanner.h"

#include <QJsonDocument>
#include <QUrlQuery>

namespace sp {

FigmaTarget::FigmaTarget(net::HttpClient &http, FigmaSettings settings, QString token)
    : m_http(http), m_settings(std::move(settings)), m_token(std::move(token))
{
    const QUrl &base = m_settings.baseUrl;
    // Same key HttpClient derives from a URL, named explicitly so the limit below applies.
    m_upstream = base.port() == -1 ? base.host() : base.host() + u':' + QString::number(base.port());
    m_http.setRateLimit(m_upstream, defaultRateLimit());
}

net::RateLimit FigmaTarget::defaultRateLimit()
{
    return net::RateLimit{100, 10};
}

net::HttpResponse FigmaTarget::send(const QByteArray &method, const QString &path, const QByteArray &body)
{
    net::HttpRequest request;
    request.method = method;
    QUrl url = m_settings.baseUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    request.url = url;
    request.upstream = m_upstream;
    request.headers.append({QByteArrayLiteral("X-Figma-Token"), m_token.toUtf8()});
    request.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});
    if (!body.isEmpty()) {
        request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        request.body = body;
        request.timeoutMs = 120'000; // a 4 MB body over a slow uplink
        request.idempotent = false;  // a resent POST would create its variables twice
    }
    const net::HttpResponse response = m_http.send(request);
    m_stats.add(response);
    return response;
}

void FigmaTarget::throwFor(const net::HttpResponse &response, const QString &doing) const
{
    // Figma's errors are {"status":…,"error":true,"message":…}; some endpoints say "err".
    const QJsonObject json = response.json.object();
    QString figma = json.value(QLatin1String("message")).toString();
    if (figma.isEmpty())
        figma = json.value(QLatin1String("err")).toString();
    const QString &key = m_settings.fileKey;
    QString message;
    switch (response.status) {
    case 400:
        message = tr("Figma refused %1 for file %2: %3").arg(doing, key, figma.isEmpty() ? response.message : figma);
        break;
    case 401:
    case 403:
        message = tr("Figma denied %1 for file %2: the token has no edit access to the file, or the file is not on an "
                     "Enterprise plan (the Variables API needs both)%3")
                      .arg(doing, key, figma.isEmpty() ? QString() : tr(" — Figma said: %1").arg(figma));
        break;
    case 404:
        message = tr("Figma file %1 was not found (check the file key in the target settings)%2")
                      .arg(key, figma.isEmpty() ? QString() : tr(" — Figma said: %1").arg(figma));
        break;
    default:
        message = tr("%1 for Figma file %2 failed: %3").arg(doing, key, response.message)
                  + (figma.isEmpty() ? QString() : tr(" — Figma said: %1").arg(figma));
        break;
    }
    throw net::RequestError(response, message);
}

void FigmaTarget::throwMalformed(net::HttpResponse response, const QString &message) const
{
    response.error = net::ErrorClass::Malformed;
    response.message = message;
    throw net::RequestError(response, message);
}

FigmaFileState FigmaTarget::readState()
{
    const net::HttpResponse response =
        send("GET", QStringLiteral("/v1/files/%1/variables/local").arg(QString::fromLatin1(QUrl::toPercentEncoding(m_settings.fileKey))));
    if (!response.ok())
        throwFor(response, tr("reading the variables"));
    try {
        return FigmaFileState::fromJson(response.json.object(), m_settings.fileKey);
    } catch (const Error &e) {
        throwMalformed(response, e.message());
    }
}

VariableCollection FigmaTarget::read()
{
    const FigmaFileState state = readState();
    try {
        return state.toCollection(m_settings.collection);
    } catch (const Error &e) {
        net::HttpResponse none;
        throwMalformed(none, e.message());
    }
}

FigmaWriteResult FigmaTarget::write(const VariableCollection &desired, const QStringList *onlyNames,
                                    const QStringList &deletedNames)
{
    m_lastWrite = {};
    // Refuse bad input before a single request: nothing reaches Figma.
    FigmaPlanner::checkDesired(desired);
    if (desired.name != m_settings.collection)
        invalid(tr("The collection to write is \"%1\" but Figma target %2 is set up for \"%3\".")
                    .arg(desired.name, m_settings.fileKey, m_settings.collection));

    const FigmaFileState state = readState();
    FigmaPlanner planner(state, desired, onlyNames ? FigmaPlanner::Scope::only(*onlyNames, deletedNames) : FigmaPlanner::Scope::all());
    const QString path = QStringLiteral("/v1/files/%1/variables").arg(QString::fromLatin1(QUrl::toPercentEncoding(m_settings.fileKey)));
    auto record = [&] {
        m_lastWrite.created = planner.applied().created;
        m_lastWrite.updated = planner.applied().updated;
        m_lastWrite.deleted = planner.applied().deleted;
        m_lastWrite.bodies = planner.bodiesApplied();
    };
    while (planner.hasNext()) {
        const QJsonObject body = planner.next();
        const int batch = planner.bodiesReturned();
        const QString doing = batch == 1 && !planner.hasNext() ? tr("the variables update")
                                                              : tr("batch %1 of the variables update").arg(batch);
        const net::HttpResponse response = send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (!response.ok()) {
            try {
                throwFor(response, doing);
            } catch (const net::RequestError &e) {
                if (planner.bodiesApplied() == 0)
                    throw;
                throw net::RequestError(e.response(),
                                        e.message() + u' '
                                            + tr("%n earlier batch(es) of this update were applied and stay in the file.", nullptr,
                                                 planner.bodiesApplied()));
            }
        }
        const QJsonValue map = response.json.object().value(QLatin1String("meta")).toObject().value(QLatin1String("tempIdToRealId"));
        if (!map.isObject() && !map.isUndefined())
            throwMalformed(response, tr("Figma file %1: the answer to %2 has no object \"meta.tempIdToRealId\"").arg(m_settings.fileKey, doing));
        planner.applyResponse(map.toObject());
        record();
    }
    return m_lastWrite;
}

} // namespace sp
