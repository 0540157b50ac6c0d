#include "OverviewView.h"

#include "TimeText.h"

#include "ConsoleContext.h"
#include "Icons.h"
#include "OverviewCard.h"

#include "common/Clock.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QAction>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sp {

namespace {

enum Role { KeyRole = Qt::UserRole, KindRole };

// What activating an item opens.
enum class Target { Flag, Rollout, Sync, None };

QTreeWidgetItem *makeItem(QTreeWidget *list, const QStringList &texts, const QString &key, Target target)
{
    auto *item = new QTreeWidgetItem(list, texts);
    item->setData(0, KeyRole, key);
    item->setData(0, KindRole, int(target));
    for (int c = 0; c < texts.size(); ++c)
        if (item->toolTip(c).isEmpty())
            item->setToolTip(c, texts.at(c));
    return item;
}

void setStatus(QTreeWidgetItem *item, int column, const QColor &color, bool tintText)
{
    item->setIcon(column, Icons::dot(color));
    if (tintText)
        item->setForeground(column, color);
}

// Keeps the current item (by key) across a refill of a list.
class KeepCurrent
{
public:
    explicit KeepCurrent(QTreeWidget *list) : m_list(list)
    {
        if (QTreeWidgetItem *c = list->currentItem())
            m_key = c->data(0, KeyRole).toString() + u'\x1f' + c->text(0);
        m_scroll = list->verticalScrollBar() ? list->verticalScrollBar()->value() : 0;
        list->clear();
    }
    ~KeepCurrent()
    {
        for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = m_list->topLevelItem(i);
            if (!m_key.isEmpty() && item->data(0, KeyRole).toString() + u'\x1f' + item->text(0) == m_key) {
                m_list->setCurrentItem(item);
                break;
            }
        }
        if (m_list->verticalScrollBar())
            m_list->verticalScrollBar()->setValue(m_scroll);
    }
    KeepCurrent(const KeepCurrent &) = delete;
    KeepCurrent &operator=(const KeepCurrent &) = delete;

private:
    QTreeWidget *m_list;
    QString m_key;
    int m_scroll = 0;
};

} // namespace

OverviewView::OverviewView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("overviewView"));
    setAccessibleName(tr("Overview"));

    auto *title = new QLabel(tr("Overview"), this);
    QFont big = title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.4);
    title->setFont(big);
    m_updated = new QLabel(tr("Loading…"), this);
    m_updated->setObjectName(QStringLiteral("overviewUpdated"));
    m_updated->setForegroundRole(QPalette::PlaceholderText);
    auto *refresh = new QToolButton(this);
    refresh->setObjectName(QStringLiteral("overviewRefresh"));
    refresh->setIcon(Icons::icon(Icons::Glyph::Refresh));
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Read everything again now"));
    refresh->setAccessibleName(tr("Refresh the overview"));
    refresh->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    connect(refresh, &QToolButton::clicked, this, &OverviewView::reload);
    auto *refreshAction = new QAction(this);
    refreshAction->setShortcut(QKeySequence::Refresh);
    refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(refreshAction, &QAction::triggered, this, &OverviewView::reload);
    addAction(refreshAction);

    m_rollouts = new OverviewCard(QStringLiteral("overviewRollouts"), tr("Running rollouts"),
                                  {tr("Flag"), tr("Phase"), tr("Time left"), tr("State")},
                                  tr("No rollout is running. Start one in Rollouts."), this);
    m_health = new OverviewCard(QStringLiteral("overviewHealth"), tr("Health per flag"), {tr("Flag"), tr("Health"), tr("Why")},
                                tr("No flag has a sync cohort or an active rollout yet, so there is no health to judge."), this);
    m_syncs = new OverviewCard(QStringLiteral("overviewSyncs"), tr("Last sync per config"),
                               {tr("Config"), tr("Mode"), tr("Last run"), tr("Outcome"), tr("Targets")},
                               tr("No sync config yet. Add one in Sync."), this);
    m_breakers = new OverviewCard(QStringLiteral("overviewBreakers"), tr("Open circuit breakers"),
                                  {tr("Upstream"), tr("State"), tr("Since"), tr("Last error")}, tr("All upstreams healthy."), this);
    m_decisions = new OverviewCard(QStringLiteral("overviewDecisions"), tr("Recent controller decisions"),
                                   {tr("Time"), tr("Flag"), tr("By"), tr("Decision")},
                                   tr("No decision yet: starting, advancing, pausing or rolling back a rollout is recorded here."), this);

    for (OverviewCard *card : {m_rollouts, m_health, m_syncs, m_breakers, m_decisions}) {
        connect(card->list(), &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) { activated(item); });
    }

    auto *content = new QWidget;
    content->setObjectName(QStringLiteral("overviewContent"));
    auto *grid = new QGridLayout(content);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(10);
    // The health reasons are the longest text: their section spans the width.
    grid->addWidget(m_rollouts, 0, 0);
    grid->addWidget(m_breakers, 0, 1);
    grid->addWidget(m_health, 1, 0, 1, 2);
    grid->addWidget(m_syncs, 2, 0);
    grid->addWidget(m_decisions, 2, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 2);
    grid->setRowStretch(1, 3);
    grid->setRowStretch(2, 3);
    content->setMinimumHeight(3 * 170 + 20);

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("overviewScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    auto *head = new QHBoxLayout;
    head->addWidget(title);
    head->addSpacing(12);
    head->addWidget(m_updated, 1);
    head->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(head);
    layout->addWidget(scroll, 1);

    // Commits from any process arrive in bursts (a sync run writes several times): one reload.
    m_coalesce = new QTimer(this);
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(150);
    connect(m_coalesce, &QTimer::timeout, this, &OverviewView::refreshIfShown);
    if (m_ctx.watcher())
        connect(m_ctx.watcher(), &WorkspaceWatcher::changed, this, &OverviewView::scheduleReload);
    // Time left and the health windows move on without any commit.
    m_refresh = new QTimer(this);
    m_refresh->setInterval(kRefreshMs);
    connect(m_refresh, &QTimer::timeout, this, &OverviewView::refreshIfShown);
    m_refresh->start();

    reload();
}

OverviewView::~OverviewView() = default;

void OverviewView::scheduleReload()
{
    if (!m_coalesce->isActive())
        m_coalesce->start();
}

// A page the window does not show costs nothing: it reads again when it is shown.
void OverviewView::refreshIfShown()
{
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    reload();
}

void OverviewView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        reload();
}

void OverviewView::reload()
{
    m_stale = false;
    if (m_loading) {
        // One load at a time; a change seen meanwhile loads again when it is done.
        m_again = true;
        return;
    }
    m_loading = true;
    m_again = false;
    const QDateTime now = m_ctx.clock().now();
    m_ctx.tasks()->run<OverviewData>(
        QStringLiteral("overview"), this, [now](Workspace &ws) { return OverviewData::load(ws, now); },
        [this](OverviewData data) {
            m_loading = false;
            display(std::move(data));
            if (m_again)
                reload();
        },
        [this](const QString &message) {
            m_loading = false;
            m_updated->setText(tr("Could not read the workspace: %1").arg(message));
            if (m_again)
                reload();
        });
}

void OverviewView::display(OverviewData data)
{
    m_data = std::move(data);
    ++m_loads;
    fillRollouts();
    fillHealth();
    fillSyncs();
    fillBreakers();
    fillDecisions();
    m_updated->setText(tr("Updated %1; refreshes on every change and every %2 s.")
                           .arg(QLocale().toString(m_data.now.toLocalTime().time(), QLocale::ShortFormat))
                           .arg(kRefreshMs / 1000));
    Q_EMIT refreshed();
}

// "14:02" today, "Mon 14:02" within a week, a date otherwise; "5 min ago" when recent.
QString OverviewView::when(const QDateTime &t) const
{
    if (!t.isValid())
        return tr("never");
    const qint64 ago = t.secsTo(m_data.now);
    const QDateTime local = t.toLocalTime();
    const QString clock = QLocale().toString(local.time(), QLocale::ShortFormat);
    if (ago >= 0 && ago < 60)
        return tr("just now");
    if (ago >= 0 && ago < 3600)
        return tr("%n min ago", nullptr, int(ago / 60));
    if (local.date() == m_data.now.toLocalTime().date())
        return clock;
    if (ago >= 0 && ago < 6 * 86400)
        return QLocale().toString(local, QStringLiteral("ddd ")) + clock;
    return QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + clock;
}

void OverviewView::fillRollouts()
{
    QTreeWidget *list = m_rollouts->list();
    {
        KeepCurrent keep(list);
        QList<Rollout> rollouts = m_data.rollouts;
        std::sort(rollouts.begin(), rollouts.end(), [](const Rollout &a, const Rollout &b) { return a.flagKey < b.flagKey; });
        for (const Rollout &r : std::as_const(rollouts)) {
            if (r.plan.phases.isEmpty())
                continue;
            const QString phase = tr("%1, phase %2 of %3").arg(r.phase().label()).arg(r.phaseIndex + 1).arg(r.plan.phases.size());
            QString left;
            QString state;
            QColor color = Icons::healthy();
            switch (r.state) {
            case RolloutState::Running:
                left = r.isLastPhase() && r.phase().holdSeconds == 0 ? tr("final phase") : TimeText::timeLeft(m_data.now.secsTo(r.phaseEndsAt()));
                state = r.stateReason.isEmpty() ? tr("Running") : tr("Running; %1").arg(r.stateReason);
                break;
            case RolloutState::Paused:
                left = tr("on hold");
                state = r.stateReason.isEmpty() ? tr("Paused") : tr("Paused: %1").arg(r.stateReason);
                color = Icons::warning();
                break;
            default:
                left = tr("not started");
                state = tr("Draft");
                color = Icons::neutral();
                break;
            }
            QTreeWidgetItem *item = makeItem(list, {r.flagKey, phase, left, state}, r.flagKey, Target::Rollout);
            setStatus(item, 3, color, r.state == RolloutState::Paused);
        }
    }
    m_rollouts->updateState();
}

void OverviewView::fillHealth()
{
    QTreeWidget *list = m_health->list();
    {
        KeepCurrent keep(list);
        for (const FlagHealth &h : std::as_const(m_data.health)) {
            QString word;
            QColor color;
            switch (h.level) {
            case FlagHealth::Level::Healthy: word = tr("Healthy"); color = Icons::healthy(); break;
            case FlagHealth::Level::Warning: word = tr("Warning"); color = Icons::warning(); break;
            case FlagHealth::Level::Critical: word = tr("Critical"); color = Icons::danger(); break;
            case FlagHealth::Level::NoData: word = tr("No data"); color = Icons::neutral(); break;
            }
            QTreeWidgetItem *item = makeItem(list, {h.flagKey, word, h.reason}, h.flagKey, Target::Flag);
            item->setData(1, KeyRole, FlagHealth::levelName(h.level));
            setStatus(item, 1, color, false);
        }
    }
    m_health->updateState();
}

void OverviewView::fillSyncs()
{
    QTreeWidget *list = m_syncs->list();
    {
        KeepCurrent keep(list);
        for (const SyncConfig &c : std::as_const(m_data.syncs)) {
            int ok = 0;
            int failed = 0;
            for (const SyncTargetSpec &t : c.targets) {
                if (t.state == QLatin1String("ok"))
                    ++ok;
                else if (t.state == QLatin1String("failed"))
                    ++failed;
            }
            const int other = int(c.targets.size()) - ok - failed;
            QString targets = tr("%1 ok, %2 failed").arg(ok).arg(failed);
            if (other > 0)
                targets += tr(", %1 not run").arg(other);
            QString mode = syncModeName(c.mode);
            if (!c.fallbackReason.isEmpty())
                mode = tr("%1 (fallback)").arg(mode);
            QString outcome;
            QColor color = Icons::neutral();
            if (c.lastRunAt.isEmpty()) {
                outcome = tr("never run");
            } else if (c.lastOutcome == QLatin1String("ok")) {
                outcome = tr("ok");
                color = Icons::healthy();
            } else if (c.lastOutcome == QLatin1String("partial")) {
                outcome = tr("partial");
                color = Icons::warning();
            } else {
                outcome = tr("failed");
                color = Icons::danger();
            }
            const QString last = c.lastRunAt.isEmpty() ? tr("never") : when(fromStoredTime(c.lastRunAt));
            QTreeWidgetItem *item = makeItem(list, {c.name, mode, last, outcome, targets}, c.name, Target::Sync);
            setStatus(item, 3, color, false);
            if (!c.lastRunAt.isEmpty())
                item->setToolTip(2, QLocale().toString(fromStoredTime(c.lastRunAt).toLocalTime(), QLocale::LongFormat));
            if (!c.fallbackReason.isEmpty())
                item->setToolTip(1, c.fallbackReason);
            if (failed > 0) {
                QStringList errors;
                for (const SyncTargetSpec &t : c.targets)
                    if (t.state == QLatin1String("failed") && errors.size() < 5)
                        errors << tr("%1: %2").arg(t.id, t.lastError);
                item->setToolTip(4, errors.join(u'\n'));
            }
        }
    }
    m_syncs->updateState();
}

void OverviewView::fillBreakers()
{
    QTreeWidget *list = m_breakers->list();
    {
        KeepCurrent keep(list);
        for (const BreakerState &b : std::as_const(m_data.breakers)) {
            const bool open = b.state == QLatin1String("open");
            const QString state = open ? tr("open") : b.state == QLatin1String("half_open") ? tr("half-open") : b.state;
            QTreeWidgetItem *item = makeItem(list, {b.upstream, state, when(b.since), b.lastError.isEmpty() ? tr("(no error text)") : b.lastError},
                                             b.upstream, Target::None);
            setStatus(item, 1, open ? Icons::danger() : Icons::warning(), false);
            item->setToolTip(0, tr("%1\n%2 failure(s) in a row; published by %3").arg(b.upstream).arg(b.failures).arg(b.publisher));
        }
    }
    m_breakers->updateState();
}

void OverviewView::fillDecisions()
{
    QTreeWidget *list = m_decisions->list();
    {
        KeepCurrent keep(list);
        for (const LedgerEntry &e : std::as_const(m_data.decisions)) {
            const QString by = e.automatic ? tr("automatic") : tr("%1 (%2)").arg(e.actor, e.source);
            QTreeWidgetItem *item = makeItem(list, {when(e.at), e.flagKey, by, e.summary}, e.flagKey,
                                             e.rolloutId > 0 ? Target::Rollout : Target::Flag);
            item->setToolTip(0, QLocale().toString(e.at.toLocalTime(), QLocale::LongFormat));
            QColor color = Icons::neutral();
            if (e.kind == QLatin1String("rollback") || e.kind == QLatin1String("kill"))
                color = Icons::danger();
            else if (e.kind == QLatin1String("pause") || e.kind == QLatin1String("warn") || e.kind == QLatin1String("hold"))
                color = Icons::warning();
            else if (e.kind == QLatin1String("advance") || e.kind == QLatin1String("complete") || e.kind == QLatin1String("start")
                     || e.kind == QLatin1String("resume"))
                color = Icons::healthy();
            setStatus(item, 3, color, false);
        }
    }
    m_decisions->updateState();
}

void OverviewView::activated(QTreeWidgetItem *item)
{
    if (!item)
        return;
    const QString key = item->data(0, KeyRole).toString();
    if (key.isEmpty())
        return;
    switch (Target(item->data(0, KindRole).toInt())) {
    case Target::Flag: Q_EMIT openFlag(key); break;
    case Target::Rollout: Q_EMIT openRollout(key); break;
    case Target::Sync: Q_EMIT openSync(key); break;
    case Target::None: break;
    }
}

} // namespace sp
