#include "AuditReport.h"

#include "common/AtomicFile.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QBuffer>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QMap>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace sp {

namespace {

// Device units per millimetre at the writer's resolution; the layout is specified in mm and
// points so it does not depend on the resolution chosen below.
constexpr int kDpi = 300;
constexpr double kMm = kDpi / 25.4;
constexpr int kTopN = 8; // actions/actors listed by name on the summary; the rest are counted

const QColor kInk(0x20, 0x20, 0x20);
const QColor kMuted(0x6b, 0x6b, 0x6b);
const QColor kRule(0xc8, 0xc8, 0xc8);
const QColor kHeaderFill(0xe8, 0xec, 0xf2);
const QColor kStripe(0xf6, 0xf7, 0xf9);
const QColor kBar(0x3b, 0x6e, 0xa8);

QString shownTime(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QFont font(double points, bool bold = false, bool fixed = false)
{
    QFont f(fixed ? QStringLiteral("DejaVu Sans Mono") : QStringLiteral("DejaVu Sans"));
    f.setStyleHint(fixed ? QFont::Monospace : QFont::SansSerif);
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

// One bar of the chart covers one of these units; the first that gives a readable number of
// bars for the period wins.
enum class Unit { Hour, Day, Week, Month, Year };

QDateTime floorTo(const QDateTime &t, Unit unit)
{
    const QDateTime u = t.toUTC();
    const QDate d = u.date();
    switch (unit) {
    case Unit::Hour:
        return QDateTime(d, QTime(u.time().hour(), 0), QTimeZone::utc());
    case Unit::Day:
        return QDateTime(d, QTime(0, 0), QTimeZone::utc());
    case Unit::Week:
        return QDateTime(d.addDays(1 - d.dayOfWeek()), QTime(0, 0), QTimeZone::utc());
    case Unit::Month:
        return QDateTime(QDate(d.year(), d.month(), 1), QTime(0, 0), QTimeZone::utc());
    case Unit::Year:
        return QDateTime(QDate(d.year(), 1, 1), QTime(0, 0), QTimeZone::utc());
    }
    return u;
}

QDateTime nextOf(const QDateTime &t, Unit unit)
{
    switch (unit) {
    case Unit::Hour: return t.addSecs(3600);
    case Unit::Day: return t.addDays(1);
    case Unit::Week: return t.addDays(7);
    case Unit::Month: return t.addMonths(1);
    case Unit::Year: return t.addYears(1);
    }
    return t.addDays(1);
}

qint64 approxSeconds(Unit unit)
{
    switch (unit) {
    case Unit::Hour: return 3600;
    case Unit::Day: return 86400;
    case Unit::Week: return 7 * 86400;
    case Unit::Month: return 30 * 86400;
    case Unit::Year: return 365 * 86400;
    }
    return 86400;
}

struct Chart
{
    Unit unit = Unit::Day;
    QList<QDateTime> starts; // bucket starts, ascending
    QList<int> counts;
};

Chart bucketise(const QList<AuditEntry> &entries, const QDateTime &from, const QDateTime &to)
{
    Chart c;
    const qint64 span = std::max<qint64>(1, from.secsTo(to));
    for (Unit u : {Unit::Hour, Unit::Day, Unit::Week, Unit::Month, Unit::Year}) {
        c.unit = u;
        if (span / approxSeconds(u) <= 120)
            break;
    }
    for (QDateTime s = floorTo(from, c.unit); s < to; s = nextOf(s, c.unit))
        c.starts << s;
    if (c.starts.isEmpty())
        c.starts << floorTo(from, c.unit);
    c.counts.fill(0, c.starts.size());
    for (const AuditEntry &e : entries) {
        const auto it = std::upper_bound(c.starts.cbegin(), c.starts.cend(), e.at);
        const qsizetype i = std::distance(c.starts.cbegin(), it) - 1;
        if (i >= 0 && i < c.counts.size())
            ++c.counts[i];
    }
    return c;
}

// Everything the pages show, gathered inside one read transaction so the summary, chart and
// table describe the same snapshot the chain was verified on.
struct ReportData
{
    QString workspaceName;
    AuditFilter filter;
    AuditVerification verification;
    QDateTime verifiedAt;
    ChangeContext who;
    QList<AuditEntry> entries;
    QDateTime periodFrom; // invalid when there is nothing to chart
    QDateTime periodTo;
};

class Renderer
{
public:
    Renderer(QPdfWriter &writer, const ReportData &data)
        : m_writer(writer), m_data(data)
    {
    }

    void render()
    {
        if (!m_painter.begin(&m_writer))
            fail(AuditReport::tr("Cannot start the PDF report (the PDF engine refused to paint)."));
        m_width = m_writer.width();
        m_height = m_writer.height();
        m_footerTop = m_height - int(8 * kMm);

        m_painter.setFont(font(8));
        m_rowHeight = int(QFontMetrics(m_painter.font(), &m_writer).height() * 1.6);
        m_painter.setFont(font(12, true));
        m_tableTop = int(QFontMetrics(m_painter.font(), &m_writer).height() * 1.8);
        m_rowsPerPage = std::max(1, (m_footerTop - m_tableTop - m_rowHeight) / m_rowHeight);
        const qsizetype n = m_data.entries.size();
        m_pages = 1 + std::max<int>(1, int((n + m_rowsPerPage - 1) / m_rowsPerPage));

        summaryPage();
        for (int page = 0; page < m_pages - 1; ++page) {
            m_writer.newPage();
            tablePage(page);
        }
        m_painter.end();
    }

private:
    int textHeight(const QFont &f) const { return QFontMetrics(f, &m_writer).height(); }

    QString elided(const QString &text, int width) const
    {
        QString oneLine = text;
        oneLine.replace(QLatin1Char('\n'), QLatin1Char(' '));
        return QFontMetrics(m_painter.font(), &m_writer).elidedText(oneLine, Qt::ElideRight, width);
    }

    void footer(int pageNumber)
    {
        m_painter.setPen(QPen(kRule, 0.3 * kMm));
        m_painter.drawLine(0, m_footerTop + int(2 * kMm), m_width, m_footerTop + int(2 * kMm));
        m_painter.setFont(font(8));
        m_painter.setPen(kMuted);
        const QRect band(0, m_footerTop + int(3 * kMm), m_width, m_height - m_footerTop - int(3 * kMm));
        m_painter.drawText(band, Qt::AlignLeft | Qt::AlignVCenter,
                           elided(AuditReport::tr("SyncPilot audit report: %1").arg(m_data.workspaceName), m_width * 2 / 3));
        m_painter.drawText(band, Qt::AlignRight | Qt::AlignVCenter,
                           AuditReport::tr("Page %1 of %2").arg(pageNumber).arg(m_pages));
    }

    QString periodText() const
    {
        const AuditFilter &f = m_data.filter;
        if (f.from && f.to)
            return AuditReport::tr("%1 to %2 (UTC)").arg(shownTime(*f.from), shownTime(*f.to));
        if (f.from)
            return AuditReport::tr("from %1 (UTC)").arg(shownTime(*f.from));
        if (f.to)
            return AuditReport::tr("before %1 (UTC)").arg(shownTime(*f.to));
        if (m_data.entries.isEmpty())
            return AuditReport::tr("all time (no entries)");
        return AuditReport::tr("all time: %1 to %2 (UTC)")
            .arg(shownTime(m_data.entries.first().at), shownTime(m_data.entries.last().at));
    }

    QString filterText() const
    {
        const AuditFilter &f = m_data.filter;
        QStringList parts;
        if (!f.actor.isEmpty())
            parts << AuditReport::tr("actor = %1").arg(f.actor);
        if (!f.object.isEmpty())
            parts << AuditReport::tr("object = %1").arg(f.object);
        if (!f.action.isEmpty())
            parts << AuditReport::tr("action = %1").arg(f.action);
        if (!f.reasonContains.isEmpty())
            parts << AuditReport::tr("reason contains \"%1\"").arg(f.reasonContains);
        if (f.limit > 0)
            parts << AuditReport::tr("newest %1 only").arg(f.limit);
        return parts.isEmpty() ? AuditReport::tr("none") : parts.join(QStringLiteral("; "));
    }

    QString whoText(const ChangeContext &c) const
    {
        QString s = c.actor;
        if (!c.account.isEmpty())
            s = AuditReport::tr("%1 (%2)").arg(s, c.account);
        if (!c.source.isEmpty())
            s = AuditReport::tr("%1 via %2").arg(s, c.source);
        return s;
    }

    // Label/value pairs, one a line; returns the y below them.
    int keyValues(int y, const QList<std::pair<QString, QString>> &rows)
    {
        const QFont label = font(9, true);
        const QFont value = font(9);
        const QFont fixed = font(8.5, false, true);
        const int line = int(textHeight(value) * 1.45);
        const int labelWidth = int(38 * kMm);
        for (const auto &[key, text] : rows) {
            m_painter.setPen(kMuted);
            m_painter.setFont(label);
            m_painter.drawText(QRect(0, y, labelWidth, line), Qt::AlignLeft | Qt::AlignVCenter, key);
            m_painter.setPen(kInk);
            // hashes read better (and compare digit by digit) in a fixed-width face
            const bool isHash = text.size() == 64 && !text.contains(QLatin1Char(' '));
            m_painter.setFont(isHash ? fixed : value);
            m_painter.drawText(QRect(labelWidth, y, m_width - labelWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                               elided(text, m_width - labelWidth));
            y += line;
        }
        return y;
    }

    // A "name: count" list of the kTopN largest counts, the rest summed on one line.
    int countList(const QRect &area, const QString &title, const QMap<QString, int> &counts)
    {
        int y = area.top();
        m_painter.setFont(font(10, true));
        m_painter.setPen(kInk);
        const int titleLine = int(textHeight(m_painter.font()) * 1.5);
        m_painter.drawText(QRect(area.left(), y, area.width(), titleLine), Qt::AlignLeft | Qt::AlignVCenter, title);
        y += titleLine;
        QList<std::pair<QString, int>> sorted;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            sorted.append({it.key(), it.value()});
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        m_painter.setFont(font(9));
        const int line = int(textHeight(m_painter.font()) * 1.35);
        const int countWidth = int(18 * kMm);
        if (sorted.isEmpty()) {
            m_painter.setPen(kMuted);
            m_painter.drawText(QRect(area.left(), y, area.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                               AuditReport::tr("(none)"));
            return y + line;
        }
        int rest = 0;
        for (int i = 0; i < sorted.size(); ++i) {
            if (i >= kTopN) {
                rest += sorted[i].second;
                continue;
            }
            m_painter.setPen(kInk);
            m_painter.drawText(QRect(area.left(), y, area.width() - countWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                               elided(sorted[i].first, area.width() - countWidth));
            m_painter.drawText(QRect(area.right() - countWidth, y, countWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                               QString::number(sorted[i].second));
            y += line;
        }
        if (sorted.size() > kTopN) {
            m_painter.setPen(kMuted);
            const int others = int(sorted.size()) - kTopN;
            m_painter.drawText(QRect(area.left(), y, area.width() - countWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                               AuditReport::tr("%n other(s)", nullptr, others));
            m_painter.drawText(QRect(area.right() - countWidth, y, countWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                               QString::number(rest));
            y += line;
        }
        return y;
    }

    void summaryPage()
    {
        int y = 0;
        m_painter.setPen(kInk);
        m_painter.setFont(font(18, true));
        const int titleLine = int(textHeight(m_painter.font()) * 1.3);
        m_painter.drawText(QRect(0, y, m_width, titleLine), Qt::AlignLeft | Qt::AlignVCenter, AuditReport::tr("Audit report"));
        y += titleLine;
        m_painter.setFont(font(11));
        m_painter.setPen(kMuted);
        const int subLine = int(textHeight(m_painter.font()) * 1.6);
        m_painter.drawText(QRect(0, y, m_width, subLine), Qt::AlignLeft | Qt::AlignVCenter,
                           elided(m_data.workspaceName, m_width));
        y += subLine;
        m_painter.setPen(QPen(kRule, 0.3 * kMm));
        m_painter.drawLine(0, y, m_width, y);
        y += int(3 * kMm);

        const AuditVerification &v = m_data.verification;
        y = keyValues(y, {
            {AuditReport::tr("Workspace"), m_data.workspaceName},
            {AuditReport::tr("Period"), periodText()},
            {AuditReport::tr("Filters"), filterText()},
            {AuditReport::tr("Entries"), AuditReport::tr("%1 of %2 in the log").arg(m_data.entries.size()).arg(v.entries)},
            {AuditReport::tr("Chain"), AuditReport::tr("verified intact (%n record(s))", nullptr, int(v.entries))},
            {AuditReport::tr("Chain head"), v.headHash},
            {AuditReport::tr("Verified at"), AuditReport::tr("%1 (UTC)").arg(shownTime(m_data.verifiedAt))},
            {AuditReport::tr("Generated by"), AuditReport::tr("%1, at %2 (UTC)").arg(whoText(m_data.who), shownTime(m_data.verifiedAt))},
        });
        y += int(5 * kMm);

        QMap<QString, int> perAction;
        QMap<QString, int> perActor;
        for (const AuditEntry &e : m_data.entries) {
            ++perAction[e.action];
            ++perActor[e.account.isEmpty() ? e.actor : AuditReport::tr("%1 (%2)").arg(e.actor, e.account)];
        }
        const int gap = int(8 * kMm);
        const int half = (m_width - gap) / 2;
        const int belowActions = countList(QRect(0, y, half, 0), AuditReport::tr("Entries per action"), perAction);
        const int belowActors = countList(QRect(half + gap, y, half, 0), AuditReport::tr("Entries per actor"), perActor);
        y = std::max(belowActions, belowActors) + int(6 * kMm);

        chart(QRect(0, y, m_width, std::min(int(110 * kMm), m_footerTop - y - int(4 * kMm))));
        footer(1);
    }

    void chart(const QRect &area)
    {
        m_painter.setFont(font(10, true));
        m_painter.setPen(kInk);
        const int titleLine = int(textHeight(m_painter.font()) * 1.6);
        if (!m_data.periodFrom.isValid() || m_data.entries.isEmpty()) {
            m_painter.drawText(QRect(area.left(), area.top(), area.width(), titleLine), Qt::AlignLeft | Qt::AlignVCenter,
                               AuditReport::tr("No entries in the period, so there is nothing to chart."));
            return;
        }
        const Chart c = bucketise(m_data.entries, m_data.periodFrom, m_data.periodTo);
        QString title;
        switch (c.unit) {
        case Unit::Hour: title = AuditReport::tr("Entries per hour (UTC)"); break;
        case Unit::Day: title = AuditReport::tr("Entries per day (UTC)"); break;
        case Unit::Week: title = AuditReport::tr("Entries per week (UTC, weeks start on Monday)"); break;
        case Unit::Month: title = AuditReport::tr("Entries per month (UTC)"); break;
        case Unit::Year: title = AuditReport::tr("Entries per year (UTC)"); break;
        }
        m_painter.drawText(QRect(area.left(), area.top(), area.width(), titleLine), Qt::AlignLeft | Qt::AlignVCenter, title);

        const QFont axisFont = font(7);
        m_painter.setFont(axisFont);
        const QFontMetrics fm(axisFont, &m_writer);
        const int maxCount = std::max(1, *std::max_element(c.counts.cbegin(), c.counts.cend()));
        // grid lines at a round step (1, 2 or 5 times a power of ten) so they carry readable numbers
        const double rough = std::max(1.0, maxCount / 4.0);
        const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
        int step = int(magnitude);
        for (double m : {1.0, 2.0, 5.0, 10.0}) {
            if (m * magnitude >= rough) {
                step = int(m * magnitude);
                break;
            }
        }
        const int lines = (maxCount + step - 1) / step;
        const int top = lines * step;
        const int yAxisWidth = fm.horizontalAdvance(QString::number(top)) + int(2 * kMm);
        const int xLabelHeight = fm.height() * 2;
        const QRect plot(area.left() + yAxisWidth, area.top() + titleLine, area.width() - yAxisWidth,
                         std::max(int(20 * kMm), area.height() - titleLine - xLabelHeight));

        for (int i = 0; i <= lines; ++i) {
            const int value = step * i;
            const int gy = plot.bottom() - int(double(plot.height()) * value / top);
            m_painter.setPen(QPen(i == 0 ? kMuted : kRule, 0.2 * kMm));
            m_painter.drawLine(plot.left(), gy, plot.right(), gy);
            m_painter.setPen(kMuted);
            m_painter.drawText(QRect(area.left(), gy - fm.height() / 2, yAxisWidth - int(1 * kMm), fm.height()),
                               Qt::AlignRight | Qt::AlignVCenter, QString::number(value));
        }

        const int n = int(c.counts.size());
        const double slot = double(plot.width()) / n;
        const double barWidth = std::max(1.0, slot * 0.8);
        m_painter.setPen(Qt::NoPen);
        m_painter.setBrush(kBar);
        for (int i = 0; i < n; ++i) {
            if (c.counts[i] == 0)
                continue;
            const double h = double(plot.height()) * c.counts[i] / top;
            m_painter.drawRect(QRectF(plot.left() + i * slot + (slot - barWidth) / 2, plot.bottom() - h, barWidth, h));
        }
        m_painter.setBrush(Qt::NoBrush);

        const QString format = c.unit == Unit::Hour ? QStringLiteral("MM-dd HH:00")
                             : c.unit == Unit::Year ? QStringLiteral("yyyy")
                             : c.unit == Unit::Month ? QStringLiteral("yyyy-MM")
                                                     : QStringLiteral("yyyy-MM-dd");
        const int labelWidth = fm.horizontalAdvance(c.starts.first().toString(format)) + int(3 * kMm);
        const int every = std::max(1, int(std::ceil(labelWidth / slot)));
        m_painter.setPen(kMuted);
        for (int i = 0; i < n; i += every) {
            const int cx = plot.left() + int(i * slot + slot / 2);
            m_painter.drawLine(cx, plot.bottom(), cx, plot.bottom() + int(1 * kMm));
            const QRect label(cx - labelWidth / 2, plot.bottom() + int(1 * kMm), labelWidth, fm.height() + int(1 * kMm));
            m_painter.drawText(label, Qt::AlignHCenter | Qt::AlignTop, c.starts[i].toString(format));
        }
    }

    struct Column
    {
        QString title;
        double share; // of the page width
    };

    QList<Column> columns() const
    {
        return {
            {AuditReport::tr("Time (UTC)"), 0.19},
            {AuditReport::tr("Actor / account"), 0.16},
            {AuditReport::tr("Source"), 0.09},
            {AuditReport::tr("Action"), 0.14},
            {AuditReport::tr("Object"), 0.18},
            {AuditReport::tr("Reason"), 0.24},
        };
    }

    void row(int y, const QStringList &cells, bool header)
    {
        const QList<Column> cols = columns();
        const int pad = int(1.2 * kMm);
        int x = 0;
        for (int i = 0; i < cols.size(); ++i) {
            const int w = i == cols.size() - 1 ? m_width - x : int(m_width * cols[i].share);
            m_painter.drawText(QRect(x + pad, y, w - 2 * pad, m_rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                               elided(cells.value(i), w - 2 * pad));
            x += w;
        }
        if (header) {
            m_painter.setPen(QPen(kMuted, 0.25 * kMm));
            m_painter.drawLine(0, y + m_rowHeight, m_width, y + m_rowHeight);
        }
    }

    void tablePage(int index)
    {
        m_painter.setFont(font(12, true));
        m_painter.setPen(kInk);
        const qsizetype first = qsizetype(index) * m_rowsPerPage;
        const qsizetype end = std::min<qsizetype>(m_data.entries.size(), first + m_rowsPerPage);
        const QString title = m_data.entries.isEmpty()
                                  ? AuditReport::tr("Entries")
                                  : AuditReport::tr("Entries %1 to %2 of %3").arg(first + 1).arg(end).arg(m_data.entries.size());
        m_painter.drawText(QRect(0, 0, m_width, m_tableTop), Qt::AlignLeft | Qt::AlignTop, title);

        // the header repeats on every page so a loose page still reads on its own
        int y = m_tableTop;
        m_painter.fillRect(QRect(0, y, m_width, m_rowHeight), kHeaderFill);
        m_painter.setFont(font(8, true));
        m_painter.setPen(kInk);
        QStringList titles;
        for (const Column &c : columns())
            titles << c.title;
        row(y, titles, true);
        y += m_rowHeight;

        m_painter.setFont(font(8));
        if (m_data.entries.isEmpty()) {
            m_painter.setPen(kMuted);
            m_painter.drawText(QRect(0, y, m_width, m_rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                               AuditReport::tr("No entries match the filters."));
        }
        for (qsizetype i = first; i < end; ++i) {
            const AuditEntry &e = m_data.entries[i];
            if ((i - first) % 2 == 1)
                m_painter.fillRect(QRect(0, y, m_width, m_rowHeight), kStripe);
            m_painter.setPen(kInk);
            const QString who = e.account.isEmpty() ? e.actor : AuditReport::tr("%1 / %2").arg(e.actor, e.account);
            row(y, {shownTime(e.at), who, e.source, e.action, e.object, e.reason}, false);
            y += m_rowHeight;
        }
        footer(index + 2);
    }

    QPdfWriter &m_writer;
    const ReportData &m_data;
    QPainter m_painter;
    int m_width = 0;
    int m_height = 0;
    int m_footerTop = 0;
    int m_rowHeight = 0;
    int m_tableTop = 0;
    int m_rowsPerPage = 1;
    int m_pages = 2;
};

QByteArray xmpMetadata(const ReportData &data, const QString &title)
{
    // Readers and scripts can check the stamp without parsing the page content streams.
    const QString description = AuditReport::tr("Audit entries verified against chain head %1 at %2 (UTC).")
                                    .arg(data.verification.headHash, shownTime(data.verifiedAt));
    const QString xml = QStringLiteral(
        "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        "  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
        " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%1</rdf:li></rdf:Alt></dc:title>\n"
        "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%2</rdf:li></rdf:Alt></dc:description>\n"
        "   <xmp:CreatorTool>SyncPilot %3</xmp:CreatorTool>\n"
        "   <xmp:CreateDate>%4</xmp:CreateDate>\n"
        "   <pdf:Keywords>syncpilot-audit-chain-head:%5 entries:%6</pdf:Keywords>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        "<?xpacket end=\"w\"?>\n")
                            .arg(title.toHtmlEscaped(), description.toHtmlEscaped(), QStringLiteral(SYNCPILOT_VERSION),
                                 data.verifiedAt.toUTC().toString(Qt::ISODate), data.verification.headHash,
                                 QString::number(data.entries.size()));
    return xml.toUtf8();
}

} // namespace

QByteArray AuditReport::renderPdf(Workspace &ws, const AuditFilter &filter, const ChangeContext &who, qint64 *entries)
{
    // QPainter needs the font machinery of a GUI application to lay out text; without it Qt
    // aborts the process, so refuse in words instead.
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        fail(tr("A PDF report needs the graphical part of Qt (QGuiApplication); this program started without it."));

    ReportData data;
    data.filter = filter;
    data.who = who;
    ws.read([&] {
        data.verification = AuditLog(ws).verify();
        if (!data.verification.ok)
            fail(AuditLog::tr("The audit chain does not verify (%1); export refused.").arg(data.verification.problem));
        data.verifiedAt = Clock::current().now();
        data.workspaceName = ws.name();
        data.entries = AuditLog(ws).list(filter);
    });
    if (!data.entries.isEmpty() || filter.from || filter.to) {
        data.periodFrom = filter.from ? *filter.from : data.entries.first().at;
        data.periodTo = filter.to ? *filter.to : data.entries.last().at.addMSecs(1);
        if (!filter.to && filter.from && data.entries.isEmpty())
            data.periodTo = data.verifiedAt;
        if (!filter.from && data.entries.isEmpty())
            data.periodFrom = QDateTime(); // nothing to anchor the start on
        if (data.periodFrom.isValid() && data.periodTo <= data.periodFrom)
            data.periodTo = data.periodFrom.addSecs(1);
    }

    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        const QString title = tr("SyncPilot audit report: %1").arg(data.workspaceName);
        writer.setTitle(title);
        writer.setCreator(QStringLiteral("SyncPilot %1").arg(QStringLiteral(SYNCPILOT_VERSION)));
        writer.setResolution(kDpi);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                         QMarginsF(18, 15, 15, 15), QPageLayout::Millimeter));
        writer.setDocumentXmpMetadata(xmpMetadata(data, title));
        Renderer(writer, data).render();
    }
    if (entries)
        *entries = data.entries.size();
    return buffer.data();
}

qint64 AuditReport::writePdf(Workspace &ws, const AuditFilter &filter, const QString &path, const ChangeContext &who)
{
    qint64 n = 0;
    const QByteArray pdf = renderPdf(ws, filter, who, &n);
    writeFileAtomically(path, pdf);
    return n;
}

} // namespace sp
