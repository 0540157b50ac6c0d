#pragma once

#include <QFrame>
#include <QString>

namespace sp {

// A one-line label that elides its text in the middle when space is short (workspace paths and
// DSNs can be long) instead of widening the window; the full text is its tooltip.
class ElidedLabel : public QFrame
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
};

} // namespace sp
