#pragma once

#include "audit/AuditLog.h"

#include <QAbstractTableModel>
#include <QList>

namespace sp {

class WorkspaceTaskRunner;

// The audit log as a table, newest entry first, loaded in pages on the task runner's worker so a
// log of 100 000+ entries opens at once and scrolls on demand (canFetchMore/fetchMore). Entries
// committed later (by any process) are fetched by fetchNewer() — only those above the newest one
// shown — and inserted at the top without reloading the rest.
class AuditTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { SeqColumn, TimeColumn, ActorColumn, SourceColumn, ActionColumn, ObjectColumn, ReasonColumn, ColumnCount };
    enum Role { SeqRole = Qt::UserRole + 1 };
    static constexpr int pageSize = 500;

    explicit AuditTableModel(WorkspaceTaskRunner *tasks, QObject *parent = nullptr);
    ~AuditTableModel() override;

    // Drops what is shown and loads the first page (and the count) of filter's entries. The
    // paging fields of filter (limit, afterSeq, beforeSeq, newestFirst) are the model's own.
    void setFilter(const AuditFilter &filter);
    const AuditFilter &filter() const { return m_filter; }
    // Loads the entries committed since the first page was read that match the filter.
    void fetchNewer();
    // Reloads from scratch with the same filter.
    void reload() { setFilter(m_filter); }

    // The row's entry without its before/after states (the detail pane reads the whole entry).
    const AuditEntry *entryAt(int row) const;
    // Entries matching the filter in the whole log; -1 until the first page has arrived.
    qint64 totalCount() const { return m_total; }
    bool isLoading() const { return m_loadingFirst; }
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    // The first page (and the count) arrived, or loading failed (lastError() says why).
    void loaded();
    void totalCountChanged(qint64 total);
    void newerEntriesArrived(int count);

private:
    struct FirstPage
    {
        QList<AuditEntry> entries;
        qint64 total = 0;
    };
    void onFirstPage(FirstPage page);
    void onOlderPage(QList<AuditEntry> entries);
    void onNewer(QList<AuditEntry> entries);
    void onFailed(const QString &message);

    WorkspaceTaskRunner *m_tasks;
    AuditFilter m_filter;
    QList<AuditEntry> m_entries;
    quint64 m_generation = 0;
    qint64 m_total = -1;
    qint64 m_topSeq = 0; // entries above this one are fetched by fetchNewer()
    bool m_loadingFirst = false;
    bool m_fetchingOlder = false;
    bool m_fetchingNewer = false;
    bool m_newerAgain = false;
    bool m_exhausted = false;
    QString m_error;
};

} // namespace sp
