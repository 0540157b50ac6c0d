#pragma once

#include "audit/AuditLog.h"

#include <QWidget>

#include <optional>

class QAction;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTextBrowser;
class QTimer;
class QToolButton;

namespace sp {

class AuditTableModel;
class ConsoleContext;

// The audit log: filterable table, chain verification and exports (CSV, JSON Lines, PDF).
//
// objectNames: auditPeriod (preset combo), auditFrom / auditTo (date-time edits, Custom period),
// auditActor, auditObject, auditAction, auditSearch (line edits), auditClearFilters,
// auditFilterError (message naming the bad field), auditCount ("N entries"), auditTable,
// auditEmpty (placeholder), auditDetail, auditVerifyStatus, auditVerifyNow, auditExport (button
// with the menu; Ctrl+E), exportCsv / exportJsonl / exportPdf (actions), auditExportStatus.
class AuditView : public QWidget
{
    Q_OBJECT

public:
    enum class ExportFormat { Csv, Jsonl, Pdf };
    enum class Period { Today, Last24Hours, Last7Days, Last30Days, All, Custom };

    explicit AuditView(ConsoleContext &context, QWidget *parent = nullptr);
    ~AuditView() override;

    AuditTableModel *model() const { return m_model; }
    // The filter the table shows (what an export writes).
    AuditFilter currentFilter() const;

public Q_SLOTS:
    // Reads the filter fields; on bad input shows a message naming the field and changes
    // nothing. Returns whether the filter was applied.
    bool applyFilters();
    void verifyNow();
    void exportAs(sp::AuditView::ExportFormat format);

Q_SIGNALS:
    void verificationFinished(bool ok);
    void exportFinished(bool ok, const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;
    // The file to export to; empty when the user cancelled. Tests override it (the file dialog
    // is modal).
    virtual QString askExportPath(sp::AuditView::ExportFormat format);

private:
    void buildUi();
    void onPeriodChanged();
    void scheduleFilter();
    void onWorkspaceChanged();
    void updateCount();
    void updatePlaceholder();
    void showDetail();
    void setVerifyState(const QString &state, const QString &text, const QString &tooltip = {});
    void setExportBusy(bool busy);
    void showFilterError(const QString &message);
    std::optional<AuditFilter> readFilter(QString *error) const;

    ConsoleContext &m_ctx;
    AuditTableModel *m_model = nullptr;
    QComboBox *m_period = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QLineEdit *m_actor = nullptr;
    QLineEdit *m_object = nullptr;
    QLineEdit *m_action = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_filterError = nullptr;
    QLabel *m_count = nullptr;
    QStackedWidget *m_tableStack = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_empty = nullptr;
    QTextBrowser *m_detail = nullptr;
    QLabel *m_verifyIcon = nullptr;
    QLabel *m_verifyStatus = nullptr;
    QPushButton *m_verifyNow = nullptr;
    QToolButton *m_exportButton = nullptr;
    QMenu *m_exportMenu = nullptr;
    QAction *m_exportCsv = nullptr;
    QAction *m_exportJsonl = nullptr;
    QAction *m_exportPdf = nullptr;
    QLabel *m_exportStatus = nullptr;
    QTimer *m_filterTimer = nullptr;
    QTimer *m_verifyTimer = nullptr;
    bool m_verifying = false;
    bool m_verifyAgain = false;
    bool m_verifyStale = false;
    bool m_exporting = false;
    qint64 m_detailSeq = 0;                 // the entry the detail pane shows (or loads)
    std::optional<AuditEntry> m_detailEntry; // its full text, with before/after
};

} // namespace sp
