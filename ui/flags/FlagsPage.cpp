#include "FlagsPage.h"

#include "ConsoleContext.h"
#include "FlagDetailPanel.h"
#include "FlagDialog.h"
#include "FlagSwitchDelegate.h"
#include "FlagTableModel.h"
#include "FlagsView.h"
#include "Icons.h"

#include "common/Error.h"
#include "flags/FlagStore.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace sp {

FlagsPage::FlagsPage(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("flagsPage"));

    m_model = new FlagTableModel(m_ctx.workspace(), this);
    m_model->setChangeContext([this] { return m_ctx.change(); });
    m_model->watch(m_ctx.watcher());
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlagTableModel::SortRole);
    m_proxy->setFilterRole(FlagTableModel::SearchRole);
    m_proxy->setFilterKeyColumn(FlagTableModel::KeyColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("flagsSplitter"));
    m_splitter->setChildrenCollapsible(false);
    layout->addWidget(m_splitter);

    auto *left = new QWidget(m_splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);

    // The small toolbar: New flag…, Edit…, the filter and the count.
    auto *top = new QHBoxLayout;
    m_newAction = new QAction(Icons::icon(Icons::Glyph::Add), tr("New flag…"), this);
    m_newAction->setObjectName(QStringLiteral("newFlagAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_newAction->setToolTip(tr("Create a flag (%1)").arg(m_newAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_newAction, &QAction::triggered, this, &FlagsPage::newFlag);
    addAction(m_newAction);
    m_editAction = new QAction(Icons::icon(Icons::Glyph::Edit), tr("Edit…"), this);
    m_editAction->setObjectName(QStringLiteral("editFlagAction"));
    m_editAction->setToolTip(tr("Edit the selected flag (Enter or double-click)"));
    connect(m_editAction, &QAction::triggered, this, &FlagsPage::editFlag);
    m_newButton = new QToolButton(left);
    m_newButton->setObjectName(QStringLiteral("newFlagButton"));
    m_newButton->setDefaultAction(m_newAction);
    m_newButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_newButton->setAccessibleName(tr("New flag"));
    m_editButton = new QToolButton(left);
    m_editButton->setObjectName(QStringLiteral("editFlagButton"));
    m_editButton->setDefaultAction(m_editAction);
    m_editButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_editButton->setAccessibleName(tr("Edit flag"));

    m_filter = new QLineEdit(left);
    m_filter->setObjectName(QStringLiteral("flagFilter"));
    m_filter->setAccessibleName(tr("Filter flags"));
    m_filter->setPlaceholderText(tr("Filter by key, description, tag or prerequisite…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        updateCounts();
    });
    auto *findAction = new QAction(tr("Find"), this);
    findAction->setShortcut(QKeySequence::Find);
    findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(findAction, &QAction::triggered, m_filter, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(findAction);
    m_countLabel = new QLabel(left);
    m_countLabel->setObjectName(QStringLiteral("flagCountLabel"));
    m_countLabel->setAccessibleName(tr("Flag count"));
    top->addWidget(m_newButton);
    top->addWidget(m_editButton);
    top->addWidget(m_filter, 1);
    top->addWidget(m_countLabel);
    leftLayout->addLayout(top);

    m_table = new FlagsView(left);
    m_table->setObjectName(QStringLiteral("flagTable"));
    m_table->setAccessibleName(tr("Flags"));
    m_table->setAccessibleDescription(tr("Space on the State column turns the flag on or off; Enter edits the flag."));
    m_switch = new FlagSwitchDelegate(m_table);
    m_table->setItemDelegateForColumn(FlagTableModel::StateColumn, m_switch);
    m_table->setModel(m_proxy);
    m_table->sortByColumn(FlagTableModel::KeyColumn, Qt::AscendingOrder);
    leftLayout->addWidget(m_table, 1);
    // Enter and double click open the editor (activated() is not emitted for the switch's own
    // double clicks, which the delegate eats). Where the style activates on a single click, only a
    // double click edits, so selecting a row never opens a dialog.
    if (m_table->style()->styleHint(QStyle::SH_ItemView_ActivateItemOnSingleClick, nullptr, m_table)) {
        connect(m_table, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
            if (index.column() != FlagTableModel::StateColumn)
                editFlag();
        });
        auto *enter = new QAction(this);
        enter->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
        enter->setShortcutContext(Qt::WidgetShortcut);
        connect(enter, &QAction::triggered, this, &FlagsPage::editFlag);
        m_table->addAction(enter);
    } else {
        connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex &) { editFlag(); });
    }

    m_detail = new FlagDetailPanel(m_ctx);
    auto *scroll = new QScrollArea(m_splitter);
    scroll->setObjectName(QStringLiteral("flagDetailScroll"));
    scroll->setWidget(m_detail);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumHeight(fontMetrics().lineSpacing() * 9);
    m_splitter->addWidget(left);
    m_splitter->addWidget(scroll);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({450, 300});
    connect(m_detail, &FlagDetailPanel::editRequested, this, &FlagsPage::editFlag);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        m_detail->setFlagKey(currentKey());
        updateActions();
    });
    connect(m_model, &FlagTableModel::writeFailed, &m_ctx, &ConsoleContext::reportWriteError);
    connect(m_model, &FlagTableModel::reloaded, this, &FlagsPage::updateFromModel);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &FlagsPage::updateCounts);

    setTabOrder(m_newButton, m_editButton);
    setTabOrder(m_editButton, m_filter);
    setTabOrder(m_filter, m_table); // then the detail panel: edit, slider, spin box, reset, apply
    updateFromModel();
    updateActions();
}

FlagsPage::~FlagsPage() = default;

QString FlagsPage::currentKey() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(FlagTableModel::KeyRole).toString() : QString();
}

bool FlagsPage::selectFlag(const QString &key)
{
    if (m_model->rowOf(key) < 0)
        return false;
    auto find = [&] {
        for (int row = 0; row < m_proxy->rowCount(); ++row)
            if (m_proxy->index(row, 0).data(FlagTableModel::KeyRole).toString() == key)
                return m_proxy->index(row, 0);
        return QModelIndex();
    };
    QModelIndex index = find();
    if (!index.isValid()) {
        m_filter->clear();
        index = find();
    }
    if (!index.isValid())
        return false;
    m_table->setCurrentIndex(index);
    m_table->selectRow(index.row());
    m_table->scrollTo(index);
    return true;
}

void FlagsPage::updateFromModel()
{
    updateCounts();
    updateActions();
    if (!m_table->currentIndex().isValid() && m_proxy->rowCount() > 0) {
        // Something to look at from the start: the first flag's details.
        m_table->setCurrentIndex(m_proxy->index(0, 0));
        m_table->selectRow(0);
    }
    if (!m_columnsSized) {
        // Fit the headers now and the contents once there are flags. Room for the longest state
        // text (and the switch), so turning the kill switch on does not clip it.
        m_table->fitColumnsToContents(FlagTableModel::StateColumn, FlagTableModel::tr("On (kill switch)"));
        m_columnsSized = m_model->rowCount() > 0;
    }
}

void FlagsPage::updateCounts()
{
    const int total = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    // "Flags: 9" rather than a plural phrase: correct in every language without plural forms.
    m_countLabel->setText(shown == total ? tr("Flags: %1").arg(total) : tr("Flags: %1 of %2").arg(shown).arg(total));
    if (total == 0)
        m_table->setPlaceholderText(tr("No flags yet.\nCreate one with “New flag…” (%1).")
                                        .arg(m_newAction->shortcut().toString(QKeySequence::NativeText)));
    else
        m_table->setPlaceholderText(tr("No flag matches “%1”.").arg(m_filter->text()));
}

void FlagsPage::updateActions()
{
    const bool writable = !m_ctx.isReadOnly();
    m_newAction->setEnabled(writable);
    m_editAction->setEnabled(writable && !currentKey().isEmpty());
}

void FlagsPage::openDialog(FlagDialog *dialog)
{
    if (m_dialog)
        m_dialog->close();
    m_dialog = dialog;
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->open();
}

void FlagsPage::newFlag()
{
    if (m_ctx.isReadOnly())
        return;
    FlagSnapshot snapshot;
    try {
        snapshot = FlagStore(m_ctx.workspace()).snapshot();
    } catch (const Error &e) {
        m_ctx.reportWriteError(e.message());
        return;
    }
    auto *dialog = new FlagDialog(FlagDialog::Mode::Create, snapshot, std::nullopt, this);
    dialog->setSubmitter([this](FlagDialog &d) -> QString {
        try {
            const Flag created = FlagStore(m_ctx.workspace()).create(d.draft(), m_ctx.change());
            m_model->reload();
            selectFlag(created.key);
            m_ctx.showStatus(tr("Created flag %1.").arg(created.key));
            Q_EMIT flagSaved(created.key);
            return {};
        } catch (const Error &e) {
            return e.message();
        }
    });
    openDialog(dialog);
}

void FlagsPage::editFlag()
{
    const QString key = currentKey();
    if (key.isEmpty() || m_ctx.isReadOnly())
        return;
    FlagSnapshot snapshot;
    try {
        snapshot = FlagStore(m_ctx.workspace()).snapshot();
    } catch (const Error &e) {
        m_ctx.reportWriteError(e.message());
        return;
    }
    if (!snapshot.flags.contains(key))
        return;
    auto *dialog = new FlagDialog(FlagDialog::Mode::Edit, snapshot, snapshot.flags.value(key), this);
    dialog->setSubmitter([this, key](FlagDialog &d) -> QString {
        try {
            FlagStore(m_ctx.workspace()).update(key, d.patch(), m_ctx.change());
            m_model->reload();
            m_detail->refresh();
            m_ctx.showStatus(tr("Saved flag %1.").arg(key));
            Q_EMIT flagSaved(key);
            return {};
        } catch (const Error &e) {
            return e.message();
        }
    });
    openDialog(dialog);
}

QByteArray FlagsPage::saveLayout() const { return m_table->horizontalHeader()->saveState(); }

void FlagsPage::restoreLayout(const QByteArray &state)
{
    if (!state.isEmpty() && m_table->horizontalHeader()->restoreState(state))
        m_columnsSized = true;
}

} // namespace sp
