#include "HealthView.h"

#include "ConsoleContext.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sp {

HealthView::HealthView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("healthView"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("This view is being built."), this));
}

HealthView::~HealthView() = default;

} // namespace sp
