#include "FlagTableModel.h"

#include "common/Error.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceWatcher.h"

#include <QLocale>

namespace sp {

namespace {

QString percentText(int tenths)
{
    // Locale-aware ("33.3 %" / "33,3 %"), one decimal only where the value has one.
    const QString number = QLocale().toString(tenths / 10.0, 'f', tenths % 10 == 0 ? 0 : 1);
    return FlagTableModel::tr("%1 %", "rollout percentage").arg(number);
}

QString listText(const QStringList &list) { return list.join(QStringLiteral(", ")); }

// Whether a row needs repainting: every change bumps the version; the timestamp guards against a
// flag that was deleted and created again under the same key.
bool sameRow(const Flag &a, const Flag &b) { return a.version == b.version && a.updatedAt == b.updatedAt; }

} // namespace

FlagTableModel::FlagTableModel(Workspace &workspace, QObject *parent)
    : QAbstractTableModel(parent), m_ws(workspace), m_store(workspace)
{
    reload();
}

void FlagTableModel::watch(WorkspaceWatcher *watcher)
{
    connect(watcher, &WorkspaceWatcher::changed, this, &FlagTableModel::reload);
}

int FlagTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_flags.size()); }

int FlagTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

const Flag *FlagTableModel::flagAt(int row) const
{
    return row >= 0 && row < m_flags.size() ? &m_flags.at(row) : nullptr;
}

int FlagTableModel::rowOf(const QString &key) const
{
    for (int row = 0; row < m_flags.size(); ++row)
        if (m_flags.at(row).key == key)
            return row;
    return -1;
}

QString FlagTableModel::stateText(const Flag &flag) const
{
    if (!flag.enabled)
        return tr("Off");
    if (m_killSwitch && flag.isSync())
        return tr("On (kill switch)");
    return tr("On");
}

QString FlagTableModel::lastChangeText(const Flag &flag) const
{
    if (!flag.updatedAt.isValid())
        return flag.updatedBy;
    // A fixed, sortable date format reads the same in every locale and in screenshots.
    const QString when = QLocale().toString(flag.updatedAt.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm"));
    if (flag.updatedBy.isEmpty())
        return when;
    return tr("by %1, %2", "last change: who, when").arg(flag.updatedBy, when);
}

QString FlagTableModel::toolTip(const Flag &flag, int column) const
{
    QStringList lines;
    lines << (flag.description.isEmpty() ? flag.key : flag.description);
    if (column == StateColumn && flag.enabled && m_killSwitch && flag.isSync())
        lines << tr("The kill switch is on: this flag is tagged sync, so it evaluates to off everywhere.");
    if (column == PrerequisitesColumn && !flag.includeSegments.isEmpty())
        lines << tr("Included segments: %1").arg(listText(flag.includeSegments));
    if (column == PrerequisitesColumn && !flag.excludeSegments.isEmpty())
        lines << tr("Excluded segments: %1").arg(listText(flag.excludeSegments));
    return lines.join(QLatin1Char('\n'));
}

QVariant FlagTableModel::sortValue(const Flag &flag, int column) const
{
    switch (column) {
    case KeyColumn: return flag.key;
    case StateColumn: return flag.enabled ? (m_killSwitch && flag.isSync() ? 1 : 2) : 0;
    case PercentColumn: return flag.percentTenths;
    case TagsColumn: return listText(flag.tags);
    case PrerequisitesColumn: return listText(flag.prerequisites);
    case LastChangeColumn: return flag.updatedAt;
    default: return {};
    }
}

QVariant FlagTableModel::data(const QModelIndex &index, int role) const
{
    const Flag *flag = index.isValid() ? flagAt(index.row()) : nullptr;
    if (!flag)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (column) {
        case KeyColumn: return flag->key;
        case StateColumn: return stateText(*flag);
        case PercentColumn: return percentText(flag->percentTenths);
        case TagsColumn: return listText(flag->tags);
        case PrerequisitesColumn: return listText(flag->prerequisites);
        case LastChangeColumn: return lastChangeText(*flag);
        default: return {};
        }
    case Qt::AccessibleDescriptionRole:
        if (column == StateColumn)
            return flag->enabled ? tr("Switch, on. Press Space to turn the flag off.") : tr("Switch, off. Press Space to turn the flag on.");
        return {};
    case Qt::CheckStateRole:
        if (column == StateColumn)
            return flag->enabled ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ToolTipRole:
        return toolTip(*flag, column);
    case Qt::TextAlignmentRole:
        if (column == PercentColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case KeyRole:
        return flag->key;
    case SortRole:
        return sortValue(*flag, column);
    case ForcedOffRole:
        return flag->enabled && m_killSwitch && flag->isSync();
    case SearchRole:
        return QStringList{flag->key, flag->description, listText(flag->tags), listText(flag->prerequisites)}.join(QLatin1Char('\n'));
    default:
        return {};
    }
}

QVariant FlagTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case KeyColumn: return tr("Flag key");
        case StateColumn: return tr("State");
        case PercentColumn: return tr("Rollout %");
        case TagsColumn: return tr("Tags");
        case PrerequisitesColumn: return tr("Prerequisites");
        case LastChangeColumn: return tr("Last change");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case StateColumn: return tr("The flag's master switch. Click the switch or press Space to turn it on or off for everyone.");
        case PercentColumn: return tr("Share of targeting keys that get the flag while it is on.");
        case PrerequisitesColumn: return tr("Flags that must be on for the same context.");
        default: return {};
        }
    }
    return {};
}

Qt::ItemFlags FlagTableModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == StateColumn && !m_ws.isReadOnly())
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool FlagTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const Flag *shown = index.isValid() ? flagAt(index.row()) : nullptr;
    if (!shown || index.column() != StateColumn || role != Qt::CheckStateRole)
        return false;
    const bool on = static_cast<Qt::CheckState>(value.toInt()) == Qt::Checked;
    if (on == shown->enabled)
        return false;

    FlagPatch patch;
    patch.enabled = on;
    patch.expectedVersion = shown->version; // never overwrite a change this table has not shown
    const QString key = shown->key;
    try {
        m_store.update(key, patch, m_changeContext ? m_changeContext() : ChangeContext::local(QStringLiteral("gui")));
    } catch (const Error &e) {
        Q_EMIT writeFailed(e.message());
        if (e.kind() == ErrorKind::Conflict)
            reload(); // show what the other writer did
        return false;
    }
    reload();
    return true;
}

void FlagTableModel::reload()
{
    FlagSnapshot snapshot;
    try {
        snapshot = m_store.snapshot();
    } catch (const Error &e) {
        Q_EMIT loadFailed(e.message());
        return;
    }
    const bool killSwitchChanged = snapshot.killSwitch != m_killSwitch;
    m_killSwitch = snapshot.killSwitch;
    m_revision = snapshot.revision;

    // Merge the new key-ordered list into the shown one row by row, so persistent indexes (the
    // selection, the current row, a proxy's mapping) survive: removed keys are removed, new keys
    // inserted, changed rows repainted.
    const QList<Flag> next = snapshot.flags.values();
    qsizetype row = 0;
    qsizetype i = 0;
    while (row < m_flags.size() || i < next.size()) {
        if (row < m_flags.size() && (i >= next.size() || m_flags.at(row).key < next.at(i).key)) {
            beginRemoveRows({}, int(row), int(row));
            m_flags.removeAt(row);
            endRemoveRows();
        } else if (row >= m_flags.size() || next.at(i).key < m_flags.at(row).key) {
            beginInsertRows({}, int(row), int(row));
            m_flags.insert(row, next.at(i));
            endInsertRows();
            ++row;
            ++i;
        } else {
            const bool changed = !sameRow(m_flags.at(row), next.at(i));
            if (changed)
                m_flags[row] = next.at(i);
            if (changed || (killSwitchChanged && m_flags.at(row).isSync()))
                Q_EMIT dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
            ++row;
            ++i;
        }
    }
    Q_EMIT reloaded();
}

} // namespace sp
