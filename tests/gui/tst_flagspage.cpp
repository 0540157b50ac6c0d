// The Flags view on a real workspace (SQLite and PostgreSQL), driven through its widgets: the
// State switch writes the workspace and the audit log, the percentage slider's preview counts the
// known targets that change side exactly as the Evaluator does, Apply writes and refuses on a
// conflict, the create / edit dialogs validate and write, and other processes' changes show up
// in the detail panel.

#include "ConsoleContext.h"
#include "FlagDetailPanel.h"
#include "FlagDialog.h"
#include "FlagSwitchDelegate.h"
#include "FlagTableModel.h"
#include "FlagsPage.h"
#include "FlagsView.h"
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "demo/DemoWorkspace.h"
#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "flags/TargetPreview.h"
#include "rollout/Rollout.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QAccessible>
#include <QApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace sp;

namespace {

const ChangeContext kSeed = ChangeContext::local(QStringLiteral("test"));

void seed(Workspace &ws)
{
    FlagStore store(ws);
    FlagDraft alpha;
    alpha.key = QStringLiteral("alpha");
    alpha.description = QStringLiteral("Alpha feature");
    alpha.tags = {QStringLiteral("ui")};
    alpha.enabled = true;
    alpha.percentTenths = 100;
    store.create(alpha, kSeed);
    FlagDraft beta;
    beta.key = QStringLiteral("beta");
    beta.description = QStringLiteral("Beta sync path");
    beta.tags = {QStringLiteral("sync")};
    beta.percentTenths = 500;
    store.create(beta, kSeed);
    FlagDraft gamma;
    gamma.key = QStringLiteral("gamma");
    gamma.description = QStringLiteral("Gamma needs alpha");
    gamma.tags = {QStringLiteral("sync"), QStringLiteral("figma")};
    gamma.enabled = true;
    gamma.percentTenths = 333;
    gamma.prerequisites = {QStringLiteral("alpha")};
    store.create(gamma, kSeed);
}

QModelIndex cellOf(QAbstractItemView *view, const QString &key, int column)
{
    const QAbstractItemModel *m = view->model();
    for (int row = 0; row < m->rowCount(); ++row)
        if (m->index(row, 0).data(FlagTableModel::KeyRole).toString() == key)
            return m->index(row, column);
    return {};
}

QPoint switchCenter(FlagsView *view, const QModelIndex &index)
{
    auto *delegate = qobject_cast<FlagSwitchDelegate *>(view->itemDelegateForColumn(FlagTableModel::StateColumn));
    if (!delegate)
        return {};
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.rect = view->visualRect(index);
    option.widget = view;
    return delegate->switchRect(option).center();
}

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

struct Counted
{
    int known = 0, turnOn = 0, turnOff = 0;
};

// The independent count: every known key (listed here by hand, not by TargetPreview) evaluated
// with the real Evaluator on the stored flags and on the flags with the proposed percentage.
Counted countByHand(Workspace &ws, const QString &flagKey, const QStringList &keys, int proposedTenths)
{
    const FlagSnapshot before = FlagStore(ws).snapshot();
    FlagSnapshot after = before;
    after.flags[flagKey].percentTenths = proposedTenths;
    const Evaluator a(before);
    const Evaluator b(after);
    const Attributes none;
    Counted c;
    c.known = int(keys.size());
    for (const QString &k : keys) {
        const std::string key = k.toStdString();
        const bool was = a.evaluate(flagKey, EvalContext{key, &none}).on;
        const bool now = b.evaluate(flagKey, EvalContext{key, &none}).on;
        c.turnOn += now && !was;
        c.turnOff += was && !now;
    }
    return c;
}

// "7 of 50 known targets change side: 7 turn on, 0 turn off." -> the four numbers.
std::optional<Counted> parsePreview(const QString &text, int *changing)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+) of (\\d+) known targets change side: (\\d+) turn on, (\\d+) turn off\\."));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    *changing = m.captured(1).toInt();
    return Counted{m.captured(2).toInt(), m.captured(3).toInt(), m.captured(4).toInt()};
}

template<typename T>
T *child(QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

} // namespace

class TstFlagsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void switchTogglesFlag_data() { test::addEngineColumn(); }
    void switchTogglesFlag();
    void sliderPreviewCountsKnownTargets_data() { test::addEngineColumn(); }
    void sliderPreviewCountsKnownTargets();
    void applyRefusesOnConflict_data() { test::addEngineColumn(); }
    void applyRefusesOnConflict();
    void runningRolloutIsNamed_data() { test::addEngineColumn(); }
    void runningRolloutIsNamed();
    void createDialogValidates_data() { test::addEngineColumn(); }
    void createDialogValidates();
    void editDialogSaves_data() { test::addEngineColumn(); }
    void editDialogSaves();
    void otherProcessUpdatesDetailPanel_data() { test::addEngineColumn(); }
    void otherProcessUpdatesDetailPanel();
    void emptyWorkspaceShowsPlaceholders();
    void readOnlyWorkspaceOffersNoChanges();
    void screenshots();

private:
    QTemporaryDir m_dir;
};

void TstFlagsPage::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstFlagsPage::switchTogglesFlag()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.resize(1200, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    FlagsView *view = page.table();
    QCOMPARE(view->objectName(), QStringLiteral("flagTable"));
    QVERIFY(qobject_cast<FlagSwitchDelegate *>(view->itemDelegateForColumn(FlagTableModel::StateColumn)));

    // The switch reads as on/off to assistive technology.
    QModelIndex state = cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn);
    QCOMPARE(state.data(Qt::AccessibleTextRole).toString(), QStringLiteral("Off"));
    QVERIFY(state.data(Qt::AccessibleDescriptionRole).toString().contains(QStringLiteral("Space")));

    // A click beside the switch (on the text) does not toggle ...
    const QRect cell = view->visualRect(state);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(cell.right() - 3, cell.center().y()));
    QCOMPARE(readBack(location, QStringLiteral("beta")).enabled, false);
    // ... a click on it turns beta on, written as "gui" to the audit log.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, switchCenter(view, state));
    QCOMPARE(readBack(location, QStringLiteral("beta")).enabled, true);
    state = cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn);
    QCOMPARE(state.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QCOMPARE(state.data(Qt::AccessibleTextRole).toString(), QStringLiteral("On"));
    QList<AuditEntry> entries = auditOf(location, QStringLiteral("flag:beta"), QStringLiteral("flag.update"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().source, QStringLiteral("gui"));
    QVERIFY(entries.first().after.contains(QStringLiteral("\"enabled\":true")));

    // A double click on the switch toggles once, not twice, and opens no dialog.
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, switchCenter(view, state));
    QVERIFY(!page.dialog());

    // Space on the focused cell toggles too (keyboard access).
    const bool before = readBack(location, QStringLiteral("beta")).enabled;
    view->setFocus();
    view->setCurrentIndex(cellOf(view, QStringLiteral("beta"), FlagTableModel::StateColumn));
    QTest::keyClick(view, Qt::Key_Space);
    QCOMPARE(readBack(location, QStringLiteral("beta")).enabled, !before);
    QCOMPARE(readBack(location, QStringLiteral("alpha")).enabled, true); // nothing else moved

    // The kill switch's forced state stays readable in the cell.
    FlagStore(*Workspace::open(location)).setKillSwitch(true, kSeed);
    QTRY_COMPARE_WITH_TIMEOUT(cellOf(view, QStringLiteral("gamma"), FlagTableModel::StateColumn).data().toString(),
                              QStringLiteral("On (kill switch)"), 2000);
    QVERIFY(FlagSwitchDelegate::isForced(cellOf(view, QStringLiteral("gamma"), FlagTableModel::StateColumn)));
    QVERIFY(!FlagSwitchDelegate::isForced(cellOf(view, QStringLiteral("alpha"), FlagTableModel::StateColumn)));
}

void TstFlagsPage::sliderPreviewCountsKnownTargets()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    const QString key = QStringLiteral("tokens.sync");
    FlagDraft draft;
    draft.key = key;
    draft.description = QStringLiteral("DTCG targets on the sync path");
    draft.tags = {QStringLiteral("tokens")};
    draft.enabled = true;
    draft.percentTenths = 100;
    FlagStore(*ws).create(draft, kSeed);

    // 50 DTCG targets gated by the flag, a segment with 20 keys (2 of them target ids too), and
    // a config of another flag whose targets are not this flag's.
    QTemporaryDir files;
    QVERIFY(files.isValid());
    SyncConfig config;
    config.name = QStringLiteral("tokens");
    config.flagKey = key;
    config.mode = SyncMode::Hybrid;
    config.source.path = files.filePath(QStringLiteral("tokens.csv"));
    QSet<QString> known;
    for (int i = 0; i < 50; ++i) {
        const QString id = QStringLiteral("app-%1").arg(i, 2, 10, QLatin1Char('0'));
        config.targets << SyncTargetSpec::fromText(QStringLiteral("%1=dtcg:%2").arg(id, files.filePath(id + QStringLiteral(".json"))),
                                                   QStringLiteral("test"));
        known.insert(id);
    }
    SyncConfigStore(*ws).add(config, kSeed);
    SyncConfig other = config;
    other.name = QStringLiteral("other");
    other.flagKey = QStringLiteral("alpha");
    other.targets = {SyncTargetSpec::fromText(QStringLiteral("elsewhere=dtcg:%1").arg(files.filePath(QStringLiteral("x.json"))),
                                              QStringLiteral("test"))};
    SyncConfigStore(*ws).add(other, kSeed);
    Segment team;
    team.name = QStringLiteral("dev-team");
    for (int i = 0; i < 18; ++i)
        team.keys << QStringLiteral("dev-%1@example.com").arg(i);
    team.keys << QStringLiteral("app-03") << QStringLiteral("app-07");
    FlagStore(*ws).createSegment(team, kSeed);
    for (const QString &k : team.keys)
        known.insert(k);
    const QStringList knownKeys(known.begin(), known.end());
    QCOMPARE(knownKeys.size(), 68);

    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.resize(1200, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.selectFlag(key));
    FlagDetailPanel *panel = page.detail();
    QCOMPARE(panel->flagKey(), key);
    auto *slider = child<QSlider>(panel, "percentSlider");
    auto *spin = child<QDoubleSpinBox>(panel, "percentSpin");
    auto *preview = child<QLabel>(panel, "percentPreview");
    auto *apply = child<QPushButton>(panel, "applyPercentButton");
    QVERIFY(slider && spin && preview && apply);
    QVERIFY(!slider->accessibleName().isEmpty());
    QCOMPARE(slider->value(), 100);
    QCOMPARE(spin->value(), 10.0);
    QVERIFY(!apply->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(preview->text().startsWith(QStringLiteral("0 of 68 known targets change side")), 3000);
    QCOMPARE(child<QLabel>(panel, "flagDetailKey")->text(), key);

    const QList<int> proposals{475, 1000, 0, 333};
    for (const int proposal : proposals) {
        slider->setFocus();
        slider->setValue(proposal);
        QCOMPARE(spin->value(), proposal / 10.0); // kept in sync
        QVERIFY(apply->isEnabled());
        const Counted expected = countByHand(*ws, key, knownKeys, proposal);
        const QString want = QStringLiteral("%1 of %2 known targets change side: %3 turn on, %4 turn off.")
                                 .arg(expected.turnOn + expected.turnOff)
                                 .arg(expected.known)
                                 .arg(expected.turnOn)
                                 .arg(expected.turnOff);
        QTRY_COMPARE_WITH_TIMEOUT(preview->text().section(QLatin1Char('\n'), 0, 0), want, 2000);
        int changing = 0;
        const std::optional<Counted> shown = parsePreview(preview->text(), &changing);
        QVERIFY(shown);
        QVERIFY2(changing > 0 || proposal == 100, qPrintable(preview->text()));
    }

    // The spin box drives the slider the other way round; the preview follows.
    spin->setValue(47.5);
    QCOMPARE(slider->value(), 475);
    const Counted expected = countByHand(*ws, key, knownKeys, 475);
    QVERIFY(expected.turnOn > 0);
    QTRY_VERIFY_WITH_TIMEOUT(preview->text().startsWith(QStringLiteral("%1 of 68").arg(expected.turnOn)), 2000);

    // Apply writes like `flag set KEY --percent 47.5`, then nothing is left to change side.
    QTest::mouseClick(apply, Qt::LeftButton);
    QCOMPARE(readBack(location, key).percentTenths, 475);
    const QList<AuditEntry> entries = auditOf(location, QStringLiteral("flag:") + key, QStringLiteral("flag.update"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().source, QStringLiteral("gui"));
    QTRY_VERIFY_WITH_TIMEOUT(preview->text().startsWith(QStringLiteral("0 of 68 known targets change side: 0 turn on, 0 turn off.")),
                             2000);
    QVERIFY(!apply->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(cellOf(page.table(), key, FlagTableModel::PercentColumn).data().toString(),
                              QStringLiteral("47.5 %"), 2000);
}

void TstFlagsPage::applyRefusesOnConflict()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    QSignalSpy failed(&ctx, &ConsoleContext::writeFailed);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(page.selectFlag(QStringLiteral("gamma")));
    auto *slider = child<QSlider>(page.detail(), "percentSlider");
    slider->setValue(600);

    // Another console changes gamma first; this panel has not polled yet.
    {
        auto other = Workspace::open(location);
        FlagPatch patch;
        patch.percentTenths = 250;
        FlagStore(*other).update(QStringLiteral("gamma"), patch, ChangeContext::local(QStringLiteral("cli")));
    }
    page.detail()->apply();
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(QStringLiteral("gamma")), qPrintable(failed.first().first().toString()));
    QCOMPARE(readBack(location, QStringLiteral("gamma")).percentTenths, 250); // nothing overwritten
    QCOMPARE(slider->value(), 250);                                          // shows what the other did
    QVERIFY(!child<QPushButton>(page.detail(), "applyPercentButton")->isEnabled());

    // An unapplied choice survives a reload (it is not silently replaced), and Reset drops it.
    slider->setValue(700);
    const test::CliResult set = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("gamma"),
                                                        QStringLiteral("--description"), QStringLiteral("changed elsewhere")});
    QVERIFY2(set.exitCode == 0, qPrintable(set.text()));
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(page.detail(), "flagDetailDescription")->text(), QStringLiteral("changed elsewhere"), 2000);
    QCOMPARE(slider->value(), 700);
    QTest::mouseClick(child<QPushButton>(page.detail(), "resetPercentButton"), Qt::LeftButton);
    QCOMPARE(slider->value(), 250);
}

void TstFlagsPage::runningRolloutIsNamed()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(page.selectFlag(QStringLiteral("alpha")));
    auto *notice = child<QLabel>(page.detail(), "flagRolloutNotice");
    QVERIFY(notice);
    QVERIFY(notice->isHidden());

    RolloutStore(*ws).start(QStringLiteral("alpha"), RolloutPlan::parse(QStringLiteral("20:24h,50:24h,100")), {}, kSeed);
    QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), 2000);
    QVERIFY2(notice->text().contains(QStringLiteral("rollout is running")), qPrintable(notice->text()));
    QVERIFY2(notice->text().contains(QStringLiteral("phase 1 of 3")), qPrintable(notice->text()));
    // FlagStore allows the change (as the CLI does); the panel warns in words and still applies.
    child<QSlider>(page.detail(), "percentSlider")->setValue(300);
    QVERIFY(child<QPushButton>(page.detail(), "applyPercentButton")->isEnabled());
    page.detail()->apply();
    QCOMPARE(readBack(location, QStringLiteral("alpha")).percentTenths, 300);
}

void TstFlagsPage::createDialogValidates()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    const int before = FlagStore(*ws).flags().size();

    auto *newButton = child<QToolButton>(&page, "newFlagButton");
    QVERIFY(newButton);
    QTest::mouseClick(newButton, Qt::LeftButton);
    FlagDialog *dialog = page.findChild<FlagDialog *>(QStringLiteral("flagDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->mode(), FlagDialog::Mode::Create);
    auto *keyEdit = child<QLineEdit>(dialog, "flagKeyEdit");
    auto *ok = child<QPushButton>(dialog, "flagDialogOk");
    auto *message = child<QLabel>(dialog, "flagDialogMessage");
    QVERIFY(keyEdit && ok && message);
    QVERIFY(!ok->isEnabled()); // nothing typed yet

    // A bad key: a message naming the key field, OK disabled, and forcing accept changes nothing.
    QTest::keyClicks(keyEdit, QStringLiteral("9 Bad"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(message->text().startsWith(QStringLiteral("Key:")), qPrintable(message->text()));
    QVERIFY(message->text().contains(QStringLiteral("9 Bad")));
    QVERIFY(message->isVisible());
    dialog->accept();
    QVERIFY(dialog->isVisible());
    QCOMPARE(FlagStore(*Workspace::open(location)).flags().size(), before);

    // An existing key is refused locally too.
    keyEdit->clear();
    QTest::keyClicks(keyEdit, QStringLiteral("alpha"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(message->text().startsWith(QStringLiteral("Key:")), qPrintable(message->text()));

    // A bad tag names the tags field.
    keyEdit->clear();
    QTest::keyClicks(keyEdit, QStringLiteral("checkout.v3"));
    QVERIFY(ok->isEnabled());
    QVERIFY(message->text().isEmpty());
    auto *tags = child<QLineEdit>(dialog, "flagTagsEdit");
    QTest::keyClicks(tags, QStringLiteral("sync, Bad Tag"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(message->text().startsWith(QStringLiteral("Tags:")), qPrintable(message->text()));
    tags->setText(QStringLiteral("sync, checkout"));
    QVERIFY(ok->isEnabled());

    // Prerequisites are picked from the existing flags.
    auto *prerequisites = child<QListWidget>(dialog, "flagPrerequisitesList");
    QVERIFY(prerequisites);
    QCOMPARE(prerequisites->count(), 3);
    prerequisites->findItems(QStringLiteral("alpha"), Qt::MatchExactly).first()->setCheckState(Qt::Checked);
    child<QLineEdit>(dialog, "flagDescriptionEdit")->setText(QStringLiteral("Checkout v3"));
    child<QDoubleSpinBox>(dialog, "flagPercentSpin")->setValue(12.5);

    // The store's own refusal (here: the key was taken by another process meanwhile) is shown
    // in the dialog, which stays open.
    QVERIFY(test::runCli(location, {QStringLiteral("flag"), QStringLiteral("create"), QStringLiteral("checkout.v3")}).exitCode == 0);
    QTest::mouseClick(ok, Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("checkout.v3")), qPrintable(message->text()));
    QCOMPARE(readBack(location, QStringLiteral("checkout.v3")).description, QString()); // not overwritten

    // A valid new key is created and shows up in the table, selected.
    keyEdit->setText(QStringLiteral("checkout.v4"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!page.dialog());
    const Flag created = readBack(location, QStringLiteral("checkout.v4"));
    QCOMPARE(created.description, QStringLiteral("Checkout v3"));
    QCOMPARE(created.tags, (QStringList{QStringLiteral("checkout"), QStringLiteral("sync")}));
    QCOMPARE(created.prerequisites, QStringList{QStringLiteral("alpha")});
    QCOMPARE(created.percentTenths, 125);
    QCOMPARE(auditOf(location, QStringLiteral("flag:checkout.v4"), QStringLiteral("flag.create")).first().source, QStringLiteral("gui"));
    QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowOf(QStringLiteral("checkout.v4")) >= 0, 2000);
    QCOMPARE(page.currentKey(), QStringLiteral("checkout.v4"));
    QCOMPARE(child<QLabel>(&page, "flagCountLabel")->text(), QStringLiteral("Flags: 5"));

    // Ctrl+N opens the dialog again; Cancel creates nothing.
    page.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&page));
    page.table()->setFocus();
    QTest::keyClick(page.table(), Qt::Key_N, Qt::ControlModifier);
    QTRY_VERIFY(page.dialog() && page.dialog()->isVisible());
    page.dialog()->reject();
    QTRY_VERIFY(!page.dialog());
    QCOMPARE(FlagStore(*Workspace::open(location)).flags().size(), before + 2);
}

void TstFlagsPage::editDialogSaves()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.selectFlag(QStringLiteral("gamma")));

    // Enter on the table edits the current flag.
    page.table()->setFocus();
    QTest::keyClick(page.table(), Qt::Key_Return);
    QTRY_VERIFY(page.dialog() && page.dialog()->isVisible());
    FlagDialog *dialog = page.dialog();
    QCOMPARE(dialog->mode(), FlagDialog::Mode::Edit);
    auto *keyEdit = child<QLineEdit>(dialog, "flagKeyEdit");
    QCOMPARE(keyEdit->text(), QStringLiteral("gamma"));
    QVERIFY(keyEdit->isReadOnly());
    auto *prerequisites = child<QListWidget>(dialog, "flagPrerequisitesList");
    QCOMPARE(prerequisites->count(), 2); // not itself
    QCOMPARE(prerequisites->findItems(QStringLiteral("alpha"), Qt::MatchExactly).first()->checkState(), Qt::Checked);

    // A prerequisite cycle is refused by the store; its message shows and nothing changes.
    {
        FlagPatch patch;
        patch.prerequisites = QStringList{QStringLiteral("gamma")};
        FlagStore(*ws).update(QStringLiteral("beta"), patch, kSeed);
    }
    prerequisites->findItems(QStringLiteral("beta"), Qt::MatchExactly).first()->setCheckState(Qt::Checked);
    child<QLineEdit>(dialog, "flagDescriptionEdit")->setText(QStringLiteral("Gamma, reworded"));
    QTest::mouseClick(child<QPushButton>(dialog, "flagDialogOk"), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY2(!dialog->message().isEmpty(), "no message for a refused edit");
    QCOMPARE(readBack(location, QStringLiteral("gamma")).description, QStringLiteral("Gamma needs alpha"));

    prerequisites->findItems(QStringLiteral("beta"), Qt::MatchExactly).first()->setCheckState(Qt::Unchecked);
    QTest::mouseClick(child<QPushButton>(dialog, "flagDialogOk"), Qt::LeftButton);
    QTRY_VERIFY(!page.dialog());
    QCOMPARE(readBack(location, QStringLiteral("gamma")).description, QStringLiteral("Gamma, reworded"));
    QTRY_COMPARE(child<QLabel>(page.detail(), "flagDetailDescription")->text(), QStringLiteral("Gamma, reworded"));
}

void TstFlagsPage::otherProcessUpdatesDetailPanel()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(page.selectFlag(QStringLiteral("gamma")));
    auto *slider = child<QSlider>(page.detail(), "percentSlider");
    auto *lastChange = child<QLabel>(page.detail(), "flagDetailLastChange");
    QCOMPARE(slider->value(), 333);
    QVERIFY2(lastChange->text().contains(QStringLiteral("from test")), qPrintable(lastChange->text()));

    const test::CliResult set = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("gamma"),
                                                        QStringLiteral("--percent"), QStringLiteral("40")});
    QVERIFY2(set.exitCode == 0, qPrintable(set.text()));
    QTRY_COMPARE_WITH_TIMEOUT(slider->value(), 400, 1000);
    QCOMPARE(child<QDoubleSpinBox>(page.detail(), "percentSpin")->value(), 40.0);
    QVERIFY2(lastChange->text().contains(QStringLiteral("from cli")), qPrintable(lastChange->text()));
    QVERIFY(child<QLabel>(page.detail(), "flagDetailState")->text().contains(QStringLiteral("40 %")));
    QCOMPARE(page.currentKey(), QStringLiteral("gamma")); // the selection stayed
}

void TstFlagsPage::emptyWorkspaceShowsPlaceholders()
{
    const QString location = m_dir.filePath(QStringLiteral("empty.sqlite"));
    auto ws = Workspace::open(location);
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(page.table()->placeholderText().contains(QStringLiteral("New flag")));
    QVERIFY(child<QLabel>(page.detail(), "flagDetailPlaceholder")->isVisible());
    QVERIFY(!child<QToolButton>(&page, "editFlagButton")->isEnabled());
    QVERIFY(child<QToolButton>(&page, "newFlagButton")->isEnabled());
}

void TstFlagsPage::readOnlyWorkspaceOffersNoChanges()
{
    const QString location = m_dir.filePath(QStringLiteral("readonly.sqlite"));
    {
        auto ws = Workspace::open(location);
        seed(*ws);
    }
    QVERIFY(QFile::setPermissions(location, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    auto ws = Workspace::open(location);
    QVERIFY(ws->isReadOnly());
    ConsoleContext ctx(*ws, location);
    FlagsPage page(ctx);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.selectFlag(QStringLiteral("beta")));
    QVERIFY(!child<QToolButton>(&page, "newFlagButton")->isEnabled());
    QVERIFY(!child<QToolButton>(&page, "editFlagButton")->isEnabled());
    QVERIFY(!child<QSlider>(page.detail(), "percentSlider")->isEnabled());
    QVERIFY(!child<QPushButton>(page.detail(), "applyPercentButton")->isEnabled());
    const QModelIndex state = cellOf(page.table(), QStringLiteral("beta"), FlagTableModel::StateColumn);
    QTest::mouseClick(page.table()->viewport(), Qt::LeftButton, {}, switchCenter(page.table(), state));
    QCOMPARE(FlagStore(*ws).get(QStringLiteral("beta")).enabled, false);
    page.newFlag();
    QVERIFY(!page.dialog());
}

void TstFlagsPage::screenshots()
{
    // Only when asked (SYNCPILOT_SHOTS=DIR): the view on the demo workspace at 1280×800, light and dark.
    const QString dir = qEnvironmentVariable("SYNCPILOT_SHOTS");
    if (dir.isEmpty())
        QSKIP("set SYNCPILOT_SHOTS=DIR to write screenshots");
    const QString location = m_dir.filePath(QStringLiteral("demo/demo.sqlite"));
    QDir().mkpath(QFileInfo(location).path());
    auto ws = Workspace::open(location);
    DemoWorkspace::populate(*ws);
    QDir().mkpath(dir);
    for (const bool dark : {false, true}) {
        const QPalette light = QApplication::palette();
        if (dark) {
            QPalette p;
            p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
            p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
            p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
            p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
            p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
            p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
            p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
            p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
            p.setColor(QPalette::HighlightedText, Qt::white);
            p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
            QApplication::setPalette(p);
        }
        ConsoleContext ctx(*ws, location);
        FlagsPage page(ctx);
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // The flag with the most known targets (the demo's sync config gates one with 50).
        QString busiest;
        qsizetype most = -1;
        for (const Flag &f : FlagStore(*ws).flags()) {
            const qsizetype n = TargetPreview::load(*ws, f.key).targets().size();
            if (n > most) {
                most = n;
                busiest = f.key;
            }
        }
        QVERIFY(page.selectFlag(busiest));
        auto *slider = child<QSlider>(page.detail(), "percentSlider");
        QTRY_VERIFY_WITH_TIMEOUT(page.detail()->lastPreview().has_value(), 3000);
        slider->setValue(std::min(1000, slider->value() + 200));
        QTRY_VERIFY_WITH_TIMEOUT(page.detail()->lastPreview() && page.detail()->lastPreview()->changing() >= 0, 3000);
        QTest::qWait(200);
        QVERIFY(page.grab().save(QDir(dir).filePath(dark ? QStringLiteral("flags-dark.png") : QStringLiteral("flags.png"))));

        page.newFlag();
        QTRY_VERIFY(page.dialog() && page.dialog()->isVisible());
        QTest::keyClicks(child<QLineEdit>(page.dialog(), "flagKeyEdit"), QStringLiteral("Bad key"));
        QCoreApplication::processEvents(); // let the layout settle before the picture
        QVERIFY(page.dialog()->grab().save(QDir(dir).filePath(dark ? QStringLiteral("dialog-dark.png") : QStringLiteral("dialog.png"))));
        page.dialog()->reject();
        QApplication::setPalette(light);
    }
}

QTEST_MAIN(TstFlagsPage)
#include "tst_flagspage.moc"
