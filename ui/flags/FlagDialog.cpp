#include "FlagDialog.h"

#include "Icons.h"

#include "common/Error.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QVBoxLayout>

namespace sp {

namespace {

QListWidget *checkList(const QString &objectName, const QString &accessibleName, const QStringList &items,
                       const QStringList &checkedItems, QWidget *parent)
{
    auto *list = new QListWidget(parent);
    list->setObjectName(objectName);
    list->setAccessibleName(accessibleName);
    for (const QString &text : items) {
        auto *item = new QListWidgetItem(text, list);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(checkedItems.contains(text) ? Qt::Checked : Qt::Unchecked);
    }
    // Room for up to six whole rows; more scroll.
    const int rows = std::clamp(int(items.size()), 3, 6);
    const int rowHeight = items.isEmpty() ? list->fontMetrics().height() + 4 : list->sizeHintForRow(0);
    list->setFixedHeight(rowHeight * rows + list->frameWidth() * 2);
    return list;
}

} // namespace

FlagDialog::FlagDialog(Mode mode, const FlagSnapshot &snapshot, const std::optional<Flag> &flag, QWidget *parent)
    : QDialog(parent), m_mode(mode), m_flag(flag), m_existingKeys(snapshot.flags.keys())
{
    setObjectName(QStringLiteral("flagDialog"));
    setWindowTitle(mode == Mode::Create ? tr("New flag") : tr("Edit flag %1").arg(flag ? flag->key : QString()));
    setAccessibleName(windowTitle());

    const Flag current = flag.value_or(Flag{});
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_keyEdit = new QLineEdit(this);
    m_keyEdit->setObjectName(QStringLiteral("flagKeyEdit"));
    m_keyEdit->setAccessibleName(tr("Key"));
    m_keyEdit->setPlaceholderText(tr("e.g. tokens.sync-path"));
    m_keyEdit->setMaxLength(64);
    if (mode == Mode::Edit) {
        m_keyEdit->setText(current.key);
        m_keyEdit->setReadOnly(true);
        m_keyEdit->setToolTip(tr("A flag's key cannot change: services ask for it by name."));
    } else {
        m_keyEdit->setToolTip(tr("1-64 characters: a lower-case letter first, then a-z, 0-9, '_', '.' or '-'."));
    }
    form->addRow(tr("&Key:"), m_keyEdit);

    m_descriptionEdit = new QLineEdit(current.description, this);
    m_descriptionEdit->setObjectName(QStringLiteral("flagDescriptionEdit"));
    m_descriptionEdit->setAccessibleName(tr("Description"));
    m_descriptionEdit->setPlaceholderText(tr("What the flag turns on"));
    form->addRow(tr("&Description:"), m_descriptionEdit);

    m_tagsEdit = new QLineEdit(current.tags.join(QStringLiteral(", ")), this);
    m_tagsEdit->setObjectName(QStringLiteral("flagTagsEdit"));
    m_tagsEdit->setAccessibleName(tr("Tags"));
    m_tagsEdit->setPlaceholderText(tr("comma separated, e.g. sync, figma"));
    m_tagsEdit->setToolTip(tr("The tag sync puts the flag under the kill switch."));
    form->addRow(tr("&Tags:"), m_tagsEdit);

    QStringList candidates = snapshot.flags.keys();
    candidates.removeAll(current.key);
    m_prerequisites = checkList(QStringLiteral("flagPrerequisitesList"), tr("Prerequisites"), candidates, current.prerequisites, this);
    m_prerequisites->setToolTip(tr("Flags that must be on for the same context."));
    if (candidates.isEmpty()) {
        auto *none = new QLabel(tr("No other flags to require yet."), this);
        none->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(tr("&Prerequisites:"), none);
        m_prerequisites->hide();
    } else {
        form->addRow(tr("&Prerequisites:"), m_prerequisites);
    }

    const QStringList segments = snapshot.segments.keys();
    m_include = checkList(QStringLiteral("flagIncludeSegmentsList"), tr("Included segments"), segments, current.includeSegments, this);
    m_exclude = checkList(QStringLiteral("flagExcludeSegmentsList"), tr("Excluded segments"), segments, current.excludeSegments, this);
    if (segments.isEmpty()) {
        auto *none = new QLabel(tr("No segments yet (create one with: syncpilot-cli segment create NAME)."), this);
        none->setWordWrap(true);
        none->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(tr("Segments:"), none);
        m_include->hide();
        m_exclude->hide();
    } else {
        auto *both = new QHBoxLayout;
        auto *inCol = new QVBoxLayout;
        inCol->addWidget(new QLabel(tr("Always on:"), this));
        inCol->addWidget(m_include);
        auto *outCol = new QVBoxLayout;
        outCol->addWidget(new QLabel(tr("Always off:"), this));
        outCol->addWidget(m_exclude);
        both->addLayout(inCol);
        both->addLayout(outCol);
        form->addRow(tr("Segments:"), both);
    }

    auto *stateRow = new QHBoxLayout;
    m_enabled = new QCheckBox(tr("&On"), this);
    m_enabled->setObjectName(QStringLiteral("flagEnabledCheck"));
    m_enabled->setAccessibleName(tr("Flag on"));
    m_enabled->setChecked(current.enabled);
    m_percent = new QDoubleSpinBox(this);
    m_percent->setObjectName(QStringLiteral("flagPercentSpin"));
    m_percent->setAccessibleName(tr("Rollout percentage"));
    m_percent->setRange(0.0, 100.0);
    m_percent->setDecimals(1);
    m_percent->setSingleStep(0.1);
    m_percent->setSuffix(tr(" %", "spin box suffix"));
    m_percent->setValue(current.percentTenths / 10.0);
    stateRow->addWidget(m_enabled);
    stateRow->addSpacing(fontMetrics().averageCharWidth() * 2);
    stateRow->addWidget(new QLabel(tr("Rollout:"), this));
    stateRow->addWidget(m_percent);
    stateRow->addStretch(1);
    form->addRow(tr("State:"), stateRow);
    layout->addLayout(form);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("flagDialogMessage"));
    m_message->setAccessibleName(tr("Problem"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    // Room for two lines from the start, so the dialog does not jump when a problem shows.
    m_message->setMinimumHeight(m_message->fontMetrics().lineSpacing() * 2);
    m_message->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    QPalette pal = m_message->palette();
    pal.setColor(QPalette::WindowText, Icons::danger());
    m_message->setPalette(pal);
    layout->addWidget(m_message);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(mode == Mode::Create ? tr("Create") : tr("Save"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("flagDialogOk"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &FlagDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &FlagDialog::reject);
    layout->addWidget(m_buttons);

    for (QLineEdit *edit : {m_keyEdit, m_tagsEdit, m_descriptionEdit})
        connect(edit, &QLineEdit::textChanged, this, &FlagDialog::validate);
    for (QListWidget *list : {m_include, m_exclude, m_prerequisites})
        connect(list, &QListWidget::itemChanged, this, &FlagDialog::validate);
    setMinimumWidth(fontMetrics().averageCharWidth() * 70);
    (mode == Mode::Create ? m_keyEdit : m_descriptionEdit)->setFocus();
    validate();
}

QString FlagDialog::key() const { return m_keyEdit->text().trimmed(); }

QStringList FlagDialog::tags() const
{
    QStringList result;
    for (const QString &part : m_tagsEdit->text().split(QLatin1Char(','))) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !result.contains(tag))
            result << tag;
    }
    return result;
}

QStringList FlagDialog::checked(const QListWidget *list)
{
    QStringList result;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked)
            result << list->item(i)->text();
    return result;
}

QString FlagDialog::problem() const
{
    if (m_mode == Mode::Create) {
        if (key().isEmpty())
            return tr("Key: enter a key, e.g. tokens.sync-path.");
        try {
            FlagRules::checkKey(key());
        } catch (const Error &e) {
            return tr("Key: %1").arg(e.message());
        }
        if (m_existingKeys.contains(key()))
            return tr("Key: a flag called “%1” exists already.").arg(key());
    }
    for (const QString &tag : tags()) {
        try {
            FlagRules::checkTag(tag);
        } catch (const Error &e) {
            return tr("Tags: %1").arg(e.message());
        }
    }
    const QStringList in = checked(m_include);
    for (const QString &s : checked(m_exclude))
        if (in.contains(s))
            return tr("Segments: “%1” cannot be both always on and always off.").arg(s);
    return {};
}

QString FlagDialog::message() const { return m_message->text(); }

void FlagDialog::validate()
{
    const QString p = problem();
    // A key not typed yet is no error to shout about; OK stays disabled all the same.
    const bool quiet = m_mode == Mode::Create && key().isEmpty();
    m_message->setText(quiet ? QString() : p);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(p.isEmpty());
}

FlagDraft FlagDialog::draft() const
{
    FlagDraft d;
    d.key = key();
    d.description = m_descriptionEdit->text().trimmed();
    d.tags = tags();
    d.enabled = m_enabled->isChecked();
    d.percentTenths = int(std::lround(m_percent->value() * 10));
    d.prerequisites = checked(m_prerequisites);
    d.includeSegments = checked(m_include);
    d.excludeSegments = checked(m_exclude);
    return d;
}

FlagPatch FlagDialog::patch() const
{
    const FlagDraft d = draft();
    FlagPatch p;
    p.description = d.description;
    p.tags = d.tags;
    p.enabled = d.enabled;
    p.percentTenths = d.percentTenths;
    p.prerequisites = d.prerequisites;
    p.includeSegments = d.includeSegments;
    p.excludeSegments = d.excludeSegments;
    if (m_flag)
        p.expectedVersion = m_flag->version;
    return p;
}

void FlagDialog::accept()
{
    const QString p = problem();
    if (!p.isEmpty()) {
        m_message->setText(p);
        return;
    }
    const QString refused = m_submitter ? m_submitter(*this) : QString();
    if (!refused.isEmpty()) {
        m_message->setText(refused);
        return;
    }
    QDialog::accept();
}

} // namespace sp
