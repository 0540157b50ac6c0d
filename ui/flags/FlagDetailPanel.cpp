#include "FlagDetailPanel.h"

#include "ConsoleContext.h"
#include "Icons.h"

#include "audit/AuditLog.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "rollout/Rollout.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace sp {

namespace {

// Debounce of the preview while the slider moves.
constexpr int kPreviewDelayMs = 100;

QString percentText(int tenths)
{
    return FlagDetailPanel::tr("%1 %", "rollout percentage")
        .arg(QLocale().toString(tenths / 10.0, 'f', tenths % 10 == 0 ? 0 : 1));
}

QString listOrNone(const QStringList &list)
{
    return list.isEmpty() ? FlagDetailPanel::tr("none") : list.join(QStringLiteral(", "));
}

QLabel *valueLabel(const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setTextFormat(Qt::PlainText);
    // Never taller than the text: spare height goes to the stretch below, not between rows.
    label->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    return label;
}

} // namespace

FlagDetailPanel::FlagDetailPanel(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("flagDetailPanel"));
    setAccessibleName(tr("Flag details"));
    buildUi();
    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(kPreviewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &FlagDetailPanel::updatePreview);
    connect(m_ctx.watcher(), &WorkspaceWatcher::changed, this, &FlagDetailPanel::refresh);
    setFlagKey({});
}

FlagDetailPanel::~FlagDetailPanel() = default;

void FlagDetailPanel::buildUi()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    outer->addWidget(m_stack);

    m_placeholder = new QLabel(tr("Select a flag to see its details and to ramp its rollout percentage."), m_stack);
    m_placeholder->setObjectName(QStringLiteral("flagDetailPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setMargin(fontMetrics().height());
    m_stack->addWidget(m_placeholder);

    // Details on the left, the percentage on the right: the panel sits under the table, which
    // keeps the table's full width for its columns.
    auto *page = new QWidget(m_stack);
    auto *columns = new QHBoxLayout(page);
    const int margin = fontMetrics().averageCharWidth();
    columns->setContentsMargins(margin, margin, margin, margin);
    auto *layout = new QVBoxLayout;
    columns->addLayout(layout, 1);
    columns->addSpacing(margin * 2); // not setSpacing(): nested layouts would inherit it

    auto *header = new QHBoxLayout;
    m_keyLabel = valueLabel(QStringLiteral("flagDetailKey"), tr("Flag key"), page);
    QFont keyFont = m_keyLabel->font();
    keyFont.setBold(true);
    keyFont.setPointSizeF(keyFont.pointSizeF() * 1.2);
    m_keyLabel->setFont(keyFont);
    m_editButton = new QPushButton(Icons::icon(Icons::Glyph::Edit), tr("Edit…"), page);
    m_editButton->setObjectName(QStringLiteral("flagDetailEditButton"));
    m_editButton->setAccessibleName(tr("Edit flag"));
    m_editButton->setToolTip(tr("Change the description, tags, prerequisites and segments (Enter)"));
    connect(m_editButton, &QPushButton::clicked, this, &FlagDetailPanel::editRequested);
    header->addWidget(m_keyLabel, 1);
    header->addWidget(m_editButton, 0, Qt::AlignTop);
    layout->addLayout(header);

    m_descriptionLabel = valueLabel(QStringLiteral("flagDetailDescription"), tr("Description"), page);
    layout->addWidget(m_descriptionLabel);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_stateLabel = valueLabel(QStringLiteral("flagDetailState"), tr("State"), page);
    m_tagsLabel = valueLabel(QStringLiteral("flagDetailTags"), tr("Tags"), page);
    m_prerequisitesLabel = valueLabel(QStringLiteral("flagDetailPrerequisites"), tr("Prerequisites"), page);
    m_segmentsLabel = valueLabel(QStringLiteral("flagDetailSegments"), tr("Segments"), page);
    m_lastChangeLabel = valueLabel(QStringLiteral("flagDetailLastChange"), tr("Last change"), page);
    // One-line values do not wrap: wrapped labels in a form ask for height by width, which a
    // scroll area resolves late and leaves gaps between the rows.
    for (QLabel *oneLine : {m_tagsLabel, m_prerequisitesLabel, m_lastChangeLabel})
        oneLine->setWordWrap(false);
    form->addRow(tr("State:"), m_stateLabel);
    form->addRow(tr("Tags:"), m_tagsLabel);
    form->addRow(tr("Prerequisites:"), m_prerequisitesLabel);
    form->addRow(tr("Segments:"), m_segmentsLabel);
    form->addRow(tr("Last change:"), m_lastChangeLabel);
    layout->addLayout(form);
    layout->addStretch(1);

    auto *rollout = new QGroupBox(tr("Rollout percentage"), page);
    rollout->setObjectName(QStringLiteral("flagPercentGroup"));
    auto *rolloutLayout = new QVBoxLayout(rollout);
    auto *sliderRow = new QHBoxLayout;
    m_slider = new QSlider(Qt::Horizontal, rollout);
    m_slider->setObjectName(QStringLiteral("percentSlider"));
    m_slider->setAccessibleName(tr("Rollout percentage"));
    m_slider->setAccessibleDescription(tr("Share of targeting keys that get the flag while it is on, in steps of 0.1 %"));
    m_slider->setRange(0, 1000);
    m_slider->setSingleStep(1);
    m_slider->setPageStep(50);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(100);
    m_spin = new QDoubleSpinBox(rollout);
    m_spin->setObjectName(QStringLiteral("percentSpin"));
    m_spin->setAccessibleName(tr("Rollout percentage value"));
    m_spin->setRange(0.0, 100.0);
    m_spin->setDecimals(1);
    m_spin->setSingleStep(0.1);
    m_spin->setSuffix(tr(" %", "spin box suffix"));
    m_spin->setKeyboardTracking(false);
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_spin);
    rolloutLayout->addLayout(sliderRow);

    m_rolloutLabel = valueLabel(QStringLiteral("flagRolloutNotice"), tr("Rollout notice"), rollout);
    QPalette warn = m_rolloutLabel->palette();
    warn.setColor(QPalette::WindowText, Icons::warning());
    m_rolloutLabel->setPalette(warn);
    rolloutLayout->addWidget(m_rolloutLabel);

    m_previewLabel = valueLabel(QStringLiteral("percentPreview"), tr("Preview of the change"), rollout);
    m_previewLabel->setMinimumHeight(fontMetrics().lineSpacing() * 2);
    m_previewLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    rolloutLayout->addWidget(m_previewLabel);

    auto *buttons = new QHBoxLayout;
    m_applyButton = new QPushButton(tr("Apply"), rollout);
    m_applyButton->setObjectName(QStringLiteral("applyPercentButton"));
    m_applyButton->setAccessibleName(tr("Apply percentage"));
    m_resetButton = new QPushButton(tr("Reset"), rollout);
    m_resetButton->setObjectName(QStringLiteral("resetPercentButton"));
    m_resetButton->setAccessibleName(tr("Reset percentage"));
    buttons->addStretch(1);
    buttons->addWidget(m_resetButton);
    buttons->addWidget(m_applyButton);
    rolloutLayout->addLayout(buttons);
    rolloutLayout->addStretch(1);
    columns->addWidget(rollout, 1);
    m_stack->addWidget(page);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        const QSignalBlocker block(m_spin);
        m_spin->setValue(value / 10.0);
        updateButtons();
        m_previewTimer->start();
    });
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        m_slider->setValue(int(std::lround(value * 10))); // updates the rest through the slider
    });
    connect(m_applyButton, &QPushButton::clicked, this, &FlagDetailPanel::apply);
    connect(m_resetButton, &QPushButton::clicked, this, &FlagDetailPanel::reset);

    setTabOrder(m_editButton, m_slider);
    setTabOrder(m_slider, m_spin);
    setTabOrder(m_spin, m_resetButton);
    setTabOrder(m_resetButton, m_applyButton);
}

int FlagDetailPanel::proposedTenths() const { return m_slider->value(); }

void FlagDetailPanel::setProposedTenths(int tenths) { m_slider->setValue(std::clamp(tenths, 0, 1000)); }

void FlagDetailPanel::setFlagKey(const QString &key)
{
    if (key == m_key && !key.isEmpty())
        return;
    m_key = key;
    m_flag.reset();
    m_previewLoaded = false;
    m_lastPreview.reset();
    m_preview = TargetPreview();
    m_baseVersion = 0;
    refresh();
}

void FlagDetailPanel::refresh()
{
    if (m_key.isEmpty()) {
        m_flag.reset();
        m_stack->setCurrentWidget(m_placeholder);
        return;
    }
    const bool dirty = m_flag && proposedTenths() != m_baseTenths;
    bool killSwitch = false;
    try {
        Workspace &ws = m_ctx.workspace();
        FlagStore store(ws);
        m_flag = store.find(m_key);
        killSwitch = store.killSwitch();
        m_lastSource.clear();
        if (m_flag) {
            AuditFilter filter;
            filter.object = QStringLiteral("flag:") + m_key;
            filter.limit = 1;
            const QList<AuditEntry> last = AuditLog(ws).list(filter);
            if (!last.isEmpty())
                m_lastSource = last.first().source;
        }
        m_rolloutText = rolloutNotice();
    } catch (const Error &e) {
        // The workspace could not be read (a server went away): keep what is shown, say so.
        m_ctx.showStatus(e.message());
        return;
    }
    if (!m_flag) {
        m_placeholder->setText(tr("The flag “%1” no longer exists.").arg(m_key));
        m_stack->setCurrentIndex(0);
        return;
    }
    m_placeholder->setText(tr("Select a flag to see its details and to ramp its rollout percentage."));
    m_stack->setCurrentIndex(1);

    const Flag &f = *m_flag;
    if (!dirty || m_baseVersion == 0) {
        // Follow the stored value; an unapplied choice is kept against the version it was made on.
        m_baseVersion = f.version;
        m_baseTenths = f.percentTenths;
        const QSignalBlocker block(m_slider);
        m_slider->setValue(f.percentTenths);
        const QSignalBlocker blockSpin(m_spin);
        m_spin->setValue(f.percentTenths / 10.0);
    }

    m_keyLabel->setText(f.key);
    m_descriptionLabel->setText(f.description.isEmpty() ? tr("No description.") : f.description);
    m_descriptionLabel->setForegroundRole(f.description.isEmpty() ? QPalette::PlaceholderText : QPalette::WindowText);
    QString state = f.enabled ? tr("On, %1").arg(percentText(f.percentTenths)) : tr("Off");
    if (f.enabled && killSwitch && f.isSync())
        state = tr("On, %1, but forced off by the kill switch (the flag is tagged sync)").arg(percentText(f.percentTenths));
    m_stateLabel->setText(state);
    m_tagsLabel->setText(listOrNone(f.tags));
    m_prerequisitesLabel->setText(listOrNone(f.prerequisites));
    QStringList segments;
    if (!f.includeSegments.isEmpty())
        segments << tr("included: %1").arg(f.includeSegments.join(QStringLiteral(", ")));
    if (!f.excludeSegments.isEmpty())
        segments << tr("excluded: %1").arg(f.excludeSegments.join(QStringLiteral(", ")));
    m_segmentsLabel->setText(segments.isEmpty() ? tr("none") : segments.join(QLatin1Char('\n')));
    m_lastChangeLabel->setText(lastChangeText());
    m_rolloutLabel->setText(m_rolloutText);
    m_rolloutLabel->setVisible(!m_rolloutText.isEmpty());

    const bool writable = !m_ctx.isReadOnly();
    m_slider->setEnabled(writable);
    m_spin->setEnabled(writable);
    m_editButton->setEnabled(writable);
    updateButtons();
    loadPreview();
}

QString FlagDetailPanel::lastChangeText() const
{
    const Flag &f = *m_flag;
    const QString who = f.updatedBy.isEmpty() ? tr("unknown") : f.updatedBy;
    const QString when = f.updatedAt.isValid()
        ? QLocale().toString(f.updatedAt.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"))
        : tr("unknown time");
    if (m_lastSource.isEmpty())
        return tr("%1, %2 (version %3)", "who, when, version").arg(who, when).arg(f.version);
    return tr("%1, %2, from %3 (version %4)", "who, when, source (gui, cli, agent…), version")
        .arg(who, when, m_lastSource)
        .arg(f.version);
}

QString FlagDetailPanel::rolloutNotice() const
{
    const std::optional<Rollout> active = RolloutStore(m_ctx.workspace(), m_ctx.clock()).active(m_key);
    if (!active || active->plan.phases.isEmpty())
        return {};
    const QString phase = tr("phase %1 of %2, %3")
                              .arg(active->phaseIndex + 1)
                              .arg(active->plan.phases.size())
                              .arg(active->phase().label());
    switch (active->state) {
    case RolloutState::Running:
        return tr("A rollout is running on this flag (%1) and owns its percentage. You can still change it here, "
                  "but the rollout's next phase sets it again.")
            .arg(phase);
    case RolloutState::Paused:
        return tr("A paused rollout owns this flag's percentage (%1). A change made here lasts until the rollout "
                  "resumes and sets its next phase.")
            .arg(phase);
    default:
        return tr("A draft rollout exists for this flag: starting it sets the percentage of its first phase.");
    }
}

void FlagDetailPanel::loadPreview()
{
    const QString key = m_key;
    m_ctx.tasks()->run<TargetPreview>(
        QStringLiteral("flags.targetPreview"), this, [key](Workspace &ws) { return TargetPreview::load(ws, key); },
        [this, key](TargetPreview preview) {
            if (key != m_key)
                return; // another flag was selected meanwhile
            m_preview = std::move(preview);
            m_previewLoaded = true;
            updatePreview();
        },
        [this](const QString &message) {
            m_previewLabel->setText(tr("The preview could not be computed: %1").arg(message));
        });
    if (!m_previewLoaded)
        m_previewLabel->setText(tr("Counting the known targets…"));
}

void FlagDetailPanel::updatePreview()
{
    m_previewTimer->stop();
    if (!m_previewLoaded || !m_flag)
        return;
    if (!m_preview.isValid()) {
        m_previewLabel->setText(tr("The flag “%1” no longer exists.").arg(m_key));
        m_lastPreview.reset();
        return;
    }
    const SidePreview p = m_preview.preview(std::nullopt, proposedTenths());
    m_lastPreview = p;
    QString text;
    if (p.known == 0) {
        text = tr("No known targets: no sync config is gated by this flag and no segment lists targeting keys.");
    } else {
        text = tr("%1 of %2 known targets change side: %3 turn on, %4 turn off.")
                   .arg(p.changing())
                   .arg(p.known)
                   .arg(p.turnOn)
                   .arg(p.turnOff);
        const Flag stored = m_preview.flag();
        if (!stored.enabled)
            text += QLatin1Char('\n') + tr("The flag is off: nobody changes side until it is switched on.");
        else if (stored.isSync() && m_preview.snapshot().killSwitch)
            text += QLatin1Char('\n') + tr("The kill switch holds this sync flag off everywhere.");
    }
    m_previewLabel->setText(text);
    Q_EMIT previewUpdated();
}

void FlagDetailPanel::updateButtons()
{
    const bool changed = m_flag && proposedTenths() != m_baseTenths;
    const bool writable = !m_ctx.isReadOnly();
    m_applyButton->setEnabled(writable && changed);
    m_resetButton->setEnabled(changed);
    if (changed)
        m_applyButton->setToolTip(tr("Set %1 to %2 (was %3)").arg(m_key, percentText(proposedTenths()), percentText(m_baseTenths)));
    else
        m_applyButton->setToolTip(tr("Move the slider to choose a new percentage first"));
}

void FlagDetailPanel::apply()
{
    if (!m_flag || proposedTenths() == m_baseTenths)
        return;
    FlagPatch patch;
    patch.percentTenths = proposedTenths();
    patch.expectedVersion = m_baseVersion; // never overwrite a change this panel has not shown
    const QString key = m_key;
    const int tenths = proposedTenths();
    try {
        FlagStore(m_ctx.workspace()).update(key, patch, m_ctx.change());
    } catch (const Error &e) {
        m_ctx.reportWriteError(e.message());
        if (e.kind() == ErrorKind::Conflict)
            reset(); // show what the other writer did
        return;
    }
    m_baseVersion = 0; // follow the stored value again
    refresh();
    m_ctx.showStatus(tr("%1 is now at %2.").arg(key, percentText(tenths)));
    Q_EMIT applied(key, tenths);
}

void FlagDetailPanel::reset()
{
    m_baseVersion = 0;
    if (m_flag) {
        // Drop the unapplied choice: read the flag again and show it as stored.
        const QSignalBlocker block(m_slider);
        m_slider->setValue(m_baseTenths);
    }
    refresh();
}

} // namespace sp
