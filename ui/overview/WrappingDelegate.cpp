#include "WrappingDelegate.h"

#include <QHeaderView>
#include <QTimer>
#include <QTreeView>

#include <algorithm>

namespace sp {

WrappingDelegate::WrappingDelegate(QTreeView *view) : QStyledItemDelegate(view), m_view(view)
{
    auto *relayout = new QTimer(this);
    relayout->setSingleShot(true);
    relayout->setInterval(0);
    connect(relayout, &QTimer::timeout, m_view, &QTreeView::doItemsLayout);
    connect(m_view->header(), &QHeaderView::sectionResized, relayout, qOverload<>(&QTimer::start));
}

QSize WrappingDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // Only the last (stretching) column wraps: the others size to their contents, which a width
    // taken from their own current size would only ever shrink.
    if (index.column() != m_view->header()->count() - 1)
        return QStyledItemDelegate::sizeHint(option, index) + QSize(8, 0); // room between columns
    QStyleOptionViewItem opt = option;
    const int width = m_view->header()->sectionSize(index.column());
    if (width > 0)
        opt.rect = QRect(0, 0, width, std::max(1, option.rect.height())); // valid, or the style ignores the width
    opt.features |= QStyleOptionViewItem::WrapText;
    return QStyledItemDelegate::sizeHint(opt, index);
}

} // namespace sp
