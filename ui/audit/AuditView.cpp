#include "AuditView.h"

#include "AuditEntryFormatter.h"
#include "AuditReport.h"
#include "AuditTableModel.h"
#include "ConsoleContext.h"
#include "Icons.h"

#include "common/Clock.h"
#include "common/Error.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QAction>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace sp {

namespace {

constexpr int kFilterDelayMs = 350;
constexpr int kVerifyDelayMs = 1000;

QString shortHash(const QString &hash)
{
    return hash.left(12) + QStringLiteral("…");
}

int clampedCount(qint64 n)
{
    return int(std::min<qint64>(n, INT_MAX));
}

bool sameFilter(const AuditFilter &a, const AuditFilter &b)
{
    return a.from == b.from && a.to == b.to && a.actor == b.actor && a.object == b.object && a.action == b.action
        && a.reasonContains == b.reasonContains;
}

QString formatExtension(AuditView::ExportFormat format)
{
    switch (format) {
    case AuditView::ExportFormat::Csv: return QStringLiteral("csv");
    case AuditView::ExportFormat::Jsonl: return QStringLiteral("jsonl");
    case AuditView::ExportFormat::Pdf: return QStringLiteral("pdf");
    }
    return {};
}

} // namespace

AuditView::AuditView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("auditView"));
    setAccessibleName(tr("Audit log"));
    m_model = new AuditTableModel(m_ctx.tasks(), this);
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(kFilterDelayMs);
    connect(m_filterTimer, &QTimer::timeout, this, &AuditView::applyFilters);
    m_verifyTimer = new QTimer(this);
    m_verifyTimer->setSingleShot(true);
    m_verifyTimer->setInterval(kVerifyDelayMs);
    connect(m_verifyTimer, &QTimer::timeout, this, [this] {
        // a hidden view (another page of the window) verifies when it is shown again
        if (isVisible())
            verifyNow();
        else
            m_verifyStale = true;
    });

    buildUi();

    connect(m_model, &AuditTableModel::totalCountChanged, this, &AuditView::updateCount);
    connect(m_model, &AuditTableModel::loaded, this, [this] {
        updateCount();
        updatePlaceholder();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updatePlaceholder();
        showDetail();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AuditView::updatePlaceholder);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditView::showDetail);
    if (WorkspaceWatcher *watcher = m_ctx.watcher())
        connect(watcher, &WorkspaceWatcher::changed, this, &AuditView::onWorkspaceChanged);

    applyFilters();
    showDetail();
    verifyNow();
}

AuditView::~AuditView() = default;

void AuditView::buildUi()
{
    auto *layout = new QVBoxLayout(this);

    // Filters: period on the first row with the reason search, who/what on the second.
    auto *periodRow = new QHBoxLayout;
    m_period = new QComboBox(this);
    m_period->setObjectName(QStringLiteral("auditPeriod"));
    m_period->setAccessibleName(tr("Period"));
    m_period->addItem(tr("Today"), int(Period::Today));
    m_period->addItem(tr("Last 24 hours"), int(Period::Last24Hours));
    m_period->addItem(tr("Last 7 days"), int(Period::Last7Days));
    m_period->addItem(tr("Last 30 days"), int(Period::Last30Days));
    m_period->addItem(tr("All time"), int(Period::All));
    m_period->addItem(tr("Custom range"), int(Period::Custom));
    m_period->setCurrentIndex(m_period->findData(int(Period::All)));
    const auto makeEdit = [this](const char *name, const QString &accessible) {
        auto *edit = new QDateTimeEdit(this);
        edit->setObjectName(QLatin1String(name));
        edit->setAccessibleName(accessible);
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setTimeSpec(Qt::LocalTime);
        edit->setEnabled(false);
        return edit;
    };
    m_from = makeEdit("auditFrom", tr("From"));
    m_to = makeEdit("auditTo", tr("To"));
    const QDateTime now = m_ctx.clock().now().toLocalTime();
    m_from->setDateTime(now.addDays(-7));
    m_to->setDateTime(now.addSecs(60));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("auditSearch"));
    m_search->setAccessibleName(tr("Search reasons"));
    m_search->setPlaceholderText(tr("Search the reasons…"));
    m_search->setClearButtonEnabled(true);
    auto *periodLabel = new QLabel(tr("&Period:"), this);
    periodLabel->setBuddy(m_period);
    auto *fromLabel = new QLabel(tr("&From:"), this);
    fromLabel->setBuddy(m_from);
    auto *toLabel = new QLabel(tr("&To:"), this);
    toLabel->setBuddy(m_to);
    periodRow->addWidget(periodLabel);
    periodRow->addWidget(m_period);
    periodRow->addSpacing(8);
    periodRow->addWidget(fromLabel);
    periodRow->addWidget(m_from);
    periodRow->addWidget(toLabel);
    periodRow->addWidget(m_to);
    periodRow->addSpacing(8);
    periodRow->addWidget(m_search, 1);
    layout->addLayout(periodRow);

    auto *whoRow = new QHBoxLayout;
    const auto makeLine = [this, whoRow](const char *name, const QString &label, const QString &placeholder) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(QLatin1String(name));
        edit->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        auto *l = new QLabel(label, this);
        l->setBuddy(edit);
        whoRow->addWidget(l);
        whoRow->addWidget(edit, 1);
        return edit;
    };
    m_actor = makeLine("auditActor", tr("A&ctor:"), tr("OS user, e.g. alice"));
    m_object = makeLine("auditObject", tr("O&bject:"), tr("e.g. flag:checkout or flag:*"));
    m_action = makeLine("auditAction", tr("Actio&n:"), tr("e.g. flag.update or killswitch.*"));
    auto *clear = new QPushButton(tr("Clear filters"), this);
    clear->setObjectName(QStringLiteral("auditClearFilters"));
    whoRow->addWidget(clear);
    layout->addLayout(whoRow);

    m_filterError = new QLabel(this);
    m_filterError->setObjectName(QStringLiteral("auditFilterError"));
    m_filterError->setAccessibleName(tr("Filter problem"));
    m_filterError->setWordWrap(true);
    {
        QPalette p; // only this role: the rest follows the window's palette
        p.setColor(QPalette::WindowText, Icons::danger());
        m_filterError->setPalette(p);
    }
    m_filterError->hide();
    layout->addWidget(m_filterError);

    // Status: chain verification, the count, export.
    auto *statusRow = new QHBoxLayout;
    m_verifyIcon = new QLabel(this);
    m_verifyIcon->setFixedSize(16, 16);
    m_verifyStatus = new QLabel(this);
    m_verifyStatus->setObjectName(QStringLiteral("auditVerifyStatus"));
    m_verifyStatus->setAccessibleName(tr("Chain verification"));
    m_verifyStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verifyStatus->setWordWrap(true);
    m_verifyNow = new QPushButton(Icons::icon(Icons::Glyph::Verify), tr("&Verify now"), this);
    m_verifyNow->setObjectName(QStringLiteral("auditVerifyNow"));
    m_verifyNow->setToolTip(tr("Check the whole hash chain again"));
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("auditCount"));
    m_count->setAccessibleName(tr("Number of entries"));
    m_exportMenu = new QMenu(this);
    m_exportMenu->setObjectName(QStringLiteral("auditExportMenu"));
    const auto makeExport = [this](const char *name, const QString &text, ExportFormat format) {
        auto *action = new QAction(text, this);
        action->setObjectName(QLatin1String(name));
        connect(action, &QAction::triggered, this, [this, format] { exportAs(format); });
        m_exportMenu->addAction(action);
        return action;
    };
    m_exportCsv = makeExport("exportCsv", tr("CSV (RFC 4180)…"), ExportFormat::Csv);
    m_exportJsonl = makeExport("exportJsonl", tr("JSON Lines…"), ExportFormat::Jsonl);
    m_exportPdf = makeExport("exportPdf", tr("PDF report (summary, chart, table)…"), ExportFormat::Pdf);
    m_exportButton = new QToolButton(this);
    m_exportButton->setObjectName(QStringLiteral("auditExport"));
    m_exportButton->setAccessibleName(tr("Export"));
    m_exportButton->setText(tr("&Export"));
    m_exportButton->setIcon(Icons::icon(Icons::Glyph::Export));
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setMenu(m_exportMenu);
    m_exportButton->setToolTip(tr("Export the entries of the current filter (Ctrl+E)"));
    auto *exportShortcut = new QAction(tr("Export…"), this);
    exportShortcut->setObjectName(QStringLiteral("auditExportShortcut"));
    exportShortcut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(exportShortcut, &QAction::triggered, this, [this] {
        if (m_exportButton->isEnabled())
            m_exportMenu->popup(m_exportButton->mapToGlobal(QPoint(0, m_exportButton->height())));
    });
    addAction(exportShortcut);
    statusRow->addWidget(m_verifyIcon);
    statusRow->addWidget(m_verifyStatus, 1);
    statusRow->addWidget(m_verifyNow);
    statusRow->addSpacing(16);
    statusRow->addWidget(m_count);
    statusRow->addSpacing(8);
    statusRow->addWidget(m_exportButton);
    layout->addLayout(statusRow);

    m_exportStatus = new QLabel(this);
    m_exportStatus->setObjectName(QStringLiteral("auditExportStatus"));
    m_exportStatus->setAccessibleName(tr("Export result"));
    m_exportStatus->setWordWrap(true);
    m_exportStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_exportStatus->hide();
    layout->addWidget(m_exportStatus);

    // The table (or a placeholder) above the selected entry's details.
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("auditSplitter"));
    splitter->setChildrenCollapsible(false);
    m_tableStack = new QStackedWidget(splitter);
    m_table = new QTableView(m_tableStack);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setAccessibleName(tr("Audit entries"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    // fixed row heights and column widths: a view over 100 000 rows never measures them all
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setSectionsClickable(false);
    const QFontMetrics fm = m_table->fontMetrics();
    m_table->setColumnWidth(AuditTableModel::SeqColumn, fm.horizontalAdvance(QStringLiteral("0000000")) + 24);
    m_table->setColumnWidth(AuditTableModel::TimeColumn, fm.horizontalAdvance(QStringLiteral("2026-12-31 23:59:59")) + 20);
    m_table->setColumnWidth(AuditTableModel::ActorColumn, fm.horizontalAdvance(QStringLiteral("alice (alice@example)")) + 12);
    m_table->setColumnWidth(AuditTableModel::SourceColumn, fm.horizontalAdvance(QStringLiteral("controller")) + 20);
    m_table->setColumnWidth(AuditTableModel::ActionColumn, fm.horizontalAdvance(QStringLiteral("rollout.advance.x")) + 20);
    m_table->setColumnWidth(AuditTableModel::ObjectColumn, fm.horizontalAdvance(QStringLiteral("flag:sync.conflict-resolution")) + 20);
    m_tableStack->addWidget(m_table);
    m_empty = new QLabel(m_tableStack);
    m_empty->setObjectName(QStringLiteral("auditEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setMargin(24);
    m_tableStack->addWidget(m_empty);
    m_detail = new QTextBrowser(splitter);
    m_detail->setObjectName(QStringLiteral("auditDetail"));
    m_detail->setAccessibleName(tr("Entry details"));
    m_detail->setOpenLinks(false);
    splitter->addWidget(m_tableStack);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_period, &QComboBox::currentIndexChanged, this, &AuditView::onPeriodChanged);
    for (QDateTimeEdit *edit : {m_from, m_to})
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &AuditView::scheduleFilter);
    for (QLineEdit *edit : {m_actor, m_object, m_action, m_search}) {
        connect(edit, &QLineEdit::textEdited, this, &AuditView::scheduleFilter);
        connect(edit, &QLineEdit::returnPressed, this, &AuditView::applyFilters);
    }
    connect(clear, &QPushButton::clicked, this, [this] {
        for (QLineEdit *edit : {m_actor, m_object, m_action, m_search})
            edit->clear();
        const QSignalBlocker block(m_period);
        m_period->setCurrentIndex(m_period->findData(int(Period::All)));
        m_from->setEnabled(false);
        m_to->setEnabled(false);
        applyFilters();
    });
    connect(m_verifyNow, &QPushButton::clicked, this, &AuditView::verifyNow);
}

void AuditView::onPeriodChanged()
{
    const auto period = Period(m_period->currentData().toInt());
    const bool custom = period == Period::Custom;
    if (custom) {
        // start the custom range from what was shown
        const AuditFilter shown = m_model->filter();
        const QDateTime now = m_ctx.clock().now().toLocalTime();
        const QSignalBlocker blockFrom(m_from);
        const QSignalBlocker blockTo(m_to);
        m_from->setDateTime(shown.from ? shown.from->toLocalTime() : now.addDays(-7));
        m_to->setDateTime(shown.to ? shown.to->toLocalTime() : now.addSecs(60));
    }
    m_from->setEnabled(custom);
    m_to->setEnabled(custom);
    applyFilters();
}

void AuditView::scheduleFilter()
{
    m_filterTimer->start();
}

std::optional<AuditFilter> AuditView::readFilter(QString *error) const
{
    AuditFilter f;
    const QDateTime now = m_ctx.clock().now();
    switch (Period(m_period->currentData().toInt())) {
    case Period::Today: f.from = QDateTime(now.toLocalTime().date(), QTime(0, 0)).toUTC(); break;
    case Period::Last24Hours: f.from = now.addSecs(-24 * 3600); break;
    case Period::Last7Days: f.from = now.addDays(-7); break;
    case Period::Last30Days: f.from = now.addDays(-30); break;
    case Period::All: break;
    case Period::Custom:
        f.from = m_from->dateTime().toUTC();
        f.to = m_to->dateTime().toUTC();
        if (*f.to <= *f.from) {
            *error = tr("To: the end of the period (%1) must be later than From (%2).")
                         .arg(m_to->dateTime().toString(m_to->displayFormat()), m_from->dateTime().toString(m_from->displayFormat()));
            return std::nullopt;
        }
        break;
    }
    f.actor = m_actor->text().trimmed();
    f.object = m_object->text().trimmed();
    f.action = m_action->text().trimmed();
    f.reasonContains = m_search->text().trimmed();
    const auto badPattern = [](const QString &p) { return p.indexOf(QLatin1Char('*')) >= 0 && p.indexOf(QLatin1Char('*')) != p.size() - 1; };
    if (badPattern(f.object)) {
        *error = tr("Object: \"%1\" may only end with * (a prefix such as flag:*).").arg(f.object);
        return std::nullopt;
    }
    if (badPattern(f.action)) {
        *error = tr("Action: \"%1\" may only end with * (a prefix such as rollout.*).").arg(f.action);
        return std::nullopt;
    }
    if (f.actor.contains(QLatin1Char('*'))) {
        *error = tr("Actor: \"%1\" must be an exact OS user name (no *).").arg(f.actor);
        return std::nullopt;
    }
    return f;
}

bool AuditView::applyFilters()
{
    m_filterTimer->stop();
    QString error;
    const std::optional<AuditFilter> f = readFilter(&error);
    if (!f) {
        showFilterError(error);
        return false;
    }
    showFilterError({});
    if (m_model->totalCount() >= 0 || m_model->isLoading()) {
        if (sameFilter(*f, m_model->filter()) && m_model->lastError().isEmpty())
            return true;
    }
    m_model->setFilter(*f);
    return true;
}

void AuditView::showFilterError(const QString &message)
{
    m_filterError->setText(message);
    m_filterError->setVisible(!message.isEmpty());
}

AuditFilter AuditView::currentFilter() const
{
    return m_model->filter();
}

void AuditView::onWorkspaceChanged()
{
    m_model->fetchNewer();
    m_verifyTimer->start();
}

void AuditView::updateCount()
{
    const qint64 total = m_model->totalCount();
    if (!m_model->lastError().isEmpty())
        m_count->setText(tr("Entries unavailable"));
    else if (total < 0)
        m_count->setText(tr("Counting…"));
    else
        m_count->setText(total == 1 ? tr("1 entry") : tr("%Ln entries", nullptr, clampedCount(total)));
}

void AuditView::updatePlaceholder()
{
    QString text;
    if (m_model->rowCount() == 0) {
        const AuditFilter &f = m_model->filter();
        const bool filtered = f.from || f.to || !f.actor.isEmpty() || !f.object.isEmpty() || !f.action.isEmpty() || !f.reasonContains.isEmpty();
        if (!m_model->lastError().isEmpty())
            text = tr("The audit log could not be read: %1").arg(m_model->lastError());
        else if (m_model->isLoading())
            text = tr("Loading the audit log…");
        else if (filtered)
            text = tr("No audit entries match these filters. Widen the period or clear the filters.");
        else
            text = tr("The audit log is empty. Every change to flags, rollouts and sync configurations will be listed here, "
                      "with who made it, when and why.");
    }
    m_empty->setText(text);
    m_tableStack->setCurrentWidget(text.isEmpty() ? static_cast<QWidget *>(m_table) : m_empty);
}

void AuditView::showDetail()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const AuditEntry *e = current.isValid() ? m_model->entryAt(current.row()) : nullptr;
    if (!e) {
        m_detailSeq = 0;
        m_detail->setHtml(QStringLiteral("<p style=\"color:%1\">%2</p>")
                              .arg(palette().color(QPalette::PlaceholderText).name(),
                                   tr("Select an entry to see what changed: the before and after states with the changed keys "
                                      "highlighted, the reason and the hashes that chain it.")
                                       .toHtmlEscaped()));
        return;
    }
    const qint64 seq = e->seq;
    if (m_detailEntry && m_detailEntry->seq == seq) {
        m_detailSeq = seq;
        m_detail->setHtml(AuditEntryFormatter::html(*m_detailEntry, palette()));
        return;
    }
    m_detailSeq = seq;
    m_detail->setHtml(QStringLiteral("<p style=\"color:%1\">%2</p>")
                          .arg(palette().color(QPalette::PlaceholderText).name(), tr("Loading entry #%1…").arg(seq).toHtmlEscaped()));
    // the table keeps no before/after states: read this one entry
    AuditFilter one;
    one.afterSeq = seq - 1;
    one.beforeSeq = seq + 1;
    m_ctx.tasks()->run<QList<AuditEntry>>(
        QStringLiteral("audit.detail"), this, [one](Workspace &ws) { return AuditLog(ws).list(one); },
        [this, seq](QList<AuditEntry> entries) {
            if (seq != m_detailSeq)
                return; // another entry was selected meanwhile
            if (entries.isEmpty()) {
                m_detail->setHtml(QStringLiteral("<p>%1</p>").arg(tr("Entry #%1 is no longer in the audit log.").arg(seq).toHtmlEscaped()));
                return;
            }
            m_detailEntry = entries.first();
            m_detail->setHtml(AuditEntryFormatter::html(*m_detailEntry, palette()));
        },
        [this, seq](const QString &message) {
            if (seq == m_detailSeq)
                m_detail->setHtml(QStringLiteral("<p>%1</p>").arg(tr("Entry #%1 could not be read: %2").arg(seq).arg(message).toHtmlEscaped()));
        });
}

void AuditView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        showDetail(); // the highlight colours are mixed from the palette
}

void AuditView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_verifyStale)
        verifyNow();
}

void AuditView::verifyNow()
{
    m_verifyTimer->stop();
    m_verifyStale = false;
    if (m_verifying) {
        m_verifyAgain = true;
        return;
    }
    m_verifying = true;
    if (m_verifyStatus->text().isEmpty())
        setVerifyState(QStringLiteral("checking"), tr("Verifying the hash chain…"));
    m_verifyNow->setEnabled(false);
    const auto finish = [this] {
        m_verifying = false;
        m_verifyNow->setEnabled(true);
        if (m_verifyAgain) {
            m_verifyAgain = false;
            verifyNow();
        }
    };
    m_ctx.tasks()->run<AuditVerification>(
        QStringLiteral("audit.verify"), this, [](Workspace &ws) { return AuditLog(ws).verify(); },
        [this, finish](AuditVerification v) {
            if (v.ok) {
                setVerifyState(QStringLiteral("intact"),
                               (v.entries == 1 ? tr("Chain intact: 1 entry, head %1") : tr("Chain intact: %Ln entries, head %1", nullptr, clampedCount(v.entries)))
                                   .arg(shortHash(v.headHash)),
                               tr("Every entry links to the one before it and its hash matches. Chain head: %1").arg(v.headHash));
            } else {
                setVerifyState(QStringLiteral("broken"), tr("Chain broken at entry #%1: %2").arg(v.firstBadSeq).arg(v.problem),
                               tr("The audit log was edited or entries were deleted outside SyncPilot. Exports are refused until "
                                  "this is resolved."));
            }
            finish();
            Q_EMIT verificationFinished(v.ok);
        },
        [this, finish](const QString &message) {
            setVerifyState(QStringLiteral("error"), tr("The chain could not be verified: %1").arg(message));
            finish();
            Q_EMIT verificationFinished(false);
        });
}

void AuditView::setVerifyState(const QString &state, const QString &text, const QString &tooltip)
{
    m_verifyStatus->setProperty("state", state);
    m_verifyStatus->setText(text);
    m_verifyStatus->setToolTip(tooltip);
    QColor color;
    if (state == QLatin1String("intact"))
        color = Icons::healthy();
    else if (state == QLatin1String("broken") || state == QLatin1String("error"))
        color = Icons::danger();
    else
        color = Icons::neutral();
    m_verifyIcon->setPixmap(Icons::dot(color).pixmap(QSize(12, 12), devicePixelRatioF()));
    QPalette p; // only the text colour: the rest follows the window's palette
    if (state != QLatin1String("checking"))
        p.setColor(QPalette::WindowText, color);
    m_verifyStatus->setPalette(p);
}

QString AuditView::askExportPath(ExportFormat format)
{
    const QString ext = formatExtension(format);
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    const QString suggested = QDir(dir).filePath(
        QStringLiteral("audit-%1.%2").arg(m_ctx.clock().now().toLocalTime().toString(QStringLiteral("yyyyMMdd-HHmm")), ext));
    QString filter;
    switch (format) {
    case ExportFormat::Csv: filter = tr("CSV files (*.csv)"); break;
    case ExportFormat::Jsonl: filter = tr("JSON Lines files (*.jsonl)"); break;
    case ExportFormat::Pdf: filter = tr("PDF documents (*.pdf)"); break;
    }
    return QFileDialog::getSaveFileName(this, tr("Export audit log"), suggested, filter);
}

void AuditView::setExportBusy(bool busy)
{
    m_exporting = busy;
    m_exportButton->setEnabled(!busy);
    for (QAction *a : {m_exportCsv, m_exportJsonl, m_exportPdf})
        a->setEnabled(!busy);
}

void AuditView::exportAs(ExportFormat format)
{
    if (m_exporting)
        return;
    // what the fields say now, not a change still waiting for the typing pause
    if (m_filterTimer->isActive() && !applyFilters())
        return;
    if (!m_filterError->text().isEmpty()) {
        // the fields say something the table does not show: exporting the old filter would surprise
        QPalette p;
        p.setColor(QPalette::WindowText, Icons::danger());
        m_exportStatus->setPalette(p);
        m_exportStatus->setText(tr("Export: correct the filter first (%1)").arg(m_filterError->text()));
        m_exportStatus->show();
        return;
    }
    const QString path = askExportPath(format);
    if (path.isEmpty())
        return;
    const AuditFilter filter = currentFilter();
    const ChangeContext who = m_ctx.change();
    const QString shownPath = QDir::toNativeSeparators(path);
    setExportBusy(true);
    m_exportStatus->setPalette(QPalette());
    m_exportStatus->setText(tr("Exporting to %1…").arg(shownPath));
    m_exportStatus->show();
    m_ctx.tasks()->run<qint64>(
        QStringLiteral("audit.export"), this,
        [format, filter, path, who](Workspace &ws) -> qint64 {
            // The report paints with QPdfWriter/QPainter and fonts only (no widgets, no charts):
            // safe on this worker thread.
            if (format == ExportFormat::Pdf)
                return AuditReport::writePdf(ws, filter, path, who);
            QSaveFile file(path); // atomic: the old file or the complete new one
            if (!file.open(QIODevice::WriteOnly))
                fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
            const AuditLog log(ws);
            const qint64 n = format == ExportFormat::Csv ? log.exportCsv(file, filter) : log.exportJsonl(file, filter);
            if (!file.commit())
                fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
            return n;
        },
        [this, shownPath](qint64 n) {
            setExportBusy(false);
            // "entries" is irregular, so no "(s)" here (EnglishPlurals); one entry gets its own text
            const QString message = (n == 1 ? tr("Exported 1 entry to %1") : tr("Exported %Ln entries to %1", nullptr, clampedCount(n))).arg(shownPath);
            m_exportStatus->setText(message);
            m_ctx.showStatus(message);
            Q_EMIT exportFinished(true, message);
        },
        [this](const QString &error) {
            setExportBusy(false);
            const QString message = tr("Export failed: %1").arg(error);
            QPalette p;
            p.setColor(QPalette::WindowText, Icons::danger());
            m_exportStatus->setPalette(p);
            m_exportStatus->setText(message);
            m_ctx.reportWriteError(message);
            Q_EMIT exportFinished(false, message);
        });
}

} // namespace sp
