#pragma once

#include "sync/SyncConfig.h"
#include "sync/SyncEngine.h"

#include <QHash>
#include <QList>
#include <QMetaObject>
#include <QString>
#include <QUrl>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTreeWidget;

namespace sp {

class ConsoleContext;
class GoogleSignIn;
class SourceTableModel;

// Sync configs: source and sign-in, mapping preview with every cell problem, the diff a run would
// write, per-target state, mode, run now and undo, and the rehearsal ("inject failures") settings.
//
// objectNames: configList, modeCombo, modeRefusal, hybridProof, sourceLabel, signInState,
// signInButton, cancelSignInButton, previewRunButton, runNowButton (Ctrl+R), reloadSourceButton,
// busyIndicator, runSummary, rehearsalBanner, fallbackLabel, syncTabs, mappingPreview,
// mappingProblems, problemsLabel, runPreview, targetTable, undoButton, rehearsalGroup,
// rehearsalErrorRate, rehearsalLatency, rehearsal429Rate, rehearsalTargets, rehearsalApply,
// rehearsalOff, rehearsalMessage.
class SyncView : public QWidget
{
    Q_OBJECT

public:
    explicit SyncView(ConsoleContext &context, QWidget *parent = nullptr);
    ~SyncView() override;

    QString currentConfig() const { return m_current; }
    // Selects a config by name (false when there is none of that name).
    bool selectConfig(const QString &name);
    SourceTableModel *sourceModel() const { return m_sourceModel; }
    // True while a run, preview run, undo or source read is under way.
    bool isBusy() const;

    // Target table columns.
    enum TargetColumn { TargetIdColumn, KindColumn, LocationColumn, PathNowColumn, LastPathColumn, StateColumn, LastRunColumn,
                        ErrorColumn, TargetColumnCount };

    // What one reload reads on the worker (public for the task runner's result type).
    struct Snapshot
    {
        QList<SyncConfig> configs;
        QHash<QString, QHash<QString, QString>> pathNow; // config -> target -> legacy/sync/shadow
    };
    struct PreviewResult
    {
        QString config;
        QString signature;
        bool ok = false;
        QString error;
        SourcePreview preview;
    };

public Q_SLOTS:
    void reload();
    void runNow();
    void previewRun();
    void undoSelectedTarget();
    void applyRehearsal();
    void endRehearsal();
    void signIn();
    void cancelSignIn();
    void readSourceAgain();

Q_SIGNALS:
    // A run (or preview run) finished; summary is what runSummary shows.
    void runFinished(const QString &config, const QString &summary);

protected:
    // Opens the sign-in address in the browser (tests override it).
    virtual bool openBrowser(const QUrl &url);

private:
    void buildUi();
    QWidget *buildDetail();
    QWidget *buildRehearsalGroup();
    void applySnapshot(Snapshot snapshot);
    void showConfig();
    void fillTargets(const SyncConfig &c);
    void fillRehearsal(const SyncConfig &c);
    void updateSignInState();
    void requestSourcePreview(bool force);
    void showSourcePreview(PreviewResult result);
    void showSourceMessage(const QString &text);
    void modeActivated(int index);
    void showModeRefusal(const QString &text);
    void finishRun(const SyncRun &run);
    void failRun(const QString &message);
    void setRunBusy(bool busy, const QString &text = {});
    void problemSelected(int row);
    void connectAgent();
    void updateActions();
    const SyncConfig *config() const;
    QString rehearsalBannerText(const RehearsalSettings &r) const;
    QString runSummaryText(const SyncRun &run) const;
    static QString signature(const SyncConfig &c);

    ConsoleContext &m_ctx;
    QList<SyncConfig> m_configs;
    QHash<QString, QHash<QString, QString>> m_pathNow;
    QString m_current;
    QString m_previewSignature; // source + mapping the mapping preview shows (or is reading)
    QString m_filledRehearsal;  // the rehearsal JSON the fields were last filled from
    QString m_agentRun;         // config the agent is running for us
    bool m_runBusy = false;
    bool m_sourceBusy = false;
    bool m_loaded = false;

    QTreeWidget *m_configList = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QLabel *m_titleLabel = nullptr;
    QLabel *m_rehearsalBanner = nullptr;
    QLabel *m_fallbackLabel = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QWidget *m_signInRow = nullptr;
    QLabel *m_signInState = nullptr;
    QPushButton *m_signInButton = nullptr;
    QPushButton *m_cancelSignInButton = nullptr;
    QComboBox *m_modeCombo = nullptr;
    QLabel *m_modeRefusal = nullptr;
    QLabel *m_hybridProof = nullptr;
    QPushButton *m_previewButton = nullptr;
    QPushButton *m_runNowButton = nullptr;
    QPushButton *m_reloadSourceButton = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_runSummary = nullptr;
    QTabWidget *m_tabs = nullptr;
    QStackedWidget *m_mappingStack = nullptr;
    QLabel *m_mappingPlaceholder = nullptr;
    QTableView *m_mappingView = nullptr;
    SourceTableModel *m_sourceModel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QListWidget *m_problems = nullptr;
    QStackedWidget *m_runPreviewStack = nullptr;
    QTreeWidget *m_runPreview = nullptr;
    QStackedWidget *m_targetStack = nullptr;
    QTableWidget *m_targetTable = nullptr;
    QPushButton *m_undoButton = nullptr;
    QGroupBox *m_rehearsalGroup = nullptr;
    QDoubleSpinBox *m_errorRate = nullptr;
    QSpinBox *m_latency = nullptr;
    QDoubleSpinBox *m_rate429 = nullptr;
    QLineEdit *m_rehearsalTargets = nullptr;
    QPushButton *m_rehearsalApply = nullptr;
    QPushButton *m_rehearsalOff = nullptr;
    QLabel *m_rehearsalMessage = nullptr;
    GoogleSignIn *m_signIn = nullptr;
    QList<QMetaObject::Connection> m_agentConnections;
};

} // namespace sp
