#include "Icons.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

namespace sp::Icons {

namespace {

// Paints one glyph into a 24×24 design grid scaled to the requested rectangle.
void paintGlyph(QPainter &p, Glyph g, const QColor &c)
{
    QPen pen(c, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    switch (g) {
    case Glyph::Overview:
        p.drawRoundedRect(QRectF(3, 3, 8, 8), 1.5, 1.5);
        p.drawRoundedRect(QRectF(13, 3, 8, 8), 1.5, 1.5);
        p.drawRoundedRect(QRectF(3, 13, 8, 8), 1.5, 1.5);
        p.drawRoundedRect(QRectF(13, 13, 8, 8), 1.5, 1.5);
        break;
    case Glyph::Flags: {
        p.drawLine(QPointF(5, 3), QPointF(5, 21));
        QPainterPath flag;
        flag.moveTo(5, 4);
        flag.cubicTo(10, 1, 13, 7, 19, 4);
        flag.lineTo(19, 13);
        flag.cubicTo(13, 16, 10, 10, 5, 13);
        p.drawPath(flag);
        break;
    }
    case Glyph::Rollouts: {
        QPainterPath steps;
        steps.moveTo(3, 20);
        steps.lineTo(8, 20);
        steps.lineTo(8, 14);
        steps.lineTo(13, 14);
        steps.lineTo(13, 8);
        steps.lineTo(18, 8);
        steps.lineTo(18, 3);
        steps.lineTo(21, 3);
        p.drawPath(steps);
        break;
    }
    case Glyph::Sync:
    case Glyph::Refresh: {
        p.drawArc(QRectF(4, 4, 16, 16), 30 * 16, 150 * 16);
        p.drawArc(QRectF(4, 4, 16, 16), 210 * 16, 150 * 16);
        p.drawLine(QPointF(4.5, 9), QPointF(4.2, 4.5));
        p.drawLine(QPointF(4.5, 9), QPointF(8.8, 8.2));
        p.drawLine(QPointF(19.5, 15), QPointF(19.8, 19.5));
        p.drawLine(QPointF(19.5, 15), QPointF(15.2, 15.8));
        break;
    }
    case Glyph::Health: {
        QPainterPath pulse;
        pulse.moveTo(2, 13);
        pulse.lineTo(7, 13);
        pulse.lineTo(9.5, 6);
        pulse.lineTo(13, 19);
        pulse.lineTo(15.5, 11);
        pulse.lineTo(17, 13);
        pulse.lineTo(22, 13);
        p.drawPath(pulse);
        break;
    }
    case Glyph::Audit:
        p.drawRoundedRect(QRectF(5, 3, 14, 18), 2, 2);
        p.drawLine(QPointF(8, 8), QPointF(16, 8));
        p.drawLine(QPointF(8, 12), QPointF(16, 12));
        p.drawLine(QPointF(8, 16), QPointF(12, 16));
        break;
    case Glyph::Emergency: {
        QPainterPath tri;
        tri.moveTo(12, 3);
        tri.lineTo(22, 20);
        tri.lineTo(2, 20);
        tri.closeSubpath();
        p.drawPath(tri);
        p.drawLine(QPointF(12, 9), QPointF(12, 14));
        p.drawPoint(QPointF(12, 17));
        break;
    }
    case Glyph::Restore:
    case Glyph::Undo:
        p.drawArc(QRectF(5, 5, 14, 14), 90 * 16, -270 * 16);
        p.drawLine(QPointF(12, 5), QPointF(8.5, 2.5));
        p.drawLine(QPointF(12, 5), QPointF(8.5, 7.5));
        break;
    case Glyph::Play: {
        QPainterPath tri;
        tri.moveTo(7, 4);
        tri.lineTo(19, 12);
        tri.lineTo(7, 20);
        tri.closeSubpath();
        p.setBrush(c);
        p.drawPath(tri);
        break;
    }
    case Glyph::Pause:
        p.setBrush(c);
        p.drawRect(QRectF(6, 5, 3.5, 14));
        p.drawRect(QRectF(14.5, 5, 3.5, 14));
        break;
    case Glyph::Stop:
        p.setBrush(c);
        p.drawRoundedRect(QRectF(6, 6, 12, 12), 1.5, 1.5);
        break;
    case Glyph::Forward:
        p.drawLine(QPointF(4, 12), QPointF(19, 12));
        p.drawLine(QPointF(19, 12), QPointF(13, 6));
        p.drawLine(QPointF(19, 12), QPointF(13, 18));
        break;
    case Glyph::Add:
        p.drawLine(QPointF(12, 4), QPointF(12, 20));
        p.drawLine(QPointF(4, 12), QPointF(20, 12));
        break;
    case Glyph::Edit:
        p.drawLine(QPointF(5, 19), QPointF(17, 7));
        p.drawLine(QPointF(15, 5), QPointF(19, 9));
        p.drawLine(QPointF(4, 20), QPointF(8, 19));
        break;
    case Glyph::Export:
        p.drawLine(QPointF(12, 3), QPointF(12, 15));
        p.drawLine(QPointF(12, 15), QPointF(7.5, 10.5));
        p.drawLine(QPointF(12, 15), QPointF(16.5, 10.5));
        p.drawLine(QPointF(4, 17), QPointF(4, 21));
        p.drawLine(QPointF(4, 21), QPointF(20, 21));
        p.drawLine(QPointF(20, 21), QPointF(20, 17));
        break;
    case Glyph::Verify: {
        QPainterPath shield;
        shield.moveTo(12, 2.5);
        shield.lineTo(20, 5.5);
        shield.cubicTo(20, 13, 17, 18, 12, 21.5);
        shield.cubicTo(7, 18, 4, 13, 4, 5.5);
        shield.closeSubpath();
        p.drawPath(shield);
        p.drawLine(QPointF(8.5, 12), QPointF(11, 14.5));
        p.drawLine(QPointF(11, 14.5), QPointF(15.5, 9));
        break;
    }
    case Glyph::SignIn:
        p.drawEllipse(QRectF(8, 3, 8, 8));
        p.drawArc(QRectF(4, 13, 16, 14), 0, 180 * 16);
        break;
    }
}

// Draws at any size: the pixmaps Qt asks for (at the screen's device pixel ratio) are painted
// fresh, never scaled from a bitmap.
class PaintedEngine : public QIconEngine
{
public:
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state, qreal scale) override
    {
        QPixmap pm(size * scale);
        pm.setDevicePixelRatio(scale);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        paint(&p, QRect(QPoint(0, 0), size), mode, state);
        return pm;
    }
};

class GlyphEngine final : public PaintedEngine
{
public:
    explicit GlyphEngine(Glyph g) : m_glyph(g) {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        const QPalette pal = QApplication::palette();
        QColor c = pal.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active,
                             mode == QIcon::Selected ? QPalette::HighlightedText : QPalette::WindowText);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const qreal side = qMin(rect.width(), rect.height());
        painter->translate(rect.x() + (rect.width() - side) / 2.0, rect.y() + (rect.height() - side) / 2.0);
        painter->scale(side / 24.0, side / 24.0);
        paintGlyph(*painter, m_glyph, c);
        painter->restore();
    }

    QIconEngine *clone() const override { return new GlyphEngine(m_glyph); }

private:
    Glyph m_glyph;
};

class DotEngine final : public PaintedEngine
{
public:
    explicit DotEngine(QColor c) : m_color(std::move(c)) {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode, QIcon::State) override
    {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_color);
        const qreal d = qMin(rect.width(), rect.height()) * 0.6;
        painter->drawEllipse(QRectF(rect.center().x() - d / 2 + 0.5, rect.center().y() - d / 2 + 0.5, d, d));
        painter->restore();
    }

    QIconEngine *clone() const override { return new DotEngine(m_color); }

private:
    QColor m_color;
};

} // namespace

QIcon icon(Glyph glyph) { return QIcon(new GlyphEngine(glyph)); }

QIcon dot(const QColor &color) { return QIcon(new DotEngine(color)); }

QColor healthy() { return QColor(0x2e, 0x9d, 0x4f); }
QColor warning() { return QColor(0xe0, 0x8e, 0x0b); }
QColor danger() { return QColor(0xd3, 0x2f, 0x2f); }
QColor neutral() { return QColor(0x8a, 0x8f, 0x98); }

} // namespace sp::Icons
