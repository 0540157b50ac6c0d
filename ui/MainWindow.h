#pragma once

#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QFrame;
class QLabel;
class QPushButton;
class QLineEdit;
class QMessageBox;
class QSortFilterProxyModel;

namespace sp {

class ElidedLabel;
class FlagTableModel;
class FlagsView;
class Workspace;
class WorkspaceWatcher;

// The console for one workspace: its flags, the kill switch, and where it lives. The workspace
// must outlive the window.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Workspace &workspace, QWidget *parent = nullptr);
    ~MainWindow() override;

    Workspace &workspace() const { return m_ws; }
    FlagTableModel *flagModel() const { return m_model; }
    FlagsView *flagTable() const { return m_table; }

    // Window geometry, toolbar state and column layout from the last session (QSettings).
    void restoreSettings();
    void saveSettings() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    // Asks why the kill switch is being turned on or off; nullopt when the user cancels.
    // Virtual so tests can answer without a modal dialog.
    virtual std::optional<QString> askKillSwitchReason(bool on);

private:
    void createActions();
    void createCentralWidget();
    void setKillSwitch(bool on);
    // The red button: everything back to the safe legacy path at once; the bar says what was
    // rolled back and offers Restore (the snapshot taken with the rollback).
    void emergencyRollback();
    void restoreSnapshot();
    void showWriteError(const QString &message);
    void updateFromModel();
    void updateCounts();

    Workspace &m_ws;
    FlagTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    WorkspaceWatcher *m_watcher = nullptr;
    FlagsView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_killBanner = nullptr;
    ElidedLabel *m_workspaceLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_revisionLabel = nullptr;
    QAction *m_killSwitchAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_emergencyAction = nullptr;
    QFrame *m_rollbackBar = nullptr;
    QLabel *m_rollbackText = nullptr;
    QPushButton *m_restoreButton = nullptr;
    qint64 m_lastSnapshot = 0;
    QPointer<QMessageBox> m_errorBox;
    bool m_columnsSized = false;
    bool m_showingLoadError = false;
};

} // namespace sp
