// The Overview on a real workspace (SQLite and PostgreSQL): a running rollout with its phase and
// time left, health per flag from the run records (red with the reason for a breached error rate,
// green for healthy runs), a circuit breaker published by another connection, a decision written
// by the CLI in another process, navigation signals, placeholders, and screenshots of the demo.

#include "ConsoleContext.h"
#include "Icons.h"
#include "OverviewView.h"
#include "TestSupport.h"

#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "metrics/BreakerStateStore.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "workspace/Workspace.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPalette>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace sp;

namespace {

ChangeContext testCtx() { return ChangeContext::local(QStringLiteral("test"), QStringLiteral("seeding")); }

void createFlag(Workspace &ws, const QString &key, bool enabled = true, int percentTenths = 0)
{
    FlagDraft f;
    f.key = key;
    f.tags = {QStringLiteral("sync")};
    f.enabled = enabled;
    f.percentTenths = percentTenths;
    FlagStore(ws).create(f, testCtx());
}

// n sync-cohort runs of flag over the last few minutes, `errors` of them failed.
void ingestRuns(Workspace &ws, const QString &flag, int n, int errors)
{
    QList<RunRecord> records;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < n; ++i) {
        RunRecord r;
        r.flagKey = flag;
        r.config = QStringLiteral("tokens");
        r.target = QStringLiteral("t%1").arg(i);
        r.path = RunPath::Sync;
        r.startedAt = now.addSecs(-120).addMSecs(i * 100);
        r.durationMs = 200;
        r.ok = i >= errors;
        if (!r.ok)
            r.errorClass = QStringLiteral("http_5xx");
        records << r;
    }
    RunRecordStore(ws).ingest(records);
}

QTreeWidgetItem *row(QTreeWidget *list, const QString &first)
{
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        if (list->topLevelItem(i)->text(0) == first)
            return list->topLevelItem(i);
    return nullptr;
}

QTreeWidget *section(QWidget &view, const char *name)
{
    return view.findChild<QTreeWidget *>(QLatin1String(name));
}

} // namespace

class TstOverviewView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void emptyWorkspaceShowsPlaceholders_data() { test::addEngineColumn(); }
    void emptyWorkspaceShowsPlaceholders()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        ConsoleContext ctx(*ws, loc);
        OverviewView view(ctx);
        view.resize(1100, 760);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.loadCount() >= 1, 10000);
        for (const char *name : {"overviewRollouts", "overviewHealth", "overviewSyncs", "overviewBreakers", "overviewDecisions"}) {
            QTreeWidget *list = section(view, name);
            QVERIFY2(list, name);
            QCOMPARE(list->topLevelItemCount(), 0);
            auto *placeholder = view.findChild<QLabel *>(QLatin1String(name) + QStringLiteral("Placeholder"));
            QVERIFY2(placeholder && placeholder->isVisible(), name);
            QVERIFY(!placeholder->text().isEmpty());
            QVERIFY(!list->isVisible());
        }
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("overviewBreakersPlaceholder"))->text(), QStringLiteral("All upstreams healthy."));
    }

    void runningRolloutWithPhaseAndTimeLeft_data() { test::addEngineColumn(); }
    void runningRolloutWithPhaseAndTimeLeft()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        createFlag(*ws, QStringLiteral("sync.canary"));
        RolloutStore rollouts(*ws);
        rollouts.start(QStringLiteral("sync.canary"), RolloutPlan::parse(QStringLiteral("5:24h,25:48h,50:72h,100")), QString(), testCtx());
        rollouts.advance(QStringLiteral("sync.canary"), testCtx());

        ConsoleContext ctx(*ws, loc);
        OverviewView view(ctx);
        view.resize(1100, 760);
        view.show();
        QTreeWidget *list = section(view, "overviewRollouts");
        QTRY_VERIFY_WITH_TIMEOUT(row(list, QStringLiteral("sync.canary")), 10000);
        QTreeWidgetItem *item = row(list, QStringLiteral("sync.canary"));
        QCOMPARE(item->text(1), QStringLiteral("25 %, phase 2 of 4"));
        // 48 h hold, started a moment ago: just under two days left.
        QVERIFY2(item->text(2).startsWith(QStringLiteral("1 d 23 h")), qPrintable(item->text(2)));
        QVERIFY2(item->text(2).endsWith(QStringLiteral("left")), qPrintable(item->text(2)));
        QCOMPARE(item->text(3), QStringLiteral("Running"));
        QVERIFY(list->isVisible());

        // Enter on the row asks to open the rollout.
        QSignalSpy open(&view, &OverviewView::openRollout);
        list->setCurrentItem(item);
        QTest::keyClick(list, Qt::Key_Return);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().first().toString(), QStringLiteral("sync.canary"));
    }

    void healthPerFlagFromRunRecords_data() { test::addEngineColumn(); }
    void healthPerFlagFromRunRecords()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        createFlag(*ws, QStringLiteral("sync.red"));
        createFlag(*ws, QStringLiteral("sync.green"));
        createFlag(*ws, QStringLiteral("quiet")); // no runs, no rollout, no config: not listed
        ingestRuns(*ws, QStringLiteral("sync.red"), 40, 20);  // 50 % errors over 40 runs
        ingestRuns(*ws, QStringLiteral("sync.green"), 40, 0);

        ConsoleContext ctx(*ws, loc);
        OverviewView view(ctx);
        view.resize(1100, 760);
        view.show();
        QTreeWidget *list = section(view, "overviewHealth");
        QTRY_COMPARE_WITH_TIMEOUT(list->topLevelItemCount(), 2, 10000);
        QVERIFY(!row(list, QStringLiteral("quiet")));

        QTreeWidgetItem *red = row(list, QStringLiteral("sync.red"));
        QVERIFY(red);
        QCOMPARE(red->data(1, Qt::UserRole).toString(), QStringLiteral("critical"));
        QCOMPARE(red->text(1), QStringLiteral("Critical"));
        QVERIFY2(red->text(2).contains(QStringLiteral("error rate")), qPrintable(red->text(2)));
        QVERIFY2(red->text(2).contains(QStringLiteral("50")), qPrintable(red->text(2)));
        QTreeWidgetItem *green = row(list, QStringLiteral("sync.green"));
        QVERIFY(green);
        QCOMPARE(green->data(1, Qt::UserRole).toString(), QStringLiteral("healthy"));
        QCOMPARE(green->text(1), QStringLiteral("Healthy"));
        QVERIFY(!green->text(2).isEmpty());

        // More failures on the green flag, written by another connection: it turns red.
        auto other = Workspace::open(loc);
        ingestRuns(*other, QStringLiteral("sync.green"), 40, 40);
        QTRY_COMPARE_WITH_TIMEOUT(row(list, QStringLiteral("sync.green"))->data(1, Qt::UserRole).toString(), QStringLiteral("critical"), 5000);

        QSignalSpy open(&view, &OverviewView::openFlag);
        Q_EMIT list->itemActivated(row(list, QStringLiteral("sync.red")), 0);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().first().toString(), QStringLiteral("sync.red"));
    }

    void breakerPublishedElsewhereAppears_data() { test::addEngineColumn(); }
    void breakerPublishedElsewhereAppears()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        ConsoleContext ctx(*ws, loc);
        OverviewView view(ctx);
        view.resize(1100, 760);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.loadCount() >= 1, 10000);
        QTreeWidget *list = section(view, "overviewBreakers");
        QCOMPARE(list->topLevelItemCount(), 0);

        // The agent's process publishes through its own connection.
        auto agent = Workspace::open(loc);
        BreakerState b;
        b.upstream = QStringLiteral("api.figma.com:443");
        b.state = QStringLiteral("open");
        b.failures = 5;
        b.lastError = QStringLiteral("api.figma.com:443: server error (503), gave up after 5 attempts");
        b.publisher = QStringLiteral("agent on ops-1 (pid 4242)");
        BreakerStateStore(*agent).publish({b});
        QTRY_VERIFY_WITH_TIMEOUT(row(list, b.upstream), 1000);
        QTreeWidgetItem *item = row(list, b.upstream);
        QCOMPARE(item->text(1), QStringLiteral("open"));
        QCOMPARE(item->text(3), b.lastError);
        QVERIFY(list->isVisible());

        // Closed again: back to "All upstreams healthy".
        b.state = QStringLiteral("closed");
        b.failures = 0;
        BreakerStateStore(*agent).publish({b});
        QTRY_COMPARE_WITH_TIMEOUT(list->topLevelItemCount(), 0, 5000);
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("overviewBreakersPlaceholder"))->isVisible());

        // A hidden Overview (another page is shown) catches up when it is shown again.
        view.hide();
        b.state = QStringLiteral("half_open");
        BreakerStateStore(*agent).publish({b});
        QTRY_VERIFY_WITH_TIMEOUT(agent->revision() == ws->revision(), 5000);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(row(list, b.upstream) && row(list, b.upstream)->text(1) == QStringLiteral("half-open"), 5000);
    }

    void decisionByTheCliAppears_data() { test::addEngineColumn(); }
    void decisionByTheCliAppears()
    {
        SP_FRESH_WORKSPACE(loc, m_dir);
        auto ws = Workspace::open(loc);
        createFlag(*ws, QStringLiteral("sync.paused"));
        RolloutStore(*ws).start(QStringLiteral("sync.paused"), RolloutPlan::parse(QStringLiteral("10:1h,100")), QString(), testCtx());

        ConsoleContext ctx(*ws, loc);
        OverviewView view(ctx);
        view.resize(1100, 760);
        view.show();
        QTreeWidget *decisions = section(view, "overviewDecisions");
        QTRY_COMPARE_WITH_TIMEOUT(decisions->topLevelItemCount(), 1, 10000); // the start

        const test::CliResult r = test::runCli(loc, {QStringLiteral("rollout"), QStringLiteral("pause"), QStringLiteral("sync.paused")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QTRY_COMPARE_WITH_TIMEOUT(decisions->topLevelItemCount(), 2, 5000);
        QTreeWidgetItem *newest = decisions->topLevelItem(0); // newest first
        QCOMPARE(newest->text(1), QStringLiteral("sync.paused"));
        QVERIFY2(newest->text(2).contains(QStringLiteral("cli")), qPrintable(newest->text(2)));
        QVERIFY2(newest->text(3).contains(QStringLiteral("ause")), qPrintable(newest->text(3)));

        // The rollout shows paused, in amber.
        QTreeWidget *rollouts = section(view, "overviewRollouts");
        QTRY_VERIFY_WITH_TIMEOUT(row(rollouts, QStringLiteral("sync.paused"))
                                     && row(rollouts, QStringLiteral("sync.paused"))->text(3).startsWith(QStringLiteral("Paused")),
                                 5000);
        QCOMPARE(row(rollouts, QStringLiteral("sync.paused"))->text(2), QStringLiteral("on hold"));
        QCOMPARE(row(rollouts, QStringLiteral("sync.paused"))->foreground(3).color(), Icons::warning());
    }

    // Not a check: pictures of the demo workspace at 1280×800 in the light and a dark palette, for
    // a person to look at (SYNCPILOT_SHOTS=dir).
    void screenshots()
    {
        const QString dir = qEnvironmentVariable("SYNCPILOT_SHOTS");
        if (dir.isEmpty())
            QSKIP("set SYNCPILOT_SHOTS to a directory to take screenshots");
        QDir().mkpath(dir);
        const QString loc = m_dir.filePath(QStringLiteral("demo.sqlite"));
        auto ws = Workspace::open(loc);
        DemoWorkspace::populate(*ws);
        DemoWorkspace::addHistory(*ws, QDateTime::currentDateTimeUtc());
        BreakerState b;
        b.upstream = QStringLiteral("api.figma.com:443");
        b.state = QStringLiteral("open");
        b.failures = 5;
        b.lastError = QStringLiteral("api.figma.com:443: server error (503), gave up after 5 attempts");
        BreakerStateStore(*ws).publish({b});
        ConsoleContext ctx(*ws, loc);
        for (bool dark : {false, true}) {
            const QPalette before = QApplication::palette();
            if (dark) {
                QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
                QPalette p;
                p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
                p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
                p.setColor(QPalette::Base, QColor(0x1f, 0x1f, 0x1f));
                p.setColor(QPalette::AlternateBase, QColor(0x28, 0x28, 0x28));
                p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
                p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
                p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
                p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
                p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
                QApplication::setPalette(p);
            }
            OverviewView view(ctx);
            view.resize(1280, 800);
            view.show();
            QTRY_VERIFY_WITH_TIMEOUT(view.loadCount() >= 1, 20000);
            QTest::qWait(50);
            QVERIFY(view.grab().save(dir + (dark ? QStringLiteral("/overview-dark.png") : QStringLiteral("/overview-light.png"))));
            QApplication::setPalette(before);
        }
        // As the main window shows it: beside the sidebar, under the header.
        OverviewView view(ctx);
        view.resize(1040, 690);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.loadCount() >= 1, 20000);
        QTest::qWait(50);
        QVERIFY(view.grab().save(dir + QStringLiteral("/overview-in-window.png")));
    }
};

QTEST_MAIN(TstOverviewView)
#include "tst_overviewview.moc"
