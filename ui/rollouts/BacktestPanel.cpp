#include "BacktestPanel.h"

#include "ConsoleContext.h"
#include "Icons.h"
#include "RolloutText.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Guardrail.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QEvent>
#include <QHash>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

namespace sp {

namespace {

enum PlanChoice { RolloutsPlan, Template, Custom };

// The flag's percentage in a phase: a segment phase keeps the percentage before it.
double percentAt(const RolloutPlan &plan, int phaseIndex)
{
    for (int i = std::min<int>(phaseIndex, int(plan.phases.size()) - 1); i >= 0; --i)
        if (!plan.phases.at(i).isSegment())
            return plan.phases.at(i).percentTenths / 10.0;
    return 0.0;
}

// One greyed row in the last (stretching) column, saying why the table is empty.
void placeholderRow(QTableWidget *table, const QString &text)
{
    table->setRowCount(1);
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::NoItemFlags);
    table->setItem(0, table->columnCount() - 1, item);
}

} // namespace

BacktestPanel::BacktestPanel(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("backtestPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *controls = new QHBoxLayout;
    layout->addLayout(controls);
    auto *planLabel = new QLabel(tr("Pla&n:"), this);
    controls->addWidget(planLabel);
    m_planChoice = new QComboBox(this);
    m_planChoice->setObjectName(QStringLiteral("backtestPlanCombo"));
    m_planChoice->setAccessibleName(tr("Plan to replay"));
    planLabel->setBuddy(m_planChoice);
    controls->addWidget(m_planChoice);
    m_planText = new QLineEdit(this);
    m_planText->setObjectName(QStringLiteral("backtestPlanEdit"));
    m_planText->setAccessibleName(tr("Custom plan to replay"));
    m_planText->setPlaceholderText(QStringLiteral("5:1h,25:2h,50:4h,100"));
    controls->addWidget(m_planText, 1);
    auto *periodLabel = new QLabel(tr("P&eriod:"), this);
    controls->addWidget(periodLabel);
    m_period = new QComboBox(this);
    m_period->setObjectName(QStringLiteral("backtestPeriodCombo"));
    m_period->setAccessibleName(tr("Period to replay"));
    m_period->addItem(tr("Last 24 hours"), qint64(86400));
    m_period->addItem(tr("Last 7 days"), qint64(7 * 86400));
    periodLabel->setBuddy(m_period);
    controls->addWidget(m_period);
    m_run = new QPushButton(Icons::icon(Icons::Glyph::Play), tr("R&un backtest"), this);
    m_run->setObjectName(QStringLiteral("runBacktestButton"));
    m_run->setAccessibleName(tr("Run backtest"));
    controls->addWidget(m_run);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("backtestSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto *split = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(split, 1);

    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_percent = new QLineSeries(m_chart);
    m_percent->setName(tr("Rollout %"));
    m_percent->setObjectName(QStringLiteral("percentSeries"));
    m_pauses = new QScatterSeries(m_chart);
    m_pauses->setName(tr("Would pause"));
    m_pauses->setObjectName(QStringLiteral("pauseMarkers"));
    m_pauses->setColor(Icons::warning());
    m_pauses->setBorderColor(Icons::warning());
    m_pauses->setMarkerSize(11);
    m_rollbacks = new QScatterSeries(m_chart);
    m_rollbacks->setName(tr("Would roll back"));
    m_rollbacks->setObjectName(QStringLiteral("rollbackMarkers"));
    m_rollbacks->setColor(Icons::danger());
    m_rollbacks->setBorderColor(Icons::danger());
    m_rollbacks->setMarkerSize(13);
    m_rollbacks->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_chart->addSeries(m_percent);
    m_chart->addSeries(m_pauses);
    m_chart->addSeries(m_rollbacks);
    m_axisX = new QDateTimeAxis(m_chart);
    m_axisX->setFormat(QStringLiteral("dd.MM. HH:mm"));
    m_axisX->setTickCount(5);
    m_axisY = new QValueAxis(m_chart);
    m_axisY->setRange(0, 100);
    m_axisY->setLabelFormat(QStringLiteral("%d %%"));
    m_axisY->setTickCount(6);
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisY, Qt::AlignLeft);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_percent), static_cast<QAbstractSeries *>(m_pauses),
                               static_cast<QAbstractSeries *>(m_rollbacks)}) {
        s->attachAxis(m_axisX);
        s->attachAxis(m_axisY);
    }
    m_chartView = new QChartView(m_chart, split);
    m_chartView->setObjectName(QStringLiteral("backtestChart"));
    m_chartView->setAccessibleName(tr("Backtest chart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(320, 200);
    split->addWidget(m_chartView);

    m_events = new QTableWidget(0, 3, split);
    m_events->setObjectName(QStringLiteral("backtestEvents"));
    m_events->setAccessibleName(tr("Backtest events"));
    m_events->setWordWrap(true);
    m_events->setHorizontalHeaderLabels({tr("Time"), tr("Event"), tr("What would have happened")});
    m_events->verticalHeader()->hide();
    m_events->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_events->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_events->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_events->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_events->horizontalHeader()->setStretchLastSection(true);
    connect(m_events->horizontalHeader(), &QHeaderView::sectionResized, m_events, [this] { m_events->resizeRowsToContents(); });
    split->addWidget(m_events);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({540, 360});

    m_planChoice->addItem(tr("This rollout's plan"), QVariantList{int(RolloutsPlan), QString()});
    for (const QString &name : RolloutPlan::templateNames())
        m_planChoice->addItem(tr("Template %1").arg(name), QVariantList{int(Template), name});
    m_planChoice->addItem(tr("Custom plan"), QVariantList{int(Custom), QString()});

    connect(m_planChoice, &QComboBox::currentIndexChanged, this, &BacktestPanel::updatePlanControls);
    connect(m_planText, &QLineEdit::returnPressed, this, &BacktestPanel::run);
    connect(m_run, &QPushButton::clicked, this, &BacktestPanel::run);
    applyPalette();
    updatePlanControls();
    clearChart(tr("Pick a plan and a period, then run the backtest: it replays the recorded runs of this flag "
                  "through the plan and its guardrails, as the controller would have. Nothing is written."));
}

// The chart follows the window's palette (light or dark); the markers keep their semantic colours.
void BacktestPanel::applyPalette()
{
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_axisX), static_cast<QAbstractAxis *>(m_axisY)}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setGridLineColor(pal.color(QPalette::Midlight));
        axis->setLinePenColor(pal.color(QPalette::Mid));
    }
    QPen line(pal.color(QPalette::Highlight));
    line.setWidthF(2.0);
    m_percent->setPen(line);

}

void BacktestPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QWidget::changeEvent(event);
}

void BacktestPanel::setFlag(const QString &flagKey, const std::optional<RolloutPlan> &rolloutPlan)
{
    const bool changed = flagKey != m_flagKey;
    m_flagKey = flagKey;
    m_rolloutPlan = rolloutPlan;
    updatePlanControls();
    if (changed) {
        ++m_generation; // a result for the previous flag is no longer shown
        m_report.reset();
        clearChart(flagKey.isEmpty() ? tr("Select a rollout to backtest its flag.")
                                     : tr("Run the backtest to replay the recorded runs of %1 through a plan.").arg(flagKey));
    }
}

void BacktestPanel::updatePlanControls()
{
    const QVariantList choice = m_planChoice->currentData().toList();
    const int kind = choice.value(0).toInt();
    m_planText->setEnabled(kind == Custom);
    QString tip;
    if (kind == RolloutsPlan && m_rolloutPlan)
        tip = RolloutText::planInWords(*m_rolloutPlan);
    else if (kind == Template)
        tip = RolloutText::planInWords(RolloutPlan::fromTemplate(choice.value(1).toString()));
    m_planChoice->setToolTip(tip);
    m_run->setEnabled(!m_flagKey.isEmpty());
}

std::optional<RolloutPlan> BacktestPanel::chosenPlan(QString *templateName, QString *error) const
{
    const QVariantList choice = m_planChoice->currentData().toList();
    try {
        switch (choice.value(0).toInt()) {
        case RolloutsPlan:
            if (!m_rolloutPlan) {
                *error = tr("The selected rollout has no plan.");
                return std::nullopt;
            }
            return m_rolloutPlan;
        case Template:
            *templateName = choice.value(1).toString();
            return RolloutPlan::fromTemplate(*templateName);
        default:
            if (m_planText->text().trimmed().isEmpty()) {
                *error = tr("Custom plan: enter phases such as 5:1h,25:2h,100.");
                return std::nullopt;
            }
            return RolloutPlan::parse(m_planText->text().trimmed());
        }
    } catch (const Error &e) {
        *error = tr("Custom plan: %1").arg(e.message());
    }
    return std::nullopt;
}

void BacktestPanel::clearChart(const QString &message)
{
    m_percent->clear();
    m_pauses->clear();
    m_rollbacks->clear();
    m_events->setRowCount(0);
    placeholderRow(m_events, tr("Run the backtest to list what the controller would have done."));
    m_events->resizeRowsToContents();
    const QDateTime now = m_ctx.clock().now();
    m_axisX->setRange(now.addSecs(-m_period->currentData().toLongLong()).toLocalTime(), now.toLocalTime());
    m_chart->setTitle(QString());
    m_summary->setText(message);
}

void BacktestPanel::run()
{
    if (m_flagKey.isEmpty())
        return;
    QString templateName, error;
    const std::optional<RolloutPlan> plan = chosenPlan(&templateName, &error);
    if (!plan) {
        m_summary->setText(error);
        return;
    }
    const QDateTime to = m_ctx.clock().now();
    const QDateTime from = to.addSecs(-m_period->currentData().toLongLong());
    const QString key = m_flagKey;
    const int generation = ++m_generation;
    m_summary->setText(tr("Replaying the recorded runs of %1…").arg(key));
    m_run->setEnabled(false);
    m_ctx.tasks()->run<Outcome>(
        QStringLiteral("rollouts.backtest"), this,
        [key, replay = *plan, from, to](Workspace &ws) {
            Outcome out;
            const QList<Guardrail> guardrails = GuardrailStore(ws).effective(key);
            qint64 maxWindow = 0;
            for (const Guardrail &g : guardrails)
                maxWindow = std::max(maxWindow, g.windowSeconds);
            const QList<RunRecord> records = RunRecordStore(ws).records(key, from.addSecs(-maxWindow), to.addSecs(1));
            out.report = Backtest::run(key, records, replay, guardrails, from, to, 60);
            return out;
        },
        [this, generation, replay = *plan, from, to](Outcome out) {
            m_run->setEnabled(!m_flagKey.isEmpty());
            if (generation != m_generation)
                return;
            showOutcome(out, replay, from, to);
            Q_EMIT finished();
        },
        [this, generation](const QString &message) {
            m_run->setEnabled(!m_flagKey.isEmpty());
            if (generation != m_generation)
                return;
            m_summary->setText(tr("The backtest failed: %1").arg(message));
            Q_EMIT finished();
        });
}

void BacktestPanel::showOutcome(const Outcome &outcome, const RolloutPlan &plan, const QDateTime &from, const QDateTime &to)
{
    const BacktestReport &report = outcome.report;
    m_report = report;
    m_events->setRowCount(0);
    const bool longPeriod = from.secsTo(to) > 86400;

    // the step line: the percentage from `from` on, changing at each advance, 0 after a rollback
    QList<QPointF> steps;
    QList<QPointF> pauses;
    QList<QPointF> rollbacks;
    double pct = percentAt(plan, 0);
    QDateTime end = to;
    steps << QPointF(double(from.toMSecsSinceEpoch()), pct);
    for (const BacktestEvent &e : report.events) {
        const double x = double(e.at.toMSecsSinceEpoch());
        if (e.kind == QLatin1String("advance")) {
            const double next = percentAt(plan, e.phaseIndex);
            steps << QPointF(x, pct) << QPointF(x, next);
            pct = next;
        } else if (e.kind == QLatin1String("rollback") || e.kind == QLatin1String("kill")) {
            rollbacks << QPointF(x, pct);
            steps << QPointF(x, pct) << QPointF(x, 0.0);
            pct = 0.0;
        } else if (e.kind == QLatin1String("pause")) {
            pauses << QPointF(x, pct);
        }
        const int row = m_events->rowCount();
        m_events->insertRow(row);
        const QDateTime local = e.at.toLocalTime();
        auto *time = new QTableWidgetItem(longPeriod ? QLocale().toString(local, QLocale::ShortFormat)
                                                     : QLocale().toString(local.time(), QLocale::ShortFormat));
        time->setToolTip(QLocale().toString(local, QLocale::LongFormat));
        m_events->setItem(row, 0, time);
        auto *kind = new QTableWidgetItem(e.kind);
        kind->setData(Qt::UserRole, e.kind);
        if (e.kind == QLatin1String("rollback") || e.kind == QLatin1String("kill"))
            kind->setIcon(Icons::dot(Icons::danger()));
        else if (e.kind == QLatin1String("pause") || e.kind == QLatin1String("warn") || e.kind == QLatin1String("hold"))
            kind->setIcon(Icons::dot(Icons::warning()));
        else
            kind->setIcon(Icons::dot(Icons::healthy()));
        m_events->setItem(row, 1, kind);
        auto *summary = new QTableWidgetItem(e.summary);
        summary->setToolTip(e.summary);
        m_events->setItem(row, 2, summary);
    }
    steps << QPointF(double(end.toMSecsSinceEpoch()), pct);
    m_percent->replace(steps);
    m_pauses->replace(pauses);
    m_rollbacks->replace(rollbacks);
    m_axisX->setRange(from.toLocalTime(), to.toLocalTime());
    m_axisX->setFormat(from.secsTo(to) > 2 * 86400 ? QStringLiteral("dd.MM.") : QStringLiteral("HH:mm"));
    m_axisY->setRange(0, 100);

    static const QHash<QString, const char *> finalWords{
        {QStringLiteral("running"), QT_TR_NOOP("still running")},
        {QStringLiteral("paused"), QT_TR_NOOP("paused")},
        {QStringLiteral("completed"), QT_TR_NOOP("completed")},
        {QStringLiteral("rolled_back"), QT_TR_NOOP("rolled back")},
    };
    const char *words = finalWords.value(report.finalState, nullptr);
    const QString state = words ? tr(words) : report.finalState;
    QString summary = tr("%n run record(s) replayed through %1.", nullptr, int(report.records)).arg(plan.toText());
    summary += QLatin1Char(' ') + tr("The rollout would have ended %1 at %2.").arg(state, plan.phases.at(report.finalPhase).label());
    if (report.records == 0)
        summary += QLatin1Char(' ') + tr("There are no recorded runs in this period, so no guardrail could judge it.");
    if (!outcome.error.isEmpty())
        summary = outcome.error;
    m_summary->setText(summary);
    if (report.events.isEmpty())
        placeholderRow(m_events, tr("No decisions in this period: the plan would have held its first phase."));
    m_events->resizeRowsToContents();
}

} // namespace sp
