#pragma once

#include "HealthData.h"

#include <QHash>
#include <QSet>
#include <QWidget>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineSeries;
class QStackedWidget;
class QTimer;
class QToolButton;

namespace sp {

class ConsoleContext;
class HealthChartView;

// Live charts per flag and cohort (sync vs legacy) over run records, with guardrail thresholds and markers where the controller acted.
//
// Object names: combo "healthFlag"; range buttons "range15m", "range1h", "range24h", "range7d"
// (Alt+1 … Alt+4); "healthLive" (Alt+L); "healthResetZoom"; "healthInfo" (step and update time);
// "healthStack" with the charts page "healthCharts" and the placeholder "healthEmpty"; charts
// "chartErrorRate", "chartLatency", "chartRuns", "chartMismatches", "chart429", "chartBreakers"
// (HealthChartView). Series carry object names such as "runs.sync", "latencyP95.legacy",
// "threshold.error-rate", "breaker.api.figma.com".
class HealthView : public QWidget
{
    Q_OBJECT

public:
    explicit HealthView(ConsoleContext &context, QWidget *parent = nullptr);
    ~HealthView() override;

    QString flagKey() const;
    void setFlagKey(const QString &key);
    qint64 rangeSeconds() const { return m_rangeSeconds; }
    void setRangeSeconds(qint64 seconds);
    bool isZoomed() const { return m_zoomed; }
    // Zooms every chart to [fromMs, toMs) (what the charts' zoom and pan ask for) and re-queries it.
    void zoomTo(qint64 fromMs, qint64 toMs);
    void resetZoom();
    // Points each line is downsampled to: about twice the plot width in pixels.
    int targetPoints() const;
    // The data drawn last.
    const HealthData &data() const { return m_data; }
    HealthChartView *chart(HealthData::Metric metric) const;

public Q_SLOTS:
    // Re-reads the flags and queries the charts now (the Live timer and the watcher call this).
    void refresh();

Q_SIGNALS:
    // New data was drawn (for tests and the status bar).
    void dataApplied();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void reloadFlags();
    void applyFlags(const QList<QPair<QString, bool>> &flags);
    void query();
    void apply(HealthData data);
    void setWindow(qint64 fromMs, qint64 toMs);
    void updateTimer();
    void showPlaceholder(const QString &text);
    QString rangeWords() const;
    QLineSeries *seriesFor(HealthChartView *view, const QString &id, const QString &label);
    // Draws one line; where it has no points for longer than a few buckets (no runs then) it is
    // broken there instead of joined across: the newest stretch is the series named line.id, older
    // stretches are line.id~1, ~2, … (same pen, no legend entry). A lone point is drawn as a dot.
    void drawLine(HealthChartView *view, const HealthData::Line &line, const QPen &pen, QSet<QString> &present);

    ConsoleContext &m_ctx;
    QComboBox *m_flag = nullptr;
    QButtonGroup *m_ranges = nullptr;
    QToolButton *m_live = nullptr;
    QToolButton *m_resetZoom = nullptr;
    QLabel *m_info = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QHash<int, HealthChartView *> m_charts;             // by HealthData::Metric
    QHash<QString, QLineSeries *> m_series;             // by object name
    QTimer *m_liveTimer = nullptr;
    QTimer *m_coalesce = nullptr;                       // watcher changes
    QTimer *m_zoomQuery = nullptr;                      // zoom and pan steps
    qint64 m_rangeSeconds = 3600;
    bool m_zoomed = false;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    bool m_flagsLoaded = false;
    QStringList m_flagKeys;
    HealthData m_data;
};

} // namespace sp
