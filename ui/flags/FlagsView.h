#pragma once

#include <QTableView>

namespace sp {

// The flags table: one row per flag, sortable, whole-row selection, and a hint in the empty
// viewport ("no flags yet", "nothing matches") instead of a blank white area.
class FlagsView : public QTableView
{
    Q_OBJECT

public:
    explicit FlagsView(QWidget *parent = nullptr);

    QString placeholderText() const { return m_placeholder; }
    void setPlaceholderText(const QString &text);

    // Sizes the columns to their contents (within limits), leaving room for stateText in the
    // state column. Called once, when the first flags arrive, unless a saved layout was restored.
    void fitColumnsToContents(int stateColumn, const QString &stateText);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_placeholder;
};

} // namespace sp
