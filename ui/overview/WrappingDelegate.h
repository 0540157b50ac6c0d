#pragma once

#include <QStyledItemDelegate>

class QTreeView;

namespace sp {

// Wraps the long text of a list's last column (a health reason, a decision, an error) onto more
// lines instead of eliding it:
// QTreeView asks for row heights without a column width, so this delegate measures each cell at
// its column's width, and lays the rows out again when a column is resized.
class WrappingDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit WrappingDelegate(QTreeView *view);

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QTreeView *m_view;
};

} // namespace sp
