#include "OverviewView.h"

#include "ConsoleContext.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sp {

OverviewView::OverviewView(ConsoleContext &context, QWidget *parent) : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("overviewView"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("This view is being built."), this));
}

OverviewView::~OverviewView() = default;

} // namespace sp
