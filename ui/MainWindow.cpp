#include "MainWindow.h"

#include "ElidedLabel.h"
#include "FlagTableModel.h"
#include "FlagsView.h"

#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "rollout/RollbackService.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceWatcher.h"

#include <QAction>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace sp {

namespace {

const auto kSettingsGroup = QStringLiteral("MainWindow");

} // namespace

MainWindow::MainWindow(Workspace &workspace, QWidget *parent) : QMainWindow(parent), m_ws(workspace)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(m_ws.isReadOnly() ? tr("SyncPilot — %1 (read-only)").arg(m_ws.name())
                                     : tr("SyncPilot — %1").arg(m_ws.name()));

    m_model = new FlagTableModel(m_ws, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlagTableModel::SortRole);
    m_proxy->setFilterRole(FlagTableModel::SearchRole);
    m_proxy->setFilterKeyColumn(FlagTableModel::KeyColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_watcher = new WorkspaceWatcher(m_ws, 400, this);
    m_model->watch(m_watcher);

    createActions();
    createCentralWidget();

    connect(m_model, &FlagTableModel::reloaded, this, &MainWindow::updateFromModel);
    connect(m_model, &FlagTableModel::writeFailed, this, &MainWindow::showWriteError);
    connect(m_model, &FlagTableModel::loadFailed, this, [this](const QString &message) {
        // Shown until a read succeeds again (the watcher keeps trying); no dialog per poll.
        m_showingLoadError = true;
        statusBar()->showMessage(tr("Cannot read the workspace: %1").arg(message));
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateCounts);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateCounts);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateCounts);

    resize(1100, 700);
    updateFromModel();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_killSwitchAction = new QAction(tr("Kill switch"), this);
    m_killSwitchAction->setObjectName(QStringLiteral("killSwitchAction"));
    m_killSwitchAction->setCheckable(true);
    m_killSwitchAction->setIcon(style()->standardIcon(QStyle::SP_BrowserStop));
    m_killSwitchAction->setEnabled(!m_ws.isReadOnly());
    connect(m_killSwitchAction, &QAction::triggered, this, &MainWindow::setKillSwitch);

    m_reloadAction = new QAction(tr("Reload"), this);
    m_reloadAction->setObjectName(QStringLiteral("reloadAction"));
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_reloadAction->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_reloadAction->setToolTip(tr("Read the flags from the workspace again (F5)"));
    connect(m_reloadAction, &QAction::triggered, m_model, &FlagTableModel::reload);

    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    quitAction->setMenuRole(QAction::QuitRole);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(quitAction);
    QMenu *flagsMenu = menuBar()->addMenu(tr("F&lags"));
    flagsMenu->addAction(m_reloadAction);
    flagsMenu->addSeparator();
    flagsMenu->addAction(m_killSwitchAction);

    m_emergencyAction = new QAction(tr("Emergency rollback"), this);
    m_emergencyAction->setObjectName(QStringLiteral("emergencyRollbackAction"));
    m_emergencyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_emergencyAction->setShortcutContext(Qt::ApplicationShortcut);
    m_emergencyAction->setToolTip(tr("Everything back to the safe legacy path at once: every sync flag off, every rollout rolled "
                                     "back, every sync config to legacy (Ctrl+Shift+K). Restore undoes it."));
    m_emergencyAction->setEnabled(!m_ws.isReadOnly());
    connect(m_emergencyAction, &QAction::triggered, this, &MainWindow::emergencyRollback);
    flagsMenu->addSeparator();
    flagsMenu->addAction(m_emergencyAction);

    QToolBar *toolBar = addToolBar(tr("Workspace"));
    toolBar->setObjectName(QStringLiteral("workspaceToolBar"));
    toolBar->setAccessibleName(tr("Workspace toolbar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *emergency = new QToolButton(toolBar);
    emergency->setObjectName(QStringLiteral("emergencyRollbackButton"));
    emergency->setDefaultAction(m_emergencyAction);
    emergency->setToolButtonStyle(Qt::ToolButtonTextOnly);
    emergency->setAccessibleName(tr("Emergency rollback"));
    // A semantic colour, the same in light and dark palettes: the one button for an incident.
    emergency->setStyleSheet(QStringLiteral("QToolButton { background-color: #b3261e; color: #ffffff; font-weight: bold;"
                                            " padding: 4px 12px; border-radius: 3px; }"
                                            " QToolButton:disabled { background-color: #9e9e9e; }"));
    toolBar->addWidget(emergency);
    toolBar->addSeparator();
    toolBar->addAction(m_killSwitchAction);
    toolBar->addAction(m_reloadAction);
    toolBar->addSeparator();

    auto *where = new QWidget(toolBar);
    auto *whereLayout = new QHBoxLayout(where);
    whereLayout->setContentsMargins(6, 0, 6, 0);
    auto *caption = new QLabel(tr("Workspace:"), where);
    m_workspaceLabel = new ElidedLabel(where);
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_workspaceLabel->setAccessibleName(tr("Workspace location"));
    m_workspaceLabel->setText(m_ws.displayLocation()); // passwords are masked by core
    m_workspaceLabel->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    whereLayout->addWidget(caption);
    whereLayout->addWidget(m_workspaceLabel, 1);
    where->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(where);
}

void MainWindow::createCentralWidget()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    m_killBanner = new QLabel(central);
    m_killBanner->setObjectName(QStringLiteral("killSwitchBanner"));
    m_killBanner->setAccessibleName(tr("Kill switch state"));
    m_killBanner->setText(tr("The kill switch is on: every flag tagged sync is off for everyone."));
    m_killBanner->setWordWrap(true);
    // A semantic colour, the same in light and dark palettes: this is the emergency state.
    m_killBanner->setStyleSheet(QStringLiteral(
        "QLabel { background-color: #b3261e; color: #ffffff; font-weight: bold; padding: 6px 10px; border-radius: 3px; }"));
    m_killBanner->setVisible(false);
    layout->addWidget(m_killBanner);

    m_rollbackBar = new QFrame(central);
    m_rollbackBar->setObjectName(QStringLiteral("rollbackBar"));
    m_rollbackBar->setFrameShape(QFrame::StyledPanel);
    m_rollbackBar->setAccessibleName(tr("Rollback result"));
    auto *barLayout = new QHBoxLayout(m_rollbackBar);
    barLayout->setContentsMargins(8, 4, 8, 4);
    m_rollbackText = new QLabel(m_rollbackBar);
    m_rollbackText->setObjectName(QStringLiteral("rollbackBarText"));
    m_rollbackText->setWordWrap(true);
    m_rollbackText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_restoreButton = new QPushButton(tr("Restore"), m_rollbackBar);
    m_restoreButton->setObjectName(QStringLiteral("restoreButton"));
    m_restoreButton->setToolTip(tr("Put back what the rollback changed (refused, with the differences, if someone changed it since)"));
    connect(m_restoreButton, &QPushButton::clicked, this, &MainWindow::restoreSnapshot);
    auto *dismiss = new QPushButton(tr("Dismiss"), m_rollbackBar);
    dismiss->setObjectName(QStringLiteral("dismissRollbackBar"));
    connect(dismiss, &QPushButton::clicked, m_rollbackBar, &QWidget::hide);
    barLayout->addWidget(m_rollbackText, 1);
    barLayout->addWidget(m_restoreButton);
    barLayout->addWidget(dismiss);
    m_rollbackBar->setVisible(false);
    layout->addWidget(m_rollbackBar);

    m_filter = new QLineEdit(central);
    m_filter->setObjectName(QStringLiteral("flagFilter"));
    m_filter->setAccessibleName(tr("Filter flags"));
    m_filter->setPlaceholderText(tr("Filter by key, description, tag or prerequisite…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        updateCounts();
    });
    auto *findAction = new QAction(tr("Find"), this);
    findAction->setShortcut(QKeySequence::Find);
    connect(findAction, &QAction::triggered, m_filter, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(findAction);
    layout->addWidget(m_filter);

    m_table = new FlagsView(central);
    m_table->setObjectName(QStringLiteral("flagTable"));
    m_table->setAccessibleName(tr("Flags"));
    m_table->setModel(m_proxy);
    m_table->sortByColumn(FlagTableModel::KeyColumn, Qt::AscendingOrder);
    layout->addWidget(m_table, 1);

    setCentralWidget(central);

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("flagCountLabel"));
    m_countLabel->setAccessibleName(tr("Flag count"));
    m_revisionLabel = new QLabel(this);
    m_revisionLabel->setObjectName(QStringLiteral("revisionLabel"));
    m_revisionLabel->setAccessibleName(tr("Workspace revision"));
    m_countLabel->setContentsMargins(8, 0, 8, 0);
    m_revisionLabel->setContentsMargins(8, 0, 8, 0);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_revisionLabel);
}

void MainWindow::emergencyRollback()
{
    try {
        const RollbackResult r = RollbackService(m_ws).emergency(
            ChangeContext::local(QStringLiteral("gui"), tr("Emergency rollback from the console")));
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
        m_model->reload();
    } catch (const Error &e) {
        showWriteError(e.message());
    }
}

void MainWindow::restoreSnapshot()
{
    try {
        const RollbackSnapshot s = RollbackService(m_ws).restore(
            m_lastSnapshot, ChangeContext::local(QStringLiteral("gui"), tr("Restore after the emergency rollback")));
        m_rollbackText->setText(tr("Restored: %1 flag(s), %2 rollout(s) and %3 sync config(s) are as they were before the rollback.")
                                    .arg(s.restoredFlags.size())
                                    .arg(s.restoredRollouts.size())
                                    .arg(s.restoredConfigs.size()));
        m_restoreButton->setVisible(false);
        m_model->reload();
    } catch (const Error &e) {
        m_rollbackText->setText(tr("Restore refused: %1").arg(e.message()));
    }
}

void MainWindow::updateFromModel()
{
    if (m_showingLoadError) {
        m_showingLoadError = false;
        statusBar()->clearMessage();
    }
    const bool killed = m_model->killSwitch();
    m_killSwitchAction->setChecked(killed);
    m_killSwitchAction->setToolTip(killed ? tr("The kill switch is on. Turn it off to let sync flags follow their own state again.")
                                          : tr("Turn every flag tagged sync off at once, for everyone."));
    m_killBanner->setVisible(killed);
    m_revisionLabel->setText(tr("Revision %1").arg(m_model->revision()));
    updateCounts();

    if (!m_columnsSized) {
        // Fit the headers now and the contents once there are flags. Room for the longest state
        // text, so turning the kill switch on does not clip it.
        m_table->fitColumnsToContents(FlagTableModel::StateColumn, FlagTableModel::tr("On (kill switch)"));
        m_columnsSized = m_model->rowCount() > 0;
    }
}

void MainWindow::updateCounts()
{
    const int total = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    // "Flags: 9" rather than a plural phrase: correct in every language without plural forms.
    m_countLabel->setText(shown == total ? tr("Flags: %1").arg(total) : tr("Flags: %1 of %2").arg(shown).arg(total));
    if (total == 0)
        m_table->setPlaceholderText(tr("No flags yet.\nCreate one with: syncpilot-cli flag create KEY"));
    else
        m_table->setPlaceholderText(tr("No flag matches “%1”.").arg(m_filter->text()));
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
            FlagStore(m_ws).setKillSwitch(on, ChangeContext::local(QStringLiteral("gui"), *reason));
            statusBar()->showMessage(on ? tr("Kill switch on.") : tr("Kill switch off."), 5000);
        } catch (const Error &e) {
            showWriteError(e.message());
        }
    }
    // The action shows the workspace's state, not the click: reload settles it either way.
    m_killSwitchAction->setChecked(m_model->killSwitch());
    m_model->reload();
}

void MainWindow::showWriteError(const QString &message)
{
    statusBar()->showMessage(message, 10000);
    if (m_errorBox) { // one box, showing the latest problem, however many clicks failed
        m_errorBox->setText(message);
        return;
    }
    // Window-modal and non-blocking: the table keeps updating behind it.
    m_errorBox = new QMessageBox(QMessageBox::Warning, tr("Change not saved"), message, QMessageBox::Ok, this);
    m_errorBox->setObjectName(QStringLiteral("writeErrorBox"));
    m_errorBox->setAttribute(Qt::WA_DeleteOnClose);
    m_errorBox->open();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    const QByteArray geometry = settings.value(QStringLiteral("geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    const QByteArray columns = settings.value(QStringLiteral("flagColumns")).toByteArray();
    if (!columns.isEmpty() && m_table->horizontalHeader()->restoreState(columns))
        m_columnsSized = true;
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("flagColumns"), m_table->horizontalHeader()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace sp
