#include "FlagSwitchDelegate.h"

#include "FlagTableModel.h"
#include "Icons.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace sp {

namespace {

int margin(const QStyleOptionViewItem &option)
{
    const QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    return style->pixelMetric(QStyle::PM_FocusFrameHMargin, &option, option.widget) + 2;
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

FlagSwitchDelegate::FlagSwitchDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

bool FlagSwitchDelegate::isForced(const QModelIndex &index)
{
    return index.data(FlagTableModel::ForcedOffRole).toBool();
}

QRect FlagSwitchDelegate::switchRect(const QStyleOptionViewItem &option) const
{
    const int height = std::max(12, option.fontMetrics.height() - 2);
    const int width = height * 2 - 2;
    const QRect cell = option.rect;
    return QRect(cell.left() + margin(option), cell.top() + (cell.height() - height) / 2, width, height);
}

QRect FlagSwitchDelegate::hitRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem probe = option;
    initStyleOption(&probe, index);
    const QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    const QRect check = style->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &probe, option.widget);
    return switchRect(option).adjusted(-2, -2, 2, 2).united(check);
}

QSize FlagSwitchDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QRect sw = switchRect(opt);
    const int text = opt.fontMetrics.horizontalAdvance(index.data(Qt::DisplayRole).toString());
    return QSize(margin(opt) * 3 + sw.width() + text + opt.fontMetrics.averageCharWidth(),
                 std::max(sw.height() + 6, QStyledItemDelegate::sizeHint(option, index).height()));
}

void FlagSwitchDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    const bool forced = isForced(index);
    const bool enabled = (opt.state & QStyle::State_Enabled) && (index.flags() & Qt::ItemIsUserCheckable);

    // Background, selection and focus as the style draws them, without its check box and text.
    opt.features &= ~QStyleOptionViewItem::HasCheckIndicator;
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QPalette &pal = opt.palette;
    const bool selected = opt.state & QStyle::State_Selected;
    const QRectF track = QRectF(switchRect(opt)).adjusted(0.5, 0.5, -0.5, -0.5);
    const double radius = track.height() / 2;
    QColor fill;
    if (!on)
        fill = mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.28);
    else if (forced)
        fill = Icons::warning();
    else
        fill = pal.color(QPalette::Highlight);
    if (on && !forced && selected) // the highlight behind would swallow a highlight-coloured switch
        fill = mix(pal.color(QPalette::Highlight), pal.color(QPalette::HighlightedText), 0.45);
    if (!enabled)
        fill.setAlphaF(0.45f);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(mix(fill, pal.color(QPalette::Text), 0.25), 1));
    painter->setBrush(fill);
    painter->drawRoundedRect(track, radius, radius);
    const double knobSize = track.height() - 4;
    const double knobX = on ? track.right() - 2 - knobSize : track.left() + 2;
    const QRectF knob(knobX, track.top() + 2, knobSize, knobSize);
    QColor knobColor = pal.color(QPalette::Base);
    if (pal.color(QPalette::Base).lightnessF() < 0.5f) // dark palette: a light knob reads better
        knobColor = pal.color(QPalette::Text);
    if (!enabled)
        knobColor.setAlphaF(0.7f);
    painter->setPen(QPen(mix(knobColor, pal.color(QPalette::Shadow), 0.3), 0.8));
    painter->setBrush(knobColor);
    painter->drawEllipse(knob);
    painter->restore();

    // The state text after the switch.
    QRect textRect = opt.rect;
    textRect.setLeft(switchRect(opt).right() + margin(opt) * 2);
    textRect.setRight(opt.rect.right() - margin(opt));
    const QPalette::ColorGroup group = enabled ? QPalette::Normal : QPalette::Disabled;
    painter->save();
    painter->setPen(pal.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
    painter->setFont(opt.font);
    painter->drawText(textRect, int(Qt::AlignLeft | Qt::AlignVCenter),
                      opt.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
    painter->restore();
}

bool FlagSwitchDelegate::toggle(QAbstractItemModel *model, const QModelIndex &index) const
{
    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    return model->setData(index, on ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

bool FlagSwitchDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                     const QModelIndex &index)
{
    if (!(index.flags() & Qt::ItemIsUserCheckable) || !(index.flags() & Qt::ItemIsEnabled))
        return false;
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        // Eat presses on the switch, so a double click neither toggles twice nor opens an editor.
        const auto *mouse = static_cast<QMouseEvent *>(event);
        return mouse->button() == Qt::LeftButton && hitRect(option, index).contains(mouse->position().toPoint());
    }
    case QEvent::MouseButtonRelease: {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() != Qt::LeftButton || !hitRect(option, index).contains(mouse->position().toPoint()))
            return false;
        toggle(model, index);
        return true;
    }
    case QEvent::KeyPress: {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() != Qt::Key_Space && key->key() != Qt::Key_Select)
            return false;
        toggle(model, index);
        return true;
    }
    default:
        return false;
    }
}

} // namespace sp
