#pragma once

#include "rollout/DecisionLedger.h"
#include "rollout/Rollout.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableWidget;
class QTextBrowser;
class QTimer;
class QTreeWidget;

namespace sp {

class BacktestPanel;
class ConsoleContext;
class PhaseTimeline;
class StartRolloutDialog;

// Each rollout plan as a timeline of phases, its guardrails in words, the manual steps, the
// decision ledger with its evidence and backtests. Reloads when any process commits (the
// controller advances phases elsewhere), keeping the selection; time left counts down every
// second without reading the workspace.
class RolloutsView : public QWidget
{
    Q_OBJECT

public:
    explicit RolloutsView(ConsoleContext &context, QWidget *parent = nullptr);
    ~RolloutsView() override;

    // The rollout shown in the detail, if any.
    std::optional<Rollout> selectedRollout() const;

public Q_SLOTS:
    // Shows the newest rollout of a flag (the active one if there is one). False: none.
    bool selectFlag(const QString &flagKey);
    void reload();
    // Opens "Start rollout…" (non-modal, open()); preselects the selected rollout's flag.
    StartRolloutDialog *openStartDialog();

Q_SIGNALS:
    // After every reload of the list and the detail (tests, the busy indicator).
    void reloaded();
    // After the guardrails of the selected flag were evaluated on the task runner.
    void guardrailsEvaluated();

private:
    void buildUi();
    void fillList();
    void showDetail();
    void loadLedger();
    void evaluateGuardrails();
    void showEvidence();
    void tick();
    void updateButtons();
    void step(const QString &what);
    void confirmAbort();

    ConsoleContext &m_ctx;
    QList<Rollout> m_rollouts; // active first, then finished, newest first
    qint64 m_selectedId = 0;
    qint64 m_selectedLedgerId = 0;
    QList<LedgerEntry> m_ledger;

    QPushButton *m_start = nullptr;
    QTreeWidget *m_list = nullptr;
    QStackedWidget *m_listStack = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_planLabel = nullptr;
    PhaseTimeline *m_timeline = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_advance = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_abort = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_guardrails = nullptr;
    QLabel *m_guardrailNote = nullptr;
    QTableWidget *m_ledgerTable = nullptr;
    QTextBrowser *m_evidence = nullptr;
    BacktestPanel *m_backtest = nullptr;
    QTimer *m_timer = nullptr;
    int m_guardGeneration = 0;
};

} // namespace sp
