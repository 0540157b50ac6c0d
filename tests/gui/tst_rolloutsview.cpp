// The Rollouts view on a real workspace (SQLite and PostgreSQL), driven through its widgets:
// starting a rollout through the dialog, pausing / resuming / aborting with the buttons (ledger
// rows appear), a bad custom plan refused inline, a phase advanced by another process showing up,
// and a backtest over ingested run records drawing its chart and listing the rollback.

#include "BacktestPanel.h"
#include "ConsoleContext.h"
#include "PhaseTimeline.h"
#include "RolloutsView.h"
#include "StartRolloutDialog.h"
#include "TestSupport.h"

#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Controller.h"
#include "rollout/Rollout.h"
#include "workspace/Workspace.h"

#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeWidget>

using namespace sp;

namespace {

void seedFlags(Workspace &ws)
{
    FlagStore store(ws);
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"));
    for (const char *key : {"alpha", "beta"}) {
        FlagDraft d;
        d.key = QString::fromLatin1(key);
        d.description = QStringLiteral("Sync path %1").arg(d.key);
        d.tags = {QStringLiteral("sync")};
        d.enabled = true;
        store.create(d, ctx);
    }
}

void startRollout(Workspace &ws, const QString &key, const QString &templateName = QStringLiteral("canary"))
{
    RolloutStore(ws).start(key, RolloutPlan::fromTemplate(templateName), templateName, ChangeContext::local(QStringLiteral("test")));
}

std::optional<Rollout> activeIn(const QString &location, const QString &key)
{
    auto other = Workspace::open(location); // what another console sees
    return RolloutStore(*other).active(key);
}

template<typename T>
T *child(QObject *parent, const char *name)
{
    T *w = parent->findChild<T *>(QString::fromLatin1(name));
    if (!w)
        qWarning("no child %s", name);
    return w;
}

QTreeWidgetItem *listItem(QTreeWidget *list, const QString &key)
{
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        if (list->topLevelItem(i)->text(0) == key)
            return list->topLevelItem(i);
    return nullptr;
}

// Runs of a flag over the last `minutes` minutes: three sync and three legacy runs a minute;
// the sync runs in (failTo, failFrom] minutes ago fail critically.
QList<RunRecord> runs(const QString &key, const QDateTime &now, int minutes, int failFrom, int failTo)
{
    QList<RunRecord> out;
    for (int m = minutes; m >= 1; --m) {
        for (int j = 0; j < 6; ++j) {
            RunRecord r;
            r.flagKey = key;
            r.config = QStringLiteral("tokens");
            r.target = QStringLiteral("app-%1").arg(j);
            r.path = j < 3 ? RunPath::Sync : RunPath::Legacy;
            r.startedAt = now.addSecs(-60LL * m + 10LL * j);
            r.durationMs = 800 + (m % 5) * 40 + j * 10;
            if (r.path == RunPath::Sync && m <= failFrom && m > failTo) {
                r.ok = false;
                r.errorClass = QStringLiteral("network");
                r.critical = true;
            }
            out << r;
        }
    }
    return out;
}

} // namespace

class TstRolloutsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void startFromTemplateThroughDialog_data() { test::addEngineColumn(); }
    void startFromTemplateThroughDialog();
    void pauseResumeAbortThroughButtons_data() { test::addEngineColumn(); }
    void pauseResumeAbortThroughButtons();
    void badCustomPlanStartsNothing_data() { test::addEngineColumn(); }
    void badCustomPlanStartsNothing();
    void advanceByAnotherProcessShowsUp_data() { test::addEngineColumn(); }
    void advanceByAnotherProcessShowsUp();
    void backtestChartsRollback_data() { test::addEngineColumn(); }
    void backtestChartsRollback();
    void guardrailsInWords();
    void evidenceOfAutomaticDecision();
    void emptyWorkspaceShowsPlaceholder();
    void screenshot();

private:
    QTemporaryDir m_dir;
};

void TstRolloutsView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstRolloutsView::startFromTemplateThroughDialog()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    auto *list = child<QTreeWidget>(&view, "rolloutList");
    QVERIFY(list);
    QCOMPARE(list->topLevelItemCount(), 0);

    QTest::mouseClick(child<QPushButton>(&view, "startRolloutButton"), Qt::LeftButton);
    auto *dialog = view.findChild<StartRolloutDialog *>(QStringLiteral("startRolloutDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *flag = child<QComboBox>(dialog, "flagCombo");
    auto *templ = child<QComboBox>(dialog, "templateCombo");
    QVERIFY(flag && templ);
    flag->setCurrentIndex(flag->findData(QStringLiteral("beta")));
    templ->setCurrentIndex(templ->findData(QStringLiteral("ladder")));
    QVERIFY(child<QLabel>(dialog, "planPreview")->text().contains(QStringLiteral("1 % for 24 h → 5 % for 24 h")));
    auto *ok = child<QPushButton>(dialog, "startButton");
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);

    const std::optional<Rollout> r = activeIn(location, QStringLiteral("beta"));
    QVERIFY(r);
    QCOMPARE(r->phaseIndex, 0);
    QCOMPARE(r->templateName, QStringLiteral("ladder"));
    QCOMPARE(r->state, RolloutState::Running);
    QTRY_VERIFY(!view.findChild<StartRolloutDialog *>(QStringLiteral("startRolloutDialog")));

    QTreeWidgetItem *item = listItem(list, QStringLiteral("beta"));
    QVERIFY(item);
    QCOMPARE(item->text(1), QStringLiteral("Running"));
    QCOMPARE(item->text(2), QStringLiteral("1 of 6: 1 %"));
    QVERIFY2(item->text(3).endsWith(QStringLiteral("left")), qPrintable(item->text(3)));
    QCOMPARE(list->currentItem(), item);
    auto *timeline = child<PhaseTimeline>(&view, "phaseTimeline");
    QVERIFY(timeline->rollout());
    QCOMPARE(timeline->rollout()->phaseIndex, 0);
    QVERIFY2(timeline->accessibleDescription().contains(QStringLiteral("Phase 1: 1 %, held 24 h (current, 23 h")),
             qPrintable(timeline->accessibleDescription()));
    QVERIFY(timeline->accessibleDescription().contains(QStringLiteral("Phase 6: 100 %, final")));
    auto *ledger = child<QTableWidget>(&view, "ledgerTable");
    QCOMPARE(ledger->rowCount(), 1);
    QCOMPARE(ledger->item(0, 1)->text(), QStringLiteral("Started"));
    QCOMPARE(ledger->item(0, 2)->text(), QStringLiteral("manual"));
    QVERIFY(ledger->item(0, 3)->text().endsWith(QStringLiteral("/ gui")));
}

void TstRolloutsView::pauseResumeAbortThroughButtons()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    startRollout(*ws, QStringLiteral("alpha"));
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.selectFlag(QStringLiteral("alpha")));

    auto *pause = child<QPushButton>(&view, "pauseButton");
    auto *resume = child<QPushButton>(&view, "resumeButton");
    auto *advance = child<QPushButton>(&view, "advanceButton");
    auto *abort = child<QPushButton>(&view, "abortButton");
    auto *ledger = child<QTableWidget>(&view, "ledgerTable");
    QVERIFY(pause->isEnabled() && !resume->isEnabled() && advance->isEnabled() && abort->isEnabled());
    QCOMPARE(ledger->rowCount(), 1);

    QTest::keyClicks(child<QLineEdit>(&view, "reasonEdit"), QStringLiteral("checking the dashboards"));
    QTest::mouseClick(pause, Qt::LeftButton);
    QCOMPARE(activeIn(location, QStringLiteral("alpha"))->state, RolloutState::Paused);
    QCOMPARE(activeIn(location, QStringLiteral("alpha"))->stateReason, QStringLiteral("checking the dashboards"));
    QTRY_COMPARE(ledger->rowCount(), 2);
    QCOMPARE(ledger->item(0, 1)->text(), QStringLiteral("Paused"));
    QVERIFY(ledger->item(0, 4)->text().contains(QStringLiteral("checking the dashboards")));
    QVERIFY(!pause->isEnabled() && resume->isEnabled() && !advance->isEnabled());
    QCOMPARE(listItem(child<QTreeWidget>(&view, "rolloutList"), QStringLiteral("alpha"))->text(1), QStringLiteral("Paused"));
    QVERIFY(child<PhaseTimeline>(&view, "phaseTimeline")->stateText().startsWith(QStringLiteral("Paused at 5 %")));

    // the evidence pane explains the selected decision
    ledger->selectRow(0);
    QVERIFY(child<QTextBrowser>(&view, "evidencePane")->toPlainText().contains(QStringLiteral("Manual decision by")));

    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(activeIn(location, QStringLiteral("alpha"))->state, RolloutState::Running);
    QTRY_COMPARE(ledger->rowCount(), 3);
    QCOMPARE(ledger->item(0, 1)->text(), QStringLiteral("Resumed"));
    QVERIFY(pause->isEnabled() && !resume->isEnabled());

    // abort asks first; cancelling changes nothing
    QTest::mouseClick(abort, Qt::LeftButton);
    auto *box = view.findChild<QMessageBox *>(QStringLiteral("abortConfirmation"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    box->button(QMessageBox::Cancel)->click();
    QVERIFY(activeIn(location, QStringLiteral("alpha")));
    QCOMPARE(ledger->rowCount(), 3);
    QTRY_VERIFY(!view.findChild<QMessageBox *>(QStringLiteral("abortConfirmation")));

    QTest::mouseClick(abort, Qt::LeftButton);
    box = view.findChild<QMessageBox *>(QStringLiteral("abortConfirmation"));
    QVERIFY(box);
    child<QPushButton>(box, "confirmAbortButton")->click();
    QVERIFY(!activeIn(location, QStringLiteral("alpha")));
    QTRY_COMPARE(ledger->rowCount(), 4);
    QCOMPARE(ledger->item(0, 1)->text(), QStringLiteral("Aborted"));
    QVERIFY(!pause->isEnabled() && !resume->isEnabled() && !advance->isEnabled() && !abort->isEnabled());
    QVERIFY(child<PhaseTimeline>(&view, "phaseTimeline")->stateText().startsWith(QStringLiteral("Aborted at 5 %")));
}

void TstRolloutsView::badCustomPlanStartsNothing()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    StartRolloutDialog *dialog = view.openStartDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->objectName(), QStringLiteral("startRolloutDialog"));
    auto *plan = child<QLineEdit>(dialog, "planEdit");
    auto *error = child<QLabel>(dialog, "planError");
    auto *ok = child<QPushButton>(dialog, "startButton");
    QTest::keyClicks(plan, QStringLiteral("5:24h,3:48h,100"));
    QVERIFY(child<QRadioButton>(dialog, "useCustom")->isChecked());
    QVERIFY(error->isVisible());
    QVERIFY(!child<QLabel>(dialog, "planPreview")->text().contains(QStringLiteral("for")));
    QVERIFY2(error->text().contains(QStringLiteral("Plan phase 2 (\"3:48h\")")), qPrintable(error->text()));
    QVERIFY(error->text().contains(QStringLiteral("percentages must rise")));
    QVERIFY(!ok->isEnabled());
    dialog->accept(); // even when forced, nothing starts
    QVERIFY(dialog->isVisible());

    plan->clear();
    QTest::keyClicks(plan, QStringLiteral("5:24h,25,100"));
    QVERIFY2(error->text().contains(QStringLiteral("Plan phase 2 (\"25\")")), qPrintable(error->text()));
    QVERIFY(!ok->isEnabled());

    auto other = Workspace::open(location);
    QVERIFY(RolloutStore(*other).list().isEmpty());

    // fixing the plan enables Start and shows the phases in words
    plan->clear();
    QTest::keyClicks(plan, QStringLiteral("5:90m,50:2h,100"));
    QVERIFY(error->text().isEmpty());
    QVERIFY(ok->isEnabled());
    QCOMPARE(child<QLabel>(dialog, "planPreview")->text(), QStringLiteral("5 % for 1 h 30 min → 50 % for 2 h → 100 %"));
    dialog->reject();
}

void TstRolloutsView::advanceByAnotherProcessShowsUp()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    startRollout(*ws, QStringLiteral("alpha"));
    startRollout(*ws, QStringLiteral("beta"), QStringLiteral("ladder"));
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.selectFlag(QStringLiteral("beta"))); // not the first row: the selection must be kept
    auto *timeline = child<PhaseTimeline>(&view, "phaseTimeline");
    QCOMPARE(timeline->rollout()->flagKey, QStringLiteral("beta"));
    QCOMPARE(timeline->rollout()->phaseIndex, 0);

    const test::CliResult res = test::runCli(location, {QStringLiteral("rollout"), QStringLiteral("advance"), QStringLiteral("beta")});
    QVERIFY2(res.exitCode == 0, qPrintable(res.text()));
    QTRY_COMPARE_WITH_TIMEOUT(timeline->rollout()->phaseIndex, 1, 1000);
    QCOMPARE(timeline->rollout()->flagKey, QStringLiteral("beta"));
    auto *list = child<QTreeWidget>(&view, "rolloutList");
    QCOMPARE(list->currentItem()->text(0), QStringLiteral("beta"));
    QCOMPARE(listItem(list, QStringLiteral("beta"))->text(2), QStringLiteral("2 of 6: 5 %"));
    QCOMPARE(listItem(list, QStringLiteral("alpha"))->text(2), QStringLiteral("1 of 4: 5 %"));
    QVERIFY(timeline->accessibleDescription().contains(QStringLiteral("Phase 1: 1 %, held 24 h (done)")));
    auto *ledger = child<QTableWidget>(&view, "ledgerTable");
    QTRY_COMPARE(ledger->rowCount(), 2);
    QCOMPARE(ledger->item(0, 1)->text(), QStringLiteral("Advanced"));
    QVERIFY(ledger->item(0, 3)->text().endsWith(QStringLiteral("/ cli")));
}

void TstRolloutsView::backtestChartsRollback()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    startRollout(*ws, QStringLiteral("alpha"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // six hours of healthy runs, then ten minutes of critical failures two hours ago
    RunRecordStore(*ws).ingest(runs(QStringLiteral("alpha"), now, 360, 130, 120));

    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.selectFlag(QStringLiteral("alpha")));
    child<QTabWidget>(&view, "detailTabs")->setCurrentIndex(2);

    auto *panel = child<BacktestPanel>(&view, "backtestPanel");
    auto *planCombo = child<QComboBox>(panel, "backtestPlanCombo");
    planCombo->setCurrentIndex(planCombo->count() - 1); // custom
    QTest::keyClicks(child<QLineEdit>(panel, "backtestPlanEdit"), QStringLiteral("5:1h,25:1h,50:4h,100"));
    child<QComboBox>(panel, "backtestPeriodCombo")->setCurrentIndex(0); // last 24 h
    QSignalSpy done(panel, &BacktestPanel::finished);
    QTest::mouseClick(child<QPushButton>(panel, "runBacktestButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);

    QVERIFY(panel->report());
    QCOMPARE(panel->report()->finalState, QStringLiteral("rolled_back"));
    QVERIFY(panel->report()->records >= 360 * 6);
    auto *chart = child<QChartView>(panel, "backtestChart");
    QVERIFY(chart);
    auto *percent = chart->chart()->findChild<QLineSeries *>(QStringLiteral("percentSeries"));
    auto *rollbacks = chart->chart()->findChild<QScatterSeries *>(QStringLiteral("rollbackMarkers"));
    QVERIFY(percent && rollbacks);
    QVERIFY(percent->count() >= 6);                 // start, advances, the drop to 0, the end
    QCOMPARE(percent->points().last().y(), 0.0);    // rolled back: 0 % at the end
    QCOMPARE(rollbacks->count(), 1);
    QVERIFY(rollbacks->at(0).y() > 0);

    auto *events = child<QTableWidget>(panel, "backtestEvents");
    bool listed = false;
    for (int i = 0; i < events->rowCount(); ++i)
        if (events->item(i, 1) && events->item(i, 1)->text() == QLatin1String("rollback")) {
            listed = true;
            QVERIFY(events->item(i, 2)->text().contains(QStringLiteral("critical")));
        }
    QVERIFY2(listed, "no rollback event listed");
    QVERIFY(child<QLabel>(panel, "backtestSummary")->text().contains(QStringLiteral("rolled back")));
}

void TstRolloutsView::guardrailsInWords()
{
    const QString location = m_dir.filePath(QStringLiteral("guardrails.sqlite"));
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    startRollout(*ws, QStringLiteral("alpha"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<RunRecord> records = runs(QStringLiteral("alpha"), now, 30, 0, 0);
    for (int i = 0; i < 2; ++i) { // two critical errors within the last five minutes
        records[records.size() - 1 - i * 6 - 5].ok = false; // a sync run of each of the last two minutes
        records[records.size() - 1 - i * 6 - 5].errorClass = QStringLiteral("network");
        records[records.size() - 1 - i * 6 - 5].critical = true;
    }
    RunRecordStore(*ws).ingest(records);
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    QSignalSpy evaluated(&view, &RolloutsView::guardrailsEvaluated);
    view.show();
    QVERIFY(view.selectFlag(QStringLiteral("alpha")));
    QTRY_VERIFY_WITH_TIMEOUT(evaluated.size() >= 1, 20000);
    auto *list = child<QTableWidget>(&view, "guardrailList");
    QTRY_COMPARE(list->rowCount(), 4);
    int critical = -1;
    for (int i = 0; i < list->rowCount(); ++i)
        if (list->item(i, 2)->text().contains(QStringLiteral("critical error")))
            critical = i;
    QVERIFY(critical >= 0);
    const QString words = list->item(critical, 2)->text();
    QVERIFY2(words.contains(QStringLiteral("on the 3rd critical error")), qPrintable(words));
    QVERIFY2(words.contains(QStringLiteral("2 so far")), qPrintable(words));
    QVERIFY(list->rowHeight(critical) >= list->fontMetrics().height()); // nothing cut to zero height
    QCOMPARE(list->item(critical, 1)->text(), QStringLiteral("healthy"));
}

void TstRolloutsView::evidenceOfAutomaticDecision()
{
    const QString location = m_dir.filePath(QStringLiteral("evidence.sqlite"));
    auto ws = Workspace::open(location);
    seedFlags(*ws);
    startRollout(*ws, QStringLiteral("alpha"));
    // critical failures in the last four minutes: the controller rolls back at its next tick
    RunRecordStore(*ws).ingest(runs(QStringLiteral("alpha"), QDateTime::currentDateTimeUtc(), 40, 4, 0));
    QVERIFY(!Controller(*ws).tick().isEmpty());

    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.selectFlag(QStringLiteral("alpha")));
    QCOMPARE(child<PhaseTimeline>(&view, "phaseTimeline")->rollout()->state, RolloutState::RolledBack);
    QVERIFY(child<PhaseTimeline>(&view, "phaseTimeline")->stateText().startsWith(QStringLiteral("Rolled back at 5 %")));
    child<QTabWidget>(&view, "detailTabs")->setCurrentIndex(1);
    auto *ledger = child<QTableWidget>(&view, "ledgerTable");
    int row = -1;
    for (int i = 0; i < ledger->rowCount(); ++i)
        if (ledger->item(i, 1)->text() == QLatin1String("Rolled back"))
            row = i;
    QVERIFY(row >= 0);
    QCOMPARE(ledger->item(row, 2)->text(), QStringLiteral("automatic"));
    ledger->selectRow(row);
    const QString evidence = child<QTextBrowser>(&view, "evidencePane")->toPlainText();
    QVERIFY2(evidence.contains(QStringLiteral("Tripped by guardrail error-rate")), qPrintable(evidence));
    QVERIFY(evidence.contains(QStringLiteral("Threshold")));
    QVERIFY(evidence.contains(QStringLiteral("Samples")));
    QVERIFY(evidence.contains(QStringLiteral("breached")));
    QVERIFY(evidence.contains(QStringLiteral("15 min"))); // the window in words
    QVERIFY(evidence.contains(QStringLiteral("44 (min 20)")) || evidence.contains(QStringLiteral("(min 20)")));

    const QString dir = qEnvironmentVariable("SYNCPILOT_SHOT_DIR");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-evidence.png")));
    }
}

void TstRolloutsView::emptyWorkspaceShowsPlaceholder()
{
    const QString location = m_dir.filePath(QStringLiteral("empty.sqlite"));
    auto ws = Workspace::open(location);
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *placeholder = child<QLabel>(&view, "rolloutsPlaceholder");
    QVERIFY(placeholder && placeholder->isVisible());
    QVERIFY(placeholder->text().contains(QStringLiteral("Start rollout")));
    QVERIFY(child<QLabel>(&view, "detailPlaceholder")->isVisible());
    StartRolloutDialog *dialog = view.openStartDialog();
    QVERIFY(!child<QPushButton>(dialog, "startButton")->isEnabled()); // no flags to roll out
    QVERIFY(child<QLabel>(dialog, "planError")->text().contains(QStringLiteral("no flags")));
    dialog->reject();
}

// The view filled with the demo workspace at 1280×800; saved when SYNCPILOT_SHOT_DIR is set.
void TstRolloutsView::screenshot()
{
    const QString location = m_dir.filePath(QStringLiteral("demo.sqlite"));
    auto ws = Workspace::open(location);
    DemoWorkspace::populate(*ws);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString key = QStringLiteral("sheets.incremental-diff");
    RunRecordStore(*ws).ingest(runs(key, now, 600, 200, 190));
    const ChangeContext test = ChangeContext::local(QStringLiteral("test"), QStringLiteral("looking at the p95"));
    FlagStore flags(*ws);
    QStringList others;
    for (const Flag &f : flags.flags())
        if (f.key != key && !RolloutStore(*ws).active(f.key))
            others << f.key;
    if (others.size() >= 2) {
        RolloutStore(*ws).start(others[0], RolloutPlan::fromTemplate(QStringLiteral("ladder")), QStringLiteral("ladder"), test);
        RolloutStore(*ws).advance(others[0], test);
        RolloutStore(*ws).pause(others[0], test);
        RolloutStore(*ws).start(others[1], RolloutPlan::parse(QStringLiteral("10:1h,100")), QString(), test);
        RolloutStore(*ws).advance(others[1], test);
    }
    ConsoleContext ctx(*ws, location);
    RolloutsView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.selectFlag(key));
    QSignalSpy evaluated(&view, &RolloutsView::guardrailsEvaluated);
    QTRY_VERIFY_WITH_TIMEOUT(evaluated.size() >= 1, 20000);
    QVERIFY(child<QTreeWidget>(&view, "rolloutList")->topLevelItemCount() >= 1);

    const QString dir = qEnvironmentVariable("SYNCPILOT_SHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-guardrails.png")));
    auto *tabs = child<QTabWidget>(&view, "detailTabs");
    tabs->setCurrentIndex(1);
    auto *ledger = child<QTableWidget>(&view, "ledgerTable");
    if (ledger->rowCount() > 0)
        ledger->selectRow(0);
    QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-ledger.png")));
    tabs->setCurrentIndex(2);
    auto *panel = child<BacktestPanel>(&view, "backtestPanel");
    QSignalSpy done(panel, &BacktestPanel::finished);
    child<QPushButton>(panel, "runBacktestButton")->click();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
    QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-backtest.png")));
    QVERIFY(view.selectFlag(others.value(0)));
    QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-paused.png")));
    // dark palette: everything drawn from palette roles follows
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x2f, 0x2f, 0x2f));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Mid, QColor(0x60, 0x60, 0x60));
    dark.setColor(QPalette::Midlight, QColor(0x45, 0x45, 0x45));
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    view.setPalette(dark);
    QVERIFY(view.selectFlag(key));
    QVERIFY(view.grab().save(dir + QStringLiteral("/rollouts-dark.png")));
    view.setPalette(QPalette());
    StartRolloutDialog *dialog = view.openStartDialog();
    QTest::keyClicks(child<QLineEdit>(dialog, "planEdit"), QStringLiteral("5:24h,25:48h,20:72h,100"));
    QVERIFY(dialog->grab().save(dir + QStringLiteral("/rollouts-start-dialog.png")));
    dialog->reject();
}

QTEST_MAIN(TstRolloutsView)
#include "tst_rolloutsview.moc"
