// The real MainWindow on a real workspace (SQLite and PostgreSQL), driven through its widgets:
// toggling a flag writes the workspace and the audit log, other processes' changes show up, a
// conflict is reported, the kill switch asks for a reason, German loads, fonts exist.

#include "FlagTableModel.h"
#include "FlagsView.h"
#include "MainWindow.h"
#include "TestSupport.h"
#include "Translations.h"

#include "audit/AuditLog.h"
#include "demo/DemoWorkspace.h"
#include "sync/SyncConfig.h"
#include "common/Clock.h"
#include "metrics/RunRecordStore.h"
#include "rollout/BackgroundAgent.h"
#include "rollout/Controller.h"
#include "rollout/Rollout.h"
#include "rollout/RolloutPlan.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFrame>
#include <QFontDatabase>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

using namespace sp;

namespace {

// Exposes the delegate's own option set-up, so the test clicks where the check box really is.
class OptionProbe : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::initStyleOption;
};

// A MainWindow whose kill switch reason is scripted instead of asked in a modal dialog.
class ScriptedWindow : public MainWindow
{
public:
    using MainWindow::MainWindow;
    std::optional<QString> reply;
    QList<bool> asked;

protected:
    std::optional<QString> askKillSwitchReason(bool on) override
    {
        asked << on;
        return reply;
    }
};

void seed(Workspace &ws)
{
    FlagStore store(ws);
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"));
    FlagDraft alpha;
    alpha.key = QStringLiteral("alpha");
    alpha.description = QStringLiteral("Alpha feature");
    alpha.tags = {QStringLiteral("ui")};
    alpha.enabled = true;
    alpha.percentTenths = 100;
    store.create(alpha, ctx);
    FlagDraft beta;
    beta.key = QStringLiteral("beta");
    beta.description = QStringLiteral("Beta sync path");
    beta.tags = {QStringLiteral("sync")};
    beta.enabled = false;
    beta.percentTenths = 500;
    store.create(beta, ctx);
    FlagDraft gamma;
    gamma.key = QStringLiteral("gamma");
    gamma.description = QStringLiteral("Gamma needs alpha");
    gamma.tags = {QStringLiteral("sync"), QStringLiteral("figma")};
    gamma.enabled = true;
    gamma.percentTenths = 333;
    gamma.prerequisites = {QStringLiteral("alpha")};
    store.create(gamma, ctx);
}

QTableView *tableOf(const MainWindow &w) { return w.findChild<QTableView *>(QStringLiteral("flagTable")); }

// The view's index (through the sort/filter proxy) of a flag's cell.
QModelIndex cellOf(QTableView *view, const QString &key, int column)
{
    const QAbstractItemModel *m = view->model();
    for (int row = 0; row < m->rowCount(); ++row)
        if (m->index(row, 0).data(FlagTableModel::KeyRole).toString() == key)
            return m->index(row, column);
    return {};
}

QString cellText(QTableView *view, const QString &key, int column) { return cellOf(view, key, column).data().toString(); }

QPoint checkBoxCenter(QTableView *view, const QModelIndex &index)
{
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.rect = view->visualRect(index);
    option.widget = view;
    OptionProbe().initStyleOption(&option, index);
    return view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &option, view).center();
}

// What another console sees: a separate connection to the same workspace.
Flag readBack(const QString &location, const QString &key)
{
    auto other = Workspace::open(location);
    return FlagStore(*other).get(key);
}

QList<AuditEntry> auditOf(const QString &location, const QString &object, const QString &action)
{
    auto other = Workspace::open(location);
    AuditFilter filter;
    filter.object = object;
    filter.action = action;
    return AuditLog(*other).list(filter);
}

QStringList selectedKeys(QTableView *view)
{
    QStringList keys;
    for (const QModelIndex &i : view->selectionModel()->selectedRows())
        keys << i.data(FlagTableModel::KeyRole).toString();
    return keys;
}

} // namespace

class TstMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void showsWorkspaceAndFlags_data() { test::addEngineColumn(); }
    void showsWorkspaceAndFlags();
    void clickingStateTogglesFlag_data() { test::addEngineColumn(); }
    void clickingStateTogglesFlag();
    void otherProcessChangeShowsUp_data() { test::addEngineColumn(); }
    void otherProcessChangeShowsUp();
    void conflictIsReportedAndReloads_data() { test::addEngineColumn(); }
    void conflictIsReportedAndReloads();
    void killSwitchNeedsReason_data() { test::addEngineColumn(); }
    void killSwitchNeedsReason();
    void killSwitchDialogRequiresText();
    void emergencyButtonRollsBackAndRestoreBringsItBack_data() { test::addEngineColumn(); }
    void emergencyButtonRollsBackAndRestoreBringsItBack();
    void filterNarrowsTable();
    void germanTranslationLoads();
    void fontsAreInstalled();
    void sidebarAndShortcutsShowEveryView();
    void headerShowsAccountAndController_data() { test::addEngineColumn(); }
    void headerShowsAccountAndController();
    void controllerRollbackElsewhereNotifies_data() { test::addEngineColumn(); }
    void controllerRollbackElsewhereNotifies();
    void windowStateIsRemembered();
    void demoTourRehearsalRollbackAndRestore();

private:
    QTemporaryDir m_dir;
};

void TstMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true); // QSettings must not touch the real configuration
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstMainWindow::showsWorkspaceAndFlags()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QCOMPARE(window.windowTitle(), QStringLiteral("SyncPilot — %1").arg(ws->name()));
    auto *where = window.findChild<QWidget *>(QStringLiteral("workspaceLabel"));
    QVERIFY(where);
    QCOMPARE(where->toolTip(), ws->displayLocation());
    const QString password = QUrl(location).password();
    if (!password.isEmpty())
        QVERIFY2(!where->toolTip().contains(password), "the workspace password is on screen");

    QTableView *view = tableOf(window);
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 3);
    QCOMPARE(cellText(view, QStringLiteral("gamma"), FlagTableModel::PercentColumn), QStringLiteral("33.3 %"));
    QCOMPARE(cellText(view, QStringLiteral("gamma"), FlagTableModel::TagsColumn), QStringLiteral("figma, sync"));
    QCOMPARE(cellText(view, QStringLiteral("gamma"), FlagTableModel::PrerequisitesColumn), QStringLiteral("alpha"));
    QCOMPARE(cellText(view, QStringLiteral("beta"), FlagTableModel::StateColumn), QStringLiteral("Off"));
    QVERIFY(cellText(view, QStringLiteral("alpha"), FlagTableModel::LastChangeColumn).startsWith(QStringLiteral("by ")));
    QCOMPARE(cellOf(view, QStringLiteral("alpha"), FlagTableModel::KeyColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Alpha feature"));
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("flagCountLabel"))->text(), QStringLiteral("Flags: 3"));
    QVERIFY(!view->accessibleName().isEmpty());
}

void TstMainWindow::clickingStateTogglesFlag()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTableView *view = tableOf(window);

    // A mouse click on the check box turns beta on ...
    const QModelIndex state = cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn);
    QCOMPARE(state.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, checkBoxCenter(view, state));
    QCOMPARE(readBack(location, QStringLiteral("beta")).enabled, true);
    QCOMPARE(cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn).data(Qt::CheckStateRole).value<Qt::CheckState>(),
             Qt::Checked);
    const QList<AuditEntry> entries = auditOf(location, QStringLiteral("flag:beta"), QStringLiteral("flag.update"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().source, QStringLiteral("gui"));
    QVERIFY(entries.first().after.contains(QStringLiteral("\"enabled\":true")));

    // ... and Space on the focused cell turns it off again.
    view->setFocus();
    view->setCurrentIndex(cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn));
    QTest::keyClick(view, Qt::Key_Space);
    QCOMPARE(readBack(location, QStringLiteral("beta")).enabled, false);
    QCOMPARE(auditOf(location, QStringLiteral("flag:beta"), QStringLiteral("flag.update")).size(), 2);
    QCOMPARE(readBack(location, QStringLiteral("alpha")).enabled, true); // nothing else moved
}

void TstMainWindow::otherProcessChangeShowsUp()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTableView *view = tableOf(window);
    auto *revision = window.findChild<QLabel *>(QStringLiteral("revisionLabel"));
    const QString revisionBefore = revision->text();

    view->selectRow(cellOf(view, QStringLiteral("gamma"), 0).row());
    QCOMPARE(selectedKeys(view), QStringList{QStringLiteral("gamma")});

    const test::CliResult set = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("gamma"),
                                                        QStringLiteral("--percent"), QStringLiteral("42")});
    QVERIFY2(set.exitCode == 0, qPrintable(set.text()));
    QTRY_COMPARE_WITH_TIMEOUT(cellText(view, QStringLiteral("gamma"), FlagTableModel::PercentColumn), QStringLiteral("42 %"), 2000);
    QCOMPARE(selectedKeys(view), QStringList{QStringLiteral("gamma")}); // the reload kept the selection
    QCOMPARE(view->currentIndex().data(FlagTableModel::KeyRole).toString(), QStringLiteral("gamma"));
    QVERIFY(revision->text() != revisionBefore);

    // A flag created elsewhere is inserted as a row; the selection still stays on gamma.
    const test::CliResult create = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("create"), QStringLiteral("aaa.first")});
    QVERIFY2(create.exitCode == 0, qPrintable(create.text()));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 4, 2000);
    QCOMPARE(selectedKeys(view), QStringList{QStringLiteral("gamma")});
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("flagCountLabel"))->text(), QStringLiteral("Flags: 4"));
}

void TstMainWindow::conflictIsReportedAndReloads()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    FlagTableModel *model = window.flagModel();
    QSignalSpy failed(model, &FlagTableModel::writeFailed);

    // Someone else changes alpha; before this window has polled, its user unticks the old row.
    {
        auto other = Workspace::open(location);
        FlagPatch patch;
        patch.percentTenths = 777;
        FlagStore(*other).update(QStringLiteral("alpha"), patch, ChangeContext::local(QStringLiteral("cli")));
    }
    const int row = model->rowOf(QStringLiteral("alpha"));
    QCOMPARE(model->flagAt(row)->percentTenths, 100);
    QVERIFY(!model->setData(model->index(row, FlagTableModel::StateColumn), Qt::Unchecked, Qt::CheckStateRole));

    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(QStringLiteral("alpha")), qPrintable(failed.first().first().toString()));
    QCOMPARE(readBack(location, QStringLiteral("alpha")).enabled, true);  // nothing overwritten
    QCOMPARE(model->flagAt(model->rowOf(QStringLiteral("alpha")))->percentTenths, 777); // reloaded
    auto *box = window.findChild<QMessageBox *>(QStringLiteral("writeErrorBox"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->text(), failed.first().first().toString());
}

void TstMainWindow::killSwitchNeedsReason()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ScriptedWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *action = window.findChild<QAction *>(QStringLiteral("killSwitchAction"));
    QVERIFY(action);
    QVERIFY(!action->isChecked());

    // Cancelled: nothing changes and the action shows the workspace's state again.
    window.reply.reset();
    action->trigger();
    QCOMPARE(window.asked, QList<bool>{true});
    QVERIFY(!action->isChecked());
    QVERIFY(!FlagStore(*Workspace::open(location)).killSwitch());

    window.reply = QStringLiteral("incident drill");
    action->trigger();
    QVERIFY(action->isChecked());
    QVERIFY(FlagStore(*Workspace::open(location)).killSwitch());
    const QList<AuditEntry> entries = auditOf(location, QStringLiteral("workspace"), QStringLiteral("killswitch.on"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().reason, QStringLiteral("incident drill"));
    QCOMPARE(entries.first().source, QStringLiteral("gui"));
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("killSwitchBanner"))->isVisible());
    QTableView *view = tableOf(window);
    QCOMPARE(cellText(view, QStringLiteral("gamma"), FlagTableModel::StateColumn), QStringLiteral("On (kill switch)"));
    QCOMPARE(cellText(view, QStringLiteral("alpha"), FlagTableModel::StateColumn), QStringLiteral("On")); // not tagged sync

    // Released from another process: the window follows.
    const test::CliResult off = test::runCli(location, {QStringLiteral("killswitch"), QStringLiteral("off"),
                                                        QStringLiteral("--reason"), QStringLiteral("all clear")});
    QVERIFY2(off.exitCode == 0, qPrintable(off.text()));
    QTRY_VERIFY_WITH_TIMEOUT(!action->isChecked(), 2000);
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("killSwitchBanner"))->isVisible());
    QCOMPARE(cellText(view, QStringLiteral("gamma"), FlagTableModel::StateColumn), QStringLiteral("On"));
}

void TstMainWindow::killSwitchDialogRequiresText()
{
    const QString location = m_dir.filePath(QStringLiteral("dialog.sqlite"));
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    bool okWasDisabled = false;
    bool answered = false;
    // The real QInputDialog runs modally; answer it from the event loop once it is up.
    std::function<void()> answer = [&] {
        auto *dialog = window.findChild<QInputDialog *>(QStringLiteral("killSwitchReasonDialog"));
        if (!dialog || !dialog->isVisible()) {
            QTimer::singleShot(20, &window, answer);
            return;
        }
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        okWasDisabled = !ok->isEnabled();
        dialog->setTextValue(QStringLiteral("   "));
        okWasDisabled = okWasDisabled && !ok->isEnabled();
        dialog->setTextValue(QStringLiteral("maintenance window"));
        if (ok->isEnabled())
            QTest::mouseClick(ok, Qt::LeftButton);
        else
            dialog->reject();
        answered = true;
    };
    QTimer::singleShot(0, &window, answer);
    window.findChild<QAction *>(QStringLiteral("killSwitchAction"))->trigger();

    QVERIFY(answered);
    QVERIFY(okWasDisabled);
    QVERIFY(FlagStore(*ws).killSwitch());
    const QList<AuditEntry> entries = auditOf(location, QStringLiteral("workspace"), QStringLiteral("killswitch.on"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().reason, QStringLiteral("maintenance window"));
}

void TstMainWindow::filterNarrowsTable()
{
    const QString location = m_dir.filePath(QStringLiteral("filter.sqlite"));
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTableView *view = tableOf(window);
    auto *filter = window.findChild<QLineEdit *>(QStringLiteral("flagFilter"));
    QVERIFY(filter);

    QTest::keyClicks(filter, QStringLiteral("SYNC"));  // tags match, case-insensitively
    QCOMPARE(view->model()->rowCount(), 2);
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("flagCountLabel"))->text(), QStringLiteral("Flags: 2 of 3"));
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("needs alpha")); // and so does the description
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("gamma"));
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("nothing-like-this"));
    QCOMPARE(view->model()->rowCount(), 0);
    QVERIFY(window.flagTable()->placeholderText().contains(QStringLiteral("nothing-like-this")));
    filter->clear();
    QCOMPARE(view->model()->rowCount(), 3);
}

void TstMainWindow::germanTranslationLoads()
{
    QVERIFY(installTranslations(QLocale(QLocale::German, QLocale::Germany)));
    {
        const QString location = m_dir.filePath(QStringLiteral("deutsch.sqlite"));
        auto ws = Workspace::open(location);
        seed(*ws);
        MainWindow window(*ws, location);
        QTableView *view = tableOf(window);
        const QAbstractItemModel *m = view->model();
        QCOMPARE(m->headerData(FlagTableModel::PrerequisitesColumn, Qt::Horizontal).toString(), QStringLiteral("Voraussetzungen"));
        QCOMPARE(m->headerData(FlagTableModel::LastChangeColumn, Qt::Horizontal).toString(), QStringLiteral("Letzte Änderung"));
        QCOMPARE(window.findChild<QAction *>(QStringLiteral("killSwitchAction"))->text(), QStringLiteral("Notschalter"));
        QCOMPARE(cellText(view, QStringLiteral("beta"), FlagTableModel::StateColumn), QStringLiteral("Aus"));
    }
    // Back to English for whatever runs next; English needs no translation file.
    QVERIFY(!installTranslations(QLocale(QLocale::English, QLocale::UnitedStates)));
    QCOMPARE(FlagTableModel::tr("Prerequisites"), QStringLiteral("Prerequisites"));
}

void TstMainWindow::fontsAreInstalled()
{
    // Without fonts every glyph renders as a box and nothing fails: make that a failure.
    QVERIFY2(QFontDatabase::families().contains(QStringLiteral("DejaVu Sans")), "fonts-dejavu-core is not installed");
}

// The red button acts at once (no dialog), the bar says what it rolled back, and Restore puts it
// back; both steps are audited as the console's.
void TstMainWindow::emergencyButtonRollsBackAndRestoreBringsItBack()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *button = window.findChild<QToolButton *>(QStringLiteral("emergencyRollbackButton"));
    QVERIFY(button);
    QCOMPARE(button->defaultAction()->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+K")));
    QTest::mouseClick(button, Qt::LeftButton);

    Flag gamma = FlagStore(*Workspace::open(location)).get(QStringLiteral("gamma"));
    QVERIFY(!gamma.enabled);
    QCOMPARE(gamma.percentTenths, 0);
    QVERIFY(FlagStore(*Workspace::open(location)).get(QStringLiteral("alpha")).enabled); // not tagged sync
    auto *bar = window.findChild<QFrame *>(QStringLiteral("rollbackBar"));
    auto *text = window.findChild<QLabel *>(QStringLiteral("rollbackBarText"));
    auto *restore = window.findChild<QPushButton *>(QStringLiteral("restoreButton"));
    QVERIFY(bar->isVisible());
    QVERIFY2(text->text().contains(QStringLiteral("gamma")), qPrintable(text->text()));
    QVERIFY(restore->isVisible());
    QTableView *view = tableOf(window);
    QTRY_COMPARE_WITH_TIMEOUT(cellText(view, QStringLiteral("gamma"), FlagTableModel::StateColumn), QStringLiteral("Off"), 2000);
    const QList<AuditEntry> rolledBack = auditOf(location, QStringLiteral("flag:gamma"), QStringLiteral("flag.update"));
    QVERIFY(!rolledBack.isEmpty());
    QCOMPARE(rolledBack.last().source, QStringLiteral("gui"));

    QTest::mouseClick(restore, Qt::LeftButton);
    gamma = FlagStore(*Workspace::open(location)).get(QStringLiteral("gamma"));
    QVERIFY(gamma.enabled);
    QCOMPARE(gamma.percentTenths, 333);
    QVERIFY2(text->text().startsWith(QStringLiteral("Restored")), qPrintable(text->text()));
    QVERIFY(!restore->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(cellText(view, QStringLiteral("gamma"), FlagTableModel::StateColumn), QStringLiteral("On"), 2000);
}

void TstMainWindow::sidebarAndShortcutsShowEveryView()
{
    const QString location = m_dir.filePath(QStringLiteral("shell.sqlite"));
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *sidebar = window.findChild<QListWidget *>(QStringLiteral("sidebar"));
    auto *pages = window.findChild<QStackedWidget *>(QStringLiteral("pages"));
    QVERIFY(sidebar && pages);
    QCOMPARE(sidebar->count(), int(MainWindow::PageCount));
    QCOMPARE(pages->count(), int(MainWindow::PageCount));
    QCOMPARE(window.currentPage(), MainWindow::PageOverview);
    const QStringList names{QStringLiteral("Overview"), QStringLiteral("Flags"), QStringLiteral("Rollouts"),
                            QStringLiteral("Sync"), QStringLiteral("Health"), QStringLiteral("Audit")};
    for (int i = MainWindow::PageCount - 1; i >= 0; --i) {
        QCOMPARE(sidebar->item(i)->text(), names.at(i));
        auto *action = window.findChild<QAction *>(QStringLiteral("show%1Action").arg(MainWindow::pageName(MainWindow::Page(i))));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        action->trigger();
        QCOMPARE(window.currentPage(), MainWindow::Page(i));
        QCOMPARE(pages->currentWidget(), window.page(MainWindow::Page(i)));
        QCOMPARE(sidebar->currentRow(), i);
    }
    // Clicking the sidebar switches too, and the emergency button stays in view on every page.
    sidebar->setCurrentRow(MainWindow::PageFlags);
    QCOMPARE(pages->currentWidget(), window.page(MainWindow::PageFlags));
    QVERIFY(window.findChild<QToolButton *>(QStringLiteral("emergencyRollbackButton"))->isVisible());
    QVERIFY(tableOf(window)->isVisible());
}

void TstMainWindow::headerShowsAccountAndController()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    MainWindow window(*ws, location);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *account = window.findChild<QLabel *>(QStringLiteral("accountLabel"));
    auto *controller = window.findChild<QLabel *>(QStringLiteral("controllerLabel"));
    QVERIFY(account && controller);
    QCOMPARE(account->text(), QStringLiteral("Not signed in"));
    QCOMPARE(controller->text(), QStringLiteral("Controller: not run by this console"));

    // The console's agent takes the controller lock: the header says so.
    BackgroundAgent agent(location, 200);
    agent.setNoSync(true);
    window.attachAgent(&agent);
    agent.start();
    QTRY_COMPARE_WITH_TIMEOUT(controller->text(), QStringLiteral("Controller: this console"), 10000);

    // A second console on the same workspace finds it taken and says who holds it.
    auto ws2 = Workspace::open(location);
    MainWindow second(*ws2, location);
    BackgroundAgent other(location, 200);
    other.setNoSync(true);
    second.attachAgent(&other);
    other.start();
    auto *secondController = second.findChild<QLabel *>(QStringLiteral("controllerLabel"));
    QTRY_COMPARE_WITH_TIMEOUT(secondController->text(), QStringLiteral("Controller: elsewhere"), 10000);
    QVERIFY(!secondController->toolTip().isEmpty());
    other.stop();
    agent.stop();
}

void TstMainWindow::controllerRollbackElsewhereNotifies()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    const ChangeContext ctx = ChangeContext::local(QStringLiteral("test"));
    FlagPatch on;
    on.enabled = true;
    FlagStore(*ws).update(QStringLiteral("beta"), on, ctx);
    RolloutStore(*ws).start(QStringLiteral("beta"), RolloutPlan::parse(QStringLiteral("10:1h,50:1h,100")), QString(), ctx);

    MainWindow window(*ws, location);
    QSignalSpy acted(&window, &MainWindow::controllerActed);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Another process's controller sees three critical errors on the sync path and rolls back.
    {
        auto other = Workspace::open(location);
        const QDateTime now = Clock::current().now();
        QList<RunRecord> failures;
        for (int i = 0; i < 3; ++i) {
            RunRecord r;
            r.flagKey = QStringLiteral("beta");
            r.config = QStringLiteral("tokens");
            r.target = QStringLiteral("app-%1").arg(i);
            r.path = RunPath::Sync;
            r.startedAt = now.addSecs(-30 + i);
            r.durationMs = 100;
            r.ok = false;
            r.errorClass = QStringLiteral("http_5xx");
            r.critical = true;
            failures << r;
        }
        RunRecordStore(*other).ingest(failures);
        const QList<LedgerEntry> decisions = Controller(*other).tick();
        QVERIFY(!decisions.isEmpty());
        QCOMPARE(decisions.constLast().kind, QStringLiteral("rollback"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(acted.count(), 1, 3000);
    QVERIFY(acted.at(0).at(0).toString().contains(QStringLiteral("beta")));
    QVERIFY(acted.at(0).at(1).toString().contains(QStringLiteral("critical"), Qt::CaseInsensitive));
    // The bar says what the controller did and offers Restore, which puts the flag back.
    auto *bar = window.findChild<QFrame *>(QStringLiteral("rollbackBar"));
    auto *text = window.findChild<QLabel *>(QStringLiteral("rollbackBarText"));
    auto *restore = window.findChild<QPushButton *>(QStringLiteral("restoreButton"));
    QVERIFY(bar->isVisible());
    QVERIFY(text->text().contains(QStringLiteral("beta")));
    QVERIFY(!readBack(location, QStringLiteral("beta")).enabled);
    QVERIFY(restore->isVisible());
    QTest::mouseClick(restore, Qt::LeftButton);
    QVERIFY2(text->text().startsWith(QStringLiteral("Restored")), qPrintable(text->text()));
    QVERIFY(readBack(location, QStringLiteral("beta")).enabled);
    QCOMPARE(readBack(location, QStringLiteral("beta")).percentTenths, 100);

    // Manual steps are not notified: only the controller's own decisions.
    test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("alpha"), QStringLiteral("--off")});
    QTest::qWait(1200);
    QCOMPARE(acted.count(), 1);
}

void TstMainWindow::windowStateIsRemembered()
{
    const QString location = m_dir.filePath(QStringLiteral("state.sqlite"));
    auto ws = Workspace::open(location);
    {
        MainWindow window(*ws, location);
        window.show();
        window.resize(1111, 777);
        window.showPage(MainWindow::PageHealth);
        window.close(); // saves
    }
    MainWindow again(*ws, location);
    QCOMPARE(again.currentPage(), MainWindow::PageOverview);
    again.restoreSettings();
    QCOMPARE(again.currentPage(), MainWindow::PageHealth);
    QCOMPARE(again.size(), QSize(1111, 777));

    // View ▸ Language is remembered for the next start (main() reads it when --lang is not given).
    auto *german = again.findChild<QAction *>(QStringLiteral("language_de"));
    auto *system = again.findChild<QAction *>(QStringLiteral("language_system"));
    QVERIFY(german && system);
    QVERIFY(system->isChecked());
    german->trigger();
    QCOMPARE(MainWindow::preferredLanguage(), QStringLiteral("de"));
    QVERIFY(again.statusBar()->currentMessage().contains(QStringLiteral("Deutsch")));
    MainWindow third(*ws, location);
    QVERIFY(third.findChild<QAction *>(QStringLiteral("language_de"))->isChecked());
    system->trigger();
    QCOMPARE(MainWindow::preferredLanguage(), QString());
}

// The README's tour, through the window: inject failures on the Sync view, the console's own
// controller rolls the demo rollout back (notification, bar with the reason), the rehearsal is
// ended, Restore brings the rollout back and it stays (the old failures are no longer evidence).
void TstMainWindow::demoTourRehearsalRollbackAndRestore()
{
    const QString location = m_dir.filePath(QStringLiteral("tour.sqlite"));
    auto ws = Workspace::open(location);
    DemoWorkspace::populate(*ws);
    const QString flag = QStringLiteral("sheets.incremental-diff");
    MainWindow window(*ws, location);
    QSignalSpy acted(&window, &MainWindow::controllerActed);
    BackgroundAgent agent(location, 200);
    window.attachAgent(&agent);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    agent.start();
    auto *controller = window.findChild<QLabel *>(QStringLiteral("controllerLabel"));
    QTRY_COMPARE_WITH_TIMEOUT(controller->text(), QStringLiteral("Controller: this console"), 10000);

    window.showPage(MainWindow::PageSync);
    auto *group = window.findChild<QWidget *>(QStringLiteral("rehearsalGroup"));
    QVERIFY(group);
    auto *errorRate = group->findChild<QDoubleSpinBox *>(QStringLiteral("rehearsalErrorRate"));
    auto *apply = group->findChild<QPushButton *>(QStringLiteral("rehearsalApply"));
    auto *off = group->findChild<QPushButton *>(QStringLiteral("rehearsalOff"));
    QVERIFY(errorRate && apply && off);
    errorRate->setValue(100);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(SyncConfigStore(*Workspace::open(location)).get(QStringLiteral("design-tokens")).rehearsal.enabled, 5000);

    // Runs of the 50 targets (at 5 % two or three take the sync path, and fail) until the
    // error-rate guardrail has its 20 runs and the controller's next tick acts.
    for (int i = 0; i < 15 && acted.isEmpty(); ++i) {
        QSignalSpy synced(&agent, &BackgroundAgent::synced);
        agent.runSyncNow(QStringLiteral("design-tokens"));
        QVERIFY(synced.wait(30000));
        QTest::qWait(600);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!acted.isEmpty(), 10000);
    QVERIFY2(acted.constFirst().at(1).toString().contains(QStringLiteral("error-rate")), qPrintable(acted.constFirst().at(1).toString()));
    QCOMPARE(RolloutStore(*ws).latest(flag)->state, RolloutState::RolledBack);
    auto *text = window.findChild<QLabel *>(QStringLiteral("rollbackBarText"));
    auto *restore = window.findChild<QPushButton *>(QStringLiteral("restoreButton"));
    QVERIFY(window.findChild<QFrame *>(QStringLiteral("rollbackBar"))->isVisible());
    QVERIFY(text->text().contains(flag));

    // End the rehearsal, then Restore: the rollout runs again and the controller leaves it be.
    QTRY_VERIFY_WITH_TIMEOUT(off->isEnabled(), 5000);
    QTest::mouseClick(off, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!SyncConfigStore(*Workspace::open(location)).get(QStringLiteral("design-tokens")).rehearsal.enabled, 5000);
    QTest::mouseClick(restore, Qt::LeftButton);
    QVERIFY2(text->text().startsWith(QStringLiteral("Restored")), qPrintable(text->text()));
    QCOMPARE(RolloutStore(*ws).latest(flag)->state, RolloutState::Running);
    QTest::qWait(1500); // several controller ticks
    QCOMPARE(RolloutStore(*ws).latest(flag)->state, RolloutState::Running);
    QCOMPARE(acted.count(), 1);
    agent.stop();
}

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
