#include "SourceTableModel.h"

#include "Icons.h"

#include <QColor>

namespace sp {

SourceTableModel::SourceTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void SourceTableModel::setSource(Table table, const QList<MappingProblem> &problems)
{
    beginResetModel();
    m_table = std::move(table);
    m_columns = m_table.columnCount();
    m_cellProblems.clear();
    m_rowProblems.clear();
    for (const MappingProblem &p : problems) {
        if (p.row < 0)
            continue; // about the whole table: only in the problems list
        if (p.column < 0)
            m_rowProblems[p.row] << p.message;
        else {
            m_cellProblems[key(p.row, p.column)] << p.message;
            m_columns = std::max(m_columns, p.column + 1); // a problem on a cell the source left out
        }
    }
    endResetModel();
}

void SourceTableModel::clear() { setSource(Table{}, {}); }

int SourceTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_table.rows.size()); }

int SourceTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : m_columns; }

QStringList SourceTableModel::messagesAt(int row, int column) const
{
    QStringList messages = m_cellProblems.value(key(row, column));
    const auto it = m_rowProblems.constFind(row);
    if (it != m_rowProblems.constEnd())
        messages += *it;
    return messages;
}

QColor SourceTableModel::problemBackground()
{
    QColor c = Icons::warning();
    c.setAlpha(90);
    return c;
}

QVariant SourceTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return m_table.cell(index.row(), index.column());
    case Qt::BackgroundRole:
        return messagesAt(index.row(), index.column()).isEmpty() ? QVariant() : QVariant(problemBackground());
    case Qt::DecorationRole:
        return m_cellProblems.contains(key(index.row(), index.column())) ? QVariant(Icons::dot(Icons::warning())) : QVariant();
    case Qt::ToolTipRole: {
        const QStringList messages = messagesAt(index.row(), index.column());
        return messages.isEmpty() ? QVariant() : QVariant(messages.join(QLatin1Char('\n')));
    }
    case ProblemRole:
        return !messagesAt(index.row(), index.column()).isEmpty();
    default:
        return {};
    }
}

QVariant SourceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::DisplayRole)
        return orientation == Qt::Horizontal ? columnLetters(section) : QString::number(section + 1);
    if (role == Qt::DecorationRole && orientation == Qt::Vertical && m_rowProblems.contains(section))
        return Icons::dot(Icons::warning());
    if (role == Qt::ToolTipRole && orientation == Qt::Vertical && m_rowProblems.contains(section))
        return m_rowProblems.value(section).join(QLatin1Char('\n'));
    return {};
}

} // namespace sp
