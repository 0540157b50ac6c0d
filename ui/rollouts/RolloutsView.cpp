#include "RolloutsView.h"

#include "BacktestPanel.h"
#include "ConsoleContext.h"
#include "EvidenceFormatter.h"
#include "Icons.h"
#include "PhaseTimeline.h"
#include "RolloutText.h"
#include "StartRolloutDialog.h"

#include "common/Error.h"
#include "metrics/RunRecordStore.h"
#include "rollout/Guardrail.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QAbstractButton>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sp {

namespace {

enum ListColumn { FlagColumn, StateColumn, PhaseColumn, TimeLeftColumn };
enum LedgerColumn { TimeColumn, KindColumn, HowColumn, WhoColumn, SummaryColumn };
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kLedgerLimit = 500;

QColor stateColor(RolloutState s)
{
    switch (s) {
    case RolloutState::Running:
        return Icons::healthy();
    case RolloutState::Paused:
        return Icons::warning();
    case RolloutState::RolledBack:
        return Icons::danger();
    case RolloutState::Draft:
    case RolloutState::Completed:
    case RolloutState::Aborted:
        break;
    }
    return Icons::neutral();
}

struct GuardrailRow
{
    QString name;
    int status = 0; // GuardrailResult::Status
    QString words;
    QString rule;
};

QLabel *placeholder(const QString &text, const QString &name, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(name);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setMargin(24);
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, pal.color(QPalette::PlaceholderText));
    label->setPalette(pal);
    return label;
}

} // namespace

RolloutsView::RolloutsView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("rolloutsView"));
    setAccessibleName(tr("Rollouts"));
    buildUi();

    connect(m_ctx.watcher(), &WorkspaceWatcher::changed, this, &RolloutsView::reload);
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &RolloutsView::tick);
    m_timer->start();
    reload();
}

RolloutsView::~RolloutsView() = default;

void RolloutsView::buildUi()
{
    auto *layout = new QHBoxLayout(this);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("rolloutsSplitter"));
    split->setChildrenCollapsible(false);
    layout->addWidget(split);

    // left: the rollouts
    auto *left = new QWidget(split);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *leftHeader = new QHBoxLayout;
    auto *heading = new QLabel(tr("<b>Rollouts</b>"), left);
    leftHeader->addWidget(heading, 1);
    m_start = new QPushButton(Icons::icon(Icons::Glyph::Add), tr("&Start rollout…"), left);
    m_start->setObjectName(QStringLiteral("startRolloutButton"));
    m_start->setAccessibleName(tr("Start rollout"));
    m_start->setToolTip(tr("Start a phased rollout of a flag from a template or a custom plan"));
    leftHeader->addWidget(m_start);
    leftLayout->addLayout(leftHeader);

    m_listStack = new QStackedWidget(left);
    m_list = new QTreeWidget(m_listStack);
    m_list->setObjectName(QStringLiteral("rolloutList"));
    m_list->setAccessibleName(tr("Rollouts"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setHeaderLabels({tr("Flag"), tr("State"), tr("Phase"), tr("Time left")});
    m_list->header()->setSectionResizeMode(FlagColumn, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    for (int c : {StateColumn, PhaseColumn, TimeLeftColumn})
        m_list->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_listStack->addWidget(m_list);
    m_listStack->addWidget(placeholder(tr("No rollouts yet.\nStart one with \"Start rollout…\": pick a flag and a template "
                                          "such as canary (5 % → 25 % → 50 % → 100 %)."),
                                       QStringLiteral("rolloutsPlaceholder"), m_listStack));
    leftLayout->addWidget(m_listStack, 1);
    split->addWidget(left);

    // right: the selected rollout
    m_detailStack = new QStackedWidget(split);
    m_detailStack->addWidget(placeholder(tr("Select a rollout to see its phases, guardrails and decisions."),
                                         QStringLiteral("detailPlaceholder"), m_detailStack));
    auto *detail = new QWidget(m_detailStack);
    detail->setObjectName(QStringLiteral("rolloutDetail"));
    auto *dl = new QVBoxLayout(detail);
    dl->setContentsMargins(6, 0, 0, 0);
    m_title = new QLabel(detail);
    m_title->setObjectName(QStringLiteral("rolloutTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dl->addWidget(m_title);
    m_planLabel = new QLabel(detail);
    m_planLabel->setObjectName(QStringLiteral("rolloutPlan"));
    m_planLabel->setWordWrap(true);
    m_planLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dl->addWidget(m_planLabel);
    m_timeline = new PhaseTimeline(detail);
    dl->addWidget(m_timeline);

    auto *actions = new QHBoxLayout;
    m_reason = new QLineEdit(detail);
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setAccessibleName(tr("Reason"));
    m_reason->setPlaceholderText(tr("Reason (optional, kept in the audit log and the ledger)"));
    m_reason->setClearButtonEnabled(true);
    actions->addWidget(m_reason, 1);
    const auto button = [&](const QString &name, Icons::Glyph glyph, const QString &text, const QString &accessible, const QString &tip) {
        auto *b = new QPushButton(Icons::icon(glyph), text, detail);
        b->setObjectName(name);
        b->setAccessibleName(accessible);
        b->setToolTip(tip);
        actions->addWidget(b);
        return b;
    };
    m_advance = button(QStringLiteral("advanceButton"), Icons::Glyph::Forward, tr("&Advance"), tr("Advance"),
                       tr("Move to the next phase now, without waiting for the hold time"));
    m_pause = button(QStringLiteral("pauseButton"), Icons::Glyph::Pause, tr("&Pause"), tr("Pause"),
                     tr("Stop advancing; the flag keeps its current phase"));
    m_resume = button(QStringLiteral("resumeButton"), Icons::Glyph::Play, tr("&Resume"), tr("Resume"),
                      tr("Continue the rollout; the phase's hold time starts again"));
    m_abort = button(QStringLiteral("abortButton"), Icons::Glyph::Stop, tr("A&bort…"), tr("Abort"),
                     tr("Stop the rollout where it is; the flag keeps its settings"));
    dl->addLayout(actions);

    m_tabs = new QTabWidget(detail);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));

    auto *guardPage = new QWidget(m_tabs);
    auto *gl = new QVBoxLayout(guardPage);
    m_guardrailNote = new QLabel(guardPage);
    m_guardrailNote->setObjectName(QStringLiteral("guardrailNote"));
    m_guardrailNote->setWordWrap(true);
    gl->addWidget(m_guardrailNote);
    m_guardrails = new QTableWidget(0, 3, guardPage);
    m_guardrails->setObjectName(QStringLiteral("guardrailList"));
    m_guardrails->setAccessibleName(tr("Guardrails"));
    m_guardrails->setWordWrap(true);
    m_guardrails->setHorizontalHeaderLabels({tr("Guardrail"), tr("State"), tr("When it acts, and where it stands")});
    m_guardrails->verticalHeader()->hide();
    m_guardrails->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_guardrails->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_guardrails->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_guardrails->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_guardrails->horizontalHeader()->setStretchLastSection(true);
    connect(m_guardrails->horizontalHeader(), &QHeaderView::sectionResized, m_guardrails, [this] { m_guardrails->resizeRowsToContents(); });
    gl->addWidget(m_guardrails, 1);
    m_tabs->addTab(guardPage, tr("&Guardrails"));

    auto *ledgerSplit = new QSplitter(Qt::Vertical, m_tabs);
    ledgerSplit->setChildrenCollapsible(false);
    m_ledgerTable = new QTableWidget(0, 5, ledgerSplit);
    m_ledgerTable->setObjectName(QStringLiteral("ledgerTable"));
    m_ledgerTable->setAccessibleName(tr("Decision ledger"));
    m_ledgerTable->setHorizontalHeaderLabels({tr("Time"), tr("Decision"), tr("How"), tr("Actor / source"), tr("Summary")});
    m_ledgerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_ledgerTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_ledgerTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_ledgerTable->verticalHeader()->hide();
    m_ledgerTable->verticalHeader()->setDefaultSectionSize(m_ledgerTable->fontMetrics().height() + 8);
    m_ledgerTable->horizontalHeader()->setStretchLastSection(true);
    for (int c : {TimeColumn, KindColumn, HowColumn, WhoColumn})
        m_ledgerTable->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_evidence = new QTextBrowser(ledgerSplit);
    m_evidence->setObjectName(QStringLiteral("evidencePane"));
    m_evidence->setAccessibleName(tr("Evidence of the selected decision"));
    m_evidence->setPlaceholderText(tr("Select a decision to see the evidence behind it."));
    ledgerSplit->addWidget(m_ledgerTable);
    ledgerSplit->addWidget(m_evidence);
    ledgerSplit->setStretchFactor(0, 1);
    ledgerSplit->setStretchFactor(1, 1);
    ledgerSplit->setSizes({220, 360});
    m_tabs->addTab(ledgerSplit, tr("&Decisions"));

    m_backtest = new BacktestPanel(m_ctx, m_tabs);
    m_tabs->addTab(m_backtest, tr("Back&test"));
    dl->addWidget(m_tabs, 1);
    m_detailStack->addWidget(detail);
    split->addWidget(m_detailStack);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setSizes({440, 840});

    connect(m_start, &QPushButton::clicked, this, &RolloutsView::openStartDialog);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        m_selectedId = item ? item->data(FlagColumn, kIdRole).toLongLong() : 0;
        showDetail();
    });
    connect(m_advance, &QPushButton::clicked, this, [this] { step(QStringLiteral("advance")); });
    connect(m_pause, &QPushButton::clicked, this, [this] { step(QStringLiteral("pause")); });
    connect(m_resume, &QPushButton::clicked, this, [this] { step(QStringLiteral("resume")); });
    connect(m_abort, &QPushButton::clicked, this, &RolloutsView::confirmAbort);
    connect(m_ledgerTable, &QTableWidget::currentCellChanged, this, [this](int row) {
        const QTableWidgetItem *item = row >= 0 ? m_ledgerTable->item(row, TimeColumn) : nullptr;
        m_selectedLedgerId = item ? item->data(kIdRole).toLongLong() : 0;
        showEvidence();
    });
}

std::optional<Rollout> RolloutsView::selectedRollout() const
{
    for (const Rollout &r : m_rollouts)
        if (r.id == m_selectedId)
            return r;
    return std::nullopt;
}

bool RolloutsView::selectFlag(const QString &flagKey)
{
    for (const Rollout &r : m_rollouts) // active ones come first, then the newest finished
        if (r.flagKey == flagKey) {
            for (int i = 0; i < m_list->topLevelItemCount(); ++i)
                if (m_list->topLevelItem(i)->data(FlagColumn, kIdRole).toLongLong() == r.id) {
                    m_list->setCurrentItem(m_list->topLevelItem(i));
                    return true;
                }
        }
    return false;
}

void RolloutsView::reload()
{
    try {
        m_rollouts = RolloutStore(m_ctx.workspace(), m_ctx.clock()).list();
    } catch (const Error &e) {
        m_ctx.showStatus(tr("Could not read the rollouts: %1").arg(e.message()));
        return;
    }
    std::stable_sort(m_rollouts.begin(), m_rollouts.end(), [](const Rollout &a, const Rollout &b) {
        if (a.isActive() != b.isActive())
            return a.isActive();
        if (a.isActive())
            return a.flagKey < b.flagKey;
        return a.updatedAt > b.updatedAt;
    });
    fillList();
    showDetail();
    Q_EMIT reloaded();
}

void RolloutsView::fillList()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    const QDateTime now = m_ctx.clock().now();
    QTreeWidgetItem *current = nullptr;
    for (const Rollout &r : m_rollouts) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setData(FlagColumn, kIdRole, r.id);
        item->setText(FlagColumn, r.flagKey);
        item->setText(StateColumn, RolloutText::state(r.state));
        item->setIcon(StateColumn, Icons::dot(stateColor(r.state)));
        item->setText(PhaseColumn, RolloutText::phase(r));
        item->setText(TimeLeftColumn, RolloutText::timeLeft(r, now));
        item->setToolTip(FlagColumn, tr("%1: %2").arg(r.flagKey, RolloutText::planInWords(r.plan)));
        if (!r.isActive()) {
            QFont f = item->font(FlagColumn);
            f.setItalic(true);
            item->setFont(FlagColumn, f);
        }
        if (r.id == m_selectedId)
            current = item;
    }
    if (!current && m_list->topLevelItemCount() > 0 && m_selectedId == 0)
        current = m_list->topLevelItem(0);
    if (current) {
        m_list->setCurrentItem(current);
        m_selectedId = current->data(FlagColumn, kIdRole).toLongLong();
    } else {
        m_selectedId = 0;
    }
    m_listStack->setCurrentIndex(m_rollouts.isEmpty() ? 1 : 0);
    m_start->setEnabled(!m_ctx.isReadOnly());
}

void RolloutsView::showDetail()
{
    const std::optional<Rollout> r = selectedRollout();
    if (!r) {
        m_detailStack->setCurrentIndex(0);
        m_timeline->setRollout(std::nullopt, m_ctx.clock().now());
        m_backtest->setFlag(QString(), std::nullopt);
        updateButtons();
        return;
    }
    m_detailStack->setCurrentIndex(1);
    m_title->setText(tr("%1 — %2").arg(r->flagKey, RolloutText::state(r->state)));
    QString plan = r->templateName.isEmpty() ? tr("Custom plan: %1.").arg(RolloutText::planInWords(r->plan))
                                             : tr("Template %1: %2.").arg(r->templateName, RolloutText::planInWords(r->plan));
    plan += QLatin1Char(' ') + tr("Started %1.").arg(QLocale().toString(r->startedAt.toLocalTime(), QLocale::ShortFormat));
    m_planLabel->setText(plan);
    m_timeline->setRollout(r, m_ctx.clock().now());
    m_backtest->setFlag(r->flagKey, r->plan);
    updateButtons();
    loadLedger();
    evaluateGuardrails();
}

void RolloutsView::updateButtons()
{
    const std::optional<Rollout> r = selectedRollout();
    const bool writable = !m_ctx.isReadOnly();
    m_advance->setEnabled(writable && r && r->state == RolloutState::Running && !r->isLastPhase());
    m_pause->setEnabled(writable && r && (r->state == RolloutState::Running || r->state == RolloutState::Draft));
    m_resume->setEnabled(writable && r && r->state == RolloutState::Paused);
    m_abort->setEnabled(writable && r && r->isActive());
    m_reason->setEnabled(writable && r && r->isActive());
}

void RolloutsView::loadLedger()
{
    const std::optional<Rollout> r = selectedRollout();
    if (!r)
        return;
    try {
        m_ledger = DecisionLedger(m_ctx.workspace()).list(r->flagKey, kLedgerLimit);
    } catch (const Error &e) {
        m_ctx.showStatus(tr("Could not read the decision ledger: %1").arg(e.message()));
        return;
    }
    std::reverse(m_ledger.begin(), m_ledger.end()); // newest first
    const QSignalBlocker block(m_ledgerTable);
    m_ledgerTable->setRowCount(int(m_ledger.size()));
    int selectedRow = -1;
    for (int row = 0; row < m_ledger.size(); ++row) {
        const LedgerEntry &e = m_ledger.at(row);
        auto *time = new QTableWidgetItem(QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat));
        time->setData(kIdRole, e.id);
        time->setToolTip(toStoredTime(e.at));
        m_ledgerTable->setItem(row, TimeColumn, time);
        auto *kind = new QTableWidgetItem(EvidenceFormatter::kindWords(e.kind));
        kind->setData(kIdRole, e.kind);
        m_ledgerTable->setItem(row, KindColumn, kind);
        m_ledgerTable->setItem(row, HowColumn, new QTableWidgetItem(e.automatic ? tr("automatic") : tr("manual")));
        m_ledgerTable->setItem(row, WhoColumn, new QTableWidgetItem(e.actor.isEmpty() ? e.source : tr("%1 / %2").arg(e.actor, e.source)));
        auto *summary = new QTableWidgetItem(e.summary);
        summary->setToolTip(e.summary);
        m_ledgerTable->setItem(row, SummaryColumn, summary);
        if (e.id == m_selectedLedgerId)
            selectedRow = row;
    }
    if (selectedRow >= 0)
        m_ledgerTable->selectRow(selectedRow);
    else
        m_selectedLedgerId = 0;
    showEvidence();
}

void RolloutsView::showEvidence()
{
    for (const LedgerEntry &e : m_ledger)
        if (e.id == m_selectedLedgerId) {
            m_evidence->setHtml(EvidenceFormatter::html(e));
            return;
        }
    m_evidence->clear();
}

void RolloutsView::evaluateGuardrails()
{
    const std::optional<Rollout> r = selectedRollout();
    if (!r)
        return;
    const QString key = r->flagKey;
    const qint64 rolloutId = r->id;
    const QDateTime now = m_ctx.clock().now();
    const int generation = ++m_guardGeneration;
    if (m_guardrails->rowCount() == 0)
        m_guardrailNote->setText(tr("Evaluating the guardrails of %1…").arg(key));
    m_ctx.tasks()->run<QList<GuardrailRow>>(
        QStringLiteral("rollouts.guardrails"), this,
        [key, rolloutId, now](Workspace &ws) {
            QList<GuardrailRow> rows;
            RunRecordStore records(ws);
            const StoreWindowSource source(records);
            const GuardrailEvaluator evaluator(source);
            const GuardrailStore guardrails(ws);
            // Carries the controller's breach streaks, so "breached 2 of 3 times in a row" is told.
            const GuardrailHistory previous = guardrails.history(rolloutId);
            for (const Guardrail &g : guardrails.effective(key)) {
                const GuardrailResult res = evaluator.evaluate(g, key, now, previous.breaches.value(g.name), previous.notBefore);
                rows << GuardrailRow{g.name, int(res.status), GuardrailEvaluator::describe(g, res), g.toSpec()};
            }
            return rows;
        },
        [this, generation, key](QList<GuardrailRow> rows) {
            if (generation != m_guardGeneration)
                return;
            m_guardrails->setRowCount(int(rows.size()));
            int breached = 0;
            for (int i = 0; i < rows.size(); ++i) {
                const GuardrailRow &row = rows.at(i);
                auto *name = new QTableWidgetItem(row.name);
                name->setToolTip(row.rule);
                m_guardrails->setItem(i, 0, name);
                auto *state = new QTableWidgetItem;
                const auto status = GuardrailResult::Status(row.status);
                if (status == GuardrailResult::Status::Healthy) {
                    state->setIcon(Icons::dot(Icons::healthy()));
                    state->setText(tr("healthy"));
                } else if (status == GuardrailResult::Status::Breached) {
                    state->setIcon(Icons::dot(Icons::danger()));
                    state->setText(tr("breached"));
                    ++breached;
                } else {
                    state->setIcon(Icons::dot(Icons::neutral()));
                    state->setText(tr("insufficient data"));
                }
                state->setData(Qt::UserRole, row.status);
                m_guardrails->setItem(i, 1, state);
                auto *words = new QTableWidgetItem(row.words);
                words->setToolTip(row.words);
                m_guardrails->setItem(i, 2, words);
            }
            m_guardrails->resizeRowsToContents();
            if (rows.isEmpty())
                m_guardrailNote->setText(tr("No guardrails are in force for %1: the controller advances on hold time alone.").arg(key));
            else if (breached > 0)
                m_guardrailNote->setText(tr("%n guardrail(s) of %1 breached now.", nullptr, breached).arg(key));
            else
                m_guardrailNote->setText(tr("The guardrails of %1, evaluated over the recorded runs just now:").arg(key));
            Q_EMIT guardrailsEvaluated();
        },
        [this, generation](const QString &message) {
            if (generation != m_guardGeneration)
                return;
            m_guardrailNote->setText(tr("Could not evaluate the guardrails: %1").arg(message));
        });
}

void RolloutsView::tick()
{
    const QDateTime now = m_ctx.clock().now();
    m_timeline->setNow(now);
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_list->topLevelItem(i);
        const qint64 id = item->data(FlagColumn, kIdRole).toLongLong();
        for (const Rollout &r : m_rollouts)
            if (r.id == id && r.state == RolloutState::Running) {
                const QString left = RolloutText::timeLeft(r, now);
                if (item->text(TimeLeftColumn) != left)
                    item->setText(TimeLeftColumn, left);
            }
    }
}

void RolloutsView::step(const QString &what)
{
    const std::optional<Rollout> r = selectedRollout();
    if (!r)
        return;
    RolloutStore store(m_ctx.workspace(), m_ctx.clock());
    const ChangeContext change = m_ctx.change(m_reason->text().trimmed());
    try {
        Rollout after;
        if (what == QLatin1String("advance"))
            after = store.advance(r->flagKey, change);
        else if (what == QLatin1String("pause"))
            after = store.pause(r->flagKey, change);
        else if (what == QLatin1String("resume"))
            after = store.resume(r->flagKey, change);
        else
            after = store.abort(r->flagKey, change);
        m_reason->clear();
        m_ctx.showStatus(tr("Rollout of %1: %2 at %3.").arg(r->flagKey, RolloutText::state(after.state).toLower(), after.phase().label()));
    } catch (const Error &e) {
        m_ctx.reportWriteError(e.message());
    }
    reload();
}

void RolloutsView::confirmAbort()
{
    const std::optional<Rollout> r = selectedRollout();
    if (!r)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Abort rollout"),
                                tr("Abort the rollout of %1 at %2?").arg(r->flagKey, r->phase().label()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("abortConfirmation"));
    box->setInformativeText(tr("The plan stops where it is and the flag keeps its current settings. "
                               "Use a rollback to turn the flag off."));
    QPushButton *yes = box->addButton(tr("Abort rollout"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmAbortButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = r->id;
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, id](QAbstractButton *clicked) {
        if (clicked != yes)
            return;
        if (m_selectedId != id) // the selection moved while the question was open: abort what was asked about
            for (const Rollout &x : m_rollouts)
                if (x.id == id)
                    m_selectedId = id;
        step(QStringLiteral("abort"));
    });
    box->open();
}

StartRolloutDialog *RolloutsView::openStartDialog()
{
    auto *dialog = new StartRolloutDialog(m_ctx, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (const std::optional<Rollout> r = selectedRollout())
        dialog->setFlag(r->flagKey);
    connect(dialog, &StartRolloutDialog::started, this, [this](const QString &key) {
        reload();
        selectFlag(key);
    });
    dialog->open();
    return dialog;
}

} // namespace sp
