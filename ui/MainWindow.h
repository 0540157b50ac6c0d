#pragma once

#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QActionGroup;
class QFrame;
class QLabel;
class QListWidget;
class QMessageBox;
class QPushButton;
class QStackedWidget;
class QSystemTrayIcon;

namespace sp {

class AuditView;
class BackgroundAgent;
class ConsoleContext;
class ElidedLabel;
class FlagTableModel;
class FlagsPage;
class FlagsView;
class HealthView;
class OverviewView;
class RolloutsView;
class SyncView;
class Workspace;
struct LedgerEntry;

// The console for one workspace: a sidebar with the views (Overview, Flags, Rollouts, Sync,
// Health, Audit) and, always in view, the red Emergency rollback button, the workspace, the
// signed-in account and whether this console runs the controller. The workspace must outlive the
// window.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Page { PageOverview, PageFlags, PageRollouts, PageSync, PageHealth, PageAudit, PageCount };

    // location: what the workspace was opened from (worker threads open their own connection).
    MainWindow(Workspace &workspace, const QString &location, QWidget *parent = nullptr);
    ~MainWindow() override;

    Workspace &workspace() const;
    ConsoleContext &context() const { return *m_ctx; }
    FlagTableModel *flagModel() const;
    FlagsView *flagTable() const;
    FlagsPage *flagsPage() const { return m_flags; }

    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const;
    static QString pageName(Page page);     // "overview", "flags", … (screenshot file names)

    // The console's controller and sync engine: the header says whether this console holds the
    // controller, the Sync view's Run now uses it. Not owned.
    void attachAgent(BackgroundAgent *agent);

    // Window geometry, the page shown and the flag columns from the last session (QSettings).
    void restoreSettings();
    void saveSettings() const;

    // The language chosen in View ▸ Language ("" = the system's), applied at the next start.
    static QString preferredLanguage();

Q_SIGNALS:
    // The controller (here or in any other process) paused or rolled something back; also shown
    // as a desktop notification through the tray icon.
    void controllerActed(const QString &title, const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    // Asks why the kill switch is being turned on or off; nullopt when the user cancels.
    // Virtual so tests can answer without a modal dialog.
    virtual std::optional<QString> askKillSwitchReason(bool on);

private:
    void createActions();
    void createHeader(QWidget *parent);
    void createBody(QWidget *parent);
    void createTray();
    void setKillSwitch(bool on);
    // The red button: everything back to the safe legacy path at once; the bar says what was
    // rolled back and offers Restore (the snapshot taken with the rollback).
    void emergencyRollback();
    void restoreSnapshot();
    void showWriteError(const QString &message);
    void refreshState();          // kill switch, revision, account; on every workspace change
    void notifyNewDecisions();    // the controller's pauses and rollbacks since the last look
    void setControllerText(const QString &text, const QString &toolTip);
    void applyHeaderStyle();

    ConsoleContext *m_ctx = nullptr;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_pages = nullptr;
    OverviewView *m_overview = nullptr;
    FlagsPage *m_flags = nullptr;
    RolloutsView *m_rollouts = nullptr;
    SyncView *m_sync = nullptr;
    HealthView *m_health = nullptr;
    AuditView *m_audit = nullptr;

    QFrame *m_header = nullptr;
    ElidedLabel *m_workspaceLabel = nullptr;
    QLabel *m_accountLabel = nullptr;
    QLabel *m_controllerLabel = nullptr;
    QLabel *m_killBanner = nullptr;
    QFrame *m_rollbackBar = nullptr;
    QLabel *m_rollbackText = nullptr;
    QPushButton *m_restoreButton = nullptr;
    QLabel *m_revisionLabel = nullptr;
    QLabel *m_busyLabel = nullptr;

    QAction *m_killSwitchAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_emergencyAction = nullptr;
    QActionGroup *m_languageGroup = nullptr;
    QSystemTrayIcon *m_tray = nullptr;

    qint64 m_lastSnapshot = 0;
    qint64 m_lastLedgerId = -1;
    bool m_killSwitch = false;
    QPointer<QMessageBox> m_errorBox;
};

} // namespace sp
