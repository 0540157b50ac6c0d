#include "PhaseTimeline.h"

#include "Icons.h"
#include "RolloutText.h"

#include <QEvent>

#include <algorithm>
#include <QPainter>
#include <QPainterPath>

namespace sp {

namespace {

constexpr int kMargin = 4;
constexpr int kGap = 6;
constexpr int kHeaderLines = 1;

} // namespace

PhaseTimeline::PhaseTimeline(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("phaseTimeline"));
    setAccessibleName(tr("Rollout phases"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    updateAccessibility();
}

void PhaseTimeline::setRollout(const std::optional<Rollout> &rollout, const QDateTime &now)
{
    m_rollout = rollout;
    m_now = now;
    updateAccessibility();
    update();
}

void PhaseTimeline::setNow(const QDateTime &now)
{
    m_now = now;
    if (m_rollout && m_rollout->state == RolloutState::Running) {
        updateAccessibility();
        update();
    }
}

QString PhaseTimeline::stateText() const
{
    if (!m_rollout)
        return {};
    const Rollout &r = *m_rollout;
    QString text = RolloutText::state(r.state);
    if (!r.plan.phases.isEmpty()) {
        switch (r.state) {
        case RolloutState::Running:
        case RolloutState::Draft:
            text = tr("%1 — phase %2").arg(text, RolloutText::phase(r));
            break;
        case RolloutState::Paused:
            text = tr("Paused at %1").arg(r.phase().label());
            break;
        case RolloutState::RolledBack:
            text = tr("Rolled back at %1").arg(r.phase().label());
            break;
        case RolloutState::Aborted:
            text = tr("Aborted at %1").arg(r.phase().label());
            break;
        case RolloutState::Completed:
            text = tr("Completed at %1").arg(r.phase().label());
            break;
        }
    }
    if (!r.stateReason.isEmpty())
        text += QStringLiteral(" — ") + r.stateReason;
    return text;
}

QString PhaseTimeline::timeLeftText() const
{
    return m_rollout ? RolloutText::timeLeft(*m_rollout, m_now) : QString();
}

QString PhaseTimeline::phasesInWords() const
{
    if (!m_rollout)
        return tr("No rollout selected.");
    const Rollout &r = *m_rollout;
    QStringList parts;
    for (int i = 0; i < r.plan.phases.size(); ++i) {
        const Phase &p = r.plan.phases.at(i);
        QString words = tr("Phase %1: %2, %3").arg(i + 1).arg(p.label(), p.holdSeconds > 0 ? tr("held %1").arg(RolloutText::hold(p.holdSeconds)) : tr("final"));
        const bool finished = r.state == RolloutState::Completed;
        if (i < r.phaseIndex || (finished && i == r.phaseIndex))
            words += tr(" (done)");
        else if (i == r.phaseIndex) {
            const QString left = timeLeftText();
            words += left.isEmpty() ? tr(" (current, %1)").arg(RolloutText::state(r.state).toLower()) : tr(" (current, %1)").arg(left);
        }
        parts << words;
    }
    return tr("%1. %2.").arg(stateText(), parts.join(QStringLiteral("; ")));
}

void PhaseTimeline::updateAccessibility()
{
    const QString words = phasesInWords();
    setAccessibleDescription(words);
    setToolTip(m_rollout ? words : QString());
}

QColor PhaseTimeline::stateColor() const
{
    if (!m_rollout)
        return palette().color(QPalette::Highlight);
    switch (m_rollout->state) {
    case RolloutState::Paused:
        return Icons::warning();
    case RolloutState::RolledBack:
        return Icons::danger();
    case RolloutState::Aborted:
        return Icons::neutral();
    case RolloutState::Completed:
        return Icons::healthy();
    case RolloutState::Draft:
    case RolloutState::Running:
        break;
    }
    return palette().color(QPalette::Highlight);
}

QSize PhaseTimeline::sizeHint() const
{
    const QFontMetrics fm(font());
    return {600, kMargin * 2 + fm.height() * (kHeaderLines + 3) + kGap * 2 + 16};
}

QSize PhaseTimeline::minimumSizeHint() const
{
    const QSize s = sizeHint();
    return {240, s.height()};
}

void PhaseTimeline::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange || event->type() == QEvent::LanguageChange) {
        updateGeometry();
        updateAccessibility();
        update();
    }
    QWidget::changeEvent(event);
}

void PhaseTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);

    if (!m_rollout || m_rollout->plan.phases.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, tr("Select a rollout to see its phases."));
        return;
    }
    const Rollout &r = *m_rollout;
    const QColor accent = stateColor();

    // header: a dot in the state's colour and the state in words, time left on the right
    const int headerH = fm.height();
    QRect header(area.left(), area.top(), area.width(), headerH);
    const QString left = timeLeftText();
    const int leftW = left.isEmpty() ? 0 : fm.horizontalAdvance(left) + 8;
    p.setPen(Qt::NoPen);
    p.setBrush(accent);
    const int dot = fm.height() / 2;
    p.drawEllipse(QRect(header.left(), header.center().y() - dot / 2, dot, dot));
    p.setBrush(Qt::NoBrush);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(pal.color(QPalette::WindowText));
    const QRect stateRect = header.adjusted(dot + 6, 0, -leftW, 0);
    p.drawText(stateRect, Qt::AlignLeft | Qt::AlignVCenter, QFontMetrics(bold).elidedText(stateText(), Qt::ElideRight, stateRect.width()));
    p.setFont(font());
    if (!left.isEmpty())
        p.drawText(header, Qt::AlignRight | Qt::AlignVCenter, left);

    // the phases
    const int n = int(r.plan.phases.size());
    const int top = header.bottom() + kGap;
    const int barH = fm.height() * 2 + 10;
    const int segW = std::max(20, (area.width() - kGap * (n - 1)) / n);
    const bool finished = r.state == RolloutState::Completed;
    for (int i = 0; i < n; ++i) {
        const Phase &ph = r.plan.phases.at(i);
        const QRectF box(area.left() + i * (segW + kGap) + 0.5, top + 0.5, segW - 1.0, barH - 1.0);
        QPainterPath path;
        path.addRoundedRect(box, 5, 5);
        const bool done = i < r.phaseIndex || (finished && i == r.phaseIndex);
        const bool current = i == r.phaseIndex && !finished;
        QColor textColor = pal.color(QPalette::WindowText);
        if (done) {
            QColor fill = r.state == RolloutState::RolledBack ? Icons::danger() : pal.color(QPalette::Highlight);
            if (r.state == RolloutState::RolledBack)
                fill.setAlpha(110);
            p.fillPath(path, fill);
            p.setPen(QPen(fill.darker(110), 1));
            p.drawPath(path);
            textColor = r.state == RolloutState::RolledBack ? pal.color(QPalette::WindowText) : pal.color(QPalette::HighlightedText);
        } else if (current) {
            p.fillPath(path, pal.color(QPalette::Base));
            double share = 1.0;
            if (r.state == RolloutState::Running && ph.holdSeconds > 0 && m_now.isValid())
                share = std::clamp(double(r.phaseStartedAt.msecsTo(m_now)) / (ph.holdSeconds * 1000.0), 0.0, 1.0);
            QColor fill = accent;
            fill.setAlpha(70);
            p.save();
            p.setClipPath(path);
            p.fillRect(QRectF(box.left(), box.top(), box.width() * share, box.height()), fill);
            p.restore();
            p.setPen(QPen(accent, 2.5));
            p.drawPath(path);
        } else {
            p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
            textColor = pal.color(QPalette::WindowText);
        }
        p.setPen(textColor);
        const QRect inner = box.toAlignedRect().adjusted(4, 4, -4, -4);
        QFont labelFont = font();
        labelFont.setBold(current);
        p.setFont(labelFont);
        const QFontMetrics lfm(labelFont);
        p.drawText(QRect(inner.left(), inner.top(), inner.width(), lfm.height()), Qt::AlignHCenter | Qt::AlignVCenter,
                   lfm.elidedText(ph.label(), Qt::ElideRight, inner.width()));
        p.setFont(font());
        const QString holdText = ph.holdSeconds > 0 ? tr("hold %1").arg(RolloutText::hold(ph.holdSeconds)) : tr("final");
        p.drawText(QRect(inner.left(), inner.bottom() - fm.height() + 1, inner.width(), fm.height()), Qt::AlignHCenter | Qt::AlignVCenter,
                   fm.elidedText(holdText, Qt::ElideRight, inner.width()));

        // under the current phase: what is happening to it
        if (current) {
            QString under;
            if (r.state == RolloutState::Running)
                under = left.isEmpty() ? tr("current") : left;
            else
                under = RolloutText::state(r.state);
            p.setPen(r.state == RolloutState::Running ? pal.color(QPalette::WindowText) : accent);
            p.drawText(QRect(int(box.left()), top + barH + 2, int(box.width()), fm.height()), Qt::AlignHCenter | Qt::AlignTop,
                       fm.elidedText(under, Qt::ElideRight, int(box.width())));
        }
        // an arrow between phases
        if (i < n - 1) {
            p.setPen(QPen(pal.color(QPalette::Mid), 1.5));
            const double x = box.right() + kGap / 2.0;
            const double y = box.center().y();
            p.drawLine(QPointF(x - 2, y - 3), QPointF(x + 1, y));
            p.drawLine(QPointF(x - 2, y + 3), QPointF(x + 1, y));
        }
    }
}

} // namespace sp
