#include "HealthView.h"

#include "ConsoleContext.h"
#include "HealthChartView.h"
#include "HealthQueryJob.h"
#include "Icons.h"

#include "common/Clock.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QButtonGroup>
#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QSet>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sp {

namespace {

using Metric = HealthData::Metric;
using FlagList = QList<QPair<QString, bool>>;

constexpr int kLiveMs = 2000;
constexpr qint64 kFlagRunsLookbackSeconds = 7 * 24 * 3600;

QColor cohortColor(RunPath path)
{
    switch (path) {
    case RunPath::Sync:
        return QColor(0x2f, 0x80, 0xed); // blue
    case RunPath::Legacy:
        return QColor(0x8a, 0x93, 0xa0); // slate grey: the old path
    case RunPath::Shadow:
        return QColor(0x9b, 0x59, 0xd0); // violet
    }
    return Icons::neutral();
}

QColor breakerColor(int index)
{
    static const QList<QColor> colors = {QColor(0xd9, 0x48, 0x3b), QColor(0x16, 0xa0, 0x85), QColor(0x8e, 0x6c, 0x3a),
                                         QColor(0xc0, 0x39, 0x7b)};
    return colors.at(index % colors.size());
}

QColor thresholdColor(const QString &action)
{
    if (action == QLatin1String("rollback") || action == QLatin1String("kill"))
        return Icons::danger();
    if (action == QLatin1String("pause"))
        return Icons::warning();
    return Icons::neutral();
}

} // namespace

HealthView::HealthView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("healthView"));
    setAccessibleName(tr("Health"));
    buildUi();

    m_liveTimer = new QTimer(this);
    m_liveTimer->setInterval(kLiveMs);
    connect(m_liveTimer, &QTimer::timeout, this, &HealthView::query);

    m_coalesce = new QTimer(this);
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(150);
    connect(m_coalesce, &QTimer::timeout, this, &HealthView::refresh);
    m_zoomQuery = new QTimer(this);
    m_zoomQuery->setSingleShot(true);
    m_zoomQuery->setInterval(120);
    connect(m_zoomQuery, &QTimer::timeout, this, &HealthView::query);
    if (m_ctx.watcher())
        connect(m_ctx.watcher(), &WorkspaceWatcher::changed, this, [this] { m_coalesce->start(); });

    reloadFlags();
}

HealthView::~HealthView() = default;

void HealthView::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);

    auto *bar = new QHBoxLayout;
    bar->setSpacing(6);
    auto *flagLabel = new QLabel(tr("&Flag:"), this);
    m_flag = new QComboBox(this);
    m_flag->setObjectName(QStringLiteral("healthFlag"));
    m_flag->setAccessibleName(tr("Flag to chart"));
    m_flag->setToolTip(tr("Flags with recorded runs come first."));
    m_flag->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_flag->setMinimumContentsLength(18);
    flagLabel->setBuddy(m_flag);
    bar->addWidget(flagLabel);
    bar->addWidget(m_flag);
    bar->addSpacing(12);

    m_ranges = new QButtonGroup(this);
    m_ranges->setExclusive(true);
    struct RangeButton
    {
        const char *name;
        QString text;
        QString accessible;
        qint64 seconds;
        int key;
    };
    const QList<RangeButton> ranges = {
        {"range15m", tr("15 min"), tr("Last 15 minutes"), 15 * 60, Qt::Key_1},
        {"range1h", tr("1 h"), tr("Last hour"), 3600, Qt::Key_2},
        {"range24h", tr("24 h"), tr("Last 24 hours"), 24 * 3600, Qt::Key_3},
        {"range7d", tr("7 d"), tr("Last 7 days"), 7 * 24 * 3600, Qt::Key_4},
    };
    for (const RangeButton &r : ranges) {
        auto *button = new QToolButton(this);
        button->setObjectName(QString::fromLatin1(r.name));
        button->setText(r.text);
        button->setAccessibleName(r.accessible);
        button->setCheckable(true);
        button->setAutoRaise(false);
        button->setShortcut(QKeySequence(Qt::ALT | Qt::Key(r.key)));
        button->setToolTip(tr("%1 (%2)").arg(r.accessible, button->shortcut().toString(QKeySequence::NativeText)));
        button->setChecked(r.seconds == m_rangeSeconds);
        m_ranges->addButton(button, int(r.seconds / 60));
        bar->addWidget(button);
    }
    connect(m_ranges, &QButtonGroup::idClicked, this, [this](int minutes) { setRangeSeconds(qint64(minutes) * 60); });

    bar->addSpacing(12);
    m_live = new QToolButton(this);
    m_live->setObjectName(QStringLiteral("healthLive"));
    m_live->setText(tr("Live"));
    m_live->setIcon(Icons::icon(Icons::Glyph::Play));
    m_live->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_live->setCheckable(true);
    m_live->setChecked(true);
    m_live->setShortcut(QKeySequence(Qt::ALT | Qt::Key_L));
    m_live->setAccessibleName(tr("Live updates"));
    m_live->setToolTip(tr("Update the charts every 2 seconds and keep the range ending now (%1)")
                           .arg(m_live->shortcut().toString(QKeySequence::NativeText)));
    connect(m_live, &QToolButton::toggled, this, [this](bool on) {
        m_live->setIcon(Icons::icon(on ? Icons::Glyph::Play : Icons::Glyph::Pause));
        updateTimer();
        if (on)
            query();
    });
    bar->addWidget(m_live);

    m_resetZoom = new QToolButton(this);
    m_resetZoom->setObjectName(QStringLiteral("healthResetZoom"));
    m_resetZoom->setText(tr("Reset zoom"));
    m_resetZoom->setIcon(Icons::icon(Icons::Glyph::Undo));
    m_resetZoom->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_resetZoom->setAccessibleName(tr("Reset zoom"));
    m_resetZoom->setToolTip(tr("Back to the selected range (Esc or double-click on a chart)"));
    m_resetZoom->setEnabled(false);
    connect(m_resetZoom, &QToolButton::clicked, this, &HealthView::resetZoom);
    bar->addWidget(m_resetZoom);

    bar->addStretch(1);
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("healthInfo"));
    m_info->setForegroundRole(QPalette::PlaceholderText);
    m_info->setToolTip(tr("Drag across a chart to zoom in, use the wheel to zoom, drag with the right button or "
                          "Shift (or the arrow keys) to pan, double-click or Esc to reset."));
    bar->addWidget(m_info);
    layout->addLayout(bar);

    m_stack = new QStackedWidget(this);
    m_stack->setObjectName(QStringLiteral("healthStack"));
    auto *page = new QWidget(m_stack);
    page->setObjectName(QStringLiteral("healthCharts"));
    auto *grid = new QGridLayout(page);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    struct ChartSpec
    {
        Metric metric;
        const char *name;
        QString title;
        QString accessible;
    };
    const QList<ChartSpec> charts = {
        {Metric::ErrorRate, "chartErrorRate", tr("Error rate (%)"), tr("Error rate chart")},
        {Metric::Latency, "chartLatency", tr("Latency (ms): p95 solid, p50 dotted"), tr("Latency chart")},
        {Metric::Runs, "chartRuns", tr("Runs per minute"), tr("Runs chart")},
        {Metric::Mismatches, "chartMismatches", tr("Mismatches per minute"), tr("Mismatches chart")},
        {Metric::Rate429, "chart429", tr("HTTP 429 responses per run"), tr("429 chart")},
        {Metric::Breakers, "chartBreakers", tr("Circuit breakers"), tr("Circuit breaker chart")},
    };
    for (qsizetype i = 0; i < charts.size(); ++i) {
        const ChartSpec &c = charts.at(i);
        auto *view = new HealthChartView(c.title, page);
        view->setObjectName(QString::fromLatin1(c.name));
        view->setAccessibleName(c.accessible);
        view->setToolTip(m_info->toolTip());
        connect(view, &HealthChartView::rangeRequested, this, &HealthView::zoomTo);
        connect(view, &HealthChartView::resetRequested, this, &HealthView::resetZoom);
        m_charts.insert(int(c.metric), view);
        grid->addWidget(view, int(i / 2), int(i % 2));
    }
    m_charts.value(int(Metric::Breakers))->useStateAxis();
    m_charts.value(int(Metric::ErrorRate))->axisY()->setLabelFormat(QStringLiteral("%.0f"));
    m_charts.value(int(Metric::Latency))->axisY()->setLabelFormat(QStringLiteral("%.0f"));
    m_charts.value(int(Metric::Runs))->axisY()->setLabelFormat(QStringLiteral("%.1f"));
    m_charts.value(int(Metric::Mismatches))->axisY()->setLabelFormat(QStringLiteral("%.1f"));
    m_charts.value(int(Metric::Rate429))->axisY()->setLabelFormat(QStringLiteral("%.2f"));
    m_stack->addWidget(page);

    m_empty = new QLabel(m_stack);
    m_empty->setObjectName(QStringLiteral("healthEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setAccessibleName(tr("No health data"));
    m_empty->setText(tr("Loading…"));
    m_stack->addWidget(m_empty);
    m_stack->setCurrentWidget(m_empty);
    layout->addWidget(m_stack, 1);
}

QString HealthView::flagKey() const
{
    return m_flag->currentData().toString();
}

void HealthView::setFlagKey(const QString &key)
{
    const int index = m_flag->findData(key);
    if (index >= 0)
        m_flag->setCurrentIndex(index);
}

void HealthView::setRangeSeconds(qint64 seconds)
{
    m_rangeSeconds = seconds;
    if (QAbstractButton *b = m_ranges->button(int(seconds / 60)))
        b->setChecked(true);
    m_zoomed = false;
    m_resetZoom->setEnabled(false);
    query();
}

HealthChartView *HealthView::chart(HealthData::Metric metric) const
{
    return m_charts.value(int(metric));
}

int HealthView::targetPoints() const
{
    const HealthChartView *view = m_charts.value(int(Metric::ErrorRate));
    double width = view->chart()->plotArea().width();
    if (width < 50)
        width = std::max(100, view->width() - 60);
    return std::clamp(int(std::lround(2 * width)), 200, 4000);
}

void HealthView::zoomTo(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return;
    m_zoomed = true;
    m_resetZoom->setEnabled(true);
    setWindow(fromMs, toMs);
    m_zoomQuery->start(); // re-query the visible range at a finer step once the gesture settles
}

void HealthView::resetZoom()
{
    if (!m_zoomed)
        return;
    m_zoomed = false;
    m_resetZoom->setEnabled(false);
    query();
}

void HealthView::refresh()
{
    reloadFlags();
    query();
}

void HealthView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateTimer();
    query();
}

void HealthView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateTimer();
}

void HealthView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_live) {
        // The glyphs are painted in the palette's text colour of the moment.
        m_live->setIcon(Icons::icon(m_live->isChecked() ? Icons::Glyph::Play : Icons::Glyph::Pause));
        m_resetZoom->setIcon(Icons::icon(Icons::Glyph::Undo));
    }
}

void HealthView::updateTimer()
{
    if (m_live->isChecked() && isVisible())
        m_liveTimer->start();
    else
        m_liveTimer->stop();
}

void HealthView::reloadFlags()
{
    const QDateTime now = m_ctx.clock().now();
    m_ctx.tasks()->run<FlagList>(
        QStringLiteral("health-flags"), this,
        [now](Workspace &ws) {
            FlagList withRuns;
            FlagList without;
            const RunRecordStore store(ws);
            const QDateTime from = now.addSecs(-kFlagRunsLookbackSeconds);
            const QDateTime to = now.addSecs(60);
            for (const Flag &f : FlagStore(ws).flags()) {
                const bool runs = store.hasRuns(f.key, RunPath::Sync, from, to) || store.hasRuns(f.key, RunPath::Legacy, from, to)
                                  || store.hasRuns(f.key, RunPath::Shadow, from, to);
                (runs ? withRuns : without).append({f.key, runs});
            }
            const auto byKey = [](const QPair<QString, bool> &a, const QPair<QString, bool> &b) { return a.first < b.first; };
            std::sort(withRuns.begin(), withRuns.end(), byKey);
            std::sort(without.begin(), without.end(), byKey);
            return withRuns + without;
        },
        [this](FlagList flags) { applyFlags(flags); }, [this](const QString &message) { showPlaceholder(message); });
}

void HealthView::applyFlags(const QList<QPair<QString, bool>> &flags)
{
    QStringList keys;
    for (const auto &f : flags)
        keys << (f.first + (f.second ? QStringLiteral("+") : QString()));
    const bool first = !m_flagsLoaded;
    m_flagsLoaded = true;
    if (keys == m_flagKeys) {
        if (first)
            query();
        return;
    }
    m_flagKeys = keys;
    const QString current = flagKey();
    {
        const QSignalBlocker block(m_flag);
        m_flag->clear();
        bool separated = false;
        for (const auto &f : flags) {
            if (!f.second && !separated && m_flag->count() > 0) {
                m_flag->insertSeparator(m_flag->count());
                separated = true;
            }
            if (f.second)
                m_flag->addItem(Icons::dot(Icons::healthy()), f.first, f.first);
            else
                m_flag->addItem(f.first, f.first);
            if (!f.second)
                m_flag->setItemData(m_flag->count() - 1, tr("No runs recorded in the last 7 days"), Qt::ToolTipRole);
        }
        const int index = m_flag->findData(current);
        m_flag->setCurrentIndex(index >= 0 ? index : (m_flag->count() > 0 ? 0 : -1));
    }
    if (first)
        connect(m_flag, &QComboBox::currentIndexChanged, this, [this] {
            m_zoomed = false;
            m_resetZoom->setEnabled(false);
            query();
        });
    if (first || flagKey() != current)
        query();
}

void HealthView::setWindow(qint64 fromMs, qint64 toMs)
{
    m_fromMs = fromMs;
    m_toMs = toMs;
    for (HealthChartView *view : std::as_const(m_charts))
        view->setXRange(fromMs, toMs);
    // Threshold lines span the visible range.
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        if (it.key().startsWith(QLatin1String("threshold.")) && it.value()->count() == 2) {
            const double y = it.value()->at(0).y();
            it.value()->replace(QList<QPointF>{{double(fromMs), y}, {double(toMs), y}});
        }
    }
}

QString HealthView::rangeWords() const
{
    if (m_zoomed)
        return tr("the zoomed range");
    switch (m_rangeSeconds) {
    case 15 * 60:
        return tr("the last 15 minutes");
    case 3600:
        return tr("the last hour");
    case 24 * 3600:
        return tr("the last 24 hours");
    case 7 * 24 * 3600:
        return tr("the last 7 days");
    default:
        return tr("this range");
    }
}

void HealthView::showPlaceholder(const QString &text)
{
    m_empty->setText(text);
    m_stack->setCurrentWidget(m_empty);
}

void HealthView::query()
{
    if (!m_flagsLoaded)
        return;
    const QString key = flagKey();
    if (key.isEmpty()) {
        showPlaceholder(tr("No flags in this workspace yet. Create a flag on the Flags page; its runs show up here."));
        return;
    }
    if (!m_zoomed) {
        const qint64 now = m_ctx.clock().now().toMSecsSinceEpoch();
        setWindow(now - m_rangeSeconds * 1000, now);
    }
    HealthQueryJob::Request request;
    request.flagKey = key;
    request.fromMs = m_fromMs;
    request.toMs = m_toMs;
    request.targetPoints = targetPoints();
    m_ctx.tasks()->run<HealthData>(
        QStringLiteral("health"), this, [request](Workspace &ws) { return HealthQueryJob::run(ws, request); },
        [this](HealthData data) { apply(std::move(data)); },
        [this](const QString &message) { m_info->setText(tr("Could not read the runs: %1").arg(message)); });
}

QLineSeries *HealthView::seriesFor(HealthChartView *view, const QString &id, const QString &label)
{
    QLineSeries *series = m_series.value(id);
    if (!series) {
        series = new QLineSeries(view->chart());
        series->setObjectName(id);
        view->chart()->addSeries(series);
        series->attachAxis(view->axisX());
        series->attachAxis(view->axisY());
        m_series.insert(id, series);
    }
    series->setName(label);
    return series;
}

void HealthView::drawLine(HealthChartView *view, const HealthData::Line &line, const QPen &pen, QSet<QString> &present)
{
    // Stretches of points no further apart than a few buckets (or a few downsampled points).
    QList<QList<QPointF>> stretches;
    if (line.breaker) {
        stretches.append(line.points); // a state holds until it changes: a step line, never broken
    } else {
        const double span = double(m_data.toMs - m_data.fromMs);
        const double maxGap = std::max(5.0 * double(m_data.stepSeconds) * 1000.0, 4.0 * span / std::max(1, m_data.targetPoints));
        for (const QPointF &p : line.points) {
            if (stretches.isEmpty() || p.x() - stretches.last().last().x() > maxGap)
                stretches.append(QList<QPointF>());
            stretches.last().append(p);
        }
        if (stretches.isEmpty())
            stretches.append(QList<QPointF>());
    }
    for (qsizetype k = 0; k < stretches.size(); ++k) {
        // The newest stretch (k == 0) carries the line's name and its legend entry.
        const QList<QPointF> &points = stretches.at(stretches.size() - 1 - k);
        const QString id = k == 0 ? line.id : QStringLiteral("%1~%2").arg(line.id).arg(k);
        QLineSeries *series = seriesFor(view, id, line.label);
        present.insert(id);
        if (series->pen() != pen)
            series->setPen(pen);
        const bool lone = points.size() == 1;
        if (series->pointsVisible() != lone) {
            series->setPointsVisible(lone);
            series->setMarkerSize(std::max(2.5, pen.widthF() * 1.4)); // Qt Charts 6.4 draws it as a radius
        }
        if (lone)
            series->setBrush(pen.color());
        series->replace(points);
        // p50 shares its cohort's colour and older stretches their line's: the legend lists each cohort once.
        if (line.p50 || k > 0) {
            for (QLegendMarker *marker : view->chart()->legend()->markers(series))
                marker->setVisible(false);
        }
    }
}

void HealthView::apply(HealthData data)
{
    if (data.flagKey != flagKey())
        return; // an answer for a flag no longer shown
    if (m_zoomed && (data.fromMs != m_fromMs || data.toMs != m_toMs))
        return; // the zoom moved on; its own query is coming
    m_data = std::move(data);

    if (!m_data.hasRuns) {
        showPlaceholder(tr("No runs of %1 in %2.\nRuns appear here as soon as the sync engine records them or they are "
                           "imported with syncpilot-cli metrics ingest.")
                            .arg(m_data.flagKey, rangeWords()));
    } else {
        m_stack->setCurrentIndex(0);
    }

    QSet<QString> present;
    QHash<int, double> maxY;
    int breakerIndex = 0;
    for (const HealthData::Line &line : std::as_const(m_data.lines)) {
        HealthChartView *view = m_charts.value(int(line.metric));
        QPen pen;
        if (line.breaker) {
            pen = QPen(breakerColor(breakerIndex++), 2.0);
        } else {
            pen = QPen(cohortColor(line.cohort), line.p50 ? 1.4 : 2.0);
            if (line.p50)
                pen.setStyle(Qt::DotLine);
        }
        drawLine(view, line, pen, present);
        double &m = maxY[int(line.metric)];
        for (const QPointF &p : line.points) {
            if (p.x() >= double(m_fromMs) && p.x() <= double(m_toMs))
                m = std::max(m, p.y());
        }
    }
    for (const HealthData::Threshold &t : std::as_const(m_data.thresholds)) {
        HealthChartView *view = m_charts.value(int(t.metric));
        QLineSeries *series = seriesFor(view, t.id, t.label);
        present.insert(t.id);
        QPen pen(thresholdColor(t.action), 1.4, Qt::DashLine);
        if (series->pen() != pen)
            series->setPen(pen);
        series->replace(QList<QPointF>{{double(m_fromMs), t.value}, {double(m_toMs), t.value}});
        double &m = maxY[int(t.metric)];
        m = std::max(m, t.value);
    }
    // Lines that are gone (a cohort without runs now, another flag's upstream): removed.
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (!present.contains(it.key())) {
            if (QChart *c = it.value()->chart())
                c->removeSeries(it.value());
            delete it.value();
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }

    for (auto it = m_charts.cbegin(); it != m_charts.cend(); ++it) {
        if (it.key() == int(Metric::Breakers))
            continue;
        it.value()->setYMax(maxY.value(it.key()), it.key() == int(Metric::ErrorRate) ? 100.0 : 0.0);
        it.value()->setMarkers(m_data.markers);
    }
    HealthChartView *breakers = m_charts.value(int(Metric::Breakers));
    breakers->setMarkers(m_data.markers);
    breakers->chart()->setTitle(breakerIndex > 0 ? tr("Circuit breakers")
                                                 : tr("Circuit breakers: no state reported in this range"));

    const QString step = m_data.stepSeconds < 3600 ? tr("%n-min buckets", nullptr, int(m_data.stepSeconds / 60))
                                                   : tr("%n-h buckets", nullptr, int(m_data.stepSeconds / 3600));
    m_info->setText(tr("%1 · updated %2%3")
                        .arg(step, QLocale().toString(m_ctx.clock().now().toLocalTime().time(), QLocale::ShortFormat),
                             m_zoomed ? tr(" · zoomed") : QString()));
    Q_EMIT dataApplied();
}

} // namespace sp
