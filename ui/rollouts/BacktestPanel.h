#pragma once

#include "rollout/Backtest.h"
#include "rollout/RolloutPlan.h"

#include <QDateTime>
#include <QWidget>

#include <optional>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTableWidget;
class QValueAxis;

namespace sp {

class ConsoleContext;

// Replays the recorded runs of the selected flag through a plan (the rollout's own, a template or a
// custom text) over the last 24 hours or 7 days, on the task runner, and shows the rollout
// percentage it would have had as a step line with markers where it would have paused or rolled
// back, and every event in a list beside the chart.
class BacktestPanel : public QWidget
{
    Q_OBJECT

public:
    explicit BacktestPanel(ConsoleContext &context, QWidget *parent = nullptr);

    // The flag to replay and the plan of its selected rollout (offered first).
    void setFlag(const QString &flagKey, const std::optional<RolloutPlan> &rolloutPlan);

    // What the last finished backtest found (empty before the first).
    const std::optional<BacktestReport> &report() const { return m_report; }

    struct Outcome
    {
        BacktestReport report;
        QString error;
    };

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void finished();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    std::optional<RolloutPlan> chosenPlan(QString *templateName, QString *error) const;
    void updatePlanControls();
    void showOutcome(const Outcome &outcome, const RolloutPlan &plan, const QDateTime &from, const QDateTime &to);
    void clearChart(const QString &message);

    ConsoleContext &m_ctx;
    QString m_flagKey;
    std::optional<RolloutPlan> m_rolloutPlan;
    std::optional<BacktestReport> m_report;

    QComboBox *m_planChoice = nullptr;
    QLineEdit *m_planText = nullptr;
    QComboBox *m_period = nullptr;
    QPushButton *m_run = nullptr;
    QLabel *m_summary = nullptr;
    QChartView *m_chartView = nullptr;
    QChart *m_chart = nullptr;
    QLineSeries *m_percent = nullptr;
    QScatterSeries *m_pauses = nullptr;
    QScatterSeries *m_rollbacks = nullptr;
    QDateTimeAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QTableWidget *m_events = nullptr;
    int m_generation = 0;
};

} // namespace sp
