#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;

namespace sp {

class ConsoleContext;
class FlagTableModel;
class FlagsView;

// The Flags view: every flag with its on/off switch, rollout percentage, tags, prerequisites and
// who changed it last, filterable; kept current while other processes change flags.
class FlagsPage : public QWidget
{
    Q_OBJECT

public:
    explicit FlagsPage(ConsoleContext &context, QWidget *parent = nullptr);
    ~FlagsPage() override;

    FlagTableModel *model() const { return m_model; }
    FlagsView *table() const { return m_table; }

    // The column layout, remembered between runs by the window.
    QByteArray saveLayout() const;
    void restoreLayout(const QByteArray &state);

private:
    void updateFromModel();
    void updateCounts();

    ConsoleContext &m_ctx;
    FlagTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    FlagsView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_countLabel = nullptr;
    bool m_columnsSized = false;
};

} // namespace sp
