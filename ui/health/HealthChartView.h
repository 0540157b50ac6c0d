#pragma once

#include "HealthData.h"

#include <QChartView>
#include <QPoint>

class QDateTimeAxis;
class QRubberBand;
class QValueAxis;

namespace sp {

// One Health chart: a time axis (QDateTimeAxis) and a value axis set by the owner, vertical markers
// where rollout decisions were taken (tooltip: the summary), and zoom and pan that do not change the
// chart by themselves but ask the owner for a new x range, so every chart of the view follows:
// drag with the left button to zoom into a span, the wheel or +/- to zoom around the pointer,
// drag with the right or middle button (or Shift+left) or the arrow keys to pan, double-click,
// Esc or Home to go back to the selected range.
class HealthChartView : public QChartView
{
    Q_OBJECT

public:
    explicit HealthChartView(const QString &title, QWidget *parent = nullptr);

    QDateTimeAxis *axisX() const { return m_axisX; }
    QValueAxis *axisY() const { return m_axisY; }

    // Replaces the value axis by one labelled closed / half open / open at 0, 0.5 and 1 (breakers).
    // Call before any series is added.
    void useStateAxis();
    // Sets the value axis to [0, max] with round tick values (max 0 shows 0 … 1), at most cap when
    // cap > 0 (percentages end at 100).
    void setYMax(double max, double cap = 0);

    void setXRange(qint64 fromMs, qint64 toMs);
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }

    void setMarkers(const QList<HealthData::Marker> &markers);
    const QList<HealthData::Marker> &markers() const { return m_markers; }
    // The marker drawn within a few pixels of viewport x, if any (for the tooltip).
    const HealthData::Marker *markerAt(int viewportX) const;
    // Applies the palette to the chart's background, axes, labels and legend.
    void applyPalette();

Q_SIGNALS:
    void rangeRequested(qint64 fromMs, qint64 toMs);
    void resetRequested();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // x in ms at a viewport x position (clamped to the plot area).
    double msAt(int viewportX) const;
    void zoomBy(double factor, double centreMs);
    void panBy(double fraction);

    QDateTimeAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    QList<HealthData::Marker> m_markers;
    QRubberBand *m_band = nullptr;
    enum class Drag { None, Zoom, Pan } m_drag = Drag::None;
    QPoint m_pressPos;
    qint64 m_pressFrom = 0;
    qint64 m_pressTo = 0;
};

} // namespace sp
