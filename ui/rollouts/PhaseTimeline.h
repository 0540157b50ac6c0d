#pragma once

#include "rollout/Rollout.h"

#include <QDateTime>
#include <QWidget>

#include <optional>

namespace sp {

// A rollout's plan drawn as a row of phases: finished phases filled, the current one outlined
// with a fill for the share of its hold time that has passed and the time left, later phases
// outlined only. Paused, rolled back, aborted and completed rollouts say so in colour and words.
// Repaints on setNow() (the view's one-second timer); it never reads the workspace itself.
class PhaseTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit PhaseTimeline(QWidget *parent = nullptr);

    void setRollout(const std::optional<Rollout> &rollout, const QDateTime &now);
    void setNow(const QDateTime &now);
    const std::optional<Rollout> &rollout() const { return m_rollout; }

    // What is shown, in words (also the accessible description).
    QString stateText() const;
    QString timeLeftText() const;
    QString phasesInWords() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateAccessibility();
    QColor stateColor() const;

    std::optional<Rollout> m_rollout;
    QDateTime m_now;
};

} // namespace sp
