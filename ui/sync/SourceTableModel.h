#pragma once

#include "sync/Mapping.h"
#include "sync/Table.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>

namespace sp {

// A sync source's sheet as read (any size: cells are read straight from the Table), with every
// cell a MappingProblem names highlighted: a semantic background, a warning dot and the
// problem's message as tooltip. Row headers are the sheet's row numbers, column headers its letters.
class SourceTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Data role: true when the cell (or its whole row) has a mapping problem.
    static constexpr int ProblemRole = Qt::UserRole + 1;

    explicit SourceTableModel(QObject *parent = nullptr);

    void setSource(Table table, const QList<MappingProblem> &problems);
    void clear();
    const Table &table() const { return m_table; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The background of a cell with a problem (semantic warning colour, translucent so text
    // stays readable on light and dark palettes).
    static QColor problemBackground();

private:
    static quint64 key(int row, int column) { return (quint64(quint32(row)) << 32) | quint32(column); }
    QStringList messagesAt(int row, int column) const;

    Table m_table;
    int m_columns = 0;
    QHash<quint64, QStringList> m_cellProblems;
    QHash<int, QStringList> m_rowProblems;
};

} // namespace sp
