// The Sync view on real workspaces (SQLite and PostgreSQL), a real CSV source and real DTCG
// target files, driven through its widgets: the mapping preview highlights every problem cell,
// sync mode is refused with the reason while hybrid has not proven itself, Run now writes the
// targets and updates the per-target table, undo restores the previous file, the diff of a
// preview run is shown per target, rehearsal settings are stored with a banner, and "Sign in with
// Google" goes through the browser to a real OAuth server and comes back signed in (issue 5).

#include "ConsoleContext.h"
#include "FakeBrowser.h"
#include "OidcTestServer.h"
#include "SourceTableModel.h"
#include "SyncView.h"
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "auth/OAuthSession.h"
#include "auth/OAuthSettings.h"
#include "auth/SecretStore.h"
#include "auth/SignedInAccount.h"
#include "common/Error.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "sync/SyncConfig.h"
#include "workspace/Workspace.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace sp;

namespace {

const QByteArray kSheet = "Name,Type,Light,Dark\n"
                          "color/brand/primary,COLOR,#1e66f5,#89b4fa\n"
                          "color/bg,,#ffffff,#1e1e2e\n"
                          "color/link,,{color/brand/primary},{color/brand/primary}\n"
                          "space/md,FLOAT,16px,16px\n"
                          "radius/sm,,4,4\n"
                          "feature/beta,BOOLEAN,true,false\n"
                          "font/family,STRING,Inter,Inter\n";

ChangeContext seedCtx() { return ChangeContext::local(QStringLiteral("cli"), QStringLiteral("test")); }

struct Setup
{
    QString sheet;
    QString dir;
    QString target(const QString &id) const { return dir + QStringLiteral("/targets/%1.tokens.json").arg(id); }
};

// A flag on for everyone, a CSV source and `targets` DTCG targets t1…tN (as tst_sync_engine does).
Setup seed(Workspace &ws, const QTemporaryDir &tmp, const QByteArray &csv, SyncMode mode, int targets = 2)
{
    Setup s;
    s.dir = tmp.path() + QStringLiteral("/") + QString::number(QDateTime::currentMSecsSinceEpoch()) + QString::number(quintptr(&ws));
    QDir().mkpath(s.dir);
    FlagDraft f;
    f.key = QStringLiteral("sync.tokens");
    f.enabled = true;
    f.percentTenths = 1000;
    FlagStore(ws).create(f, seedCtx());
    s.sheet = s.dir + QStringLiteral("/tokens.csv");
    test::writeFile(s.sheet, csv);
    SyncConfig c;
    c.name = QStringLiteral("tokens");
    c.flagKey = f.key;
    c.mode = mode;
    c.source.path = s.sheet;
    c.requiredConsistentRuns = 3;
    for (int i = 1; i <= targets; ++i)
        c.targets << SyncTargetSpec::fromText(QStringLiteral("t%1=dtcg:%2").arg(i).arg(s.target(QStringLiteral("t%1").arg(i))),
                                              QStringLiteral("test"));
    SyncConfigStore(ws).add(c, seedCtx());
    return s;
}

SyncConfig readBack(const QString &location, const QString &name = QStringLiteral("tokens"))
{
    auto other = Workspace::open(location);
    return SyncConfigStore(*other).get(name);
}

// A Sheets-source config "sheet" (nothing is read from Google until someone is signed in).
void seedSheets(Workspace &ws)
{
    FlagDraft f;
    f.key = QStringLiteral("sync.sheets");
    FlagStore(ws).create(f, seedCtx());
    SyncConfig c;
    c.name = QStringLiteral("sheet");
    c.flagKey = f.key;
    c.source = SourceSpec::fromText(QStringLiteral("sheets:1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg!Tokens"), QStringLiteral("test"));
    SyncConfigStore(ws).add(c, seedCtx());
}

// The Sync view with the system browser played by a FakeBrowser.
class BrowserSyncView : public SyncView
{
public:
    BrowserSyncView(ConsoleContext &context, test::FakeBrowser &browser) : SyncView(context), m_browser(browser) {}

protected:
    bool openBrowser(const QUrl &url) override
    {
        m_browser.open(url);
        return true;
    }

private:
    test::FakeBrowser &m_browser;
};

template<typename T>
T *child(const QWidget &view, const char *name)
{
    T *w = view.findChild<T *>(QString::fromLatin1(name));
    if (!w)
        qWarning("no child %s", name);
    return w;
}

} // namespace

class TstSyncView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mappingPreviewHighlightsProblemCells_data() { test::addEngineColumn(); }
    void mappingPreviewHighlightsProblemCells();
    void syncModeIsRefusedWithTheReason_data() { test::addEngineColumn(); }
    void syncModeIsRefusedWithTheReason();
    void previewRunShowsTheDiffPerTarget_data() { test::addEngineColumn(); }
    void previewRunShowsTheDiffPerTarget();
    void runNowWritesTargetsAndUndoRestores_data() { test::addEngineColumn(); }
    void runNowWritesTargetsAndUndoRestores();
    void rehearsalIsStoredAndBannerShows_data() { test::addEngineColumn(); }
    void rehearsalIsStoredAndBannerShows();
    void otherProcessChangeShowsUpAndKeepsSelection_data() { test::addEngineColumn(); }
    void otherProcessChangeShowsUpAndKeepsSelection();
    void sheetsSourceOffersSignIn();
    void signInWithGoogleThroughTheBrowser();
    void bigSourceIsReadOffTheGuiThread();
    void emptyWorkspaceShowsPlaceholder();
    void demoWorkspaceScreenshot();

private:
    QTemporaryDir m_dir;
};

void TstSyncView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true); // QSettings (the signed-in account) stays out of the real configuration
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstSyncView::mappingPreviewHighlightsProblemCells()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    QByteArray bad = kSheet;
    bad.replace("#1e1e2e", "#12345");
    seed(*ws, m_dir, bad, SyncMode::Legacy);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.resize(1280, 800);
    view.show();

    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));
    SourceTableModel *model = view.sourceModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 8, 10000);
    auto *table = child<QTableView>(view, "mappingPreview");
    QVERIFY(table);
    QCOMPARE(table->model(), model);

    // tokens!D3 is row 2, column 3 of the sheet
    const QModelIndex bad3 = model->index(2, 3);
    QCOMPARE(bad3.data().toString(), QStringLiteral("#12345"));
    QVERIFY(bad3.data(SourceTableModel::ProblemRole).toBool());
    QCOMPARE(bad3.data(Qt::BackgroundRole).value<QColor>(), SourceTableModel::problemBackground());
    QVERIFY2(bad3.data(Qt::ToolTipRole).toString().contains(QStringLiteral("\"#12345\" is not a colour")),
             qPrintable(bad3.data(Qt::ToolTipRole).toString()));
    QVERIFY(!bad3.data(Qt::DecorationRole).isNull());
    // a good cell is not highlighted
    const QModelIndex good = model->index(2, 2);
    QVERIFY(!good.data(SourceTableModel::ProblemRole).toBool());
    QVERIFY(!good.data(Qt::BackgroundRole).isValid());
    QVERIFY(!good.data(Qt::ToolTipRole).isValid());
    QCOMPARE(model->headerData(3, Qt::Horizontal).toString(), QStringLiteral("D"));
    QCOMPARE(model->headerData(2, Qt::Vertical).toString(), QStringLiteral("3"));

    auto *problems = child<QListWidget>(view, "mappingProblems");
    QVERIFY(problems);
    QCOMPARE(problems->count(), 1);
    QVERIFY2(problems->item(0)->text().startsWith(QStringLiteral("tokens!D3: \"#12345\" is not a colour")),
             qPrintable(problems->item(0)->text()));
    QVERIFY(child<QLabel>(view, "problemsLabel")->text().contains(QStringLiteral("1 problem")));
    if (const QString shots = qEnvironmentVariable("SYNCPILOT_SHOTS_DIR"); !shots.isEmpty()) {
        QDir().mkpath(shots);
        view.findChild<QTabWidget *>(QStringLiteral("syncTabs"))->setCurrentWidget(table->parentWidget()->parentWidget());
        QTest::qWait(50);
        QVERIFY(view.grab().save(shots + QStringLiteral("/sync-problems.png")));
    }

    // choosing the problem selects its cell
    QVERIFY(table->currentIndex() != bad3);
    problems->setCurrentRow(0);
    QCOMPARE(table->currentIndex(), bad3);

    // fixing the file and reading again clears the highlight
    test::writeFile(readBack(location).source.path, kSheet);
    QTest::mouseClick(child<QPushButton>(view, "reloadSourceButton"), Qt::LeftButton);
    QTRY_VERIFY(!model->index(2, 3).data(SourceTableModel::ProblemRole).toBool());
    QCOMPARE(problems->count(), 0);
    QVERIFY(child<QLabel>(view, "problemsLabel")->text().contains(QStringLiteral("No problems")));
}

void TstSyncView::syncModeIsRefusedWithTheReason()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws, m_dir, kSheet, SyncMode::Hybrid);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));

    auto *combo = child<QComboBox>(view, "modeCombo");
    auto *refusal = child<QLabel>(view, "modeRefusal");
    QVERIFY(combo && refusal);
    QTRY_COMPARE(combo->currentData().toInt(), int(SyncMode::Hybrid));
    QVERIFY(refusal->isHidden());

    const SyncConfig before = readBack(location);
    const QString reason = SyncConfigStore::refusalReason(before, SyncMode::Sync);
    QVERIFY(!reason.isEmpty());
    const int syncIndex = combo->findData(int(SyncMode::Sync));
    combo->setCurrentIndex(syncIndex);
    Q_EMIT combo->activated(syncIndex);

    QVERIFY(refusal->isVisible());
    QVERIFY2(refusal->text().contains(reason), qPrintable(refusal->text()));
    QCOMPARE(combo->currentData().toInt(), int(SyncMode::Hybrid));
    const SyncConfig after = readBack(location);
    QCOMPARE(after.mode, SyncMode::Hybrid);
    QCOMPARE(after.version, before.version);

    // an allowed switch is written and clears the refusal
    const int legacyIndex = combo->findData(int(SyncMode::Legacy));
    combo->setCurrentIndex(legacyIndex);
    Q_EMIT combo->activated(legacyIndex);
    QVERIFY(refusal->isHidden());
    QCOMPARE(readBack(location).mode, SyncMode::Legacy);
    AuditFilter filter;
    filter.object = QStringLiteral("sync:tokens");
    bool fromGui = false;
    for (const AuditEntry &e : AuditLog(*ws).list(filter))
        fromGui = fromGui || e.source == QLatin1String("gui");
    QVERIFY(fromGui);
    QTRY_COMPARE(view.findChild<QTreeWidget *>(QStringLiteral("configList"))->topLevelItem(0)->text(1), QStringLiteral("legacy"));
}

void TstSyncView::previewRunShowsTheDiffPerTarget()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const Setup s = seed(*ws, m_dir, kSheet, SyncMode::Legacy);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));
    auto *tree = child<QTreeWidget>(view, "runPreview");
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItemCount(), 0);

    QTest::mouseClick(child<QPushButton>(view, "previewRunButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 2, 15000);
    QTRY_VERIFY(!view.isBusy());
    QTreeWidgetItem *t1 = tree->topLevelItem(0);
    QCOMPARE(t1->text(0), QStringLiteral("t1"));
    QCOMPARE(t1->text(1), QStringLiteral("legacy"));
    QVERIFY2(t1->text(2).startsWith(QStringLiteral("7 created, 0 updated, 0 deleted")), qPrintable(t1->text(2)));
    QStringList lines;
    for (int i = 0; i < t1->childCount(); ++i)
        lines << t1->child(i)->text(0);
    QVERIFY2(lines.join(u'\n').contains(QStringLiteral("+ color/brand/primary")), qPrintable(lines.join(u'\n')));
    QVERIFY(tree->isVisible());
    QVERIFY(child<QLabel>(view, "runSummary")->text().contains(QStringLiteral("Nothing was written")));
    // nothing was written
    QVERIFY(!QFileInfo::exists(s.target(QStringLiteral("t1"))));
}

void TstSyncView::runNowWritesTargetsAndUndoRestores()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const Setup s = seed(*ws, m_dir, kSheet, SyncMode::Legacy);
    const QString t1 = s.target(QStringLiteral("t1"));
    const QString t2 = s.target(QStringLiteral("t2"));
    QDir().mkpath(QFileInfo(t1).absolutePath());
    const QByteArray hand = "{\n  \"hand\": {\"$type\": \"number\", \"$value\": 1}\n}\n";
    test::writeFile(t1, hand);

    ConsoleContext ctx(*ws, location);
    QVERIFY(!ctx.agent());
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));
    auto *targets = child<QTableWidget>(view, "targetTable");
    QVERIFY(targets);
    QTRY_COMPARE(targets->rowCount(), 2);
    QCOMPARE(targets->item(0, SyncView::TargetIdColumn)->text(), QStringLiteral("t1"));
    QCOMPARE(targets->item(0, SyncView::LocationColumn)->text(), t1);
    QCOMPARE(targets->item(0, SyncView::PathNowColumn)->text(), QStringLiteral("legacy"));
    QCOMPARE(targets->item(0, SyncView::StateColumn)->text(), QStringLiteral("new"));

    auto *runNow = child<QPushButton>(view, "runNowButton");
    QCOMPARE(runNow->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
    QTest::mouseClick(runNow, Qt::LeftButton);
    QVERIFY(view.isBusy());
    QVERIFY(!runNow->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(t2), 15000);
    QTRY_VERIFY(!view.isBusy());
    for (const QString &path : {t1, t2}) {
        const QByteArray written = test::readFile(path);
        QVERIFY2(written.contains("\"primary\"") && written.contains("#1e66f5"), written.constData());
    }
    QVERIFY(child<QLabel>(view, "runSummary")->text().contains(QStringLiteral("2 of 2 target(s) written, 0 failed")));
    QTRY_COMPARE(targets->item(0, SyncView::StateColumn)->text(), QStringLiteral("ok"));
    QTRY_COMPARE(targets->item(1, SyncView::StateColumn)->text(), QStringLiteral("ok"));
    QCOMPARE(targets->item(0, SyncView::LastPathColumn)->text(), QStringLiteral("legacy"));
    QVERIFY(targets->item(0, SyncView::LastRunColumn)->text() != QStringLiteral("never"));
    QTRY_VERIFY2(view.findChild<QTreeWidget *>(QStringLiteral("configList"))->topLevelItem(0)->text(4).startsWith(QStringLiteral("ok ")),
                 qPrintable(view.findChild<QTreeWidget *>(QStringLiteral("configList"))->topLevelItem(0)->text(4)));
    const QByteArray synced = test::readFile(t1);

    // undo the last write to t1: the hand-written file is back
    auto *undo = child<QPushButton>(view, "undoButton");
    QVERIFY(!undo->isEnabled()); // nothing selected yet
    targets->selectRow(0);
    QVERIFY(undo->isEnabled());
    QTest::mouseClick(undo, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(test::readFile(t1), hand, 15000);
    QTRY_COMPARE(targets->item(0, SyncView::StateColumn)->text(), QStringLiteral("undone"));
    QCOMPARE(test::readFile(t2), synced); // only the chosen target
    // and undo again redoes
    QTRY_VERIFY(undo->isEnabled());
    targets->selectRow(0);
    QTest::mouseClick(undo, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(test::readFile(t1), synced, 15000);
}

void TstSyncView::rehearsalIsStoredAndBannerShows()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    seed(*ws, m_dir, kSheet, SyncMode::Hybrid);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));
    auto *group = child<QWidget>(view, "rehearsalGroup");
    QVERIFY(group);
    auto *banner = child<QLabel>(view, "rehearsalBanner");
    QVERIFY(banner->isHidden());
    auto *errorRate = group->findChild<QDoubleSpinBox *>(QStringLiteral("rehearsalErrorRate"));
    auto *latency = group->findChild<QSpinBox *>(QStringLiteral("rehearsalLatency"));
    auto *ids = group->findChild<QLineEdit *>(QStringLiteral("rehearsalTargets"));
    auto *apply = group->findChild<QPushButton *>(QStringLiteral("rehearsalApply"));
    auto *message = group->findChild<QLabel *>(QStringLiteral("rehearsalMessage"));
    QVERIFY(errorRate && latency && ids && apply && message);

    // an unknown target id is refused naming the field; nothing is stored
    errorRate->setValue(30);
    ids->setText(QStringLiteral("t1, nope"));
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY2(message->text().contains(QStringLiteral("Targets")) && message->text().contains(QStringLiteral("nope")),
             qPrintable(message->text()));
    QVERIFY(!readBack(location).rehearsal.enabled);
    QVERIFY(banner->isHidden());

    // 30 % errors on all targets
    ids->clear();
    QTest::mouseClick(apply, Qt::LeftButton);
    const SyncConfig stored = readBack(location);
    QVERIFY(stored.rehearsal.enabled);
    QCOMPARE(stored.rehearsal.errorRate, 0.3);
    QVERIFY(stored.rehearsal.targets.isEmpty());
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->text(), QStringLiteral("Rehearsal: 30 % injected errors on all targets"));

    // the banner follows the stored settings (changed by another process)
    QCOMPARE(test::runCli(location, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("tokens"),
                                     QStringLiteral("--rehearsal-latency-ms"), QStringLiteral("200"), QStringLiteral("--rehearsal-targets"),
                                     QStringLiteral("t2")})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(banner->text(), QStringLiteral("Rehearsal: 30 % injected errors, +200 ms latency on targets t2"), 10000);
    QTRY_COMPARE(latency->value(), 200);
    QCOMPARE(ids->text(), QStringLiteral("t2"));

    // ending it
    QTest::mouseClick(group->findChild<QPushButton *>(QStringLiteral("rehearsalOff")), Qt::LeftButton);
    QVERIFY(!readBack(location).rehearsal.enabled);
    QTRY_VERIFY(banner->isHidden());
}

void TstSyncView::otherProcessChangeShowsUpAndKeepsSelection()
{
    SP_FRESH_WORKSPACE(location, m_dir);
    auto ws = Workspace::open(location);
    const Setup s = seed(*ws, m_dir, kSheet, SyncMode::Legacy);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("tokens"));
    auto *list = child<QTreeWidget>(view, "configList");
    QCOMPARE(list->topLevelItemCount(), 1);

    const QString sheet2 = s.dir + QStringLiteral("/other.csv");
    test::writeFile(sheet2, kSheet);
    QCOMPARE(test::runCli(location, {QStringLiteral("sync"), QStringLiteral("config"), QStringLiteral("add"), QStringLiteral("aaa"),
                                     QStringLiteral("--flag"), QStringLiteral("sync.tokens"), QStringLiteral("--source"),
                                     QStringLiteral("csv:") + sheet2})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(list->topLevelItemCount(), 2, 10000);
    QCOMPARE(view.currentConfig(), QStringLiteral("tokens")); // the selection stays
    QCOMPARE(list->currentItem()->text(0), QStringLiteral("tokens"));
    QVERIFY(view.selectConfig(QStringLiteral("aaa")));
    QCOMPARE(view.currentConfig(), QStringLiteral("aaa"));
    QTRY_COMPARE(child<QTableWidget>(view, "targetTable")->rowCount(), 0);
    QVERIFY(child<QLabel>(view, "sourceLabel")->text().contains(sheet2));
}

void TstSyncView::sheetsSourceOffersSignIn()
{
    const QString location = m_dir.filePath(QStringLiteral("sheets.sqlite"));
    auto ws = Workspace::open(location);
    seedSheets(*ws);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("sheet"));
    auto *button = child<QPushButton>(view, "signInButton");
    auto *state = child<QLabel>(view, "signInState");
    QVERIFY(button && state);
    QVERIFY(button->isVisible());
    QCOMPARE(state->text(), QStringLiteral("Not signed in: sign in to read this spreadsheet."));
    QVERIFY(child<QLabel>(view, "sourceLabel")->text().contains(QStringLiteral("Tokens")));
    // nothing is read from Google while nobody is signed in
    QVERIFY(child<QLabel>(view, "mappingPlaceholder")->text().contains(QStringLiteral("Sign in with Google")));
    QCOMPARE(view.sourceModel()->rowCount(), 0);
    // without an OAuth client configured the sign-in says so in words and starts nothing
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY2(state->text().contains(QStringLiteral("google.client_id")), qPrintable(state->text()));
    QVERIFY(child<QPushButton>(view, "cancelSignInButton")->isHidden());
}

// Issue 5: "Sign in with Google" opens the browser and returns signed in. Against the real OAuth
// server of tests/interop (oidc-provider on loopback), SyncPilot's real keychain service (only in
// the throwaway keyring of tests/support/with-keyring.sh) and a real SQLite workspace configured by
// the real CLI; the browser is a FakeBrowser that follows the server's redirects to the callback.
void TstSyncView::signInWithGoogleThroughTheBrowser()
{
    const bool ci = qEnvironmentVariable("CI") == QLatin1String("true");
    if (!qEnvironmentVariableIsSet("SYNCPILOT_KEYRING_SANDBOX")) {
        if (ci)
            QFAIL("CI=true but this test is not running under tests/support/with-keyring.sh");
        QSKIP("needs the throwaway keyring of tests/support/with-keyring.sh (./test.sh provides it)");
    }
    KeychainSecretStore keychain; // SyncPilot's own service, the one the view signs in with
    try {
        keychain.read(QStringLiteral("probe"));
    } catch (const Error &e) {
        if (ci)
            QFAIL(qPrintable(QStringLiteral("CI=true but no Secret Service is reachable: ") + e.message()));
        QSKIP(qPrintable(QStringLiteral("no Secret Service reachable: ") + e.message()));
    }
    if (const QString missing = test::OidcTestServer::missingPrerequisite(); !missing.isEmpty()) {
        if (ci)
            QFAIL(qPrintable(QStringLiteral("CI=true but the OIDC test server cannot run: ") + missing));
        QSKIP(qPrintable(missing));
    }
    test::OidcTestServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QString issuer = server.issuer();

    // Whatever happens below, nobody stays signed in for the tests after this one.
    struct SignOut
    {
        KeychainSecretStore &store;
        ~SignOut()
        {
            try {
                store.remove(OAuthSession::refreshTokenKey);
                store.remove(OAuthSession::accountKey);
                OAuthSettings::setClientSecret(store, QString());
            } catch (const Error &e) {
                qWarning("could not clean up the keychain: %s", qPrintable(e.message()));
            }
            SignedInAccount::forget();
        }
    } signOut{keychain};
    SignedInAccount::forget();
    keychain.remove(OAuthSession::refreshTokenKey);
    keychain.remove(OAuthSession::accountKey);

    // The workspace's OAuth client points at the test server, set up as a user would with the CLI.
    // The server's client is public (PKCE only): an empty --client-secret-stdin stores no secret.
    const QString location = m_dir.filePath(QStringLiteral("signin.sqlite"));
    test::CliResult r = test::runCli(location, {QStringLiteral("init")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = test::runCli(location, {QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("configure"),
                                QStringLiteral("--client-id"), QStringLiteral("syncpilot-desktop"),
                                QStringLiteral("--auth-url"), issuer + QStringLiteral("/auth"),
                                QStringLiteral("--token-url"), issuer + QStringLiteral("/token"),
                                QStringLiteral("--revoke-url"), issuer + QStringLiteral("/token/revocation"),
                                QStringLiteral("--scopes"), QStringLiteral("openid offline_access"),
                                QStringLiteral("--client-secret-stdin")},
                     QByteArray());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(OAuthSettings::clientSecret(keychain), std::nullopt);

    auto ws = Workspace::open(location);
    QCOMPARE(OAuthSettings::load(*ws).tokenUrl, QUrl(issuer + QStringLiteral("/token")));
    // Once signed in, the view reads the spreadsheet: from the test server too (it answers 404),
    // never from Google.
    ws->write([&] { ws->setMeta(QStringLiteral("google.sheets_url"), issuer + QStringLiteral("/no-sheets-here/")); });
    seedSheets(*ws);
    ConsoleContext ctx(*ws, location);
    QSignalSpy accountChanged(&ctx, &ConsoleContext::accountChanged);
    test::FakeBrowser browser;
    BrowserSyncView view(ctx, browser);
    view.show();
    QTRY_COMPARE(view.currentConfig(), QStringLiteral("sheet"));
    auto *button = child<QPushButton>(view, "signInButton");
    auto *cancel = child<QPushButton>(view, "cancelSignInButton");
    auto *state = child<QLabel>(view, "signInState");
    QVERIFY(button && cancel && state);
    QCOMPARE(state->text(), QStringLiteral("Not signed in: sign in to read this spreadsheet."));

    QTest::mouseClick(button, Qt::LeftButton);
    // While the browser is out, the view waits and offers to cancel.
    QVERIFY2(cancel->isVisible(), qPrintable(state->text()));
    QVERIFY(button->isHidden());
    QTRY_VERIFY2_WITH_TIMEOUT(state->text() == QLatin1String("Signed in as test-user"),
                              qPrintable(QStringLiteral("signInState: \"%1\"; browser: %2")
                                             .arg(state->text(), browser.failure.isEmpty() ? QStringLiteral("ok") : browser.failure)),
                              30'000);
    QVERIFY2(browser.failure.isEmpty(), qPrintable(browser.failure));
    QVERIFY(browser.authorizationUrl.toString().startsWith(issuer + QStringLiteral("/auth?")));
    QTRY_COMPARE_WITH_TIMEOUT(browser.callbackStatuses, QList<int>{200}, 10'000);
    QVERIFY(browser.lastPage.contains("SyncPilot is signed in"));
    QVERIFY(cancel->isHidden());
    QVERIFY(button->isVisible());
    QCOMPARE(button->text(), QStringLiteral("Sign in again"));

    QCOMPARE(SignedInAccount::current(), QStringLiteral("test-user"));
    QCOMPARE(accountChanged.count(), 1);

    // The refresh token is in the keychain (one the server issued: the view's read of the sheet
    // after the sign-in may have rotated it) and nowhere in the workspace.
    QTRY_VERIFY_WITH_TIMEOUT(!view.isBusy(), 30'000);
    // ... and still signed in after it (its reads refresh the token one after the other: two at
    // once with the same refresh token would have the server revoke the sign-in).
    QCOMPARE(state->text(), QStringLiteral("Signed in as test-user"));
    QCOMPARE(SignedInAccount::current(), QStringLiteral("test-user"));
    const std::optional<QString> refreshToken = keychain.read(OAuthSession::refreshTokenKey);
    QVERIFY(refreshToken && !refreshToken->isEmpty());
    QTRY_VERIFY2_WITH_TIMEOUT(server.issuedTokens().contains(*refreshToken),
                              qPrintable(QStringLiteral("%1 token(s) issued").arg(server.issuedTokens().size())), 10'000);
    const QStringList tokens = server.issuedTokens();
    QCOMPARE(keychain.read(OAuthSession::accountKey), std::optional<QString>(QStringLiteral("test-user")));
    const QByteArray stored = test::readFile(location) + test::readFile(location + QStringLiteral("-wal"));
    QVERIFY(stored.contains("auth.google.sign-in")); // the sign-in was audited: the search looks at the right place
    for (const QString &token : tokens)
        QVERIFY2(!stored.contains(token.toUtf8()), "an OAuth token is in the workspace database");
}

void TstSyncView::bigSourceIsReadOffTheGuiThread()
{
    const QString location = m_dir.filePath(QStringLiteral("big.sqlite"));
    auto ws = Workspace::open(location);
    QByteArray csv = "Name,Type,Light,Dark\n";
    csv.reserve(100'000 * 40);
    for (int i = 0; i < 100'000; ++i)
        csv += "size/s" + QByteArray::number(i) + ",FLOAT," + QByteArray::number(i % 97) + "," + QByteArray::number(i % 89) + "\n";
    csv += "color/bad,COLOR,#zzzzzz,#000000\n";
    seed(*ws, m_dir, csv, SyncMode::Legacy, 1);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    // the window is up before the sheet has been read and mapped: that happens on the worker
    QCOMPARE(view.sourceModel()->rowCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(view.sourceModel()->rowCount(), 100'002, 120000);
    QTRY_VERIFY(!view.isBusy());
    auto *problems = child<QListWidget>(view, "mappingProblems");
    QCOMPARE(problems->count(), 1);
    QVERIFY2(problems->item(0)->text().startsWith(QStringLiteral("tokens!C100002")), qPrintable(problems->item(0)->text()));
    problems->setCurrentRow(0);
    QCOMPARE(child<QTableView>(view, "mappingPreview")->currentIndex(), view.sourceModel()->index(100'001, 2));
}

void TstSyncView::emptyWorkspaceShowsPlaceholder()
{
    const QString location = m_dir.filePath(QStringLiteral("empty.sqlite"));
    auto ws = Workspace::open(location);
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.show();
    auto *empty = child<QLabel>(view, "noConfigPlaceholder");
    QVERIFY(empty);
    QTRY_VERIFY(empty->text().contains(QStringLiteral("No sync configs yet")));
    QVERIFY(empty->isVisible());
}

void TstSyncView::demoWorkspaceScreenshot()
{
    const QString location = m_dir.filePath(QStringLiteral("demo.sqlite"));
    auto ws = Workspace::open(location);
    DemoWorkspace::populate(*ws);
    RehearsalSettings rehearsal;
    rehearsal.enabled = true;
    rehearsal.errorRate = 0.3;
    rehearsal.latencyMs = 200;
    rehearsal.targets = {QStringLiteral("app-01"), QStringLiteral("app-02")};
    SyncConfigStore(*ws).setRehearsal(QStringLiteral("design-tokens"), rehearsal, seedCtx());
    ConsoleContext ctx(*ws, location);
    SyncView view(ctx);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(!view.currentConfig().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(view.sourceModel()->rowCount() > 0, 15000);
    QTRY_COMPARE(child<QTableWidget>(view, "targetTable")->rowCount(), DemoWorkspace::kDemoTargets);
    QVERIFY(child<QLabel>(view, "rehearsalBanner")->isVisible());
    QTest::mouseClick(child<QPushButton>(view, "previewRunButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(child<QTreeWidget>(view, "runPreview")->topLevelItemCount(), DemoWorkspace::kDemoTargets, 30000);
    QTRY_VERIFY(!view.isBusy());
    const QString shots = qEnvironmentVariable("SYNCPILOT_SHOTS_DIR");
    if (shots.isEmpty())
        return;
    QDir().mkpath(shots);
    auto *tabs = view.findChild<QTabWidget *>(QStringLiteral("syncTabs"));
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QTest::qWait(50); // let the tab lay out before grabbing
        QVERIFY(view.grab().save(QStringLiteral("%1/sync-tab%2.png").arg(shots).arg(i)));
    }
    // the same in a dark palette
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
    dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
    dark.setColor(QPalette::ButtonText, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::PlaceholderText, QColor(0x99, 0x99, 0x99));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb5));
    QApplication::setPalette(dark);
    tabs->setCurrentIndex(0);
    QTest::qWait(50);
    QVERIFY(view.grab().save(QStringLiteral("%1/sync-dark.png").arg(shots)));
    QApplication::setPalette(QPalette());
}

QTEST_MAIN(TstSyncView)
#include "tst_syncview.moc"
