#include "AuditTableModel.h"

#include "common/Clock.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"

#include <QLocale>

namespace sp {

namespace {

const QString kFirstPageKey = QStringLiteral("audit.table.first");
const QString kOlderKey = QStringLiteral("audit.table.older");
const QString kNewerKey = QStringLiteral("audit.table.newer");

AuditFilter withoutPaging(AuditFilter f)
{
    f.limit = 0;
    f.afterSeq = 0;
    f.beforeSeq = 0;
    f.newestFirst = false;
    return f;
}

// The table keeps what its columns show; the before/after states (most of an entry's size) are
// read again for the one entry the detail pane shows. 100 000 rows stay a few tens of MB.
QList<AuditEntry> slim(QList<AuditEntry> entries)
{
    for (AuditEntry &e : entries) {
        e.before.clear();
        e.after.clear();
        e.before.squeeze();
        e.after.squeeze();
    }
    return entries;
}

QString firstLine(const QString &text)
{
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    return nl < 0 ? text : text.left(nl) + QStringLiteral(" …");
}

} // namespace

AuditTableModel::AuditTableModel(WorkspaceTaskRunner *tasks, QObject *parent) : QAbstractTableModel(parent), m_tasks(tasks) {}

AuditTableModel::~AuditTableModel() = default;

void AuditTableModel::setFilter(const AuditFilter &filter)
{
    beginResetModel();
    m_filter = withoutPaging(filter);
    m_entries.clear();
    m_total = -1;
    m_topSeq = 0;
    m_exhausted = false;
    m_fetchingOlder = false;
    m_fetchingNewer = false;
    m_newerAgain = false;
    m_loadingFirst = true;
    m_error.clear();
    const quint64 generation = ++m_generation;
    endResetModel();
    Q_EMIT totalCountChanged(m_total);

    AuditFilter page = m_filter;
    page.newestFirst = true;
    page.limit = pageSize;
    const AuditFilter counted = m_filter;
    m_tasks->run<FirstPage>(
        kFirstPageKey, this,
        [page, counted](Workspace &ws) {
            FirstPage result;
            // one snapshot: the count and the page agree, and nothing committed in between is
            // lost (fetchNewer() asks for what is above the page's newest entry)
            ws.read([&] {
                const AuditLog log(ws);
                result.entries = slim(log.list(page));
                result.total = log.count(counted);
            });
            return result;
        },
        [this, generation](FirstPage result) {
            if (generation == m_generation)
                onFirstPage(std::move(result));
        },
        [this, generation](const QString &message) {
            if (generation == m_generation)
                onFailed(message);
        });
}

void AuditTableModel::onFirstPage(FirstPage page)
{
    m_loadingFirst = false;
    m_exhausted = page.entries.size() < pageSize;
    m_total = page.total;
    if (!page.entries.isEmpty()) {
        m_topSeq = page.entries.first().seq;
        beginInsertRows({}, 0, int(page.entries.size()) - 1);
        m_entries = std::move(page.entries);
        endInsertRows();
    }
    Q_EMIT totalCountChanged(m_total);
    Q_EMIT loaded();
    if (m_newerAgain) {
        m_newerAgain = false;
        fetchNewer();
    }
}

void AuditTableModel::onFailed(const QString &message)
{
    m_error = message;
    m_loadingFirst = false;
    m_fetchingOlder = false;
    m_fetchingNewer = false;
    m_exhausted = true; // do not retry in a loop; a change or a new filter loads again
    Q_EMIT loaded();
}

bool AuditTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_loadingFirst && !m_fetchingOlder && !m_exhausted && !m_entries.isEmpty();
}

void AuditTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetchingOlder = true;
    AuditFilter page = m_filter;
    page.newestFirst = true;
    page.limit = pageSize;
    page.beforeSeq = m_entries.last().seq;
    const quint64 generation = m_generation;
    m_tasks->run<QList<AuditEntry>>(
        kOlderKey, this, [page](Workspace &ws) { return slim(AuditLog(ws).list(page)); },
        [this, generation](QList<AuditEntry> entries) {
            if (generation == m_generation)
                onOlderPage(std::move(entries));
        },
        [this, generation](const QString &message) {
            if (generation == m_generation)
                onFailed(message);
        });
}

void AuditTableModel::onOlderPage(QList<AuditEntry> entries)
{
    m_fetchingOlder = false;
    m_exhausted = entries.size() < pageSize;
    if (entries.isEmpty())
        return;
    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(entries.size()) - 1);
    m_entries.append(std::move(entries));
    endInsertRows();
}

void AuditTableModel::fetchNewer()
{
    if (m_loadingFirst || m_fetchingNewer) {
        m_newerAgain = true; // ask again when the answer under way has arrived
        return;
    }
    if (!m_error.isEmpty()) { // the last load failed: start over
        reload();
        return;
    }
    m_fetchingNewer = true;
    AuditFilter newer = m_filter;
    newer.afterSeq = m_topSeq;
    newer.newestFirst = true;
    const quint64 generation = m_generation;
    m_tasks->run<QList<AuditEntry>>(
        kNewerKey, this, [newer](Workspace &ws) { return slim(AuditLog(ws).list(newer)); },
        [this, generation](QList<AuditEntry> entries) {
            if (generation == m_generation)
                onNewer(std::move(entries));
        },
        [this, generation](const QString &message) {
            if (generation == m_generation)
                onFailed(message);
        });
}

void AuditTableModel::onNewer(QList<AuditEntry> entries)
{
    m_fetchingNewer = false;
    if (!entries.isEmpty()) {
        m_topSeq = entries.first().seq;
        const int n = int(entries.size());
        beginInsertRows({}, 0, n - 1);
        entries.append(std::move(m_entries));
        m_entries = std::move(entries);
        endInsertRows();
        m_total += n;
        Q_EMIT totalCountChanged(m_total);
        Q_EMIT newerEntriesArrived(n);
    }
    if (m_newerAgain) {
        m_newerAgain = false;
        fetchNewer();
    }
}

const AuditEntry *AuditTableModel::entryAt(int row) const
{
    return row >= 0 && row < m_entries.size() ? &m_entries[row] : nullptr;
}

int AuditTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTableModel::data(const QModelIndex &index, int role) const
{
    const AuditEntry *e = entryAt(index.row());
    if (!e || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    if (role == SeqRole)
        return e->seq;
    if (role == Qt::TextAlignmentRole && index.column() == SeqColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case SeqColumn: return QString::number(e->seq);
        case TimeColumn: return e->at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ActorColumn: return e->account.isEmpty() ? e->actor : tr("%1 (%2)").arg(e->actor, e->account);
        case SourceColumn: return e->source;
        case ActionColumn: return e->action;
        case ObjectColumn: return e->object;
        case ReasonColumn: return firstLine(e->reason);
        case ColumnCount: break;
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(index.column())) {
        case TimeColumn: return tr("%1 UTC").arg(e->at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
        case ActorColumn:
            return e->account.isEmpty() ? tr("OS user %1, no account signed in").arg(e->actor)
                                        : tr("OS user %1, signed in as %2").arg(e->actor, e->account);
        case ReasonColumn: return e->reason.isEmpty() ? QVariant() : QVariant(e->reason);
        case ObjectColumn: return e->object;
        default: return {};
        }
    }
    return {};
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == SeqColumn)
        return tr("Entry number in the chain; the newest entry is at the top");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case SeqColumn: return tr("#");
    case TimeColumn: return tr("Time");
    case ActorColumn: return tr("Actor");
    case SourceColumn: return tr("Source");
    case ActionColumn: return tr("Action");
    case ObjectColumn: return tr("Object");
    case ReasonColumn: return tr("Reason");
    case ColumnCount: break;
    }
    return {};
}

} // namespace sp
