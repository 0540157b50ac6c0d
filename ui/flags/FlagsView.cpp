#include "FlagsView.h"

#include <QHeaderView>
#include <QPainter>
#include <QStyle>

namespace sp {

namespace {

// Widest a column gets from auto-sizing; users can still drag it wider.
constexpr int kMaxAutoColumnWidth = 320;

} // namespace

FlagsView::FlagsView(QWidget *parent) : QTableView(parent)
{
    setSortingEnabled(true);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
    verticalHeader()->setVisible(false);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
}

void FlagsView::setPlaceholderText(const QString &text)
{
    if (text == m_placeholder)
        return;
    m_placeholder = text;
    viewport()->update();
}

void FlagsView::fitColumnsToContents(int stateColumn, const QString &stateText)
{
    resizeColumnsToContents();
    QHeaderView *header = horizontalHeader();
    // Contents plus some air, so neighbouring columns do not read as one.
    const int padding = fontMetrics().averageCharWidth() * 3;
    for (int c = 0; c < header->count(); ++c)
        header->resizeSection(c, std::min(header->sectionSize(c) + padding, kMaxAutoColumnWidth));
    // The switch (about two text lines wide) or the style's check box.
    const int indicator = std::max(style()->pixelMetric(QStyle::PM_IndicatorWidth, nullptr, this), fontMetrics().height() * 2);
    const int stateWidth = fontMetrics().horizontalAdvance(stateText) + indicator + padding * 2;
    header->resizeSection(stateColumn, std::max(header->sectionSize(stateColumn), stateWidth));
}

void FlagsView::paintEvent(QPaintEvent *event)
{
    QTableView::paintEvent(event);
    if (m_placeholder.isEmpty() || !model() || model()->rowCount(rootIndex()) > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const int margin = fontMetrics().height() * 2;
    painter.drawText(viewport()->rect().adjusted(margin, margin, -margin, -margin),
                     int(Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap), m_placeholder);
}

} // namespace sp
