#include "OverviewCard.h"

#include "WrappingDelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace sp {

OverviewCard::OverviewCard(const QString &objectName, const QString &title, const QStringList &columns, const QString &emptyText,
                           QWidget *parent)
    : QFrame(parent)
{
    setObjectName(objectName + QStringLiteral("Card"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);

    m_title = new QLabel(title, this);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.1);
    m_title->setFont(bold);
    m_count = new QLabel(this);
    m_count->setForegroundRole(QPalette::PlaceholderText);
    m_count->setObjectName(objectName + QStringLiteral("Count"));

    m_list = new QTreeWidget(this);
    m_list->setObjectName(objectName);
    m_list->setAccessibleName(title);
    m_list->setColumnCount(int(columns.size()));
    m_list->setHeaderLabels(columns);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(false);
    m_list->setWordWrap(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->header()->setStretchLastSection(true);
    // The last column wraps rather than scrolling sideways.
    m_list->header()->setMinimumSectionSize(40);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Short columns fit their contents; the last one takes the rest and wraps.
    for (int c = 0; c + 1 < columns.size(); ++c)
        m_list->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_list->header()->setSectionsMovable(false);
    m_list->setMinimumHeight(120);
    m_list->setItemDelegate(new WrappingDelegate(m_list));

    m_placeholder = new QLabel(emptyText, this);
    m_placeholder->setObjectName(objectName + QStringLiteral("Placeholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setMargin(12);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_list);

    auto *head = new QHBoxLayout;
    head->addWidget(m_title);
    head->addWidget(m_count);
    head->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(6);
    layout->addLayout(head);
    layout->addWidget(m_stack, 1);
    updateState();
}

void OverviewCard::updateState()
{
    const int n = m_list->topLevelItemCount();
    m_stack->setCurrentWidget(n > 0 ? static_cast<QWidget *>(m_list) : m_placeholder);
    m_count->setText(n > 0 ? QStringLiteral("(%1)").arg(n) : QString());
}

void OverviewCard::setEmptyText(const QString &text)
{
    m_placeholder->setText(text);
}

} // namespace sp
