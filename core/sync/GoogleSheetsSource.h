#pragma once

#include "net/CallStats.h"
#include "net/HttpClient.h"
#include "sync/Table.h"

#include <QCoreApplication>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sp {

struct SheetsSettings
{
    QUrl baseUrl{QStringLiteral("https://sheets.googleapis.com/")};
    QString spreadsheetId;
    // Sheet names ("Tokens (Light)") or A1 ranges ("Colors!A1:D200", "'It''s'!A:Z"); empty = the
    // first sheet.
    QStringList ranges;
};

// Reads a Google Sheet through the Sheets API v4: one values:batchGet for every range
// (UNFORMATTED_VALUE, so numbers and booleans arrive typed and locale-free). Every request goes
// through the shared HttpClient under upstream(); the caller installs the OAuth provider and the
// rate limit (defaultRateLimit()) for that upstream. Failures throw net::RequestError with a
// message naming the spreadsheet and the range.
class GoogleSheetsSource
{
    Q_DECLARE_TR_FUNCTIONS(GoogleSheetsSource)

public:
    GoogleSheetsSource(net::HttpClient &http, SheetsSettings settings);

    // spreadsheets.get with a fields mask: the sheet titles in tab order.
    QStringList sheetNames();
    // One Table per range (in the order of settings.ranges), name = the sheet name, origin = the
    // spreadsheet id. Rows stay ragged, as Google sends them.
    QList<Table> read();

    const net::CallStats &stats() const { return m_stats; }
    // The HttpClient upstream key of the base URL ("sheets.googleapis.com:443"): install the
    // auth provider and the rate limit under this name.
    QString upstream() const { return net::defaultUpstream(m_settings.baseUrl); }

    // Google's per-user read quota is 60 a minute: one token a second never exceeds it.
    static net::RateLimit defaultRateLimit() { return net::RateLimit{.perMinute = 60, .burst = 1}; }

    struct RangeParts
    {
        QString sheet; // unquoted
        QString cells; // "A1:Z100", empty for the whole sheet
    };
    // "Sheet1!A1:B2", "'It''s'!A1", "My sheet" (a bare sheet name, spaces allowed).
    static RangeParts splitRange(const QString &range);
    // The A1 text Google parses: the sheet quoted when needed ('It''s'!A1:Z), then "!cells".
    static QString a1Range(const QString &sheet, const QString &cells = {});
    // A cell as text: strings as is, numbers in their shortest round-trip form, TRUE/FALSE, empty
    // for null.
    static QString cellText(const QJsonValue &value);

private:
    QUrl endpoint(const QString &suffix, const QString &query) const;
    net::HttpResponse get(const QUrl &url);
    [[noreturn]] void raise(const net::HttpResponse &response, const QStringList &ranges) const;

    net::HttpClient &m_http;
    SheetsSettings m_settings;
    net::CallStats m_stats;
};

} // namespace sp
