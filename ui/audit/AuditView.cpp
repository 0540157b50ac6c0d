#include "AuditView.h"

#include "ConsoleContext.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sp {

AuditView::AuditView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("auditView"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("This view is being built."), this));
}

AuditView::~AuditView() = default;

} // namespace sp
