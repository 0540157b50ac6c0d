#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QStackedWidget;
class QTreeWidget;

namespace sp {

// One section of the Overview: a title, a count, and a list (a QTreeWidget with columns) that
// gives way to a placeholder sentence when it is empty. The list carries the card's objectName
// ("overviewRollouts" …) so tests and the main window find it.
class OverviewCard : public QFrame
{
    Q_OBJECT

public:
    OverviewCard(const QString &objectName, const QString &title, const QStringList &columns, const QString &emptyText,
                 QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }
    QLabel *placeholder() const { return m_placeholder; }
    // Shows the list, or the placeholder when it holds no item; the count goes next to the title.
    void updateState();
    void setEmptyText(const QString &text);

private:
    QLabel *m_title = nullptr;
    QLabel *m_count = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTreeWidget *m_list = nullptr;
    QLabel *m_placeholder = nullptr;
};

} // namespace sp
