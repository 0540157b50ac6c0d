#include "SyncView.h"

#include "ConsoleContext.h"
#include "GoogleSignIn.h"
#include "Icons.h"
#include "SourceTableModel.h"

#include "audit/AuditLog.h"
#include "auth/OAuthSettings.h"
#include "auth/SignedInAccount.h"
#include "common/Error.h"
#include "flags/Evaluator.h"
#include "flags/FlagStore.h"
#include "rollout/BackgroundAgent.h"
#include "sync/DualModeManager.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <exception>

namespace sp {

namespace {

constexpr int kMaxListedProblems = 500;
const QString kRunKey = QStringLiteral("sync.view.run");
const QString kPreviewKey = QStringLiteral("sync.view.source");
const QString kReloadKey = QStringLiteral("sync.view.reload");

enum ConfigColumn { ConfigNameColumn, ConfigModeColumn, ConfigFlagColumn, ConfigSourceColumn, ConfigLastRunColumn, ConfigColumnCount };

QLabel *placeholder(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setMargin(24);
    return label;
}

// A label painted in a semantic colour as a translucent band (readable on light and dark palettes).
void paintBand(QLabel *label, const QColor &semantic)
{
    QColor band = semantic;
    band.setAlpha(60);
    QPalette p = label->palette();
    p.setColor(QPalette::Window, band);
    label->setPalette(p);
    label->setAutoFillBackground(true);
    label->setMargin(6);
    label->setWordWrap(true);
}

QString percentText(double share)
{
    const double v = share * 100.0;
    const bool whole = std::abs(v - std::round(v)) < 1e-9;
    return QLocale().toString(v, 'f', whole ? 0 : 1);
}

// "2026-11-21T10:00:00.123Z" in the user's locale and time zone.
QString timeText(const QString &iso)
{
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(iso, Qt::ISODate);
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : iso;
}

QColor stateColor(const QString &state)
{
    if (state == QLatin1String("ok"))
        return Icons::healthy();
    if (state == QLatin1String("failed"))
        return Icons::danger();
    if (state == QLatin1String("undone"))
        return Icons::warning();
    return Icons::neutral();
}

} // namespace

SyncView::SyncView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("syncView"));
    setAccessibleName(tr("Sync"));
    m_signIn = new GoogleSignIn(this);
    buildUi();

    connect(m_ctx.watcher(), &WorkspaceWatcher::changed, this, [this] { reload(); });
    connect(&m_ctx, &ConsoleContext::agentChanged, this, [this] { connectAgent(); });
    connect(&m_ctx, &ConsoleContext::accountChanged, this, [this] {
        updateSignInState();
        requestSourcePreview(false);
    });
    connect(m_signIn, &GoogleSignIn::browserRequested, this, [this](const QUrl &url) {
        if (!openBrowser(url))
            m_signInState->setText(tr("Could not start a browser. Open this address to sign in: %1").arg(url.toString(QUrl::FullyEncoded)));
    });
    connect(m_signIn, &GoogleSignIn::signedIn, this, [this](const QString &account) {
        SignedInAccount::remember(account);
        try {
            Workspace &ws = m_ctx.workspace();
            ChangeContext change = m_ctx.change();
            change.account = account;
            ws.write([&] {
                AuditLog(ws).append(change, QStringLiteral("auth.google.sign-in"), QStringLiteral("auth:google"), QJsonValue(),
                                    QJsonObject{{QStringLiteral("account"), account}});
            });
        } catch (const Error &e) {
            m_ctx.reportWriteError(e.message());
        }
        m_ctx.showStatus(tr("Signed in to Google as %1.").arg(account));
        m_ctx.notifyAccountChanged();
        updateSignInState();
        requestSourcePreview(true);
    });
    connect(m_signIn, &GoogleSignIn::failed, this, [this](const QString &message) {
        updateSignInState();
        m_signInState->setText(message);
        m_signInState->setToolTip(message);
    });
    connect(m_signIn, &GoogleSignIn::cancelled, this, [this] {
        updateSignInState();
        m_ctx.showStatus(tr("Google sign-in cancelled."));
    });
    connectAgent();
    reload();
}

SyncView::~SyncView() = default;

// ---------------------------------------------------------------------------------------------
// Layout

void SyncView::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("syncSplitter"));
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter);

    m_configList = new QTreeWidget(splitter);
    m_configList->setObjectName(QStringLiteral("configList"));
    m_configList->setAccessibleName(tr("Sync configs"));
    m_configList->setRootIsDecorated(false);
    m_configList->setUniformRowHeights(true);
    m_configList->setColumnCount(ConfigColumnCount);
    m_configList->setHeaderLabels({tr("Config"), tr("Mode"), tr("Flag"), tr("Source"), tr("Last run")});
    m_configList->header()->setStretchLastSection(true);
    m_configList->setMinimumHeight(m_configList->fontMetrics().height() * 4);
    connect(m_configList, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item)
            return;
        const QString name = item->data(ConfigNameColumn, Qt::UserRole).toString();
        if (name == m_current)
            return;
        m_current = name;
        m_runSummary->clear();
        m_runSummary->hide();
        m_runPreview->clear();
        m_runPreviewStack->setCurrentIndex(0);
        m_modeRefusal->clear();
        m_modeRefusal->hide();
        m_filledRehearsal.clear();
        m_rehearsalMessage->clear();
        showConfig();
    });

    m_detailStack = new QStackedWidget(splitter);
    m_emptyLabel = placeholder(tr("No sync configs yet.\nAdd one with `syncpilot-cli sync config add NAME --flag KEY --source "
                                  "csv:PATH --target ID=dtcg:PATH`; it shows up here at once."),
                               m_detailStack);
    m_emptyLabel->setObjectName(QStringLiteral("noConfigPlaceholder"));
    m_detailStack->addWidget(m_emptyLabel);
    m_detailStack->addWidget(buildDetail());
    splitter->addWidget(m_configList);
    splitter->addWidget(m_detailStack);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({m_configList->fontMetrics().height() * 6, 700});
}

QWidget *SyncView::buildDetail()
{
    auto *detail = new QWidget(this);
    auto *v = new QVBoxLayout(detail);

    m_titleLabel = new QLabel(detail);
    m_titleLabel->setObjectName(QStringLiteral("configTitle"));
    QFont big = m_titleLabel->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    m_titleLabel->setFont(big);
    m_titleLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_titleLabel);

    m_rehearsalBanner = new QLabel(detail);
    m_rehearsalBanner->setObjectName(QStringLiteral("rehearsalBanner"));
    m_rehearsalBanner->setAccessibleName(tr("Rehearsal banner"));
    paintBand(m_rehearsalBanner, Icons::warning());
    m_rehearsalBanner->hide();
    v->addWidget(m_rehearsalBanner);

    m_fallbackLabel = new QLabel(detail);
    m_fallbackLabel->setObjectName(QStringLiteral("fallbackLabel"));
    paintBand(m_fallbackLabel, Icons::danger());
    m_fallbackLabel->hide();
    v->addWidget(m_fallbackLabel);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_sourceLabel = new QLabel(detail);
    m_sourceLabel->setObjectName(QStringLiteral("sourceLabel"));
    m_sourceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sourceLabel->setWordWrap(true);
    form->addRow(tr("Source:"), m_sourceLabel);

    m_signInRow = new QWidget(detail);
    auto *signInLayout = new QHBoxLayout(m_signInRow);
    signInLayout->setContentsMargins(0, 0, 0, 0);
    m_signInState = new QLabel(m_signInRow);
    m_signInState->setObjectName(QStringLiteral("signInState"));
    m_signInState->setWordWrap(true);
    m_signInState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_signInButton = new QPushButton(Icons::icon(Icons::Glyph::SignIn), tr("Sign in with Google"), m_signInRow);
    m_signInButton->setObjectName(QStringLiteral("signInButton"));
    m_signInButton->setAccessibleName(tr("Sign in with Google"));
    m_cancelSignInButton = new QPushButton(tr("Cancel sign-in"), m_signInRow);
    m_cancelSignInButton->setObjectName(QStringLiteral("cancelSignInButton"));
    m_cancelSignInButton->hide();
    signInLayout->addWidget(m_signInState, 1);
    signInLayout->addWidget(m_signInButton);
    signInLayout->addWidget(m_cancelSignInButton);
    connect(m_signInButton, &QPushButton::clicked, this, &SyncView::signIn);
    connect(m_cancelSignInButton, &QPushButton::clicked, this, &SyncView::cancelSignIn);
    form->addRow(tr("Google:"), m_signInRow);

    auto *modeRow = new QWidget(detail);
    auto *modeLayout = new QHBoxLayout(modeRow);
    modeLayout->setContentsMargins(0, 0, 0, 0);
    m_modeCombo = new QComboBox(modeRow);
    m_modeCombo->setObjectName(QStringLiteral("modeCombo"));
    m_modeCombo->setAccessibleName(tr("Mode"));
    m_modeCombo->addItem(tr("legacy"), int(SyncMode::Legacy));
    m_modeCombo->addItem(tr("hybrid"), int(SyncMode::Hybrid));
    m_modeCombo->addItem(tr("sync"), int(SyncMode::Sync));
    m_modeCombo->setToolTip(tr("legacy: full replace of every target; hybrid: legacy is written and the sync path is "
                               "computed and compared; sync: targets the flag turns on get only the changes"));
    connect(m_modeCombo, &QComboBox::activated, this, &SyncView::modeActivated);
    m_hybridProof = new QLabel(modeRow);
    m_hybridProof->setObjectName(QStringLiteral("hybridProof"));
    m_hybridProof->setWordWrap(true);
    modeLayout->addWidget(m_modeCombo);
    modeLayout->addWidget(m_hybridProof, 1);
    form->addRow(tr("Mode:"), modeRow);
    m_modeRefusal = new QLabel(detail);
    m_modeRefusal->setObjectName(QStringLiteral("modeRefusal"));
    m_modeRefusal->setAccessibleName(tr("Why the mode cannot be chosen"));
    paintBand(m_modeRefusal, Icons::danger());
    m_modeRefusal->hide();
    form->addRow(QString(), m_modeRefusal);
    v->addLayout(form);

    auto *actions = new QHBoxLayout;
    m_previewButton = new QPushButton(Icons::icon(Icons::Glyph::Verify), tr("Preview run"), detail);
    m_previewButton->setObjectName(QStringLiteral("previewRunButton"));
    m_previewButton->setToolTip(tr("Read, map and show the changes each target would get; nothing is written."));
    m_runNowButton = new QPushButton(Icons::icon(Icons::Glyph::Play), tr("Run now"), detail);
    m_runNowButton->setObjectName(QStringLiteral("runNowButton"));
    m_runNowButton->setAccessibleName(tr("Run now"));
    m_runNowButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runNowButton->setToolTip(tr("Run the sync now and write every target on its path (Ctrl+R)."));
    m_reloadSourceButton = new QPushButton(Icons::icon(Icons::Glyph::Refresh), tr("Read source again"), detail);
    m_reloadSourceButton->setObjectName(QStringLiteral("reloadSourceButton"));
    m_busy = new QProgressBar(detail);
    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setAccessibleName(tr("Working"));
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(120);
    m_busy->hide();
    connect(m_previewButton, &QPushButton::clicked, this, &SyncView::previewRun);
    connect(m_runNowButton, &QPushButton::clicked, this, &SyncView::runNow);
    connect(m_reloadSourceButton, &QPushButton::clicked, this, &SyncView::readSourceAgain);
    actions->addWidget(m_previewButton);
    actions->addWidget(m_runNowButton);
    actions->addWidget(m_reloadSourceButton);
    actions->addWidget(m_busy);
    actions->addStretch(1);
    v->addLayout(actions);
    m_runSummary = new QLabel(detail);
    m_runSummary->setObjectName(QStringLiteral("runSummary"));
    m_runSummary->setAccessibleName(tr("Result of the last run"));
    m_runSummary->setWordWrap(true);
    m_runSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runSummary->hide();
    v->addWidget(m_runSummary);

    m_tabs = new QTabWidget(detail);
    m_tabs->setObjectName(QStringLiteral("syncTabs"));
    v->addWidget(m_tabs, 1);

    // Targets
    m_targetStack = new QStackedWidget(m_tabs);
    m_targetStack->addWidget(placeholder(tr("This config has no targets yet. Add one with `syncpilot-cli sync target add CONFIG "
                                            "ID=dtcg:PATH`."),
                                         m_targetStack));
    auto *targetPage = new QWidget(m_targetStack);
    auto *tv = new QVBoxLayout(targetPage);
    tv->setContentsMargins(0, 0, 0, 0);
    m_targetTable = new QTableWidget(0, TargetColumnCount, targetPage);
    m_targetTable->setObjectName(QStringLiteral("targetTable"));
    m_targetTable->setAccessibleName(tr("Targets"));
    m_targetTable->setHorizontalHeaderLabels(
        {tr("Target"), tr("Kind"), tr("Location"), tr("Path now"), tr("Last path"), tr("State"), tr("Last run"), tr("Error")});
    m_targetTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_targetTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_targetTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_targetTable->verticalHeader()->hide();
    m_targetTable->verticalHeader()->setDefaultSectionSize(m_targetTable->fontMetrics().height() + 8);
    m_targetTable->horizontalHeader()->setStretchLastSection(true);
    m_targetTable->setWordWrap(false);
    m_targetTable->setTextElideMode(Qt::ElideMiddle);
    connect(m_targetTable, &QTableWidget::itemSelectionChanged, this, &SyncView::updateActions);
    tv->addWidget(m_targetTable, 1);
    auto *targetActions = new QHBoxLayout;
    m_undoButton = new QPushButton(Icons::icon(Icons::Glyph::Undo), tr("Undo last write"), targetPage);
    m_undoButton->setObjectName(QStringLiteral("undoButton"));
    m_undoButton->setToolTip(tr("Put back what the selected target held before SyncPilot's last write (undo again to redo)."));
    connect(m_undoButton, &QPushButton::clicked, this, &SyncView::undoSelectedTarget);
    targetActions->addWidget(m_undoButton);
    targetActions->addStretch(1);
    tv->addLayout(targetActions);
    m_targetStack->addWidget(targetPage);
    m_tabs->addTab(m_targetStack, tr("Targets"));

    // Mapping preview
    m_mappingStack = new QStackedWidget(m_tabs);
    m_mappingPlaceholder = placeholder(QString(), m_mappingStack);
    m_mappingPlaceholder->setObjectName(QStringLiteral("mappingPlaceholder"));
    m_mappingStack->addWidget(m_mappingPlaceholder);
    auto *mappingSplit = new QSplitter(Qt::Vertical, m_mappingStack);
    mappingSplit->setChildrenCollapsible(false);
    m_sourceModel = new SourceTableModel(this);
    m_mappingView = new QTableView(mappingSplit);
    m_mappingView->setObjectName(QStringLiteral("mappingPreview"));
    m_mappingView->setAccessibleName(tr("Mapping preview"));
    m_mappingView->setModel(m_sourceModel);
    m_mappingView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_mappingView->setWordWrap(false);
    m_mappingView->horizontalHeader()->setDefaultSectionSize(140);
    m_mappingView->verticalHeader()->setDefaultSectionSize(m_mappingView->fontMetrics().height() + 8);
    m_mappingView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    auto *problemsBox = new QWidget(mappingSplit);
    auto *pv = new QVBoxLayout(problemsBox);
    pv->setContentsMargins(0, 0, 0, 0);
    m_problemsLabel = new QLabel(problemsBox);
    m_problemsLabel->setObjectName(QStringLiteral("problemsLabel"));
    m_problemsLabel->setWordWrap(true);
    m_problems = new QListWidget(problemsBox);
    m_problems->setObjectName(QStringLiteral("mappingProblems"));
    m_problems->setAccessibleName(tr("Mapping problems"));
    m_problems->setUniformItemSizes(true);
    connect(m_problems, &QListWidget::currentRowChanged, this, &SyncView::problemSelected);
    connect(m_problems, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) { problemSelected(m_problems->row(item)); });
    pv->addWidget(m_problemsLabel);
    pv->addWidget(m_problems, 1);
    mappingSplit->addWidget(m_mappingView);
    mappingSplit->addWidget(problemsBox);
    mappingSplit->setStretchFactor(0, 3);
    mappingSplit->setStretchFactor(1, 1);
    m_mappingStack->addWidget(mappingSplit);
    m_tabs->addTab(m_mappingStack, tr("Mapping preview"));

    // Run preview
    m_runPreviewStack = new QStackedWidget(m_tabs);
    auto *runPlaceholder = placeholder(tr("Press \"Preview run\" to see what each target would get: the variables created, updated "
                                          "and deleted. Nothing is written."),
                                       m_runPreviewStack);
    runPlaceholder->setObjectName(QStringLiteral("runPreviewPlaceholder"));
    m_runPreviewStack->addWidget(runPlaceholder);
    m_runPreview = new QTreeWidget(m_runPreviewStack);
    m_runPreview->setObjectName(QStringLiteral("runPreview"));
    m_runPreview->setAccessibleName(tr("Run preview"));
    m_runPreview->setColumnCount(3);
    m_runPreview->setHeaderLabels({tr("Target / change"), tr("Path"), tr("Summary")});
    m_runPreview->header()->setStretchLastSection(true);
    m_runPreview->setColumnWidth(0, 360);
    m_runPreviewStack->addWidget(m_runPreview);
    m_tabs->addTab(m_runPreviewStack, tr("Run preview"));

    // Rehearsal
    auto *scroll = new QScrollArea(m_tabs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(buildRehearsalGroup());
    m_tabs->addTab(scroll, tr("Inject failures"));
    return detail;
}

QWidget *SyncView::buildRehearsalGroup()
{
    m_rehearsalGroup = new QGroupBox(tr("Failures injected into the sync path"));
    m_rehearsalGroup->setObjectName(QStringLiteral("rehearsalGroup"));
    m_rehearsalGroup->setAccessibleName(tr("Inject failures"));
    auto *v = new QVBoxLayout(m_rehearsalGroup);
    auto *intro = new QLabel(tr("Rehearse a guardrail trip and a rollback without breaking anything real: the sync path of the "
                                "chosen targets fails, slows down or meets 429 responses on purpose. Every run record, the audit "
                                "log and this view say \"rehearsal\" while it is on."),
                             m_rehearsalGroup);
    intro->setWordWrap(true);
    v->addWidget(intro);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_errorRate = new QDoubleSpinBox(m_rehearsalGroup);
    m_errorRate->setObjectName(QStringLiteral("rehearsalErrorRate"));
    m_errorRate->setAccessibleName(tr("Error rate"));
    m_errorRate->setRange(0, 100);
    m_errorRate->setDecimals(1);
    m_errorRate->setSuffix(tr(" %"));
    m_latency = new QSpinBox(m_rehearsalGroup);
    m_latency->setObjectName(QStringLiteral("rehearsalLatency"));
    m_latency->setAccessibleName(tr("Added latency"));
    m_latency->setRange(0, 60'000);
    m_latency->setSingleStep(50);
    m_latency->setSuffix(tr(" ms"));
    m_rate429 = new QDoubleSpinBox(m_rehearsalGroup);
    m_rate429->setObjectName(QStringLiteral("rehearsal429Rate"));
    m_rate429->setAccessibleName(tr("429 rate"));
    m_rate429->setRange(0, 100);
    m_rate429->setDecimals(1);
    m_rate429->setSuffix(tr(" %"));
    m_rehearsalTargets = new QLineEdit(m_rehearsalGroup);
    m_rehearsalTargets->setObjectName(QStringLiteral("rehearsalTargets"));
    m_rehearsalTargets->setAccessibleName(tr("Rehearsal targets"));
    m_rehearsalTargets->setPlaceholderText(tr("all targets (or target ids separated by commas)"));
    m_rehearsalTargets->setMinimumWidth(m_rehearsalTargets->fontMetrics().horizontalAdvance(m_rehearsalTargets->placeholderText()) + 40);
    form->addRow(tr("Error rate:"), m_errorRate);
    form->addRow(tr("Added latency:"), m_latency);
    form->addRow(tr("429 rate:"), m_rate429);
    form->addRow(tr("Targets:"), m_rehearsalTargets);
    v->addLayout(form);
    auto *buttons = new QHBoxLayout;
    m_rehearsalApply = new QPushButton(tr("Apply"), m_rehearsalGroup);
    m_rehearsalApply->setObjectName(QStringLiteral("rehearsalApply"));
    m_rehearsalOff = new QPushButton(tr("End rehearsal"), m_rehearsalGroup);
    m_rehearsalOff->setObjectName(QStringLiteral("rehearsalOff"));
    connect(m_rehearsalApply, &QPushButton::clicked, this, &SyncView::applyRehearsal);
    connect(m_rehearsalOff, &QPushButton::clicked, this, &SyncView::endRehearsal);
    buttons->addWidget(m_rehearsalApply);
    buttons->addWidget(m_rehearsalOff);
    buttons->addStretch(1);
    v->addLayout(buttons);
    m_rehearsalMessage = new QLabel(m_rehearsalGroup);
    m_rehearsalMessage->setObjectName(QStringLiteral("rehearsalMessage"));
    m_rehearsalMessage->setWordWrap(true);
    v->addWidget(m_rehearsalMessage);
    v->addStretch(1);
    return m_rehearsalGroup;
}

// ---------------------------------------------------------------------------------------------
// Loading

void SyncView::reload()
{
    m_ctx.tasks()->run<Snapshot>(
        kReloadKey, this,
        [](Workspace &ws) {
            Snapshot s;
            s.configs = SyncConfigStore(ws).list();
            if (s.configs.isEmpty())
                return s;
            const Evaluator evaluator(FlagStore(ws).snapshot());
            for (const SyncConfig &c : std::as_const(s.configs)) {
                QHash<QString, QString> paths;
                const int flag = evaluator.indexOf(c.flagKey);
                for (const SyncTargetSpec &t : c.targets) {
                    const QByteArray key = t.id.toUtf8();
                    const bool on = flag >= 0
                                    && evaluator.evaluate(flag, EvalContext{std::string_view(key.constData(), size_t(key.size())), nullptr}).on;
                    paths.insert(t.id, runPathName(DualModeManager::pathFor(c, on)));
                }
                s.pathNow.insert(c.name, paths);
            }
            return s;
        },
        [this](Snapshot s) { applySnapshot(std::move(s)); }, [this](const QString &message) { m_ctx.showStatus(message, 0); });
}

void SyncView::applySnapshot(Snapshot snapshot)
{
    m_configs = std::move(snapshot.configs);
    m_pathNow = std::move(snapshot.pathNow);
    m_loaded = true;
    const QSignalBlocker blocker(m_configList);
    m_configList->clear();
    QTreeWidgetItem *selected = nullptr;
    for (const SyncConfig &c : std::as_const(m_configs)) {
        auto *item = new QTreeWidgetItem(m_configList);
        item->setText(ConfigNameColumn, c.name);
        item->setData(ConfigNameColumn, Qt::UserRole, c.name);
        item->setText(ConfigModeColumn, syncModeName(c.mode));
        item->setText(ConfigFlagColumn, c.flagKey);
        item->setText(ConfigSourceColumn, c.source.toText());
        item->setToolTip(ConfigSourceColumn, c.source.toText());
        const QString last = c.lastRunAt.isEmpty() ? tr("never run") : tr("%1 %2").arg(c.lastOutcome, timeText(c.lastRunAt));
        item->setText(ConfigLastRunColumn, last);
        item->setToolTip(ConfigLastRunColumn, last);
        // last_outcome: ok, partial (some targets failed) or failed (nothing written)
        const QColor outcome = c.lastRunAt.isEmpty() ? Icons::neutral()
                               : c.lastOutcome == QLatin1String("ok") ? Icons::healthy()
                               : c.lastOutcome == QLatin1String("partial") ? Icons::warning()
                                                                            : Icons::danger();
        item->setIcon(ConfigNameColumn, Icons::dot(outcome));
        if (c.rehearsal.enabled)
            item->setToolTip(ConfigNameColumn, rehearsalBannerText(c.rehearsal));
        if (c.name == m_current)
            selected = item;
    }
    if (!selected && m_configList->topLevelItemCount() > 0)
        selected = m_configList->topLevelItem(0);
    if (selected) {
        m_configList->setCurrentItem(selected);
        if (m_current != selected->data(ConfigNameColumn, Qt::UserRole).toString())
            m_filledRehearsal.clear();
        m_current = selected->data(ConfigNameColumn, Qt::UserRole).toString();
    } else {
        m_current.clear();
    }
    m_configList->resizeColumnToContents(ConfigNameColumn);
    m_configList->resizeColumnToContents(ConfigModeColumn);
    m_configList->resizeColumnToContents(ConfigFlagColumn);
    m_configList->setColumnWidth(ConfigSourceColumn, 360);
    showConfig();
}

bool SyncView::selectConfig(const QString &name)
{
    for (int i = 0; i < m_configList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_configList->topLevelItem(i);
        if (item->data(ConfigNameColumn, Qt::UserRole).toString() == name) {
            m_configList->setCurrentItem(item);
            return true;
        }
    }
    return false;
}

const SyncConfig *SyncView::config() const
{
    for (const SyncConfig &c : m_configs)
        if (c.name == m_current)
            return &c;
    return nullptr;
}

QString SyncView::signature(const SyncConfig &c)
{
    return c.name + QLatin1Char('\n') + c.source.toText() + QLatin1Char('\n')
           + QString::fromUtf8(QJsonDocument(c.mapping).toJson(QJsonDocument::Compact));
}

void SyncView::showConfig()
{
    const SyncConfig *c = config();
    if (!c) {
        m_detailStack->setCurrentIndex(0);
        m_emptyLabel->setText(m_loaded ? tr("No sync configs yet.\nAdd one with `syncpilot-cli sync config add NAME --flag KEY "
                                            "--source csv:PATH --target ID=dtcg:PATH`; it shows up here at once.")
                                       : tr("Loading sync configs…"));
        m_sourceModel->clear();
        m_previewSignature.clear();
        return;
    }
    m_detailStack->setCurrentIndex(1);
    m_titleLabel->setText(tr("%1 — flag %2, %n target(s)", nullptr, int(c->targets.size())).arg(c->name, c->flagKey));

    if (c->rehearsal.enabled) {
        m_rehearsalBanner->setText(rehearsalBannerText(c->rehearsal));
        m_rehearsalBanner->show();
    } else {
        m_rehearsalBanner->clear();
        m_rehearsalBanner->hide();
    }
    m_fallbackLabel->setVisible(!c->fallbackReason.isEmpty());
    m_fallbackLabel->setText(tr("Sync path off: %1").arg(c->fallbackReason));

    if (c->source.kind == SourceSpec::Kind::Csv) {
        m_sourceLabel->setText(tr("CSV file %1").arg(c->source.path));
        m_signInRow->setEnabled(false);
    } else {
        m_sourceLabel->setText(c->source.ranges.isEmpty()
                                   ? tr("Google spreadsheet %1 (first sheet)").arg(c->source.spreadsheetId)
                                   : tr("Google spreadsheet %1, %2").arg(c->source.spreadsheetId, c->source.ranges.join(QStringLiteral(", "))));
        m_signInRow->setEnabled(true);
    }
    updateSignInState();

    const int modeIndex = m_modeCombo->findData(int(c->mode));
    m_modeCombo->setCurrentIndex(modeIndex);
    if (c->mode == SyncMode::Legacy)
        m_hybridProof->setText(tr("Switch to hybrid to start proving the sync path (%n consistent run(s) needed).", nullptr,
                                  c->requiredConsistentRuns));
    else
        m_hybridProof->setText(tr("Hybrid proof: %1 of %2 consistent runs in a row; %3 mismatching in a row.")
                                   .arg(c->consistentInRow)
                                   .arg(c->requiredConsistentRuns)
                                   .arg(c->mismatchingInRow));

    fillTargets(*c);
    fillRehearsal(*c);
    requestSourcePreview(false);
    updateActions();
}

void SyncView::fillTargets(const SyncConfig &c)
{
    QString selected;
    if (const QList<QTableWidgetItem *> items = m_targetTable->selectedItems(); !items.isEmpty())
        selected = m_targetTable->item(items.first()->row(), TargetIdColumn)->text();
    const QSignalBlocker blocker(m_targetTable);
    m_targetTable->setRowCount(int(c.targets.size()));
    const QHash<QString, QString> paths = m_pathNow.value(c.name);
    int selectRow = -1;
    for (int row = 0; row < c.targets.size(); ++row) {
        const SyncTargetSpec &t = c.targets.at(row);
        auto set = [&](int column, const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setToolTip(text);
            m_targetTable->setItem(row, column, item);
            return item;
        };
        set(TargetIdColumn, t.id);
        set(KindColumn, t.kind == SyncTargetSpec::Kind::Dtcg ? tr("DTCG file") : tr("Figma file"));
        set(LocationColumn, t.location);
        set(PathNowColumn, paths.value(t.id));
        set(LastPathColumn, t.lastPath.isEmpty() ? tr("—") : t.lastPath);
        QTableWidgetItem *state = set(StateColumn, t.state.isEmpty() ? tr("new") : t.state);
        state->setIcon(Icons::dot(stateColor(t.state)));
        set(LastRunColumn, t.lastRunAt.isEmpty() ? tr("never") : timeText(t.lastRunAt))->setToolTip(t.lastRunAt);
        set(ErrorColumn, t.lastError);
        if (t.id == selected)
            selectRow = row;
    }
    if (selectRow >= 0)
        m_targetTable->selectRow(selectRow);
    m_targetStack->setCurrentIndex(c.targets.isEmpty() ? 0 : 1);
    m_targetTable->resizeColumnToContents(TargetIdColumn);
    m_targetTable->resizeColumnToContents(KindColumn);
    m_targetTable->setColumnWidth(LocationColumn, 260);
    m_targetTable->resizeColumnToContents(PathNowColumn);
    m_targetTable->resizeColumnToContents(LastPathColumn);
    m_targetTable->resizeColumnToContents(StateColumn);
    m_targetTable->resizeColumnToContents(LastRunColumn);
}

void SyncView::fillRehearsal(const SyncConfig &c)
{
    const QString json = QString::fromUtf8(QJsonDocument(c.rehearsal.toJson()).toJson(QJsonDocument::Compact));
    if (json == m_filledRehearsal)
        return; // keep what the operator is typing unless the stored settings changed
    m_filledRehearsal = json;
    m_errorRate->setValue(c.rehearsal.errorRate * 100.0);
    m_latency->setValue(c.rehearsal.latencyMs);
    m_rate429->setValue(c.rehearsal.http429Rate * 100.0);
    m_rehearsalTargets->setText(c.rehearsal.targets.join(QStringLiteral(", ")));
    m_rehearsalOff->setEnabled(c.rehearsal.enabled && !m_ctx.isReadOnly());
}

void SyncView::updateSignInState()
{
    const SyncConfig *c = config();
    const bool sheets = c && c->source.kind == SourceSpec::Kind::Sheets;
    const bool running = m_signIn->isRunning();
    m_cancelSignInButton->setVisible(running);
    m_signInButton->setVisible(sheets && !running);
    if (running) {
        m_signInState->setText(tr("Waiting for the browser… Finish signing in there, or cancel."));
        return;
    }
    const QString account = SignedInAccount::current();
    if (!sheets)
        m_signInState->setText(account.isEmpty() ? tr("Not needed for a CSV source (not signed in).")
                                                  : tr("Not needed for a CSV source (signed in as %1).").arg(account));
    else if (account.isEmpty())
        m_signInState->setText(tr("Not signed in: sign in to read this spreadsheet."));
    else
        m_signInState->setText(tr("Signed in as %1").arg(account));
    m_signInState->setToolTip(QString());
    m_signInButton->setText(account.isEmpty() ? tr("Sign in with Google") : tr("Sign in again"));
}

void SyncView::updateActions()
{
    const bool readOnly = m_ctx.isReadOnly();
    const bool have = config() != nullptr;
    const bool busy = m_runBusy;
    m_runNowButton->setEnabled(have && !busy && !readOnly);
    m_previewButton->setEnabled(have && !busy);
    m_reloadSourceButton->setEnabled(have && !m_sourceBusy);
    m_modeCombo->setEnabled(have && !readOnly);
    m_undoButton->setEnabled(have && !busy && !readOnly && !m_targetTable->selectedItems().isEmpty());
    m_rehearsalApply->setEnabled(have && !readOnly);
    m_busy->setVisible(m_runBusy || m_sourceBusy);
    if (readOnly)
        m_runNowButton->setToolTip(tr("The workspace is read-only."));
}

bool SyncView::isBusy() const { return m_runBusy || m_sourceBusy; }

// ---------------------------------------------------------------------------------------------
// Mapping preview

void SyncView::showSourceMessage(const QString &text)
{
    m_mappingPlaceholder->setText(text);
    m_mappingStack->setCurrentIndex(0);
}

void SyncView::readSourceAgain() { requestSourcePreview(true); }

void SyncView::requestSourcePreview(bool force)
{
    const SyncConfig *c = config();
    if (!c)
        return;
    const QString sig = signature(*c);
    if (!force && sig == m_previewSignature)
        return;
    if (c->source.kind == SourceSpec::Kind::Sheets && SignedInAccount::current().isEmpty()) {
        m_previewSignature.clear();
        m_sourceModel->clear();
        m_problems->clear();
        showSourceMessage(tr("Sign in with Google to see this spreadsheet and its mapping."));
        return;
    }
    m_previewSignature = sig;
    m_sourceBusy = true;
    updateActions();
    if (m_sourceModel->rowCount() == 0)
        showSourceMessage(tr("Reading %1…").arg(c->source.toText()));
    const SyncConfig copy = *c;
    m_ctx.tasks()->run<PreviewResult>(
        kPreviewKey, this,
        [copy, sig](Workspace &ws) {
            PreviewResult r;
            r.config = copy.name;
            r.signature = sig;
            try {
                r.preview = SyncEngine(ws).preview(copy);
                r.ok = true;
            } catch (const Error &e) {
                r.error = e.message();
            } catch (const std::exception &e) {
                r.error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this](PreviewResult r) { showSourcePreview(std::move(r)); },
        [this](const QString &message) {
            m_sourceBusy = false;
            updateActions();
            showSourceMessage(message);
        });
}

void SyncView::showSourcePreview(PreviewResult result)
{
    if (result.signature != m_previewSignature)
        return; // an older read; a newer one is on its way
    m_sourceBusy = false;
    updateActions();
    m_problems->clear();
    if (!result.ok) {
        m_sourceModel->clear();
        showSourceMessage(tr("The source of %1 could not be read: %2").arg(result.config, result.error));
        return;
    }
    const QList<MappingProblem> &problems = result.preview.mapping.problems;
    const int rows = result.preview.mapping.rowsRead;
    const int variables = int(result.preview.mapping.collection.variables.size());
    m_sourceModel->setSource(std::move(result.preview.table), problems);
    if (m_sourceModel->rowCount() == 0) {
        showSourceMessage(problems.isEmpty() ? tr("The source is empty.")
                                             : tr("The source is empty: %1").arg(problems.first().text()));
        return;
    }
    m_mappingStack->setCurrentIndex(1);
    if (problems.isEmpty()) {
        m_problemsLabel->setText(tr("No problems: %n row(s) map to variables.", nullptr, rows) + QLatin1Char(' ')
                                 + tr("%n variable(s) would be written.", nullptr, variables));
        m_problems->hide();
        return;
    }
    m_problems->show();
    m_problemsLabel->setText(tr("%n problem(s): nothing is written until the sheet is fixed. Click a problem to see its cell.", nullptr,
                                int(problems.size())));
    const int listed = std::min<int>(int(problems.size()), kMaxListedProblems);
    for (int i = 0; i < listed; ++i) {
        const MappingProblem &p = problems.at(i);
        auto *item = new QListWidgetItem(Icons::dot(Icons::warning()), p.text(), m_problems);
        item->setData(Qt::UserRole, p.row);
        item->setData(Qt::UserRole + 1, p.column);
    }
    if (problems.size() > listed) {
        auto *more = new QListWidgetItem(tr("… and %n more problem(s).", nullptr, int(problems.size() - listed)), m_problems);
        more->setData(Qt::UserRole, -1);
        more->setFlags(Qt::ItemIsEnabled);
    }
}

void SyncView::problemSelected(int row)
{
    QListWidgetItem *item = m_problems->item(row);
    if (!item)
        return;
    const int r = item->data(Qt::UserRole).toInt();
    const int c = item->data(Qt::UserRole + 1).toInt();
    if (r < 0 || r >= m_sourceModel->rowCount())
        return;
    if (c < 0) {
        m_mappingView->selectRow(r);
        m_mappingView->scrollTo(m_sourceModel->index(r, 0));
        return;
    }
    const QModelIndex index = m_sourceModel->index(r, c);
    m_mappingView->setCurrentIndex(index);
    m_mappingView->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

// ---------------------------------------------------------------------------------------------
// Mode

void SyncView::showModeRefusal(const QString &text)
{
    m_modeRefusal->setText(text);
    m_modeRefusal->setVisible(!text.isEmpty());
}

void SyncView::modeActivated(int index)
{
    const SyncConfig *c = config();
    if (!c)
        return;
    const auto mode = SyncMode(m_modeCombo->itemData(index).toInt());
    const QString name = c->name;
    const SyncMode before = c->mode;
    if (mode == before) {
        showModeRefusal(QString());
        return;
    }
    auto revert = [this, before] { m_modeCombo->setCurrentIndex(m_modeCombo->findData(int(before))); };
    const QString reason = SyncConfigStore::refusalReason(*c, mode);
    if (!reason.isEmpty()) {
        showModeRefusal(tr("%1 mode is not allowed yet: %2").arg(syncModeName(mode), reason));
        revert();
        return;
    }
    try {
        SyncConfigStore(m_ctx.workspace()).setMode(name, mode, m_ctx.change());
        showModeRefusal(QString());
        m_ctx.showStatus(tr("%1 switched to %2 mode.").arg(name, syncModeName(mode)));
        reload();
    } catch (const Error &e) {
        showModeRefusal(e.message());
        revert();
        if (e.kind() != ErrorKind::Conflict)
            m_ctx.reportWriteError(e.message());
    }
}

// ---------------------------------------------------------------------------------------------
// Runs

void SyncView::setRunBusy(bool busy, const QString &text)
{
    m_runBusy = busy;
    if (!text.isEmpty()) {
        m_runSummary->setText(text);
        m_runSummary->show();
    }
    updateActions();
}

void SyncView::connectAgent()
{
    for (const QMetaObject::Connection &c : std::as_const(m_agentConnections))
        disconnect(c);
    m_agentConnections.clear();
    BackgroundAgent *agent = m_ctx.agent();
    if (!agent)
        return;
    m_agentConnections << connect(agent, &BackgroundAgent::synced, this, [this](const SyncRun &run) {
        if (m_runBusy && run.config == m_agentRun) {
            m_agentRun.clear();
            finishRun(run);
        }
    });
    m_agentConnections << connect(agent, &BackgroundAgent::problem, this, [this](const QString &message) {
        if (m_runBusy && !m_agentRun.isEmpty()) {
            m_agentRun.clear();
            failRun(message);
        }
    });
}

void SyncView::runNow()
{
    const SyncConfig *c = config();
    if (!c || m_runBusy || m_ctx.isReadOnly())
        return;
    const QString name = c->name;
    setRunBusy(true, tr("Running %1…").arg(name));
    if (BackgroundAgent *agent = m_ctx.agent()) {
        m_agentRun = name;
        agent->runSyncNow(name);
        return;
    }
    const ChangeContext change = m_ctx.change(tr("Run now in the Sync view"));
    m_ctx.tasks()->run<SyncRun>(
        kRunKey, this, [name, change](Workspace &ws) { return SyncEngine(ws).run(name, false, change); },
        [this](SyncRun run) { finishRun(run); }, [this](const QString &message) { failRun(message); });
}

void SyncView::previewRun()
{
    const SyncConfig *c = config();
    if (!c || m_runBusy)
        return;
    const QString name = c->name;
    setRunBusy(true, tr("Previewing %1…").arg(name));
    const ChangeContext change = m_ctx.change(tr("Preview run in the Sync view"));
    m_ctx.tasks()->run<SyncRun>(
        kRunKey, this, [name, change](Workspace &ws) { return SyncEngine(ws).run(name, true, change); },
        [this](SyncRun run) { finishRun(run); }, [this](const QString &message) { failRun(message); });
}

QString SyncView::runSummaryText(const SyncRun &run) const
{
    QString text;
    if (!run.failure.isEmpty())
        text = tr("%1: %2").arg(run.config, run.failure);
    else if (run.dryRun) {
        int changing = 0;
        for (const TargetRun &t : run.targets)
            changing += t.preview.isEmpty() ? 0 : 1;
        text = tr("Preview of %1 (mode %2): %3 row(s) → %4 variable(s); %5 of %6 target(s) would change. Nothing was written.")
                   .arg(run.config, syncModeName(run.mode))
                   .arg(run.rowsRead)
                   .arg(run.variables)
                   .arg(changing)
                   .arg(run.targets.size());
    } else {
        int written = 0;
        for (const TargetRun &t : run.targets)
            written += t.written ? 1 : 0;
        text = tr("%1 ran in mode %2: %3 row(s) → %4 variable(s); %5 of %6 target(s) written, %7 failed (%8 ms).")
                   .arg(run.config, syncModeName(run.mode))
                   .arg(run.rowsRead)
                   .arg(run.variables)
                   .arg(written)
                   .arg(run.targets.size())
                   .arg(run.failedTargets())
                   .arg(run.durationMs);
    }
    if (run.fellBack)
        text += QLatin1Char(' ') + tr("Sync path switched off: %1.").arg(run.fallbackReason);
    if (run.rehearsal)
        text += QLatin1Char(' ') + tr("[rehearsal: %1]").arg(run.rehearsalText);
    return text;
}

void SyncView::finishRun(const SyncRun &run)
{
    const QString summary = runSummaryText(run);
    setRunBusy(false, summary);
    QPalette p; // only the text colour of a failure is set; everything else follows the window
    if (!run.ok())
        p.setColor(QPalette::WindowText, Icons::danger());
    m_runSummary->setPalette(p);

    m_runPreview->clear();
    if (!run.failure.isEmpty()) {
        auto *top = new QTreeWidgetItem(m_runPreview, {tr("Source / mapping"), QString(), run.failure});
        top->setIcon(0, Icons::dot(Icons::danger()));
        for (const QString &problem : run.problems)
            new QTreeWidgetItem(top, {problem});
        top->setExpanded(true);
    }
    for (const TargetRun &t : run.targets) {
        QString what;
        if (!t.ok)
            what = tr("failed (%1): %2").arg(t.errorClass, t.message);
        else if (run.dryRun)
            what = t.preview.isEmpty() ? tr("no change")
                                       : tr("%1 created, %2 updated, %3 deleted").arg(t.counts.created).arg(t.counts.updated).arg(t.counts.deleted);
        else if (t.unchanged)
            what = tr("unchanged since the last sync");
        else
            what = tr("%1 created, %2 updated, %3 deleted").arg(t.counts.created).arg(t.counts.updated).arg(t.counts.deleted);
        if (t.mismatches > 0)
            what += tr("; %n mismatching variable(s): ", nullptr, t.mismatches) + t.mismatchNames.join(QStringLiteral(", "));
        if (t.calls.retries > 0 || t.calls.http429 > 0)
            what += tr("; %1 retries, %2 × 429").arg(t.calls.retries).arg(t.calls.http429);
        auto *top = new QTreeWidgetItem(m_runPreview, {t.targetId, runPathName(t.path), what});
        top->setToolTip(2, what);
        top->setIcon(0, Icons::dot(!t.ok ? Icons::danger() : t.mismatches > 0 ? Icons::warning() : Icons::healthy()));
        for (const QString &line : t.preview) {
            auto *child = new QTreeWidgetItem(top, {line});
            child->setToolTip(0, line);
            child->setFirstColumnSpanned(true);
        }
        top->setExpanded(run.targets.size() <= 5);
    }
    if (run.dryRun || !run.failure.isEmpty()) {
        m_runPreviewStack->setCurrentIndex(1);
        m_tabs->setCurrentWidget(m_runPreviewStack);
    } else {
        m_tabs->setCurrentWidget(m_targetStack);
    }
    Q_EMIT runFinished(run.config, summary);
    m_ctx.showStatus(summary);
    if (!run.dryRun)
        reload();
}

void SyncView::failRun(const QString &message)
{
    setRunBusy(false, message);
    QPalette p = m_runSummary->palette();
    p.setColor(QPalette::WindowText, Icons::danger());
    m_runSummary->setPalette(p);
    Q_EMIT runFinished(m_current, message);
    reload();
}

void SyncView::undoSelectedTarget()
{
    const SyncConfig *c = config();
    const QList<QTableWidgetItem *> items = m_targetTable->selectedItems();
    if (!c || items.isEmpty() || m_runBusy || m_ctx.isReadOnly())
        return;
    const QString name = c->name;
    const QString target = m_targetTable->item(items.first()->row(), TargetIdColumn)->text();
    setRunBusy(true, tr("Undoing the last write to %1…").arg(target));
    const ChangeContext change = m_ctx.change(tr("Undo in the Sync view"));
    m_ctx.tasks()->run<bool>(
        kRunKey, this,
        [name, target, change](Workspace &ws) {
            SyncEngine(ws).undo(name, target, change);
            return true;
        },
        [this, name, target](bool) {
            const QString text = tr("Target %1 of %2 restored to its content before the last write.").arg(target, name);
            setRunBusy(false, text);
            m_runSummary->setPalette(QPalette());
            m_ctx.showStatus(text);
            reload();
        },
        [this](const QString &message) {
            setRunBusy(false, message);
            m_ctx.reportWriteError(message);
            reload();
        });
}

// ---------------------------------------------------------------------------------------------
// Rehearsal

QString SyncView::rehearsalBannerText(const RehearsalSettings &r) const
{
    QStringList parts;
    if (r.errorRate > 0)
        parts << tr("%1 % injected errors").arg(percentText(r.errorRate));
    if (r.latencyMs > 0)
        parts << tr("+%1 ms latency").arg(r.latencyMs);
    if (r.http429Rate > 0)
        parts << tr("%1 % 429 responses").arg(percentText(r.http429Rate));
    if (parts.isEmpty())
        parts << tr("no failures set");
    const QString where = r.targets.isEmpty() ? tr("all targets") : tr("targets %1").arg(r.targets.join(QStringLiteral(", ")));
    return tr("Rehearsal: %1 on %2").arg(parts.join(QStringLiteral(", ")), where);
}

void SyncView::applyRehearsal()
{
    const SyncConfig *c = config();
    if (!c)
        return;
    RehearsalSettings r = c->rehearsal;
    r.enabled = true;
    r.errorRate = m_errorRate->value() / 100.0;
    r.latencyMs = m_latency->value();
    r.http429Rate = m_rate429->value() / 100.0;
    QStringList ids;
    QStringList unknown;
    for (const QString &part : m_rehearsalTargets->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString id = part.trimmed();
        if (id.isEmpty() || ids.contains(id))
            continue;
        if (!c->target(id))
            unknown << id;
        ids << id;
    }
    auto refuse = [this](const QString &text) {
        m_rehearsalMessage->setText(text);
        QPalette p = m_rehearsalMessage->palette();
        p.setColor(QPalette::WindowText, Icons::danger());
        m_rehearsalMessage->setPalette(p);
    };
    if (ids.size() == 1 && ids.first().compare(QLatin1String("all"), Qt::CaseInsensitive) == 0 && !c->target(ids.first())) {
        ids.clear();
        unknown.clear();
    }
    if (!unknown.isEmpty()) {
        refuse(tr("Targets: %1 has no target %2. Leave the field empty for all targets.").arg(c->name, unknown.join(QStringLiteral(", "))));
        return;
    }
    if (r.errorRate <= 0 && r.latencyMs <= 0 && r.http429Rate <= 0) {
        refuse(tr("Error rate, added latency and 429 rate are all zero: set at least one, or end the rehearsal."));
        return;
    }
    r.targets = ids;
    try {
        SyncConfigStore(m_ctx.workspace()).setRehearsal(c->name, r, m_ctx.change(tr("Rehearsal set in the Sync view")));
        m_rehearsalMessage->setPalette(QPalette());
        m_rehearsalMessage->setText(tr("Applied."));
        m_rehearsalBanner->setText(rehearsalBannerText(r));
        m_rehearsalBanner->show();
        m_filledRehearsal.clear();
        reload();
    } catch (const Error &e) {
        refuse(e.message());
    }
}

void SyncView::endRehearsal()
{
    const SyncConfig *c = config();
    if (!c || !c->rehearsal.enabled)
        return;
    RehearsalSettings r = c->rehearsal;
    r.enabled = false;
    try {
        SyncConfigStore(m_ctx.workspace()).setRehearsal(c->name, r, m_ctx.change(tr("Rehearsal ended in the Sync view")));
        m_rehearsalMessage->setPalette(QPalette());
        m_rehearsalMessage->setText(tr("Rehearsal ended."));
        m_rehearsalBanner->hide();
        m_filledRehearsal.clear();
        reload();
    } catch (const Error &e) {
        m_rehearsalMessage->setText(e.message());
    }
}

// ---------------------------------------------------------------------------------------------
// Google sign-in

bool SyncView::openBrowser(const QUrl &url) { return QDesktopServices::openUrl(url); }

void SyncView::signIn()
{
    if (m_signIn->isRunning())
        return;
    try {
        const OAuthSettings settings = OAuthSettings::load(m_ctx.workspace());
        settings.validate();
        m_signIn->start(settings);
    } catch (const Error &e) {
        m_signInState->setText(e.message());
        m_signInState->setToolTip(e.message());
        return;
    }
    updateSignInState();
}

void SyncView::cancelSignIn() { m_signIn->cancel(); }

} // namespace sp
