#include "sync/GoogleSheetsSource.h"

#include "net/RequestError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace sp {

namespace {

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

// A sheet name Google would not read as a name unless quoted: anything beyond letters, digits and
// "_", and bare names that look like cell references ("A1", "R1C1").
bool needsQuotes(const QString &sheet)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    static const QRegularExpression cellLike(QStringLiteral("^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)$"));
    return !plain.match(sheet).hasMatch() || cellLike.match(sheet).hasMatch();
}

struct GoogleError
{
    int code = 0;
    QString status;  // "NOT_FOUND", "PERMISSION_DENIED", …
    QString message; // Google's own words
    QStringList reasons; // ErrorInfo reasons ("SERVICE_DISABLED", "RATE_LIMIT_EXCEEDED", …)
};

GoogleError googleError(const net::HttpResponse &response)
{
    GoogleError g;
    const QJsonObject error = response.json.object().value(QLatin1String("error")).toObject();
    g.code = error.value(QLatin1String("code")).toInt();
    g.status = error.value(QLatin1String("status")).toString();
    g.message = error.value(QLatin1String("message")).toString();
    for (const QJsonValue &detail : error.value(QLatin1String("details")).toArray()) {
        const QString reason = detail.toObject().value(QLatin1String("reason")).toString();
        if (!reason.isEmpty())
            g.reasons << reason;
    }
    return g;
}

} // namespace

GoogleSheetsSource::GoogleSheetsSource(net::HttpClient &http, SheetsSettings settings)
    : m_http(http), m_settings(std::move(settings))
{
}

GoogleSheetsSource::RangeParts GoogleSheetsSource::splitRange(const QString &range)
{
    const QString text = range.trimmed();
    RangeParts parts;
    if (text.startsWith(u'\'')) {
        // 'It''s'!A1:Z — a doubled quote is a quote, a single one ends the name.
        qsizetype i = 1;
        for (; i < text.size(); ++i) {
            if (text.at(i) != u'\'') {
                parts.sheet += text.at(i);
            } else if (i + 1 < text.size() && text.at(i + 1) == u'\'') {
                parts.sheet += u'\'';
                ++i;
            } else {
                break;
            }
        }
        const QString rest = text.mid(i + 1);
        parts.cells = rest.startsWith(u'!') ? rest.mid(1) : rest;
        return parts;
    }
    const qsizetype bang = text.lastIndexOf(u'!');
    if (bang < 0) {
        parts.sheet = text; // a bare sheet name: the whole sheet
        return parts;
    }
    parts.sheet = text.left(bang);
    parts.cells = text.mid(bang + 1);
    return parts;
}

QString GoogleSheetsSource::a1Range(const QString &sheet, const QString &cells)
{
    QString a1 = needsQuotes(sheet) ? u'\'' + QString(sheet).replace(u'\'', QStringLiteral("''")) + u'\'' : sheet;
    if (!cells.isEmpty())
        a1 += u'!' + cells;
    return a1;
}

QString GoogleSheetsSource::cellText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("TRUE") : QStringLiteral("FALSE");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        // Shortest round-trip digits, written the way a spreadsheet user (and JavaScript) writes
        // them: 1000000 and 0.0001 stay positional, only extreme magnitudes use an exponent.
        const double magnitude = std::fabs(d);
        const bool positional = d == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
        return QString::number(d, positional ? 'f' : 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QUrl GoogleSheetsSource::endpoint(const QString &suffix, const QString &query) const
{
    QString base = m_settings.baseUrl.toString(QUrl::FullyEncoded | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (!base.endsWith(u'/'))
        base += u'/';
    QUrl url = QUrl::fromEncoded((base + QStringLiteral("v4/spreadsheets/") + encoded(m_settings.spreadsheetId) + suffix).toLatin1(),
                                 QUrl::StrictMode);
    url.setQuery(query, QUrl::StrictMode);
    return url;
}

net::HttpResponse GoogleSheetsSource::get(const QUrl &url)
{
    net::HttpRequest request;
    request.url = url;
    request.upstream = upstream();
    net::HttpResponse response = m_http.send(request);
    m_stats.add(response);
    return response;
}

QStringList GoogleSheetsSource::sheetNames()
{
    if (m_settings.spreadsheetId.trimmed().isEmpty())
        invalid(tr("Google Sheets: no spreadsheet id is set"));
    const net::HttpResponse response = get(endpoint({}, QStringLiteral("fields=") + encoded(QStringLiteral("sheets.properties(title,index)"))));
    if (!response.ok())
        raise(response, {});
    QList<std::pair<int, QString>> sheets;
    const QJsonArray array = response.json.object().value(QLatin1String("sheets")).toArray();
    for (const QJsonValue &sheet : array) {
        const QJsonObject properties = sheet.toObject().value(QLatin1String("properties")).toObject();
        sheets.append({properties.value(QLatin1String("index")).toInt(int(sheets.size())),
                       properties.value(QLatin1String("title")).toString()});
    }
    std::stable_sort(sheets.begin(), sheets.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList names;
    for (const auto &sheet : sheets)
        names << sheet.second;
    return names;
}

QList<Table> GoogleSheetsSource::read()
{
    if (m_settings.spreadsheetId.trimmed().isEmpty())
        invalid(tr("Google Sheets: no spreadsheet id is set"));
    QStringList ranges = m_settings.ranges;
    if (ranges.isEmpty()) {
        const QStringList names = sheetNames();
        if (names.isEmpty()) {
            net::HttpResponse none;
            none.error = net::ErrorClass::Malformed;
            throw net::RequestError(none, tr("Google Sheets: spreadsheet %1 has no sheets").arg(m_settings.spreadsheetId));
        }
        ranges = {a1Range(names.constFirst())};
    }

    QList<RangeParts> parts;
    QStringList a1;
    QString query;
    for (const QString &range : std::as_const(ranges)) {
        const RangeParts p = splitRange(range);
        if (p.sheet.isEmpty())
            invalid(tr("Google Sheets: range \"%1\" of spreadsheet %2 names no sheet").arg(range, m_settings.spreadsheetId));
        parts << p;
        a1 << a1Range(p.sheet, p.cells);
        query += QStringLiteral("ranges=") + encoded(a1.constLast()) + u'&';
    }
    query += QStringLiteral("valueRenderOption=UNFORMATTED_VALUE&majorDimension=ROWS");

    net::HttpResponse response = get(endpoint(QStringLiteral("/values:batchGet"), query));
    if (!response.ok())
        raise(response, a1);

    const QJsonArray valueRanges = response.json.object().value(QLatin1String("valueRanges")).toArray();
    if (valueRanges.size() != parts.size()) {
        response.error = net::ErrorClass::Malformed;
        throw net::RequestError(response, tr("Google Sheets: spreadsheet %1 answered %2 value ranges for the %3 requested (%4)")
                                              .arg(m_settings.spreadsheetId)
                                              .arg(valueRanges.size())
                                              .arg(parts.size())
                                              .arg(a1.join(QLatin1String(", "))));
    }

    QList<Table> tables;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        Table table;
        table.name = parts.at(i).sheet;
        table.origin = m_settings.spreadsheetId;
        // An empty range has no "values" at all; rows and cells past the last non-empty one are
        // left out by Google, and Table reads the missing ones as empty.
        const QJsonArray rows = valueRanges.at(i).toObject().value(QLatin1String("values")).toArray();
        for (const QJsonValue &row : rows) {
            QStringList cells;
            for (const QJsonValue &cell : row.toArray())
                cells << cellText(cell);
            table.rows << cells;
        }
        tables << table;
    }
    return tables;
}

void GoogleSheetsSource::raise(const net::HttpResponse &response, const QStringList &ranges) const
{
    const QString id = m_settings.spreadsheetId;
    const GoogleError g = googleError(response);
    const QString google = g.message.isEmpty() ? QString() : tr(" (Google: %1)").arg(g.message);
    const QString rangeList = ranges.join(QLatin1String(", "));
    QString message;

    switch (response.error) {
    case net::ErrorClass::Http4xx:
        if (response.status == 404) {
            message = tr("Google Sheets: spreadsheet %1 not found; check its id or link%2").arg(id, google);
        } else if (response.status == 400 && g.message.contains(QLatin1String("Unable to parse range"), Qt::CaseInsensitive)) {
            const qsizetype colon = g.message.indexOf(u':');
            const QString range = colon >= 0 ? g.message.mid(colon + 1).trimmed() : rangeList;
            message = tr("Google Sheets: spreadsheet %1 has no range %2; check the sheet name and the A1 range%3")
                          .arg(id, range.isEmpty() ? rangeList : range, google);
        } else if (ranges.isEmpty()) {
            message = tr("Google Sheets: spreadsheet %1: the request was rejected (%2)%3").arg(id).arg(response.status).arg(google);
        } else {
            message = tr("Google Sheets: spreadsheet %1, range %2: the request was rejected (%3)%4")
                          .arg(id, rangeList)
                          .arg(response.status)
                          .arg(google);
        }
        break;
    case net::ErrorClass::Auth:
        if (response.status == 403) {
            if (g.reasons.contains(QLatin1String("SERVICE_DISABLED")) || g.message.contains(QLatin1String("has not been used"))
                || g.message.contains(QLatin1String("is disabled"))) {
                message = tr("Google Sheets: the Sheets API is not enabled for this app's Google Cloud project, so spreadsheet %1 cannot be read%2")
                              .arg(id, google);
            } else if (g.reasons.contains(QLatin1String("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))) {
                message = tr("Google Sheets: the sign-in does not allow reading spreadsheet %1; sign in to Google again and grant access to Sheets%2")
                              .arg(id, google);
            } else {
                message = tr("Google Sheets: no access to spreadsheet %1; share it with the signed-in Google account%2").arg(id, google);
            }
        } else if (response.status == 401) {
            message = tr("Google Sheets: Google did not accept the sign-in for spreadsheet %1 (401, even after refreshing it); sign in to Google again%2")
                          .arg(id, google);
        } else {
            message = tr("Google Sheets: cannot read spreadsheet %1: %2").arg(id, response.message);
        }
        break;
    case net::ErrorClass::Http429:
        message = ranges.isEmpty()
                      ? tr("Google Sheets: spreadsheet %1: %2%3").arg(id, response.message, google)
                      : tr("Google Sheets: spreadsheet %1, range %2: %3%4").arg(id, rangeList, response.message, google);
        break;
    default:
        message = ranges.isEmpty() ? tr("Google Sheets: spreadsheet %1: %2%3").arg(id, response.message, google)
                                   : tr("Google Sheets: spreadsheet %1, range %2: %3%4").arg(id, rangeList, response.message, google);
        break;
    }
    throw net::RequestError(response, message);
}

} // namespace sp
