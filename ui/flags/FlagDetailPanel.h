#pragma once

#include "flags/Flag.h"
#include "flags/TargetPreview.h"

#include <QWidget>

#include <optional>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QStackedWidget;
class QTimer;

namespace sp {

class ConsoleContext;

// The selected flag in full (key, description, tags, prerequisites, segments, last change: who,
// when, from where) and its rollout percentage as a slider with a spin box. Before anything is
// applied, a preview says how many known targets would change side (TargetPreview); Apply writes
// the percentage like `flag set KEY --percent P`, refused cleanly when the flag changed since it
// was shown. Follows changes from every process.
class FlagDetailPanel : public QWidget
{
    Q_OBJECT

public:
    explicit FlagDetailPanel(ConsoleContext &context, QWidget *parent = nullptr);
    ~FlagDetailPanel() override;

    // Shows a flag (empty: the "select a flag" placeholder).
    void setFlagKey(const QString &key);
    QString flagKey() const { return m_key; }

    // The proposed percentage in tenths (what the slider shows).
    int proposedTenths() const;
    void setProposedTenths(int tenths);
    // The last computed preview, once the known targets are loaded.
    std::optional<SidePreview> lastPreview() const { return m_lastPreview; }
    // The flag as last read (nullopt when none is shown or it was deleted).
    const std::optional<Flag> &flag() const { return m_flag; }

public Q_SLOTS:
    // Reads the flag again (the workspace changed); an unapplied slider position is kept.
    void refresh();
    void apply();
    void reset();

Q_SIGNALS:
    void editRequested();
    // After a percentage was written (the preview is reloaded with it).
    void applied(const QString &key, int tenths);
    // A new preview is shown (tests wait for it).
    void previewUpdated();

private:
    void buildUi();
    void showFlag();
    void loadPreview();
    void updatePreview();
    void updateButtons();
    QString lastChangeText() const;
    QString rolloutNotice() const;

    ConsoleContext &m_ctx;
    QString m_key;
    std::optional<Flag> m_flag;
    qint64 m_baseVersion = 0;   // the version the proposed percentage was chosen against
    int m_baseTenths = 0;       // the stored percentage at that version
    QString m_lastSource;       // gui, cli, agent, controller: from the newest audit entry
    QString m_rolloutText;      // empty: no active rollout
    TargetPreview m_preview;
    bool m_previewLoaded = false;
    std::optional<SidePreview> m_lastPreview;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholder = nullptr;
    QLabel *m_keyLabel = nullptr;
    QLabel *m_descriptionLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_tagsLabel = nullptr;
    QLabel *m_prerequisitesLabel = nullptr;
    QLabel *m_segmentsLabel = nullptr;
    QLabel *m_lastChangeLabel = nullptr;
    QLabel *m_rolloutLabel = nullptr;
    QSlider *m_slider = nullptr;
    QDoubleSpinBox *m_spin = nullptr;
    QLabel *m_previewLabel = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_resetButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QTimer *m_previewTimer = nullptr;
};

} // namespace sp
