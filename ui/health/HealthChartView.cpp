#include "HealthChartView.h"

#include "Icons.h"

#include <QCategoryAxis>
#include <QChart>
#include <QDateTimeAxis>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLegend>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace sp {

namespace {

constexpr qint64 kMinSpanMs = 2 * 60 * 1000; // no zooming below two minutes (buckets are one minute)

QColor markerColor(const QString &kind)
{
    if (kind == QLatin1String("rollback") || kind == QLatin1String("kill"))
        return Icons::danger();
    if (kind == QLatin1String("pause"))
        return Icons::warning();
    QColor c = Icons::neutral();
    c.setAlphaF(0.55f);
    return c;
}

} // namespace

HealthChartView::HealthChartView(const QString &title, QWidget *parent) : QChartView(parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 2, 4, 2));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setShowToolTips(true);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(260, 170);

    m_axisX = new QDateTimeAxis(chart);
    m_axisX->setTickCount(5);
    m_axisY = new QValueAxis(chart);
    m_axisY->setLabelFormat(QStringLiteral("%.3g"));
    m_axisY->setTickCount(4);
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);
    applyPalette();
}

void HealthChartView::useStateAxis()
{
    chart()->removeAxis(m_axisY);
    delete m_axisY;
    auto *axis = new QCategoryAxis(chart());
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->append(tr("closed"), 0.0);
    axis->append(tr("half open"), 0.5);
    axis->append(tr("open"), 1.0);
    axis->setRange(-0.08, 1.12);
    m_axisY = axis;
    chart()->addAxis(m_axisY, Qt::AlignLeft);
    applyPalette();
}

void HealthChartView::setYMax(double max, double cap)
{
    if (qobject_cast<QCategoryAxis *>(m_axisY))
        return;
    double top = max > 0 && std::isfinite(max) ? max * 1.08 : 1.0;
    if (cap > 0 && top > cap) {
        m_axisY->setRange(0.0, cap);
        m_axisY->setTickCount(5);
        return;
    }
    m_axisY->setRange(0.0, top);
    m_axisY->applyNiceNumbers();
}

void HealthChartView::setXRange(qint64 fromMs, qint64 toMs)
{
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1000);
    const qint64 span = m_toMs - m_fromMs;
    if (span <= 2LL * 3600 * 1000)
        m_axisX->setFormat(QStringLiteral("HH:mm"));
    else if (span <= 36LL * 3600 * 1000)
        m_axisX->setFormat(QStringLiteral("HH:mm"));
    else
        m_axisX->setFormat(QStringLiteral("dd MMM HH:mm"));
    m_axisX->setRange(QDateTime::fromMSecsSinceEpoch(m_fromMs), QDateTime::fromMSecsSinceEpoch(m_toMs));
    viewport()->update();
}

void HealthChartView::setMarkers(const QList<HealthData::Marker> &markers)
{
    m_markers = markers;
    viewport()->update();
}

void HealthChartView::applyPalette()
{
    if (!m_axisX || !m_axisY)
        return;
    const QPalette pal = palette();
    QChart *c = chart();
    c->setBackgroundBrush(pal.brush(QPalette::Base));
    c->setBackgroundPen(Qt::NoPen);
    c->setPlotAreaBackgroundVisible(false);
    c->setTitleBrush(pal.brush(QPalette::Text));
    c->legend()->setLabelColor(pal.color(QPalette::Text));
    QColor grid = pal.color(QPalette::Text);
    grid.setAlphaF(0.12f);
    QColor line = pal.color(QPalette::Text);
    line.setAlphaF(0.45f);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_axisX), static_cast<QAbstractAxis *>(m_axisY)}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setGridLineColor(grid);
        axis->setLinePenColor(line);
        axis->setTitleBrush(pal.brush(QPalette::Text));
    }
    QFont titleFont = font();
    titleFont.setBold(true);
    c->setTitleFont(titleFont);
    QFont small = font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    c->legend()->setFont(small);
    m_axisX->setLabelsFont(small);
    m_axisY->setLabelsFont(small);
    setBackgroundBrush(pal.brush(QPalette::Base));
}

double HealthChartView::msAt(int viewportX) const
{
    const QRectF plot = chart()->plotArea();
    const QPointF chartPos = chart()->mapFromScene(mapToScene(QPoint(viewportX, 0)));
    if (plot.width() <= 0)
        return double(m_fromMs);
    const double f = std::clamp((chartPos.x() - plot.left()) / plot.width(), 0.0, 1.0);
    return double(m_fromMs) + f * double(m_toMs - m_fromMs);
}

const HealthData::Marker *HealthChartView::markerAt(int viewportX) const
{
    const QRectF plot = chart()->plotArea();
    if (plot.width() <= 0 || m_toMs <= m_fromMs)
        return nullptr;
    const double msPerPx = double(m_toMs - m_fromMs) / plot.width();
    const double at = msAt(viewportX);
    const HealthData::Marker *best = nullptr;
    double bestDistance = 5 * msPerPx;
    for (const HealthData::Marker &m : m_markers) {
        const double d = std::abs(double(m.atMs) - at);
        if (d <= bestDistance) {
            bestDistance = d;
            best = &m;
        }
    }
    return best;
}

void HealthChartView::zoomBy(double factor, double centreMs)
{
    const double span = double(m_toMs - m_fromMs);
    const double newSpan = std::max(double(kMinSpanMs), span * factor);
    const double f = span > 0 ? (centreMs - double(m_fromMs)) / span : 0.5;
    const qint64 from = qint64(std::llround(centreMs - f * newSpan));
    Q_EMIT rangeRequested(from, from + qint64(std::llround(newSpan)));
}

void HealthChartView::panBy(double fraction)
{
    const qint64 shift = qint64(std::llround(double(m_toMs - m_fromMs) * fraction));
    Q_EMIT rangeRequested(m_fromMs + shift, m_toMs + shift);
}

void HealthChartView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_pressPos = event->position().toPoint();
    m_pressFrom = m_fromMs;
    m_pressTo = m_toMs;
    const bool pan = event->button() == Qt::RightButton || event->button() == Qt::MiddleButton
                     || (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
    if (pan) {
        m_drag = Drag::Pan;
        viewport()->setCursor(Qt::ClosedHandCursor);
    } else if (event->button() == Qt::LeftButton) {
        m_drag = Drag::Zoom;
        if (!m_band)
            m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
        const QRectF plot = chart()->plotArea();
        const QRect plotInView = mapFromScene(chart()->mapToScene(plot)).boundingRect();
        m_band->setGeometry(QRect(m_pressPos.x(), plotInView.top(), 0, plotInView.height()));
        m_band->show();
    }
    event->accept();
}

void HealthChartView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_drag == Drag::Zoom && m_band) {
        const QRect g = m_band->geometry();
        m_band->setGeometry(QRect(QPoint(std::min(pos.x(), m_pressPos.x()), g.top()),
                                  QPoint(std::max(pos.x(), m_pressPos.x()), g.bottom())));
    } else if (m_drag == Drag::Pan) {
        const QRectF plot = chart()->plotArea();
        if (plot.width() > 0) {
            const double msPerPx = double(m_pressTo - m_pressFrom) / plot.width();
            const qint64 shift = qint64(std::llround(double(m_pressPos.x() - pos.x()) * msPerPx));
            if (m_pressFrom + shift != m_fromMs)
                Q_EMIT rangeRequested(m_pressFrom + shift, m_pressTo + shift);
        }
    }
    event->accept();
}

void HealthChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_drag == Drag::Zoom && m_band) {
        m_band->hide();
        const int x = event->position().toPoint().x();
        if (std::abs(x - m_pressPos.x()) >= 6) {
            const double a = msAt(std::min(x, m_pressPos.x()));
            const double b = msAt(std::max(x, m_pressPos.x()));
            const double centre = (a + b) / 2;
            const double span = std::max(double(kMinSpanMs), b - a);
            Q_EMIT rangeRequested(qint64(std::llround(centre - span / 2)), qint64(std::llround(centre + span / 2)));
        }
    }
    if (m_drag == Drag::Pan)
        viewport()->unsetCursor();
    m_drag = Drag::None;
    event->accept();
}

void HealthChartView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (m_band)
        m_band->hide();
    m_drag = Drag::None;
    Q_EMIT resetRequested();
    event->accept();
}

void HealthChartView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    const double steps = double(delta) / 120.0;
    zoomBy(std::pow(0.8, steps), msAt(int(event->position().x())));
    event->accept();
}

void HealthChartView::keyPressEvent(QKeyEvent *event)
{
    const double centre = double(m_fromMs + m_toMs) / 2;
    switch (event->key()) {
    case Qt::Key_Left:
        panBy(-0.1);
        break;
    case Qt::Key_Right:
        panBy(0.1);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(0.5, centre);
        break;
    case Qt::Key_Minus:
        zoomBy(2.0, centre);
        break;
    case Qt::Key_Escape:
    case Qt::Key_Home:
        Q_EMIT resetRequested();
        break;
    default:
        QChartView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void HealthChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    if (m_markers.isEmpty() || plot.width() <= 0 || m_toMs <= m_fromMs)
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    for (const HealthData::Marker &m : m_markers) {
        if (m.atMs < m_fromMs || m.atMs > m_toMs)
            continue;
        const double x = plot.left() + double(m.atMs - m_fromMs) / double(m_toMs - m_fromMs) * plot.width();
        const QPointF top = chart()->mapToScene(QPointF(x, plot.top()));
        const QPointF bottom = chart()->mapToScene(QPointF(x, plot.bottom()));
        const QColor c = markerColor(m.kind);
        QPen pen(c, m.kind == QLatin1String("advance") ? 1.0 : 2.0);
        painter->setPen(pen);
        painter->drawLine(top, bottom);
        painter->setBrush(c);
        painter->setPen(Qt::NoPen);
        painter->drawEllipse(top, 3.5, 3.5);
    }
    painter->restore();
}

bool HealthChartView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        if (const HealthData::Marker *m = markerAt(help->pos().x())) {
            const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(m->atMs), QLocale::ShortFormat);
            QToolTip::showText(help->globalPos(),
                               tr("%1 (%2, %3)\n%4").arg(m->kind, m->automatic ? tr("automatic") : tr("manual"), when, m->summary),
                               viewport());
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QChartView::viewportEvent(event);
}

void HealthChartView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyPalette();
}

} // namespace sp
