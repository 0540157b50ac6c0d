#pragma once

#include "OverviewData.h"

#include <QWidget>

class QLabel;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace sp {

class ConsoleContext;
class OverviewCard;

// What needs attention now: running rollouts, health per flag, the last sync of each config, open
// circuit breakers and the latest controller decisions. Everything is read on the task runner
// (OverviewData::load), again whenever any process commits (coalesced) and every 10 s, so the time
// left and the health windows stay current.
//
// Lists (QTreeWidget) by objectName: overviewRollouts, overviewHealth, overviewSyncs,
// overviewBreakers, overviewDecisions; each item keeps its key (flag, config, upstream) in
// Qt::UserRole of column 0. Activating an item (double-click, Enter) emits the navigation signals.
class OverviewView : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewView(ConsoleContext &context, QWidget *parent = nullptr);
    ~OverviewView() override;

    // Reads everything again now (the refresh button, F5).
    void reload();
    // The data shown (tests, screenshots).
    const OverviewData &data() const { return m_data; }
    // Loads completed since construction (tests wait for it to move).
    int loadCount() const { return m_loads; }

    static constexpr int kRefreshMs = 10'000;

Q_SIGNALS:
    void openFlag(const QString &key);
    void openRollout(const QString &key);
    void openSync(const QString &config);
    // A load finished and the lists show it.
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void scheduleReload();
    void refreshIfShown();
    void display(OverviewData data);
    void fillRollouts();
    void fillHealth();
    void fillSyncs();
    void fillBreakers();
    void fillDecisions();
    void activated(QTreeWidgetItem *item);
    QString when(const QDateTime &t) const;

    ConsoleContext &m_ctx;
    OverviewData m_data;
    int m_loads = 0;
    bool m_loading = false;
    bool m_again = false;
    bool m_stale = false; // a change or a tick came while hidden: reload when shown
    QLabel *m_updated = nullptr;
    OverviewCard *m_rollouts = nullptr;
    OverviewCard *m_health = nullptr;
    OverviewCard *m_syncs = nullptr;
    OverviewCard *m_breakers = nullptr;
    OverviewCard *m_decisions = nullptr;
    QTimer *m_coalesce = nullptr;
    QTimer *m_refresh = nullptr;
};

} // namespace sp
