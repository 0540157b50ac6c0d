#include "StartRolloutDialog.h"

#include "ConsoleContext.h"
#include "Icons.h"
#include "RolloutText.h"

#include "common/Error.h"
#include "flags/FlagStore.h"
#include "rollout/Rollout.h"
#include "workspace/Workspace.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace sp {

StartRolloutDialog::StartRolloutDialog(ConsoleContext &context, QWidget *parent) : QDialog(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("startRolloutDialog"));
    setWindowTitle(tr("Start rollout"));
    setAccessibleName(tr("Start rollout"));

    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);

    m_flag = new QComboBox(this);
    m_flag->setObjectName(QStringLiteral("flagCombo"));
    m_flag->setAccessibleName(tr("Flag"));
    try {
        for (const Flag &f : FlagStore(m_ctx.workspace()).flags())
            m_flag->addItem(f.key, f.key);
    } catch (const Error &e) {
        m_ctx.reportWriteError(e.message());
    }
    form->addRow(tr("&Flag:"), m_flag);

    m_useTemplate = new QRadioButton(tr("&Template"), this);
    m_useTemplate->setObjectName(QStringLiteral("useTemplate"));
    m_useTemplate->setChecked(true);
    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("templateCombo"));
    m_template->setAccessibleName(tr("Template"));
    for (const QString &name : RolloutPlan::templateNames())
        m_template->addItem(name, name);
    form->addRow(m_useTemplate, m_template);

    m_useCustom = new QRadioButton(tr("&Custom plan"), this);
    m_useCustom->setObjectName(QStringLiteral("useCustom"));
    m_planText = new QLineEdit(this);
    m_planText->setObjectName(QStringLiteral("planEdit"));
    m_planText->setAccessibleName(tr("Custom plan"));
    m_planText->setPlaceholderText(QStringLiteral("5:24h,25:48h,50:72h,100"));
    m_planText->setToolTip(tr("Phases PERCENT:HOLD or segment=NAME:HOLD, comma-separated; the last needs no hold. Durations: s, m, h, d."));
    form->addRow(m_useCustom, m_planText);
    auto *group = new QButtonGroup(this);
    group->addButton(m_useTemplate);
    group->addButton(m_useCustom);

    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("planPreview"));
    m_preview->setWordWrap(true);
    m_preview->setAccessibleName(tr("Phases of the plan"));
    form->addRow(tr("Phases:"), m_preview);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("planError"));
    m_error->setWordWrap(true);
    m_error->setAccessibleName(tr("Problem with the plan"));
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, Icons::danger());
    m_error->setPalette(errorPalette);
    m_error->setMinimumHeight(m_error->fontMetrics().lineSpacing() * 2); // room for a two-line message, no jumping
    form->addRow(QString(), m_error);

    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setAccessibleName(tr("Reason"));
    m_reason->setPlaceholderText(tr("Optional: why (kept in the audit log and the ledger)"));
    form->addRow(tr("&Reason:"), m_reason);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("startButton"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &StartRolloutDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &StartRolloutDialog::reject);

    connect(m_useTemplate, &QRadioButton::toggled, this, &StartRolloutDialog::validate);
    connect(m_template, &QComboBox::currentIndexChanged, this, [this] {
        m_useTemplate->setChecked(true);
        validate();
    });
    connect(m_planText, &QLineEdit::textEdited, this, [this] {
        m_useCustom->setChecked(true);
        validate();
    });
    connect(m_flag, &QComboBox::currentIndexChanged, this, &StartRolloutDialog::validate);
    setMinimumWidth(520);
    validate();
}

void StartRolloutDialog::setFlag(const QString &key)
{
    const int i = m_flag->findData(key);
    if (i >= 0)
        m_flag->setCurrentIndex(i);
}

std::optional<RolloutPlan> StartRolloutDialog::plan() const
{
    try {
        if (m_useTemplate->isChecked())
            return RolloutPlan::fromTemplate(m_template->currentData().toString());
        const QString text = m_planText->text().trimmed();
        if (text.isEmpty())
            return std::nullopt;
        return RolloutPlan::parse(text);
    } catch (const Error &) {
        return std::nullopt;
    }
}

QString StartRolloutDialog::planError() const { return m_planError; }

void StartRolloutDialog::validate()
{
    m_planError.clear();
    std::optional<RolloutPlan> p;
    try {
        if (m_useTemplate->isChecked()) {
            p = RolloutPlan::fromTemplate(m_template->currentData().toString());
        } else if (!m_planText->text().trimmed().isEmpty()) {
            p = RolloutPlan::parse(m_planText->text().trimmed());
        }
    } catch (const Error &e) {
        m_planError = e.message();
    }
    m_preview->setText(p ? RolloutText::planInWords(*p)
                         : m_planError.isEmpty() ? tr("Enter a plan such as 5:24h,25:48h,50:72h,100.") : tr("—"));
    m_error->setText(m_planError);
    const bool ok = p.has_value() && m_flag->count() > 0 && !m_ctx.isReadOnly();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    if (m_flag->count() == 0) {
        m_error->setText(tr("This workspace has no flags yet. Create a flag first."));
    }
}

void StartRolloutDialog::accept()
{
    validate();
    const std::optional<RolloutPlan> p = plan();
    if (!p || m_flag->count() == 0)
        return;
    const QString key = m_flag->currentData().toString();
    const QString templateName = m_useTemplate->isChecked() ? m_template->currentData().toString() : QString();
    try {
        RolloutStore(m_ctx.workspace(), m_ctx.clock()).start(key, *p, templateName, m_ctx.change(m_reason->text().trimmed()));
    } catch (const Error &e) {
        m_error->setText(e.message());
        return;
    }
    m_ctx.showStatus(tr("Started the rollout of %1 at %2.").arg(key, p->phases.first().label()));
    Q_EMIT started(key);
    QDialog::accept();
}

} // namespace sp
