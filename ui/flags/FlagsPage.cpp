#include "FlagsPage.h"

#include "ConsoleContext.h"
#include "FlagTableModel.h"
#include "FlagsView.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

namespace sp {

FlagsPage::FlagsPage(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("flagsPage"));

    m_model = new FlagTableModel(m_ctx.workspace(), this);
    m_model->watch(m_ctx.watcher());
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlagTableModel::SortRole);
    m_proxy->setFilterRole(FlagTableModel::SearchRole);
    m_proxy->setFilterKeyColumn(FlagTableModel::KeyColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit(this);
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
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("flagCountLabel"));
    m_countLabel->setAccessibleName(tr("Flag count"));
    top->addWidget(m_filter, 1);
    top->addWidget(m_countLabel);
    layout->addLayout(top);

    m_table = new FlagsView(this);
    m_table->setObjectName(QStringLiteral("flagTable"));
    m_table->setAccessibleName(tr("Flags"));
    m_table->setModel(m_proxy);
    m_table->sortByColumn(FlagTableModel::KeyColumn, Qt::AscendingOrder);
    layout->addWidget(m_table, 1);

    connect(m_model, &FlagTableModel::writeFailed, &m_ctx, &ConsoleContext::reportWriteError);
    connect(m_model, &FlagTableModel::reloaded, this, &FlagsPage::updateFromModel);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &FlagsPage::updateCounts);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &FlagsPage::updateCounts);
    updateFromModel();
}

FlagsPage::~FlagsPage() = default;

void FlagsPage::updateFromModel()
{
    updateCounts();
    if (!m_columnsSized) {
        // Fit the headers now and the contents once there are flags. Room for the longest state
        // text, so turning the kill switch on does not clip it.
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
        m_table->setPlaceholderText(tr("No flags yet.\nCreate one with: syncpilot-cli flag create KEY"));
    else
        m_table->setPlaceholderText(tr("No flag matches “%1”.").arg(m_filter->text()));
}

QByteArray FlagsPage::saveLayout() const { return m_table->horizontalHeader()->saveState(); }

void FlagsPage::restoreLayout(const QByteArray &state)
{
    if (!state.isEmpty() && m_table->horizontalHeader()->restoreState(state))
        m_columnsSized = true;
}

} // namespace sp
