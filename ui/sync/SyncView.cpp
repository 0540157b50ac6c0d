#include "SyncView.h"

#include "ConsoleContext.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sp {

SyncView::SyncView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("syncView"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("This view is being built."), this));
}

SyncView::~SyncView() = default;

} // namespace sp
