#pragma once

#include <QStyledItemDelegate>

namespace sp {

// Draws the State column of the flags table as a pill switch followed by the state text ("On",
// "Off", "On (kill switch)"), in palette colours (the kill switch's forced state in the warning
// colour). A click on the switch, Space or Select on the current cell toggles it through the
// model's setData(Qt::CheckStateRole); a double click on the switch is eaten so it never toggles
// twice or opens the editor.
class FlagSwitchDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit FlagSwitchDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // Where the switch of a cell is drawn, and where a click toggles it (the switch, plus the
    // style's check box area so a click aimed at a classic check box works too).
    QRect switchRect(const QStyleOptionViewItem &option) const;
    QRect hitRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    // True when index's row is forced off by the kill switch (its text says so).
    static bool isForced(const QModelIndex &index);

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

private:
    bool toggle(QAbstractItemModel *model, const QModelIndex &index) const;
};

} // namespace sp
