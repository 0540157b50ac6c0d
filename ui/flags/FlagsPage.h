#pragma once

#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QToolButton;

namespace sp {

class ConsoleContext;
class FlagDetailPanel;
class FlagDialog;
class FlagSwitchDelegate;
class FlagTableModel;
class FlagsView;

// The Flags view: every flag with its on/off switch, rollout percentage, tags, prerequisites and
// who changed it last, filterable; a detail panel for the selected flag with a percentage slider
// that previews how many known targets change side; create and edit dialogs. Kept current while
// other processes change flags.
class FlagsPage : public QWidget
{
    Q_OBJECT

public:
    explicit FlagsPage(ConsoleContext &context, QWidget *parent = nullptr);
    ~FlagsPage() override;

    FlagTableModel *model() const { return m_model; }
    FlagsView *table() const { return m_table; }
    FlagDetailPanel *detail() const { return m_detail; }
    // The dialog currently open (create or edit), if any.
    FlagDialog *dialog() const { return m_dialog; }

    // The flag of the current row ("" when none).
    QString currentKey() const;
    // Makes key the current, selected row (clears the filter if it hides it). False if unknown.
    bool selectFlag(const QString &key);

    // The column layout, remembered between runs by the window.
    QByteArray saveLayout() const;
    void restoreLayout(const QByteArray &state);

public Q_SLOTS:
    // Open the create / edit dialog (non-modal to the event loop: open(), not exec()).
    void newFlag();
    void editFlag();

Q_SIGNALS:
    // A flag was created or edited from this page.
    void flagSaved(const QString &key);

private:
    void updateFromModel();
    void updateCounts();
    void updateActions();
    void openDialog(FlagDialog *dialog);

    ConsoleContext &m_ctx;
    FlagTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    FlagsView *m_table = nullptr;
    FlagSwitchDelegate *m_switch = nullptr;
    FlagDetailPanel *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_countLabel = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_editAction = nullptr;
    QToolButton *m_newButton = nullptr;
    QToolButton *m_editButton = nullptr;
    QPointer<FlagDialog> m_dialog;
    bool m_columnsSized = false;
};

} // namespace sp
