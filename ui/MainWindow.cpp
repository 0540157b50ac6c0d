#include "MainWindow.h"

#include "AuditView.h"
#include "ConsoleContext.h"
#include "ElidedLabel.h"
#include "FlagTableModel.h"
#include "FlagDialog.h" // FlagsPage.h holds a QPointer<FlagDialog>
#include "FlagsPage.h"
#include "FlagsView.h"
#include "HealthView.h"
#include "Icons.h"
#include "OverviewView.h"
#include "RolloutsView.h"
#include "SyncView.h"

#include "common/Error.h"
#include "flags/FlagStore.h"
#include "rollout/BackgroundAgent.h"
#include "rollout/DecisionLedger.h"
#include "rollout/RollbackService.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDialogButtonBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolButton>
#include <QVBoxLayout>

namespace sp {

namespace {

const auto kSettingsGroup = QStringLiteral("MainWindow");
const auto kLanguageKey = QStringLiteral("ui/language");

// Semantic colours, the same in light and dark palettes: these are the emergency states.
const auto kEmergencyStyle = QStringLiteral(
    "QToolButton { background-color: #b3261e; color: #ffffff; font-weight: bold; padding: 6px 14px; border-radius: 4px; }"
    " QToolButton:hover { background-color: #c62828; }"
    " QToolButton:pressed { background-color: #8e1b15; }"
    " QToolButton:disabled { background-color: #9e9e9e; }");
const auto kBannerStyle = QStringLiteral(
    "QLabel { background-color: #b3261e; color: #ffffff; font-weight: bold; padding: 6px 10px; border-radius: 3px; }");

} // namespace

MainWindow::MainWindow(Workspace &workspace, const QString &location, QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    m_ctx = new ConsoleContext(workspace, location, this);
    setWindowTitle(workspace.isReadOnly() ? tr("SyncPilot — %1 (read-only)").arg(workspace.name())
                                          : tr("SyncPilot — %1").arg(workspace.name()));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    createHeader(central);
    layout->addWidget(m_header);

    auto *notices = new QWidget(central);
    auto *noticeLayout = new QVBoxLayout(notices);
    noticeLayout->setContentsMargins(8, 6, 8, 0);
    noticeLayout->setSpacing(6);

    m_killBanner = new QLabel(notices);
    m_killBanner->setObjectName(QStringLiteral("killSwitchBanner"));
    m_killBanner->setAccessibleName(tr("Kill switch state"));
    m_killBanner->setText(tr("The kill switch is on: every flag tagged sync is off for everyone."));
    m_killBanner->setWordWrap(true);
    m_killBanner->setStyleSheet(kBannerStyle);
    m_killBanner->setVisible(false);
    noticeLayout->addWidget(m_killBanner);

    m_rollbackBar = new QFrame(notices);
    m_rollbackBar->setObjectName(QStringLiteral("rollbackBar"));
    m_rollbackBar->setFrameShape(QFrame::StyledPanel);
    m_rollbackBar->setAccessibleName(tr("Rollback result"));
    auto *barLayout = new QHBoxLayout(m_rollbackBar);
    barLayout->setContentsMargins(8, 4, 8, 4);
    auto *barIcon = new QLabel(m_rollbackBar);
    barIcon->setPixmap(Icons::icon(Icons::Glyph::Emergency).pixmap(QSize(20, 20), devicePixelRatioF()));
    m_rollbackText = new QLabel(m_rollbackBar);
    m_rollbackText->setObjectName(QStringLiteral("rollbackBarText"));
    m_rollbackText->setWordWrap(true);
    m_rollbackText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_restoreButton = new QPushButton(Icons::icon(Icons::Glyph::Restore), tr("Restore"), m_rollbackBar);
    m_restoreButton->setObjectName(QStringLiteral("restoreButton"));
    m_restoreButton->setToolTip(tr("Put back what the rollback changed (refused, with the differences, if someone changed it since)"));
    connect(m_restoreButton, &QPushButton::clicked, this, &MainWindow::restoreSnapshot);
    auto *dismiss = new QPushButton(tr("Dismiss"), m_rollbackBar);
    dismiss->setObjectName(QStringLiteral("dismissRollbackBar"));
    connect(dismiss, &QPushButton::clicked, m_rollbackBar, &QWidget::hide);
    barLayout->addWidget(barIcon);
    barLayout->addWidget(m_rollbackText, 1);
    barLayout->addWidget(m_restoreButton);
    barLayout->addWidget(dismiss);
    m_rollbackBar->setVisible(false);
    noticeLayout->addWidget(m_rollbackBar);
    layout->addWidget(notices);

    createBody(central);
    layout->addWidget(m_sidebar->parentWidget(), 1);
    setCentralWidget(central);

    createActions();
    createTray();

    m_revisionLabel = new QLabel(this);
    m_revisionLabel->setObjectName(QStringLiteral("revisionLabel"));
    m_revisionLabel->setAccessibleName(tr("Workspace revision"));
    m_revisionLabel->setContentsMargins(8, 0, 8, 0);
    m_busyLabel = new QLabel(tr("Working…"), this);
    m_busyLabel->setObjectName(QStringLiteral("busyLabel"));
    m_busyLabel->setVisible(false);
    statusBar()->addPermanentWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_revisionLabel);

    connect(m_ctx, &ConsoleContext::statusMessage, this,
            [this](const QString &text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); });
    connect(m_ctx, &ConsoleContext::writeFailed, this, &MainWindow::showWriteError);
    connect(m_ctx, &ConsoleContext::accountChanged, this, &MainWindow::refreshState);
    connect(m_ctx->tasks(), &WorkspaceTaskRunner::busyChanged, m_busyLabel, &QWidget::setVisible);
    connect(m_ctx->watcher(), &WorkspaceWatcher::changed, this, [this] {
        refreshState();
        notifyNewDecisions();
    });
    connect(flagModel(), &FlagTableModel::loadFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Cannot read the workspace: %1").arg(message));
    });

    resize(1280, 800);
    refreshState();
    notifyNewDecisions(); // remembers where the ledger stands: only later decisions notify
}

MainWindow::~MainWindow() = default;

Workspace &MainWindow::workspace() const { return m_ctx->workspace(); }
FlagTableModel *MainWindow::flagModel() const { return m_flags->model(); }
FlagsView *MainWindow::flagTable() const { return m_flags->table(); }

QString MainWindow::pageName(Page page)
{
    static const char *const names[] = {"overview", "flags", "rollouts", "sync", "health", "audit"};
    return QString::fromLatin1(names[page]);
}

void MainWindow::createHeader(QWidget *parent)
{
    m_header = new QFrame(parent);
    m_header->setObjectName(QStringLiteral("headerBar"));
    m_header->setAutoFillBackground(true);
    auto *h = new QHBoxLayout(m_header);
    h->setContentsMargins(12, 8, 12, 8);
    h->setSpacing(16);

    auto *title = new QLabel(QStringLiteral("SyncPilot"), m_header);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    title->setFont(titleFont);
    h->addWidget(title);

    auto *where = new QWidget(m_header);
    auto *whereLayout = new QVBoxLayout(where);
    whereLayout->setContentsMargins(0, 0, 0, 0);
    whereLayout->setSpacing(0);
    auto *caption = new QLabel(tr("Workspace"), where);
    caption->setForegroundRole(QPalette::PlaceholderText);
    m_workspaceLabel = new ElidedLabel(where);
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_workspaceLabel->setAccessibleName(tr("Workspace location"));
    {
        // Passwords are masked by core; the home folder is shortened to ~ on screen, the tooltip keeps the full path.
        const QString full = m_ctx->workspace().displayLocation();
        const QString home = QDir::homePath();
        QString shown = full;
        if (!home.isEmpty() && home != QStringLiteral("/") && full.startsWith(home + QLatin1Char('/')))
            shown = QStringLiteral("~") + full.mid(home.size());
        m_workspaceLabel->setText(shown);
        m_workspaceLabel->setToolTip(full);
    }
    m_workspaceLabel->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    whereLayout->addWidget(caption);
    whereLayout->addWidget(m_workspaceLabel);
    h->addWidget(where, 1);

    m_accountLabel = new QLabel(m_header);
    m_accountLabel->setObjectName(QStringLiteral("accountLabel"));
    m_accountLabel->setAccessibleName(tr("Signed-in account"));
    h->addWidget(m_accountLabel);

    m_controllerLabel = new QLabel(m_header);
    m_controllerLabel->setObjectName(QStringLiteral("controllerLabel"));
    m_controllerLabel->setAccessibleName(tr("Controller"));
    setControllerText(tr("Controller: not run by this console"),
                      tr("This console does not run the controller; an agent or another console may."));
    h->addWidget(m_controllerLabel);

    auto *emergency = new QToolButton(m_header);
    emergency->setObjectName(QStringLiteral("emergencyRollbackButton"));
    emergency->setAccessibleName(tr("Emergency rollback"));
    emergency->setStyleSheet(kEmergencyStyle);
    emergency->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    h->addWidget(emergency);
    applyHeaderStyle();
}

void MainWindow::applyHeaderStyle()
{
    // A band slightly apart from the window colour, in whichever palette the system uses.
    QPalette pal = m_header->palette();
    const QColor window = palette().color(QPalette::Window);
    pal.setColor(QPalette::Window, window.lightness() > 128 ? window.darker(106) : window.lighter(130));
    m_header->setPalette(pal);
}

void MainWindow::createBody(QWidget *parent)
{
    auto *body = new QWidget(parent);
    auto *h = new QHBoxLayout(body);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(0);

    m_sidebar = new QListWidget(body);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setAccessibleName(tr("Views"));
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setSpacing(2);
    m_sidebar->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    QPalette sidePal = m_sidebar->palette();
    sidePal.setColor(QPalette::Base, palette().color(QPalette::Window));
    m_sidebar->setPalette(sidePal);

    m_pages = new QStackedWidget(body);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_overview = new OverviewView(*m_ctx, m_pages);
    m_flags = new FlagsPage(*m_ctx, m_pages);
    m_rollouts = new RolloutsView(*m_ctx, m_pages);
    m_sync = new SyncView(*m_ctx, m_pages);
    m_health = new HealthView(*m_ctx, m_pages);
    m_audit = new AuditView(*m_ctx, m_pages);

    const struct
    {
        QWidget *page;
        Icons::Glyph glyph;
        QString name;
        QString hint;
    } pages[] = {
        {m_overview, Icons::Glyph::Overview, tr("Overview"), tr("What needs attention now")},
        {m_flags, Icons::Glyph::Flags, tr("Flags"), tr("Switches, percentages and the kill switch")},
        {m_rollouts, Icons::Glyph::Rollouts, tr("Rollouts"), tr("Phased plans, guardrails and decisions")},
        {m_sync, Icons::Glyph::Sync, tr("Sync"), tr("Sources, mapping, targets and modes")},
        {m_health, Icons::Glyph::Health, tr("Health"), tr("Live charts per flag and cohort")},
        {m_audit, Icons::Glyph::Audit, tr("Audit"), tr("Who changed what, verified and exportable")},
    };
    int widest = 0;
    for (int i = 0; i < PageCount; ++i) {
        auto *item = new QListWidgetItem(Icons::icon(pages[i].glyph), pages[i].name, m_sidebar);
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(pages[i].hint).arg(i + 1));
        item->setSizeHint(QSize(0, 36));
        widest = qMax(widest, m_sidebar->fontMetrics().horizontalAdvance(pages[i].name));
        m_pages->addWidget(pages[i].page);
    }
    m_sidebar->setFixedWidth(widest + 22 + 48);

    // The overview's items lead to the view that has the details.
    connect(m_overview, &OverviewView::openFlag, this, [this](const QString &key) {
        showPage(PageFlags);
        m_flags->selectFlag(key);
    });
    connect(m_overview, &OverviewView::openRollout, this, [this](const QString &key) {
        showPage(PageRollouts);
        m_rollouts->selectFlag(key);
    });
    connect(m_overview, &OverviewView::openSync, this, [this](const QString &config) {
        showPage(PageSync);
        m_sync->selectConfig(config);
    });
    connect(m_sidebar, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_sidebar->setCurrentRow(PageOverview);

    auto *line = new QFrame(body);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);

    auto *pageHolder = new QWidget(body);
    auto *pageLayout = new QVBoxLayout(pageHolder);
    pageLayout->setContentsMargins(10, 8, 10, 8);
    pageLayout->addWidget(m_pages);

    h->addWidget(m_sidebar);
    h->addWidget(line);
    h->addWidget(pageHolder, 1);
}

void MainWindow::createActions()
{
    m_killSwitchAction = new QAction(Icons::icon(Icons::Glyph::Stop), tr("Kill switch"), this);
    m_killSwitchAction->setObjectName(QStringLiteral("killSwitchAction"));
    m_killSwitchAction->setCheckable(true);
    m_killSwitchAction->setEnabled(!m_ctx->isReadOnly());
    connect(m_killSwitchAction, &QAction::triggered, this, &MainWindow::setKillSwitch);

    m_reloadAction = new QAction(Icons::icon(Icons::Glyph::Refresh), tr("Reload"), this);
    m_reloadAction->setObjectName(QStringLiteral("reloadAction"));
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_reloadAction->setToolTip(tr("Read the workspace again (F5)"));
    connect(m_reloadAction, &QAction::triggered, this, [this] {
        m_ctx->watcher()->check();
        flagModel()->reload();
    });

    m_emergencyAction = new QAction(Icons::icon(Icons::Glyph::Emergency), tr("Emergency rollback"), this);
    m_emergencyAction->setObjectName(QStringLiteral("emergencyRollbackAction"));
    m_emergencyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_emergencyAction->setShortcutContext(Qt::ApplicationShortcut);
    m_emergencyAction->setToolTip(tr("Everything back to the safe legacy path at once: every sync flag off, every rollout rolled "
                                     "back, every sync config to legacy (Ctrl+Shift+K). Restore undoes it."));
    m_emergencyAction->setEnabled(!m_ctx->isReadOnly());
    connect(m_emergencyAction, &QAction::triggered, this, &MainWindow::emergencyRollback);
    if (auto *button = m_header->findChild<QToolButton *>(QStringLiteral("emergencyRollbackButton")))
        button->setDefaultAction(m_emergencyAction);

    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    quitAction->setMenuRole(QAction::QuitRole);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_reloadAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PageCount; ++i) {
        auto *go = new QAction(m_sidebar->item(i)->icon(), m_sidebar->item(i)->text(), this);
        go->setObjectName(QStringLiteral("show%1Action").arg(pageName(Page(i))));
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        go->setShortcutContext(Qt::ApplicationShortcut);
        connect(go, &QAction::triggered, this, [this, i] { showPage(Page(i)); });
        viewMenu->addAction(go);
    }
    viewMenu->addSeparator();
    QMenu *languageMenu = viewMenu->addMenu(tr("&Language"));
    m_languageGroup = new QActionGroup(this);
    const QString chosen = preferredLanguage();
    const struct
    {
        QString code;
        QString label;
    } languages[] = {{QString(), tr("System language")}, {QStringLiteral("en"), QStringLiteral("English")},
                     {QStringLiteral("de"), QStringLiteral("Deutsch")}};
    for (const auto &lang : languages) {
        auto *a = languageMenu->addAction(lang.label);
        a->setCheckable(true);
        a->setChecked(lang.code == chosen);
        a->setData(lang.code);
        a->setObjectName(QStringLiteral("language_%1").arg(lang.code.isEmpty() ? QStringLiteral("system") : lang.code));
        m_languageGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = lang.code, label = lang.label] {
            QSettings().setValue(kLanguageKey, code);
            statusBar()->showMessage(tr("SyncPilot will use %1 from its next start.").arg(label), 8000);
        });
    }

    QMenu *actionsMenu = menuBar()->addMenu(tr("&Actions"));
    actionsMenu->addAction(m_emergencyAction);
    actionsMenu->addSeparator();
    actionsMenu->addAction(m_killSwitchAction);
}

void MainWindow::createTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return; // offscreen, or a desktop without a tray: notifications go to the status bar only
    m_tray = new QSystemTrayIcon(this);
    m_tray->setObjectName(QStringLiteral("trayIcon"));
    QIcon icon = QApplication::windowIcon();
    m_tray->setIcon(icon.isNull() ? Icons::icon(Icons::Glyph::Rollouts) : icon);
    m_tray->setToolTip(windowTitle());
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show SyncPilot"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    menu->addAction(m_emergencyAction);
    menu->addSeparator();
    menu->addAction(tr("Quit"), this, &QWidget::close);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            showNormal();
            raise();
            activateWindow();
        }
    });
    m_tray->show();
}

void MainWindow::showPage(Page page) { m_sidebar->setCurrentRow(page); }

MainWindow::Page MainWindow::currentPage() const { return Page(m_pages->currentIndex()); }

QWidget *MainWindow::page(Page page) const { return m_pages->widget(page); }

void MainWindow::attachAgent(BackgroundAgent *agent)
{
    m_ctx->setAgent(agent);
    if (!agent)
        return;
    setControllerText(tr("Controller: starting…"), {});
    connect(agent, &BackgroundAgent::controllerHere, this, [this] {
        setControllerText(tr("Controller: this console"),
                          tr("This console runs the controller and the sync engine while it is open."));
    });
    connect(agent, &BackgroundAgent::controllerElsewhere, this, [this](const QString &holder) {
        setControllerText(tr("Controller: elsewhere"), tr("Another process runs the controller: %1").arg(holder));
    });
    connect(agent, &BackgroundAgent::lockLost, this, [this](const QString &holder) {
        setControllerText(tr("Controller: elsewhere"), tr("Another process took over the controller: %1").arg(holder));
    });
    connect(agent, &BackgroundAgent::problem, this, [this](const QString &message) { statusBar()->showMessage(message, 15000); });
}

void MainWindow::setControllerText(const QString &text, const QString &toolTip)
{
    m_controllerLabel->setText(text);
    m_controllerLabel->setToolTip(toolTip);
    m_controllerLabel->setAccessibleDescription(toolTip);
}

void MainWindow::refreshState()
{
    try {
        m_killSwitch = FlagStore(m_ctx->workspace()).killSwitch();
    } catch (const Error &e) {
        statusBar()->showMessage(tr("Cannot read the workspace: %1").arg(e.message()));
        return;
    }
    m_killSwitchAction->setChecked(m_killSwitch);
    m_killSwitchAction->setToolTip(m_killSwitch
                                       ? tr("The kill switch is on. Turn it off to let sync flags follow their own state again.")
                                       : tr("Turn every flag tagged sync off at once, for everyone."));
    m_killBanner->setVisible(m_killSwitch);
    m_revisionLabel->setText(tr("Revision %1").arg(m_ctx->watcher()->revision() >= 0 ? m_ctx->watcher()->revision()
                                                                                     : flagModel()->revision()));
    const QString account = m_ctx->account();
    m_accountLabel->setText(account.isEmpty() ? tr("Not signed in") : tr("Signed in as %1").arg(account));
    m_accountLabel->setToolTip(account.isEmpty() ? tr("Sign in with Google on the Sync view to read Google Sheets.")
                                                 : tr("Changes made here name %1 in the audit log.").arg(account));
}

void MainWindow::notifyNewDecisions()
{
    try {
        DecisionLedger ledger(m_ctx->workspace());
        if (m_lastLedgerId < 0) {
            m_lastLedgerId = ledger.lastId();
            return;
        }
        const QList<LedgerEntry> entries = ledger.since(m_lastLedgerId);
        for (const LedgerEntry &e : entries) {
            m_lastLedgerId = qMax(m_lastLedgerId, e.id);
            if (!e.automatic)
                continue;
            QString title;
            if (e.kind == QLatin1String("pause"))
                title = tr("Rollout of %1 paused").arg(e.flagKey);
            else if (e.kind == QLatin1String("rollback"))
                title = tr("%1 rolled back").arg(e.flagKey);
            else if (e.kind == QLatin1String("kill"))
                title = tr("Emergency rollback by the controller");
            else
                continue;
            statusBar()->showMessage(QStringLiteral("%1: %2").arg(title, e.summary), 30000);
            if (e.kind != QLatin1String("pause")) {
                // The same bar as the red button's: what happened, and Restore (the snapshot the
                // controller took with the rollback: the newest one not yet restored).
                m_lastSnapshot = 0;
                m_rollbackText->setText(tr("The controller acted: %1").arg(e.summary));
                m_restoreButton->setVisible(true);
                m_restoreButton->setEnabled(true);
                m_rollbackBar->setVisible(true);
            }
            if (m_tray && m_tray->isVisible())
                m_tray->showMessage(title, e.summary, QSystemTrayIcon::Warning, 15000);
            Q_EMIT controllerActed(title, e.summary);
        }
    } catch (const Error &) {
        // The next change tries again; refreshState() already says the workspace is unreadable.
    }
}

void MainWindow::emergencyRollback()
{
    try {
        const RollbackResult r = RollbackService(m_ctx->workspace()).emergency(m_ctx->change(tr("Emergency rollback from the console")));
        m_lastSnapshot = r.snapshotId;
        QString text = r.nothingToDo()
                           ? tr("Emergency rollback: nothing was on the sync path; nothing changed.")
                           : tr("Emergency rollback done in %1 ms: %2 flag(s) off, %3 rollout(s) rolled back, %4 sync config(s) on legacy.")
                                 .arg(r.elapsedMs)
                                 .arg(r.flagsTurnedOff.size())
                                 .arg(r.rolloutsRolledBack.size())
                                 .arg(r.configsToLegacy.size());
        if (!r.flagsTurnedOff.isEmpty())
            text += u' ' + tr("Flags: %1.").arg(r.flagsTurnedOff.join(QStringLiteral(", ")));
        if (!r.publishError.isEmpty())
            text += u' ' + tr("The published flag file could not be rewritten: %1").arg(r.publishError);
        m_rollbackText->setText(text);
        m_restoreButton->setVisible(!r.nothingToDo());
        m_restoreButton->setEnabled(true);
        m_rollbackBar->setVisible(true);
        flagModel()->reload();
        m_ctx->watcher()->check();
    } catch (const Error &e) {
        showWriteError(e.message());
    }
}

void MainWindow::restoreSnapshot()
{
    try {
        const RollbackSnapshot s = RollbackService(m_ctx->workspace())
                                       .restore(m_lastSnapshot, m_ctx->change(tr("Restore after the emergency rollback")));
        m_rollbackText->setText(tr("Restored: %1 flag(s), %2 rollout(s) and %3 sync config(s) are as they were before the rollback.")
                                    .arg(s.restoredFlags.size())
                                    .arg(s.restoredRollouts.size())
                                    .arg(s.restoredConfigs.size()));
        m_restoreButton->setVisible(false);
        flagModel()->reload();
        m_ctx->watcher()->check();
    } catch (const Error &e) {
        m_rollbackText->setText(tr("Restore refused: %1").arg(e.message()));
    }
}

std::optional<QString> MainWindow::askKillSwitchReason(bool on)
{
    QInputDialog dialog(this);
    dialog.setObjectName(QStringLiteral("killSwitchReasonDialog"));
    dialog.setWindowTitle(on ? tr("Turn the kill switch on") : tr("Turn the kill switch off"));
    dialog.setLabelText(on ? tr("Every flag tagged sync goes off for everyone at once.\nReason (kept in the audit log):")
                           : tr("Flags tagged sync follow their own state and rollout again.\nReason (kept in the audit log):"));
    dialog.setOkButtonText(on ? tr("Turn on") : tr("Turn off"));
    dialog.setCancelButtonText(tr("Cancel"));
    dialog.setInputMode(QInputDialog::TextInput);
    // A reason is required, as on the command line: no OK until there is one.
    if (auto *buttons = dialog.findChild<QDialogButtonBox *>()) {
        if (QPushButton *ok = buttons->button(QDialogButtonBox::Ok)) {
            ok->setEnabled(false);
            connect(&dialog, &QInputDialog::textValueChanged, ok,
                    [ok](const QString &text) { ok->setEnabled(!text.trimmed().isEmpty()); });
        }
    }
    if (dialog.exec() != QDialog::Accepted || dialog.textValue().trimmed().isEmpty())
        return std::nullopt;
    return dialog.textValue().trimmed();
}

void MainWindow::setKillSwitch(bool on)
{
    const std::optional<QString> reason = askKillSwitchReason(on);
    if (reason) {
        try {
            FlagStore(m_ctx->workspace()).setKillSwitch(on, m_ctx->change(*reason));
            statusBar()->showMessage(on ? tr("Kill switch on.") : tr("Kill switch off."), 5000);
        } catch (const Error &e) {
            showWriteError(e.message());
        }
    }
    // The action shows the workspace's state, not the click: reload settles it either way.
    refreshState();
    flagModel()->reload();
}

void MainWindow::showWriteError(const QString &message)
{
    statusBar()->showMessage(message, 10000);
    if (m_errorBox) { // one box, showing the latest problem, however many clicks failed
        m_errorBox->setText(message);
        return;
    }
    // Window-modal and non-blocking: the views keep updating behind it.
    m_errorBox = new QMessageBox(QMessageBox::Warning, tr("Change not saved"), message, QMessageBox::Ok, this);
    m_errorBox->setObjectName(QStringLiteral("writeErrorBox"));
    m_errorBox->setAttribute(Qt::WA_DeleteOnClose);
    m_errorBox->open();
}

QString MainWindow::preferredLanguage() { return QSettings().value(kLanguageKey).toString(); }

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    const QByteArray geometry = settings.value(QStringLiteral("geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_flags->restoreLayout(settings.value(QStringLiteral("flagColumns")).toByteArray());
    const int page = settings.value(QStringLiteral("page"), int(PageOverview)).toInt();
    if (page >= 0 && page < PageCount)
        showPage(Page(page));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("flagColumns"), m_flags->saveLayout());
    settings.setValue(QStringLiteral("page"), int(currentPage()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent *event)
{
    // The system switched between light and dark: the header band follows.
    if (event->type() == QEvent::PaletteChange && m_header)
        applyHeaderStyle();
    QMainWindow::changeEvent(event);
}

} // namespace sp
