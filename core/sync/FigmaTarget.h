#pragma once

#include "net/CallStats.h"
#include "net/HttpClient.h"
#include "sync/FigmaVariables.h"
#include "sync/VariableCollection.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sp {

struct FigmaSettings
{
    QUrl baseUrl{QStringLiteral("https://api.figma.com")};
    QString fileKey;
    QString collection;
};

struct FigmaWriteResult
{
    int created = 0;
    int updated = 0;
    int deleted = 0;
    int bodies = 0; // POST bodies Figma applied
};

// One collection of one Figma file, through the Variables REST API (qt-notes §3). Every request
// goes through the shared HttpClient (retries honouring Retry-After, breaker, rate limit).
//
// Figma applies each POST atomically, but a write that needs several bodies (over 4 MB) is not:
// when body k fails, bodies 1..k-1 stay applied. The thrown error says so, and lastWrite() tells
// the caller exactly what was applied, for the run record and for undo.
class FigmaTarget
{
    Q_DECLARE_TR_FUNCTIONS(FigmaTarget)

public:
    FigmaTarget(net::HttpClient &http, FigmaSettings settings, QString token);

    // The collection as Figma has it now; an empty collection (no modes) when the file has none
    // by that name. Throws net::RequestError.
    VariableCollection read();
    // The file's local variables as parsed, for callers that diff or show details.
    FigmaFileState readState();

    // Makes the collection equal to desired. onlyNames null: full replace (legacy). Otherwise the
    // sync path: only the variables in onlyNames are written (and only their values that differ),
    // and deletedNames are deleted. Checks names and limits before sending anything (sp::Error,
    // InvalidInput); request failures throw net::RequestError.
    FigmaWriteResult write(const VariableCollection &desired, const QStringList *onlyNames,
                           const QStringList &deletedNames = {});
    // What the last write applied, also when it threw part way.
    const FigmaWriteResult &lastWrite() const { return m_lastWrite; }

    const net::CallStats &stats() const { return m_stats; }
    const FigmaSettings &settings() const { return m_settings; }
    // Figma's Tier 3 budget for a Full seat, roughly: 100 requests a minute, short bursts.
    static net::RateLimit defaultRateLimit();

private:
    net::HttpResponse send(const QByteArray &method, const QString &path, const QByteArray &body = {});
    [[noreturn]] void throwFor(const net::HttpResponse &response, const QString &doing) const;
    [[noreturn]] void throwMalformed(net::HttpResponse response, const QString &message) const;

    net::HttpClient &m_http;
    FigmaSettings m_settings;
    QString m_token;
    QString m_upstream;
    net::CallStats m_stats;
    FigmaWriteResult m_lastWrite;
};

} // namespace sp
