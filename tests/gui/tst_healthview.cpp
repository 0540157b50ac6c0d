// The Health view on a real workspace (SQLite and PostgreSQL): run records another process ingests
// show up in the charts, guardrail levels are drawn where the guardrail is, a rollback in the range
// is marked, the range buttons change the time axis, zooming one chart zooms all, long series are
// downsampled, and an empty range says so instead of showing blank axes.

#include "ConsoleContext.h"
#include "HealthChartView.h"
#include "HealthView.h"
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "metrics/BreakerStateStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Guardrail.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "workspace/Workspace.h"

#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QSignalSpy>
#include <QTimeZone>
#include <QToolButton>
#include <QValueAxis>
#include <QWheelEvent>

#include <cmath>
#include <optional>

using namespace sp;

namespace {

constexpr qint64 kMinute = 60 * 1000;

void createFlag(Workspace &ws, const QString &key)
{
    FlagDraft d;
    d.key = key;
    d.description = QStringLiteral("Health test flag");
    d.tags = {QStringLiteral("sync")};
    d.enabled = true;
    d.percentTenths = 100;
    FlagStore(ws).create(d, ChangeContext::local(QStringLiteral("test")));
}

RunRecord record(const QString &flag, RunPath path, qint64 startedMs, qint64 durationMs, bool ok)
{
    RunRecord r;
    r.flagKey = flag;
    r.config = QStringLiteral("cfg");
    r.target = QStringLiteral("t1");
    r.path = path;
    r.startedAt = QDateTime::fromMSecsSinceEpoch(startedMs, QTimeZone::utc());
    r.durationMs = durationMs;
    r.ok = ok;
    if (!ok)
        r.errorClass = QStringLiteral("http_5xx");
    return r;
}

QLineSeries *seriesOf(HealthChartView *view, const QString &id)
{
    if (!view)
        return nullptr;
    for (QAbstractSeries *s : view->chart()->series())
        if (s->objectName() == id)
            return qobject_cast<QLineSeries *>(s);
    return nullptr;
}

// The y of the point at exactly x, if the series has one.
std::optional<double> valueAt(QLineSeries *series, qint64 x)
{
    if (!series)
        return std::nullopt;
    for (const QPointF &p : series->points())
        if (qint64(p.x()) == x)
            return p.y();
    return std::nullopt;
}

qint64 axisSpanMs(HealthChartView *view)
{
    return view->axisX()->min().msecsTo(view->axisX()->max());
}

HealthChartView *chartNamed(const HealthView &view, const char *name)
{
    return view.findChild<HealthChartView *>(QString::fromLatin1(name));
}

// A Health view on the workspace, shown at the given size (the context outlives the view).
struct ShownHealthView
{
    ShownHealthView(Workspace &ws, const QString &location, QSize size = QSize(1100, 760)) : ctx(ws, location), view(ctx)
    {
        view.resize(size);
        view.show();
    }
    ConsoleContext ctx;
    HealthView view;
};

} // namespace

class TstHealthView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void emptyRangeShowsPlaceholder_data() { test::addEngineColumn(); }
    void emptyRangeShowsPlaceholder();
    void otherProcessIngestAppears_data() { test::addEngineColumn(); }
    void otherProcessIngestAppears();
    void thresholdLineAtGuardrail_data() { test::addEngineColumn(); }
    void thresholdLineAtGuardrail();
    void rollbackShowsMarker_data() { test::addEngineColumn(); }
    void rollbackShowsMarker();
    void rangeButtonsChangeAxis_data() { test::addEngineColumn(); }
    void rangeButtonsChangeAxis();
    void zoomingOneChartZoomsAll_data() { test::addEngineColumn(); }
    void zoomingOneChartZoomsAll();
    void sevenDaysAreDownsampled_data() { test::addEngineColumn(); }
    void sevenDaysAreDownsampled();
    void gapsBreakTheLine_data() { test::addEngineColumn(); }
    void gapsBreakTheLine();
    void breakerStateIsAStep_data() { test::addEngineColumn(); }
    void breakerStateIsAStep();
    void demoHistoryScreenshot();

private:
    QTemporaryDir m_dir;
};

void TstHealthView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstHealthView::emptyRangeShowsPlaceholder()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    createFlag(*ws, QStringLiteral("quiet.flag"));
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;

    auto *stack = view.findChild<QStackedWidget *>(QStringLiteral("healthStack"));
    auto *empty = view.findChild<QLabel *>(QStringLiteral("healthEmpty"));
    QVERIFY(stack && empty);
    QTRY_VERIFY_WITH_TIMEOUT(empty->text().contains(QStringLiteral("No runs of quiet.flag in the last hour")), 10000);
    QCOMPARE(stack->currentWidget(), empty);
    QVERIFY(empty->isVisible());
    QVERIFY(!chartNamed(view, "chartRuns")->isVisible());
    if (const QString out = qEnvironmentVariable("HEALTH_SHOTS_DIR"); !out.isEmpty() && engine == QLatin1String("sqlite"))
        QVERIFY(view.grab().save(QDir(out).filePath(QStringLiteral("health-empty.png"))));
}

void TstHealthView::otherProcessIngestAppears()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("beta.sync");
    createFlag(*ws, flag);
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    auto *stack = view.findChild<QStackedWidget *>(QStringLiteral("healthStack"));
    QTRY_COMPARE_WITH_TIMEOUT(stack->currentWidget()->objectName(), QStringLiteral("healthEmpty"), 10000);

    // 10 sync runs in one minute five minutes ago, 3 of them failed; 4 legacy runs, all fine.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 minute = now - now % kMinute - 5 * kMinute;
    QByteArray jsonl;
    for (int i = 0; i < 10; ++i)
        jsonl += QJsonDocument(record(flag, RunPath::Sync, minute + i * 1000, 200 + i, i >= 3).toJson()).toJson(QJsonDocument::Compact) + '\n';
    for (int i = 0; i < 4; ++i)
        jsonl += QJsonDocument(record(flag, RunPath::Legacy, minute + i * 1000, 300, true).toJson()).toJson(QJsonDocument::Compact) + '\n';
    const QString file = QDir(m_dir.path()).filePath(QStringLiteral("runs-%1.jsonl").arg(engine));
    test::writeFile(file, jsonl);
    const test::CliResult r = test::runCli(location, {QStringLiteral("metrics"), QStringLiteral("ingest"), file});
    QVERIFY2(r.exitCode == 0, qPrintable(r.text()));

    HealthChartView *runs = chartNamed(view, "chartRuns");
    HealthChartView *errors = chartNamed(view, "chartErrorRate");
    QVERIFY(runs && errors);
    QTRY_COMPARE_WITH_TIMEOUT(valueAt(seriesOf(runs, QStringLiteral("runs.sync")), minute), std::optional<double>(10.0), 8000);
    QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("healthCharts"));
    QCOMPARE(valueAt(seriesOf(runs, QStringLiteral("runs.legacy")), minute), std::optional<double>(4.0));
    QCOMPARE(valueAt(seriesOf(errors, QStringLiteral("errorRate.sync")), minute), std::optional<double>(30.0));
    QCOMPARE(valueAt(seriesOf(errors, QStringLiteral("errorRate.legacy")), minute), std::optional<double>(0.0));
    // Minutes without runs have no error rate (not a fake 0 %), but a run count of 0.
    QVERIFY(!valueAt(seriesOf(errors, QStringLiteral("errorRate.sync")), minute - kMinute));
    QCOMPARE(valueAt(seriesOf(runs, QStringLiteral("runs.sync")), minute - kMinute), std::optional<double>(0.0));
    // The y axis leaves room for the 30 %.
    QVERIFY(errors->axisY()->max() >= 30.0);
    // Cohorts keep their colours: sync and legacy differ in every chart.
    QVERIFY(seriesOf(runs, QStringLiteral("runs.sync"))->pen().color() != seriesOf(runs, QStringLiteral("runs.legacy"))->pen().color());
    QCOMPARE(seriesOf(runs, QStringLiteral("runs.sync"))->pen().color(),
             seriesOf(errors, QStringLiteral("errorRate.sync"))->pen().color());
}

void TstHealthView::thresholdLineAtGuardrail()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("gamma.sync");
    createFlag(*ws, flag);
    GuardrailStore(*ws).set(flag, Guardrail::parse(QStringLiteral("error-rate"), QStringLiteral("error_rate > 7.5% window=15m min=5 action=rollback")),
                            ChangeContext::local(QStringLiteral("test")));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<RunRecord> records;
    for (int i = 0; i < 20; ++i) {
        records << record(flag, RunPath::Sync, now - 20 * kMinute + i * kMinute, 100, true);
        records << record(flag, RunPath::Legacy, now - 20 * kMinute + i * kMinute, i < 19 ? 200 : 400, true);
    }
    RunRecordStore(*ws).ingest(records);

    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *errors = chartNamed(view, "chartErrorRate");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(errors, QStringLiteral("threshold.error-rate")), 10000);
    QLineSeries *line = seriesOf(errors, QStringLiteral("threshold.error-rate"));
    QCOMPARE(line->count(), 2);
    QCOMPARE(line->at(0).y(), 7.5);
    QCOMPARE(line->at(1).y(), 7.5);
    QCOMPARE(line->pen().style(), Qt::DashLine);
    QVERIFY(line->name().contains(QStringLiteral("7.5")));
    // It spans the visible range and the y axis shows it.
    QCOMPARE(qint64(line->at(0).x()), errors->axisX()->min().toMSecsSinceEpoch());
    QCOMPARE(qint64(line->at(1).x()), errors->axisX()->max().toMSecsSinceEpoch());
    QVERIFY(errors->axisY()->max() > 7.5);
    // The default p95 guardrail is relative: its level is 115 % of the legacy p95 over the range.
    HealthChartView *latency = chartNamed(view, "chartLatency");
    QLineSeries *p95 = seriesOf(latency, QStringLiteral("threshold.latency-p95"));
    QVERIFY(p95);
    const double legacyP95 = RunRecordStore(*ws).window(flag, RunPath::Legacy, QDateTime::fromMSecsSinceEpoch(now - 3600 * 1000),
                                                        QDateTime::fromMSecsSinceEpoch(now + 1000)).p95Ms;
    QVERIFY2(std::abs(p95->at(0).y() - 1.15 * legacyP95) < 1.0, qPrintable(QString::number(p95->at(0).y())));
    QVERIFY(p95->name().contains(QStringLiteral("legacy")));
    // The mismatch guardrail (≥ 1 in 1 min) on the per-minute chart.
    QLineSeries *mismatch = seriesOf(chartNamed(view, "chartMismatches"), QStringLiteral("threshold.inconsistency"));
    QVERIFY(mismatch);
    QCOMPARE(mismatch->at(0).y(), 1.0);
}

void TstHealthView::rollbackShowsMarker()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("delta.sync");
    createFlag(*ws, flag);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    RunRecordStore(*ws).ingest({record(flag, RunPath::Sync, now - 10 * kMinute, 100, true)});
    RolloutStore(*ws).start(flag, RolloutPlan::fromTemplate(QStringLiteral("canary")), QStringLiteral("canary"),
                            ChangeContext::local(QStringLiteral("test")));

    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *errors = chartNamed(view, "chartErrorRate");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(errors, QStringLiteral("errorRate.sync")), 10000);
    QVERIFY(errors->markers().isEmpty()); // "start" is not a marker

    const test::CliResult r = test::runCli(location, {QStringLiteral("rollback"), flag, QStringLiteral("--reason"), QStringLiteral("bad sync")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
    QTRY_COMPARE_WITH_TIMEOUT(errors->markers().size(), 1, 8000);
    const HealthData::Marker m = errors->markers().constFirst();
    QCOMPARE(m.kind, QStringLiteral("rollback"));
    QVERIFY(m.summary.contains(QStringLiteral("bad sync")));
    QVERIFY(m.atMs >= now - kMinute && m.atMs <= QDateTime::currentMSecsSinceEpoch());
    // Every chart shows it, and the marker answers a tooltip at its x.
    QCOMPARE(chartNamed(view, "chartBreakers")->markers().size(), 1);
    const QRectF plot = errors->chart()->plotArea();
    const double x = plot.left() + double(m.atMs - errors->fromMs()) / double(errors->toMs() - errors->fromMs()) * plot.width();
    const QPoint at = errors->mapFromScene(errors->chart()->mapToScene(QPointF(x, plot.center().y())));
    QVERIFY(errors->markerAt(at.x()));
    QCOMPARE(errors->markerAt(at.x())->kind, QStringLiteral("rollback"));
    QVERIFY(!errors->markerAt(at.x() - 40));
}

void TstHealthView::rangeButtonsChangeAxis()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("eps.sync");
    createFlag(*ws, flag);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    RunRecordStore(*ws).ingest({record(flag, RunPath::Sync, now - 5 * kMinute, 100, true),
                                record(flag, RunPath::Sync, now - 20 * 3600 * 1000LL, 100, true)});
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *runs = chartNamed(view, "chartRuns");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(runs, QStringLiteral("runs.sync")), 10000);
    QCOMPARE(axisSpanMs(runs), 3600 * 1000LL);

    auto *m15 = view.findChild<QToolButton *>(QStringLiteral("range15m"));
    auto *h24 = view.findChild<QToolButton *>(QStringLiteral("range24h"));
    QVERIFY(m15 && h24);
    QTest::mouseClick(m15, Qt::LeftButton);
    QCOMPARE(axisSpanMs(runs), 15 * kMinute);
    QCOMPARE(axisSpanMs(chartNamed(view, "chartLatency")), 15 * kMinute);
    QTRY_COMPARE_WITH_TIMEOUT(view.data().toMs - view.data().fromMs, 15 * kMinute, 8000);
    QCOMPARE(view.data().stepSeconds, qint64(60));
    const int points = seriesOf(runs, QStringLiteral("runs.sync"))->count(); // 15 whole minutes and the one under way
    QVERIFY2(points == 16 || points == 15, qPrintable(QString::number(points)));

    QTest::mouseClick(h24, Qt::LeftButton);
    QCOMPARE(axisSpanMs(runs), 24 * 3600 * 1000LL);
    QTRY_COMPARE_WITH_TIMEOUT(view.data().toMs - view.data().fromMs, 24 * 3600 * 1000LL, 8000);
    // The run of 20 hours ago is in the 24-hour range only.
    double total = 0;
    for (const QPointF &p : seriesOf(runs, QStringLiteral("runs.sync"))->points())
        total += p.y();
    QCOMPARE(total, 2.0);
    QVERIFY(h24->isChecked() && !m15->isChecked());
}

void TstHealthView::zoomingOneChartZoomsAll()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("zeta.sync");
    createFlag(*ws, flag);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<RunRecord> records;
    for (int i = 0; i < 24 * 60; i += 7)
        records << record(flag, RunPath::Sync, now - i * kMinute, 100 + i % 50, true);
    RunRecordStore(*ws).ingest(records);
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *runs = chartNamed(view, "chartRuns");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(runs, QStringLiteral("runs.sync")), 10000);
    QTest::mouseClick(view.findChild<QToolButton *>(QStringLiteral("range24h")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view.data().stepSeconds, qint64(60), 8000);
    QTRY_COMPARE_WITH_TIMEOUT(view.data().toMs - view.data().fromMs, 24 * 3600 * 1000LL, 8000);

    // Drag across the middle of the runs chart: every chart shows that span.
    const QRectF plot = runs->chart()->plotArea();
    const QPoint a = runs->mapFromScene(runs->chart()->mapToScene(QPointF(plot.left() + plot.width() * 0.4, plot.center().y())));
    const QPoint b = runs->mapFromScene(runs->chart()->mapToScene(QPointF(plot.left() + plot.width() * 0.6, plot.center().y())));
    QTest::mousePress(runs->viewport(), Qt::LeftButton, {}, a);
    QTest::mouseMove(runs->viewport(), b);
    QTest::mouseRelease(runs->viewport(), Qt::LeftButton, {}, b);
    QVERIFY(view.isZoomed());
    const qint64 span = axisSpanMs(runs);
    QVERIFY2(span > 4 * 3600 * 1000LL && span < 6 * 3600 * 1000LL, qPrintable(QString::number(span)));
    for (const char *name : {"chartErrorRate", "chartLatency", "chartMismatches", "chart429", "chartBreakers"}) {
        QCOMPARE(chartNamed(view, name)->axisX()->min(), runs->axisX()->min());
        QCOMPARE(chartNamed(view, name)->axisX()->max(), runs->axisX()->max());
    }
    // The zoomed span is queried again at its own step.
    QTRY_COMPARE_WITH_TIMEOUT(view.data().toMs - view.data().fromMs, span, 8000);
    const qint64 zoomFrom = runs->fromMs();
    // Arrow keys pan every chart; Live does not move a zoomed window.
    runs->setFocus();
    QTest::keyClick(runs, Qt::Key_Right);
    QCOMPARE(runs->fromMs(), zoomFrom + qint64(std::llround(double(span) * 0.1)));
    QCOMPARE(chartNamed(view, "chartLatency")->fromMs(), runs->fromMs());
    const qint64 panned = runs->fromMs();
    QSignalSpy applied(&view, &HealthView::dataApplied);
    view.refresh(); // what the Live timer does
    QTRY_VERIFY_WITH_TIMEOUT(applied.count() >= 1, 8000);
    QCOMPARE(runs->fromMs(), panned);
    // The wheel zooms in around the pointer.
    QWheelEvent wheel(QPointF(runs->viewport()->rect().center()), runs->viewport()->mapToGlobal(QPointF(runs->viewport()->rect().center())),
                      QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(runs->viewport(), &wheel);
    QVERIFY(axisSpanMs(runs) < span);
    // Esc goes back to the 24 hours ending now.
    QTest::keyClick(runs, Qt::Key_Escape);
    QVERIFY(!view.isZoomed());
    QCOMPARE(axisSpanMs(chartNamed(view, "chart429")), 24 * 3600 * 1000LL);
    QVERIFY(runs->toMs() >= now);
}

void TstHealthView::sevenDaysAreDownsampled()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("eta.sync");
    createFlag(*ws, flag);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<RunRecord> records;
    for (qint64 i = 0; i < 7 * 24 * 60; i += 3)
        records << record(flag, RunPath::Sync, now - i * kMinute, 100 + (i * 37) % 400, i % 11 != 0);
    RunRecordStore(*ws).ingest(records);

    ShownHealthView shown(*ws, location, QSize(760, 640)); // narrow: fewer pixels than 10-minute steps in 7 days
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *runs = chartNamed(view, "chartRuns");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(runs, QStringLiteral("runs.sync")), 10000);
    QTest::mouseClick(view.findChild<QToolButton *>(QStringLiteral("range7d")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view.data().toMs - view.data().fromMs, 7 * 24 * 3600 * 1000LL, 10000);
    QCOMPARE(axisSpanMs(runs), 7 * 24 * 3600 * 1000LL);
    QCOMPARE(view.data().stepSeconds, qint64(600));
    const int target = view.data().targetPoints;
    QVERIFY2(target < 1000, qPrintable(QString::number(target)));
    for (const HealthData::Line &line : view.data().lines) {
        QVERIFY2(line.rawPoints > target, qPrintable(line.id));
        QVERIFY2(line.points.size() <= target, qPrintable(line.id));
    }
    QLineSeries *series = seriesOf(runs, QStringLiteral("runs.sync"));
    QVERIFY(series->count() <= target);
    QVERIFY(series->count() > target / 2);
    // Downsampling keeps the ends.
    QVERIFY(series->at(0).x() <= double(now - 7 * 24 * 3600 * 1000LL + 600 * 1000));
    QVERIFY(series->at(series->count() - 1).x() >= double(now - 600 * 1000));
}

void TstHealthView::breakerStateIsAStep()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("theta.sync");
    createFlag(*ws, flag);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    RunRecordStore(*ws).ingest({record(flag, RunPath::Sync, now - 3 * kMinute, 100, true)});
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    HealthChartView *breakers = chartNamed(view, "chartBreakers");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(chartNamed(view, "chartRuns"), QStringLiteral("runs.sync")), 10000);
    QVERIFY(!seriesOf(breakers, QStringLiteral("breaker.api.figma.com")));

    BreakerState open;
    open.upstream = QStringLiteral("api.figma.com");
    open.state = QStringLiteral("open");
    open.failures = 5;
    open.since = QDateTime::currentDateTimeUtc();
    open.updatedAt = open.since;
    open.lastError = QStringLiteral("HTTP 503");
    open.publisher = QStringLiteral("test");
    auto other = Workspace::open(location);
    BreakerStateStore(*other).publish({open});
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(breakers, QStringLiteral("breaker.api.figma.com")), 8000);
    QLineSeries *line = seriesOf(breakers, QStringLiteral("breaker.api.figma.com"));
    QCOMPARE(line->at(line->count() - 1).y(), 1.0);
    QVERIFY(breakers->axisY()->max() > 1.0); // "open" is inside the plot
}

// A cohort without runs for a while is not drawn as a straight line across the gap: the line stops
// and starts again; the newest stretch keeps the line's name, older ones are ~1, ~2, and a lone
// minute is a dot. The legend still lists the cohort once.
void TstHealthView::gapsBreakTheLine()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const QString flag = QStringLiteral("gappy.sync");
    createFlag(*ws, flag);
    ShownHealthView shown(*ws, location);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 thisMinute = now - now % kMinute;
    QList<RunRecord> runs;
    for (int ago : {50, 49, 48, 47, 46, 30, 10, 9, 8, 7, 6})
        runs << record(flag, RunPath::Sync, thisMinute - ago * kMinute + 5000, 200 + ago, true);
    auto other = Workspace::open(location);
    RunRecordStore(*other).ingest(runs); // as another process would

    HealthChartView *errors = chartNamed(view, "chartErrorRate");
    HealthChartView *latency = chartNamed(view, "chartLatency");
    QTRY_VERIFY_WITH_TIMEOUT(seriesOf(errors, QStringLiteral("errorRate.sync~2")), 10000);
    QLineSeries *newest = seriesOf(errors, QStringLiteral("errorRate.sync"));
    QLineSeries *lone = seriesOf(errors, QStringLiteral("errorRate.sync~1"));
    QLineSeries *oldest = seriesOf(errors, QStringLiteral("errorRate.sync~2"));
    QVERIFY(newest && lone && oldest);
    QVERIFY(!seriesOf(errors, QStringLiteral("errorRate.sync~3")));
    QCOMPARE(newest->count(), 5);
    QCOMPARE(qint64(newest->at(0).x()), thisMinute - 10 * kMinute);
    QCOMPARE(qint64(newest->at(4).x()), thisMinute - 6 * kMinute);
    QCOMPARE(lone->count(), 1);
    QCOMPARE(qint64(lone->at(0).x()), thisMinute - 30 * kMinute);
    QVERIFY(lone->pointsVisible());
    QVERIFY(!newest->pointsVisible());
    QCOMPARE(oldest->count(), 5);
    QCOMPARE(qint64(oldest->at(0).x()), thisMinute - 50 * kMinute);
    QCOMPARE(oldest->pen(), newest->pen());
    // The latency line is broken the same way.
    QVERIFY(seriesOf(latency, QStringLiteral("latencyP95.sync~2")));
    QCOMPARE(seriesOf(latency, QStringLiteral("latencyP95.sync"))->count(), 5);
    // One legend entry for the sync cohort: the older stretches have none, and once the legend has
    // laid itself out (a deferred layout pass) the newest stretch's entry shows.
    for (QLineSeries *older : {lone, oldest})
        for (QLegendMarker *marker : errors->chart()->legend()->markers(older))
            QVERIFY(!marker->isVisible());
    const auto visibleSyncMarkers = [errors] {
        int n = 0;
        for (QLegendMarker *marker : errors->chart()->legend()->markers())
            if (marker->isVisible() && marker->label() == QStringLiteral("sync"))
                ++n;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(visibleSyncMarkers(), 1, 5000);
    // Runs per minute has a 0 for every empty minute: one unbroken line.
    QVERIFY(seriesOf(chartNamed(view, "chartRuns"), QStringLiteral("runs.sync")));
    QVERIFY(!seriesOf(chartNamed(view, "chartRuns"), QStringLiteral("runs.sync~1")));

    // The gap fills: the stretches join and the extra series go away.
    QList<RunRecord> more;
    for (int ago = 45; ago >= 11; --ago)
        more << record(flag, RunPath::Sync, thisMinute - ago * kMinute + 5000, 200, true);
    RunRecordStore(*other).ingest(more);
    QTRY_VERIFY_WITH_TIMEOUT(!seriesOf(errors, QStringLiteral("errorRate.sync~1")), 10000);
    QCOMPARE(seriesOf(errors, QStringLiteral("errorRate.sync"))->count(), 45);
    if (const QString out = qEnvironmentVariable("HEALTH_SHOTS_DIR"); !out.isEmpty() && engine == QLatin1String("sqlite"))
        QVERIFY(view.grab().save(QDir(out).filePath(QStringLiteral("health-gaps.png"))));
}

// The demo workspace with its recorded history, at the window size the app opens with.
void TstHealthView::demoHistoryScreenshot()
{
    QTemporaryDir dir;
    const QString location = QDir(dir.path()).filePath(QStringLiteral("demo.sqlite"));
    auto ws = Workspace::open(location);
    QElapsedTimer timer;
    timer.start();
    DemoWorkspace::populate(*ws); // with its seven days of history, exactly as ./run.sh makes it
    qInfo("populate took %lld ms", timer.elapsed());
    // The last two hours are quiet: no guardrail of the demo rollout would trip on them.
    const RunRecordStore store(*ws);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const WindowStats sync = store.window(QStringLiteral("sheets.incremental-diff"), RunPath::Sync, now.addSecs(-3600), now);
    const WindowStats legacy = store.window(QStringLiteral("sheets.incremental-diff"), RunPath::Legacy, now.addSecs(-3600), now);
    QVERIFY(sync.runs > 10 && legacy.runs > 10);
    QVERIFY(sync.errorRate() < 0.05);
    QVERIFY2(sync.p95Ms > 100 && sync.p95Ms < 1000, qPrintable(QString::number(sync.p95Ms)));
    // The demo syncs this flag for real: its guardrails' windows (15 minutes at most) hold no recorded
    // run of the sync cohort, so recorded latencies are never judged against live local writes.
    QCOMPARE(store.window(QStringLiteral("sheets.incremental-diff"), RunPath::Sync, now.addSecs(-15 * 60), now).runs, qint64(0));
    // No guardrail of the demo's flags is breached now (the demo rollout keeps running).
    const StoreWindowSource source(store);
    const GuardrailEvaluator evaluator(source);
    for (const char *flag : {"sheets.incremental-diff", "sync.central-store", "sync.realtime"}) {
        for (const Guardrail &g : GuardrailStore(*ws).effective(QString::fromLatin1(flag))) {
            const GuardrailResult result = evaluator.evaluate(g, QString::fromLatin1(flag), now);
            QVERIFY2(result.status != GuardrailResult::Status::Breached,
                     qPrintable(QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(flag), g.name, GuardrailEvaluator::describe(g, result))));
        }
    }
    QCOMPARE(store.window(QStringLiteral("sheets.incremental-diff"), RunPath::Shadow, now.addSecs(-3600), now).mismatches, qint64(0));

    ShownHealthView shown(*ws, location, QSize(1280 - 200, 800 - 90)); // the window minus its sidebar and header
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    HealthView &view = shown.view;
    QTRY_VERIFY_WITH_TIMEOUT(view.data().hasRuns, 10000);
    // Flags with runs come first: the three with history, then the rest.
    auto *combo = view.findChild<QComboBox *>(QStringLiteral("healthFlag"));
    QVERIFY(combo);
    QStringList order;
    for (int i = 0; i < combo->count(); ++i)
        if (!combo->itemData(i).toString().isEmpty())
            order << combo->itemData(i).toString();
    QCOMPARE(order.mid(0, 3), (QStringList{QStringLiteral("sheets.incremental-diff"), QStringLiteral("sync.central-store"),
                                           QStringLiteral("sync.realtime")}));
    QCOMPARE(view.flagKey(), QStringLiteral("sheets.incremental-diff"));
    view.setFlagKey(QStringLiteral("sheets.incremental-diff"));
    const QString out = qEnvironmentVariable("HEALTH_SHOTS_DIR");
    for (const char *range : {"range1h", "range7d"}) {
        QTest::mouseClick(view.findChild<QToolButton *>(QString::fromLatin1(range)), Qt::LeftButton);
        const qint64 span = QString::fromLatin1(range) == QLatin1String("range1h") ? 3600 * 1000LL : 7 * 24 * 3600 * 1000LL;
        QTRY_VERIFY_WITH_TIMEOUT(view.data().toMs - view.data().fromMs == span
                                     && view.data().flagKey == QLatin1String("sheets.incremental-diff"), 10000);
        QVERIFY(view.data().hasShadow);
        QTest::qWait(200); // let the charts lay out their legends (for the picture only)
        const QImage image = view.grab().toImage();
        QVERIFY(!image.isNull());
        if (!out.isEmpty())
            QVERIFY(image.save(QDir(out).filePath(QStringLiteral("health-%1.png").arg(QString::fromLatin1(range)))));
    }
    // A dark palette: the charts follow it.
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x26, 0x28, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x33, 0x35, 0x39));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa0, 0xa0));
    view.setPalette(dark);
    HealthChartView *errors = view.findChild<HealthChartView *>(QStringLiteral("chartErrorRate"));
    QCOMPARE(errors->chart()->backgroundBrush().color(), dark.color(QPalette::Base));
    QCOMPARE(errors->axisX()->labelsBrush().color(), dark.color(QPalette::Text));
    if (!out.isEmpty()) {
        QTest::qWait(200);
        QVERIFY(view.grab().save(QDir(out).filePath(QStringLiteral("health-dark.png"))));
    }
}

QTEST_MAIN(TstHealthView)
#include "tst_healthview.moc"
