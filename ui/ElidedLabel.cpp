#include "ElidedLabel.h"

#include <QPainter>
#include <QStyle>

namespace sp {

ElidedLabel::ElidedLabel(QWidget *parent) : QFrame(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ElidedLabel::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    setToolTip(text);
    setAccessibleDescription(text);
    updateGeometry();
    update();
}

QSize ElidedLabel::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return QSize(fm.horizontalAdvance(m_text), fm.height()).grownBy(contentsMargins());
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return QSize(fm.horizontalAdvance(QStringLiteral("M…M")) * 4, fm.height()).grownBy(contentsMargins());
}

void ElidedLabel::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    QPainter painter(this);
    const QRect r = contentsRect();
    const QString shown = fontMetrics().elidedText(m_text, Qt::ElideMiddle, r.width());
    style()->drawItemText(&painter, r, int(Qt::AlignLeft | Qt::AlignVCenter), palette(), isEnabled(), shown, foregroundRole());
}

} // namespace sp
