#include "RolloutsView.h"

#include "ConsoleContext.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sp {

RolloutsView::RolloutsView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("rolloutsView"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("This view is being built."), this));
}

RolloutsView::~RolloutsView() = default;

} // namespace sp
